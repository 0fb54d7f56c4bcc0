// UUIDv7 ids with a hybrid logical clock (DESIGN.md rule 3, RFC 9562 compatible).
//
//   bits   0-47   unix_ts_ms, big-endian          bytes 0-5
//   bits  48-51   version 0b0111                  high nibble of byte 6
//   bits  52-63   HLC counter (12 bits)           low nibble of byte 6, byte 7
//   bits  64-65   variant 0b10                    top 2 bits of byte 8
//   bits  66-81   node id (16 bits)               low 6 bits of byte 8, byte 9, top 2 bits of byte 10
//   bits  82-127  random (46 bits)                low 6 bits of byte 10, bytes 11-15
//
// Byte order (unsigned memcmp) is therefore (ms, counter, node, random) order:
// the stamp (hlc.ts) first, the node id breaks ties between nodes, and the
// random bits make ids unique even if two nodes were given the same node id.
// Ids from one generator are strictly increasing because its stamps are.

import { SbError, SqlState } from '../sb_error.ts';
import { COUNTER_RANGE, EPOCH_MS, HybridClock, isStamp } from './hlc.ts';

export const ID_BYTES = 16;
export const NODE_ID_MAX = 0xffff;
/** Random bytes drawn per refill of a generator's pool (46 bits of each id come from it). */
const RANDOM_POOL_BYTES = 6 * 256;

export type RandomFill = (buf: Uint8Array) => void;

/** Writes the id of (stamp, nodeId) with random bytes r[ro..ro+5] into out[o..o+15]. */
function writeId(out: Uint8Array, o: number, stamp: number, nodeId: number, r: Uint8Array, ro: number): void {
  const ms = EPOCH_MS + Math.floor(stamp / COUNTER_RANGE);
  const counter = stamp % COUNTER_RANGE;
  const msHigh = Math.floor(ms / 0x1000000); // top 24 of the 48 bits
  const msLow = ms % 0x1000000;
  out[o] = msHigh >>> 16;
  out[o + 1] = (msHigh >>> 8) & 0xff;
  out[o + 2] = msHigh & 0xff;
  out[o + 3] = msLow >>> 16;
  out[o + 4] = (msLow >>> 8) & 0xff;
  out[o + 5] = msLow & 0xff;
  out[o + 6] = 0x70 | (counter >>> 8);
  out[o + 7] = counter & 0xff;
  out[o + 8] = 0x80 | (nodeId >>> 10);
  out[o + 9] = (nodeId >>> 2) & 0xff;
  out[o + 10] = ((nodeId & 0x03) << 6) | (r[ro] & 0x3f);
  out[o + 11] = r[ro + 1];
  out[o + 12] = r[ro + 2];
  out[o + 13] = r[ro + 3];
  out[o + 14] = r[ro + 4];
  out[o + 15] = r[ro + 5];
}

/** Issues ids from a hybrid clock; one generator per node. */
export class IdGenerator {
  readonly clock: HybridClock;
  private readonly random: RandomFill;
  private readonly pool = new Uint8Array(RANDOM_POOL_BYTES);
  private poolPos = RANDOM_POOL_BYTES;

  constructor(clock: HybridClock, random: RandomFill) {
    this.clock = clock;
    this.random = random;
  }

  get nodeId(): number {
    return this.clock.nodeId;
  }

  /** A new id, strictly greater (byte order) than every id this generator issued before. */
  next(): Uint8Array {
    const id = new Uint8Array(ID_BYTES);
    this.nextInto(id, 0);
    return id;
  }

  nextWithStamp(): { id: Uint8Array; stamp: number } {
    const id = new Uint8Array(ID_BYTES);
    const stamp = this.nextInto(id, 0);
    return { id, stamp };
  }

  /** Writes a new id into out[offset..offset+15] and returns its stamp (no allocation). */
  nextInto(out: Uint8Array, offset: number): number {
    if (offset < 0 || offset + ID_BYTES > out.length) {
      throw new SbError(SqlState.internal_error, `id buffer too small at offset ${offset}`);
    }
    const stamp = this.clock.now();
    if (this.poolPos + 6 > RANDOM_POOL_BYTES) {
      this.random(this.pool);
      this.poolPos = 0;
    }
    writeId(out, offset, stamp, this.clock.nodeId, this.pool, this.poolPos);
    this.poolPos += 6;
    return stamp;
  }
}

const ZERO_RANDOM = new Uint8Array(6);
const ONES_RANDOM = new Uint8Array(6).fill(0xff);

/**
 * The id of a stamp for a node. `random` gives the 46 random bits: 'min'
 * (all zero, the default), 'max' (all one), or 6 bytes. With node 0 and
 * 'min' it is the lowest id of the stamp; with node 0xffff and 'max' the
 * highest (minIdForStamp / maxIdForStamp), which bound range scans by time.
 */
