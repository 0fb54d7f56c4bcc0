// ANALYZE [table [(columns)], ...]: reads each table once (reservoir-sampling
// up to ANALYZE_SAMPLE_ROWS rows), computes per-column statistics
// (plan/stats.ts) and stores them on the table's catalog record in the
// statement's transaction. Without a table list: every table of the database.

import type * as A from '../../../sql-dialects/index.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { TableObj } from '../catalog/objects.ts';
import { liveColumns } from '../catalog/objects.ts';
import { lookupRelation, qnameText } from '../bind/names.ts';
import { buildOperator } from '../exec/build.ts';
import type { ScanOp } from '../exec/ops_scan.ts';
import { drain } from '../exec/operator.ts';
import type { Plan } from '../plan/nodes.ts';
import { ANALYZE_SAMPLE_ROWS, columnStats, scaleDistinct, type TableStats, type TableWithStats } from '../plan/stats.ts';
import type { QueryResult } from './result.ts';
import type { Session } from './session.ts';
import { planState } from './plan_cache.ts';

export async function runAnalyze(s: Session, stmt: A.Vacuum): Promise<QueryResult> {
  const autocommit = !s.tx.inBlock();
  const txn = s.tx.ensureTxn();
  s.tx.started = true;
  txn.beginStatement();
  if (txn.isolation === 'read committed') txn.refreshSnapshot();
  try {
    const ev = s.evalContext();
    const env = s.bindEnv('', [], [], ev);
    const catalog = s.catalog();
    let targets: Array<{ table: TableObj; columns?: string[] }>;
    if (stmt.tables.length === 0) {
      targets = catalog.ofKind('table').filter((t) => t.dbOid === s.core.dbOid).map((table) => ({ table }));
    } else {
      targets = stmt.tables.map((t) => {
        const rel = lookupRelation(env, t.name);
        if (!rel) throw new SbError(SqlState.undefined_table, `relation "${qnameText(env, t.name)}" does not exist`);
        if (rel.kind !== 'table') throw new SbError(SqlState.wrong_object_type, `"${rel.name}" is not a table`);
        return { table: rel, ...(t.columns ? { columns: t.columns.map((c) => s.dialect.foldIdentifier(c)) } : {}) };
      });
    }
    const counts: Array<[number, number]> = [];
    for (const { table, columns } of targets) {
      const cols = liveColumns(table).filter((c) => !columns || columns.includes(c.name));
      if (columns) {
        for (const name of columns) {
          if (!cols.some((c) => c.name === name)) {
            throw new SbError(SqlState.undefined_column, `column "${name}" of relation "${table.name}" does not exist`);
          }
        }
      }
      const scan: Plan = {
        n: 'scan', cols: table.columns.map((c) => ({ name: c.name, type: c.type })), tableOid: table.oid,
        attnums: table.columns.map((c) => c.attnum), access: 'seq',
      };
      const ctx = s.execContext(txn, catalog, [], ev);
      const sample: unknown[][] = [];
      let rows = 0;
      let seed = 0x9e3779b9;
      const rand = (n: number): number => {
        seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
        return seed % n;
      };
      // Reservoir sampling (ANALYZE_SAMPLE_ROWS rows, each row equally likely),
      // decided before a row is decoded: the scan decodes only the rows kept,
      // and each arrives for the slot chosen for it.
      const op = buildOperator(scan) as ScanOp;
      const slots: number[] = [];
      op.sampler = () => {
        rows++;
        let at = rows - 1;
        if (rows > ANALYZE_SAMPLE_ROWS) {
          at = rand(rows);
          if (at >= ANALYZE_SAMPLE_ROWS) return false;
        }
        slots.push(at);
        return true;
      };
      let taken = 0;
      await drain(ctx, op, (b) => {
        const cs = b.cols;
        for (let i = 0; i < b.length; i++) {
          const row = new Array<unknown>(cs.length);
          for (let c = 0; c < cs.length; c++) row[c] = cs[c]![i];
          sample[slots[taken++]!] = row;
        }
      });
      const prev = (table as TableWithStats).stats;
      const stats: TableStats = { rows, cols: { ...(columns ? prev?.cols ?? {} : {}) } };
      for (const c of cols) {
        const pos = c.attnum - 1;
        const cs = columnStats(c.type, sample.map((r) => r[pos]));
        cs.distinct = scaleDistinct(cs.distinct, sample.length, rows);
        stats.cols[String(c.attnum)] = cs;
      }
      const current = s.catalog().table(table.oid) ?? table;
      s.tx.cat!.put(txn, { ...current, stats } as TableWithStats);
      counts.push([table.oid, rows]);
    }
    const rc = planState(s.core).rowCounts;
    s.tx.atCommit(() => {
      for (const [oid, n] of counts) rc.set(oid, n);
      return Promise.resolve();
    });
    txn.endStatement();
    if (autocommit) await s.tx.commit();
    return { command: 'ANALYZE', rowCount: 0, fields: [], rows: [] };
  } catch (e) {
    txn.endStatement();
    if (autocommit) await s.tx.rollback();
    else s.tx.failed = true;
    throw e;
  }
}
