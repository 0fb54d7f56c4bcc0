// pg_sleep(seconds), pg_sleep_for(interval), pg_sleep_until(timestamptz):
// delay the statement. Expressions are evaluated synchronously, so a call
// does not wait here: it adds its time to the sleep the running statement
// owes (EvalContext.sleeper, the statement's ExecContext), and the
// statement driver serves it before it hands on the batch that evaluated the
// call, on a timer, so other sessions are served meanwhile and a cancel or
// statement_timeout ends it with 57014 (exec/operator.ts). Calls in several
// rows add up, as PostgreSQL's sleeps one after the other do.
//
// As in PostgreSQL: strict (a NULL argument returns NULL at once), zero,
// negative, NaN or past times do not sleep, +infinity sleeps until
// interrupted. The result is void: '' (not NULL), printed as an empty string.

import { SbError, SqlState } from '../sb_error.ts';
import { timestamptzPlusInterval } from '../types/datetime.ts';
import type { Interval } from '../types/interval.ts';
import { T } from '../types/types.ts';
import { type EvalContext, sessionZone } from './context.ts';
import { defFn } from './registry.ts';

/** The value of a void function that returned (void_out prints it as ''). */
const VOID = '';

/** Owes `ms` milliseconds of sleep to the statement evaluating the call. */
function owe(ctx: EvalContext, fn: string, ms: number): string {
  const s = ctx.sleeper;
  if (s === undefined) throw new SbError(SqlState.feature_not_supported, `${fn}() needs a running statement`);
  if (ms > 0) s.sleepMs += ms;
  return VOID;
}

/**
 * clock_timestamp() as it will read once the sleep owed so far is served (µs
 * since 2000-01-01): a later call in the statement sees time after the
 * earlier sleeps, and pg_sleep_until() in several rows does not sleep twice.
 */
export function clockAfterSleep(ctx: EvalContext): number {
  const owed = ctx.sleeper?.sleepMs ?? 0;
  const now = ctx.clockTimestamp();
  return owed === 0 ? now : Math.round(now + owed * 1000);
}

const volatile = { volatility: 'v' as const };

defFn('pg_sleep', [T.float8], T.void, ([secs], ctx) => owe(ctx, 'pg_sleep', (secs as number) * 1000), volatile);

// PostgreSQL's SQL bodies: pg_sleep(extract(epoch from clock_timestamp() + $1) - extract(epoch from clock_timestamp())).
defFn('pg_sleep_for', [T.interval], T.void, ([iv], ctx) => {
  const now = clockAfterSleep(ctx);
  return owe(ctx, 'pg_sleep_for', (timestamptzPlusInterval(now, iv as Interval, sessionZone(ctx)) - now) / 1000);
}, volatile);

// ... and pg_sleep(extract(epoch from $1) - extract(epoch from clock_timestamp())).
defFn('pg_sleep_until', [T.timestamptz], T.void, ([ts], ctx) => owe(ctx, 'pg_sleep_until', ((ts as number) - clockAfterSleep(ctx)) / 1000), volatile);
