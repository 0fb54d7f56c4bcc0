// SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802, RFC 7677, RFC 5929), the
// server side, as PostgreSQL runs it:
//
//   client-first  "<gs2>,,n=<ignored>,r=<client nonce>"  (SASLInitialResponse)
//   server-first  "r=<client nonce><server nonce>,s=<salt>,i=<iterations>"
//   client-final  "c=<base64(gs2 header [+ binding data])>,r=<nonce>,p=<proof>"
//   server-final  "v=<server signature>"
//
// gs2 is "n" (client without channel binding), "y" (client that could bind
// but thinks the server cannot) or "p=tls-server-end-point" (-PLUS). On a
// TLS connection the server offers -PLUS with the tls-server-end-point data
// (the hash of its certificate, computed by the listener); a "y" client there
// is a downgrade and is refused, as PostgreSQL does, and the c= data of a
// -PLUS client must be the gs2 header followed by that hash.
// The user name inside the SCRAM messages is ignored (PostgreSQL takes it
// from the StartupMessage). Passwords are stored as verifiers in
// PostgreSQL's rolpassword format:
//   SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>
// For an unknown user a mock verifier is used so that the exchange looks the
// same and fails only at the end, as in PostgreSQL.

import { SbError, SqlState } from '../../engine/sb_error.ts';
import { decodeUtf8, encodeUtf8 } from './bytes.ts';
import { HmacSha256, hmacSha256, sha256 } from '../../engine/auth/sha256.ts';
import {
  base64Decode, base64Encode, equalBytes, parseVerifier, randomBytes, salt_bytes, scram_iterations_default, type ScramVerifier,
} from '../../engine/auth/scram_verifier.ts';

export { base64Decode, base64Encode, makeVerifier, parseVerifier, verifierMatches } from '../../engine/auth/scram_verifier.ts';

export const SCRAM_MECHANISM = 'SCRAM-SHA-256';
export const SCRAM_PLUS_MECHANISM = 'SCRAM-SHA-256-PLUS';
export const CHANNEL_BINDING_TYPE = 'tls-server-end-point';

/** The mechanisms offered in AuthenticationSASL: -PLUS first when the connection can bind (as PostgreSQL lists them). */
export function scramMechanisms(canBind: boolean): string[] {
  return canBind ? [SCRAM_PLUS_MECHANISM, SCRAM_MECHANISM] : [SCRAM_MECHANISM];
}
const nonce_bytes = 18;

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

  /** The client chose SCRAM-SHA-256-PLUS. */
  private bindingInUse = false;

  /**
   * `channelBinding`: the tls-server-end-point data of this (TLS) connection;
   * given, the server supports channel binding; absent, the connection is plain.
   */
  constructor(
    verifier: string | undefined,
    private readonly serverNonce: Uint8Array = randomBytes(nonce_bytes),
    private readonly channelBinding?: Uint8Array,
  ) {
    const v = verifier !== undefined ? parseVerifier(verifier) : undefined;
    this.real = v !== undefined;
    this.verifier = v ?? { iterations: scram_iterations_default, salt: randomBytes(salt_bytes), storedKey: randomBytes(32), serverKey: randomBytes(32) };
  }

  /** client-first-message → server-first-message; `mechanism` is the one the client selected. */
  first(data: Uint8Array, mechanism: string = SCRAM_MECHANISM): Uint8Array {
    if (this.state !== 'first') throw malformed('unexpected client-first-message');
    this.bindingInUse = mechanism === SCRAM_PLUS_MECHANISM;
    if (this.bindingInUse && !this.channelBinding) throw new SbError(SqlState.protocol_violation, 'client selected an invalid SASL authentication mechanism');
    const msg = decodeUtf8(data);
    // gs2-header: cbind-flag "," [authzid] ","
    const c1 = msg.indexOf(',');
    const c2 = c1 < 0 ? -1 : msg.indexOf(',', c1 + 1);
    if (c1 < 0 || c2 < 0) throw malformed('missing GS2 header');
    const flag = msg.slice(0, c1);
    const noData = 'The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.';
    if (flag === 'n') {
      if (this.bindingInUse) throw malformed(noData);
    } else if (flag === 'y') {
      if (this.bindingInUse) throw malformed(noData);
      if (this.channelBinding) {
        throw new SbError(SqlState.protocol_violation, 'SCRAM channel binding negotiation error', {
          detail: 'The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.',
        });
      }
    } else if (flag.startsWith('p=')) {
      if (!this.bindingInUse) throw malformed('The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.');
      const type = flag.slice(2);
      if (type !== CHANNEL_BINDING_TYPE) throw new SbError(SqlState.protocol_violation, `unsupported SCRAM channel-binding type "${type}"`);
    } else {
      throw malformed(`unexpected channel-binding flag "${flag}"`);
    }
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
    if (this.bindingInUse) {
      const header = encodeUtf8(this.gs2Header);
      const expected = new Uint8Array(header.length + this.channelBinding!.length);
      expected.set(header);
      expected.set(this.channelBinding!, header.length);
      if (!binding || !equalBytes(binding, expected)) throw new SbError(SqlState.protocol_violation, 'SCRAM channel binding check failed');
    } else if (!binding || decodeUtf8(binding) !== this.gs2Header) {
      throw new SbError(SqlState.protocol_violation, 'unexpected SCRAM channel-binding attribute in client-final-message');
    }
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
