// The off-thread socket writer (host/server/wire_writer.ts): byte order per
// connection across the ring and the socket path, a client that stops
// reading (partial writes / EAGAIN handed back) while others go on, abrupt
// disconnects mid-response, write errors on the writer thread, fd numbers
// reused after a close, large results, and shutdown. Real sockets throughout.

import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import { connect as netConnect, createServer, type Server, type Socket } from 'node:net';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../host/server/config.ts';
import { type RingStream, socketFd, WireWriter, wireWriterSupported } from '../../host/server/wire_writer.ts';
import { type RawClient, rawClient, startTestServer, type TestServer, until } from '../wire/pg/server_helper.ts';
import { fe, parseBackend } from '../wire/pg/wire_client.ts';

type CopyStreams = { to(sql: string): pg.Submittable & Readable };
const copyStreams = createRequire(import.meta.url)('pg-copy-streams') as CopyStreams;

const supported = wireWriterSupported();
if (!supported) console.warn('wire_writer.test: the writer thread needs Node on Linux; its tests are skipped');

/** A loopback TCP pair: the server side (with its RingStream) and the client side. */
async function pair(writer: WireWriter): Promise<{ server: Socket; client: Socket; ring: RingStream; close(): Promise<void> }> {
  const listener: Server = createServer({ allowHalfOpen: true });
  await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
  const port = (listener.address() as { port: number }).port;
  const accepted = new Promise<Socket>((r) => listener.once('connection', r));
  const client = netConnect(port, '127.0.0.1');
  const server = await accepted;
  server.on('error', () => {});
  client.on('error', () => {});
  const ring = writer.attach(server, socketFd(server));
  return {
    server, client, ring,
    async close() {
      client.destroy();
      server.destroy();
      await new Promise<void>((r) => listener.close(() => r()));
    },
  };
}