export function idFromStamp(stamp: number, nodeId: number, random: 'min' | 'max' | Uint8Array = 'min'): Uint8Array {
  if (!isStamp(stamp)) throw new SbError(SqlState.invalid_parameter_value, `${stamp} is not a valid stamp`);
  if (!Number.isInteger(nodeId) || nodeId < 0 || nodeId > NODE_ID_MAX) {
    throw new SbError(SqlState.invalid_parameter_value, `node id ${nodeId} is outside 0..65535`);
  }
  const r = random === 'min' ? ZERO_RANDOM : random === 'max' ? ONES_RANDOM : random;
  if (r.length < 6) throw new SbError(SqlState.invalid_parameter_value, 'an id needs 6 random bytes');
  const id = new Uint8Array(ID_BYTES);
  writeId(id, 0, stamp, nodeId, r, 0);
  return id;
}

/** The lowest id carrying `stamp` (node 0, random bits zero). */
export function minIdForStamp(stamp: number): Uint8Array {
  return idFromStamp(stamp, 0, 'min');
}

/** The highest id carrying `stamp` (node 0xffff, random bits one). */
export function maxIdForStamp(stamp: number): Uint8Array {
  return idFromStamp(stamp, NODE_ID_MAX, 'max');
}

/** Byte order of two ids (-1, 0, 1): time order, then node, then random. */
export function compareIds(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < ID_BYTES; i++) {
    const d = a[i] - b[i];
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export function idTimestampMs(id: Uint8Array): number {
  return (id[0] * 0x10000 + ((id[1] << 8) | id[2])) * 0x1000000 + ((id[3] << 16) | (id[4] << 8) | id[5]);
}

export function idCounter(id: Uint8Array): number {
  return ((id[6] & 0x0f) << 8) | id[7];
}

export function idNodeId(id: Uint8Array): number {
  return ((id[8] & 0x3f) << 10) | (id[9] << 2) | (id[10] >>> 6);
}

/** True for 16 bytes with version 7 and the RFC 9562 variant. */
export function isUuidV7(id: Uint8Array): boolean {
  return id.length === ID_BYTES && id[6] >>> 4 === 7 && id[8] >>> 6 === 0b10;
}

// ---- text form ----

const HEX: string[] = [];
for (let i = 0; i < 256; i++) HEX.push(i.toString(16).padStart(2, '0'));

/** Canonical lowercase text of any 16-byte UUID: 8-4-4-4-12 hex digits. */
export function uuidToString(u: Uint8Array): string {
  if (u.length !== ID_BYTES) throw new SbError(SqlState.invalid_binary_representation, `a uuid has 16 bytes, not ${u.length}`);
  return (
    HEX[u[0]] + HEX[u[1]] + HEX[u[2]] + HEX[u[3]] + '-' +
    HEX[u[4]] + HEX[u[5]] + '-' + HEX[u[6]] + HEX[u[7]] + '-' + HEX[u[8]] + HEX[u[9]] + '-' +
    HEX[u[10]] + HEX[u[11]] + HEX[u[12]] + HEX[u[13]] + HEX[u[14]] + HEX[u[15]]
  );
}

function hexValue(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  const l = c | 0x20; // fold A-F to a-f
  if (l >= 97 && l <= 102) return l - 87;
  return -1;
}

function badUuid(s: string): SbError {
  return new SbError(SqlState.invalid_text_representation, `invalid input syntax for type uuid: "${s}"`);
}

/**
 * Parses any UUID in PostgreSQL's accepted input forms: 32 hex digits in
 * either case, optionally in braces, with a hyphen allowed after any group
 * of four digits. Throws 22P02 otherwise.
 */
export function uuidFromString(s: string): Uint8Array {
  let start = 0;
  let end = s.length;
  if (end >= 2 && s.charCodeAt(0) === 0x7b /* { */) {
    if (s.charCodeAt(end - 1) !== 0x7d /* } */) throw badUuid(s);
    start = 1;
    end--;
  }
  const out = new Uint8Array(ID_BYTES);
  let digits = 0;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2d /* - */) {
      if (digits === 0 || digits % 4 !== 0 || digits === 32 || s.charCodeAt(i - 1) === 0x2d) throw badUuid(s);
      continue;
    }
    const v = hexValue(c);
    if (v < 0 || digits === 32) throw badUuid(s);
    if ((digits & 1) === 0) out[digits >>> 1] = v << 4;
    else out[digits >>> 1] |= v;
    digits++;
  }
  if (digits !== 32) throw badUuid(s);
  return out;
}

export function idToString(id: Uint8Array): string {
  return uuidToString(id);
}

/** Parses an id: a UUID (see uuidFromString) that must be version 7 with the RFC variant. */
export function idFromString(s: string): Uint8Array {
  const id = uuidFromString(s);
  if (!isUuidV7(id)) {
    throw new SbError(SqlState.invalid_text_representation, `"${s}" is not a UUIDv7 id`, {
      hint: 'ids have version nibble 7 and variant bits 10',
    });
  }
  return id;
}
