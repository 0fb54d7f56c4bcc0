// Direct socket reads (host/server/pg_listener.ts): on Node a plain-TCP
// connection reads into one buffer shared by every socket and copies each
// read out in its callback, instead of a Buffer and a 'data' event per read.
// These check what that path must keep: bytes split anywhere across reads,
// many connections reading at once without mixing their bytes, pausing the
// socket when a client pipelines more than the input bound while a
// statement runs (and resuming after), and ends of stream.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directReadsSupported } from '../../host/server/pg_listener.ts';
import { type RawClient, rawClient, startTestServer, type TestServer, until } from '../wire/pg/server_helper.ts';
import { fe, parseBackend } from '../wire/pg/wire_client.ts';

let srv: TestServer;
const raw = (): Promise<RawClient> => rawClient(srv.port);

/** The first column of every DataRow after the startup's messages. */
function firstColumns(r: RawClient): string[] {
  return parseBackend(new Uint8Array(r.bytes())).filter((m) => m.type === 'D').map((m) => m.values![0]!);
}

beforeAll(async () => {
  srv = await startTestServer((c) => {
    c.pg.hba = [{ database: 'all', user: 'all', address: 'all', method: 'trust' }];
    // A small message bound, so the input bound (it plus 1 MiB) is reached by a test-sized pipeline.
    c.pg.messageBytesMax = 4096;
  });
});

afterAll(async () => {
  await srv.stop();
});

describe('direct socket reads', () => {
  it('are what this Node uses', () => {
    // Node 20 on Linux has the keys; were they gone, every socket would quietly take the slower 'data' path.
    expect(directReadsSupported()).toBe(typeof (globalThis as { Deno?: unknown }).Deno === 'undefined');
  });

  it('a message split into one-byte writes is read whole', async () => {
    const c = await raw();
    const q = fe.query(`SELECT 'split' || 41 + 1 AS v`);
    for (const b of q) {
      c.sock.write(Uint8Array.of(b));
      await new Promise((r) => setTimeout(r, 1));
    }
    await until(() => c.readyCount() >= 2, 10_000, 'the answer');
    expect(firstColumns(c)).toEqual(['split42']);
    c.sock.end(fe.terminate());
  });

  it('eight connections pipelining at once each get their own answers, in order', async () => {
    const cs = await Promise.all(Array.from({ length: 8 }, () => raw()));
    const N = 400;
    for (let k = 0; k < cs.length; k++) {
      // Uneven pieces, so reads of the connections interleave at different places.
      const all = Buffer.concat(Array.from({ length: N }, (_, i) => fe.query(`SELECT 'c${k}-${i}'`)));
      for (let at = 0; at < all.length; at += 997 + k * 131) cs[k]!.sock.write(all.subarray(at, Math.min(all.length, at + 997 + k * 131)));
    }
    await until(() => cs.every((c) => c.readyCount() >= N + 1), 30_000, 'every answer');
    cs.forEach((c, k) => expect(firstColumns(c)).toEqual(Array.from({ length: N }, (_, i) => `c${k}-${i}`)));
    for (const c of cs) c.sock.end(fe.terminate());
  });

  it('input pipelined beyond the bound while a statement runs pauses the socket; every query is answered after', async () => {
    const c = await raw();
    const other = await raw();
    const N = 60_000; // about 1.6 MB of queries: beyond 4096 + 1 MiB
    // A statement that runs for a while in time slices (the server reads meanwhile), then the pipeline.
    const pauses = srv.server.pg!.state.counters.inputPauses;
    const qs = Buffer.concat([fe.query('SELECT count(*) FROM generate_series(1, 3000000) g WHERE g % 7 <> 3'), ...Array.from({ length: N }, (_, i) => fe.query(`SELECT ${i}`))]);
    expect(qs.length).toBeGreaterThan(4096 + 1024 * 1024);
    c.sock.write(qs);
    // Another session is served meanwhile.
    other.sock.write(fe.query(`SELECT 'meanwhile'`));
    await until(() => other.readyCount() >= 2, 10_000, 'the other session');
    expect(firstColumns(other)).toEqual(['meanwhile']);
    await until(() => c.readyCount() >= N + 2, 60_000, `all ${N} answers`);
    const cols = firstColumns(c);
    expect(cols.length).toBe(N + 1);
    expect(cols[0]).toBe('2571428');
    for (let i = 0; i < N; i++) if (cols[i + 1] !== String(i)) throw new Error(`answer ${i} was ${cols[i + 1]}`);
    expect(srv.server.pg!.state.counters.inputPauses).toBeGreaterThan(pauses);
    c.sock.end(fe.terminate());
    other.sock.end(fe.terminate());
  });

  it('a client that closes (FIN or reset) mid-session ends its session', async () => {
    const state = srv.server.pg!.state;
    await until(() => state.open === 0, 10_000, `the earlier tests' sessions to end (open ${state.open})`);
    const base = state.open;
    const a = await raw();
    const b = await raw();
    expect(state.open).toBe(base + 2);
    a.sock.write(fe.query('BEGIN'));
    await until(() => a.readyCount() >= 2, 10_000, 'BEGIN');
    a.sock.end();
    b.sock.resetAndDestroy();
    await until(() => state.open === base, 10_000, `sessions to end (open ${state.open}, was ${base})`);
  });
});
