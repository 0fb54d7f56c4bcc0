// Type resolution as PostgreSQL's parser does it (parse_coerce.c): the
// common type of UNION/CASE/ARRAY/VALUES/COALESCE branches
// (select_common_type), implicit coercibility (can_coerce_type), the
// unknown-literal rules, and the consistency/resolution of polymorphic
// argument types (anyelement, anyarray, anycompatible...).

import { SbError, SqlState } from '../sb_error.ts';
import { canCast, type CoercionContext } from './casts.ts';
import { formatType } from './type_names.ts';
import {
  T, arrayOf, isPolymorphic, isPreferredType, sameType, sqlType, typeCategory, typeInfo, type SqlType,
} from './types.ts';

/**
 * can_coerce_type for one argument: same type, target "any"/polymorphic,
 * unknown literals, or a cast allowed in `context` (implicit by default).
 */
export function canCoerce(from: SqlType, to: SqlType, context: CoercionContext = 'implicit'): boolean {
  if (sameType(from, to)) return true;
  if (to.id === 'any' || isPolymorphic(to)) return true;
  if (from.id === 'unknown') return true;
  if (from.id === 'record' && to.id === 'record') return true;
  return canCast(from, to, context);
}

/** can_coerce_type over argument lists, including the polymorphic consistency check. */
export function canCoerceAll(from: readonly SqlType[], to: readonly SqlType[], context: CoercionContext = 'implicit'): boolean {
  if (from.length !== to.length) return false;
  let generic = false;
  for (let i = 0; i < from.length; i++) {
    if (isPolymorphic(to[i]!)) generic = true;
    if (!canCoerce(from[i]!, to[i]!, context)) return false;
  }
  return !generic || resolvePolymorphic(from, to, undefined) !== undefined;
}

/** The common-type name of a construct, for messages: "UNION", "CASE", "ARRAY", "VALUES", "COALESCE"... */
export type CommonTypeContext = string;

/**
 * select_common_type: the type all inputs resolve to. With `context` given,
 * types from different categories raise 42804 "<context> types X and Y
 * cannot be matched"; without it the result is undefined. All-unknown
 * inputs resolve to text. The typmod is kept when every input has the same.
 */
export function selectCommonType(types: readonly SqlType[], context?: CommonTypeContext): SqlType | undefined {
  if (types.length === 0) return undefined;
  const first = types[0]!;
  if (first.id !== 'unknown' && types.every((t) => sameType(t, first))) {
    const typmod = types.every((t) => t.typmod === first.typmod) ? first.typmod : -1;
    return typmod === first.typmod ? first : withTypmod(first, typmod);
  }
  let ptype = first;
  let pcat = typeCategory(ptype);
  let ppref = isPreferredType(ptype);
  for (let i = 1; i < types.length; i++) {
    const ntype = types[i]!;
    if (ntype.id === 'unknown' || sameType(ntype, ptype)) continue;
    const ncat = typeCategory(ntype);
    const npref = isPreferredType(ntype);
    if (ptype.id === 'unknown') {
      ptype = ntype;
      pcat = ncat;
      ppref = npref;
    } else if (ncat !== pcat) {
      if (context === undefined) return undefined;
      throw new SbError(
        SqlState.datatype_mismatch,
        `${context} types ${formatType(ptype)} and ${formatType(ntype)} cannot be matched`,
      );
    } else if (!ppref && canCoerce(ptype, ntype) && !canCoerce(ntype, ptype)) {
      ptype = ntype;
      pcat = ncat;
      ppref = npref;
    }
  }
  if (ptype.id === 'unknown') return T.text;
  const same = types.filter((t) => t.id !== 'unknown');
  const typmod = same.length > 0 && same.every((t) => sameType(t, ptype) && t.typmod === same[0]!.typmod) ? same[0]!.typmod : -1;
  return withTypmod(ptype, typmod);
}

function withTypmod(t: SqlType, typmod: number): SqlType {
  if (t.typmod === typmod) return t;
  if (t.id === 'array') return arrayOf({ ...t.elem!, typmod });
  return sqlType(t.id, typmod);
}

/**
 * select_common_type followed by the check that every input coerces to it
 * implicitly (42846 "<context> could not convert type X to Y").
 */
