// GRANT / REVOKE of table privileges (SELECT, INSERT, UPDATE, DELETE,
// TRUNCATE, REFERENCES, TRIGGER, ALL) on tables and views, of column
// privileges (SELECT (c), INSERT (c), UPDATE (c), REFERENCES (c)), of schema
// privileges (USAGE, CREATE, ALL ON SCHEMA), to roles or PUBLIC, and role
// membership (GRANT role TO role); and their enforcement: before a query or
// DML statement runs, what its binding found it needs (bind/privileges.ts:
// tables and columns read, the target and its columns written, views with
// their owner's rights) is checked for the session user; superusers and
// owners pass; privileges granted to PUBLIC or to a role the user is a
// member of count. A relation named by the user also needs USAGE on its
// schema. DDL is checked while binding (bind/privileges.ts). Failures are
// 42501 with PostgreSQL's messages. The ACL rules are in catalog/acl.ts.

import type * as A from '../../../sql-dialects/index.ts';
import { lookupRelation as lookup } from '../bind/names.ts';
import { needsOf, type PrivilegeNeed } from '../bind/privileges.ts';
import {
  type AclRelation, aclKey, aclValue, COLUMN_PRIVILEGES, grantOptionsHeld, grantOptionsOf, hasAnyColumnPrivilege, hasColumnPrivilege, hasRelationPrivilege,
  hasSchemaPrivilege, isSuperuser, memberships, ownsObject, PRIVILEGE_LETTER, privilegesOf, SCHEMA_PRIVILEGES, splitAclKey, TABLE_PRIVILEGES, orderedAclKeys,
} from '../catalog/acl.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { RoleObj, SchemaObj } from '../catalog/objects.ts';
import type { Plan } from '../plan/nodes.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { QueryResult } from './result.ts';
import type { Session } from './session.ts';

type Relation = AclRelation;

export function isGrantStatement(stmt: A.Statement): boolean {
  return stmt.kind === 'grant' || stmt.kind === 'revoke';
}

/** Relation-level letters and per-column letters of a privilege list. */
function relationLetters(privs: A.Privilege[] | undefined): { table: string; columns: Array<{ name: A.Ident; letters: string }> } {
  let table = '';
  const columns: Array<{ name: A.Ident; letters: string }> = [];
  for (const p of privs ?? []) {
    const n = p.name.toUpperCase();
    if (n === 'ALL' || n === 'ALL PRIVILEGES') {
      if (p.columns && p.columns.length > 0) {
        for (const c of p.columns) columns.push({ name: c, letters: 'arwx' });
        continue;
      }
      return { table: TABLE_PRIVILEGES, columns };
    }
    const l = PRIVILEGE_LETTER[n];
    if (!l || !TABLE_PRIVILEGES.includes(l)) throw new SbError('0LP01', `invalid privilege type ${n} for relation`);
    if (p.columns && p.columns.length > 0) {
      if (!'arwx'.includes(l)) throw new SbError('0LP01', `invalid privilege type ${n} for column`);
      for (const c of p.columns) columns.push({ name: c, letters: l });
      continue;
    }
    if (!table.includes(l)) table += l;
  }
  return { table, columns };
}

