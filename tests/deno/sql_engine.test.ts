// Runs the SQL engine's Deno test (tests/deno/sql_engine_test.ts) under real
// Deno: `deno task test:sql`, i.e. `deno test` over the embedded API of host/deno.ts.
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const probe = spawnSync('npx', ['--no-install', 'deno', '--version'], { cwd: repoRoot, encoding: 'utf8' });
const denoAvailable = probe.status === 0 && /deno \d/.test(probe.stdout);
const inCi = process.env.CI === 'true';
if (!denoAvailable && !inCi) console.warn('tests/deno/sql_engine.test.ts: skipped, `npx deno` is not available');

describe('SQL engine under Deno', () => {
  it.runIf(!denoAvailable && inCi)('has Deno available in CI', () => {
    expect.fail('npx deno is not available; CI must run the Deno SQL test');
  });

  it.skipIf(!denoAvailable)('deno test tests/deno/sql_engine_test.ts passes', async () => {
    const r = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const p = spawn('npx', ['--no-install', 'deno', 'task', 'test:sql'], {
        cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' },
      });
      let out = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (out += d));
      p.on('error', reject);
      p.on('exit', (code) => resolve({ code, out }));
    });
    for (const name of [
      'a data folder: write, close, reopen, read back',
      'transactions: commit, rollback, db.transaction, failed block, two sessions',
      ':memory:, statement_timeout and cancel',
    ]) {
      expect(r.out, r.out).toMatch(new RegExp(`${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\.\\.\\. ok`));
    }
    expect(r.out, r.out).toMatch(/ok \| 3 passed \| 0 failed/);
    expect(r.code, r.out).toBe(0);
  }, 120_000);
});
