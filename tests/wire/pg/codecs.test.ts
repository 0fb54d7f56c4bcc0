// Fuzz of every decoder: any bytes give a value or an SbError with a
// SQLSTATE, never another exception; and encoded messages decode back.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SbError } from '../../../host/engine/sb_error.ts';
import { decodeFrontend, decodePasswordMessage, decodeSaslInitialResponse, decodeStartupPacket } from '../../../host/wire/pg/decode.ts';
import { FrameReader } from '../../../host/wire/pg/frame_reader.ts';
import { FE } from '../../../host/wire/pg/protocol.ts';
import { BackendWriter } from '../../../host/wire/pg/encode.ts';
import { decodeUtf8 } from '../../../host/wire/pg/bytes.ts';
import { fe } from './wire_client.ts';

function onlySbError(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(SbError);
    expect((e as SbError).code).toMatch(/^(08P01|22021|0A000|54000)$/);
  }
}

const TYPES = Object.values(FE);

describe('decoders', () => {
  it('decodeFrontend on random bodies of every message type', () => {
    fc.assert(
      fc.property(fc.constantFrom(...TYPES), fc.uint8Array({ maxLength: 64 }), (type, body) => onlySbError(() => decodeFrontend({ type, body }))),
      { numRuns: 3000 },
    );
  });

  it('startup, password and SASL decoders on random bodies', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (body) => {
        onlySbError(() => decodeStartupPacket(body));
        onlySbError(() => decodePasswordMessage(body));
        onlySbError(() => decodeSaslInitialResponse(body));
      }),
      { numRuns: 2000 },
    );
  });

  it('the frame reader cuts any chunking of valid messages the same way, and rejects garbage with SbErrors', () => {
    const stream = Buffer.concat([fe.query('SELECT 1'), fe.parse('s', 'SELECT $1', [23]), fe.bind('', 's', ['1']), fe.execute(''), fe.sync()]);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 20 }), { maxLength: 30 }), (cuts) => {
        const r = new FrameReader();
        r.startupPhase = false;
        const got: number[] = [];
        let p = 0;
        for (const c of [...cuts, stream.length]) {
          if (p >= stream.length) break;
          r.push(stream.subarray(p, Math.min(stream.length, p + c)));
          p += c;
          for (let f = r.next(); f; f = r.next()) got.push(f.type);
        }
        expect(got.map((t) => String.fromCharCode(t)).join('')).toBe('QPBES');
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (bytes, startup) => {
        const r = new FrameReader({ messageBytesMax: 1000 });
        r.startupPhase = startup;
        r.push(bytes);
        onlySbError(() => {
          for (let f = r.next(); f; f = r.next()) {
            if (f.type !== 0) decodeFrontend(f);
          }
        });
      }),
      { numRuns: 2000 },
    );
  });

  it('decodes what the test client encodes', () => {
    const b = fe.bind('p', 's', ['1', null, new Uint8Array([1, 2])], [0, 0, 1], [1]);
    const m = decodeFrontend({ type: b[0]!, body: b.subarray(5) });
    expect(m).toMatchObject({ type: 'Bind', portal: 'p', statement: 's', paramFormats: [0, 0, 1], resultFormats: [1] });
    const s = decodeStartupPacket(fe.startup({ user: 'u', database: 'd' }).subarray(4));
    expect(s.kind === 'startup' && Object.fromEntries(s.params)).toEqual({ user: 'u', database: 'd' });
  });

  it('a writer gives back the buffer of one large result after it is flushed', () => {
    const w = new BackendWriter();
    w.dataRow([new Uint8Array(3 * 1024 * 1024)]);
    const out = w.take();
    expect(out.length).toBe(1 + 4 + 2 + 4 + 3 * 1024 * 1024);
    expect((w as unknown as { buf: Uint8Array }).buf.length).toBeLessThanOrEqual(1024 * 1024);
    w.commandComplete('SELECT 1');
    expect(w.take().length).toBe(1 + 4 + 9);
  });

  it('DataRow values written in place (integer digits, strings) equal the generic encoding', () => {
    const generic = (v: string): number[] => {
      const b = new TextEncoder().encode(v);
      return [(b.length >>> 24) & 255, (b.length >>> 16) & 255, (b.length >>> 8) & 255, b.length & 255, ...b];
    };
    fc.assert(
      fc.property(
        fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.constantFrom(0, -0, 9, 10, -10, 2 ** 53 - 1, -(2 ** 53) + 1, 1e21)),
        fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
        fc.string({ unit: 'binary', maxLength: 40 }),
        (n, big, str) => {
          const w = new BackendWriter();
          w.intTextValue(n).intTextValue(big).textValue(str);
          expect([...w.take()]).toEqual([...generic(String(n)), ...generic(String(big)), ...generic(str)]);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('short ASCII is decoded without TextDecoder, other bytes still strictly; taken outputs stay intact', () => {
    expect(decodeUtf8(new Uint8Array([0x50, 0x30, 0x5f, 0x31]))).toBe('P0_1');
    expect(decodeUtf8(new Uint8Array([0xc3, 0xa9]))).toBe('é');
    expect(() => decodeUtf8(new Uint8Array([0x41, 0xff]))).toThrow(SbError);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
      let want: string | undefined;
      try {
        want = new TextDecoder('utf-8', { fatal: true }).decode(b);
      } catch {
        want = undefined;
      }
      if (want === undefined) expect(() => decodeUtf8(b)).toThrow(SbError);
      else expect(decodeUtf8(b)).toBe(want);
    }), { numRuns: 2000 });
    // Outputs share a slab: each keeps its bytes while later ones are taken.
    const w = new BackendWriter();
    const outs: Array<[Uint8Array, string]> = [];
    for (let i = 0; i < 3000; i++) {
      const tag = `SELECT ${i}`;
      outs.push([w.commandComplete(tag).take(), tag]);
    }
    for (const [b, tag] of outs) expect(new TextDecoder().decode(b.subarray(5, b.length - 1))).toBe(tag);
  });
});
