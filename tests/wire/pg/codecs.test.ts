// Fuzz of every decoder: any bytes give a value or an SbError with a
// SQLSTATE, never another exception; and encoded messages decode back.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SbError } from '../../../host/engine/sb_error.ts';
import { decodeFrontend, decodePasswordMessage, decodeSaslInitialResponse, decodeStartupPacket } from '../../../host/wire/pg/decode.ts';
import { FrameReader } from '../../../host/wire/pg/frame_reader.ts';
import { FE } from '../../../host/wire/pg/protocol.ts';
import { BackendWriter } from '../../../host/wire/pg/encode.ts';
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
});
