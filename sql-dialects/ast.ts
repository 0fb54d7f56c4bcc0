// The common AST shared by every dialect.
//
// Plain JSON-able objects discriminated by `kind`: no classes, no parent
// pointers, so trees deep-compare. Source positions live only in optional
// `loc` fields (0-based UTF-16 offsets, end exclusive) that stripLoc() removes.
// Identifiers keep their text as written plus whether they were quoted; the
// binder folds them through Dialect.foldIdentifier.
//
// Dialect-specific syntax becomes a common node where the meaning is the same
// and records its surface form only where printing needs it (e.g. Limit.syntax
// for LIMIT / TOP / FIRST-SKIP / OFFSET-FETCH, Cast.syntax for `::`).
//
// Types and expressions are in ast_expr.ts; statements in ast_dml.ts,
// ast_ddl.ts, ast_misc.ts and ast_proc.ts.

import type { DmlStatement } from './ast_dml.ts';
import type { DdlStatement } from './ast_ddl.ts';
import type { MiscStatement } from './ast_misc.ts';
import type { Expr, TypeName } from './ast_expr.ts';

export type * from './ast_expr.ts';
export type * from './ast_dml.ts';
export type * from './ast_ddl.ts';
export type * from './ast_misc.ts';

export interface Loc {
  start: number;
  end: number;
}

export interface Ident {
  /** The text as written, quotes removed and doubled quotes undone. */
  value: string;
  quoted: boolean;
  loc?: Loc;
}

/** A possibly qualified name: catalog.schema.table, schema.function, … */
export type QName = Ident[];

// ============================================================ queries

export interface OrderItem {
  expr: Expr;
  dir?: 'ASC' | 'DESC';
  /** PG `ORDER BY x USING <`. */
  using?: string;
  nulls?: 'FIRST' | 'LAST';
}

export interface WindowRef {
  kind: 'window_ref';
  name: Ident;
}

export interface FrameBound {
  type: 'UNBOUNDED PRECEDING' | 'PRECEDING' | 'CURRENT ROW' | 'FOLLOWING' | 'UNBOUNDED FOLLOWING';
  offset?: Expr;
}

export interface WindowFrame {
  units: 'ROWS' | 'RANGE' | 'GROUPS';
  start: FrameBound;
  end?: FrameBound;
  exclude?: 'CURRENT ROW' | 'GROUP' | 'TIES' | 'NO OTHERS';
}

export interface WindowSpec {
  kind: 'window_spec';
  base?: Ident;
  partitionBy?: Expr[];
  orderBy?: OrderItem[];
  frame?: WindowFrame;
}

/**
 * Every row-limiting syntax, normalized: `count` rows after skipping `offset`.
 * `syntax` records the surface form so each dialect prints its own.
 * - 'limit': LIMIT n [OFFSET m] / OFFSET m alone (PG, MY)
 * - 'limit_comma': MY LIMIT m, n
 * - 'offset_fetch': OFFSET m ROWS FETCH FIRST n ROWS ONLY|WITH TIES
 * - 'top': TS TOP (n) [PERCENT] [WITH TIES]
 * - 'first_skip': FB FIRST n SKIP m
 * - 'rows': FB ROWS m [TO n] (`count` is m, or `rowsTo` the last row number)
 */
export interface Limit {
  kind: 'limit';
  syntax: 'limit' | 'limit_comma' | 'offset_fetch' | 'top' | 'first_skip' | 'rows';
  count?: Expr;
  offset?: Expr;
  /** PG `LIMIT ALL`. */
  all?: boolean;
  percent?: boolean;
  withTies?: boolean;
  /** FB ROWS m TO n: n. */
  rowsTo?: Expr;
  /** TS TOP n without parentheses (legacy). */
  noParens?: boolean;
}

export interface Locking {
  strength: 'UPDATE' | 'NO KEY UPDATE' | 'SHARE' | 'KEY SHARE' | 'LOCK IN SHARE MODE' | 'WITH LOCK';
  of?: QName[];
  wait?: 'NOWAIT' | 'SKIP LOCKED';
}

export interface Cte {
  name: Ident;
  columns?: Ident[];
  materialized?: boolean;
  query: Statement;
  /** PG `SEARCH {DEPTH | BREADTH} FIRST BY cols SET seq_col` (recursive CTEs). */
  search?: { breadth: boolean; by: Ident[]; set: Ident };
  /** PG `CYCLE cols SET mark_col [TO value DEFAULT value] USING path_col` (recursive CTEs). */
  cycle?: { columns: Ident[]; set: Ident; to?: Expr; default?: Expr; using: Ident };
}

export interface WithClause {
  recursive: boolean;
  ctes: Cte[];
}

export interface SelectItem {
  expr: Expr;
  alias?: Ident;
  /** The alias was written as a string literal (MY/TS `SELECT 1 'a'`). */
  aliasString?: boolean;
  /** TS `SELECT alias = expr`. */
  aliasEquals?: boolean;
}

