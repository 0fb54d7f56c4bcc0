// Schema, column and DDL privileges and views with their owner's rights,
// through the embedded API (one session per role). Every expected outcome
// and message was taken from PostgreSQL 15 running the same statements
// (SET ROLE there; separate sessions here).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, SbError, type Database, type Session } from '../../../host/node.ts';

let db: Database;
let admin: Session;
const sessions: Session[] = [];

function as(user: string): Session {
  const s = db.session({ user });
  sessions.push(s);
  return s;
}

/** 'ok' with the rows, or 'CODE: message'. */
async function run(s: Session, sql: string): Promise<string> {
  try {
    const r = await s.query(sql);
    const rows = (r.rows as unknown[][]).map((row) => Object.fromEntries(r.fields.map((f, i) => [f.name, row[i]])));
    return rows.length > 0 ? JSON.stringify(rows) : 'ok';
  } catch (e) {
    if (e instanceof SbError) return `${e.code}: ${e.message}`;
    throw e;
  }
}

beforeAll(async () => {
  db = await open(':memory:');
  admin = db.session();
  await admin.query(`
    CREATE ROLE alice LOGIN; CREATE ROLE bob LOGIN;
    CREATE SCHEMA s;
    CREATE TABLE t (a int, b int, c int);
    INSERT INTO t VALUES (1, 2, 3);`);
});
afterAll(async () => {
  for (const s of sessions) await s.close();
  await admin.close();
  await db.close();
});

describe('schema privileges', () => {
  it('CREATE in a schema needs CREATE on it (public included, as in PostgreSQL 15)', async () => {
    const alice = as('alice');
    expect(await run(admin, 'GRANT USAGE ON SCHEMA s TO alice')).toBe('ok');
    expect(await run(alice, 'CREATE TABLE s.x (a int)')).toBe('42501: permission denied for schema s');
    expect(await run(alice, 'CREATE TABLE public.x (a int)')).toBe('42501: permission denied for schema public');
    expect(await run(alice, 'CREATE TABLE x (a int)')).toBe('42501: permission denied for schema public');
    expect(await run(alice, 'CREATE VIEW s.v AS SELECT 1 AS one')).toBe('42501: permission denied for schema s');
    expect(await run(alice, 'CREATE SEQUENCE s.q')).toBe('42501: permission denied for schema s');
    expect(await run(alice, 'CREATE SCHEMA mine')).toBe('42501: permission denied for database scratchbird');
    expect(await run(admin, 'GRANT CREATE ON SCHEMA s TO alice')).toBe('ok');
    expect(await run(alice, 'CREATE TABLE s.x (a int)')).toBe('ok');
    expect(await run(alice, 'INSERT INTO s.x VALUES (7)')).toBe('ok');
    expect(await run(alice, 'SELECT a FROM s.x')).toBe('[{"a":7}]');
    expect(await run(alice, 'DROP SCHEMA s')).toBe('42501: must be owner of schema s');
  });

  it('USAGE is needed to reach a schema\'s tables, even with the table granted', async () => {
    const bob = as('bob');
    await admin.query('CREATE SCHEMA hidden; CREATE TABLE hidden.h (v int); INSERT INTO hidden.h VALUES (5); GRANT SELECT ON hidden.h TO bob');
    expect(await run(bob, 'SELECT v FROM hidden.h')).toBe('42501: permission denied for schema hidden');
    await admin.query('GRANT USAGE ON SCHEMA hidden TO bob');
    expect(await run(bob, 'SELECT v FROM hidden.h')).toBe('[{"v":5}]');
    await admin.query('REVOKE USAGE ON SCHEMA hidden FROM bob');
    expect(await run(bob, 'SELECT v FROM hidden.h')).toBe('42501: permission denied for schema hidden');
  });

  it('has_schema_privilege and pg_namespace.nspacl answer from the ACL', async () => {
    const alice = as('alice');
    expect(await run(alice, "SELECT has_schema_privilege('s', 'CREATE') AS c, has_schema_privilege('bob', 's', 'USAGE') AS u, has_schema_privilege('public', 'USAGE') AS pu, has_schema_privilege('public', 'CREATE') AS pc"))
      .toBe('[{"c":true,"u":false,"pu":true,"pc":false}]');
    expect(await run(admin, "SELECT nspname, nspacl::text AS acl FROM pg_namespace WHERE nspname IN ('s', 'public') ORDER BY nspname"))
      .toBe('[{"nspname":"public","acl":"{sysdba=UC/sysdba,=U/sysdba}"},{"nspname":"s","acl":"{sysdba=UC/sysdba,alice=UC/sysdba}"}]');
    expect(await run(alice, "SELECT has_schema_privilege('nope', 'USAGE')")).toBe('3F000: schema "nope" does not exist');
  });
});

