// Regenerates tests/slt/expected_failures.txt from a run of the corpus
// against the embedded engine (see tools/slt/expected.ts).
//
//   npx tsx tools/slt/update_expected.ts

import * as fs from 'node:fs';
import { expected_failures_file, formatExpected, readExpected, runCorpusOnSb } from './expected.ts';

async function main(): Promise<void> {
  const before = readExpected();
  const run = await runCorpusOnSb();
  fs.writeFileSync(expected_failures_file, formatExpected(run.failures));
  const fixed = [...before.keys()].filter((k) => !run.failures.has(k)).length;
  const broken = [...run.failures.keys()].filter((k) => !before.has(k)).length;
  const records = run.results.reduce((n, r) => n + r.records, 0);
  console.log(`${records} records: ${records - run.failures.size} pass, ${run.failures.size} expected to fail (was ${before.size}: ${fixed} now pass, ${broken} newly failing)`);
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? e.stack ?? e.message : e);
    process.exit(1);
  },
);
