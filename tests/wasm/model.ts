// A plain model of the storage kernel's MVCC semantics (every version of every
// key, newest first), and a driver that applies the same random operations to
// the kernel and the model. The iterator and compaction tests compare them.

import { expect } from 'vitest';
import { Kernel, ST, OP_PUT, OP_DELETE, OP_INSERT, LATEST } from './harness.ts';

export const hex = (b: Uint8Array): string => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
export const unhex = (s: string): Uint8Array => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));

interface MVersion {
  val: string | null; // null: tombstone
  slot: number;
  stamp: number; // 0 while uncommitted
  state: 'live' | 'committed' | 'aborted';
}

interface MTx {
  snapshot: number;
  writes: MVersion[];
}

export class Model {
  /** hex key -> versions, newest first. */
  readonly versions = new Map<string, MVersion[]>();
  readonly txs = new Map<number, MTx>();

  begin(slot: number, snapshot: number): void {
    this.txs.set(slot, { snapshot, writes: [] });
  }

  /** The status kv_put must return; applies the write when it succeeds. */
  put(slot: number, key: string, val: string | null, op: number, check: boolean): number {
    const tx = this.txs.get(slot)!;
    const newest = (this.versions.get(key) ?? []).find((v) => v.state !== 'aborted');
    if (newest) {
      if (newest.state === 'live' && newest.slot !== slot) return ST.CONFLICT_ACTIVE;
      if (op === OP_INSERT && newest.val !== null) return ST.EXISTS;
      if (newest.state === 'committed' && check && newest.stamp > tx.snapshot) return ST.CONFLICT_COMMITTED;
    }
    const v: MVersion = { val: op === OP_DELETE ? null : val, slot, stamp: 0, state: 'live' };
    if (!this.versions.has(key)) this.versions.set(key, []);
    this.versions.get(key)!.unshift(v);
    tx.writes.push(v);
    return ST.OK;
  }

  /** The newest committed version of key is a tombstone and a reader at `snapshot` sees no row. */
  tombstoneOnly(key: string, snapshot: number): boolean {
    const newest = (this.versions.get(key) ?? []).find((v) => v.state === 'committed');
    return newest !== undefined && newest.val === null && this.visible(key, snapshot, 0) === null;
  }

  /** The slot of the live writer blocking `key` (for CONFLICT_ACTIVE). */
  blocker(key: string): number {
    return (this.versions.get(key) ?? []).find((v) => v.state !== 'aborted')!.slot;
  }

  commit(slot: number, stamp: number): void {
    for (const v of this.txs.get(slot)!.writes) {
      v.state = 'committed';
      v.stamp = stamp;
    }
    this.txs.delete(slot);
  }

  abort(slot: number): void {
    this.rollback(slot, 0);
    this.txs.delete(slot);
  }

  rollback(slot: number, mark: number): void {
    const tx = this.txs.get(slot)!;
    for (const v of tx.writes.slice(mark)) v.state = 'aborted';
    tx.writes.length = Math.min(tx.writes.length, mark);
  }

  visible(key: string, snapshot: number, slot: number): string | null {
    for (const v of this.versions.get(key) ?? []) {
      if (v.state === 'committed' ? v.stamp <= snapshot : v.state === 'live' && slot !== 0 && v.slot === slot) return v.val;
    }
    return null;
  }

  /** Rows a scan must return: [hex key, value], in scan order. */
  scan(snapshot: number, slot: number, lo?: string, loIncl = true, hi?: string, hiIncl = true, reverse = false): Array<[string, string]> {
    const rows: Array<[string, string]> = [];
    for (const key of [...this.versions.keys()].sort()) {
      if (lo !== undefined && (key < lo || (key === lo && !loIncl))) continue;
      if (hi !== undefined && (key > hi || (key === hi && !hiIncl))) continue;
      const v = this.visible(key, snapshot, slot);
      if (v !== null) rows.push([key, v]);
    }
    return reverse ? rows.reverse() : rows;
  }
}

/** One random step; fields pick the operation and its operands modulo what exists. */
export interface Step {
  op: number;
  a: number;
  b: number;
  c: number;
}

export interface DriverOptions {
  keys: Uint8Array[];
  blockTarget: number;
  /** Move the GC floor and use horizons (compaction test); 0 keeps every version. */
  gc: boolean;
  cacheLimit?: number;
  /** Finish the oldest transaction before a begin beyond this many (lets the GC horizon move). */
  maxLive?: number;
  /** Horizon = the floor even below live transactions' snapshots (intermediate GC). */
  horizonIgnoresOst?: boolean;
}

