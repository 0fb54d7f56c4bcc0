// GRANT / REVOKE of table privileges (SELECT, INSERT, UPDATE, DELETE,
// TRUNCATE, ALL) on tables and views, to roles or PUBLIC, and role
// membership (GRANT role TO role); and their enforcement: before a query or
// DML statement runs, every table it reads or writes is checked for the
// session user (superusers and owners pass; privileges granted to PUBLIC or
// to a role the user is a member of count). Failures are 42501, as in
// PostgreSQL. Schema privileges (USAGE, CREATE) and column privileges are
// are not supported yet; DDL is not checked yet; a view's tables are checked
// for the user, not for the view's owner.

import type * as A from '../../../sql-dialects/index.ts';
import { lookupRelation as lookup } from '../bind/names.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { RoleObj, TableObj, ViewObj } from '../catalog/objects.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { QueryResult } from './result.ts';
import type { Session } from './session.ts';

const LETTER: Record<string, string> = { SELECT: 'r', INSERT: 'a', UPDATE: 'w', DELETE: 'd', TRUNCATE: 'D', REFERENCES: 'x', TRIGGER: 't' };
const ALL_TABLE = 'arwdDxt';
const NAME_OF: Record<string, string> = { r: 'SELECT', a: 'INSERT', w: 'UPDATE', d: 'DELETE', D: 'TRUNCATE', x: 'REFERENCES', t: 'TRIGGER' };

type Relation = TableObj | ViewObj;

export function isGrantStatement(stmt: A.Statement): boolean {
  return stmt.kind === 'grant' || stmt.kind === 'revoke';
}

function letters(privs: A.Privilege[] | undefined): string {
  let out = '';
  for (const p of privs ?? []) {
    const n = p.name.toUpperCase();
    if (n === 'ALL' || n === 'ALL PRIVILEGES') return ALL_TABLE;
    const l = LETTER[n];
    if (!l) throw new SbError('0LP01', `invalid privilege type ${n} for relation`);
    if (p.columns && p.columns.length > 0) throw new SbError(SqlState.feature_not_supported, 'column privileges are not supported yet');
    if (!out.includes(l)) out += l;
  }
  return out;
}

function relationsOf(s: Session, g: A.Grant): Relation[] {
  const cat = s.catalog();
  const type = (g.objectType ?? '').toUpperCase();
  const env = s.bindEnv('', [], [], s.evalContext());
  const out: Relation[] = [];
  if (type === 'ALL TABLES IN SCHEMA') {
    for (const qn of g.objects ?? []) {
      const name = s.dialect.foldIdentifier(qn[qn.length - 1]!);
      const schema = cat.schema(s.core.dbOid, name);
      if (!schema) throw new SbError(SqlState.invalid_schema_name, `schema "${name}" does not exist`);
      for (const o of cat.objects.values()) if ((o.kind === 'table' || o.kind === 'view') && o.schemaOid === schema.oid) out.push(o);
    }
    return out;
  }
  if (type !== '' && type !== 'TABLE') throw new SbError(SqlState.feature_not_supported, `GRANT/REVOKE ON ${type} is not supported yet`);
  for (const qn of g.objects ?? []) {
    const rel = lookup(env, qn);
    if (!rel || (rel.kind !== 'table' && rel.kind !== 'view')) {
      throw new SbError(SqlState.undefined_table, `relation "${qn.map((p) => p.value).join('.')}" does not exist`);
    }
    out.push(rel);
  }
  return out;
}

function granteeKeys(s: Session, g: A.Grant): string[] {
  return g.grantees.map((r) => {
    if (!r.name.quoted && r.name.value.toLowerCase() === 'public') return 'public';
    const name = s.dialect.foldIdentifier(r.name);
    const role = s.catalog().role(name);
    if (!role) throw new SbError(SqlState.undefined_object, `role "${name}" does not exist`);
    return String(role.oid);
  });
}

function isOwnerOrSuper(cat: Catalog, userOid: number, rel: Relation): boolean {
  const me = cat.get(userOid) as RoleObj | undefined;
  return me?.superuser === true || rel.owner === userOid || memberships(cat, userOid).has(rel.owner);
}

/** The role and every role it is a member of (transitively, through INHERIT). */
function memberships(cat: Catalog, roleOid: number): Set<number> {
  const out = new Set<number>([roleOid]);
  const todo = [roleOid];
  while (todo.length > 0) {
    const r = cat.get(todo.pop()!);
    if (r?.kind !== 'role' || !r.inherit) continue;
    for (const m of r.memberOf) if (!out.has(m)) {
      out.add(m);
      todo.push(m);
    }
  }
  return out;
}

