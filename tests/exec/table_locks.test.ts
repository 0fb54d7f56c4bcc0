// Table locks in PostgreSQL's eight modes (store/table_locks.ts): LOCK TABLE,
// and the locks statements take implicitly (ACCESS SHARE to read, ROW SHARE
// for FOR UPDATE / FOR SHARE, ROW EXCLUSIVE to modify, SHARE for CREATE
// INDEX, ACCESS EXCLUSIVE for ALTER / TRUNCATE / DROP). Before, LOCK TABLE
// was accepted and locked nothing, and TRUNCATE did not wait for a
// transaction that had read the table. tests/wire/pg/row_locks_vs_pg.test.ts
// checks the same behaviour against PostgreSQL 15.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { beginOn, memoryDb, outcome, settle } from '../sql/helpers.ts';
import { tableLockTables } from '../../host/engine/session/lock_table.ts';

let db: Database;

beforeEach(async () => {
  db = await memoryDb();
  await db.exec(`CREATE TABLE t (id int PRIMARY KEY, v text)`);
  await db.exec(`INSERT INTO t VALUES (1, 'a'), (2, 'b')`);
});

afterEach(async () => {
  expect(db.store.keyLocks.size).toBe(0);
  await db.close();
});

const MODES = ['ACCESS SHARE', 'ROW SHARE', 'ROW EXCLUSIVE', 'SHARE UPDATE EXCLUSIVE', 'SHARE', 'SHARE ROW EXCLUSIVE', 'EXCLUSIVE', 'ACCESS EXCLUSIVE'];

// PostgreSQL's documented table ("Conflicting Lock Modes"), one row per
// requested mode in the order above: X where it conflicts with the held one.
const CONFLICT_TABLE = [
  '.......X',
  '......XX',
  '....XXXX',
  '...XXXXX',
  '..XX.XXX',
  '..XXXXXX',
  '.XXXXXXX',
  'XXXXXXXX',
];

