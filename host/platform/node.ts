// The Node.js platform: real files, clocks and randomness.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { randomFillSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { OpenMode, OpenOptions, Platform, PlatformFile, FolderLock } from './platform.ts';
import {
  acquireFolderLock,
  encodeLockRecord,
  joinPathParts,
  lock_file_name,
  processLockRegistry,
  randomToken,
  parseProcStat,
  procStateIsDead,
} from './lock_file.ts';

export interface NodePlatformOptions {
  /** Folder that asset paths are relative to; defaults to the repository root. */
  assetRoot?: string;
}

const { O_RDONLY, O_RDWR, O_CREAT, O_EXCL } = fs.constants;

function openFlags(mode: OpenMode): number {
  switch (mode) {
    case 'read':
      return O_RDONLY;
    case 'readwrite':
      return O_RDWR;
    // Never O_APPEND: on Linux it makes positional writes ignore their position.
    case 'create':
      return O_RDWR | O_CREAT;
    case 'create_new':
      return O_RDWR | O_CREAT | O_EXCL;
  }
}

function closedError(path: string): Error {
  return Object.assign(new Error(`file "${path}" is closed`), { code: 'EBADF' });
}

class NodeFile implements PlatformFile {
  private closed = false;
  /** Callback writes in flight (write()), and who waits for them to end (close()). */
  private writing = 0;
  private drained: (() => void) | undefined;

  constructor(
    readonly path: string,
    private readonly handle: fs.promises.FileHandle,
    readonly syncsOnWrite = false,
  ) {}

  private check(): void {
    if (this.closed) throw closedError(this.path);
  }

  readSync(buf: Uint8Array, position: number): number {
    this.check();
    let done = 0;
    // A single pread may return short on some filesystems; only 0 means EOF.
    while (done < buf.length) {
      const n = fs.readSync(this.handle.fd, buf, done, buf.length - done, position + done);
      if (n === 0) break;
      done += n;
    }
    return done;
  }

  /**
   * fs.write with a callback, not FileHandle.write: the promise API's own
   * bookkeeping cost about 2 µs of the calling thread per write (the WAL
   * writes once per group commit). The raw fd bypasses the FileHandle's
   * count of operations in flight, so this keeps its own and close() waits
   * for it.
   */
  write(buf: Uint8Array, position: number): Promise<void> {
    if (this.closed) return Promise.reject(closedError(this.path));
    const fd = this.handle.fd;
    this.writing++;
    return new Promise<void>((resolve, reject) => {
      let done = 0;
      const step = (err: NodeJS.ErrnoException | null, n: number): void => {
        if (err) return this.finishWrite(() => reject(err));
        done += n;
        if (done >= buf.length) return this.finishWrite(resolve);
        fs.write(fd, buf, done, buf.length - done, position + done, step);
      };
      if (buf.length === 0) this.finishWrite(resolve);
      else fs.write(fd, buf, 0, buf.length, position, step);
    });
  }

  private finishWrite(settle: () => void): void {
    if (--this.writing === 0 && this.drained) {
      const d = this.drained;
      this.drained = undefined;
      d();
    }
    settle();
  }

  writeSync(buf: Uint8Array, position: number): void {
    this.check();
    let done = 0;
    while (done < buf.length) done += fs.writeSync(this.handle.fd, buf, done, buf.length - done, position + done);
  }

  async sync(): Promise<void> {
    this.check();
    await this.handle.datasync();
  }

  async truncate(length: number): Promise<void> {
    this.check();
    await this.handle.truncate(length);
  }

  size(): number {
    this.check();
    return fs.fstatSync(this.handle.fd).size;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.writing > 0) await new Promise<void>((r) => (this.drained = r));
    await this.handle.close();
  }
}

function procStat(pid: number): { state: string; startTime: string } | null {
  if (process.platform !== 'linux') return null;
  try {
    return parseProcStat(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return null;
  }
}

/** Start time of a process (Linux only), for detecting pid reuse. */
function procStartTime(pid: number): string | null {
  return procStat(pid)?.startTime ?? null;
}

function pidAlive(pid: number): boolean | null {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ESRCH') return false;
    if (code !== 'EPERM') return null; // EPERM: exists, owned by another user
  }
  const stat = procStat(pid);
  return stat === null || !procStateIsDead(stat.state);
}

