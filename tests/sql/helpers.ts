// Shared helpers for the end-to-end SQL tests: databases through the
// embedded API, SQLSTATE assertions, rows as PostgreSQL's text output.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, formatRow, type Database, type QueryResult } from '../../host/engine/db.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { SbError } from '../../host/engine/sb_error.ts';
import type { TypeContext } from '../../host/engine/types/context.ts';
import type { Session } from '../../host/engine/session/session.ts';
import { parse, postgres } from '../../sql-dialects/index.ts';
import { bindStatement } from '../../host/engine/bind/index.ts';
import { planQuery } from '../../host/engine/plan/planner.ts';
import { plannerEnv } from '../../host/engine/session/plan_cache.ts';
import type { Plan } from '../../host/engine/plan/nodes.ts';

export const node = nodePlatform();

export function memoryDb(settings?: Record<string, string>): Promise<Database> {
  return open(':memory:', { platform: node, store: { background: false }, ...(settings ? { settings } : {}) });
}

export function tempDir(prefix = 'sb-sql-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The SbError a call fails with (the test fails if it succeeds or throws something else). */
export async function errorOf(p: Promise<unknown> | (() => Promise<unknown>)): Promise<SbError> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    if (e instanceof SbError) return e;
    throw e;
  }
  throw new Error('expected an error, the statement succeeded');
}

export async function codeOf(p: Promise<unknown> | (() => Promise<unknown>)): Promise<string> {
  return (await errorOf(p)).code;
}

/** Rows as PostgreSQL prints them. */
export function text(r: QueryResult): Array<Array<string | null>> {
  return formatRow(r);
}

/** Runs a query on a database or session and returns its rows as text. */
export async function rows(
  db: { query(sql: string, params?: readonly unknown[]): Promise<QueryResult>; typeContext(): TypeContext },
  sql: string,
  params: unknown[] = [],
): Promise<Array<Array<string | null>>> {
  const r = await db.query(sql, params);
  return formatRow(r, db.typeContext());
}

/** The planner's output for one PostgreSQL query or DML statement in session `s` (its transaction begun if need be). */
export function plannedQuery(s: Session, sql: string): Plan {
  const stmt = parse(sql, postgres)[0]!;
  const ev = s.evalContext();
  const txn = s.tx.ensureTxn();
  const bound = bindStatement(s.bindEnv(sql, [], [], ev), stmt);
  if (bound.kind !== 'plan') throw new Error('not a plan');
  return planQuery(plannerEnv(s, txn, ev), bound.plan);
}

/** Lets every ready continuation (and the statements just started) run until they block on a lock. */
export async function settle(turns = 8): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise((r) => setImmediate(r));
}

/** A statement's outcome without throwing: `state` is 'pending' until it settles, then 'ok' or its SQLSTATE. */
export function outcome(p: Promise<unknown>): { state: string; done: Promise<string> } {
  const o = { state: 'pending', done: Promise.resolve('') };
  o.done = p.then(() => (o.state = 'ok'), (e: { code?: string }) => (o.state = e.code ?? String(e)));
  return o;
}

/** A new session of `db` inside BEGIN [ISOLATION LEVEL iso]. */
export async function beginOn(db: Database, iso = ''): Promise<Session> {
  const s = db.session();
  await s.query(`BEGIN${iso ? ' ISOLATION LEVEL ' + iso : ''}`);
  return s;
}
