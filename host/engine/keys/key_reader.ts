// Decoding of the order-preserving key encoding (format: key_encoding.ts).

import { uuidToString } from '../ids/uuidv7.ts';
import type { KeyColumn } from './key_encoding.ts';
import {
  corruptKey,
  TAG_BYTEA,
  TAG_FALSE,
  TAG_FLOAT,
  TAG_INT_MAX,
  TAG_INT_MIN,
  TAG_INT_ZERO,
  TAG_NULL_FIRST,
  TAG_NULL_LAST,
  TAG_NUMERIC_NAN,
  TAG_NUMERIC_NEG_INF,
  TAG_TEXT,
  TAG_TRUE,
  TAG_UUID,
  type ReadCursor,
} from './key_tags.ts';
import { readNumericBody, skipNumericBody } from './key_numeric.ts';
import { readEscapedBytes, readEscapedText, skipEscaped } from './key_text.ts';
import { INT32_MAX, INT32_MIN } from './key_values.ts';

const POW256 = [1, 0x100, 0x10000, 0x1000000, 2 ** 32, 2 ** 40, 2 ** 48];
const UUID_BYTES = 16;
const floatView = new DataView(new ArrayBuffer(8));

/** Reads column values from a key, left to right. */
export class KeyReader implements ReadCursor {
  key: Uint8Array;
  pos: number;

  constructor(key: Uint8Array, offset = 0) {
    this.key = key;
    this.pos = offset;
  }

  reset(key: Uint8Array, offset = 0): this {
    this.key = key;
    this.pos = offset;
    return this;
  }

  get done(): boolean {
    return this.pos >= this.key.length;
  }

  /** Decodes the next value of column `col` (null for NULL). */
  value(col: KeyColumn): unknown {
    const key = this.key;
    if (this.pos >= key.length) throw corruptKey('key ends before its columns', this.pos);
    const raw = key[this.pos++];
    if (raw === TAG_NULL_FIRST || raw === TAG_NULL_LAST) return null;
    const mask = col.descending === true ? 0xff : 0;
    const tag = raw ^ mask;
    switch (col.type) {
      case 'bool':
        if (tag === TAG_TRUE) return true;
        if (tag === TAG_FALSE) return false;
        break;
      case 'int16':
      case 'int32':
      case 'time':
        if (tag >= TAG_INT_MIN && tag <= TAG_INT_MAX) return Number(this.intBody(tag, mask));
        break;
      case 'int64':
      case 'timestamp':
      case 'timestamptz':
        if (tag >= TAG_INT_MIN && tag <= TAG_INT_MAX) return BigInt(this.intBody(tag, mask));
        break;
      case 'date':
        if (tag >= TAG_INT_MIN && tag <= TAG_INT_MAX) {
          const d = Number(this.intBody(tag, mask));
          return d === INT32_MIN ? -Infinity : d === INT32_MAX ? Infinity : d;
        }
        break;
      case 'float32':
      case 'float64':
        if (tag === TAG_FLOAT) return this.floatBody(mask);
        break;
      case 'numeric':
        if (tag >= TAG_NUMERIC_NEG_INF && tag <= TAG_NUMERIC_NAN) return readNumericBody(this, tag, mask);
        break;
      case 'text':
        if (tag === TAG_TEXT) return readEscapedText(this, mask);
        break;
      case 'bytea':
        if (tag === TAG_BYTEA) return readEscapedBytes(this, mask);
        break;
      case 'uuid':
        if (tag === TAG_UUID) return uuidToString(this.fixed(UUID_BYTES, mask));
        break;
    }
    throw corruptKey(`tag 0x${raw.toString(16)} in a ${col.type} column`, this.pos - 1);
  }

  /** Moves past the next value of column `col` without decoding it. */
  skip(col: KeyColumn): void {
    const key = this.key;
    if (this.pos >= key.length) throw corruptKey('key ends before its columns', this.pos);
    const raw = key[this.pos++];
    if (raw === TAG_NULL_FIRST || raw === TAG_NULL_LAST) return;
    const mask = col.descending === true ? 0xff : 0;
    const tag = raw ^ mask;
    if (tag >= TAG_INT_MIN && tag <= TAG_INT_MAX) this.pos += Math.abs(tag - TAG_INT_ZERO);
    else if (tag === TAG_FLOAT) this.pos += 8;
    else if (tag === TAG_UUID) this.pos += UUID_BYTES;
    else if (tag === TAG_TEXT || tag === TAG_BYTEA) skipEscaped(this, mask);
    else if (tag >= TAG_NUMERIC_NEG_INF && tag <= TAG_NUMERIC_NAN) skipNumericBody(this, tag, mask);
    else if (tag !== TAG_TRUE && tag !== TAG_FALSE) throw corruptKey(`tag 0x${raw.toString(16)}`, this.pos - 1);
    if (this.pos > key.length) throw corruptKey('truncated value', key.length);
  }

  private fixed(n: number, mask: number): Uint8Array {
    if (this.pos + n > this.key.length) throw corruptKey('truncated value', this.pos);
    const out = this.key.slice(this.pos, this.pos + n);
    this.pos += n;
    if (mask !== 0) for (let i = 0; i < n; i++) out[i] ^= mask;
    return out;
  }

  /** Integer body after its tag: a number when it has at most 6 bytes, else a bigint. */
  private intBody(tag: number, mask: number): number | bigint {
    const key = this.key;
    const neg = tag < TAG_INT_ZERO;
    const n = neg ? TAG_INT_ZERO - tag : tag - TAG_INT_ZERO;
    let p = this.pos;
    if (p + n > key.length) throw corruptKey('truncated integer', p);
    this.pos = p + n;
    if (n <= 6) {
      let x = 0;
      for (const end = p + n; p < end; p++) x = x * 256 + (key[p] ^ mask);
      return neg ? x - POW256[n] : x;
    }
    let x = 0n;
    for (const end = p + n; p < end; p++) x = (x << 8n) | BigInt(key[p] ^ mask);
    return neg ? x - (1n << BigInt(8 * n)) : x;
  }

  private floatBody(mask: number): number {
    const key = this.key;
    const p = this.pos;
    if (p + 8 > key.length) throw corruptKey('truncated float', p);
    this.pos = p + 8;
    const flip = ((key[p] ^ mask) & 0x80) !== 0 ? 0 : 0xff;
    for (let i = 0; i < 8; i++) floatView.setUint8(i, key[p + i] ^ mask ^ flip);
    if (flip === 0) floatView.setUint8(0, floatView.getUint8(0) ^ 0x80);
    return floatView.getFloat64(0);
  }
}
