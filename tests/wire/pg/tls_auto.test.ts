// `tls: auto`: a self-signed EC P-256 certificate made by host/server/x509.ts
// on first start, stored in the data folder (key mode 0600), reused on the
// next start; accepted by openssl, by psql (sslmode=require, verify-ca and
// verify-full with the certificate as root) and by pg. Also the config knob
// and the DER encoder's pieces.

import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../host/server/config.ts';
import { Logger } from '../../../host/server/log.ts';
import { startServer } from '../../../host/server/server.ts';
import { integer, makeSelfSigned, oid, signatureAlgorithm, time, tlsServerEndPoint } from '../../../host/server/x509.ts';
import { nodePlatform } from '../../../host/platform/node.ts';
import { PASSWORD, PSQL, type PsqlResult, runPsql, startTestServer, type TestServer } from './server_helper.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if ((!hasOpenssl || !PSQL) && process.env.CI === 'true') throw new Error('openssl and psql are required in CI');
if (!hasOpenssl) console.warn('openssl not found: skipping the openssl checks of the self-signed certificate');
if (!PSQL) console.warn('psql not found: skipping the psql TLS tests');

describe('DER pieces', () => {
  it('encodes INTEGER, OID and times as RFC 5280 wants', () => {
    expect(hex(integer(2))).toBe('020102');
    expect(hex(integer(0))).toBe('020100');
    expect(hex(integer(128))).toBe('02020080'); // sign bit: leading zero
    expect(hex(integer(new Uint8Array([0, 0, 5])))).toBe('020105'); // minimal
    expect(hex(oid('1.2.840.10045.4.3.2'))).toBe('06082a8648ce3d040302');
    expect(hex(oid('2.5.29.17'))).toBe('0603551d11');
    expect(Buffer.from(time(new Date(Date.UTC(2036, 0, 2, 3, 4, 5)))).toString('latin1')).toBe('\x17\x0d360102030405Z');
    expect(Buffer.from(time(new Date(Date.UTC(2050, 0, 2, 3, 4, 5)))).toString('latin1')).toBe('\x18\x0f20500102030405Z');
  });

  it('makes a certificate that verifies with its own key and names localhost', () => {
    const c = makeSelfSigned({ dnsNames: ['localhost', 'db.example'], ipAddresses: ['127.0.0.1'] });
    const x = new X509Certificate(c.cert);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkIssued(x)).toBe(true);
    expect(x.ca).toBe(true);
    expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x.subjectAltName).toBe('DNS:localhost, DNS:db.example, IP Address:127.0.0.1');
    expect(x.checkHost('db.example')).toBe('db.example');
    expect(signatureAlgorithm(c.der)).toBe('1.2.840.10045.4.3.2');
    expect(new Date(x.validTo).getTime()).toBeGreaterThan(Date.now() + 9 * 365 * 86_400_000);
    // RFC 5929: SHA-256 of the DER for an ecdsa-with-SHA256 certificate.
    expect(hex(tlsServerEndPoint(c.der))).toBe(x.fingerprint256.replace(/:/g, '').toLowerCase());
  });

  it.skipIf(!hasOpenssl)('is accepted by openssl x509 -text and openssl verify', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-x509-'));
    try {
      const c = makeSelfSigned();
      writeFileSync(join(dir, 'c.pem'), c.cert);
      const t = spawnSync('openssl', ['x509', '-in', join(dir, 'c.pem'), '-noout', '-text'], { encoding: 'utf8' });
      expect(t.status).toBe(0);
      expect(t.stdout).toContain('Version: 3 (0x2)');
      expect(t.stdout).toContain('Signature Algorithm: ecdsa-with-SHA256');
      expect(t.stdout).toContain('ASN1 OID: prime256v1');
      expect(t.stdout).toMatch(/Basic Constraints: critical\s+CA:TRUE/);
      expect(t.stdout).toContain('DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
      const v = spawnSync('openssl', ['verify', '-CAfile', join(dir, 'c.pem'), join(dir, 'c.pem')], { encoding: 'utf8' });
      expect(v.stdout.trim()).toBe(`${join(dir, 'c.pem')}: OK`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('tls config knob', () => {
  const load = (argv: string[], env: Record<string, string> = {}, yaml?: string) => loadConfig(argv, (n) => env[n], (p) => (p === 'scratchbird.yaml' ? yaml : undefined));
  it('takes --tls auto, SCRATCHBIRD_TLS=auto and tls: auto in YAML', () => {
    expect(load(['--tls', 'auto']).tlsAuto).toBe(true);
    expect(load([], { SCRATCHBIRD_TLS: 'auto' }).tlsAuto).toBe(true);
    expect(load([], {}, 'tls: auto\n').tlsAuto).toBe(true);
    expect(load([], {}, 'tls: { mode: auto }\n').tlsAuto).toBe(true);
    expect(load([]).tlsAuto).toBeUndefined();
    expect(load(['--tls', 'off'], {}, 'tls: auto\n').tlsAuto).toBeUndefined();
  });
  it('refuses other values and auto together with a certificate', () => {
    expect(() => load(['--tls', 'yes'])).toThrow(ConfigError);
    expect(() => load(['--tls', 'auto', '--tls-cert', 'c.pem', '--tls-key', 'k.pem'])).toThrow(/not both/);
    expect(load(['--tls-cert', 'c.pem', '--tls-key', 'k.pem']).tlsCert).toBe('c.pem');
  });
});

function psql(port: number, conninfo: string, sql: string): Promise<PsqlResult> {
  return runPsql(['-X', '-A', '-t', '-c', sql, `host=127.0.0.1 port=${port} user=sysdba dbname=scratchbird ${conninfo}`]);
}

describe('tls: auto server', () => {
  let srv: TestServer;
  let certPath: string;
  let firstCert: string;

  beforeAll(async () => {
    srv = await startTestServer((c) => {
      c.tlsAuto = true;
    });
    certPath = join(srv.dir, 'data', 'server.crt');
    firstCert = readFileSync(certPath, 'utf8');
  });
  afterAll(async () => {
    await srv?.stop();
  });

  it('stores the key (mode 0600) and the certificate in the data folder', () => {
    const keyPath = join(srv.dir, 'data', 'server.key');
    expect(readFileSync(keyPath, 'utf8')).toContain('-----BEGIN PRIVATE KEY-----');
    if (process.platform !== 'win32') expect(statSync(keyPath).mode & 0o777).toBe(0o600);
    expect(new X509Certificate(firstCert).publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(srv.logs.some((l) => l.includes('tls_certificate_created'))).toBe(true);
  });

  it('serves pg with ssl { rejectUnauthorized: false } and with the certificate as its CA', async () => {
    for (const ssl of [{ rejectUnauthorized: false }, { ca: firstCert, servername: 'localhost' }]) {
      const c = new pg.Client({ host: '127.0.0.1', port: srv.port, user: 'sysdba', password: PASSWORD, database: 'scratchbird', ssl });
      await c.connect();
      try {
        const stream = (c as unknown as { connection: { stream: { encrypted?: boolean; getPeerCertificate(): { raw: Buffer } } } }).connection.stream;
        expect(stream.encrypted).toBe(true);
        expect(new X509Certificate(stream.getPeerCertificate().raw).toString()).toBe(new X509Certificate(firstCert).toString());
        expect((await c.query('SELECT 41 + 1 AS x')).rows).toEqual([{ x: 42 }]);
      } finally {
        await c.end();
      }
    }
  });

  it.skipIf(!PSQL)('serves psql with sslmode=require, verify-ca and verify-full (certificate as root)', async () => {
    const req = await psql(srv.port, 'sslmode=require', 'SELECT 1');
    expect(req.stderr).toBe('');
    expect(req.stdout.trim()).toBe('1');
    const ca = await psql(srv.port, `sslmode=verify-ca sslrootcert=${certPath}`, 'SELECT 2');
    expect(ca.stderr).toBe('');
    expect(ca.stdout.trim()).toBe('2');
    const full = await psql(srv.port, `sslmode=verify-full sslrootcert=${certPath}`, 'SELECT 3');
    expect(full.stderr).toBe('');
    expect(full.stdout.trim()).toBe('3');
    // Another certificate as root: verification fails.
    const other = join(srv.dir, 'other.crt');
    writeFileSync(other, makeSelfSigned().cert);
    const bad = await psql(srv.port, `sslmode=verify-ca sslrootcert=${other}`, 'SELECT 4');
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/certificate verify failed/);
  });

  it('reuses the stored certificate on the next start, and refuses a key file others can read', async () => {
    const dataDir = join(srv.dir, 'data2');
    const cfg = loadConfig(['--data', dataDir, '--tls', 'auto'], (n) => (n === 'SCRATCHBIRD_PASSWORD' ? PASSWORD : undefined), () => undefined);
    cfg.pgPortEphemeral = true;
    cfg.httpPort = 0;
    const start = () => startServer(cfg, nodePlatform(), new Logger('error', () => {}));
    const a = await start();
    const made = readFileSync(join(dataDir, 'server.crt'), 'utf8');
    await a.stop(1000);
    const b = await start();
    try {
      expect(readFileSync(join(dataDir, 'server.crt'), 'utf8')).toBe(made);
      const c = new pg.Client({ host: '127.0.0.1', port: b.pg!.port, user: 'sysdba', password: PASSWORD, database: 'scratchbird', ssl: { ca: made, servername: 'localhost' } });
      await c.connect();
      expect((await c.query('SELECT 5 AS x')).rows).toEqual([{ x: 5 }]);
      await c.end();
    } finally {
      await b.stop(1000);
    }
    if (process.platform !== 'win32') {
      const { chmodSync } = await import('node:fs');
      chmodSync(join(dataDir, 'server.key'), 0o644);
      await expect(start()).rejects.toThrow(/has group or world access/);
    }
  });
});
