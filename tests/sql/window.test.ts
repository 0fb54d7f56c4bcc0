// Window functions end to end: direct assertions of PostgreSQL's semantics
// (default frame with peers, frames, EXCLUDE, named windows, errors), then a
// differential run of many queries against a real PostgreSQL 15.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { codeOf, memoryDb, rows } from './helpers.ts';
import { Pair, runDifferential, warnIfSkipped } from './pg_compare.ts';

const SETUP = [
  `CREATE TABLE m (id int PRIMARY KEY, grp text, v int, amount numeric(10,2), at timestamp, day date, score float8)`,
  `INSERT INTO m VALUES
    (1, 'a', 1, 10.00, '2024-05-01 08:00', '2024-05-01', 0.5),
    (2, 'a', 2, 20.50, '2024-05-01 09:30', '2024-05-02', 1.5),
    (3, 'a', 2, NULL, '2024-05-02 08:00', '2024-05-04', NULL),
    (4, 'a', 4, 40.25, '2024-05-03 23:00', '2024-05-09', 4),
    (5, 'b', NULL, 5.00, NULL, NULL, 2),
    (6, 'b', 7, 7.75, '2024-06-01 00:00', '2024-06-01', -3),
    (7, 'b', 7, 1.00, '2024-06-01 00:00', '2024-06-02', 3),
    (8, 'c', 100, 0.01, '2024-07-01 12:00', '2024-07-01', 100)`,
  `CREATE TABLE none (id int, v int)`,
];

let db: Database;

beforeAll(async () => {
  db = await memoryDb();
  for (const s of SETUP) await db.exec(s);
});

afterAll(async () => {
  await db.close();
});

describe('window functions', () => {
  it('rank rows within partitions and include peers in the default frame', async () => {
    expect(await rows(db, `SELECT id, rank() OVER w, dense_rank() OVER w, sum(v) OVER w, count(*) OVER w
      FROM m WHERE grp = 'a' WINDOW w AS (ORDER BY v) ORDER BY id`)).toEqual([
      ['1', '1', '1', '1', '1'], ['2', '2', '2', '5', '3'], ['3', '2', '2', '5', '3'], ['4', '4', '3', '9', '4'],
    ]);
  });

  it('evaluate ROWS, RANGE and GROUPS frames with EXCLUDE', async () => {
    expect(await rows(db, `SELECT id,
        sum(v) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING),
        sum(v) OVER (ORDER BY v RANGE BETWEEN 1 PRECEDING AND CURRENT ROW),
        sum(v) OVER (ORDER BY v GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW EXCLUDE GROUP)
      FROM m WHERE grp = 'a' ORDER BY id`)).toEqual([
      ['1', '3', '1', null], ['2', '5', '5', '1'], ['3', '8', '5', '1'], ['4', '6', '4', '4'],
    ]);
  });

  it('lag / lead with offsets and defaults, first / last / nth_value', async () => {
    expect(await rows(db, `SELECT id, lag(v) OVER w, lead(v, 2, -1) OVER w, first_value(id) OVER w, last_value(id) OVER w, nth_value(id, 2) OVER w
      FROM m WHERE grp = 'b' WINDOW w AS (ORDER BY id) ORDER BY id`)).toEqual([
      ['5', null, '7', '5', '5', null], ['6', null, '-1', '5', '6', '6'], ['7', '7', '-1', '5', '7', '6'],
    ]);
  });

  it('return nothing over no rows', async () => {
    expect(await rows(db, 'SELECT row_number() OVER (), sum(v) OVER () FROM none')).toEqual([]);
  });

  it('refuse misplaced or malformed window calls with PostgreSQL codes', async () => {
    expect(await codeOf(db.query('SELECT id FROM m WHERE rank() OVER () = 1'))).toBe('42P20');
    expect(await codeOf(db.query('SELECT rank() FROM m'))).toBe('42809');
    expect(await codeOf(db.query('SELECT sum(rank() OVER ()) FROM m'))).toBe('42803');
    expect(await codeOf(db.query('SELECT sum(v) OVER (ORDER BY v ROWS BETWEEN CURRENT ROW AND 1 PRECEDING) FROM m'))).toBe('42P20');
    expect(await codeOf(db.query('SELECT sum(v) OVER (ORDER BY v ROWS -1 PRECEDING) FROM m'))).toBe('22013');
    expect(await codeOf(db.query('SELECT sum(v) OVER nope FROM m'))).toBe('42704');
  });
});

