// SCRAM-SHA-256 password verifiers (RFC 5802/7677) in PostgreSQL's
// rolpassword format, SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>:
// what the catalog stores for a role, whatever protocol the role logs in
// through. Plain synchronous TypeScript (ground rule 1: no node: modules).

import { HmacSha256, hmacSha256, pbkdf2Sha256, sha256 } from './sha256.ts';

export const scram_iterations_default = 4096;
export const salt_bytes = 16;

const utf8 = new TextEncoder();

export interface ScramVerifier {
  iterations: number;
  salt: Uint8Array;
  storedKey: Uint8Array;
  serverKey: Uint8Array;
}

// ------------------------------------------------------------------ base64

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;

export function base64Encode(b: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s += B64[v >>> 18]! + B64[(v >>> 12) & 63]! + B64[(v >>> 6) & 63]! + B64[v & 63]!;
  }
  if (i < b.length) {
    const v = (b[i]! << 16) | ((b[i + 1] ?? 0) << 8);
    s += B64[v >>> 18]! + B64[(v >>> 12) & 63]! + (i + 1 < b.length ? B64[(v >>> 6) & 63]! : '=') + '=';
  }
  return s;
}

/** Strict base64 decoding; undefined for anything malformed. */
export function base64Decode(s: string): Uint8Array | undefined {
  if (s.length % 4 !== 0) return undefined;
  let pad = 0;
  if (s.endsWith('==')) pad = 2;
  else if (s.endsWith('=')) pad = 1;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let v = 0;
    for (let j = 0; j < 4; j++) {
      const c = s.charCodeAt(i + j);
      let d: number;
      if (c === 0x3d && i + j >= s.length - pad) d = 0;
      else {
        d = c < 128 ? B64_INDEX[c]! : -1;
        if (d < 0) return undefined;
      }
      v = (v << 6) | d;
    }
    if (o < out.length) out[o++] = v >>> 16;
    if (o < out.length) out[o++] = (v >>> 8) & 0xff;
    if (o < out.length) out[o++] = v & 0xff;
  }
  return out;
}

// ------------------------------------------------------------------ verifiers

export function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}

/** The password bytes SCRAM hashes. PostgreSQL applies SASLprep; for the ASCII and NFKC-stable passwords used here that is NFKC normalisation. */
function passwordBytes(password: string): Uint8Array {
  return utf8.encode(password.normalize('NFKC'));
}

export function makeVerifier(password: string, iterations = scram_iterations_default, salt: Uint8Array = randomBytes(salt_bytes)): string {
  const salted = pbkdf2Sha256(passwordBytes(password), salt, iterations);
  const clientKey = hmacSha256(salted, utf8.encode('Client Key'));
  const storedKey = sha256(clientKey);
  const serverKey = hmacSha256(salted, utf8.encode('Server Key'));
  return `SCRAM-SHA-256$${iterations}:${base64Encode(salt)}$${base64Encode(storedKey)}:${base64Encode(serverKey)}`;
}

export function parseVerifier(s: string): ScramVerifier | undefined {
  const m = /^SCRAM-SHA-256\$(\d+):([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+):([A-Za-z0-9+/=]+)$/.exec(s);
  if (!m) return undefined;
  const iterations = Number(m[1]);
  const salt = base64Decode(m[2]!);
  const storedKey = base64Decode(m[3]!);
  const serverKey = base64Decode(m[4]!);
  if (!salt || !storedKey || !serverKey || storedKey.length !== 32 || serverKey.length !== 32 || iterations < 1) return undefined;
  return { iterations, salt, storedKey, serverKey };
}

/** True when `password` is the one the verifier was made from. */
export function verifierMatches(verifier: string, password: string): boolean {
  const v = parseVerifier(verifier);
  if (!v) return false;
  const salted = pbkdf2Sha256(passwordBytes(password), v.salt, v.iterations);
  return equalBytes(sha256(hmacSha256(salted, utf8.encode('Client Key'))), v.storedKey);
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** True when a stored password is already a SCRAM verifier (CREATE ROLE ... PASSWORD may pass one). */
export function isVerifier(s: string): boolean {
  return parseVerifier(s) !== undefined;
}

export { HmacSha256 };
