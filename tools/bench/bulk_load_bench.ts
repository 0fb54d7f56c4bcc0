// Bulk load in one transaction, the store-level shape of `pgbench -i`'s COPY
// and ADD PRIMARY KEY: N in-order puts (or inserts) of a 12-byte key and a
// 100-byte value in one transaction, then its commit.
//
//   npx tsx tools/bench/bulk_load_bench.ts [--rows N] [--reps R] [--op put|insert] [--order asc|desc|random] [--above]
//
// Prints ns per write and the commit time, best of R passes (each pass a fresh
// in-memory store; background maintenance off, so freezes and flushes are not
// in the figures). The machine is shared: read the best figure, not the mean.
import { Store } from '../../host/engine/store/index.ts';
import { KeyWriter } from '../../host/engine/keys/key_encoding.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { argInt, argValue, now } from './common.ts';

const ROWS = argInt('--rows', 1_000_000);
const REPS = argInt('--reps', 3);
const OP = argValue('--op') ?? 'put';
const ORDER = argValue('--order') ?? 'asc';
/** --above: a row of a newer key space is in the memtable first (pgbench_branches' rows when pgbench_accounts loads). */
const ABOVE = process.argv.includes('--above');
const platform = nodePlatform();

function keyOrder(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = ORDER === 'desc' ? n - 1 - i : i;
  if (ORDER === 'random') {
    let s = 12345;
    for (let i = n - 1; i > 0; i--) {
      s = (s * 1103515245 + 12345) & 0x7fffffff;
      const j = s % (i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
  }
  return a;
}

async function pass(order: Int32Array): Promise<{ writeNs: number; commitMs: number }> {
  const store = await Store.open(':memory:', { platform, background: false });
  const ks = await store.keyspace('bulk');
  const kw = new KeyWriter();
  const value = new Uint8Array(100).fill(7);
  const dv = new DataView(value.buffer);
  const tx = store.begin();
  if (ABOVE) tx.put(await store.keyspace('above'), Uint8Array.of(1), Uint8Array.of(1));
  const f0 = process.resourceUsage().minorPageFault;
  const t0 = now();
  for (let n = 0; n < order.length; n++) {
    const i = order[n]!;
    dv.setUint32(0, i);
    const key = kw.reset().int(i).int(i & 1023).view();
    if (OP === 'insert') tx.insert(ks, key, value);
    else tx.put(ks, key, value);
  }
  const t1 = now();
  faults.push(process.resourceUsage().minorPageFault - f0);
  await tx.commit();
  const t2 = now();
  await store.close();
  return { writeNs: ((t1 - t0) * 1e6) / order.length, commitMs: t2 - t1 };
}

const order = keyOrder(ROWS);
const faults: number[] = [];
const runs: { writeNs: number; commitMs: number }[] = [];
for (let r = 0; r < REPS; r++) runs.push(await pass(order));
const best = (f: (x: { writeNs: number; commitMs: number }) => number): number => Math.min(...runs.map(f));
console.log(`${ROWS} ${OP}s, ${ORDER} key order${ABOVE ? ', below a newer key space' : ''}, one transaction; passes: ` +
  runs.map((x) => `${x.writeNs.toFixed(0)} ns/write + commit ${x.commitMs.toFixed(0)} ms`).join('; '));
console.log(`minor page faults during the writes: ${faults.join(', ')}`);
console.log(`best: ${best((x) => x.writeNs).toFixed(0)} ns/write, commit ${best((x) => x.commitMs).toFixed(0)} ms`);
