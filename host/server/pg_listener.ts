// The PostgreSQL listener: TCP sockets (node:net, which Deno 2 provides too)
// fed into PgConnection state machines; TLS (node:tls) after an SSLRequest
// when a certificate is configured. Sockets live here and nowhere else.

import { createServer, type Server, Socket } from 'node:net';
import { createSecureContext, type SecureContext, TLSSocket } from 'node:tls';
import { PgConnection, type PgTransport } from '../wire/pg/connection.ts';
import type { PgServerState } from '../wire/pg/server_state.ts';
import { slab_piece_bytes_max, slabCopy } from '../wire/pg/bytes.ts';
import { type RingStream, socketFd, socketWrite, WireWriter, wireWriterSupported } from './wire_writer.ts';
import { firstCertificateDer, tlsServerEndPoint } from './x509.ts';
import type { BusyPoll } from './busy_poll.ts';

export interface PgListener {
  readonly port: number;
  /** The listening socket's file descriptor (-1 where the platform does not expose it). */
  readonly fd: number;
  readonly state: PgServerState;
  /** The off-thread socket writer, when on (plain TCP, Node on Linux). */
  readonly writer?: WireWriter;
  /** Stops accepting; ends idle sessions; waits (bounded) for running ones, then closes the rest. */
  close(graceMs?: number): Promise<void>;
}

export interface TlsFiles {
  cert: string | Uint8Array;
  key: string | Uint8Array;
}

export interface PgListenOptions {
  /**
   * Socket writes on a worker thread (wire_writer.ts): used when true, where
   * supported (Node on Linux) and without TLS configured; otherwise every
   * connection writes through Node's socket on the main thread.
   */
  writerThread?: boolean;
  /**
   * Accept on a listening socket another thread opened (its file
   * descriptor) instead of binding host:port: the kernel hands each new
   * connection to one of the threads accepting on it. The thread that
   * opened the socket must close it before this listener closes (the other
   * order aborts in libuv when the owner's close finds the descriptor gone).
   */
  fd?: number;
  /** Keeps the event loop awake for a while after each read (busy_poll.ts); shared by every listener of a server. */
  busyPoll?: BusyPoll;
}

/**
 * Node's keys for a socket's caller-owned read buffer (what net.Socket's
 * `onread` option sets), found on a probe socket; undefined on Deno or where
 * Node lacks them. With them a plain-TCP socket reads into one shared buffer
 * and hands each read to a callback: no Buffer allocated per read and no
 * Readable stream machinery (push, 'data', maybeReadMore), about 1 µs of the
 * server thread per round trip (docs/benchmarks.md §4).
 */
const userReadKeys = ((): { buffer: symbol; callback: symbol } | undefined => {
  // deno-lint-ignore no-explicit-any
  if ((globalThis as any).Deno !== undefined) return undefined;
  try {
    const probe = new Socket({ onread: { buffer: new Uint8Array(1), callback: () => true } } as ConstructorParameters<typeof Socket>[0]);
    const keys = Object.getOwnPropertySymbols(probe);
    const find = (d: string): symbol | undefined => keys.find((k) => k.description === d);
    const buffer = find('kBuffer');
    const callback = find('kBufferCb');
    probe.destroy();
    const p = probe as unknown as Record<symbol, unknown>;
    return buffer && callback && p[buffer] instanceof Uint8Array && typeof p[callback] === 'function' ? { buffer, callback } : undefined;
  } catch {
    return undefined;
  }
})();
/** True where plain-TCP sockets read directly into the shared buffer (Node; not Deno). */
export function directReadsSupported(): boolean {
  return userReadKeys !== undefined;
}

/** The read buffer every direct-read socket shares: each read is copied out in its callback, before the next read. */
const user_read_buffer_bytes = 64 * 1024;
let userReadBuffer: Uint8Array | undefined;

/** A connection's byte stream: the TCP socket, later maybe the TLS socket over it. */
class SocketTransport implements PgTransport {
  readonly remoteAddress: string;
  private stream: Socket | TLSSocket;
  private closed = false;
  encrypted = false;
  startTls?: () => void;
  /** SCRAM-SHA-256-PLUS binding data (RFC 5929), once encrypted. */
  tlsServerEndPoint?: Uint8Array;
  conn!: PgConnection;
  /** The ring writer's view of this socket, when the writer thread is on. */
  ring?: RingStream;

  constructor(
    private readonly raw: Socket,
    tls: { context: SecureContext; endPoint: Uint8Array } | undefined,
    private readonly onError: (e: Error) => void,
    private readonly busyPoll: BusyPoll | undefined,
  ) {
    this.remoteAddress = raw.remoteAddress ?? '';
    this.stream = raw;
    raw.once('close', () => {
      this.closed = true;
    });
    if (tls) {
      this.startTls = () => {
        this.upgrade(tls.context);
        this.tlsServerEndPoint = tls.endPoint;
      };
    }
  }

  listen(): void {
    this.stream.on('error', this.onError);
    if (this.stream === this.raw && !this.startTls && this.readDirect()) return;
    this.stream.on('data', this.onData);
  }

