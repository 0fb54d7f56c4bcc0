// Constant folding beyond the binder's (which folds literal casts): operators
// and immutable functions over constants, boolean simplification (AND/OR with
// TRUE/FALSE, NOT of a constant), IS [NOT] NULL of a constant, COALESCE with
// leading NULLs or a first non-null constant, CASE with constant conditions.
// Stable functions (now(), current_setting()) are left alone: a cached plan
// must compute them per execution. An evaluation error leaves the expression
// as it was (the error, if the row ever reaches it, comes at run time).

import { registry, type FuncImpl, type OperatorImpl } from '../functions/registry.ts';
import type { EvalContext } from '../functions/context.ts';
import { T } from '../types/types.ts';
import type { Expr, Plan } from './nodes.ts';
import { mapExpr } from './walk.ts';

const TRUE: Expr = { k: 'const', type: T.bool, value: true };
const FALSE: Expr = { k: 'const', type: T.bool, value: false };

function isConst(e: Expr): e is Extract<Expr, { k: 'const' }> {
  return e.k === 'const';
}

export function foldExpr(e: Expr, ev: EvalContext, planFn?: (p: Plan) => Plan): Expr {
  return mapExpr(e, (x) => foldNode(x, ev), planFn);
}

function foldNode(e: Expr, ev: EvalContext): Expr {
  switch (e.k) {
    case 'op': {
      if (!e.args.every(isConst)) return e;
      const impl = registry.byOid.get(e.oid) as OperatorImpl | undefined;
      if (!impl || !('left' in impl)) return e;
      const vals = e.args.map((a) => (a as { value: unknown }).value);
      if (impl.strict && vals.some((v) => v === null)) return { k: 'const', type: e.type, value: null };
      return attempt(e, () => (vals.length === 1 ? impl.fn(null, vals[0], ev, callInfo(e)) : impl.fn(vals[0], vals[1], ev, callInfo(e))));
    }
    case 'call': {
      if (e.volatile || !e.args.every(isConst)) return e;
      const impl = registry.byOid.get(e.oid) as FuncImpl | undefined;
      if (!impl || !('fn' in impl) || 'left' in impl || impl.volatility !== 'i' || 'retSet' in impl) return e;
      const vals = e.args.map((a) => (a as { value: unknown }).value);
      if (impl.strict && vals.some((v) => v === null)) return { k: 'const', type: e.type, value: null };
      return attempt(e, () => impl.fn(vals, ev, callInfo(e)));
    }
    case 'and':
    case 'or': {
      const absorbing = e.k === 'and' ? false : true;
      const args: Expr[] = [];
      let sawNull = false;
      for (const a of e.args.flatMap((x) => (x.k === e.k ? x.args : [x]))) {
        if (a.k === 'const') {
          if (a.value === absorbing) return absorbing ? TRUE : FALSE;
          if (a.value === null) sawNull = true;
          continue; // the neutral element
        }
        args.push(a);
      }
      if (sawNull) args.push({ k: 'const', type: T.bool, value: null });
      if (args.length === 0) return absorbing ? FALSE : TRUE;
      if (args.length === 1) return args[0]!;
      return { ...e, args };
    }
    case 'not':
      if (e.arg.k === 'const') return { k: 'const', type: T.bool, value: e.arg.value === null ? null : !e.arg.value };
      if (e.arg.k === 'not') return e.arg.arg;
      return e;
    case 'is_null':
      if (e.arg.k === 'const' && e.arg.type.id !== 'record') return { k: 'const', type: T.bool, value: (e.arg.value === null) !== e.negate };
      return e;
    case 'coalesce': {
      const args: Expr[] = [];
      for (const a of e.args) {
        if (a.k === 'const' && a.value === null) continue;
        args.push(a);
        if (a.k === 'const') break;
      }
      if (args.length === 0) return { k: 'const', type: e.type, value: null };
      if (args.length === 1 && args[0]!.type.id === e.type.id) return args[0]!;
      return { ...e, args };
    }
    case 'case': {
      const whens: typeof e.whens = [];
      for (const w of e.whens) {
        if (w.cond.k === 'const') {
          if (w.cond.value === true) {
            if (whens.length === 0) return w.then;
            return { ...e, whens, else: w.then };
          }
          continue; // FALSE or NULL: never taken
        }
        whens.push(w);
      }
      if (whens.length === 0) return e.else;
      return whens.length === e.whens.length ? e : { ...e, whens };
    }
    default:
      return e;
  }
}

function callInfo(e: { args: Expr[]; type: Expr['type'] }) {
  return { argTypes: e.args.map((a) => a.type), retType: e.type };
}

function attempt(e: Expr, fn: () => unknown): Expr {
  try {
    const v = fn();
    if (v === undefined) return e;
    return { k: 'const', type: e.type, value: v };
  } catch {
    return e;
  }
}
