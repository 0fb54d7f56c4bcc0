// Privileges as PostgreSQL keeps them, over the catalog records: who a role
// is (its memberships through INHERIT, superuser), what it holds on a
// relation (table ACL, column ACLs), on a schema, and the aclitem text the
// catalogs show (relacl, attacl, nspacl: "grantee=privs/grantor", empty
// grantee for PUBLIC). Letters are PostgreSQL's: r SELECT, a INSERT,
// w UPDATE, d DELETE, D TRUNCATE, x REFERENCES, t TRIGGER, U USAGE, C CREATE.
//
// ACLs store grants only; the owner's own privileges are implicit (shown
// first in the aclitem text once the ACL exists, as PostgreSQL makes them
// explicit at the first GRANT). An entry's key is its grantee (a role OID or
// 'public') when the owner granted it, `grantee@grantorOid` when a role
// holding the grant option did (WITH GRANT OPTION); its value holds the
// letters, each followed by '*' when it carries the grant option ("r*a"). A schema without an ACL has PostgreSQL 15's
// default: nothing for others, except the public schema (USAGE to PUBLIC).

import type { Catalog } from './catalog.ts';
import { OID, type Oid, type RoleObj, type SchemaObj, type TableObj, type ViewObj } from './objects.ts';

export type AclRelation = TableObj | ViewObj;

export const TABLE_PRIVILEGES = 'arwdDxt';
export const COLUMN_PRIVILEGES = 'arwx';
export const SCHEMA_PRIVILEGES = 'UC';

export const PRIVILEGE_LETTER: Record<string, string> = {
  SELECT: 'r', INSERT: 'a', UPDATE: 'w', DELETE: 'd', TRUNCATE: 'D', REFERENCES: 'x', TRIGGER: 't', USAGE: 'U', CREATE: 'C',
};
export const PRIVILEGE_NAME: Record<string, string> = Object.fromEntries(Object.entries(PRIVILEGE_LETTER).map(([n, l]) => [l, n]));

/** The role and every role it is a member of (transitively, through INHERIT). */
export function memberships(cat: Catalog, roleOid: Oid): Set<Oid> {
  const out = new Set<Oid>([roleOid]);
  const todo = [roleOid];
  while (todo.length > 0) {
    const r = cat.get(todo.pop()!);
    if (r?.kind !== 'role' || !r.inherit) continue;
    for (const m of r.memberOf) {
      if (!out.has(m)) {
        out.add(m);
        todo.push(m);
      }
    }
  }
  return out;
}

export function isSuperuser(cat: Catalog, roleOid: Oid): boolean {
  const me = cat.get(roleOid) as RoleObj | undefined;
  return me?.kind === 'role' && me.superuser;
}

/** Owner rights: superuser, the owner, or a member of the owning role. */
export function ownsObject(cat: Catalog, roleOid: Oid, owner: Oid): boolean {
  return isSuperuser(cat, roleOid) || owner === roleOid || memberships(cat, roleOid).has(owner);
}

/** The key of the entry `grantee` holds from `grantor` (the owner's grants are keyed by the grantee alone). */
export function aclKey(grantee: string, grantor: Oid, owner: Oid): string {
  return grantor === owner ? grantee : `${grantee}@${grantor}`;
}

/** An entry key's grantee ('public' or a role OID as text) and grantor. */
export function splitAclKey(key: string, owner: Oid): { grantee: string; grantor: Oid } {
  const at = key.indexOf('@');
  return at < 0 ? { grantee: key, grantor: owner } : { grantee: key.slice(0, at), grantor: Number(key.slice(at + 1)) };
}

/** The privilege letters of an entry's value (without the grant option marks). */
export function privilegesOf(value: string): string {
  return value.replace(/\*/g, '');
}

/** The letters an entry's value holds with the grant option. */
export function grantOptionsOf(value: string): string {
  let out = '';
  for (let i = 0; i + 1 < value.length; i++) if (value[i + 1] === '*' && value[i] !== '*') out += value[i];
  return out;
}

/** An entry value from its letters and grant options. */
export function aclValue(privs: string, options: string): string {
  let out = '';
  for (const c of privs) out += options.includes(c) ? `${c}*` : c;
  return out;
}

/** Whether the ACL names the role, as grantee or grantor. */
export function aclMentions(acl: Record<string, string> | undefined, roleOid: Oid): boolean {
  for (const k of Object.keys(acl ?? {})) {
    const at = k.indexOf('@');
    if ((at < 0 ? k : k.slice(0, at)) === String(roleOid) || (at >= 0 && k.slice(at + 1) === String(roleOid))) return true;
  }
  return false;
}

