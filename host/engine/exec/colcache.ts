// The column cache: columnar copies of committed tables in the exec kernel's
// linear memory, for vector programs (docs/design/columnar.md is the contract).
//
// An entry is built lazily from one row scan in a read-only transaction of its
// own at snapshot stamp S, and serves a reader with snapshot stamp T only while
// the table's key space has not been written by a commit stamped after
// min(S, T) (Keyspace.modStamp, raised when a commit is stamped, before it can
// be visible), the reader's transaction has not written the table (nor the
// catalog), and the table's definition is the one the entry was decoded with.
// Anything else gives null: the caller scans rows (always correct).
//
// Memory: every vector is one exec_alloc block (16-byte aligned), freed when
// its entry is evicted (LRU under colcache_bytes_max, unpinned entries only)
// or found stale. One cache per process, because the exec kernel instance is.

import type { TableObj } from '../catalog/objects.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { Keyspace, Store, Txn } from '../store/index.ts';
import { Numeric } from '../types/numeric.ts';
import { isValidNumericTypmod, numericTypmodScale } from '../types/type_names.ts';
import type { SqlType } from '../types/types.ts';
import type { ExecContext } from './context.ts';
import { execKernels, type ExecKernels, loadExecKernels } from './kernels.ts';
import { fieldWidth, FORMAT } from './row_codec.ts';
import type { TableAccess } from './table_access.ts';

export const COLKIND = { I32: 0, I64: 1, F64: 2, DICT: 3, BOOL: 4 } as const;
export type ColKind = (typeof COLKIND)[keyof typeof COLKIND];

export interface ColumnVector {
  kind: ColKind;
  /** Byte offset of the data vector in exec memory. */
  ptr: number;
  /** Byte offset of the u8 null vector (1 = NULL), 0 when the column has no NULL. */
  nulls: number;
  /** Numeric: the values are value × 10^scale (0 for other types). */
  scale: number;
  /** DICT: code -> string, codes in first-seen order. */
  dict?: string[];
  /** DICT: true when code order is the strings' sort order (never, today). */
  dictSorted?: boolean;
  /** The column's declared type. */
  sqlType: SqlType;
}

export interface ColumnSnapshot {
  rows: number;
  /** The vector of a column asked for; null when the column is not cacheable. */
  column(attno: number): ColumnVector | null;
  /** Unpins the entry (call once). */
  release(): void;
}

/** Distinct strings a DICT column may hold. */
export const COLCACHE_DICT_VALUES_MAX = 65_536;
/** |value × 10^scale| must stay below this for a numeric column to be cached. */
const SCALED_LIMIT = 1n << 62n;
const SCALED_LIMIT_NUM = 2 ** 62;

const DEFAULT_BYTES_MAX = 1 << 30;
const DEFAULT_MIN_ROWS = 100_000;

interface Entry {
  readonly store: Store;
  readonly oid: number;
  readonly ks: Keyspace;
  readonly fingerprint: string;
  /** The snapshot stamp of the first build: the entry is stale once ks.modStamp passes it. */
  readonly buildStamp: number;
  readonly rows: number;
  /** attno -> vector, or null when the column cannot be cached. */
  readonly cols: Map<number, ColumnVector | null>;
  /** Blocks owned (data and null vectors). */
  readonly blocks: number[];
  bytes: number;
  pins: number;
  lastUse: number;
  /** Found stale (or replaced) while pinned: freed at the last release. */
  dead: boolean;
}

/** Figures for tests and the bench. */
export interface ColCacheStats {
  entries: number;
  bytes: number;
  builds: number;
  hits: number;
  evictions: number;
  staleDropped: number;
}

const entries = new Map<Store, Map<number, Entry>>();
/** Builds under way, per store and table: a second reader waits for the first. */
const building = new Map<Store, Map<number, Promise<void>>>();
/** Tables found smaller than colcache_min_rows: the row count and the modStamp it was counted at. */
const smallTables = new WeakMap<Keyspace, { modStamp: number; rows: number }>();
/** Rows of the last build of a table (the size the next build's vectors start at). */
const lastRows = new WeakMap<Keyspace, number>();
const ROWS_HINT_MAX = 1 << 27;
let totalBytes = 0;
let useClock = 0;
const stats = { builds: 0, hits: 0, evictions: 0, staleDropped: 0 };

/** Test hook: called after a build's snapshot is taken, before its scan. */
let buildHook: ((s: Store, snapshotStamp: number) => Promise<void> | void) | undefined;
export function setColCacheBuildHook(fn: typeof buildHook): void {
  buildHook = fn;
}

export function colCacheStats(): ColCacheStats {
  let n = 0;
  for (const m of entries.values()) n += m.size;
  return { entries: n, bytes: totalBytes, ...stats };
}