/**
 * Applies steps to a fresh kernel and the model, checking each write's status
 * and a point read after every step. Returns both for further checks.
 */
export class Driver {
  readonly k = Kernel.storage();
  readonly m = new Model();
  readonly live: number[] = [];
  readonly savepoints = new Map<number, number>();
  now = 1;
  /** Reads at snapshots below this may differ (versions were collected). */
  floor = 0;
  frozen = 0;
  readonly stats = { puts: 0, conflicts: 0, flushes: 0, compactions: 0, dropped: 0 };

  constructor(readonly o: DriverOptions) {
    if (o.cacheLimit !== undefined) this.k.x.cache_set_limit(o.cacheLimit);
  }

  key(i: number): string {
    return hex(this.o.keys[i % this.o.keys.length]!);
  }

  horizon(): number {
    if (!this.o.gc) return 0;
    // The kernel keeps what live transactions below the horizon can see (it
    // reads their snapshots from the TIP), so the floor alone is a valid horizon.
    if (this.o.horizonIgnoresOst) return this.floor;
    const ost = this.k.x.tx_oldest_snapshot();
    return ost < 0 ? this.floor : Math.min(this.floor, ost);
  }

  step(s: Step): void {
    const { k, m } = this;
    const tx = this.live.length ? this.live[s.a % this.live.length]! : 0;
    switch (s.op % 12) {
      case 0:
      case 1: {
        if (this.live.length >= (this.o.maxLive ?? Infinity)) this.finish(this.live[0]!, s.c % 3 !== 0);
        const slot = k.begin(this.now, this.now);
        m.begin(slot, this.now);
        this.live.push(slot);
        break;
      }
      case 2:
      case 3:
      case 4:
      case 5: {
        if (!tx) break;
        const key = this.key(s.b);
        const op = [OP_PUT, OP_PUT, OP_DELETE, OP_INSERT][s.c % 4]!;
        const check = (s.c >> 2) % 2 === 1;
        const val = `${tx}.${this.stats.puts++}`;
        let want = m.put(tx, key, val, op, check);
        const got = k.put(tx, unhex(key), val, op, m.txs.get(tx)!.snapshot, check ? 1 : 0);
        if (want === ST.CONFLICT_COMMITTED && got === ST.OK && m.tombstoneOnly(key, m.txs.get(tx)!.snapshot)) {
          // A bottommost flush or compaction drops a tombstone that hides
          // nothing kept: then a writer that never saw the row meets no version
          // to conflict with, as in PostgreSQL (deleting an unseen row locks
          // nothing). Before that, the tombstone does conflict.
          want = m.put(tx, key, val, op, false);
        }
        expect({ put: key, op, got }).toEqual({ put: key, op, got: want });
        if (want === ST.CONFLICT_ACTIVE) expect(k.r32(0)).toBe(m.blocker(key));
        if (want !== ST.OK) this.stats.conflicts++;
        break;
      }
      case 6: {
        if (!tx) break;
        if (s.b % 3 === 0) {
          this.savepoints.set(tx, k.x.tx_write_count(tx));
        } else if (s.b % 3 === 1 && this.savepoints.has(tx)) {
          const mark = this.savepoints.get(tx)!;
          k.x.tx_rollback_to(tx, mark);
          m.rollback(tx, mark);
        } else {
          this.finish(tx, s.c % 4 !== 0);
        }
        break;
      }
      case 7:
        if (tx) this.finish(tx, s.b % 5 !== 0);
        break;
      case 8: {
        const st = k.x.lsm_freeze();
        expect(st).toBe(this.frozen < 4 ? ST.OK : ST.ERR_STATE);
        if (st === ST.OK) this.frozen++;
        break;
      }
      case 9:
        if (this.frozen > 0) {
          const bottom = k.x.lsm_run_count() === 0;
          const r = k.flushFile({ horizon: this.horizon(), bottom, blockTarget: this.o.blockTarget });
          expect(r.status).toBe(ST.OK);
          expect(k.x.lsm_install_flush(k.openRun(r.file))).toBe(ST.OK);
          k.x.job_free(r.job);
          this.frozen--;
          this.stats.flushes++;
          this.stats.dropped += r.stats[2]! + r.stats[3]!;
        }
        break;
      case 10: {
        const runs = k.x.lsm_run_count();
        if (runs >= 2) {
          const count = 2 + (s.b % (runs - 1));
          const first = s.c % (runs - count + 1);
          const r = k.compact(first, count, {
            horizon: this.horizon(), bottom: first + count === runs, blockTarget: this.o.blockTarget,
          });
          expect(k.x.lsm_run_count()).toBe(runs - count + 1);
          this.stats.compactions++;
          this.stats.dropped += r.stats[2]! + r.stats[3]!;
        }
        break;
      }
      case 11:
        if (this.o.gc) this.floor += Math.floor(((this.now - this.floor) * (1 + (s.b % 8))) / 8);
        break;
    }
    // A point read after every step.
    this.checkGet(s.b, s.c);
  }

