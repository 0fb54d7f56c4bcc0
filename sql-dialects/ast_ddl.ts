// AST of schema statements: tables, indexes, views, schemas, databases,
// sequences, roles, privileges, comments, functions, domains, types, triggers.

import type { Expr, Ident, Loc, QName, Query, Statement, StringLit, TypeName, NullLit } from './ast.ts';
import type { IndexElem } from './ast_dml.ts';
import type { FuncParam } from './ast_proc.ts';

/**
 * A generic `NAME [=] value` option: table options (`ENGINE=InnoDB`), PG
 * `WITH (fillfactor = 70)`, sequence, role, database, COPY and EXPLAIN options.
 * `name` is the upper-case keyword phrase; a bare word value is a ColumnRef.
 */
export interface SqlOption {
  name: string;
  value?: Expr;
  /** An `=` was written between name and value. */
  eq?: boolean;
}

/** How CREATE-like statements begin. */
export type CreateVerb = 'CREATE' | 'CREATE OR REPLACE' | 'CREATE OR ALTER' | 'RECREATE' | 'ALTER';

export type RefAction = 'CASCADE' | 'SET NULL' | 'SET DEFAULT' | 'RESTRICT' | 'NO ACTION';

export interface ForeignKeyRef {
  table: QName;
  columns?: Ident[];
  match?: 'FULL' | 'PARTIAL' | 'SIMPLE';
  onDelete?: RefAction;
  onUpdate?: RefAction;
}

/** Constraint timing (PG). */
export interface Deferral {
  deferrable?: boolean;
  initially?: 'DEFERRED' | 'IMMEDIATE';
}

export type ColumnConstraint = (
  | { type: 'not_null' }
  | { type: 'null' }
  | { type: 'default'; expr: Expr }
  | { type: 'primary_key'; dir?: 'ASC' | 'DESC'; clustered?: 'CLUSTERED' | 'NONCLUSTERED' }
  | { type: 'unique'; key?: boolean; clustered?: 'CLUSTERED' | 'NONCLUSTERED'; nullsDistinct?: boolean }
  | { type: 'check'; expr: Expr; noInherit?: boolean }
  | { type: 'references'; ref: ForeignKeyRef }
  | {
      /**
       * An identity column, by surface syntax: 'generated' (`GENERATED {ALWAYS|BY DEFAULT}
       * AS IDENTITY [(opts)]`), 'identity' (TS `IDENTITY(seed, step)`), 'auto_increment' (MY).
       */
      type: 'identity';
      syntax: 'generated' | 'identity' | 'auto_increment';
      always?: boolean;
      options?: SqlOption[];
      seed?: Expr;
      increment?: Expr;
    }
  | {
      /** Computed column: 'generated' (`GENERATED ALWAYS AS (e) STORED`), 'computed_by' (FB), 'as' (MY `AS (e)`, TS `AS e`). */
      type: 'generated';
      syntax: 'generated' | 'computed_by' | 'as';
      expr: Expr;
      storage?: 'STORED' | 'VIRTUAL' | 'PERSISTED';
    }
  | { type: 'collate'; collation: QName }
  | { type: 'on_update'; expr: Expr }
  | { type: 'comment'; text: StringLit }
) & { name?: Ident } & Deferral;

export interface ColumnDef {
  kind: 'column_def';
  name: Ident;
  /** Absent for TS computed columns (`c AS a + b`). */
  type?: TypeName;
  constraints: ColumnConstraint[];
  loc?: Loc;
}

export interface TableConstraint extends Deferral {
  kind: 'table_constraint';
  name?: Ident;
  /** 'default' is TS `[CONSTRAINT n] DEFAULT expr FOR column` in ALTER TABLE … ADD. */
  type: 'primary_key' | 'unique' | 'check' | 'foreign_key' | 'index' | 'fulltext' | 'spatial' | 'default';
  /** TS DEFAULT … FOR column. */
  forColumn?: Ident;
  /** MY `UNIQUE KEY` / `INDEX` / `KEY` wording. */
  keyword?: 'KEY' | 'INDEX';
  /** MY index name inside the definition (`KEY idx (a)`). */
  indexName?: Ident;
  columns?: IndexElem[];
  /** FOREIGN KEY (cols). */
  fkColumns?: Ident[];
  ref?: ForeignKeyRef;
  expr?: Expr;
  include?: Ident[];
  using?: Ident;
  clustered?: 'CLUSTERED' | 'NONCLUSTERED';
  notValid?: boolean;
  noInherit?: boolean;
  nullsDistinct?: boolean;
  loc?: Loc;
}

