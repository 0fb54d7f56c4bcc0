// Functions in FROM: set-returning functions (generate_series, unnest,
// json_each...) become 'function_scan' nodes, any other function call (or
// special form) a one-row 'result'. As in PostgreSQL a function in FROM is
// implicitly LATERAL: its arguments may refer to earlier FROM items
// (join.ts's bindLateralItem). Column names: the function's OUT columns when
// it declares them; else the column alias, the table alias, or the function
// name; WITH ORDINALITY adds a bigint "ordinality" column.

import type * as A from '../../../sql-dialects/index.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { ColInfo, Expr, Plan } from '../plan/nodes.ts';
import { resolveFunction } from '../functions/resolve.ts';
import type { SetFunctionImpl } from '../functions/registry.ts';
import { T, type SqlType } from '../types/types.ts';
import { type Cx, errAt, fold } from './context.ts';
import { coerceTo, inputType, resolveUnknown } from './coerce.ts';
import { bindExpr } from './expr.ts';
import { positionalCall } from './expr_func.ts';
import { registerFromBinder } from './from.ts';
import { figureColname } from './select.ts';
import { bindLateralItem, lateralPlans } from './join.ts';

function bindTableFunc(cx: Cx, item: A.TableRef): Plan | undefined {
  if (item.kind !== 'table_func') return undefined;
  if (item.alias?.columnDefs) {
    throw errAt(cx, SqlState.feature_not_supported, 'column definition lists for functions in FROM are not supported yet', item.loc);
  }
  let cols: ColInfo[] = [];
  const plan = bindLateralItem(cx, true, (inner) => {
    const r = bindCall(inner, item);
    cols = r.cols;
    return r.plan;
  });
  const lateral = lateralPlans.has(plan);
  const aliases = item.alias?.columns ?? [];
  const name = item.alias ? fold(cx, item.alias.name) : defaultName(cx, item.func);
  if (aliases.length > cols.length) {
    throw errAt(cx, SqlState.invalid_column_reference, `table "${name}" has ${cols.length} columns available but ${aliases.length} columns specified`, item.loc);
  }
  const named = cols.map((c, i) => ({ ...c, name: aliases[i] ? fold(cx, aliases[i]!) : c.name }));
  cx.scope.addEntry(name, named.map((c) => ({ name: c.name, type: c.type })));
  const out: Plan = { ...plan, cols: named } as Plan;
  if (lateral) lateralPlans.add(out);
  return out;
}

function defaultName(cx: Cx, f: A.Expr): string {
  return figureColname(cx, f) ?? '?column?';
}

function bindCall(cx: Cx, item: A.TableFunction): { plan: Plan; cols: ColInfo[] } {
  const f = item.func;
  const alias = item.alias ? fold(cx, item.alias.name) : undefined;
  const ordinality = item.ordinality === true;
  if (f.kind === 'func' && f.name.length <= 2 && !f.over && !f.star) {
    const parts = f.name.map((id) => fold(cx, id));
    const fname = parts[parts.length - 1]!;
    if (parts.length === 1 || parts[0] === 'pg_catalog') {
      const args = positionalCall(cx, fname, f).args.map((a) => bindExpr(cx, a));
      // unnest(a, b, ...) in FROM zips its arrays (PostgreSQL rewrites it to ROWS FROM (unnest(a), unnest(b), ...)).
      if (fname === 'unnest' && args.length > 1) return multiUnnest(cx, args, ordinality, f.loc);
      let r;
      try {
        r = resolveFunction(fname, args.map((a) => inputType(cx, a)));
      } catch (err) {
        if (!(err instanceof SbError)) throw err;
        r = undefined;
      }
      if (r && 'retSet' in r.impl) {
        const impl = r.impl as SetFunctionImpl;
        const coerced = args.map((a, i) => coerceTo(cx, a, r.argTypes[i]!, 'implicit', { loc: f.loc }));
        const argTypes = coerced.map((a) => a.type);
        let cols: ColInfo[];
        if (impl.columns) {
          cols = impl.columns.map((c) => ({ name: c.name, type: typeof c.type === 'function' ? c.type(argTypes) : c.type }));
        } else {
          if (r.retType.id === 'record') {
            throw errAt(cx, SqlState.syntax_error, `a column definition list is required for functions returning "record"`, f.loc);
          }
          cols = [{ name: alias ?? fname, type: r.retType }];
        }
        if (ordinality) cols.push({ name: 'ordinality', type: T.int8 });
        return { plan: { n: 'function_scan', cols, fn: fname, oid: impl.oid, args: coerced, ordinality }, cols };
      }
    }
  }
  // Any other expression: one row.
  const e = resolveUnknown(cx, bindExpr(cx, f));
  if (e.type.id === 'record') {
    throw errAt(cx, SqlState.feature_not_supported, 'functions returning a composite type in FROM are not supported yet', item.loc);
  }
  const cols: ColInfo[] = [{ name: alias ?? figureColname(cx, f) ?? '?column?', type: e.type }];
  const exprs: Expr[] = [e];
  if (ordinality) {
    cols.push({ name: 'ordinality', type: T.int8 });
    exprs.push({ k: 'const', type: T.int8, value: 1 });
  }
  return { plan: { n: 'result', cols, exprs }, cols };
}

function multiUnnest(cx: Cx, args: Expr[], ordinality: boolean, loc?: A.Loc): { plan: Plan; cols: ColInfo[] } {
  const coerced = args.map((a) => {
    const t = inputType(cx, a);
    if (t === 'unknown' || t.id !== 'array') {
      throw errAt(cx, SqlState.undefined_function, `function unnest(${t === 'unknown' ? 'unknown' : t.id}) does not exist`, loc, {
        hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
      });
    }
    return a;
  });
  const r = resolveFunction('unnest', [coerced[0]!.type]);
  const cols: ColInfo[] = coerced.map((a) => ({ name: 'unnest', type: a.type.elem as SqlType }));
  if (ordinality) cols.push({ name: 'ordinality', type: T.int8 });
  return { plan: { n: 'function_scan', cols, fn: 'unnest', oid: r.impl.oid, args: coerced, ordinality }, cols };
}

registerFromBinder('table_func', bindTableFunc);
