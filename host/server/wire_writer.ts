// The off-thread socket writer (Node on Linux, plain TCP): the write(2) of
// each response leaves the JavaScript thread that runs the engine.
//
// On this machine a loopback write(2) costs ~20 µs of the calling thread
// (the kernel runs the peer's TCP receive and wakes the reader inside the
// call); with one write per Sync round trip that was 37–59 % of the server
// thread under pgbench (docs/benchmarks.md §4). Here the main thread copies a
// response into a ring in a SharedArrayBuffer (with the socket's fd) and
// wakes the writer thread, if it sleeps, once at the end of the loop turn; the writer
// (wire_writer_worker.mjs) writes.
//
// A connection's output goes one of two ways at any moment, never both:
//   socket  ─ Node's socket.write (today's path; libuv queues what the kernel
//             does not take and waits for EPOLLOUT)
//   ring    ─ entries in the ring, written by the writer thread
//   handoff ─ ring → socket: new bytes wait here until the writer has
//             acknowledged a marker placed after the connection's last entry
// socket → ring only when Node holds none of the connection's bytes
// (writableLength 0: all of it is in the kernel), so order is kept. Each
// stay in the ring is an "epoch" with its own number; the writer keys its
// per-connection state by it, so it never confuses two connections that
// got the same fd number one after the other.
//
// When the kernel takes only part of an entry (a client that does not read,
// a large result), the writer hands the rest and every later entry of the
// epoch back; the main thread writes them with socket.write as they come
// (in order: messages from a worker arrive in the order sent) and moves the
// connection to handoff, then socket. Another write error (EPIPE,
// ECONNRESET) ends the epoch's writes and the main thread destroys the socket,
// which ends the connection as a socket error does today.
//
// fd lifetime: the socket's `_destroy` is wrapped so the handle (and its fd)
// is closed only once the writer has acknowledged a marker after the last
// entry; `end()` from this side goes through SocketTransport.close, which
// waits the same way. The listener uses allowHalfOpen with the writer on, so
// Node never ends the socket by itself under the ring (a peer's FIN is
// answered by the same close).

import type { Socket } from 'node:net';
import { Worker } from 'node:worker_threads';

const HEAD = 0, TAIL = 1, SLEEP = 2, STOP = 3, N_WRITES = 4, N_WAKEUPS = 5, N_BACK = 6, N_ENTRIES = 7, N_ERRORS = 8;
const CTL_INTS = 16;
const DATA = 0, MARK = 1, PAD = 2;
const HDR = 16;

/** Ring size (a power of two). */
export const wire_ring_bytes = 4 * 1024 * 1024;
/** Kept free for markers: data entries stop short of it. */
const ring_marker_reserve_bytes = 64 * 1024;
/**
 * Writes per event-loop turn made on the main thread while the writer sleeps
 * with the ring empty; the rest of the turn goes through the ring. A turn
 * with one response (a lone client) then costs one write(2) and no thread
 * hop; a turn with many (a saturated thread under -S -c 8) hands most of
 * them to the writer. (Tried: by event-loop utilization over 20 ms instead;
 * the ring itself lowers the utilization, so it flipped back and -S -c 8 lost
 * its gain; 2 per turn measured no better than 1.)
 */
const inline_writes_per_turn = 1;
/** Writes above this go through the socket path (they would mostly be partial writes anyway). */
export const wire_ring_entry_bytes_max = 64 * 1024;

export interface WireWriterStats {
  /** write/writev calls made by the writer thread. */
  writes: number;
  /** Times the writer was woken from sleep. */
  wakeups: number;
  /** Partial writes / EAGAIN / diverted entries handed back to the main thread. */
  handedBack: number;
  /** Ring entries taken (data and markers). */
  entries: number;
  /** Atomics.notify calls made by the main thread. */
  notifies: number;
  /** Writes made on the main thread because the writer was asleep with nothing queued (the first of a loop turn). */
  inline: number;
}

