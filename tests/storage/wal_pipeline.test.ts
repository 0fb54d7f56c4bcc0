// Pipelined group commit (host/storage/wal.ts): with more than one write in
// flight allowed, several batches are written at once, but acknowledged
// strictly in log order, and a failed batch takes every later one down with
// it (replay would stop at its hole). By default one batch is written at a
// time and every commit that arrives meanwhile joins the next one.
import { describe, expect, it } from 'vitest';
import { MemoryPlatform } from '../../host/platform/memory.ts';
import type { Platform, PlatformFile } from '../../host/platform/platform.ts';
import { replayWal, Wal, WAL_SYNC_WRITE_BYTES_MAX, WAL_WRITES_IN_FLIGHT_DEFAULT } from '../../host/storage/wal.ts';
import { SbError } from '../../host/engine/sb_error.ts';

/** A WAL file whose writes complete (or fail) only when the test says so. */
interface Gate {
  writes: Array<{ bytes: Uint8Array; release: (fail?: Error) => void }>;
}

function gatedPlatform(only?: string): { platform: Platform; gate: Gate; armed: { on: boolean } } {
  const mp = new MemoryPlatform({ seed: 7 });
  const gate: Gate = { writes: [] };
  const armed = { on: false };
  const platform = Object.create(mp) as Platform;
  void mp.mkdirp('/w');
  platform.openFile = async (path, mode, options): Promise<PlatformFile> => {
    const f = await mp.openFile(path, mode, options);
    if (!path.includes(only ?? 'wal-')) return f;
    const wrapped = Object.create(f) as PlatformFile;
    Object.defineProperty(wrapped, 'writeSync', { value: undefined });
    wrapped.write = (bytes: Uint8Array, position: number): Promise<void> => {
      if (!armed.on) return f.write(bytes, position);
      return new Promise<void>((resolve, reject) => {
        gate.writes.push({
          bytes: bytes.slice(),
          release: (fail) => (fail ? reject(fail) : f.write(bytes, position).then(resolve, reject)),
        });
      });
    };
    return wrapped;
  };
  return { platform, gate, armed };
}

/** A framed record as replay reads it: [u32 length][u32 crc (unchecked here)][payload]. */
function record(tag: number): Uint8Array {
  const r = new Uint8Array(8 + 4);
  const dv = new DataView(r.buffer);
  dv.setUint32(0, 4, true);
  dv.setUint32(8, tag, true);
  return r;
}

const ticks = async (n = 50): Promise<void> => {
  for (let i = 0; i < n; i++) await new Promise<void>((r) => setImmediate(r));
};

/** Appends a record and waits until its batch's write has started. */
async function appendIssued(wal: Wal, gate: Gate, tag: number, log: string[]): Promise<{ p: Promise<string> }> {
  const before = gate.writes.length;
  const p = wal.append(record(tag), () => log.push(`durable ${tag}`)).then(
    () => (log.push(`resolved ${tag}`), 'ok'),
    (e: unknown) => (log.push(`rejected ${tag}`), e instanceof SbError ? e.code : String(e)),
  );
  for (let i = 0; i < 200 && gate.writes.length === before; i++) await ticks(1);
  expect(gate.writes.length).toBe(before + 1);
  return { p };
}

/** Writes in flight in the pipelined tests. */
const PIPELINE = 4;

