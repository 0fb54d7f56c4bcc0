// Expression evaluation over batches.
//
// A bound expression compiles once per statement into a closure that takes a
// batch and returns one value per row. Constants and column references cost
// nothing per row; calls loop over the rows with strictness (NULL in, NULL
// out) handled here. CASE, COALESCE, AND/OR evaluate branches only for the
// rows that reach them, so `CASE WHEN x = 0 THEN 0 ELSE 1 / x END` never
// divides by zero, as in PostgreSQL.

import { SbError, SqlState } from '../sb_error.ts';
import type { Expr, Plan } from '../plan/nodes.ts';
import { registry, type FuncImpl, type OperatorImpl, type CallInfo } from '../functions/registry.ts';
import { castValue, type CastInfo, contextAllows, findCast } from '../types/casts.ts';
import { compareValues, equalValues } from '../types/compare.ts';
import { SqlArray } from '../types/array.ts';
import type { SqlType } from '../types/types.ts';
import { type Batch, selectRows } from './batch.ts';
import type { ExecContext } from './context.ts';

export type VecFn = (b: Batch, ctx: ExecContext) => unknown[];

/** Builds the operator tree of a subquery plan and runs it to completion (reads only). */
export type SubplanRunner = (plan: Plan, ctx: ExecContext, limit?: number) => unknown[][];

export interface CompileEnv {
  runSubplan: SubplanRunner;
}

function fill(n: number, v: unknown): unknown[] {
  const out = new Array<unknown>(n);
  for (let i = 0; i < n; i++) out[i] = v;
  return out;
}

