// psql's \dp and \dn+ over the server show table, column and schema ACLs as
// PostgreSQL 15 prints them (the expected text is PostgreSQL's output for
// the same statements, with its superuser's name replaced by sysdba).

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PSQL, psqlAt, type PsqlResult, startTestServer, type TestServer } from './server_helper.ts';

if (!PSQL && process.env.CI === 'true') throw new Error('psql is required in CI');
if (!PSQL) console.warn('psql not found: skipping the \\dp tests');

let srv: TestServer;

function psql(file: string): Promise<PsqlResult> {
  return psqlAt(srv.port, ['-f', file]);
}

describe.skipIf(!PSQL)('psql \\dp', () => {
  beforeAll(async () => {
    srv = await startTestServer();
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('shows relation, column and schema privileges', async () => {
    const file = join(srv.dir, 'dp.sql');
    writeFileSync(file, [
      'CREATE ROLE alice LOGIN;',
      'CREATE SCHEMA s;',
      'CREATE TABLE t (a int, b int, c int);',
      'GRANT SELECT (a, b), UPDATE (b) ON t TO alice;',
      'GRANT USAGE, CREATE ON SCHEMA s TO alice;',
      'CREATE VIEW v AS SELECT a, c FROM t;',
      'GRANT SELECT ON v TO alice;',
      '\\dp t',
      '\\dp v',
      '\\dn+ s',
      '',
    ].join('\n'));
    const r = await psql(file);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain([
      ' Schema | Name | Type  | Access privileges | Column privileges | Policies ',
      '--------+------+-------+-------------------+-------------------+----------',
      ' public | t    | table |                   | a:               +| ',
      '        |      |       |                   |   alice=r/sysdba +| ',
      '        |      |       |                   | b:               +| ',
      '        |      |       |                   |   alice=rw/sysdba | ',
      '(1 row)',
    ].join('\n'));
    expect(r.stdout).toContain([
      ' public | v    | view | sysdba=arwdDxt/sysdba+|                   | ',
      '        |      |      | alice=r/sysdba        |                   | ',
    ].join('\n'));
    expect(r.stdout).toContain([
      ' s    | sysdba | sysdba=UC/sysdba +| ',
      '      |        | alice=UC/sysdba   | ',
    ].join('\n'));
  });
});