describe('DDL needs ownership', () => {
  it('ALTER, DROP, CREATE INDEX, TRUNCATE of another role\'s table fail with PostgreSQL\'s messages', async () => {
    const alice = as('alice');
    await admin.query('GRANT SELECT ON t TO alice');
    expect(await run(alice, 'DROP TABLE t')).toBe('42501: must be owner of table t');
    expect(await run(alice, 'ALTER TABLE t ADD COLUMN d int')).toBe('42501: must be owner of table t');
    expect(await run(alice, 'TRUNCATE t')).toBe('42501: permission denied for table t');
    expect(await run(alice, 'CREATE INDEX ON t (a)')).toBe('42501: must be owner of table t');
    await admin.query('CREATE VIEW owned_v AS SELECT a FROM t; CREATE SEQUENCE owned_q');
    expect(await run(alice, 'DROP VIEW owned_v')).toBe('42501: must be owner of view owned_v');
    expect(await run(alice, 'DROP SEQUENCE owned_q')).toBe('42501: must be owner of sequence owned_q');
    expect(await run(alice, 'DROP TABLE nonexistent')).toBe('42P01: table "nonexistent" does not exist');
    // Her own table in s: all of it is allowed.
    expect(await run(alice, 'ALTER TABLE s.x ADD COLUMN b int')).toBe('ok');
    expect(await run(alice, 'TRUNCATE s.x')).toBe('ok');
    expect(await run(alice, 'CREATE INDEX ON s.x (a)')).toBe('ok');
    expect(await run(alice, 'DROP TABLE s.x')).toBe('ok');
    await admin.query('REVOKE SELECT ON t FROM alice');
  });
});

describe('column privileges', () => {
  it('SELECT (a, b), UPDATE (b): only those columns, as PostgreSQL decides each statement', async () => {
    await admin.query('GRANT SELECT (a, b), UPDATE (b) ON t TO alice');
    const alice = as('alice');
    expect(await run(alice, 'SELECT a, b FROM t')).toBe('[{"a":1,"b":2}]');
    expect(await run(alice, 'SELECT a, c FROM t')).toBe('42501: permission denied for table t');
    expect(await run(alice, 'SELECT * FROM t')).toBe('42501: permission denied for table t');
    expect(await run(alice, 'SELECT count(*)::int AS n FROM t')).toBe('[{"n":1}]');
    expect(await run(alice, 'SELECT a FROM t WHERE c = 3')).toBe('42501: permission denied for table t');
    expect(await run(alice, 'UPDATE t SET b = 5 WHERE a = 1')).toBe('ok');
    expect(await run(alice, 'UPDATE t SET b = 5 WHERE c = 1')).toBe('42501: permission denied for table t');
    expect(await run(alice, 'UPDATE t SET c = 5')).toBe('42501: permission denied for table t');
    expect(await run(alice, 'INSERT INTO t (a) VALUES (1)')).toBe('42501: permission denied for table t');
    expect(await run(alice, 'DELETE FROM t')).toBe('42501: permission denied for table t');
    expect(await run(admin, 'SELECT b FROM t')).toBe('[{"b":5}]');
  });

  it('INSERT (a) allows inserting a only; RETURNING needs SELECT on what it returns', async () => {
    await admin.query('CREATE TABLE ci (a int, b int); GRANT INSERT (a) ON ci TO bob; GRANT USAGE ON SCHEMA public TO bob');
    const bob = as('bob');
    expect(await run(bob, 'INSERT INTO ci (a) VALUES (1)')).toBe('ok');
    expect(await run(bob, 'INSERT INTO ci (a, b) VALUES (1, 2)')).toBe('42501: permission denied for table ci');
    expect(await run(bob, 'INSERT INTO ci (a) VALUES (1) RETURNING a')).toBe('42501: permission denied for table ci');
    await admin.query('GRANT SELECT (a) ON ci TO bob');
    expect(await run(bob, 'INSERT INTO ci (a) VALUES (2) RETURNING a')).toBe('[{"a":2}]');
  });

  it('has_column_privilege, pg_attribute.attacl and REVOKE', async () => {
    const alice = as('alice');
    expect(await run(alice, "SELECT has_column_privilege('t', 'a', 'SELECT') AS a, has_column_privilege('t', 'c', 'SELECT') AS c, has_column_privilege('t', 'b', 'UPDATE') AS bu, has_table_privilege('t', 'SELECT') AS t"))
      .toBe('[{"a":true,"c":false,"bu":true,"t":false}]');
    expect(await run(admin, "SELECT attname, attacl::text AS acl FROM pg_attribute WHERE attrelid = 't'::regclass AND attacl IS NOT NULL ORDER BY attnum"))
      .toBe('[{"attname":"a","acl":"{alice=r/sysdba}"},{"attname":"b","acl":"{alice=rw/sysdba}"}]');
    expect(await run(alice, "SELECT has_column_privilege('t', 'nope', 'SELECT')")).toBe('42703: column "nope" of relation "t" does not exist');
    await admin.query('REVOKE SELECT (b) ON t FROM alice');
    expect(await run(alice, 'SELECT b FROM t')).toBe('42501: permission denied for table t');
    expect(await run(alice, 'SELECT a FROM t')).toBe('[{"a":1}]');
    // REVOKE of the table privilege takes the column grants too (PostgreSQL).
    await admin.query('REVOKE SELECT ON t FROM alice');
    expect(await run(alice, 'SELECT a FROM t')).toBe('42501: permission denied for table t');
    expect(await run(admin, 'GRANT SELECT (nope) ON t TO alice')).toBe('42703: column "nope" of relation "t" does not exist');
  });
});