export interface LikeClause {
  kind: 'like_table';
  table: QName;
  options?: string[];
}

export type TableElement = ColumnDef | TableConstraint | LikeClause;

export interface CreateTable {
  kind: 'create_table';
  verb: CreateVerb;
  temporary?: 'TEMP' | 'TEMPORARY' | 'GLOBAL TEMPORARY' | 'LOCAL TEMPORARY' | 'GLOBAL TEMP' | 'LOCAL TEMP';
  unlogged?: boolean;
  ifNotExists?: boolean;
  name: QName;
  elements: TableElement[];
  inherits?: QName[];
  partitionBy?: { method: string; columns: IndexElem[] };
  /** PG WITH (storage_parameter = …). */
  with?: SqlOption[];
  onCommit?: 'PRESERVE ROWS' | 'DELETE ROWS' | 'DROP';
  /** MY ENGINE=…, DEFAULT CHARSET=…, COMMENT=…, in order. */
  options?: SqlOption[];
  asQuery?: Query;
  withData?: boolean;
  loc?: Loc;
}

export type ColumnPosition = { first: true } | { after: Ident };

export type AlterColumnChange =
  | { type: 'set_type'; dataType: TypeName; syntax: 'TYPE' | 'SET DATA TYPE' | 'bare'; using?: Expr; collate?: QName; nullability?: 'NULL' | 'NOT NULL' }
  | { type: 'set_default'; expr: Expr }
  | { type: 'drop_default' }
  | { type: 'set_not_null' }
  | { type: 'drop_not_null' }
  | { type: 'rename_to'; name: Ident }
  | { type: 'position'; position: Expr }
  | { type: 'restart'; value?: Expr }
  /** PG `ADD GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY [(sequence options)]`. */
  | { type: 'add_identity'; always: boolean; options?: SqlOption[] }
  /** PG `SET GENERATED {ALWAYS | BY DEFAULT}`. */
  | { type: 'set_generated'; always: boolean }
  /** PG `DROP IDENTITY [IF EXISTS]`. */
  | { type: 'drop_identity'; ifExists?: boolean };

export type AlterTableAction =
  | {
      action: 'add_column';
      column: ColumnDef;
      ifNotExists?: boolean;
      columnKeyword?: boolean;
      position?: ColumnPosition;
      /** TS `ADD a int, b int`: a further column of the same ADD. */
      continued?: boolean;
    }
  | { action: 'drop_column'; name: Ident; ifExists?: boolean; behavior?: 'CASCADE' | 'RESTRICT'; columnKeyword?: boolean }
  | { action: 'rename_column'; from: Ident; to: Ident; columnKeyword?: boolean }
  | { action: 'rename_table'; to: QName; toKeyword?: 'TO' | 'AS' }
  | { action: 'alter_column'; name: Ident; columnKeyword?: boolean; change: AlterColumnChange }
  | { action: 'add_constraint'; constraint: TableConstraint; notValid?: boolean }
  | { action: 'drop_constraint'; name: Ident; ifExists?: boolean; behavior?: 'CASCADE' | 'RESTRICT' }
  | { action: 'owner_to'; owner: Ident }
  | { action: 'set_schema'; schema: Ident }
  | { action: 'modify_column'; column: ColumnDef; columnKeyword?: boolean; position?: ColumnPosition }
  | { action: 'change_column'; from: Ident; column: ColumnDef; columnKeyword?: boolean; position?: ColumnPosition }
  | { action: 'drop_index'; name: Ident; keyword: 'INDEX' | 'KEY' }
  | { action: 'drop_primary_key' }
  | { action: 'table_options'; options: SqlOption[] };

export interface AlterTable {
  kind: 'alter_table';
  /** PG ALTER INDEX / VIEW / MATERIALIZED VIEW (RENAME, SET SCHEMA, OWNER TO…); absent for ALTER TABLE. */
  objectType?: 'INDEX' | 'VIEW' | 'MATERIALIZED VIEW';
  ifExists?: boolean;
  only?: boolean;
  name: QName;
  actions: AlterTableAction[];
  loc?: Loc;
}

