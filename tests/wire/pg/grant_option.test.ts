// WITH GRANT OPTION between roles: a non-owner holding the grant option
// grants onward (recorded with itself as grantor), a role without it gets
// PostgreSQL's warning or 42501, REVOKE ... RESTRICT fails with 2BP01 while
// dependent grants exist and CASCADE takes them away, REVOKE GRANT OPTION FOR
// keeps the privilege. Every outcome, warning and ACL below was taken from
// PostgreSQL 15 running the same statements (SET ROLE there; one session per
// role here).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { open, SbError, type Database, type Session } from '../../../host/node.ts';

let db: Database;
let admin: Session;
const sessions = new Map<string, Session>();

function as(user: string): Session {
  let s = sessions.get(user);
  if (!s) {
    s = db.session({ user });
    sessions.set(user, s);
  }
  return s;
}

/** 'CODE: message' for an error; else the command, its warnings and rows. */
async function run(s: Session, sql: string): Promise<string> {
  try {
    const r = await s.query(sql);
    const notes = (r.notices ?? []).map((n) => ` [${n.code}: ${n.message}]`).join('');
    return r.rows.length > 0 ? JSON.stringify(r.rows) + notes : r.command + notes;
  } catch (e) {
    if (e instanceof SbError) return `${e.code}: ${e.message}${e.hint ? ` (${e.hint})` : ''}`;
    throw e;
  }
}

async function acl(table: string): Promise<string> {
  const r = await admin.query(`SELECT array_to_string(relacl, ',') FROM pg_class WHERE relname = '${table}'`);
  return String(r.rows[0]![0]);
}

beforeAll(async () => {
  db = await open(':memory:');
  admin = db.session();
  await admin.query('CREATE ROLE own; CREATE ROLE a; CREATE ROLE b; CREATE ROLE c; GRANT CREATE ON SCHEMA public TO own');
  await as('own').query('CREATE TABLE t (x int, y int); INSERT INTO t VALUES (1, 2); CREATE TABLE t2 (x int, y int)');
});
afterAll(async () => {
  for (const s of sessions.values()) await s.close();
  await admin.close();
  await db.close();
});

