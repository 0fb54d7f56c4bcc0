// postgres.js with its default settings: its array-type fetch from pg_type
// on connect, named prepared statements (Parse/Describe/Bind/Execute),
// tagged-template parameters, transactions and errors.

import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestServer, type TestServer } from './server_helper.ts';

let srv: TestServer;
let sql: postgres.Sql;

beforeAll(async () => {
  srv = await startTestServer();
  sql = postgres({ host: '127.0.0.1', port: srv.port, user: 'sysdba', password: PASSWORD, database: 'scratchbird', max: 4, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end({ timeout: 2 });
  await srv?.stop();
});

describe('postgres.js (default settings)', () => {
  it('connects (SCRAM, type fetch) and runs prepared, parameterised statements', async () => {
    await sql`CREATE TABLE people (id int PRIMARY KEY, name text NOT NULL, tags text[], born date, score numeric(6,2))`;
    await sql`INSERT INTO people ${sql([{ id: 1, name: 'ada', tags: ['math', 'code'], born: '1815-12-10', score: '99.50' }, { id: 2, name: 'alan', tags: [], born: '1912-06-23', score: null }])}`;
    for (const id of [1, 2, 1]) {
      const rows = await sql`SELECT id, name, tags, score FROM people WHERE id = ${id}`;
      expect(rows.length).toBe(1);
      expect(rows[0]!.id).toBe(id);
    }
    const [ada] = await sql`SELECT name, tags, born, score FROM people WHERE name = ${'ada'}`;
    expect(ada).toEqual({ name: 'ada', tags: ['math', 'code'], born: new Date('1815-12-10T00:00:00Z'), score: '99.50' });
    const n = await sql`UPDATE people SET score = ${12.5} WHERE id = ${2}`;
    expect(n.count).toBe(1);
    expect(n.command).toBe('UPDATE');
  });

  it('transactions commit and roll back', async () => {
    await sql.begin(async (tx) => {
      await tx`INSERT INTO people (id, name) VALUES (${3}, ${'grace'})`;
    });
    await expect(sql.begin(async (tx) => {
      await tx`INSERT INTO people (id, name) VALUES (${4}, ${'linus'})`;
      throw new Error('abort');
    })).rejects.toThrow('abort');
    const ids = await sql`SELECT id FROM people ORDER BY id`;
    expect(ids.map((r) => r.id)).toEqual([1, 2, 3]);
  });

  it('errors carry SQLSTATEs; simple (unsafe) queries run several statements', async () => {
    await expect(sql`SELECT * FROM nowhere`).rejects.toMatchObject({ code: '42P01' });
    await expect(sql`INSERT INTO people (id, name) VALUES (${1}, ${'dup'})`).rejects.toMatchObject({ code: '23505' });
    const r = await sql.unsafe('SELECT 1 AS a; SELECT 2 AS b');
    expect(r.length).toBe(2);
    const cols = await sql`SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ${'people'} ORDER BY ordinal_position`;
    expect(cols.map((c) => `${c.column_name}:${c.data_type}`)).toEqual(['id:integer', 'name:text', 'tags:ARRAY', 'born:date', 'score:numeric']);
  });
});
