// The Deno platform: real files, clocks and randomness through Deno.* only.
//
// Import this module only under Deno. It reaches Deno through the narrow
// interface below rather than the global namespace so that tsc on Node (which
// has no Deno types) can check it too; everything used is listed here.

import type { OpenMode, Platform, PlatformFile, FolderLock } from './platform.ts';
import type { LockRecord } from './lock_file.ts';
import {
  acquireFolderLock,
  encodeLockRecord,
  joinPathParts,
  lock_file_name,
  parseProcStat,
  procStateIsDead,
  processLockRegistry,
  randomToken,
} from './lock_file.ts';

interface DenoFsFile {
  seekSync(offset: number, whence: number): number;
  seek(offset: number, whence: number): Promise<number>;
  readSync(p: Uint8Array): number | null;
  write(p: Uint8Array): Promise<number>;
  syncData(): Promise<void>;
  sync(): Promise<void>;
  truncate(len?: number): Promise<void>;
  statSync(): { size: number };
  tryLockSync(exclusive?: boolean): boolean;
  unlockSync(): void;
  close(): void;
}

interface DenoOpenOptions {
  read?: boolean;
  write?: boolean;
  create?: boolean;
  createNew?: boolean;
  mode?: number;
}

interface DenoApi {
  readonly pid: number;
  readonly build: { os: string };
  open(path: string | URL, options: DenoOpenOptions): Promise<DenoFsFile>;
  mkdir(path: string, options: { recursive: boolean }): Promise<void>;
  stat(path: string): Promise<unknown>;
  statSync(path: string): unknown;
  readDir(path: string): AsyncIterable<{ name: string }>;
  remove(path: string): Promise<void>;
  rename(from: string, to: string): Promise<void>;
  readFile(path: string | URL): Promise<Uint8Array>;
  readTextFileSync(path: string): string;
  writeFile(path: string, data: Uint8Array, options: { createNew?: boolean }): Promise<void>;
  link(oldPath: string, newPath: string): Promise<void>;
  realPath(path: string): Promise<string>;
  kill(pid: number, signal: string): void;
  hostname(): string;
  permissions: { querySync(desc: { name: string; kind?: string; variable?: string }): { state: string } };
  env: { get(key: string): string | undefined };
}

const SEEK_START = 0; // Deno.SeekMode.Start

function deno(): DenoApi {
  const d = (globalThis as { Deno?: DenoApi }).Deno;
  if (d === undefined) throw new Error('host/platform/deno.ts needs the Deno runtime');
  return d;
}

// Deno's own fs errors carry POSIX codes already; a few (e.g. from kill) carry
// only a class name. The engine matches on `code`, so always provide one.
const codeByName: Record<string, string> = {
  NotFound: 'ENOENT',
  AlreadyExists: 'EEXIST',
  PermissionDenied: 'EACCES',
  NotCapable: 'EACCES',
  IsADirectory: 'EISDIR',
  NotADirectory: 'ENOTDIR',
  WriteZero: 'EIO',
};

function withCode(e: unknown): unknown {
  if (e instanceof Error) {
    const err = e as Error & { code?: string };
    if (err.code === undefined) {
      const code = codeByName[err.name];
      if (code !== undefined) {
        try {
          err.code = code;
        } catch {
          return Object.assign(new Error(err.message, { cause: e }), { code });
        }
      }
    }
  }
  return e;
}

async function io<T>(op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    throw withCode(e);
  }
}

function ioSync<T>(op: () => T): T {
  try {
    return op();
  } catch (e) {
    throw withCode(e);
  }
}

function badHandle(path: string, why: string): Error {
  return Object.assign(new Error(`file "${path}" is ${why}`), { code: 'EBADF' });
}

/**
 * Deno has no pread/pwrite, only seek + read/write on a shared file offset.
 * Async writes run on a worker thread, so a synchronous read that seeks the same
 * descriptor could move the offset under an in-flight write. Each file therefore
 * holds a reader descriptor (used only synchronously) and a writer descriptor
 * whose seek+write pairs are serialised through a promise chain.
 */
class DenoFile implements PlatformFile {
  /** Deno has no O_DSYNC open flag: callers sync explicitly. */
  readonly syncsOnWrite = false;
  private closed = false;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    readonly path: string,
    private readonly reader: DenoFsFile,
    private readonly writer: DenoFsFile | null,
  ) {}

  private check(): void {
    if (this.closed) throw badHandle(this.path, 'closed');
  }

  private serial<T>(op: (w: DenoFsFile) => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(badHandle(this.path, 'closed'));
    const w = this.writer;
    if (w === null) return Promise.reject(badHandle(this.path, 'open read-only'));
    const run = this.tail.then(() => io(() => op(w)));
    this.tail = run.catch(() => undefined);
    return run;
  }

  readSync(buf: Uint8Array, position: number): number {
    this.check();
    return ioSync(() => {
      this.reader.seekSync(position, SEEK_START);
      let done = 0;
      while (done < buf.length) {
        const n = this.reader.readSync(buf.subarray(done));
        if (n === null || n === 0) break;
        done += n;
      }
      return done;
    });
  }

  write(buf: Uint8Array, position: number): Promise<void> {
    return this.serial(async (w) => {
      await w.seek(position, SEEK_START);
      let done = 0;
      while (done < buf.length) done += await w.write(buf.subarray(done));
    });
  }

  sync(): Promise<void> {
    return this.serial((w) => w.syncData());
  }

  truncate(length: number): Promise<void> {
    return this.serial((w) => w.truncate(length));
  }

  size(): number {
    this.check();
    return ioSync(() => this.reader.statSync().size);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true; // refuse new work, but let queued writes finish first
    await this.tail;
    this.reader.close();
    this.writer?.close();
  }
}

