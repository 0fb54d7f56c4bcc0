// Function calls: the special forms PostgreSQL's grammar gives their own
// nodes (COALESCE, NULLIF, GREATEST, LEAST, nextval on a literal), the
// SQL value functions (CURRENT_DATE, CURRENT_USER...), and ordinary calls
// resolved through the functions registry with PostgreSQL's overload rules.
// Aggregates and window functions are bound by hooks registered in expr.ts
// (registerExprHook) by the modules that implement them; without one they
// are refused with 0A000.

import type * as A from '../../../sql-dialects/index.ts';
import { SqlState, SbError } from '../sb_error.ts';
import type { Expr } from '../plan/nodes.ts';
import { resolveFunction, routineKinds } from '../functions/resolve.ts';
import { T, sqlType, type SqlType } from '../types/types.ts';
import { formatType, typeFromName } from '../types/type_names.ts';
import { namedSignatures } from '../functions/arg_names.ts';
import { findCast } from '../types/casts.ts';
import { type Cx, errAt, fold } from './context.ts';
import type { SequenceObj } from '../catalog/objects.ts';
import { coerceAll, coerceTo, commonType, inputType } from './coerce.ts';
import { bindExpr, makeOperator } from './expr.ts';
import { lookupRelation, parseQualifiedText, searchSchemas } from './names.ts';

export function bindFuncCall(cx: Cx, f: A.FuncCall): Expr {
  const parts = f.name.map((id) => fold(cx, id));
  if (parts.length > 2 || (parts.length === 2 && parts[0] !== 'pg_catalog')) {
    throw errAt(cx, SqlState.undefined_function, `function ${parts.join('.')} does not exist`, f.loc);
  }
  const name = parts[parts.length - 1]!;
  if (f.over) throw errAt(cx, SqlState.feature_not_supported, 'window functions are not supported yet', f.loc);
  const kinds = routineKinds(name);
  const aggregateSyntax = f.star || f.quantifier || f.orderBy || f.filter || f.withinGroup;
  if ((!kinds.function && (kinds.aggregate || kinds.orderedSet)) || (aggregateSyntax && (kinds.aggregate || kinds.orderedSet || f.star))) {
    throw errAt(cx, SqlState.feature_not_supported, `aggregate function ${name}() is not supported yet`, f.loc);
  }
  if (!kinds.function && kinds.window) throw errAt(cx, SqlState.feature_not_supported, 'window functions are not supported yet', f.loc);
  if (f.variadic) throw errAt(cx, SqlState.feature_not_supported, 'VARIADIC arguments are not supported yet', f.loc);
  f = positionalCall(cx, name, f);
  switch (name) {
    case 'coalesce':
    case 'greatest':
    case 'least':
      return bindVariadicSpecial(cx, name, f);
    case 'nullif':
      return bindNullif(cx, f);
    case 'nextval':
      return bindNextval(cx, f);
    case 'currval':
      if (f.args.length !== 1) break;
      return { k: 'seq_call', type: T.int8, fn: 'currval', seqOid: sequenceArg(cx, f, 'currval').oid, args: [] };
    case 'lastval':
      if (f.args.length !== 0) break;
      return { k: 'seq_call', type: T.int8, fn: 'lastval', args: [] };
    case 'setval': {
      if (f.args.length !== 2 && f.args.length !== 3) break;
      const seq = sequenceArg(cx, f, 'setval');
      const args = [coerceTo(cx, bindExpr(cx, f.args[1]!), T.int8, 'implicit', { loc: f.loc })];
      if (f.args[2]) args.push(coerceTo(cx, bindExpr(cx, f.args[2]), T.bool, 'implicit', { loc: f.loc }));
      return { k: 'seq_call', type: T.int8, fn: 'setval', seqOid: seq.oid, args };
    }
  }
  // normalize(text, NFC): the form is a keyword, not a column.
  if (name === 'normalize' && f.args[1]?.kind === 'column' && f.args[1].name.length === 1 && !f.args[1].name[0]!.quoted) {
    const form = f.args[1].name[0]!.value.toUpperCase();
    if (['NFC', 'NFD', 'NFKC', 'NFKD'].includes(form)) f = { ...f, args: [f.args[0]!, { kind: 'string', value: form }] };
  }
  const args = f.args.map((a) => bindExpr(cx, a));
  try {
    return makeCall(cx, name, args, f.loc);
  } catch (err) {
    const cast = err instanceof SbError && err.code === SqlState.undefined_function ? functionStyleCast(cx, name, args) : undefined;
    if (cast === undefined) throw err;
    return cast;
  }
}

/**
 * int4('5'), text(12), float8(x): with no function of that name taking the
 * argument, a call of a type's name with one argument is a cast to that type
 * (PostgreSQL's func_get_detail: an unknown literal, or a type with a cast).
 */
