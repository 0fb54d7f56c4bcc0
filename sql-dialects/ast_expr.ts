// AST of data types and expressions (see ast.ts for the conventions).

import type { Ident, Loc, QName, Query, OrderItem, WindowSpec, WindowRef } from './ast.ts';

// ============================================================ data types

export interface TypeName {
  kind: 'type';
  /** As written; a multi-word built-in (`DOUBLE PRECISION`, `CHARACTER VARYING`) is one unquoted upper-case Ident. */
  name: QName;
  /** Type modifiers: `(10,2)`, `(MAX)`, MySQL `ENUM('a','b')`. */
  args?: Expr[];
  /** `WITH TIME ZONE` / `WITHOUT TIME ZONE` on TIME and TIMESTAMP. */
  timeZone?: 'WITH' | 'WITHOUT';
  /** INTERVAL qualifier: 'DAY', 'YEAR TO MONTH', 'DAY TO SECOND', … */
  intervalFields?: string;
  /** Precision on the last interval field: `SECOND(3)`. */
  fieldPrecision?: Expr;
  /** Array dimensions: `int[]` is [null], `int[3][]` is [3, null]. */
  arrayBounds?: (number | null)[];
  /** PG `SETOF type` (function results). */
  setof?: boolean;
  /** MY UNSIGNED / SIGNED. */
  signed?: 'SIGNED' | 'UNSIGNED';
  /** MY ZEROFILL. */
  zerofill?: boolean;
  /** `CHARACTER SET x` (MY, FB). */
  charset?: Ident;
  /** MY column-level BINARY attribute on character types. */
  binary?: boolean;
  /** FB `BLOB SUB_TYPE x`. */
  subType?: Expr;
  /** FB `SEGMENT SIZE n`. */
  segmentSize?: Expr;
  /** `%TYPE` / `%ROWTYPE` references (`t.col%TYPE`), FB `TYPE OF [COLUMN] x`. */
  typeOf?: '%TYPE' | '%ROWTYPE' | 'TYPE OF' | 'TYPE OF COLUMN';
  loc?: Loc;
}

// ============================================================ expressions

export type Expr =
  | NumberLit
  | StringLit
  | BinaryStringLit
  | BooleanLit
  | NullLit
  | DefaultExpr
  | TypedLiteral
  | IntervalLit
  | ColumnRef
  | Star
  | Param
  | Variable
  | UnaryExpr
  | BinaryExpr
  | LikeExpr
  | BetweenExpr
  | InExpr
  | IsExpr
  | ExistsExpr
  | SubqueryExpr
  | QuantifiedExpr
  | CastExpr
  | ConvertUsing
  | CollateExpr
  | AtTimeZone
  | CaseExpr
  | FuncCall
  | ExtractExpr
  | SubstringExpr
  | PositionExpr
  | TrimExpr
  | OverlayExpr
  | SqlValueFunc
  | ArrayExpr
  | ArraySubquery
  | SubscriptExpr
  | FieldSelect
  | RowExpr
  | Nested
  | GroupingSet
  | NextValueFor
  | AssignExpr
  | NamedArg;

export interface NumberLit {
  kind: 'number';
  /** Source text (`1`, `1.5e3`, `0x1F` where 0x is numeric, `1_000`). */
  value: string;
  loc?: Loc;
}

/** Surface forms of a character string literal; the value is always decoded. */
export type StringStyle =
  | 'E' // PG E'…' escape string
  | 'N' // N'…' national
  | 'U&' // PG U&'…'
  | '$' // PG dollar quoting, `tag` holds the tag
  | 'Q' // FB Q'x…x', `tag` holds the opening delimiter
  | '"'; // MY "double quoted"

export interface StringLit {
  kind: 'string';
  value: string;
  style?: StringStyle;
  tag?: string;
  /** Character-set introducer: `_utf8'…'`. */
  charset?: string;
  loc?: Loc;
}

export interface BinaryStringLit {
  kind: 'binary_string';
  /** `X'1F'`, `B'0101'`, `0x1F` (binary in MY/TS), `0b101` (MY). */
  format: 'X' | 'B' | '0x' | '0b';
  /** The digits only, as written. */
  value: string;
  loc?: Loc;
}

export interface BooleanLit {
  kind: 'boolean';
  value: boolean;
  loc?: Loc;
}

export interface NullLit {
  kind: 'null';
  loc?: Loc;
}

/** DEFAULT as a value (VALUES (DEFAULT), SET a = DEFAULT). */
export interface DefaultExpr {
  kind: 'default';
  loc?: Loc;
}

/** `DATE '2020-01-01'`, `int4 '1'`, `TIMESTAMP WITH TIME ZONE '…'`. */
export interface TypedLiteral {
  kind: 'typed_literal';
  type: TypeName;
  value: string;
  loc?: Loc;
}

