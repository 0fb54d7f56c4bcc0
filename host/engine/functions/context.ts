// The evaluation context every built-in function receives: the session
// settings that change results (TimeZone, DateStyle, IntervalStyle), the
// statement/transaction clocks, randomness, and hooks into the session for
// current_setting/set_config and transaction ids. The executor builds one
// per statement; defaultEvalContext() gives a standalone one for tests and
// constant folding.

import { SbError, SqlState } from '../sb_error.ts';
import { requireTimeZone, type TimeZone } from '../types/timezone.ts';
import type { RegLookup } from '../types/context.ts';
import { formatType } from '../types/type_names.ts';
import { typeByOid } from '../types/types.ts';

export interface EvalContext {
  /** The session's TimeZone setting (IANA name, 'UTC', or a POSIX/ISO offset such as '+05:30'). */
  timeZone: string;
  /** DateStyle, e.g. 'ISO, MDY'. */
  dateStyle: string;
  /** IntervalStyle: 'postgres', 'postgres_verbose', 'sql_standard' or 'iso_8601'. */
  intervalStyle: string;
  /** extra_float_digits (default 1: shortest round-trip output). */
  extraFloatDigits: number;
  /** Statement start time, µs since 2000-01-01 UTC (now(), current_timestamp are the transaction's). */
  now(): number;
  /** Transaction start time, µs since 2000-01-01 UTC. */
  transactionTimestamp: number;
  /** Statement start time (statement_timestamp()). */
  statementTimestamp: number;
  /** Wall clock, µs since 2000-01-01 UTC (clock_timestamp()). */
  clockTimestamp(): number;
  /** random(): uniform in [0, 1). */
  random(): number;
  /** setseed(x), x in [-1, 1]. */
  setSeed(seed: number): void;
  /** Cryptographically random bytes (gen_random_uuid). */
  randomBytes(n: number): Uint8Array;
  /** current_setting(name): the value, or undefined when the setting does not exist. */
  setting(name: string): string | undefined;
  /** set_config(name, value, is_local): returns the new value. */
  setSetting(name: string, value: string, isLocal: boolean): string;
  /** txid_current(): the current transaction's id, assigning one if needed. */
  currentXactId(): bigint | number;
  /** Transaction id if one is assigned, else null (pg_current_xact_id_if_assigned). */
  currentXactIdIfAssigned?(): bigint | number | null;
  /** reg* names through the catalog (a session supplies it; the default knows built-in type names only). */
  regLookup?: RegLookup;
  /** Session facts for current_database(), current_schema(), pg_backend_pid()... (the session sets it per statement). */
  session?: SessionFacts;
  /**
   * The statement that serves the sleep pg_sleep() owes and the lock waits
   * pg_advisory_lock() owes (exec/context.ts ExecContext sets itself);
   * absent: no executor, no sleeping or waiting.
   */
  sleeper?: { sleepMs: number; oweWait(granted: Promise<void>, withdraw: () => boolean): void };
}

/** What the session-information functions read (exec/context.ts SessionInfo satisfies it). */
export interface SessionFacts {
  currentUser: string;
  sessionUser: string;
  currentDatabase: string;
  currentSchema(): string | null;
  searchPath(): string[];
  backendPid: number;
  /** The session's advisory locks (session/advisory_locks.ts AdvisoryOwner). */
  advisory?: AdvisoryLocker;
}

/** What pg_advisory_lock() and friends need of a session. */
export interface AdvisoryLocker {
  tryLock(key: string, shared: boolean, xact: boolean): boolean;
  /** Queues a refused request: `grant` runs when taken; the returned function withdraws it (false: granted already). */
  queue(key: string, shared: boolean, xact: boolean, grant: () => void): () => boolean;
  unlock(key: string, shared: boolean): boolean;
  unlockAll(): void;
}

/** regtype output for built-in types without a catalog (pg_typeof in standalone contexts). */
export const BUILTIN_REG_LOOKUP: RegLookup = {
  regIn: () => undefined,
  regOut: (type, oid) => {
    if (type !== 'regtype') return undefined;
    const t = typeByOid(oid);
    return t === undefined ? undefined : formatType(t, false);
  },
};

/** PostgreSQL's epoch (2000-01-01) in Unix milliseconds. */
export const PG_EPOCH_UNIX_MS = 946_684_800_000;

/** µs since 2000-01-01 for a Unix-epoch millisecond time. */
export function unixMsToPgMicros(ms: number): number {
  return (ms - PG_EPOCH_UNIX_MS) * 1000;
}

// ---- PostgreSQL's PRNG (xoroshiro128**, seeded through splitmix64) ----------
// Implemented so that setseed(x); random() gives PostgreSQL's own sequence.

const MASK64 = (1n << 64n) - 1n;

function rotl64(x: bigint, k: bigint): bigint {
  return ((x << k) | (x >> (64n - k))) & MASK64;
}

