// The INSERT / COPY insert path (ops_modify.ts insertRow): the row and its
// key are encoded into shared buffers (views, no array per row) and copied by
// the store write. What must hold: a lock wait in the middle of a statement
// does not write another session's bytes, duplicates name the right key, ON
// CONFLICT sees the keys the statement wrote, rows stay intact.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { errorOf, memoryDb, rows, settle } from './helpers.ts';

let db: Database;
beforeEach(async () => {
  db = await memoryDb();
});
afterEach(async () => {
  await db.close();
});

describe('insert path with shared encode buffers', () => {
  it('a lock wait on a primary key (no other index) writes the waiting row, not the bytes another insert encoded meanwhile', async () => {
    await db.exec('CREATE TABLE k (id int PRIMARY KEY, v text)');
    const holder = db.session();
    await holder.query('BEGIN');
    await holder.query("INSERT INTO k VALUES (1, 'holder')");
    const waiter = db.session();
    const waits = db.store.stats.lockWaits;
    const p = waiter.query("INSERT INTO k VALUES (2, 'w2'), (1, 'waiter'), (3, 'w3')");
    await settle();
    expect(db.store.stats.lockWaits - waits).toBe(1);
    // While the waiter waits, other sessions encode rows and keys through the same buffers.
    const other = db.session();
    await other.query("INSERT INTO k VALUES (10, 'other-ten'), (11, 'other-eleven')");
    await holder.query('ROLLBACK');
    await p;
    expect(await rows(db, 'SELECT id, v FROM k ORDER BY id')).toEqual([['1', 'waiter'], ['2', 'w2'], ['3', 'w3'], ['10', 'other-ten'], ['11', 'other-eleven']]);
  });

  it('after a lock wait ending in a commit the duplicate error names the waiting row\'s key', async () => {
    await db.exec('CREATE TABLE k (id int PRIMARY KEY, v text)');
    const holder = db.session();
    await holder.query('BEGIN');
    await holder.query("INSERT INTO k VALUES (7, 'holder')");
    const waiter = db.session();
    const p = errorOf(waiter.query("INSERT INTO k VALUES (7, 'waiter')"));
    await settle();
    await db.session().query("INSERT INTO k VALUES (12345, 'meanwhile')");
    await holder.query('COMMIT');
    const e = await p;
    expect(e.code).toBe('23505');
    expect(e.detail).toBe('Key (id)=(7) already exists.');
  });

  it('a table without a primary key or index: every row kept with its own bytes', async () => {
    await db.exec('CREATE TABLE h (a int, b text, c char(10))');
    await db.exec("INSERT INTO h SELECT i, repeat('é', i % 5) || i, 'c' || i FROM generate_series(1, 3000) i");
    expect(await rows(db, 'SELECT count(*), count(DISTINCT b), sum(a), max(length(c)), min(octet_length(c)) FROM h')).toEqual([['3000', '3000', '4501500', '5', '10']]);
    expect(await rows(db, 'SELECT a, b, c FROM h WHERE a IN (4, 2999) ORDER BY a')).toEqual([['4', 'éééé4', 'c4        '], ['2999', 'éééé2999', 'c2999     ']]);
  });

  it('ON CONFLICT DO UPDATE on a primary-key-only table: the second touch of a key in one command is 21000', async () => {
    await db.exec('CREATE TABLE u (id int PRIMARY KEY, n int)');
    await db.exec('INSERT INTO u VALUES (1, 0)');
    await db.exec('INSERT INTO u VALUES (2, 5), (3, 5) ON CONFLICT (id) DO UPDATE SET n = u.n + 1');
    const e = await errorOf(db.query('INSERT INTO u VALUES (4, 1), (4, 2) ON CONFLICT (id) DO UPDATE SET n = excluded.n'));
    expect(e.code).toBe('21000');
    expect(await rows(db, 'SELECT id, n FROM u ORDER BY id')).toEqual([['1', '0'], ['2', '5'], ['3', '5']]);
    await db.exec('INSERT INTO u VALUES (1, 9), (5, 1) ON CONFLICT (id) DO UPDATE SET n = u.n + excluded.n');
    expect(await rows(db, 'SELECT id, n FROM u ORDER BY id')).toEqual([['1', '9'], ['2', '5'], ['3', '5'], ['5', '1']]);
  });

  it('a NOT NULL or CHECK violation in the middle of a multi-row insert leaves none of its rows', async () => {
    await db.exec('CREATE TABLE c (id int PRIMARY KEY, n int NOT NULL CHECK (n > 0))');
    expect((await errorOf(db.query('INSERT INTO c SELECT i, CASE WHEN i = 1500 THEN 0 ELSE i END FROM generate_series(1, 3000) i'))).code).toBe('23514');
    expect((await errorOf(db.query('INSERT INTO c SELECT i, CASE WHEN i = 2500 THEN NULL ELSE i END FROM generate_series(1, 3000) i'))).code).toBe('23502');
    expect(await rows(db, 'SELECT count(*) FROM c')).toEqual([['0']]);
  });
});