/** DROP of any object kind. `argLists` holds PG function signatures, parallel to `names`. */
export interface Drop {
  kind: 'drop';
  objectType: string;
  temporary?: boolean;
  concurrently?: boolean;
  ifExists?: boolean;
  names: QName[];
  argLists?: (FuncParam[] | null)[];
  /** MY DROP INDEX i ON t; PG DROP TRIGGER t ON tbl. */
  onTable?: QName;
  behavior?: 'CASCADE' | 'RESTRICT';
  /** MY `DROP USER 'u'@'h'` hosts, parallel to names. */
  hosts?: (Ident | null)[];
  loc?: Loc;
}

export interface CreateIndex {
  kind: 'create_index';
  verb: CreateVerb;
  unique?: boolean;
  /** MY FULLTEXT / SPATIAL. */
  indexType?: 'FULLTEXT' | 'SPATIAL';
  clustered?: 'CLUSTERED' | 'NONCLUSTERED';
  /** FB ASC/DESC index direction. */
  direction?: 'ASC' | 'ASCENDING' | 'DESC' | 'DESCENDING';
  concurrently?: boolean;
  ifNotExists?: boolean;
  name?: QName;
  table: QName;
  only?: boolean;
  using?: Ident;
  columns: IndexElem[];
  /** FB COMPUTED BY (expr). */
  computedBy?: Expr;
  include?: Ident[];
  nullsDistinct?: boolean;
  with?: SqlOption[];
  tablespace?: Ident;
  where?: Expr;
  loc?: Loc;
}

export interface CreateView {
  kind: 'create_view';
  verb: CreateVerb;
  temporary?: 'TEMP' | 'TEMPORARY';
  recursive?: boolean;
  materialized?: boolean;
  ifNotExists?: boolean;
  /** MY ALGORITHM=…, DEFINER=…, SQL SECURITY … before VIEW. */
  options?: SqlOption[];
  name: QName;
  columns?: Ident[];
  with?: SqlOption[];
  query: Query;
  checkOption?: 'CASCADED' | 'LOCAL' | 'PLAIN';
  withData?: boolean;
  loc?: Loc;
}

export interface CreateSchema {
  kind: 'create_schema';
  ifNotExists?: boolean;
  name?: Ident;
  authorization?: Ident;
  options?: SqlOption[];
  elements?: Statement[];
  loc?: Loc;
}

export interface CreateDatabase {
  kind: 'create_database';
  /** MY CREATE SCHEMA is a synonym. */
  keyword: 'DATABASE' | 'SCHEMA';
  ifNotExists?: boolean;
  /** A name, or FB's file path string. */
  name: Ident | StringLit;
  withKeyword?: boolean;
  options: SqlOption[];
  loc?: Loc;
}

export interface AlterDatabase {
  kind: 'alter_database';
  name?: Ident;
  options: SqlOption[];
  loc?: Loc;
}

export interface CreateSequence {
  kind: 'create_sequence';
  verb: CreateVerb;
  /** FB CREATE GENERATOR. */
  keyword: 'SEQUENCE' | 'GENERATOR';
  temporary?: 'TEMP' | 'TEMPORARY';
  ifNotExists?: boolean;
  name: QName;
  options: SqlOption[];
  loc?: Loc;
}

export interface AlterSequence {
  kind: 'alter_sequence';
  ifExists?: boolean;
  name: QName;
  options: SqlOption[];
  loc?: Loc;
}

/** A role or user name; MY accounts carry a host (`'u'@'localhost'`). */
export interface RoleName {
  name: Ident;
  host?: Ident;
}

export interface CreateRole {
  kind: 'create_role';
  keyword: 'ROLE' | 'USER' | 'GROUP';
  ifNotExists?: boolean;
  name: RoleName;
  withKeyword?: boolean;
  /** LOGIN, SUPERUSER, PASSWORD 'x', VALID UNTIL '…', IDENTIFIED BY 'x', … */
  options: SqlOption[];
  loc?: Loc;
}

export interface AlterRole {
  kind: 'alter_role';
  keyword: 'ROLE' | 'USER' | 'GROUP';
  ifExists?: boolean;
  name: RoleName;
  withKeyword?: boolean;
  options: SqlOption[];
  renameTo?: Ident;
  /** ALTER ROLE r SET param TO value / RESET param. */
  set?: { name: QName; values?: Expr[]; reset?: boolean };
  loc?: Loc;
}

export interface Privilege {
  /** SELECT, INSERT, UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER, USAGE, CREATE, CONNECT, TEMPORARY, EXECUTE, ALL [PRIVILEGES], … */
  name: string;
  columns?: Ident[];
}

