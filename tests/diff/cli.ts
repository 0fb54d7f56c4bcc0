// Runs the differential test by hand and prints every difference:
//
//   npx tsx tests/diff/cli.ts [--seed N] [--rounds R] [--queries Q] [--features all|probe|none]
//
// DIFF_SEED / DIFF_ROUNDS / DIFF_QUERIES are read as defaults (as the vitest
// test reads them), so a seed printed by the test replays here.

import { findPostgres } from '../../tools/slt/pg_cluster.ts';
import { describeDifference, probeFeatures, runRound } from './diff.ts';
import { no_features, type Features } from './gen.ts';
import { PgSide, SbSide } from './targets.ts';

const args = process.argv.slice(2);
const opt = (name: string, env: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1]! : process.env[env] ?? dflt;
};
const seed0 = Number(opt('seed', 'DIFF_SEED', '1'));
const rounds = Number(opt('rounds', 'DIFF_ROUNDS', '20'));
const perRound = Number(opt('queries', 'DIFF_QUERIES', '500'));
const featureMode = opt('features', 'DIFF_FEATURES', 'probe');

const install = findPostgres();
if (!install) {
  console.error('PostgreSQL server binaries not found (set SLT_PG_BIN)');
  process.exit(2);
}
const pgSide = await PgSide.start(install);
const sb = await SbSide.open();
try {
  let features: Features = featureMode === 'none' ? no_features : await probeFeatures(sb);
  if (featureMode === 'all') features = { joins: true, outerJoins: true, groupBy: true, aggregates: true, subqueries: true, setOps: true };
  console.log('features:', JSON.stringify(features));
  let total = 0;
  let diffs = 0;
  let bothErrors = 0;
  let pgMs = 0;
  let sbMs = 0;
  const t0 = Date.now();
  for (let r = 0; r < rounds; r++) {
    const res = await runRound(pgSide, sb, seed0 + r, perRound, features);
    total += res.queries;
    bothErrors += res.bothErrors;
    pgMs += res.pgMs;
    sbMs += res.sbMs;
    diffs += res.differences.length;
    for (const d of res.differences) console.log(describeDifference(d) + '\n');
    for (const [k, n] of res.known) console.log(`known difference ${k}: ${n}`);
  }
  console.log(`${total} queries, ${diffs} unexplained differences, ${bothErrors} errors on both sides (${((Date.now() - t0) / 1000).toFixed(1)} s: PostgreSQL ${(pgMs / 1000).toFixed(1)} s, ScratchBird ${(sbMs / 1000).toFixed(1)} s)`);
} finally {
  await sb.close();
  await pgSide.close();
}
