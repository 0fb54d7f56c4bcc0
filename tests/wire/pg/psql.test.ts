// Real psql (PostgreSQL 15's client) against the server: SCRAM login, a
// script with DDL, DML, a transaction, an error, and its printed output.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, PSQL, psqlAt, type PsqlResult, startTestServer, type TestServer } from './server_helper.ts';

if (!PSQL && process.env.CI === 'true') throw new Error('psql is required in CI (install postgresql-client-15)');
if (!PSQL) console.warn('psql not found: skipping the psql tests');

let srv: TestServer;

/** psql against the test server. */
function psql(args: string[], password = PASSWORD): Promise<PsqlResult> {
  return psqlAt(srv.port, args, { PGPASSWORD: password, PGSSLMODE: 'prefer' });
}

describe.skipIf(!PSQL)('psql', () => {
  beforeAll(async () => {
    srv = await startTestServer();
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('connects with SCRAM (after SSLRequest is declined) and runs a script', async () => {
    const script = join(srv.dir, 'script.sql');
    writeFileSync(script, [
      'CREATE TABLE fruit (id int PRIMARY KEY, name text NOT NULL, price numeric(6,2));',
      "INSERT INTO fruit VALUES (1, 'apple', 1.25), (2, 'pear', NULL);",
      'BEGIN;',
      "UPDATE fruit SET price = 2.50 WHERE name = 'pear';",
      'COMMIT;',
      'SELECT id, name, price FROM fruit ORDER BY id;',
      'SELECT name FROM fruit WHERE price > $$1$$;',
      'SHOW server_version;',
      '',
    ].join('\n'));
    const r = await psql(['-v', 'ON_ERROR_STOP=1', '-f', script]);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('CREATE TABLE\nINSERT 0 2\nBEGIN\nUPDATE 1\nCOMMIT\n');
    expect(r.stdout).toContain(' id | name  | price \n----+-------+-------\n  1 | apple |  1.25\n  2 | pear  |  2.50\n(2 rows)');
    expect(r.stdout).toContain(' 16.0\n');
  });

  it('prints errors with their position and stops on them with ON_ERROR_STOP', async () => {
    const r = await psql(['-v', 'ON_ERROR_STOP=1', '-c', 'SELECT missing_col FROM fruit']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('ERROR:  column "missing_col" does not exist');
    expect(r.stderr).toContain('LINE 1: SELECT missing_col FROM fruit');
  });

  it('unaligned, tuples-only output and a wrong password', async () => {
    const r = await psql(['-At', '-c', "SELECT name, price FROM fruit ORDER BY id"]);
    expect(r.stdout).toBe('apple|1.25\npear|2.50\n');
    const bad = await psql(['-c', 'SELECT 1'], 'wrong');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain('password authentication failed for user "sysdba"');
  });

  it('describes the catalog: \\l, \\dn, \\du, \\dt, \\di, \\dv, \\ds, \\d view, \\df, \\d table', async () => {
    const setup = await psql(['-q', '-v', 'ON_ERROR_STOP=1', '-c', 'CREATE INDEX fruit_name ON fruit (name); CREATE VIEW cheap AS SELECT id, name FROM fruit WHERE price < 2; CREATE SEQUENCE fruit_seq']);
    expect(setup.stderr).toBe('');
    const run = async (cmd: string): Promise<string> => {
      const r = await psql(['-c', cmd]);
      expect(r.stderr, cmd).toBe('');
      return r.stdout;
    };
    expect(await run('\\l')).toMatch(/^ scratchbird \| sysdba \| UTF8 /m);
    expect(await run('\\dn')).toMatch(/^ public \| sysdba$/m);
    expect(await run('\\du')).toMatch(/^ sysdba +\| Superuser/m);
    const dt = await run('\\dt');
    expect(dt).toMatch(/^ public \| fruit \| table \| sysdba$/m);
    expect(dt).not.toMatch(/cheap/);
    const di = await run('\\di');
    expect(di).toMatch(/^ public \| fruit_name +\| index \| sysdba \| fruit$/m);
    expect(di).toMatch(/^ public \| fruit_pkey +\| index \| sysdba \| fruit$/m);
    expect(await run('\\dv')).toMatch(/^ public \| cheap \| view \| sysdba$/m);
    expect(await run('\\ds')).toMatch(/^ public \| fruit_seq \| sequence \| sysdba$/m);
    const dview = await run('\\d cheap');
    expect(dview).toContain('View "public.cheap"');
    expect(dview).toMatch(/^ name +\| text +\|/m);
    expect(await run('\\dfS lower')).toMatch(/^ pg_catalog \| lower \| text +\| text +\| func$/m);
    await psql(['-q', '-c', 'CREATE TABLE basket (id int PRIMARY KEY, fruit_id int NOT NULL REFERENCES fruit (id) ON DELETE CASCADE, qty int DEFAULT 1 CHECK (qty > 0))']);
    const d = await run('\\d basket');
    expect(d).toContain('Table "public.basket"');
    expect(d).toMatch(/^ fruit_id +\| integer +\| +\| not null \| *$/m);
    expect(d).toMatch(/^ qty +\| integer +\| +\| +\| 1$/m);
    expect(d).toContain('"basket_pkey" PRIMARY KEY, btree (id)');
    expect(d).toMatch(/Check constraints:\n +"basket_qty_check" CHECK \(qty > 0\)/);
    expect(d).toMatch(/Foreign-key constraints:\n +"basket_fruit_id_fkey" FOREIGN KEY \(fruit_id\) REFERENCES fruit\(id\) ON DELETE CASCADE/);
    const f = await run('\\d fruit');
    expect(f).toContain('"fruit_name" btree (name)');
    expect(f).toMatch(/Referenced by:\n +TABLE "basket" CONSTRAINT "basket_fruit_id_fkey"/);
  });

  it('\\copy in and out (text and CSV)', async () => {
    const tsv = join(srv.dir, 'in.tsv');
    const csv = join(srv.dir, 'out.csv');
    writeFileSync(tsv, '10\tkiwi\t0.75\n11\tfig\\ttree\t\\N\n');
    const r = await psql(['-v', 'ON_ERROR_STOP=1', '-c', `\\copy fruit from '${tsv}'`, '-c', `\\copy (SELECT id, name FROM fruit WHERE id >= 10 ORDER BY id) to '${csv}' with (format csv, header)`]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('COPY 2\nCOPY 2\n');
    expect(readFileSync(csv, 'utf8')).toBe('id,name\n10,kiwi\n11,fig\ttree\n');
  });
});
