// A minimal PostgreSQL wire protocol v3 client: startup with trust
// authentication and the simple-query flow only. Test tooling for the
// sqllogictest PostgreSQL target, not part of the engine.
//
// Flow (https://www.postgresql.org/docs/15/protocol-flow.html):
//   -> StartupMessage(user, database, options)
//   <- AuthenticationOk, ParameterStatus*, BackendKeyData, ReadyForQuery
//   -> Query(sql)
//   <- (RowDescription DataRow* | EmptyQueryResponse)? CommandComplete ... | ErrorResponse, then ReadyForQuery
//   -> Terminate
// Values arrive in the text format, exactly as psql prints them.

import * as net from 'node:net';

/** Largest backend message accepted; a bigger length means a broken stream. */
const message_bytes_max = 256 * 1024 * 1024;
const protocol_version_3 = 196608;

export interface PgField {
  name: string;
  typeOid: number;
}

export interface PgQueryResult {
  /** Command tag of CommandComplete, e.g. 'SELECT 3' or 'INSERT 0 1'. */
  command: string;
  /** Present when the statement returned a RowDescription. */
  fields?: PgField[];
  rows: (string | null)[][];
}

/** A server ErrorResponse: `code` is the SQLSTATE (field C). */
export class PgServerError extends Error {
  readonly code: string;
  readonly severity: string;
  readonly detail?: string;
  readonly position?: number;

  constructor(fields: Map<string, string>) {
    super(fields.get('M') ?? 'unknown server error');
    this.name = 'PgServerError';
    this.code = fields.get('C') ?? 'XX000';
    this.severity = fields.get('V') ?? fields.get('S') ?? 'ERROR';
    const detail = fields.get('D');
    if (detail !== undefined) this.detail = detail;
    const position = fields.get('P');
    if (position !== undefined) this.position = Number(position);
  }
}

export interface PgConnectOptions {
  host?: string;
  port?: number;
  /** Unix socket path (instead of host/port). */
  path?: string;
  user: string;
  database: string;
  /** Extra startup parameters (run-time settings such as TimeZone). */
  parameters?: Record<string, string>;
  connect_timeout_ms?: number;
}

interface Message {
  type: string;
  body: Buffer;
}

