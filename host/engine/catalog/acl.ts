// Privileges as PostgreSQL keeps them, over the catalog records: who a role
// is (its memberships through INHERIT, superuser), what it holds on a
// relation (table ACL, column ACLs), on a schema, and the aclitem text the
// catalogs show (relacl, attacl, nspacl: "grantee=privs/grantor", empty
// grantee for PUBLIC). Letters are PostgreSQL's: r SELECT, a INSERT,
// w UPDATE, d DELETE, D TRUNCATE, x REFERENCES, t TRIGGER, U USAGE, C CREATE.
//
// ACLs store grants only; the owner's own privileges are implicit (shown
// first in the aclitem text once the ACL exists, as PostgreSQL makes them
// explicit at the first GRANT). A schema without an ACL has PostgreSQL 15's
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

function aclGrants(cat: Catalog, roleOid: Oid, acl: Record<string, string> | undefined, letter: string): boolean {
  if (!acl) return false;
  if (acl['public']?.includes(letter)) return true;
  for (const r of memberships(cat, roleOid)) if (acl[String(r)]?.includes(letter)) return true;
  return false;
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

function items(cat: Catalog, owner: Oid, acl: Record<string, string>, order: string, ownerPrivs?: string): string[] {
  const grantor = roleName(cat, String(owner));
  const sorted = (letters: string): string => [...order].filter((c) => letters.includes(c)).join('');
  const out: string[] = [];
  if (ownerPrivs !== undefined) out.push(`${grantor}=${ownerPrivs}/${grantor}`);
  // PUBLIC first, as PostgreSQL lists it, then the roles by OID.
  const keys = Object.keys(acl).sort((a, b) => (a === 'public' ? -1 : b === 'public' ? 1 : Number(a) - Number(b)));
  for (const k of keys) {
    if (k === String(owner) && ownerPrivs !== undefined) continue;
    const letters = sorted(acl[k]!);
    if (letters !== '') out.push(`${roleName(cat, k)}=${letters}/${grantor}`);
  }
  return out;
}

/** pg_class.relacl: null until the first GRANT/REVOKE (PostgreSQL's default ACL). */
export function relationAclText(cat: Catalog, rel: AclRelation): string[] | null {
  if (!rel.acl) return null;
  return items(cat, rel.owner, rel.acl, TABLE_PRIVILEGES, TABLE_PRIVILEGES);
}

/** pg_attribute.attacl of one column, or null. */
export function columnAclText(cat: Catalog, rel: AclRelation, attnum: number): string[] | null {
  const acl = rel.colAcl?.[String(attnum)];
  if (!acl || Object.keys(acl).length === 0) return null;
  return items(cat, rel.owner, acl, COLUMN_PRIVILEGES);
}

/** pg_namespace.nspacl (the public schema shows PostgreSQL 15's default ACL). */
export function schemaAclText(cat: Catalog, s: SchemaObj): string[] | null {
  if (!s.acl && s.oid !== OID.public) return null;
  return items(cat, s.owner, schemaAcl(s), SCHEMA_PRIVILEGES, SCHEMA_PRIVILEGES);
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
  const grantor = plainName(cat, owner);
  const out: GrantRow[] = [];
  if (withOwner) for (const l of letters) out.push({ grantor, grantee: grantor, letter: l, grantable: true });
  for (const [k, held] of Object.entries(acl ?? {})) {
    if (k === String(owner) && withOwner) continue;
    for (const l of letters) if (held.includes(l)) out.push({ grantor, grantee: k === 'public' ? 'PUBLIC' : plainName(cat, Number(k)), letter: l, grantable: false });
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
    if (!rows.some((x) => x.grantee === r.grantee && x.letter === r.letter)) rows.push(r);
  }
  return rows;
}