/** True where the writer can run: Node (not Deno) on Linux. */
export function wireWriterSupported(): boolean {
  // deno-lint-ignore no-explicit-any
  if ((globalThis as any).Deno !== undefined) return false;
  return typeof process !== 'undefined' && process.platform === 'linux' && typeof SharedArrayBuffer === 'function';
}

/** The raw fd of a plain TCP socket, or -1. */
export function socketFd(sock: Socket): number {
  const fd = (sock as unknown as { _handle?: { fd?: unknown } })._handle?.fd;
  return typeof fd === 'number' && fd >= 0 ? fd : -1;
}

type Msg = { t: 'back'; epoch: number; bytes: Uint8Array } | { t: 'error'; epoch: number; code: string; message: string } | { t: 'ack'; epoch: number; token: number };

export class WireWriter {
  private readonly ctl: Int32Array;
  private readonly data: Uint8Array;
  private readonly hdr: Int32Array;
  private readonly mask: number;
  private tail = 0;
  private readonly worker: Worker;
  private readonly streams = new Map<number, RingStream>();
  private readonly acks = new Map<number, () => void>();
  private nextToken = 1;
  private nextEpoch = 1;
  private notifies = 0;
  private inlined = 0;
  /** Hand-back and error messages taken from the worker (against its counters: none in flight when equal). */
  private received = 0;
  /** Inline writes made in this event-loop turn (reset at the turn's end, atTurnEnd). */
  private inlineTurn = 0;
  private readonly endTurn = (): void => {
    this.inlineTurn = 0;
  };
  /** Runs a callback in this event-loop turn's check phase (setImmediate, or the busy poll's turn). */
  private readonly atTurnEnd: (f: () => void) => void;
  private stopping: Promise<void> | undefined;
  private exited = false;
  /** False once the worker is gone (stopped or failed): new output takes the socket path. */
  alive = true;
  /** Lets writes go out on the main thread when the ring is empty (see inlineNow); tests turn it off. */
  inlineWrites = true;

  /**
   * `pauseBeforeWaitMs` (tests only): the writer pauses that long between its
   * last look at the ring and its sleep, widening the window in which a
   * wake-up can land there (tests/server/wire_writer.test.ts).
   */
  constructor(
    private readonly onFailure: (message: string) => void = () => {},
    options: { pauseBeforeWaitMs?: number; atTurnEnd?: (f: () => void) => void } = {},
  ) {
    this.atTurnEnd = options.atTurnEnd ?? setImmediate;
    const ctlBuf = new SharedArrayBuffer(CTL_INTS * 4);
    const dataBuf = new SharedArrayBuffer(wire_ring_bytes);
    this.ctl = new Int32Array(ctlBuf);
    this.data = new Uint8Array(dataBuf);
    this.hdr = new Int32Array(dataBuf);
    this.mask = wire_ring_bytes - 1;
    this.worker = new Worker(new URL('./wire_writer_worker.mjs', import.meta.url), { workerData: { ctl: ctlBuf, data: dataBuf, pauseBeforeWaitMs: options.pauseBeforeWaitMs ?? 0 }, stdout: false, stderr: false });
    this.worker.unref();
    this.worker.on('message', (m: Msg) => this.onMessage(m));
    this.worker.on('error', (e) => this.die(`wire writer thread failed: ${e.message}`));
    this.worker.on('exit', (code) => {
      this.exited = true;
      if (this.stopping === undefined) this.die(`wire writer thread exited (code ${code})`);
    });
  }

  get stats(): WireWriterStats {
    const c = this.ctl;
    return { writes: c[N_WRITES]!, wakeups: c[N_WAKEUPS]!, handedBack: c[N_BACK]!, entries: c[N_ENTRIES]!, notifies: this.notifies, inline: this.inlined };
  }

