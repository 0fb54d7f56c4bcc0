// Overload resolution with PostgreSQL's rules (parse_func.c
// func_select_candidate, parse_oper.c oper_select_candidate, parse_coerce.c
// check/enforce_generic_type_consistency), re-implemented from the
// documented algorithm (PostgreSQL docs, "Type Conversion" chapter):
//
//  1. candidates: same name and argument count (VARIADIC expanded, trailing
//     defaults omitted);
//  2. an exact match wins (for a binary operator with one unknown input, the
//     unknown is first assumed to be the other input's type);
//  3. keep candidates every input can reach by implicit coercion (unknown
//     literals reach anything; polymorphic parameters must agree);
//  4. keep those with the most exact matches, then those accepting the most
//     preferred types where a conversion is needed;
//  5. for unknown inputs: pick the category the candidates accept at that
//     position (string category wins a conflict), preferring candidates that
//     take a preferred type there;
//  6. if all known inputs have one type, assume the unknowns have it too.
// Failures are 42883 (no candidate) or 42725 (ambiguous), with PostgreSQL's
// messages and hints.

import { SbError, SqlState } from '../sb_error.ts';
import { arrayOf, isPolymorphic, isPreferredType, sameType, T, typeCategory, type SqlType } from '../types/types.ts';
import type {
  AggImpl,
  CallInfo,
  FuncImpl,
  OperatorImpl,
  OrderedSetAggImpl,
  RetType,
  SetFunctionImpl,
  WindowImpl,
} from './registry.ts';
import { registry } from './registry.ts';
import { typeName } from './errors.ts';
import { canCast } from '../types/casts.ts';
import { selectCommonType } from '../types/resolve.ts';

export type InputType = SqlType | 'unknown';

export interface Resolved<I> {
  impl: I;
  /** What each actual argument must be cast to (unknown literals included). */
  argTypes: SqlType[];
  retType: SqlType;
  /** Ready to pass to the implementation. */
  call: CallInfo;
}

interface Candidate<I> {
  impl: I;
  /** Declared types expanded to the call's argument count. */
  declared: SqlType[];
  /** Uses VARIADIC expansion or omitted defaults (an exact non-expanded form wins over it). */
  expanded: boolean;
}

const UNKNOWN = T.unknown;

function norm(t: InputType): SqlType {
  return t === 'unknown' ? UNKNOWN : t;
}

function isUnknown(t: SqlType): boolean {
  return t.id === 'unknown';
}

function expand<I extends { args: SqlType[]; variadic?: SqlType; defaults?: number }>(impls: readonly I[], nargs: number): Candidate<I>[] {
  const out: Candidate<I>[] = [];
  for (const impl of impls) {
    const n = impl.args.length;
    if (nargs === n) out.push({ impl, declared: impl.args, expanded: false });
    else if (impl.variadic !== undefined && nargs > n) {
      const declared = impl.args.slice();
      while (declared.length < nargs) declared.push(impl.variadic);
      out.push({ impl, declared, expanded: true });
    } else if (impl.defaults !== undefined && nargs < n && nargs >= n - impl.defaults) {
      out.push({ impl, declared: impl.args.slice(0, nargs), expanded: true });
    }
  }
  // A variadic form called with no variadic arguments that has the same
  // argument types as a plain form gives way to it (format(text) over
  // format(text, VARIADIC "any"), as PostgreSQL's candidate list keeps one).
  return out.filter((c) => !(c.impl.variadic !== undefined && !c.expanded && out.some((o) =>
    o !== c && o.impl.variadic === undefined && o.declared.length === c.declared.length && o.declared.every((d, i) => sameType(d, c.declared[i]!)))));
}

// ---- polymorphism -------------------------------------------------------------

interface PolyResult {
  elem?: SqlType;
  compatible?: SqlType;
}

function isAnyElementFamily(t: SqlType): boolean {
  return t.id === 'anyelement' || t.id === 'anyarray' || t.id === 'anynonarray';
}

function isAnyCompatibleFamily(t: SqlType): boolean {
  return t.id === 'anycompatible' || t.id === 'anycompatiblearray' || t.id === 'anycompatiblenonarray';
}