function functionStyleCast(cx: Cx, name: string, args: Expr[]): Expr | undefined {
  if (args.length !== 1) return undefined;
  let target: SqlType;
  try {
    target = typeFromName(name);
  } catch {
    return undefined;
  }
  const from = args[0]!.type;
  if (from.id !== 'unknown' && findCast(from, target) === undefined) return undefined;
  return coerceTo(cx, args[0]!, target, 'explicit');
}

/**
 * A call in named or mixed notation (make_interval(days => 1), also `:=`)
 * rewritten to positional arguments for the built-in whose parameter names
 * match (functions/arg_names.ts); a skipped parameter before a named one
 * takes its DEFAULT. Positional arguments come first (42601); no match is
 * 42883 with the call's signature, as PostgreSQL reports it.
 */
export function positionalCall(cx: Cx, name: string, f: A.FuncCall): A.FuncCall {
  const firstNamed = f.args.findIndex((a) => a.kind === 'named_arg');
  if (firstNamed < 0) return f;
  const positional = f.args.slice(0, firstNamed);
  const named: Array<{ name: string; value: A.Expr; loc?: A.Loc }> = [];
  for (const a of f.args.slice(firstNamed)) {
    if (a.kind !== 'named_arg') throw errAt(cx, SqlState.syntax_error, 'positional argument cannot follow named argument', a.loc ?? f.loc);
    const n = fold(cx, a.name);
    if (named.some((x) => x.name === n)) throw errAt(cx, SqlState.syntax_error, `argument name "${n}" used more than once`, a.loc ?? f.loc);
    named.push({ name: n, value: a.value, ...(a.loc ? { loc: a.loc } : {}) });
  }
  for (const sig of namedSignatures(name)) {
    const total = sig.names.length;
    const slots: Array<A.Expr | undefined> = [...positional];
    if (slots.length > total) continue;
    let ok = true;
    for (const a of named) {
      const i = sig.names.indexOf(a.name);
      if (i < 0 || slots[i] !== undefined) {
        ok = false;
        break;
      }
      slots[i] = a.value;
    }
    if (!ok) continue;
    // Skipped parameters must have defaults; trailing ones are simply left out.
    const firstDefault = total - sig.defaults.length;
    let used = slots.length;
    while (used > 0 && slots[used - 1] === undefined) used--;
    const args: A.Expr[] = [];
    for (let i = 0; i < used; i++) {
      const v = slots[i];
      if (v !== undefined) args.push(v);
      else if (i >= firstDefault) args.push({ kind: 'string', value: sig.defaults[i - firstDefault]! });
      else {
        ok = false;
        break;
      }
    }
    if (!ok || (used < firstDefault)) continue;
    return { ...f, args };
  }
  const types = f.args.map((a) => {
    const t = inputType(cx, bindExpr(cx, a.kind === 'named_arg' ? a.value : a));
    const text = t === 'unknown' ? 'unknown' : formatType(t);
    return a.kind === 'named_arg' ? `${fold(cx, a.name)} => ${text}` : text;
  });
  throw errAt(cx, SqlState.undefined_function, `function ${name}(${types.join(', ')}) does not exist`, f.loc, {
    hint: 'No function matches the given name and argument types. You might need to add explicit type casts.',
  });
}

/** A resolved call of a registry function. */
export function makeCall(cx: Cx, name: string, args: Expr[], loc?: A.Loc): Expr {
  let r;
  try {
    r = resolveFunction(name, args.map((a) => inputType(cx, a)));
  } catch (err) {
    if (err instanceof SbError && err.position === undefined) throw errAt(cx, err.code, err.message, loc, { hint: err.hint });
    throw err;
  }
  if ('retSet' in r.impl) {
    throw errAt(cx, SqlState.feature_not_supported, `set-returning function ${name}() is not supported here yet`, loc);
  }
  const coerced = args.map((a, i) => coerceTo(cx, a, r.argTypes[i]!, 'implicit', { loc }));
  return { k: 'call', type: r.retType, fn: name, oid: r.impl.oid, args: coerced, strict: r.impl.strict, volatile: r.impl.volatility === 'v' };
}

function bindVariadicSpecial(cx: Cx, name: 'coalesce' | 'greatest' | 'least', f: A.FuncCall): Expr {
  if (f.args.length === 0) throw errAt(cx, SqlState.syntax_error, `syntax error at or near ")"`, f.loc);
  const args = f.args.map((a) => bindExpr(cx, a));
  const t = commonType(cx, args, name.toUpperCase(), f.loc);
  return { k: name, type: t, args: coerceAll(cx, args, t, f.loc) };
}