/** PG `INTERVAL '1 day'`, `INTERVAL '1' DAY`; MY `INTERVAL 1 DAY` (value any expression). */
export interface IntervalLit {
  kind: 'interval';
  value: Expr;
  fields?: string;
  fieldPrecision?: Expr;
  loc?: Loc;
}

export interface ColumnRef {
  kind: 'column';
  /** Up to catalog.schema.table.column. */
  name: QName;
  loc?: Loc;
}

/** `*` or `t.*` (in select lists, `count(*)` is FuncCall.star). */
export interface Star {
  kind: 'star';
  qualifier?: QName;
  loc?: Loc;
}

/** Parameter markers: `$1` (index), `?` (index = ordinal in the statement), `:name`. */
export interface Param {
  kind: 'param';
  style: '$' | '?' | ':';
  index?: number;
  name?: string;
  loc?: Loc;
}

/** `@v`, `@@v`, `@@session.v` (MY, TS). */
export interface Variable {
  kind: 'variable';
  sigil: '@' | '@@';
  name: string;
  /** MY `@@global.x` / `@@session.x` scope, as written. */
  scope?: string;
  /** The name was quoted: MY @`x`, @'x'. */
  quoted?: boolean;
  loc?: Loc;
}

export interface UnaryExpr {
  kind: 'unary';
  /** '-', '+', '~', 'NOT', '!', '@', '|/', 'BINARY', … */
  op: string;
  /** PG `OPERATOR(schema.op)` form: the schema path (possibly empty). */
  operatorSchema?: Ident[];
  operand: Expr;
  loc?: Loc;
}

export interface BinaryExpr {
  kind: 'binary';
  /** Symbol as written ('+', '||', '->>', '<>', '!=', '~*') or keyword ('AND', 'OR', 'XOR', 'DIV', 'MOD'). */
  op: string;
  operatorSchema?: Ident[];
  left: Expr;
  right: Expr;
  loc?: Loc;
}

export interface LikeExpr {
  kind: 'like';
  op: 'LIKE' | 'ILIKE' | 'SIMILAR TO' | 'REGEXP' | 'RLIKE' | 'CONTAINING' | 'STARTING WITH' | 'SOUNDS LIKE';
  negated: boolean;
  expr: Expr;
  pattern: Expr;
  /** PG `LIKE ANY (array)`. */
  quantifier?: 'ANY' | 'ALL' | 'SOME';
  escape?: Expr;
  loc?: Loc;
}

export interface BetweenExpr {
  kind: 'between';
  negated: boolean;
  symmetric?: 'SYMMETRIC' | 'ASYMMETRIC';
  expr: Expr;
  low: Expr;
  high: Expr;
  loc?: Loc;
}

export interface InExpr {
  kind: 'in';
  negated: boolean;
  expr: Expr;
  /** A value list, or a subquery. */
  list?: Expr[];
  query?: Query;
  loc?: Loc;
}

export interface IsExpr {
  kind: 'is';
  negated: boolean;
  expr: Expr;
  test: 'NULL' | 'TRUE' | 'FALSE' | 'UNKNOWN' | 'DISTINCT FROM' | 'DOCUMENT' | 'NORMALIZED' | 'JSON';
  /** Right operand of IS DISTINCT FROM. */
  right?: Expr;
  loc?: Loc;
}

export interface ExistsExpr {
  kind: 'exists';
  query: Query;
  loc?: Loc;
}

/** A scalar subquery `(SELECT …)`. */
export interface SubqueryExpr {
  kind: 'subquery';
  query: Query;
  loc?: Loc;
}

/** `x op ANY|SOME|ALL (array-or-subquery)`. */
export interface QuantifiedExpr {
  kind: 'quantified';
  op: string;
  operatorSchema?: Ident[];
  quantifier: 'ANY' | 'SOME' | 'ALL';
  left: Expr;
  /** The parenthesized operand; a SubqueryExpr for a subquery. */
  right: Expr;
  loc?: Loc;
}

export interface CastExpr {
  kind: 'cast';
  expr: Expr;
  type: TypeName;
  /** Surface syntax: CAST(…), PG `::`, TS TRY_CAST(…), CONVERT(…). */
  syntax: 'cast' | '::' | 'try_cast' | 'convert';
  /** TS CONVERT style argument. */
  style?: Expr;
  loc?: Loc;
}

/** MY `CONVERT(expr USING charset)`. */
export interface ConvertUsing {
  kind: 'convert_using';
  expr: Expr;
  charset: Ident;
  loc?: Loc;
}

export interface CollateExpr {
  kind: 'collate';
  expr: Expr;
  collation: QName;
  loc?: Loc;
}

