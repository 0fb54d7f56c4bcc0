// Concurrent foreign-key checks, row lock modes, writers meeting writers,
// DDL meeting DML, and advisory locks, through the wire with node-postgres, against ScratchBird
// and against PostgreSQL 15: each scenario
// runs the same statements on two or three connections, and for every
// statement records whether it went ahead, waited, or failed (and with which
// SQLSTATE). ScratchBird must record what PostgreSQL records.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pg from 'pg';
import { findPgBin } from '../../functions/pg_server.ts';
import { PASSWORD, realPostgres, startTestServer, type TestServer } from './server_helper.ts';

const HAVE_PG = findPgBin() !== undefined;
if (!HAVE_PG && process.env.CI === 'true') throw new Error('PostgreSQL 15 is required in CI (install postgresql-15)');
if (!HAVE_PG) console.warn('row lock differential check skipped: PostgreSQL 15 binaries (initdb, pg_ctl, psql) not found');

/**
 * A step: connection, SQL. A statement that pg_stat_activity shows waiting
 * on a lock (wait_event_type 'Lock') before it finishes is recorded as
 * 'waits' and settles later; one that is merely slow (a COMMIT's disk write
 * on a loaded machine) is waited for.
 */
type Step = [conn: 'a' | 'b' | 'c', sql: string];
/** How often a running statement's wait event is looked at. */
const POLL_MS = 5;

const SETUP = [
  'DROP TABLE IF EXISTS child, item, tag, late, parent, t CASCADE',
  'CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE, name text)',
  'CREATE TABLE child (id int PRIMARY KEY, pid int REFERENCES parent (id))',
  'CREATE TABLE item (id int PRIMARY KEY, pid int REFERENCES parent (id) ON DELETE CASCADE)',
  'CREATE TABLE tag (id int PRIMARY KEY, code text REFERENCES parent (code))',
  'CREATE TABLE late (id int PRIMARY KEY, pid int REFERENCES parent (id) DEFERRABLE INITIALLY DEFERRED)',
  `INSERT INTO parent VALUES (1, 'a', 'one'), (2, 'b', 'two'), (3, 'c', 'three')`,
  'CREATE TABLE t (id int PRIMARY KEY, v text, n int)',
  `INSERT INTO t VALUES (1, 'a', 0), (2, 'b', 0)`,
];

const RR = 'BEGIN ISOLATION LEVEL REPEATABLE READ';
const SCENARIOS: Array<[string, Step[]]> = [
  ['parent delete against an uncommitted child insert, committed', [['a', 'BEGIN'], ['a', 'INSERT INTO child VALUES (10, 1)'], ['b', 'DELETE FROM parent WHERE id = 1'], ['a', 'COMMIT']]],
  ['parent delete against an uncommitted child insert, rolled back', [['a', 'BEGIN'], ['a', 'INSERT INTO child VALUES (10, 1)'], ['b', 'DELETE FROM parent WHERE id = 1'], ['a', 'ROLLBACK']]],
  ['child insert against an uncommitted parent delete, committed', [['a', 'BEGIN'], ['a', 'DELETE FROM parent WHERE id = 2'], ['b', 'INSERT INTO child VALUES (20, 2)'], ['a', 'COMMIT']]],
  ['child insert against an uncommitted parent delete, rolled back', [['a', 'BEGIN'], ['a', 'DELETE FROM parent WHERE id = 2'], ['b', 'INSERT INTO child VALUES (20, 2)'], ['a', 'ROLLBACK']]],
  ['child inserts and a non-key parent update', [['a', 'BEGIN'], ['a', 'INSERT INTO child VALUES (10, 1)'], ['b', 'BEGIN'], ['b', 'INSERT INTO child VALUES (11, 1)'], ['c', `UPDATE parent SET name = 'uno' WHERE id = 1`], ['a', 'COMMIT'], ['b', 'COMMIT']]],
  ['a referenced key update against a child insert', [['a', 'BEGIN'], ['a', 'INSERT INTO child VALUES (10, 1)'], ['b', 'UPDATE parent SET id = 100 WHERE id = 1'], ['a', 'COMMIT']]],
  ['a referenced UNIQUE key update against a child insert', [['a', 'BEGIN'], ['a', `INSERT INTO tag VALUES (1, 'c')`], ['b', `UPDATE parent SET code = 'z' WHERE id = 3`], ['a', 'COMMIT']]],
  ['ON DELETE CASCADE against a child insert', [['a', 'BEGIN'], ['a', 'INSERT INTO item VALUES (2, 1)'], ['b', 'DELETE FROM parent WHERE id = 1'], ['a', 'COMMIT'], ['b', 'SELECT count(*) FROM item']]],
  ['a deferred check at COMMIT against a parent delete', [['a', 'BEGIN'], ['a', 'INSERT INTO late VALUES (1, 2)'], ['b', 'BEGIN'], ['b', 'DELETE FROM parent WHERE id = 2'], ['a', 'COMMIT'], ['b', 'COMMIT']]],
  ['REPEATABLE READ: NO ACTION meets a child committed after the snapshot', [['a', RR], ['a', 'SELECT count(*) FROM child'], ['c', 'INSERT INTO child VALUES (10, 1)'], ['a', 'DELETE FROM parent WHERE id = 1'], ['a', 'ROLLBACK']]],
  ['REPEATABLE READ: CASCADE meets a child committed after the snapshot', [['a', RR], ['a', 'SELECT count(*) FROM item'], ['c', 'INSERT INTO item VALUES (1, 2)'], ['a', 'DELETE FROM parent WHERE id = 2'], ['a', 'ROLLBACK']]],
  ['REPEATABLE READ: a child of a parent deleted after the snapshot', [['a', RR], ['a', 'SELECT count(*) FROM parent'], ['c', 'DELETE FROM parent WHERE id = 2'], ['a', 'INSERT INTO child VALUES (20, 2)'], ['a', 'ROLLBACK']]],
  ['REPEATABLE READ: a child insert waits for a parent delete', [['b', 'BEGIN'], ['b', 'DELETE FROM parent WHERE id = 3'], ['a', RR], ['a', 'INSERT INTO child VALUES (30, 3)'], ['b', 'COMMIT'], ['a', 'ROLLBACK']]],
  ['REPEATABLE READ: FOR SHARE of a row changed after the snapshot', [['a', RR], ['a', 'SELECT count(*) FROM t'], ['c', 'UPDATE t SET n = 9 WHERE id = 1'], ['a', 'SELECT id FROM t WHERE id = 1 FOR SHARE'], ['a', 'ROLLBACK']]],
  ['FOR SHARE NOWAIT on a row being updated, then SKIP LOCKED', [['a', 'BEGIN'], ['a', 'UPDATE t SET n = 1 WHERE id = 1'], ['b', 'BEGIN'], ['b', 'SELECT id FROM t WHERE id = 1 FOR SHARE NOWAIT'], ['b', 'ROLLBACK'], ['b', 'SELECT id FROM t ORDER BY id FOR SHARE SKIP LOCKED'], ['a', 'COMMIT']]],
];

