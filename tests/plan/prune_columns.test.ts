// Planner step 7 (host/engine/plan/planner.ts): a projection straight over a
// table scan has the scan read only the columns the projection and the
// scan's own filter use. Checked on the plans (which columns each scan
// outputs) and on results, including the shapes it must leave alone.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { Session } from '../../host/engine/session/session.ts';
import type { Plan } from '../../host/engine/plan/nodes.ts';
import { planChildren } from '../../host/engine/plan/walk.ts';
import { memoryDb, plannedQuery } from '../sql/helpers.ts';

let db: Database;
let s: Session;

const planOf = (sql: string): Plan => plannedQuery(s, sql);

/** The attnums of every scan of the plan, outermost first. */
function scans(p: Plan): number[][] {
  const out: number[][] = [];
  const walk = (q: Plan): void => {
    if (q.n === 'scan') out.push(q.attnums);
    for (const c of planChildren(q)) walk(c);
  };
  walk(p);
  return out;
}

async function rows(sql: string, params: unknown[] = []): Promise<unknown[][]> {
  return (await db.query(sql, params)).rows;
}

beforeAll(async () => {
  db = await memoryDb();
  // attnums: id 1, a 2, b 3, pad 4, c 5
  await db.exec(`CREATE TABLE t (id int PRIMARY KEY, a int, b text, pad char(84), c int)`);
  await db.exec(`CREATE INDEX t_a ON t (a)`);
  await db.exec(`INSERT INTO t SELECT g, g % 7, 'b' || g, 'p', g * 10 FROM generate_series(1, 300) g`);
  await db.exec(`ANALYZE t`);
  s = new Session(db);
});

afterAll(async () => {
  await s.close();
  await db.close();
});

describe('scan columns', () => {
  it('a point query by the key reads only the selected column', async () => {
    expect(scans(planOf('SELECT c FROM t WHERE id = 5'))).toEqual([[5]]);
    expect(await rows('SELECT c FROM t WHERE id = $1', [5])).toEqual([[50]]);
  });

  it('the columns a residual filter reads are kept, in table order', async () => {
    expect(scans(planOf(`SELECT c, a FROM t WHERE b LIKE 'b1%'`))).toEqual([[2, 3, 5]]);
    const r = await rows(`SELECT c, a FROM t WHERE b LIKE 'b1%' ORDER BY c`);
    expect(r.length).toBe(111); // b1, b10-b19, b100-b199
    expect(r[0]).toEqual([10, 1]);
  });

  it('an index scan on a secondary key reads only what it outputs', async () => {
    const p = planOf('SELECT b FROM t WHERE a = 3');
    expect(scans(p)).toEqual([[3]]);
    expect((await rows('SELECT b FROM t WHERE a = 3 ORDER BY b')).length).toBe(43);
    const explain = (await rows('EXPLAIN (COSTS OFF) SELECT b FROM t WHERE a = 3')).map((r) => r[0]);
    expect(explain.join('\n')).toMatch(/Index Cond: \(a = 3\)/);
  });

  it('an expression over several columns, and a column used twice', async () => {
    expect(scans(planOf('SELECT a + c, c, c * 2 FROM t WHERE id = 9'))).toEqual([[2, 5]]);
    expect(await rows('SELECT a + c, c, c * 2 FROM t WHERE id = 9')).toEqual([[92, 90, 180]]);
  });

  it('no column used at all still counts the rows', async () => {
    expect(scans(planOf('SELECT 1 FROM t'))[0]!.length).toBe(1);
    expect((await rows('SELECT 1 FROM t')).length).toBe(300);
    expect(await rows('SELECT count(*) FROM (SELECT 1 FROM t WHERE c > 2000) q')).toEqual([[100]]);
  });

  it('leaves alone: UPDATE and DELETE scans, FOR UPDATE, and expressions with subqueries', async () => {
    const full = [1, 2, 3, 4, 5];
    const up = planOf('UPDATE t SET c = c + 1 WHERE id = 4');
    expect(scans(up).some((a) => a.length === full.length)).toBe(true);
    expect(scans(planOf('SELECT c FROM t WHERE id = 4 FOR UPDATE'))).toEqual([full]);
    // A correlated subquery reaches the outer row by position: that scan keeps every column.
    const corr = planOf('SELECT (SELECT count(*) FROM t u WHERE u.a = t.a) FROM t WHERE id < 3');
    expect(scans(corr)[0]).toEqual(full);
    expect(await rows('SELECT id, (SELECT count(*)::int FROM t u WHERE u.a = t.a) FROM t WHERE id < 3 ORDER BY id')).toEqual([[1, 43], [2, 43]]);
    // The scan inside the subquery is pruned on its own.
    expect(scans(corr).slice(1).every((a) => a.length < full.length)).toBe(true);
  });

  it('a scroll cursor over a pruned scan fetches forward and backward', async () => {
    await db.query('BEGIN');
    try {
      await db.query('DECLARE k SCROLL CURSOR FOR SELECT c FROM t WHERE id BETWEEN 20 AND 24 ORDER BY id');
      expect((await db.query('FETCH 3 FROM k')).rows).toEqual([[200], [210], [220]]);
      expect((await db.query('FETCH BACKWARD 2 FROM k')).rows).toEqual([[210], [200]]);
      expect((await db.query('FETCH LAST FROM k')).rows).toEqual([[240]]);
    } finally {
      await db.query('ROLLBACK');
    }
  });
});