describe('WAL group commit, one write at a time (the default)', () => {
  it('writes one batch at a time; the commits that arrive meanwhile go together in the next', async () => {
    expect(WAL_WRITES_IN_FLIGHT_DEFAULT).toBe(1);
    const { platform, gate, armed } = gatedPlatform();
    const wal = await Wal.create(platform, '/w', 1, 64 << 10);
    armed.on = true;
    const log: string[] = [];
    const a = await appendIssued(wal, gate, 1, log);
    const rest = [2, 3, 4].map((t) => wal.append(record(t), () => log.push(`durable ${t}`)).then(() => 'ok'));
    await ticks();
    expect(gate.writes.length).toBe(1); // 2, 3 and 4 wait for the write in flight
    gate.writes[0]!.release();
    expect(await a.p).toBe('ok');
    for (let i = 0; i < 200 && gate.writes.length === 1; i++) await ticks(1);
    expect(gate.writes.length).toBe(2);
    expect(gate.writes[1]!.bytes.length).toBe(3 * record(0).length); // one write for the three
    await ticks();
    expect(gate.writes.length).toBe(2);
    gate.writes[1]!.release();
    expect(await Promise.all(rest)).toEqual(['ok', 'ok', 'ok']);
    expect(log).toEqual(['durable 1', 'resolved 1', 'durable 2', 'durable 3', 'durable 4']);
    expect(wal.stats).toMatchObject({ records: 4, batches: 2, overlapped: 0 });
    armed.on = false;
    await wal.close();
    const seen: number[] = [];
    await replayWal(platform, '/w', 1, (rec) => (seen.push(new DataView(rec.buffer, rec.byteOffset).getUint32(8, true)), true));
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('refuses a writes-in-flight count outside 1..16', async () => {
    const { platform } = gatedPlatform();
    for (const n of [0, 17, 1.5]) await expect(Wal.create(platform, '/w', 1, 64 << 10, n)).rejects.toThrow(/WAL writes in flight/);
  });
});

describe('WAL pipelined group commit', () => {
  it('writes batches at once but acknowledges them in log order', async () => {
    const { platform, gate, armed } = gatedPlatform();
    const wal = await Wal.create(platform, '/w', 1, 64 << 10, PIPELINE);
    armed.on = true;
    const log: string[] = [];
    const a = await appendIssued(wal, gate, 1, log);
    const b = await appendIssued(wal, gate, 2, log);
    const c = await appendIssued(wal, gate, 3, log);
    expect(gate.writes.length).toBe(3); // three writes in flight together
    gate.writes[2]!.release();
    gate.writes[1]!.release();
    await ticks();
    expect(log).toEqual([]); // 2 and 3 are durable, but 1 is not: nothing is acknowledged
    gate.writes[0]!.release();
    expect(await Promise.all([a.p, b.p, c.p])).toEqual(['ok', 'ok', 'ok']);
    // Every batch is marked durable, in log order, before any committer resumes.
    expect(log).toEqual(['durable 1', 'durable 2', 'durable 3', 'resolved 1', 'resolved 2', 'resolved 3']);
    await wal.idle();
    expect(wal.stats.records).toBe(3);
    armed.on = false;
    await wal.close();
    // The log holds the three records, in order, at their reserved places.
    const seen: number[] = [];
    await replayWal(platform, '/w', 1, (rec) => (seen.push(new DataView(rec.buffer, rec.byteOffset).getUint32(8, true)), true));
    expect(seen).toEqual([1, 2, 3]);
  });

  it(`keeps at most ${PIPELINE} writes in flight`, async () => {
    const { platform, gate, armed } = gatedPlatform();
    const wal = await Wal.create(platform, '/w', 1, 64 << 10, PIPELINE);
    armed.on = true;
    const log: string[] = [];
    const ps: Array<Promise<string>> = [];
    for (let i = 0; i < PIPELINE; i++) ps.push((await appendIssued(wal, gate, i, log)).p);
    // The next commit queues until a write completes.
    ps.push(wal.append(record(99), () => log.push('durable 99')).then(() => 'ok'));
    await ticks();
    expect(gate.writes.length).toBe(PIPELINE);
    gate.writes[0]!.release();
    for (let i = 0; i < 200 && gate.writes.length === PIPELINE; i++) await ticks(1);
    expect(gate.writes.length).toBe(PIPELINE + 1);
    for (const w of gate.writes.slice(1)) w.release();
    expect(await Promise.all(ps)).toEqual(ps.map(() => 'ok'));
    expect(log.filter((l) => l.startsWith('durable')).at(-1)).toBe('durable 99');
    armed.on = false;
    await wal.close();
  });

  it('a failed batch fails every later one and poisons the log; earlier ones are acknowledged', async () => {
    const { platform, gate, armed } = gatedPlatform();
    const wal = await Wal.create(platform, '/w', 1, 64 << 10, PIPELINE);
    armed.on = true;
    const log: string[] = [];
    const a = await appendIssued(wal, gate, 1, log);
    const b = await appendIssued(wal, gate, 2, log);
    const c = await appendIssued(wal, gate, 3, log);
    gate.writes[2]!.release(); // durable, but after the failing one
    gate.writes[1]!.release(Object.assign(new Error('EIO: injected'), { code: 'EIO' }));
    await ticks();
    gate.writes[0]!.release();
    expect(await Promise.all([a.p, b.p, c.p])).toEqual(['ok', '58030', '58030']);
    expect(log).not.toContain('durable 3');
    expect(log).not.toContain('durable 2');
    expect(wal.failed?.code).toBe('58030');
    await expect(wal.append(record(4), () => {})).rejects.toMatchObject({ code: '58030' });
    await wal.idle();
  });

  it('a boundary task waits until no write is in flight', async () => {
    const { platform, gate, armed } = gatedPlatform();
    const wal = await Wal.create(platform, '/w', 1, 64 << 10, PIPELINE);
    armed.on = true;
    const log: string[] = [];
    const a = await appendIssued(wal, gate, 1, log);
    const end = wal.end.offset;
    let ranAt = -1;
    const boundary = wal.runAtBoundary(() => {
      ranAt = wal.end.offset;
      log.push('boundary');
    });
    await ticks();
    expect(log).toEqual([]);
    gate.writes[0]!.release();
    await boundary;
    expect(await a.p).toBe('ok');
    expect(log.indexOf('boundary')).toBeGreaterThan(log.indexOf('durable 1'));
    expect(ranAt).toBe(end);
    armed.on = false;
    await wal.close();
  });

  it('switches segments only once the writes to the full one have completed', async () => {
    const { platform, gate, armed } = gatedPlatform('wal-000000000001.log');
    // Room for two 12-byte records after the 32-byte header.
    const wal = await Wal.create(platform, '/w', 1, 64, PIPELINE);
    armed.on = true;
    const log: string[] = [];
    const a = await appendIssued(wal, gate, 1, log);
    const b = await appendIssued(wal, gate, 2, log);
    const c = wal.append(record(3), () => log.push('durable 3'));
    await ticks();
    expect(wal.end.segment).toBe(1);
    expect(log).toEqual([]);
    gate.writes[1]!.release();
    gate.writes[0]!.release();
    await c;
    expect(await Promise.all([a.p, b.p])).toEqual(['ok', 'ok']);
    expect(wal.end.segment).toBe(2);
    expect(log.filter((l) => l.startsWith('durable'))).toEqual(['durable 1', 'durable 2', 'durable 3']);
    armed.on = false;
    await wal.close();
    const seen: number[] = [];
    await replayWal(platform, '/w', 1, (rec) => (seen.push(new DataView(rec.buffer, rec.byteOffset).getUint32(8, true)), true));
    expect(seen).toEqual([1, 2, 3]);
  });
});

describe('WAL lone commits on a quiet log', () => {
  /** A dataSync file that counts synchronous and asynchronous writes by size. */
  async function countingWal(): Promise<{ wal: Wal; platform: Platform; seen: Array<{ how: 'sync' | 'async'; bytes: number }> }> {
    const mp = new MemoryPlatform({ seed: 3 });
    await mp.mkdirp('/w');
    const seen: Array<{ how: 'sync' | 'async'; bytes: number }> = [];
    const platform = Object.create(mp) as Platform;
    platform.openFile = async (path, mode, options): Promise<PlatformFile> => {
      const f = await mp.openFile(path, mode, options);
      if (!path.includes('wal-')) return f;
      const wrapped = Object.create(f) as PlatformFile;
      Object.defineProperty(wrapped, 'syncsOnWrite', { value: true });
      wrapped.write = (bytes, position) => (seen.push({ how: 'async', bytes: bytes.length }), f.write(bytes, position).then(() => f.sync()));
      wrapped.writeSync = (bytes, position) => {
        seen.push({ how: 'sync', bytes: bytes.length });
        void f.write(bytes, position);
      };
      return wrapped;
    };
    const wal = await Wal.create(platform, '/w', 1, 1 << 20, PIPELINE);
    wal.isQuiet = () => true;
    seen.length = 0; // the segment's header and preallocation
    return { wal, platform, seen };
  }

  function bigRecord(payload: number, tag: number): Uint8Array {
    const r = new Uint8Array(8 + payload);
    const dv = new DataView(r.buffer);
    dv.setUint32(0, payload, true);
    dv.setUint32(8, tag, true);
    return r;
  }

  it(`writes a small one synchronously and one over ${WAL_SYNC_WRITE_BYTES_MAX} bytes through the thread pool`, async () => {
    const { wal, platform, seen } = await countingWal();
    await wal.append(record(1), () => {});
    await wal.append(bigRecord(WAL_SYNC_WRITE_BYTES_MAX + 100, 2), () => {});
    await wal.append(record(3), () => {});
    expect(seen.map((w) => w.how)).toEqual(['sync', 'async', 'sync']);
    await wal.close();
    const seenTags: number[] = [];
    await replayWal(platform, '/w', 1, (rec) => (seenTags.push(new DataView(rec.buffer, rec.byteOffset).getUint32(8, true)), true));
    expect(seenTags).toEqual([1, 2, 3]);
  });
});
