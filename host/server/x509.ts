// A self-signed X.509 certificate for `tls: auto` (RFC 5280), and the
// channel-binding hash of a certificate (RFC 5929 tls-server-end-point).
//
// Node has key generation and signing (node:crypto) but no certificate
// builder, so the DER here is written by hand:
//
//   Certificate  ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING }
//   TBSCertificate ::= SEQUENCE {
//     version [0] EXPLICIT INTEGER (2 = v3), serialNumber INTEGER,
//     signature AlgorithmIdentifier, issuer Name, validity SEQUENCE { notBefore, notAfter },
//     subject Name, subjectPublicKeyInfo, extensions [3] EXPLICIT SEQUENCE OF Extension }
//
// The key is EC P-256, the signature ecdsa-with-SHA256. Extensions are those
// `openssl req -x509` puts in by default (subject/authority key identifier,
// basicConstraints CA:TRUE, so that a client can take the certificate as its
// root for verify-ca) plus keyUsage and subjectAltName (localhost, the
// loopback addresses and the host name, so verify-full works for them).

import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

// ------------------------------------------------------------------ DER encoding

function length(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [0x80 | bytes.length, ...bytes];
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One tag-length-value. */
export function tlv(tag: number, ...content: Uint8Array[]): Uint8Array {
  const body = concat(content);
  return concat([new Uint8Array([tag, ...length(body.length)]), body]);
}

export const seq = (...items: Uint8Array[]): Uint8Array => tlv(0x30, ...items);
const set = (...items: Uint8Array[]): Uint8Array => tlv(0x31, ...items);
const explicit = (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 | n, inner);

/** INTEGER from unsigned big-endian bytes (a leading zero keeps it positive). */
export function integer(bytes: Uint8Array | number): Uint8Array {
  let b = typeof bytes === 'number' ? new Uint8Array(bigEndian(bytes)) : bytes;
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && (b[i + 1]! & 0x80) === 0) i++;
  b = b.subarray(i);
  if (b.length === 0) b = new Uint8Array([0]);
  if ((b[0]! & 0x80) !== 0) b = concat([new Uint8Array([0]), b]);
  return tlv(0x02, b);
}

function bigEndian(n: number): number[] {
  const out: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) out.unshift(v & 0xff);
  return out.length === 0 ? [0] : out;
}

/** OBJECT IDENTIFIER from dotted text. */
export function oid(dotted: string): Uint8Array {
  const arcs = dotted.split('.').map(Number);
  const out: number[] = [arcs[0]! * 40 + arcs[1]!];
  for (const arc of arcs.slice(2)) {
    const groups: number[] = [];
    let v = arc;
    do {
      groups.unshift(v & 0x7f);
      v = Math.floor(v / 128);
    } while (v > 0);
    for (let i = 0; i < groups.length - 1; i++) groups[i]! |= 0x80;
    out.push(...groups);
  }
  return tlv(0x06, new Uint8Array(out));
}

