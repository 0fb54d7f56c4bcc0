// Columnar aggregates (host/engine/exec/ops_colagg.ts): every query runs
// through the vector-program path and again with `SET colcache = off` (the
// row path), and the results must be identical. Random tables with NULLs,
// negative numerics, empty groups; overflow falls back to the row path;
// TPC-H Q1 and Q6 over a generated lineitem table.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { colAggStats } from '../../host/engine/exec/ops_colagg.ts';
import { vprogJit } from '../../host/engine/exec/vprog_jit.ts';
import { codeOf, memoryDb, text } from '../sql/helpers.ts';

let db: Database;

/** Why the last columnar attempt of both() fell back. */
let lastWhy = '';

/** Runs q both ways; returns the columnar result after checking it equals the row path's and really ran columnar.
 *  The columnar path runs twice: compiled to WebAssembly where the JIT takes the program (vprog_jit.ts),
 *  and through the interpreter kernel (JIT off); both must equal the row path. */
async function both(q: string, expectColumnar = true): Promise<Array<Array<string | null>>> {
  await db.query('SET colcache = on');
  const before = colAggStats.columnar;
  const a = text(await db.query(q));
  const ran = colAggStats.columnar - before;
  lastWhy = colAggStats.lastFallback;
  vprogJit.enabled = false;
  try {
    expect(text(await db.query(q))).toEqual(a);
  } finally {
    vprogJit.enabled = true;
  }
  await db.query('SET colcache = off');
  const b = text(await db.query(q));
  await db.query('SET colcache = on');
  expect(a).toEqual(b);
  expect(ran, `${q}: ${lastWhy}`).toBe(expectColumnar ? 1 : 0);
  return a;
}

beforeAll(async () => {
  db = await memoryDb({ colcache_min_rows: '0' });
  await db.query(`CREATE TABLE r (id int PRIMARY KEY, g char(1), h text, k int, s smallint, b bigint, q numeric(12,2), p numeric(6,3),
    u numeric, d date, ts timestamp, f float8, flag boolean)`);
  // Pseudo-random values (multiplicative hashes of the row number), a NULL in every column now and then.
  await db.query(`INSERT INTO r SELECT x,
    CASE WHEN x % 9 = 1 THEN NULL ELSE substr('ABCD', (x * 7) % 4 + 1, 1) END,
    CASE WHEN x % 11 = 2 THEN NULL ELSE (ARRAY['red', 'green', 'blue', 'x y'])[(x * 13) % 4 + 1] END,
    CASE WHEN x % 8 = 3 THEN NULL ELSE (x * 7919) % 2000 - 1000 END,
    CASE WHEN x % 10 = 4 THEN NULL ELSE (x * 31) % 600 - 300 END,
    CASE WHEN x % 12 = 5 THEN NULL ELSE (x::bigint * 104729 % 1073741824) * 1000003 - 500000000000000 END,
    CASE WHEN x % 7 = 6 THEN NULL ELSE ((x::bigint * 15485863) % 2000000 - 1000000) / 100.0 END,
    CASE WHEN x % 13 = 0 THEN NULL ELSE ((x * 37) % 2000) / 1000.0 END,
    CASE WHEN x % 14 = 1 THEN NULL ELSE round(((x * 101) % 100000) / 10.0, 1) END,
    CASE WHEN x % 15 = 2 THEN NULL ELSE DATE '1994-01-01' + (x * 17) % 1500 END,
    CASE WHEN x % 16 = 3 THEN NULL ELSE TIMESTAMP '2001-02-03 04:05:06' + interval '1 second' * ((x * 7) % 100000) END,
    CASE WHEN x % 17 = 4 THEN NULL ELSE ((x::bigint * 65537) % 100000 - 50000) / 7.0::float8 END,
    CASE WHEN x % 18 = 5 THEN NULL ELSE x % 3 = 0 END
    FROM generate_series(0, 1999) x`);
  await db.query(`CREATE TABLE lineitem (l_orderkey integer NOT NULL, l_linenumber integer NOT NULL, l_quantity numeric(15,2), l_extendedprice numeric(15,2),
    l_discount numeric(15,2), l_tax numeric(15,2), l_returnflag char(1), l_linestatus char(1), l_shipdate date, PRIMARY KEY (l_orderkey, l_linenumber))`);
  // sql_bench.ts's generator, in SQL: shipdates over 1992-01-01 + 0..2525 days, 'N'/'O' after mid-1995.
  await db.query(`INSERT INTO lineitem SELECT x / 4 + 1, x % 4 + 1, q, q * (90000 + (x::bigint * 7907) % 110001) / 100, ((x * 13) % 11) / 100.0,
    ((x * 17) % 9) / 100.0, CASE WHEN sd > 1263 THEN 'N' WHEN x % 2 = 0 THEN 'R' ELSE 'A' END, CASE WHEN sd > 1263 THEN 'O' ELSE 'F' END,
    DATE '1992-01-01' + sd
    FROM (SELECT x, 1 + (x * 31) % 50 AS q, (x * 7883) % 2526 AS sd FROM generate_series(0, 2999) x) s`);
}, 120_000);