function asUint8(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

async function readOrNull(path: string): Promise<Uint8Array | null> {
  try {
    return asUint8(await fs.promises.readFile(path));
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return null;
    throw e;
  }
}

export function nodePlatform(opts: NodePlatformOptions = {}): Platform {
  const assetRoot = opts.assetRoot ?? fileURLToPath(new URL('../../', import.meta.url));
  const fill = (buf: Uint8Array): void => {
    randomFillSync(buf);
  };

  const platform: Platform = {
    name: 'node',

    async openFile(path: string, mode: OpenMode, options?: OpenOptions): Promise<PlatformFile> {
      const dsync = options?.dataSync === true && mode !== 'read' && fs.constants.O_DSYNC !== undefined;
      const handle = await fs.promises.open(path, openFlags(mode) | (dsync ? fs.constants.O_DSYNC : 0), 0o644);
      return new NodeFile(path, handle, dsync);
    },

    async mkdirp(path: string): Promise<void> {
      await fs.promises.mkdir(path, { recursive: true });
    },

    yieldToEventLoop(): Promise<void> {
      return new Promise((resolve) => setImmediate(resolve));
    },

    async exists(path: string): Promise<boolean> {
      try {
        await fs.promises.stat(path);
        return true;
      } catch (e) {
        if ((e as { code?: string }).code === 'ENOENT') return false;
        throw e;
      }
    },

    async listDir(path: string): Promise<string[]> {
      const names = await fs.promises.readdir(path);
      return names.sort();
    },

    async remove(path: string): Promise<void> {
      try {
        await fs.promises.unlink(path);
      } catch (e) {
        const code = (e as { code?: string }).code;
        // unlink refuses folders (EISDIR on Linux, EPERM on macOS); empty ones may go.
        if (code !== 'EISDIR' && code !== 'EPERM') throw e;
        try {
          await fs.promises.rmdir(path);
        } catch (e2) {
          // Not a folder after all: the EPERM was a real permission error.
          throw (e2 as { code?: string }).code === 'ENOTDIR' ? e : e2;
        }
      }
    },

    async rename(from: string, to: string): Promise<void> {
      await fs.promises.rename(from, to);
    },

    async syncDir(path: string): Promise<void> {
      // Windows cannot open or fsync a directory; NTFS journals metadata itself.
      if (process.platform === 'win32') return;
      const handle = await fs.promises.open(path, O_RDONLY);
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    },

    async readFile(path: string): Promise<Uint8Array> {
      return asUint8(await fs.promises.readFile(path));
    },

    async lockFolder(path: string): Promise<FolderLock> {
      let key = nodePath.resolve(path);
      try {
        key = await fs.promises.realpath(key);
      } catch {
        // a missing folder fails below when the lock file is written
      }
      const lockPath = joinPathParts([path, lock_file_name]);
      return acquireFolderLock({
        folder: path,
        lockPath,
        registryKey: key,
        registry: processLockRegistry(),
        self: { pid: process.pid, startTime: procStartTime(process.pid), hostname: os.hostname() },
        newToken: () => randomToken(fill),
        async createExclusive(target, record): Promise<void> {
          const bytes = encodeLockRecord(record);
          // Write fully under a private name, then link: the lock appears complete or not at all.
          const tmp = `${target}.${randomToken(fill)}.tmp`;
          await fs.promises.writeFile(tmp, bytes, { flag: 'wx' });
          try {
            await fs.promises.link(tmp, target);
          } catch (e) {
            const code = (e as { code?: string }).code;
            if (code === 'EEXIST') throw e;
            // No hard links here (FAT, some FUSE mounts): O_EXCL create is the next best.
            await fs.promises.writeFile(target, bytes, { flag: 'wx' });
          } finally {
            await fs.promises.unlink(tmp).catch(() => undefined);
          }
        },
        async replace(target, record): Promise<void> {
          const bytes = encodeLockRecord(record);
          const tmp = `${target}.${randomToken(fill)}.tmp`;
          await fs.promises.writeFile(tmp, bytes, { flag: 'wx' });
          try {
            await fs.promises.rename(tmp, target);
          } catch (e) {
            await fs.promises.unlink(tmp).catch(() => undefined);
            throw e;
          }
        },
        read: readOrNull,
        remove: (target: string) => fs.promises.unlink(target),
        processAlive: pidAlive,
        processStartTime: procStartTime,
      });
    },

    joinPath(...parts: string[]): string {
      return joinPathParts(parts);
    },

    wallClockMs(): number {
      return Date.now();
    },

    monotonicMs(): number {
      return performance.now();
    },

    randomFill: fill,

    setTimer(fn: () => void, ms: number): () => void {
      const t = setTimeout(fn, ms);
      return () => clearTimeout(t);
    },

    async readAsset(relPath: string): Promise<Uint8Array> {
      return asUint8(await fs.promises.readFile(nodePath.join(assetRoot, relPath)));
    },
  };
  return platform;
}