function schemaLetters(privs: A.Privilege[] | undefined): string {
  let out = '';
  for (const p of privs ?? []) {
    const n = p.name.toUpperCase();
    if (n === 'ALL' || n === 'ALL PRIVILEGES') return 'UC';
    if (n !== 'USAGE' && n !== 'CREATE') throw new SbError('0LP01', `invalid privilege type ${n} for schema`);
    if (p.columns && p.columns.length > 0) throw new SbError(SqlState.syntax_error, 'column privileges are only valid for relations');
    const l = PRIVILEGE_LETTER[n]!;
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

function schemasOf(s: Session, g: A.Grant): SchemaObj[] {
  return (g.objects ?? []).map((qn) => {
    const name = s.dialect.foldIdentifier(qn[qn.length - 1]!);
    const schema = s.catalog().schema(s.core.dbOid, name);
    if (!schema) throw new SbError(SqlState.invalid_schema_name, `schema "${name}" does not exist`);
    return schema;
  });
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

type Acl = Record<string, string>;

/** What one GRANT or REVOKE does to the ACLs it changes. */
interface AclChange {
  grant: boolean;
  keys: string[];
  /** GRANT ... WITH GRANT OPTION / REVOKE GRANT OPTION FOR. */
  option: boolean;
  cascade: boolean;
  /** The role recorded as grantor (the owner for owners and superusers). */
  grantor: number;
  owner: number;
}

/**
 * PostgreSQL's select_best_grantor: owners (and superusers, and members of
 * the owning role) grant as the owner with every option; others as the role
 * (themselves first, then their roles) holding the most of the wanted grant
 * options in the given ACLs.
 */
function bestGrantor(cat: Catalog, userOid: number, owner: number, acls: Array<Acl | undefined>, wanted: string, all: string): { oid: number; options: string } {
  if (ownsObject(cat, userOid, owner)) return { oid: owner, options: all };
  let best = { oid: userOid, options: '' };
  let bestCount = -1;
  for (const r of [userOid, ...[...memberships(cat, userOid)].filter((m) => m !== userOid)]) {
    let options = '';
    for (const a of acls) for (const c of grantOptionsHeld(a, r)) if (!options.includes(c)) options += c;
    const n = [...wanted].filter((c) => options.includes(c)).length;
    if (n > bestCount) {
      best = { oid: r, options };
      bestCount = n;
    }
  }
  return best;
}

/**
 * PostgreSQL's restrict_and_check_grant: the wanted letters the grantor may
 * give (or take back); a user without any grant option and without any
 * privilege on the object gets 42501, one with some privilege a warning.
 */
function restrict(
  grant: boolean, wanted: string, available: string, all: boolean, hasAny: () => boolean, what: string, denied: () => SbError, notices: SbError[],
): string {
  const out = [...wanted].filter((c) => available.includes(c)).join('');
  if (available === '' && !hasAny()) throw denied();
  if (out === '') {
    notices.push(warning(grant ? '01007' : '01006', grant ? `no privileges were granted for ${what}` : `no privileges could be revoked for ${what}`));
  } else if (!all && out.length !== wanted.length) {
    notices.push(warning(grant ? '01007' : '01006', grant ? `not all privileges were granted for ${what}` : `not all privileges could be revoked for ${what}`));
  }
  return out;
}

function warning(code: string, message: string): SbError {
  return new SbError(code, message, { severity: 'WARNING' });
}

function minus(a: string, b: string): string {
  return [...a].filter((c) => !b.includes(c)).join('');
}

function union(a: string, b: string): string {
  return a + [...b].filter((c) => !a.includes(c)).join('');
}

/** Applies a GRANT or REVOKE of `letters` to one ACL (a copy; empty entries dropped). `extra` adds options a grantee holds elsewhere (a column's table). */
function changeAcl(acl: Acl | undefined, letters: string, ch: AclChange, extra: (grantee: number) => string = () => ''): Acl {
  const out: Acl = { ...(acl ?? {}) };
  for (const g of ch.keys) {
    const k = aclKey(g, ch.grantor, ch.owner);
    const had = out[k] ?? '';
    const privs = privilegesOf(had);
    const options = grantOptionsOf(had);
    let nextPrivs: string;
    let nextOptions: string;
    if (ch.grant) {
      nextPrivs = union(privs, letters);
      nextOptions = ch.option ? union(options, letters) : options;
    } else {
      nextPrivs = ch.option ? privs : minus(privs, letters);
      nextOptions = minus(options, letters);
    }
    if (nextPrivs === '') delete out[k];
    else out[k] = aclValue(nextPrivs, nextOptions);
    const lost = minus(options, nextOptions);
    if (!ch.grant && g !== 'public' && lost !== '') recursiveRevoke(out, Number(g), lost, ch, extra);
  }
  return out;
}

/**
 * changeAcl, with the keys of the result in grant order (PostgreSQL's
 * aclupdate appends a new entry and keeps an existing one where it is): the
 * ACL's `order` ('' or a column's entry of aclOrder) after the change.
 */
function changeAclOrdered(acl: Acl | undefined, order: readonly string[] | undefined, letters: string, ch: AclChange, extra?: (grantee: number) => string): { acl: Acl; order: string[] } {
  const before = orderedAclKeys(acl ?? {}, ch.owner, order);
  const next = changeAcl(acl, letters, ch, extra);
  const keys = before.filter((k) => k in next);
  for (const g of ch.keys) {
    const k = aclKey(g, ch.grantor, ch.owner);
    if (k in next && !keys.includes(k)) keys.push(k);
  }
  return { acl: next, order: keys };
}

/** Records (or, for an ACL that is gone, forgets) the grant order of one ACL of an object. */
function withAclOrder<T extends { aclOrder?: Record<string, string[]> }>(obj: T, key: string, order: string[] | undefined): T {
  const all = { ...(obj.aclOrder ?? {}) };
  if (order && order.length > 0) all[key] = order;
  else delete all[key];
  const out = { ...obj };
  if (Object.keys(all).length > 0) out.aclOrder = all;
  else delete out.aclOrder;
  return out;
}

/**
 * PostgreSQL's recursive_revoke: when a grantee loses grant options it holds
 * from nowhere else, what it granted with them goes too (CASCADE), or the
 * REVOKE fails with 2BP01 (RESTRICT, the default).
 */
function recursiveRevoke(acl: Acl, grantee: number, lost: string, ch: AclChange, extra: (grantee: number) => string): void {
  if (grantee === ch.owner) return;
  const gone = minus(lost, union(grantOptionsHeld(acl, grantee), extra(grantee)));
  if (gone === '') return;
  for (const k of Object.keys(acl)) {
    const { grantee: to, grantor } = splitAclKey(k, ch.owner);
    const had = acl[k];
    if (had === undefined || grantor !== grantee || ![...gone].some((c) => had.includes(c))) continue;
    if (!ch.cascade) throw new SbError('2BP01', 'dependent privileges exist', { hint: 'Use CASCADE to revoke them too.' });
    const privs = minus(privilegesOf(had), gone);
    const options = grantOptionsOf(had);
    if (privs === '') delete acl[k];
    else acl[k] = aclValue(privs, minus(options, gone));
    const lostHere = [...options].filter((c) => gone.includes(c)).join('');
    if (to !== 'public' && lostHere !== '') recursiveRevoke(acl, Number(to), lostHere, ch, extra);
  }
}

function hasAnyRelationPrivilege(cat: Catalog, userOid: number, rel: Relation): boolean {
  for (const l of TABLE_PRIVILEGES) if (hasRelationPrivilege(cat, userOid, rel, l)) return true;
  for (const l of COLUMN_PRIVILEGES) if (hasAnyColumnPrivilege(cat, userOid, rel, l)) return true;
  return false;
}

export async function runGrantStatement(s: Session, stmt: A.Statement): Promise<QueryResult> {
  const g = stmt as A.Grant;
  const grant = g.kind === 'grant';
  const autocommit = !s.tx.inBlock();
  const txn = s.tx.ensureTxn();
  s.tx.started = true;
  const cat = s.tx.cat!;
  const notices: SbError[] = [];
  try {
    const type = (g.objectType ?? '').toUpperCase();
    if (g.grantedBy && s.dialect.foldIdentifier(g.grantedBy) !== s.user.name) {
      throw new SbError(SqlState.feature_not_supported, 'grantor must be current user');
    }
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
      const keys = granteeKeys(s, g);
      const option = grant ? g.withGrantOption === true : g.grantOptionFor === true;
      if (grant && option && keys.includes('public')) throw new SbError('0LP01', 'grant options can only be granted to roles');
      const base = { grant, keys, option, cascade: g.behavior === 'CASCADE' };
      const user = s.user.oid;
      if (type === 'SCHEMA') {
        const wanted = schemaLetters(g.privileges);
        const all = (g.privileges ?? []).some((p) => /^ALL( PRIVILEGES)?$/i.test(p.name));
        for (const schema of schemasOf(s, g)) {
          const current = s.catalog().get(schema.oid) as SchemaObj;
          // The public schema's default ACL (USAGE to PUBLIC) becomes explicit at the first change.
          const acl = current.acl ?? (current.oid === 2200 ? { public: 'U' } : {});
          const who = bestGrantor(s.catalog(), user, current.owner, [acl], wanted, SCHEMA_PRIVILEGES);
          const letters = restrict(
            grant, wanted, who.options, all, () => hasSchemaPrivilege(s.catalog(), user, current.oid, 'U') || hasSchemaPrivilege(s.catalog(), user, current.oid, 'C'),
            `"${current.name}"`, () => new SbError(SqlState.insufficient_privilege, `permission denied for schema ${current.name}`), notices,
          );
          if (letters === '') continue;
          const changed = changeAclOrdered(acl, current.aclOrder?.[''], letters, { ...base, grantor: who.oid, owner: current.owner });
          cat.put(txn, withAclOrder({ ...current, acl: changed.acl }, '', changed.order));
        }
      } else {
        const { table, columns } = relationLetters(g.privileges);
        const all = (g.privileges ?? []).some((p) => /^ALL( PRIVILEGES)?$/i.test(p.name));
        for (const rel of relationsOf(s, g)) {
          const current = s.catalog().get(rel.oid) as Relation;
          const deniedRel = (): SbError => new SbError(SqlState.insufficient_privilege, `permission denied for ${current.kind === 'view' ? 'view' : 'table'} ${current.name}`);
          const hasAny = (): boolean => hasAnyRelationPrivilege(s.catalog(), user, current);
          let next: Relation = { ...current };
          if (table !== '') {
            const who = bestGrantor(s.catalog(), user, current.owner, [current.acl], table, TABLE_PRIVILEGES);
            const letters = restrict(grant, table, who.options, all, hasAny, `"${current.name}"`, deniedRel, notices);
            const ch: AclChange = { ...base, grantor: who.oid, owner: current.owner };
            // Column grants alone leave the relation's ACL at its default (relacl stays null), as in PostgreSQL.
            if (letters !== '') {
              const changed = changeAclOrdered(current.acl, current.aclOrder?.[''], letters, ch);
              next = withAclOrder({ ...next, acl: changed.acl }, '', changed.order);
            }
            if (!grant && letters !== '') {
              // REVOKE of a table privilege also takes it away from every column (as PostgreSQL does).
              const tableOptions = (grantee: number): string => grantOptionsHeld(next.acl, grantee);
              const colAcl: Record<string, Acl> = {};
              for (const [a, acl] of Object.entries(current.colAcl ?? {})) {
                const changed = changeAclOrdered(acl, current.aclOrder?.[a], [...letters].filter((c) => COLUMN_PRIVILEGES.includes(c)).join(''), ch, tableOptions);
                if (Object.keys(changed.acl).length > 0) colAcl[a] = changed.acl;
                next = withAclOrder(next, a, changed.order);
              }
              next.colAcl = colAcl;
            }
          }
          for (const c of columns) {
            const name = s.dialect.foldIdentifier(c.name);
            const attnum = current.kind === 'table'
              ? current.columns.find((x) => !x.dropped && x.name === name)?.attnum
              : (() => {
                const i = current.columns.findIndex((x) => x.name === name);
                return i < 0 ? undefined : i + 1;
              })();
            if (attnum === undefined) throw new SbError(SqlState.undefined_column, `column "${name}" of relation "${current.name}" does not exist`);
            const colAcl = { ...(next.colAcl ?? {}) };
            const who = bestGrantor(s.catalog(), user, current.owner, [next.acl, colAcl[String(attnum)]], c.letters, TABLE_PRIVILEGES);
            const letters = restrict(grant, c.letters, who.options, all, hasAny, `column "${name}" of relation "${current.name}"`, deniedRel, notices);
            if (letters === '') continue;
            const tableOptions = (grantee: number): string => grantOptionsHeld(next.acl, grantee);
            const changed = changeAclOrdered(colAcl[String(attnum)], next.aclOrder?.[String(attnum)], letters, { ...base, grantor: who.oid, owner: current.owner }, tableOptions);
            if (Object.keys(changed.acl).length > 0) colAcl[String(attnum)] = changed.acl;
            else delete colAcl[String(attnum)];
            next = withAclOrder({ ...next, colAcl }, String(attnum), changed.order);
          }
          if (next.colAcl && Object.keys(next.colAcl).length === 0) delete next.colAcl;
          cat.put(txn, next);
        }
      }
    }
    if (autocommit) await s.tx.commit();
    const r: QueryResult = { command: grant ? (g.roles?.length ? 'GRANT ROLE' : 'GRANT') : g.roles?.length ? 'REVOKE ROLE' : 'REVOKE', rowCount: 0, fields: [], rows: [] };
    if (notices.length > 0) r.notices = notices;
    return r;
  } catch (e) {
    if (autocommit) await s.tx.rollback();
    else s.tx.failed = true;
    throw e;
  }
}

/** Whether the user holds `letter` on the relation (ownership, superuser, grants to it, its roles or PUBLIC). */
export function hasPrivilege(cat: Catalog, userOid: number, rel: Relation, letter: string): boolean {
  return hasRelationPrivilege(cat, userOid, rel, letter);
}

function denied(rel: Relation): SbError {
  const what = rel.kind === 'view' ? 'view' : (rel as { matview?: unknown }).matview ? 'materialized view' : 'table';
  return new SbError(SqlState.insufficient_privilege, `permission denied for ${what} ${rel.name}`);
}

/** Checks what a statement needs (bind/privileges.ts) for the user; 42501 at the first need not met. */
export function checkPrivilegeNeeds(cat: Catalog, userOid: number, needs: readonly PrivilegeNeed[]): void {
  if (isSuperuser(cat, userOid)) {
    if (needs.every((n) => n.via === 0)) return;
  }
  for (const n of needs) {
    const rel = cat.get(n.relOid);
    if (!rel || (rel.kind !== 'table' && rel.kind !== 'view')) continue;
    let who = userOid;
    if (n.via !== 0) {
      const v = cat.get(n.via);
      if (v?.kind === 'view') who = v.owner;
    }
    if (isSuperuser(cat, who)) continue;
    if (n.via === 0 && !hasSchemaPrivilege(cat, who, rel.schemaOid, 'U')) {
      const schema = cat.get(rel.schemaOid);
      throw new SbError(SqlState.insufficient_privilege, `permission denied for schema ${schema?.kind === 'schema' ? schema.name : rel.schemaOid}`);
    }
    let ok: boolean;
    if (n.columnsOnly) ok = (n.attnums ?? []).every((a) => hasColumnPrivilege(cat, who, rel, a, n.letter));
    else if (hasRelationPrivilege(cat, who, rel, n.letter)) ok = true;
    else if (n.attnums === undefined || !'arwx'.includes(n.letter)) ok = false;
    else if (n.attnums.length === 0) ok = n.letter === 'r' && hasAnyColumnPrivilege(cat, who, rel, 'r');
    else ok = n.attnums.every((a) => hasColumnPrivilege(cat, who, rel, a, n.letter));
    if (!ok) throw denied(rel);
  }
}

/**
 * Checks a bound statement before it runs: the needs its binding recorded,
 * or (a plan seen only after planning) the tables its plan reads and writes,
 * at table level, for the user.
 */
export function checkPlanPrivileges(cat: Catalog, userOid: number, planOrBound: Plan | { plan: Plan; privileges?: PrivilegeNeed[] }): void {
  const bound = 'plan' in planOrBound && !('n' in planOrBound) ? planOrBound : undefined;
  const needs = bound?.privileges ?? needsOf(bound ? bound.plan : (planOrBound as Plan));
  checkPrivilegeNeeds(cat, userOid, needs);
}
