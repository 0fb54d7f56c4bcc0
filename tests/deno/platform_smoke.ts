// Smoke test of host/platform/deno.ts, run under Deno by
// tests/platform/deno_platform.test.ts:
//   deno run --allow-read --allow-write --allow-env --allow-run tests/deno/platform_smoke.ts <tmpdir>
// Prints "ok <check>" per check and "SMOKE OK" at the end; exits 1 on failure.
// With a third argument it is a helper process: --hold-lock or --try-lock.

import { denoPlatform } from '../../host/platform/deno.ts';
import { SqlState } from '../../host/engine/sb_error.ts';

// Reached through globalThis so that tsc on Node, which has no Deno types, accepts this file.
// deno-lint-ignore no-explicit-any
const Deno = (globalThis as any).Deno;

const platform = denoPlatform();
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);
const [root, role] = Deno.args as [string, string | undefined];

function check(cond: unknown, what: string): void {
  if (!cond) throw new Error(`check failed: ${what}`);
}

async function codeOf(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return (e as { code?: unknown }).code;
  }
  return 'no error';
}

async function files(): Promise<void> {
  const p = platform.joinPath(root, 'a.dat');
  const f = await platform.openFile(p, 'create');
  await f.write(enc('hello'), 0);
  await f.write(enc('world'), 10);
  check(f.size() === 15, 'size after writes');
  const buf = new Uint8Array(15);
  check(f.readSync(buf, 0) === 15, 'read count');
  check(dec(buf.subarray(0, 5)) === 'hello' && dec(buf.subarray(10)) === 'world', 'read content');
  check(buf[7] === 0, 'hole reads as zero');
  check(f.readSync(new Uint8Array(4), 100) === 0, 'read at EOF');
  // Reads interleaved with queued writes must not disturb write positions.
  const writes = Array.from({ length: 16 }, (_, i) => f.write(enc(String.fromCharCode(65 + i).repeat(64)), 100 + i * 64));
  f.readSync(new Uint8Array(8), 0);
  await Promise.all(writes);
  const big = new Uint8Array(16 * 64);
  f.readSync(big, 100);
  for (let i = 0; i < 16; i++) check(big[i * 64 + 10] === 65 + i, `concurrent write ${i}`);
  await f.sync();
  await f.truncate(5);
  check(f.size() === 5, 'truncate');
  await f.close();
  check(dec(await platform.readFile(p)) === 'hello', 'readFile');
  check((await codeOf(f.write(enc('x'), 0))) === 'EBADF', 'write after close');
  const ro = await platform.openFile(p, 'read');
  check((await codeOf(ro.write(enc('x'), 0))) === 'EBADF', 'write on read-only');
  await ro.close();
  check((await codeOf(platform.openFile(platform.joinPath(root, 'nope'), 'read'))) === 'ENOENT', 'ENOENT');
  check((await codeOf(platform.openFile(p, 'create_new'))) === 'EEXIST', 'EEXIST');
  console.log('ok files');
}

async function folders(): Promise<void> {
  const sub = platform.joinPath(root, 'x//y');
  await platform.mkdirp(sub);
  await platform.mkdirp(sub);
  for (const n of ['b', 'a', 'c']) await (await platform.openFile(platform.joinPath(sub, n), 'create')).close();
  check((await platform.listDir(sub)).join() === 'a,b,c', 'listDir sorted');
  await platform.rename(platform.joinPath(sub, 'a'), platform.joinPath(sub, 'c'));
  check((await platform.listDir(sub)).join() === 'b,c', 'rename replaces');
  await platform.syncDir(sub);
  await platform.remove(platform.joinPath(sub, 'b'));
  check(!(await platform.exists(platform.joinPath(sub, 'b'))), 'remove');
  check(await platform.exists(platform.joinPath(sub, 'c')), 'exists');
  check((await codeOf(platform.listDir(platform.joinPath(root, 'none')))) === 'ENOENT', 'listDir ENOENT');
  console.log('ok folders');
}