  /**
   * Whether the caller should write on this thread now: the writer sleeps
   * with the ring empty and no hand-back or error on its way here (so no
   * connection has bytes anywhere but in the kernel, and the socket path
   * keeps the order), and fewer than inline_writes_per_turn writes of this
   * loop turn were made here.
   */
  /** @internal */ inlineNow(): boolean {
    const c = this.ctl;
    if (!this.inlineWrites || this.inlineTurn >= inline_writes_per_turn || Atomics.load(c, SLEEP) === 0 || Atomics.load(c, HEAD) !== this.tail) return false;
    if (Atomics.load(c, N_BACK) + Atomics.load(c, N_ERRORS) !== this.received) return false;
    if (this.inlineTurn++ === 0) this.atTurnEnd(this.endTurn);
    this.inlined++;
    return true;
  }

  /** @internal The ring position after the last entry placed. */
  tailNow(): number {
    return this.tail;
  }

  /**
   * Whether the writer has written everything up to ring position `end` (a
   * connection's last entry) with no hand-back or error still on its way
   * here: that connection's bytes are then all in the kernel, and it may
   * write on this thread without passing any of them.
   */
  /** @internal */ drained(end: number): boolean {
    const c = this.ctl;
    if (((Atomics.load(c, HEAD) - end) | 0) < 0) return false;
    if (Atomics.load(c, N_BACK) + Atomics.load(c, N_ERRORS) !== this.received) return false;
    this.inlined++;
    return true;
  }

  /** A new stream for a plain TCP socket (fd ≥ 0). */
  attach(sock: Socket, fd: number): RingStream {
    return new RingStream(this, sock, fd);
  }

  /** @internal */ newEpoch(s: RingStream): number {
    const e = this.nextEpoch;
    this.nextEpoch = (this.nextEpoch + 1) & 0x7fffffff || 1;
    this.streams.set(e, s);
    return e;
  }

  /** @internal */ endEpoch(epoch: number): void {
    this.streams.delete(epoch);
  }

  /** Places an entry; false when the ring has no room for it. */
  private place(kind: number, lenOrToken: number, fd: number, epoch: number, bytes: Uint8Array | undefined, reserve: number): boolean {
    const len = bytes ? bytes.length : 0;
    const size = HDR + ((len + 15) & ~15);
    const head = Atomics.load(this.ctl, HEAD);
    let tail = this.tail;
    const used = (tail - head) >>> 0;
    let off = tail & this.mask;
    const contig = wire_ring_bytes - off;
    const need = contig < size ? contig + size : size;
    if (used + need > wire_ring_bytes - reserve) return false;
    const h = this.hdr;
    if (contig < size) {
      h[off >> 2] = PAD;
      tail = (tail + contig) | 0;
      off = 0;
    }
    const i = off >> 2;
    h[i] = kind;
    h[i + 1] = lenOrToken;
    h[i + 2] = fd;
    h[i + 3] = epoch;
    if (bytes) this.data.set(bytes, off + HDR);
    this.tail = (tail + size) | 0;
    Atomics.store(this.ctl, TAIL, this.tail);
    if (!this.wakeQueued) {
      this.wakeQueued = true;
      this.atTurnEnd(this.wake);
    }
    return true;
  }

  /**
   * The writer is woken (if it sleeps) once per event-loop turn, after the
   * turn's responses are in the ring (the check phase runs after the poll
   * phase's callbacks; with busy polling on, in the busy poll's own
   * immediate, not one more): a wake-up costs this thread about what a
   * write(2) did, and one per turn carries all of the turn's entries (6.6
   * per wake-up against 3.3 when each entry woke it; docs/benchmarks.md §4).
   */
  private wakeQueued = false;
  private readonly wake = (): void => {
    this.wakeQueued = false;
    // SLEEP is the writer's futex word (see wire_writer_worker.mjs): clearing it
    // before the notify makes a wait that has not started yet return at once.
    if (Atomics.load(this.ctl, SLEEP) !== 0 && Atomics.compareExchange(this.ctl, SLEEP, 1, 0) === 1) {
      this.notifies++;
      Atomics.notify(this.ctl, SLEEP, 1);
    }
  };

  /** @internal */ submit(epoch: number, fd: number, bytes: Uint8Array): boolean {
    if (!this.alive || bytes.length > wire_ring_entry_bytes_max) return false;
    return this.place(DATA, bytes.length, fd, epoch, bytes, ring_marker_reserve_bytes);
  }

