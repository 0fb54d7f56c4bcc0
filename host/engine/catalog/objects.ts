// Catalog objects: plain JSON records, one per OID, stored in the `$catalog`
// key space and mirrored in memory by Catalog. Field names follow what the
// PostgreSQL catalogs (pg_class, pg_attribute, pg_index, pg_constraint…) are
// emulated from.

import type { SqlType } from '../types/types.ts';

export type Oid = number;

/** PostgreSQL's well-known OIDs for bootstrap objects. */
export const OID = {
  bootstrapSuperuser: 10,
  pgCatalog: 11,
  public: 2200,
  informationSchema: 13000,
  firstUser: 16384,
} as const;

export interface DatabaseObj {
  kind: 'database';
  oid: Oid;
  name: string;
  owner: Oid;
  encoding: 'UTF8';
  comment?: string;
  /** COMMENT ON FUNCTION of built-in functions: function OID -> text. */
  functionComments?: Record<string, string>;
}

export interface SchemaObj {
  kind: 'schema';
  oid: Oid;
  dbOid: Oid;
  name: string;
  owner: Oid;
  comment?: string;
  /** GRANTed schema privileges: grantee role OID (or 'public') -> letters ('U' USAGE, 'C' CREATE). Absent: the default (public schema: USAGE to PUBLIC). */
  acl?: Record<string, string>;
  /** As TableObj.aclOrder (key ''). */
  aclOrder?: Record<string, string[]>;
}

export interface ColumnObj {
  /** 1-based attribute number; never reused after a drop. */
  attnum: number;
  name: string;
  type: SqlType;
  notNull: boolean;
  /** DEFAULT expression as PostgreSQL SQL text (pg_attrdef.adbin's source). */
  default?: string;
  /** GENERATED ALWAYS ('a') / BY DEFAULT ('d') AS IDENTITY, with its sequence. */
  identity?: 'a' | 'd';
  identitySeq?: Oid;
  /** GENERATED ALWAYS AS (expr) STORED. */
  generated?: string;
  dropped?: boolean;
  /**
   * For a column added to a table with rows: the value (row-codec text) rows
   * written before the ADD read as (PostgreSQL's attmissingval).
   */
  missing?: string | null;
  comment?: string;
}

export interface TableObj {
  kind: 'table';
  oid: Oid;
  dbOid: Oid;
  schemaOid: Oid;
  name: string;
  owner: Oid;
  columns: ColumnObj[];
  /** Attribute numbers of the primary key, or undefined (a hidden row id keys the rows). */
  pk?: number[];
  /** The key space holding the rows. */
  keyspace: string;
  nextAttnum: number;
  temp?: boolean;
  comment?: string;
  /** GRANTed privileges: grantee role OID (or 'public') -> privilege letters (PostgreSQL's aclitem codes, "arwdD"). */
  acl?: Record<string, string>;
  /** Column privileges (GRANT SELECT (c) ...): attnum -> grantee -> letters ('r', 'a', 'w', 'x'). */
  colAcl?: Record<string, Record<string, string>>;
  /** The keys of `acl` ('') and of each column's ACL (attnum) in grant order, as PostgreSQL lists aclitems. */
  aclOrder?: Record<string, string[]>;
  /**
   * A materialized view (pg_class.relkind 'm'): its rows are stored like a
   * table's; `sql` is the defining query (PostgreSQL dialect), `populated`
   * false after WITH NO DATA (pg_class.relispopulated).
   */
  matview?: { sql: string; populated: boolean };
}

export interface IndexKey {
  /** The indexed column, or 0 for an expression key (PostgreSQL's indkey). */
  attnum: number;
  /** Expression key: the expression as PostgreSQL SQL text over the table's columns. */
  expr?: string;
  desc: boolean;
  nullsFirst: boolean;
}

export interface IndexObj {
  kind: 'index';
  oid: Oid;
  dbOid: Oid;
  schemaOid: Oid;
  name: string;
  tableOid: Oid;
  keys: IndexKey[];
  unique: boolean;
  /** UNIQUE NULLS NOT DISTINCT: NULLs conflict with each other. */
  nullsNotDistinct?: boolean;
  primary: boolean;
  /** The key space of the index entries (empty for a primary key: the rows are keyed by it). */
  keyspace: string;
  /** Partial index predicate (SQL text). */
  where?: string;
  comment?: string;
}

