// SQL cursors and COMMENT ON through the PostgreSQL wire: node-postgres over
// the simple and the extended protocol (FETCH's RowDescription, command
// tags), and psql (FETCH output, \d+ / \dt+ descriptions).

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, PSQL, psqlAt, type PsqlResult, startTestServer, type TestServer } from './server_helper.ts';

if (!PSQL && process.env.CI === 'true') throw new Error('psql is required in CI (install postgresql-client-15)');
if (!PSQL) console.warn('psql not found: skipping the psql cursor and comment tests');

let srv: TestServer;
const clients: pg.Client[] = [];

async function client(): Promise<pg.Client> {
  const c = new pg.Client({ host: '127.0.0.1', port: srv.port, user: 'sysdba', password: PASSWORD, database: 'scratchbird' });
  await c.connect();
  clients.push(c);
  return c;
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

function psql(args: string[]): Promise<PsqlResult> {
  return psqlAt(srv.port, args);
}

beforeAll(async () => {
  srv = await startTestServer();
  const c = await client();
  await c.query('CREATE TABLE wc (id int PRIMARY KEY, name text)');
  await c.query("INSERT INTO wc SELECT g, 'row ' || g FROM generate_series(1, 5) g");
});
afterAll(async () => {
  for (const c of clients) await c.end().catch(() => {});
  await srv?.stop();
});

describe('cursors over the wire (pg driver)', () => {
  it('DECLARE / FETCH / MOVE / CLOSE with their command tags and row descriptions (simple query)', async () => {
    const c = await client();
    await c.query('BEGIN');
    const d = await c.query('DECLARE cw SCROLL CURSOR FOR SELECT id, name FROM wc ORDER BY id');
    expect(d.command).toBe('DECLARE');
    const f = await c.query('FETCH 2 FROM cw');
    expect(f.command).toBe('FETCH');
    expect(f.rowCount).toBe(2);
    expect(f.rows).toEqual([{ id: 1, name: 'row 1' }, { id: 2, name: 'row 2' }]);
    expect(f.fields.map((x) => [x.name, x.dataTypeID])).toEqual([['id', 23], ['name', 25]]);
    const m = await c.query('MOVE FORWARD 2 IN cw');
    expect(m.command).toBe('MOVE');
    expect(m.rowCount).toBe(2);
    expect(m.fields).toEqual([]);
    expect((await c.query('FETCH PRIOR FROM cw')).rows).toEqual([{ id: 3, name: 'row 3' }]);
    // A FETCH past the end still describes its columns.
    const empty = await c.query('FETCH ABSOLUTE 9 FROM cw');
    expect(empty.rowCount).toBe(0);
    expect(empty.fields.map((x) => x.name)).toEqual(['id', 'name']);
    const cl = await c.query('CLOSE cw');
    expect(cl.command).toBe('CLOSE');
    expect(await codeOf(c.query('FETCH cw'))).toBe('34000');
    await c.query('ROLLBACK');
  });

  it('a BINARY cursor sends its rows in binary format (simple query)', async () => {
    const c = await client();
    await c.query('BEGIN');
    await c.query('DECLARE bc BINARY CURSOR FOR SELECT id, name FROM wc ORDER BY id');
    const f = await c.query('FETCH 2 FROM bc');
    expect(f.fields.map((x) => x.format)).toEqual(['binary', 'binary']);
    expect(f.rows).toEqual([{ id: 1, name: 'row 1' }, { id: 2, name: 'row 2' }]);
    await c.query('DECLARE tc CURSOR FOR SELECT id FROM wc ORDER BY id');
    expect((await c.query('FETCH tc')).fields[0]!.format).toBe('text');
    await c.query('COMMIT');
  });

  it('FETCH as a named prepared statement (extended protocol: Parse / Describe / Execute)', async () => {
    const c = await client();
    await c.query('BEGIN');
    await c.query('DECLARE cx CURSOR FOR SELECT id, name FROM wc ORDER BY id');
    const a = await c.query({ name: 'fetch_two', text: 'FETCH 2 FROM cx' });
    expect(a.rows).toEqual([{ id: 1, name: 'row 1' }, { id: 2, name: 'row 2' }]);
    const b = await c.query({ name: 'fetch_two', text: 'FETCH 2 FROM cx' });
    expect(b.rows).toEqual([{ id: 3, name: 'row 3' }, { id: 4, name: 'row 4' }]);
    await c.query('COMMIT');
  });

  it('DECLARE with $n parameters over the extended protocol (values bound at DECLARE, types inferred)', async () => {
    const c = await client();
    await c.query('BEGIN');
    await c.query('DECLARE cp CURSOR FOR SELECT id, name FROM wc WHERE id > $1 AND name <> $2 ORDER BY id', [2, 'row 4']);
    const a = await c.query('FETCH ALL FROM cp');
    expect(a.rows).toEqual([{ id: 3, name: 'row 3' }, { id: 5, name: 'row 5' }]);
    // A value of the wrong type fails as PostgreSQL does (22P02), at DECLARE.
    expect(await codeOf(c.query('DECLARE cq CURSOR FOR SELECT id FROM wc WHERE id > $1', ['many']))).toBe('22P02');
    await c.query('ROLLBACK');
  });

  it('errors keep PostgreSQL SQLSTATEs; WITH HOLD survives COMMIT; pg_cursors lists the session\'s cursors', async () => {
    const c = await client();
    expect(await codeOf(c.query('DECLARE nb CURSOR FOR SELECT 1'))).toBe('25P01');
    await c.query('BEGIN');
    await c.query('DECLARE dup CURSOR FOR SELECT 1');
    expect(await codeOf(c.query('DECLARE dup CURSOR FOR SELECT 1'))).toBe('42P03');
    await c.query('ROLLBACK');
    await c.query('BEGIN');
    await c.query('DECLARE ns NO SCROLL CURSOR FOR SELECT id FROM wc');
    await c.query('FETCH ns');
    const e = await c.query('FETCH PRIOR FROM ns').catch((x: unknown) => x as { code: string; hint: string });
    expect((e as { code: string }).code).toBe('55000');
    expect((e as { hint: string }).hint).toBe('Declare it with SCROLL option to enable backward scan.');
    await c.query('ROLLBACK');
    await c.query('DECLARE held CURSOR WITH HOLD FOR SELECT id FROM wc ORDER BY id DESC');
    const other = await client();
    const mine = await c.query('SELECT name, is_holdable, is_scrollable FROM pg_cursors');
    expect(mine.rows).toEqual([{ name: 'held', is_holdable: true, is_scrollable: true }]);
    expect((await other.query('SELECT count(*)::int AS n FROM pg_cursors')).rows).toEqual([{ n: 0 }]);
    expect((await c.query('FETCH 2 FROM held')).rows).toEqual([{ id: 5 }, { id: 4 }]);
    await c.query('CLOSE ALL');
    expect((await c.query('SELECT count(*)::int AS n FROM pg_cursors')).rows).toEqual([{ n: 0 }]);
  });
});

describe.skipIf(!PSQL)('cursors in psql', () => {
  it('prints FETCH results and MOVE / CLOSE tags', async () => {
    const r = await psql(['-v', 'ON_ERROR_STOP=1', '-c', 'BEGIN', '-c', 'DECLARE pc CURSOR FOR SELECT id, name FROM wc ORDER BY id',
      '-c', 'FETCH 2 FROM pc', '-c', 'MOVE 1 IN pc', '-c', 'FETCH NEXT FROM pc', '-c', 'CLOSE pc', '-c', 'COMMIT']);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe([
      'BEGIN', 'DECLARE CURSOR',
      ' id | name  ', '----+-------', '  1 | row 1', '  2 | row 2', '(2 rows)', '',
      'MOVE 1',
      ' id | name  ', '----+-------', '  4 | row 4', '(1 row)', '',
      'CLOSE CURSOR', 'COMMIT', '',
    ].join('\n'));
  });
});

describe('COMMENT ON over the wire', () => {
  it('COMMENT tags; descriptions through obj_description / col_description / shobj_description', async () => {
    const c = await client();
    await c.query('CREATE TABLE wd (id int PRIMARY KEY, label text)');
    expect((await c.query("COMMENT ON TABLE wd IS 'documented'")).command).toBe('COMMENT');
    await c.query("COMMENT ON COLUMN wd.label IS 'what it shows'");
    await c.query("COMMENT ON DATABASE scratchbird IS 'the database'");
    const r = await c.query(`SELECT obj_description('wd'::regclass, 'pg_class') AS t, col_description('wd'::regclass, 2) AS c,
      (SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = current_database()) AS d`);
    expect(r.rows).toEqual([{ t: 'documented', c: 'what it shows', d: 'the database' }]);
    expect(await codeOf(c.query("COMMENT ON TABLE wd_missing IS 'x'"))).toBe('42P01');
    await c.query('COMMENT ON DATABASE scratchbird IS NULL');
  });
});

describe.skipIf(!PSQL)('comments in psql', () => {
  it('\\dt+ shows the table description and \\d+ the column descriptions', async () => {
    const c = await client();
    await c.query('CREATE TABLE wp (id int PRIMARY KEY, name text)');
    await c.query("COMMENT ON TABLE wp IS 'web people'");
    await c.query("COMMENT ON COLUMN wp.name IS 'display name'");
    const dt = await psql(['-c', '\\dt+ wp']);
    expect(dt.stderr).toBe('');
    const header = dt.stdout.split('\n')[1]!;
    expect(header).toBe(' Schema | Name | Type  | Owner  | Persistence | Access method |  Size   | Description ');
    expect(dt.stdout.split('\n')[3]).toBe(' public | wp   | table | sysdba | permanent   | heap          | 0 bytes | web people');
    const d = await psql(['-c', '\\d+ wp']);
    expect(d.stderr).toBe('');
    const lines = d.stdout.split('\n');
    // The layout psql 15 prints for the same table on PostgreSQL 15.
    expect(lines.slice(1, 5)).toEqual([
      ' Column |  Type   | Collation | Nullable | Default | Storage  | Compression | Stats target | Description  ',
      '--------+---------+-----------+----------+---------+----------+-------------+--------------+--------------',
      ' id     | integer |           | not null |         | plain    |             |              | ',
      ' name   | text    |           |          |         | extended |             |              | display name',
    ]);
  });
});
