import { describe, expect, it } from 'vitest';
import { MemoryPlatform } from '../../host/platform/memory.ts';
import { SqlState } from '../../host/engine/sb_error.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

async function codeOf(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (e) {
    return (e as { code?: unknown }).code;
  }
  return 'no error';
}

function filled(byte: number, n: number): Uint8Array {
  return new Uint8Array(n).fill(byte);
}

describe('memory platform files', () => {
  it('round-trips positional writes and reads', async () => {
    const p = new MemoryPlatform({ seed: 1 });
    await p.mkdirp('/db');
    const f = await p.openFile('/db/a.dat', 'create');
    await f.write(enc('hello'), 0);
    await f.write(enc('world'), 10);
    expect(f.size()).toBe(15);
    const buf = new Uint8Array(15);
    expect(f.readSync(buf, 0)).toBe(15);
    expect(dec(buf.subarray(0, 5))).toBe('hello');
    expect([...buf.subarray(5, 10)]).toEqual([0, 0, 0, 0, 0]);
    expect(f.readSync(new Uint8Array(4), 100)).toBe(0);
    await f.sync();
    await f.truncate(5);
    expect(f.size()).toBe(5);
    expect(dec(p.durableBytes('/db/a.dat'))).toBe('hello\0\0\0\0\0world');
    await f.close();
    expect(dec(await p.readFile('db//a.dat'))).toBe('hello');
    expect(await codeOf(f.write(enc('x'), 0))).toBe('EBADF');
    expect(p.stats.bytesWritten).toBe(10);
    expect(p.stats.syncs).toBe(1);
  });

  it('follows POSIX errors for open, list, remove and rename', async () => {
    const p = new MemoryPlatform({ seed: 2 });
    expect(await codeOf(p.openFile('/nope', 'read'))).toBe('ENOENT');
    expect(await codeOf(p.openFile('/nope', 'readwrite'))).toBe('ENOENT');
    expect(await codeOf(p.openFile('/no/dir/file', 'create'))).toBe('ENOENT');
    await (await p.openFile('/x', 'create_new')).close();
    expect(await codeOf(p.openFile('/x', 'create_new'))).toBe('EEXIST');
    const ro = await p.openFile('/x', 'read');
    expect(await codeOf(ro.write(enc('a'), 0))).toBe('EBADF');
    expect(await codeOf(p.listDir('/nowhere'))).toBe('ENOENT');
    expect(await codeOf(p.remove('/nowhere'))).toBe('ENOENT');
    expect(await codeOf(p.rename('/nowhere', '/y'))).toBe('ENOENT');
    await p.mkdirp('/d/e');
    expect(await codeOf(p.remove('/d'))).toBe('ENOTEMPTY');
  });

  it('lists sorted names, renames, removes, and keeps open files past unlink', async () => {
    const p = new MemoryPlatform({ seed: 3 });
    await p.mkdirp('/db/sub');
    await p.mkdirp('/db/sub');
    for (const n of ['b', 'a', 'c']) await (await p.openFile(p.joinPath('/db', n), 'create')).close();
    expect(await p.listDir('/db')).toEqual(['a', 'b', 'c', 'sub']);
    const a = await p.openFile('/db/a', 'readwrite');
    await a.write(enc('AAA'), 0);
    await p.rename('/db/a', '/db/c');
    expect(await p.listDir('/db')).toEqual(['b', 'c', 'sub']);
    expect(dec(p.fileBytes('/db/c'))).toBe('AAA');
    await p.remove('/db/c');
    await a.write(enc('Z'), 0); // an unlinked file stays usable through its handle
    const back = new Uint8Array(3);
    a.readSync(back, 0);
    expect(dec(back)).toBe('ZAA');
    expect(await p.exists('/db/c')).toBe(false);
    expect(await p.exists('/db/sub')).toBe(true);
    await p.rename('/db/sub', '/db/moved');
    expect(await p.listDir('/db')).toEqual(['b', 'moved']);
    expect(p.fileNames()).toEqual(['/db/b']);
    expect(p.joinPath('/a/', '/b', 'c')).toBe('/a/b/c');
  });

  it('takes the folder lock once per process and again after release', async () => {
    const p = new MemoryPlatform({ seed: 4 });
    await p.mkdirp('/db');
    const lock = await p.lockFolder('/db');
    expect(p.fileNames()).toEqual(['/db/LOCK']);
    const err = await p.lockFolder('/db/').catch((e: unknown) => e);
    expect((err as { code?: string }).code).toBe(SqlState.object_in_use);
    expect(String((err as Error).message)).toContain('/db');
    expect(String((err as Error).message)).toContain(String(p.pid));
    await lock.release();
    expect(p.fileNames()).toEqual([]);
    await (await p.lockFolder('/db')).release();
    expect(await codeOf(p.lockFolder('/missing'))).toBe('ENOENT');
  });
});

