// The PostgreSQL listener: TCP sockets (node:net, which Deno 2 provides too)
// fed into PgConnection state machines. Sockets live here and nowhere else.

import { createServer, type Server, type Socket } from 'node:net';
import { PgConnection, type PgTransport } from '../wire/pg/connection.ts';
import type { PgServerState } from '../wire/pg/server_state.ts';

export interface PgListener {
  readonly port: number;
  readonly state: PgServerState;
  /** Stops accepting; ends idle sessions; waits (bounded) for running ones, then closes the rest. */
  close(graceMs?: number): Promise<void>;
}

function transportOf(sock: Socket): PgTransport {
  let closed = false;
  sock.once('close', () => {
    closed = true;
  });
  return {
    remoteAddress: sock.remoteAddress ?? '',
    write(bytes: Uint8Array): void | Promise<void> {
      if (closed || sock.destroyed) return;
      if (sock.write(bytes)) return;
      return new Promise<void>((resolve) => {
        const done = (): void => {
          sock.off('drain', done);
          sock.off('close', done);
          resolve();
        };
        sock.on('drain', done);
        sock.on('close', done);
      });
    },
    close(): void {
      if (!closed) sock.end();
    },
    pause: () => sock.pause(),
    resume: () => sock.resume(),
  };
}

export async function listenPg(state: PgServerState, host: string, port: number): Promise<PgListener> {
  const conns = new Set<PgConnection>();
  const sockets = new Set<Socket>();
  const server: Server = createServer({ noDelay: true }, (sock) => {
    sockets.add(sock);
    sock.setNoDelay(true);
    const conn = new PgConnection(state, transportOf(sock));
    conns.add(conn);
    sock.on('data', (d: Buffer) => conn.onData(new Uint8Array(d.buffer, d.byteOffset, d.length)));
    sock.on('error', (e) => state.log.debug('pg', 'socket_error', { connection: conn.id, message: e.message }));
    sock.on('close', () => {
      sockets.delete(sock);
      conns.delete(conn);
      conn.onEnd();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => state.log.error('pg', 'listener_error', { message: e.message }));
  const addr = server.address();
  const bound = typeof addr === 'object' && addr !== null ? addr.port : port;
  return {
    port: bound,
    state,
    async close(graceMs = 5_000): Promise<void> {
      state.stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const deadline = Date.now() + graceMs;
      await Promise.all([...conns].map((c) => c.terminate('administrator command', graceMs)));
      while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const s of sockets) s.destroy();
      await closed;
    },
  };
}
