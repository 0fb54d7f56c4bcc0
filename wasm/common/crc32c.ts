// CRC32C (Castagnoli, reflected polynomial 0x82F63B78), slicing-by-8.
// Every WAL record and every sorted-run block carries one.

const tables: usize = memory.data(8 * 256 * 4, 16);
let ready = false;

function init(): void {
  for (let i: u32 = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = (c & 1) != 0 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    store<u32>(tables + (<usize>i << 2), c);
  }
  for (let t: usize = 1; t < 8; t++) {
    for (let i: usize = 0; i < 256; i++) {
      const prev = load<u32>(tables + ((t - 1) << 10) + (i << 2));
      store<u32>(tables + (t << 10) + (i << 2), (prev >>> 8) ^ load<u32>(tables + (<usize>(prev & 0xff) << 2)));
    }
  }
  ready = true;
}

// @ts-ignore: decorator
@inline function tab(t: usize, i: u32): u32 {
  return load<u32>(tables + (t << 10) + (<usize>(i & 0xff) << 2));
}

/** Extends a CRC32C over len bytes at p (start with crc = 0). */
export function crc32cUpdate(crc: u32, p: usize, len: usize): u32 {
  if (!ready) init();
  let c = ~crc;
  let i: usize = 0;
  while (i + 8 <= len) {
    const lo = load<u32>(p + i) ^ c;
    const hi = load<u32>(p + i + 4);
    c = tab(7, lo) ^ tab(6, lo >>> 8) ^ tab(5, lo >>> 16) ^ tab(4, lo >>> 24) ^
        tab(3, hi) ^ tab(2, hi >>> 8) ^ tab(1, hi >>> 16) ^ tab(0, hi >>> 24);
    i += 8;
  }
  while (i < len) {
    c = (c >>> 8) ^ tab(0, c ^ <u32>load<u8>(p + i));
    i++;
  }
  return ~c;
}

export function crc32c(p: usize, len: usize): u32 {
  return crc32cUpdate(0, p, len);
}