function openOptions(mode: OpenMode): DenoOpenOptions {
  switch (mode) {
    case 'read':
      return { read: true };
    case 'readwrite':
      return { read: true, write: true };
    case 'create':
      return { read: true, write: true, create: true, mode: 0o644 };
    case 'create_new':
      return { read: true, write: true, createNew: true, mode: 0o644 };
  }
}

function granted(d: DenoApi, desc: { name: string; kind?: string; variable?: string }): boolean {
  try {
    return d.permissions.querySync(desc).state === 'granted';
  } catch {
    return false;
  }
}

function procStat(d: DenoApi, pid: number): { state: string; startTime: string } | null {
  if (d.build.os !== 'linux') return null;
  try {
    return parseProcStat(d.readTextFileSync(`/proc/${pid}/stat`));
  } catch {
    return null;
  }
}

function pidAlive(d: DenoApi, pid: number): boolean | null {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (d.build.os === 'linux') {
    // Deno allows /proc only with --allow-all; otherwise fall through to a signal.
    try {
      d.statSync(`/proc/${pid}`);
      const stat = procStat(d, pid);
      return stat === null || !procStateIsDead(stat.state);
    } catch (e) {
      if ((withCode(e) as { code?: string }).code === 'ENOENT') return false;
    }
  }
  // Deno.kill does not accept signal 0, so probe with SIGWINCH, which a process
  // ignores unless it asked for it (and then only re-reads its terminal size).
  // Querying the permission first avoids a prompt on a terminal.
  if (d.build.os !== 'windows' && granted(d, { name: 'run' })) {
    try {
      d.kill(pid, 'SIGWINCH');
      return true;
    } catch (e) {
      const code = (withCode(e) as { code?: string }).code;
      if (code === 'ENOENT' || code === 'ESRCH') return false;
      if (code === 'EACCES' || code === 'EPERM') return true; // another user's process
    }
  }
  return null;
}

function hostname(d: DenoApi): string {
  // Querying first: an ungranted Deno.hostname() would prompt on a terminal.
  if (granted(d, { name: 'sys', kind: 'hostname' })) {
    try {
      return d.hostname();
    } catch {
      // fall through
    }
  }
  try {
    const h = d.readTextFileSync('/etc/hostname').trim();
    if (h.length > 0) return h;
  } catch {
    // fall through
  }
  if (granted(d, { name: 'env', variable: 'HOSTNAME' })) return d.env.get('HOSTNAME') ?? 'unknown';
  return 'unknown';
}

async function readOrNull(d: DenoApi, path: string): Promise<Uint8Array | null> {
  try {
    return await d.readFile(path);
  } catch (e) {
    if ((withCode(e) as { code?: string }).code === 'ENOENT') return null;
    throw withCode(e);
  }
}

async function writeAll(f: DenoFsFile, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await f.write(bytes.subarray(done));
}

/**
 * Besides the shared LOCK record, the holder keeps an exclusive advisory lock on
 * the LOCK file's inode for as long as it lives; the OS drops it when the
 * process dies, so a Deno contender can tell a dead holder without --allow-run
 * (Deno opens /proc only with --allow-all). Records written by Node carry no
 * such lock and fall back to the pid checks.
 */
