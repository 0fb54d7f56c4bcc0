// The sorted-run file format (format version RUN_FORMAT_VERSION).
//
//   [data block]* [index block] [bloom block] [meta block] [footer: 64 bytes]
//
// Data block (a lookup reads the front, then one entry):
//   u32 n (entries) | u32 0 (reserved) | u64 prefix[n] | u32 offset[n] |
//   entries | u32 checksum of all before it
// Entries are in (key ascending, stamp descending) order, each
//   u8 flags | varint keyLen | varint valLen | u64 stamp | key | value
// and offsets count from the first entry. prefix[i] is entry i's first 8 key
// bytes as a big-endian u64 (for binary search).
// Version 2 dropped version 1's in-block hash buckets (u16 bucket[nb] after
// the count, nb in the reserved word): a bucket answered only about half the
// lookups (the rest collided) and bucket-then-search was slower than the
// binary search alone (docs/benchmarks.md section 3).
// Index block: per data block: varint keyLen | last key | u64 last stamp |
//   u64 file offset | u32 size; then u32 count, u32 checksum.
// Bloom block: u32 blocks | u32 bits per key | blocks × 32 bytes | u32 checksum.
// Meta block: u64 entries | u64 keys | u64 tombstones | u64 min stamp |
//   u64 max stamp | u64 data bytes | u32 first key len | u32 last key len |
//   first key | last key | u32 checksum.
// Footer: u64 magic | u32 format version | u32 flags | u64 index offset |
//   u32 index len | u32 bloom len | u64 bloom offset | u64 meta offset |
//   u32 meta len | u32 block count | u32 reserved | u32 checksum of bytes 0..59.
// All integers little-endian. Every "checksum" is common/checksum.ts (XXH64,
// low 32 bits) over the bytes before it.

export const RUN_MAGIC: u64 = 0x314e55524253; // "SBRUN1" read as a little-endian u64
export const RUN_FORMAT_VERSION: u32 = 2;
export const FOOTER_SIZE: i32 = 64;

/** Entry flag: the version is a tombstone. */
export const EF_TOMBSTONE: u8 = 1;