/** Frees every unpinned entry (of every store, or of one). */
export function clearColCache(store?: Store): void {
  for (const [s, m] of entries) {
    if (store && s !== store) continue;
    for (const e of [...m.values()]) dropEntry(e);
  }
}

export interface GetColumnsOptions {
  /** The table's row count as the caller knows it (the planner's maintained count); counted (bounded) when absent. */
  rowsEstimate?: number;
}

/**
 * Columns `attnos` (1-based attribute numbers) of `table` as the reader's
 * snapshot sees them, or null when the cache must not or cannot serve this
 * reader (see the header). SERIALIZABLE readers: when a snapshot is returned,
 * the whole-table read range has been recorded, exactly as a full scan does.
 */
export async function getColumns(ctx: ExecContext, table: TableObj | number, attnos: readonly number[], opts: GetColumnsOptions = {}): Promise<ColumnSnapshot | null> {
  sweepClosedStores();
  if (setting(ctx, 'colcache') === 'off') return null;
  const t = typeof table === 'number' ? ctx.catalog.table(table) : table;
  if (!t) return null;
  const store = ctx.store;
  const txn = ctx.txn;
  let ta: TableAccess;
  try {
    ta = ctx.tables.get(t.oid);
  } catch {
    return null;
  }
  const ks = ta.ks;
  for (const a of attnos) {
    const c = t.columns[a - 1];
    if (!c || c.attnum !== a || c.dropped) return null;
  }
  if (!readerMayUse(store, txn, ks)) return null;
  const bytesMax = settingNumber(ctx, 'colcache_bytes_max', DEFAULT_BYTES_MAX);
  const minRows = settingNumber(ctx, 'colcache_min_rows', DEFAULT_MIN_ROWS);
  const kernels = execKernels() ?? (await loadExecKernels(store.platform));
  if (!kernels) return null;
  const fingerprint = fingerprintOf(t);

  for (;;) {
    // A build of this table under way: wait for it, then look again.
    const pending = building.get(store)?.get(t.oid);
    if (pending) {
      await pending.catch(() => {});
      if (txn.state !== 'active' || !readerMayUse(store, txn, ks)) return null;
      continue;
    }
    let e = entries.get(store)?.get(t.oid);
    if (e && (e.ks !== ks || ks.modStamp > e.buildStamp || e.fingerprint !== fingerprint)) {
      // Stale (a later commit wrote the table) or built for another definition of it.
      if (e.fingerprint === fingerprint || e.ks !== ks) stats.staleDropped++;
      dropEntry(e);
      e = undefined;
    }
    if (e && ks.modStamp > txn.snapshot) return null; // the reader is older than the table's last change
    const missing = attnos.filter((a) => !e?.cols.has(a));
    if (e && missing.length === 0) {
      stats.hits++;
      return pin(e, txn);
    }
    if (ks.modStamp > txn.snapshot) return null;
    // Build the missing columns (one scan), with every other build of this table waiting
    // (registered before the first await, so two readers never build the same entry).
    let done!: () => void;
    const gate = new Promise<void>((r) => (done = r));
    let perStore = building.get(store);
    if (!perStore) building.set(store, (perStore = new Map()));
    perStore.set(t.oid, gate);
    try {
      if (!e && !(await bigEnough(ctx, ks, minRows, opts.rowsEstimate))) return null;
      const ok = await build(ctx, kernels, t, ta, fingerprint, e, missing, bytesMax);
      if (!ok) return null;
    } finally {
      perStore.delete(t.oid);
      done();
    }
    if (txn.state !== 'active' || !readerMayUse(store, txn, ks)) return null;
  }
}

/** Frees the entries of stores that were closed (a closed database's tables are gone from this process). */
function sweepClosedStores(): void {
  for (const [s, m] of entries) {
    if (s.isClosed) {
      clearColCache(s);
      continue;
    }
    // Dropped tables: their key space is gone from the store.
    for (const e of [...m.values()]) if (s.getKeyspace(e.ks.name) !== e.ks) dropEntry(e);
  }
}

function readerMayUse(store: Store, txn: Txn, ks: Keyspace): boolean {
  if (txn.state !== 'active') return false;
  if (txn.wrote(ks)) return false;
  // The reader's own uncommitted DDL: its catalog is not the committed one.
  const cat = store.getKeyspace('$catalog');
  if (cat && txn.wrote(cat)) return false;
  return true;
}

function pin(e: Entry, txn: Txn): ColumnSnapshot {
  e.pins++;
  e.lastUse = ++useClock;
  // SERIALIZABLE: the reader read the whole table, as a full scan would record.
  if (txn.readRanges) txn.scan(e.ks, {}).close();
  let released = false;
  return {
    rows: e.rows,
    column: (attno) => e.cols.get(attno) ?? null,
    release: () => {
      if (released) return;
      released = true;
      e.pins--;
      if (e.pins === 0 && e.dead) freeEntry(e);
    },
  };
}