async function lockFolder(d: DenoApi, path: string, fill: (b: Uint8Array) => void): Promise<FolderLock> {
  let key = path;
  try {
    key = await d.realPath(path);
  } catch {
    // a missing folder fails below when the lock file is written
  }
  let keeper: DenoFsFile | null = null; // holds our advisory lock
  const dropKeeper = (): void => {
    keeper?.close();
    keeper = null;
  };
  // The temp file is locked before it gets its final name, so there is no moment
  // at which LOCK names us without the advisory lock being held.
  const writeTemp = async (target: string, record: LockRecord): Promise<string> => {
    const tmp = `${target}.${randomToken(fill)}.tmp`;
    const f = await d.open(tmp, { read: true, write: true, createNew: true, mode: 0o644 });
    let locked = false;
    try {
      if (d.build.os !== 'windows') locked = f.tryLockSync(true);
    } catch {
      locked = false; // no advisory locks on this filesystem: pid checks only
    }
    record.flock = locked;
    try {
      await writeAll(f, encodeLockRecord(record));
    } catch (e) {
      f.close();
      await d.remove(tmp).catch(() => undefined);
      throw e;
    }
    if (locked) {
      dropKeeper();
      keeper = f;
    } else {
      f.close();
    }
    return tmp;
  };

  try {
    const lock = await acquireFolderLock({
      folder: path,
      lockPath: joinPathParts([path, lock_file_name]),
      registryKey: key,
      registry: processLockRegistry(),
      self: { pid: d.pid, startTime: procStat(d, d.pid)?.startTime ?? null, hostname: hostname(d) },
      newToken: () => randomToken(fill),
      createExclusive: (target, record) =>
        io(async () => {
          // Write fully under a private name, then link: the lock appears complete or not at all.
          const tmp = await writeTemp(target, record);
          try {
            await d.link(tmp, target);
          } catch (e) {
            if ((withCode(e) as { code?: string }).code === 'EEXIST') throw e;
            // No hard links here: O_EXCL create of an unlocked copy is the next best.
            await d.writeFile(target, encodeLockRecord({ ...record, flock: false }), { createNew: true });
          } finally {
            await d.remove(tmp).catch(() => undefined);
          }
        }),
      replace: (target, record) =>
        io(async () => {
          const tmp = await writeTemp(target, record);
          try {
            await d.rename(tmp, target);
          } catch (e) {
            await d.remove(tmp).catch(() => undefined);
            throw e;
          }
        }),
      async probeFlock(target: string): Promise<boolean | null> {
        let f: DenoFsFile;
        try {
          // Writable: an exclusive lock may need it where locks are fcntl-based.
          f = await d.open(target, { read: true, write: true });
        } catch {
          return null;
        }
        try {
          const got = f.tryLockSync(true);
          if (got) f.unlockSync();
          return !got;
        } catch {
          return null;
        } finally {
          f.close();
        }
      },
      read: (target) => readOrNull(d, target),
      remove: (target) => io(() => d.remove(target)),
      processAlive: (pid) => pidAlive(d, pid),
      processStartTime: (pid) => procStat(d, pid)?.startTime ?? null,
    });
    return {
      async release(): Promise<void> {
        try {
          await lock.release();
        } finally {
          dropKeeper();
        }
      },
    };
  } catch (e) {
    dropKeeper();
    throw e;
  }
}

export interface DenoPlatformOptions {
  /** Folder that asset paths are relative to; defaults to the repository root. */
  assetRoot?: string;
}

export function denoPlatform(opts: DenoPlatformOptions = {}): Platform {
  const d = deno();
  const fill = (buf: Uint8Array): void => {
    // getRandomValues refuses more than 65536 bytes per call, and views of a
    // SharedArrayBuffer (shared wasm memory), hence the bounce buffer.
    const chunk = new Uint8Array(Math.min(buf.length, 65536));
    for (let i = 0; i < buf.length; i += chunk.length) {
      const part = chunk.subarray(0, Math.min(chunk.length, buf.length - i));
      crypto.getRandomValues(part);
      buf.set(part, i);
    }
  };
  const assetUrl = (rel: string): string | URL =>
    opts.assetRoot !== undefined ? joinPathParts([opts.assetRoot, rel]) : new URL(`../../${rel}`, import.meta.url);

  return {
    name: 'deno',

    openFile(path: string, mode: OpenMode): Promise<PlatformFile> {
      return io(async () => {
        const first = await d.open(path, openOptions(mode));
        if (mode === 'read') return new DenoFile(path, first, null);
        let reader: DenoFsFile;
        try {
          reader = await d.open(path, { read: true });
        } catch (e) {
          first.close();
          throw e;
        }
        return new DenoFile(path, reader, first);
      });
    },

    mkdirp: (path) => io(() => d.mkdir(path, { recursive: true })),

    async exists(path: string): Promise<boolean> {
      try {
        await d.stat(path);
        return true;
      } catch (e) {
        if ((withCode(e) as { code?: string }).code === 'ENOENT') return false;
        throw withCode(e);
      }
    },

    listDir: (path) =>
      io(async () => {
        const names: string[] = [];
        for await (const entry of d.readDir(path)) names.push(entry.name);
        return names.sort();
      }),

    remove: (path) => io(() => d.remove(path)),
    rename: (from, to) => io(() => d.rename(from, to)),

    async syncDir(path: string): Promise<void> {
      if (d.build.os === 'windows') return; // cannot open a directory; NTFS journals metadata
      await io(async () => {
        const dir = await d.open(path, { read: true });
        try {
          await dir.sync();
        } finally {
          dir.close();
        }
      });
    },

    readFile: (path) => io(() => d.readFile(path)),

    lockFolder: (path) => lockFolder(d, path, fill),

    joinPath: (...parts) => joinPathParts(parts),
    wallClockMs: () => Date.now(),
    monotonicMs: () => performance.now(),
    randomFill: fill,

    setTimer(fn: () => void, ms: number): () => void {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },

    readAsset: (relPath) => io(() => d.readFile(assetUrl(relPath))),
  };
}