describe('memory platform crashes', () => {
  it('keeps synced data and synced names whatever the crash does', async () => {
    let keptSome = false;
    for (let seed = 0; seed < 50; seed++) {
      let p = new MemoryPlatform({ seed });
      await p.mkdirp('/db');
      await p.syncDir('/');
      const f = await p.openFile('/db/wal', 'create');
      await f.write(filled(1, 1000), 0);
      await f.sync();
      await p.syncDir('/db');
      await f.write(filled(2, 1500), 1000);
      await f.write(filled(3, 700), 200);
      p = p.crash({ tornWrites: seed % 2 === 0 });
      const after = p.fileBytes('/db/wal');
      expect(after.length).toBeGreaterThanOrEqual(1000);
      const bad: number[] = [];
      for (let i = 0; i < after.length; i++) {
        const allowed = i < 200 || (i >= 900 && i < 1000) ? [1] : i < 1000 ? [1, 3] : i < 2500 ? [2] : [];
        if (!allowed.includes(after[i]!)) bad.push(i); // synced bytes kept, nothing invented
      }
      expect(bad, `seed ${seed}`).toEqual([]);
      if (after.length > 1000) keptSome = true;
    }
    expect(keptSome).toBe(true);
  });

  it('loses everything unsynced with loseUnsynced, including unsynced names', async () => {
    let p = new MemoryPlatform({ seed: 9 });
    await p.mkdirp('/db');
    await p.syncDir('/');
    const f = await p.openFile('/db/a', 'create');
    await f.write(enc('durable'), 0);
    await f.sync();
    await p.syncDir('/db');
    await f.write(enc('DURABLE'), 0);
    const g = await p.openFile('/db/b', 'create');
    await g.write(enc('b'), 0);
    await g.sync(); // data synced, but the name never was
    expect(p.durableFileNames()).toEqual(['/db/a']);
    p = p.crash({ loseUnsynced: true });
    expect(p.fileNames()).toEqual(['/db/a']);
    expect(dec(p.fileBytes('/db/a'))).toBe('durable');
    expect(await codeOf(f.write(enc('x'), 0))).toBe('EIO');
    expect(await codeOf(() => f.readSync(new Uint8Array(1), 0))).toBe('EIO');
  });

  it('tears at sector boundaries unless byte-level tearing is asked for', async () => {
    const lengthsAfter = async (tornWrites: boolean): Promise<Set<number>> => {
      const lengths = new Set<number>();
      for (let seed = 0; seed < 200; seed++) {
        let p = new MemoryPlatform({ seed });
        const f = await p.openFile('/f', 'create');
        await f.sync();
        await p.syncDir('/');
        await f.write(filled(7, 2048), 100);
        p = p.crash({ loseUnsynced: false, tornWrites });
        lengths.add(p.fileBytes('/f').length);
      }
      return lengths;
    };
    const sectors = await lengthsAfter(false);
    for (const n of sectors) expect([0, 512, 1024, 1536, 2048, 2148]).toContain(n);
    expect(sectors.size).toBeGreaterThan(2);
    const bytes = await lengthsAfter(true);
    expect([...bytes].some((n) => n % 512 !== 0 && n !== 2148)).toBe(true);
  });

  it('makes renames atomic and unsynced folder changes optional', async () => {
    const outcomes = new Set<string>();
    for (let seed = 0; seed < 100; seed++) {
      let p = new MemoryPlatform({ seed });
      const f = await p.openFile('/manifest.tmp', 'create');
      await f.write(enc('new'), 0);
      await f.sync();
      await p.syncDir('/');
      const old = await p.openFile('/manifest', 'create');
      await old.write(enc('old'), 0);
      await old.sync();
      await p.rename('/manifest.tmp', '/manifest');
      p = p.crash();
      const names = p.fileNames().join(',');
      const content = names.includes('/manifest,') || names === '/manifest' ? dec(p.fileBytes('/manifest')) : '';
      outcomes.add(`${names}=${content}`);
    }
    for (const o of outcomes) {
      expect(['/manifest.tmp=', '/manifest,/manifest.tmp=old', '/manifest=new']).toContain(o);
    }
    expect(outcomes.size).toBeGreaterThan(1);
  });

  it('replays exactly from a seed', async () => {
    const run = async (seed: number): Promise<string> => {
      let p = new MemoryPlatform({ seed });
      const files = [];
      for (let i = 0; i < 4; i++) files.push(await p.openFile(`/f${i}`, 'create'));
      for (let round = 0; round < 20; round++) {
        const r = new Uint8Array(700);
        p.randomFill(r);
        const f = files[round % 4]!;
        await f.write(r, (round * 333) % 4000);
        if (round % 7 === 0) await f.sync();
        if (round % 5 === 0) await p.syncDir('/');
      }
      p = p.crash({ tornWrites: true });
      const out = p.fileNames().map((n) => `${n}:${Buffer.from(p.fileBytes(n)).toString('hex')}`);
      const r = new Uint8Array(8);
      p.randomFill(r);
      return out.join('|') + `|next:${r.join(',')}`;
    };
    expect(await run(42)).toBe(await run(42));
    expect(await run(42)).not.toBe(await run(43));
  });

  it('releases folder locks and timers in a crash; the reboot takes the stale lock over', async () => {
    let p = new MemoryPlatform({ seed: 5, manualClock: true });
    await p.mkdirp('/db');
    await p.syncDir('/');
    await p.lockFolder('/db');
    await p.syncDir('/db');
    let fired = false;
    p.setTimer(() => (fired = true), 10);
    const before = p.pid;
    p = p.crash({ loseUnsynced: false });
    expect(p.pid).not.toBe(before);
    p.advanceClock(100);
    expect(fired).toBe(false);
    await (await p.lockFolder('/db')).release();
  });
});

