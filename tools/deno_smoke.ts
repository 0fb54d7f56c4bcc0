// Smoke test of the storage engine under Deno (`deno task smoke [dir]`):
// open a folder with the Deno platform, write, flush, compact, reopen, verify;
// then the same in memory. Prints "DENO STORE SMOKE OK" on success.
import { Store } from '../host/engine/store/index.ts';
import { denoPlatform } from '../host/platform/deno.ts';

// deno-lint-ignore no-explicit-any
const Deno = (globalThis as any).Deno;
const platform = denoPlatform();
const enc = new TextEncoder();
const dec = new TextDecoder();
const dir = Deno.args[0] ?? (await Deno.makeTempDir({ prefix: 'sb-deno-smoke-' }));

function assert(cond: unknown, what: string): void {
  if (!cond) throw new Error(`deno smoke check failed: ${what}`);
}

async function exercise(store: Store, rows: number): Promise<void> {
  const ks = await store.keyspace('smoke');
  for (let batch = 0; batch < 4; batch++) {
    const t = store.begin();
    for (let i = 0; i < rows / 4; i++) {
      const n = batch * (rows / 4) + i;
      t.put(ks, enc.encode(`k${String(n).padStart(6, '0')}`), enc.encode(`v${n}`));
    }
    await t.commit();
    await store.flush();
  }
  await store.compactAll();
  const r = store.begin();
  assert(dec.decode(r.get(ks, enc.encode('k000042'))) === 'v42', 'point get');
  assert(r.scan(ks).toArray().length === rows, 'scan count');
  r.rollback();
}

let store = await Store.open(dir, { platform, background: false });
await exercise(store, 2000);
const t = store.begin();
t.put(await store.keyspace('smoke'), enc.encode('after'), enc.encode('flush'));
await t.commit();
await store.close();
store = await Store.open(dir, { platform, background: false });
const r = store.begin();
const ks = await store.keyspace('smoke');
assert(dec.decode(r.get(ks, enc.encode('after'))) === 'flush', 'WAL replay after reopen');
assert(r.scan(ks).toArray().length === 2001, 'rows after reopen');
r.rollback();
await store.close();
console.log('ok folder');

const mem = await Store.open(':memory:', { platform, background: false });
await exercise(mem, 400);
await mem.close();
console.log('ok memory');
if (Deno.args[0] === undefined) await Deno.remove(dir, { recursive: true });
console.log('DENO STORE SMOKE OK');