export async function runGrantStatement(s: Session, stmt: A.Statement): Promise<QueryResult> {
  const g = stmt as A.Grant;
  const grant = g.kind === 'grant';
  const autocommit = !s.tx.inBlock();
  const txn = s.tx.ensureTxn();
  s.tx.started = true;
  const cat = s.tx.cat!;
  try {
    if (g.roles && g.roles.length > 0) {
      // GRANT role TO user / REVOKE role FROM user.
      const me = s.catalog().get(s.user.oid) as RoleObj | undefined;
      if (!me?.superuser && !me?.createrole) throw new SbError(SqlState.insufficient_privilege, 'permission denied to grant role');
      for (const rn of g.roles) {
        const groupName = s.dialect.foldIdentifier(rn);
        const group = s.catalog().role(groupName);
        if (!group) throw new SbError(SqlState.undefined_object, `role "${groupName}" does not exist`);
        for (const key of granteeKeys(s, g)) {
          if (key === 'public') throw new SbError(SqlState.feature_not_supported, 'role membership of PUBLIC is not supported');
          const member = s.catalog().get(Number(key)) as RoleObj;
          if (grant && memberships(s.catalog(), group.oid).has(member.oid)) {
            throw new SbError('0LP01', `role "${member.name}" is a member of role "${group.name}"`);
          }
          const memberOf = grant ? [...new Set([...member.memberOf, group.oid])] : member.memberOf.filter((m) => m !== group.oid);
          cat.put(txn, { ...member, memberOf });
        }
      }
    } else {
      const l = letters(g.privileges);
      const keys = granteeKeys(s, g);
      for (const rel of relationsOf(s, g)) {
        const current = s.catalog().get(rel.oid) as Relation;
        if (!isOwnerOrSuper(s.catalog(), s.user.oid, current)) {
          throw new SbError(SqlState.insufficient_privilege, `permission denied for ${current.kind === 'view' ? 'view' : 'table'} ${current.name}`);
        }
        const acl: Record<string, string> = { ...(current.acl ?? {}) };
        for (const k of keys) {
          const had = acl[k] ?? '';
          const next = grant ? had + [...l].filter((c) => !had.includes(c)).join('') : [...had].filter((c) => !l.includes(c)).join('');
          if (next === '') delete acl[k];
          else acl[k] = next;
        }
        cat.put(txn, { ...current, acl } as Relation);
      }
    }
    if (autocommit) await s.tx.commit();
    return { command: grant ? (g.roles?.length ? 'GRANT ROLE' : 'GRANT') : g.roles?.length ? 'REVOKE ROLE' : 'REVOKE', rowCount: 0, fields: [], rows: [] };
  } catch (e) {
    if (autocommit) await s.tx.rollback();
    else s.tx.failed = true;
    throw e;
  }
}

/** Whether the user holds `letter` on the relation (ownership, superuser, grants to it, its roles or PUBLIC). */
export function hasPrivilege(cat: Catalog, userOid: number, rel: Relation, letter: string): boolean {
  if (isOwnerOrSuper(cat, userOid, rel)) return true;
  const acl = rel.acl;
  if (!acl) return false;
  if (acl['public']?.includes(letter)) return true;
  for (const r of memberships(cat, userOid)) if (acl[String(r)]?.includes(letter)) return true;
  return false;
}

/**
 * Checks a bound plan before it runs: SELECT on every table scanned (the
 * target of an UPDATE/DELETE excepted), INSERT/UPDATE/DELETE on the target
 * of a modification. Superusers skip the walk.
 */
export function checkPlanPrivileges(cat: Catalog, userOid: number, plan: unknown): void {
  const me = cat.get(userOid);
  if (me?.kind === 'role' && me.superuser) return;
  const need: Array<[number, string]> = [];
  const walk = (x: unknown, exempt: number | undefined): void => {
    if (x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      for (const y of x) walk(y, exempt);
      return;
    }
    const o = x as Record<string, unknown>;
    if (o['n'] === 'modify' && typeof o['tableOid'] === 'number') {
      const op = o['op'] as string;
      need.push([o['tableOid'], op === 'insert' ? 'a' : op === 'update' ? 'w' : 'd']);
      const target = op === 'insert' ? undefined : o['tableOid'];
      for (const [k, v] of Object.entries(o)) if (k !== 'fkDefaults') walk(v, k === 'input' ? target : undefined);
      return;
    }
    if (o['n'] === 'scan' && typeof o['tableOid'] === 'number' && o['tableOid'] !== exempt) need.push([o['tableOid'], 'r']);
    for (const v of Object.values(o)) walk(v, exempt);
  };
  walk(plan, undefined);
  for (const [oid, letter] of need) {
    const rel = cat.get(oid);
    if (!rel || (rel.kind !== 'table' && rel.kind !== 'view')) continue;
    if (!hasPrivilege(cat, userOid, rel, letter)) {
      throw new SbError(SqlState.insufficient_privilege, `permission denied for table ${rel.name}`, { detail: `${NAME_OF[letter]} privilege is required.` });
    }
  }
}
