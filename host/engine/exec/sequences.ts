// Sequences: nextval/currval/setval with PostgreSQL's semantics (values are
// never handed out twice, a rollback does not give them back).
//
// Values come from an in-memory counter. Each time a session's counter runs
// past its reserved range, the next range is reserved by a marker row written
// in the *calling* transaction (`$seq` key space, key = sequence OID + stamp +
// transaction id, so it never conflicts with anyone). A marker is durable
// exactly when a transaction that may have used its values commits, which is
// all that recovery needs: after a restart a sequence resumes after the newest
// marker, skipping at most one unused range, as PostgreSQL does after a crash.

import { SbError, SqlState } from '../sb_error.ts';
import type { SequenceObj } from '../catalog/objects.ts';
import type { Keyspace, Store, Txn } from '../store/index.ts';

/** Values reserved per marker (PostgreSQL logs sequence advances 32 at a time). */
const RESERVE = 32;

interface SeqState {
  last: number;
  isCalled: boolean;
  reservedTo: number;
  /** PostgreSQL's log_cnt: values fetched ahead of the last WAL log (32 after a log, one less per nextval, 0 after setval). */
  logCnt: number;
  /** The transaction that wrote the marker covering `reservedTo`, and its rollbackTo() count then. */
  markerTxn?: Txn;
  markerRollbacks?: number;
}

export class SequenceRuntime {
  private readonly state = new Map<number, SeqState>();
  private ks: Keyspace | undefined;

  constructor(private readonly store: Store) {}

  async init(): Promise<void> {
    this.ks = await this.store.keyspace('$seq');
  }

  private load(seq: SequenceObj, txn: Txn): SeqState {
    let s = this.state.get(seq.oid);
    if (s) return s;
    // The newest marker wins (keys sort by stamp within a sequence).
    const prefix = u32(seq.oid);
    const c = txn.scan(this.ks!, { lo: prefix, hi: u32(seq.oid + 1), reverse: true });
    s = { last: seq.start, isCalled: false, reservedTo: seq.start - seq.increment, logCnt: 0 };
    if (c.next()) {
      const dv = new DataView(c.value.buffer, c.value.byteOffset, c.value.byteLength);
      const kind = dv.getUint8(0);
      const value = dv.getFloat64(1, true);
      const isCalled = dv.getUint8(9) === 1;
      // kind 0 reserves up to `value` (always "called"); kind 1 is a setval.
      s = { last: value, isCalled: kind === 0 || isCalled, reservedTo: kind === 0 || isCalled ? value : value - seq.increment, logCnt: 0 };
    }
    c.close();
    this.state.set(seq.oid, s);
    return s;
  }

  private mark(txn: Txn, seq: SequenceObj, s: SeqState, kind: number, value: number, isCalled: boolean, stamp: number): void {
    const key = new Uint8Array(4 + 8 + 16);
    const dv = new DataView(key.buffer);
    dv.setUint32(0, seq.oid, false);
    dv.setFloat64(4, stamp, false); // positive stamps: big-endian float64 sorts like the number
    key.set(txn.id, 12);
    const val = new Uint8Array(10);
    const vv = new DataView(val.buffer);
    vv.setUint8(0, kind);
    vv.setFloat64(1, value, true);
    vv.setUint8(9, isCalled ? 1 : 0);
    txn.put(this.ks!, key, val);
    s.markerTxn = txn;
    s.markerRollbacks = txn.rollbacks;
  }

  /**
   * Whether the reservation's marker will be durable if `txn` commits: it was
   * written by a transaction that committed, or by `txn` itself and not undone
   * by a rollback to a savepoint. Otherwise (its writer rolled back or is still
   * running) values handed out under it could be handed out again after a
   * crash, so the caller writes the marker again.
   */
  private markerHolds(txn: Txn, s: SeqState): boolean {
    const m = s.markerTxn;
    if (m === undefined) return true; // loaded from a committed marker
    // A rollback to a savepoint since the marker may have undone it: write it again.
    if (m === txn) return txn.rollbacks === s.markerRollbacks;
    return m.state === 'committed';
  }

  nextval(txn: Txn, seq: SequenceObj, stamp: number): number {
    if (txn.readOnly) {
      throw new SbError(SqlState.read_only_sql_transaction, 'cannot execute nextval() in a read-only transaction');
    }
    const s = this.load(seq, txn);
    let next = s.isCalled ? s.last + seq.increment : s.last;
    if (seq.increment > 0 ? next > seq.max : next < seq.min) {
      if (!seq.cycle) {
        throw new SbError('2200H',
          `nextval: reached ${seq.increment > 0 ? 'maximum' : 'minimum'} value of sequence "${seq.name}" (${seq.increment > 0 ? seq.max : seq.min})`,
          { kind: 'sequence_limit' });
      }
      next = seq.increment > 0 ? seq.min : seq.max;
      s.reservedTo = next - seq.increment;
    }
    if (seq.increment > 0 ? next > s.reservedTo : next < s.reservedTo) {
      const to = clamp(next + seq.increment * (RESERVE - 1), seq);
      this.mark(txn, seq, s, 0, to, true, stamp);
      s.reservedTo = to;
    } else if (!this.markerHolds(txn, s)) {
      this.mark(txn, seq, s, 0, s.reservedTo, true, stamp);
    }
    if (s.logCnt < 1 || !s.isCalled) s.logCnt = RESERVE + 1;
    s.logCnt--;
    s.last = next;
    s.isCalled = true;
    return next;
  }

  /** SELECT * FROM a sequence: last_value, log_cnt, is_called (not transactional, as in PostgreSQL). */
  peek(txn: Txn, seq: SequenceObj): { last: number; logCnt: number; isCalled: boolean } {
    const s = this.load(seq, txn);
    return { last: s.last, logCnt: s.logCnt, isCalled: s.isCalled };
  }

  setval(txn: Txn, seq: SequenceObj, value: number, isCalled: boolean, stamp: number): number {
    if (value < seq.min || value > seq.max) {
      throw new SbError(SqlState.numeric_value_out_of_range,
        `setval: value ${value} is out of bounds for sequence "${seq.name}" (${seq.min}..${seq.max})`);
    }
    const s = this.load(seq, txn);
    s.last = value;
    s.isCalled = isCalled;
    s.logCnt = 0;
    // Not called: the next nextval returns `value` itself and must reserve it.
    s.reservedTo = isCalled ? value : value - seq.increment;
    this.mark(txn, seq, s, 1, value, isCalled, stamp);
    return value;
  }

  /**
   * ALTER SEQUENCE without RESTART: the sequence keeps its last value and
   * is_called (PostgreSQL), so the next nextval is last + the new increment.
   * The values reserved under the old options are given up.
   */
  realign(txn: Txn, old: SequenceObj, next: SequenceObj, stamp: number): void {
    const s = this.load(old, txn);
    const fresh: SeqState = { last: s.last, isCalled: s.isCalled, reservedTo: s.isCalled ? s.last : s.last - next.increment, logCnt: 0 };
    this.state.set(next.oid, fresh);
    this.mark(txn, next, fresh, 1, s.last, s.isCalled, stamp);
  }

  /** Forgets a dropped or altered sequence's in-memory state. */
  reset(oid: number): void {
    this.state.delete(oid);
  }
}

function clamp(v: number, seq: SequenceObj): number {
  return Math.max(seq.min, Math.min(seq.max, v));
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0, false);
  return b;
}
