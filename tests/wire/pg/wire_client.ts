// Test helpers: frontend message encoding and backend message parsing,
// written independently of the server's codecs, and an in-memory transport
// that drives a PgConnection without sockets.

import { PgConnection, type PgTransport } from '../../../host/wire/pg/connection.ts';
import { PgServerState } from '../../../host/wire/pg/server_state.ts';
import type { Database } from '../../../host/engine/db.ts';

const enc = new TextEncoder();

function concat(parts: Uint8Array[]): Uint8Array {
  const n = parts.reduce((a, p) => a + p.length, 0);
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function i32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, v);
  return b;
}
function i16(v: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setInt16(0, v);
  return b;
}
function cstr(s: string): Uint8Array {
  return concat([enc.encode(s), new Uint8Array([0])]);
}

export function msg(type: string, ...body: Uint8Array[]): Uint8Array {
  const b = concat(body);
  return concat([new Uint8Array([type.charCodeAt(0)]), i32(b.length + 4), b]);
}

export const fe = {
  startup(params: Record<string, string>, version = 0x30000): Uint8Array {
    const body = concat([i32(version), ...Object.entries(params).flatMap(([k, v]) => [cstr(k), cstr(v)]), new Uint8Array([0])]);
    return concat([i32(body.length + 4), body]);
  },
  sslRequest: (): Uint8Array => concat([i32(8), i32(80877103)]),
  gssencRequest: (): Uint8Array => concat([i32(8), i32(80877104)]),
  cancel: (pid: number, key: Uint8Array): Uint8Array => concat([i32(12 + key.length), i32(80877102), i32(pid), key]),
  query: (sql: string): Uint8Array => msg('Q', cstr(sql)),
  parse: (name: string, sql: string, types: number[] = []): Uint8Array => msg('P', cstr(name), cstr(sql), i16(types.length), ...types.map(i32)),
  bind(portal: string, stmt: string, params: Array<Uint8Array | string | null>, paramFormats: number[] = [], resultFormats: number[] = []): Uint8Array {
    const vals = params.map((p) => (p === null ? i32(-1) : concat([i32(typeof p === 'string' ? enc.encode(p).length : p.length), typeof p === 'string' ? enc.encode(p) : p])));
    return msg('B', cstr(portal), cstr(stmt), i16(paramFormats.length), ...paramFormats.map(i16), i16(params.length), ...vals, i16(resultFormats.length), ...resultFormats.map(i16));
  },
  describe: (t: 'S' | 'P', name: string): Uint8Array => msg('D', enc.encode(t), cstr(name)),
  execute: (portal: string, maxRows = 0): Uint8Array => msg('E', cstr(portal), i32(maxRows)),
  close: (t: 'S' | 'P', name: string): Uint8Array => msg('C', enc.encode(t), cstr(name)),
  sync: (): Uint8Array => msg('S'),
  flush: (): Uint8Array => msg('H'),
  terminate: (): Uint8Array => msg('X'),
  password: (p: string): Uint8Array => msg('p', cstr(p)),
  saslInitial: (mech: string, data: Uint8Array): Uint8Array => msg('p', cstr(mech), i32(data.length), data),
  saslResponse: (data: Uint8Array): Uint8Array => msg('p', data),
};

export interface BackendMsg {
  type: string;
  body: Uint8Array;
  /** ErrorResponse / NoticeResponse fields by code letter. */
  fields?: Record<string, string>;
  /** DataRow values as text (null for NULL). */
  values?: Array<string | null>;
  /** RowDescription: [name, typeOid, format]. */
  columns?: Array<[string, number, number]>;
  text?: string;
}