describe('LOCK TABLE', () => {
  it('every pair of modes conflicts as in PostgreSQL (NOWAIT: 55P03)', async () => {
    for (let held = 0; held < 8; held++) {
      const a = await beginOn(db);
      await a.query(`LOCK TABLE t IN ${MODES[held]} MODE`);
      for (let req = 0; req < 8; req++) {
        const b = await beginOn(db);
        const got = await outcome(b.query(`LOCK TABLE t IN ${MODES[req]} MODE NOWAIT`)).done;
        expect([MODES[held], MODES[req], got]).toEqual([MODES[held], MODES[req], CONFLICT_TABLE[req]![held] === 'X' ? '55P03' : 'ok']);
        await b.query(`ROLLBACK`);
      }
      await a.query(`COMMIT`);
    }
  });

  it('ACCESS EXCLUSIVE (the default) holds off readers until the end; they then see what it committed', async () => {
    const a = await beginOn(db);
    await a.query(`LOCK TABLE t`);
    await a.query(`INSERT INTO t VALUES (3, 'c')`);
    const r = db.session();
    const read = r.query(`SELECT count(*) FROM t`);
    const o = outcome(read);
    await settle();
    expect(o.state).toBe('pending');
    await a.query(`COMMIT`);
    expect((await read).rows).toEqual([[3]]);
  });

  it('SHARE lets readers and other SHARE holders in and holds off writers', async () => {
    const a = await beginOn(db);
    await a.query(`LOCK TABLE t IN SHARE MODE`);
    expect((await db.query(`SELECT count(*) FROM t`)).rows).toEqual([[2]]);
    const b = await beginOn(db);
    await b.query(`LOCK TABLE t IN SHARE MODE`);
    const w = outcome(db.session().query(`UPDATE t SET v = 'x' WHERE id = 1`));
    await settle();
    expect(w.state).toBe('pending');
    await a.query(`COMMIT`);
    await settle();
    expect(w.state).toBe('pending');
    await b.query(`COMMIT`);
    expect(await w.done).toBe('ok');
  });

  it('EXCLUSIVE lets plain reads in and holds off SELECT ... FOR UPDATE', async () => {
    const a = await beginOn(db);
    await a.query(`LOCK TABLE t IN EXCLUSIVE MODE`);
    expect((await db.query(`SELECT v FROM t WHERE id = 1`)).rows).toEqual([['a']]);
    const f = outcome(db.session().query(`SELECT v FROM t WHERE id = 1 FOR UPDATE`));
    await settle();
    expect(f.state).toBe('pending');
    await a.query(`ROLLBACK`);
    expect(await f.done).toBe('ok');
  });

  it('is refused outside a block (25P01), on a missing table (42P01), on a sequence (42809)', async () => {
    expect(await outcome(db.query(`LOCK TABLE t`)).done).toBe('25P01');
    await db.exec(`CREATE SEQUENCE sq`);
    for (const [sql, code] of [[`LOCK TABLE nope`, '42P01'], [`LOCK TABLE sq`, '42809']] as const) {
      const s = await beginOn(db);
      expect(await outcome(s.query(sql)).done).toBe(code);
      await s.query(`ROLLBACK`);
    }
  });

  it('on a view locks the tables its query uses, through nested views', async () => {
    await db.exec(`CREATE TABLE u (id int PRIMARY KEY)`);
    await db.exec(`CREATE VIEW tv AS SELECT t.id, t.v FROM t JOIN u ON u.id = t.id`);
    await db.exec(`CREATE VIEW tv2 AS SELECT * FROM tv`);
    const a = await beginOn(db);
    await a.query(`LOCK TABLE tv2 IN EXCLUSIVE MODE`);
    const w1 = outcome(db.session().query(`UPDATE t SET v = 'x' WHERE id = 1`));
    const w2 = outcome(db.session().query(`INSERT INTO u VALUES (1)`));
    await settle();
    expect([w1.state, w2.state]).toEqual(['pending', 'pending']);
    expect((await db.query(`SELECT count(*) FROM t`)).rows).toEqual([[2]]);
    await a.query(`COMMIT`);
    expect([await w1.done, await w2.done]).toEqual(['ok', 'ok']);
  });

  it('needs a privilege on the table (42501)', async () => {
    await db.exec(`CREATE ROLE reader LOGIN PASSWORD 'x'`);
    await db.exec(`GRANT SELECT ON t TO reader`);
    const s = db.session({ user: 'reader' });
    await s.query(`BEGIN`);
    await s.query(`LOCK TABLE t IN ACCESS SHARE MODE`);
    expect(await outcome(s.query(`LOCK TABLE t IN EXCLUSIVE MODE`)).done).toBe('42501');
    await s.query(`ROLLBACK`);
  });

  it('a cancel ends the wait (57014) and withdraws the request: a reader queued behind it goes ahead', async () => {
    const a = await beginOn(db);
    await a.query(`SELECT * FROM t`);
    const s = await beginOn(db);
    const lock = outcome(s.query(`LOCK TABLE t`));
    await settle();
    expect(lock.state).toBe('pending');
    s.cancel();
    expect(await lock.done).toBe('57014');
    await s.query(`ROLLBACK`);
    expect((await db.query(`SELECT count(*) FROM t`)).rows).toEqual([[2]]);
    await a.query(`COMMIT`);
  });

  it('lock_timeout ends the wait with 55P03', async () => {
    const a = await beginOn(db);
    await a.query(`LOCK TABLE t`);
    const s = db.session();
    await s.query(`SET lock_timeout = 50`);
    expect(await outcome(s.query(`SELECT * FROM t`)).done).toBe('55P03');
    await a.query(`COMMIT`);
  });

  it('as the first statement of a REPEATABLE READ block, the snapshot is taken after the wait', async () => {
    const w = await beginOn(db);
    await w.query(`INSERT INTO t VALUES (3, 'c')`);
    const r = await beginOn(db, 'REPEATABLE READ');
    const lock = outcome(r.query(`LOCK TABLE t IN SHARE MODE`));
    await settle();
    expect(lock.state).toBe('pending');
    await w.query(`COMMIT`);
    expect(await lock.done).toBe('ok');
    expect((await r.query(`SELECT count(*) FROM t`)).rows).toEqual([[3]]);
    await r.query(`COMMIT`);
  });
});

