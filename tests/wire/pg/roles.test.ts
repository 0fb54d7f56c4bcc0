// Users and roles over the wire: CREATE/ALTER/DROP USER/ROLE store SCRAM
// verifiers; new users log in with SCRAM; role management is checked.

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestServer, type TestServer } from './server_helper.ts';

let srv: TestServer;
let admin: pg.Client;

function connect(user: string, password: string): pg.Client {
  return new pg.Client({ host: '127.0.0.1', port: srv.port, user, password, database: 'scratchbird' });
}

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: string }).code;
  }
  return undefined;
}

beforeAll(async () => {
  srv = await startTestServer();
  admin = connect('sysdba', PASSWORD);
  await admin.connect();
});
afterAll(async () => {
  await admin?.end();
  await srv?.stop();
});

describe('roles', () => {
  it('CREATE USER stores a SCRAM verifier; the user logs in with it and not with a wrong password', async () => {
    await admin.query("CREATE USER app WITH PASSWORD 'app-pw'");
    const r = await admin.query("SELECT rolname, rolcanlogin, rolsuper, rolpassword FROM pg_roles WHERE rolname = 'app'");
    expect(r.rows).toEqual([{ rolname: 'app', rolcanlogin: true, rolsuper: false, rolpassword: '********' }]);
    const stored = srv.server.db.catalog.current().role('app')!.password!;
    expect(stored).toMatch(/^SCRAM-SHA-256\$4096:/);
    const c = connect('app', 'app-pw');
    await c.connect();
    expect((await c.query('SELECT current_user AS u')).rows).toEqual([{ u: 'app' }]);
    expect((await c.query('SHOW is_superuser')).rows).toEqual([{ is_superuser: 'off' }]);
    expect(await codeOf(c.query('CREATE ROLE nope'))).toBe('42501');
    await c.end();
    expect(await codeOf(connect('app', 'wrong').connect())).toBe('28P01');
  });

  it('ALTER ROLE changes the password and attributes; NOLOGIN refuses the login; RENAME', async () => {
    await admin.query("ALTER USER app WITH PASSWORD 'new-pw'");
    expect(await codeOf(connect('app', 'app-pw').connect())).toBe('28P01');
    const c = connect('app', 'new-pw');
    await c.connect();
    await c.end();
    await admin.query('ALTER ROLE app NOLOGIN');
    expect(await codeOf(connect('app', 'new-pw').connect())).toBe('28000');
    await admin.query('ALTER ROLE app LOGIN');
    await admin.query('ALTER ROLE app RENAME TO app2');
    const d = connect('app2', 'new-pw');
    await d.connect();
    await d.end();
  });

  it('CREATE ROLE errors: duplicate 42710, reserved name 42939; DROP ROLE, IF EXISTS, in a rolled-back transaction', async () => {
    expect(await codeOf(admin.query('CREATE ROLE app2'))).toBe('42710');
    expect(await codeOf(admin.query('CREATE ROLE pg_mine'))).toBe('42939');
    await admin.query('BEGIN');
    await admin.query('DROP ROLE app2');
    await admin.query('ROLLBACK');
    expect((await admin.query("SELECT count(*)::int AS n FROM pg_roles WHERE rolname = 'app2'")).rows).toEqual([{ n: 1 }]);
    await admin.query('DROP ROLE app2');
    expect(await codeOf(admin.query('DROP ROLE app2'))).toBe('42704');
    await admin.query('DROP ROLE IF EXISTS app2');
    expect(await codeOf(admin.query('DROP ROLE sysdba'))).toBe('55006');
  });

  it('GRANT/REVOKE table privileges are enforced (42501), through PUBLIC and role membership', async () => {
    await admin.query("CREATE USER reader PASSWORD 'r'");
    await admin.query('CREATE ROLE writers');
    await admin.query('CREATE TABLE secrets (id int PRIMARY KEY, v text)');
    await admin.query("INSERT INTO secrets VALUES (1, 'x')");
    const r = connect('reader', 'r');
    await r.connect();
    try {
      expect(await codeOf(r.query('SELECT * FROM secrets'))).toBe('42501');
      expect((await r.query("SELECT has_table_privilege('secrets', 'SELECT') AS s")).rows).toEqual([{ s: false }]);
      await admin.query('GRANT SELECT ON secrets TO reader');
      expect((await r.query("SELECT has_table_privilege('secrets', 'SELECT') AS s, has_table_privilege('reader', 'secrets', 'INSERT') AS i")).rows).toEqual([{ s: true, i: false }]);
      expect((await r.query('SELECT v FROM secrets')).rows).toEqual([{ v: 'x' }]);
      expect(await codeOf(r.query("INSERT INTO secrets VALUES (2, 'y')"))).toBe('42501');
      expect(await codeOf(r.query("UPDATE secrets SET v = 'z'"))).toBe('42501');
      await admin.query('GRANT INSERT, UPDATE ON TABLE secrets TO writers');
      await admin.query('GRANT writers TO reader');
      await r.query("INSERT INTO secrets VALUES (2, 'y')");
      await r.query("UPDATE secrets SET v = 'z' WHERE id = 2");
      expect(await codeOf(r.query('DELETE FROM secrets'))).toBe('42501');
      await admin.query('REVOKE writers FROM reader');
      expect(await codeOf(r.query("INSERT INTO secrets VALUES (3, 'w')"))).toBe('42501');
      await admin.query('REVOKE SELECT ON secrets FROM reader');
      expect(await codeOf(r.query('SELECT 1 FROM secrets'))).toBe('42501');
      await admin.query('GRANT SELECT ON ALL TABLES IN SCHEMA public TO PUBLIC');
      expect((await r.query('SELECT count(*)::int AS n FROM secrets')).rows).toEqual([{ n: 2 }]);
      // Holding SELECT without its grant option: PostgreSQL 15 warns (01007, nothing granted) rather than failing.
      expect(await codeOf(r.query('GRANT SELECT ON secrets TO reader'))).toBeUndefined();
      expect(await codeOf(r.query('GRANT DELETE ON secrets TO reader'))).toBeUndefined();
      expect(await codeOf(r.query('DELETE FROM secrets'))).toBe('42501');
      expect(await codeOf(admin.query('GRANT FLY ON secrets TO reader'))).toBe('0LP01');
    } finally {
      await r.end();
    }
  });
});
