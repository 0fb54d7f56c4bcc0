// The embedded engine in a web page: bundles host/browser.ts with esbuild
// (tools/build_browser.mjs, platform=browser, no node:* import), serves the
// bundle and its kernels from a 127.0.0.1 HTTP server, and runs SQL in
// headless Chromium (Debian `chromium` through playwright-core).
// Skipped with a message when Chromium is missing, except with CI=true.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
// @ts-expect-error: a plain .mjs build script without type declarations
import { buildBrowser } from '../../tools/build_browser.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(chromiumPath);
const inCi = process.env.CI === 'true';
if (!haveChromium && !inCi) {
  console.warn(`tests/browser: skipped, no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

// deno-lint-ignore no-explicit-any
type SB = any; // the bundle's exports (host/browser.ts), as seen inside the page

const types: Record<string, string> = {
  '.js': 'text/javascript', '.map': 'application/json', '.wasm': 'application/wasm', '.html': 'text/html',
};
const page_html = '<!doctype html><meta charset="utf-8"><title>ScratchBird test page</title><body>ScratchBird</body>';

/** Serves `dir` (and a blank page at /) on a free 127.0.0.1 port. */
function serve(dir: string): Promise<{ server: Server; base: string; requests: string[] }> {
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(path);
    if (path === '/') {
      res.writeHead(200, { 'content-type': types['.html']! });
      res.end(page_html);
      return;
    }
    const file = normalize(join(dir, path));
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404);
      res.end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests }));
  });
}

describe('embedded engine in headless Chromium', () => {
  it.runIf(!haveChromium && inCi)('has Chromium available in CI', () => {
    expect.fail(`no Chromium at ${chromiumPath}; CI must install the Debian chromium package`);
  });

  describe.skipIf(!haveChromium)('in a page', () => {
    let browser: Browser;
    let page: Page;
    let http: Awaited<ReturnType<typeof serve>>;
    const pageErrors: string[] = [];

    beforeAll(async () => {
      const { outDir } = await buildBrowser({ outDir: join(root, 'build/browser'), quiet: true });
      http = await serve(outDir);
      const { chromium } = await import('playwright-core');
      browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
      page = await browser.newPage();
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      await page.goto(`${http.base}/`);
      // The bundle as a page's module script would load it (page.evaluate bodies are plain functions).
      await page.addScriptTag({ type: 'module', content: "import * as sb from '/scratchbird.js'; globalThis.sb = sb;" });
      await page.waitForFunction(() => 'sb' in globalThis);
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await new Promise((r) => http?.server.close(r));
    });

    it('the bundle has no node: import and is an ES module', () => {
      const code = readFileSync(join(root, 'build/browser/scratchbird.js'), 'utf8');
      expect(code).not.toMatch(/from\s*["']node:/);
      expect(code).not.toMatch(/require\(["']node:/);
      expect(code).toMatch(/export\s*\{[^}]*\bopen\b/);
    });

    it('runs CREATE TABLE, INSERT and SELECT in the page', async () => {
      const out = await page.evaluate(async () => {
        const sb = (globalThis as unknown as { sb: SB }).sb;
        const db = await sb.open(':memory:');
        try {
          await db.exec("CREATE TABLE fruit (id int PRIMARY KEY, name text NOT NULL, price numeric(6,2), ripe boolean)");
          const ins = await db.query("INSERT INTO fruit VALUES (1, 'apple', 1.25, true), (2, 'banana', 0.5, false), (3, 'cherry', 7, true)");
          await db.query('INSERT INTO fruit VALUES ($1, $2, $3, $4)', [4, 'date', '3.10', null]);
          const r = await db.query('SELECT id, upper(name), price, ripe FROM fruit WHERE id >= $1 ORDER BY name DESC', [2]);
          let dup = '';
          try {
            await db.query("INSERT INTO fruit VALUES (1, 'again', 0, true)");
          } catch (e) {
            dup = `${(e as { code: string }).code} ${(e as Error).message}`;
          }
          return {
            insert: ins.command,
            command: r.command,
            fields: r.fields.map((f: { name: string }) => f.name),
            text: sb.formatRow(r),
            ids: r.rows.map((row: unknown[]) => row[0]),
            dup,
            platform: db.platform.name,
          };
        } finally {
          await db.close();
        }
      });
      expect(out.insert).toBe('INSERT 0 3');
      expect(out.command).toBe('SELECT 3');
      expect(out.fields).toEqual(['id', 'upper', 'price', 'ripe']);
      expect(out.text).toEqual([
        ['4', 'DATE', '3.10', null],
        ['3', 'CHERRY', '7.00', 't'],
        ['2', 'BANANA', '0.50', 'f'],
      ]);
      expect(out.ids).toEqual([4, 3, 2]);
      expect(out.dup).toMatch(/^23505 duplicate key value violates unique constraint/);
      expect(out.platform).toBe('browser');
      // The kernels came from the test server, beside the bundle.
      expect(http.requests).toContain('/wasm/storage.wasm');
      expect(pageErrors).toEqual([]);
    });

    it('a transaction rolls back, and a long statement is cancelled from another task in the page', async () => {
      const out = await page.evaluate(async () => {
        const sb = (globalThis as unknown as { sb: SB }).sb;
        const db = await sb.open(':memory:');
        try {
          await db.exec('CREATE TABLE t (a int PRIMARY KEY)');
          await db.query('INSERT INTO t VALUES (1),(2),(3),(4),(5),(6),(7),(8)');
          for (let i = 0; i < 10; i++) await db.query(`INSERT INTO t SELECT a + ${8 << i} FROM t`);
          let rolledBack = '';
          try {
            await db.transaction(async (s: { query: (q: string) => Promise<unknown> }) => {
              await s.query('INSERT INTO t VALUES (100000)');
              throw new Error('boom');
            });
          } catch (e) {
            rolledBack = (e as Error).message;
          }
          const after = await db.query('SELECT a FROM t WHERE a = 100000');
          const s = db.session();
          const t0 = performance.now();
          const long = s.query("SELECT a FROM t WHERE md5(repeat(a::text, 5000)) = 'nope'");
          setTimeout(() => s.cancel(), 30);
          let cancelled = '';
          try {
            await long;
            cancelled = 'finished';
          } catch (e) {
            cancelled = `${(e as { code: string }).code} ${(e as Error).message}`;
          }
          const ms = performance.now() - t0;
          const again = await s.query('SELECT a FROM t WHERE a < 3 ORDER BY a');
          return { rolledBack, after: after.rows.length, count: (await db.query('SELECT a FROM t')).rows.length, cancelled, ms, again: again.rows };
        } finally {
          await db.close();
        }
      });
      expect(out.rolledBack).toBe('boom');
      expect(out.after).toBe(0);
      expect(out.count).toBe(8192);
      expect(out.cancelled).toBe('57014 canceling statement due to user request');
      expect(out.ms).toBeLessThan(5_000);
      expect(out.again).toEqual([[1], [2]]);
      expect(pageErrors).toEqual([]);
    });

    it('the playground page runs its example script', async () => {
      const p = await browser.newPage();
      try {
        await p.goto(`${http.base}/index.html`);
        await p.waitForSelector('body[data-ready="true"]', { timeout: 30_000 }); // the database is open
        await p.click('#run');
        await p.waitForSelector('#out table', { timeout: 30_000 });
        const cells = await p.$$eval('#out table td', (tds) => tds.map((td) => td.textContent));
        expect(cells).toEqual(['3', 'CHERRY', '7.00', '1', 'APPLE', '1.25']);
        const tags = await p.$$eval('#out .tag', (ds) => ds.map((d) => d.textContent));
        expect(tags).toEqual(['CREATE TABLE', 'INSERT 0 3', 'SELECT 2']);
      } finally {
        await p.close();
      }
    });

    it('refuses a persistent path clearly', async () => {
      const msg = await page.evaluate(async () => {
        const sb = (globalThis as unknown as { sb: SB }).sb;
        try {
          await sb.open('/data/mydb');
          return 'opened';
        } catch (e) {
          return `${(e as { code: string }).code} ${(e as Error).message}`;
        }
      });
      expect(msg).toMatch(/^0A000 only in-memory databases/);
    });
  });
});
