// The platform interface: everything the engine needs from the outside world.
//
// Ground rule 1 (DESIGN.md): wasm/, sql-dialects/ and host/engine/ never touch
// node:* or Deno.*; files, clocks, randomness and timers come in through this
// interface. Implementations: node.ts (Node.js), deno.ts (Deno), memory.ts
// (browser and deterministic simulation, with fault injection).
//
// Paths are '/'-separated strings. A data folder is a flat directory; the
// engine never needs nested paths below it.

/** An open file. Reads are synchronous positional reads (pread) so that the
 *  WebAssembly kernels can fetch blocks from inside a call; writes and syncs
 *  are asynchronous so that group commit can overlap I/O with work. */
export interface PlatformFile {
  readonly path: string;
  /** True when every write is durable when it resolves (opened with dataSync). */
  readonly syncsOnWrite: boolean;
  /** Reads up to buf.length bytes at `position`; returns the count read (0 at EOF). */
  readSync(buf: Uint8Array, position: number): number;
  /** Writes all of buf at `position`. Not durable until sync() resolves. */
  write(buf: Uint8Array, position: number): Promise<void>;
  /**
   * Optional synchronous positional write (all of buf). Used only for a lone
   * commit on a dataSync file, where a thread-pool round trip would cost more
   * than the write itself.
   */
  writeSync?(buf: Uint8Array, position: number): void;
  /** Makes every completed write durable (fdatasync). */
  sync(): Promise<void>;
  /** Sets the file length. Not durable until sync(). */
  truncate(length: number): Promise<void>;
  /** Current length in bytes, including writes not yet synced. */
  size(): number;
  close(): Promise<void>;
}

export type OpenMode =
  /** Open an existing file for reading. */
  | 'read'
  /** Open an existing file for reading and writing. */
  | 'readwrite'
  /** Open for reading and writing, creating an empty file if missing. */
  | 'create'
  /** Create a new empty file; fails if it exists. Truncates nothing. */
  | 'create_new';

/** An exclusive hold on a data folder, released by release() or by process death. */
export interface FolderLock {
  release(): Promise<void>;
}

export interface OpenOptions {
  /**
   * Ask for writes that are durable when they complete (O_DSYNC), saving the
   * separate sync call of a commit. Platforms that cannot do it ignore it;
   * PlatformFile.syncsOnWrite says what was granted.
   */
  dataSync?: boolean;
}

export interface Platform {
  readonly name: 'node' | 'deno' | 'memory' | 'browser';

  // ---- files and folders ----
  openFile(path: string, mode: OpenMode, options?: OpenOptions): Promise<PlatformFile>;
  /** Creates a folder and its parents; no error if it exists. */
  mkdirp(path: string): Promise<void>;
  exists(path: string): Promise<boolean>;
  /** Names (not paths) of the entries in a folder, sorted. */
  listDir(path: string): Promise<string[]>;
  remove(path: string): Promise<void>;
  /** Atomically replaces `to` with `from` (POSIX rename). Durable after syncDir. */
  rename(from: string, to: string): Promise<void>;
  /** Makes creations, renames and removals in a folder durable. */
  syncDir(path: string): Promise<void>;
  readFile(path: string): Promise<Uint8Array>;
  /**
   * Takes the exclusive lock of a data folder. Fails with SbError 55006
   * (object_in_use) when a live process (this one included) holds it; a lock
   * left behind by a dead process is taken over.
   */
  lockFolder(path: string): Promise<FolderLock>;
  joinPath(...parts: string[]): string;

  // ---- clocks ----
  /** Wall-clock Unix time in milliseconds (may jump; the HLC smooths it). */
  wallClockMs(): number;
  /** Monotonic time in milliseconds with sub-millisecond precision. */
  monotonicMs(): number;

  // ---- randomness ----
  randomFill(buf: Uint8Array): void;

  // ---- scheduling ----
  /** Runs fn after at least `ms` milliseconds; returns a cancel function. */
  setTimer(fn: () => void, ms: number): () => void;
  /** Resolves after pending I/O callbacks have run (Node's setImmediate); optional. */
  yieldToEventLoop?(): Promise<void>;

  // ---- assets ----
  /** Bytes of a build artefact, e.g. 'build/wasm/storage.wasm'. */
  readAsset(relPath: string): Promise<Uint8Array>;
}
