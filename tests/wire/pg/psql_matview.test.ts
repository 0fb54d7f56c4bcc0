// Real psql (PostgreSQL 15's client) describing materialized views, views
// WITH CHECK OPTION and expression / partial indexes: \dm, \d mv, \d+ view,
// \d table. Expected lines are what psql prints against PostgreSQL 15.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PSQL, psqlAt, type PsqlResult, startTestServer, type TestServer } from './server_helper.ts';

if (!PSQL && process.env.CI === 'true') throw new Error('psql is required in CI (install postgresql-client-15)');
if (!PSQL) console.warn('psql not found: skipping the psql matview tests');

let srv: TestServer;

function psql(args: string[]): Promise<PsqlResult> {
  return psqlAt(srv.port, args, { PGSSLMODE: 'prefer' });
}

describe.skipIf(!PSQL)('psql: materialized views, check options, expression indexes', () => {
  beforeAll(async () => {
    srv = await startTestServer();
    const setup = await psql(['-q', '-v', 'ON_ERROR_STOP=1', '-c', [
      'CREATE TABLE emp (id int PRIMARY KEY, dept text, email text, active boolean)',
      "INSERT INTO emp VALUES (1, 'eng', 'A@x', true), (2, 'ops', 'b@x', false)",
      'CREATE MATERIALIZED VIEW by_dept AS SELECT dept, count(*) AS n FROM emp GROUP BY dept',
      'CREATE UNIQUE INDEX by_dept_dept ON by_dept (dept)',
      'CREATE MATERIALIZED VIEW empty_mv AS SELECT id FROM emp WITH NO DATA',
      "CREATE VIEW eng AS SELECT id, dept FROM emp WHERE dept = 'eng' WITH LOCAL CHECK OPTION",
      'CREATE UNIQUE INDEX emp_lower_email ON emp (lower(email))',
      'CREATE INDEX emp_active_id ON emp (id) WHERE active',
    ].join('; ')]);
    expect(setup.stderr).toBe('');
  });
  afterAll(async () => {
    await srv?.stop();
  });

  const run = async (cmd: string): Promise<string> => {
    const r = await psql(['-c', cmd]);
    expect(r.stderr, cmd).toBe('');
    return r.stdout;
  };

  it('\\dm lists materialized views, \\dt does not', async () => {
    const dm = await run('\\dm');
    expect(dm).toMatch(/^ public \| by_dept +\| materialized view \| sysdba$/m);
    expect(dm).toMatch(/^ public \| empty_mv +\| materialized view \| sysdba$/m);
    expect(dm).not.toMatch(/ emp /);
    expect(await run('\\dt')).not.toMatch(/by_dept/);
  });

  it('\\d of a materialized view shows its columns and indexes', async () => {
    const d = await run('\\d by_dept');
    expect(d).toContain('Materialized view "public.by_dept"');
    expect(d).toMatch(/^ n +\| bigint +\|/m);
    expect(d).toContain('"by_dept_dept" UNIQUE, btree (dept)');
  });

  it('\\d of a table shows expression and partial indexes as PostgreSQL prints them', async () => {
    const d = await run('\\d emp');
    expect(d).toContain('"emp_lower_email" UNIQUE, btree (lower(email))');
    expect(d).toContain('"emp_active_id" btree (id) WHERE active');
  });

  it('a view WITH CHECK OPTION refuses rows it cannot see', async () => {
    const r = await psql(['-c', "INSERT INTO eng VALUES (3, 'ops')"]);
    expect(r.stderr).toContain('ERROR:  new row violates check option for view "eng"');
    expect(r.stderr).toContain('DETAIL:  Failing row contains (3, ops, null, null).');
    const unpop = await psql(['-c', 'SELECT * FROM empty_mv']);
    expect(unpop.stderr).toContain('ERROR:  materialized view "empty_mv" has not been populated');
    expect(unpop.stderr).toContain('HINT:  Use the REFRESH MATERIALIZED VIEW command.');
  });
});
