// The server process as users run it (`node --import tsx host/server/main.ts`,
// what `npm start` runs): configuration, /health and /metrics, the data
// folder lock, the default-password rule, SIGTERM; and loadConfig's layering.

import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../host/server/config.ts';
import { parseCpuList } from '../../host/server/cpu_affinity.ts';

const ROOT = resolve(__dirname, '../..');
/** tsx's loader by absolute URL, so the server can start from any working folder. */
const TSX = pathToFileURL(createRequire(join(ROOT, 'package.json')).resolve('tsx')).href;
const dirs: string[] = [];
const procs: ChildProcess[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'sb-server-'));
  dirs.push(d);
  return d;
}

async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

interface Proc {
  child: ChildProcess;
  lines: Array<Record<string, unknown>>;
  stderr: string;
  exited: Promise<number | null>;
  waitFor(event: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

function startProcess(args: string[], env: Record<string, string> = {}, cwd = ROOT): Proc {
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'host/server/main.ts'), ...args], {
    cwd, env: { ...process.env, SCRATCHBIRD_PASSWORD: '', ...env },
  });
  procs.push(child);
  const lines: Array<Record<string, unknown>> = [];
  let buf = '';
  const p: Proc = {
    child, lines, stderr: '',
    exited: new Promise((r) => child.on('exit', (code) => r(code))),
    async waitFor(event, timeoutMs = 30_000) {
      const t0 = Date.now();
      for (;;) {
        const l = lines.find((x) => x.event === event);
        if (l) return l;
        if (child.exitCode !== null || Date.now() - t0 > timeoutMs) throw new Error(`no "${event}" (exit ${child.exitCode}): ${JSON.stringify(lines)} ${p.stderr}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
  };
  child.stdout!.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        lines.push(JSON.parse(line));
      } catch {
        lines.push({ event: 'non_json', line });
      }
    }
  });
  child.stderr!.on('data', (d) => (p.stderr += d));
  return p;
}

afterAll(() => {
  for (const c of procs) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('configuration', () => {
  const none = (): undefined => undefined;
  it('defaults: ./data, loopback, 5432, 8080, scram for everyone, the default password', () => {
    const c = loadConfig([], none, none);
    expect(c).toMatchObject({ data: './data', listen: '127.0.0.1', httpPort: 8080, logLevel: 'info', password: 'masterkey', defaultPassword: true });
    expect(c.pg).toMatchObject({ port: 5432, serverVersion: '16.0', connectionsMax: 100 });
    expect(c.pg.hba).toEqual([{ database: 'all', user: 'all', address: 'all', method: 'scram-sha-256' }]);
    expect(c.storage).toEqual({ blockCacheBytes: 256 << 20, memtableBytes: 64 << 20, walWritesInFlight: 1 });
  });

  it('storage budgets from flags, environment and YAML, in MiB; WAL writes in flight', () => {
    const yaml = 'storage: { block_cache_mb: 512, memtable_mb: 32, wal_writes_in_flight: 4 }\n';
    expect(loadConfig([], none, () => yaml).storage).toEqual({ blockCacheBytes: 512 << 20, memtableBytes: 32 << 20, walWritesInFlight: 4 });
    expect(loadConfig([], (n) => (n === 'SCRATCHBIRD_BLOCK_CACHE_MB' ? '128' : undefined), () => yaml).storage.blockCacheBytes).toBe(128 << 20);
    expect(loadConfig(['--block-cache-mb', '64', '--memtable-mb=16'], (n) => (n.endsWith('_MB') ? '128' : undefined), () => yaml).storage).toEqual({ blockCacheBytes: 64 << 20, memtableBytes: 16 << 20, walWritesInFlight: 4 });
    expect(loadConfig([], (n) => (n === 'SCRATCHBIRD_WAL_WRITES_IN_FLIGHT' ? '2' : undefined), () => yaml).storage.walWritesInFlight).toBe(2);
    expect(loadConfig(['--wal-writes-in-flight', '3'], (n) => (n === 'SCRATCHBIRD_WAL_WRITES_IN_FLIGHT' ? '2' : undefined), () => yaml).storage.walWritesInFlight).toBe(3);
    for (const bad of ['0', '17', '1.5', 'many']) expect(() => loadConfig(['--wal-writes-in-flight', bad], none, none)).toThrow(/wal_writes_in_flight: ".*" is not a whole number from 1 to 16/);
    expect(() => loadConfig(['--block-cache-mb', '0'], none, none)).toThrow(/block_cache_mb/);
    expect(() => loadConfig(['--memtable-mb', 'lots'], none, none)).toThrow(/memtable_mb/);
    expect(() => loadConfig(['--block-cache-mb', '5000'], none, none)).toThrow(/storage kernel/);
  });

  it('flags beat the environment, which beats the YAML file', () => {
    const yaml = 'data: /y\nlisten: 0.0.0.0\nhttp: { port: 9001 }\nprotocols:\n  postgresql:\n    port: 6000\n    server_version: "15.4"\n    connections_max: 7\n    hba:\n      - { address: loopback, method: trust }\n';
    const env: Record<string, string> = { SCRATCHBIRD_PG_PORT: '6001', SCRATCHBIRD_DATA: '/e', SCRATCHBIRD_PASSWORD: 'pw' };
    const c = loadConfig(['--config', 'x.yaml', '--data', '/f'], (n) => env[n], (p) => (p === 'x.yaml' ? yaml : undefined));
    expect(c).toMatchObject({ data: '/f', listen: '0.0.0.0', httpPort: 9001, password: 'pw', defaultPassword: false, configFile: 'x.yaml' });
    expect(c.pg).toMatchObject({ port: 6001, serverVersion: '15.4', connectionsMax: 7 });
    expect(c.pg.hba).toEqual([{ database: 'all', user: 'all', address: 'loopback', method: 'trust' }]);
    expect(loadConfig(['--pg-port=0'], none, none).pg.port).toBe(0);
  });

  it('bad settings are ConfigErrors naming the problem', () => {
    expect(() => loadConfig(['--nope', '1'], none, none)).toThrow(ConfigError);
    expect(() => loadConfig(['--pg-port', '70000'], none, none)).toThrow(/port/);
    expect(() => loadConfig(['--config', 'missing.yaml'], none, none)).toThrow(/not found/);
    expect(() => loadConfig([], none, () => 'protocols: { postgresql: { hba: [ { method: magic } ] } }')).toThrow(/method/);
    expect(() => loadConfig(['--log-level', 'loud'], none, none)).toThrow(/log level/);
  });
});

describe('server process', () => {
  it('serves PostgreSQL, /health and /metrics; a second start on the folder fails; SIGTERM stops it with exit 0', async () => {
    const dir = tempDir();
    const [pgPort, httpPort] = [await freePort(), await freePort()];
    const a = startProcess(['--data', join(dir, 'data'), '--pg-port', String(pgPort), '--http-port', String(httpPort)], { SCRATCHBIRD_PASSWORD: 'pw1' });
    const started = await a.waitFor('started');
    expect(started).toMatchObject({ level: 'info', component: 'server', postgresql: pgPort, http: httpPort });
    expect(typeof started.time).toBe('string');

    const c = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'sysdba', password: 'pw1', database: 'scratchbird' });
    await c.connect();
    await c.query('CREATE TABLE kept (a int)');
    await c.query('INSERT INTO kept VALUES (1), (2)');
    expect(await c.query('SELECT 1/0').catch((e) => e.code)).toBe('22012');

    const health = await fetch(`http://127.0.0.1:${httpPort}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', postgresql: { port: pgPort, connections: 1 } });
    const metrics = await (await fetch(`http://127.0.0.1:${httpPort}/metrics`)).text();
    expect(metrics).toMatch(/^tx_engine_connections_active\{protocol="postgresql",state="all"\} 1$/m);
    expect(metrics).toMatch(/^tx_engine_errors_total\{protocol="postgresql",sqlstate_class="22"\} 1$/m);
    expect(metrics).toMatch(/^tx_engine_transactions_committed_total \d+$/m);
    // The INSERT's commit (and the CREATE TABLE's) went through the WAL.
    expect(metrics).toMatch(/^tx_engine_wal_records_total [1-9]\d*$/m);
    expect(metrics).toMatch(/^tx_engine_wal_writes_total\{kind="all"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^tx_engine_wal_bytes_total [1-9]\d*$/m);
    expect(metrics).toMatch(/^tx_engine_query_duration_seconds_count\{protocol="postgresql"\} [1-9]\d*$/m);
    expect((await fetch(`http://127.0.0.1:${httpPort}/nope`)).status).toBe(404);

    const b = startProcess(['--data', join(dir, 'data'), '--pg-port', String(await freePort()), '--http-port', '0']);
    expect(await b.exited).toBe(1);
    const failed = b.lines.find((l) => l.event === 'start_failed')!;
    expect(failed.code).toBe('55006');
    expect(String(failed.message)).toMatch(/in use by another ScratchBird process/);

    await c.end();
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(a.lines.some((l) => l.event === 'stopped')).toBe(true);

    // Restart: the data is there, the password was kept.
    const port2 = await freePort();
    const d = startProcess(['--data', join(dir, 'data'), '--pg-port', String(port2), '--http-port', '0']);
    await d.waitFor('started');
    const c2 = new pg.Client({ host: '127.0.0.1', port: port2, user: 'sysdba', password: 'pw1', database: 'scratchbird' });
    await c2.connect();
    expect((await c2.query('SELECT a FROM kept ORDER BY a')).rows).toEqual([{ a: 1 }, { a: 2 }]);
    await c2.end();
    d.child.kill('SIGINT');
    expect(await d.exited).toBe(0);
  }, 90_000);

  it('refuses to listen beyond loopback with the default password, reading scratchbird.yaml from the working folder', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'scratchbird.yaml'), `data: ${join(dir, 'data')}\nlisten: 0.0.0.0\nhttp: { port: 0 }\nprotocols: { postgresql: { port: ${await freePort()} } }\n`);
    const p = startProcess([], {}, dir);
    expect(await p.exited).toBe(1);
    const failed = p.lines.find((l) => l.event === 'start_failed')!;
    expect(String(failed.message)).toMatch(/password is still the default/);
  }, 60_000);

  it('--cpu-affinity pins the server thread (auto: one allowed CPU; a list: those CPUs), the other threads to the rest, and refuses CPUs it may not use', async () => {
    if (process.platform !== 'linux') {
      console.warn('cpu affinity is Linux-only: skipping');
      return;
    }
    const cpusOf = (pid: number, tid: number): string => /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/task/${tid}/status`, 'utf8'))![1]!;
    const allowed = parseCpuList(cpusOf(process.pid, process.pid))!;
    const threads = (pid: number): number[] => readdirSync(`/proc/${pid}/task`).map(Number);

    const dir = tempDir();
    const port = await freePort();
    const a = startProcess(['--data', join(dir, 'a'), '--pg-port', String(port), '--http-port', '0', '--cpu-affinity', 'auto'], { SCRATCHBIRD_PASSWORD: 'pw' });
    const line = await a.waitFor('cpu_affinity');
    const pid = a.child.pid!;
    if (allowed.length < 2) {
      expect(line).toMatchObject({ setting: 'auto', cpus: null });
      expect(String(line.note)).toMatch(/one CPU allowed/);
    } else {
      const pinned = parseCpuList(String(line.cpus))!;
      expect(pinned).toHaveLength(1);
      expect(allowed).toContain(pinned[0]);
      expect(cpusOf(pid, pid)).toBe(String(pinned[0]));
      // The threads started before (libuv's pool, the wire writer, V8's helpers) get every other allowed CPU.
      const rest = allowed.filter((c) => c !== pinned[0]);
      expect(line.others).toBe(rest.join(','));
      const others = threads(pid).filter((t) => t !== pid);
      expect(others.length).toBeGreaterThan(0);
      for (const t of others) expect(parseCpuList(cpusOf(pid, t))).toEqual(rest);
    }
    await a.waitFor('started');
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'sysdba', password: 'pw', database: 'scratchbird' });
    await c.connect();
    expect((await c.query('SELECT 40 + 2 AS n')).rows).toEqual([{ n: 42 }]);
    await c.end();
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);

    // An explicit list: the last allowed CPU.
    const last = allowed[allowed.length - 1]!;
    const b = startProcess(['--data', join(dir, 'b'), '--pg-port', String(await freePort()), '--http-port', '0'], { SCRATCHBIRD_PASSWORD: 'pw', SCRATCHBIRD_CPU_AFFINITY: String(last) });
    expect(await b.waitFor('cpu_affinity')).toMatchObject({ setting: String(last), cpus: String(last) });
    expect(cpusOf(b.child.pid!, b.child.pid!)).toBe(String(last));
    for (const t of threads(b.child.pid!).filter((t) => t !== b.child.pid)) expect(parseCpuList(cpusOf(b.child.pid!, t))).toEqual(allowed.length > 1 ? allowed.filter((c) => c !== last) : [last]);
    b.child.kill('SIGTERM');
    expect(await b.exited).toBe(0);

    // A CPU outside the allowed set: the server does not start, and says why.
    const e = startProcess(['--data', join(dir, 'e'), '--pg-port', String(await freePort()), '--http-port', '0', '--cpu-affinity', '4095'], { SCRATCHBIRD_PASSWORD: 'pw' });
    expect(await e.exited).toBe(1);
    expect(String(e.lines.find((l) => l.event === 'start_failed')!.message)).toMatch(/cpu_affinity 4095: CPU 4095 is not among the allowed/);
  }, 90_000);

  it('runs under Deno too (deno task server): serves a client and stops on SIGTERM', async () => {
    const deno = join(ROOT, 'node_modules/deno/deno');
    if (!existsSync(deno)) {
      if (process.env.CI === 'true') throw new Error('deno is required in CI');
      console.warn('deno not installed: skipping');
      return;
    }
    const dir = tempDir();
    const port = await freePort();
    const child = spawn(deno, ['run', '--allow-read', '--allow-write', '--allow-env', '--allow-net', '--allow-sys', '--allow-run', join(ROOT, 'host/server/main.ts'),
      '--data', join(dir, 'data'), '--pg-port', String(port), '--http-port', '0'], { cwd: ROOT, env: { ...process.env, SCRATCHBIRD_PASSWORD: 'pw' } });
    procs.push(child);
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const t0 = Date.now();
    while (!out.includes('"started"') && Date.now() - t0 < 30_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    expect(out).toContain('"runtime":"deno"');
    const c = new pg.Client({ host: '127.0.0.1', port, user: 'sysdba', password: 'pw', database: 'scratchbird' });
    await c.connect();
    expect((await c.query('SELECT 40 + 2 AS x')).rows).toEqual([{ x: 42 }]);
    await c.end();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 60_000);
});