describe('WITH GRANT OPTION', () => {
  it('a grant option holder grants onward; the ACL records each grantor', async () => {
    expect(await run(as('own'), 'GRANT SELECT, INSERT ON t TO a WITH GRANT OPTION')).toBe('GRANT');
    expect(await acl('t')).toBe('own=arwdDxt/own,a=a*r*/own');
    expect(await run(as('a'), 'GRANT SELECT ON t TO b WITH GRANT OPTION')).toBe('GRANT');
    expect(await run(as('a'), 'GRANT UPDATE ON t TO b')).toBe('GRANT [01007: no privileges were granted for "t"]');
    expect(await run(as('a'), 'GRANT INSERT ON t TO b')).toBe('GRANT');
    expect(await run(as('b'), 'GRANT SELECT ON t TO c')).toBe('GRANT');
    expect(await run(as('b'), 'GRANT INSERT ON t TO c')).toBe('GRANT [01007: no privileges were granted for "t"]');
    expect(await acl('t')).toBe('own=arwdDxt/own,a=a*r*/own,b=ar*/a,c=r/b');
    expect(await run(as('c'), 'SELECT x FROM t')).toBe('[[1]]');
    expect(await run(admin, "SELECT grantor, grantee, privilege_type, is_grantable FROM information_schema.table_privileges WHERE table_name = 't' AND grantee <> 'own' ORDER BY 1, 2, 3"))
      .toBe('[["a","b","INSERT","NO"],["a","b","SELECT","YES"],["b","c","SELECT","NO"],["own","a","INSERT","YES"],["own","a","SELECT","YES"]]');
  });

  it('REVOKE with dependent grants: 2BP01 unless CASCADE; GRANT OPTION FOR keeps the privilege', async () => {
    const hint = ' (Use CASCADE to revoke them too.)';
    expect(await run(as('own'), 'REVOKE SELECT ON t FROM a')).toBe(`2BP01: dependent privileges exist${hint}`);
    expect(await run(as('own'), 'REVOKE SELECT ON t FROM a RESTRICT')).toBe(`2BP01: dependent privileges exist${hint}`);
    expect(await run(as('own'), 'REVOKE GRANT OPTION FOR SELECT ON t FROM a')).toBe(`2BP01: dependent privileges exist${hint}`);
    expect(await acl('t')).toBe('own=arwdDxt/own,a=a*r*/own,b=ar*/a,c=r/b');
    expect(await run(as('own'), 'REVOKE GRANT OPTION FOR SELECT ON t FROM a CASCADE')).toBe('REVOKE');
    expect(await acl('t')).toBe('own=arwdDxt/own,a=a*r/own,b=a/a');
    expect(await run(as('c'), 'SELECT x FROM t')).toBe('42501: permission denied for table t');
    expect(await run(as('a'), 'SELECT x FROM t')).toBe('[[1]]');
    expect(await run(as('a'), 'GRANT SELECT ON t TO c')).toBe('GRANT [01007: no privileges were granted for "t"]');
  });

  it('a role revokes only what it granted; one without any privilege gets 42501', async () => {
    expect(await run(as('own'), 'GRANT SELECT ON t2 TO a')).toBe('GRANT');
    expect(await run(as('a'), 'GRANT SELECT ON t2 TO b')).toBe('GRANT [01007: no privileges were granted for "t2"]');
    expect(await run(as('a'), 'REVOKE SELECT ON t2 FROM b')).toBe('REVOKE [01006: no privileges could be revoked for "t2"]');
    expect(await run(as('b'), 'GRANT SELECT ON t2 TO a')).toBe('42501: permission denied for table t2');
    expect(await run(as('own'), 'GRANT SELECT (x) ON t2 TO a WITH GRANT OPTION')).toBe('GRANT');
    expect(await run(as('a'), 'GRANT SELECT (x) ON t2 TO b')).toBe('GRANT');
    expect(await run(as('a'), 'GRANT SELECT (y) ON t2 TO b')).toBe('GRANT [01007: no privileges were granted for column "y" of relation "t2"]');
    expect(await acl('t2')).toBe('own=arwdDxt/own,a=r/own');
    const attacl = async (): Promise<string> => JSON.stringify((await admin.query("SELECT attname, array_to_string(attacl, ',') FROM pg_attribute WHERE attrelid = 't2'::regclass AND attnum > 0 ORDER BY attnum")).rows);
    expect(await attacl()).toBe('[["x","a=r*/own,b=r/a"],["y",null]]');
    expect(await run(as('b'), 'SELECT x FROM t2')).toBe('SELECT 0');
    expect(await run(as('own'), 'REVOKE SELECT (x) ON t2 FROM a')).toBe('2BP01: dependent privileges exist (Use CASCADE to revoke them too.)');
    expect(await run(as('own'), 'REVOKE SELECT ON t2 FROM a CASCADE')).toBe('REVOKE');
    expect(await attacl()).toBe('[["x",null],["y",null]]');
    expect(await run(as('b'), 'SELECT x FROM t2')).toBe('42501: permission denied for table t2');
  });

  it('a grant from the owner and one from a grantee are separate entries; CASCADE removes only the dependent one', async () => {
    expect(await run(as('own'), 'GRANT SELECT ON t2 TO a WITH GRANT OPTION')).toBe('GRANT');
    expect(await run(as('own'), 'GRANT SELECT ON t2 TO b')).toBe('GRANT');
    expect(await run(as('a'), 'GRANT SELECT ON t2 TO b')).toBe('GRANT');
    expect(await acl('t2')).toBe('own=arwdDxt/own,a=r*/own,b=r/own,b=r/a');
    expect(await run(as('own'), 'REVOKE SELECT ON t2 FROM a CASCADE')).toBe('REVOKE');
    expect(await acl('t2')).toBe('own=arwdDxt/own,b=r/own');
    expect(await run(as('b'), 'SELECT x FROM t2')).toBe('SELECT 0');
  });

  it('grant options go to roles only; GRANTED BY must be the current user', async () => {
    expect(await run(as('own'), 'GRANT SELECT ON t2 TO PUBLIC WITH GRANT OPTION')).toBe('0LP01: grant options can only be granted to roles');
    expect(await run(as('own'), 'GRANT SELECT ON t2 TO a GRANTED BY b')).toBe('0A000: grantor must be current user');
    expect(await run(as('own'), 'GRANT ALL ON t2 TO a WITH GRANT OPTION')).toBe('GRANT');
    // PostgreSQL appends the re-added entry (…,b=r/own,a=a*r*…); ScratchBird lists entries by grantee OID.
    expect((await acl('t2')).split(',').sort()).toEqual(['a=a*r*w*d*D*x*t*/own', 'b=r/own', 'own=arwdDxt/own']);
  });

  it('DROP ROLE names a role that granted privileges', async () => {
    expect(await run(as('a'), 'GRANT DELETE ON t2 TO c')).toBe('GRANT');
    const r = await run(admin, 'DROP ROLE a');
    expect(r).toMatch(/^2BP01: role "a" cannot be dropped because some objects depend on it/);
  });
});
