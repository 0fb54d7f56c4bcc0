// TLS after SSLRequest with a configured certificate (a self-signed one made
// by openssl for the test); without one the server answers 'N'.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestServer, type TestServer } from './server_helper.ts';

const hasOpenssl = spawnSync('openssl', ['version']).status === 0;
if (!hasOpenssl && process.env.CI === 'true') throw new Error('openssl is required in CI');
if (!hasOpenssl) console.warn('openssl not found: skipping the TLS tests');

describe.skipIf(!hasOpenssl)('TLS', () => {
  let srv: TestServer;
  let plain: TestServer;
  const certDir = mkdtempSync(join(tmpdir(), 'sb-tls-'));

  beforeAll(async () => {
    const r = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(certDir, 'key.pem'), '-out', join(certDir, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost']);
    expect(r.status).toBe(0);
    srv = await startTestServer((c) => {
      c.tlsCert = join(certDir, 'cert.pem');
      c.tlsKey = join(certDir, 'key.pem');
    });
    plain = await startTestServer();
  });
  afterAll(async () => {
    await srv?.stop();
    await plain?.stop();
    rmSync(certDir, { recursive: true, force: true });
  });

  const cfg = (s: TestServer, ssl: pg.ClientConfig['ssl']): pg.ClientConfig => ({ host: '127.0.0.1', port: s.port, user: 'sysdba', password: PASSWORD, database: 'scratchbird', ssl });

  it('encrypts when the client asks, and still serves plain connections', async () => {
    const c = new pg.Client(cfg(srv, { rejectUnauthorized: false }));
    await c.connect();
    try {
      expect((c as unknown as { connection: { stream: { encrypted?: boolean; getProtocol?(): string } } }).connection.stream.encrypted).toBe(true);
      expect((await c.query('SELECT 7 AS x')).rows).toEqual([{ x: 7 }]);
    } finally {
      await c.end();
    }
    const p = new pg.Client(cfg(srv, false));
    await p.connect();
    expect((await p.query('SELECT 8 AS x')).rows).toEqual([{ x: 8 }]);
    await p.end();
  });

  it('without a certificate the SSLRequest is declined', async () => {
    const c = new pg.Client(cfg(plain, { rejectUnauthorized: false }));
    await expect(c.connect()).rejects.toThrow(/does not support SSL/);
  });
});
