// The data-folder lock shared by the Node, Deno and memory platforms.
//
// A lock is a file `LOCK` in the folder holding JSON {pid, startTime, hostname,
// token, flock}. Node has no advisory file lock and a browser has no processes,
// so liveness is judged from the record: a holder whose pid is gone, or whose
// pid now belongs to a younger process (Linux /proc start time), is stale and is
// taken over. That is what lets a server killed with SIGKILL restart without
// anyone deleting files by hand. Where the holder could also keep an OS advisory
// lock on the file (Deno), `flock` says so and a contender that can probe it
// trusts that first: the OS drops it when the holder dies, pid reuse or not.
//
// This file is platform-neutral: each platform hands in its primitives.

import { SbError, SqlState } from '../engine/sb_error.ts';
import type { FolderLock } from './platform.ts';

export const lock_file_name = 'LOCK';
/** Takeover can race with another starting process; bounded retries, then give up. */
const lock_attempts_max = 4;

export interface LockRecord {
  pid: number;
  /** Process start time from /proc/<pid>/stat (clock ticks since boot); null off Linux. */
  startTime: string | null;
  hostname: string;
  token: string;
  /** The holder keeps an exclusive advisory lock on the LOCK file while it lives. */
  flock: boolean;
}

export interface LockPrimitives {
  /** Folder path as the caller gave it; used in messages. */
  folder: string;
  /** Path of the LOCK file inside the folder. */
  lockPath: string;
  /** Canonical identity of the folder for the in-process registry. */
  registryKey: string;
  /** Locks held by this process (or simulated process). */
  registry: Map<string, string>;
  self: { pid: number; startTime: string | null; hostname: string };
  newToken(): string;
  /** Creates `path` holding encodeLockRecord(record) only if it does not exist
   *  (error code EEXIST otherwise). Must never expose a partially written file.
   *  May set record.flock before encoding if it holds an advisory lock on it. */
  createExclusive(path: string, record: LockRecord): Promise<void>;
  /** Atomically replaces `path` with a file holding the record (temp file + rename). */
  replace(path: string, record: LockRecord): Promise<void>;
  /** Whether an advisory lock is held on `path` by anyone; null when unknown. */
  probeFlock?(path: string): Promise<boolean | null>;
  /** File contents, or null when it does not exist. */
  read(path: string): Promise<Uint8Array | null>;
  remove(path: string): Promise<void>;
  /** true / false, or null when liveness cannot be determined on this system. */
  processAlive(pid: number): boolean | null;
  /** Start time of a live process, or null when unknown. */
  processStartTime(pid: number): string | null;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeLockRecord(record: LockRecord): Uint8Array {
  return encoder.encode(JSON.stringify(record) + '\n');
}

export function parseLockRecord(bytes: Uint8Array): LockRecord | null {
  try {
    const v = JSON.parse(decoder.decode(bytes)) as Partial<LockRecord>;
    if (typeof v.pid !== 'number' || typeof v.token !== 'string') return null;
    return {
      pid: v.pid,
      startTime: typeof v.startTime === 'string' ? v.startTime : null,
      hostname: typeof v.hostname === 'string' ? v.hostname : 'unknown',
      token: v.token,
      flock: v.flock === true,
    };
  } catch {
    return null;
  }
}

/** Fields 3 (state) and 22 (start time) of /proc/<pid>/stat. The command name
 *  (field 2) may contain spaces and parentheses, so count from the last ')'. */
export function parseProcStat(stat: string): { state: string; startTime: string } | null {
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const fields = stat.slice(close + 2).split(' ');
  const state = fields[0];
  const startTime = fields[19];
  if (state === undefined || startTime === undefined) return null;
  return { state, startTime };
}

/** A zombie (Z) or dead (X) process holds nothing: it is only waiting to be reaped. */
export function procStateIsDead(state: string): boolean {
  return state === 'Z' || state === 'X';
}

type Liveness = 'live' | 'stale' | 'unknown';

function busy(p: LockPrimitives, holder: LockRecord, sameProcess: boolean, liveness: Liveness = 'live'): SbError {
  const who = sameProcess
    ? `this process (pid ${holder.pid})`
    : `process ${holder.pid} on host ${holder.hostname}`;
  const hint = sameProcess
    ? 'Open the database once and share the handle.'
    : liveness === 'unknown'
      ? `Could not tell whether process ${holder.pid} is alive (under Deno grant --allow-run); ` +
        `if no server uses this folder, delete ${p.lockPath}.`
      : 'Stop the other server first, or point this one at a different data folder.';
  return new SbError(SqlState.object_in_use, `data folder "${p.folder}" is already locked by ${who}`, {
    hint,
    kind: 'folder_locked',
  });
}

async function holderLiveness(p: LockPrimitives, rec: LockRecord): Promise<Liveness> {
  // Our own pid in a record we do not hold in the registry is a previous life of
  // this pid (e.g. pid 1 in a restarted container), never a live holder.
  if (rec.pid === p.self.pid) return 'stale';
  if (rec.flock && p.probeFlock !== undefined) {
    const held = await p.probeFlock(p.lockPath);
    if (held !== null) return held ? 'live' : 'stale';
  }
  const alive = p.processAlive(rec.pid);
  if (alive === false) return 'stale';
  if (alive === null) return 'unknown'; // cannot tell: refuse rather than risk two writers
  if (rec.startTime !== null) {
    const now = p.processStartTime(rec.pid);
    if (now !== null && now !== rec.startTime) return 'stale'; // pid reused
  }
  return 'live';
}

function errorCode(e: unknown): unknown {
  return typeof e === 'object' && e !== null ? (e as { code?: unknown }).code : undefined;
}

export async function acquireFolderLock(p: LockPrimitives): Promise<FolderLock> {
  const held = p.registry.get(p.registryKey);
  if (held !== undefined) {
    throw busy(p, { ...p.self, token: held, flock: false }, true);
  }
  const token = p.newToken();
  // Reserve before the first await so two concurrent calls in one process cannot both win.
  p.registry.set(p.registryKey, token);
  try {
    const mine = (): LockRecord => ({ ...p.self, token, flock: false });
    const confirm = async (): Promise<boolean> => {
      const now = await p.read(p.lockPath);
      return now !== null && parseLockRecord(now)?.token === token;
    };
    let lastHolder: LockRecord | null = null;
    for (let attempt = 0; attempt < lock_attempts_max; attempt++) {
      try {
        await p.createExclusive(p.lockPath, mine());
        if (await confirm()) return makeLock(p, token);
        continue;
      } catch (e) {
        if (errorCode(e) !== 'EEXIST') throw e;
      }
      const existing = await p.read(p.lockPath);
      if (existing === null) continue; // released meanwhile; try creating again
      const rec = parseLockRecord(existing);
      if (rec !== null) {
        const liveness = await holderLiveness(p, rec);
        if (liveness !== 'stale') throw busy(p, rec, false, liveness);
      }
      lastHolder = rec;
      // Narrow the window in which two processes take over the same stale lock:
      // only replace the record we judged stale.
      const again = await p.read(p.lockPath);
      if (again === null || !sameBytes(again, existing)) continue;
      await p.replace(p.lockPath, mine());
      if (await confirm()) return makeLock(p, token);
    }
    throw busy(p, lastHolder ?? { pid: -1, startTime: null, hostname: 'unknown', token: '', flock: false }, false);
  } catch (e) {
    p.registry.delete(p.registryKey);
    throw e;
  }
}

function makeLock(p: LockPrimitives, token: string): FolderLock {
  let released = false;
  return {
    async release(): Promise<void> {
      if (released) return;
      released = true;
      try {
        const now = await p.read(p.lockPath);
        // Someone may have judged us dead and taken over; never delete their lock.
        if (now !== null && parseLockRecord(now)?.token === token) await p.remove(p.lockPath);
      } finally {
        if (p.registry.get(p.registryKey) === token) p.registry.delete(p.registryKey);
      }
    },
  };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The process-wide registry, on globalThis so that two copies of this module
 *  (e.g. a bundle and a test import) still see each other's locks. */
export function processLockRegistry(): Map<string, string> {
  const key = Symbol.for('scratchbird.platform.folder_locks');
  const g = globalThis as unknown as Record<symbol, Map<string, string> | undefined>;
  let reg = g[key];
  if (reg === undefined) {
    reg = new Map();
    g[key] = reg;
  }
  return reg;
}

export function randomToken(fill: (buf: Uint8Array) => void): string {
  const b = new Uint8Array(16);
  fill(b);
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

/** '/'-joined path with duplicate slashes collapsed (shared by every platform). */
export function joinPathParts(parts: string[]): string {
  return parts.filter((p) => p.length > 0).join('/').replace(/\/{2,}/g, '/');
}
