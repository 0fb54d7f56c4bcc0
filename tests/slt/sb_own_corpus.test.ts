// ScratchBird's own sqllogictest records (tests/slt/sb/*.slt) against the
// embedded engine, a fresh ':memory:' database per file. Unlike the
// PostgreSQL corpus there is no expected-failures list: every record passes.
// Most records follow PostgreSQL 15 and can be checked against it by hand
// (npx tsx tools/slt/run.ts --target pg tests/slt/sb); a file may also hold
// ScratchBird-only behaviour (say so in a comment above the record).

import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectSltFiles, sb_corpus_dir } from '../../tools/slt/corpus.ts';
import { SbTarget } from '../../tools/slt/sb_target.ts';
import { formatFailure, runSltFile } from './runner.ts';

const files = fs.existsSync(sb_corpus_dir) ? collectSltFiles([sb_corpus_dir]) : [];

describe("ScratchBird's own corpus (tests/slt/sb)", () => {
  const target = new SbTarget();

  afterAll(async () => {
    await target.close();
  });

  it('has files', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  for (const file of files) {
    it(path.relative(sb_corpus_dir, file), async () => {
      const result = await runSltFile(target, file, { record_timeout_ms: 10_000 });
      expect(result.failures.map((f) => formatFailure({ ...f, file: path.relative(process.cwd(), f.file) }))).toEqual([]);
      expect(result.skipped).toBe(0);
      expect(result.passed).toBe(result.records);
    });
  }
});