function aclGrants(cat: Catalog, roleOid: Oid, acl: Record<string, string> | undefined, letter: string): boolean {
  if (!acl) return false;
  let roles: Set<Oid> | undefined;
  for (const k in acl) {
    if (!acl[k]!.includes(letter)) continue;
    const at = k.indexOf('@');
    const grantee = at < 0 ? k : k.slice(0, at);
    if (grantee === 'public') return true;
    roles ??= memberships(cat, roleOid);
    if (roles.has(Number(grantee))) return true;
  }
  return false;
}

/** The grant options `roleOid` itself holds in one ACL (from any grantor); PUBLIC never holds any. */
export function grantOptionsHeld(acl: Record<string, string> | undefined, roleOid: Oid): string {
  let out = '';
  for (const k in acl ?? {}) {
    const at = k.indexOf('@');
    if ((at < 0 ? k : k.slice(0, at)) !== String(roleOid)) continue;
    for (const c of grantOptionsOf(acl![k]!)) if (!out.includes(c)) out += c;
  }
  return out;
}

/** The relation-level privilege (ownership, superuser, grants to the role, its roles or PUBLIC). */
export function hasRelationPrivilege(cat: Catalog, roleOid: Oid, rel: AclRelation, letter: string): boolean {
  return ownsObject(cat, roleOid, rel.owner) || aclGrants(cat, roleOid, rel.acl, letter);
}

/** The privilege on one column: the relation's, or the column's own grant. */
export function hasColumnPrivilege(cat: Catalog, roleOid: Oid, rel: AclRelation, attnum: number, letter: string): boolean {
  return hasRelationPrivilege(cat, roleOid, rel, letter) || aclGrants(cat, roleOid, rel.colAcl?.[String(attnum)], letter);
}

/** The privilege on at least one column (what `SELECT count(*)` needs without a table grant). */
export function hasAnyColumnPrivilege(cat: Catalog, roleOid: Oid, rel: AclRelation, letter: string): boolean {
  if (hasRelationPrivilege(cat, roleOid, rel, letter)) return true;
  for (const acl of Object.values(rel.colAcl ?? {})) if (aclGrants(cat, roleOid, acl, letter)) return true;
  return false;
}

/** The schema ACL in force: its own, or PostgreSQL 15's default. */
export function schemaAcl(s: SchemaObj): Record<string, string> {
  return s.acl ?? (s.oid === OID.public ? { public: 'U' } : {});
}

/** USAGE ('U') or CREATE ('C') on a schema; pg_catalog and information_schema (not catalog records) have USAGE for all. */
export function hasSchemaPrivilege(cat: Catalog, roleOid: Oid, schemaOid: Oid, letter: string): boolean {
  if (schemaOid === OID.pgCatalog || schemaOid === OID.informationSchema) return letter === 'U' || isSuperuser(cat, roleOid);
  const s = cat.get(schemaOid);
  if (s?.kind !== 'schema') return true; // temporary schemas and the like
  return ownsObject(cat, roleOid, s.owner) || aclGrants(cat, roleOid, schemaAcl(s), letter);
}

// ------------------------------------------------------------------ aclitem text

