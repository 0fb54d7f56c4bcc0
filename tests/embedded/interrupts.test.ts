// statement_timeout, lock_timeout and cancellation (session.cancel()) through
// the embedded API: a long scan, a correlated subquery and a lock wait are all
// interrupted with 57014 (55P03 for lock_timeout), and the session stays usable.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, SbError, type Database, type Session } from '../../host/node.ts';

const TIMEOUT_MSG = 'canceling statement due to statement timeout';
const CANCEL_MSG = 'canceling statement due to user request';
// About 190 µs of work per row over 8,192 rows (~1.5 s on this machine): a full
// run would return rows, so an error proves the statement was stopped.
const LONG_SCAN = "SELECT a FROM big WHERE md5(repeat(a::text, 5000)) = 'nope'";
// A correlated subquery whose work happens inside one expression evaluation.
const LONG_SUBQUERY = "SELECT a FROM big x WHERE EXISTS (SELECT 1 FROM big y WHERE md5((y.a + x.a)::text) = 'nope')";

async function errorOf(p: Promise<unknown>): Promise<SbError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SbError) return e;
    throw e;
  }
  throw new Error('expected an error, the statement succeeded');
}

/** Cancels `s` after `ms`, or (as a last resort so a broken timeout cannot hang the suite) never twice. */
function cancelAfter(s: Session, ms: number): () => void {
  const h = setTimeout(() => s.cancel(), ms);
  return () => clearTimeout(h);
}

let db: Database;
beforeAll(async () => {
  db = await open(':memory:');
  await db.query('CREATE TABLE big (a int PRIMARY KEY, b text)');
  await db.query("INSERT INTO big VALUES (1,'x'),(2,'x'),(3,'x'),(4,'x'),(5,'x'),(6,'x'),(7,'x'),(8,'x')");
  for (let i = 0; i < 10; i++) await db.query(`INSERT INTO big SELECT a + ${8 << i}, b FROM big`);
  await db.query('CREATE TABLE acct (id int PRIMARY KEY, bal int)');
  await db.query('INSERT INTO acct VALUES (1, 100), (2, 200)');
});
afterAll(() => db.close());

describe('statement_timeout', () => {
  it('stops a long scan with 57014 and leaves the session usable', async () => {
    const s = db.session();
    await s.query("SET statement_timeout = '50ms'");
    expect((await s.query('SHOW statement_timeout')).rows).toEqual([['50ms']]);
    const backstop = cancelAfter(s, 20_000); // a broken timeout fails with the other message instead of hanging
    const e = await errorOf(s.query(LONG_SCAN));
    backstop();
    expect(e.code).toBe('57014');
    expect(e.message).toBe(TIMEOUT_MSG);
    expect((await s.query('SELECT a FROM big WHERE a <= 2 ORDER BY a')).rows).toEqual([[1], [2]]);
    await s.close();
  });

  it('stops a correlated subquery that runs inside one expression', async () => {
    const s = db.session({ settings: { statement_timeout: '50' } });
    const backstop = cancelAfter(s, 20_000);
    const e = await errorOf(s.query(LONG_SUBQUERY));
    backstop();
    expect(e.code).toBe('57014');
    expect(e.message).toBe(TIMEOUT_MSG);
    expect((await s.query('SELECT 1')).rows).toEqual([[1]]);
    await s.close();
  });

  it('in a transaction block, the timed-out statement aborts the block until ROLLBACK', async () => {
    const s = db.session();
    await s.query('BEGIN');
    await s.query('UPDATE acct SET bal = 0 WHERE id = 1');
    await s.query("SET LOCAL statement_timeout = '40ms'");
    expect((await errorOf(s.query(LONG_SCAN))).message).toBe(TIMEOUT_MSG);
    expect((await errorOf(s.query('SELECT 1'))).code).toBe('25P02');
    await s.query('ROLLBACK');
    expect((await s.query('SELECT bal FROM acct WHERE id = 1')).rows).toEqual([[100]]);
    expect((await s.query('SHOW statement_timeout')).rows).toEqual([['0']]);
    await s.close();
  });

  it('0 turns it off and a short statement is unaffected by a short timeout', async () => {
    const s = db.session();
    await s.query("SET statement_timeout = '1s'");
    expect((await s.query('SELECT a FROM big WHERE a = 4096')).rows).toEqual([[4096]]);
    await s.query('SET statement_timeout = 0');
    expect((await s.query('SHOW statement_timeout')).rows).toEqual([['0']]);
    await s.close();
  });
});

