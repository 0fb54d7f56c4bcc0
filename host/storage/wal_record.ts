// TypeScript decoder of WAL commit records (format in wasm/storage/wal_codec.ts).
// The kernel builds and replays records; the host reads them for
// serializable validation (write sets) and, later, for change data capture.

export const REC_COMMIT = 1;
export const OP_KIND_PUT = 1;
export const OP_KIND_DELETE = 2;

export interface WalOp {
  kind: 'put' | 'delete';
  /** Full key, key space prefix included. */
  key: Uint8Array;
  value: Uint8Array;
}

export interface CommitRecord {
  txnId: Uint8Array;
  stamp: number;
  ops: WalOp[];
}

function varint(b: Uint8Array, at: number): [number, number] {
  let v = 0;
  let shift = 0;
  for (let i = 0; i < 5; i++) {
    if (at + i >= b.length) throw new RangeError('truncated varint');
    const x = b[at + i]!;
    v += (x & 0x7f) * 2 ** shift;
    if ((x & 0x80) === 0) return [v, i + 1];
    shift += 7;
  }
  throw new RangeError('varint too long');
}

/** Calls fn(kind, key, value) for each op of a framed commit record (no copies). */
export function forEachOp(record: Uint8Array, fn: (kind: number, key: Uint8Array, value: Uint8Array) => void): void {
  const dv = new DataView(record.buffer, record.byteOffset, record.byteLength);
  let p = 8 + 1 + 16 + 8;
  const count = dv.getUint32(p, true);
  p += 4;
  for (let i = 0; i < count; i++) {
    const kind = record[p]!;
    p++;
    const [kl, a] = varint(record, p);
    p += a;
    const [vl, b] = varint(record, p);
    p += b;
    fn(kind, record.subarray(p, p + kl), record.subarray(p + kl, p + kl + vl));
    p += kl + vl;
  }
}

export function decodeCommitRecord(record: Uint8Array): CommitRecord {
  const dv = new DataView(record.buffer, record.byteOffset, record.byteLength);
  if (record[8] !== REC_COMMIT) throw new RangeError(`not a commit record (type ${record[8]})`);
  const txnId = record.slice(9, 25);
  const stamp = Number(dv.getBigUint64(25, true));
  const ops: WalOp[] = [];
  forEachOp(record, (kind, key, value) => {
    ops.push({ kind: kind === OP_KIND_DELETE ? 'delete' : 'put', key: key.slice(), value: value.slice() });
  });
  return { txnId, stamp, ops };
}

/** A byte string as a JS string of char codes 0..255: compares like memcmp. */
export function binaryString(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i += 4096) {
    s += String.fromCharCode.apply(null, b.subarray(i, i + 4096) as unknown as number[]);
  }
  return s;
}
