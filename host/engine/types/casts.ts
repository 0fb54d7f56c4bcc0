// The cast matrix of PostgreSQL (pg_cast) for the modelled types, with its
// contexts (implicit / assignment / explicit), the automatic I/O conversion
// casts (anything to a string type in assignment context, a string type to
// anything explicitly), element-wise array casts, unknown literals, and the
// typmod ("length") coercions: varchar(n) truncates on explicit casts and
// raises 22001 otherwise, char(n) pads, numeric(p,s) rounds.

import { SbError } from '../sb_error.ts';
import { SqlArray } from './array.ts';
import type { TypeContext } from './context.ts';
import { CAST_TABLE, castFunction, type CastFn } from './cast_functions.ts';
import { adjustTime, adjustTimestamp } from './datetime_input.ts';
import { Interval } from './interval.ts';
import { Numeric } from './numeric.ts';
import { coerceCharLength } from './scalar_io.ts';
import { formatText, parseText } from './text_io.ts';
import { charLength, formatType } from './type_names.ts';
import { applyBitTypmod } from './bit.ts';
import { isPseudoType, isRegType, sameType, typeCategory, type SqlType } from './types.ts';

export type CoercionContext = 'implicit' | 'assignment' | 'explicit';

const RANK: Record<CoercionContext, number> = { implicit: 0, assignment: 1, explicit: 2 };

/** Whether a cast usable in `castContext` may be applied in `context`. */
export function contextAllows(castContext: CoercionContext, context: CoercionContext): boolean {
  return RANK[castContext] <= RANK[context];
}

export type CastMethod = 'identity' | 'function' | 'binary' | 'inout' | 'array' | 'unknown' | 'typmod';

export interface CastInfo {
  /** The least permissive context in which the cast applies. */
  context: CoercionContext;
  method: CastMethod;
  /** Converts a non-NULL value (typmod coercion of the target included). */
  convert(v: unknown, ctx: TypeContext, context: CoercionContext): unknown;
}

function typmodOf(t: SqlType): number {
  return t.typmod;
}

/**
 * Applies the target type's typmod as a cast does (length coercion
 * functions varchar(), bpchar(), numeric(), timestamp()...). `explicit`
 * makes varchar/char truncate instead of raising 22001.
 */
export function applyTypmod(t: SqlType, v: unknown, explicit: boolean): unknown {
  const m = typmodOf(t);
  if (m < 0 || v === null) return v;
  switch (t.id) {
    case 'varchar':
      return coerceCharLength(v as string, charLength(m), false, explicit);
    case 'bpchar':
      return coerceCharLength(v as string, charLength(m), true, explicit);
    case 'numeric':
      return (v as Numeric).applyTypmod(m);
    case 'time':
      return adjustTime(v as number, m);
    case 'timetz': {
      const tz = v as { micros: number; offsetSeconds: number };
      return { micros: adjustTime(tz.micros, m), offsetSeconds: tz.offsetSeconds };
    }
    case 'timestamp':
    case 'timestamptz':
      return adjustTimestamp(v as number, m);
    case 'interval':
      return (v as Interval).applyTypmod(m);
    case 'bit':
    case 'varbit':
      return applyBitTypmod(v as string, m, t.id === 'varbit', explicit);
    case 'array': {
      const a = v as SqlArray;
      const elem: SqlType = { ...t.elem!, typmod: m };
      return a.withValues(a.elemType, a.values.map((x) => applyTypmod(elem, x, explicit)));
    }
    default:
      return v;
  }
}

function isStringCategory(t: SqlType): boolean {
  return t.id !== 'array' && typeCategory(t) === 'S';
}

function base(t: SqlType): SqlType {
  return t.typmod === -1 && t.id !== 'array' ? t : t.id === 'array' ? t : { id: t.id, typmod: -1 };
}

function cannotCast(from: SqlType, to: SqlType): SbError {
  return new SbError('42846', `cannot cast type ${formatType(from)} to ${formatType(to)}`);
}

