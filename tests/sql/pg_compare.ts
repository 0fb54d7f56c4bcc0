// Differential checks against a real PostgreSQL 15: the same SQL runs on a
// throwaway PostgreSQL cluster (tools/slt/pg_target.ts) and on ScratchBird
// (embedded, :memory:); results are compared as PostgreSQL's text output
// (column names, rows, NULLs) and failures by SQLSTATE.
//
// Without PostgreSQL server binaries the differential tests are skipped
// locally, with a message; in CI (CI=true) that is a failure.

import { findPostgres } from '../../tools/slt/pg_cluster.ts';
import { PgTarget } from '../../tools/slt/pg_target.ts';
import { SbTarget } from '../../tools/slt/sb_target.ts';
import { errorCodeOf, type SltExecResult } from '../../tools/slt/target.ts';

export const pgInstall = findPostgres();
export const inCI = process.env.CI === 'true';
/** Run the differential suites: PostgreSQL is there, or CI demands it (and then fails without it). */
export const runDifferential = pgInstall !== null || inCI;

export function warnIfSkipped(file: string): void {
  if (!runDifferential) {
    console.warn(`${file}: PostgreSQL server binaries (initdb, postgres) not found; the comparison with PostgreSQL 15 is skipped. Set SLT_PG_BIN to their folder to run it.`);
  }
}

export type Outcome = { fields: string[]; rows: Array<Array<string | null>> } | { error: string } | 'ok';

async function outcome(run: () => Promise<SltExecResult>): Promise<Outcome> {
  try {
    const r = await run();
    return r === 'ok' ? 'ok' : { fields: r.fields, rows: r.rows };
  } catch (e) {
    const code = errorCodeOf(e);
    if (code === undefined) throw e;
    return { error: code };
  }
}

/** Both databases, each with a fresh database holding the same setup. */
export class Pair {
  private constructor(readonly pg: PgTarget, readonly sb: SbTarget) {}

  static async start(setup: string[]): Promise<Pair> {
    if (!pgInstall) throw new Error('CI=true but PostgreSQL server binaries (initdb, postgres) were not found; install PostgreSQL 15 or set SLT_PG_BIN');
    const pair = new Pair(await PgTarget.start(pgInstall), new SbTarget());
    await pair.pg.startFile('differential');
    await pair.sb.startFile();
    for (const sql of setup) {
      await pair.pg.exec(sql);
      await pair.sb.exec(sql);
    }
    return pair;
  }

  /** Runs a statement on both: [PostgreSQL's outcome, ScratchBird's]. */
  async both(sql: string, opts: { sortRows?: boolean } = {}): Promise<[Outcome, Outcome]> {
    const pg = await outcome(() => this.pg.exec(sql));
    const sb = await outcome(() => this.sb.exec(sql));
    if (opts.sortRows) for (const o of [pg, sb]) if (typeof o === 'object' && 'rows' in o) o.rows.sort(compareRows);
    return [pg, sb];
  }

  async close(): Promise<void> {
    await this.sb.close();
    await this.pg.close();
  }
}

function compareRows(a: Array<string | null>, b: Array<string | null>): number {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
}
