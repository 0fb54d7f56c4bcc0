// ScratchBird embedded in a web page: open() with a browser platform as the
// default (see host/engine/db.ts for the API, docs/embedded.md for usage).
//
//   import { open } from './scratchbird.js';          // build/browser (npm run build:browser)
//   const db = await open(':memory:');
//   await db.exec('CREATE TABLE t (a int, b text); INSERT INTO t VALUES (1, $$x$$)');
//   const { rows } = await db.query('SELECT a, b FROM t');
//
// Files live in memory (a persistent database over OPFS/IndexedDB is not built
// yet). The WebAssembly kernels are fetched from `wasm/` next to the bundle,
// from `wasmBaseUrl`, or come from an `assets` callback.
//
// Bundled by tools/build_browser.mjs with esbuild (platform=browser): nothing
// reachable from here may import node:* or use Deno.*.

import type { FolderLock, OpenMode, OpenOptions as FileOpenOptions, Platform, PlatformFile } from './platform/platform.ts';
import { MemoryPlatform } from './platform/memory.ts';
import { Database, type OpenOptions } from './engine/db.ts';
import { SbError, SqlState } from './engine/sb_error.ts';

export { Database, Session, formatRow, formatValue, type FieldInfo, type QueryResult, type SessionOptions } from './engine/db.ts';
export { SbError } from './engine/sb_error.ts';

export interface BrowserOpenOptions extends Omit<OpenOptions, 'platform'> {
  /** Where the kernels' .wasm files are (default: `wasm/` beside the bundle). */
  wasmBaseUrl?: string | URL;
  /** Source of the kernels' bytes by build path ('build/wasm/storage.wasm'); overrides wasmBaseUrl. */
  assets?: (relPath: string) => Promise<Uint8Array>;
  /** A platform of your own (files, clocks, timers, assets). */
  platform?: Platform;
}

/** Kernel bytes by build path, fetched from `base` (build/wasm/x.wasm -> base/x.wasm). */
export function fetchAssets(base: string | URL): (relPath: string) => Promise<Uint8Array> {
  return async (relPath) => {
    const name = relPath.slice(relPath.lastIndexOf('/') + 1);
    const url = new URL(name, base);
    const res = await fetch(url);
    if (!res.ok) throw new SbError(SqlState.io_error, `could not load the kernel "${url.href}": HTTP ${res.status}`);
    return new Uint8Array(await res.arrayBuffer());
  };
}

/**
 * The browser platform: the in-memory file system of MemoryPlatform, real
 * clocks, and yields that go through the task queue (not only microtasks), so
 * that a long statement lets the page, timers and db cancellation run.
 */
export function browserPlatform(opts: { assets?: (relPath: string) => Promise<Uint8Array>; wasmBaseUrl?: string | URL } = {}): Platform {
  const assets = opts.assets ?? fetchAssets(opts.wasmBaseUrl ?? new URL('./wasm/', import.meta.url));
  const mem = new MemoryPlatform({ assets });
  return {
    name: 'browser',
    openFile: (path: string, mode: OpenMode, o?: FileOpenOptions): Promise<PlatformFile> => mem.openFile(path, mode, o),
    mkdirp: (path) => mem.mkdirp(path),
    exists: (path) => mem.exists(path),
    listDir: (path) => mem.listDir(path),
    remove: (path) => mem.remove(path),
    rename: (from, to) => mem.rename(from, to),
    syncDir: (path) => mem.syncDir(path),
    readFile: (path) => mem.readFile(path),
    lockFolder: (path): Promise<FolderLock> => mem.lockFolder(path),
    joinPath: (...parts) => mem.joinPath(...parts),
    wallClockMs: () => Date.now(),
    monotonicMs: () => performance.now(),
    randomFill: (buf) => {
      // getRandomValues takes at most 65,536 bytes per call.
      for (let i = 0; i < buf.length; i += 65536) crypto.getRandomValues(buf.subarray(i, Math.min(buf.length, i + 65536)) as Uint8Array<ArrayBuffer>);
    },
    setTimer: (fn, ms) => {
      const h = setTimeout(fn, ms);
      return () => clearTimeout(h);
    },
    yieldToEventLoop: macrotask,
    readAsset: assets,
  };
}

/** Resolves from the task queue: a MessageChannel message (setTimeout(0) is clamped to 4 ms in nested timers). */
function macrotask(): Promise<void> {
  if (typeof MessageChannel !== 'function') return new Promise((r) => setTimeout(r, 0));
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => {
      ch.port1.close();
      resolve();
    };
    ch.port2.postMessage(null);
  });
}

/** Opens an in-memory database in the page. */
export function open(path: string = ':memory:', opts: BrowserOpenOptions = {}): Promise<Database> {
  if (path !== ':memory:') {
    return Promise.reject(new SbError(SqlState.feature_not_supported, 'only in-memory databases (":memory:") are supported in the browser', {
      hint: 'a persistent database over OPFS or IndexedDB is not built yet',
    }));
  }
  const { wasmBaseUrl, assets, platform, ...rest } = opts;
  return Database.open(path, {
    ...rest,
    platform: platform ?? browserPlatform({ ...(assets ? { assets } : {}), ...(wasmBaseUrl !== undefined ? { wasmBaseUrl } : {}) }),
  });
}