// Writers meeting writers (READ COMMITTED re-checks the newest version; REPEATABLE READ and SERIALIZABLE fail).
const SER = 'BEGIN ISOLATION LEVEL SERIALIZABLE';
SCENARIOS.push(
  ['two increments of one row', [['a', 'BEGIN'], ['a', 'UPDATE t SET n = n + 1 WHERE id = 1'], ['b', 'UPDATE t SET n = n + 1 WHERE id = 1'], ['a', 'COMMIT'], ['b', 'SELECT n FROM t WHERE id = 1']]],
  ['an UPDATE whose WHERE no longer holds after the wait', [['a', 'BEGIN'], ['a', 'UPDATE t SET n = 5 WHERE id = 1'], ['b', 'UPDATE t SET v = \'x\' WHERE id = 1 AND n = 0'], ['a', 'COMMIT'], ['b', 'SELECT v, n FROM t WHERE id = 1']]],
  ['a DELETE waits for an UPDATE, then deletes', [['a', 'BEGIN'], ['a', 'UPDATE t SET n = 5 WHERE id = 1'], ['b', 'DELETE FROM t WHERE id = 1'], ['a', 'COMMIT'], ['b', 'SELECT count(*) FROM t']]],
  ['an UPDATE waits for a DELETE, then finds nothing', [['a', 'BEGIN'], ['a', 'DELETE FROM t WHERE id = 2'], ['b', 'UPDATE t SET n = 7 WHERE id = 2'], ['a', 'COMMIT']]],
  ['a duplicate INSERT waits for the first, committed', [['a', 'BEGIN'], ['a', 'INSERT INTO t VALUES (5, \'e\', 0)'], ['b', 'INSERT INTO t VALUES (5, \'f\', 0)'], ['a', 'COMMIT']]],
  ['a duplicate INSERT waits for the first, rolled back', [['a', 'BEGIN'], ['a', 'INSERT INTO t VALUES (5, \'e\', 0)'], ['b', 'INSERT INTO t VALUES (5, \'f\', 0)'], ['a', 'ROLLBACK'], ['b', 'SELECT v FROM t WHERE id = 5']]],
  ['ON CONFLICT DO UPDATE waits for an uncommitted insert of the key', [['a', 'BEGIN'], ['a', 'INSERT INTO t VALUES (6, \'g\', 1)'], ['b', 'INSERT INTO t VALUES (6, \'h\', 1) ON CONFLICT (id) DO UPDATE SET n = t.n + 10'], ['a', 'COMMIT'], ['b', 'SELECT v, n FROM t WHERE id = 6']]],
  ['a job queue with FOR UPDATE SKIP LOCKED', [['a', 'BEGIN'], ['a', 'SELECT id FROM t ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED'], ['b', 'BEGIN'], ['b', 'SELECT id FROM t ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED'], ['a', 'COMMIT'], ['b', 'COMMIT']]],
  ['REPEATABLE READ: an UPDATE of a row changed after the snapshot', [['a', RR], ['a', 'SELECT count(*) FROM t'], ['c', 'UPDATE t SET n = 3 WHERE id = 1'], ['a', 'UPDATE t SET n = n + 1 WHERE id = 1'], ['a', 'ROLLBACK']]],
  ['REPEATABLE READ: an UPDATE waits for a writer that rolls back', [['b', 'BEGIN'], ['b', 'UPDATE t SET n = 3 WHERE id = 1'], ['a', RR], ['a', 'UPDATE t SET n = n + 1 WHERE id = 1'], ['b', 'ROLLBACK'], ['a', 'COMMIT'], ['c', 'SELECT n FROM t WHERE id = 1']]],
  ['REPEATABLE READ: an UPDATE waits for a writer that commits', [['b', 'BEGIN'], ['b', 'UPDATE t SET n = 3 WHERE id = 1'], ['a', RR], ['a', 'UPDATE t SET n = n + 1 WHERE id = 1'], ['b', 'COMMIT'], ['a', 'ROLLBACK']]],
  ['FOR UPDATE after a wait returns the row as committed', [['a', 'BEGIN'], ['a', 'UPDATE t SET n = 4 WHERE id = 1'], ['b', 'BEGIN'], ['b', 'SELECT id, n FROM t WHERE id = 1 FOR UPDATE'], ['a', 'COMMIT'], ['b', 'COMMIT']]],
  ['FOR UPDATE after a wait leaves out a row that no longer matches', [['a', 'BEGIN'], ['a', 'UPDATE t SET n = 4 WHERE id = 1'], ['b', 'BEGIN'], ['b', 'SELECT id FROM t WHERE n = 0 ORDER BY id FOR UPDATE'], ['a', 'COMMIT'], ['b', 'COMMIT']]],
  ['UPDATE ... RETURNING after a wait', [['a', 'BEGIN'], ['a', 'UPDATE t SET n = n + 10 WHERE id = 2'], ['b', 'UPDATE t SET n = n * 2 WHERE id = 2 RETURNING id, n'], ['a', 'COMMIT']]],
  ['advisory locks', [['a', 'SELECT pg_advisory_lock(42)'], ['b', 'SELECT pg_try_advisory_lock(42)'], ['b', 'SELECT pg_advisory_lock(42)'], ['a', 'SELECT pg_advisory_unlock(42)'], ['b', 'SELECT pg_advisory_unlock(42)']]],
  ['transaction advisory locks', [['a', 'BEGIN'], ['a', 'SELECT pg_advisory_xact_lock(7)'], ['b', 'SELECT pg_try_advisory_xact_lock(7)'], ['a', 'COMMIT'], ['b', 'SELECT pg_try_advisory_xact_lock(7)']]],
  ['advisory: shared locks coexist, an exclusive one waits for all of them', [['a', 'SELECT pg_advisory_lock_shared(1)'], ['b', 'SELECT pg_advisory_lock_shared(1)'], ['c', 'SELECT pg_try_advisory_lock(1)'], ['c', 'SELECT pg_advisory_lock(1)'], ['a', 'SELECT pg_advisory_unlock_shared(1)'], ['b', 'SELECT pg_try_advisory_lock_shared(1)'], ['b', 'SELECT pg_advisory_unlock_shared(1)'], ['b', 'SELECT pg_advisory_unlock_shared(1)'], ['c', 'SELECT pg_advisory_unlock(1)']]],
  ['advisory: a lock taken twice needs two unlocks', [['a', 'SELECT pg_advisory_lock(2)'], ['a', 'SELECT pg_advisory_lock(2)'], ['a', 'SELECT pg_advisory_unlock(2)'], ['b', 'SELECT pg_try_advisory_lock(2)'], ['a', 'SELECT pg_advisory_unlock(2)'], ['b', 'SELECT pg_try_advisory_lock(2)'], ['a', 'SELECT pg_advisory_unlock(2)'], ['b', 'SELECT pg_advisory_unlock_all()'], ['a', 'SELECT pg_try_advisory_lock(2)'], ['a', 'SELECT pg_advisory_unlock_all()']]],
  ['advisory: a pair of int4 keys is not the bigint with the same bits', [['a', 'SELECT pg_advisory_lock(1, 2)'], ['b', 'SELECT pg_try_advisory_lock(1, 2)'], ['b', 'SELECT pg_try_advisory_lock(4294967298)'], ['a', 'SELECT pg_advisory_unlock(1, 2)'], ['b', 'SELECT pg_advisory_unlock(4294967298)']]],
  ['advisory: a waiting lock ends at statement_timeout', [['a', 'SELECT pg_advisory_lock(3)'], ['b', 'SET statement_timeout = 100'], ['b', 'SELECT pg_advisory_lock(3)'], ['b', 'SET statement_timeout = 0'], ['a', 'SELECT pg_advisory_unlock(3)'], ['b', 'SELECT pg_try_advisory_lock(3)'], ['b', 'SELECT pg_advisory_unlock(3)']]],
  ['advisory: a transaction-level lock goes at ROLLBACK, and waiters get it', [['a', 'BEGIN'], ['a', 'SELECT pg_advisory_xact_lock(4)'], ['b', 'SELECT pg_try_advisory_lock(4)'], ['c', 'SELECT pg_advisory_lock(4)'], ['a', 'ROLLBACK'], ['b', 'SELECT pg_try_advisory_lock(4)'], ['c', 'SELECT pg_advisory_unlock(4)'], ['b', 'SELECT pg_try_advisory_lock(4)'], ['b', 'SELECT pg_advisory_unlock(4)']]],
  ['advisory: pg_locks lists holders and waiters', [['a', 'SELECT pg_advisory_lock(4294967301)'], ['a', 'SELECT pg_advisory_lock_shared(3, 4)'], ['b', 'SELECT pg_advisory_lock(4294967301)'], ['c', `SELECT locktype, classid, objid, objsubid, mode, granted FROM pg_locks WHERE locktype = 'advisory' ORDER BY objsubid, granted DESC`], ['a', 'SELECT pg_advisory_unlock_all()'], ['b', 'SELECT pg_advisory_unlock_all()']]],
  ['DDL: ALTER COLUMN TYPE against an uncommitted INSERT', [['a', 'BEGIN'], ['a', `INSERT INTO t VALUES (3, 'c', 7)`], ['b', 'ALTER TABLE t ALTER COLUMN n TYPE bigint'], ['a', 'COMMIT'], ['b', 'SELECT id, v, n FROM t ORDER BY id']]],
  ['DDL: ADD COLUMN with a default against an uncommitted INSERT', [['a', 'BEGIN'], ['a', `INSERT INTO t VALUES (3, 'c', 7)`], ['b', 'ALTER TABLE t ADD COLUMN z int DEFAULT 5'], ['a', 'COMMIT'], ['b', 'SELECT * FROM t ORDER BY id']]],
  ['DDL: CREATE INDEX against an uncommitted INSERT', [['a', 'BEGIN'], ['a', `INSERT INTO t VALUES (3, 'c', 7)`], ['b', 'CREATE INDEX t_n ON t (n)'], ['a', 'COMMIT'], ['b', 'SELECT id FROM t WHERE n = 7']]],
  ['DDL: an UPDATE in a block against an uncommitted ALTER COLUMN TYPE', [['a', 'BEGIN'], ['a', 'ALTER TABLE t ALTER COLUMN n TYPE bigint'], ['b', 'BEGIN'], ['b', 'UPDATE t SET n = 9 WHERE id = 1'], ['a', 'COMMIT'], ['b', 'SELECT id, n FROM t ORDER BY id'], ['b', 'COMMIT']]],
  ['DDL: an UPDATE against an uncommitted ALTER COLUMN TYPE', [['a', 'BEGIN'], ['a', 'ALTER TABLE t ALTER COLUMN n TYPE bigint'], ['b', 'UPDATE t SET n = 9 WHERE id = 1'], ['a', 'COMMIT'], ['b', 'SELECT id, n FROM t ORDER BY id']]],
  ['LOCK TABLE against an INSERT', [['a', 'BEGIN'], ['a', 'LOCK TABLE t IN EXCLUSIVE MODE'], ['b', 'INSERT INTO t VALUES (9, \'i\', 0)'], ['a', 'COMMIT']]],
  ['TRUNCATE against an open reader', [['a', 'BEGIN'], ['a', 'SELECT count(*) FROM t'], ['b', 'TRUNCATE t'], ['a', 'COMMIT'], ['c', 'SELECT count(*) FROM t']]],
  ['LOCK TABLE ACCESS EXCLUSIVE against a reader, which then sees the committed insert', [['a', 'BEGIN'], ['a', 'LOCK TABLE t'], ['a', `INSERT INTO t VALUES (8, 'h', 0)`], ['b', 'SELECT count(*) FROM t'], ['a', 'COMMIT']]],
  ['LOCK TABLE SHARE: readers and other SHARE holders go ahead, writers wait', [['a', 'BEGIN'], ['a', 'LOCK TABLE t IN SHARE MODE'], ['b', 'BEGIN'], ['b', 'LOCK TABLE t IN SHARE MODE'], ['c', 'SELECT count(*) FROM t'], ['c', `UPDATE t SET n = 5 WHERE id = 1`], ['a', 'COMMIT'], ['b', 'COMMIT']]],
  ['LOCK TABLE NOWAIT against a conflicting lock (55P03)', [['a', 'BEGIN'], ['a', 'LOCK TABLE t IN ROW EXCLUSIVE MODE'], ['b', 'BEGIN'], ['b', 'LOCK TABLE t IN SHARE MODE NOWAIT'], ['b', 'ROLLBACK'], ['b', 'BEGIN'], ['b', 'LOCK TABLE t IN ROW SHARE MODE NOWAIT'], ['b', 'ROLLBACK'], ['a', 'COMMIT']]],
  ['LOCK TABLE outside a transaction block (25P01)', [['a', 'LOCK TABLE t']]],
  ['LOCK TABLE on a view locks its table', [['a', 'CREATE VIEW tv AS SELECT id, v FROM t'], ['a', 'BEGIN'], ['a', 'LOCK TABLE tv IN EXCLUSIVE MODE'], ['b', `UPDATE t SET v = 'x' WHERE id = 1`], ['c', 'SELECT count(*) FROM t'], ['a', 'COMMIT'], ['b', 'SELECT v FROM t WHERE id = 1'], ['a', 'DROP VIEW tv']]],
  ['LOCK TABLE: a waiting ACCESS EXCLUSIVE queues a later reader', [['a', 'BEGIN'], ['a', 'SELECT count(*) FROM t'], ['b', 'BEGIN'], ['b', 'LOCK TABLE t'], ['c', 'SELECT count(*) FROM t'], ['a', 'COMMIT'], ['b', `INSERT INTO t VALUES (7, 'g', 0)`], ['b', 'COMMIT']]],
  ['LOCK TABLE: pg_locks lists table locks', [['a', 'BEGIN'], ['a', 'LOCK TABLE t IN SHARE MODE'], ['b', 'BEGIN'], ['b', 'SELECT count(*) FROM t'], ['c', `DELETE FROM t WHERE id = 2`], ['b', `SELECT mode, granted FROM pg_locks WHERE locktype = 'relation' AND relation = 't'::regclass ORDER BY granted, mode`], ['a', 'COMMIT'], ['b', 'COMMIT']]],
  ['FK: a child insert against LOCK TABLE parent IN EXCLUSIVE MODE (the check takes ROW SHARE on the parent)', [['a', 'BEGIN'], ['a', 'LOCK TABLE parent IN EXCLUSIVE MODE'], ['b', 'INSERT INTO child VALUES (30, 3)'], ['a', 'COMMIT'], ['b', 'SELECT id, pid FROM child ORDER BY id']]],
  ['FK: ALTER TABLE of the parent against an uncommitted child insert', [['a', 'BEGIN'], ['a', 'INSERT INTO child VALUES (31, 3)'], ['b', `ALTER TABLE parent ADD COLUMN extra int DEFAULT 4`], ['a', 'COMMIT'], ['b', 'SELECT id, extra FROM parent ORDER BY id']]],
  ['FK: a parent delete against LOCK TABLE child IN EXCLUSIVE MODE (the check takes ROW SHARE on the child)', [['a', 'BEGIN'], ['a', 'LOCK TABLE child IN EXCLUSIVE MODE'], ['b', 'DELETE FROM parent WHERE id = 2'], ['a', 'COMMIT']]],
  ['SERIALIZABLE: write skew fails one of the two', [['a', SER], ['a', 'SELECT sum(n) FROM t'], ['b', SER], ['b', 'SELECT sum(n) FROM t'], ['a', 'UPDATE t SET n = 1 WHERE id = 1'], ['b', 'UPDATE t SET n = 1 WHERE id = 2'], ['a', 'COMMIT'], ['b', 'COMMIT']]],
);