describe.skipIf(!supported)('WireWriter over a socket pair', () => {
  let writer: WireWriter;
  beforeAll(() => {
    writer = new WireWriter((m) => {
      throw new Error(m);
    });
    // Through the ring unless a test says otherwise (an idle main thread would write itself).
    writer.inlineWrites = false;
  });
  afterAll(async () => {
    await writer.stop();
    expect(writer.alive).toBe(false);
  });

  it('keeps byte order when a client stops reading (the rest handed back to the socket path), and returns to the ring once drained', async () => {
    const p = await pair(writer);
    p.client.pause();
    const before = writer.stats;
    // Numbered 1000-byte chunks until the kernel's buffers are full and the writer has handed bytes back.
    const chunk = (i: number): Uint8Array => {
      const b = new Uint8Array(1000);
      new DataView(b.buffer).setUint32(0, i);
      b.fill(i & 0xff, 4);
      return b;
    };
    let n = 0;
    // Paced (a pause every 32 KB) so the writer keeps up and the kernel's buffers, not the ring, fill first.
    while (writer.stats.handedBack === before.handedBack) {
      const w = p.ring.write(chunk(n++));
      if (w) break; // the socket path asks to wait: the client does not read
      if (n % 32 === 0) await new Promise((r) => setTimeout(r, 1));
      if (n > 100_000) throw new Error('never handed back');
    }
    expect(writer.stats.handedBack).toBeGreaterThan(before.handedBack);
    // More writes while handing off / on the socket path: they queue behind, in order.
    for (let k = 0; k < 50; k++) void p.ring.write(chunk(n++));
    const total = n * 1000;
    const got: Buffer[] = [];
    let have = 0;
    p.client.on('data', (d: Buffer) => {
      got.push(d);
      have += d.length;
    });
    p.client.resume();
    await until(() => have >= total, 20_000, `${total} bytes (have ${have})`);
    const all = Buffer.concat(got);
    expect(all.length).toBe(total);
    for (let i = 0; i < n; i++) {
      const at = i * 1000;
      if (all.readUInt32BE(at) !== i || all[at + 4] !== (i & 0xff) || all[at + 999] !== (i & 0xff)) throw new Error(`chunk ${i} out of order or damaged`);
    }
    // Drained: the next writes go through the ring again.
    await until(() => p.server.writableLength === 0);
    const entries = writer.stats.entries;
    p.ring.write(chunk(n));
    await until(() => have >= total + 1000);
    expect(writer.stats.entries).toBeGreaterThan(entries);
    await p.close();
  });

  /**
   * Writes 3000 numbered chunks of 100-1000 bytes, `choose(x, last)` setting
   * up each write from a pseudo-random x (and saying whether it is urgent),
   * and checks that the client gets them all, in order; returns the writer's
   * counters from before. Before the last chunk it lets the writer drain the
   * ring and sleep, so that chunk's path does not depend on the machine's load.
   */
  async function numberedChunks(seed: number, yieldMask: number, choose: (x: number, last: 0 | 1 | 2) => boolean): Promise<ReturnType<() => WireWriter['stats']>> {
    const p = await pair(writer);
    let have = 0;
    const got: Buffer[] = [];
    p.client.on('data', (d: Buffer) => {
      got.push(d);
      have += d.length;
    });
    const before = writer.stats;
    const N = 3000;
    let x = seed;
    for (let i = 0; i < N; i++) {
      x = (x * 1103515245 + 12345) & 0x7fffffff;
      if (i === N - 1) await new Promise((r) => setTimeout(r, 50));
      const urgent = choose(x, i === N - 1 ? 2 : i === N - 2 ? 1 : 0);
      const b = new Uint8Array(100 + (x % 900));
      new DataView(b.buffer).setUint32(0, i);
      new DataView(b.buffer).setUint32(4, b.length);
      p.ring.write(b, urgent);
      if ((x & yieldMask) === 0) await new Promise((r) => setImmediate(r));
    }
    writer.inlineWrites = false;
    await until(() => {
      const all = Buffer.concat(got);
      let at = 0;
      let k = 0;
      while (at + 8 <= all.length) {
        const len = all.readUInt32BE(at + 4);
        if (all.readUInt32BE(at) !== k) throw new Error(`chunk ${k} out of order at ${at}`);
        at += len;
        k++;
      }
      return k === N && at === all.length;
    }, 20_000, 'all chunks');
    expect(have).toBeGreaterThan(N * 100);
    await p.close();
    return before;
  }

  it('main-thread writes (ring empty) and ring entries interleave in order', async () => {
    // The one before last through the ring, the last (the writer asleep, the ring empty) on this thread.
    const before = await numberedChunks(12345, 15, (x, last) => {
      writer.inlineWrites = last === 0 ? (x & 3) === 0 : last === 2;
      return false;
    });
    expect(writer.stats.inline).toBeGreaterThan(before.inline);
    expect(writer.stats.entries).toBeGreaterThan(before.entries);
  });

  it('urgent writes (a transaction block\'s answers) leave on this thread once the connection\'s ring entries are out, in order with them', async () => {
    // Runs of urgent and of ordinary writes, sometimes with the writer still holding the previous ones.
    // The one before last through the ring, the last urgent once the ring has drained.
    const before = await numberedChunks(777, 7, (x, last) => (last === 0 ? ((x >> 4) & 3) !== 0 : last === 2));
    // inlineWrites is off: only urgency put bytes on the socket path, and the others still used the ring.
    expect(writer.stats.inline).toBeGreaterThan(before.inline);
    expect(writer.stats.entries).toBeGreaterThan(before.entries);
  });

  it('a write error on the writer thread (peer reset) ends that socket with the error; the fd is closed only after', async () => {
    const p = await pair(writer);
    p.server.pause(); // the main thread does not read, so only the writer can notice the reset
    const errors: string[] = [];
    p.server.on('error', (e: Error & { code?: string }) => errors.push(String(e.code)));
    const closed = new Promise<void>((r) => p.server.once('close', () => r()));
    expect(p.ring.write(new Uint8Array(100).fill(1))).toBeUndefined();
    p.client.resetAndDestroy();
    await new Promise((r) => setTimeout(r, 50));
    for (let i = 0; i < 20 && !p.server.destroyed; i++) {
      p.ring.write(new Uint8Array(100).fill(2));
      await new Promise((r) => setTimeout(r, 10));
    }
    await closed;
    expect(errors.length).toBe(1);
    expect(['EPIPE', 'ECONNRESET']).toContain(errors[0]);
    await p.close();
  });

  it('never sends one connection\'s bytes to the next one on a reused fd number', async () => {
    const listener: Server = createServer({ allowHalfOpen: true });
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
    const port = (listener.address() as { port: number }).port;
    const fds = new Set<number>();
    let k = 0;
    listener.on('connection', (s: Socket) => {
      s.on('error', () => {});
      const fd = socketFd(s);
      fds.add(fd);
      const ring = writer.attach(s, fd);
      const me = k++;
      // Several entries, then an immediate destroy: the close must wait for the writer.
      for (let j = 0; j < 8; j++) ring.write(new TextEncoder().encode(`<${me}:${j}>`.padEnd(200, '.')));
      s.destroy();
    });
    const N = 150;
    for (let i = 0; i < N; i++) {
      const c = netConnect(port, '127.0.0.1');
      let text = '';
      c.on('data', (d) => (text += d.toString()));
      await new Promise<void>((r) => c.on('close', () => r()));
      const ids = [...text.matchAll(/<(\d+):(\d+)>/g)].map((m) => `${m[1]}:${m[2]}`);
      expect(ids).toEqual([0, 1, 2, 3, 4, 5, 6, 7].map((j) => `${i}:${j}`));
      expect(text.length).toBe(8 * 200);
    }
    expect(fds.size).toBeLessThan(N); // fd numbers were indeed reused
    await new Promise<void>((r) => listener.close(() => r()));
  });
});

