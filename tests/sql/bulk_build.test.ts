// Bulk builds on populated tables (host/engine/bind/ddl_build.ts): ALTER
// TABLE ... ADD PRIMARY KEY re-keys the rows through sorted runs into a new
// key space; CREATE INDEX / ADD UNIQUE write sorted entries. The results
// must equal what row-by-row maintenance gives, duplicates must fail with
// 23505 and PostgreSQL's detail, and several runs (a table bigger than one
// in-memory run) must behave as one.

import { afterEach, describe, expect, it } from 'vitest';
import { open, type Database } from '../../host/engine/db.ts';
import { EntryRun, sortLimits } from '../../host/engine/bind/ddl_build.ts';
import { errorOf, memoryDb, node, rows, tempDir } from './helpers.ts';

const saved = { ...sortLimits };
afterEach(() => Object.assign(sortLimits, saved));

/** Every entry of every index of `table` (index name, then the entry's columns), via index-only lookups of each row. */
async function lookups(db: Database, table: string, col: string, values: string[]): Promise<string[][]> {
  const out: string[][] = [];
  for (const v of values) out.push(...((await rows(db, `SELECT ${col}, count(*) FROM ${table} WHERE ${col} = ${v} GROUP BY ${col}`)) as string[][]));
  return out;
}

describe('EntryRun', () => {
  it('orders keys bytewise (shared 6-byte prefixes, prefixes of each other, empty) and keeps values with their keys', () => {
    const run = new EntryRun();
    const keys = [[1, 2, 3, 4, 5, 6, 9], [1, 2, 3, 4, 5, 6, 8, 0], [1, 2, 3, 4, 5, 6], [1, 2, 3, 4, 5, 6, 8], [0], [], [255, 1], [1, 2]];
    keys.forEach((k, i) => run.add(Uint8Array.from(k), Uint8Array.from([i])));
    const order = [...run.order()];
    const got = order.map((i) => [...run.key(i)].join('.'));
    const want = keys.map((k) => k.join('.')).sort((a, b) => {
      const x = a === '' ? [] : a.split('.').map(Number);
      const y = b === '' ? [] : b.split('.').map(Number);
      for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
      return x.length - y.length;
    });
    expect(got).toEqual(want);
    for (const i of order) expect(run.value(i)[0]).toBe(i);
  });
});

