import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { COUNTER_MAX, EPOCH_MS, HybridClock, STAMP_MAX, stampFromId, stampOf } from '../../host/engine/ids/hlc.ts';
import {
  compareIds,
  idCounter,
  idFromStamp,
  idFromString,
  IdGenerator,
  idNodeId,
  idTimestampMs,
  idToString,
  isUuidV7,
  maxIdForStamp,
  minIdForStamp,
  uuidFromString,
  uuidToString,
} from '../../host/engine/ids/uuidv7.ts';
import { SbError } from '../../host/engine/sb_error.ts';

const T0 = Date.UTC(2025, 5, 1, 12, 0, 0);

/** Deterministic random bytes (xorshift32). */
function seededRandom(seed: number) {
  let x = seed >>> 0 || 1;
  return (buf: Uint8Array) => {
    for (let i = 0; i < buf.length; i++) {
      x ^= x << 13;
      x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5;
      x >>>= 0;
      buf[i] = x & 0xff;
    }
  };
}

function generator(nodeId: number, wall: () => number, seed = nodeId, overflowWallReadsMax?: number) {
  const opts = overflowWallReadsMax === undefined ? {} : { overflowWallReadsMax };
  return new IdGenerator(new HybridClock({ nodeId, wallClockMs: wall, ...opts }), seededRandom(seed));
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

describe('IdGenerator', () => {
  it('lays out the RFC 9562 fields', () => {
    const gen = generator(0xbeef, () => T0);
    for (let i = 0; i < 5000; i++) {
      const { id, stamp } = gen.nextWithStamp();
      expect(id.length).toBe(16);
      expect(id[6] >>> 4).toBe(7); // version
      expect(id[8] >>> 6).toBe(0b10); // variant
      expect(isUuidV7(id)).toBe(true);
      expect(idNodeId(id)).toBe(0xbeef);
      expect(idTimestampMs(id)).toBe(T0 + Math.floor(i / (COUNTER_MAX + 1))); // a frozen clock: the counter overflows
      expect(idCounter(id)).toBe(i % (COUNTER_MAX + 1));
      expect(stampFromId(id)).toBe(stamp);
      const text = idToString(id);
      expect(text).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(idFromString(text)).toEqual(id);
    }
  });

  it('round-trips every node id through the layout', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 0xffff }), fc.integer({ min: 0, max: 2 ** 31 }), (node, seed) => {
        const id = generator(node, () => T0, seed).next();
        expect(idNodeId(id)).toBe(node);
        expect(isUuidV7(id)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('is strictly increasing over 100k ids with a frozen clock', () => {
    const gen = generator(42, () => T0, 42, 20);
    let prev = gen.next();
    for (let i = 1; i < 100_000; i++) {
      const id = gen.next();
      if (compareIds(prev, id) >= 0) throw new Error(`id ${idToString(id)} not after ${idToString(prev)}`);
      prev = id;
    }
    expect(gen.clock.stats().counterOverflowAdvances).toBeGreaterThan(0);
  });

  it('is strictly increasing over 100k ids with a jittery clock', () => {
    const rnd = seededRandom(99);
    const b = new Uint8Array(2);
    let base = T0;
    const wall = () => {
      rnd(b);
      if (b[0] < 3) base++;
      return base + (b[1] % 31) - 15;
    };
    const gen = generator(9, wall);
    const out = new Uint8Array(16 * 100_000);
    for (let i = 0; i < 100_000; i++) gen.nextInto(out, 16 * i);
    for (let i = 1; i < 100_000; i++) {
      if (compareIds(out.subarray(16 * (i - 1), 16 * i), out.subarray(16 * i, 16 * i + 16)) >= 0) {
        throw new Error(`not increasing at ${i}`);
      }
    }
  });

  it('orders ids by bytes exactly as by (ms, counter)', () => {
    let t = T0;
    const gens = [1, 2, 3].map((n) => generator(n, () => t));
    const ids: Uint8Array[] = [];
    const rnd = seededRandom(5);
    const b = new Uint8Array(1);
    for (let i = 0; i < 20_000; i++) {
      rnd(b);
      if (b[0] < 20) t += b[0] % 3;
      ids.push(gens[b[0] % 3].next());
    }
    const byBytes = [...ids].sort(compareIds);
    for (let i = 1; i < byBytes.length; i++) {
      const [x, y] = [byBytes[i - 1], byBytes[i]];
      const mx = idTimestampMs(x);
      const my = idTimestampMs(y);
      expect(mx < my || (mx === my && idCounter(x) <= idCounter(y))).toBe(true);
      expect(stampFromId(x)).toBeLessThanOrEqual(stampFromId(y));
    }
  });

  it('orders ids causally between two nodes exchanging them', () => {
    let now = T0;
    const a = generator(1, () => now + 500); // a's clock runs ahead
    const b = generator(2, () => now);
    const rnd = seededRandom(7);
    const r = new Uint8Array(1);
    const inFlight: { to: IdGenerator; id: Uint8Array }[] = [];
    const lastReceived = new Map<IdGenerator, Uint8Array>();
    for (let i = 0; i < 20_000; i++) {
      rnd(r);
      now += r[0] & 1;
      const g = r[0] & 2 ? a : b;
      if (r[0] & 4 && inFlight.length > 0) {
        const msg = inFlight.shift()!;
        msg.to.clock.observe(stampFromId(msg.id));
        lastReceived.set(msg.to, msg.id);
      } else {
        const id = g.next();
        const seen = lastReceived.get(g);
        // A message received is always older than anything generated after it.
        if (seen !== undefined) expect(compareIds(seen, id)).toBeLessThan(0);
        inFlight.push({ to: g === a ? b : a, id });
      }
    }
  });

  it('observes a remote id ahead of it', () => {
    const local = generator(1, () => T0);
    const remote = generator(2, () => T0 + 60_000);
    local.next();
    const theirs = remote.next();
    expect(compareIds(local.next(), theirs)).toBeLessThan(0);
    local.clock.observe(theirs);
    const mine = local.next();
    expect(compareIds(theirs, mine)).toBeLessThan(0);
    expect(idTimestampMs(mine)).toBe(T0 + 60_000);
    expect(idCounter(mine)).toBe(2); // receive event took counter 1
  });

  it('refills its random pool and uses the random source', () => {
    let calls = 0;
    const gen = new IdGenerator(new HybridClock({ nodeId: 1, wallClockMs: () => T0 }), (buf) => {
      calls++;
      buf.fill(0xff);
    });
    const id = gen.next();
    expect(id[10] & 0x3f).toBe(0x3f);
    expect(Array.from(id.subarray(11))).toEqual([255, 255, 255, 255, 255]);
    for (let i = 0; i < 1000; i++) gen.next();
    expect(calls).toBeGreaterThan(1);
    expect(calls).toBeLessThan(10);
  });
});

describe('ids from stamps', () => {
  const stampArb = fc.integer({ min: 0, max: STAMP_MAX });

  it('bounds every id of a stamp', () => {
    fc.assert(
      fc.property(stampArb, fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ minLength: 6, maxLength: 6 }), (s, node, r) => {
        const id = idFromStamp(s, node, r);
        expect(stampFromId(id)).toBe(s);
        expect(idNodeId(id)).toBe(node);
        expect(isUuidV7(id)).toBe(true);
        expect(compareIds(minIdForStamp(s), id)).toBeLessThanOrEqual(0);
        expect(compareIds(id, maxIdForStamp(s))).toBeLessThanOrEqual(0);
        if (s < STAMP_MAX) expect(compareIds(maxIdForStamp(s), minIdForStamp(s + 1))).toBeLessThan(0);
      }),
      { numRuns: 3000 },
    );
  });

  it('orders ids of different stamps by stamp', () => {
    fc.assert(
      fc.property(stampArb, stampArb, fc.integer({ min: 0, max: 0xffff }), fc.integer({ min: 0, max: 0xffff }), (s1, s2, n1, n2) => {
        const c = compareIds(idFromStamp(s1, n1, 'max'), idFromStamp(s2, n2, 'min'));
        if (s1 !== s2) expect(c).toBe(Math.sign(s1 - s2));
        else expect(c).toBe(n1 < n2 ? -1 : 1);
      }),
      { numRuns: 3000 },
    );
  });

  it('maps the stamp range to the right milliseconds', () => {
    expect(idTimestampMs(minIdForStamp(0))).toBe(EPOCH_MS);
    expect(idCounter(maxIdForStamp(STAMP_MAX))).toBe(COUNTER_MAX);
    expect(idTimestampMs(idFromStamp(stampOf(T0, 5), 1))).toBe(T0);
    expect(codeOf(() => idFromStamp(-1, 1))).toBe('22023');
    expect(codeOf(() => idFromStamp(0, 70000))).toBe('22023');
    // An id from 2019 (a foreign UUIDv7) has no stamp.
    const old = idFromStamp(0, 1);
    const ms = BigInt(EPOCH_MS - 1);
    for (let i = 0; i < 6; i++) old[i] = Number((ms >> BigInt(8 * (5 - i))) & 0xffn);
    expect(idTimestampMs(old)).toBe(EPOCH_MS - 1);
    expect(codeOf(() => stampFromId(old))).toBe('22008');
  });
});

