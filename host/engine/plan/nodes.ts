// Bound expressions and plan nodes: what the binder produces, the planner
// rewrites and the compiler encodes into bytecode.
//
// Expressions are typed trees. A column reference names a position in the
// input row of the node evaluating it; correlated references reach rows of
// enclosing queries by level. Plan nodes are relational operators; each
// produces rows of `cols` (name + type).

import type { SqlType } from '../types/types.ts';

/** SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE (PostgreSQL's row lock modes, strongest first). */
export type LockStrength = 'update' | 'nokey' | 'share' | 'keyshare';

export interface ColInfo {
  name: string;
  type: SqlType;
  /** The table and attribute it comes from, when it is a plain column (RowDescription, pg_attribute). */
  tableOid?: number;
  attnum?: number;
}

export type Expr =
  | { k: 'const'; type: SqlType; value: unknown }
  | { k: 'param'; type: SqlType; index: number }
  | { k: 'col'; type: SqlType; index: number }
  | { k: 'outer'; type: SqlType; level: number; index: number }
  | { k: 'call'; type: SqlType; fn: string; oid: number; args: Expr[]; strict: boolean; volatile: boolean }
  | { k: 'op'; type: SqlType; op: string; oid: number; args: Expr[]; strict: boolean }
  | { k: 'cast'; type: SqlType; arg: Expr; explicit: boolean }
  | { k: 'and' | 'or'; type: SqlType; args: Expr[] }
  | { k: 'not'; type: SqlType; arg: Expr }
  | { k: 'is_null'; type: SqlType; arg: Expr; negate: boolean }
  | { k: 'is_bool'; type: SqlType; arg: Expr; value: boolean | null; negate: boolean }
  | { k: 'distinct_from'; type: SqlType; args: [Expr, Expr]; negate: boolean }
  | { k: 'case'; type: SqlType; whens: Array<{ cond: Expr; then: Expr }>; else: Expr }
  | { k: 'coalesce' | 'greatest' | 'least'; type: SqlType; args: Expr[] }
  | { k: 'nullif'; type: SqlType; args: [Expr, Expr]; eqOid: number }
  | { k: 'in_list'; type: SqlType; arg: Expr; list: Expr[]; negate: boolean; eqOid: number }
  | { k: 'array'; type: SqlType; elems: Expr[] }
  | { k: 'row'; type: SqlType; fields: Expr[] }
  | { k: 'subquery'; type: SqlType; mode: 'scalar' | 'exists' | 'array'; plan: Plan; correlated: boolean }
  | {
      k: 'sublink';
      type: SqlType;
      mode: 'any' | 'all';
      op: string;
      oid: number;
      left: Expr[];
      plan: Plan;
      correlated: boolean;
      /** Per-column operators when the row has several columns of different types (else `oid` for all). */
      oids?: number[];
    }
  /** `left op ANY|ALL (array)`: ScalarArrayOpExpr. */
  | { k: 'array_op'; type: SqlType; mode: 'any' | 'all'; op: string; oid: number; left: Expr; right: Expr }
  | { k: 'agg_ref'; type: SqlType; index: number }
  | { k: 'nextval'; type: SqlType; seqOid: number }
  /** currval(seq), lastval(), setval(seq, value [, is_called]): session sequence state. */
  | { k: 'seq_call'; type: SqlType; fn: 'currval' | 'lastval' | 'setval' | 'seq_last_value' | 'seq_log_cnt' | 'seq_is_called'; seqOid?: number; args: Expr[] }
  | { k: 'default'; type: SqlType };

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'cross' | 'semi' | 'anti';

export interface AggCall {
  fn: string;
  oid: number;
  args: Expr[];
  distinct: boolean;
  star: boolean;
  filter?: Expr;
  order?: SortKey[];
  type: SqlType;
}

export interface SortKey {
  expr: Expr;
  desc: boolean;
  nullsFirst: boolean;
}

export interface WindowCall {
  fn: string;
  oid: number;
  args: Expr[];
  kind: 'window' | 'agg';
  type: SqlType;
  filter?: Expr;
  distinct?: boolean;
  partition: Expr[];
  order: SortKey[];
  frame: {
    units: 'rows' | 'range' | 'groups';
    start: { type: 'unbounded_preceding' | 'preceding' | 'current' | 'following' | 'unbounded_following'; offset?: Expr };
    end: { type: 'unbounded_preceding' | 'preceding' | 'current' | 'following' | 'unbounded_following'; offset?: Expr };
    exclude: 'no_others' | 'current' | 'group' | 'ties';
  };
}

/** Key range on a table's primary key or an index (encoded bounds are built at run time). */
export interface KeyBound {
  /** Values of the leading key columns (equality prefix), then optionally a range on the next. */
  eq: Expr[];
  lo?: { expr: Expr; inclusive: boolean };
  hi?: { expr: Expr; inclusive: boolean };
}

