// Prepared point SELECT by primary key through the embedded session, alone
// (the same path as sql_bench.ts's point figure, without the TPC-H load):
//
//   npx tsx tools/bench/point_bench.ts [--rows 100000] [--point-ops 200000] [--passes 3] [--profile FILE]
//
// Prints the best of --passes passes (the machine is shared: noisy).
// --profile FILE writes a .cpuprofile of the last pass (node:inspector).

import { open } from '../../host/engine/db.ts';
import { parse, postgres } from '../../sql-dialects/index.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { argInt, argValue, now, rate, Rng, startProfile } from './common.ts';

const ROWS = argInt('--rows', 100_000);
const OPS = argInt('--point-ops', 200_000);
const PASSES = argInt('--passes', 3);
const PROFILE = argValue('--profile');

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
  const stop = PROFILE && p === PASSES - 1 ? await startProfile() : null;
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
await s.close();
await db.close();
