// pg_advisory_lock and friends (the locks themselves: session/advisory_locks.ts).
// Keys: one bigint, or two int4 (a different lock from any bigint's, as in
// PostgreSQL). A blocking lock call returns at once and the statement owes the
// wait (EvalContext.sleeper.oweWait): the statement goes on once the lock is
// granted, or ends with 57014 at a cancel or its statement_timeout.

import { SbError, SqlState } from '../sb_error.ts';
import { T } from '../types/types.ts';
import type { AdvisoryLocker, EvalContext } from './context.ts';
import { defFn } from './registry.ts';

const VOID = '';
const volatile = { volatility: 'v' as const };

function lockerOf(ctx: EvalContext, fn: string): AdvisoryLocker {
  const a = ctx.session?.advisory;
  if (a === undefined) throw new SbError(SqlState.feature_not_supported, `${fn}() needs a session`);
  return a;
}

const bigKey = (k: unknown): string => `b:${String(k)}`;
const pairKey = (a: unknown, b: unknown): string => `i:${String(a)}:${String(b)}`;

function lock(ctx: EvalContext, fn: string, key: string, shared: boolean, xact: boolean): string {
  const a = lockerOf(ctx, fn);
  if (a.tryLock(key, shared, xact)) return VOID;
  const sleeper = ctx.sleeper;
  if (sleeper === undefined) throw new SbError(SqlState.feature_not_supported, `${fn}() needs a running statement`);
  let grant!: () => void;
  const granted = new Promise<void>((r) => (grant = r));
  sleeper.oweWait(granted, a.queue(key, shared, xact, grant));
  return VOID;
}

for (const [suffix, shared] of [['', false], ['_shared', true]] as const) {
  for (const [level, xact] of [['', false], ['_xact', true]] as const) {
    const name = `pg_advisory${level}_lock${suffix}`;
    defFn(name, [T.int8], T.void, ([k], ctx) => lock(ctx, name, bigKey(k), shared, xact), volatile);
    defFn(name, [T.int4, T.int4], T.void, ([a, b], ctx) => lock(ctx, name, pairKey(a, b), shared, xact), volatile);
    const tryName = `pg_try_advisory${level}_lock${suffix}`;
    defFn(tryName, [T.int8], T.bool, ([k], ctx) => lockerOf(ctx, tryName).tryLock(bigKey(k), shared, xact), volatile);
    defFn(tryName, [T.int4, T.int4], T.bool, ([a, b], ctx) => lockerOf(ctx, tryName).tryLock(pairKey(a, b), shared, xact), volatile);
  }
  const unlockName = `pg_advisory_unlock${suffix}`;
  defFn(unlockName, [T.int8], T.bool, ([k], ctx) => lockerOf(ctx, unlockName).unlock(bigKey(k), shared), volatile);
  defFn(unlockName, [T.int4, T.int4], T.bool, ([a, b], ctx) => lockerOf(ctx, unlockName).unlock(pairKey(a, b), shared), volatile);
}

defFn('pg_advisory_unlock_all', [], T.void, (_a, ctx) => {
  lockerOf(ctx, 'pg_advisory_unlock_all').unlockAll();
  return VOID;
}, volatile);