describe('cancel', () => {
  it('session.cancel() from another async task stops a running statement with 57014', async () => {
    const s = db.session();
    const started = performance.now();
    const running = errorOf(s.query(LONG_SCAN));
    setTimeout(() => s.cancel(), 30);
    const e = await running;
    expect(e.code).toBe('57014');
    expect(e.message).toBe(CANCEL_MSG);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
    // Usable afterwards, and the cancel does not leak into the next statement.
    expect((await s.query('SELECT a FROM big WHERE a = 7')).rows).toEqual([[7]]);
    await s.close();
  });

  it('a cancel with nothing running does nothing', async () => {
    const s = db.session();
    s.cancel();
    expect((await s.query('SELECT a FROM big WHERE a = 9')).rows).toEqual([[9]]);
    await s.close();
  });

  it('cancels only its own session: others keep running', async () => {
    const s1 = db.session();
    const s2 = db.session();
    const a = errorOf(s1.query(LONG_SCAN));
    const b = s2.query("SELECT a FROM big WHERE md5(a::text) = md5('77')");
    setTimeout(() => s1.cancel(), 20);
    expect((await a).message).toBe(CANCEL_MSG);
    expect((await b).rows).toEqual([[77]]);
    await s1.close();
    await s2.close();
  });
});

describe('lock waits', () => {
  it('a wait for a row lock ends at statement_timeout, by cancel, and at lock_timeout', async () => {
    const holder = db.session();
    const waiter = db.session();
    await holder.query('BEGIN');
    await holder.query('UPDATE acct SET bal = bal + 1 WHERE id = 2');

    await waiter.query("SET statement_timeout = '60ms'");
    let e = await errorOf(waiter.query('UPDATE acct SET bal = 0 WHERE id = 2'));
    expect([e.code, e.message]).toEqual(['57014', TIMEOUT_MSG]);
    await waiter.query('SET statement_timeout = 0');

    const waiting = errorOf(waiter.query('UPDATE acct SET bal = 0 WHERE id = 2'));
    setTimeout(() => waiter.cancel(), 40);
    e = await waiting;
    expect([e.code, e.message]).toEqual(['57014', CANCEL_MSG]);

    await waiter.query("SET lock_timeout = '50ms'");
    e = await errorOf(waiter.query('UPDATE acct SET bal = 0 WHERE id = 2'));
    expect([e.code, e.message]).toEqual(['55P03', 'canceling statement due to lock timeout']);
    await waiter.query('SET lock_timeout = 0');

    // The holder was never disturbed; once it commits, the waiter's update goes through.
    await holder.query('COMMIT');
    expect((await waiter.query('UPDATE acct SET bal = bal * 2 WHERE id = 2')).rowCount).toBe(1);
    expect((await db.query('SELECT bal FROM acct WHERE id = 2')).rows).toEqual([[402]]);
    await holder.close();
    await waiter.close();
  });

  it('a cancelled wait inside a transaction block aborts the block; ROLLBACK releases its locks', async () => {
    const holder = db.session();
    const waiter = db.session();
    await holder.query('BEGIN');
    await holder.query('UPDATE acct SET bal = bal WHERE id = 1');
    await waiter.query('BEGIN');
    await waiter.query('UPDATE acct SET bal = bal WHERE id = 2'); // a lock of its own
    const waiting = errorOf(waiter.query('UPDATE acct SET bal = 0 WHERE id = 1'));
    setTimeout(() => waiter.cancel(), 30);
    expect((await waiting).message).toBe(CANCEL_MSG);
    expect(waiter.transactionStatus).toBe('E');
    await waiter.query('ROLLBACK');
    // Row 2 is free again for the holder (no wait, so no timeout).
    await holder.query("SET LOCAL lock_timeout = '500ms'");
    expect((await holder.query('UPDATE acct SET bal = bal + 0 WHERE id = 2')).rowCount).toBe(1);
    await holder.query('COMMIT');
    await holder.close();
    await waiter.close();
  });
});
