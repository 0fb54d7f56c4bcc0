// Deterministic simulation of the store on the in-memory platform.
//
// One seed drives everything: the workload (several interleaved clients doing
// gets, scans, writes, savepoints, commits and rollbacks), background work
// started at random moments (flushes, compactions), the moments when pending
// I/O is allowed to progress, injected I/O errors, and power losses with torn
// and lost unsynced writes. Every read is checked against a model of the
// committed history at the reader's snapshot; every write that succeeds is
// checked against the conflict rules (no lost update); after each crash the
// recovered database must hold exactly the acknowledged commits plus a
// prefix (in commit order) of those in flight.

import { Store, type Keyspace, type Txn } from '../../host/engine/store/index.ts';
import { MemoryPlatform } from '../../host/platform/memory.ts';
import { SeededRandom } from '../../host/platform/seeded_random.ts';
import { SbError } from '../../host/engine/sb_error.ts';
import { nodePlatform } from '../../host/platform/node.ts';

const node = nodePlatform();
const assets = (p: string): Promise<Uint8Array> => node.readAsset(p);
const enc = new TextEncoder();
const dec = new TextDecoder();
const DIR = '/sim';

type Writes = Map<string, string | null>;

interface Commit {
  stamp: number;
  writes: Writes;
}

interface Client {
  txn: Txn;
  writes: Writes;
  /** Savepoint marks with the write overlay at that moment. */
  savepoints: Array<{ mark: number; writes: Writes }>;
}

interface InFlight {
  txn: Txn;
  writes: Writes;
  /** Durable and moved into the model. */
  absorbed: boolean;
  /** Refused (serialization failure): it wrote nothing. */
  refused: boolean;
}

export interface SimOptions {
  steps: number;
  keys: number;
}

export class SimFailure extends Error {}