export function compileExpr(e: Expr, env: CompileEnv): VecFn {
  switch (e.k) {
    case 'const': {
      const v = e.value;
      return (b) => fill(b.length, v);
    }
    case 'param': {
      const i = e.index;
      const t = e.type;
      return (b, ctx) => fill(b.length, paramValue(ctx, i, t));
    }
    case 'col': {
      const i = e.index;
      return (b) => b.cols[i]!;
    }
    case 'outer': {
      const { level, index } = e;
      return (b, ctx) => fill(b.length, ctx.outer[ctx.outer.length - level]![index]);
    }
    case 'call':
      return compileCall(e, env);
    case 'op':
      return compileOp(e, env);
    case 'cast': {
      const arg = compileExpr(e.arg, env);
      const from = e.arg.type;
      const to = e.type;
      const context = e.explicit ? 'explicit' : 'assignment';
      if (e.arg.k === 'const' || e.arg.k === 'param') {
        // One value for every row (DATE '1998-09-02', $1::numeric): cast it once per batch, not once per row.
        return (b, ctx) => {
          if (b.length === 0) return [];
          const a = arg(b, ctx)[0];
          return fill(b.length, a === null ? null : castValue(a, from, to, ctx.ev, context));
        };
      }
      // The cast is looked up once (at the first non-null value: no cast is an error only then), not once per row.
      let cast: CastInfo | undefined;
      return (b, ctx) => {
        const a = arg(b, ctx);
        const out = new Array<unknown>(b.length);
        for (let i = 0; i < b.length; i++) {
          const v = a[i];
          if (v === null || v === undefined) {
            out[i] = null;
            continue;
          }
          if (cast === undefined) {
            const c = findCast(from, to);
            if (c === undefined || !contextAllows(c.context, context)) return a.map((x) => (x === null ? null : castValue(x, from, to, ctx.ev, context)));
            cast = c;
          }
          out[i] = cast.convert(v, ctx.ev, context);
        }
        return out;
      };
    }
    case 'and':
    case 'or':
      return compileBool(e.k, e.args.map((a) => compileExpr(a, env)));
    case 'not': {
      const arg = compileExpr(e.arg, env);
      return (b, ctx) => arg(b, ctx).map((v) => (v === null ? null : !v));
    }
    case 'is_null': {
      const arg = compileExpr(e.arg, env);
      const neg = e.negate;
      const rowType = e.arg.type.id === 'record';
      return (b, ctx) =>
        arg(b, ctx).map((v) => {
          // A row IS NULL when every field is; IS NOT NULL when every field is not.
          if (rowType && Array.isArray(v)) return neg ? v.every((x) => x !== null) : v.every((x) => x === null);
          return (v === null) !== neg;
        });
    }
    case 'is_bool': {
      const arg = compileExpr(e.arg, env);
      const want = e.value;
      const neg = e.negate;
      return (b, ctx) => arg(b, ctx).map((v) => (v === want) !== neg);
    }
    case 'distinct_from': {
      const l = compileExpr(e.args[0], env);
      const r = compileExpr(e.args[1], env);
      const t = e.args[0].type;
      const neg = e.negate;
      return (b, ctx) => {
        const a = l(b, ctx);
        const c = r(b, ctx);
        const out = new Array<unknown>(b.length);
        for (let i = 0; i < b.length; i++) {
          const x = a[i];
          const y = c[i];
          const distinct = x === null || y === null ? x !== y : !equalValues(t, x, y);
          out[i] = distinct !== neg;
        }
        return out;
      };
    }
    case 'case':
      return compileCase(e, env);
    case 'coalesce': {
      const args = e.args.map((a) => compileExpr(a, env));
      return (b, ctx) => lazyFirst(b, ctx, args, (v) => v !== null);
    }
    case 'nullif': {
      const l = compileExpr(e.args[0], env);
      const r = compileExpr(e.args[1], env);
      const eq = lookupOperator(e.eqOid);
      const call: CallInfo = { argTypes: [e.args[0].type, e.args[1].type], retType: { id: 'bool', typmod: -1 } as SqlType };
      return (b, ctx) => {
        const a = l(b, ctx);
        const c = r(b, ctx);
        return a.map((x, i) => (x !== null && c[i] !== null && eq.fn(x, c[i], ctx.ev, call) === true ? null : x));
      };
    }
    case 'greatest':
    case 'least': {
      const args = e.args.map((a) => compileExpr(a, env));
      const t = e.type;
      const sign = e.k === 'greatest' ? 1 : -1;
      return (b, ctx) => {
        const cols = args.map((f) => f(b, ctx));
        const out = new Array<unknown>(b.length);
        for (let i = 0; i < b.length; i++) {
          let best: unknown = null;
          for (const col of cols) {
            const v = col[i];
            if (v === null) continue; // NULLs are ignored unless all are NULL
            if (best === null || sign * compareValues(t, v, best) > 0) best = v;
          }
          out[i] = best;
        }
        return out;
      };
    }
    case 'in_list':
      return compileInList(e, env);
    case 'array': {
      const elems = e.elems.map((x) => compileExpr(x, env));
      const elemType = e.type.elem!;
      return (b, ctx) => {
        const cols = elems.map((f) => f(b, ctx));
        const out = new Array<unknown>(b.length);
        for (let i = 0; i < b.length; i++) out[i] = buildArray(elemType, cols.map((c) => c[i]));
        return out;
      };
    }
    case 'row': {
      const fields = e.fields.map((x) => compileExpr(x, env));
      return (b, ctx) => {
        const cols = fields.map((f) => f(b, ctx));
        const out = new Array<unknown>(b.length);
        for (let i = 0; i < b.length; i++) out[i] = cols.map((c) => c[i]);
        return out;
      };
    }
    case 'subquery':
      return compileSubquery(e, env);
    case 'sublink':
      return compileSublink(e, env);
    case 'array_op':
      return compileArrayOp(e, env);
    case 'nextval': {
      const seqOid = e.seqOid;
      return (b, ctx) => {
        const seq = ctx.catalog.get(seqOid);
        if (!seq || seq.kind !== 'sequence') throw new SbError(SqlState.undefined_table, `sequence with OID ${seqOid} does not exist`);
        const out = new Array<unknown>(b.length);
        const sv = ctx.session.sequenceValues;
        for (let i = 0; i < b.length; i++) {
          const v = ctx.sequences.nextval(ctx.txn, seq, ctx.store.clock.now());
          out[i] = v;
          if (sv) {
            sv.byOid.set(seqOid, v);
            sv.last = v;
          }
        }
        return out;
      };
    }
    case 'seq_call':
      return compileSeqCall(e, env);
    case 'agg_ref':
      return (b) => b.cols[e.index]!;
    case 'default':
      throw new SbError(SqlState.syntax_error, 'DEFAULT is not allowed in this context');
  }
}