describe.skipIf(!supported)('PostgreSQL listener with the writer thread', () => {
  let srv: TestServer;
  const clients: pg.Client[] = [];

  async function client(): Promise<pg.Client> {
    const c = new pg.Client({ host: '127.0.0.1', port: srv.port, user: 'sysdba', database: 'scratchbird' });
    await c.connect();
    clients.push(c);
    return c;
  }

  const raw = (): Promise<RawClient> => rawClient(srv.port);

  beforeAll(async () => {
    srv = await startTestServer((c) => {
      c.pg.writerThread = true;
      c.pg.hba = [{ database: 'all', user: 'all', address: 'all', method: 'trust' }];
    });
    expect(srv.server.pg!.writer).toBeDefined();
    // Every write through the ring (an idle main thread would write itself; tests/wire covers that default).
    srv.server.pg!.writer!.inlineWrites = false;
    const c = await client();
    await c.query('CREATE TABLE big (id int PRIMARY KEY, t text)');
    await c.query(`INSERT INTO big SELECT g, 'row-' || g || repeat('z', g % 50) FROM generate_series(1, 60000) g`);
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.end().catch(() => {})));
    const writer = srv.server.pg!.writer!;
    await srv.stop();
    expect(writer.alive).toBe(false);
  });

  it("a transaction block's answers are written on the engine thread; autocommit answers go through the ring", async () => {
    const c = await client();
    const writer = srv.server.pg!.writer!;
    await c.query('SELECT 1');
    const a = writer.stats;
    for (let i = 0; i < 5; i++) expect((await c.query('SELECT $1::int AS v', [i])).rows).toEqual([{ v: i }]);
    const b = writer.stats;
    expect(b.entries - a.entries).toBeGreaterThanOrEqual(5);
    await c.query('BEGIN');
    for (let i = 0; i < 5; i++) expect((await c.query('SELECT count(*)::int AS n FROM big WHERE id <= $1', [i])).rows).toEqual([{ n: i }]);
    await c.query('COMMIT');
    const d = writer.stats;
    // The connection left the ring once (BEGIN's answer may still have waited behind it); the rest, COMMIT's included, went out here.
    expect(d.inline - b.inline).toBe(1);
    expect(d.entries - b.entries).toBeLessThanOrEqual(1);
    // Out of the block, the next autocommit answer takes the ring again.
    await c.query('SELECT 2');
    await until(() => writer.stats.entries > d.entries, 5_000, 'a ring entry');
  });

  it('a client that stops reading its pipelined results does not hold up 8 others; it gets every byte in order later', async () => {
    const slow = await raw();
    const writer = srv.server.pg!.writer!;
    const handed = writer.stats.handedBack;
    slow.sock.pause();
    // 30 KB results, one query at a time (pipelined ones would be answered in one large write, which takes
    // the socket path), until the kernel's buffers are full under the ring and the writer hands bytes back.
    let Q = 0;
    while (srv.server.pg!.writer!.stats.handedBack === handed) {
      if (Q >= 2000) throw new Error('no hand-back from the writer');
      slow.sock.write(fe.query(`SELECT ${Q} AS i, repeat(chr(65 + ${Q} % 26), 30000) AS pad`));
      Q++;
      await new Promise((r) => setTimeout(r, 2));
    }
    // And more behind it, pipelined.
    const more: Uint8Array[] = [];
    for (let k = 0; k < 40; k++, Q++) more.push(fe.query(`SELECT ${Q} AS i, repeat(chr(65 + ${Q} % 26), 30000) AS pad`));
    slow.sock.write(Buffer.concat(more));
    // Meanwhile eight clients run results of sizes on both sides of the ring's entry limit.
    const others = await Promise.all(Array.from({ length: 8 }, () => client()));
    await Promise.all(others.map(async (c, k) => {
      for (let j = 0; j < 25; j++) {
        const n = [10, 1000, 60_000, 70_000, 300_000][(j + k) % 5]!;
        const r = await c.query('SELECT $1::int AS k, repeat($2, $3::int) AS s', [k * 1000 + j, String.fromCharCode(97 + ((j + k) % 26)), n]);
        expect(r.rows[0].k).toBe(k * 1000 + j);
        expect(r.rows[0].s).toBe(String.fromCharCode(97 + ((j + k) % 26)).repeat(n));
      }
    }));
    expect(slow.readyCount()).toBeLessThan(Q + 1); // still stalled while the others finished
    slow.sock.resume();
    await until(() => slow.readyCount() >= Q + 1, 30_000, 'all pipelined results');
    const msgs = parseBackend(new Uint8Array(slow.bytes())).filter((m) => m.type === 'D');
    expect(msgs.length).toBe(Q);
    msgs.forEach((m, i) => {
      expect(m.values![0]).toBe(String(i));
      expect(m.values![1]).toBe(String.fromCharCode(65 + (i % 26)).repeat(30000));
    });
    slow.sock.end(fe.terminate());
  });

  it('abrupt disconnects in the middle of responses end those sessions; everyone else is served', async () => {
    const steady = await client();
    const state = srv.server.pg!.state;
    const base = state.open;
    let stop = false;
    const loop = (async () => {
      let i = 0;
      while (!stop) {
        const r = await steady.query('SELECT $1::int + 1 AS v, repeat(\'q\', 2000) AS pad', [i]);
        expect(r.rows[0].v).toBe(i + 1);
        i++;
      }
      return i;
    })();
    for (let k = 0; k < 15; k++) {
      const c = await raw();
      c.sock.write(Buffer.concat([fe.query('SELECT t FROM big'), ...Array.from({ length: 50 }, (_, i) => fe.query(`SELECT ${i}, repeat('w', 20000)`))]));
      await until(() => c.bytes().length > 10_000, 10_000, 'the start of the response');
      if (k % 2 === 0) c.sock.resetAndDestroy();
      else c.sock.destroy();
    }
    await until(() => state.open === base, 20_000, `sessions back to ${base} (now ${state.open})`);
    stop = true;
    expect(await loop).toBeGreaterThan(0);
    const r = await steady.query('SELECT count(*)::int AS n FROM big');
    expect(r.rows[0].n).toBe(60000);
  });

  it('large results: COPY TO STDOUT and a 60,000-row SELECT arrive whole, with many connections at once', async () => {
    const expected = createHash('sha256');
    for (let g = 1; g <= 60000; g++) expected.update(`${g}\trow-${g}${'z'.repeat(g % 50)}\n`);
    const want = expected.digest('hex');
    const digestById = (lines: string[]): string => {
      const h = createHash('sha256');
      for (const l of lines.sort((a, b) => parseInt(a, 10) - parseInt(b, 10))) h.update(l + '\n');
      return h.digest('hex');
    };
    const cs = await Promise.all(Array.from({ length: 6 }, () => client()));
    await Promise.all(cs.map(async (c, k) => {
      if (k % 2 === 0) {
        const chunks: Buffer[] = [];
        await pipeline(c.query(copyStreams.to('COPY big TO STDOUT')), new Writable({
          write(chunk: Buffer, _enc, cb) {
            chunks.push(chunk);
            cb();
          },
        }));
        const lines = Buffer.concat(chunks).toString().split('\n');
        expect(lines.pop()).toBe('');
        expect(digestById(lines)).toBe(want);
      } else {
        const r = await c.query('SELECT id, t FROM big ORDER BY id');
        expect(r.rows.length).toBe(60000);
        expect(digestById(r.rows.map((row) => `${row.id}\t${row.t}`))).toBe(want);
      }
    }));
  });

  it('short-lived connections (fd numbers reused) each get their own answers', async () => {
    const tokens = await Promise.all(Array.from({ length: 60 }, async (_, i) => {
      const c = new pg.Client({ host: '127.0.0.1', port: srv.port, user: 'sysdba', database: 'scratchbird' });
      await c.connect();
      const r = await c.query('SELECT $1::text AS t', [`token-${i}`]);
      await c.end();
      return r.rows[0].t as string;
    }));
    expect(tokens).toEqual(Array.from({ length: 60 }, (_, i) => `token-${i}`));
  });
});

