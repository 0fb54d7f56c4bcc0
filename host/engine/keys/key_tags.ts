// Tag bytes and shared plumbing of the order-preserving key encoding.
// The format itself is documented at the top of key_encoding.ts.

import { SbError, SqlState } from '../sb_error.ts';

/** NULL of a NULLS FIRST column (never inverted). */
export const TAG_NULL_FIRST = 0x00;
/** NULL of a NULLS LAST column (never inverted). */
export const TAG_NULL_LAST = 0xff;

export const TAG_FALSE = 0x10;
export const TAG_TRUE = 0x11;

/** Integer zero; a negative integer of n payload bytes is TAG_INT_ZERO - n, a positive one TAG_INT_ZERO + n. */
export const TAG_INT_ZERO = 0x28;
export const TAG_INT_MIN = TAG_INT_ZERO - 8; // 0x20
export const TAG_INT_MAX = TAG_INT_ZERO + 8; // 0x30

export const TAG_FLOAT = 0x38;

export const TAG_NUMERIC_NEG_INF = 0x40;
export const TAG_NUMERIC_NEG = 0x41;
export const TAG_NUMERIC_ZERO = 0x42;
export const TAG_NUMERIC_POS = 0x43;
export const TAG_NUMERIC_POS_INF = 0x44;
export const TAG_NUMERIC_NAN = 0x45;

export const TAG_TEXT = 0x50;
export const TAG_BYTEA = 0x58;
export const TAG_UUID = 0x60;

/** Escaped 0x00 inside text/bytea: 0x00 0xFF. End of text/bytea: 0x00 0x01. */
export const ESCAPE_BYTE = 0x00;
export const ESCAPED_ZERO = 0xff;
export const TERMINATOR = 0x01;

/** A growable output buffer (KeyWriter implements it). */
export interface WriteSink {
  buf: Uint8Array;
  length: number;
  /** Makes room for `extra` more bytes after `length`. */
  ensure(extra: number): void;
}

/** A read position in a key (KeyReader implements it). */
export interface ReadCursor {
  readonly key: Uint8Array;
  pos: number;
}

/** A key that does not parse is damaged data, not a user error. */
export function corruptKey(what: string, pos: number): SbError {
  return new SbError(SqlState.data_corrupted, `corrupt key: ${what} at byte ${pos}`, { kind: 'key_encoding' });
}

/** The JS value has the wrong type for the column (a binder bug or a bad parameter). */
export function wrongValueType(type: string, v: unknown): SbError {
  const got = v instanceof Uint8Array ? 'Uint8Array' : typeof v;
  return new SbError(SqlState.datatype_mismatch, `a ${type} key column cannot hold a JS ${got}`, { dataType: type });
}

export function outOfRange(type: string, v: unknown): SbError {
  return new SbError(SqlState.numeric_value_out_of_range, `value ${String(v)} is out of range for type ${type}`, {
    dataType: type,
  });
}