function paramValue(ctx: ExecContext, i: number, _t: SqlType): unknown {
  return ctx.param(i);
}

export function lookupFunction(oid: number): FuncImpl {
  const impl = registry.byOid.get(oid);
  if (!impl || !('fn' in impl) || 'left' in impl) throw new SbError(SqlState.undefined_function, `function with OID ${oid} does not exist`);
  return impl as FuncImpl;
}

export function lookupOperator(oid: number): OperatorImpl {
  const impl = registry.byOid.get(oid);
  if (!impl || !('left' in impl)) throw new SbError(SqlState.undefined_function, `operator with OID ${oid} does not exist`);
  return impl as OperatorImpl;
}

function compileCall(e: Extract<Expr, { k: 'call' }>, env: CompileEnv): VecFn {
  const impl = lookupFunction(e.oid);
  const args = e.args.map((a) => compileExpr(a, env));
  const call: CallInfo = { argTypes: e.args.map((a) => a.type), retType: e.type };
  const strict = impl.strict;
  const n = args.length;
  return (b, ctx) => {
    const cols = args.map((f) => f(b, ctx));
    const out = new Array<unknown>(b.length);
    const argv = new Array<unknown>(n);
    rows: for (let i = 0; i < b.length; i++) {
      for (let j = 0; j < n; j++) {
        const v = cols[j]![i];
        if (v === null && strict) {
          out[i] = null;
          continue rows;
        }
        argv[j] = v;
      }
      out[i] = impl.fn(argv.slice(), ctx.ev, call);
    }
    return out;
  };
}

function compileOp(e: Extract<Expr, { k: 'op' }>, env: CompileEnv): VecFn {
  const impl = lookupOperator(e.oid);
  const call: CallInfo = { argTypes: e.args.map((a) => a.type), retType: e.type };
  const strict = impl.strict;
  if (e.args.length === 1) {
    const r = compileExpr(e.args[0]!, env);
    return (b, ctx) => r(b, ctx).map((v) => (v === null && strict ? null : impl.fn(null, v, ctx.ev, call)));
  }
  const l = compileExpr(e.args[0]!, env);
  const r = compileExpr(e.args[1]!, env);
  const fn = impl.fn;
  return (b, ctx) => {
    const a = l(b, ctx);
    const c = r(b, ctx);
    const out = new Array<unknown>(b.length);
    const ev = ctx.ev;
    for (let i = 0; i < b.length; i++) {
      const x = a[i];
      const y = c[i];
      out[i] = (x === null || y === null) && strict ? null : fn(x, y, ev, call);
    }
    return out;
  };
}

/** Three-valued AND/OR, evaluating later arguments only for undecided rows. */
function compileBool(kind: 'and' | 'or', args: VecFn[]): VecFn {
  const decisive = kind === 'or';
  return (b, ctx) => {
    const out = new Array<unknown>(b.length).fill(!decisive);
    let rows: number[] | null = null; // undecided rows (null = all)
    let sub = b;
    for (const f of args) {
      const vals = f(sub, ctx);
      const next: number[] = [];
      for (let j = 0; j < sub.length; j++) {
        const i = rows ? rows[j]! : j;
        const v = vals[j];
        if (v === decisive) out[i] = decisive;
        else {
          if (v === null) out[i] = null;
          next.push(i);
        }
      }
      if (next.length === 0) break;
      if (next.length !== sub.length) {
        rows = next;
        sub = selectRows(b, next, next.length);
      }
    }
    return out;
  };
}

