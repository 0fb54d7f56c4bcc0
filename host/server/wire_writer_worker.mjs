// The off-thread socket writer (worker side of wire_writer.ts). Plain
// JavaScript so it loads in a worker thread without a TypeScript loader.
//
// The main thread appends entries to a ring in a SharedArrayBuffer; this
// thread takes them in order and does the write(2) of each (consecutive
// entries of one connection in one writev). The sockets are non-blocking
// (libuv made them so): a write that takes only part of the bytes, or
// EAGAIN, "diverts" the connection: the rest, and every later entry of that
// ring epoch, goes back to the main thread (in order, by postMessage), which
// writes it through its ordinary socket path. Any other error "fails" the
// epoch: its later entries are dropped and the main thread is told, so it
// ends that connection. A marker entry is acknowledged by postMessage once
// everything before it in the ring is done: the main thread closes a socket
// (frees its fd number) only after that, and ends the epoch with it.
//
// Layout (must match wire_writer.ts): ctl Int32Array [head, tail, sleeping,
// stop, writes, wakeups, handed back, entries, errors]; data: entries at 16-byte
// aligned offsets, each a 16-byte header (kind, length or token, fd, epoch)
// then the bytes. Kind 2 pads to the end of the ring.
import { writeSync, writevSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';

const HEAD = 0, TAIL = 1, SLEEP = 2, STOP = 3, N_WRITES = 4, N_WAKEUPS = 5, N_BACK = 6, N_ENTRIES = 7, N_ERRORS = 8;
const DATA = 0, MARK = 1, PAD = 2;
const HDR = 16;

const ctl = new Int32Array(workerData.ctl);
const data = new Uint8Array(workerData.data);
const hdr = new Int32Array(workerData.data);
const MASK = data.length - 1;
/** Tests only: a pause between the last look at the ring and the sleep. */
const pauseBeforeWaitMs = workerData.pauseBeforeWaitMs ?? 0;
const pause = new Int32Array(new SharedArrayBuffer(4));
/** Epochs whose later entries go back to the main thread / are dropped. */
const diverted = new Set();
const failed = new Set();

let group = [];
let groupEpoch = 0;
let groupFd = -1;

function handBack(epoch, bufs, skip) {
  let total = 0;
  for (const b of bufs) total += b.length;
  const out = new Uint8Array(total - skip);
  let at = 0;
  for (const b of bufs) {
    if (skip >= b.length) {
      skip -= b.length;
      continue;
    }
    out.set(skip > 0 ? b.subarray(skip) : b, at);
    at += b.length - skip;
    skip = 0;
  }
  Atomics.add(ctl, N_BACK, 1);
  parentPort.postMessage({ t: 'back', epoch, bytes: out }, [out.buffer]);
}

function flushGroup() {
  if (group.length === 0) return;
  const bufs = group;
  const epoch = groupEpoch;
  group = [];
  if (failed.has(epoch)) return;
  if (diverted.has(epoch)) return handBack(epoch, bufs, 0);
  let total = 0;
  for (const b of bufs) total += b.length;
  let n;
  try {
    n = bufs.length === 1 ? writeSync(groupFd, bufs[0]) : writevSync(groupFd, bufs);
    Atomics.add(ctl, N_WRITES, 1);
  } catch (e) {
    if (e && (e.code === 'EAGAIN' || e.code === 'EWOULDBLOCK' || e.code === 'EINTR')) {
      n = 0;
    } else {
      failed.add(epoch);
      Atomics.add(ctl, N_ERRORS, 1);
      parentPort.postMessage({ t: 'error', epoch, code: String(e?.code ?? 'EIO'), message: String(e?.message ?? e) });
      return;
    }
  }
  if (n < total) {
    diverted.add(epoch);
    handBack(epoch, bufs, n);
  }
}

function run() {
  let head = Atomics.load(ctl, HEAD);
  for (;;) {
    const tail = Atomics.load(ctl, TAIL);
    if (head === tail) {
      if (Atomics.load(ctl, STOP) !== 0) return;
      // The futex word is SLEEP itself, not TAIL: the main thread wakes us by
      // CAS SLEEP 1 -> 0 then notify, so a wake-up that lands between our
      // check of TAIL and the wait makes the wait return at once. (Waiting on
      // TAIL lost wake-ups: a wake queued for an entry we had already taken
      // could clear SLEEP just before we slept, with TAIL unchanged; the next
      // entry then saw SLEEP 0 and never notified. pgbench -S -c 8 hung so.)
      Atomics.store(ctl, SLEEP, 1);
      if (Atomics.load(ctl, TAIL) === head && Atomics.load(ctl, STOP) === 0) {
        if (pauseBeforeWaitMs > 0) Atomics.wait(pause, 0, 0, pauseBeforeWaitMs);
        Atomics.wait(ctl, SLEEP, 1);
        Atomics.add(ctl, N_WAKEUPS, 1);
      }
      Atomics.store(ctl, SLEEP, 0);
      continue;
    }
    while (head !== tail) {
      const off = head & MASK;
      const i = off >> 2;
      const kind = hdr[i];
      if (kind === PAD) {
        flushGroup();
        head = (head + (data.length - off)) | 0;
        Atomics.store(ctl, HEAD, head);
        continue;
      }
      const len = hdr[i + 1];
      const fd = hdr[i + 2];
      const epoch = hdr[i + 3];
      Atomics.add(ctl, N_ENTRIES, 1);
      if (kind === DATA) {
        if (group.length > 0 && (epoch !== groupEpoch || group.length >= 256)) {
          flushGroup();
          Atomics.store(ctl, HEAD, head);
        }
        groupEpoch = epoch;
        groupFd = fd;
        group.push(data.subarray(off + HDR, off + HDR + len));
        head = (head + HDR + ((len + 15) & ~15)) | 0;
      } else if (kind === MARK) {
        flushGroup();
        // The epoch ends here: the main thread never submits it again.
        diverted.delete(epoch);
        failed.delete(epoch);
        head = (head + HDR) | 0;
        Atomics.store(ctl, HEAD, head);
        parentPort.postMessage({ t: 'ack', epoch, token: len });
      } else {
        throw new Error(`wire writer: bad ring entry kind ${kind} at ${off}`);
      }
    }
    flushGroup();
    Atomics.store(ctl, HEAD, head);
  }
}

run();