// ROLLBACK TO SAVEPOINT releases the locks taken since the savepoint (row, shared row, table and
// transaction advisory locks), and whoever waited for one goes ahead at once; RELEASE keeps them.
// A failed statement releases them already (PostgreSQL aborts the subtransaction, or the
// transaction when there is no savepoint, at the error). PAUSE, then a look from the third
// connection, shows whether the waiter went ahead before the first transaction ended.
const PAUSE: Step = ['c', 'SELECT pg_sleep(0.1) IS NULL'];
SCENARIOS.push(
  ['savepoint: ROLLBACK TO releases a row the UPDATE locked', [['a', 'BEGIN'], ['a', 'SAVEPOINT s'], ['a', 'UPDATE t SET n = 1 WHERE id = 1'], ['b', 'UPDATE t SET n = 2 WHERE id = 1'], ['a', 'ROLLBACK TO SAVEPOINT s'], PAUSE, ['c', 'SELECT n FROM t WHERE id = 1'], ['a', 'COMMIT']]],
  ['savepoint: ROLLBACK TO releases FOR UPDATE', [['a', 'BEGIN'], ['a', 'SAVEPOINT s'], ['a', 'SELECT id FROM t WHERE id = 1 FOR UPDATE'], ['b', 'DELETE FROM t WHERE id = 1'], ['a', 'ROLLBACK TO SAVEPOINT s'], PAUSE, ['a', 'SELECT count(*) FROM t'], ['a', 'COMMIT']]],
  ['savepoint: ROLLBACK TO releases FOR SHARE', [['a', 'BEGIN'], ['a', 'SAVEPOINT s'], ['a', 'SELECT id FROM t WHERE id = 2 FOR SHARE'], ['b', 'UPDATE t SET n = 3 WHERE id = 2'], ['a', 'ROLLBACK TO SAVEPOINT s'], PAUSE, ['c', 'SELECT n FROM t WHERE id = 2'], ['a', 'COMMIT']]],
  ['savepoint: ROLLBACK TO releases the parent row a child insert locked', [['a', 'BEGIN'], ['a', 'SAVEPOINT s'], ['a', 'INSERT INTO child VALUES (10, 1)'], ['b', 'DELETE FROM parent WHERE id = 1'], ['a', 'ROLLBACK TO SAVEPOINT s'], PAUSE, ['c', 'SELECT count(*) FROM parent'], ['a', 'COMMIT']]],
  ['savepoint: a row locked before the savepoint stays locked', [['a', 'BEGIN'], ['a', 'UPDATE t SET n = 1 WHERE id = 1'], ['a', 'SAVEPOINT s'], ['a', 'UPDATE t SET n = 5 WHERE id = 1'], ['b', 'UPDATE t SET n = 2 WHERE id = 1'], ['a', 'ROLLBACK TO SAVEPOINT s'], PAUSE, ['c', 'SELECT n FROM t WHERE id = 1'], ['a', 'COMMIT']]],
  ['savepoint: RELEASE keeps the row locks', [['a', 'BEGIN'], ['a', 'SAVEPOINT s'], ['a', 'UPDATE t SET n = 1 WHERE id = 1'], ['a', 'RELEASE SAVEPOINT s'], ['b', 'UPDATE t SET n = 2 WHERE id = 1'], PAUSE, ['c', 'SELECT n FROM t WHERE id = 1'], ['a', 'COMMIT']]],
  ['savepoint: ROLLBACK TO an outer savepoint releases the inner ones\' locks', [['a', 'BEGIN'], ['a', 'SAVEPOINT s1'], ['a', 'UPDATE t SET n = 1 WHERE id = 1'], ['a', 'SAVEPOINT s2'], ['a', 'UPDATE t SET n = 1 WHERE id = 2'], ['b', 'UPDATE t SET n = 2 WHERE id = 2'], ['c', 'UPDATE t SET n = 2 WHERE id = 1'], ['a', 'ROLLBACK TO SAVEPOINT s1'], ['a', 'SELECT pg_sleep(0.1) IS NULL'], ['a', 'SELECT id, n FROM t ORDER BY id'], ['a', 'COMMIT']]],
  ['savepoint: ROLLBACK TO releases LOCK TABLE', [['a', 'BEGIN'], ['a', 'SAVEPOINT s'], ['a', 'LOCK TABLE t IN ACCESS EXCLUSIVE MODE'], ['b', 'INSERT INTO t VALUES (3, \'c\', 0)'], ['a', 'ROLLBACK TO SAVEPOINT s'], PAUSE, ['c', 'SELECT count(*) FROM t'], ['a', 'COMMIT']]],
  ['savepoint: ROLLBACK TO keeps the table lock taken before it', [['a', 'BEGIN'], ['a', 'LOCK TABLE t IN SHARE MODE'], ['a', 'SAVEPOINT s'], ['a', 'LOCK TABLE t IN ACCESS EXCLUSIVE MODE'], ['b', 'SELECT count(*) FROM t'], ['c', 'UPDATE t SET n = 4 WHERE id = 1'], ['a', 'ROLLBACK TO SAVEPOINT s'], ['a', 'SELECT pg_sleep(0.1) IS NULL'], ['a', 'SELECT n FROM t WHERE id = 1'], ['a', 'COMMIT']]],
  ['savepoint: ROLLBACK TO releases the table lock a statement took', [['a', 'BEGIN'], ['a', 'SAVEPOINT s'], ['a', `INSERT INTO t VALUES (3, 'c', 0)`], ['b', 'BEGIN'], ['b', 'LOCK TABLE t IN SHARE MODE'], ['a', 'ROLLBACK TO SAVEPOINT s'], ['a', 'SELECT pg_sleep(0.1) IS NULL'], ['c', `SELECT mode, granted FROM pg_locks WHERE locktype = 'relation' AND relation = 't'::regclass ORDER BY granted, mode`], ['b', 'COMMIT'], ['a', 'COMMIT']]],
  ['savepoint: ROLLBACK TO releases a transaction advisory lock', [['a', 'BEGIN'], ['a', 'SAVEPOINT s'], ['a', 'SELECT pg_advisory_xact_lock(5)'], ['b', 'SELECT pg_advisory_lock(5)'], ['a', 'ROLLBACK TO SAVEPOINT s'], ['a', 'SELECT pg_sleep(0.1) IS NULL'], ['c', `SELECT mode, granted FROM pg_locks WHERE locktype = 'advisory' AND objid = 5`], ['a', 'COMMIT'], ['b', 'SELECT pg_advisory_unlock(5)']]],
  ['advisory: a transaction-level lock granted after a wait goes at COMMIT', [['a', 'SELECT pg_advisory_lock(8)'], ['b', 'BEGIN'], ['b', 'SELECT pg_advisory_xact_lock(8)'], ['a', 'SELECT pg_advisory_unlock(8)'], ['c', 'SELECT pg_try_advisory_lock(8)'], ['b', 'COMMIT'], ['c', 'SELECT pg_try_advisory_lock(8)'], ['c', 'SELECT pg_advisory_unlock(8)']]],
  ['savepoint: a session advisory lock stays after ROLLBACK TO', [['a', 'BEGIN'], ['a', 'SAVEPOINT s'], ['a', 'SELECT pg_advisory_lock(6)'], ['a', 'ROLLBACK TO SAVEPOINT s'], ['a', 'COMMIT'], ['b', 'SELECT pg_try_advisory_lock(6)'], ['a', 'SELECT pg_advisory_unlock(6)']]],
  ['savepoint: a failed statement releases the locks taken since the savepoint', [['a', 'BEGIN'], ['a', 'SAVEPOINT s'], ['a', 'UPDATE t SET n = 1 WHERE id = 1'], ['a', `INSERT INTO t VALUES (2, 'dup', 0)`], ['b', 'UPDATE t SET n = 2 WHERE id = 1'], ['a', 'ROLLBACK TO SAVEPOINT s'], ['a', 'SELECT n FROM t WHERE id = 1'], ['a', 'COMMIT']]],
  ['a failed statement in a block releases the transaction\'s locks', [['a', 'BEGIN'], ['a', 'UPDATE t SET n = 1 WHERE id = 1'], ['a', 'LOCK TABLE parent IN SHARE MODE'], ['a', `INSERT INTO t VALUES (2, 'dup', 0)`], ['b', 'UPDATE t SET n = 2 WHERE id = 1'], ['b', `UPDATE parent SET name = 'x' WHERE id = 1`], ['a', 'SELECT 1'], ['a', 'ROLLBACK'], ['c', 'SELECT n FROM t WHERE id = 1']]],
);

