// Set-returning functions in the select list, with PostgreSQL 10+ semantics
// (ProjectSet): for each input row the select list's SRFs run in lockstep,
// the row repeats as many times as the longest of them returns rows (the
// shorter ones padded with NULLs), and a row for which they all return
// nothing disappears. We bind it as
//
//   <FROM/WHERE/GROUP plan> CROSS JOIN LATERAL ROWS FROM (srf1(...), srf2(...))
//
// (a lateral function scan zipping the SRFs, reading the input row as outer
// level 1) under the projection, whose references to the SRFs become columns
// of that scan. SRFs nested in SRF arguments, and SRFs of several columns,
// are not supported (0A000).

import { SbError, SqlState } from '../sb_error.ts';
import type { Expr, Plan } from '../plan/nodes.ts';
import { resolveFunction } from '../functions/resolve.ts';
import { registry } from '../functions/registry.ts';
import type { Scope } from './scope.ts';
import { type Cx, errAt, fold } from './context.ts';
import { coerceTo, inputType } from './coerce.ts';
import { bindExpr, registerExprHook } from './expr.ts';
import { positionalCall } from './expr_func.ts';
import { registerSelectSrfHook } from './select.ts';

/** Placeholder positions of SRF results while the select list is bound (remapped by finish). */
/** Below bind/group.ts's provisional aggregate and window indexes (1 << 26 and up), far above any row width. */
const PLACEHOLDER = 1 << 25;

interface SrfCall {
  fn: string;
  oid: number;
  args: Expr[];
  type: Expr['type'];
}

const active = new WeakMap<Scope, SrfCall[]>();

registerExprHook((cx, e) => {
  if (e.kind !== 'func' || e.over || e.star || e.filter || e.orderBy || e.withinGroup) return undefined;
  const calls = active.get(cx.scope);
  if (!calls || e.name.length > 2) return undefined;
  const parts = e.name.map((id) => fold(cx, id));
  if (parts.length === 2 && parts[0] !== 'pg_catalog') return undefined;
  const name = parts[parts.length - 1]!;
  // Only names with a set-returning overload are ours (the arguments are bound once, here).
  if (!(registry.functions.get(name) ?? []).some((f) => 'retSet' in f)) return undefined;
  e = positionalCall(cx, name, e);
  const args = e.args.map((a) => bindExpr(cx, a));
  let r;
  try {
    r = resolveFunction(name, args.map((a) => inputType(cx, a)));
  } catch (err) {
    if (err instanceof SbError) return undefined;
    throw err;
  }
  if (!('retSet' in r.impl)) return undefined;
  if (r.impl.columns && r.impl.columns.length > 1) {
    throw errAt(cx, SqlState.feature_not_supported, `set-returning function ${name}() of several columns is not supported in the select list yet`, e.loc);
  }
  if (args.some(usesPlaceholder)) {
    throw errAt(cx, SqlState.feature_not_supported, 'set-returning functions nested in set-returning function arguments are not supported', e.loc);
  }
  const coerced = args.map((a, i) => coerceTo(cx, a, r.argTypes[i]!, 'implicit', { loc: e.loc }));
  calls.push({ fn: name, oid: r.impl.oid, args: coerced, type: r.retType });
  return { k: 'col', type: r.retType, index: PLACEHOLDER + calls.length - 1 };
});

function isPlaceholder(i: number): boolean {
  return i >= PLACEHOLDER && i < 2 * PLACEHOLDER;
}

function usesPlaceholder(e: unknown): boolean {
  if (Array.isArray(e)) return e.some(usesPlaceholder);
  if (e === null || typeof e !== 'object') return false;
  const o = e as Record<string, unknown>;
  if (o.k === 'col' && isPlaceholder(o.index as number)) return true;
  if (o.k === 'const') return false;
  return Object.values(o).some(usesPlaceholder);
}

/**
 * Moves an expression one query level down: it is evaluated under a lateral
 * join that pushes the current row as outer level 1.
 */
function deepen(x: unknown, depth: number): unknown {
  if (Array.isArray(x)) return x.map((y) => deepen(y, depth));
  if (x === null || typeof x !== 'object' || Object.getPrototypeOf(x) !== Object.prototype) return x;
  const o = x as Record<string, unknown>;
  if (o.k === 'const') return o;
  if ((o.k === 'col' || o.k === 'agg_ref') && depth === 0) return { k: 'outer', type: o.type, level: 1, index: o.index };
  // References to this level or beyond it gain a level; those inside a subquery to itself do not.
  if (o.k === 'outer' && (o.level as number) >= depth) return { ...o, level: (o.level as number) + 1 };
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(o)) {
    let d = depth;
    if ((o.k === 'subquery' || o.k === 'sublink') && key === 'plan') d = depth + 1;
    else if (o.n === 'join' && o.lateral === true && key === 'right') d = depth + 1;
    out[key] = deepen(v, d);
  }
  return out;
}

registerSelectSrfHook({
  begin(cx: Cx) {
    const calls: SrfCall[] = [];
    active.set(cx.scope, calls);
    let ended = false;
    const end = (): void => {
      if (!ended) active.delete(cx.scope);
      ended = true;
    };
    return {
      args: () => calls.flatMap((c) => c.args),
      finish(plan: Plan, exprs: Expr[]): Plan {
        end();
        if (calls.length === 0) return plan;
        const base = plan.cols.length;
        const remap = (x: unknown): unknown => {
          if (Array.isArray(x)) return x.map(remap);
          if (x === null || typeof x !== 'object' || Object.getPrototypeOf(x) !== Object.prototype) return x;
          const o = x as Record<string, unknown>;
          if (o.k === 'col' && isPlaceholder(o.index as number)) return { ...o, index: base + (o.index as number) - PLACEHOLDER };
          if (o.k === 'const') return o;
          const out: Record<string, unknown> = {};
          for (const [key, v] of Object.entries(o)) out[key] = key === 'plan' ? v : remap(v);
          return out;
        };
        for (let i = 0; i < exprs.length; i++) exprs[i] = remap(exprs[i]) as Expr;
        const cols = calls.map((c) => ({ name: c.fn, type: c.type }));
        const [first, ...rest] = calls;
        const scan: Plan = {
          n: 'function_scan', cols, fn: first!.fn, oid: first!.oid, args: first!.args.map((a) => deepen(a, 0) as Expr), ordinality: false,
          ...(rest.length > 0 ? { more: rest.map((c) => ({ fn: c.fn, oid: c.oid, args: c.args.map((a) => deepen(a, 0) as Expr) })) } : {}),
        };
        return {
          n: 'join', cols: [...plan.cols, ...cols], type: 'cross', method: 'nested', left: plan, right: scan,
          leftKeys: [], rightKeys: [], lateral: true,
        };
      },
    };
  },
});