export async function simulate(seed: number, opts: SimOptions): Promise<{ commits: number; crashes: number }> {
  const rng = new SeededRandom(seed);
  const fail = (msg: string): never => {
    throw new SimFailure(`seed ${seed}: ${msg} (replay: SIM_SEED=${seed} npx vitest run tests/sim)`);
  };
  let platform = new MemoryPlatform({ seed, assets, manualClock: true });
  const storeOptions = {
    background: false,
    memtableBytesMax: 2048 + rng.int(30000),
    blockBytes: 256 + rng.int(4096),
    compactionMinRuns: 2 + rng.int(3),
    walSegmentBytes: 512 + rng.int(8192), // small: segments fill up and rotate often
    nodeId: 1,
  };
  let store = await Store.open(DIR, { platform, ...storeOptions });
  let ks: Keyspace = await store.keyspace('k');
  const acked: Commit[] = [];
  let inflight: InFlight[] = [];
  let clients: Client[] = [];
  let background: Array<Promise<unknown>> = [];
  let poisoned = false;
  let crashes = 0;
  const trace = process.env.SIM_TRACE ? (m: string): void => void process.stderr.write(`# ${m}\n`) : (): void => {};
  const key = (i: number): string => `k${String(i).padStart(3, '0')}`;

  const stateAt = (stamp: number): Map<string, string> => {
    const m = new Map<string, string>();
    for (const c of acked) {
      if (c.stamp > stamp) continue;
      for (const [k, v] of c.writes) v === null ? m.delete(k) : m.set(k, v);
    }
    return m;
  };
  const expectedView = (c: Client): Map<string, string> => {
    const m = stateAt(c.txn.snapshot);
    for (const [k, v] of c.writes) v === null ? m.delete(k) : m.set(k, v);
    return m;
  };
  const isConflict = (e: unknown): boolean =>
    e instanceof SbError && (e.code === '40001' || e.code === '23505' || e.code === '40P01');
  const dropClient = (c: Client): void => {
    clients = clients.filter((x) => x !== c);
  };

  const checkWriteAllowed = (c: Client, k: string): void => {
    for (const other of clients) {
      if (other !== c && other.writes.has(k)) fail(`write of ${k} succeeded while an open transaction holds it`);
    }
    for (const f of inflight) {
      // Still registered with the store = its versions are still uncommitted in the kernel.
      if (!f.absorbed && !f.refused && f.writes.has(k) && store.txnBySlot(f.txn.slot) === f.txn) {
        fail(`write of ${k} succeeded while a committing transaction holds it`);
      }
    }
    if (c.txn.isolation !== 'read committed') {
      // A later delete of a key the snapshot did not see leaves nothing to
      // lose: its tombstone may already be collected (it hides nothing), and
      // then the write rightly meets no conflict.
      const absentAtSnapshot = !stateAt(c.txn.snapshot).has(k);
      for (const a of acked) {
        if (a.stamp <= c.txn.snapshot || !a.writes.has(k)) continue;
        if (absentAtSnapshot && a.writes.get(k) === null && !stateAt(Infinity).has(k)) continue;
        fail(`lost update: ${k} was committed at ${a.stamp} after snapshot ${c.txn.snapshot}`);
      }
    }
  };

  const startCommit = (c: Client): void => {
    dropClient(c);
    const f: InFlight = { txn: c.txn, writes: c.writes, absorbed: false, refused: false };
    inflight.push(f);
    trace(`commit start slot ${c.txn.slot} writes ${c.writes.size}`);
    c.txn.commit().then(
      () => trace(`commit resolved ${c.txn.commitStamp}`),
      (e) => {
        trace(`commit rejected slot ${c.txn.slot} stamp ${c.txn.commitStamp}: ${e}`);
        if (isConflict(e)) f.refused = true;
        else poisoned = true; // I/O failure: in doubt until recovery
      },
    );
  };

  // A commit is durable once the store has released its transaction (that
  // happens synchronously right after the fsync, before the committer resumes);
  // from then on every new snapshot includes it, so the model must too.
  const absorbDurable = (): void => {
    for (const f of inflight) {
      if (f.absorbed || f.refused || f.txn.commitStamp < 0 || f.writes.size === 0) continue;
      if (store.txnBySlot(f.txn.slot) === f.txn) continue;
      if (store.wal.failed) continue; // released by a failure, not by durability
      f.absorbed = true;
      trace(`absorbed commit ${f.txn.commitStamp} ${describe(new Map([...f.writes].map(([k, v]) => [k, String(v)])))}`);
      acked.push({ stamp: f.txn.commitStamp, writes: f.writes });
    }
    acked.sort((a, b) => a.stamp - b.stamp);
  };

  const recover = async (): Promise<void> => {
    absorbDurable();
    crashes++;
    trace(`crash ${crashes}`);
    const after = platform.crash({ tornWrites: rng.chance(0.5), loseUnsynced: rng.chance(0.5) ? true : undefined });
    background.forEach((p) => p.catch(() => {}));
    platform = after;
    store = await Store.open(DIR, { platform, ...storeOptions });
    ks = await store.keyspace('k');
    // Acknowledged commits plus a prefix of the in-flight ones (by stamp).
    const doubt = inflight.filter((f) => !f.absorbed && !f.refused && f.writes.size > 0 && f.txn.commitStamp >= 0);
    doubt.sort((a, b) => a.txn.commitStamp - b.txn.commitStamp);
    const tx = store.begin({ readOnly: true });
    const actual = new Map<string, string>();
    for (const [k, v] of tx.scan(ks)) actual.set(dec.decode(k), dec.decode(v));
    tx.rollback();
    let matched = -1;
    for (let n = 0; n <= doubt.length && matched < 0; n++) {
      const m = stateAt(Infinity);
      for (const f of doubt.slice(0, n)) for (const [k, v] of f.writes) v === null ? m.delete(k) : m.set(k, v);
      if (sameMap(m, actual)) matched = n;
    }
    if (matched < 0) fail(`after crash ${crashes}: recovered state matches no prefix of ${doubt.length} in-flight commits; got ${describe(actual)}, acked state ${describe(stateAt(Infinity))}`);
    for (const f of doubt.slice(0, matched)) acked.push({ stamp: f.txn.commitStamp, writes: f.writes });
    acked.sort((a, b) => a.stamp - b.stamp);
    // The clock restarts above every recovered stamp; the model follows the store.
    inflight = [];
    clients = [];
    background = [];
    poisoned = false;
  };

  for (let step = 0; step < opts.steps; step++) {
    absorbDurable();
    const roll = rng.int(100);
    trace(`step ${step} roll ${roll} clients ${clients.length} inflight ${inflight.filter((f) => !f.absorbed && !f.refused).length} acked ${acked.length}`);
    const c = clients.length > 0 ? clients[rng.int(clients.length)]! : undefined;
    try {
      if (poisoned || roll < 2) {
        await recover();
      } else if (roll < 14 && clients.length < 4) {
        const isolation = (['snapshot', 'read committed', 'serializable'] as const)[rng.int(3)]!;
        clients.push({ txn: store.begin({ isolation, statementSnapshots: 'manual' }), writes: new Map(), savepoints: [] });
      } else if (roll < 34 && c) {
        const k = key(rng.int(opts.keys));
        const got = c.txn.get(ks, enc.encode(k));
        const want = expectedView(c).get(k);
        const have = got === undefined ? undefined : dec.decode(got);
        if (have !== want) fail(`get ${k} in ${c.txn.isolation} txn at ${c.txn.snapshot}: got ${have}, expected ${want}`);
      } else if (roll < 40 && c) {
        const reverse = rng.chance(0.5);
        const rows = c.txn.scan(ks, { reverse }).toArray().map(([k, v]) => `${dec.decode(k)}=${dec.decode(v)}`);
        const exp = [...expectedView(c).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`);
        if (reverse) exp.reverse();
        if (rows.join(',') !== exp.join(',')) fail(`scan at ${c.txn.snapshot}: got ${rows.join(',')}, expected ${exp.join(',')}`);
      } else if (roll < 60 && c) {
        const k = key(rng.int(opts.keys));
        const del = rng.chance(0.2);
        const v = `s${seed}.${step}`;
        try {
          if (del) c.txn.delete(ks, enc.encode(k));
          else c.txn.put(ks, enc.encode(k), enc.encode(v));
          trace(`write ${k} by slot ${c.txn.slot} ok`);
          checkWriteAllowed(c, k);
          c.writes.set(k, del ? null : v);
        } catch (e) {
          if (!isConflict(e)) throw e;
          c.txn.rollback();
          dropClient(c);
        }
      } else if (roll < 64 && c) {
        c.savepoints.push({ mark: c.txn.savepoint(), writes: new Map(c.writes) });
      } else if (roll < 67 && c && c.savepoints.length > 0) {
        const sp = c.savepoints[rng.int(c.savepoints.length)]!;
        c.txn.rollbackTo(sp.mark);
        c.writes = new Map(sp.writes);
        c.savepoints = c.savepoints.filter((x) => x.mark <= sp.mark);
      } else if (roll < 70 && c) {
        c.txn.refreshSnapshot();
      } else if (roll < 80 && c) {
        startCommit(c);
      } else if (roll < 84 && c) {
        c.txn.rollback();
        dropClient(c);
      } else if (roll < 87) {
        trace('flush');
        background.push(store.flush().then(() => trace('flush done'), (e) => trace(`flush failed ${e}`)));
      } else if (roll < 89) {
        trace('compact');
        background.push(store.compactAll().then(() => trace('compact done'), (e) => trace(`compact failed ${e}`)));
      } else if (roll < 90) {
        const op = rng.chance(0.5) ? 'sync' : 'write';
        trace(`failNext ${op}`);
        platform.failNext(op);
      } else {
        const ticks = rng.int(30);
        for (let i = 0; i < ticks; i++) await Promise.resolve();
        platform.advanceClock(rng.int(3));
      }
    } catch (e) {
      if (e instanceof SimFailure) throw e;
      if (e instanceof SbError && (e.code === '58030' || e.kind === 'wal_failed' || e.kind === 'io')) {
        poisoned = true;
        continue;
      }
      if (e instanceof SbError && e.code === '55000' && String(e.message).includes('closed')) continue;
      fail(`step ${step}: unexpected ${e instanceof Error ? `${(e as SbError).code ?? ''} ${e.stack}` : String(e)}`);
    }
  }
  // Drain, then check the final state survives a clean restart.
  for (const c of clients) c.txn.rollback();
  clients = [];
  for (let i = 0; i < 200; i++) await Promise.resolve();
  await Promise.allSettled(background);
  await recover();
  await store.close();
  return { commits: acked.length, crashes };
}

function sameMap(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function describe(m: Map<string, string>): string {
  return [...m.entries()].sort().map(([k, v]) => `${k}=${v}`).join(',');
}