afterAll(async () => {
  await db?.close();
});

describe('columnar aggregates equal the row path', () => {
  it('grouped aggregates of every supported type, with NULL keys and NULL values', async () => {
    const r = await both(`SELECT g, h, count(*), count(k), sum(k), avg(k), min(k), max(k), sum(s), avg(s), sum(b), avg(b), min(b), max(b),
      sum(q), avg(q), min(q), max(q), sum(p), avg(u), max(u), min(d), max(d), min(ts), max(ts), sum(f), min(f), max(f), count(flag), count(h)
      FROM r GROUP BY g, h ORDER BY g, h`);
    expect(r.length).toBeGreaterThan(8);
    expect(r.some((x) => x[0] === null) && r.some((x) => x[1] === null)).toBe(true);
  });

  it('filters: ranges, BETWEEN, text predicates, OR / NOT / IS NULL, booleans, constants of other scales', async () => {
    for (const where of [
      `d >= DATE '1995-01-01' AND d < DATE '1996-01-01' AND p BETWEEN 0.05 AND 0.7 AND q < 24`,
      `q > -100.5 AND q <= 100.25`, `p = 0.5 OR p = 1.25`, `k BETWEEN -10 AND 300 AND s <> 7`, `b > 0`, `b < -400000000000000`,
      `g = 'A'`, `g IN ('B', 'C')`, `h LIKE '%e%'`, `g IS NULL`, `h IS NOT NULL AND k IS NULL`, `NOT (k > 0) OR g = 'D'`,
      `flag`, `NOT flag`, `flag IS NULL`, `f < 100.5 AND f > -3`, `k < s`, `q * 2 > p + k`, `ts > TIMESTAMP '2001-02-03 12:00:00'`,
      `u > 1000`, `k + s > 10`, `-k > 5`, `upper(h) = 'RED'`, `1 = 1`,
    ]) {
      await both(`SELECT count(*), sum(q), sum(k), min(d), max(f) FROM r WHERE ${where}`);
      await both(`SELECT g, count(*), avg(q), sum(b) FROM r WHERE ${where} GROUP BY g ORDER BY g`);
    }
  });

  it('arithmetic in aggregates: numeric scales, integer widening, casts', async () => {
    await both(`SELECT sum(q * (1 - p)), sum(q * (1 - p) * (1 + p)), avg(q - p), sum(k * s), sum(k::bigint * b / 1), max(q * p), min(-q),
      sum(k::numeric + 0.5), sum(k::float8 * 0.5), sum(f * 2 - 1), sum(s + 1), avg(u + q) FROM r`, false);
    await both(`SELECT sum(q * (1 - p)), sum(q * (1 - p) * (1 + p)), avg(q - p), sum(k * s), max(q * p), min(-q),
      sum(k::numeric + 0.5), sum(k::float8 * 0.5), sum(f * 2 - 1), sum(s + 1), avg(u + q) FROM r`);
  });

  it('empty inputs: no group without GROUP BY gives one row of NULLs and zero counts; with GROUP BY no rows', async () => {
    expect(await both('SELECT count(*), count(k), sum(q), avg(k), min(d), max(f) FROM r WHERE k > 5000')).toEqual([['0', '0', null, null, null, null]]);
    expect(await both('SELECT g, count(*), sum(q) FROM r WHERE k > 5000 GROUP BY g')).toEqual([]);
  });

  it('groups on integer and date columns (hashed group table)', async () => {
    await both('SELECT k, count(*), sum(q) FROM r GROUP BY k ORDER BY k');
    await both('SELECT d, g, count(*), max(q) FROM r WHERE q > 0 GROUP BY d, g ORDER BY d, g');
  });
});