describe('--wire-writer-thread', () => {
  const load = (argv: string[], env: Record<string, string> = {}, yaml?: string) =>
    loadConfig(argv, (n) => env[n], (p) => (p === 'scratchbird.yaml' ? yaml : undefined));

  it('is on by default, and set by flag, environment or YAML (flag wins)', () => {
    expect(load([]).pg.writerThread).toBe(true);
    expect(load(['--wire-writer-thread', 'on']).pg.writerThread).toBe(true);
    expect(load([], { SCRATCHBIRD_WIRE_WRITER_THREAD: 'on' }).pg.writerThread).toBe(true);
    expect(load(['--wire-writer-thread', 'off']).pg.writerThread).toBe(false);
    expect(load([], { SCRATCHBIRD_WIRE_WRITER_THREAD: 'off' }).pg.writerThread).toBe(false);
    expect(load([], {}, 'protocols:\n  postgresql:\n    writer_thread: false\n').pg.writerThread).toBe(false);
    expect(load(['--wire-writer-thread=on'], { SCRATCHBIRD_WIRE_WRITER_THREAD: 'off' }).pg.writerThread).toBe(true);
    expect(() => load(['--wire-writer-thread', 'maybe'])).toThrow(/not on or off/);
  });

  it.skipIf(!supported)('off: the listener writes on the main thread (no writer)', async () => {
    const s = await startTestServer((c) => (c.pg.writerThread = false));
    try {
      expect(s.server.pg!.writer).toBeUndefined();
    } finally {
      await s.stop();
    }
  });
});

