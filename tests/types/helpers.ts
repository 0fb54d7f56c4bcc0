// Shared helpers of the type-system tests.

import { SbError } from '../../host/engine/sb_error.ts';
import { castValue } from '../../host/engine/types/casts.ts';
import { defaultTypeContext, type TypeContext } from '../../host/engine/types/context.ts';
import { formatText, parseText } from '../../host/engine/types/text_io.ts';
import { typeFromName } from '../../host/engine/types/type_names.ts';
import { T } from '../../host/engine/types/types.ts';

/** 2025-01-01 00:00:00 UTC in µs since 2000-01-01: a fixed transaction clock. */
export const NOW = 789004800000000;

export function ctx(over: Partial<TypeContext> = {}): TypeContext {
  return defaultTypeContext({ now: () => NOW, ...over });
}

/** The SQLSTATE an operation fails with, or undefined when it succeeds. */
export function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SbError) return e.code;
    throw e;
  }
  return undefined;
}

/** What `SELECT 'text'::type` prints in PostgreSQL (explicit cast of an unknown literal). */
export function pg(typeName: string, text: string, c: TypeContext = ctx()): string {
  const t = typeFromName(typeName);
  return formatText(t, castValue(text, T.unknown, t, c, 'explicit'), c);
}

/** The value of a literal of a type. */
export function val(typeName: string, text: string, c: TypeContext = ctx()): unknown {
  return parseText(typeFromName(typeName), text, c);
}