/** Removes an entry from the cache; its memory is freed now, or at its last release when pinned. */
function dropEntry(e: Entry): void {
  const m = entries.get(e.store);
  if (m?.get(e.oid) === e) {
    m.delete(e.oid);
    if (m.size === 0) entries.delete(e.store);
  }
  e.dead = true;
  if (e.pins === 0) freeEntry(e);
}

function freeEntry(e: Entry): void {
  const k = execKernels();
  for (const p of e.blocks.splice(0)) k?.x.exec_free(p);
  totalBytes -= e.bytes;
  e.bytes = 0;
}

/** Frees unpinned entries, least recently used first, until `need` more bytes fit under `max`. */
function makeRoom(need: number, max: number, keep: Entry | undefined): boolean {
  if (totalBytes + need <= max) return true;
  const all: Entry[] = [];
  for (const m of entries.values()) for (const e of m.values()) if (e.pins === 0 && e !== keep) all.push(e);
  all.sort((a, b) => a.lastUse - b.lastUse);
  for (const e of all) {
    if (totalBytes + need <= max) break;
    dropEntry(e);
    stats.evictions++;
  }
  return totalBytes + need <= max;
}

/**
 * True when getColumns would surely decline right now, known without waiting:
 * `colcache = off`, or the table was counted below colcache_min_rows and has
 * not changed since. (Added for ops_colagg.ts: an aggregate over a small
 * table then takes the row path without a trip through the event loop.)
 */
export function colCacheDeclinesNow(ctx: ExecContext, tableOid: number): boolean {
  if (setting(ctx, 'colcache') === 'off') return true;
  let ks: Keyspace;
  try {
    ks = ctx.tables.get(tableOid).ks;
  } catch {
    return true;
  }
  const minRows = settingNumber(ctx, 'colcache_min_rows', DEFAULT_MIN_ROWS);
  const known = smallTables.get(ks);
  return minRows > 0 && known !== undefined && known.modStamp === ks.modStamp && known.rows < minRows;
}

/** Whether the table has at least minRows rows (a bounded count of keys, remembered until the table changes). */
async function bigEnough(ctx: ExecContext, ks: Keyspace, minRows: number, estimate: number | undefined): Promise<boolean> {
  if (minRows <= 0) return true;
  if (estimate !== undefined) return estimate >= minRows;
  const known = smallTables.get(ks);
  if (known && known.modStamp === ks.modStamp) return known.rows >= minRows;
  const modStamp = ks.modStamp;
  let n = 0;
  // In a transaction of its own: a count is not a read the reader must answer for (SERIALIZABLE).
  const tx = ctx.store.begin({ readOnly: true, isolation: 'snapshot' });
  try {
    const c = tx.scan(ks, {});
    while (n < minRows && c.next()) n++;
    c.close();
  } finally {
    tx.rollback();
  }
  smallTables.set(ks, { modStamp, rows: n });
  return n >= minRows;
}

function setting(ctx: ExecContext, name: string): string | undefined {
  try {
    return ctx.ev.setting(name);
  } catch {
    return undefined;
  }
}

function settingNumber(ctx: ExecContext, name: string, dflt: number): number {
  const v = setting(ctx, name);
  const n = v === undefined ? NaN : Number(v);
  return Number.isFinite(n) ? n : dflt;
}

/** What the decoded values depend on: the key space, the columns' types, drops and missing values. */
function fingerprintOf(t: TableObj): string {
  return t.keyspace + '|' + t.columns.map((c) => `${c.attnum}:${c.type.id}:${c.type.typmod}:${c.dropped ? 'd' : ''}:${c.missing ?? ''}`).join(',');
}

// ---------------------------------------------------------------- building

/** The kind a column of this type is cached as, or null when it is not cached. */
export function colKindOf(t: SqlType): ColKind | null {
  switch (t.id) {
    case 'int2':
    case 'int4':
    case 'date':
      return COLKIND.I32;
    case 'int8':
    case 'timestamp':
    case 'timestamptz':
    case 'numeric':
      return COLKIND.I64;
    case 'float4':
    case 'float8':
      return COLKIND.F64;
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'char':
      return COLKIND.DICT;
    case 'bool':
      return COLKIND.BOOL;
    default:
      return null;
  }
}

const ELEM_BYTES = [4, 8, 8, 4, 1];

/** How a cached column's field is read from row bytes. */
const RAW = { INT2: 0, INT4: 1, DATE: 2, INT8: 3, TIMESTAMP: 4, FLOAT4: 5, FLOAT8: 6, BOOL: 7, CHAR: 8, NUMERIC: 9, TEXT: 10 } as const;

