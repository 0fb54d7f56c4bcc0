// The sqllogictest target for ScratchBird's embedded engine: a fresh
// ':memory:' database per file, statements through db.query.
//
// The engine API (host/engine/db.ts) is being written; this target loads it
// with a dynamic import so the project type-checks without it:
//   const db = await open(':memory:', { platform });
//   await db.query(sql) -> { command, rowCount, fields: [{ name, typeOid }], rows: unknown[][] }
// errors are SbError with .code = SQLSTATE (host/engine/sb_error.ts).
//
// Values are printed with the engine's own output functions,
// formatText(type, value, ctx) from host/engine/types/text_io.ts, with the
// type found by typeByOid (host/engine/types/types.ts).
// TODO(sql-engine): printing must follow the session's DateStyle, TimeZone,
// IntervalStyle, extra_float_digits and bytea_output. Until db.ts exposes
// the session's TypeContext (assumed here as an optional db.typeContext()),
// the default context is used and files that SET those settings will differ.
// fallbackText below is only used while the types modules cannot be loaded.

import { nodePlatform } from '../../host/platform/node.ts';
import type { SltExecResult, SltTarget } from './target.ts';

interface EngineResult {
  command: string;
  rowCount?: number;
  fields: { name: string; typeOid: number }[];
  rows: unknown[][];
}

interface EngineDb {
  query(sql: string, params?: unknown[]): Promise<EngineResult>;
  close?(): Promise<void>;
  /** Assumed: the session's settings for value I/O (see the TODO above). */
  typeContext?(): unknown;
}

/** Prints a non-NULL value of the column type with that OID. */
type Printer = (value: unknown, typeOid: number, ctx: unknown) => string;

// Module URLs as values, so tsc does not follow modules that may not exist
// yet or may be mid-change while the engine is being written.
const db_module = new URL('../../host/engine/db.ts', import.meta.url).href;
const text_io_module = new URL('../../host/engine/types/text_io.ts', import.meta.url).href;
const types_module = new URL('../../host/engine/types/types.ts', import.meta.url).href;

async function loadPrinter(): Promise<Printer | null> {
  try {
    const io = (await import(/* @vite-ignore */ text_io_module)) as { formatText?: unknown };
    const types = (await import(/* @vite-ignore */ types_module)) as { typeByOid?: unknown };
    if (typeof io.formatText !== 'function' || typeof types.typeByOid !== 'function') return null;
    const formatText = io.formatText as (type: unknown, value: unknown, ctx?: unknown) => string;
    const typeByOid = types.typeByOid as (oid: number) => unknown;
    return (value, oid, ctx) => {
      const type = typeByOid(oid);
      return type === undefined ? fallbackText(value, oid) : formatText(type, value, ctx ?? undefined);
    };
  } catch {
    return null;
  }
}

export class SbTarget implements SltTarget {
  readonly name = 'ScratchBird (embedded, :memory:)';
  readonly dialect = 'postgres';
  private db: EngineDb | null = null;
  private open: ((path: string, options: object) => Promise<EngineDb>) | null = null;
  private printer: Printer | null = null;

  private async load(): Promise<void> {
    if (this.open) return;
    let mod: { open?: unknown };
    try {
      mod = (await import(/* @vite-ignore */ db_module)) as { open?: unknown };
    } catch (e) {
      throw new Error(`the ScratchBird engine is not available yet (host/engine/db.ts): ${(e as Error).message}`);
    }
    if (typeof mod.open !== 'function') throw new Error('host/engine/db.ts exports no open()');
    this.open = mod.open as (path: string, options: object) => Promise<EngineDb>;
    this.printer = await loadPrinter();
  }

  async startFile(): Promise<void> {
    await this.load();
    await this.db?.close?.();
    this.db = await this.open!(':memory:', { platform: nodePlatform() });
  }

