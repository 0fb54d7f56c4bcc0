// Store-level A/B of the lone-memtable reverse scan: Txn.scan with ScanCursor.memWalk = 'none' (the kernel
// iterator) against 'reverse' (the TypeScript walk, the default), interleaved rounds, best of each.
//
//   npx tsx tools/bench/mem_scan_ab.ts [--rows N] [--reps R]
import { ScanCursor } from '../../host/engine/store/scan_cursor.ts';
import { Store } from '../../host/engine/store/index.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { argInt } from './common.ts';
const N = argInt('--rows', 200_000);
const REPS = argInt('--reps', 9);
for (const order of ['ascending', 'random']) {
  const store = await Store.open(':memory:', { platform: nodePlatform(), background: false, memtableBytesMax: 1 << 30 });
  const ks = await store.keyspace('t');
  const tx = store.begin();
  for (let i = 0; i < N; i++) { const j = order === 'random' ? (Math.imul(i, 2654435761) >>> 0) % 16777216 : i; tx.put(ks, new Uint8Array([j >> 16, (j >> 8) & 255, j & 255, 1, 2, 3, 4, 5]), new Uint8Array(100)); }
  await tx.commit();
  const r = store.begin();
  const best = { none: Infinity, reverse: Infinity };
  for (let round = 0; round < REPS; round++) for (const mode of ['none', 'reverse'] as const) {
    ScanCursor.memWalk = mode;
    const t0 = performance.now(); let n = 0;
    const c = r.scan(ks, { reverse: true }); while (c.next()) n++;
    if (n !== N) throw new Error(`rows ${n}`);
    best[mode] = Math.min(best[mode], (performance.now() - t0) * 1e6 / n);
  }
  console.log(`reverse full scan through Txn.scan, ${N} rows, 100-byte values, keys put in ${order} order: kernel iterator ${best.none.toFixed(0)} ns/row, TS walk ${best.reverse.toFixed(0)} ns/row (best of ${REPS} interleaved)`);
  r.rollback();
  await store.close();
}
