// ORDER BY one numeric key runs through the sort kernel (SortOp + kernelSortOrder):
// the order must be PostgreSQL's (NaN greatest, -0 = 0, NULLS FIRST/LAST, stable
// for ties, as the TypeScript sort is), on random data.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { open, type Database } from '../../host/engine/db.ts';
import { execKernels } from '../../host/engine/exec/kernels.ts';
import { nodePlatform } from '../../host/platform/node.ts';

let db: Database;
beforeAll(async () => {
  db = await open(':memory:', { platform: nodePlatform(), store: { background: false } });
  await db.exec('CREATE TABLE s (id int PRIMARY KEY, f float8, i int8, d date)');
});
afterAll(async () => {
  await db.close();
});

function pgCmp(a: number, b: number): number {
  const na = Number.isNaN(a), nb = Number.isNaN(b);
  if (na || nb) return na && nb ? 0 : na ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

describe('ORDER BY through the sort kernel', () => {
  it('the kernels are loaded by open()', () => {
    expect(execKernels()).not.toBeNull();
  });

  it('float8, int8 and date keys, asc/desc, NULLS FIRST/LAST, ties in scan order', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.tuple(
        fc.option(fc.oneof(fc.double(), fc.constantFrom(0, -0, NaN, Infinity, -Infinity, 1.5)), { freq: 5 }),
        fc.option(fc.integer({ min: -5, max: 5 }), { freq: 5 }),
      ), { maxLength: 60 }),
      fc.constantFrom('f', 'i', 'd'), fc.boolean(), fc.constantFrom('', ' NULLS FIRST', ' NULLS LAST'),
      async (rows, col, desc, nulls) => {
        await db.exec('DELETE FROM s');
        for (let id = 0; id < rows.length; id++) {
          const [f, i] = rows[id]!;
          await db.query('INSERT INTO s VALUES ($1, $2, $3, $4)', [id, f, i, i === null ? null : `2001-01-${String(10 + i).padStart(2, '0')}`]);
        }
        const r = await db.query(`SELECT id FROM s ORDER BY ${col}${desc ? ' DESC' : ''}${nulls}`);
        const key = (id: number): number | null => (col === 'f' ? rows[id]![0] : rows[id]![1]) ?? null;
        const nullsFirst = nulls === '' ? desc : nulls === ' NULLS FIRST';
        const ids = rows.map((_, id) => id);
        ids.sort((a, b) => {
          const x = key(a), y = key(b);
          if (x === null || y === null) return x === y ? 0 : (x === null) === nullsFirst ? -1 : 1;
          return (desc ? -1 : 1) * pgCmp(x, y);
        });
        expect(r.rows.map((row) => (row as unknown[])[0])).toEqual(ids);
      }), { numRuns: 40 });
  });
});
