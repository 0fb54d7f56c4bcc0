// Prints the plain count "N passed, N failed" from vitest's JSON report.
import { readFileSync, existsSync } from 'node:fs';

const file = process.argv[2] ?? 'build/test-results.json';
if (!existsSync(file)) {
  console.log('0 passed, 1 failed');
  process.exit(0);
}
const report = JSON.parse(readFileSync(file, 'utf8'));
const passed = report.numPassedTests ?? 0;
// A test file that failed to load counts as a failure even though no test in it ran.
// (vitest's numFailedTestSuites also counts describe blocks, so files are counted here.)
const failedFiles = (report.testResults ?? []).filter(
  (f) => f.status === 'failed' && !(f.assertionResults ?? []).some((a) => a.status === 'failed'),
).length;
console.log(`${passed} passed, ${(report.numFailedTests ?? 0) + failedFiles} failed`);