const utf8 = (s: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(s));
const octets = (b: Uint8Array): Uint8Array => tlv(0x04, b);
const bitString = (b: Uint8Array): Uint8Array => tlv(0x03, new Uint8Array([0]), b);
const bool = (v: boolean): Uint8Array => tlv(0x01, new Uint8Array([v ? 0xff : 0]));

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050, always UTC with seconds. */
export function time(d: Date): Uint8Array {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  const rest = `${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  const y = d.getUTCFullYear();
  if (y < 2050) return tlv(0x17, new TextEncoder().encode(p(y % 100) + rest));
  return tlv(0x18, new TextEncoder().encode(p(y, 4) + rest));
}

const OID_EC_PUBLIC_KEY = '1.2.840.10045.2.1';
const OID_ECDSA_SHA256 = '1.2.840.10045.4.3.2';
const OID_COMMON_NAME = '2.5.4.3';
const OID_ORGANIZATION = '2.5.4.10';

function name(commonName: string): Uint8Array {
  return seq(set(seq(oid(OID_ORGANIZATION), utf8('ScratchBird'))), set(seq(oid(OID_COMMON_NAME), utf8(commonName))));
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

function ipBytes(ip: string): Uint8Array | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) return new Uint8Array(v4.slice(1).map(Number));
  if (ip === '::1') {
    const b = new Uint8Array(16);
    b[15] = 1;
    return b;
  }
  return undefined;
}

export interface SelfSigned {
  /** PEM texts. */
  cert: string;
  key: string;
  /** The certificate's DER bytes. */
  der: Uint8Array;
}

export interface SelfSignedOptions {
  commonName?: string;
  /** DNS names and IP addresses for subjectAltName. */
  dnsNames?: string[];
  ipAddresses?: string[];
  days?: number;
  now?: Date;
}

/** Makes an EC P-256 key and a self-signed v3 certificate for it. */
export function makeSelfSigned(o: SelfSignedOptions = {}): SelfSigned {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
  const now = o.now ?? new Date();
  const notBefore = new Date(Math.floor(now.getTime() / 1000) * 1000 - 3600_000); // an hour back: clocks differ
  const notAfter = new Date(notBefore.getTime() + (o.days ?? 3650) * 86_400_000);
  const serial = new Uint8Array(randomBytes(16));
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, 16 bytes, nonzero
  const cn = o.commonName ?? 'localhost';
  // subjectKeyIdentifier: SHA-1 of the subjectPublicKey bits (RFC 5280 4.2.1.2, method 1).
  const pointAt = spki.length - 65; // an uncompressed P-256 point is the last 65 bytes of the SPKI
  const ski = new Uint8Array(createHash('sha1').update(spki.subarray(pointAt)).digest());
  const alt: Uint8Array[] = [];
  for (const d of o.dnsNames ?? ['localhost']) alt.push(tlv(0x82, new TextEncoder().encode(d)));
  for (const ip of o.ipAddresses ?? ['127.0.0.1', '::1']) {
    const b = ipBytes(ip);
    if (b) alt.push(tlv(0x87, b));
  }
  // keyUsage BIT STRING: digitalSignature (bit 0) and keyCertSign (bit 5): 1000 0100, 2 unused bits.
  const keyUsage = tlv(0x03, new Uint8Array([0x02, 0x84]));
  const extensions = seq(
    extension('2.5.29.14', false, octets(ski)),
    extension('2.5.29.35', false, seq(tlv(0x80, ski))),
    extension('2.5.29.19', true, seq(bool(true))),
    extension('2.5.29.15', true, keyUsage),
    extension('2.5.29.17', false, seq(...alt)),
  );
  const sigAlg = seq(oid(OID_ECDSA_SHA256));
  const tbs = seq(
    explicit(0, integer(2)),
    integer(serial),
    sigAlg,
    name(cn),
    seq(time(notBefore), time(notAfter)),
    name(cn),
    spki,
    explicit(3, extensions),
  );
  const signature = new Uint8Array(sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' }));
  const der = seq(tbs, sigAlg, bitString(signature));
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  return { cert: pem('CERTIFICATE', der), key, der };
}

export function pem(label: string, der: Uint8Array): string {
  const b64 = Buffer.from(der).toString('base64');
  const lines = b64.match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

// ------------------------------------------------------------------ DER reading (just enough)

interface Tlv {
  tag: number;
  start: number; // of the content
  end: number;
}

function readTlv(b: Uint8Array, at: number): Tlv {
  const tag = b[at]!;
  let len = b[at + 1]!;
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!;
    start += n;
  }
  if (start + len > b.length) throw new Error('truncated DER');
  return { tag, start, end: start + len };
}

/** The signature algorithm OID (dotted) of a DER certificate. */
export function signatureAlgorithm(der: Uint8Array): string {
  const cert = readTlv(der, 0);
  const tbs = readTlv(der, cert.start);
  const alg = readTlv(der, tbs.end);
  const id = readTlv(der, alg.start);
  if (id.tag !== 0x06) throw new Error('malformed certificate');
  const b = der.subarray(id.start, id.end);
  const arcs = [Math.floor(b[0]! / 40), b[0]! % 40];
  let v = 0;
  for (let i = 1; i < b.length; i++) {
    v = v * 128 + (b[i]! & 0x7f);
    if ((b[i]! & 0x80) === 0) {
      arcs.push(v);
      v = 0;
    }
  }
  return arcs.join('.');
}

const SIG_HASH: Record<string, string> = {
  '1.2.840.10045.4.3.3': 'sha384', // ecdsa-with-SHA384
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.12': 'sha384', // sha384WithRSAEncryption
  '1.2.840.113549.1.1.13': 'sha512',
};

/**
 * RFC 5929 tls-server-end-point: the hash of the server certificate's DER
 * with the hash of its signature algorithm, SHA-256 when that is MD5, SHA-1
 * or SHA-256 (and for anything else, as libpq and pg compute it then).
 */
export function tlsServerEndPoint(der: Uint8Array): Uint8Array {
  let hash = 'sha256';
  try {
    hash = SIG_HASH[signatureAlgorithm(der)] ?? 'sha256';
  } catch {
    /* unparsable: SHA-256 */
  }
  return new Uint8Array(createHash(hash).update(der).digest());
}

/** The DER of the first certificate in a PEM text. */
export function firstCertificateDer(pemText: string): Uint8Array {
  return new Uint8Array(new X509Certificate(pemText).raw);
}

// ------------------------------------------------------------------ tls: auto

export const AUTO_CERT_FILE = 'server.crt';
export const AUTO_KEY_FILE = 'server.key';

/**
 * `tls: auto`: the certificate and key in the data folder (server.crt,
 * server.key), made on first start (the key file mode 0600) and reused
 * after. A key file readable by group or others is refused, as PostgreSQL
 * does. Returns the PEM texts and whether they were just made.
 */
export function loadOrCreateSelfSigned(dir: string): { cert: string; key: string; created: boolean } {
  const certPath = join(dir, AUTO_CERT_FILE);
  const keyPath = join(dir, AUTO_KEY_FILE);
  if (existsSync(certPath) && existsSync(keyPath)) {
    if (process.platform !== 'win32' && (statSync(keyPath).mode & 0o077) !== 0) {
      throw new Error(`private key file "${keyPath}" has group or world access (it must be mode 0600 or less)`);
    }
    const cert = readFileSync(certPath, 'utf8');
    const key = readFileSync(keyPath, 'utf8');
    new X509Certificate(cert); // throws on a damaged file
    createPrivateKey(key);
    return { cert, key, created: false };
  }
  const host = hostname();
  const dnsNames = ['localhost'];
  if (host && host !== 'localhost' && /^[A-Za-z0-9.-]+$/.test(host)) dnsNames.push(host);
  const made = makeSelfSigned({ commonName: host && /^[A-Za-z0-9.-]+$/.test(host) ? host : 'localhost', dnsNames });
  writeFileSync(keyPath, made.key, { mode: 0o600 });
  chmodSync(keyPath, 0o600); // a file that was there keeps its mode otherwise
  writeFileSync(certPath, made.cert, { mode: 0o644 });
  return { cert: made.cert, key: made.key, created: true };
}
