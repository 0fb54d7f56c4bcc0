// A torn write at the end of a WAL segment while the next segment already
// exists (preallocated ahead of need once the current one is half full, or
// created by a restart) is a torn tail, not corruption: no record was ever
// written to a later segment before every write to this one had completed,
// so a later segment that holds no record proves the damaged bytes were never
// acknowledged. Replay cuts them off and the database opens. A damaged record
// followed by a later segment that does hold records stays corruption.
import { describe, expect, it } from 'vitest';
import { MemoryPlatform } from '../../host/platform/memory.ts';
import { replayWal, segmentName, Wal } from '../../host/storage/wal.ts';
import { SbError } from '../../host/engine/sb_error.ts';

const SEGMENT = 4096;

function record(tag: number): Uint8Array {
  const r = new Uint8Array(8 + 64);
  const dv = new DataView(r.buffer);
  dv.setUint32(0, 64, true);
  dv.setUint32(4, 0xc0ffee ^ tag, true); // the "checksum" this test's apply checks
  dv.setUint32(8, tag, true);
  return r;
}

/** Replays, accepting a record only when its fake checksum matches its tag (as the kernel's CRC check would). */
async function replayTags(platform: MemoryPlatform): Promise<{ tags: number[]; torn: number; last: number }> {
  const tags: number[] = [];
  const r = await replayWal(platform, '/w', 1, (rec) => {
    const dv = new DataView(rec.buffer, rec.byteOffset, rec.byteLength);
    if (rec.byteLength !== 72 || dv.getUint32(4, true) !== (0xc0ffee ^ dv.getUint32(8, true))) return false;
    tags.push(dv.getUint32(8, true));
    return true;
  });
  return { tags, torn: r.tornBytes, last: r.lastSegment };
}

/** Writes records 1..n to segment 1 (the spare, segment 2, gets created half way) and returns where the next would go. */
async function fill(platform: MemoryPlatform, n: number): Promise<number> {
  await platform.mkdirp('/w');
  const wal = await Wal.create(platform, '/w', 1, SEGMENT);
  for (let i = 1; i <= n; i++) await wal.append(record(i), () => {});
  const end = wal.end;
  expect(end.segment).toBe(1);
  await wal.close();
  return end.offset;
}

async function writeAt(platform: MemoryPlatform, segment: number, at: number, bytes: Uint8Array): Promise<void> {
  const f = await platform.openFile(`/w/${segmentName(segment)}`, 'readwrite');
  await f.write(bytes, at);
  await f.sync();
  await f.close();
}

describe('WAL replay: a torn tail before an empty spare segment', () => {
  it('cuts the torn record and opens, the spare segment being empty', async () => {
    const platform = new MemoryPlatform({ seed: 3 });
    const end = await fill(platform, 40); // 40 * 72 bytes: past half of the 4 KiB segment
    expect((await platform.listDir('/w')).sort()).toEqual([segmentName(1), segmentName(2)]);
    // Record 41 was being written when the machine died: its header landed, its payload did not.
    const torn = record(41).subarray(0, 8);
    await writeAt(platform, 1, end, torn);
    const first = await replayTags(platform);
    expect(first.tags).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(first.torn).toBeGreaterThan(0);
    expect(first.last).toBe(2);
    // The cut is durable: a second replay sees a clean log with the same records.
    const second = await replayTags(platform);
    expect(second.tags).toEqual(first.tags);
    expect(second.torn).toBe(0);
  });

  it('still calls a damaged record corruption when a later segment holds records', async () => {
    const platform = new MemoryPlatform({ seed: 4 });
    const end = await fill(platform, 40);
    await writeAt(platform, 1, end, record(41).subarray(0, 8));
    // Segment 2 holds a record: segment 1's writes had all completed before it was written, so the damage is real.
    await writeAt(platform, 2, 32, record(42));
    await expect(replayTags(platform)).rejects.toSatisfy((e: unknown) => e instanceof SbError && /damaged record/.test(e.message));
  });
});
