import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodePlatform } from '../../host/platform/node.ts';
import { lock_file_name } from '../../host/platform/lock_file.ts';
import { SqlState } from '../../host/engine/sb_error.ts';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

async function codeOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: unknown }).code;
  }
  return 'no error';
}

let dir: string;
const platform = nodePlatform();

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-node-platform-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('node platform files', () => {
  it('round-trips positional writes and reads', async () => {
    const p = platform.joinPath(dir, 'a.dat');
    const f = await platform.openFile(p, 'create');
    await f.write(enc('hello'), 0);
    await f.write(enc('world'), 10);
    expect(f.size()).toBe(15);
    const buf = new Uint8Array(15);
    expect(f.readSync(buf, 0)).toBe(15);
    expect(dec(buf.subarray(0, 5))).toBe('hello');
    expect([...buf.subarray(5, 10)]).toEqual([0, 0, 0, 0, 0]);
    const tail = new Uint8Array(10);
    expect(f.readSync(tail, 10)).toBe(5);
    expect(f.readSync(tail, 100)).toBe(0);
    await f.sync();
    await f.truncate(5);
    expect(f.size()).toBe(5);
    await f.close();
    expect(dec(await platform.readFile(p))).toBe('hello');
    await expect(f.write(enc('x'), 0)).rejects.toThrow();
  });

  it('keeps concurrent positional writes apart', async () => {
    const f = await platform.openFile(platform.joinPath(dir, 'c.dat'), 'create_new');
    await Promise.all(Array.from({ length: 20 }, (_, i) => f.write(enc(String.fromCharCode(65 + i).repeat(100)), i * 100)));
    const buf = new Uint8Array(2000);
    f.readSync(buf, 0);
    for (let i = 0; i < 20; i++) expect(buf[i * 100 + 50]).toBe(65 + i);
    await f.close();
  });

  it('writes large buffers whole, and close waits for writes still in flight', async () => {
    const p = platform.joinPath(dir, 'big.dat');
    const f = await platform.openFile(p, 'create');
    const big = new Uint8Array(3 << 20).map((_, i) => (i * 7) & 255);
    const writes = [f.write(big, 0), f.write(enc('tail'), big.length)];
    // Closed while both writes may still be on the thread pool: it must not close the fd under them.
    await f.close();
    await Promise.all(writes);
    const back = await platform.readFile(p);
    expect(back.length).toBe(big.length + 4);
    expect(back.subarray(0, big.length)).toEqual(big);
    expect(dec(back.subarray(big.length))).toBe('tail');
    await expect(f.write(enc('x'), 0)).rejects.toMatchObject({ code: 'EBADF' });
  });

  it('reports ENOENT and EEXIST by code', async () => {
    const p = platform.joinPath(dir, 'missing');
    expect(await codeOf(platform.openFile(p, 'read'))).toBe('ENOENT');
    expect(await codeOf(platform.openFile(p, 'readwrite'))).toBe('ENOENT');
    await (await platform.openFile(p, 'create_new')).close();
    expect(await codeOf(platform.openFile(p, 'create_new'))).toBe('EEXIST');
    expect(await codeOf(platform.listDir(platform.joinPath(dir, 'nope')))).toBe('ENOENT');
    expect(await codeOf(platform.readFile(platform.joinPath(dir, 'nope')))).toBe('ENOENT');
  });

  it('lists, renames, removes and syncs folders', async () => {
    const sub = platform.joinPath(dir, 'x/y');
    await platform.mkdirp(sub);
    await platform.mkdirp(sub);
    for (const n of ['b', 'a', 'c']) await (await platform.openFile(platform.joinPath(sub, n), 'create')).close();
    expect(await platform.listDir(sub)).toEqual(['a', 'b', 'c']);
    await platform.rename(platform.joinPath(sub, 'a'), platform.joinPath(sub, 'c'));
    expect(await platform.listDir(sub)).toEqual(['b', 'c']);
    await platform.syncDir(sub);
    await platform.remove(platform.joinPath(sub, 'b'));
    expect(await platform.exists(platform.joinPath(sub, 'b'))).toBe(false);
    expect(await platform.exists(platform.joinPath(sub, 'c'))).toBe(true);
    expect(await codeOf(platform.remove(platform.joinPath(sub, 'b')))).toBe('ENOENT');
  });

  it('joins paths with single slashes', () => {
    expect(platform.joinPath('/a/', '/b', 'c')).toBe('/a/b/c');
    expect(platform.joinPath('a', '', 'b')).toBe('a/b');
  });

  it('provides clocks, randomness, timers and assets', async () => {
    expect(Math.abs(platform.wallClockMs() - Date.now())).toBeLessThan(1000);
    const m0 = platform.monotonicMs();
    const b = new Uint8Array(32);
    platform.randomFill(b);
    expect(b.some((x) => x !== 0)).toBe(true);
    await new Promise<void>((resolve) => platform.setTimer(resolve, 5));
    expect(platform.monotonicMs()).toBeGreaterThan(m0);
    let fired = false;
    platform.setTimer(() => (fired = true), 1)();
    await new Promise((r) => setTimeout(r, 10));
    expect(fired).toBe(false);
    expect(dec(await platform.readAsset('package.json'))).toContain('"scratchbird"');
    fs.writeFileSync(path.join(dir, 'asset.bin'), 'A');
    expect(dec(await nodePlatform({ assetRoot: dir }).readAsset('asset.bin'))).toBe('A');
  });
});

