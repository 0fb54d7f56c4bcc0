// Allocator and memory limits (through the exports), and CRC32C.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Kernel, ST, LATEST, crc32cRef, enc, numKey } from './harness.ts';

describe('allocator', () => {
  it('io_buffer grows, keeps its contents, and is reused for smaller requests', () => {
    const k = Kernel.storage();
    const p1 = k.x.io_buffer(100);
    expect(p1).toBeGreaterThan(0);
    expect(p1 % 16).toBe(0);
    k.u8().set(enc('hello'), p1);
    expect(k.x.io_buffer(50)).toBe(p1);
    const pagesBefore = k.x.mem_pages();
    const p2 = k.x.io_buffer(8 << 20); // 8 MiB: a large block, forces growth
    expect(p2).toBeGreaterThan(0);
    expect(p2 % 16).toBe(0);
    expect(k.x.mem_pages()).toBeGreaterThan(pagesBefore);
    expect(k.x.mem_pages() * 65536).toBeGreaterThanOrEqual(p2 + (8 << 20));
    expect(new TextDecoder().decode(k.copyOut(p2, 5))).toBe('hello');
    expect(k.x.mem_allocated()).toBeGreaterThanOrEqual(8 << 20);
  });

  it('mem_allocated returns to its level after memory is freed', () => {
    const k = Kernel.storage();
    k.put(k.begin(1), 'a', 'b'); // settle lazily allocated structures
    const base = k.x.mem_allocated();
    const it = k.open({});
    expect(k.x.mem_allocated()).toBeGreaterThan(base);
    k.x.iter_close(it);
    expect(k.x.mem_allocated()).toBe(base);
  });

  it('opening and closing iterators many times does not grow memory', () => {
    const k = Kernel.storage();
    const s = k.begin(1);
    for (let i = 0; i < 200; i++) expect(k.put(s, numKey(i), 'v' + i)).toBe(ST.OK);
    k.commit(s, 2);
    k.freezeAndFlush({ blockTarget: 512 });
    for (let i = 200; i < 300; i++) expect(k.put(k.begin(3), numKey(i), 'w')).toBe(ST.OK);
    // Warm up: first iterators allocate the free lists they will reuse.
    for (let i = 0; i < 5; i++) expect(k.scan({ lo: enc(numKey(i * 10)), batchRows: 7 }).length).toBeGreaterThan(0);
    const pages = k.x.mem_pages();
    const allocated = k.x.mem_allocated();
    for (let i = 0; i < 2000; i++) {
      const it = k.open({ lo: enc(numKey(i % 190)), reverse: i % 2 === 1, hi: enc(numKey(195)) });
      expect(it).toBeGreaterThan(0);
      const b = k.nextBatch(it, 3);
      expect(Array.isArray(b) && b.length).toBe(3);
      k.x.iter_close(it);
    }
    expect(k.x.mem_pages()).toBe(pages);
    expect(k.x.mem_allocated()).toBe(allocated);
  });

  it('freed large blocks are reused by later large allocations (coalesced holes)', () => {
    const k = Kernel.storage();
    const row = (i: number, val: string): void => {
      const t = k.begin(1);
      expect(k.put(t, numKey(i), val)).toBe(ST.OK);
      k.commit(t, 2);
    };
    row(-1, 'first'); // the memtable's first 1 MiB arena chunk comes from the heap top
    k.x.io_buffer(1 << 20);
    k.x.io_buffer(2 << 20); // frees the 1 MiB block
    k.x.io_buffer(4 << 20); // frees the 2 MiB block: one coalesced hole of about 3 MiB
    const val = 'v'.repeat(1000);
    row(-2, val); // small blocks (the WAL record buffer...) come from the heap top, growing memory once
    const pages = k.x.mem_pages();
    // About 2.5 MiB of versions: two more 1 MiB arena chunks, which must fit in the hole.
    for (let i = 0; i < 2500; i++) row(i, val);
    // ~2.5 MiB of versions in use (three arena chunks reserved) plus the
    // memtable's point-lookup hash index (8 bytes a slot).
    const bytes = k.x.lsm_active_bytes();
    expect(bytes).toBeGreaterThanOrEqual(2.5 * (1 << 20));
    expect(bytes).toBeLessThanOrEqual((3 << 20) + 8192 * 8);
    expect(k.x.mem_pages()).toBe(pages);
    expect(k.get(numKey(2499))).toBe(val);
  });

  it('reports out-of-memory as ST.ERR_NOMEM (not a trap) and keeps working afterwards', () => {
    const k = Kernel.storage();
    // Warm up: a scan's blocks go back to the free lists, so a scan still fits once memory is full.
    const w = k.begin(1);
    for (let i = 0; i < 50; i++) k.put(w, 'warm' + i, 'x'.repeat(107));
    expect(k.scan({ slot: w, batchRows: 16 }).length).toBe(50);
    k.x.tx_abort(w);
    k.x.mem_set_limit_pages(k.x.mem_pages() + 40); // about 2.5 MiB more
    const written: string[] = [];
    let st: number = ST.OK;
    let i = 0;
    const val = 'x'.repeat(100);
    for (; i < 1_000_000; i++) {
      const s = k.begin(1);
      // Scattered keys: splits happen all over the B+tree.
      const key = numKey((i * 7919) % 1_000_003, 7);
      st = k.put(s, key, val + key);
      if (st !== ST.OK) {
        k.x.tx_abort(s);
        break;
      }
      k.commit(s, 2);
      written.push(key);
    }
    expect(st).toBe(ST.ERR_NOMEM);
    expect(written.length).toBeGreaterThan(1000);
    // A failed put must leave nothing visible and the tree intact.
    for (const key of written) expect(k.get(key)).toBe(val + key);
    expect(k.get(numKey((i * 7919) % 1_000_003, 7))).toBeNull();
    const rows = k.scan({ batchRows: 16 });
    expect(rows.length).toBe(written.length);
    // Further puts keep failing cleanly (or succeed), never trap.
    for (let j = 0; j < 200; j++) {
      const s = k.begin(3);
      const r = k.put(s, numKey(2_000_000 + j * 13, 7), val);
      expect([ST.OK, ST.ERR_NOMEM]).toContain(r);
      k.x.tx_abort(s);
    }
    for (const key of written.slice(0, 500)) expect(k.get(key)).toBe(val + key);
    expect(k.scan({ batchRows: 16 }).length).toBe(written.length);
    // Raising the limit lets work continue.
    k.x.mem_set_limit_pages(65536);
    const s = k.begin(4);
    expect(k.put(s, 'after', 'ok')).toBe(ST.OK);
    k.commit(s, 5);
    expect(k.get('after')).toBe('ok');
  });

  it('requests near 4 GiB fail with 0 instead of wrapping to a tiny block', () => {
    for (const size of [0xfffffff0, 0xffff0000, 0xfffe8000]) {
      const k = Kernel.storage();
      const t = k.begin(1);
      k.put(t, 'a', '1');
      const p = k.x.io_buffer(64);
      expect(k.x.io_buffer(size)).toBe(0);
      expect(k.x.io_buffer(64)).toBe(p); // the old buffer is intact
      // A later allocation must not overlap the io buffer.
      k.u8().fill(0xee, p, p + 64);
      const it = k.open({ slot: t });
      expect(it === 0 || it >= p + 64 || it + 64 <= p).toBe(true);
      expect(k.nextBatch(it, 10)).toEqual([{ key: enc('a'), val: enc('1') }]);
      k.x.iter_close(it);
    }
  });

  it('mem_set_limit_pages never shrinks below the current size', () => {
    const k = Kernel.storage();
    const pages = k.x.mem_pages();
    k.x.mem_set_limit_pages(1);
    expect(k.x.io_buffer(1000)).toBeGreaterThan(0); // small blocks still come from the current pages
    expect(k.x.io_buffer((pages + 1) * 65536)).toBe(0); // growth is refused
    expect(k.x.mem_pages()).toBe(pages);
    expect(k.get('nothing', LATEST)).toBeNull();
  });
});

