// Prepared point SELECT by primary key through the embedded session, alone
// (the same path as sql_bench.ts's point figure, without the TPC-H load):
//
//   npx tsx tools/bench/point_bench.ts [--rows 100000] [--point-ops 200000] [--passes 3] [--profile FILE] [--tpcb-ops N]
//
// Prints the best of --passes passes (the machine is shared: noisy).
// --profile FILE writes a .cpuprofile of the last pass (node:inspector; of TPC-B's with --tpcb-ops).
// --tpcb-ops N also runs N pgbench TPC-B transactions through the embedded
// session with prepared statements (BEGIN; UPDATE accounts; SELECT; UPDATE
// tellers; UPDATE branches; INSERT history; COMMIT), in memory: the SQL
// path of a write transaction without the wire or the disk.

import { open } from '../../host/engine/db.ts';
import { parse, postgres } from '../../sql-dialects/index.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { argInt, argValue, now, rate, Rng, startProfile } from './common.ts';

const ROWS = argInt('--rows', 100_000);
const OPS = argInt('--point-ops', 200_000);
const PASSES = argInt('--passes', 3);
const PROFILE = argValue('--profile');
const TPCB_OPS = argInt('--tpcb-ops', 0);

const db = await open(':memory:', { platform: nodePlatform(), store: { background: false } });
const s = db.session();
const prepared = (sql: string): ((params: unknown[]) => Promise<{ rows: unknown[] }>) => {
  const stmt = parse(sql, postgres)[0]!;
  const { paramTypes } = s.describe(stmt, sql);
  return (params) => s.runStatement(stmt, sql, params, paramTypes);
};
await s.query('CREATE TABLE kv (id integer PRIMARY KEY, v text)');
await s.query('BEGIN');
const ins = prepared('INSERT INTO kv VALUES ($1, $2)');
for (let i = 0; i < ROWS; i++) await ins([i, `value ${i}`]);
await s.query('COMMIT');
const sel = prepared('SELECT v FROM kv WHERE id = $1');
const r = new Rng(3);
for (let i = 0; i < 2000; i++) await sel([r.below(ROWS)]);
let best = 0;
for (let p = 0; p < PASSES; p++) {
  const stop = PROFILE && p === PASSES - 1 && TPCB_OPS === 0 ? await startProfile() : null;
  const t0 = now();
  const cpu0 = process.cpuUsage();
  for (let i = 0; i < OPS; i++) {
    const k = r.below(ROWS);
    const res = await sel([k]);
    if (res.rows.length !== 1 || (res.rows[0] as unknown[])[0] !== `value ${k}`) throw new Error('point select missed');
  }
  const perSec = OPS / ((now() - t0) / 1000);
  const cpu = process.cpuUsage(cpu0);
  if (stop) await stop(PROFILE!);
  // CPU time per statement: less disturbed than the rate by other processes on a shared machine.
  console.error(`pass ${p + 1}: ${rate(perSec)} point SELECT/s, ${((cpu.user + cpu.system) / OPS).toFixed(2)} µs CPU each`);
  best = Math.max(best, perSec);
}
console.log(`ScratchBird prepared point SELECT by PK: ${rate(best)}/s (best of ${PASSES}, ${ROWS} rows, ${OPS} ops)`);
if (TPCB_OPS > 0) {
  await s.query('CREATE TABLE pgbench_branches (bid int PRIMARY KEY, bbalance int, filler char(88))');
  await s.query('CREATE TABLE pgbench_tellers (tid int PRIMARY KEY, bid int, tbalance int, filler char(84))');
  await s.query('CREATE TABLE pgbench_history (tid int, bid int, aid int, delta int, mtime timestamp, filler char(22))');
  await s.query('INSERT INTO pgbench_branches SELECT g, 0, NULL FROM generate_series(1, 10) g');
  await s.query('INSERT INTO pgbench_tellers SELECT g, (g - 1) / 10 + 1, 0, NULL FROM generate_series(1, 100) g');
  await s.query('ALTER TABLE kv ADD COLUMN abalance int DEFAULT 0');
  const updA = prepared('UPDATE kv SET abalance = abalance + $1 WHERE id = $2');
  const selA = prepared('SELECT abalance FROM kv WHERE id = $1');
  const updT = prepared('UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2');
  const updB = prepared('UPDATE pgbench_branches SET bbalance = bbalance + $1 WHERE bid = $2');
  const insH = prepared('INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES ($1, $2, $3, $4, CURRENT_TIMESTAMP)');
  const begin = prepared('BEGIN');
  const commit = prepared('COMMIT');
  let bestTx = 0;
  for (let p = 0; p < PASSES; p++) {
    const stop = PROFILE && p === PASSES - 1 ? await startProfile() : null;
    const t0 = now();
    const cpu0 = process.cpuUsage();
    for (let i = 0; i < TPCB_OPS; i++) {
      const aid = r.below(ROWS), tid = r.below(100) + 1, bid = r.below(10) + 1, delta = r.below(10001) - 5000;
      await begin([]);
      await updA([delta, aid]);
      await selA([aid]);
      await updT([delta, tid]);
      await updB([delta, bid]);
      await insH([tid, bid, aid, delta]);
      await commit([]);
    }
    const perSec = TPCB_OPS / ((now() - t0) / 1000);
    const cpu = process.cpuUsage(cpu0);
    if (stop) await stop(PROFILE!);
    console.error(`tpcb pass ${p + 1}: ${rate(perSec)} TPC-B transactions/s, ${((cpu.user + cpu.system) / TPCB_OPS).toFixed(2)} µs CPU each`);
    bestTx = Math.max(bestTx, perSec);
  }
  console.log(`ScratchBird embedded prepared TPC-B transaction (in memory): ${rate(bestTx)}/s (best of ${PASSES}, ${TPCB_OPS} transactions)`);
}
await s.close();
await db.close();
