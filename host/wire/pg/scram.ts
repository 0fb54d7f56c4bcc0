// SCRAM-SHA-256 (RFC 5802, RFC 7677), the server side, as PostgreSQL runs it:
//
//   client-first  "n,,n=<ignored>,r=<client nonce>"     (SASLInitialResponse)
//   server-first  "r=<client nonce><server nonce>,s=<salt>,i=<iterations>"
//   client-final  "c=biws,r=<nonce>,p=<proof>"           (SASLResponse)
//   server-final  "v=<server signature>"
//
// The user name inside the SCRAM messages is ignored (PostgreSQL takes it
// from the StartupMessage). Channel binding (SCRAM-SHA-256-PLUS) is not
// offered, so a client asking for it ("p=") is refused. Passwords are
// stored as verifiers in PostgreSQL's rolpassword format:
//   SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
// For an unknown user a mock verifier is used so that the exchange looks the
// same and fails only at the end, as in PostgreSQL.

import { SbError, SqlState } from '../../engine/sb_error.ts';
import { decodeUtf8, encodeUtf8 } from './bytes.ts';
import { HmacSha256, hmacSha256, pbkdf2Sha256, sha256 } from './sha256.ts';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';
export const scram_iterations_default = 4096;
const salt_bytes = 16;
const nonce_bytes = 18;

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

function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  globalThis.crypto.getRandomValues(b);
  return b;
}

/** The password bytes SCRAM hashes. PostgreSQL applies SASLprep; for the ASCII and NFKC-stable passwords used here that is NFKC normalisation. */
function passwordBytes(password: string): Uint8Array {
  return encodeUtf8(password.normalize('NFKC'));
}

export function makeVerifier(password: string, iterations = scram_iterations_default, salt: Uint8Array = randomBytes(salt_bytes)): string {
  const salted = pbkdf2Sha256(passwordBytes(password), salt, iterations);
  const clientKey = hmacSha256(salted, encodeUtf8('Client Key'));
  const storedKey = sha256(clientKey);
  const serverKey = hmacSha256(salted, encodeUtf8('Server Key'));
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
  return equalBytes(sha256(hmacSha256(salted, encodeUtf8('Client Key'))), v.storedKey);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

// ------------------------------------------------------------------ the exchange

function malformed(detail: string): SbError {
  return new SbError(SqlState.protocol_violation, 'malformed SCRAM message', { detail });
}

/** Splits "a=x,b=y" attributes, checking that they come in the expected order. */
function attributes(msg: string, expected: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const parts = msg.split(',');
  let i = 0;
  for (const key of expected) {
    const p = parts[i];
    if (p === undefined || p.length < 2 || p[0] !== key || p[1] !== '=') {
      if (key === 'm' || key === 'e') continue; // optional extensions
      throw malformed(`expected attribute "${key}"`);
    }
    out.set(key, p.slice(2));
    i++;
  }
  if (i < parts.length) throw malformed('garbage at the end of the message');
  return out;
}

const PRINTABLE_NONCE = /^[\x21-\x2b\x2d-\x7e]+$/;

/** One SCRAM exchange on the server. */
export class ScramServer {
  private state: 'first' | 'final' | 'done' = 'first';
  private clientFirstBare = '';
  private serverFirst = '';
  private gs2Header = '';
  private nonce = '';
  private readonly verifier: ScramVerifier;
  /** False when the user is unknown or has no usable verifier: the exchange runs on a mock and fails. */
  private readonly real: boolean;

  constructor(verifier: string | undefined, private readonly serverNonce: Uint8Array = randomBytes(nonce_bytes)) {
    const v = verifier !== undefined ? parseVerifier(verifier) : undefined;
    this.real = v !== undefined;
    this.verifier = v ?? { iterations: scram_iterations_default, salt: randomBytes(salt_bytes), storedKey: randomBytes(32), serverKey: randomBytes(32) };
  }

  /** client-first-message → server-first-message. */
  first(data: Uint8Array): Uint8Array {
    if (this.state !== 'first') throw malformed('unexpected client-first-message');
    const msg = decodeUtf8(data);
    // gs2-header: cbind-flag "," [authzid] ","
    const c1 = msg.indexOf(',');
    const c2 = c1 < 0 ? -1 : msg.indexOf(',', c1 + 1);
    if (c1 < 0 || c2 < 0) throw malformed('missing GS2 header');
    const flag = msg.slice(0, c1);
    if (flag === 'p' || flag.startsWith('p=')) {
      throw new SbError(SqlState.protocol_violation, 'channel binding is not supported by this server', { detail: 'The client selected SCRAM-SHA-256, which does not use channel binding.' });
    }
    if (flag !== 'n' && flag !== 'y') throw malformed(`unexpected channel-binding flag "${flag}"`);
    const authzid = msg.slice(c1 + 1, c2);
    if (authzid !== '') throw new SbError(SqlState.feature_not_supported, 'client uses authorization identity, but it is not supported');
    this.gs2Header = msg.slice(0, c2 + 1);
    this.clientFirstBare = msg.slice(c2 + 1);
    const attrs = attributes(this.clientFirstBare, ['m', 'n', 'r']);
    if (attrs.has('m')) throw new SbError(SqlState.feature_not_supported, 'SCRAM extensions are not supported');
    const clientNonce = attrs.get('r')!;
    if (clientNonce === '' || !PRINTABLE_NONCE.test(clientNonce)) throw malformed('invalid client nonce');
    this.nonce = clientNonce + base64Encode(this.serverNonce);
    this.serverFirst = `r=${this.nonce},s=${base64Encode(this.verifier.salt)},i=${this.verifier.iterations}`;
    this.state = 'final';
    return encodeUtf8(this.serverFirst);
  }

  /** client-final-message → server-final-message, or an SbError 28P01 when the proof is wrong. */
  final(data: Uint8Array, user: string): Uint8Array {
    if (this.state !== 'final') throw malformed('unexpected client-final-message');
    this.state = 'done';
    const msg = decodeUtf8(data);
    const proofAt = msg.lastIndexOf(',p=');
    if (proofAt < 0) throw malformed('missing proof');
    const withoutProof = msg.slice(0, proofAt);
    const attrs = attributes(withoutProof, ['c', 'r']);
    const binding = base64Decode(attrs.get('c')!);
    if (!binding || decodeUtf8(binding) !== this.gs2Header) throw malformed('unexpected channel binding data');
    if (attrs.get('r') !== this.nonce) throw malformed('nonce does not match');
    const proof = base64Decode(msg.slice(proofAt + 3));
    if (!proof || proof.length !== 32) throw malformed('malformed proof');
    const authMessage = encodeUtf8(`${this.clientFirstBare},${this.serverFirst},${withoutProof}`);
    const clientSignature = hmacSha256(this.verifier.storedKey, authMessage);
    const clientKey = new Uint8Array(32);
    for (let i = 0; i < 32; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    if (!equalBytes(sha256(clientKey), this.verifier.storedKey) || !this.real) {
      throw new SbError(SqlState.invalid_password, `password authentication failed for user "${user}"`, { severity: 'FATAL' });
    }
    const serverSignature = new HmacSha256(this.verifier.serverKey).mac(authMessage);
    return encodeUtf8(`v=${base64Encode(serverSignature)}`);
  }
}
