// AST of data-changing statements: INSERT (and its MySQL/Firebird variants),
// UPDATE, DELETE, MERGE.

import type {
  Expr,
  Ident,
  Limit,
  Loc,
  OrderItem,
  QName,
  Query,
  SelectItem,
  TableRef,
  WithClause,
} from './ast.ts';

/** `col = expr`, `(a, b) = (…)`, TS `col += expr`. Targets are column refs (possibly subscripted). */
export interface Assignment {
  targets: Expr[];
  /** `(a, b) = …` form. */
  parenthesized?: boolean;
  /** '=' unless a compound TS operator ('+=', …) or MY ':='. */
  op?: string;
  value: Expr;
}

export interface Returning {
  items: SelectItem[];
  /** FB `RETURNING … INTO :a, :b`. */
  into?: Expr[];
}

/** TS `OUTPUT inserted.*, deleted.x [INTO @t (cols)]`. */
export interface OutputClause {
  items: SelectItem[];
  into?: { target: Expr; columns?: Ident[] };
}

export interface OnConflict {
  /** `(col, (expr) …) [WHERE …]` target. */
  columns?: IndexElem[];
  targetWhere?: Expr;
  constraint?: Ident;
  action: 'NOTHING' | 'UPDATE';
  set?: Assignment[];
  where?: Expr;
}

/** An indexed column or expression with its ordering. */
export interface IndexElem {
  /** A column, an expression, or (MY) `col(len)` as a FuncCall; COLLATE is a CollateExpr. */
  expr: Expr;
  opclass?: QName;
  dir?: 'ASC' | 'DESC';
  nulls?: 'FIRST' | 'LAST';
}

export interface DefaultValues {
  kind: 'default_values';
}

/** MY `INSERT INTO t SET a = 1, b = 2`. */
export interface InsertSet {
  kind: 'insert_set';
  set: Assignment[];
}

export type InsertSource = Query | DefaultValues | InsertSet;

export interface Insert {
  kind: 'insert';
  with?: WithClause;
  /** INSERT; MY REPLACE; FB UPDATE OR INSERT. */
  verb: 'INSERT' | 'REPLACE' | 'UPDATE OR INSERT';
  /** MY LOW_PRIORITY / DELAYED / HIGH_PRIORITY / IGNORE, in order. */
  modifiers?: string[];
  top?: Limit;
  table: QName;
  alias?: Ident;
  columns?: Ident[];
  /** PG subscripted targets `INSERT INTO t (a[1], b)`: per column, its subscript chain (a `subscript` Expr over the column) or undefined. */
  columnTargets?: Array<Expr | undefined>;
  overriding?: 'SYSTEM' | 'USER';
  output?: OutputClause;
  source: InsertSource;
  /** FB `MATCHING (cols)`. */
  matching?: Ident[];
  onConflict?: OnConflict;
  /** MY `AS new` row alias before ON DUPLICATE KEY UPDATE. */
  rowAlias?: Ident;
  onDuplicateKeyUpdate?: Assignment[];
  returning?: Returning;
  loc?: Loc;
}

export interface Update {
  kind: 'update';
  with?: WithClause;
  modifiers?: string[];
  top?: Limit;
  /** The target; a join tree for MY multi-table UPDATE. */
  table: TableRef;
  set: Assignment[];
  output?: OutputClause;
  from?: TableRef[];
  where?: Expr;
  /** `WHERE CURRENT OF cursor`. */
  currentOf?: Ident;
  orderBy?: OrderItem[];
  limit?: Limit;
  returning?: Returning;
  loc?: Loc;
}

export interface Delete {
  kind: 'delete';
  with?: WithClause;
  modifiers?: string[];
  top?: Limit;
  /** MY/TS multi-table form: `DELETE t1, t2 FROM …` / `DELETE t FROM t JOIN …`. */
  targets?: QName[];
  table: TableRef;
  output?: OutputClause;
  /** PG USING / MY USING list, or TS second FROM list. */
  using?: TableRef[];
  usingKeyword?: 'USING' | 'FROM';
  where?: Expr;
  currentOf?: Ident;
  orderBy?: OrderItem[];
  limit?: Limit;
  returning?: Returning;
  loc?: Loc;
}

export type MergeAction =
  | { kind: 'merge_update'; set: Assignment[] }
  | { kind: 'merge_delete' }
  | { kind: 'merge_insert'; columns?: Ident[]; overriding?: 'SYSTEM' | 'USER'; values?: Expr[]; defaultValues?: boolean }
  | { kind: 'merge_do_nothing' };

export interface MergeClause {
  matched: boolean;
  /** TS `WHEN NOT MATCHED BY SOURCE|TARGET`. */
  by?: 'SOURCE' | 'TARGET';
  condition?: Expr;
  action: MergeAction;
}

export interface Merge {
  kind: 'merge';
  with?: WithClause;
  top?: Limit;
  target: TableRef;
  source: TableRef;
  on: Expr;
  clauses: MergeClause[];
  output?: OutputClause;
  returning?: Returning;
  loc?: Loc;
}

export type DmlStatement = Insert | Update | Delete | Merge;