/** The first argument satisfying `ok`, evaluating each argument only for rows still without one. */
function lazyFirst(b: Batch, ctx: ExecContext, args: VecFn[], ok: (v: unknown) => boolean): unknown[] {
  const out = new Array<unknown>(b.length).fill(null);
  let rows: number[] | null = null;
  let sub = b;
  for (const f of args) {
    const vals = f(sub, ctx);
    const next: number[] = [];
    for (let j = 0; j < sub.length; j++) {
      const i = rows ? rows[j]! : j;
      if (ok(vals[j])) out[i] = vals[j];
      else next.push(i);
    }
    if (next.length === 0) break;
    rows = next;
    sub = selectRows(b, next, next.length);
  }
  return out;
}

function compileCase(e: Extract<Expr, { k: 'case' }>, env: CompileEnv): VecFn {
  const whens = e.whens.map((w) => ({ cond: compileExpr(w.cond, env), then: compileExpr(w.then, env) }));
  const els = compileExpr(e.else, env);
  return (b, ctx) => {
    const out = new Array<unknown>(b.length).fill(null);
    let rows: number[] = Array.from({ length: b.length }, (_, i) => i);
    let sub = b;
    for (const w of whens) {
      if (rows.length === 0) return out;
      const c = w.cond(sub, ctx);
      const hit: number[] = [];
      const miss: number[] = [];
      for (let j = 0; j < rows.length; j++) (c[j] === true ? hit : miss).push(j);
      if (hit.length > 0) {
        const vals = w.then(selectRows(sub, hit, hit.length), ctx);
        for (let j = 0; j < hit.length; j++) out[rows[hit[j]!]!] = vals[j];
      }
      rows = miss.map((j) => rows[j]!);
      sub = selectRows(sub, miss, miss.length);
    }
    if (rows.length > 0) {
      const vals = els(sub, ctx);
      for (let j = 0; j < rows.length; j++) out[rows[j]!] = vals[j];
    }
    return out;
  };
}

function compileInList(e: Extract<Expr, { k: 'in_list' }>, env: CompileEnv): VecFn {
  const arg = compileExpr(e.arg, env);
  const list = e.list.map((x) => compileExpr(x, env));
  const eq = lookupOperator(e.eqOid);
  const call: CallInfo = { argTypes: [e.arg.type, e.list[0]?.type ?? e.arg.type], retType: { id: 'bool', typmod: -1 } as SqlType };
  const neg = e.negate;
  return (b, ctx) => {
    const a = arg(b, ctx);
    const cols = list.map((f) => f(b, ctx));
    const out = new Array<unknown>(b.length);
    for (let i = 0; i < b.length; i++) {
      const x = a[i];
      if (x === null) {
        out[i] = null;
        continue;
      }
      // x IN (a, b, NULL) is NULL when no element matches and one is NULL.
      let r: boolean | null = false;
      for (const col of cols) {
        const y = col[i];
        if (y === null) {
          r = null;
          continue;
        }
        if (eq.fn(x, y, ctx.ev, call) === true) {
          r = true;
          break;
        }
      }
      out[i] = r === null ? null : neg ? !r : r;
    }
    return out;
  };
}