function rawOf(t: SqlType): number {
  switch (t.id) {
    case 'int2': return RAW.INT2;
    case 'int4': return RAW.INT4;
    case 'date': return RAW.DATE;
    case 'int8': return RAW.INT8;
    case 'timestamp':
    case 'timestamptz': return RAW.TIMESTAMP;
    case 'float4': return RAW.FLOAT4;
    case 'float8': return RAW.FLOAT8;
    case 'bool': return RAW.BOOL;
    case 'char': return RAW.CHAR;
    case 'numeric': return RAW.NUMERIC;
    default: return RAW.TEXT;
  }
}

/** Accumulates one column's values in host memory while the scan runs. */
class ColBuilder {
  ok = true;
  n = 0;
  cap = 0;
  buf = new ArrayBuffer(0);
  i32 = new Int32Array(0);
  f64 = new Float64Array(0);
  u8 = new Uint8Array(0);
  nulls: Uint8Array | null = null;
  scale = -1;
  dict: Map<string, number> | undefined;
  dictList: string[] | undefined;

  constructor(readonly attno: number, readonly type: SqlType, readonly kind: ColKind, rowsHint: number) {
    this.raw = rawOf(type);
    if (kind === COLKIND.DICT) {
      this.dict = new Map();
      this.dictList = [];
    }
    // Sized for the rows expected (a rebuild or a widened entry: the rows of the last build), so the vectors are not copied as they grow.
    this.grow(Math.max(1024, rowsHint + 1024));
  }

  private grow(min: number): void {
    let cap = this.cap === 0 ? Math.ceil(min / 1024) * 1024 : this.cap * 2;
    while (cap < min) cap *= 2;
    const buf = new ArrayBuffer(cap * ELEM_BYTES[this.kind]!);
    new Uint8Array(buf).set(this.u8.subarray(0, this.n * ELEM_BYTES[this.kind]!));
    this.buf = buf;
    this.u8 = new Uint8Array(buf);
    this.i32 = new Int32Array(buf, 0, (buf.byteLength >> 2));
    this.f64 = this.kind === COLKIND.F64 || this.kind === COLKIND.I64 ? new Float64Array(buf) : new Float64Array(0);
    if (this.nulls) {
      const nn = new Uint8Array(cap);
      nn.set(this.nulls.subarray(0, this.n));
      this.nulls = nn;
    }
    this.cap = cap;
  }

  /** Room for `more` more rows. */
  ensure(more: number): void {
    if (this.n + more > this.cap) this.grow(this.n + more);
  }

  pushNull(): void {
    const i = this.n++;
    if (!this.ok) return;
    this.setNull(i);
    if (this.kind === COLKIND.BOOL) this.u8[i] = 0;
    else if (this.kind === COLKIND.I64 || this.kind === COLKIND.F64) this.f64[i] = 0;
    else this.i32[i] = 0;
  }

  /** One value as the row decoder gives it (columns added after a row was written). */
  pushValue(v: unknown): void {
    if (this.kind === COLKIND.DICT && typeof v === 'string' && this.ok) {
      this.i32[this.n++] = this.type.id === 'char' ? this.charCode(v) : this.textCode(v);
      return;
    }
    const n = this.n;
    this.add([v]);
    this.n = n + 1;
  }

  // Dictionary codes: short UTF-8 strings (<= 6 bytes) by their bytes as a number, without building a string;
  // one-byte strings (and "char" bytes) through a table.
  private byBytes = new Map<number, number>();
  private readonly byte1 = new Int32Array(256).fill(-1);
  /** How readRaw reads the field (RAW). */
  private readonly raw: number;

  private newCode(str: string): number {
    const list = this.dictList!;
    const code = list.length;
    if (code >= COLCACHE_DICT_VALUES_MAX) {
      this.ok = false;
      this.dict = undefined;
      this.dictList = undefined;
      return 0;
    }
    list.push(str);
    return code;
  }

  private textCode(str: string): number {
    const bytes = utf8Encoder.encode(str);
    if (bytes.length <= 6) return this.bytesCode(bytes, 0, bytes.length);
    let code = this.dict!.get(str);
    if (code === undefined) {
      code = this.newCode(str);
      if (this.ok) this.dict!.set(str, code);
    }
    return code;
  }

  private bytesCode(b: Uint8Array, p: number, e: number): number {
    if (e - p === 1 && this.byte1[b[p]!]! >= 0) return this.byte1[b[p]!]!;
    let key = e - p;
    for (let q = p; q < e; q++) key = key * 256 + b[q]!;
    let code = this.byBytes.get(key);
    if (code === undefined) {
      code = this.newCode(utf8Decoder.decode(b.subarray(p, e)));
      if (this.ok) {
        this.byBytes.set(key, code);
        if (e - p === 1) this.byte1[b[p]!] = code;
      }
    }
    return code;
  }

