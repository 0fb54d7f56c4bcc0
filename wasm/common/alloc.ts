// Kernel memory allocator: segregated free lists over linear memory.
//
// Why our own: AssemblyScript's runtimes abort the instance when memory.grow
// fails, and the kernels must report out-of-memory as a status instead. The
// kernels also never allocate managed objects, so all memory is ours.
//
// Layout: every block has a 16-byte header [u32 capacity][u32 tag][8 pad] so
// payloads stay 16-byte aligned (v128 loads). Small requests (<= SMALL_MAX)
// round up to one of 52 size classes (four steps per power of two) with a LIFO
// free list each; freed small blocks are reused only by their own class.
// Large requests take whole 64 KiB pages from an address-ordered free list
// (first fit, split, coalesced on free), or from the heap top.

// @ts-ignore: decorator
@inline const HEADER: usize = 16;
// @ts-ignore: decorator
@inline const TAG_LIVE: u32 = 0xa110c8ed; // small block: header word = payload capacity
// @ts-ignore: decorator
@inline const TAG_LARGE: u32 = 0xa110c8ee; // large block: header word = total bytes incl. header
// @ts-ignore: decorator
@inline const TAG_FREE: u32 = 0xf4eef4ee;
// @ts-ignore: decorator
@inline const SMALL_MAX: usize = 256 * 1024;
// @ts-ignore: decorator
@inline const PAGE: usize = 65536;
// @ts-ignore: decorator
@inline const CLASS_COUNT: i32 = 52;

const classHeads: usize = memory.data(CLASS_COUNT * 4, 16);

let heapTop: usize = 0;
let largeFree: usize = 0; // address-ordered list of free large blocks (header address)
let bytesInUse: usize = 0;
let memoryLimitPages: i32 = 65536;

// @ts-ignore: decorator
@inline function align(n: usize, a: usize): usize {
  return (n + a - 1) & ~(a - 1);
}

function ensureInit(): void {
  if (heapTop == 0) heapTop = align(__heap_base, 16);
}

/** Size class index of a payload size in (0, SMALL_MAX]. */
export function sizeClass(size: usize): i32 {
  if (size <= 128) return <i32>((size + 15) >> 4) - 1 + <i32>(size == 0);
  const lg = 31 - <i32>clz(<u32>(size - 1));
  const k = <i32>((size - (<usize>1 << lg) + (<usize>1 << (lg - 2)) - 1) >> (lg - 2));
  return 8 + (lg - 7) * 4 + (k - 1);
}

export function classSize(idx: i32): usize {
  if (idx < 8) return <usize>(idx + 1) << 4;
  const lg = 7 + (idx - 8) / 4;
  const k = (idx - 8) % 4 + 1;
  return (<usize>1 << lg) + (<usize>k << (lg - 2));
}

/** Grows memory to cover `end`; false when memory cannot grow. `end` is
 *  computed in u64 by the callers and must stay below 4 GiB: in usize it used
 *  to wrap (a huge request became a tiny one, handing out a block that
 *  overlapped live ones), and 65536 pages << 16 itself wrapped to 0. */
function reach(end: u64): bool {
  const have = <u64>memory.size() << 16;
  if (end <= have) return true;
  if (end >= (<u64>1 << 32)) return false;
  const need = <i32>((end - have + PAGE - 1) >> 16);
  const current = memory.size();
  if (current + need > memoryLimitPages) return false;
  // Grow geometrically to amortise, but never past the limit.
  let want = max(need, current >> 1);
  if (current + want > memoryLimitPages) want = need;
  if (memory.grow(want) < 0) {
    if (want == need || memory.grow(need) < 0) return false;
  }
  return true;
}

function bump(total: usize): usize {
  ensureInit();
  const block = heapTop;
  if (!reach(<u64>block + <u64>total)) return 0;
  heapTop = block + total;
  return block;
}

/** Allocates `size` bytes (16-byte aligned). Returns 0 when out of memory. */
export function alloc(size: usize): usize {
  if (size <= SMALL_MAX) {
    const idx = sizeClass(size);
    const cap = classSize(idx);
    const headSlot = classHeads + (<usize>idx << 2);
    let block = <usize>load<u32>(headSlot);
    if (block != 0) {
      store<u32>(headSlot, load<u32>(block + HEADER));
    } else {
      block = bump(HEADER + cap);
      if (block == 0) return 0;
    }
    store<u32>(block, <u32>cap);
    store<u32>(block, TAG_LIVE, 4);
    bytesInUse += cap;
    return block + HEADER;
  }
  return allocLarge(size);
}

