// The PostgreSQL wire layer's own cost per pgbench -S transaction, without
// sockets: a PgConnection over an in-memory transport runs pgbench's
// select-only script (`SELECT abalance FROM pgbench_accounts WHERE aid = $1`)
// as -M simple (one Query) and as -M prepared (Bind, Describe portal,
// Execute, Sync, as libpq's PQsendQueryPrepared sends it), and the same
// statement through the embedded session (runStatement) for the engine's
// share. Prints CPU µs per transaction (best of --passes): the difference
// between the wire rows and the engine row is the protocol's cost.
// `tpcb` rows do the same for pgbench's TPC-B script (BEGIN, three UPDATEs,
// a SELECT, an INSERT, END: seven prepared round trips) over tellers and
// branches made to scale; the database is in memory, so END writes no WAL.
//
//   npx tsx tools/bench/wire_bench.ts [--rows 100000] [--ops 50000] [--passes 5] [--only prepared|simple|engine|tpcb] [--profile FILE] [--alloc -|FILE]

import { open } from '../../host/engine/db.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { PgConnection, type PgTransport } from '../../host/wire/pg/connection.ts';
import { PgServerState } from '../../host/wire/pg/server_state.ts';
import { parse, postgres } from '../../sql-dialects/index.ts';
import { argInt, argValue, Rng, startAllocationProfile, startProfile, TPCB_SCRIPT } from './common.ts';

const ROWS = argInt('--rows', 100_000);
const OPS = argInt('--ops', 50_000);
const PASSES = argInt('--passes', 5);
const PROFILE = argValue('--profile');
/** --alloc FILE|-: bytes allocated per transaction in the last pass (V8's sampling heap profiler); FILE also gets the .heapprofile. */
const ALLOC = argValue('--alloc');
/** Operations each pass runs before it starts measuring. */
const WARMUP_OPS = 2000;
const ONLY = argValue('--only'); // engine | prepared | simple
const SQL = 'SELECT abalance FROM pgbench_accounts WHERE aid = $1';

const db = await open(':memory:', { platform: nodePlatform(), store: { background: false } });
await db.exec('CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84))');
{
  const s = db.session();
  const stmt = parse('INSERT INTO pgbench_accounts VALUES ($1, 1, 0, $2)', postgres)[0]!;
  const { paramTypes } = s.describe(stmt, '');
  await s.query('BEGIN');
  for (let i = 1; i <= ROWS; i++) await s.runStatement(stmt, '', [i, ''], paramTypes);
  await s.query('COMMIT');
  await s.close();
}

await db.exec('CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int, tbalance int, filler char(84))');
await db.exec('CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int, filler char(88))');
await db.exec('CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))');
// Ten branches and a hundred tellers, as at scale 10 (with one branch the planner scans it: a one-row table).
const BRANCHES = 10;
await db.exec(`INSERT INTO pgbench_branches SELECT g, 0 FROM generate_series(1, ${BRANCHES}) g`);
await db.exec(`INSERT INTO pgbench_tellers SELECT g, (g - 1) / 10 + 1, 0 FROM generate_series(1, ${BRANCHES * 10}) g`);

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
const state = new PgServerState(db, quiet, { hba: [{ database: 'all', user: 'all', address: 'all', method: 'trust' }] });