/** Parses a stream of backend messages; throws when it is not well framed. `raw` bytes first (SSL answers) are returned as type '#'. */
export function parseBackend(bytes: Uint8Array): BackendMsg[] {
  const out: BackendMsg[] = [];
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const dec = new TextDecoder();
  let p = 0;
  while (p < bytes.length) {
    const type = String.fromCharCode(bytes[p]!);
    if (p + 5 > bytes.length) throw new Error(`truncated header at ${p}`);
    const len = dv.getInt32(p + 1);
    if (len < 4 || p + 1 + len > bytes.length) throw new Error(`bad length ${len} for ${type} at ${p}`);
    const body = bytes.subarray(p + 5, p + 1 + len);
    const m: BackendMsg = { type, body };
    const bv = new DataView(body.buffer, body.byteOffset, body.length);
    if (type === 'E' || type === 'N') {
      m.fields = {};
      let q = 0;
      while (q < body.length && body[q] !== 0) {
        const code = String.fromCharCode(body[q]!);
        const end = body.indexOf(0, q + 1);
        m.fields[code] = dec.decode(body.subarray(q + 1, end));
        q = end + 1;
      }
    } else if (type === 'D') {
      const n = bv.getInt16(0);
      let q = 2;
      m.values = [];
      for (let i = 0; i < n; i++) {
        const l = bv.getInt32(q);
        q += 4;
        if (l < 0) m.values.push(null);
        else {
          m.values.push(dec.decode(body.subarray(q, q + l)));
          q += l;
        }
      }
    } else if (type === 'T') {
      const n = bv.getInt16(0);
      let q = 2;
      m.columns = [];
      for (let i = 0; i < n; i++) {
        const end = body.indexOf(0, q);
        const name = dec.decode(body.subarray(q, end));
        q = end + 1;
        const oid = bv.getInt32(q + 6);
        const format = bv.getInt16(q + 16);
        m.columns.push([name, oid, format]);
        q += 18;
      }
    } else if (type === 'C' || type === 'Z') {
      m.text = type === 'Z' ? String.fromCharCode(body[0]!) : dec.decode(body.subarray(0, body.length - 1));
    }
    out.push(m);
    p += 1 + len;
  }
  return out;
}

/** A PgConnection over memory: write() collects output; closed says whether the server closed it. */
export class MemoryWire {
  readonly conn: PgConnection;
  private chunks: Uint8Array[] = [];
  closed = false;

  constructor(state: PgServerState, remoteAddress = '127.0.0.1') {
    const transport: PgTransport = {
      remoteAddress,
      write: (b) => {
        this.chunks.push(b.slice());
      },
      close: () => {
        this.closed = true;
      },
    };
    this.conn = new PgConnection(state, transport);
  }

  send(...parts: Uint8Array[]): void {
    for (const p of parts) this.conn.onData(p);
  }

  /** Everything written so far, and clears it. */
  take(): Uint8Array {
    const out = concat(this.chunks);
    this.chunks = [];
    return out;
  }

  /** Waits until the server wrote a ReadyForQuery (or closed); returns the parsed messages. */
  async until(pred: (ms: BackendMsg[]) => boolean = (ms) => ms.some((m) => m.type === 'Z'), timeoutMs = 5000): Promise<BackendMsg[]> {
    const start = Date.now();
    let acc: Uint8Array = new Uint8Array(0);
    for (;;) {
      acc = concat([acc, this.take()]);
      let ms: BackendMsg[] = [];
      try {
        ms = parseBackend(acc);
      } catch {
        /* incomplete */
      }
      if (pred(ms) || this.closed) return ms.length > 0 || acc.length === 0 ? ms : parseBackend(acc);
      if (Date.now() - start > timeoutMs) throw new Error(`timeout; got ${ms.map((m) => m.type).join('')}`);
      await new Promise((r) => setTimeout(r, 2));
    }
  }
}

/** A session on `db` over an in-memory transport (trust auth, quiet log), started up and ready for queries. */
export async function trustSession(db: Database): Promise<MemoryWire> {
  const quiet = { debug() {}, info() {}, warn() {}, error() {} };
  const w = new MemoryWire(new PgServerState(db, quiet, { hba: [{ database: 'all', user: 'all', address: 'all', method: 'trust' }] }));
  w.send(fe.startup({ user: 'sysdba', database: 'scratchbird' }));
  const ms = await w.until();
  if (ms.at(-1)?.text !== 'I') throw new Error(`startup did not end ready for query: ${JSON.stringify(ms.map((m) => m.type))}`);
  return w;
}