describe('implicit table locks', () => {
  it('TRUNCATE waits for a transaction that has read the table', async () => {
    const a = await beginOn(db);
    await a.query(`SELECT * FROM t WHERE id = 1`);
    const tr = outcome(db.session().query(`TRUNCATE t`));
    await settle();
    expect(tr.state).toBe('pending');
    expect((await a.query(`SELECT count(*) FROM t`)).rows).toEqual([[2]]);
    await a.query(`COMMIT`);
    expect(await tr.done).toBe('ok');
    expect((await db.query(`SELECT count(*) FROM t`)).rows).toEqual([[0]]);
  });

  it('a waiting ACCESS EXCLUSIVE request queues later readers behind it', async () => {
    const a = await beginOn(db);
    await a.query(`SELECT * FROM t`);
    const alter = outcome(db.session().query(`ALTER TABLE t ADD COLUMN n int DEFAULT 7`));
    await settle();
    expect(alter.state).toBe('pending');
    const read = db.session().query(`SELECT * FROM t WHERE id = 1`);
    const r = outcome(read);
    await settle();
    expect(r.state).toBe('pending');
    // The transaction already holding a lock is not queued behind the ALTER (that would be a deadlock).
    expect((await a.query(`SELECT count(*) FROM t`)).rows).toEqual([[2]]);
    await a.query(`COMMIT`);
    expect(await alter.done).toBe('ok');
    // The reader waited for the ALTER, and was planned again against the new definition.
    expect((await read).rows).toEqual([[1, 'a', 7]]);
  });

  it('two readers that both ask for ACCESS EXCLUSIVE deadlock: one gets 40P01', async () => {
    const a = await beginOn(db);
    const b = await beginOn(db);
    await a.query(`SELECT * FROM t`);
    await b.query(`SELECT * FROM t`);
    const la = outcome(a.query(`LOCK TABLE t`));
    await settle();
    const lb = outcome(b.query(`LOCK TABLE t`));
    const results = await Promise.all([la.done, lb.done].map((p, i) => p.then(async (code) => {
      await (i === 0 ? a : b).query(code === 'ok' ? 'COMMIT' : 'ROLLBACK');
      return code;
    })));
    expect(results.sort()).toEqual(['40P01', 'ok']);
  });

  it('CREATE INDEX (SHARE) waits for writers but not readers; readers are not held up by it', async () => {
    const r = await beginOn(db);
    await r.query(`SELECT * FROM t`);
    await db.exec(`CREATE INDEX t_v ON t (v)`);
    await r.query(`COMMIT`);
    const w = await beginOn(db);
    await w.query(`INSERT INTO t VALUES (3, 'c')`);
    const ci = outcome(db.session().query(`CREATE INDEX t_v2 ON t (v, id)`));
    await settle();
    expect(ci.state).toBe('pending');
    await w.query(`COMMIT`);
    expect(await ci.done).toBe('ok');
  });

  it('two CREATE INDEX on one table run at once (SHARE does not conflict with SHARE) and both indexes work', async () => {
    await db.exec(`CREATE TABLE w (id int PRIMARY KEY, a int, b int)`);
    await db.exec(`INSERT INTO w SELECT g, g, g + 1000 FROM generate_series(1, 100) g`);
    const x = await beginOn(db);
    const y = await beginOn(db);
    await x.query(`CREATE INDEX w_a ON w (a)`);
    expect(await outcome(y.query(`CREATE INDEX w_b ON w (b)`)).done).toBe('ok');
    await x.query(`COMMIT`);
    await y.query(`COMMIT`);
    expect((await db.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'w' ORDER BY 1`)).rows).toEqual([['w_a'], ['w_b'], ['w_pkey']]);
    for (const [col, index] of [['a', 'w_a'], ['b', 'w_b']]) {
      expect((await db.query(`EXPLAIN SELECT id FROM w WHERE ${col} = ${col === 'a' ? 7 : 1007}`)).rows.map(String).join('\n')).toContain(index);
      expect((await db.query(`SELECT id FROM w WHERE ${col} = ${col === 'a' ? 7 : 1007}`)).rows).toEqual([[7]]);
    }
  });

  it('pg_locks lists table locks held and waited for, with PostgreSQL mode names', async () => {
    const a = await beginOn(db);
    await a.query(`LOCK TABLE t IN SHARE MODE`);
    const b = await beginOn(db);
    await b.query(`SELECT * FROM t`);
    const w = outcome(db.session().query(`DELETE FROM t WHERE id = 2`));
    await settle();
    const rows = (await db.query(`SELECT mode, granted FROM pg_locks WHERE locktype = 'relation' AND relation = 't'::regclass ORDER BY granted, mode`)).rows;
    expect(rows).toEqual([['RowExclusiveLock', false], ['AccessShareLock', true], ['ShareLock', true]]);
    await a.query(`COMMIT`);
    await b.query(`COMMIT`);
    expect(await w.done).toBe('ok');
  });

  it('a closed database leaves the registry pg_locks reads', async () => {
    const count = (): number => [...tableLockTables()].length;
    const before = count();
    const other = await memoryDb();
    other.session();
    expect(count()).toBe(before + 1);
    await other.close();
    expect(count()).toBe(before);
  });
});