function allocLarge(size: usize): usize {
  if (size > <usize>0xfffe0000) return 0; // the page-rounded total would not fit in 32 bits
  const total = align(size + HEADER, PAGE);
  // First fit in the address-ordered free list.
  let prev: usize = 0;
  let cur = largeFree;
  while (cur != 0) {
    const curSize = <usize>load<u32>(cur);
    const next = <usize>load<u32>(cur + 8);
    if (curSize >= total) {
      if (curSize - total >= PAGE) {
        // Split: the tail stays free.
        const rest = cur + total;
        store<u32>(rest, <u32>(curSize - total));
        store<u32>(rest, TAG_FREE, 4);
        store<u32>(rest + 8, <u32>next);
        linkLarge(prev, rest);
        store<u32>(cur, <u32>total);
      } else {
        linkLarge(prev, next);
      }
      store<u32>(cur, TAG_LARGE, 4);
      bytesInUse += <usize>load<u32>(cur);
      return cur + HEADER;
    }
    prev = cur;
    cur = next;
  }
  ensureInit();
  const start64 = (<u64>heapTop + <u64>(PAGE - 1)) & ~<u64>(PAGE - 1);
  if (!reach(start64 + <u64>total)) return 0;
  const start = <usize>start64;
  if (start > heapTop) freeGap(heapTop, start);
  heapTop = start + total;
  store<u32>(start, <u32>total);
  store<u32>(start, TAG_LARGE, 4);
  bytesInUse += total;
  return start + HEADER;
}

// The gap before a page-aligned large block is handed to the small classes so
// it is not lost.
function freeGap(from: usize, to: usize): void {
  let p = from;
  for (let idx = CLASS_COUNT - 1; idx >= 0; idx--) {
    const total = HEADER + classSize(idx);
    while (to - p >= total) {
      store<u32>(p, <u32>classSize(idx));
      store<u32>(p, TAG_LIVE, 4);
      bytesInUse += classSize(idx);
      free(p + HEADER);
      p += total;
    }
  }
}

// @ts-ignore: decorator
@inline function linkLarge(prev: usize, next: usize): void {
  if (prev == 0) largeFree = next;
  else store<u32>(prev + 8, <u32>next);
}

/** Returns a block to its free list. Freeing 0 is a no-op. */
export function free(ptr: usize): void {
  if (ptr == 0) return;
  const block = ptr - HEADER;
  const size = <usize>load<u32>(block);
  const tag = load<u32>(block, 4);
  bytesInUse -= size;
  if (tag == TAG_LIVE) {
    store<u32>(block, TAG_FREE, 4);
    const headSlot = classHeads + (<usize>sizeClass(size) << 2);
    store<u32>(block + HEADER, load<u32>(headSlot));
    store<u32>(headSlot, <u32>block);
    return;
  }
  if (tag != TAG_LARGE) unreachable(); // double free or wild pointer: a bug, not an operating error
  freeLarge(block, size);
}

function freeLarge(block: usize, size: usize): void {
  // Insert in address order, coalescing with neighbours.
  let prev: usize = 0;
  let cur = largeFree;
  while (cur != 0 && cur < block) {
    prev = cur;
    cur = <usize>load<u32>(cur + 8);
  }
  let start = block;
  let total = size;
  if (cur != 0 && block + size == cur) {
    total += <usize>load<u32>(cur);
    cur = <usize>load<u32>(cur + 8);
  }
  if (prev != 0 && prev + <usize>load<u32>(prev) == block) {
    start = prev;
    total += <usize>load<u32>(prev);
    // prev's predecessor keeps pointing at prev; only its size and next change.
    store<u32>(prev, <u32>total);
    store<u32>(prev + 8, <u32>cur);
    return;
  }
  store<u32>(start, <u32>total);
  store<u32>(start, TAG_FREE, 4);
  store<u32>(start + 8, <u32>cur);
  linkLarge(prev, start);
}

/** Capacity of an allocated block (>= the size asked for). */
export function blockCapacity(ptr: usize): usize {
  const size = <usize>load<u32>(ptr - HEADER);
  return load<u32>(ptr - HEADER, 4) == TAG_LARGE ? size - HEADER : size;
}

/** Resizes a block, copying its contents; returns 0 (old block intact) on OOM. */
export function realloc(ptr: usize, size: usize): usize {
  if (ptr == 0) return alloc(size);
  const cap = blockCapacity(ptr);
  if (size <= cap) return ptr;
  const next = alloc(size);
  if (next == 0) return 0;
  memory.copy(next, ptr, cap);
  free(ptr);
  return next;
}

export function allocatedBytes(): usize {
  return bytesInUse;
}

export function heapTopAddress(): usize {
  ensureInit();
  return heapTop;
}

/** Caps linear memory growth (pages of 64 KiB); the hard wasm32 cap is 65536. */
export function setMemoryLimitPages(pages: i32): void {
  memoryLimitPages = min(max(pages, memory.size()), 65536);
}