// ---- against PostgreSQL 15 ------------------------------------------------------------

warnIfSkipped('tests/sql/window.test.ts');

const QUERIES = [
  // NULLs in keys and arguments
  'SELECT id, v, rank() OVER (ORDER BY v), rank() OVER (ORDER BY v DESC), rank() OVER (ORDER BY v NULLS FIRST) FROM m ORDER BY id',
  'SELECT id, sum(amount) OVER (ORDER BY id), avg(amount) OVER (PARTITION BY grp), count(amount) OVER (PARTITION BY grp ORDER BY id) FROM m ORDER BY id',
  'SELECT id, sum(v) OVER (ORDER BY v RANGE BETWEEN 2 PRECEDING AND 2 FOLLOWING), count(*) OVER (ORDER BY v NULLS FIRST RANGE BETWEEN CURRENT ROW AND 3 FOLLOWING) FROM m ORDER BY id',
  'SELECT id, lag(amount, 1, 0) OVER (ORDER BY id), lead(score) OVER (PARTITION BY grp ORDER BY id), lag(v, 0) OVER (ORDER BY id) FROM m ORDER BY id',
  'SELECT id, first_value(amount) OVER w, last_value(amount) OVER w, nth_value(amount, 2) OVER w FROM m WINDOW w AS (PARTITION BY grp ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) ORDER BY id',
  // ranking distributions
  'SELECT id, percent_rank() OVER (PARTITION BY grp ORDER BY v), cume_dist() OVER (PARTITION BY grp ORDER BY v), ntile(2) OVER (PARTITION BY grp ORDER BY id) FROM m ORDER BY id',
  'SELECT id, ntile(3) OVER (ORDER BY id), ntile(20) OVER (ORDER BY id), row_number() OVER (ORDER BY grp DESC, id) FROM m ORDER BY id',
  // frames over numbers, dates and timestamps
  'SELECT id, sum(amount) OVER (ORDER BY amount RANGE BETWEEN 10 PRECEDING AND 10 FOLLOWING) FROM m ORDER BY id',
  'SELECT id, avg(score) OVER (ORDER BY score RANGE BETWEEN 1.5 PRECEDING AND 0.5 FOLLOWING) FROM m ORDER BY id',
  'SELECT id, count(*) OVER (ORDER BY day RANGE BETWEEN \'3 days\' PRECEDING AND CURRENT ROW), count(*) OVER (ORDER BY at RANGE BETWEEN \'1 day\' PRECEDING AND \'2 hours\' FOLLOWING) FROM m ORDER BY id',
  'SELECT id, count(*) OVER (ORDER BY at DESC RANGE BETWEEN \'1 day\' PRECEDING AND CURRENT ROW) FROM m ORDER BY id',
  'SELECT id, sum(v) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 PRECEDING), sum(v) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 3 FOLLOWING), string_agg(grp, \'\') OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) FROM m ORDER BY id',
  'SELECT id, sum(v) OVER (ORDER BY v GROUPS BETWEEN 1 FOLLOWING AND 2 FOLLOWING), count(*) OVER (ORDER BY v GROUPS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) FROM m ORDER BY id',
  'SELECT id, sum(v) OVER (ORDER BY v ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE TIES), count(*) OVER (ORDER BY v RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW EXCLUDE CURRENT ROW) FROM m ORDER BY id',
  'SELECT id, max(v) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE CURRENT ROW), min(amount) OVER (ORDER BY v GROUPS BETWEEN 1 PRECEDING AND 1 FOLLOWING EXCLUDE GROUP) FROM m ORDER BY id',
  // moving frames: numeric result scale after removing rows (PostgreSQL restarts), time ranges do not wrap
  'SELECT i, sum(x) OVER (ORDER BY i ROWS BETWEEN CURRENT ROW AND 1 FOLLOWING), avg(x) OVER (ORDER BY i ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) FROM (VALUES (1, 1.5), (2, NULL), (3, 4), (4, -4.25), (5, 0), (6, \'NaN\'), (7, 2)) v(i, x) ORDER BY i',
  'SELECT i, count(*) OVER (ORDER BY t RANGE BETWEEN \'1 hour\' PRECEDING AND \'1 hour\' FOLLOWING) FROM (VALUES (1, \'00:30\'::time), (2, \'23:45\'), (3, \'01:00\'), (4, NULL)) v(i, t) ORDER BY i',
  'SELECT i, sum(d) OVER (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW), count(d) OVER (ORDER BY i ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) FROM (VALUES (1, \'1 day\'::interval), (2, NULL), (3, \'-2 hours\')) v(i, d) ORDER BY i',
  // every aggregate as a window aggregate
  'SELECT id, bool_and(v > 1) OVER (ORDER BY id), bool_or(v > 5) OVER (ORDER BY id), stddev(v) OVER (ORDER BY id), var_pop(score) OVER (ORDER BY id), json_agg(v) OVER (ORDER BY id ROWS 1 PRECEDING) FROM m ORDER BY id',
  'SELECT id, sum(v) FILTER (WHERE v > 1) OVER (ORDER BY id), count(*) FILTER (WHERE grp <> \'a\') OVER (PARTITION BY grp) FROM m ORDER BY id',
  // with grouping, in ORDER BY, in subqueries
  'SELECT grp, count(*), sum(count(*)) OVER (ORDER BY grp), rank() OVER (ORDER BY count(*) DESC, grp) FROM m GROUP BY grp ORDER BY grp',
  'SELECT id FROM m ORDER BY row_number() OVER (PARTITION BY grp ORDER BY id DESC), id',
  'SELECT grp, id FROM (SELECT grp, id, row_number() OVER (PARTITION BY grp ORDER BY amount DESC NULLS LAST) AS rn FROM m) q WHERE rn = 1 ORDER BY grp',
  'SELECT id, (SELECT max(r) FROM (SELECT rank() OVER (ORDER BY v) AS r FROM m m2 WHERE m2.grp = m.grp) q) FROM m ORDER BY id',
  'SELECT id, sum(v) OVER w, avg(v) OVER (w ORDER BY id) FROM m WINDOW w AS (PARTITION BY grp) ORDER BY id',
  // errors
  'SELECT sum(v) OVER (ORDER BY v, id RANGE 1 PRECEDING) FROM m',
  'SELECT sum(v) OVER (ORDER BY grp RANGE 1 PRECEDING) FROM m',
  'SELECT ntile(0) OVER () FROM m',
  'SELECT nth_value(v, -1) OVER () FROM m',
  'SELECT count(DISTINCT v) OVER () FROM m',
  'SELECT rank() OVER (w ORDER BY v) FROM m WINDOW w AS (ORDER BY id)',
  'SELECT sum(v) OVER (ORDER BY id ROWS BETWEEN UNBOUNDED FOLLOWING AND CURRENT ROW) FROM m',
  'SELECT upper(grp) OVER () FROM m',
];

describe.skipIf(!runDifferential)('window functions against PostgreSQL 15', () => {
  let pair: Pair;
  beforeAll(async () => {
    pair = await Pair.start(SETUP);
  }, 60_000);
  afterAll(async () => {
    await pair?.close();
  });

  for (const sql of QUERIES) {
    it(sql, async () => {
      const [pg, sb] = await pair.both(sql);
      expect(sb).toEqual(pg);
    });
  }
});
