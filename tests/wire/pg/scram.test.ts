// SHA-256 / HMAC / PBKDF2 against node:crypto, base64, and the SCRAM-SHA-256
// server exchange driven by an independent client written with node:crypto.

import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hmacSha256, pbkdf2Sha256, sha256 } from '../../../host/engine/auth/sha256.ts';
import { base64Decode, base64Encode, makeVerifier, parseVerifier, ScramServer, verifierMatches } from '../../../host/wire/pg/scram.ts';
import { SbError } from '../../../host/engine/sb_error.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('sha256 / hmac / pbkdf2', () => {
  it('match node:crypto on random inputs of every length class', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 130 }), (data, key) => {
        expect(hex(sha256(data))).toBe(createHash('sha256').update(data).digest('hex'));
        expect(hex(hmacSha256(key, data))).toBe(createHmac('sha256', key).update(data).digest('hex'));
      }),
      { numRuns: 300 },
    );
  });

  it('pbkdf2 matches node:crypto', () => {
    for (const [pw, salt, iter] of [['pencil', 'salt', 1], ['masterkey', 'QSXCR+Q6sek8bf92', 4096], ['', 'x', 7]] as const) {
      const want = pbkdf2Sync(pw, salt, iter, 32, 'sha256').toString('hex');
      expect(hex(pbkdf2Sha256(new TextEncoder().encode(pw), new TextEncoder().encode(salt), iter))).toBe(want);
    }
  });

  it('base64 round-trips and rejects garbage', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const s = base64Encode(b);
        expect(s).toBe(Buffer.from(b).toString('base64'));
        expect(hex(base64Decode(s)!)).toBe(hex(b));
      }),
    );
    expect(base64Decode('abc')).toBeUndefined();
    expect(base64Decode('ab!d')).toBeUndefined();
  });
});

/** A SCRAM client, written independently with node:crypto (RFC 5802 §3). */
function scramClient(password: string) {
  const cnonce = randomBytes(18).toString('base64');
  const clientFirstBare = `n=,r=${cnonce}`;
  let serverSignature = '';
  return {
    first: () => Buffer.from(`n,,${clientFirstBare}`),
    final(serverFirst: string): Buffer {
      const attrs = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
      const salted = pbkdf2Sync(password.normalize('NFKC'), Buffer.from(attrs.s!, 'base64'), Number(attrs.i), 32, 'sha256');
      const clientKey = createHmac('sha256', salted).update('Client Key').digest();
      const storedKey = createHash('sha256').update(clientKey).digest();
      const withoutProof = `c=biws,r=${attrs.r}`;
      const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
      const sig = createHmac('sha256', storedKey).update(authMessage).digest();
      const proof = Buffer.alloc(32);
      for (let i = 0; i < 32; i++) proof[i] = clientKey[i]! ^ sig[i]!;
      const serverKey = createHmac('sha256', salted).update('Server Key').digest();
      serverSignature = createHmac('sha256', serverKey).update(authMessage).digest('base64');
      return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
    },
    expectedServerFinal: () => `v=${serverSignature}`,
  };
}

function exchange(verifier: string | undefined, password: string): { ok: boolean; code?: string; serverFinal?: string; expected: string } {
  const server = new ScramServer(verifier);
  const client = scramClient(password);
  const serverFirst = new TextDecoder().decode(server.first(client.first()));
  const clientFinal = client.final(serverFirst);
  try {
    const serverFinal = new TextDecoder().decode(server.final(clientFinal, 'sysdba'));
    return { ok: true, serverFinal, expected: client.expectedServerFinal() };
  } catch (e) {
    return { ok: false, code: (e as SbError).code, expected: '' };
  }
}

describe('SCRAM-SHA-256 server', () => {
  const verifier = makeVerifier('masterkey', 4096);

  it('writes PostgreSQL rolpassword verifiers', () => {
    expect(verifier).toMatch(/^SCRAM-SHA-256\$4096:[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}:[A-Za-z0-9+/=]{44}$/);
    expect(parseVerifier(verifier)?.iterations).toBe(4096);
    expect(verifierMatches(verifier, 'masterkey')).toBe(true);
    expect(verifierMatches(verifier, 'masterkeY')).toBe(false);
  });

  it('accepts the right password and proves itself to the client', () => {
    const r = exchange(verifier, 'masterkey');
    expect(r.ok).toBe(true);
    expect(r.serverFinal).toBe(r.expected);
  });

  it('refuses a wrong password, an unknown user and a user without password with 28P01', () => {
    expect(exchange(verifier, 'wrong').code).toBe('28P01');
    expect(exchange(undefined, 'masterkey').code).toBe('28P01');
    expect(exchange('md5abc', 'masterkey').code).toBe('28P01');
  });

  it('rejects malformed and out-of-order messages with SbErrors', () => {
    const bad = ['', 'x', 'p=tls-server-end-point,,n=,r=abc', 'n,,r=abc', 'n,,n=,r=', 'n,a=x,n=,r=abc', 'n,,n=,r=abc,extra'];
    for (const m of bad) {
      const s = new ScramServer(verifier);
      expect(() => s.first(new TextEncoder().encode(m)), m).toThrow(SbError);
    }
    const s = new ScramServer(verifier);
    expect(() => s.final(new TextEncoder().encode('c=biws,r=x,p=AAAA'), 'u')).toThrow(SbError);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 120 }), (a, b) => {
        const srv = new ScramServer(verifier);
        try {
          srv.first(a);
          srv.final(b, 'u');
        } catch (e) {
          expect(e).toBeInstanceOf(SbError);
        }
      }),
      { numRuns: 300 },
    );
  });
});