/** check_generic_type_consistency + the type deduction of enforce_generic_type_consistency. */
function resolvePolymorphic(inputs: readonly SqlType[], declared: readonly SqlType[]): PolyResult | undefined {
  let elem: SqlType | undefined;
  let arrayType: SqlType | undefined;
  let hasNonArray = false;
  const compat: SqlType[] = [];
  let hasCompat = false;
  let hasCompatNonArray = false;
  for (let i = 0; i < declared.length; i++) {
    const d = declared[i]!;
    const a = inputs[i]!;
    if (isAnyElementFamily(d)) {
      if (d.id === 'anynonarray') hasNonArray = true;
      if (isUnknown(a)) continue;
      if (d.id === 'anyarray') {
        if (arrayType !== undefined && !sameType(arrayType, a)) return undefined;
        arrayType = a;
      } else {
        if (elem !== undefined && !sameType(elem, a)) return undefined;
        elem = a;
      }
    } else if (isAnyCompatibleFamily(d)) {
      hasCompat = true;
      if (d.id === 'anycompatiblenonarray') hasCompatNonArray = true;
      if (isUnknown(a)) continue;
      if (d.id === 'anycompatiblearray') {
        if (a.id !== 'array') return undefined;
        compat.push(a.elem!);
      } else compat.push(a);
    }
  }
  const result: PolyResult = {};
  if (arrayType !== undefined) {
    if (arrayType.id !== 'array') return undefined;
    if (elem !== undefined && !sameType(elem, arrayType.elem!)) return undefined;
    elem = arrayType.elem!;
  }
  if (elem !== undefined) {
    if (hasNonArray && elem.id === 'array') return undefined;
    result.elem = elem;
  }
  if (hasCompat && compat.length > 0) {
    const common = selectCommonType(compat);
    if (common === undefined) return undefined;
    if (hasCompatNonArray && common.id === 'array') return undefined;
    result.compatible = common;
  }
  return result;
}

function canCoerce(inputs: readonly SqlType[], declared: readonly SqlType[]): boolean {
  let poly = false;
  for (let i = 0; i < inputs.length; i++) {
    const a = inputs[i]!;
    const d = declared[i]!;
    if (isPolymorphic(d)) {
      poly = true;
      continue;
    }
    if (d.id === 'any' || isUnknown(a)) continue;
    if (d.id === 'record' && (a.id === 'record' || a.fields !== undefined)) continue;
    if (!sameType(a, d) && !canCast(a, d, 'implicit')) return false;
  }
  return !poly || resolvePolymorphic(inputs, declared) !== undefined;
}

function isExact(a: SqlType, d: SqlType): boolean {
  return !isUnknown(a) && !isPolymorphic(d) && d.id !== 'any' && sameType(a, d);
}

// ---- func_select_candidate --------------------------------------------------------

function selectCandidate<I>(inputs: readonly SqlType[], cands: Candidate<I>[]): Candidate<I> | undefined {
  const nargs = inputs.length;
  const nunknowns = inputs.filter(isUnknown).length;

  // Most exact matches.
  cands = keepBest(cands, (c) => c.declared.reduce((n, d, i) => n + (isExact(inputs[i]!, d) ? 1 : 0), 0));
  if (cands.length === 1) return cands[0];

  // Most preferred-type (or exact) matches where the input is known.
  cands = keepBest(cands, (c) => {
    let n = 0;
    for (let i = 0; i < nargs; i++) {
      const a = inputs[i]!;
      if (isUnknown(a)) continue;
      const d = c.declared[i]!;
      if (isExact(a, d) || (!isPolymorphic(d) && d.id !== 'any' && typeCategory(d) === typeCategory(a) && isPreferredType(d))) n++;
    }
    return n;
  });
  if (cands.length === 1) return cands[0];
  if (nunknowns === 0) return undefined;

  // Unknown inputs: choose a category per position.
  let resolved = true;
  const slotCat: string[] = [];
  const slotPreferred: boolean[] = [];
  for (let i = 0; i < nargs && resolved; i++) {
    if (!isUnknown(inputs[i]!)) continue;
    let cat: string | undefined;
    let pref = false;
    let conflict = false;
    for (const c of cands) {
      const d = c.declared[i]!;
      const dc = catOf(d);
      const dp = prefOf(d);
      if (cat === undefined) {
        cat = dc;
        pref = dp;
      } else if (dc === cat) pref ||= dp;
      else if (dc === 'S') {
        cat = dc;
        pref = dp;
      } else conflict = true;
    }
    if (conflict && cat !== 'S') resolved = false;
    slotCat[i] = cat!;
    slotPreferred[i] = pref;
  }
  if (resolved) {
    const kept = cands.filter((c) => {
      for (let i = 0; i < nargs; i++) {
        if (!isUnknown(inputs[i]!)) continue;
        const d = c.declared[i]!;
        if (catOf(d) !== slotCat[i]) return false;
        if (slotPreferred[i] && !prefOf(d)) return false;
      }
      return true;
    });
    if (kept.length > 0) cands = kept;
    if (cands.length === 1) return cands[0];
  }

  // Last resort: unknowns take the one type all known inputs share.
  if (nunknowns < nargs) {
    let known: SqlType | undefined;
    let same = true;
    for (const a of inputs) {
      if (isUnknown(a)) continue;
      if (known === undefined) known = a;
      else if (!sameType(known, a)) same = false;
    }
    if (same && known !== undefined) {
      const assumed = inputs.map(() => known!);
      const matching = cands.filter((c) => canCoerce(assumed, c.declared));
      if (matching.length === 1) return matching[0];
    }
  }
  return undefined;
}