  /** "char": one byte, read as the row decoder does (String.fromCharCode). */
  private charCode(str: string): number {
    const key = str.length === 1 && str.charCodeAt(0) < 256 ? str.charCodeAt(0) : -1;
    let code = key >= 0 ? this.byBytes.get(key) : this.dict!.get(str);
    if (code === undefined) {
      code = this.newCode(str);
      if (this.ok) {
        if (key >= 0) {
          this.byBytes.set(key, code);
          this.byte1[key] = code;
        } else this.dict!.set(str, code);
      }
    }
    return code;
  }

  /**
   * Reads this column's field at b[p] straight from the row bytes (format
   * FORMAT, see row_codec.ts) and returns the position after it. The field is
   * skipped by its length even when the column was found uncacheable.
   */
  readRaw(b: Uint8Array, dv: DataView, p: number): number {
    const i = this.n++;
    const ok = this.ok;
    switch (this.raw) {
      case RAW.INT2:
        if (ok) this.i32[i] = dv.getInt16(p, true);
        return p + 2;
      case RAW.INT4:
        if (ok) this.i32[i] = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
        return p + 4;
      case RAW.DATE: {
        if (ok) {
          const d = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
          if (d === 0x7fffffff || d === -0x80000000) this.ok = false; // ±infinity
          else this.i32[i] = d;
        }
        return p + 4;
      }
      case RAW.INT8:
        if (ok) {
          this.i32[2 * i] = b[p]! | (b[p + 1]! << 8) | (b[p + 2]! << 16) | (b[p + 3]! << 24);
          this.i32[2 * i + 1] = b[p + 4]! | (b[p + 5]! << 8) | (b[p + 6]! << 16) | (b[p + 7]! << 24);
        }
        return p + 8;
      case RAW.TIMESTAMP:
        if (ok) {
          const v = dv.getFloat64(p, true);
          if (Number.isInteger(v) && Math.abs(v) < SCALED_LIMIT_NUM) putI64(this.i32, i, v);
          else this.ok = false;
        }
        return p + 8;
      case RAW.FLOAT4:
        if (ok) this.f64[i] = dv.getFloat32(p, true);
        return p + 4;
      case RAW.FLOAT8:
        if (ok) this.f64[i] = dv.getFloat64(p, true);
        return p + 8;
      case RAW.BOOL:
        if (ok) this.u8[i] = b[p] !== 0 ? 1 : 0;
        return p + 1;
      case RAW.CHAR:
        if (ok) {
          const c = this.byte1[b[p]!]!;
          this.i32[i] = c >= 0 ? c : this.charCode(String.fromCharCode(b[p]!));
        }
        return p + 1;
      case RAW.NUMERIC: {
        let len = b[p]!;
        let q = p + 1;
        if (len >= 0x80) {
          len = readVarint(b, p);
          q = varintEnd;
        }
        const e = q + len;
        if (ok) this.rawNumeric(b, q, e, i);
        return e;
      }
      default: {
        // text, varchar, bpchar, name: a varint length and UTF-8 bytes.
        let len = b[p]!;
        let q = p + 1;
        if (len >= 0x80) {
          len = readVarint(b, p);
          q = varintEnd;
        }
        const e = q + len;
        if (ok) {
          if (len === 1 && this.byte1[b[q]!]! >= 0) this.i32[i] = this.byte1[b[q]!]!;
          else this.i32[i] = len <= 6 ? this.bytesCode(b, q, e) : this.textCode(utf8Decoder.decode(b.subarray(q, e)));
        }
        return e;
      }
    }
  }

  /** A numeric field [q, e): tag, scale, magnitude (varint, or hex digits when beyond 2^53). */
  private rawNumeric(b: Uint8Array, q: number, e: number, i: number): void {
    const tag = b[q]!;
    if (tag > 3) {
      this.ok = false; // NaN, ±Infinity
      return;
    }
    let scale = b[q + 1]!;
    let magAt = q + 2;
    if (scale >= 0x80) {
      scale = readVarint(b, q + 1);
      magAt = varintEnd;
    }
    if (this.scale < 0) this.scale = scale;
    else if (scale !== this.scale) {
      this.ok = false;
      return;
    }
    if (tag < 2) {
      const mag = readVarint(b, magAt);
      putI64(this.i32, i, tag === 1 ? -mag : mag);
      return;
    }
    const mag = BigInt('0x' + utf8Decoder.decode(b.subarray(magAt, e)));
    if (mag >= SCALED_LIMIT) {
      this.ok = false;
      return;
    }
    new BigInt64Array(this.buf, i * 8, 1)[0] = tag === 3 ? -mag : mag;
  }

