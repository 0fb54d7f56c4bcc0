// Child process of the crash test: runs concurrent transfer transactions
// against a real folder and prints "ACK <id>" for each acknowledged commit.
// The parent kills it with SIGKILL at random moments.
//   node --import tsx tests/crash/transfer_child.ts <dir> <accounts> <seed>
import { Store } from '../../host/engine/store/index.ts';
import { nodePlatform } from '../../host/platform/node.ts';
import { SbError } from '../../host/engine/sb_error.ts';

const [dir, accountsArg, seedArg] = process.argv.slice(2);
const accounts = Number(accountsArg);
let seed = Number(seedArg) >>> 0 || 1;
const random = (n: number): number => {
  seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
  return seed % n;
};
const enc = new TextEncoder();
const key = (i: number): Uint8Array => enc.encode(`acct${String(i).padStart(5, '0')}`);
const num = (b: Uint8Array | undefined): number => Number(new TextDecoder().decode(b));

// Small memtables so flushes and compactions happen while we are killed.
const store = await Store.open(dir!, { platform: nodePlatform(), memtableBytesMax: 64 << 10, sweepIntervalMs: 200 });
const balances = await store.keyspace('balances');
const transfers = await store.keyspace('transfers');
const check = store.begin();
const initialized = check.get(balances, key(0)) !== undefined;
check.rollback();
if (!initialized) {
  const t = store.begin();
  for (let i = 0; i < accounts; i++) t.put(balances, key(i), enc.encode('1000'));
  await t.commit();
}
process.stdout.write('READY\n');

let n = 0;
async function worker(w: number): Promise<void> {
  for (;;) {
    const from = random(accounts);
    const to = (from + 1 + random(accounts - 1)) % accounts;
    const amount = 1 + random(50);
    const id = `${process.pid}-${w}-${n++}`;
    for (;;) {
      const t = store.begin({ isolation: 'snapshot' });
      try {
        const a = num(t.get(balances, key(from)));
        const b = num(t.get(balances, key(to)));
        if (a < amount) {
          t.rollback();
          break;
        }
        await t.putWait(balances, key(from), enc.encode(String(a - amount)));
        await t.putWait(balances, key(to), enc.encode(String(b + amount)));
        t.insert(transfers, enc.encode(id), enc.encode(`${from},${to},${amount}`));
        await t.commit();
        process.stdout.write(`ACK ${id}\n`);
        break;
      } catch (e) {
        t.rollback();
        if (!(e instanceof SbError && (e.code === '40001' || e.code === '40P01'))) throw e;
      }
    }
  }
}
await Promise.all(Array.from({ length: 8 }, (_, w) => worker(w)));
