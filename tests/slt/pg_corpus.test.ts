// Proof of the PostgreSQL sqllogictest corpus: every record of
// tests/slt/postgres/*.slt must pass against a real PostgreSQL 15, which
// shows that the expected results and error codes are PostgreSQL's own.
//
// Without PostgreSQL server binaries the suite is skipped locally (set
// SLT_PG_BIN to point at them); in CI (CI=true) their absence is a failure.

import * as path from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectSltFiles, postgres_corpus_dir, sb_corpus_dir } from '../../tools/slt/corpus.ts';
import { findPostgres } from '../../tools/slt/pg_cluster.ts';
import { PgTarget } from '../../tools/slt/pg_target.ts';
import { countSqlRecords, formatFailure, parseSlt, runSltFile } from './runner.ts';

const corpus_records_min = 2000;
const install = findPostgres();
const inCI = process.env.CI === 'true';
const files = collectSltFiles([postgres_corpus_dir]);
/** ScratchBird's own records hold on PostgreSQL 15 too, except files marked `# ScratchBird only` (e.g. server_version.slt). */
const sb_only_marker = /^# ScratchBird only\b/m;
const ownFiles = collectSltFiles([sb_corpus_dir]).filter((f) => !sb_only_marker.test(readFileSync(f, 'utf8')));

if (!install && !inCI) {
  console.warn('tests/slt/pg_corpus.test.ts: PostgreSQL server binaries (initdb, postgres) not found; the corpus proof is skipped. Set SLT_PG_BIN to their folder to run it.');
}

describe('PostgreSQL corpus files', () => {
  it(`parse, and hold at least ${corpus_records_min} records`, () => {
    let total = 0;
    for (const file of files) total += countSqlRecords(parseSlt(readFileSync(file, 'utf8'), file));
    expect(files.length).toBeGreaterThanOrEqual(30);
    expect(total).toBeGreaterThanOrEqual(corpus_records_min);
  });
});

describe.skipIf(!install && !inCI)('PostgreSQL corpus against a real PostgreSQL', () => {
  let target: PgTarget | undefined;

  beforeAll(async () => {
    if (!install) throw new Error('CI=true but PostgreSQL server binaries (initdb, postgres) were not found; install PostgreSQL 15 or set SLT_PG_BIN');
    if (install.major !== 15) console.warn(`the corpus is written for PostgreSQL 15; found ${install.version}`);
    target = await PgTarget.start(install);
  });

  afterAll(async () => {
    await target?.close();
  });

  for (const file of [...files, ...ownFiles]) {
    it(path.relative(path.dirname(postgres_corpus_dir), file), async () => {
      const result = await runSltFile(target!, file);
      const report = result.failures.map((f) => formatFailure({ ...f, file: path.relative(process.cwd(), f.file) }));
      expect(report).toEqual([]);
      expect(result.skipped).toBe(0);
      expect(result.passed).toBe(result.records);
    });
  }
});
