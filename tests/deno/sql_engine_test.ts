// The SQL engine embedded in a Deno program (host/deno.ts), run under real
// Deno by tests/deno/sql_engine.test.ts, or by hand:
//   npx deno task test:sql
// A data folder: CREATE/INSERT/SELECT/UPDATE/DELETE, close, reopen and read
// back, the folder lock, transactions (commit, rollback, db.transaction, a
// failed block), two sessions, ':memory:', statement_timeout and cancel.

import { open, formatRow, SbError, type Database } from '../../host/deno.ts';

// Reached through globalThis so that tsc on Node, which has no Deno types, accepts this file.
// deno-lint-ignore no-explicit-any
const Deno = (globalThis as any).Deno;

function assertEquals(actual: unknown, expected: unknown, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${what}: expected ${e}, got ${a}`);
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SbError) return `${e.code} ${e.message}`;
    throw e;
  }
  return 'no error';
}

// The store's background work (flush, compaction timers) ends with close(); the
// sanitizers would still count a timer that fires after a test, so they are off.
const opts = { sanitizeOps: false, sanitizeResources: false };

Deno.test({ name: 'a data folder: write, close, reopen, read back', ...opts, fn: async () => {
  const dir: string = await Deno.makeTempDir({ prefix: 'sb-deno-sql-' });
  try {
    let db: Database = await open(dir);
    await db.exec(`
      CREATE TABLE item (id int PRIMARY KEY, name text NOT NULL, qty int DEFAULT 0, price numeric(8,2));
      INSERT INTO item (id, name, qty, price) VALUES (1, 'bolt', 10, 0.25), (2, 'nut', 20, 0.1), (3, 'gear', 1, 12.5);
    `);
    await db.query('INSERT INTO item (id, name) VALUES ($1, $2)', [4, 'washer']);
    assertEquals((await db.query("UPDATE item SET qty = qty + 5 WHERE name = 'nut'")).command, 'UPDATE 1', 'update tag');
    assertEquals((await db.query('DELETE FROM item WHERE id = 3')).command, 'DELETE 1', 'delete tag');
    const before = formatRow(await db.query('SELECT id, name, qty, price FROM item ORDER BY id'));
    assertEquals(before, [['1', 'bolt', '10', '0.25'], ['2', 'nut', '25', '0.10'], ['4', 'washer', '0', null]], 'rows before close');

    // The folder is locked while open.
    assertEquals((await codeOf(open(dir))).slice(0, 5), '55006', 'second open of a locked folder');
    await db.close();

    db = await open(dir);
    const after = await db.query('SELECT id, name, qty, price FROM item ORDER BY id');
    assertEquals(formatRow(after), before, 'rows after reopen');
    assertEquals(after.rows.map((r) => r[0]), [1, 2, 4], 'int4 values are numbers');
    assertEquals((await codeOf(db.query("INSERT INTO item (id, name) VALUES (1, 'again')"))).slice(0, 5), '23505', 'primary key after reopen');
    await db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
} });

Deno.test({ name: 'transactions: commit, rollback, db.transaction, failed block, two sessions', ...opts, fn: async () => {
  const dir: string = await Deno.makeTempDir({ prefix: 'sb-deno-sql-' });
  try {
    let db = await open(dir);
    await db.exec('CREATE TABLE acct (id int PRIMARY KEY, bal int NOT NULL); INSERT INTO acct VALUES (1, 100), (2, 100)');
    const s1 = db.session();
    const s2 = db.session();

    await s1.query('BEGIN');
    await s1.query('UPDATE acct SET bal = bal - 40 WHERE id = 1');
    assertEquals((await s2.query('SELECT bal FROM acct WHERE id = 1')).rows, [[100]], 'uncommitted write invisible');
    await s1.query('ROLLBACK');
    assertEquals((await s2.query('SELECT bal FROM acct WHERE id = 1')).rows, [[100]], 'rolled back');

    await s1.query('BEGIN');
    await s1.query('UPDATE acct SET bal = bal - 40 WHERE id = 1');
    await s1.query('UPDATE acct SET bal = bal + 40 WHERE id = 2');
    await s1.query('COMMIT');
    assertEquals((await s2.query('SELECT bal FROM acct ORDER BY id')).rows, [[60], [140]], 'committed');

    const r = await db.transaction(async (s) => {
      await s.query('INSERT INTO acct VALUES (3, 0)');
      return (await s.query('SELECT id FROM acct ORDER BY id')).rows.length;
    });
    assertEquals(r, 3, 'db.transaction result');
    let thrown = '';
    try {
      await db.transaction(async (s) => {
        await s.query('DELETE FROM acct');
        throw new Error('abort');
      });
    } catch (e) {
      thrown = (e as Error).message;
    }
    assertEquals(thrown, 'abort', 'db.transaction rethrows');
    assertEquals((await db.query('SELECT id FROM acct ORDER BY id')).rows, [[1], [2], [3]], 'db.transaction rolled back');

    await s1.query('BEGIN');
    assertEquals(await codeOf(s1.query('SELECT 1/0')), '22012 division by zero', 'error in block');
    assertEquals((await codeOf(s1.query('SELECT 1'))).slice(0, 5), '25P02', 'failed block');
    assertEquals((await s1.query('COMMIT')).command, 'ROLLBACK', 'commit of a failed block');

    await s2.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    await s1.query('BEGIN ISOLATION LEVEL SERIALIZABLE');
    await s2.query('SELECT bal FROM acct WHERE id = 1');
    await s1.query('UPDATE acct SET bal = 0 WHERE id = 1');
    await s1.query('COMMIT');
    assertEquals((await codeOf(s2.query('UPDATE acct SET bal = 1 WHERE id = 1'))).slice(0, 5), '40001', 'serialization failure');
    await s2.query('ROLLBACK');
    await db.close();

    db = await open(dir);
    assertEquals((await db.query('SELECT id, bal FROM acct ORDER BY id')).rows, [[1, 0], [2, 140], [3, 0]], 'after reopen');
    await db.close();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
} });

Deno.test({ name: ':memory:, statement_timeout and cancel', ...opts, fn: async () => {
  const db = await open(':memory:');
  try {
    await db.query('CREATE TABLE big (a int PRIMARY KEY)');
    await db.query('INSERT INTO big VALUES (1),(2),(3),(4),(5),(6),(7),(8)');
    for (let i = 0; i < 10; i++) await db.query(`INSERT INTO big SELECT a + ${8 << i} FROM big`);
    const long = "SELECT a FROM big WHERE md5(repeat(a::text, 5000)) = 'nope'";
    const s = db.session();
    await s.query("SET statement_timeout = '50ms'");
    assertEquals(await codeOf(s.query(long)), '57014 canceling statement due to statement timeout', 'timeout');
    await s.query('SET statement_timeout = 0');
    const running = codeOf(s.query(long));
    setTimeout(() => s.cancel(), 30);
    assertEquals(await running, '57014 canceling statement due to user request', 'cancel');
    assertEquals((await s.query('SELECT a FROM big WHERE a = 8192')).rows, [[8192]], 'usable afterwards');
  } finally {
    await db.close();
  }
} });