export function resolveCommonType(types: readonly SqlType[], context: CommonTypeContext): SqlType {
  const t = selectCommonType(types, context)!;
  for (const s of types) {
    if (!canCoerce(s, t)) {
      throw new SbError('42846', `${context} could not convert type ${formatType(s)} to ${formatType(t)}`);
    }
  }
  return t;
}

/** The type an unknown literal takes in a query's output (PostgreSQL 10+: text). */
export function resolveUnknownOutput(t: SqlType): SqlType {
  return t.id === 'unknown' ? T.text : t;
}

// ---- polymorphism -------------------------------------------------------------

export interface PolymorphicBinding {
  /** The type bound to anyelement/anyarray's element (undefined if none of them occur). */
  anyElement?: SqlType;
  /** The type bound to anycompatible's family. */
  anyCompatible?: SqlType;
}

function elementOf(t: SqlType): SqlType | undefined {
  return t.id === 'array' ? t.elem : undefined;
}

/**
 * check_generic_type_consistency + enforce_generic_type_consistency:
 * binds anyelement/anyarray/anynonarray (one shared element type) and
 * anycompatible/anycompatiblearray (a common supertype). Returns undefined
 * when the actual types are inconsistent. `declaredResult`, if polymorphic,
 * is resolved into `result`.
 */
export function resolvePolymorphic(
  actual: readonly SqlType[],
  declared: readonly SqlType[],
  declaredResult: SqlType | undefined,
): (PolymorphicBinding & { result?: SqlType }) | undefined {
  let elem: SqlType | undefined;
  let arrayType: SqlType | undefined;
  let nonArray = false;
  const compat: SqlType[] = [];
  let compatNonArray = false;
  for (let i = 0; i < declared.length; i++) {
    const d = declared[i]!;
    const a = actual[i]!;
    switch (d.id) {
      case 'anyelement':
      case 'anynonarray':
        if (d.id === 'anynonarray') nonArray = true;
        if (a.id === 'unknown') break;
        if (elem !== undefined && !sameType(elem, a)) return undefined;
        elem = a;
        break;
      case 'anyarray': {
        if (a.id === 'unknown') break;
        const e = elementOf(a);
        if (e === undefined) return undefined;
        if (arrayType !== undefined && !sameType(arrayType, a)) return undefined;
        arrayType = a;
        break;
      }
      case 'anycompatiblenonarray':
        compatNonArray = true;
        if (a.id !== 'unknown') compat.push(a);
        break;
      case 'anycompatible':
        if (a.id !== 'unknown') compat.push(a);
        break;
      case 'anycompatiblearray': {
        if (a.id === 'unknown') break;
        const e = elementOf(a);
        if (e === undefined) return undefined;
        compat.push(e);
        break;
      }
    }
  }
  if (arrayType !== undefined) {
    const e = elementOf(arrayType)!;
    if (elem !== undefined && !sameType(elem, e)) return undefined;
    elem = e;
  }
  if (nonArray && elem !== undefined && elem.id === 'array') return undefined;
  let compatType: SqlType | undefined;
  if (compat.length > 0) {
    compatType = selectCommonType(compat);
    if (compatType === undefined) return undefined;
    if (!compat.every((t) => canCoerce(t, compatType!))) return undefined;
    if (compatNonArray && compatType.id === 'array') return undefined;
  }
  const out: PolymorphicBinding & { result?: SqlType } = {};
  if (elem !== undefined) out.anyElement = elem;
  if (compatType !== undefined) out.anyCompatible = compatType;
  if (declaredResult !== undefined) {
    const r = substitutePolymorphic(declaredResult, out);
    if (r !== undefined) out.result = r;
  }
  return out;
}

/** The concrete type for a declared (possibly polymorphic) type under a binding; unknown elements become text. */
export function substitutePolymorphic(declared: SqlType, b: PolymorphicBinding): SqlType | undefined {
  switch (declared.id) {
    case 'anyelement':
    case 'anynonarray':
      return b.anyElement ?? T.text;
    case 'anyarray': {
      const e = b.anyElement ?? T.text;
      return typeInfo(e.id === 'array' ? 'text' : e.id).arrayOid !== 0 ? arrayOf(e) : undefined;
    }
    case 'anycompatible':
    case 'anycompatiblenonarray':
      return b.anyCompatible ?? T.text;
    case 'anycompatiblearray':
      return arrayOf(b.anyCompatible ?? T.text);
    default:
      return declared;
  }
}
