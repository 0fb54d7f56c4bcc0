// Finding the rows that reference a parent key (ON DELETE / ON UPDATE actions
// and NO ACTION checks): through the child's primary key or an index whose
// leading columns are the foreign key's, else by reading the whole table.
// Every access path must find exactly the rows the full read finds.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { memoryDb } from '../sql/helpers.ts';

let db: Database;

beforeEach(async () => {
  db = await memoryDb();
  await db.exec(`CREATE TABLE p (id int PRIMARY KEY, k text UNIQUE)`);
  await db.exec(`INSERT INTO p SELECT g, 'k' || g FROM generate_series(1, 20) g`);
});

afterEach(async () => {
  await db.close();
});

// Child tables: the same foreign key, reached through different access paths.
const SHAPES: Array<[string, string[]]> = [
  ['no index', ['CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p (id) ON DELETE CASCADE ON UPDATE CASCADE, note text)']],
  ['an index on the key', ['CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p (id) ON DELETE CASCADE ON UPDATE CASCADE, note text)', 'CREATE INDEX c_pid ON c (pid)']],
  ['an index led by the key', ['CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p (id) ON DELETE CASCADE ON UPDATE CASCADE, note text)', 'CREATE INDEX c_pid_note ON c (pid, note)']],
  ['an index not led by the key', ['CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p (id) ON DELETE CASCADE ON UPDATE CASCADE, note text)', 'CREATE INDEX c_note_pid ON c (note, pid)']],
  ['a primary key led by the key', ['CREATE TABLE c (pid int REFERENCES p (id) ON DELETE CASCADE ON UPDATE CASCADE, id int, note text, PRIMARY KEY (pid, id))']],
  ['a partial index on the key', ['CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p (id) ON DELETE CASCADE ON UPDATE CASCADE, note text)', `CREATE INDEX c_pid_part ON c (pid) WHERE note <> 'x'`]],
  ['a bigint child column', ['CREATE TABLE c (id int PRIMARY KEY, pid bigint REFERENCES p (id) ON DELETE CASCADE ON UPDATE CASCADE, note text)', 'CREATE INDEX c_pid ON c (pid)']],
];

async function fill(): Promise<void> {
  // Parent i has (i % 4) children; ids interleave so neighbouring keys share index pages.
  await db.exec(`INSERT INTO c (id, pid, note) SELECT g * 10 + j, g, CASE WHEN j = 1 THEN 'x' ELSE 'n' || j END FROM generate_series(1, 20) g, generate_series(1, 3) j WHERE j <= g % 4`);
}

async function rows(): Promise<unknown[][]> {
  return (await db.query(`SELECT pid, id FROM c ORDER BY pid, id`)).rows;
}

describe('rows referencing a parent key', () => {
  for (const [name, ddl] of SHAPES) {
    it(`are all found through ${name}`, async () => {
      for (const sql of ddl) await db.exec(sql);
      await fill();
      const before = await rows();
      // CASCADE delete: exactly parent 3's rows go (3 % 4 = 3 rows).
      await db.exec(`DELETE FROM p WHERE id = 3`);
      expect(await rows()).toEqual(before.filter((r) => r[0] !== 3));
      // CASCADE key update: parent 7's rows follow it to 107.
      await db.exec(`UPDATE p SET id = 107 WHERE id = 7`);
      const moved = (await rows()).filter((r) => r[0] === 107).map((r) => r[1]);
      expect(moved).toEqual(before.filter((r) => r[0] === 7).map((r) => r[1]));
      expect((await rows()).some((r) => r[0] === 7)).toBe(false);
      // Neighbours untouched.
      expect((await rows()).filter((r) => r[0] === 6 || r[0] === 8)).toEqual(before.filter((r) => r[0] === 6 || r[0] === 8));
    });
  }

  it('NO ACTION finds a referencing row through an index, and lets an unreferenced key go', async () => {
    await db.exec(`CREATE TABLE c (id int PRIMARY KEY, pid int REFERENCES p (id))`);
    await db.exec(`CREATE INDEX c_pid ON c (pid)`);
    await db.exec(`INSERT INTO c VALUES (1, 5), (2, 6)`);
    await expect(db.exec(`DELETE FROM p WHERE id = 5`)).rejects.toMatchObject({ code: '23503' });
    await db.exec(`DELETE FROM p WHERE id = 4`);
    await db.exec(`DELETE FROM c WHERE pid = 5`);
    await db.exec(`DELETE FROM p WHERE id = 5`);
    expect((await db.query(`SELECT id FROM p WHERE id IN (4, 5, 6) ORDER BY id`)).rows).toEqual([[6]]);
  });

  it('a reference to a UNIQUE text column is found through the child index (SET NULL)', async () => {
    await db.exec(`CREATE TABLE c (id int PRIMARY KEY, pk text REFERENCES p (k) ON DELETE SET NULL)`);
    await db.exec(`CREATE INDEX c_pk ON c (pk)`);
    await db.exec(`INSERT INTO c VALUES (1, 'k2'), (2, 'k2'), (3, 'k20'), (4, 'k1')`);
    await db.exec(`DELETE FROM p WHERE k = 'k2'`);
    expect((await db.query(`SELECT id, pk FROM c ORDER BY id`)).rows).toEqual([[1, null], [2, null], [3, 'k20'], [4, 'k1']]);
  });

  it('a composite key is found through a composite index in the other column order', async () => {
    await db.exec(`CREATE TABLE pp (a int, b text, PRIMARY KEY (a, b))`);
    await db.exec(`INSERT INTO pp VALUES (1, 'x'), (1, 'y'), (2, 'x')`);
    await db.exec(`CREATE TABLE c (id int PRIMARY KEY, b text, a int, FOREIGN KEY (a, b) REFERENCES pp (a, b) ON DELETE CASCADE)`);
    await db.exec(`CREATE INDEX c_ba ON c (b, a)`);
    await db.exec(`INSERT INTO c VALUES (1, 'x', 1), (2, 'y', 1), (3, 'x', 2), (4, 'x', 1)`);
    await db.exec(`DELETE FROM pp WHERE a = 1 AND b = 'x'`);
    expect((await db.query(`SELECT id FROM c ORDER BY id`)).rows).toEqual([[2], [3]]);
  });
});
