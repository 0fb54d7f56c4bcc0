// SCRAM-SHA-256-PLUS with tls-server-end-point channel binding (RFC 5929):
// the ScramServer against an independent node:crypto client (binding data
// right, wrong, downgrade, -PLUS on a plain connection), then over real TLS:
// a raw client sending wrong binding data gets PostgreSQL's FATAL, psql with
// channel_binding=require and pg with enableChannelBinding log in; plain
// SCRAM-SHA-256 keeps working on TLS and plain connections.

import { createHash, createHmac, pbkdf2Sync, randomBytes, X509Certificate } from 'node:crypto';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeVerifier, SCRAM_PLUS_MECHANISM, ScramServer, scramMechanisms } from '../../../host/wire/pg/scram.ts';
import { SbError } from '../../../host/engine/sb_error.ts';
import { fe, parseBackend, type BackendMsg } from './wire_client.ts';
import { PASSWORD, PSQL, type PsqlResult, runPsql, startTestServer, type TestServer } from './server_helper.ts';

if (!PSQL && process.env.CI === 'true') throw new Error('psql is required in CI');
if (!PSQL) console.warn('psql not found: skipping the psql channel_binding test');

/** A SCRAM client with node:crypto; `gs2` is the GS2 header, `cbData` the binding data it appends (for p=). */
function client(password: string, gs2: string, cbData: Uint8Array = new Uint8Array(0)) {
  const cnonce = randomBytes(18).toString('base64');
  const bare = `n=,r=${cnonce}`;
  return {
    first: (): Buffer => Buffer.from(`${gs2}${bare}`),
    final(serverFirst: string): Buffer {
      const a = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
      const salted = pbkdf2Sync(password, Buffer.from(a.s!, 'base64'), Number(a.i), 32, 'sha256');
      const clientKey = createHmac('sha256', salted).update('Client Key').digest();
      const storedKey = createHash('sha256').update(clientKey).digest();
      const c = Buffer.concat([Buffer.from(gs2), cbData]).toString('base64');
      const withoutProof = `c=${c},r=${a.r}`;
      const sig = createHmac('sha256', storedKey).update(`${bare},${serverFirst},${withoutProof}`).digest();
      const proof = Buffer.alloc(32);
      for (let i = 0; i < 32; i++) proof[i] = clientKey[i]! ^ sig[i]!;
      return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
    },
  };
}