/** ARRAY[...]: elements that are arrays themselves make a multi-dimensional array (all alike). */
function buildArray(elemType: SqlType, values: unknown[]): SqlArray {
  if (values.length > 0 && values.every((v) => v instanceof SqlArray)) {
    const subs = values as SqlArray[];
    if (subs.every((a) => a.values.length === 0)) return SqlArray.empty(elemType);
    const dims = subs[0]!.dims;
    for (const a of subs) {
      if (a.dims.length !== dims.length || a.dims.some((d, i) => d !== dims[i])) {
        throw new SbError('2202E', 'multidimensional arrays must have array expressions with matching dimensions');
      }
    }
    return new SqlArray(elemType, [subs.length, ...dims], [1, ...dims.map(() => 1)], subs.flatMap((a) => a.values));
  }
  if (values.some((v) => v instanceof SqlArray)) {
    throw new SbError('2202E', 'multidimensional arrays must have array expressions with matching dimensions');
  }
  return SqlArray.of(elemType, values);
}

function compileSubquery(e: Extract<Expr, { k: 'subquery' }>, env: CompileEnv): VecFn {
  const plan = e.plan;
  const mode = e.mode;
  let cached: unknown;
  let hasCache = false;
  const once = (ctx: ExecContext): unknown => {
    const rows = env.runSubplan(plan, ctx, mode === 'scalar' ? 2 : mode === 'exists' ? 1 : undefined);
    if (mode === 'exists') return rows.length > 0;
    if (mode === 'array') return SqlArray.of(e.type.elem!, rows.map((r) => r[0]));
    if (rows.length > 1) throw new SbError(SqlState.cardinality_violation, 'more than one row returned by a subquery used as an expression');
    return rows.length === 0 ? null : rows[0]![0];
  };
  if (!e.correlated) {
    return (b, ctx) => {
      if (!hasCache) {
        cached = once(ctx);
        hasCache = true;
      }
      return fill(b.length, cached);
    };
  }
  return (b, ctx) => {
    const out = new Array<unknown>(b.length);
    for (let i = 0; i < b.length; i++) {
      ctx.outer.push(rowAt(b, i));
      try {
        out[i] = once(ctx);
      } finally {
        ctx.outer.pop();
      }
    }
    return out;
  };
}

function compileSublink(e: Extract<Expr, { k: 'sublink' }>, env: CompileEnv): VecFn {
  const left = e.left.map((x) => compileExpr(x, env));
  const ops = e.left.map((_, k) => lookupOperator(e.oids?.[k] ?? e.oid));
  const calls: CallInfo[] = e.left.map((x) => ({ argTypes: [x.type, x.type], retType: { id: 'bool', typmod: -1 } as SqlType }));
  const isAll = e.mode === 'all';
  let cached: unknown[][] | undefined;
  return (b, ctx) => {
    const lcols = left.map((f) => f(b, ctx));
    const out = new Array<unknown>(b.length);
    for (let i = 0; i < b.length; i++) {
      let rows: unknown[][];
      if (e.correlated) {
        ctx.outer.push(rowAt(b, i));
        try {
          rows = env.runSubplan(e.plan, ctx);
        } finally {
          ctx.outer.pop();
        }
      } else {
        rows = cached ??= env.runSubplan(e.plan, ctx);
      }
      // ANY: true if some comparison is true; NULL if none true and one NULL. ALL: dual.
      let r: boolean | null = isAll;
      for (const row of rows) {
        let c: boolean | null = true;
        for (let k = 0; k < lcols.length; k++) {
          const x = lcols[k]![i];
          const y = row[k];
          if (x === null || y === null) {
            c = c === false ? false : null;
            continue;
          }
          const v = ops[k]!.fn(x, y, ctx.ev, calls[k]!) as boolean | null;
          if (v === false) c = false;
          else if (v === null && c !== false) c = null;
        }
        if (isAll) {
          if (c === false) {
            r = false;
            break;
          }
          if (c === null) r = null;
        } else {
          if (c === true) {
            r = true;
            break;
          }
          if (c === null) r = null;
        }
      }
      out[i] = r;
    }
    return out;
  };
}

