// The simulated disk behind MemoryPlatform: what a process sees now, and what
// would be left after a power loss.
//
// Data: each inode keeps its durable bytes and the writes/truncates issued since
// its last successful sync, in order. Metadata: the namespace (folders and file
// names) is replayed from a durable base plus a journal of operations. syncDir(d)
// makes the journal durable up to the last operation touching d; like a
// journalling filesystem, earlier operations on other folders become durable
// with it. A crash keeps a random prefix of each, so a rename is all or nothing.

import type { SeededRandom } from './seeded_random.ts';

export const sector_bytes = 512;

export type DataOp = { kind: 'write'; pos: number; bytes: Uint8Array } | { kind: 'truncate'; length: number };

/** A growable byte array. */
export class ByteStore {
  private buf: Uint8Array;
  length = 0;

  constructor(initial?: Uint8Array) {
    this.buf = new Uint8Array(Math.max(64, initial?.length ?? 0));
    if (initial !== undefined) {
      this.buf.set(initial);
      this.length = initial.length;
    }
  }

  private reserve(n: number): void {
    if (n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(n, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  write(pos: number, bytes: Uint8Array): void {
    if (bytes.length === 0) return; // like pwrite of 0 bytes: no extension
    const end = pos + bytes.length;
    this.reserve(end);
    // Bytes between the old end and pos stay zero: a hole reads as zeros.
    this.buf.set(bytes, pos);
    if (end > this.length) this.length = end;
  }

  truncate(length: number): void {
    if (length < this.length) this.buf.fill(0, length, this.length);
    else this.reserve(length);
    this.length = length;
  }

  apply(op: DataOp): void {
    if (op.kind === 'write') this.write(op.pos, op.bytes);
    else this.truncate(op.length);
  }

  read(dst: Uint8Array, pos: number): number {
    if (pos >= this.length) return 0;
    const n = Math.min(dst.length, this.length - pos);
    dst.set(this.buf.subarray(pos, pos + n));
    return n;
  }

  snapshot(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}

let nextInodeId = 1;

export class Inode {
  /** Creation order; crash decisions walk inodes in this order so they replay. */
  readonly id = nextInodeId++;
  readonly current: ByteStore;
  readonly durable: ByteStore;
  /** Data operations since the last sync, oldest first. */
  pending: DataOp[] = [];

  constructor(durable?: Uint8Array) {
    this.current = new ByteStore(durable);
    this.durable = new ByteStore(durable);
  }

  apply(op: DataOp): void {
    this.current.apply(op);
    this.pending.push(op);
  }

  sync(): void {
    for (const op of this.pending) this.durable.apply(op);
    this.pending = [];
  }

  /** A failed fdatasync may drop the dirty pages it could not write (Linux does),
   *  so a later sync that succeeds does not bring them back: they stay visible
   *  now but will not survive a crash. Engines must treat a failed sync as fatal. */
  dropPending(): void {
    this.pending = [];
  }
}

export type MetaOp =
  | { kind: 'mkdir'; path: string }
  | { kind: 'create'; path: string; inode: Inode }
  | { kind: 'unlink'; path: string }
  | { kind: 'rmdir'; path: string }
  | { kind: 'rename'; from: string; to: string };

export class Namespace {
  readonly dirs = new Set<string>(['/']);
  readonly files = new Map<string, Inode>();

  clone(): Namespace {
    const n = new Namespace();
    for (const d of this.dirs) n.dirs.add(d);
    for (const [k, v] of this.files) n.files.set(k, v);
    return n;
  }

  /** Applies an already validated operation. */
  apply(op: MetaOp): void {
    switch (op.kind) {
      case 'mkdir':
        this.dirs.add(op.path);
        return;
      case 'create':
        this.files.set(op.path, op.inode);
        return;
      case 'unlink':
        this.files.delete(op.path);
        return;
      case 'rmdir':
        this.dirs.delete(op.path);
        return;
      case 'rename': {
        const file = this.files.get(op.from);
        if (file !== undefined) {
          this.files.delete(op.from);
          this.files.set(op.to, file);
          return;
        }
        // A folder: move it and everything below it.
        const prefix = op.from + '/';
        for (const d of [...this.dirs]) {
          if (d === op.from || d.startsWith(prefix)) {
            this.dirs.delete(d);
            this.dirs.add(op.to + d.slice(op.from.length));
          }
        }
        for (const [k, v] of [...this.files]) {
          if (k.startsWith(prefix)) {
            this.files.delete(k);
            this.files.set(op.to + k.slice(op.from.length), v);
          }
        }
        return;
      }
    }
  }

  children(dir: string): string[] {
    const names: string[] = [];
    const add = (p: string): void => {
      if (p !== '/' && parentOf(p) === dir) names.push(p.slice(dir === '/' ? 1 : dir.length + 1));
    };
    for (const d of this.dirs) add(d);
    for (const f of this.files.keys()) add(f);
    return names.sort();
  }
}

/** Folders whose entries an operation changes. */
function touchedDirs(op: MetaOp): string[] {
  return op.kind === 'rename' ? [parentOf(op.from), parentOf(op.to)] : [parentOf(op.path)];
}

export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** Absolute, '/'-separated, without '.', '..', empty segments or a trailing slash. */
export function normalizePath(path: string): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  return '/' + out.join('/');
}

export interface CrashOptions {
  /** Torn writes at byte rather than 512-byte sector granularity. */
  tornWrites?: boolean;
  /** true: lose everything unsynced; false: keep a random prefix; unset: either, at random. */
  loseUnsynced?: boolean;
}

export class MemoryDisk {
  /** The namespace as processes see it. */
  current = new Namespace();
  /** The namespace guaranteed to survive a crash. */
  private base = new Namespace();
  private journal: MetaOp[] = [];

  record(op: MetaOp): void {
    this.current.apply(op);
    this.journal.push(op);
  }

  syncDir(dir: string): void {
    let last = -1;
    for (let i = 0; i < this.journal.length; i++) {
      if (touchedDirs(this.journal[i]!).includes(dir)) last = i;
    }
    for (let i = 0; i <= last; i++) this.base.apply(this.journal[i]!);
    this.journal.splice(0, last + 1);
  }

  durableNames(): Namespace {
    return this.base;
  }

  /** The disk as found after power returns. Inodes are new objects, so handles
   *  that survive in the dead process cannot reach it. */
  crash(rng: SeededRandom, opts: CrashOptions): MemoryDisk {
    const loseAll = opts.loseUnsynced ?? rng.chance(0.5);
    const ns = this.base.clone();
    const keptOps = loseAll ? 0 : rng.int(this.journal.length + 1);
    for (let i = 0; i < keptOps; i++) ns.apply(this.journal[i]!);

    const survivors = [...new Set(ns.files.values())].sort((x, y) => x.id - y.id);
    const reborn = new Map<Inode, Inode>();
    for (const old of survivors) {
      const bytes = new ByteStore(old.durable.snapshot());
      if (!loseAll) applyPrefix(bytes, old.pending, rng, opts.tornWrites === true);
      reborn.set(old, new Inode(bytes.snapshot()));
    }

    const disk = new MemoryDisk();
    for (const d of ns.dirs) {
      disk.base.dirs.add(d);
      disk.current.dirs.add(d);
    }
    for (const [name, old] of ns.files) {
      disk.base.files.set(name, reborn.get(old)!);
      disk.current.files.set(name, reborn.get(old)!);
    }
    return disk;
  }
}

/** Applies the first k of `ops` for a random k; the last one applied may be torn. */
function applyPrefix(bytes: ByteStore, ops: DataOp[], rng: SeededRandom, byteGranular: boolean): void {
  const k = rng.int(ops.length + 1);
  for (let i = 0; i < k; i++) {
    const op = ops[i]!;
    if (i === k - 1 && op.kind === 'write' && rng.chance(0.5)) {
      bytes.write(op.pos, op.bytes.subarray(0, tornLength(op.pos, op.bytes.length, rng, byteGranular)));
    } else {
      bytes.apply(op);
    }
  }
}

/** How much of a write reached the platter: a device writes whole sectors, so
 *  by default the cut falls on a sector boundary inside the write. */
function tornLength(pos: number, len: number, rng: SeededRandom, byteGranular: boolean): number {
  if (byteGranular) return rng.int(len);
  const cuts = [0];
  for (let b = (Math.floor(pos / sector_bytes) + 1) * sector_bytes; b < pos + len; b += sector_bytes) {
    cuts.push(b - pos);
  }
  return cuts[rng.int(cuts.length)]!;
}
