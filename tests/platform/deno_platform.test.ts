// Runs the Deno platform's smoke script under real Deno (tests/deno/platform_smoke.ts).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';

const probe = spawnSync(npx, ['--no-install', 'deno', '--version'], { cwd: repoRoot, encoding: 'utf8' });
const denoAvailable = probe.status === 0 && /deno \d/.test(probe.stdout);
const inCi = process.env.CI === 'true';

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(npx, ['--no-install', 'deno', ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('deno platform', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-deno-platform-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it.runIf(!denoAvailable && inCi)('has Deno available in CI', () => {
    expect.fail(`npx deno is not available (${probe.error?.message ?? probe.stderr}); CI must run the Deno platform smoke test`);
  });

  it.skipIf(!denoAvailable)('passes the smoke script (files, sync, rename, lock, lock contention)', async () => {
    const script = path.join('tests', 'deno', 'platform_smoke.ts');
    const r = await run(['run', '--allow-read', '--allow-write', '--allow-env', '--allow-run', script, dir]);
    const lines = r.stdout.split('\n').map((l) => l.trim());
    expect(r.stderr.replace(/^npm warn.*$/gm, '').trim(), 'stderr').toBe('');
    for (const check of ['files', 'folders', 'misc', 'lock', 'lock takeover', 'lock takeover by pid']) {
      expect(lines).toContain(`ok ${check}`);
    }
    expect(lines).toContain('SMOKE OK');
    expect(r.code).toBe(0);
  });

  it.skipIf(!denoAvailable)('type-checks host/platform/deno.ts under Deno', async () => {
    const r = await run(['check', 'host/platform/deno.ts', 'tests/deno/platform_smoke.ts']);
    expect(r.code, r.stderr).toBe(0);
  });

  if (!denoAvailable && !inCi) {
    it.skip(`Deno platform tests skipped: npx deno is not available here (install devDependency "deno")`, () => {});
  }
});
