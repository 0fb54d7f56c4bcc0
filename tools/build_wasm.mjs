// Builds the WebAssembly kernels (wasm/<module>/index.ts -> build/wasm/<module>.wasm)
// with AssemblyScript. Runs as the `prepare` script, so `npm install` / `npm ci`
// leave a working build behind. Modules whose entry file does not exist yet are skipped.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const modules = ['storage', 'mvcc', 'exec'];
mkdirSync(join(root, 'build/wasm'), { recursive: true });
let failed = false;
for (const name of modules) {
  const entry = `wasm/${name}/index.ts`;
  if (!existsSync(join(root, entry))) continue;
  const { error, stderr } = await asc.main(
    [entry, '--config', 'asconfig.json', '--target', name, '--baseDir', root],
    { stdout: process.stdout, stderr: process.stderr },
  );
  if (error) {
    failed = true;
    console.error(`asc failed for ${entry}: ${error.message}`);

  } else {
    console.log(`built build/wasm/${name}.wasm`);
  }
}
if (failed) process.exit(1);