// Every pair of the conflict table: a lock held by one transaction, then another's request.
const LOCKS: Record<string, string> = {
  'FOR UPDATE': 'SELECT id FROM t WHERE id = 1 FOR UPDATE',
  'FOR NO KEY UPDATE': 'SELECT id FROM t WHERE id = 1 FOR NO KEY UPDATE',
  'FOR SHARE': 'SELECT id FROM t WHERE id = 1 FOR SHARE',
  'FOR KEY SHARE': 'SELECT id FROM t WHERE id = 1 FOR KEY SHARE',
};
const CHANGES: Record<string, string> = {
  'UPDATE of another column': 'UPDATE t SET n = n + 1 WHERE id = 1',
  'UPDATE of the key': 'UPDATE t SET id = 10 WHERE id = 1',
  DELETE: 'DELETE FROM t WHERE id = 1',
};
for (const [held, holdSql] of Object.entries({ ...LOCKS, ...CHANGES })) {
  for (const [asked, askSql] of Object.entries(held in LOCKS ? { ...LOCKS, ...CHANGES } : LOCKS)) {
    SCENARIOS.push([`${asked} while another transaction holds ${held}`, [['a', 'BEGIN'], ['a', holdSql], ['b', 'BEGIN'], ['b', askSql], ['a', 'COMMIT'], ['b', 'ROLLBACK']]]);
  }
}