describe('views run with their owner\'s rights', () => {
  it('a user granted only the view reads through it, not the table; a view owner\'s lost rights stop the view', async () => {
    await admin.query('CREATE VIEW v AS SELECT a, c FROM t; GRANT SELECT ON v TO bob');
    const bob = as('bob');
    expect(await run(bob, 'SELECT * FROM v')).toBe('[{"a":1,"c":3}]');
    expect(await run(bob, 'SELECT * FROM t')).toBe('42501: permission denied for table t');
    // A view owned by alice, who can read only t.a: bob reads t.a through it, nothing more.
    await admin.query('GRANT SELECT (a) ON t TO alice; GRANT CREATE ON SCHEMA public TO alice');
    const alice = as('alice');
    expect(await run(alice, 'CREATE VIEW alice_a AS SELECT a FROM t')).toBe('ok');
    expect(await run(alice, 'CREATE VIEW alice_c AS SELECT c FROM t')).toBe('ok');
    expect(await run(alice, 'GRANT SELECT ON alice_a, alice_c TO bob')).toBe('ok');
    expect(await run(bob, 'SELECT a FROM alice_a')).toBe('[{"a":1}]');
    expect(await run(bob, 'SELECT c FROM alice_c')).toBe('42501: permission denied for table t');
    expect(await run(alice, 'SELECT c FROM alice_c')).toBe('42501: permission denied for table t');
    // Even a superuser reads the view's tables with the owner's rights.
    expect(await run(admin, 'SELECT c FROM alice_c')).toBe('42501: permission denied for table t');
    expect(await run(bob, 'SELECT a FROM alice_c')).toBe('42703: column "a" does not exist');
    await admin.query('REVOKE SELECT ON v FROM bob');
    expect(await run(bob, 'SELECT * FROM v')).toBe('42501: permission denied for view v');
  });

  it("INSERT/UPDATE/DELETE through a view: the view's privilege for the user, the table's for its owner", async () => {
    await admin.query('CREATE TABLE vt (a int, b int); INSERT INTO vt VALUES (1, 2); CREATE VIEW vv AS SELECT a, b FROM vt WHERE a > 0; GRANT SELECT, INSERT, UPDATE ON vv TO bob');
    const bob = as('bob');
    expect(await run(bob, 'INSERT INTO vv VALUES (5, 6)')).toBe('ok');
    expect(await run(bob, 'UPDATE vv SET b = 7 WHERE a = 5')).toBe('ok');
    expect(await run(bob, 'DELETE FROM vv')).toBe('42501: permission denied for view vv');
    expect(await run(bob, 'INSERT INTO vt VALUES (1, 1)')).toBe('42501: permission denied for table vt');
    expect(await run(admin, 'SELECT a, b FROM vt ORDER BY a')).toBe('[{"a":1,"b":2},{"a":5,"b":7}]');
  });

  it('pg_class.relacl shows the grants (\\dp)', async () => {
    expect(await run(admin, "SELECT relname, relacl::text AS acl FROM pg_class WHERE relname IN ('alice_a', 'v', 't') ORDER BY relname"))
      .toBe('[{"relname":"alice_a","acl":"{alice=arwdDxt/alice,bob=r/alice}"},{"relname":"t","acl":"{sysdba=arwdDxt/sysdba}"},{"relname":"v","acl":"{sysdba=arwdDxt/sysdba}"}]');
  });
});