/** SELECT … INTO: a new table (PG, TS) or variables (MY, FB PSQL). */
export interface IntoClause {
  table?: QName;
  temporary?: 'TEMP' | 'TEMPORARY' | 'UNLOGGED';
  tableKeyword?: boolean;
  vars?: Expr[];
}

export interface GroupBy {
  quantifier?: 'ALL' | 'DISTINCT';
  items: Expr[];
  withRollup?: boolean;
}

export interface NamedWindow {
  name: Ident;
  spec: WindowSpec;
}

export interface SelectCore {
  kind: 'select_core';
  /** TS TOP / FB FIRST-SKIP on an operand of a set operation (otherwise on Query.limit). */
  limit?: Limit;
  quantifier?: 'DISTINCT' | 'ALL' | 'DISTINCTROW';
  distinctOn?: Expr[];
  /** MY modifiers in order: STRAIGHT_JOIN, SQL_CALC_FOUND_ROWS, HIGH_PRIORITY, SQL_NO_CACHE, … */
  modifiers?: string[];
  columns: SelectItem[];
  into?: IntoClause;
  from?: TableRef[];
  where?: Expr;
  groupBy?: GroupBy;
  having?: Expr;
  windows?: NamedWindow[];
  loc?: Loc;
}

export interface SetOperation {
  kind: 'set_op';
  op: 'UNION' | 'INTERSECT' | 'EXCEPT' | 'MINUS';
  quantifier?: 'ALL' | 'DISTINCT';
  left: QueryBody;
  right: QueryBody;
}

export interface ValuesBody {
  kind: 'values';
  rows: Expr[][];
  /** MY `VALUES ROW(1,2), ROW(3,4)`. */
  rowKeyword?: boolean;
}

/** PG `TABLE name`. */
export interface TableBody {
  kind: 'table_body';
  name: QName;
}

export interface NestedQuery {
  kind: 'nested_query';
  query: Query;
}

export type QueryBody = SelectCore | SetOperation | ValuesBody | TableBody | NestedQuery;

export interface Query {
  kind: 'select';
  with?: WithClause;
  body: QueryBody;
  orderBy?: OrderItem[];
  limit?: Limit;
  locking?: Locking[];
  /** FB PSQL / MY: INTO after the rest of the query. */
  into?: IntoClause;
  /** TS OPTION (…) query hints, kept as text-like expressions. */
  options?: Expr[];
  loc?: Loc;
}

// ============================================================ FROM items

export interface Alias {
  name: Ident;
  columns?: Ident[];
  /** PG column definition list for record-returning functions: `AS t(a int, b text)`. */
  columnDefs?: { name: Ident; type: TypeName }[];
}

export interface TableHint {
  name: string;
  args?: Expr[];
}

export interface IndexHint {
  type: 'USE' | 'FORCE' | 'IGNORE';
  keyword: 'INDEX' | 'KEY';
  for?: 'JOIN' | 'ORDER BY' | 'GROUP BY';
  indexes: Ident[];
}

export interface TableName {
  kind: 'table';
  name: QName;
  /** PG ONLY t / t *. */
  only?: boolean;
  alias?: Alias;
  /** TS `WITH (NOLOCK, INDEX(ix))`. */
  hints?: TableHint[];
  /** The hints preceded the alias (TS MERGE target). */
  hintsFirst?: boolean;
  /** MY index hints. */
  indexHints?: IndexHint[];
  /** PG TABLESAMPLE method (args) [REPEATABLE (seed)]. */
  sample?: { method: Ident; args: Expr[]; repeatable?: Expr };
  loc?: Loc;
}

export interface DerivedTable {
  kind: 'derived';
  lateral?: boolean;
  query: Query;
  alias?: Alias;
  loc?: Loc;
}

export interface TableFunction {
  kind: 'table_func';
  lateral?: boolean;
  func: Expr;
  ordinality?: boolean;
  alias?: Alias;
  loc?: Loc;
}

export type JoinType =
  | 'INNER'
  | 'LEFT'
  | 'RIGHT'
  | 'FULL'
  | 'CROSS'
  | 'CROSS APPLY'
  | 'OUTER APPLY'
  | 'STRAIGHT_JOIN';

export interface Join {
  kind: 'join';
  type: JoinType;
  natural?: boolean;
  left: TableRef;
  right: TableRef;
  on?: Expr;
  using?: Ident[];
  loc?: Loc;
}

/** A parenthesized join tree in FROM: `(a JOIN b ON …) [AS x]`. */
export interface NestedJoin {
  kind: 'nested_join';
  table: TableRef;
  alias?: Alias;
  loc?: Loc;
}

export type TableRef = TableName | DerivedTable | TableFunction | Join | NestedJoin;

// ============================================================ statements

export type Statement = Query | DmlStatement | DdlStatement | MiscStatement;