/**
 * Where ScratchBird knowingly differs (both sides pinned, so a change on
 * either shows). None at present. (A deadlock is left out: ScratchBird fails
 * the transaction that closes the cycle at once, PostgreSQL the one whose
 * deadlock_timeout runs out first, so the script would wait on one side.)
 */
const KNOWN_DIFFERENCES: Record<string, Array<{ step: number; scratchbird: string; postgresql: string }>> = {};

/** Runs a scenario on fresh tables: per step 'ok', 'waits' then its later outcome, or the SQLSTATE; plus query results. */
async function run(config: pg.ClientConfig, steps: Step[]): Promise<string[]> {
  const admin = new pg.Client(config);
  await admin.connect();
  for (const sql of SETUP) await admin.query(sql);
  const conns = { a: new pg.Client(config), b: new pg.Client(config), c: new pg.Client(config) };
  for (const c of Object.values(conns)) await c.connect();
  const out: string[] = [];
  const pending: Array<Promise<void>> = [];
  const busy = new Map<string, Promise<unknown>>();
  /** Statements recorded as waiting and not settled yet: their connection's pid. */
  const waiting = new Map<number, { settled: boolean }>();
  const waitEventOf = async (pid: number): Promise<string | null> =>
    (await admin.query('SELECT wait_event_type FROM pg_stat_activity WHERE pid = $1', [pid])).rows[0]?.wait_event_type ?? null;
  try {
    for (const [who, sql] of steps) {
      await busy.get(who); // a connection's next statement follows its previous one
      // Whatever the last step let go on runs to its end or to its next lock wait first (a TRUNCATE
      // woken by a COMMIT holds its lock until it commits): the next step meets the same state on both servers.
      for (const [pid, w] of waiting) {
        while (!w.settled && (await waitEventOf(pid)) !== 'Lock') await new Promise((res) => setTimeout(res, POLL_MS));
        if (w.settled) waiting.delete(pid);
      }
      const i = out.length;
      out.push('?');
      const p = conns[who].query(sql).then(
        (r) => (r.command === 'SELECT' ? `ok ${JSON.stringify(r.rows.map((x) => Object.values(x as object).map(String)))}`
          : ['UPDATE', 'DELETE', 'INSERT'].includes(r.command) ? `ok ${r.rowCount}` : 'ok'),
        (e: { code?: string }) => String(e.code),
      );
      const pid = (conns[who] as unknown as { processID: number }).processID;
      let first: string | undefined;
      void p.then((v) => (first ??= v));
      while (first === undefined) {
        const event = await waitEventOf(pid);
        if (first === undefined && event === 'Lock') first = 'waits';
        else if (first === undefined) await new Promise((res) => setTimeout(res, POLL_MS));
      }
      if (first === 'waits') {
        out[i] = 'waits';
        const w = { settled: false };
        waiting.set(pid, w);
        const settled = p.then((v) => {
          out[i] = `waits, then ${v}`;
          w.settled = true;
        });
        pending.push(settled);
        busy.set(who, settled);
      } else {
        out[i] = first;
      }
    }
    await Promise.all(pending);
  } finally {
    for (const c of Object.values(conns)) await c.end().catch(() => {});
    await admin.end();
  }
  return out;
}

