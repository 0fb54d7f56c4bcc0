// hba rule types: host (any TCP), hostssl (TLS only), hostnossl (plain TCP
// only); local is refused in the configuration (TCP-only server). The
// refusals carry PostgreSQL 15's messages, which name the encryption.

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../host/server/config.ts';
import { checkHbaRule, hbaMethod, type HbaRule } from '../../../host/wire/pg/hba.ts';
import { PASSWORD, startTestServer, type TestServer } from './server_helper.ts';

describe('hba rule types', () => {
  const rules: HbaRule[] = [
    { type: 'hostssl', database: 'all', user: 'alice', address: 'all', method: 'scram-sha-256' },
    { type: 'hostnossl', database: 'all', user: 'alice', address: 'all', method: 'reject' },
    { type: 'hostnossl', database: 'all', user: 'bob', address: 'loopback', method: 'trust' },
    { database: 'all', user: 'all', address: 'all', method: 'md5' },
  ];
  it('matches by encryption', () => {
    expect(hbaMethod(rules, 'db', 'alice', '10.1.2.3', true)).toBe('scram-sha-256');
    expect(hbaMethod(rules, 'db', 'alice', '10.1.2.3', false)).toBe('reject');
    expect(hbaMethod(rules, 'db', 'bob', '127.0.0.1', false)).toBe('trust');
    expect(hbaMethod(rules, 'db', 'bob', '127.0.0.1', true)).toBe('md5');
    expect(hbaMethod(rules, 'db', 'carol', '127.0.0.1', true)).toBe('md5');
    expect(hbaMethod(rules.slice(0, 1), 'db', 'alice', '127.0.0.1', false)).toBeUndefined();
  });

  it('reads the type from configuration and refuses local and unknown types', () => {
    expect(checkHbaRule({ type: 'hostssl', method: 'trust' }, 'r').type).toBe('hostssl');
    expect(checkHbaRule({ method: 'trust' }, 'r').type).toBeUndefined();
    expect(() => checkHbaRule({ type: 'local', method: 'trust' }, 'r')).toThrow(/local .*not supported/);
    expect(() => checkHbaRule({ type: 'hostgssenc', method: 'trust' }, 'r')).toThrow(/type must be one of host, hostssl, hostnossl/);
    const yaml = 'protocols:\n  postgresql:\n    hba:\n      - { type: local, method: trust }\n';
    expect(() => loadConfig([], () => undefined, (p) => (p === 'scratchbird.yaml' ? yaml : undefined))).toThrow(ConfigError);
  });
});

describe('hostssl / hostnossl on a TLS server', () => {
  let srv: TestServer;
  beforeAll(async () => {
    srv = await startTestServer((c) => {
      c.tlsAuto = true;
      c.pg.hba = [
        { type: 'hostssl', database: 'all', user: 'sysdba', address: 'loopback', method: 'scram-sha-256' },
        { type: 'hostnossl', database: 'all', user: 'sysdba', address: 'all', method: 'reject' },
        { type: 'hostnossl', database: 'all', user: 'plainuser', address: 'all', method: 'scram-sha-256' },
      ];
    });
    const c = new pg.Client({ host: '127.0.0.1', port: srv.port, user: 'sysdba', password: PASSWORD, database: 'scratchbird', ssl: { rejectUnauthorized: false } });
    await c.connect();
    await c.query("CREATE USER plainuser PASSWORD 'pw'");
    await c.end();
  });
  afterAll(async () => {
    await srv?.stop();
  });

  const connect = async (user: string, password: string, ssl: pg.ClientConfig['ssl']): Promise<string> => {
    const c = new pg.Client({ host: '127.0.0.1', port: srv.port, user, password, database: 'scratchbird', ssl });
    try {
      await c.connect();
      const r = await c.query('SELECT current_user AS u');
      return `ok ${r.rows[0].u}`;
    } catch (e) {
      return `${(e as { code?: string }).code}: ${(e as Error).message}`;
    } finally {
      await c.end().catch(() => {});
    }
  };

  it('lets sysdba in over TLS only, plainuser over plain TCP only', async () => {
    expect(await connect('sysdba', PASSWORD, { rejectUnauthorized: false })).toBe('ok sysdba');
    expect(await connect('sysdba', PASSWORD, false)).toBe('28000: pg_hba.conf rejects connection for host "127.0.0.1", user "sysdba", database "scratchbird", no encryption');
    expect(await connect('plainuser', 'pw', false)).toBe('ok plainuser');
    expect(await connect('plainuser', 'pw', { rejectUnauthorized: false })).toBe('28000: no pg_hba.conf entry for host "127.0.0.1", user "plainuser", database "scratchbird", SSL encryption');
  });
});