export interface AtTimeZone {
  kind: 'at_time_zone';
  expr: Expr;
  /** Undefined for PG 17 `AT LOCAL`. */
  zone?: Expr;
  loc?: Loc;
}

export interface CaseExpr {
  kind: 'case';
  operand?: Expr;
  whens: { when: Expr; then: Expr }[];
  else?: Expr;
  loc?: Loc;
}

export interface FuncCall {
  kind: 'func';
  name: QName;
  args: Expr[];
  /** `count(*)`. */
  star?: boolean;
  quantifier?: 'DISTINCT' | 'ALL';
  /** PG `VARIADIC` before the last argument. */
  variadic?: boolean;
  /** ORDER BY inside the argument list (PG string_agg, array_agg). */
  orderBy?: OrderItem[];
  /** MY GROUP_CONCAT(… SEPARATOR ',') */
  separator?: Expr;
  withinGroup?: OrderItem[];
  filter?: Expr;
  nullTreatment?: 'IGNORE NULLS' | 'RESPECT NULLS';
  over?: WindowSpec | WindowRef;
  /** Written in SQL syntax: `(a, b) OVERLAPS (c, d)` is overlaps(a, b, c, d), as PG parses it. */
  syntax?: 'overlaps';
  loc?: Loc;
}

/** `name => value` / `name := value` argument. */
export interface NamedArg {
  kind: 'named_arg';
  name: Ident;
  value: Expr;
  syntax: '=>' | ':=';
  loc?: Loc;
}

export interface ExtractExpr {
  kind: 'extract';
  /** Field as written, upper-cased ('YEAR', 'EPOCH', …) or a string literal's text. */
  field: string;
  /** The field was given as a string literal (PG `EXTRACT('year' FROM x)`). */
  fieldQuoted?: boolean;
  source: Expr;
  loc?: Loc;
}

/** SUBSTRING(x FROM a FOR b) / SUBSTRING(x SIMILAR p ESCAPE e); the comma form is a FuncCall. */
export interface SubstringExpr {
  kind: 'substring';
  expr: Expr;
  from?: Expr;
  for?: Expr;
  similar?: Expr;
  escape?: Expr;
  loc?: Loc;
}

export interface PositionExpr {
  kind: 'position';
  needle: Expr;
  haystack: Expr;
  loc?: Loc;
}

export interface TrimExpr {
  kind: 'trim';
  spec?: 'BOTH' | 'LEADING' | 'TRAILING';
  chars?: Expr;
  source: Expr;
  loc?: Loc;
}

export interface OverlayExpr {
  kind: 'overlay';
  expr: Expr;
  placing: Expr;
  from: Expr;
  for?: Expr;
  loc?: Loc;
}

/** Niladic SQL functions: CURRENT_DATE, CURRENT_TIMESTAMP(3), LOCALTIMESTAMP, CURRENT_USER, … */
export interface SqlValueFunc {
  kind: 'sql_value';
  name: string;
  precision?: Expr;
  loc?: Loc;
}

/** PG `ARRAY[1,2]`; nested rows inside omit the keyword (`ARRAY[[1],[2]]`). */
export interface ArrayExpr {
  kind: 'array';
  elements: Expr[];
  keyword: boolean;
  loc?: Loc;
}

export interface ArraySubquery {
  kind: 'array_subquery';
  query: Query;
  loc?: Loc;
}

/** `a[i]` or a slice `a[lo:hi]` (either bound may be missing). */
export interface SubscriptExpr {
  kind: 'subscript';
  expr: Expr;
  index?: Expr;
  slice?: boolean;
  upper?: Expr;
  loc?: Loc;
}

/** `(expr).field` or `(expr).*`. */
export interface FieldSelect {
  kind: 'field';
  expr: Expr;
  field: Ident | '*';
  loc?: Loc;
}

/** `ROW(a, b)` (keyword true) or `(a, b)`. */
export interface RowExpr {
  kind: 'row';
  items: Expr[];
  keyword: boolean;
  loc?: Loc;
}

/** A parenthesized expression, kept so printing reproduces the grouping. */
export interface Nested {
  kind: 'nested';
  expr: Expr;
  loc?: Loc;
}

/** GROUP BY ROLLUP(…) / CUBE(…) / GROUPING SETS(…) / the empty set `()`. */
export interface GroupingSet {
  kind: 'grouping_set';
  type: 'ROLLUP' | 'CUBE' | 'GROUPING SETS' | 'EMPTY';
  items: Expr[];
  loc?: Loc;
}

export interface NextValueFor {
  kind: 'next_value';
  sequence: QName;
  loc?: Loc;
}

/** MY `@v := expr`; TS `SELECT @v = expr` (op '='). */
export interface AssignExpr {
  kind: 'assign';
  target: Expr;
  op: string;
  value: Expr;
  loc?: Loc;
}
