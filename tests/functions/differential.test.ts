// Differential test against PostgreSQL 15: random calls of the registered
// operators and functions (fast-check arguments of the declared types, edge
// values included) are evaluated by a throwaway local PostgreSQL and by our
// implementations; text outputs (or SQLSTATEs) must agree. Skipped with a
// message when PostgreSQL is not installed, unless CI=true.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registry, type FuncImpl, type OperatorImpl, type SetFunctionImpl } from '../../host/engine/functions/index.ts';
import { resolveFunction, resolveOperator } from '../../host/engine/functions/resolve.ts';
import { formatText } from '../../host/engine/types/text_io.ts';
import { md5 } from '../../host/engine/functions/digest.ts';
import { isPolymorphic, type SqlType } from '../../host/engine/types/types.ts';
import { DIFF_CONFIG, instantiate, type CaseArgs } from './diff_config.ts';
import { valueArb, withNull, type Val } from './diff_values.ts';
import { newCtx } from './helpers.ts';
import { startPg, type PgServer } from './pg_server.ts';

const SEED = Number(process.env.DIFF_SEED ?? 20240506);
const SAMPLES = Number(process.env.DIFF_SAMPLES ?? 6);
const ctx = newCtx();
/** Our side cannot be interrupted: cases slower than this are listed (our code must be bounded too). */
const SLOW_CASE_MS = 200;
/** Rows of a set-returning function compared (both sides stop there). */
const SRF_ROWS_MAX = 1000;
/** Differences printed per function or operator. */
const DIFF_EXAMPLES = Number(process.env.DIFF_EXAMPLES ?? 3);

interface Case {
  label: string;
  sql: string;
  mine: () => string;
  approx: boolean;
}

/** Long results are compared by length and MD5 (as the PostgreSQL side reports them). */
function value(text: string): string {
  return text.length > 20000 ? `H:${[...text].length}:${md5(text)}` : 'V:' + text;
}

function outcome(f: () => unknown, retType: () => SqlType, retSet: boolean): string {
  try {
    const v = f();
    if (v === null) return 'N';
    if (retSet) {
      const rows: unknown[] = [];
      for (const r of v as Iterable<unknown>) {
        if (rows.length >= SRF_ROWS_MAX) break;
        rows.push(r);
      }
      if (rows.length === 0) return 'N';
      return value(rows.map((r) => (r === null ? 'NULL' : formatText(retType(), r, ctx))).join('\n'));
    }
    return value(formatText(retType(), v, ctx));
  } catch (e) {
    const code = (e as { code?: string }).code;
    return code === undefined ? `JS:${String(e)}` : 'E:' + code;
  }
}

function functionCase(impl: FuncImpl | SetFunctionImpl, types: SqlType[], args: Val[]): Case {
  const srf = (impl as SetFunctionImpl).retSet === true;
  const call = `pg_catalog."${impl.name}"(${args.map((a) => a.lit).join(', ')})`;
  const ncols = (impl as SetFunctionImpl).columns?.length ?? 1;
  const cols = Array.from({ length: ncols }, (_, i) => `c${i}`);
  const item = ncols === 1 ? 'c0' : `row(${cols.join(', ')})`;
  const sql = srf
    ? `(select string_agg(case when ${item} is null then 'NULL' else pg_catalog.format('%s', ${item}) end, E'\\n' order by o) ` +
      `from (select * from ${call} with ordinality t(${cols.join(', ')}, o) limit ${SRF_ROWS_MAX}) t)`
    : call;
  const mine = (): string => {
    const res = resolveFunction(impl.name, types);
    const vals = args.map((a) => a.v);
    return outcome(
      () => (res.impl.strict && vals.some((v) => v === null) ? null : res.impl.fn(vals, ctx, res.call)),
      () => res.retType,
      srf,
    );
  };
  return { label: sql, sql, mine, approx: DIFF_CONFIG.approx.has(impl.name) };
}