describe('ALTER TABLE ... ADD PRIMARY KEY on a populated table', () => {
  it('re-keys the rows: key order, lookups, inserts after it, and the old rows all stay', async () => {
    const db = await memoryDb();
    await db.query('CREATE TABLE a (id int, grp int, filler char(20))');
    // Out of key order, so the runs really sort.
    await db.query("INSERT INTO a SELECT (i * 7919) % 1000 + 1, i % 10, 'x' || i FROM generate_series(0, 999) i");
    const before = await rows(db, 'SELECT id, grp, filler FROM a WHERE id IN (1, 500, 1000) ORDER BY id');
    await db.query('ALTER TABLE a ADD PRIMARY KEY (id)');
    expect(await rows(db, 'SELECT count(*), min(id), max(id), sum(grp) FROM a')).toEqual([['1000', '1', '1000', '4500']]);
    expect(await rows(db, 'SELECT id, grp, filler FROM a WHERE id IN (1, 500, 1000) ORDER BY id')).toEqual(before);
    expect(before).toHaveLength(3);
    // A full scan comes back in key order.
    const ids = (await rows(db, 'SELECT id FROM a')).map((r) => Number(r[0]));
    expect(ids).toEqual([...ids].sort((x, y) => x - y));
    expect((await errorOf(db.query('INSERT INTO a VALUES (5, 0, null)'))).code).toBe('23505');
    await db.query('INSERT INTO a VALUES (1001, 1, null)');
    expect(await rows(db, 'SELECT count(*) FROM a')).toEqual([['1001']]);
    expect(await rows(db, "SELECT conname, contype FROM pg_constraint WHERE conrelid = 'a'::regclass")).toEqual([['a_pkey', 'p']]);
    await db.close();
  });

  it('a duplicate key fails with 23505 "could not create unique index" and leaves the table as it was', async () => {
    const db = await memoryDb();
    await db.query('CREATE TABLE d (id int, v text)');
    await db.query("INSERT INTO d SELECT i, 'v' || i FROM generate_series(1, 300) i");
    await db.query("INSERT INTO d VALUES (137, 'again')");
    const e = await errorOf(db.query('ALTER TABLE d ADD PRIMARY KEY (id)'));
    expect(e.code).toBe('23505');
    expect(e.message).toBe('could not create unique index "d_pkey"');
    expect(e.detail).toBe('Key (id)=(137) is duplicated.');
    expect(await rows(db, 'SELECT count(*), count(DISTINCT id) FROM d')).toEqual([['301', '300']]);
    expect(await rows(db, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'd'::regclass")).toEqual([['0']]);
    await db.query("DELETE FROM d WHERE v = 'again'");
    await db.query('ALTER TABLE d ADD PRIMARY KEY (id)');
    expect(await rows(db, 'SELECT v FROM d WHERE id = 137')).toEqual([['v137']]);
    await db.close();
  });

  it('a NULL key column fails with 23502', async () => {
    const db = await memoryDb();
    await db.query('CREATE TABLE n (id int, v int)');
    await db.query('INSERT INTO n VALUES (1, 1), (null, 2)');
    const e = await errorOf(db.query('ALTER TABLE n ADD PRIMARY KEY (id)'));
    expect(e.code).toBe('23502');
    expect(e.message).toBe('column "id" of relation "n" contains null values');
    await db.close();
  });

  it('over several sorted runs: duplicates across runs are found, and the result equals a one-run build', async () => {
    sortLimits.runEntries = 64;
    const db = await memoryDb();
    await db.query('CREATE TABLE m (a int, b text, c int)');
    await db.query("INSERT INTO m SELECT (i * 37) % 500, 'b' || (i % 13), i FROM generate_series(0, 499) i");
    await db.query('CREATE INDEX m_b ON m (b)');
    await db.query('INSERT INTO m VALUES (250, null, -1)');
    const e = await errorOf(db.query('ALTER TABLE m ADD PRIMARY KEY (a)'));
    expect(e.code).toBe('23505');
    expect(e.detail).toBe('Key (a)=(250) is duplicated.');
    await db.query('DELETE FROM m WHERE c = -1');
    await db.query('ALTER TABLE m ADD CONSTRAINT m_pk PRIMARY KEY (a, b)');
    expect(await rows(db, 'SELECT count(*), sum(c) FROM m')).toEqual([['500', String((499 * 500) / 2)]]);
    // The secondary index moved with the table: its entries point at the new row keys.
    expect(await rows(db, "SELECT count(*), sum(c) FROM m WHERE b = 'b7'")).toEqual(await rows(db, "SELECT count(*), sum(c) FROM m WHERE b || '' = 'b7'"));
    expect(await lookups(db, 'm', 'a', ['0', '37', '499'])).toEqual([['0', '1'], ['37', '1'], ['499', '1']]);
    await db.close();
  });

  it('rolls back with the transaction: the old layout and rows come back', async () => {
    const db = await memoryDb();
    await db.query('CREATE TABLE r (id int, v int)');
    await db.query('INSERT INTO r SELECT i, i FROM generate_series(1, 100) i');
    await db.query('BEGIN');
    await db.query('ALTER TABLE r ADD PRIMARY KEY (id)');
    await db.query('ROLLBACK');
    await db.query('INSERT INTO r VALUES (1, 1)');
    expect(await rows(db, 'SELECT count(*), sum(v) FROM r')).toEqual([['101', '5051']]);
    // Rolled back to a savepoint and then committed: the old key space must not be dropped at the commit.
    await db.query('BEGIN');
    await db.query('ALTER TABLE r ADD COLUMN w int');
    await db.query('SAVEPOINT b');
    const dup = await errorOf(db.query('ALTER TABLE r ADD PRIMARY KEY (id)'));
    expect(dup.code).toBe('23505');
    await db.query('ROLLBACK TO b');
    await db.query('COMMIT');
    expect(await rows(db, 'SELECT count(*), sum(v) FROM r')).toEqual([['101', '5051']]);
    await db.query('BEGIN');
    await db.query('SAVEPOINT c');
    await db.query('DELETE FROM r WHERE id = 1'); // both rows with id 1: the key is unique now
    await db.query('ALTER TABLE r ADD PRIMARY KEY (id)');
    expect(await rows(db, 'SELECT count(*) FROM r')).toEqual([['99']]);
    await db.query('ROLLBACK TO c');
    await db.query('COMMIT');
    expect(await rows(db, 'SELECT count(*), sum(v) FROM r')).toEqual([['101', '5051']]);
    await db.close();
  });
});

describe('ADD PRIMARY KEY: rows written before schema changes, references, restarts', () => {
  it('keeps rows written before ADD COLUMN (missing values) and a dropped column, and serves foreign keys and the column cache', async () => {
    const db = await memoryDb();
    await db.query('CREATE TABLE s (id int, gone text, v int)');
    await db.query("INSERT INTO s SELECT i, 'g' || i, i * 2 FROM generate_series(1, 200) i");
    await db.query("ALTER TABLE s ADD COLUMN extra text DEFAULT 'dflt'");
    await db.query('ALTER TABLE s DROP COLUMN gone');
    await db.query('SELECT sum(v) FROM s'); // warms the column cache over the old key space
    await db.query('ALTER TABLE s ADD PRIMARY KEY (id)');
    expect(await rows(db, 'SELECT id, v, extra FROM s WHERE id = 77')).toEqual([['77', '154', 'dflt']]);
    expect(await rows(db, 'SELECT count(*), sum(v), count(extra) FROM s')).toEqual([['200', '40200', '200']]);
    await db.query('CREATE TABLE child (id int PRIMARY KEY, s_id int REFERENCES s (id))');
    await db.query('INSERT INTO child VALUES (1, 77)');
    expect((await errorOf(db.query('INSERT INTO child VALUES (2, 777)'))).code).toBe('23503');
    await db.query('UPDATE s SET v = 0 WHERE id = 77');
    expect(await rows(db, 'SELECT sum(v) FROM s')).toEqual([['40046']]);
    await db.query('DROP TABLE child');
    await db.query('DROP TABLE s');
    await db.close();
  });

  it('a temporary table, and a file database reopened after it (the new key spaces persist)', async () => {
    const t = tempDir('sb-bulk-');
    try {
      const openDb = (): Promise<Database> => open(t.dir, { platform: node, store: { background: false } });
      let db = await openDb();
      await db.query('CREATE TABLE p (id int, v text)');
      await db.query("INSERT INTO p SELECT i, 'v' || i FROM generate_series(1, 500) i");
      await db.query('CREATE INDEX p_v ON p (v)');
      await db.query('ALTER TABLE p ADD PRIMARY KEY (id)');
      const s = db.session();
      await s.query('CREATE TEMP TABLE tt (id int, v int)');
      await s.query('INSERT INTO tt SELECT i, i FROM generate_series(1, 50) i');
      await s.query('ALTER TABLE tt ADD PRIMARY KEY (id)');
      expect(await rows(s, 'SELECT v FROM tt WHERE id = 42')).toEqual([['42']]);
      await db.close();
      db = await openDb();
      expect(await rows(db, "SELECT id FROM p WHERE v = 'v321'")).toEqual([['321']]);
      expect(await rows(db, 'SELECT count(*), sum(id) FROM p')).toEqual([['500', '125250']]);
      expect((await errorOf(db.query("INSERT INTO p VALUES (10, 'again')"))).code).toBe('23505');
      await db.close();
    } finally {
      t.cleanup();
    }
  });
});

describe('CREATE INDEX / ADD UNIQUE on a populated table', () => {
  /** The index's rows as a query using it sees them, and the same with the index built row by row (created before the rows). */
  async function both(ddl: string, load: string, probe: string): Promise<{ bulk: string[][]; rowByRow: string[][] }> {
    const db = await memoryDb();
    await db.query('CREATE TABLE t (id int PRIMARY KEY, k text, n int)');
    await db.query(load);
    await db.query(ddl);
    const bulk = (await rows(db, probe)) as string[][];
    await db.query('DROP TABLE t');
    await db.query('CREATE TABLE t (id int PRIMARY KEY, k text, n int)');
    await db.query(ddl);
    await db.query(load);
    const rowByRow = (await rows(db, probe)) as string[][];
    await db.close();
    return { bulk, rowByRow };
  }

  it('a bulk-built index answers like one maintained row by row (plain, multi-column, expression, partial, with NULLs, several runs)', async () => {
    sortLimits.runEntries = 50;
    const load = "INSERT INTO t SELECT i, CASE WHEN i % 17 = 0 THEN NULL ELSE 'k' || (i * 31 % 97) END, i % 7 FROM generate_series(1, 400) i";
    for (const [ddl, probe] of [
      ['CREATE INDEX t_k ON t (k)', "SELECT id FROM t WHERE k = 'k42' ORDER BY id"],
      ['CREATE INDEX t_nk ON t (n DESC, k)', "SELECT id FROM t WHERE n = 3 AND k > 'k5' ORDER BY id"],
      ['CREATE INDEX t_lower ON t (lower(k))', "SELECT id FROM t WHERE lower(k) = 'k13' ORDER BY id"],
      ['CREATE INDEX t_part ON t (n) WHERE k IS NULL', 'SELECT id FROM t WHERE n = 2 AND k IS NULL ORDER BY id'],
      ['CREATE UNIQUE INDEX t_u ON t (k, id)', "SELECT id FROM t WHERE k = 'k42' ORDER BY id"],
    ]) {
      const { bulk, rowByRow } = await both(ddl!, load, probe!);
      expect(bulk.length, ddl).toBeGreaterThan(0);
      expect(bulk, ddl).toEqual(rowByRow);
    }
  });

  it('CREATE UNIQUE INDEX over duplicates fails with 23505 and the duplicated key; NULLs are distinct', async () => {
    sortLimits.runEntries = 30;
    const db = await memoryDb();
    await db.query('CREATE TABLE u (id int PRIMARY KEY, k int)');
    await db.query('INSERT INTO u SELECT i, CASE WHEN i % 10 = 0 THEN NULL ELSE i END FROM generate_series(1, 200) i');
    await db.query('CREATE UNIQUE INDEX u_k ON u (k)');
    expect((await errorOf(db.query('INSERT INTO u VALUES (1000, 5)'))).code).toBe('23505');
    await db.query('DROP INDEX u_k');
    await db.query('INSERT INTO u VALUES (1000, 155)');
    const e = await errorOf(db.query('ALTER TABLE u ADD CONSTRAINT u_k_key UNIQUE (k)'));
    expect(e.code).toBe('23505');
    expect(e.message).toBe('could not create unique index "u_k_key"');
    expect(e.detail).toBe('Key (k)=(155) is duplicated.');
    const nd = await errorOf(db.query('CREATE UNIQUE INDEX u_nd ON u (k) NULLS NOT DISTINCT'));
    expect(nd.code).toBe('23505');
    await db.close();
  });
});
