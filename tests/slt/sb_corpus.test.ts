// The PostgreSQL sqllogictest corpus (tests/slt/postgres) against ScratchBird's
// embedded engine, a fresh ':memory:' database per file.
//
// Features are still landing, so tests/slt/expected_failures.txt lists the
// records the engine fails today (file:line and why). Each file's test fails
// when a record not in the list fails, and when a listed record passes: the
// list only shrinks, and it always tells the truth. After a change that fixes
// or breaks records, regenerate it: `npx tsx tools/slt/update_expected.ts`.

import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectSltFiles, postgres_corpus_dir } from '../../tools/slt/corpus.ts';
import { failureReason, readExpected, recordKey } from '../../tools/slt/expected.ts';
import { SbTarget } from '../../tools/slt/sb_target.ts';
import { formatFailure, runSltFile, type FileResult } from './runner.ts';

const files = collectSltFiles([postgres_corpus_dir]);
const expected = readExpected();
const summary: { file: string; result: FileResult; expectedFailing: number }[] = [];
const hint = 'if this is intended, regenerate the list: npx tsx tools/slt/update_expected.ts';

describe('PostgreSQL corpus against ScratchBird (embedded)', () => {
  const target = new SbTarget();

  afterAll(async () => {
    await target.close();
    const pad = Math.max(...summary.map((s) => s.file.length));
    const lines = summary.map((s) => `  ${s.file.padEnd(pad)}  ${String(s.result.passed).padStart(4)} passed  ${String(s.expectedFailing).padStart(4)} expected-failing`);
    const passed = summary.reduce((n, s) => n + s.result.passed, 0);
    const failing = summary.reduce((n, s) => n + s.expectedFailing, 0);
    console.log(`sqllogictest corpus on ScratchBird:\n${lines.join('\n')}\n  total: ${passed} passed, ${failing} expected-failing of ${passed + failing} records`);
  });

  it('lists only records of existing files', () => {
    const known = new Set(files.map((f) => path.relative(postgres_corpus_dir, f).split(path.sep).join('/')));
    const stale = [...expected.keys()].filter((k) => !known.has(k.slice(0, k.lastIndexOf(':'))));
    expect(stale).toEqual([]);
  });

  for (const file of files) {
    const name = path.relative(postgres_corpus_dir, file);
    it(name, async () => {
      const result = await runSltFile(target, file, { record_timeout_ms: 10_000 });
      const failing = new Set(result.failures.map((f) => recordKey(file, f.line)));
      const listed = [...expected.keys()].filter((k) => k.startsWith(`${name}:`));
      summary.push({ file: name, result, expectedFailing: result.failures.length });
      const unexpected = result.failures
        .filter((f) => !expected.has(recordKey(file, f.line)))
        .map((f) => `${formatFailure({ ...f, file: path.relative(process.cwd(), f.file) })}\n  (${failureReason(f)})`);
      const nowPassing = listed.filter((k) => !failing.has(k)).map((k) => `${k} passes now but is listed in tests/slt/expected_failures.txt (${expected.get(k)})`);
      expect(unexpected, `records that fail but are not in tests/slt/expected_failures.txt; ${hint}`).toEqual([]);
      expect(nowPassing, `listed records that pass now; ${hint}`).toEqual([]);
      expect(result.skipped).toBe(0);
    });
  }
});
