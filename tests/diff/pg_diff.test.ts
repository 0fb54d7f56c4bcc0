// Random-query differential test against PostgreSQL 15.
//
// Seeded random tables (int, bigint, numeric, text, bool, date, timestamp,
// float8 columns; random NULLs and data) and random queries (WHERE with
// comparisons, AND/OR/NOT, IS NULL, BETWEEN, IN, LIKE; arithmetic and string
// expressions, CASE, COALESCE; ORDER BY every output column; LIMIT/OFFSET;
// DISTINCT; and, once a capability probe shows the engine has them, joins,
// GROUP BY and aggregates, subqueries, set operations) run on the embedded
// engine and on a throwaway PostgreSQL 15 cluster; results are compared as
// text (floats within a relative 1e-12), errors by SQLSTATE.
//
// Intended differences are rules in tests/diff/diff.ts (known_differences),
// documented in docs/compat/postgresql.md, section "Queries". Any other
// difference fails the test and prints the seed that replays it:
//   DIFF_SEED=<seed> DIFF_ROUNDS=1 npx vitest run tests/diff
//   npx tsx tests/diff/cli.ts --seed <seed> --rounds 1
//
// Sizes: DIFF_ROUNDS rounds of DIFF_QUERIES queries (CI: 20 x 500 = 10,000;
// locally 8 x 500). Without PostgreSQL server binaries the test is skipped
// locally (set SLT_PG_BIN); with CI=true their absence is a failure.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPostgres } from '../../tools/slt/pg_cluster.ts';
import { describeDifference, known_differences, probeFeatures, runRound, type Difference } from './diff.ts';
import type { Features } from './gen.ts';
import { parseRecord, PgSide, SbSide } from './targets.ts';

const inCI = process.env.CI === 'true';
const install = findPostgres();
const rounds = Number(process.env.DIFF_ROUNDS ?? (inCI ? 20 : 8));
const perRound = Number(process.env.DIFF_QUERIES ?? 500);
const seed0 = Number(process.env.DIFF_SEED ?? 20260101);
const queries_min_ci = 10_000;

if (!install && !inCI) {
  console.warn('tests/diff/pg_diff.test.ts: PostgreSQL server binaries (initdb, postgres) not found; the differential test is skipped. Set SLT_PG_BIN to their folder to run it.');
}

describe('record text parsing (PostgreSQL side)', () => {
  it('splits record_out text into column texts', () => {
    expect(parseRecord('(1,abc,)')).toEqual(['1', 'abc', null]);
    expect(parseRecord('()')).toEqual([null]);
    expect(parseRecord('("")')).toEqual(['']);
    expect(parseRecord('("a ""b"" \\\\c",,"x,y")')).toEqual(['a "b" \\c', null, 'x,y']);
    expect(parseRecord('(,)')).toEqual([null, null]);
    expect(parseRecord('("2020-01-01 10:00:00",t)')).toEqual(['2020-01-01 10:00:00', 't']);
  });
});

describe.skipIf(!install && !inCI)('random queries: ScratchBird against PostgreSQL 15', () => {
  let pgSide: PgSide | undefined;
  let sb: SbSide | undefined;
  let features: Features | undefined;

  beforeAll(async () => {
    if (!install) throw new Error('CI=true but PostgreSQL server binaries (initdb, postgres) were not found; install PostgreSQL 15 or set SLT_PG_BIN');
    pgSide = await PgSide.start(install);
    sb = await SbSide.open();
    features = await probeFeatures(sb);
  });

  afterAll(async () => {
    await sb?.close();
    await pgSide?.close();
  });

  it(`${rounds} rounds of ${perRound} queries agree (seed ${seed0})`, async () => {
    const started = Date.now();
    const differences: Difference[] = [];
    const known = new Map<string, number>();
    let total = 0;
    let bothErrors = 0;
    for (let r = 0; r < rounds; r++) {
      const res = await runRound(pgSide!, sb!, seed0 + r, perRound, features!);
      total += res.queries;
      bothErrors += res.bothErrors;
      differences.push(...res.differences);
      for (const [k, n] of res.known) known.set(k, (known.get(k) ?? 0) + n);
    }
    const on = Object.entries(features!).filter(([, v]) => v).map(([k]) => k);
    const lines = [
      `differential test: ${total} queries in ${((Date.now() - started) / 1000).toFixed(1)} s, ${differences.length} unexplained differences, ${bothErrors} failed alike on both sides`,
      `  features probed on: ${on.length ? on.join(', ') : '(none)'}`,
      ...known_differences.map((k) => `  ${k.kind === "bug" ? "OPEN BUG" : "intended"} ${k.name}: ${known.get(k.name) ?? 0} (${k.reason})`),
    ];
    console.log(lines.join('\n'));
    if (inCI) expect(total).toBeGreaterThanOrEqual(queries_min_ci);
    expect(differences.slice(0, 20).map(describeDifference), `${differences.length} unexplained differences`).toEqual([]);
  });
});
