// TPC-B (pgbench's default script) through the embedded engine, without the
// wire, the WAL's disk or other sessions: the engine's own time per
// statement, one session, in memory (1 branch, 10 tellers, 1,000 accounts).
// Prints transactions per second and the mean time of each statement.
//
//   npx tsx tools/bench/tpcb_engine.ts [transactions]    # default 20,000
import { open } from '../../host/engine/db.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { TPCB_SCRIPT } from './common.ts';

const N = Number(process.argv[2] ?? 20000);
const db = await open(':memory:', { platform: nodePlatform(), store: { background: false } });
await db.exec(`CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int, filler char(88));
CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int, tbalance int, filler char(84));
CREATE TABLE pgbench_accounts (aid int PRIMARY KEY, bid int, abalance int, filler char(84));
CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22));
INSERT INTO pgbench_branches SELECT g, 0, '' FROM generate_series(1, 1) g;
INSERT INTO pgbench_tellers SELECT g, 1, 0, '' FROM generate_series(1, 10) g;
INSERT INTO pgbench_accounts SELECT g, 1, 0, '' FROM generate_series(1, 1000) g;`);
const s = db.session();
const SQL = TPCB_SCRIPT;
const ms = new Array<number>(SQL.length).fill(0);
let seed = 1;
const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n) + 1;
async function txn(): Promise<void> {
  const aid = rnd(1000), tid = rnd(10), delta = rnd(10000) - 5000;
  const params = [[], [delta, aid], [aid], [delta, tid], [delta, 1], [tid, 1, aid, delta], []];
  for (let i = 0; i < SQL.length; i++) {
    const t = performance.now();
    await s.query(SQL[i]!, params[i]!.map(String));
    ms[i]! += performance.now() - t;
  }
}
for (let i = 0; i < 200; i++) await txn();
ms.fill(0);
const t0 = performance.now();
for (let i = 0; i < N; i++) await txn();
const total = performance.now() - t0;
console.log(`${N} transactions: ${(N / total * 1000).toFixed(0)} tps, ${(total / N * 1000).toFixed(0)} us per transaction`);
for (let i = 0; i < SQL.length; i++) console.log(`${(ms[i]! / N * 1000).toFixed(1).padStart(8)} us  ${SQL[i]}`);
await db.close();