function compileSeqCall(e: Extract<Expr, { k: 'seq_call' }>, env: CompileEnv): VecFn {
  const args = e.args.map((a) => compileExpr(a, env));
  const seqOid = e.seqOid;
  return (b, ctx) => {
    const cols = args.map((f) => f(b, ctx));
    const sv = ctx.session.sequenceValues;
    const seq = seqOid === undefined ? undefined : ctx.catalog.get(seqOid);
    if (seqOid !== undefined && (!seq || seq.kind !== 'sequence')) {
      throw new SbError(SqlState.undefined_table, `sequence with OID ${seqOid} does not exist`);
    }
    const out = new Array<unknown>(b.length);
    for (let i = 0; i < b.length; i++) {
      switch (e.fn) {
        case 'currval': {
          const v = sv?.byOid.get(seqOid!);
          if (v === undefined) {
            throw new SbError(SqlState.object_not_in_prerequisite_state, `currval of sequence "${(seq as { name: string }).name}" is not yet defined in this session`);
          }
          out[i] = v;
          break;
        }
        case 'lastval':
          if (sv?.last === undefined) throw new SbError(SqlState.object_not_in_prerequisite_state, 'lastval is not yet defined in this session');
          out[i] = sv.last;
          break;
        case 'seq_last_value':
        case 'seq_log_cnt':
        case 'seq_is_called': {
          const st = ctx.sequences.peek(ctx.txn, seq as Extract<NonNullable<typeof seq>, { kind: 'sequence' }>);
          out[i] = e.fn === 'seq_last_value' ? st.last : e.fn === 'seq_log_cnt' ? st.logCnt : st.isCalled;
          break;
        }
        case 'setval': {
          const value = cols[0]![i];
          const isCalled = cols.length > 1 ? cols[1]![i] : true;
          if (value === null || isCalled === null) {
            out[i] = null;
            break;
          }
          const n = Number(value);
          const s = seq as Extract<NonNullable<typeof seq>, { kind: 'sequence' }>;
          ctx.sequences.setval(ctx.txn, s, n, isCalled === true, ctx.store.clock.now());
          if (isCalled === true && sv) {
            sv.byOid.set(s.oid, n);
            sv.last = n;
          }
          out[i] = value;
          break;
        }
      }
    }
    return out;
  };
}

/** `x op ANY|ALL (array)`: ANY is true if some element compares true, NULL if none does and one is NULL; ALL dually. */
function compileArrayOp(e: Extract<Expr, { k: 'array_op' }>, env: CompileEnv): VecFn {
  const l = compileExpr(e.left, env);
  const r = compileExpr(e.right, env);
  const op = lookupOperator(e.oid);
  const elemType = e.right.type.elem ?? e.left.type;
  const call: CallInfo = { argTypes: [e.left.type, elemType], retType: { id: 'bool', typmod: -1 } as SqlType };
  const isAll = e.mode === 'all';
  return (b, ctx) => {
    const a = l(b, ctx);
    const arrs = r(b, ctx);
    const out = new Array<unknown>(b.length);
    for (let i = 0; i < b.length; i++) {
      const arr = arrs[i] as SqlArray | null;
      if (arr === null) {
        out[i] = null;
        continue;
      }
      const x = a[i];
      let res: boolean | null = isAll;
      for (const y of arr.values) {
        const v = x === null || (y === null && op.strict) ? null : (op.fn(x, y, ctx.ev, call) as boolean | null);
        if (v === !isAll) {
          res = !isAll;
          break;
        }
        if (v === null) res = null;
      }
      out[i] = arr.values.length === 0 ? isAll : res;
    }
    return out;
  };
}

export function rowAt(b: Batch, i: number): unknown[] {
  const r = new Array<unknown>(b.cols.length);
  for (let c = 0; c < b.cols.length; c++) r[c] = b.cols[c]![i];
  return r;
}

/** Evaluates an expression with no input row (constants, parameters, functions of them). */
export function evalScalar(e: Expr, ctx: ExecContext, env: CompileEnv): unknown {
  return compileExpr(e, env)({ length: 1, cols: [] }, ctx)[0];
}
