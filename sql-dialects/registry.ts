// The dialect registry: dialects are plugins. A new dialect implements
// Dialect (usually by extending BaseDialect) and calls registerDialect();
// nothing in the parser core changes.

import { SbError, SqlState } from '../host/engine/sb_error.ts';
import type { Dialect } from './dialect.ts';

const by_name = new Map<string, Dialect>();

/** Registers a dialect under its name and aliases (case-insensitive); a later registration replaces an earlier one. */
export function registerDialect(d: Dialect): void {
  for (const key of [d.name, ...d.aliases]) by_name.set(key.toLowerCase(), d);
}

/** The dialect registered under this name or alias; 0A000 when there is none. */
export function getDialect(name: string): Dialect {
  const d = by_name.get(name.toLowerCase());
  if (!d) {
    throw new SbError(SqlState.feature_not_supported, `unknown SQL dialect "${name}"`, {
      hint: `Known dialects: ${listDialects().join(', ')}.`,
    });
  }
  return d;
}

/** Canonical names of the registered dialects. */
export function listDialects(): string[] {
  return [...new Set([...by_name.values()].map((d) => d.name))].sort();
}