  async exec(sql: string): Promise<SltExecResult> {
    if (!this.db) await this.startFile();
    const r = await this.db!.query(sql);
    if (r.fields.length === 0 && !/^SELECT\b/i.test(r.command)) return 'ok';
    const ctx = this.db!.typeContext?.();
    const print: Printer = this.printer ?? ((v, oid) => fallbackText(v, oid));
    return {
      fields: r.fields.map((f) => f.name),
      rows: r.rows.map((row) => row.map((v, i) => (v === null || v === undefined ? null : print(v, r.fields[i]!.typeOid, ctx)))),
    };
  }

  async close(): Promise<void> {
    await this.db?.close?.();
    this.db = null;
  }
}

const oid = { bool: 16, bytea: 17, float4: 700, float8: 701, date: 1082, time: 1083, timestamp: 1114, timestamptz: 1184 } as const;
const micros_per_day = 86_400_000_000;
const pg_epoch_ms = Date.UTC(2000, 0, 1);

/** PostgreSQL's float output: shortest exact digits, exponent below 1e-4 or from 1e15 (1e6 for real). */
export function formatFloat(v: number, typeOid: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  const isFloat4 = typeOid === oid.float4;
  const [mantissa, expText] = shortestExponential(v, isFloat4).split('e') as [string, string];
  const exp = Number(expText);
  if (exp < -4 || exp >= (isFloat4 ? 6 : 15)) return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
  return expandExponential(mantissa, exp, v < 0);
}

/** Shortest digits that read back as the same value (as a double, or as a float4). */
function shortestExponential(v: number, isFloat4: boolean): string {
  if (!isFloat4) return v.toExponential();
  for (let digits = 0; digits < 9; digits++) {
    const text = v.toExponential(digits);
    if (Math.fround(Number(text)) === v) return text;
  }
  return v.toExponential(8);
}

/** Plain decimal notation from exponential parts, e.g. ('-1.25', 2) -> '-125'. */
function expandExponential(mantissa: string, exp: number, negative: boolean): string {
  const digits = mantissa.replace('-', '').replace('.', '');
  const point = 1 + exp;
  let text: string;
  if (point <= 0) text = `0.${'0'.repeat(-point)}${digits}`;
  else if (point >= digits.length) text = digits + '0'.repeat(point - digits.length);
  else text = `${digits.slice(0, point)}.${digits.slice(point)}`;
  return negative ? `-${text}` : text;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function formatTimeOfDay(micros: number): string {
  const s = Math.floor(micros / 1_000_000);
  const frac = micros % 1_000_000;
  const base = `${pad(Math.floor(s / 3600))}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
  return frac === 0 ? base : `${base}.${pad(frac, 6).replace(/0+$/, '')}`;
}

function formatDateMs(ms: number): string {
  const d = new Date(ms);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** Stopgap text output for the common types, used only when the engine's types modules cannot be loaded. */
export function fallbackText(v: unknown, typeOid: number): string {
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'string') return v;
  if (v instanceof Uint8Array) return '\\x' + Array.from(v, (b) => b.toString(16).padStart(2, '0')).join('');
  if (typeof v === 'number') {
    if (typeOid === oid.float4 || typeOid === oid.float8) return formatFloat(v, typeOid);
    if (!Number.isFinite(v) && (typeOid === oid.date || typeOid === oid.timestamp || typeOid === oid.timestamptz)) return v > 0 ? 'infinity' : '-infinity';
    if (typeOid === oid.date) return formatDateMs(pg_epoch_ms + v * 86_400_000);
    if (typeOid === oid.time) return formatTimeOfDay(v);
    if (typeOid === oid.timestamp || typeOid === oid.timestamptz) {
      const days = Math.floor(v / micros_per_day);
      const text = `${formatDateMs(pg_epoch_ms + days * 86_400_000)} ${formatTimeOfDay(v - days * micros_per_day)}`;
      return typeOid === oid.timestamptz ? `${text}+00` : text;
    }
    return String(v);
  }
  if (Array.isArray(v)) return `(${v.map((x) => (x === null ? '' : fallbackText(x, 0))).join(',')})`;
  return String(v);
}