describe('CRC32C', () => {
  function kernelCrc(k: Kernel, data: Uint8Array): number {
    const [p] = k.place(data);
    return k.x.crc32c_of(p!, data.length) >>> 0;
  }

  it('matches the standard check vectors', () => {
    const k = Kernel.storage();
    expect(kernelCrc(k, enc('123456789'))).toBe(0xe3069283);
    expect(kernelCrc(k, new Uint8Array(32))).toBe(0x8a9136aa);
    expect(kernelCrc(k, new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(kernelCrc(k, Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(kernelCrc(k, new Uint8Array(0))).toBe(0);
    expect(crc32cRef(enc('123456789'))).toBe(0xe3069283);
  });

  it('agrees with a bitwise reference on random data, lengths and alignments', () => {
    const k = Kernel.storage();
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.nat(15), (data, shift) => {
        const padded = new Uint8Array(shift + data.length);
        padded.set(data, shift);
        const [p] = k.place(padded);
        expect(k.x.crc32c_of(p! + shift, data.length) >>> 0).toBe(crc32cRef(data));
      }),
      { numRuns: 500 },
    );
  });

  it('is the same in mvcc.wasm', () => {
    const m = Kernel.mvcc();
    const p = m.x.io_buffer(9);
    m.u8().set(enc('123456789'), p);
    expect(m.x.crc32c_of(p, 9) >>> 0).toBe(0xe3069283);
  });

  it('the block checksum (XXH64, low 32 bits) matches the TypeScript reference on random data', async () => {
    const { checksum, hash64 } = await import('../../host/storage/checksum.ts');
    // Known XXH64 values (seed 0): empty input and "abc".
    expect(hash64(new Uint8Array(0))).toBe(0xef46db3751d8e999n);
    expect(hash64(enc('abc'))).toBe(0x44bc2cf5ad770999n);
    const k = Kernel.storage();
    for (const len of [0, 1, 3, 4, 7, 8, 31, 32, 33, 100, 1000, 4099]) {
      const data = new Uint8Array(len).map((_, i) => (i * 131 + len) & 0xff);
      const p = k.x.io_buffer(len + 8);
      k.u8().set(data, p);
      expect(k.x.checksum_of(p, len) >>> 0, `len ${len}`).toBe(checksum(data));
    }
  });
});
