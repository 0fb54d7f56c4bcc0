// CREATE / ALTER / DROP ROLE and USER (PostgreSQL syntax), transactional like
// other DDL: the role records live in the catalog; passwords are stored as
// SCRAM-SHA-256 verifiers (a client may also hand over a ready verifier or an
// "md5..." hash, as psql's \password does). Role management is checked
// (superuser or CREATEROLE, and only a superuser makes or changes
// superusers); a role that owns objects or holds grants cannot be dropped
// (2BP01, the grants listed as PostgreSQL lists them). GRANT/REVOKE: grants.ts.

import type * as A from '../../../sql-dialects/index.ts';
import { isVerifier, makeVerifier } from '../auth/scram_verifier.ts';
import { aclMentions } from '../catalog/acl.ts';
import type { RoleObj } from '../catalog/objects.ts';
import { OID } from '../catalog/objects.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { QueryResult } from './result.ts';
import type { Session } from './session.ts';

export function isRoleStatement(stmt: A.Statement): boolean {
  if (stmt.kind === 'create_role' || stmt.kind === 'alter_role') return true;
  return stmt.kind === 'drop' && /^(ROLE|USER|GROUP)$/i.test((stmt as A.Drop).objectType);
}

function done(command: string, notices?: SbError[]): QueryResult {
  return { command, rowCount: 0, fields: [], rows: [], ...(notices && notices.length > 0 ? { notices } : {}) };
}

function optionValue(o: A.SqlOption): string | null | undefined {
  const v = o.value as { kind?: string; value?: unknown; name?: Array<{ value: string }> } | undefined;
  if (!v) return undefined;
  if (v.kind === 'null') return null;
  if (v.kind === 'string' || v.kind === 'number') return String(v.value);
  if (v.kind === 'column' && v.name) return v.name.map((p) => p.value).join('.');
  return undefined;
}

function storedPassword(p: string): string {
  if (isVerifier(p) || /^md5[0-9a-f]{32}$/.test(p)) return p;
  return makeVerifier(p);
}

/** Applies role options to a role record; returns it. */
function applyOptions(s: Session, role: RoleObj, options: A.SqlOption[], me: RoleObj): RoleObj {
  const r: RoleObj = { ...role, memberOf: [...role.memberOf] };
  for (const o of options) {
    const n = o.name.toUpperCase();
    const flag = (name: string): boolean | undefined => (n === name ? true : n === `NO${name}` ? false : undefined);
    const superuser = flag('SUPERUSER');
    if (superuser !== undefined) {
      if (!me.superuser) throw new SbError(SqlState.insufficient_privilege, 'permission denied to alter superuser attribute', { detail: 'Only roles with the SUPERUSER attribute may change the SUPERUSER attribute.' });
      r.superuser = superuser;
      continue;
    }
    const login = flag('LOGIN');
    if (login !== undefined) {
      r.login = login;
      continue;
    }
    const createdb = flag('CREATEDB');
    if (createdb !== undefined) {
      r.createdb = createdb;
      continue;
    }
    const createrole = flag('CREATEROLE');
    if (createrole !== undefined) {
      r.createrole = createrole;
      continue;
    }
    const inherit = flag('INHERIT');
    if (inherit !== undefined) {
      r.inherit = inherit;
      continue;
    }
    switch (n) {
      case 'PASSWORD':
      case 'ENCRYPTED PASSWORD': {
        const v = optionValue(o);
        if (v === null || v === undefined) delete r.password;
        else if (v === '') throw new SbError(SqlState.invalid_parameter_value, 'empty password', { hint: 'Use PASSWORD NULL to remove the password.' });
        else r.password = storedPassword(v);
        break;
      }
      case 'VALID UNTIL': {
        const v = optionValue(o);
        if (v === null || v === undefined || v === 'infinity') delete r.validUntil;
        else r.validUntil = v;
        break;
      }
      case 'IN ROLE':
      case 'IN GROUP': {
        const v = optionValue(o);
        for (const name of (v ?? '').split(',').map((x) => x.trim()).filter((x) => x !== '')) {
          const g = s.catalog().role(name);
          if (!g) throw new SbError(SqlState.undefined_object, `role "${name}" does not exist`);
          if (!r.memberOf.includes(g.oid)) r.memberOf.push(g.oid);
        }
        break;
      }
      case 'CONNECTION LIMIT':
      case 'REPLICATION':
      case 'NOREPLICATION':
      case 'BYPASSRLS':
      case 'NOBYPASSRLS':
        break; // accepted; not enforced yet
      default:
        throw new SbError(SqlState.feature_not_supported, `role option ${o.name} is not supported yet`);
    }
  }
  return r;
}

/** What GRANTs name the role (PostgreSQL's DETAIL lines: schemas, then relations, then columns). */
function grantsHeldBy(s: Session, roleOid: number): string[] {
  const schemas: string[] = [];
  const relations: string[] = [];
  const columns: string[] = [];
  for (const o of s.catalog().objects.values()) {
    if (o.kind === 'schema' && aclMentions(o.acl, roleOid)) schemas.push(`privileges for schema ${o.name}`);
    if (o.kind !== 'table' && o.kind !== 'view') continue;
    const what = o.kind === 'view' ? 'view' : 'table';
    if (aclMentions(o.acl, roleOid)) relations.push(`privileges for ${what} ${o.name}`);
    for (const [attnum, acl] of Object.entries(o.colAcl ?? {})) {
      if (!aclMentions(acl, roleOid)) continue;
      const col = o.kind === 'table' ? o.columns.find((c) => c.attnum === Number(attnum))?.name : o.columns[Number(attnum) - 1]?.name;
      if (col !== undefined) columns.push(`privileges for column ${col} of ${what} ${o.name}`);
    }
  }
  return [...schemas, ...relations, ...columns];
}