function catOf(t: SqlType): string {
  return typeCategory(t);
}

function prefOf(t: SqlType): boolean {
  return isPreferredType(t);
}

function keepBest<C>(cands: C[], score: (c: C) => number): C[] {
  let best = -1;
  let out: C[] = [];
  for (const c of cands) {
    const s = score(c);
    if (s > best) {
      best = s;
      out = [c];
    } else if (s === best) out.push(c);
  }
  return out;
}

// ---- result assembly ----------------------------------------------------------

function undeterminedPolymorphic(): SbError {
  return new SbError(SqlState.datatype_mismatch, 'could not determine polymorphic type because input has type unknown');
}

function concretize(d: SqlType, a: SqlType, poly: PolyResult): SqlType {
  switch (d.id) {
    case 'anyelement':
    case 'anynonarray':
      if (poly.elem === undefined) throw undeterminedPolymorphic();
      return poly.elem;
    case 'anyarray':
      if (poly.elem === undefined) throw undeterminedPolymorphic();
      return arrayOf(poly.elem);
    case 'anycompatible':
    case 'anycompatiblenonarray':
      return poly.compatible ?? T.text;
    case 'anycompatiblearray':
      if (poly.compatible === undefined) throw undeterminedPolymorphic();
      return arrayOf(poly.compatible);
    case 'any':
      return a;
    default:
      return d;
  }
}

function resultType(ret: RetType, argTypes: SqlType[], poly: PolyResult): SqlType {
  if (typeof ret === 'function') return ret(argTypes);
  if (isPolymorphic(ret)) return concretize(ret, ret, poly);
  return ret;
}

function finish<I extends { ret: RetType }>(c: Candidate<I>, inputs: readonly SqlType[]): Resolved<I> {
  const poly = resolvePolymorphic(inputs, c.declared) ?? {};
  const argTypes = c.declared.map((d, i) => concretize(d, inputs[i]!, poly));
  const retType = resultType(c.impl.ret, argTypes, poly);
  return { impl: c.impl, argTypes, retType, call: { argTypes, retType } };
}

function pick<I extends { ret: RetType }>(
  cands: Candidate<I>[],
  inputs: readonly SqlType[],
  notFound: () => SbError,
  ambiguous: () => SbError,
): Resolved<I> {
  const exact = cands.filter((c) => c.declared.every((d, i) => isExact(inputs[i]!, d)));
  if (exact.length > 0) return finish(exact.find((c) => !c.expanded) ?? exact[0]!, inputs);
  let viable = cands.filter((c) => canCoerce(inputs, c.declared));
  if (viable.length > 1) {
    // Identical expanded signatures: the non-expanded form wins, as FuncnameGetCandidates does.
    const plain = viable.filter((c) => !c.expanded);
    if (plain.length > 0 && plain.length < viable.length) {
      const plainKeys = new Set(plain.map((c) => c.declared.map((d) => d.id).join()));
      viable = viable.filter((c) => !c.expanded || !plainKeys.has(c.declared.map((d) => d.id).join()));
    }
  }
  if (viable.length === 0) throw notFound();
  if (viable.length === 1) return finish(viable[0]!, inputs);
  const chosen = selectCandidate(inputs, viable);
  if (chosen === undefined) throw ambiguous();
  return finish(chosen, inputs);
}

function signatureText(name: string, inputs: readonly SqlType[]): string {
  return `${name}(${inputs.map(typeName).join(', ')})`;
}