  /** @internal */ mark(epoch: number, fd: number, done: () => void): boolean {
    if (!this.alive) {
      done();
      return true;
    }
    const token = this.nextToken;
    if (!this.place(MARK, token, fd, epoch, undefined, 0)) return false;
    this.nextToken = (this.nextToken + 1) & 0x7fffffff || 1;
    if (this.acks.size === 0) this.worker.ref();
    this.acks.set(token, done);
    return true;
  }

  private onMessage(m: Msg): void {
    if (m.t === 'ack') {
      const done = this.acks.get(m.token);
      this.acks.delete(m.token);
      if (this.acks.size === 0) this.worker.unref();
      done?.();
      return;
    }
    this.received++;
    const s = this.streams.get(m.epoch);
    if (!s) return;
    if (m.t === 'back') s.handedBack(m.epoch, m.bytes);
    else s.writeFailed(m.epoch, m.code, m.message);
  }

  /** The worker is gone: what sat in the ring is lost, so those connections end. */
  private die(message: string): void {
    if (!this.alive) return;
    this.alive = false;
    this.onFailure(message);
    for (const s of new Set(this.streams.values())) s.writerDied();
    this.streams.clear();
    const waiting = [...this.acks.values()];
    this.acks.clear();
    for (const done of waiting) done();
  }

  /** Drains the ring and stops the thread (after the listener's sockets are closed). */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = (async () => {
      Atomics.store(this.ctl, STOP, 1);
      Atomics.store(this.ctl, SLEEP, 0);
      Atomics.notify(this.ctl, SLEEP, 1);
      this.worker.ref();
      if (!this.exited) await new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
      this.alive = false;
      const waiting = [...this.acks.values()];
      this.acks.clear();
      for (const done of waiting) done();
    })();
    return this.stopping;
  }
}

/** Writes through Node's socket; a promise when it should be waited for (drain). */
export function socketWrite(s: Socket, bytes: Uint8Array): void | Promise<void> {
  if (s.destroyed || s.writableEnded) return;
  if (s.write(bytes)) return;
  return new Promise<void>((resolve) => {
    const done = (): void => {
      s.off('drain', done);
      s.off('close', done);
      resolve();
    };
    s.on('drain', done);
    s.on('close', done);
  });
}

/** One connection's output, through the ring while it can. */
export class RingStream {
  private mode: 'socket' | 'ring' | 'handoff' = 'socket';
  private epoch = 0;
  /** Entries placed in the current epoch. */
  private placed = false;
  /** handoff: bytes written meanwhile, and who waits for the socket path. */
  private queue: Uint8Array[] = [];
  private handoff: Promise<void> | undefined;
  private handoffResolve: (() => void) | undefined;
  private idleWaiters: Array<() => void> = [];
  /** Never again through the ring (TLS took over the socket, or the writer died). */
  private disabled = false;
  /** The ring position just after this connection's last entry. */
  private lastEnd = 0;

  constructor(
    private readonly writer: WireWriter,
    private readonly sock: Socket,
    private readonly fd: number,
  ) {
    // The handle (and its fd number) is closed only when the writer holds nothing of this socket.
    const s = sock as unknown as { _destroy: (err: Error | null, cb: (err: Error | null) => void) => void; _handle?: { readStop?: () => void } };
    const destroy = s._destroy;
    s._destroy = (err, cb) => {
      if (this.mode === 'socket') return destroy.call(sock, err, cb);
      try {
        s._handle?.readStop?.();
      } catch {
        // a handle already closing
      }
      this.whenIdle(() => destroy.call(sock, err, cb));
    };
  }

  /** After this, the connection uses the socket path for good (e.g. TLS over the socket). */
  disable(): void {
    this.disabled = true;
  }