  finish(tx: number, commit: boolean): void {
    if (commit) {
      this.now++;
      this.k.commit(tx, this.now);
      this.m.commit(tx, this.now);
    } else {
      this.k.x.tx_abort(tx);
      this.m.abort(tx);
    }
    this.live.splice(this.live.indexOf(tx), 1);
    this.savepoints.delete(tx);
  }

  /** A reader: a live transaction at its snapshot, or slot 0 at a snapshot at or above the floor. */
  reader(r: number): { slot: number; snapshot: number } {
    if (this.live.length && r % 3 === 0) {
      const slot = this.live[(r >> 2) % this.live.length]!;
      return { slot, snapshot: this.m.txs.get(slot)!.snapshot };
    }
    const span = this.now + 1 - this.floor;
    return { slot: 0, snapshot: r % 7 === 1 ? LATEST : this.floor + (r % span) };
  }

  checkGet(kb: number, r: number): void {
    const key = this.key(kb * 7 + r);
    const { slot, snapshot } = this.reader(r);
    const want = this.m.visible(key, snapshot, slot);
    expect({ get: key, slot, snapshot, v: this.k.get(unhex(key), snapshot, slot) }).toEqual({ get: key, slot, snapshot, v: want });
  }

  /** Compares one scan with the model. */
  checkScan(r: number, b1: number, b2: number, reverse: boolean): void {
    const { slot, snapshot } = this.reader(r);
    const bound = (b: number): { key?: string; incl: boolean } => {
      const kind = b % 3;
      if (kind === 0) return { incl: true };
      // Bounds: keys of the universe, or keys just beside them.
      let key = this.key(b >> 2);
      if ((b >> 1) % 5 === 0) key += '00';
      return { key, incl: kind === 1 };
    };
    const lo = bound(b1);
    const hi = bound(b2);
    const want = this.m.scan(snapshot, slot, lo.key, lo.incl, hi.key, hi.incl, reverse);
    const got = this.k.scan({
      lo: lo.key !== undefined ? unhex(lo.key) : undefined, loIncl: lo.incl,
      hi: hi.key !== undefined ? unhex(hi.key) : undefined, hiIncl: hi.incl,
      snapshot, slot, reverse, batchRows: 1 + (r % 4),
    }).map((row) => [hex(row.key), new TextDecoder().decode(row.val)]);
    expect({ slot, snapshot, lo, hi, reverse, rows: got }).toEqual({ slot, snapshot, lo, hi, reverse, rows: want });
  }

  /** Every key and a set of scans, for every reader kind. */
  checkAll(): void {
    for (let r = 0; r < 12; r++) {
      for (let kb = 0; kb < this.o.keys.length; kb++) this.checkGet(kb, r);
    }
    for (let r = 0; r < 6; r++) {
      for (let b1 = 0; b1 < 9; b1++) {
        this.checkScan(r, b1, (b1 * 5 + r) % 9, false);
        this.checkScan(r, b1, (b1 * 7 + r) % 9, true);
      }
    }
  }
}

/** Keys with shared prefixes, an empty key, and keys that differ after 8 bytes. */
export const trickyKeys: Uint8Array[] = [
  new Uint8Array(0), Uint8Array.of(0), Uint8Array.of(0, 0), Uint8Array.of(1), Uint8Array.of(0x61),
  Uint8Array.of(0x61, 0x62), Uint8Array.of(0xff), Uint8Array.of(0xff, 0),
  new TextEncoder().encode('abcdefgh'), new TextEncoder().encode('abcdefgh\0'), new TextEncoder().encode('abcdefghi'),
  new TextEncoder().encode('abcdefgg\u007f'), new TextEncoder().encode('row-0001'), new TextEncoder().encode('row-0002'),
  new TextEncoder().encode('row-0010'), new TextEncoder().encode('row-0100'),
];