/** One connection. Queries are serialised: one in flight at a time. */
export class PgWireClient {
  private socket: net.Socket;
  private buffer: Buffer = Buffer.alloc(0);
  private queue: Message[] = [];
  private waiter: ((m: Message | Error) => void) | null = null;
  private failure: Error | null = null;
  private busy: Promise<unknown> = Promise.resolve();
  readonly parameters = new Map<string, string>();
  notices: string[] = [];

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (e) => this.fail(e));
    socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  static async connect(opts: PgConnectOptions): Promise<PgWireClient> {
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = opts.path !== undefined ? net.createConnection({ path: opts.path }) : net.createConnection({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 5432 });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error('connect timed out'));
      }, opts.connect_timeout_ms ?? 10_000);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
    });
    socket.setNoDelay(true);
    const client = new PgWireClient(socket);
    try {
      await client.startup(opts);
    } catch (e) {
      socket.destroy();
      throw e;
    }
    return client;
  }

  private async startup(opts: PgConnectOptions): Promise<void> {
    const params: Record<string, string> = { user: opts.user, database: opts.database, client_encoding: 'UTF8', ...opts.parameters };
    const parts: Buffer[] = [];
    for (const [k, v] of Object.entries(params)) parts.push(cstring(k), cstring(v));
    parts.push(Buffer.from([0]));
    const payload = Buffer.concat(parts);
    const head = Buffer.alloc(8);
    head.writeInt32BE(8 + payload.length, 0);
    head.writeInt32BE(protocol_version_3, 4);
    this.socket.write(Buffer.concat([head, payload]));
    for (;;) {
      const m = await this.next();
      switch (m.type) {
        case 'R': {
          const kind = m.body.readInt32BE(0);
          if (kind !== 0) throw new Error(`server asked for authentication method ${kind}; this client supports trust only`);
          break;
        }
        case 'S': {
          const [name, value] = splitCStrings(m.body);
          this.parameters.set(name, value);
          break;
        }
        case 'K':
        case 'N':
          break;
        case 'E':
          // A startup error is followed by the server closing the connection.
          throw new PgServerError(parseFields(m.body));
        case 'Z':
          return;
        default:
          throw new Error(`unexpected message '${m.type}' during startup`);
      }
    }
  }

  /**
   * Runs one simple Query. Several statements in one string give several
   * results; the last is returned. An ErrorResponse rejects with PgServerError
   * (after ReadyForQuery, so the connection stays usable).
   */
  query(sql: string): Promise<PgQueryResult> {
    const run = this.busy.then(() => this.runQuery(sql));
    this.busy = run.catch(() => undefined);
    return run;
  }

  private async runQuery(sql: string): Promise<PgQueryResult> {
    if (this.failure) throw this.failure;
    const text = cstring(sql);
    const head = Buffer.alloc(5);
    head.write('Q', 0, 'latin1');
    head.writeInt32BE(4 + text.length, 1);
    this.socket.write(Buffer.concat([head, text]));
    let current: PgQueryResult | null = null;
    let last: PgQueryResult | null = null;
    let error: PgServerError | null = null;
    this.notices = [];
    for (;;) {
      const m = await this.next();
      switch (m.type) {
        case 'T':
          current = { command: '', fields: parseRowDescription(m.body), rows: [] };
          break;
        case 'D':
          if (!current) throw new Error('DataRow without RowDescription');
          current.rows.push(parseDataRow(m.body));
          break;
        case 'C': {
          const tag = splitCStrings(m.body)[0] ?? '';
          last = current ?? { command: tag, rows: [] };
          last.command = tag;
          current = null;
          break;
        }
        case 'I':
          last = { command: '', rows: [] };
          break;
        case 'E':
          error = new PgServerError(parseFields(m.body));
          current = null;
          break;
        case 'N':
          this.notices.push(parseFields(m.body).get('M') ?? '');
          break;
        case 'S': {
          const [name, value] = splitCStrings(m.body);
          this.parameters.set(name, value);
          break;
        }
        case 'A':
          break;
        case 'G':
        case 'H':
        case 'W':
          // COPY would need its own sub-protocol; the corpus does not use it.
          this.socket.destroy();
          throw new Error('COPY is not supported by the test client');
        case 'Z':
          if (error) throw error;
          return last ?? { command: '', rows: [] };
        default:
          throw new Error(`unexpected message '${m.type}' in a query response`);
      }
    }
  }

  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      const terminate = Buffer.from([0x58, 0, 0, 0, 4]);
      this.socket.end(terminate);
      setTimeout(() => {
        this.socket.destroy();
        resolve();
      }, 2_000).unref();
    });
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 5) {
      const length = this.buffer.readInt32BE(1);
      if (length < 4 || length > message_bytes_max) {
        this.fail(new Error(`bad message length ${length}`));
        this.socket.destroy();
        return;
      }
      if (this.buffer.length < 1 + length) break;
      const message: Message = { type: String.fromCharCode(this.buffer[0]!), body: this.buffer.subarray(5, 1 + length) };
      this.buffer = this.buffer.subarray(1 + length);
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w(message);
      } else {
        this.queue.push(message);
      }
    }
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = null;
      w(e);
    }
  }

  private next(): Promise<Message> {
    const m = this.queue.shift();
    if (m) return Promise.resolve(m);
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<Message>((resolve, reject) => {
      this.waiter = (x) => (x instanceof Error ? reject(x) : resolve(x));
    });
  }
}

function cstring(s: string): Buffer {
  return Buffer.concat([Buffer.from(s, 'utf8'), Buffer.from([0])]);
}

function splitCStrings(body: Buffer): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < body.length; i++) {
    if (body[i] === 0) {
      out.push(body.toString('utf8', start, i));
      start = i + 1;
    }
  }
  return out;
}

function parseFields(body: Buffer): Map<string, string> {
  const fields = new Map<string, string>();
  let i = 0;
  while (i < body.length && body[i] !== 0) {
    const code = String.fromCharCode(body[i]!);
    const end = body.indexOf(0, i + 1);
    if (end < 0) break;
    fields.set(code, body.toString('utf8', i + 1, end));
    i = end + 1;
  }
  return fields;
}

function parseRowDescription(body: Buffer): PgField[] {
  const count = body.readInt16BE(0);
  const fields: PgField[] = [];
  let i = 2;
  for (let f = 0; f < count; f++) {
    const end = body.indexOf(0, i);
    const name = body.toString('utf8', i, end);
    i = end + 1;
    // table oid (4), column attnum (2), type oid (4), type size (2), typmod (4), format (2)
    const typeOid = body.readUInt32BE(i + 6);
    i += 18;
    fields.push({ name, typeOid });
  }
  return fields;
}

function parseDataRow(body: Buffer): (string | null)[] {
  const count = body.readInt16BE(0);
  const row: (string | null)[] = [];
  let i = 2;
  for (let c = 0; c < count; c++) {
    const len = body.readInt32BE(i);
    i += 4;
    if (len < 0) {
      row.push(null);
    } else {
      row.push(body.toString('utf8', i, i + len));
      i += len;
    }
  }
  return row;
}