  write(bytes: Uint8Array, urgent = false): void | Promise<void> {
    const s = this.sock;
    switch (this.mode) {
      case 'ring':
        if (urgent ? this.writer.drained(this.lastEnd) : this.writer.inlineNow()) {
          // Nothing of this epoch is in the ring or on its way back: the socket path is in order.
          this.writer.endEpoch(this.epoch);
          this.mode = 'socket';
          this.placed = false;
          return socketWrite(s, bytes);
        }
        if (this.writer.submit(this.epoch, this.fd, bytes)) {
          this.placed = true;
          this.lastEnd = this.writer.tailNow();
          return;
        }
        this.queue.push(bytes);
        return this.beginHandoff();
      case 'handoff':
        this.queue.push(bytes);
        return this.handoff;
      case 'socket':
        if (!urgent && !this.disabled && this.writer.alive && bytes.length > 1 && bytes.length <= wire_ring_entry_bytes_max && s.writableLength === 0 && !s.destroyed && !s.writableEnded && !this.writer.inlineNow()) {
          const epoch = this.writer.newEpoch(this);
          if (this.writer.submit(epoch, this.fd, bytes)) {
            this.mode = 'ring';
            this.epoch = epoch;
            this.placed = true;
            this.lastEnd = this.writer.tailNow();
            return;
          }
          this.writer.endEpoch(epoch);
        }
        return socketWrite(s, bytes);
    }
  }

  /** Runs `f` once none of this connection's bytes sit in the ring (now, if none do). */
  whenIdle(f: () => void): void {
    if (this.mode === 'socket') return f();
    if (this.mode === 'ring' && !this.placed) {
      this.writer.endEpoch(this.epoch);
      this.mode = 'socket';
      return f();
    }
    this.idleWaiters.push(f);
    if (this.mode === 'ring') void this.beginHandoff();
  }

  /** ring → handoff: a marker after the last entry; socket once the writer acknowledges it. */
  private beginHandoff(): Promise<void> {
    if (this.mode === 'handoff') return this.handoff!;
    this.mode = 'handoff';
    this.handoff = new Promise<void>((resolve) => (this.handoffResolve = resolve));
    const epoch = this.epoch;
    const place = (): void => {
      if (this.mode !== 'handoff' || this.epoch !== epoch) return;
      if (!this.writer.mark(epoch, this.fd, () => this.endHandoff(epoch))) setTimeout(place, 1);
    };
    place();
    return this.handoff;
  }

  private endHandoff(epoch: number): void {
    if (this.mode !== 'handoff' || this.epoch !== epoch) return;
    this.writer.endEpoch(epoch);
    this.mode = 'socket';
    this.placed = false;
    const queue = this.queue;
    this.queue = [];
    let wait: void | Promise<void> = undefined;
    for (const b of queue) wait = socketWrite(this.sock, b);
    const resolve = this.handoffResolve!;
    this.handoff = undefined;
    this.handoffResolve = undefined;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const f of waiters) f();
    if (wait) void wait.then(resolve);
    else resolve();
  }

  /** @internal The writer could not write all of an entry: the rest, in order. */
  handedBack(epoch: number, bytes: Uint8Array): void {
    if (epoch !== this.epoch) return;
    if (!this.sock.destroyed && !this.sock.writableEnded) this.sock.write(bytes);
    if (this.mode === 'ring') void this.beginHandoff();
  }

  /** @internal EPIPE, ECONNRESET, ...: the connection ends as on a socket error. */
  writeFailed(epoch: number, code: string, message: string): void {
    if (epoch !== this.epoch) return;
    this.disabled = true;
    const e = Object.assign(new Error(message), { code });
    if (!this.sock.destroyed) this.sock.destroy(e);
  }

  /** @internal */ writerDied(): void {
    this.disabled = true;
    if (this.mode === 'socket') return;
    const lost = this.placed;
    // Whatever the ring held for this connection is lost: its stream is broken.
    if (this.mode === 'handoff') this.endHandoff(this.epoch);
    else {
      this.mode = 'socket';
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const f of waiters) f();
    }
    if (lost && !this.sock.destroyed) this.sock.destroy(new Error('wire writer thread failed'));
  }
}
