// Compaction (garbage collection of versions, dropped prefixes, retired run
// files) and the freeze carry-over of live transactions' versions.

import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Kernel, ST, LATEST, dec, enc, numKey, runLayout } from './harness.ts';
import { Driver, trickyKeys, type Step } from './model.ts';

const stepArb: fc.Arbitrary<Step> = fc.record({ op: fc.nat(11), a: fc.nat(1000), b: fc.nat(1000), c: fc.nat(1000) });

/** Commits one write (null: delete) at `stamp` and flushes it into a run of its own. */
function writeRun(k: Kernel, writes: Array<[string, string | null]>, stamp: number): number {
  const t = k.begin(stamp - 1);
  for (const [key, val] of writes) expect(val === null ? k.del(t, key) : k.put(t, key, val)).toBe(ST.OK);
  k.commit(t, stamp);
  return k.freezeAndFlush({ blockTarget: 256 });
}

describe('compaction', () => {
  it('preserves what every snapshot at or after the horizon sees (random histories)', () => {
    const total = { compactions: 0, dropped: 0, flushes: 0, conflicts: 0 };
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 20, maxLength: 150, size: 'max' }), fc.nat(), (steps, seed) => {
        const d = new Driver({ keys: trickyKeys.slice(0, 6 + (seed % 10)), blockTarget: 80 + (seed % 5) * 100, gc: true, maxLive: 1 + (seed % 3), horizonIgnoresOst: seed % 2 === 1 });
        for (const s of steps) {
          d.step(s);
          // Flushes and compactions happen more often than random steps alone would do.
          if (s.a % 3 === 0) d.step({ ...s, op: [7, 8, 9, 10, 11][s.c % 5]! });
        }
        d.checkAll();
        for (const key of Object.keys(total) as Array<keyof typeof total>) total[key] += d.stats[key];
      }),
      { numRuns: 80 },
    );
    // The histories did exercise what this test is about.
    expect(total.compactions).toBeGreaterThan(50);
    expect(total.dropped).toBeGreaterThan(50);
    expect(total.flushes).toBeGreaterThan(100);
    expect(total.conflicts).toBeGreaterThan(20);
  });

  it('keeps versions above the horizon and the newest at or below it; counts what it drops', () => {
    const k = Kernel.storage();
    writeRun(k, [['k', 'v10'], ['t', 'put10'], ['gone', 'x']], 10);
    writeRun(k, [['k', 'v20'], ['t', null]], 20);
    writeRun(k, [['k', 'v30'], ['gone', null]], 30);
    writeRun(k, [['k', 'v40'], ['late', null]], 40);
    expect(k.x.lsm_run_count()).toBe(4);
    const job = k.x.compact_begin(0, 4, 25, 1, 4096, 10);
    const r = k.runJob(job, {});
    expect(r.status).toBe(ST.OK);
    // Read 9. Kept 5: k@40, k@30, k@20 (what a reader at 25..29 sees), gone@30 and
    // gone@10 (readers at 25..29 see gone@10, so the tombstone must stay above it).
    // Dropped: k@10 and t@10 (no reader at or above 25 sees them); the tombstones
    // t@20 and late@40 hide nothing older, and this output is the bottom: gone.
    expect(r.stats).toEqual([9, 5, 2, 2, 0]);
    expect(k.x.job_entries(job)).toBe(5);
    const runId = k.openRun(r.file);
    expect(k.x.job_install_compaction(job, runId)).toBe(ST.OK);
    k.x.job_free(job);
    expect(k.x.lsm_run_count()).toBe(1);
    expect(k.runInfo(runId)).toMatchObject({ entries: 5, keys: 2, tombs: 1, minStamp: 10, maxStamp: 40 });
    for (const [snap, want] of [[25, 'v20'], [30, 'v30'], [39, 'v30'], [40, 'v40'], [LATEST, 'v40']] as const) {
      expect(k.get('k', snap)).toBe(want);
    }
    expect(k.get('t', 25)).toBeNull();
    expect(k.get('gone', 25)).toBe('x');
    expect(k.get('gone', 30)).toBeNull();
    expect(k.get('late', 39)).toBeNull();
    expect(k.get('late')).toBeNull();
    expect(k.get('k', 10)).toBeNull(); // below the horizon: no longer guaranteed (here: collected)
  });

  it('drops tombstones only in a bottommost output, and only when they hide nothing kept', () => {
    for (const bottom of [false, true]) {
      const k = Kernel.storage();
      writeRun(k, [['a', 'old']], 10);
      writeRun(k, [['a', null], ['b', 'x']], 20);
      writeRun(k, [['c', null], ['d', 'd20']], 30); // tombstone above the horizon
      writeRun(k, [['d', null]], 40); // hides d@30, which readers at 30..39 see
      const { runId, stats } = k.compact(0, 4, { horizon: 25, bottom });
      expect(stats[2]).toBe(1); // a@10: no reader at or above 25 sees it
      expect(stats[3]).toBe(bottom ? 2 : 0); // a@20 and c@30 hide nothing kept
      expect(k.runInfo(runId).tombs).toBe(bottom ? 1 : 3); // d@40 always stays
      expect(k.get('a')).toBeNull();
      expect(k.get('b')).toBe('x');
      expect(k.get('c')).toBeNull();
      expect(k.get('d', 35)).toBe('d20');
      expect(k.get('d')).toBeNull();
    }
  });

  it('keeps the versions live transactions below the horizon can see (and only those)', () => {
    const k = Kernel.storage();
    for (let s = 1; s <= 10; s++) writeRun(k, [['k', `v${s * 10}`]], s * 10);
    k.compact(0, 10, { horizon: 0, bottom: true }); // one run holding k@10..100
    const old = k.begin(35, 35); // sees k@30
    const older = k.begin(12, 12); // sees k@10
    const { stats } = k.compact(0, 1, { horizon: 80, bottom: true });
    // Kept: k@100, k@90, k@80 (readers at or above 80), k@30, k@10 (the live snapshots).
    expect(stats).toEqual([10, 5, 5, 0, 0]);
    expect(k.get('k', 35, old)).toBe('v30');
    expect(k.get('k', 12, older)).toBe('v10');
    expect(k.get('k', 85)).toBe('v80');
    k.x.tx_abort(old);
    k.x.tx_abort(older);
    expect(k.compact(0, 1, { horizon: 80, bottom: true }).stats).toEqual([5, 3, 2, 0, 0]);
  });

  it('a later write of the same transaction supersedes its earlier one', () => {
    const k = Kernel.storage();
    const t = k.begin(1);
    k.put(t, 'k', 'first');
    k.put(t, 'k', 'second');
    k.commit(t, 5);
    expect(k.x.lsm_freeze()).toBe(ST.OK);
    const r = k.flushFile({ horizon: 0 });
    expect(r.stats).toEqual([2, 1, 0, 0, 1]);
    const runId = k.openRun(r.file);
    k.x.lsm_install_flush(runId);
    expect(k.get('k', 5)).toBe('second');
  });

  it('drops key prefixes in flushes and compactions', () => {
    const k = Kernel.storage();
    writeRun(k, [['t1/a', '1'], ['t1/b', '2'], ['t2/a', '3'], ['t1', 'not under t1/']], 10);
    const t = k.begin(11);
    k.put(t, 't1/c', '4');
    k.put(t, 't3/a', '5');
    k.commit(t, 12);
    expect(k.x.lsm_freeze()).toBe(ST.OK);
    k.flushOldest({ dropPrefixes: [enc('t1/'), enc('t3/')] });
    expect(k.scanStrings()).toEqual([['t1', 'not under t1/'], ['t1/a', '1'], ['t1/b', '2'], ['t2/a', '3']]);
    const { stats } = k.compact(0, 2, { dropPrefixes: [enc('t1/')], bottom: true });
    expect(stats[0]).toBe(4);
    expect(stats[1]).toBe(2);
    expect(k.scanStrings()).toEqual([['t1', 'not under t1/'], ['t2/a', '3']]);
  });

  it('bounds the versions a step reads when it keeps few of them (a dropped prefix)', () => {
    // Steps end at chunkBytes of work: output bytes plus 32 per version read.
    // A flush or compaction that drops most of its input used to read all of
    // it in one synchronous step (no output, so the byte bound never hit).
    const stepStats = (k: Kernel, job: number, chunk: number): { steps: number; maxRead: number; status: number } => {
      const [pp] = k.place(enc('t1/'));
      expect(k.x.job_add_drop_prefix(job, pp!, 3)).toBe(ST.OK);
      let steps = 0;
      let maxRead = 0;
      let status: number;
      for (;;) {
        const before = k.x.job_stat(job, 0);
        status = k.x.job_step(job, chunk);
        maxRead = Math.max(maxRead, k.x.job_stat(job, 0) - before);
        k.x.job_out_consume(job);
        steps++;
        if (status !== ST.MORE) break;
      }
      return { steps, maxRead, status };
    };
    const k = Kernel.storage();
    const t = k.begin(9);
    for (let i = 0; i < 2000; i++) expect(k.put(t, `t1/${String(i).padStart(5, '0')}`, 'x'.repeat(40))).toBe(ST.OK);
    expect(k.put(t, 't2/kept', 'y')).toBe(ST.OK);
    k.commit(t, 10);
    expect(k.x.lsm_freeze()).toBe(ST.OK);
    const flush = k.x.flush_begin(0, 1, 4096, 10);
    const f = stepStats(k, flush, 4096);
    expect(f.status).toBe(ST.OK);
    expect(f.steps).toBeGreaterThan(10);
    expect(f.maxRead).toBeLessThanOrEqual(4096 / 32 + 1);
    k.x.job_free(flush);
    // The same input as a run, compacted with the prefix dropped.
    writeRun(k, Array.from({ length: 2000 }, (_, i): [string, string] => [`t1/${String(i).padStart(5, '0')}`, 'x'.repeat(40)]), 20);
    const compaction = k.x.compact_begin(0, 1, 0, 1, 4096, 10);
    const c = stepStats(k, compaction, 4096);
    expect(c.status).toBe(ST.OK);
    expect(c.steps).toBeGreaterThan(10);
    expect(c.maxRead).toBeLessThanOrEqual(4096 / 32 + 1);
    k.x.job_free(compaction);
  });

  it('hands retired run files to the host once no iterator reads them', () => {
    const k = Kernel.storage();
    const r1 = writeRun(k, [['a', '1']], 10);
    const r2 = writeRun(k, [['b', '2']], 20);
    const f1 = k.runInfo(r1).file;
    const f2 = k.runInfo(r2).file;
    expect(k.x.run_take_dead_file()).toBe(-1);
    const it = k.open({});
    const { runId } = k.compact(0, 2);
    expect(k.x.lsm_run_count()).toBe(1);
    expect(k.x.run_take_dead_file()).toBe(-1); // the iterator still holds both runs
    expect(k.scanStrings()).toEqual([['a', '1'], ['b', '2']]);
    expect(k.nextBatch(it, 10)).toEqual([{ key: enc('a'), val: enc('1') }, { key: enc('b'), val: enc('2') }]);
    k.x.iter_close(it);
    const dead = [k.x.run_take_dead_file(), k.x.run_take_dead_file()];
    expect(new Set(dead)).toEqual(new Set([f1, f2]));
    expect(k.x.run_take_dead_file()).toBe(-1);
    expect(k.x.run_info(r1)).toBe(ST.ERR_STATE); // freed
    expect(k.runInfo(runId).entries).toBe(2);
    // A run opened and released without being installed is not the host's to delete.
    const spare = k.openRun(k.files.get(k.runInfo(runId).file)!);
    k.x.run_release(spare);
    expect(k.x.run_take_dead_file()).toBe(-1);
  });

  it('installs by identity when a flush added newer runs meanwhile', () => {
    const k = Kernel.storage();
    writeRun(k, [['a', 'old'], ['b', 'b']], 10);
    writeRun(k, [['a', 'new']], 20);
    const job = k.x.compact_begin(0, 2, 0, 1, 4096, 10);
    const r = k.runJob(job, {});
    writeRun(k, [['c', 'c']], 30); // now at position 0
    const runId = k.openRun(r.file);
    expect(k.x.job_install_compaction(job, runId)).toBe(ST.OK);
    k.x.job_free(job);
    expect(k.x.lsm_run_count()).toBe(2);
    expect(k.x.lsm_run_id_at(1)).toBe(runId);
    expect(k.scanStrings()).toEqual([['a', 'new'], ['b', 'b'], ['c', 'c']]);
    expect(k.get('a', 15)).toBe('old');
  });

  it('an unfinished compaction cannot be installed', () => {
    const k = Kernel.storage();
    writeRun(k, Array.from({ length: 200 }, (_, i): [string, string] => [numKey(i), 'x'.repeat(50)]), 10);
    writeRun(k, [['z', 'z']], 20);
    const job = k.x.compact_begin(0, 2, 0, 1, 512, 10);
    expect(k.x.job_step(job, 1024)).toBe(ST.MORE);
    const partial = k.openRun(k.copyOut(k.x.job_out_ptr(job), k.x.job_out_len(job)));
    expect(k.x.job_install_compaction(job, Math.max(partial, 0))).toBe(ST.ERR_STATE);
    k.x.job_free(job);
    expect(k.x.lsm_run_count()).toBe(2);
    expect(k.scan().length).toBe(201);
  });

  it('a corrupt block in an input run fails the compaction instead of dropping the run', () => {
    for (const block of [0, 2]) {
      const k = Kernel.storage();
      const rows: Array<[string, string]> = Array.from({ length: 60 }, (_, i) => [numKey(i), 'a'.repeat(20)]);
      const r1 = writeRun(k, rows, 10);
      writeRun(k, [[numKey(1000), 'b']], 20);
      const file = k.files.get(k.runInfo(r1).file)!;
      const l = runLayout(file);
      expect(l.blocks.length).toBeGreaterThan(2);
      file[l.blocks[block]!.offset + 3]! ^= 0x40;
      k.x.cache_set_limit(0); // nothing cached: the compaction reads the damaged block
      const job = k.x.compact_begin(0, 2, 0, 1, 4096, 10);
      expect(job).toBeGreaterThan(0);
      const r = k.runJob(job, { chunkBytes: 1 << 20 });
      expect({ block, st: r.status }).toEqual({ block, st: ST.ERR_CORRUPT });
      expect(k.x.job_step(job, 1 << 20)).toBe(ST.ERR_CORRUPT); // a retry does not finish with data missing
      // Nor can the partial output be installed over the inputs.
      const spare = Kernel.storage();
      spare.x.lsm_freeze();
      const partial = k.openRun(spare.flushFile().file);
      expect(partial).toBeGreaterThan(0);
      expect(k.x.job_install_compaction(job, partial)).toBe(ST.ERR_STATE);
      k.x.job_free(job);
      expect(k.x.lsm_run_count()).toBe(2);
      expect(k.get(numKey(1000))).toBe('b');
    }
  });
});