describe.skipIf(!supported)('WireWriter wake-ups', () => {
  it('a wake-up that lands between the writer\'s last look at the ring and its sleep is not lost', async () => {
    // The writer pauses 150 ms there (a test-only option), so the race that hung
    // pgbench -S -c 8 after ~10 s (the writer asleep on an unchanged TAIL with
    // SLEEP already cleared by a stale wake-up) happens every time.
    const w = new WireWriter((m) => {
      throw new Error(m);
    }, { pauseBeforeWaitMs: 150 });
    w.inlineWrites = false;
    const SLEEP = 2;
    const ctl = (w as unknown as { ctl: Int32Array }).ctl;
    try {
      const p = await pair(w);
      let got = '';
      p.client.on('data', (d) => (got += d.toString()));
      p.ring.write(new TextEncoder().encode('A'.repeat(10)));
      // Written, and the writer has looked at the empty ring (SLEEP set) and pauses before sleeping.
      await until(() => got.length === 10 && Atomics.load(ctl, SLEEP) === 1, 5000, 'the first entry');
      // A wake-up for nothing new, inside the pause: what the wake-up queued for an entry the writer took already does.
      (w as unknown as { wake(): void }).wake();
      await new Promise((r) => setTimeout(r, 300)); // the writer is asleep now
      p.ring.write(new TextEncoder().encode('B'.repeat(10)));
      await until(() => got.length === 20, 3000, 'the second entry, placed after that wake-up');
      expect(got).toBe('A'.repeat(10) + 'B'.repeat(10));
      await p.close();
    } finally {
      await w.stop();
    }
  });
});