export interface Grant {
  kind: 'grant' | 'revoke';
  /** Privileges; absent for role membership grants (GRANT role TO user). */
  privileges?: Privilege[];
  /** Granted roles (membership form). */
  roles?: Ident[];
  /** TABLE, SCHEMA, SEQUENCE, DATABASE, FUNCTION, ALL TABLES IN SCHEMA, … ('' when omitted). */
  objectType?: string;
  objects?: QName[];
  /** Routine signatures of the objects (GRANT EXECUTE ON FUNCTION f(int)), parallel to `objects`. */
  objectArgs?: (FuncParam[] | null)[];
  grantees: RoleName[];
  withGrantOption?: boolean;
  /** Role grants: WITH ADMIN OPTION. */
  withAdminOption?: boolean;
  /** REVOKE GRANT OPTION FOR. */
  grantOptionFor?: boolean;
  grantedBy?: Ident;
  behavior?: 'CASCADE' | 'RESTRICT';
  loc?: Loc;
}

export interface CommentOn {
  kind: 'comment_on';
  objectType: string;
  name: QName;
  /** COMMENT ON CONSTRAINT c ON t. */
  onTable?: QName;
  argList?: FuncParam[];
  comment: StringLit | NullLit;
  loc?: Loc;
}

export type FuncReturns =
  | { type: TypeName }
  | { table: { name: Ident; type: TypeName }[] };

export interface CreateFunction {
  kind: 'create_function';
  verb: CreateVerb;
  objectType: 'FUNCTION' | 'PROCEDURE';
  name: QName;
  params: FuncParam[];
  returns?: FuncReturns;
  /** In order: LANGUAGE x, IMMUTABLE, STRICT, SECURITY DEFINER, COST n, SET x TO v, AS 'body', RETURN expr, … */
  options: SqlOption[];
  loc?: Loc;
}

export interface CreateDomain {
  kind: 'create_domain';
  verb: CreateVerb;
  name: QName;
  asKeyword?: boolean;
  type: TypeName;
  constraints: ColumnConstraint[];
  loc?: Loc;
}

export interface CreateType {
  kind: 'create_type';
  name: QName;
  /** AS ENUM ('a', 'b'). */
  enumLabels?: StringLit[];
  /** AS (a int, b text). */
  attributes?: { name: Ident; type: TypeName }[];
  loc?: Loc;
}

export interface CreateExtension {
  kind: 'create_extension';
  ifNotExists?: boolean;
  name: Ident;
  withKeyword?: boolean;
  options: SqlOption[];
  loc?: Loc;
}

export interface TriggerEvent {
  event: 'INSERT' | 'UPDATE' | 'DELETE' | 'TRUNCATE';
  columns?: Ident[];
}

export interface CreateTrigger {
  kind: 'create_trigger';
  verb: CreateVerb;
  name: QName;
  /**
   * 'legacy': FB `FOR t ACTIVE BEFORE INSERT POSITION 0 AS …`;
   * 'standard': `BEFORE INSERT ON t …` (PG, MY, FB 3+);
   * 'tsql': TS `ON t {FOR|AFTER|INSTEAD OF} INSERT, UPDATE AS …`.
   */
  syntax: 'legacy' | 'standard' | 'tsql';
  table?: QName;
  active?: boolean;
  timing?: 'BEFORE' | 'AFTER' | 'INSTEAD OF' | 'FOR';
  events: TriggerEvent[];
  position?: Expr;
  forEach?: 'ROW' | 'STATEMENT';
  forEachKeyword?: boolean;
  when?: Expr;
  /** PG EXECUTE FUNCTION|PROCEDURE f(args). */
  execute?: { keyword: 'FUNCTION' | 'PROCEDURE'; func: Expr };
  /** PSQL body (one Block) or the T-SQL statements after AS. */
  body?: Statement[];
  loc?: Loc;
}

export interface Truncate {
  kind: 'truncate';
  tableKeyword?: boolean;
  only?: boolean;
  tables: QName[];
  identity?: 'RESTART' | 'CONTINUE';
  behavior?: 'CASCADE' | 'RESTRICT';
  loc?: Loc;
}

export type DdlStatement =
  | CreateTable
  | AlterTable
  | Drop
  | CreateIndex
  | CreateView
  | CreateSchema
  | CreateDatabase
  | AlterDatabase
  | CreateSequence
  | AlterSequence
  | CreateRole
  | AlterRole
  | Grant
  | CommentOn
  | CreateFunction
  | CreateDomain
  | CreateType
  | CreateExtension
  | CreateTrigger
  | Truncate;
