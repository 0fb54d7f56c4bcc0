// Session information functions (PostgreSQL's "System Information
// Functions"): version(), current_database(), current_schema(),
// current_schemas(bool), pg_backend_pid(), pg_current_xact_id(). They read
// the session through EvalContext.session; a context without one (constant
// folding, standalone tests) raises 0A000 rather than inventing a value.

import { SbError, SqlState } from '../sb_error.ts';
import { SqlArray } from '../types/array.ts';
import { arrayOf, T } from '../types/types.ts';
import type { EvalContext, SessionFacts } from './context.ts';
import { defFn } from './registry.ts';

const stable = { volatility: 's' as const };

function sessionOf(ctx: EvalContext, fn: string): SessionFacts {
  if (ctx.session === undefined) throw new SbError(SqlState.feature_not_supported, `${fn}() needs a session`);
  return ctx.session;
}

/** version(): "PostgreSQL <server_version> ..." — clients parse the leading words. */
export function versionText(ctx: EvalContext): string {
  const v = ctx.setting('server_version') ?? '15.0';
  return `PostgreSQL ${v} (ScratchBird) on wasm32, compiled by AssemblyScript and TypeScript, 64-bit`;
}

defFn('version', [], T.text, (_a, ctx) => versionText(ctx), stable);
defFn('current_database', [], T.name, (_a, ctx) => sessionOf(ctx, 'current_database').currentDatabase, stable);
defFn('current_schema', [], T.name, (_a, ctx) => sessionOf(ctx, 'current_schema').currentSchema(), stable);
defFn('current_schemas', [T.bool], arrayOf(T.name), ([implicit], ctx) => {
  const s = sessionOf(ctx, 'current_schemas');
  // The implicit schemas come first in the effective path (pg_catalog when not listed).
  const path = s.searchPath();
  const names = implicit === true && !path.includes('pg_catalog') ? ['pg_catalog', ...path] : path;
  return SqlArray.of(T.name, names);
}, stable);
defFn('pg_backend_pid', [], T.int4, (_a, ctx) => sessionOf(ctx, 'pg_backend_pid').backendPid, stable);
// xid8 is not a type of ours yet: the 64-bit transaction id is returned as bigint (same text).
defFn('pg_current_xact_id', [], T.int8, (_a, ctx) => ctx.currentXactId(), { volatility: 'v' });
defFn('pg_current_xact_id_if_assigned', [], T.int8, (_a, ctx) => ctx.currentXactIdIfAssigned?.() ?? null, { volatility: 'v' });
