// DECLARE ... CURSOR with $n parameters (host/engine/session/cursors.ts):
// the values are bound at DECLARE with the types the query infers for them,
// as PostgreSQL does for a DECLARE sent through the extended protocol.
// Outcomes checked on PostgreSQL 15 through node-postgres (same statements).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { codeOf, memoryDb, text } from './helpers.ts';

let db: Database;

beforeAll(async () => {
  db = await memoryDb();
  await db.query('CREATE TABLE cp (id int PRIMARY KEY, name text)');
  await db.query("INSERT INTO cp SELECT g, 'row ' || g FROM generate_series(1, 6) g");
});
afterAll(async () => {
  await db.close();
});

describe('DECLARE CURSOR with parameters', () => {
  it('binds $1 and $2 at DECLARE; FETCH reads with them', async () => {
    await db.query('BEGIN');
    try {
      const d = await db.query('DECLARE pc CURSOR FOR SELECT id, name FROM cp WHERE id > $1 AND name <> $2 ORDER BY id', [2, 'row 4']);
      expect(d.command).toBe('DECLARE CURSOR');
      expect(text(await db.query('FETCH 2 FROM pc'))).toEqual([['3', 'row 3'], ['5', 'row 5']]);
      expect(text(await db.query('FETCH ALL FROM pc'))).toEqual([['6', 'row 6']]);
    } finally {
      await db.query('ROLLBACK');
    }
  });

  it('text values are parsed as the inferred types; a parameter in the select list; WITH HOLD keeps the values after COMMIT', async () => {
    await db.query('BEGIN');
    await db.query('DECLARE ph CURSOR WITH HOLD FOR SELECT id * $1::int AS x FROM cp WHERE id <= $2 ORDER BY id', ['10', '3']);
    await db.query('COMMIT');
    try {
      expect(text(await db.query('FETCH ALL FROM ph'))).toEqual([['10'], ['20'], ['30']]);
    } finally {
      await db.query('CLOSE ph');
    }
  });

  it('a value that does not fit the inferred type fails at DECLARE (22P02); a missing one is 42P02 / 08P01', async () => {
    await db.query('BEGIN');
    expect(await codeOf(db.query('DECLARE bad CURSOR FOR SELECT * FROM cp WHERE id = $1', ['x']))).toBe('22P02');
    await db.query('ROLLBACK');
    await db.query('BEGIN');
    expect(await codeOf(db.query('DECLARE bad CURSOR FOR SELECT * FROM cp WHERE id = $1'))).toBe('42P02');
    await db.query('ROLLBACK');
    await db.query('BEGIN');
    expect(await codeOf(db.query('DECLARE bad2 CURSOR FOR SELECT * FROM cp WHERE id = $1 OR id = $2', [1]))).toBe('08P01');
    await db.query('ROLLBACK');
  });
});