// A child that takes the lock through the real platform and then waits to be killed.
function startLockHolder(folder: string): Promise<ChildProcess> {
  const code = `
    import { nodePlatform } from ${JSON.stringify(path.join(repoRoot, 'host/platform/node.ts'))};
    await nodePlatform().lockFolder(${JSON.stringify(folder)});
    console.log('locked');
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr!.on('data', (d) => (err += d));
    child.stdout!.on('data', (d) => {
      if (String(d).includes('locked')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`lock holder exited with ${code}: ${err}`)));
  });
}

describe('node platform folder lock', () => {
  it('refuses a second lock in the same process, and relocks after release', async () => {
    const lock = await platform.lockFolder(dir);
    expect(fs.existsSync(path.join(dir, lock_file_name))).toBe(true);
    const again = await platform.lockFolder(dir).catch((e: unknown) => e);
    expect((again as { code?: string }).code).toBe(SqlState.object_in_use);
    expect(String((again as Error).message)).toContain(dir);
    expect(String((again as Error).message)).toContain(String(process.pid));
    // another platform instance in the same process shares the registry
    expect(await codeOf(nodePlatform().lockFolder(dir + '/'))).toBe(SqlState.object_in_use);
    await lock.release();
    expect(fs.existsSync(path.join(dir, lock_file_name))).toBe(false);
    await (await platform.lockFolder(dir)).release();
  });

  it('is blocked by a live process and taken over after it is killed with SIGKILL', async () => {
    const child = await startLockHolder(dir);
    try {
      const err = await platform.lockFolder(dir).catch((e: unknown) => e);
      expect((err as { code?: string }).code).toBe(SqlState.object_in_use);
      expect(String((err as Error).message)).toContain(String(child.pid));
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    }
    const lock = await platform.lockFolder(dir);
    const rec = JSON.parse(fs.readFileSync(path.join(dir, lock_file_name), 'utf8'));
    expect(rec.pid).toBe(process.pid);
    await lock.release();
  });

  it('takes over a lock file naming an exited process', async () => {
    const done = spawnSync(process.execPath, ['-e', 'process.exit(0)']);
    const stale = { pid: done.pid, startTime: '1', hostname: os.hostname(), token: 'old' };
    fs.writeFileSync(path.join(dir, lock_file_name), JSON.stringify(stale));
    const lock = await platform.lockFolder(dir);
    await lock.release();
  });

  it('takes over a lock whose pid was reused by a younger process', async () => {
    // Our parent is alive, but the recorded start time is not its own.
    const stale = { pid: process.ppid, startTime: '1', hostname: os.hostname(), token: 'old' };
    fs.writeFileSync(path.join(dir, lock_file_name), JSON.stringify(stale));
    if (process.platform === 'linux') {
      await (await platform.lockFolder(dir)).release();
    } else {
      expect(await codeOf(platform.lockFolder(dir))).toBe(SqlState.object_in_use);
    }
  });

  it('takes over a corrupt lock file and one carrying our own pid', async () => {
    fs.writeFileSync(path.join(dir, lock_file_name), '{"pid": 12');
    await (await platform.lockFolder(dir)).release();
    fs.writeFileSync(path.join(dir, lock_file_name), JSON.stringify({ pid: process.pid, startTime: null, token: 't' }));
    await (await platform.lockFolder(dir)).release();
  });

  it('does not remove a lock that was taken over by someone else', async () => {
    const lock = await platform.lockFolder(dir);
    const other = JSON.stringify({ pid: 1, startTime: null, hostname: 'h', token: 'theirs' });
    fs.writeFileSync(path.join(dir, lock_file_name), other);
    await lock.release();
    expect(fs.readFileSync(path.join(dir, lock_file_name), 'utf8')).toBe(other);
  });

  it('fails on a missing folder and leaves no registry entry behind', async () => {
    const missing = path.join(dir, 'nope');
    expect(await codeOf(platform.lockFolder(missing))).toBe('ENOENT');
    fs.mkdirSync(missing);
    await (await platform.lockFolder(missing)).release();
  });
});