/** The conversion from `from` to `to` ignoring typmods, or undefined when PostgreSQL has none. */
function findBaseCast(from: SqlType, to: SqlType): { context: CoercionContext; method: CastMethod; fn: CastFn } | undefined {
  if (sameType(from, to)) return { context: 'implicit', method: 'identity', fn: (v) => v };
  if (from.id === 'unknown') {
    return {
      context: 'implicit',
      method: 'unknown',
      fn: (v, ctx) => parseText(to.id === 'interval' ? to : base(to), v as string, ctx),
    };
  }
  // Reg types are binary-compatible with oid and share its casts.
  const fromKey = isRegType(from) ? 'oid' : from.id;
  const toKey = isRegType(to) ? 'oid' : to.id;
  if (isRegType(from) && isRegType(to)) {
    const ok = (from.id === 'regproc' && to.id === 'regprocedure') || (from.id === 'regprocedure' && to.id === 'regproc');
    if (ok) return { context: 'implicit', method: 'binary', fn: (v) => v };
  } else if (from.id !== 'array' && to.id !== 'array') {
    const entry = CAST_TABLE.get(`${fromKey}>${toKey}`) ?? (fromKey === toKey ? { context: 'implicit' as const, binary: true } : undefined);
    if (entry !== undefined) {
      const fn = castFunction(from, to);
      return { context: entry.context, method: entry.binary ? 'binary' : 'function', fn };
    }
    if (isRegType(to) && (from.id === 'text' || from.id === 'varchar') && to.id === 'regclass') {
      return { context: 'implicit', method: 'function', fn: (v, ctx) => parseText(to, v as string, ctx) };
    }
  }
  if (from.id === 'array' && to.id === 'array') {
    const elem = findBaseCast(from.elem!, to.elem!);
    if (elem !== undefined) {
      const target = to.elem!;
      return {
        context: elem.context,
        method: 'array',
        fn: (v, ctx, context) => {
          const a = v as SqlArray;
          return a.withValues(
            target,
            a.values.map((x) => (x === null ? null : castValue(x, from.elem!, target, ctx, context))),
          );
        },
      };
    }
  }
  if (isPseudoType(to) && to.id !== 'record') return undefined;
  if (isStringCategory(to)) {
    return { context: 'assignment', method: 'inout', fn: (v, ctx) => stringFromValue(from, to, v, ctx) };
  }
  if (isStringCategory(from)) {
    return { context: 'explicit', method: 'inout', fn: (v, ctx) => parseText(base(to), v as string, ctx) };
  }
  return undefined;
}

/** Output function of `from` read back by the string type's input function. */
function stringFromValue(from: SqlType, to: SqlType, v: unknown, ctx: TypeContext): string {
  const s = formatText(from, v, ctx);
  return to.id === 'name' ? (parseText(to, s, ctx) as string) : s;
}

/**
 * The cast from `from` to `to` (typmods included) as find_coercion_pathway
 * finds it, or undefined when no cast exists in any context.
 */
export function findCast(from: SqlType, to: SqlType): CastInfo | undefined {
  const bc = findBaseCast(from, to);
  if (bc === undefined) return undefined;
  const needsTypmod = to.typmod >= 0 && !(sameType(from, to) && from.typmod === to.typmod);
  const method: CastMethod = bc.method === 'identity' && needsTypmod ? 'typmod' : bc.method;
  return {
    context: bc.context,
    method,
    convert: (v, ctx, context) => {
      const r = bc.fn(v, ctx, context);
      return needsTypmod ? applyTypmod(to, r, context === 'explicit') : r;
    },
  };
}

/** Whether `from` can be cast to `to` in `context`. */
export function canCast(from: SqlType, to: SqlType, context: CoercionContext): boolean {
  const c = findCast(from, to);
  return c !== undefined && contextAllows(c.context, context);
}

/**
 * Casts a value. NULL stays NULL. Throws 42846 when no cast is allowed in
 * `context`, and the conversion's own errors (22003, 22001, 22P02...).
 */
export function castValue(v: unknown, from: SqlType, to: SqlType, ctx: TypeContext, context: CoercionContext = 'explicit'): unknown {
  if (v === null || v === undefined) return null;
  const c = findCast(from, to);
  if (c === undefined || !contextAllows(c.context, context)) throw cannotCast(from, to);
  return c.convert(v, ctx, context);
}