describe('UUID text', () => {
  it('accepts PostgreSQL input forms', () => {
    const canonical = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
    for (const s of [
      'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
      '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}',
      'a0eebc999c0b4ef8bb6d6bb9bd380a11',
      'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11',
      '{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}',
    ]) {
      expect(uuidToString(uuidFromString(s))).toBe(canonical);
    }
  });

  it('rejects malformed text with 22P02', () => {
    for (const s of [
      '',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a111',
      'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1g',
      '-a0eebc999c0b4ef8bb6d6bb9bd380a11',
      'a0eebc999c0b4ef8bb6d6bb9bd380a11-',
      'a0eeb-c999c0b4ef8bb6d6bb9bd380a11',
      'a0ee--bc999c0b4ef8bb6d6bb9bd380a11',
      '{a0eebc999c0b4ef8bb6d6bb9bd380a11',
      ' a0eebc999c0b4ef8bb6d6bb9bd380a11',
    ]) {
      expect(codeOf(() => uuidFromString(s)), s).toBe('22P02');
    }
  });

  it('requires version 7 and the RFC variant for ids', () => {
    expect(codeOf(() => idFromString('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'))).toBe('22P02');
    expect(codeOf(() => idFromString('0190f0a0-0000-7000-c000-000000000001'))).toBe('22P02');
    expect(codeOf(() => idFromString('not an id'))).toBe('22P02');
    expect(idFromString('0190F0A0-0000-7000-8000-000000000001')[6]).toBe(0x70);
  });

  it('round-trips any 16 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (u) => {
        expect(uuidFromString(uuidToString(u))).toEqual(u);
      }),
      { numRuns: 2000 },
    );
  });
});