function operatorCase(impl: OperatorImpl, types: SqlType[], args: Val[]): Case {
  const sql = args.length === 1 ? `(${impl.name} ${args[0]!.lit})` : `(${args[0]!.lit} ${impl.name} ${args[1]!.lit})`;
  const mine = (): string => {
    const res = resolveOperator(impl.name, types.length === 1 ? null : types[0]!, types[types.length - 1]!);
    const vals = args.map((a) => a.v);
    return outcome(
      () => {
        if (res.impl.strict && vals.some((v) => v === null)) return null;
        return vals.length === 1 ? res.impl.fn(null, vals[0], ctx, res.call) : res.impl.fn(vals[0], vals[1], ctx, res.call);
      },
      () => res.retType,
      false,
    );
  };
  return { label: sql, sql, mine, approx: DIFF_CONFIG.approx.has(impl.name) };
}

function argArbs(name: string, types: SqlType[]): Array<fc.Arbitrary<Val>> | undefined {
  const custom: CaseArgs | undefined = DIFF_CONFIG.args[name];
  const out: Array<fc.Arbitrary<Val>> = [];
  for (let i = 0; i < types.length; i++) {
    let c = custom?.(i, types);
    // A custom domain applies only where its type is the declared one (overloads differ in types).
    if (c !== undefined && (c as { sqlType?: string }).sqlType !== types[i]!.id) c = undefined;
    const a = c ?? valueArb(types[i]!);
    if (a === undefined) return undefined;
    out.push(withNull(a, types[i]!));
  }
  return out;
}

function buildCases(): Case[] {
  const cases: Case[] = [];
  let seed = SEED;
  const sample = (arbs: Array<fc.Arbitrary<Val>>): Val[][] => fc.sample(fc.tuple(...arbs), { numRuns: SAMPLES, seed: seed++ });
  const only = process.env.DIFF_ONLY?.split(',');
  for (const [name, impls] of registry.functions) {
    if (DIFF_CONFIG.skipFunctions.has(name) || (only !== undefined && !only.includes(name))) continue;
    for (const impl of impls) {
      if (impl.volatility === 'v') continue;
      for (const types of instantiate(impl.args, impl.variadic)) {
        if (types.some(isPolymorphic) || DIFF_CONFIG.skipSignature(name, types)) continue;
        const arbs = argArbs(name, types);
        if (arbs === undefined) continue;
        for (const args of sample(arbs)) cases.push(functionCase(impl, types, args));
      }
    }
  }
  for (const [name, impls] of registry.operators) {
    if (DIFF_CONFIG.skipOperators.has(name) || (only !== undefined && !only.includes(name))) continue;
    for (const impl of impls) {
      const declared = impl.left === null ? [impl.right] : [impl.left, impl.right];
      for (const types of instantiate(declared)) {
        if (types.some(isPolymorphic)) continue;
        const arbs = argArbs(name, types);
        if (arbs === undefined) continue;
        for (const args of sample(arbs)) cases.push(operatorCase(impl, types, args));
      }
    }
  }
  return cases;
}

const TRY_FN = `
create or replace function pg_temp.sb_try(q text) returns text language plpgsql as $f$
declare r text; n boolean;
begin
  execute 'select x is null, pg_catalog.format(''%s'', x) from (select (' || q || ') as x) s' into n, r;
  if n then return 'N'; end if;
  if length(r) > 20000 then return 'H:' || length(r) || ':' || md5(r); end if;
  return 'V:' || r;
exception when others then
  return 'E:' || sqlstate;
end $f$;`;

/** Per-case bound in PostgreSQL: a case still running then is reported as a timeout ('T'). */
const CASE_TIMEOUT_MS = 3000;
/** Bound of the whole PostgreSQL run (the test must finish well under a minute). */
const RUN_TIMEOUT_MS = 45_000;

/**
 * Each case is its own top-level statement, so statement_timeout bounds it (a
 * plpgsql EXCEPTION block does not catch the cancel: the statement fails and
 * prints nothing, and the missing row reads as 'T').
 */
function evalInPg(pg: PgServer, sqls: string[]): string[] {
  const lines = sqls.map((s, i) => `select ${i}, to_json(pg_temp.sb_try($sbq$${s}$sbq$));`);
  const script = `set timezone = 'UTC'; set extra_float_digits = 1; ${TRY_FN}
set statement_timeout = ${CASE_TIMEOUT_MS};
${lines.join('\n')}`;
  const out = sqls.map(() => 'T');
  for (const line of pg.queryLoose(script, RUN_TIMEOUT_MS).split('\n')) {
    const bar = line.indexOf('|');
    if (bar <= 0) continue;
    out[Number(line.slice(0, bar))] = JSON.parse(line.slice(bar + 1)) as string;
  }
  return out;
}

