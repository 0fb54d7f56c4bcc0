// ADD PRIMARY KEY on a table whose rows come in key order (pgbench -i's
// pgbench_accounts): rekeyRows writes them straight to the store while the
// keys ascend, and falls back to sorted runs at the first key out of order.
// Duplicates must fail the same way wherever they are (in the streamed part,
// right at the switch, between the two parts, or inside the runs), and the
// result must equal what a sort-only build gives.

import { afterEach, describe, expect, it } from 'vitest';
import { sortLimits } from '../../host/engine/bind/ddl_build.ts';
import { errorOf, memoryDb, rows } from './helpers.ts';

const saved = { ...sortLimits };
afterEach(() => Object.assign(sortLimits, saved));

describe('ADD PRIMARY KEY over rows in key order', () => {
  it('a table loaded in key order: every row, in key order, point lookups, the key enforced after', async () => {
    const db = await memoryDb();
    await db.query('CREATE TABLE acc (aid int, bid int, abalance int, filler char(84))');
    await db.query('INSERT INTO acc SELECT i, (i - 1) / 100 + 1, 0, \'\' FROM generate_series(1, 5000) i');
    await db.query('ALTER TABLE acc ADD PRIMARY KEY (aid)');
    expect(await rows(db, 'SELECT count(*), min(aid), max(aid), sum(bid) FROM acc')).toEqual([['5000', '1', '5000', String(100 * ((50 * 51) / 2))]]);
    const ids = (await rows(db, 'SELECT aid FROM acc')).map((r) => Number(r[0]));
    expect(ids).toEqual(Array.from({ length: 5000 }, (_, i) => i + 1));
    expect(await rows(db, 'SELECT aid, bid FROM acc WHERE aid IN (1, 2500, 5000) ORDER BY aid')).toEqual([['1', '1'], ['2500', '25'], ['5000', '50']]);
    expect((await errorOf(db.query('INSERT INTO acc VALUES (77, 1, 0, null)'))).code).toBe('23505');
    await db.query('INSERT INTO acc VALUES (5001, 1, 0, null)');
    expect(await rows(db, 'SELECT count(*) FROM acc')).toEqual([['5001']]);
    await db.close();
  });

  it.each([
    ['next to each other in the ascending part', [1, 2, 3, 3, 4, 5], 3],
    ['the ascending part, then the same key again later', [10, 20, 30, 40, 5, 20, 50], 20],
    ['both copies after the switch', [1, 2, 9, 4, 7, 4, 8], 4],
    ['the first key again at the very end', [1, 2, 3, 4, 5, 6, 1], 1],
  ])('a duplicate %s fails with 23505 and its key, and leaves the table as it was', async (_name, keys, dupKey) => {
    for (const runEntries of [saved.runEntries, 2]) {
      sortLimits.runEntries = runEntries; // one run, and many tiny ones
      const db = await memoryDb();
      await db.query('CREATE TABLE d (id int, v text)');
      for (const [i, k] of keys.entries()) await db.query(`INSERT INTO d VALUES (${k}, 'v${i}')`);
      const e = await errorOf(db.query('ALTER TABLE d ADD PRIMARY KEY (id)'));
      expect(e.code).toBe('23505');
      expect(e.message).toBe('could not create unique index "d_pkey"');
      expect(e.detail).toBe(`Key (id)=(${dupKey}) is duplicated.`);
      expect(await rows(db, 'SELECT count(*) FROM d')).toEqual([[String(keys.length)]]);
      expect(await rows(db, "SELECT count(*) FROM pg_constraint WHERE conrelid = 'd'::regclass")).toEqual([['0']]);
      // Without the duplicate the build goes through, every row kept once.
      await db.query(`DELETE FROM d WHERE v = 'v${keys.lastIndexOf(dupKey)}'`);
      await db.query('ALTER TABLE d ADD PRIMARY KEY (id)');
      const ids = (await rows(db, 'SELECT id FROM d')).map((r) => Number(r[0]));
      expect(ids).toEqual([...new Set(keys)].sort((a, b) => a - b));
      await db.close();
    }
  });

  it('ascending, then out of order: the same table as a sort-only build', async () => {
    const make = async (): Promise<string[][]> => {
      const db = await memoryDb();
      await db.query('CREATE TABLE m (a int, b text)');
      // 1..300 ascending, then 301..600 in a scrambled order, then 601..700 ascending.
      await db.query("INSERT INTO m SELECT i, 'x' || i FROM generate_series(1, 300) i");
      await db.query("INSERT INTO m SELECT 301 + (i * 7) % 300, 'y' || i FROM generate_series(0, 299) i");
      await db.query("INSERT INTO m SELECT i, 'z' || i FROM generate_series(601, 700) i");
      await db.query('ALTER TABLE m ADD PRIMARY KEY (a)');
      const out = (await rows(db, 'SELECT a, b FROM m')) as string[][];
      expect(await rows(db, "SELECT b FROM m WHERE a = 450")).toEqual([[out[449]![1]]]);
      await db.close();
      return out;
    };
    const got = await make();
    expect(got.map((r) => Number(r[0]))).toEqual(Array.from({ length: 700 }, (_, i) => i + 1));
    expect(got[0]).toEqual(['1', 'x1']);
    expect(got[699]).toEqual(['700', 'z700']);
    sortLimits.runEntries = 16;
    expect(await make()).toEqual(got);
  });
});
