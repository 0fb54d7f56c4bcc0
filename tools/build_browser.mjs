// Bundles the embedded engine for web pages (`npm run build:browser`):
//   host/browser.ts -> build/browser/scratchbird.js (ESM, platform=browser)
//   build/wasm/*.wasm -> build/browser/wasm/ (fetched by the bundle at open())
//   tools/playground/index.html -> build/browser/index.html (a small SQL playground page)
// Fails when anything reachable imports a node:* module or a Node builtin, or
// when the bundle mentions Deno's API (ground rule 1: the core bundles for the browser).
// Usable as a module too: `await buildBrowser()` returns the output paths.
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const builtins = new Set(builtinModules);

/** Rejects node:* and bare Node builtin imports with the importer's path. */
const noNodeImports = {
  name: 'no-node-imports',
  setup(build) {
    build.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const bare = args.path.startsWith('node:') ? args.path.slice(5) : args.path;
      if (args.path.startsWith('node:') || builtins.has(bare)) {
        return { errors: [{ text: `"${args.path}" is a Node module, imported by ${args.importer.replace(root + '/', '')}; the browser bundle cannot use it` }] };
      }
      return undefined;
    });
  },
};

export async function buildBrowser({ outDir = join(root, 'build/browser'), minify = false, quiet = false } = {}) {
  const wasmDir = join(root, 'build/wasm');
  if (!existsSync(join(wasmDir, 'storage.wasm'))) {
    throw new Error('build/wasm/storage.wasm is missing: run `npm run build:wasm` first');
  }
  mkdirSync(join(outDir, 'wasm'), { recursive: true });
  const outfile = join(outDir, 'scratchbird.js');
  const result = await esbuild.build({
    entryPoints: [join(root, 'host/browser.ts')],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    minify,
    metafile: true,
    logLevel: quiet ? 'silent' : 'warning',
    plugins: [noNodeImports],
  });
  const code = readFileSync(outfile, 'utf8');
  const deno = /\bDeno\.[A-Za-z]/.exec(code);
  if (deno) throw new Error(`the browser bundle uses Deno's API ("${code.slice(deno.index, deno.index + 40)}...")`);
  const wasm = [];
  for (const f of readdirSync(wasmDir)) {
    if (!f.endsWith('.wasm')) continue;
    copyFileSync(join(wasmDir, f), join(outDir, 'wasm', f));
    wasm.push(join(outDir, 'wasm', f));
  }
  copyFileSync(join(root, 'tools/playground/index.html'), join(outDir, 'index.html'));
  const bytes = result.metafile.outputs[Object.keys(result.metafile.outputs).find((k) => k.endsWith('scratchbird.js'))]?.bytes ?? code.length;
  if (!quiet) console.log(`built ${outfile.replace(root + '/', '')} (${(bytes / 1024).toFixed(0)} KiB) and ${wasm.length} kernel(s) in ${join(outDir, 'wasm').replace(root + '/', '')}`);
  return { outDir, outfile, wasm };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    await buildBrowser({ minify: process.argv.includes('--minify') });
  } catch (e) {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  }
}