function splitmix64(state: { v: bigint }): bigint {
  state.v = (state.v + 0x9e3779b97f4a7c15n) & MASK64;
  let z = state.v;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
  return z ^ (z >> 31n);
}

export class PgPrng {
  private s0 = 0n;
  private s1 = 0n;

  constructor(seed?: bigint) {
    this.seed(seed ?? BigInt(Math.floor(Math.random() * 2 ** 53)) * 1024n + BigInt(Math.floor(Math.random() * 1024)));
  }

  seed(seed: bigint): void {
    const st = { v: seed & MASK64 };
    this.s0 = splitmix64(st);
    this.s1 = splitmix64(st);
    if (this.s0 === 0n && this.s1 === 0n) this.s0 = 1n;
  }

  /** setseed(): the double in [-1, 1] scaled by 2^52 - 1 (about the mantissa's bits) to an int64 seed. */
  seedFromDouble(d: number): void {
    if (!(d >= -1 && d <= 1) || Number.isNaN(d)) {
      throw new SbError(SqlState.invalid_parameter_value, `setseed parameter ${d} is out of allowed range [-1,1]`);
    }
    const iseed = BigInt(Math.trunc(d * 4503599627370495));
    this.seed(iseed & MASK64);
  }

  next64(): bigint {
    const s0 = this.s0;
    let s1 = this.s1;
    const val = (rotl64((s0 * 5n) & MASK64, 7n) * 9n) & MASK64;
    s1 ^= s0;
    this.s0 = rotl64(s0, 24n) ^ s1 ^ ((s1 << 16n) & MASK64);
    this.s1 = rotl64(s1, 37n);
    return val;
  }

  /** Uniform double in [0, 1) with 52 random bits. */
  nextDouble(): number {
    return Number(this.next64() >> 12n) / 4503599627370496;
  }
}

export interface EvalContextOptions {
  timeZone?: string;
  dateStyle?: string;
  intervalStyle?: string;
  extraFloatDigits?: number;
  /** Fixed clock (µs since 2000-01-01) for deterministic tests. */
  nowMicros?: number;
  settings?: Record<string, string>;
  session?: SessionFacts;
}

function platformRandomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  const c = (globalThis as { crypto?: { getRandomValues(a: Uint8Array): Uint8Array } }).crypto;
  if (c !== undefined) c.getRandomValues(out);
  else for (let i = 0; i < n; i++) out[i] = Math.floor(Math.random() * 256);
  return out;
}

/** A standalone context: settings in a map, the clock fixed at creation (or given). */
export function defaultEvalContext(opts: EvalContextOptions = {}): EvalContext {
  const settings = new Map<string, string>(Object.entries(opts.settings ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const start = opts.nowMicros ?? unixMsToPgMicros(Date.now());
  const prng = new PgPrng();
  let xid = 1000n;
  let xidAssigned = false;
  const ctx: EvalContext = {
    timeZone: opts.timeZone ?? 'UTC',
    dateStyle: opts.dateStyle ?? 'ISO, MDY',
    intervalStyle: opts.intervalStyle ?? 'postgres',
    extraFloatDigits: opts.extraFloatDigits ?? 1,
    now: () => start,
    transactionTimestamp: start,
    statementTimestamp: start,
    clockTimestamp: () => (opts.nowMicros !== undefined ? start : unixMsToPgMicros(Date.now())),
    random: () => prng.nextDouble(),
    setSeed: (seed) => prng.seedFromDouble(seed),
    randomBytes: platformRandomBytes,
    setting(name) {
      const key = name.toLowerCase();
      switch (key) {
        case 'timezone':
          return ctx.timeZone;
        case 'datestyle':
          return ctx.dateStyle;
        case 'intervalstyle':
          return ctx.intervalStyle;
        case 'extra_float_digits':
          return String(ctx.extraFloatDigits);
      }
      return settings.get(key);
    },
    setSetting(name, value) {
      const key = name.toLowerCase();
      if (key === 'timezone') ctx.timeZone = value;
      else if (key === 'datestyle') ctx.dateStyle = value;
      else if (key === 'intervalstyle') ctx.intervalStyle = value;
      else if (key === 'extra_float_digits') ctx.extraFloatDigits = Number(value);
      else settings.set(key, value);
      return value;
    },
    currentXactId() {
      xidAssigned = true;
      return xid;
    },
    currentXactIdIfAssigned: () => (xidAssigned ? xid : null),
    regLookup: BUILTIN_REG_LOOKUP,
  };
  if (opts.session !== undefined) ctx.session = opts.session;
  return ctx;
}

/** The session's TimeZone setting as a zone (resolved once per distinct name by the types module). */
export function sessionZone(ctx: EvalContext): TimeZone {
  return requireTimeZone(ctx.timeZone);
}