  /** Appends a batch of decoded values. */
  add(vals: readonly unknown[]): void {
    if (!this.ok) return;
    const len = vals.length;
    if (this.n + len > this.cap) this.grow(this.n + len);
    let i = this.n;
    switch (this.kind) {
      case COLKIND.I32: {
        const d = this.i32;
        for (let k = 0; k < len; k++, i++) {
          const v = vals[k];
          if (v === null || v === undefined) { this.setNull(i); d[i] = 0; continue; }
          if (typeof v !== 'number' || !Number.isInteger(v)) { this.ok = false; return; } // ±infinity dates
          d[i] = v;
        }
        break;
      }
      case COLKIND.I64: {
        const d = this.i32;
        const numeric = this.type.id === 'numeric';
        for (let k = 0; k < len; k++, i++) {
          const v = vals[k];
          if (v === null || v === undefined) { this.setNull(i); d[2 * i] = 0; d[2 * i + 1] = 0; continue; }
          if (numeric) {
            if (!this.putNumeric(i, v)) { this.ok = false; return; }
          } else if (typeof v === 'number') {
            // Integers (int8, timestamps in µs) exact as doubles; anything else (±infinity, sub-µs far dates) is not cached.
            if (!Number.isInteger(v) || Math.abs(v) >= SCALED_LIMIT_NUM) { this.ok = false; return; }
            putI64(d, i, v);
          } else if (typeof v === 'bigint') {
            new BigInt64Array(this.buf, i * 8, 1)[0] = v;
          } else {
            this.ok = false;
            return;
          }
        }
        break;
      }
      case COLKIND.F64: {
        const d = this.f64;
        for (let k = 0; k < len; k++, i++) {
          const v = vals[k];
          if (v === null || v === undefined) { this.setNull(i); d[i] = 0; continue; }
          if (typeof v !== 'number') { this.ok = false; return; }
          d[i] = v;
        }
        break;
      }
      case COLKIND.DICT: {
        const d = this.i32;
        const isChar = this.type.id === 'char';
        for (let k = 0; k < len; k++, i++) {
          const v = vals[k];
          if (v === null || v === undefined) { this.setNull(i); d[i] = 0; continue; }
          if (typeof v !== 'string') { this.ok = false; return; }
          d[i] = isChar ? this.charCode(v) : this.textCode(v);
          if (!this.ok) return;
        }
        break;
      }
      case COLKIND.BOOL: {
        const d = this.u8;
        for (let k = 0; k < len; k++, i++) {
          const v = vals[k];
          if (v === null || v === undefined) { this.setNull(i); d[i] = 0; continue; }
          if (typeof v !== 'boolean') { this.ok = false; return; }
          d[i] = v ? 1 : 0;
        }
        break;
      }
    }
    this.n = i;
  }

  /** Exact scaled integer of a numeric: every value of the column must have the same display scale. */
  private putNumeric(i: number, v: unknown): boolean {
    if (!(v instanceof Numeric) || !v.isFinite()) return false;
    if (this.scale < 0) this.scale = v.scale;
    else if (v.scale !== this.scale) return false;
    const c = v.coef;
    if (c >= SCALED_LIMIT || c <= -SCALED_LIMIT) return false;
    const x = Number(c);
    if (Number.isSafeInteger(x)) putI64(this.i32, i, x);
    else new BigInt64Array(this.buf, i * 8, 1)[0] = c;
    return true;
  }

  private setNull(i: number): void {
    if (!this.nulls) this.nulls = new Uint8Array(this.cap);
    this.nulls[i] = 1;
  }

  bytes(): number {
    return vecBytes(this.n * ELEM_BYTES[this.kind]!) + (this.nulls ? vecBytes(this.n) : 0);
  }
}

/** The scale of a numeric column's values: the one all values share, else (no value) the declared one. */
function numericScale(b: ColBuilder): number {
  if (b.scale >= 0) return b.scale;
  return isValidNumericTypmod(b.type.typmod) ? Math.max(numericTypmodScale(b.type.typmod), 0) : 0;
}