function roleName(cat: Catalog, key: string): string {
  if (key === 'public') return '';
  const r = cat.get(Number(key));
  const name = r?.kind === 'role' ? r.name : key;
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/**
 * The keys of an ACL in the order PostgreSQL lists its aclitems: grant order
 * (aclupdate appends a new grantee/grantor entry at the end and changes an
 * existing one in place), as recorded in `order`. Keys the record lacks (an
 * ACL written before the order was kept) follow: PUBLIC, then the roles by
 * OID, the owner's grants before others'.
 */
export function orderedAclKeys(acl: Record<string, string>, owner: Oid, order?: readonly string[]): string[] {
  const known = (order ?? []).filter((k) => k in acl);
  const seen = new Set(known);
  const rank = (g: string): number => (g === 'public' ? -1 : Number(g));
  const rest = Object.keys(acl).filter((k) => !seen.has(k)).map((k) => ({ k, ...splitAclKey(k, owner) }))
    .sort((a, b) => rank(a.grantee) - rank(b.grantee) || (a.grantor === owner ? -1 : b.grantor === owner ? 1 : a.grantor - b.grantor));
  return [...known, ...rest.map((r) => r.k)];
}

function items(cat: Catalog, owner: Oid, acl: Record<string, string>, order: string, ownerPrivs?: string, keyOrder?: readonly string[]): string[] {
  const ownerName = roleName(cat, String(owner));
  const out: string[] = [];
  if (ownerPrivs !== undefined) out.push(`${ownerName}=${ownerPrivs}/${ownerName}`);
  const keys = orderedAclKeys(acl, owner, keyOrder).map((k) => ({ k, ...splitAclKey(k, owner) }));
  for (const { k, grantee, grantor } of keys) {
    if (grantee === String(owner) && grantor === owner && ownerPrivs !== undefined) continue;
    const options = grantOptionsOf(acl[k]!);
    const letters = [...order].filter((c) => acl[k]!.includes(c)).map((c) => (options.includes(c) ? `${c}*` : c)).join('');
    if (letters !== '') out.push(`${roleName(cat, grantee)}=${letters}/${roleName(cat, String(grantor))}`);
  }
  return out;
}

/** pg_class.relacl: null until the first GRANT/REVOKE (PostgreSQL's default ACL). */
export function relationAclText(cat: Catalog, rel: AclRelation): string[] | null {
  if (!rel.acl) return null;
  return items(cat, rel.owner, rel.acl, TABLE_PRIVILEGES, TABLE_PRIVILEGES, rel.aclOrder?.['']);
}

/** pg_attribute.attacl of one column, or null. */
export function columnAclText(cat: Catalog, rel: AclRelation, attnum: number): string[] | null {
  const acl = rel.colAcl?.[String(attnum)];
  if (!acl || Object.keys(acl).length === 0) return null;
  return items(cat, rel.owner, acl, COLUMN_PRIVILEGES, undefined, rel.aclOrder?.[String(attnum)]);
}

/** pg_namespace.nspacl (the public schema shows PostgreSQL 15's default ACL). */
export function schemaAclText(cat: Catalog, s: SchemaObj): string[] | null {
  if (!s.acl && s.oid !== OID.public) return null;
  return items(cat, s.owner, schemaAcl(s), SCHEMA_PRIVILEGES, SCHEMA_PRIVILEGES, s.aclOrder?.['']);
}

// ------------------------------------------------------------------ information_schema grants

export interface GrantRow {
  grantor: string;
  /** A role name, or 'PUBLIC'. */
  grantee: string;
  letter: string;
  grantable: boolean;
}

function plainName(cat: Catalog, oid: Oid): string {
  const r = cat.get(oid);
  return r?.kind === 'role' ? r.name : String(oid);
}

function grantRows(cat: Catalog, owner: Oid, acl: Record<string, string> | undefined, letters: string, withOwner: boolean): GrantRow[] {
  const ownerName = plainName(cat, owner);
  const out: GrantRow[] = [];
  if (withOwner) for (const l of letters) out.push({ grantor: ownerName, grantee: ownerName, letter: l, grantable: true });
  for (const [k, held] of Object.entries(acl ?? {})) {
    const { grantee, grantor } = splitAclKey(k, owner);
    if (grantee === String(owner) && grantor === owner && withOwner) continue;
    const options = grantOptionsOf(held);
    for (const l of letters) {
      if (held.includes(l)) {
        out.push({ grantor: plainName(cat, grantor), grantee: grantee === 'public' ? 'PUBLIC' : plainName(cat, Number(grantee)), letter: l, grantable: options.includes(l) });
      }
    }
  }
  return out;
}

/** information_schema.table_privileges rows of a relation: the owner's (grantable), then each grant. */
export function relationGrantRows(cat: Catalog, rel: AclRelation): GrantRow[] {
  return grantRows(cat, rel.owner, rel.acl, TABLE_PRIVILEGES, true);
}

/** information_schema.column_privileges rows of one column: the relation's column-capable grants and the column's own. */
export function columnGrantRows(cat: Catalog, rel: AclRelation, attnum: number): GrantRow[] {
  const rows = grantRows(cat, rel.owner, rel.acl, COLUMN_PRIVILEGES, true);
  for (const r of grantRows(cat, rel.owner, rel.colAcl?.[String(attnum)], COLUMN_PRIVILEGES, false)) {
    if (!rows.some((x) => x.grantee === r.grantee && x.grantor === r.grantor && x.letter === r.letter)) rows.push(r);
  }
  return rows;
}