describe.skipIf(!HAVE_PG)('row locks and foreign keys under concurrency, against PostgreSQL 15', () => {
  let srv: TestServer;
  let real: Awaited<ReturnType<typeof realPostgres>>;
  beforeAll(async () => {
    srv = await startTestServer();
    real = await realPostgres();
    if (!real) throw new Error('PostgreSQL 15 did not start');
  }, 60_000);
  afterAll(async () => {
    await real?.stop();
    await srv?.stop();
  });

  for (const [name, steps] of SCENARIOS) {
    it(name, async () => {
      // Both servers at once (each has its own tables): half the wall time.
      const both = (): Promise<[string[], string[]]> => Promise.all([
        run({ host: '127.0.0.1', port: srv.port, user: 'sysdba', password: PASSWORD, database: 'scratchbird' }, steps),
        run({ host: '127.0.0.1', port: real!.server.port, user: 'postgres', database: 'postgres' }, steps),
      ]);
      const [sb, pgOut] = await both();
      for (const known of KNOWN_DIFFERENCES[name] ?? []) {
        expect(sb[known.step]).toBe(known.scratchbird);
        expect(pgOut[known.step]).toBe(known.postgresql);
        sb[known.step] = pgOut[known.step]!;
      }
      expect(sb).toEqual(pgOut);
    }, 30_000);
  }
});