function bindNullif(cx: Cx, f: A.FuncCall): Expr {
  if (f.args.length !== 2) throw errAt(cx, SqlState.undefined_function, `function nullif() requires two arguments`, f.loc);
  const a = bindExpr(cx, f.args[0]!);
  const b = bindExpr(cx, f.args[1]!);
  const eq = makeOperator(cx, '=', a, b, f.loc);
  if (eq.k !== 'op') throw errAt(cx, SqlState.internal_error, 'NULLIF: no equality operator', f.loc);
  return { k: 'nullif', type: eq.args[0]!.type, args: [eq.args[0]!, eq.args[1]!], eqOid: eq.oid };
}

/** nextval('name'): the sequence is looked up once, at bind time. */
function bindNextval(cx: Cx, f: A.FuncCall): Expr {
  if (f.args.length !== 1) throw errAt(cx, SqlState.undefined_function, `function nextval() requires one argument`, f.loc);
  return { k: 'nextval', type: T.int8, seqOid: sequenceArg(cx, f, 'nextval').oid };
}

/** The sequence a sequence function's first argument names (a literal, as regclass input). */
function sequenceArg(cx: Cx, f: A.FuncCall, fn: string): SequenceObj {
  let arg = f.args[0];
  while (arg && (arg.kind === 'nested' || (arg.kind === 'cast' && arg.expr.kind === 'string'))) arg = arg.kind === 'nested' ? arg.expr : arg.expr;
  if (!arg || arg.kind !== 'string') {
    throw errAt(cx, SqlState.feature_not_supported, `${fn}() is supported with a sequence name literal only`, f.loc);
  }
  // regclass input: a name (through search_path) or an OID.
  const byOid = /^\s*\d+\s*$/.test(arg.value) ? cx.env.catalog.get(Number(arg.value)) : undefined;
  const qname = parseQualifiedText(arg.value);
  const rel = byOid && (byOid.kind === 'sequence' || byOid.kind === 'table' || byOid.kind === 'view' || byOid.kind === 'index')
    ? byOid : lookupRelation(cx.env, qname);
  const text = qname.map((i) => fold(cx, i)).join('.');
  if (!rel) throw errAt(cx, SqlState.undefined_table, `relation "${text}" does not exist`, arg.loc ?? f.loc);
  if (rel.kind !== 'sequence') throw errAt(cx, SqlState.wrong_object_type, `"${rel.name}" is not a sequence`, arg.loc ?? f.loc);
  return rel;
}

/** CURRENT_DATE, CURRENT_TIMESTAMP(p), CURRENT_USER...: values fixed for the transaction or session. */
export function bindSqlValue(cx: Cx, e: A.SqlValueFunc): Expr {
  const env = cx.env;
  const withPrecision = (type: SqlType, c: Expr): Expr => {
    if (!e.precision) return c;
    const p = e.precision.kind === 'number' ? Number(e.precision.value) : NaN;
    if (!Number.isInteger(p) || p < 0) throw errAt(cx, SqlState.invalid_parameter_value, `${e.name}(${p}) precision must not be negative`, e.loc);
    return coerceTo(cx, c, sqlType(type.id, Math.min(p, 6)), 'explicit');
  };
  switch (e.name.toUpperCase()) {
    // now() (the transaction's start) read when the statement runs, and for the local forms cast in the
    // session's TimeZone then too, so the plan can be cached (a constant here would be one transaction's).
    case 'CURRENT_DATE':
      return coerceTo(cx, makeCall(cx, 'now', [], e.loc), T.date, 'explicit');
    case 'CURRENT_TIMESTAMP':
      return withPrecision(T.timestamptz, makeCall(cx, 'now', [], e.loc));
    case 'CURRENT_TIME':
      return withPrecision(T.timetz, coerceTo(cx, makeCall(cx, 'now', [], e.loc), T.timetz, 'explicit'));
    case 'LOCALTIMESTAMP':
      return withPrecision(T.timestamp, coerceTo(cx, makeCall(cx, 'now', [], e.loc), T.timestamp, 'explicit'));
    case 'LOCALTIME':
      return withPrecision(T.time, coerceTo(cx, makeCall(cx, 'now', [], e.loc), T.time, 'explicit'));
    case 'CURRENT_USER':
    case 'USER':
    case 'CURRENT_ROLE':
    case 'SESSION_USER':
    case 'SYSTEM_USER':
      return { k: 'const', type: T.name, value: env.userName };
    case 'CURRENT_SCHEMA': {
      const s = searchSchemas(env)[0];
      return { k: 'const', type: T.name, value: s ? s.name : null };
    }
    case 'CURRENT_CATALOG':
      return { k: 'const', type: T.name, value: env.dbName };
    default:
      throw errAt(cx, SqlState.feature_not_supported, `${e.name} is not supported yet`, e.loc);
  }
}
