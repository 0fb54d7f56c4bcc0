// Cached plans run again on a reused operator tree (session.ts operatorPool):
// reads, and INSERT / UPDATE / DELETE over them. Each execution must see
// only its own parameters and the data of its own snapshot.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import type { Session } from '../../host/engine/session/session.ts';
import { parse, postgres } from '../../sql-dialects/index.ts';
import { codeOf, memoryDb } from './helpers.ts';

let db: Database;
let s: Session;

function prepared(sql: string): (params: unknown[]) => Promise<{ rows: unknown[][]; rowCount: number; command: string }> {
  const stmt = parse(sql, postgres)[0]!;
  const { paramTypes } = s.describe(stmt, sql);
  return (params) => s.runStatement(stmt, sql, params, paramTypes) as Promise<{ rows: unknown[][]; rowCount: number; command: string }>;
}

beforeEach(async () => {
  db = await memoryDb();
  s = db.session();
  await s.query('CREATE TABLE t (id int PRIMARY KEY, v int NOT NULL, w text)');
  await s.query('INSERT INTO t SELECT g, g * 10, NULL FROM generate_series(1, 20) g');
});

afterEach(async () => {
  await s.close();
  await db.close();
});

describe('reused operator trees', () => {
  it('an uncorrelated subquery is evaluated again at each execution', async () => {
    const q = 'SELECT id FROM t WHERE id = (SELECT max(id) FROM t)';
    expect((await s.query(q)).rows).toEqual([[20]]);
    await s.query('INSERT INTO t VALUES (21, 0, NULL)');
    expect((await s.query(q)).rows).toEqual([[21]]);
    const u = prepared('UPDATE t SET w = $1 WHERE v = (SELECT min(v) FROM t)');
    await u(['a']);
    await s.query('INSERT INTO t VALUES (0, -5, NULL)');
    await u(['b']);
    expect((await s.query('SELECT id, w FROM t WHERE w IS NOT NULL ORDER BY id')).rows).toEqual([[0, 'b'], [21, 'a']]);
  });

  it('a prepared UPDATE, INSERT and DELETE run many times with their own parameters and counts', async () => {
    const upd = prepared('UPDATE t SET v = v + $1 WHERE id = $2');
    const ins = prepared('INSERT INTO t VALUES ($1, $2, $3) RETURNING id, w');
    const del = prepared('DELETE FROM t WHERE id >= $1 AND id < $2');
    for (let i = 1; i <= 20; i++) expect((await upd([i, i])).command).toBe('UPDATE 1');
    expect((await upd([1, 999])).command).toBe('UPDATE 0');
    for (let i = 100; i < 110; i++) expect((await ins([i, i, `x${i}`])).rows).toEqual([[i, `x${i}`]]);
    expect((await del([5, 8])).command).toBe('DELETE 3');
    expect((await del([5, 8])).command).toBe('DELETE 0');
    expect((await del([105, 200])).command).toBe('DELETE 5');
    const rows = (await s.query('SELECT id, v FROM t ORDER BY id')).rows;
    expect(rows).toEqual([
      ...[1, 2, 3, 4, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20].map((i) => [i, i * 11]),
      ...[100, 101, 102, 103, 104].map((i) => [i, i]),
    ]);
  });

  it('a prepared sort with LIMIT / OFFSET runs again with its own bounds over changed rows', async () => {
    const top = prepared('SELECT id, v FROM t WHERE v >= $1 ORDER BY v DESC, id LIMIT $2 OFFSET $3');
    expect((await top([0, 3, 0])).rows).toEqual([[20, 200], [19, 190], [18, 180]]);
    expect((await top([0, 2, 1])).rows).toEqual([[19, 190], [18, 180]]);
    await s.query('UPDATE t SET v = 1000 WHERE id = 5');
    expect((await top([150, 2, 0])).rows).toEqual([[5, 1000], [20, 200]]);
    expect((await top([0, 0, 0])).rows).toEqual([]);
    expect(await codeOf(top([0, -1, 0]))).toBe('2201W');
    expect((await top([195, 5, 0])).rows).toEqual([[5, 1000], [20, 200]]);
    const keyOrder = prepared('SELECT id FROM t WHERE id > $1 ORDER BY id DESC LIMIT 2');
    expect((await keyOrder([0])).rows).toEqual([[20], [19]]);
    await s.query('INSERT INTO t VALUES (30, 0, NULL)');
    expect((await keyOrder([0])).rows).toEqual([[30], [20]]);
  });

  it('an execution that failed leaves the next one correct', async () => {
    const ins = prepared('INSERT INTO t VALUES ($1, $2)');
    expect(await codeOf(ins([3, 1]))).toBe('23505');
    expect(await codeOf(ins([50, null]))).toBe('23502');
    expect((await ins([51, 1])).command).toBe('INSERT 0 1');
    const upd = prepared('UPDATE t SET v = $1 WHERE id = $2');
    expect(await codeOf(upd([null, 4]))).toBe('23502');
    expect((await upd([7, 4])).command).toBe('UPDATE 1');
    expect((await s.query('SELECT v FROM t WHERE id IN (4, 51) ORDER BY id')).rows).toEqual([[7], [1]]);
  });

  it('a statement run inside and outside transaction blocks sees each snapshot', async () => {
    const other = db.session();
    const get = prepared('SELECT v FROM t WHERE id = $1');
    await s.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
    expect((await get([1])).rows).toEqual([[10]]);
    await other.query('UPDATE t SET v = 11 WHERE id = 1');
    expect((await get([1])).rows).toEqual([[10]]);
    await s.query('COMMIT');
    expect((await get([1])).rows).toEqual([[11]]);
    await other.close();
  });
});

describe('transaction ids', () => {
  it('a transaction that only read has none; its first write or txid_current() takes one', async () => {
    await s.query('BEGIN');
    await s.query('SELECT * FROM t');
    expect((await s.query('SELECT txid_current_if_assigned()')).rows).toEqual([[null]]);
    await s.query('UPDATE t SET v = 0 WHERE id = 1');
    const [[x]] = (await s.query('SELECT txid_current_if_assigned()')).rows as [[unknown]];
    expect(x).not.toBeNull();
    expect((await s.query('SELECT txid_current()')).rows).toEqual([[x]]);
    await s.query('COMMIT');
    await s.query('BEGIN');
    const [[y]] = (await s.query('SELECT txid_current()')).rows as [[unknown]];
    expect(y).not.toBeNull();
    expect((await s.query('SELECT txid_current_if_assigned()')).rows).toEqual([[y]]);
    await s.query('ROLLBACK');
  });
});
