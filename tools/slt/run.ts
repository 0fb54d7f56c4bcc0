// Runs sqllogictest files against a target and prints per-file counts.
//
//   npx tsx tools/slt/run.ts --target pg|sb [--verbose] [--timeout-ms N] [files or folders...]
//
// With no files it runs tests/slt/postgres. Exits 1 when any record fails.

import * as path from 'node:path';
import { formatFailure, runSltFile, type FileResult } from '../../tests/slt/runner.ts';
import { collectSltFiles, postgres_corpus_dir } from './corpus.ts';
import { PgTarget } from './pg_target.ts';
import { SbTarget } from './sb_target.ts';
import type { SltTarget } from './target.ts';

function usage(message?: string): never {
  if (message) console.error(message);
  console.error('usage: npx tsx tools/slt/run.ts --target pg|sb [--verbose] [--timeout-ms N] [files or folders...]');
  process.exit(2);
}

async function main(): Promise<number> {
  const args = process.argv.slice(2);
  let targetName: string | undefined;
  let verbose = false;
  let timeout: number | undefined;
  const inputs: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--target') targetName = args[++i];
    else if (a.startsWith('--target=')) targetName = a.slice('--target='.length);
    else if (a === '--verbose' || a === '-v') verbose = true;
    else if (a === '--timeout-ms') timeout = Number(args[++i]);
    else if (a === '--help' || a === '-h') usage();
    else if (a.startsWith('-')) usage(`unknown option ${a}`);
    else inputs.push(a);
  }
  if (targetName !== 'pg' && targetName !== 'sb') usage('--target must be pg or sb');
  const files = collectSltFiles(inputs.length > 0 ? inputs : [postgres_corpus_dir]);
  if (files.length === 0) usage('no .slt files found');

  const target: SltTarget = targetName === 'pg' ? await PgTarget.start() : new SbTarget();
  console.log(`target: ${target.name}`);
  const results: FileResult[] = [];
  const started = Date.now();
  try {
    for (const file of files) {
      const t0 = Date.now();
      const r = await runSltFile(target, file, timeout !== undefined ? { record_timeout_ms: timeout } : {});
      results.push(r);
      const name = path.relative(process.cwd(), file);
      const status = r.failed === 0 ? 'ok  ' : 'FAIL';
      console.log(`${status} ${name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped (${Date.now() - t0} ms)`);
      const shown = verbose ? r.failures : r.failures.slice(0, 5);
      for (const f of shown) console.log(formatFailure({ ...f, file: name }).replace(/^/gm, '    '));
      if (shown.length < r.failures.length) console.log(`    ... ${r.failures.length - shown.length} more failures (--verbose shows all)`);
    }
  } finally {
    await target.close();
  }
  const sum = (k: 'records' | 'passed' | 'failed' | 'skipped') => results.reduce((n, r) => n + r[k], 0);
  console.log(`\n${files.length} files, ${sum('records')} records: ${sum('passed')} passed, ${sum('failed')} failed, ${sum('skipped')} skipped (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return sum('failed') === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(2);
  },
);