  private readonly onData = (d: Buffer): void => {
    this.conn.onData(new Uint8Array(d.buffer, d.byteOffset, d.length));
    this.busyPoll?.touch();
  };

  /**
   * Plain TCP with no TLS possible: reads go straight from the socket handle
   * into the shared buffer (see userReadKeys). Called before the first read
   * (in the 'connection' callback). End of stream and errors still arrive as
   * 'end', 'close' and 'error'; pause() and resume() stop and restart the
   * handle's reads as for any socket.
   */
  private readDirect(): boolean {
    const keys = userReadKeys;
    const handle = (this.raw as unknown as { _handle?: { useUserBuffer?: (b: Uint8Array) => void } })._handle;
    if (!keys || typeof handle?.useUserBuffer !== 'function') return false;
    const buf = (userReadBuffer ??= new Uint8Array(user_read_buffer_bytes));
    const s = this.raw as unknown as Record<symbol, unknown>;
    s[keys.buffer] = buf;
    s[keys.callback] = (n: number, b: Uint8Array): boolean => {
      this.conn.onData(n <= slab_piece_bytes_max ? slabCopy(b, n) : b.slice(0, n));
      this.busyPoll?.touch();
      return true;
    };
    handle.useUserBuffer(buf);
    return true;
  }

  private upgrade(context: SecureContext): void {
    this.raw.off('data', this.onData);
    this.ring?.disable();
    const t = new TLSSocket(this.raw, { isServer: true, secureContext: context });
    this.stream = t;
    this.encrypted = true;
    this.listen();
  }

  write(bytes: Uint8Array, urgent = false): void | Promise<void> {
    const s = this.stream;
    if (this.closed || s.destroyed) return;
    if (this.ring && !this.encrypted) return this.ring.write(bytes, urgent);
    return socketWrite(s, bytes);
  }

  close(): void {
    if (this.closed) return;
    // Bytes still in the writer's ring go out before the FIN.
    if (this.ring) this.ring.whenIdle(() => this.stream.end());
    else this.stream.end();
  }

  pause(): void {
    this.stream.pause();
  }

  resume(): void {
    this.stream.resume();
  }
}

export async function listenPg(state: PgServerState, host: string, port: number, tls?: TlsFiles, opts: PgListenOptions = {}): Promise<PgListener> {
  const conns = new Set<PgConnection>();
  const sockets = new Set<Socket>();
  const pem = (v: string | Uint8Array): string => (typeof v === 'string' ? v : new TextDecoder().decode(v));
  const context = tls
    ? { context: createSecureContext({ cert: pem(tls.cert), key: pem(tls.key) }), endPoint: tlsServerEndPoint(firstCertificateDer(pem(tls.cert))) }
    : undefined;
  const writer = opts.writerThread && !tls && wireWriterSupported()
    ? new WireWriter((message) => state.log.error('pg', 'wire_writer_failed', { message }), opts.busyPoll ? { atTurnEnd: (f) => opts.busyPoll!.atTurnEnd(f) } : {})
    : undefined;
  // With the writer, Node must not end a socket by itself on the peer's FIN
  // (its bytes may still be in the ring): the 'end' handler below does it.
  const server: Server = createServer({ noDelay: true, allowHalfOpen: writer !== undefined }, (sock) => {
    sockets.add(sock);
    sock.setNoDelay(true);
    // Dead peers (no FIN) are found by TCP keepalive, so their sessions end and release their locks.
    sock.setKeepAlive(true, 60_000);
    let conn: PgConnection | undefined;
    const transport = new SocketTransport(sock, context, (e) => state.log.debug('pg', 'socket_error', { connection: conn?.id, message: e.message }), opts.busyPoll);
    conn = new PgConnection(state, transport);
    transport.conn = conn;
    if (writer) {
      const fd = socketFd(sock);
      if (fd >= 0) transport.ring = writer.attach(sock, fd);
      sock.on('end', () => transport.close());
    }
    conns.add(conn);
    transport.listen();
    sock.on('close', () => {
      sockets.delete(sock);
      conns.delete(conn!);
      conn!.onEnd();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    const done = (): void => {
      server.off('error', reject);
      resolve();
    };
    if (opts.fd !== undefined) server.listen({ fd: opts.fd }, done);
    else server.listen(port, host, done);
  });
  server.on('error', (e) => state.log.error('pg', 'listener_error', { message: e.message }));
  const addr = server.address();
  const bound = typeof addr === 'object' && addr !== null ? addr.port : port;
  const fd = (server as unknown as { _handle?: { fd?: number } })._handle?.fd;
  return {
    port: bound,
    fd: typeof fd === 'number' ? fd : -1,
    state,
    ...(writer ? { writer } : {}),
    async close(graceMs = 5_000): Promise<void> {
      state.stopping = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      const deadline = Date.now() + graceMs;
      // Bounded: a client that does not read would hold the FATAL's write forever.
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([
        Promise.all([...conns].map((c) => c.terminate('administrator command', graceMs))),
        new Promise<void>((r) => (timer = setTimeout(r, graceMs + 500))),
      ]);
      clearTimeout(timer);
      while (sockets.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      for (const s of sockets) s.destroy();
      await closed;
      await writer?.stop();
      state.dispose();
    },
  };
}