export type Plan =
  | { n: 'result'; cols: ColInfo[]; exprs: Expr[] } // one row, no input
  | { n: 'values'; cols: ColInfo[]; rows: Expr[][] }
  | {
      n: 'scan';
      cols: ColInfo[];
      tableOid: number;
      /** Attribute numbers produced, in order. */
      attnums: number[];
      /** 'seq' full scan; 'pk' / 'index' key range (indexOid for 'index'). */
      access: 'seq' | 'pk' | 'index';
      indexOid?: number;
      bound?: KeyBound;
      reverse?: boolean;
      filter?: Expr;
      /** Expose the row key as an extra trailing column (for UPDATE/DELETE). */
      withRowKey?: boolean;
      forUpdate?: boolean;
      /** The row lock a locking scan takes (absent: FOR UPDATE). */
      lockStrength?: LockStrength;
      /** FOR UPDATE ... NOWAIT (55P03 instead of waiting) or SKIP LOCKED (rows others hold are left out). */
      lockWait?: 'nowait' | 'skip';
    }
  | { n: 'filter'; cols: ColInfo[]; input: Plan; pred: Expr }
  | { n: 'project'; cols: ColInfo[]; input: Plan; exprs: Expr[] }
  | { n: 'sort'; cols: ColInfo[]; input: Plan; keys: SortKey[]; limit?: Expr }
  | { n: 'limit'; cols: ColInfo[]; input: Plan; count?: Expr; offset?: Expr; withTies?: SortKey[] }
  | { n: 'distinct'; cols: ColInfo[]; input: Plan; on?: Expr[] }
  | { n: 'aggregate'; cols: ColInfo[]; input: Plan; groups: Expr[]; aggs: AggCall[]; groupingSets?: number[][] }
  | { n: 'window'; cols: ColInfo[]; input: Plan; calls: WindowCall[] }
  | {
      n: 'join';
      cols: ColInfo[];
      type: JoinType;
      method: 'nested' | 'hash' | 'merge' | 'index';
      left: Plan;
      right: Plan;
      /** Equality keys for hash/merge joins. */
      leftKeys: Expr[];
      rightKeys: Expr[];
      /** The rest of the join condition, over the concatenated row. */
      cond?: Expr;
      /** Right side re-evaluated per left row (LATERAL or correlated). */
      lateral?: boolean;
    }
  | { n: 'setop'; cols: ColInfo[]; op: 'union' | 'intersect' | 'except'; all: boolean; left: Plan; right: Plan }
  | { n: 'append'; cols: ColInfo[]; inputs: Plan[] }
  | { n: 'cte_scan'; cols: ColInfo[]; cteId: number }
  | { n: 'with'; cols: ColInfo[]; ctes: Array<{ id: number; plan: Plan; recursive?: { anchor: Plan; step: Plan; all: boolean } }>; body: Plan }
  | {
      n: 'function_scan'; cols: ColInfo[]; fn: string; oid: number; args: Expr[]; ordinality: boolean;
      /** More functions zipped with the first, row by row, the shorter padded with NULLs (select-list SRFs, ROWS FROM). */
      more?: Array<{ fn: string; oid: number; args: Expr[] }>;
    }
  | { n: 'subquery_scan'; cols: ColInfo[]; input: Plan }
  | {
      n: 'modify';
      cols: ColInfo[];
      op: 'insert' | 'update' | 'delete';
      tableOid: number;
      input: Plan;
      /** insert: input columns map to these attnums; update: targets and their input column. */
      targetAttnums: number[];
      /** update: index of the row-key column in the input. */
      rowKeyIndex?: number;
      returning?: Expr[];
      onConflict?: {
        action: 'nothing' | 'update';
        /** Index (constraint) whose conflicts are handled; undefined = any unique. */
        indexOid?: number;
        set?: Array<{ attnum: number; expr: Expr }>;
        /** Over [existing row..., proposed row...]: the whole updated row, one expression per column. */
        newRow?: Expr[];
        where?: Expr;
      };
      /** CHECK constraints over the new row (positions = attnum - 1). */
      checks?: Array<{ name: string; expr: Expr; /** a view's CHECK OPTION (44000; name = the view) */ view?: boolean }>;
      /**
       * READ COMMITTED re-evaluation after a lock wait, over the row's newest
       * version: the statement's WHERE and (update) its new-row expressions.
       */
      recheck?: { where?: Expr; newRow?: Expr[] };
      /** Column defaults of referencing tables whose foreign keys are ON DELETE/UPDATE SET DEFAULT. */
      fkDefaults?: Array<{ tableOid: number; attnum: number; expr: Expr }>;
    };

export type PlanKind = Plan['n'];
