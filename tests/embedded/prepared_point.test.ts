// The prepared point-SELECT path (Session.runStatement with $1, plan cache hit
// every time) keeps its semantics through the per-session caches it uses:
// settings-derived values, the table access of the committed catalog, the
// plan-cache key memo, the idle operator tree, the privilege check memo.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, SbError, type Database, type Session } from '../../host/node.ts';
import { parse, postgres } from '../../sql-dialects/index.ts';

let db: Database;
beforeAll(async () => {
  db = await open(':memory:');
});
afterAll(() => db.close());

function prepare(s: Session, sql: string): (params: unknown[]) => Promise<unknown[][]> {
  const stmt = parse(sql, postgres)[0]!;
  const { paramTypes } = s.describe(stmt, sql);
  return async (params) => (await s.runStatement(stmt, sql, params, paramTypes)).rows as unknown[][];
}

async function errorOf(p: Promise<unknown>): Promise<SbError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SbError) return e;
    throw e;
  }
  throw new Error('expected an error, the statement succeeded');
}

describe('prepared point SELECT', () => {
  it('sees committed writes, DDL and a NULL key between executions', async () => {
    const s = db.session();
    await s.query('CREATE TABLE pp1 (id int PRIMARY KEY, v text)');
    await s.query("INSERT INTO pp1 VALUES (1, 'a'), (2, 'b')");
    const get = prepare(s, 'SELECT * FROM pp1 WHERE id = $1');
    expect(await get([1])).toEqual([[1, 'a']]);
    expect(await get([3])).toEqual([]);
    expect(await get([null])).toEqual([]);
    const w = db.session();
    await w.query("UPDATE pp1 SET v = 'changed' WHERE id = 1");
    expect(await get([1])).toEqual([[1, 'changed']]); // READ COMMITTED: a new snapshot per statement
    await w.query("ALTER TABLE pp1 ADD COLUMN extra text DEFAULT 'dflt'");
    expect(await get([2])).toEqual([[2, 'b', 'dflt']]); // the plan and the table access follow the new catalog
    await w.query('DROP TABLE pp1');
    await w.query('CREATE TABLE pp1 (id int PRIMARY KEY, v text, w int)');
    await w.query("INSERT INTO pp1 VALUES (2, 'new', 7)");
    expect(await get([2])).toEqual([[2, 'new', 7]]);
    expect((await errorOf(get([2 ** 31]))).code).toBe('22003');
    await w.close();
    await s.close();
  });

  it('follows search_path, settings and the transaction block', async () => {
    const s = db.session();
    await s.query('CREATE SCHEMA pp_other');
    await s.query("CREATE TABLE pp2 (id int PRIMARY KEY, v text); INSERT INTO pp2 VALUES (1, 'public')");
    await s.query("CREATE TABLE pp_other.pp2 (id int PRIMARY KEY, v text); INSERT INTO pp_other.pp2 VALUES (1, 'other')");
    const get = prepare(s, 'SELECT v FROM pp2 WHERE id = $1');
    expect(await get([1])).toEqual([['public']]);
    await s.query('SET search_path = pp_other, public');
    expect(await get([1])).toEqual([['other']]);
    await s.query('BEGIN');
    await s.query('SET LOCAL search_path = public');
    expect(await get([1])).toEqual([['public']]);
    await s.query('COMMIT');
    expect(await get([1])).toEqual([['other']]); // SET LOCAL ended with the transaction
    await s.query('BEGIN');
    await s.query('SET search_path = public');
    expect(await get([1])).toEqual([['public']]);
    await s.query('ROLLBACK');
    expect(await get([1])).toEqual([['other']]); // a rolled-back SET is undone
    // A single-statement transaction: statement_timestamp() is its transaction's start.
    const ts = prepare(s, 'SELECT statement_timestamp() = transaction_timestamp(), $1::int');
    expect(await ts([1])).toEqual([[true, 1]]);
    await s.query('BEGIN');
    await new Promise((r) => setTimeout(r, 15)); // the block's transaction began at BEGIN
    expect(await ts([2])).toEqual([[false, 2]]);
    await s.query('COMMIT');
    // statement_timeout set after the point path ran is applied to the next statement.
    await s.query("SET statement_timeout = '30ms'");
    const e = await errorOf(s.query("SELECT count(*) FROM generate_series(1, 50000000) g WHERE md5(g::text) = 'x'"));
    expect(e.code).toBe('57014');
    await s.query('RESET statement_timeout');
    expect(await get([1])).toEqual([['other']]);
    await s.close();
  });

  it('checks privileges again after a REVOKE', async () => {
    const admin = db.session();
    await admin.query("CREATE TABLE pp3 (id int PRIMARY KEY, v text); INSERT INTO pp3 VALUES (1, 'x')");
    await admin.query("CREATE ROLE pp_reader LOGIN PASSWORD 'pw'");
    await admin.query('GRANT SELECT ON pp3 TO pp_reader');
    const r = db.session({ user: 'pp_reader' });
    const get = prepare(r, 'SELECT v FROM pp3 WHERE id = $1');
    expect(await get([1])).toEqual([['x']]);
    expect(await get([1])).toEqual([['x']]);
    await admin.query('REVOKE SELECT ON pp3 FROM pp_reader');
    expect((await errorOf(get([1]))).code).toBe('42501');
    await r.close();
    await admin.close();
  });

  it('a failed statement in a block leaves it failed; the next block works', async () => {
    const s = db.session();
    await s.query("CREATE TABLE pp4 (id int PRIMARY KEY, v text); INSERT INTO pp4 VALUES (1, 'x')");
    const get = prepare(s, 'SELECT v FROM pp4 WHERE id = $1');
    await s.query('BEGIN');
    expect((await errorOf(get(['not a number']))).code).toBe('22P02');
    expect((await errorOf(get([1]))).code).toBe('25P02');
    await s.query('ROLLBACK');
    expect(await get([1])).toEqual([['x']]);
    await s.close();
  });
});