async function misc(): Promise<void> {
  check(Math.abs(platform.wallClockMs() - Date.now()) < 1000, 'wall clock');
  const t0 = platform.monotonicMs();
  await new Promise<void>((resolve) => platform.setTimer(resolve, 5));
  check(platform.monotonicMs() > t0, 'monotonic clock and timer');
  const r = new Uint8Array(70_000);
  platform.randomFill(r);
  check(r.subarray(66_000).some((x) => x !== 0), 'randomFill beyond 64 KiB');
  check(dec(await platform.readAsset('package.json')).includes('"scratchbird"'), 'readAsset');
  console.log('ok misc');
}

function helper(mode: string): { child: { kill(s: string): void; status: Promise<{ code: number }> }; firstLine: Promise<string> } {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: ['run', '--allow-read', '--allow-write', '--allow-env', '--allow-run', import.meta.url, root, mode],
    stdout: 'piped',
    stderr: 'inherit',
  });
  const child = cmd.spawn();
  const firstLine = (async () => {
    const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
    reader.releaseLock();
    return text.trim();
  })();
  return { child, firstLine };
}

async function locks(): Promise<void> {
  const lock = await platform.lockFolder(root);
  const again = await platform.lockFolder(root).catch((e: unknown) => e);
  check((again as { code?: string }).code === SqlState.object_in_use, 'same-process double lock');
  check(String((again as Error).message).includes(String(Deno.pid)), 'message names the pid');
  const contender = helper('--try-lock');
  check((await contender.firstLine) === `busy ${SqlState.object_in_use}`, 'other process blocked');
  await contender.child.status;
  await lock.release();
  console.log('ok lock');

  // A Deno holder keeps an advisory lock on LOCK, so its death is seen without pid checks.
  const holder = helper('--hold-lock');
  check((await holder.firstLine) === 'locked', 'helper took the lock');
  check(readLock().flock === true, 'holder keeps an advisory lock');
  check((await codeOf(platform.lockFolder(root))) === SqlState.object_in_use, 'blocked by live process');
  holder.child.kill('SIGKILL');
  await holder.child.status;
  const taken = await platform.lockFolder(root);
  check(readLock().pid === Deno.pid, 'stale lock taken over');
  await taken.release();
  console.log('ok lock takeover');

  // A record without the advisory lock (as Node writes it) falls back to the pid.
  const second = helper('--hold-lock');
  check((await second.firstLine) === 'locked', 'second helper took the lock');
  const lockPath = platform.joinPath(root, 'LOCK');
  const nodeStyle = JSON.stringify({ ...readLock(), flock: false });
  Deno.writeTextFileSync(lockPath, nodeStyle);
  check((await codeOf(platform.lockFolder(root))) === SqlState.object_in_use, 'blocked by live pid');
  second.child.kill('SIGKILL');
  await second.child.status;
  Deno.writeTextFileSync(lockPath, nodeStyle); // the helper's advisory lock died with it anyway
  const byPid = await platform.lockFolder(root);
  check(readLock().pid === Deno.pid, 'lock of a dead pid taken over');
  await byPid.release();
  console.log('ok lock takeover by pid');
}

function readLock(): { pid: number; flock: boolean } {
  return JSON.parse(Deno.readTextFileSync(platform.joinPath(root, 'LOCK')));
}

if (role === '--hold-lock') {
  await platform.lockFolder(root);
  console.log('locked');
  setInterval(() => {}, 1000);
} else if (role === '--try-lock') {
  const code = await codeOf(platform.lockFolder(root));
  console.log(code === 'no error' ? 'acquired' : `busy ${String(code)}`);
  Deno.exit(0);
} else {
  try {
    await files();
    await folders();
    await misc();
    await locks();
    console.log('SMOKE OK');
  } catch (e) {
    console.error(e instanceof Error ? e.stack : e);
    Deno.exit(1);
  }
}
