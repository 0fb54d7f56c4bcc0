// Helpers of the column cache tests: an execution context over a session's
// transaction, and reading a cached vector back into SQL values.

import type { Session } from '../../host/engine/db.ts';
import { COLKIND, type ColumnSnapshot, type ColumnVector, getColumns, type GetColumnsOptions } from '../../host/engine/exec/colcache.ts';
import { execKernels } from '../../host/engine/exec/kernels.ts';
import type { ExecContext } from '../../host/engine/exec/context.ts';

/** The session's execution context (its current transaction, begun when there is none). */
export function contextOf(s: Session): ExecContext {
  const txn = s.tx.txn && s.tx.txn.state === 'active' ? s.tx.txn : s.tx.ensureTxn();
  // READ COMMITTED: a statement's snapshot.
  txn.refreshSnapshot();
  return s.execContext(txn, s.catalog(), [], s.evalContext());
}

export async function tableOid(s: Session, name: string): Promise<number> {
  const r = await s.query(`SELECT '${name}'::regclass::oid`);
  return Number(r.rows[0]![0]);
}

/** getColumns in the session's transaction (the caller ends an implicit one). */
export async function columns(s: Session, table: string, attnos: number[], opts?: GetColumnsOptions): Promise<ColumnSnapshot | null> {
  const oid = await tableOid(s, table);
  return getColumns(contextOf(s), oid, attnos, opts);
}

/** A vector's values as strings (numeric and text) / numbers / booleans / null, row by row. */
export function readVector(v: ColumnVector, rows: number): unknown[] {
  const buf = execKernels()!.x.memory.buffer;
  const out: unknown[] = [];
  const nulls = v.nulls ? new Uint8Array(buf, v.nulls, rows) : null;
  for (let i = 0; i < rows; i++) {
    if (nulls && nulls[i]) {
      out.push(null);
      continue;
    }
    switch (v.kind) {
      case COLKIND.I32:
        out.push(new Int32Array(buf, v.ptr, rows)[i]);
        break;
      case COLKIND.I64: {
        const x = new BigInt64Array(buf, v.ptr, rows)[i]!;
        out.push(v.sqlType.id === 'numeric' ? scaledText(x, v.scale) : Number.isSafeInteger(Number(x)) ? Number(x) : x);
        break;
      }
      case COLKIND.F64:
        out.push(new Float64Array(buf, v.ptr, rows)[i]);
        break;
      case COLKIND.DICT:
        out.push(v.dict![new Uint32Array(buf, v.ptr, rows)[i]!]);
        break;
      case COLKIND.BOOL:
        out.push(new Uint8Array(buf, v.ptr, rows)[i] === 1);
        break;
    }
  }
  return out;
}

function scaledText(x: bigint, scale: number): string {
  const neg = x < 0n;
  let s = (neg ? -x : x).toString();
  if (scale > 0) {
    s = s.padStart(scale + 1, '0');
    s = s.slice(0, s.length - scale) + '.' + s.slice(s.length - scale);
  }
  return (neg ? '-' : '') + s;
}

/** A query result value in readVector's terms (numerics as their text). */
export function sqlValue(v: unknown): unknown {
  if (v !== null && typeof v === 'object' && 'coef' in v) return String(v);
  return v;
}

/** Ends the session's implicit transaction (contextOf begins one outside a block). */
export async function endImplicit(s: Session): Promise<void> {
  if (!s.tx.inBlock()) await s.tx.rollback();
}
