// WAL commit records: built from a transaction's write list at commit, and
// replayed into the memtable at recovery.
//
//   u32 payload length | u32 checksum(payload) (common/checksum.ts) | payload
//   payload: u8 type (1 = commit) | 16-byte transaction id | u64 commit stamp |
//            u32 op count | ops
//   op: u8 kind (1 = put, 2 = delete) | varint key length | varint value length | key | value
//
// Only versions that survived savepoint rollbacks are logged. Uncommitted
// work never reaches the WAL, so recovery is redo-only.

import { bufAppend, bufLen, bufPtr, bufReserve, bufSetLen } from '../common/buf';
import { getVarint, putVarint, varintLen, varintSize } from '../common/bytes';
import { checksum } from '../common/checksum';
import { setResultF64, setResultU32 } from '../common/result';
import { ST_ERR_CORRUPT, ST_ERR_FORMAT, ST_ERR_NOMEM, ST_OK } from '../common/status';
import { V_FLAGS, V_HEADER, V_KEYLEN, V_STAMP, V_VALLEN, VF_ABORTED, VF_COMMITTED, VF_MOVED, VF_TOMBSTONE } from '../mvcc/version';
import { tipWriteCount, tipWrites } from '../mvcc/tip';
import { active, seq } from './lsm';
import { mtAdd, mtNewVersion } from './memtable';

export const REC_COMMIT: u8 = 1;
export const OP_KIND_PUT: u8 = 1;
export const OP_KIND_DELETE: u8 = 2;

const walBuf: usize = memory.data(12, 16);

/**
 * Builds the commit record of transaction `slot` (id at txnId, 16 bytes).
 * Result: u32 0 = record pointer, u32 1 = length, u32 2 = op count.
 */
export function walBuildCommit(slot: u32, txnId: usize, stamp: u64): i32 {
  const list = tipWrites(slot);
  const n = tipWriteCount(slot);
  let size: u64 = 8 + 1 + 16 + 8 + 4;
  let ops: u32 = 0;
  for (let i: u32 = 0; i < n; i++) {
    const v = <usize>load<u32>(list + (<usize>i << 2));
    if ((load<u8>(v, V_FLAGS) & (VF_ABORTED | VF_MOVED)) != 0) continue;
    const kl = load<u32>(v, V_KEYLEN);
    const vl = load<u32>(v, V_VALLEN);
    size += <u64>(1 + varintSize(kl) + varintSize(vl)) + <u64>kl + <u64>vl;
    ops++;
  }
  if (size > 0xf0000000) return ST_ERR_NOMEM;
  bufSetLen(walBuf, 0);
  if (!bufReserve(walBuf, <u32>size)) return ST_ERR_NOMEM;
  const base = bufPtr(walBuf);
  let p = base + 8;
  store<u8>(p, REC_COMMIT);
  memory.copy(p + 1, txnId, 16);
  store<u64>(p + 17, stamp);
  store<u32>(p + 25, ops);
  p += 29;
  for (let i: u32 = 0; i < n; i++) {
    const v = <usize>load<u32>(list + (<usize>i << 2));
    const f = load<u8>(v, V_FLAGS);
    if ((f & (VF_ABORTED | VF_MOVED)) != 0) continue;
    const kl = load<u32>(v, V_KEYLEN);
    const vl = load<u32>(v, V_VALLEN);
    store<u8>(p, (f & VF_TOMBSTONE) != 0 ? OP_KIND_DELETE : OP_KIND_PUT);
    p += 1;
    p += <usize>putVarint(p, kl);
    p += <usize>putVarint(p, vl);
    // Key and value are adjacent in the version and in the record: one copy.
    memory.copy(p, v + V_HEADER, <usize>kl + <usize>vl);
    p += <usize>kl + <usize>vl;
  }
  const payload = <u32>(p - base - 8);
  store<u32>(base, payload);
  store<u32>(base + 4, checksum(base + 8, <usize>payload));
  bufSetLen(walBuf, <u32>(p - base));
  setResultU32(0, <u32>base);
  setResultU32(1, <u32>(p - base));
  setResultU32(2, ops);
  return ST_OK;
}

/**
 * Verifies and replays one record (header included) into the active memtable
 * as committed versions. ST_ERR_CORRUPT for a bad checksum or a malformed
 * record: recovery stops there. Result: f64 0 = commit stamp, u32 0 = ops.
 */
export function walApply(rec: usize, len: u32): i32 {
  if (len < 8) return ST_ERR_CORRUPT;
  const payload = load<u32>(rec);
  if (<u64>payload + 8 != <u64>len) return ST_ERR_CORRUPT;
  if (checksum(rec + 8, <usize>payload) != load<u32>(rec + 4)) return ST_ERR_CORRUPT;
  let p = rec + 8;
  const end = p + <usize>payload;
  if (payload < 29) return ST_ERR_CORRUPT;
  if (load<u8>(p) != REC_COMMIT) return ST_ERR_FORMAT;
  const stamp = load<u64>(p + 17);
  const ops = load<u32>(p + 25);
  p += 29;
  // Validate the whole record before applying any of it.
  let q = p;
  for (let i: u32 = 0; i < ops; i++) {
    if (q + 1 > end) return ST_ERR_CORRUPT;
    const kind = load<u8>(q);
    if (kind != OP_KIND_PUT && kind != OP_KIND_DELETE) return ST_ERR_CORRUPT;
    q += 1;
    const kl = getVarint(q, end);
    if (varintLen == 0) return ST_ERR_CORRUPT;
    q += <usize>varintLen;
    const vl = getVarint(q, end);
    if (varintLen == 0) return ST_ERR_CORRUPT;
    q += <usize>varintLen;
    if (<u64>q + <u64>kl + <u64>vl > <u64>end) return ST_ERR_CORRUPT;
    q += <usize>kl + <usize>vl;
  }
  if (q != end) return ST_ERR_CORRUPT;
  for (let i: u32 = 0; i < ops; i++) {
    const kind = load<u8>(p);
    p += 1;
    const kl = getVarint(p, end);
    p += <usize>varintLen;
    const vl = getVarint(p, end);
    p += <usize>varintLen;
    const flags: u8 = VF_COMMITTED | (kind == OP_KIND_DELETE ? VF_TOMBSTONE : 0);
    const v = mtNewVersion(active, p, <i32>kl, p + <usize>kl, <i32>vl, nextSeq(), 0, flags);
    if (v == 0) return ST_ERR_NOMEM;
    store<u64>(v, stamp, V_STAMP);
    if (!mtAdd(active, v)) return ST_ERR_NOMEM;
    p += <usize>kl + <usize>vl;
  }
  setResultF64(0, <f64>stamp);
  setResultU32(0, ops);
  return ST_OK;
}

import { bumpSeq as nextSeq } from './lsm';
export { bufLen, bufAppend };
