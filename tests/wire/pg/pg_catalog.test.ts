// pg_catalog / information_schema views through the embedded API: they
// follow DDL (committed and the session's own uncommitted), and the catalog
// functions render indexes and constraints as PostgreSQL does.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../host/engine/db.ts';
import { memoryDb } from '../../sql/helpers.ts';

let db: Database;
beforeAll(async () => {
  db = await memoryDb();
  await db.exec("CREATE TABLE t (id int PRIMARY KEY, name varchar(20) NOT NULL DEFAULT 'x', v numeric(5,2)); CREATE INDEX t_name ON t (name DESC)");
  await db.exec('CREATE TABLE c (id int PRIMARY KEY, tid int REFERENCES t (id) ON DELETE CASCADE, CHECK (id > 0))');
});
afterAll(async () => {
  await db.close();
});

const rows = async (sql: string): Promise<unknown[][]> => (await db.query(sql)).rows;

describe('pg_catalog', () => {
  it('pg_class, pg_namespace and pg_attribute describe tables, indexes and columns', async () => {
    expect(await rows("SELECT c.relname, c.relkind, n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relname LIKE 't%' ORDER BY 1")).toEqual([
      ['t', 'r', 'public'], ['t_name', 'i', 'public'], ['t_pkey', 'i', 'public'],
    ]);
    expect(await rows("SELECT attname, format_type(atttypid, atttypmod), attnotnull, atthasdef FROM pg_attribute WHERE attrelid = 't'::regclass AND attnum > 0 ORDER BY attnum")).toEqual([
      ['id', 'integer', true, false], ['name', 'character varying(20)', true, true], ['v', 'numeric(5,2)', false, false],
    ]);
    const def = await rows("SELECT adnum, pg_get_expr(adbin, adrelid) FROM pg_attrdef WHERE adrelid = 't'::regclass");
    expect(def).toEqual([[2, expect.stringContaining("'x'")]]);
  });

  it('pg_type answers the array-type query drivers run on connect', async () => {
    const r = await rows("SELECT b.oid, b.typarray FROM pg_catalog.pg_type a LEFT JOIN pg_catalog.pg_type b ON b.oid = a.typelem WHERE a.typcategory = 'A' GROUP BY b.oid, b.typarray ORDER BY b.oid");
    expect(r).toContainEqual([23, 1007]);
    expect(r).toContainEqual([25, 1009]);
    expect(await rows("SELECT typname, typlen, typcategory FROM pg_type WHERE oid = 1700")).toEqual([['numeric', -1, 'N']]);
  });

  it('pg_get_indexdef, pg_get_constraintdef and pg_index', async () => {
    expect(await rows("SELECT pg_get_indexdef(indexrelid), indisprimary FROM pg_index WHERE indrelid = 't'::regclass ORDER BY 2 DESC")).toEqual([
      ['CREATE UNIQUE INDEX t_pkey ON public.t USING btree (id)', true],
      ['CREATE INDEX t_name ON public.t USING btree (name DESC)', false],
    ]);
    const cons = (await rows("SELECT contype, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'c'::regclass ORDER BY 1")) as string[][];
    expect(cons.map((r) => r[0])).toEqual(['c', 'f', 'p']);
    expect(cons[1]![1]).toBe('FOREIGN KEY (tid) REFERENCES t(id) ON DELETE CASCADE');
    expect(cons[2]![1]).toBe('PRIMARY KEY (id)');
  });

  it('information_schema.tables and columns', async () => {
    expect(await rows("SELECT table_name, table_type FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")).toEqual([['c', 'BASE TABLE'], ['t', 'BASE TABLE']]);
    expect(await rows("SELECT column_name, data_type, character_maximum_length, numeric_precision, numeric_scale, is_nullable FROM information_schema.columns WHERE table_name = 't' ORDER BY ordinal_position")).toEqual([
      ['id', 'integer', null, 32, 0, 'NO'], ['name', 'character varying', 20, null, null, 'NO'], ['v', 'numeric', null, 5, 2, 'YES'],
    ]);
  });

  it('follows DDL: a session sees its own uncommitted table, others only after COMMIT', async () => {
    const a = db.session();
    const b = db.session();
    try {
      await a.query('BEGIN');
      await a.query('CREATE TABLE fresh (x int)');
      expect((await a.query("SELECT relname FROM pg_class WHERE relname = 'fresh'")).rows).toEqual([['fresh']]);
      expect((await b.query("SELECT relname FROM pg_class WHERE relname = 'fresh'")).rows).toEqual([]);
      await a.query('COMMIT');
      expect((await b.query("SELECT relname FROM pg_class WHERE relname = 'fresh'")).rows).toEqual([['fresh']]);
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('CTEs named like catalogs win over them; regclass knows the system relations', async () => {
    expect(await rows('WITH pg_type AS (SELECT 1 AS x) SELECT x FROM pg_type')).toEqual([[1]]);
    expect(await rows("SELECT 'pg_catalog.pg_class'::regclass::oid, 1259::regclass::text")).toEqual([[1259, 'pg_class']]);
  });

  it('array subscripts and slices (psql\'s \\d queries use them)', async () => {
    expect(await rows("SELECT ('{10,20,30}'::int[])[2], ('{10,20,30}'::int[])[4], ('{{1,2},{3,4}}'::int[])[2][1], ('{a,b}'::text[])[1]")).toEqual([[20, null, 3, 'a']]);
    const r = await rows("SELECT ('{10,20,30}'::int[])[2:3]::text, ('{10,20,30}'::int[])[:1]::text");
    expect(r).toEqual([['{20,30}', '{10}']]);
    expect(await rows('SELECT indkey[1] FROM pg_index WHERE indexrelid = \'t_name\'::regclass')).toEqual([[2]]);
  });

  it('information_schema constraints: table_constraints, key_column_usage, referential_constraints', async () => {
    expect(await rows("SELECT constraint_name, constraint_type FROM information_schema.table_constraints WHERE table_name = 'c' ORDER BY 1")).toEqual([
      ['c_id_check', 'CHECK'], ['c_pkey', 'PRIMARY KEY'], ['c_tid_fkey', 'FOREIGN KEY'],
    ]);
    expect(await rows("SELECT column_name, ordinal_position FROM information_schema.key_column_usage WHERE constraint_name = 'c_tid_fkey'")).toEqual([['tid', 1]]);
    expect(await rows('SELECT constraint_name, unique_constraint_name, delete_rule, update_rule FROM information_schema.referential_constraints')).toEqual([
      ['c_tid_fkey', 't_pkey', 'CASCADE', 'NO ACTION'],
    ]);
  });

  it('pg_settings follows SET (never served from a cached plan)', async () => {
    const s = db.session();
    try {
      const q = "SELECT setting, source FROM pg_settings WHERE name = 'TimeZone'";
      expect((await s.query(q)).rows).toEqual([['UTC', 'default']]);
      await s.query("SET TimeZone = 'Asia/Tokyo'");
      expect((await s.query(q)).rows).toEqual([['Asia/Tokyo', 'session']]);
    } finally {
      await s.close();
    }
  });
});
