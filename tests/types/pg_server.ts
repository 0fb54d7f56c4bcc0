// A throwaway local PostgreSQL for differential tests: initdb in a temp dir,
// pg_ctl start on a free 127.0.0.1 port, a minimal simple-query protocol
// client (pipelined Query messages, text results and SQLSTATEs), stop and
// clean up. When running as root, the server runs as the `postgres` user.

import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PgResult {
  /** Rows of text values (null for SQL NULL); empty when the statement errored. */
  rows: (string | null)[][];
  /** SQLSTATE when the statement failed. */
  error?: string;
  message?: string;
}

export interface PgInstance {
  port: number;
  /** Runs each statement as its own simple Query, pipelined; one result per statement. */
  run(statements: readonly string[]): Promise<PgResult[]>;
  stop(): Promise<void>;
}

function findBinDir(): string | undefined {
  const candidates: string[] = [];
  if (process.env.PG_BIN) candidates.push(process.env.PG_BIN);
  const base = '/usr/lib/postgresql';
  if (existsSync(base)) {
    for (const v of readdirSync(base).sort().reverse()) candidates.push(join(base, v, 'bin'));
  }
  candidates.push('/usr/local/pgsql/bin', '/usr/local/bin', '/usr/bin');
  return candidates.find((d) => existsSync(join(d, 'initdb')) && existsSync(join(d, 'pg_ctl')));
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Why PostgreSQL cannot be started here, or undefined when it can. */
export function pgUnavailableReason(): string | undefined {
  if (findBinDir() === undefined) return 'PostgreSQL binaries (initdb, pg_ctl) not found; set PG_BIN';
  if (process.getuid?.() === 0 && spawnSync('id', ['-u', 'postgres']).status !== 0) {
    return 'running as root and there is no postgres user to run the server';
  }
  return undefined;
}

export async function startPg(): Promise<PgInstance> {
  const bin = findBinDir();
  if (bin === undefined) throw new Error('PostgreSQL binaries not found');
  const dir = mkdtempSync(join(tmpdir(), 'sb-pgdiff-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  let runAs: string[] = [];
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    chownSync(dir, uid, gid);
    runAs = ['runuser', '-u', 'postgres', '--'];
  }
  const exec = (cmd: string, args: string[]): void => {
    const full = [...runAs, join(bin, cmd), ...args];
    const r = spawnSync(full[0]!, full.slice(1), { encoding: 'utf8', timeout: 60_000 });
    if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr || r.stdout}`);
  };
  exec('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const port = await freePort();
  exec('pg_ctl', [
    '-D', data, '-w', '-t', '60', '-l', join(dir, 'log'),
    '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=10 -c shared_buffers=16MB`,
    'start',
  ]);
  const client = await connect(port);
  return {
    port,
    run: (stmts) => client.run(stmts),
    async stop() {
      client.close();
      try {
        exec('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

// ---- a minimal frontend/backend protocol v3 client ----------------------------------

class Conn {
  private buf: Buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private closed = false;

  constructor(private readonly sock: Socket) {
    sock.on('data', (d: Buffer) => {
      this.buf = this.buf.length === 0 ? d : Buffer.concat([this.buf, d]);
      this.wake();
    });
    sock.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Next backend message: [type, payload]. */
  async message(): Promise<[string, Buffer]> {
    for (;;) {
      if (this.buf.length >= 5) {
        const len = this.buf.readInt32BE(1);
        if (this.buf.length >= 1 + len) {
          const type = String.fromCharCode(this.buf[0]!);
          const payload = this.buf.subarray(5, 1 + len);
          this.buf = this.buf.subarray(1 + len);
          return [type, payload];
        }
      }
      if (this.closed) throw new Error('connection closed');
      await new Promise<void>((r) => this.waiters.push(r));
    }
  }

  send(b: Buffer): void {
    this.sock.write(b);
  }

  close(): void {
    this.sock.end(Buffer.from([0x58, 0, 0, 0, 4]));
  }

  async run(stmts: readonly string[]): Promise<PgResult[]> {
    const parts: Buffer[] = [];
    for (const s of stmts) {
      const q = Buffer.from(s + '\0', 'utf8');
      const head = Buffer.alloc(5);
      head[0] = 0x51;
      head.writeInt32BE(4 + q.length, 1);
      parts.push(head, q);
    }
    this.send(Buffer.concat(parts));
    const out: PgResult[] = [];
    for (let i = 0; i < stmts.length; i++) {
      const res: PgResult = { rows: [] };
      for (;;) {
        const [type, p] = await this.message();
        if (type === 'D') {
          const n = p.readInt16BE(0);
          let off = 2;
          const row: (string | null)[] = [];
          for (let c = 0; c < n; c++) {
            const len = p.readInt32BE(off);
            off += 4;
            if (len < 0) row.push(null);
            else {
              row.push(p.toString('utf8', off, off + len));
              off += len;
            }
          }
          res.rows.push(row);
        } else if (type === 'E') {
          const fields = parseFields(p);
          res.error = fields.C;
          res.message = fields.M;
        } else if (type === 'Z') break;
      }
      out.push(res);
    }
    return out;
  }
}

function parseFields(p: Buffer): Record<string, string> {
  const f: Record<string, string> = {};
  let off = 0;
  while (off < p.length && p[off] !== 0) {
    const code = String.fromCharCode(p[off]!);
    const end = p.indexOf(0, off + 1);
    f[code] = p.toString('utf8', off + 1, end);
    off = end + 1;
  }
  return f;
}

async function connect(port: number): Promise<Conn> {
  const sock = new Socket();
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.connect(port, '127.0.0.1', () => resolve());
  });
  const conn = new Conn(sock);
  const params = Buffer.from('user\0postgres\0database\0postgres\0client_encoding\0UTF8\0\0', 'utf8');
  const start = Buffer.alloc(8);
  start.writeInt32BE(8 + params.length, 0);
  start.writeInt32BE(196608, 4);
  conn.send(Buffer.concat([start, params]));
  for (;;) {
    const [type, p] = await conn.message();
    if (type === 'E') throw new Error('startup failed: ' + parseFields(p).M);
    if (type === 'Z') return conn;
  }
}