function noFunction(name: string, inputs: readonly SqlType[], kind = 'function'): SbError {
  return new SbError(SqlState.undefined_function, `${kind} ${signatureText(name, inputs)} does not exist`, {
    hint: `No ${kind} matches the given name and argument types. You might need to add explicit type casts.`,
  });
}

function ambiguousFunction(name: string, inputs: readonly SqlType[]): SbError {
  return new SbError('42725', `function ${signatureText(name, inputs)} is not unique`, {
    hint: 'Could not choose a best candidate function. You might need to add explicit type casts.',
  });
}

// ---- public API -----------------------------------------------------------------

export function resolveFunction(name: string, argTypes: readonly InputType[]): Resolved<FuncImpl | SetFunctionImpl> {
  const inputs = argTypes.map(norm);
  const cands = expand(registry.functions.get(name) ?? [], inputs.length);
  return pick(cands, inputs, () => noFunction(name, inputs), () => ambiguousFunction(name, inputs));
}

export function resolveAggregate(name: string, argTypes: readonly InputType[]): Resolved<AggImpl> {
  const inputs = argTypes.map(norm);
  const cands = expand(registry.aggregates.get(name) ?? [], inputs.length);
  return pick(cands, inputs, () => noFunction(name, inputs), () => ambiguousFunction(name, inputs));
}

export function resolveOrderedSetAggregate(
  name: string,
  directTypes: readonly InputType[],
  orderedTypes: readonly InputType[],
): Resolved<OrderedSetAggImpl> {
  const inputs = [...directTypes, ...orderedTypes].map(norm);
  const impls = (registry.orderedSetAggs.get(name) ?? []).filter(
    (a) => a.directArgs.length === directTypes.length && a.orderedArgs.length === orderedTypes.length,
  );
  const cands = impls.map((impl) => ({ impl, declared: [...impl.directArgs, ...impl.orderedArgs], expanded: false }));
  return pick(cands, inputs, () => noFunction(name, inputs), () => ambiguousFunction(name, inputs));
}

export function resolveWindow(name: string, argTypes: readonly InputType[]): Resolved<WindowImpl> {
  const inputs = argTypes.map(norm);
  const cands = expand(registry.windows.get(name) ?? [], inputs.length);
  return pick(cands, inputs, () => noFunction(name, inputs), () => ambiguousFunction(name, inputs));
}

function operatorText(name: string, left: SqlType | null, right: SqlType): string {
  return left === null ? `${name} ${typeName(right)}` : `${typeName(left)} ${name} ${typeName(right)}`;
}

export function resolveOperator(name: string, left: InputType | null, right: InputType): Resolved<OperatorImpl> {
  const l = left === null ? null : norm(left);
  const r = norm(right);
  const ops = (registry.operators.get(name) ?? []).filter((o) => (o.left === null) === (l === null));
  const cands: Candidate<OperatorImpl>[] = ops.map((impl) => ({
    impl,
    declared: impl.left === null ? [impl.right] : [impl.left, impl.right],
    expanded: false,
  }));
  const inputs = l === null ? [r] : [l, r];
  // binary_oper_exact: an unknown operand is first assumed to be the other operand's type.
  if (l !== null && isUnknown(l) !== isUnknown(r)) {
    const known = isUnknown(l) ? r : l;
    const hit = cands.find((c) => isExact(known, c.declared[0]!) && isExact(known, c.declared[1]!));
    if (hit !== undefined) return finish(hit, [known, known]);
  }
  const notFound = (): SbError =>
    new SbError(SqlState.undefined_function, `operator does not exist: ${operatorText(name, l, r)}`, {
      hint: 'No operator matches the given name and argument types. You might need to add explicit type casts.',
    });
  const ambiguous = (): SbError =>
    new SbError('42725', `operator is not unique: ${operatorText(name, l, r)}`, {
      hint: 'Could not choose a best candidate operator. You might need to add explicit type casts.',
    });
  return pick(cands, inputs, notFound, ambiguous);
}

/** Which kinds of routine a name denotes (the binder decides aggregate vs function calls with it). */
export function routineKinds(name: string): { function: boolean; aggregate: boolean; orderedSet: boolean; window: boolean } {
  return {
    function: registry.functions.has(name),
    aggregate: registry.aggregates.has(name),
    orderedSet: registry.orderedSetAggs.has(name),
    window: registry.windows.has(name),
  };
}