describe('DROP ROLE', () => {
  it('refuses a role that still holds grants, listing them as PostgreSQL does', async () => {
    await admin.query('CREATE ROLE carol; CREATE SCHEMA s3; CREATE TABLE t3 (a int, b int); GRANT USAGE ON SCHEMA s3 TO carol; GRANT SELECT (a) ON t3 TO carol');
    const e1 = await admin.query('DROP ROLE carol').catch((e: SbError) => e);
    expect(e1).toBeInstanceOf(SbError);
    expect([(e1 as SbError).code, (e1 as SbError).message, (e1 as SbError).detail]).toEqual([
      '2BP01', 'role "carol" cannot be dropped because some objects depend on it', 'privileges for schema s3\nprivileges for column a of table t3',
    ]);
    await admin.query('GRANT SELECT ON t3 TO carol');
    expect(((await admin.query('DROP ROLE carol').catch((e: SbError) => e)) as SbError).detail)
      .toBe('privileges for schema s3\nprivileges for table t3\nprivileges for column a of table t3');
    await admin.query('REVOKE ALL ON t3 FROM carol; REVOKE ALL ON SCHEMA s3 FROM carol');
    expect(await run(admin, 'DROP ROLE carol')).toBe('ok');
  });
});

describe('information_schema grants', () => {
  it('table_privileges, role_table_grants and column_privileges list the owner\'s and the granted privileges', async () => {
    await admin.query('CREATE ROLE dave; CREATE TABLE t4 (a int, b int); GRANT SELECT (a), UPDATE (b) ON t4 TO dave; GRANT INSERT ON t4 TO PUBLIC');
    expect(await run(admin, "SELECT grantor, grantee, table_schema, privilege_type, is_grantable, with_hierarchy FROM information_schema.table_privileges WHERE table_name = 't4' ORDER BY grantee, privilege_type"))
      .toBe(JSON.stringify([
        ['sysdba', 'PUBLIC', 'public', 'INSERT', 'NO', 'NO'],
        ...['DELETE', 'INSERT', 'REFERENCES', 'SELECT', 'TRIGGER', 'TRUNCATE', 'UPDATE'].map((p) => ['sysdba', 'sysdba', 'public', p, 'YES', p === 'SELECT' ? 'YES' : 'NO']),
      ].map(([grantor, grantee, table_schema, privilege_type, is_grantable, with_hierarchy]) => ({ grantor, grantee, table_schema, privilege_type, is_grantable, with_hierarchy }))));
    expect(await run(admin, "SELECT count(*)::int AS n FROM information_schema.role_table_grants WHERE table_name = 't4'")).toBe('[{"n":7}]');
    expect(await run(admin, "SELECT grantee, column_name, privilege_type, is_grantable FROM information_schema.column_privileges WHERE table_name = 't4' AND grantee <> 'sysdba' ORDER BY grantee, column_name, privilege_type"))
      .toBe(JSON.stringify([
        { grantee: 'PUBLIC', column_name: 'a', privilege_type: 'INSERT', is_grantable: 'NO' },
        { grantee: 'PUBLIC', column_name: 'b', privilege_type: 'INSERT', is_grantable: 'NO' },
        { grantee: 'dave', column_name: 'a', privilege_type: 'SELECT', is_grantable: 'NO' },
        { grantee: 'dave', column_name: 'b', privilege_type: 'UPDATE', is_grantable: 'NO' },
      ]));
    expect(await run(admin, "SELECT count(*)::int AS n FROM information_schema.column_privileges WHERE table_name = 't4' AND grantee = 'sysdba'")).toBe('[{"n":8}]');
  });
});

describe('REFERENCES', () => {
  it('a foreign key needs REFERENCES on the referenced columns (the primary key when none are named)', async () => {
    await admin.query('CREATE ROLE erin; CREATE TABLE parent (id int PRIMARY KEY, k int UNIQUE); GRANT CREATE ON SCHEMA public TO erin');
    const erin = as('erin');
    expect(await run(erin, 'CREATE TABLE child (p int REFERENCES parent)')).toBe('42501: permission denied for table parent');
    expect(await run(erin, 'CREATE TABLE child2 (p int, FOREIGN KEY (p) REFERENCES parent (k))')).toBe('42501: permission denied for table parent');
    await admin.query('GRANT REFERENCES (k) ON parent TO erin');
    expect(await run(erin, 'CREATE TABLE child (p int REFERENCES parent)')).toBe('42501: permission denied for table parent');
    expect(await run(erin, 'CREATE TABLE child2 (p int, FOREIGN KEY (p) REFERENCES parent (k))')).toBe('ok');
    expect(await run(erin, 'CREATE TABLE child3 (p int)')).toBe('ok');
    expect(await run(erin, 'ALTER TABLE child3 ADD FOREIGN KEY (p) REFERENCES parent (id)')).toBe('42501: permission denied for table parent');
    await admin.query('GRANT REFERENCES ON parent TO erin');
    expect(await run(erin, 'ALTER TABLE child3 ADD FOREIGN KEY (p) REFERENCES parent (id)')).toBe('ok');
  });
});
