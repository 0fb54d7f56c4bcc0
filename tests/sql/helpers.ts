// Shared helpers for the end-to-end SQL tests: databases through the
// embedded API, SQLSTATE assertions, rows as PostgreSQL's text output.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { open, formatRow, type Database, type QueryResult } from '../../host/engine/db.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { SbError } from '../../host/engine/sb_error.ts';
import type { TypeContext } from '../../host/engine/types/context.ts';

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