function approxEqual(a: string, b: string): boolean {
  if (!a.startsWith('V:') || !b.startsWith('V:')) return false;
  const x = Number(a.slice(2));
  const y = Number(b.slice(2));
  if (Number.isNaN(x) || Number.isNaN(y)) return false;
  return x === y || Math.abs(x - y) <= 1e-13 * Math.max(Math.abs(x), Math.abs(y));
}

const mustRun = process.env.CI === 'true';
let pg: PgServer | undefined;

describe('differential: functions and operators against PostgreSQL 15', () => {
  beforeAll(async () => {
    pg = await startPg();
    if (pg === undefined) {
      if (mustRun) throw new Error('PostgreSQL 15 binaries are required when CI=true');
      console.warn('differential test skipped: PostgreSQL binaries (initdb, pg_ctl, psql) not found');
    }
  });
  afterAll(() => pg?.stop());

  it('agrees on random calls', () => {
    if (pg === undefined) return;
    const t0 = performance.now();
    const cases = buildCases();
    const t1 = performance.now();
    const expected = evalInPg(pg, cases.map((c) => c.sql));
    const t2 = performance.now();
    if (process.env.DIFF_DEBUG) {
      const big = expected.map((e, i) => [e.length, i] as const).sort((a, b) => b[0] - a[0]).slice(0, 3);
      for (const [len, i] of big) console.log(len, cases[i]!.sql.slice(0, 200));
    }
    const failures: string[] = [];
    const slow: string[] = [];
    cases.forEach((c, i) => {
      const t0 = performance.now();
      const got = c.mine();
      const ms = performance.now() - t0;
      if (ms > SLOW_CASE_MS) slow.push(`${ms.toFixed(0)} ms: ${c.label.slice(0, 200)}`);
      const want = expected[i]!;
      if (want === 'T') {
        failures.push(`${c.label.slice(0, 300)}\n    pg:   timed out after ${CASE_TIMEOUT_MS} ms (bound its arguments in diff_config.ts)`);
        return;
      }
      if (got === want || (c.approx && approxEqual(got, want))) return;
      if (DIFF_CONFIG.knownDifference(c.sql, want, got)) return;
      const cut = (x: string): string => (x.length > 300 ? `${x.slice(0, 150)}…(${x.length} chars)…${x.slice(-150)}` : x);
      failures.push(`${cut(c.label)}\n    pg:   ${cut(JSON.stringify(want))}\n    mine: ${cut(JSON.stringify(got))}`);
    });
    if (failures.length > 0) {
      // A few examples per function/operator, so one noisy entry does not hide the others.
      const byName = new Map<string, string[]>();
      for (const f of failures) {
        const name = /pg_catalog\."([^"]+)"|^\(\S+ (\S+) /.exec(f)?.slice(1).find((x) => x !== undefined) ?? '?';
        byName.set(name, [...(byName.get(name) ?? []), f]);
      }
      const summary = [...byName].map(([n, l]) => `${n}: ${l.length}`).join(', ');
      const examples = [...byName.values()].flatMap((l) => l.slice(0, DIFF_EXAMPLES));
      console.log(`${failures.length} of ${cases.length} differ (${summary}):\n` + examples.join('\n'));
    }
    const t3 = performance.now();
    if (process.env.DIFF_DEBUG) console.log(`generate ${(t1 - t0).toFixed(0)} ms, PostgreSQL ${(t2 - t1).toFixed(0)} ms, ours ${(t3 - t2).toFixed(0)} ms`);
    if (slow.length > 0) console.log(`slow in our implementation:\n${slow.join('\n')}`);
    if (process.env.DIFF_ONLY === undefined) expect(cases.length).toBeGreaterThan(1000);
    expect(failures.length, 'differences from PostgreSQL (listed above)').toBe(0);
  });
});