describe('freeze carry-over', () => {
  it('moves live transactions\' versions into the new memtable; commit works after the flush', () => {
    const k = Kernel.storage();
    const a = k.begin(1);
    k.put(a, 'x', 'committed');
    k.commit(a, 2);
    const t = k.begin(3);
    const u = k.begin(3);
    k.put(t, 'x', 't-x');
    k.put(t, 'y', 't-y');
    k.put(u, 'z', 'u-z');
    const sp = k.x.tx_write_count(u);
    k.put(u, 'w', 'u-w rolled back later');
    const flushed = k.freezeAndFlush();
    // Only the committed version went to the run.
    expect(k.runInfo(flushed)).toMatchObject({ entries: 1, keys: 1, minStamp: 2, maxStamp: 2 });
    const raw = k.scanRaw({}).map((r) => `${dec(r.key)}:${dec(r.val)}:${r.rank}:${r.slot}`);
    expect(raw).toEqual([`w:u-w rolled back later:0:${u}`, `x:t-x:0:${t}`, 'x:committed:1:0', `y:t-y:0:${t}`, `z:u-z:0:${u}`]);
    expect(k.x.tx_write_count(t)).toBe(2);
    // Conflicts still see the carried versions.
    const v = k.begin(3);
    expect(k.put(v, 'y', 'v')).toBe(ST.CONFLICT_ACTIVE);
    expect(k.r32(0)).toBe(t);
    // Own reads, savepoint rollback, commit and abort on carried versions.
    expect(k.get('x', 3, t)).toBe('t-x');
    k.x.tx_rollback_to(u, sp);
    expect(k.get('w', 3, u)).toBeNull();
    const rec = k.commit(t, 10);
    expect(dec(rec)).toContain('t-y');
    k.x.tx_abort(u);
    expect(k.get('x')).toBe('t-x');
    expect(k.get('x', 9)).toBe('committed');
    expect(k.get('y')).toBe('t-y');
    expect(k.get('z')).toBeNull();
    expect(k.get('w')).toBeNull();
    // The next flush writes exactly the outcome.
    const second = k.freezeAndFlush();
    expect(k.runInfo(second)).toMatchObject({ entries: 2, minStamp: 10, maxStamp: 10 });
    expect(k.scanStrings()).toEqual([['x', 't-x'], ['y', 't-y']]);
  });

  it('a flush never writes uncommitted data', () => {
    const k = Kernel.storage();
    const live = k.begin(1);
    for (let i = 0; i < 500; i++) k.put(live, numKey(i), 'uncommitted');
    const c = k.begin(1);
    for (let i = 500; i < 600; i++) k.put(c, numKey(i), 'committed');
    k.commit(c, 5);
    expect(k.x.lsm_freeze()).toBe(ST.OK);
    const r = k.flushFile();
    expect(r.status).toBe(ST.OK);
    expect(dec(r.file)).not.toContain('uncommitted');
    const fresh = Kernel.storage();
    expect(fresh.runInfo(fresh.openRun(r.file)).entries).toBe(100);
    expect(k.x.lsm_install_flush(k.openRun(r.file))).toBe(ST.OK);
    k.x.job_free(r.job);
    // Survives several freezes and flushes, then commits.
    for (let i = 0; i < 3; i++) expect(k.runInfo(k.freezeAndFlush()).entries).toBe(0);
    expect(k.x.lsm_frozen_count()).toBe(0);
    expect(k.get(numKey(0), 0, live)).toBe('uncommitted');
    k.commit(live, 9);
    expect(k.get(numKey(0))).toBe('uncommitted');
    expect(k.scan().length).toBe(600);
  });

  it('carries a large uncommitted transaction over intact', () => {
    const k = Kernel.storage();
    const t = k.begin(1);
    for (let i = 0; i < 60_000; i++) k.put(t, numKey((i * 7919) % 60_000), 'v'.repeat(i % 50));
    expect(k.x.lsm_freeze()).toBe(ST.OK);
    expect(k.x.tx_write_count(t)).toBe(60_000);
    k.flushOldest();
    k.commit(t, 2);
    const rows = k.scan({ batchRows: 10_000 });
    expect(rows.length).toBe(60_000);
    for (let i = 0; i < 60_000; i += 997) {
      const key = numKey((i * 7919) % 60_000);
      expect(k.get(key)).toBe('v'.repeat(i % 50));
    }
  });

  it('refuses a fifth frozen memtable', () => {
    const k = Kernel.storage();
    for (let i = 0; i < 4; i++) expect(k.x.lsm_freeze()).toBe(ST.OK);
    expect(k.x.lsm_freeze()).toBe(ST.ERR_STATE);
    expect(k.x.lsm_frozen_count()).toBe(4);
    k.flushOldest();
    expect(k.x.lsm_freeze()).toBe(ST.OK);
  });
});