function checkName(name: string): void {
  if (name === 'public' || name === 'none' || name.startsWith('pg_')) {
    throw new SbError('42939', `role name "${name}" is reserved`, { detail: 'Role names starting with "pg_" are reserved.' });
  }
}

export async function runRoleStatement(s: Session, stmt: A.Statement): Promise<QueryResult> {
  const me = s.catalog().get(s.user.oid);
  if (me?.kind !== 'role' || (!me.superuser && !me.createrole)) {
    throw new SbError(SqlState.insufficient_privilege, 'permission denied to manage roles', { detail: 'Only roles with the CREATEROLE attribute may create, alter or drop roles.' });
  }
  const autocommit = !s.tx.inBlock();
  const txn = s.tx.ensureTxn();
  s.tx.started = true;
  const cat = s.tx.cat!;
  const fold = (id: A.Ident): string => s.dialect.foldIdentifier(id);
  try {
    let result: QueryResult;
    if (stmt.kind === 'create_role') {
      const c = stmt as A.CreateRole;
      const name = fold(c.name.name);
      checkName(name);
      if (s.catalog().role(name)) {
        if (c.ifNotExists) result = done('CREATE ROLE', [new SbError(SqlState.duplicate_object, `role "${name}" already exists, skipping`, { severity: 'NOTICE' })]);
        else throw new SbError(SqlState.duplicate_object, `role "${name}" already exists`);
      } else {
        const base: RoleObj = {
          kind: 'role', oid: await cat.allocOid(), name, superuser: false, login: c.keyword === 'USER', createdb: false, createrole: false, inherit: true, memberOf: [],
        };
        cat.put(txn, applyOptions(s, base, c.options, me));
        result = done('CREATE ROLE');
      }
    } else if (stmt.kind === 'alter_role') {
      const a = stmt as A.AlterRole;
      const name = fold(a.name.name);
      const role = s.catalog().role(name);
      if (!role) throw new SbError(SqlState.undefined_object, `role "${name}" does not exist`);
      if (role.superuser && !me.superuser) throw new SbError(SqlState.insufficient_privilege, 'permission denied to alter role', { detail: 'Only superusers may alter superuser roles.' });
      if (a.set) throw new SbError(SqlState.feature_not_supported, 'ALTER ROLE ... SET is not supported yet');
      let next = applyOptions(s, role, a.options, me);
      if (a.renameTo) {
        const to = fold(a.renameTo);
        checkName(to);
        if (role.oid === s.user.oid) throw new SbError(SqlState.feature_not_supported, 'session user cannot be renamed');
        next = { ...next, name: to };
        // As in PostgreSQL: an MD5 hash is salted with the name, so it no longer matches.
        if (next.password?.startsWith('md5')) delete next.password;
      }
      cat.put(txn, next);
      result = done('ALTER ROLE');
    } else {
      const d = stmt as A.Drop;
      const notices: SbError[] = [];
      for (const qn of d.names) {
        const name = fold(qn[qn.length - 1]!);
        const role = s.catalog().role(name);
        if (!role) {
          if (d.ifExists) {
            notices.push(new SbError(SqlState.undefined_object, `role "${name}" does not exist, skipping`, { severity: 'NOTICE' }));
            continue;
          }
          throw new SbError(SqlState.undefined_object, `role "${name}" does not exist`);
        }
        if (role.oid === s.user.oid) throw new SbError(SqlState.object_in_use, 'current user cannot be dropped');
        if (role.oid === OID.bootstrapSuperuser) throw new SbError('2BP01', `cannot drop role ${name} because it is required by the database system`);
        if (role.superuser && !me.superuser) throw new SbError(SqlState.insufficient_privilege, 'permission denied to drop role', { detail: 'Only superusers may drop superuser roles.' });
        const owned = [...s.catalog().objects.values()].filter((o) => 'owner' in o && o.owner === role.oid);
        if (owned.length > 0) {
          const first = owned[0] as { kind: string; name: string };
          throw new SbError('2BP01', `role "${name}" cannot be dropped because some objects depend on it`, { detail: `owner of ${owned.length} object(s), e.g. ${first.kind} ${first.name}` });
        }
        const grants = grantsHeldBy(s, role.oid);
        if (grants.length > 0) {
          throw new SbError('2BP01', `role "${name}" cannot be dropped because some objects depend on it`, { detail: grants.join('\n') });
        }
        cat.remove(txn, role);
        for (const other of s.catalog().objects.values()) {
          if (other.kind === 'role' && other.memberOf.includes(role.oid)) cat.put(txn, { ...other, memberOf: other.memberOf.filter((m) => m !== role.oid) });
        }
      }
      result = done('DROP ROLE', notices);
    }
    if (autocommit) await s.tx.commit();
    return result;
  } catch (e) {
    if (autocommit) await s.tx.rollback();
    else s.tx.failed = true;
    throw e;
  }
}
