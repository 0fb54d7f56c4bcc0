// TODO(types): implicit coercibility (can_coerce_type with COERCION_IMPLICIT)
// and select_common_type, here until host/engine/types/resolve.ts exists.
// The implicit casts are pg_cast's castcontext = 'i' rows among the types we
// model, plus unknown -> anything and array -> array by element.

import { SbError, SqlState } from '../../sb_error.ts';
import { formatType } from '../../types/type_names.ts';
import { sameType, sqlType, typeCategory, isPreferredType, type SqlType, type TypeId } from '../../types/types.ts';

const REG: TypeId[] = ['regproc', 'regprocedure', 'regclass', 'regtype', 'regnamespace', 'regrole'];

const IMPLICIT: Partial<Record<TypeId, TypeId[]>> = {
  char: ['text'],
  name: ['text'],
  int2: ['int4', 'int8', 'oid', 'float4', 'float8', 'numeric', ...REG],
  int4: ['int8', 'oid', 'float4', 'float8', 'numeric', ...REG],
  int8: ['oid', 'float4', 'float8', 'numeric', ...REG],
  text: ['name', 'bpchar', 'varchar', 'regclass'],
  oid: [...REG],
  float4: ['float8'],
  bpchar: ['name', 'text', 'varchar'],
  varchar: ['name', 'text', 'bpchar', 'regclass'],
  date: ['timestamp', 'timestamptz'],
  time: ['interval', 'timetz'],
  timestamp: ['timestamptz'],
  numeric: ['float4', 'float8'],
};

/** A pg_cast implicit pathway between two concrete types (same type counts). */
export function implicitCastExists(from: SqlType, to: SqlType): boolean {
  if (sameType(from, to)) return true;
  if (from.id === 'unknown') return true;
  if (to.id === 'any') return true;
  if (from.id === 'array' && to.id === 'array') return implicitCastExists(from.elem!, to.elem!);
  if (from.id === 'array' || to.id === 'array') return false;
  return IMPLICIT[from.id]?.includes(to.id) ?? false;
}

export function typeName(t: SqlType | 'unknown'): string {
  if (t === 'unknown') return 'unknown';
  if (t.id === 'any') return '"any"';
  if (t.id === 'char') return '"char"';
  try {
    return formatType({ id: t.id, typmod: -1, ...(t.elem ? { elem: t.elem } : {}) } as SqlType);
  } catch {
    return t.id;
  }
}

/**
 * select_common_type over concrete types (unknowns allowed): the first
 * non-unknown type, replaced by a later one of the same category that it
 * implicitly converts to (unless it is preferred); all-unknown gives text.
 * Returns undefined (or throws 42804 when `context` is given) on a category
 * mismatch or when some input cannot be coerced to the result.
 */
export function selectCommonType(types: readonly SqlType[], context?: string): SqlType | undefined {
  let ptype: SqlType | undefined;
  for (const t of types) {
    if (t.id === 'unknown') continue;
    if (ptype === undefined) {
      ptype = t;
      continue;
    }
    if (sameType(t, ptype)) continue;
    const pcat = typeCategory(ptype);
    const ncat = typeCategory(t);
    if (pcat !== ncat) {
      if (context === undefined) return undefined;
      throw new SbError(SqlState.datatype_mismatch, `${context} types ${typeName(ptype)} and ${typeName(t)} cannot be matched`);
    }
    if (!isPreferredType(ptype) && implicitCastExists(ptype, t) && !implicitCastExists(t, ptype)) ptype = t;
  }
  const result = ptype ?? sqlType('text');
  for (const t of types) {
    if (!implicitCastExists(t, result)) {
      if (context === undefined) return undefined;
      throw new SbError(SqlState.datatype_mismatch, `${context} could not convert type ${typeName(t)} to ${typeName(result)}`);
    }
  }
  return result;
}