describe('fallback to the row path', () => {
  it('an integer overflow gives the row path\'s error (22003), a numeric beyond i64 its exact result', async () => {
    expect(await codeOf(db.query('SELECT sum(k * k * 10000) FROM r'))).toBe('22003');
    await db.query('SET colcache = off');
    expect(await codeOf(db.query('SELECT sum(k * k * 10000) FROM r'))).toBe('22003');
    await db.query('SET colcache = on');
    const before = colAggStats.fallback;
    // b * b * b exceeds i64 for most rows: the kernel reports overflow, the row path computes it exactly.
    await both('SELECT sum(b::numeric * b * b), max(q * q * q * q * q) FROM r', false);
    expect(colAggStats.fallback).toBeGreaterThan(before);
    expect(lastWhy).toBe('overflow');
  });

  it('unsupported shapes and expressions run as before', async () => {
    await both('SELECT count(DISTINCT g) FROM r', false);
    await both('SELECT g, string_agg(h, \',\' ORDER BY id) FROM r GROUP BY g ORDER BY g', false);
    await both('SELECT sum(k) FILTER (WHERE k > 0) FROM r', false);
    await both('SELECT avg(f) FROM r', false);
    await both('SELECT sum(CASE WHEN k > 0 THEN 1 ELSE 0 END) FROM r', false);
    // A subquery runs synchronously: the columnar operator steps aside.
    expect(text(await db.query('SELECT (SELECT count(*) FROM r WHERE k > 0) AS n'))[0]![0]).toBe(
      text(await db.query('SELECT count(*) FROM r WHERE k > 0'))[0]![0]);
  });

  it('a transaction that wrote the table reads its own rows through the row path', async () => {
    await db.query('BEGIN');
    await db.query(`INSERT INTO r (id, g, k, q) VALUES (100000, 'Z', 1, 1.5)`);
    await both(`SELECT g, count(*), sum(q) FROM r WHERE g = 'Z' GROUP BY g`, false);
    await db.query('ROLLBACK');
    await both(`SELECT g, count(*), sum(q) FROM r WHERE g = 'Z' GROUP BY g`);
  });

  it('EXPLAIN names the columnar aggregate; a primary-key WHERE keeps the index path', async () => {
    const plan = (q: string): Promise<string> => db.query(`EXPLAIN ${q}`).then((r) => text(r).map((x) => x[0]).join('\n'));
    expect(await plan('SELECT g, sum(q) FROM r GROUP BY g')).toMatch(/^Columnar Aggregate/);
    expect(await plan('SELECT count(*) FROM r WHERE id = 5')).not.toMatch(/Columnar/);
    expect(await plan('SELECT count(DISTINCT g) FROM r')).not.toMatch(/Columnar/);
  });
});

describe('TPC-H', () => {
  it('Q1 and Q6 equal the row path', async () => {
    const compiled = vprogJit.programs;
    const errors = vprogJit.errors;
    const q1 = await both(`SELECT l_returnflag, l_linestatus, sum(l_quantity) AS sum_qty, sum(l_extendedprice) AS sum_base_price,
      sum(l_extendedprice * (1 - l_discount)) AS sum_disc_price, sum(l_extendedprice * (1 - l_discount) * (1 + l_tax)) AS sum_charge,
      avg(l_quantity) AS avg_qty, avg(l_extendedprice) AS avg_price, avg(l_discount) AS avg_disc, count(*) AS count_order
      FROM lineitem WHERE l_shipdate <= DATE '1998-09-02' GROUP BY l_returnflag, l_linestatus ORDER BY l_returnflag, l_linestatus`);
    expect(q1.map((r) => `${r[0]}${r[1]}`)).toEqual(['AF', 'NO', 'RF']);
    const q6 = await both(`SELECT sum(l_extendedprice * l_discount) AS revenue FROM lineitem
      WHERE l_shipdate >= DATE '1994-01-01' AND l_shipdate < DATE '1995-01-01' AND l_discount BETWEEN 0.05 AND 0.07 AND l_quantity < 24`);
    expect(q6[0]![0]).not.toBeNull();
    // Both ran compiled to WebAssembly (the interpreter kernel too, JIT off, in both()).
    expect(vprogJit.programs - compiled).toBe(2);
    expect(vprogJit.errors).toBe(errors);
  });
});