// ---------------------------------------------------------------- frontend bytes (written here, not with the server's codecs)
const enc = new TextEncoder();
function message(type: string, body: number[]): number[] {
  const n = body.length + 4;
  return [type.charCodeAt(0), (n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255, ...body];
}
const cstr = (s: string): number[] => [...enc.encode(s), 0];
const i16 = (v: number): number[] => [(v >>> 8) & 255, v & 255];
const i32 = (v: number): number[] => [(v >>> 24) & 255, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
function startupPacket(): Uint8Array {
  const body = [...i32(0x30000), ...cstr('user'), ...cstr('sysdba'), ...cstr('database'), ...cstr(db.dbName), 0];
  return new Uint8Array([...i32(body.length + 4), ...body]);
}
/** Bind (text parameters), Describe portal, Execute, Sync of a prepared statement, as libpq sends them. */
const execute = (name: string, params: Array<string | number>): Uint8Array => {
  const ps = params.map((p) => enc.encode(String(p)));
  return new Uint8Array([
    ...message('B', [...cstr(''), ...cstr(name), ...i16(0), ...i16(ps.length), ...ps.flatMap((v) => [...i32(v.length), ...v]), ...i16(0)]),
    ...message('D', [0x50, ...cstr('')]),
    ...message('E', [...cstr(''), ...i32(0)]),
    ...message('S', []),
  ]);
};
const prepared = (aid: number): Uint8Array => {
  const v = enc.encode(String(aid));
  return new Uint8Array([
    ...message('B', [...cstr(''), ...cstr('P0_1'), ...i16(0), ...i16(1), ...i32(v.length), ...v, ...i16(0)]),
    ...message('D', [0x50, ...cstr('')]),
    ...message('E', [...cstr(''), ...i32(0)]),
    ...message('S', []),
  ]);
};
const simple = (aid: number): Uint8Array => new Uint8Array(message('Q', cstr(`SELECT abalance FROM pgbench_accounts WHERE aid = ${aid};`)));

// ---------------------------------------------------------------- one in-memory connection
class Wire {
  readonly conn: PgConnection;
  private waiter: (() => void) | null = null;
  bytes = 0;
  last = 0;

  constructor() {
    const transport: PgTransport = {
      remoteAddress: '127.0.0.1',
      write: (b) => {
        this.bytes += b.length;
        // ReadyForQuery ('Z', length 5, status) ends every response.
        if (b.length >= 6 && b[b.length - 6] === 0x5a) {
          this.last = b[0]!;
          const w = this.waiter;
          this.waiter = null;
          w?.();
        }
      },
      close: () => {},
    };
    this.conn = new PgConnection(state, transport);
  }

  round(bytes: Uint8Array): Promise<void> {
    const p = new Promise<void>((r) => (this.waiter = r));
    this.conn.onData(bytes);
    return p;
  }
}

const w = new Wire();
await w.round(startupPacket());
await w.round(new Uint8Array([...message('P', [...cstr('P0_1'), ...cstr(SQL), ...i16(0)]), ...message('S', [])]));

// Request bytes are made before timing: the loop measures the server side only.
const AIDS = 4096;
const aids: number[] = [];
{
  const r = new Rng(7);
  for (let i = 0; i < AIDS; i++) aids.push(1 + r.below(ROWS));
}
const preparedBytes = aids.map(prepared);
const simpleBytes = aids.map(simple);

// pgbench's TPC-B script, its statements prepared as pgbench -M prepared names them.
const TPCB = TPCB_SCRIPT;
for (let k = 0; k < TPCB.length; k++) await w.round(new Uint8Array([...message('P', [...cstr(`P1_${k}`), ...cstr(TPCB[k]!), ...i16(0)]), ...message('S', [])]));
const tpcbArgs = aids.map((aid, i) => {
  const r = new Rng(1000 + i);
  const tid = 1 + r.below(BRANCHES * 10);
  const bid = 1 + r.below(BRANCHES);
  const delta = r.below(10001) - 5000;
  return [[], [delta, aid], [aid], [delta, tid], [delta, bid], [tid, bid, aid, delta], []] as Array<Array<number>>;
});
const tpcbBytes = tpcbArgs.map((args) => args.map((a, k) => execute(`P1_${k}`, a)));
const tpcbStmts = TPCB.map((sql) => {
  const st = parse(sql, postgres)[0]!;
  return { st, sql };
});

async function pass(label: string, send: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < WARMUP_OPS; i++) await send(i & (AIDS - 1));
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < OPS; i++) await send(i & (AIDS - 1));
  const cpu = process.cpuUsage(cpu0);
  const us = (cpu.user + cpu.system) / OPS;
  console.error(`  ${label}: ${us.toFixed(2)} µs CPU per transaction`);
  return us;
}

const session = db.session();
const stmt = parse(SQL, postgres)[0]!;
const { paramTypes } = session.describe(stmt, SQL);
const tpcbTypes = tpcbStmts.map(({ st, sql }) => session.describe(st, sql).paramTypes);
const kinds: Array<[string, (i: number) => Promise<unknown>]> = [
  ['engine runStatement', (i) => session.runStatement(stmt, SQL, [aids[i]!], paramTypes)],
  ['wire -M prepared (B/D/E/S)', (i) => w.round(preparedBytes[i]!)],
  ['wire -M simple (Q)', (i) => w.round(simpleBytes[i]!)],
  ['engine tpcb (7 statements)', async (i) => {
    const args = tpcbArgs[i]!;
    for (let k = 0; k < tpcbStmts.length; k++) await session.runStatement(tpcbStmts[k]!.st, tpcbStmts[k]!.sql, args[k]!, tpcbTypes[k]!);
  }],
  ['wire tpcb -M prepared (7 round trips)', async (i) => {
    for (const b of tpcbBytes[i]!) await w.round(b);
  }],
];
if (ONLY) kinds.splice(0, kinds.length, ...kinds.filter(([label]) => label.includes(ONLY)));
const best = new Map<string, number>();
const allocated = new Map<string, number>();
for (let p = 0; p < PASSES; p++) {
  const stop = PROFILE && p === PASSES - 1 ? await startProfile() : null;
  for (const [label, send] of kinds) {
    const alloc = ALLOC && p === PASSES - 1 ? await startAllocationProfile() : null;
    const us = await pass(label, send);
    best.set(label, Math.min(best.get(label) ?? Infinity, us));
    if (alloc) {
      const bytes = await alloc(ALLOC === '-' ? undefined : `${ALLOC}.${label.replace(/[^a-z0-9]+/gi, '_')}.heapprofile`);
      allocated.set(label, bytes / (OPS + WARMUP_OPS)); // the profile spans the pass's warm-up too
    }
  }
  if (stop) await stop(PROFILE!);
}
if (w.last !== 0x32 && w.last !== 0x54 && w.last !== 0x43 && !ONLY?.includes('engine')) throw new Error(`unexpected response (first byte ${w.last})`);
for (const [label, us] of best) console.log(`${label.padEnd(28)} ${us.toFixed(2)} µs CPU/transaction (best of ${PASSES})`);
for (const [label, b] of allocated) console.log(`${label.padEnd(28)} ${Math.round(b).toLocaleString('en-US')} bytes allocated/transaction (last pass)`);
if (!ONLY || ONLY.includes('tpcb')) {
  // Every TPC-B transaction ran whole (an error would leave the three sums apart).
  const r = await db.query('SELECT (SELECT sum(abalance) FROM pgbench_accounts), (SELECT sum(tbalance) FROM pgbench_tellers), (SELECT sum(bbalance) FROM pgbench_branches), (SELECT count(*) FROM pgbench_history)');
  const [a, t, b, h] = r.rows[0]!.map(Number);
  if (a !== t || t !== b || h === 0) throw new Error(`TPC-B sums differ: accounts ${a}, tellers ${t}, branches ${b}, history ${h}`);
}
await session.close();
await db.close();