export type RefAction = 'a' | 'r' | 'c' | 'n' | 'd'; // NO ACTION, RESTRICT, CASCADE, SET NULL, SET DEFAULT (pg_constraint codes)

export interface ConstraintObj {
  kind: 'constraint';
  oid: Oid;
  dbOid: Oid;
  schemaOid: Oid;
  name: string;
  tableOid: Oid;
  /** p primary key, u unique, c check, f foreign key, n not null (PG 16 style, informational). */
  type: 'p' | 'u' | 'c' | 'f';
  attnums: number[];
  /** CHECK expression (SQL text). */
  check?: string;
  /** The index that enforces a primary key or unique constraint. */
  indexOid?: Oid;
  ref?: {
    tableOid: Oid;
    attnums: number[];
    onDelete: RefAction;
    onUpdate: RefAction;
    match: 'f' | 's' | 'p';
  };
  deferrable?: boolean;
  deferred?: boolean;
  comment?: string;
}

export interface ViewObj {
  kind: 'view';
  oid: Oid;
  dbOid: Oid;
  schemaOid: Oid;
  name: string;
  owner: Oid;
  /** The defining query as SQL text (PostgreSQL dialect). */
  sql: string;
  columns: Array<{ name: string; type: SqlType; comment?: string }>;
  /** WITH [LOCAL | CASCADED] CHECK OPTION. */
  checkOption?: 'local' | 'cascaded';
  comment?: string;
  /** GRANTed privileges, as TableObj.acl. */
  acl?: Record<string, string>;
  /** Column privileges, as TableObj.colAcl (key: column position, 1-based). */
  colAcl?: Record<string, Record<string, string>>;
  /** As TableObj.aclOrder. */
  aclOrder?: Record<string, string[]>;
}

export interface SequenceObj {
  kind: 'sequence';
  oid: Oid;
  dbOid: Oid;
  schemaOid: Oid;
  name: string;
  owner: Oid;
  type: SqlType;
  start: number;
  increment: number;
  min: number;
  max: number;
  cache: number;
  cycle: boolean;
  ownedBy?: { tableOid: Oid; attnum: number };
  comment?: string;
}

export interface RoleObj {
  kind: 'role';
  oid: Oid;
  name: string;
  superuser: boolean;
  login: boolean;
  createdb: boolean;
  createrole: boolean;
  inherit: boolean;
  /** SCRAM-SHA-256 verifier (PostgreSQL's rolpassword format), if any. */
  password?: string;
  validUntil?: string;
  memberOf: Oid[];
  comment?: string;
}

export type RelationObj = TableObj | ViewObj | SequenceObj | IndexObj;
export type CatalogObj = DatabaseObj | SchemaObj | RelationObj | ConstraintObj | RoleObj;

export function isRelation(o: CatalogObj): o is RelationObj {
  return o.kind === 'table' || o.kind === 'view' || o.kind === 'sequence' || o.kind === 'index';
}

/** pg_class.relkind of a relation. */
export function relkind(o: RelationObj): 'r' | 'm' | 'v' | 'S' | 'i' {
  switch (o.kind) {
    case 'table':
      return o.matview ? 'm' : 'r';
    case 'view':
      return 'v';
    case 'sequence':
      return 'S';
    case 'index':
      return 'i';
  }
}

/** Live (not dropped) columns of a table, in attribute order. */
export function liveColumns(t: TableObj): ColumnObj[] {
  return t.columns.filter((c) => !c.dropped);
}

/** An expression key as PostgreSQL names it in messages: a function call bare, anything else in parentheses. */
export function keyExprName(text: string): string {
  return /^[A-Za-z_][A-Za-z0-9_$.]*\(.*\)$/s.test(text) && balancedCall(text) ? text : `(${text})`;
}

/** `f(...)` whose first '(' closes at the end (not `f(a) + g(b)`). */
function balancedCall(text: string): boolean {
  const open = text.indexOf('(');
  let depth = 0;
  let quote = false;
  for (let i = open; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === "'") quote = false;
      continue;
    }
    if (c === "'") quote = true;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i === text.length - 1;
  }
  return false;
}
