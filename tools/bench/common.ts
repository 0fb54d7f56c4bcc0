// Shared helpers of the benchmark scripts: argument parsing, timing, table
// printing, machine facts, memory figures, deterministic data.

import * as os from 'node:os';
import { execSync } from 'node:child_process';
import type { Keyspace, Store } from '../../host/engine/store/index.ts';

export function argValue(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  if (i >= 0 && i + 1 < process.argv.length) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`${name}=`));
  return eq ? eq.slice(name.length + 1) : undefined;
}

export function hasFlag(name: string): boolean {
  return process.argv.includes(name);
}

export function argInt(name: string, dflt: number): number {
  const v = argValue(name);
  if (v === undefined) return dflt;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} wants a positive number, got ${v}`);
  return Math.floor(n);
}

export const now = (): number => performance.now();

/** Seconds since t0 (performance.now() milliseconds). */
export const since = (t0: number): number => (performance.now() - t0) / 1000;

export function mib(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}

/** A rate with thousands separators and no decimals (or 2 significant decimals below 100). */
export function rate(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toPrecision(3);
}

export function ratio(a: number, b: number): string {
  if (!(b > 0)) return 'n/a';
  return `${(a / b).toFixed(2)}×`;
}

export function rssBytes(): number {
  return process.memoryUsage().rss;
}

export function machine(): { cpus: number; cpuModel: string; memory: string; node: string; os: string; disk: string } {
  let disk = 'unknown';
  try {
    disk = execSync(`df -T ${os.tmpdir()} | tail -1 | awk '{print $2}'`, { encoding: 'utf8' }).trim();
  } catch {
    // df missing: leave unknown
  }
  return {
    cpus: os.availableParallelism ? os.availableParallelism() : os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memory: `${(os.totalmem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    disk: `${os.tmpdir()} on ${disk}`,
  };
}

/** Prints rows as an aligned text table (and returns it as a Markdown table). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) console.log(line(r));
  const md = [`| ${header.join(' | ')} |`, `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`];
  for (const r of rows) md.push(`| ${r.join(' | ')} |`);
  return md.join('\n');
}

/** xorshift32: deterministic pseudo-random numbers for keys and values. */
export class Rng {
  private s: number;
  constructor(seed = 0x9e3779b9) {
    this.s = seed >>> 0 || 1;
  }
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.s = x >>> 0;
    return this.s;
  }
  /** Uniform integer in [0, n). */
  below(n: number): number {
    return Math.floor((this.next() / 4294967296) * n);
  }
  fill(b: Uint8Array): Uint8Array {
    for (let i = 0; i < b.length; i++) b[i] = this.next() & 0xff;
    return b;
  }
}

/** Yields to the event loop (lets background work and timers run). */
export const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** An inspector session on this process: `post` sends a protocol command and resolves with its result. */
async function inspectorSession(): Promise<{ post: (method: string, params?: object) => Promise<unknown>; disconnect: () => void }> {
  const inspector = await import('node:inspector');
  const session = new inspector.Session();
  session.connect();
  return {
    post: (method, params) => new Promise((res, rej) => session.post(method, params ?? {}, (err, r) => (err ? rej(err) : res(r)))),
    disconnect: () => session.disconnect(),
  };
}

/** Starts a CPU profile of this process (node:inspector); the returned function stops it and writes a .cpuprofile. */
export async function startProfile(): Promise<(file: string) => Promise<void>> {
  const { writeFileSync } = await import('node:fs');
  const session = await inspectorSession();
  const post = session.post;
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  await post('Profiler.start');
  return async (file) => {
    const { profile } = (await post('Profiler.stop')) as { profile: unknown };
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}

/**
 * Starts V8's sampling heap profiler counting every allocation, the ones
 * already collected included (so the figure is what the code allocates, not
 * what it keeps). The returned function stops it, writes the .heapprofile
 * (Chrome DevTools opens it) when given a file, and returns the bytes
 * allocated meanwhile (sampled: within a few percent).
 */
export async function startAllocationProfile(): Promise<(file?: string) => Promise<number>> {
  const { writeFileSync } = await import('node:fs');
  const session = await inspectorSession();
  const post = session.post;
  await post('HeapProfiler.enable');
  await post('HeapProfiler.startSampling', { samplingInterval: 1024, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true });
  return async (file) => {
    const { profile } = (await post('HeapProfiler.stopSampling')) as { profile: { head: AllocNode } };
    session.disconnect();
    if (file) writeFileSync(file, JSON.stringify(profile));
    let bytes = 0;
    const walk = (n: AllocNode): void => {
      bytes += n.selfSize;
      for (const c of n.children) walk(c);
    };
    walk(profile.head);
    return bytes;
  };
}

interface AllocNode {
  selfSize: number;
  children: AllocNode[];
}

/** pgbench's built-in TPC-B script (tpcb-like), one statement per entry, with its parameters as $n. */
export const TPCB_SCRIPT: readonly string[] = [
  'BEGIN',
  'UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2',
  'SELECT abalance FROM pgbench_accounts WHERE aid = $1',
  'UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2',
  'UPDATE pgbench_branches SET bbalance = bbalance + $1 WHERE bid = $2',
  'INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)',
  'END',
];

const benchEnc = new TextEncoder();

/** A store key: `prefix` and `n` zero-padded to 8 digits (keys sort as the numbers do). */
export function paddedKey(prefix: string, n: number): Uint8Array {
  return benchEnc.encode(`${prefix}${String(n).padStart(8, '0')}`);
}

/**
 * TPC-B's shape at the store level (commit_bench, flush_bench): a waiting
 * write of a random account, teller (of 100) and branch (of 10), a history
 * insert, and a durable commit; 100-byte values, a fixed random sequence.
 */
export class StoreTpcb {
  private seed = 12345;
  private history = 0;
  readonly value = new Uint8Array(100).fill(7);

  constructor(private readonly store: Store, private readonly ks: Keyspace, private readonly accounts: number) {}

  private rand(n: number): number {
    this.seed = (this.seed * 1103515245 + 12345) >>> 0;
    return this.seed % n;
  }

  async txn(): Promise<void> {
    const ks = this.ks;
    const tx = this.store.begin({ isolation: 'read committed' });
    try {
      await tx.putWait(ks, paddedKey('a', this.rand(this.accounts)), this.value);
      await tx.putWait(ks, paddedKey('t', this.rand(100)), this.value);
      await tx.putWait(ks, paddedKey('b', this.rand(10)), this.value);
      tx.put(ks, paddedKey('h', this.history++), this.value);
      await tx.commit();
    } catch (e) {
      tx.rollback();
      throw e;
    }
  }
}