describe('memory platform fault injection', () => {
  it('fails the next operation of a kind with a coded error', async () => {
    const p = new MemoryPlatform({ seed: 6 });
    const f = await p.openFile('/f', 'create');
    p.failNext('write');
    expect(await codeOf(f.write(enc('x'), 0))).toBe('EIO');
    await f.write(enc('x'), 0);
    p.failNext('read');
    expect(await codeOf(() => f.readSync(new Uint8Array(1), 0))).toBe('EIO');
    p.failNext('open', Object.assign(new Error('denied'), { code: 'EACCES' }));
    expect(await codeOf(p.openFile('/f', 'read'))).toBe('EACCES');
    p.failNext('rename');
    expect(await codeOf(p.rename('/f', '/g'))).toBe('EIO');
    expect(p.fileNames()).toEqual(['/f']);
  });

  it('a failed sync loses the unsynced writes for good', async () => {
    let p = new MemoryPlatform({ seed: 7 });
    const f = await p.openFile('/f', 'create');
    await f.write(enc('one'), 0);
    await f.sync();
    await p.syncDir('/');
    await f.write(enc('two'), 0);
    p.failNext('sync');
    expect(await codeOf(f.sync())).toBe('EIO');
    await f.sync();
    expect(dec(p.fileBytes('/f'))).toBe('two');
    expect(dec(p.durableBytes('/f'))).toBe('one');
    p = p.crash({ loseUnsynced: false });
    expect(dec(p.fileBytes('/f'))).toBe('one');
  });

  it('runs out of disk space after the given number of bytes', async () => {
    const p = new MemoryPlatform({ seed: 8 });
    const f = await p.openFile('/f', 'create');
    p.diskFullAfterBytes(10);
    await f.write(filled(1, 6), 0);
    expect(await codeOf(f.write(filled(2, 6), 6))).toBe('ENOSPC');
    expect(f.size()).toBe(10);
    expect(await codeOf(f.write(filled(3, 1), 0))).toBe('ENOSPC');
    p.diskFullAfterBytes(null);
    await f.write(filled(3, 1), 0);
  });
});

describe('memory platform clock and timers', () => {
  it('fires timers in due order as the manual clock advances', () => {
    const p = new MemoryPlatform({ seed: 10, manualClock: true, startWallMs: 5_000 });
    expect(p.wallClockMs()).toBe(5_000);
    expect(p.monotonicMs()).toBe(0);
    const log: string[] = [];
    p.setTimer(() => log.push(`b@${p.monotonicMs()}`), 20);
    p.setTimer(() => {
      log.push(`a@${p.monotonicMs()}`);
      p.setTimer(() => log.push(`c@${p.monotonicMs()}`), 5);
    }, 10);
    const cancel = p.setTimer(() => log.push('never'), 15);
    cancel();
    p.advanceClock(9);
    expect(log).toEqual([]);
    p.advanceClock(100);
    expect(log).toEqual(['a@10', 'c@15', 'b@20']);
    expect(p.monotonicMs()).toBe(109);
    expect(p.wallClockMs()).toBe(5_109);
    p.setWallClock(1_000); // a backwards step
    expect(p.wallClockMs()).toBe(1_000);
    expect(p.monotonicMs()).toBe(109);
    expect(p.pendingTimers()).toBe(0);
  });

  it('uses the real clock and timers otherwise', async () => {
    const p = new MemoryPlatform({ seed: 11 });
    expect(Math.abs(p.wallClockMs() - Date.now())).toBeLessThan(1000);
    await new Promise<void>((resolve) => p.setTimer(resolve, 2));
    expect(() => p.advanceClock(1)).toThrow();
  });

  it('serves assets from the configured source only', async () => {
    const p = new MemoryPlatform({ seed: 12, assets: async (rel) => enc(`asset:${rel}`) });
    expect(dec(await p.readAsset('build/wasm/x.wasm'))).toBe('asset:build/wasm/x.wasm');
    expect(await codeOf(new MemoryPlatform().readAsset('x'))).toBe('ENOENT');
  });
});