function errorOf(f: () => unknown): SbError {
  try {
    f();
  } catch (e) {
    if (e instanceof SbError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('ScramServer with channel binding', () => {
  const verifier = makeVerifier('secret');
  const endPoint = new Uint8Array(createHash('sha256').update('the certificate').digest());
  const gs2 = 'p=tls-server-end-point,,';

  it('offers -PLUS first only when the connection can bind', () => {
    expect(scramMechanisms(true)).toEqual(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']);
    expect(scramMechanisms(false)).toEqual(['SCRAM-SHA-256']);
  });

  it('accepts the right tls-server-end-point data and refuses other data with 08P01', () => {
    const good = client('secret', gs2, endPoint);
    const s = new ScramServer(verifier, undefined, endPoint);
    const sf = new TextDecoder().decode(s.first(good.first(), SCRAM_PLUS_MECHANISM));
    expect(new TextDecoder().decode(s.final(good.final(sf), 'u'))).toMatch(/^v=/);

    const wrong = new Uint8Array(endPoint);
    wrong[0]! ^= 1;
    const bad = client('secret', gs2, wrong);
    const s2 = new ScramServer(verifier, undefined, endPoint);
    const sf2 = new TextDecoder().decode(s2.first(bad.first(), SCRAM_PLUS_MECHANISM));
    const e = errorOf(() => s2.final(bad.final(sf2), 'u'));
    expect([e.code, e.message]).toEqual(['08P01', 'SCRAM channel binding check failed']);
    // The right password does not help when the binding is wrong, and no binding data at all fails too.
    const none = client('secret', gs2);
    const s3 = new ScramServer(verifier, undefined, endPoint);
    const sf3 = new TextDecoder().decode(s3.first(none.first(), SCRAM_PLUS_MECHANISM));
    expect(errorOf(() => s3.final(none.final(sf3), 'u')).message).toBe('SCRAM channel binding check failed');
  });

  it('refuses the negotiation errors with PostgreSQL messages', () => {
    const cases: Array<[string, string, Uint8Array | undefined, string, string | undefined]> = [
      // [gs2, mechanism, server binding, message, detail]
      ['y,,', 'SCRAM-SHA-256', endPoint, 'SCRAM channel binding negotiation error', 'The client supports SCRAM channel binding but thinks the server does not.  However, this server does support channel binding.'],
      ['n,,', SCRAM_PLUS_MECHANISM, endPoint, 'malformed SCRAM message', 'The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.'],
      ['y,,', SCRAM_PLUS_MECHANISM, endPoint, 'malformed SCRAM message', 'The client selected SCRAM-SHA-256-PLUS, but the SCRAM message does not include channel binding data.'],
      [gs2, 'SCRAM-SHA-256', endPoint, 'malformed SCRAM message', 'The client selected SCRAM-SHA-256 without channel binding, but the SCRAM message includes channel binding data.'],
      ['p=tls-unique,,', SCRAM_PLUS_MECHANISM, endPoint, 'unsupported SCRAM channel-binding type "tls-unique"', undefined],
      [gs2, SCRAM_PLUS_MECHANISM, undefined, 'client selected an invalid SASL authentication mechanism', undefined],
    ];
    for (const [h, mech, binding, message, detail] of cases) {
      const s = new ScramServer(verifier, undefined, binding);
      const e = errorOf(() => s.first(client('secret', h).first(), mech));
      expect([e.code, e.message, e.detail], h + mech).toEqual(['08P01', message, detail]);
    }
  });

  it('keeps plain SCRAM: "n" and "y" without binding, "n" with a server that could bind', () => {
    for (const [h, binding] of [['n,,', undefined], ['y,,', undefined], ['n,,', endPoint]] as const) {
      const c = client('secret', h);
      const s = new ScramServer(verifier, undefined, binding);
      const sf = new TextDecoder().decode(s.first(c.first()));
      expect(new TextDecoder().decode(s.final(c.final(sf), 'u'))).toMatch(/^v=/);
    }
    // A c= attribute that is not the GS2 header: PostgreSQL's message.
    const c = client('secret', 'n,,', new Uint8Array([1]));
    const s = new ScramServer(verifier);
    const sf = new TextDecoder().decode(s.first(c.first()));
    expect(errorOf(() => s.final(c.final(sf), 'u')).message).toBe('unexpected SCRAM channel-binding attribute in client-final-message');
  });
});

/** A minimal TLS client: SSLRequest, TLS, startup, and then whatever the test sends. */
class RawTlsClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  sock!: TLSSocket;
  ended = false;

  async open(port: number): Promise<void> {
    const raw = netConnect(port, '127.0.0.1');
    await new Promise<void>((r, j) => raw.once('connect', r).once('error', j));
    raw.write(fe.sslRequest());
    const answer = await new Promise<Buffer>((r) => raw.once('data', r));
    expect(answer.toString('latin1')).toBe('S');
    this.sock = tlsConnect({ socket: raw, rejectUnauthorized: false });
    await new Promise<void>((r, j) => this.sock.once('secureConnect', r).once('error', j));
    this.sock.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      for (const w of this.waiters.splice(0)) w();
    });
    this.sock.on('close', () => {
      this.ended = true;
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** The next complete backend message. */
  async next(): Promise<BackendMsg> {
    for (;;) {
      if (this.buf.length >= 5) {
        const len = this.buf.readInt32BE(1);
        if (this.buf.length >= 1 + len) {
          const m = parseBackend(new Uint8Array(this.buf.subarray(0, 1 + len)))[0]!;
          this.buf = this.buf.subarray(1 + len);
          return m;
        }
      }
      if (this.ended) throw new Error('connection closed');
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }
}

describe('SCRAM-SHA-256-PLUS over TLS', () => {
  let srv: TestServer;
  let plain: TestServer;
  let certDer: Buffer;

  beforeAll(async () => {
    srv = await startTestServer((c) => {
      c.tlsAuto = true;
    });
    plain = await startTestServer();
    const { readFileSync } = await import('node:fs');
    certDer = new X509Certificate(readFileSync(`${srv.dir}/data/server.crt`, 'utf8')).raw;
  });
  afterAll(async () => {
    await srv?.stop();
    await plain?.stop();
  });

  async function raw(cbData: Uint8Array): Promise<BackendMsg[]> {
    const c = new RawTlsClient();
    await c.open(srv.port);
    try {
      c.sock.write(fe.startup({ user: 'sysdba', database: 'scratchbird' }));
      const sasl = await c.next();
      expect(sasl.type).toBe('R');
      const mechs = new TextDecoder().decode(sasl.body.subarray(4)).split('\0').filter((x) => x !== '');
      expect(mechs).toEqual(['SCRAM-SHA-256-PLUS', 'SCRAM-SHA-256']);
      const cl = client(PASSWORD, 'p=tls-server-end-point,,', cbData);
      const first = cl.first();
      c.sock.write(fe.saslInitial(SCRAM_PLUS_MECHANISM, first));
      const cont = await c.next();
      expect(cont.type).toBe('R');
      c.sock.write(fe.saslResponse(cl.final(new TextDecoder().decode(cont.body.subarray(4)))));
      const out: BackendMsg[] = [];
      for (;;) {
        const m = await c.next().catch(() => undefined);
        if (!m) break;
        out.push(m);
        if (m.type === 'Z' || m.type === 'E') break;
      }
      return out;
    } finally {
      c.sock.destroy();
    }
  }

  it('a raw client with the right certificate hash logs in; with another hash it gets FATAL 08P01', async () => {
    const ok = await raw(new Uint8Array(createHash('sha256').update(certDer).digest()));
    expect(ok.at(-1)?.type).toBe('Z');
    const bad = await raw(new Uint8Array(createHash('sha256').update('another certificate').digest()));
    const e = bad.find((m) => m.type === 'E');
    expect(e?.fields).toMatchObject({ S: 'FATAL', C: '08P01', M: 'SCRAM channel binding check failed' });
  });

  /** The SASL mechanism the pg client sends (seen on its way out). */
  function chosenMechanism(c: pg.Client): () => string | undefined {
    let chosen: string | undefined;
    const conn = (c as unknown as { connection: { sendSASLInitialResponseMessage(m: string, r: string): void } }).connection;
    const send = conn.sendSASLInitialResponseMessage.bind(conn);
    conn.sendSASLInitialResponseMessage = (m, r) => {
      chosen = m;
      send(m, r);
    };
    return () => chosen;
  }

  it('pg with enableChannelBinding uses -PLUS on TLS; plain SCRAM still works on TLS and plain TCP', async () => {
    const base = { host: '127.0.0.1', user: 'sysdba', password: PASSWORD, database: 'scratchbird' };
    const bound = new pg.Client({ ...base, port: srv.port, ssl: { rejectUnauthorized: false }, enableChannelBinding: true } as pg.ClientConfig);
    const boundMech = chosenMechanism(bound);
    await bound.connect();
    expect(boundMech()).toBe('SCRAM-SHA-256-PLUS');
    expect((await bound.query('SELECT 1 AS x')).rows).toEqual([{ x: 1 }]);
    await bound.end();
    for (const [port, ssl] of [[srv.port, { rejectUnauthorized: false }], [srv.port, false], [plain.port, false]] as const) {
      const c = new pg.Client({ ...base, port, ssl });
      const mech = chosenMechanism(c);
      await c.connect();
      expect(mech()).toBe('SCRAM-SHA-256');
      expect((await c.query('SELECT 2 AS x')).rows).toEqual([{ x: 2 }]);
      await c.end();
    }
    // enableChannelBinding on a plain connection: the server offers no -PLUS; the client's "y" is fine there.
    const y = new pg.Client({ ...base, port: plain.port, ssl: false, enableChannelBinding: true } as pg.ClientConfig);
    await y.connect();
    expect((await y.query('SELECT 3 AS x')).rows).toEqual([{ x: 3 }]);
    await y.end();
  });

  it.skipIf(!PSQL)('psql with channel_binding=require logs in over TLS and gives up on a plain server', async () => {
    const run = (port: number, conninfo: string): Promise<PsqlResult> =>
      runPsql(['-X', '-A', '-t', '-c', 'SELECT 40 + 2', `host=127.0.0.1 port=${port} user=sysdba dbname=scratchbird ${conninfo}`]);
    const ok = await run(srv.port, 'sslmode=require channel_binding=require');
    expect(ok.stderr).toBe('');
    expect(ok.stdout.trim()).toBe('42');
    const prefer = await run(srv.port, 'sslmode=require channel_binding=prefer');
    expect(prefer.stdout.trim()).toBe('42');
    const off = await run(srv.port, 'sslmode=require channel_binding=disable');
    expect(off.stdout.trim()).toBe('42');
    const noTls = await run(plain.port, 'sslmode=prefer channel_binding=require');
    expect(noTls.status).not.toBe(0);
    expect(noTls.stderr).toMatch(/channel binding/);
  });
});