function vecBytes(n: number): number {
  return Math.max(16, (n + 15) & ~15);
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Where the last readVarint ended. */
let varintEnd = 0;

/** The row codec's varint (7 bits a byte, low first) at b[p]; sets varintEnd. */
function readVarint(b: Uint8Array, p: number): number {
  let x = b[p++]!;
  if (x < 0x80) {
    varintEnd = p;
    return x;
  }
  let v = x & 0x7f;
  let mul = 128;
  for (;;) {
    x = b[p++]!;
    if (x === undefined) throw corrupt();
    v += (x & 0x7f) * mul;
    if ((x & 0x80) === 0) {
      varintEnd = p;
      return v;
    }
    mul *= 128;
  }
}

function corrupt(): SbError {
  return new SbError(SqlState.data_corrupted, 'a stored row is damaged', { kind: 'corrupt' });
}

/**
 * Reads rows straight into the builders (no JS value per field), for rows
 * of the current format whose fields before the last wanted one have a
 * width known without parsing (no array); other rows go through RowDecoder.
 */
class RawRowReader {
  private readonly last: number;
  private readonly outs: Int32Array;
  private readonly widths: Int32Array;
  readonly usable: boolean;

  constructor(private readonly ta: TableAccess, private readonly builders: ColBuilder[]) {
    let last = -1;
    for (const b of builders) last = Math.max(last, b.attno - 1);
    this.last = last;
    this.outs = new Int32Array(last + 1).fill(-1);
    this.widths = new Int32Array(last + 1);
    let usable = true;
    for (let i = 0; i <= last; i++) {
      const t = ta.types[i];
      this.widths[i] = t ? fieldWidth(t) : -2;
      if (t && this.widths[i] === -1) usable = false;
    }
    builders.forEach((b, k) => (this.outs[b.attno - 1] = k));
    this.usable = usable;
  }

  /** Reads one row at [p, end); false when it is not of the current format (the caller decodes it). */
  read(b: Uint8Array, dv: DataView, p: number, end: number): boolean {
    if (b[p] !== FORMAT || p >= end) return false;
    const n = readVarint(b, p + 1);
    const bitmapAt = varintEnd;
    p = bitmapAt + ((n + 7) >> 3);
    const outs = this.outs;
    const builders = this.builders;
    for (let i = 0; i <= this.last; i++) {
      const k = outs[i]!;
      if (i >= n) {
        if (k >= 0) {
          const v = this.ta.missing[i] ?? null;
          if (v === null) builders[k]!.pushNull();
          else builders[k]!.pushValue(v);
        }
      } else if ((b[bitmapAt + (i >> 3)]! >> (i & 7)) & 1) {
        if (k >= 0) builders[k]!.pushNull();
      } else if (k >= 0) {
        p = builders[k]!.readRaw(b, dv, p);
      } else {
        const w = this.widths[i]!;
        if (w > 0) p += w;
        else if (w === 0) p = readVarint(b, p) + varintEnd;
        else throw corrupt(); // a dropped column holds a value
      }
      if (p > end) throw corrupt();
    }
    return true;
  }
}

/** Stores a safe integer as little-endian i64 (two i32 halves). */
function putI64(d: Int32Array, i: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  d[2 * i] = (v - hi * 4294967296) | 0;
  d[2 * i + 1] = hi;
}

/** One row scan at a fresh snapshot building `attnos`; false when the result may not be kept or used. */
async function build(ctx: ExecContext, kernels: ExecKernels, t: TableObj, ta: TableAccess, fingerprint: string, entry: Entry | undefined,
  attnos: readonly number[], bytesMax: number): Promise<boolean> {
  const store = ctx.store;
  const ks = ta.ks;
  const builders: ColBuilder[] = [];
  const uncacheable: number[] = [];
  const rowsHint = Math.min(entry?.rows ?? lastRows.get(ta.ks) ?? 0, ROWS_HINT_MAX);
  for (const a of attnos) {
    const type = t.columns[a - 1]!.type;
    const kind = colKindOf(type);
    if (kind === null) uncacheable.push(a);
    else builders.push(new ColBuilder(a, type, kind, rowsHint));
  }
  stats.builds++;
  const tx = store.begin({ readOnly: true, isolation: 'snapshot' });
  const snap = tx.snapshot;
  let rows = 0;
  try {
    if (buildHook) await buildHook(store, snap);
    if (builders.length > 0 || !entry) {
      const dec = ta.decoder(builders.map((b) => b.attno - 1));
      const raw = new RawRowReader(ta, builders);
      const cols: unknown[][] = builders.map(() => []);
      const c = tx.scan(ks, {});
      let buf: Uint8Array | undefined;
      let dv: DataView | undefined;
      try {
        let more = true;
        while (more) {
          let n = 0;
          for (const b of builders) b.ensure(1024);
          while (n < 1024 && (more = c.next())) {
            const bytes = c.buffer;
            if (bytes !== buf) {
              buf = bytes;
              dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
            }
            if (!raw.usable || !raw.read(bytes, dv!, c.valueStart, c.valueEnd)) {
              // An older row format (or arrays to skip): the row decoder, one row.
              for (const col of cols) col.length = 0;
              dec.decode(bytes, c.valueStart, c.valueEnd, cols);
              for (let k = 0; k < builders.length; k++) builders[k]!.pushValue(cols[k]![0] ?? null);
            }
            n++;
          }
          rows += n;
          if (ctx.tick()) {
            ctx.checkInterrupts();
            await ctx.yieldNow();
            ctx.checkInterrupts();
          }
        }
      } finally {
        c.close();
      }
    } else {
      rows = entry.rows;
    }
  } finally {
    tx.rollback();
  }
  lastRows.set(ks, rows);
  // A commit stamped after our snapshot wrote the table: what we built is already stale.
  if (ks.modStamp > snap) return false;
  if (entry && (rows !== entry.rows || ks.modStamp > entry.buildStamp || entry.dead)) return false;
  const good = builders.filter((b) => b.ok);
  let need = 0;
  for (const b of good) need += b.bytes();
  if (!makeRoom(need, bytesMax, entry)) {
    // Columns that do not fit are not cached: the reader scans rows. A new entry is not kept.
    return false;
  }
  const e: Entry = entry ?? {
    store, oid: t.oid, ks, fingerprint, buildStamp: snap, rows, cols: new Map(), blocks: [], bytes: 0, pins: 0, lastUse: ++useClock, dead: false,
  };
  for (const a of uncacheable) e.cols.set(a, null);
  for (const b of builders) {
    if (!b.ok) {
      e.cols.set(b.attno, null);
      continue;
    }
    const dataBytes = rows * ELEM_BYTES[b.kind]!;
    const ptr = kernels.x.exec_alloc(Math.max(dataBytes, 16));
    const nptr = ptr !== 0 && b.nulls ? kernels.x.exec_alloc(Math.max(rows, 16)) : 0;
    if (ptr === 0 || (b.nulls && nptr === 0)) {
      if (ptr !== 0) kernels.x.exec_free(ptr);
      e.cols.set(b.attno, null); // exec memory exhausted: not cached
      continue;
    }
    const mem = new Uint8Array(kernels.x.memory.buffer);
    mem.set(b.u8.subarray(0, dataBytes), ptr);
    if (b.nulls) mem.set(b.nulls.subarray(0, rows), nptr);
    e.blocks.push(ptr);
    if (nptr) e.blocks.push(nptr);
    const bytes = vecBytes(dataBytes) + (nptr ? vecBytes(rows) : 0);
    e.bytes += bytes;
    totalBytes += bytes;
    const v: ColumnVector = { kind: b.kind, ptr, nulls: nptr, scale: b.type.id === 'numeric' ? numericScale(b) : 0, sqlType: b.type };
    if (b.kind === COLKIND.DICT) {
      v.dict = b.dictList!;
      v.dictSorted = false;
    }
    e.cols.set(b.attno, v);
  }
  if (!entry) {
    const old = entries.get(store)?.get(t.oid);
    if (old) dropEntry(old);
    let m = entries.get(store);
    if (!m) entries.set(store, (m = new Map()));
    m.set(t.oid, e);
  }
  return true;
}

/**
 * Why getColumns would decline right now, or null when it would serve the
 * columns or build them (EXPLAIN's prediction of the columnar path). Builds
 * nothing; like getColumns it may count the table's rows (bounded by
 * colcache_min_rows, remembered until the table changes). A build can still
 * fail at run time (memory budget, a value a column cannot hold): EXPLAIN
 * ANALYZE reports the path that did run.
 */
export async function colCacheDeclineReason(ctx: ExecContext, tableOid: number, attnos: readonly number[]): Promise<string | null> {
  sweepClosedStores();
  if (setting(ctx, 'colcache') === 'off') return 'colcache is off';
  const t = ctx.catalog.table(tableOid);
  if (!t) return 'no such table';
  let ta: TableAccess;
  try {
    ta = ctx.tables.get(t.oid);
  } catch {
    return 'no table access';
  }
  const ks = ta.ks;
  for (const a of attnos) {
    const c = t.columns[a - 1];
    if (!c || c.attnum !== a || c.dropped) return 'a column is gone';
  }
  if (!readerMayUse(ctx.store, ctx.txn, ks)) return 'the transaction wrote the table';
  if (ks.modStamp > ctx.txn.snapshot) return 'the table changed after the snapshot';
  const e = entries.get(ctx.store)?.get(t.oid);
  const fresh = e !== undefined && e.ks === ks && ks.modStamp <= e.buildStamp && e.fingerprint === fingerprintOf(t);
  if (!fresh) {
    const minRows = settingNumber(ctx, 'colcache_min_rows', DEFAULT_MIN_ROWS);
    if (!(await bigEnough(ctx, ks, minRows, undefined))) return 'fewer rows than colcache_min_rows';
  }
  return null;
}
