import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  COUNTER_MAX,
  COUNTER_RANGE,
  COUNTER_WARN_THRESHOLD,
  EPOCH_MS,
  HybridClock,
  STAMP_MAX,
  STAMP_MIN,
  STAMP_UNIX_MS_MAX,
  stampCounter,
  stampFromDate,
  stampMs,
  stampOf,
  stampToDate,
} from '../../host/engine/ids/hlc.ts';
import { SbError } from '../../host/engine/sb_error.ts';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

/** A settable fake wall clock that counts its reads. */
function fakeClock(start = T0) {
  const c = {
    ms: start,
    reads: 0,
    read: () => {
      c.reads++;
      return c.ms;
    },
  };
  return c;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof SbError) return e.code;
    throw e;
  }
  return undefined;
}

describe('stamp math', () => {
  it('has the documented constants', () => {
    expect(EPOCH_MS).toBe(Date.UTC(2020, 0, 1));
    expect(STAMP_MIN).toBe(0);
    expect(STAMP_MAX).toBe(Number.MAX_SAFE_INTEGER);
    expect(stampToDate(STAMP_MAX).getUTCFullYear()).toBe(2089);
    expect(stampOf(STAMP_UNIX_MS_MAX, COUNTER_MAX)).toBe(STAMP_MAX);
    expect(stampOf(EPOCH_MS, 0)).toBe(0);
  });

  it('rejects out-of-range parts', () => {
    expect(codeOf(() => stampOf(EPOCH_MS - 1, 0))).toBe('22008');
    expect(codeOf(() => stampOf(STAMP_UNIX_MS_MAX + 1, 0))).toBe('22008');
    expect(codeOf(() => stampOf(T0, 4096))).toBe('22003');
    expect(codeOf(() => stampOf(T0, -1))).toBe('22003');
    expect(codeOf(() => stampOf(T0 + 0.5, 0))).toBe('22008');
    expect(codeOf(() => stampFromDate(new Date(NaN)))).toBe('22008');
  });

  const msArb = fc.integer({ min: EPOCH_MS, max: STAMP_UNIX_MS_MAX });
  const counterArb = fc.integer({ min: 0, max: COUNTER_MAX });

  it('round-trips (ms, counter) through a stamp', () => {
    fc.assert(
      fc.property(msArb, counterArb, (ms, counter) => {
        const s = stampOf(ms, counter);
        expect(Number.isSafeInteger(s)).toBe(true);
        expect(s).toBeGreaterThanOrEqual(STAMP_MIN);
        expect(s).toBeLessThanOrEqual(STAMP_MAX);
        expect(stampMs(s)).toBe(ms);
        expect(stampCounter(s)).toBe(counter);
      }),
      { numRuns: 5000 },
    );
  });

  it('orders stamps as (ms, counter) pairs', () => {
    fc.assert(
      fc.property(msArb, counterArb, msArb, counterArb, (m1, c1, m2, c2) => {
        const lex = m1 !== m2 ? Math.sign(m1 - m2) : Math.sign(c1 - c2);
        expect(Math.sign(stampOf(m1, c1) - stampOf(m2, c2))).toBe(lex);
      }),
      { numRuns: 5000 },
    );
  });

  it('maps dates to the first stamp of their millisecond', () => {
    fc.assert(
      fc.property(msArb, (ms) => {
        const s = stampFromDate(new Date(ms));
        expect(stampCounter(s)).toBe(0);
        expect(stampToDate(s).getTime()).toBe(ms);
        expect(stampFromDate(ms + 0.75)).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('HybridClock', () => {
  it('rejects node id 0 and out-of-range ids', () => {
    const c = fakeClock();
    expect(codeOf(() => new HybridClock({ nodeId: 0, wallClockMs: c.read }))).toBe('22023');
    expect(codeOf(() => new HybridClock({ nodeId: 65536, wallClockMs: c.read }))).toBe('22023');
    expect(codeOf(() => new HybridClock({ nodeId: 1.5, wallClockMs: c.read }))).toBe('22023');
    expect(codeOf(() => new HybridClock({ nodeId: 1, wallClockMs: c.read, floorStamp: -1 }))).toBe('22023');
    expect(new HybridClock({ nodeId: 65535, wallClockMs: c.read }).nodeId).toBe(65535);
  });

  it('uses the wall clock when it advances and counts within a millisecond', () => {
    const c = fakeClock();
    const clock = new HybridClock({ nodeId: 1, wallClockMs: c.read });
    expect(clock.lastStamp()).toBe(-1);
    expect(clock.now()).toBe(stampOf(T0, 0));
    expect(clock.now()).toBe(stampOf(T0, 1));
    c.ms = T0 + 5;
    expect(clock.now()).toBe(stampOf(T0 + 5, 0));
    expect(clock.lastStamp()).toBe(stampOf(T0 + 5, 0));
  });

  it('issues stamp 0 at the epoch and carries on over a clock before 2020', () => {
    const c = fakeClock(EPOCH_MS - 10_000);
    const clock = new HybridClock({ nodeId: 1, wallClockMs: c.read });
    expect(clock.now()).toBe(0);
    expect(clock.now()).toBe(1);
  });

  it('is strictly increasing over 100k stamps with a frozen clock', () => {
    const c = fakeClock();
    const clock = new HybridClock({ nodeId: 7, wallClockMs: c.read, overflowWallReadsMax: 50 });
    let prev = -1;
    for (let i = 0; i < 100_000; i++) {
      const s = clock.now();
      if (!(s > prev)) throw new Error(`stamp ${s} after ${prev} at ${i}`);
      prev = s;
    }
    const st = clock.stats();
    expect(st.counterHighWater).toBe(COUNTER_MAX);
    expect(st.counterOverflowWaits).toBe(Math.floor(100_000 / COUNTER_RANGE));
    expect(st.counterOverflowAdvances).toBe(st.counterOverflowWaits);
    expect(st.counterWarnings).toBeGreaterThan(0);
  });

  it('is strictly increasing over 100k stamps with a jittery clock', () => {
    let seed = 12345;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    let base = T0;
    const wall = () => {
      base += rand() < 0.01 ? 1 : 0;
      return base + Math.floor((rand() - 0.5) * 40) + rand(); // ±20 ms jitter, fractional ms
    };
    const clock = new HybridClock({ nodeId: 3, wallClockMs: wall });
    let prev = -1;
    for (let i = 0; i < 100_000; i++) {
      const s = clock.now();
      if (!(s > prev)) throw new Error(`stamp ${s} after ${prev} at ${i}`);
      prev = s;
    }
    const st = clock.stats();
    expect(st.skewEvents).toBeGreaterThan(0);
    expect(st.maxBackwardSkewMs).toBeGreaterThan(0);
    expect(st.maxBackwardSkewMs).toBeLessThanOrEqual(40);
  });

  it('waits for the next millisecond when the counter runs out', () => {
    const c = fakeClock();
    let advanceAfterReads = Infinity;
    const wall = () => {
      c.reads++;
      return c.reads >= advanceAfterReads ? T0 + 1 : T0;
    };
    const clock = new HybridClock({ nodeId: 1, wallClockMs: wall });
    for (let i = 0; i <= COUNTER_MAX; i++) expect(clock.now()).toBe(stampOf(T0, i));
    // The next stamp needs T0 + 1; the wall clock gets there after 10 more reads.
    advanceAfterReads = c.reads + 10;
    const readsBefore = c.reads;
    expect(clock.now()).toBe(stampOf(T0 + 1, 0));
    expect(c.reads - readsBefore).toBe(10);
    const st = clock.stats();
    expect(st.counterOverflowWaits).toBe(1);
    expect(st.counterOverflowAdvances).toBe(0);
  });

  it('advances on its own after a bounded number of reads of a frozen clock', () => {
    const c = fakeClock();
    const clock = new HybridClock({ nodeId: 1, wallClockMs: c.read, overflowWallReadsMax: 1000 });
    for (let i = 0; i <= COUNTER_MAX; i++) clock.now();
    const readsBefore = c.reads;
    expect(clock.now()).toBe(stampOf(T0 + 1, 0));
    expect(c.reads - readsBefore).toBe(1 + 1000);
    expect(clock.stats().counterOverflowAdvances).toBe(1);
    // The frozen wall clock is now behind the logical time: that counts as skew.
    expect(clock.now()).toBe(stampOf(T0 + 1, 1));
    expect(clock.stats().skewEvents).toBeGreaterThan(0);
  });

  it('keeps its time when the wall clock goes backwards', () => {
    const c = fakeClock();
    const clock = new HybridClock({ nodeId: 1, wallClockMs: c.read });
    const a = clock.now();
    c.ms = T0 - 1000;
    const b = clock.now();
    const d = clock.now();
    expect(b).toBe(stampOf(T0, 1));
    expect(d).toBe(stampOf(T0, 2));
    expect(b).toBeGreaterThan(a);
    const st = clock.stats();
    expect(st.skewEvents).toBe(2);
    expect(st.maxBackwardSkewMs).toBe(1000);
    c.ms = T0 + 1;
    expect(clock.now()).toBe(stampOf(T0 + 1, 0));
  });

  it('observes a remote stamp ahead of it and stays above it', () => {
    const c = fakeClock();
    const clock = new HybridClock({ nodeId: 1, wallClockMs: c.read });
    clock.now();
    const remote = stampOf(T0 + 5000, 17);
    const recv = clock.observe(remote);
    expect(recv).toBe(stampOf(T0 + 5000, 18));
    expect(clock.now()).toBeGreaterThan(remote);
    expect(clock.now()).toBe(stampOf(T0 + 5000, 20));
    const st = clock.stats();
    expect(st.remoteAheadEvents).toBe(1);
    expect(st.maxRemoteAheadMs).toBe(5000);
  });

  it('follows the HLC receive rules', () => {
    const c = fakeClock();
    const clock = new HybridClock({ nodeId: 1, wallClockMs: c.read });
    clock.now(); // (T0, 0)
    clock.now(); // (T0, 1)
    // Equal ms on both sides: max counter + 1.
    expect(clock.observe(stampOf(T0, 9))).toBe(stampOf(T0, 10));
    expect(clock.observe(stampOf(T0, 3))).toBe(stampOf(T0, 11));
    // Remote behind, local ahead of wall: local counter + 1.
    expect(clock.observe(stampOf(T0 - 50, 4000))).toBe(stampOf(T0, 12));
    // Wall ahead of both: wall with counter 0.
    c.ms = T0 + 10;
    expect(clock.observe(stampOf(T0 + 3, 7))).toBe(stampOf(T0 + 10, 0));
    // A remote at the end of its millisecond pushes us into the next one.
    const c2 = fakeClock();
    const other = new HybridClock({ nodeId: 2, wallClockMs: c2.read, overflowWallReadsMax: 5 });
    expect(other.observe(stampOf(T0 + 100, COUNTER_MAX))).toBe(stampOf(T0 + 101, 0));
    expect(other.stats().counterOverflowWaits).toBe(1);
    expect(codeOf(() => other.observe(-5))).toBe('22023');
  });

  it('continues above its floor stamp after a restart', () => {
    const c = fakeClock();
    const floor = stampOf(T0 + 60_000, 99); // issued before a restart with a clock that was ahead
    const clock = new HybridClock({ nodeId: 1, wallClockMs: c.read, floorStamp: floor });
    expect(clock.lastStamp()).toBe(floor);
    expect(clock.now()).toBe(floor + 1);
  });

  it('counts a warning when the counter passes the threshold', () => {
    const c = fakeClock();
    const clock = new HybridClock({ nodeId: 1, wallClockMs: c.read });
    for (let i = 0; i <= COUNTER_WARN_THRESHOLD; i++) clock.now();
    expect(clock.stats().counterWarnings).toBe(0);
    clock.now();
    clock.now();
    expect(clock.stats().counterWarnings).toBe(1);
    c.ms++;
    clock.observe(stampOf(c.ms, 3500));
    expect(clock.stats().counterWarnings).toBe(2);
  });

  it('orders events causally between two nodes with skewed clocks', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -3000, max: 3000 }),
        fc.array(fc.tuple(fc.nat(3), fc.nat(2)), { minLength: 1, maxLength: 300 }),
        (skew, events) => {
          let now = T0;
          const a = new HybridClock({ nodeId: 1, wallClockMs: () => now });
          const b = new HybridClock({ nodeId: 2, wallClockMs: () => now + skew });
          const clocks = [a, b];
          const inbox: number[][] = [[], []];
          const floorOf = [-1, -1]; // the newest stamp each node received
          for (const [op, dt] of events) {
            now += dt;
            const who = op & 1;
            if (op < 2) {
              const s = clocks[who].now();
              expect(s).toBeGreaterThan(floorOf[who]);
              inbox[1 - who].push(s);
            } else if (inbox[who].length > 0) {
              const msg = inbox[who].shift()!;
              const recv = clocks[who].observe(msg);
              expect(recv).toBeGreaterThan(msg);
              floorOf[who] = Math.max(floorOf[who], msg);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
