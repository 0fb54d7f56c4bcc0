// FunctionCall ('F'), PostgreSQL's fast-path interface: call a function by
// its OID with text or binary arguments; the answer is one
// FunctionCallResponse ('V') with the result in the requested format (or an
// ErrorResponse), then ReadyForQuery.
//
// The OID is looked up in the function registry (the rows of our pg_proc).
// Plain scalar functions with fixed argument and result types are served:
// the call runs as `SELECT name($1, ..., $n)` with the parameters declared as
// the function's argument types, so overload resolution lands on the same
// function and the session's transaction rules, privileges and cancel apply
// as to any statement. Set-returning, aggregate, window and polymorphic
// functions get 0A000; an unknown OID gets 42883, as in PostgreSQL.

import type * as A from '../../../sql-dialects/index.ts';
import { parse } from '../../../sql-dialects/index.ts';
import { type FuncImpl, registry } from '../../engine/functions/registry.ts';
import { SbError, SqlState } from '../../engine/sb_error.ts';
import type { Session } from '../../engine/session/session.ts';
import { decodeBinary, encodeBinary } from '../../engine/types/binary_io.ts';
import { formatText } from '../../engine/types/text_io.ts';
import { isPolymorphic, isPseudoType, type SqlType } from '../../engine/types/types.ts';
import { decodeUtf8, encodeUtf8 } from './bytes.ts';
import type { FrontendMessage } from './decode.ts';
import type { BackendWriter } from './encode.ts';
import { formatAt } from './decode.ts';

type FunctionCallMessage = Extract<FrontendMessage, { type: 'FunctionCall' }>;

/** FunctionCallResponse's message type ('V'). */
const FUNCTION_CALL_RESPONSE = 0x56;

/** FunctionCallResponse: the result's length (-1 for NULL) and bytes. */
export function functionCallResponse(out: BackendWriter, value: Uint8Array | null): void {
  out.begin(FUNCTION_CALL_RESPONSE);
  if (value === null) out.int32(-1);
  else out.int32(value.length).bytes(value);
  out.finish();
}

/** Parsed call statements by function OID (the SQL text depends only on the function). */
const statements = new Map<number, { sql: string; stmt: A.Statement }>();
const statements_cached_max = 1024;

/** The scalar function with that OID, or the error PostgreSQL gives for it. */
function fastpathFunction(oid: number): FuncImpl {
  const impl = registry.byOid.get(oid) as Partial<FuncImpl> & { retSet?: boolean } | undefined;
  const listed = impl?.name !== undefined && registry.functions.get(impl.name)?.includes(impl as FuncImpl);
  if (!impl || !listed) {
    if (impl && impl.name !== undefined) throw new SbError(SqlState.feature_not_supported, `fastpath call of ${impl.name} (OID ${oid}) is not supported: it is not a plain function`);
    throw new SbError(SqlState.undefined_function, `function with OID ${oid} does not exist`);
  }
  const f = impl as FuncImpl;
  if ('retSet' in f) throw new SbError(SqlState.feature_not_supported, `cannot call set-returning function ${f.name} through fastpath`);
  const fixed = (t: SqlType): boolean => !isPolymorphic(t) && (!isPseudoType(t) || t.id === 'void');
  if (typeof f.ret === 'function' || !fixed(f.ret) || !f.args.every(fixed) || f.variadic !== undefined) {
    throw new SbError(SqlState.feature_not_supported, `fastpath call of ${f.name} is not supported: its argument or result types are not fixed`, {
      hint: 'Call the function in a SELECT.',
    });
  }
  return f;
}

function callStatement(session: Session, f: FuncImpl): { sql: string; stmt: A.Statement } {
  let s = statements.get(f.oid);
  if (!s) {
    const sql = `SELECT "${f.name.replaceAll('"', '""')}"(${f.args.map((_, i) => `$${i + 1}`).join(', ')})`;
    s = { sql, stmt: parse(sql, session.dialect)[0]! };
    if (statements.size >= statements_cached_max) statements.delete(statements.keys().next().value!);
    statements.set(f.oid, s);
  }
  return s;
}

/** Runs one FunctionCall; returns the result bytes in the requested format (null for NULL). */
export async function functionCall(session: Session, m: FunctionCallMessage): Promise<Uint8Array | null> {
  const f = fastpathFunction(m.functionOid);
  if (m.args.length !== f.args.length) {
    throw new SbError(SqlState.protocol_violation, `function call message contains ${m.args.length} arguments but function requires ${f.args.length}`);
  }
  const ctx = session.typeContext();
  const values = m.args.map((b, i) => {
    if (b === null) return null;
    if (formatAt(m.argFormats, i) === 0) return decodeUtf8(b);
    try {
      return decodeBinary(f.args[i]!, b, ctx);
    } catch (e) {
      if (e instanceof SbError) throw e;
      throw new SbError(SqlState.invalid_binary_representation, `incorrect binary data format in function argument ${i + 1}`);
    }
  });
  const { sql, stmt } = callStatement(session, f);
  const r = await session.runStatement(stmt, sql, values, [...f.args]);
  const ret = f.ret as SqlType;
  // void's output and send functions give an empty value, not NULL.
  if (ret.id === 'void') return new Uint8Array(0);
  const v = r.rows[0]?.[0];
  if (v === null || v === undefined) return null;
  const type = r.fields[0]?.type ?? ret;
  return m.resultFormat === 1 ? encodeBinary(type, v, ctx) : encodeUtf8(formatText(type, v, ctx));
}
