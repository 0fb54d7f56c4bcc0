// The row codec's text fields: every length around the in-place paths (a
// char loop below 24 characters, the encoder's encodeInto from 24 to 127,
// the general path beyond) and every kind of character (ASCII, 2-, 3- and
// 4-byte UTF-8, lone surrogates) must give the same bytes: a varint byte
// length, then the string's UTF-8 (as TextEncoder writes it), and decode back.

import { describe, expect, it } from 'vitest';
import { decodeRow, encodeRow, encodeRowView, FORMAT } from '../../host/engine/exec/row_codec.ts';
import { T } from '../../host/engine/types/types.ts';

const utf8 = new TextEncoder();
const utf8dec = new TextDecoder();

function varint(v: number): number[] {
  const out: number[] = [];
  while (v >= 0x80) {
    out.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return out;
}

/** The expected row bytes of (text, int4, text): format, column count, null bitmap, then the fields. */
function expected(a: string, n: number, b: string): number[] {
  const ab = utf8.encode(a);
  const bb = utf8.encode(b);
  const int = new Uint8Array(4);
  new DataView(int.buffer).setInt32(0, n, true);
  return [FORMAT, 3, 0, ...varint(ab.length), ...ab, ...int, ...varint(bb.length), ...bb];
}

describe('row codec text fields', () => {
  const pieces = ['a', ' ', '\u00e9', '\u20ac', '\u{1f600}', '\ud800', '\udc00', 'z'];
  it('encodes every length from 0 to 300 and every kind of character as UTF-8 with its byte length', () => {
    const types = [T.text, T.int4, T.bpchar];
    let checked = 0;
    for (let len = 0; len <= 300; len++) {
      for (const [k, extra] of pieces.entries()) {
        // ASCII filler with one other character somewhere in it (or none, for k = 0).
        const at = (len * 7 + k) % (len + 1);
        const base = 'x'.repeat(len);
        const s = k === 0 ? base : base.slice(0, at) + extra + base.slice(at);
        const t = s.slice(0, Math.max(0, s.length - (k % 3)));
        const want = expected(s, len - 5, t);
        const got = [...encodeRowView(types, [s, len - 5, t])];
        if (got.length !== want.length || got.some((x, i) => x !== want[i])) {
          throw new Error(`length ${len}, piece ${k}: ${JSON.stringify(got.slice(0, 8))} vs ${JSON.stringify(want.slice(0, 8))}`);
        }
        expect(decodeRow(encodeRow(types, [s, len - 5, t]), types, [])).toEqual([utf8dec.decode(utf8.encode(s)), len - 5, utf8dec.decode(utf8.encode(t))]);
        checked++;
      }
    }
    expect(checked).toBe(301 * pieces.length);
  });

  it('a string whose UTF-8 passes 127 bytes inside the in-place range takes a two-byte length', () => {
    const s = '\u20ac'.repeat(60); // 60 characters, 180 bytes
    const got = encodeRowView([T.text], [s]);
    expect([...got.subarray(0, 5)]).toEqual([FORMAT, 1, 0, ...varint(180)]);
    expect(decodeRow(encodeRow([T.text], [s]), [T.text], [])).toEqual([s]);
  });
});
