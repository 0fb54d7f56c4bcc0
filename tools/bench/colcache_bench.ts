// Column cache build: time and exec-memory bytes for the TPC-H Q1/Q6 columns
// of a generated lineitem table (host/engine/exec/colcache.ts).
//
//   npx tsx tools/bench/colcache_bench.ts [--rows 1000000] [--passes 3] [--types numeric|float]
//
// The table is lineitem as tools/bench/sql_bench.ts defines it (numeric(15,2)
// or double precision amounts, char(1) flags, a date), filled with
// INSERT ... SELECT over generate_series (values spread like sql_bench's, not
// identical). Each pass drops the cache and builds the seven columns Q1
// reads (one row scan); the best pass is reported (the machine is shared:
// wall time and this process's CPU time are both printed).
// Then a second getColumns over the built entry (a hit) is timed.

import { open } from '../../host/engine/db.ts';
import { clearColCache, colCacheStats, getColumns } from '../../host/engine/exec/colcache.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { argInt, argValue, machine, mib, now } from './common.ts';

const ROWS = argInt('--rows', 1_000_000);
const PASSES = argInt('--passes', 3);
const DEC = argValue('--types') === 'float' ? 'double precision' : 'numeric(15,2)';
const CHUNK = 100_000;

const db = await open(':memory:', { platform: nodePlatform(), store: { background: false } });
const s = db.session();
await s.query(`CREATE TABLE lineitem (l_orderkey integer NOT NULL, l_linenumber integer NOT NULL, l_quantity ${DEC}, l_extendedprice ${DEC},
  l_discount ${DEC}, l_tax ${DEC}, l_returnflag char(1), l_linestatus char(1), l_shipdate date, PRIMARY KEY (l_orderkey, l_linenumber))`);
let t0 = now();
for (let lo = 0; lo < ROWS; lo += CHUNK) {
  const hi = Math.min(ROWS, lo + CHUNK) - 1;
  // Pseudo-random but deterministic columns from the row number (multiplicative hashing).
  await s.query(`INSERT INTO lineitem
    SELECT (i / 4 + 1)::int, (i % 4 + 1)::int,
      ((i * 7919) % 50 + 1)::${DEC},
      (((i * 7919) % 50 + 1) * ((i * 104729) % 110001 + 90000) / 100.0)::${DEC},
      ((i * 31) % 11 / 100.0)::${DEC}, ((i * 17) % 9 / 100.0)::${DEC},
      CASE WHEN (i * 2654435761) % 2526 > 1263 THEN 'N' WHEN i % 2 = 0 THEN 'R' ELSE 'A' END,
      CASE WHEN (i * 2654435761) % 2526 > 1263 THEN 'O' ELSE 'F' END,
      DATE '1992-01-01' + ((i * 2654435761) % 2526)::int
    FROM generate_series(${lo}::bigint, ${hi}::bigint) AS g(i)`);
}
const loadMs = now() - t0;
const oid = Number((await s.query(`SELECT 'lineitem'::regclass::oid`)).rows[0]![0]);
// Q1's columns: quantity, extendedprice, discount, tax, returnflag, linestatus, shipdate.
const ATTNOS = [3, 4, 5, 6, 7, 8, 9];

async function columnsOnce(): Promise<{ ms: number; cpuMs: number; rows: number; cached: number }> {
  const txn = s.tx.ensureTxn();
  const ctx = s.execContext(txn, s.catalog(), [], s.evalContext());
  const t = now();
  const cpu0 = process.cpuUsage();
  const snap = await getColumns(ctx, oid, ATTNOS, { rowsEstimate: ROWS });
  const ms = now() - t;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const cached = snap ? ATTNOS.filter((a) => snap.column(a) !== null).length : 0;
  const rows = snap?.rows ?? 0;
  snap?.release();
  await s.tx.rollback();
  return { ms, cpuMs, rows, cached };
}

let best = Infinity;
let bestCpu = Infinity;
let rows = 0;
let cached = 0;
for (let p = 0; p < PASSES; p++) {
  clearColCache();
  const r = await columnsOnce();
  best = Math.min(best, r.ms);
  bestCpu = Math.min(bestCpu, r.cpuMs);
  rows = r.rows;
  cached = r.cached;
}
const bytes = colCacheStats().bytes;
t0 = now();
const hit = await columnsOnce();
const m = machine();
console.log(`colcache build: lineitem ${ROWS.toLocaleString('en-US')} rows (${DEC}), loaded in ${(loadMs / 1000).toFixed(1)} s; ${m.cpuModel} x${m.cpus}, node ${m.node}`);
console.log(`  build of ${ATTNOS.length} columns (${cached} cacheable), best of ${PASSES}: ${best.toFixed(0)} ms wall (${((best * 1e6) / Math.max(rows, 1)).toFixed(0)} ns/row), ${bestCpu.toFixed(0)} ms CPU of this process (${((bestCpu * 1e6) / Math.max(rows, 1)).toFixed(0)} ns/row; less sensitive to a loaded machine), ${mib(bytes)} of exec memory (${(bytes / Math.max(rows, 1)).toFixed(1)} bytes/row)`);
console.log(`  getColumns on the built entry: ${hit.ms.toFixed(3)} ms`);
await db.close();
