// Differential test against a real PostgreSQL 15: thousands of text
// round-trips, casts, comparisons, numeric and date/time computations, each
// run on both and compared (result text, or SQLSTATE of the error). Skipped
// with a message when PostgreSQL is not installed, required when CI=true.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SbError } from '../../host/engine/sb_error.ts';
import { defaultTypeContext, settingsOf, type TypeContext } from '../../host/engine/types/context.ts';
import {
  age, ageTz, dateMinusDate, datePlusDays, timePlusInterval, timestampMinusTimestamp, timestampPlusInterval,
  timestamptzPlusInterval,
} from '../../host/engine/types/datetime.ts';
import { datePart, extractField, truncTimestamp, truncTimestamptz } from '../../host/engine/types/datetime_fields.ts';
import type { Interval } from '../../host/engine/types/interval.ts';
import { Numeric } from '../../host/engine/types/numeric.ts';
import { numericExp, numericLn, numericLog, numericPower, numericSqrt } from '../../host/engine/types/numeric_math.ts';
import { formatText, parseText } from '../../host/engine/types/text_io.ts';
import { encodeBinary } from '../../host/engine/types/binary_io.ts';
import { castValue } from '../../host/engine/types/casts.ts';
import {
  jsonToText, jsonbAsText, jsonbConcat, jsonbContains, jsonbExists, jsonbExistsAll, jsonbExistsAny, jsonbGet, jsonbGetPath,
  type Jsonb, type JsonValue,
} from '../../host/engine/types/jsonb.ts';
import { typeFromName } from '../../host/engine/types/type_names.ts';
import { T } from '../../host/engine/types/types.ts';
import {
  DST_MOMENTS, NUMERIC_EDGES, awkwardText, castCases, compareCases, dateText, floatText, intText, intervalText, jsonText,
  lit, numericText, roundTrip, sample, timeText, timestampText, type DiffCase,
} from './pg_diff_cases.ts';
import { pgUnavailableReason, startPg, type PgInstance } from './pg_server.ts';

const reason = pgUnavailableReason();
const required = process.env.CI === 'true';
if (reason !== undefined && !required) console.warn(`[pg_differential] skipped: ${reason}`);

interface Group {
  name: string;
  setup: string[];
  ctx: TypeContext;
  cases: DiffCase[];
}

const NOW = 789004800000000; // 2025-01-01 00:00:00 UTC, µs since 2000

function ctxWith(over: Partial<TypeContext>): TypeContext {
  return defaultTypeContext({ now: () => NOW, ...over });
}

function n(s: string): Numeric {
  return Numeric.parse(s);
}

function ts(s: string, ctx: TypeContext): number {
  return parseText(T.timestamp, s, ctx) as number;
}

function tstz(s: string, ctx: TypeContext): number {
  return parseText(T.timestamptz, s, ctx) as number;
}

function iv(s: string, ctx: TypeContext): Interval {
  return parseText(T.interval, s, ctx) as Interval;
}

function buildGroups(): Group[] {
  const groups: Group[] = [];
  const base = ctxWith({});

  // ---- text round trips, default settings ----
  const rt: DiffCase[] = [];
  rt.push(...roundTrip('int2', sample(intText(16), 60, 1), base));
  rt.push(...roundTrip('int4', sample(intText(32), 60, 2), base));
  rt.push(...roundTrip('int8', sample(intText(64), 80, 3), base));
  rt.push(...roundTrip('numeric', [...NUMERIC_EDGES, ...sample(numericText, 200, 4)], base));
  rt.push(...roundTrip('numeric(10,3)', sample(numericText, 60, 5), base));
  rt.push(...roundTrip('numeric(4,-2)', sample(numericText, 30, 6), base));
  rt.push(...roundTrip('float8', sample(floatText, 200, 7), base));
  rt.push(...roundTrip('float4', sample(floatText, 150, 8), base));
  // Large integers, where the shortest digits can sit exactly on a rounding boundary (Ryu excludes it).
  rt.push(...roundTrip('float8', sample(fc.bigInt({ min: 2n ** 52n, max: 2n ** 70n }).map(String), 150, 22), base));
  rt.push(...roundTrip('float4', sample(fc.integer({ min: 2 ** 23, max: 2 ** 31 - 1 }).map(String), 150, 23), base));
  rt.push(...roundTrip('float4', sample(fc.float({ noNaN: true, noDefaultInfinity: true }).map((f) => f.toExponential(9)), 100, 24), base));
  rt.push(...roundTrip('bool', ['t', 'TRUE', ' yes ', 'on', 'of', 'o', '1', '0', 'n', 'f', 'tr', 'x', ''], base));
  rt.push(...roundTrip('varchar(3)', ['abc', 'abc   ', 'abcd', 'ab', '日本語x', '日本 '], base));
  rt.push(...roundTrip('char(4)', ['a', 'abcd', 'abcd  ', 'abcde', ''], base));
  rt.push(...roundTrip('bytea', ['\\x', '\\x0aFF', '\\x 01 02', '\\x1', '\\xzz', 'abc', 'a\\\\b', '\\001\\377', '\\8', 'é'], base));
  rt.push(...roundTrip('uuid', ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}', 'A0EEBC999C0B4EF8BB6D6BB9BD380A11', 'a0ee-bc99-9c0b-4ef8-bb6d-6bb9-bd38-0a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1', 'x'], base));
  rt.push(...roundTrip('date', [...sample(dateText, 200, 9), 'epoch', 'infinity', '-infinity', '4714-11-24 BC', '4714-11-23 BC', '5874897-12-31', '5874898-01-01', '0000-01-01', 'J2451545', '2024-02-30', '13/13/2024'], base));
  rt.push(...roundTrip('time', [...sample(timeText, 120, 10), 'allballs', '24:00:00', '24:00:00.000001', '23:59:60.5', '04:05 PM', '12:00 AM', '13:00 PM'], base));
  rt.push(...roundTrip('time(2)', sample(timeText, 30, 11), base));
  rt.push(...roundTrip('timetz', sample(fc.tuple(timeText, fc.constantFrom('+05:30', '-08', ' UTC', ' PST', '+15:59', '+16', '-03:30:15')).map(([t, z]) => t + z), 80, 12), base));
  rt.push(...roundTrip('timestamp', [...sample(timestampText, 250, 13), 'epoch', 'infinity', '294276-12-31 00:00:00', '294277-01-01 00:00:00', 'January 8, 99 BC 10:00'], base));
  rt.push(...roundTrip('timestamptz', sample(timestampText, 250, 14), base));
  rt.push(...roundTrip('timestamp(0)', sample(timestampText, 40, 15), base));
  rt.push(...roundTrip('interval', sample(intervalText, 250, 16), base));
  rt.push(...roundTrip('interval year to month', sample(intervalText, 30, 17), base));
  rt.push(...roundTrip('interval day to second(2)', sample(intervalText, 30, 18), base));
  rt.push(...roundTrip('interval minute to second', ['1:30', '90', '1:02:03', '2.5'], base));
  rt.push(...roundTrip('jsonb', sample(jsonText, 150, 19), base));
  rt.push(...roundTrip('json', sample(jsonText, 60, 20), base));
  const textArray = fc.array(fc.option(awkwardText, { nil: null }), { maxLength: 6 });
  rt.push(...roundTrip('text[]', sample(textArray, 80, 21).map((a) => '{' + a.map((x) => (x === null ? 'NULL' : '"' + x.replace(/["\\]/g, (m) => '\\' + m) + '"')).join(',') + '}'), base));
  rt.push(...roundTrip('int[]', ['{}', '{1,2,3}', '{{1,2},{3,4}}', '[0:1]={1,2}', '[1:2][3:4]={{1,2},{3,4}}', '{1,NULL}', '{{1},{2,3}}', '{1,{2}}', '{{},{}}', '1,2', '{1,2', '{1,2}x', '[1:3]={1,2}', '{ 1 , 2 }', '{1,x}', '{{{{{{{1}}}}}}}', '{1,,2}'], base));
  rt.push(...roundTrip('text[]', ['{a,b}', '{"a b",  c  d  ,e}', '{a"b}', '{1,2,NULL,"NULL"," a b ", a\\ b , "x\\"y", nuLL, \\NULL}', '{"",x}'], base));
  rt.push(...roundTrip('numeric[]', ['{1.50,NaN,-0,1e3}', '{{1},{NULL}}'], base));
  rt.push(...roundTrip('oid', ['0', '4294967295', '4294967296', '-1', '-2147483648', '-2147483649', ' 12 ', '', 'x'], base));
  rt.push(...roundTrip('tid', ['(1,2)', '(1, 2)', '( 1,2)', '(-1,2)', '(1,65536)', '(4294967296,2)'], base));
  rt.push(...roundTrip('"char"', ['a', 'ab', '', 'é', '\\101'], base));
  rt.push(...roundTrip('name', ['x'.repeat(70), 'é'.repeat(40)], base));
  groups.push({ name: 'round trips', setup: [], ctx: base, cases: rt });

  // ---- other DateStyles / IntervalStyles / float digits / bytea output ----
  const styles: [string, Partial<TypeContext>][] = [
    ['SQL, MDY', { dateStyle: 'SQL, MDY' }],
    ['SQL, DMY', { dateStyle: 'SQL, DMY' }],
    ['Postgres, MDY', { dateStyle: 'Postgres, MDY' }],
    ['Postgres, DMY', { dateStyle: 'Postgres, DMY' }],
    ['German', { dateStyle: 'German' }],
    ['ISO, YMD', { dateStyle: 'ISO, YMD' }],
  ];
  styles.forEach(([ds, over], i) => {
    const ctx = ctxWith({ ...over, timeZone: 'America/New_York' });
    groups.push({
      name: `DateStyle ${ds}`,
      setup: [`SET DateStyle = ${lit(ds)}`, "SET TimeZone = 'America/New_York'"],
      ctx,
      cases: [
        ...roundTrip('date', sample(dateText, 40, 100 + i), ctx),
        ...roundTrip('timestamp', sample(timestampText, 40, 110 + i), ctx),
        ...roundTrip('timestamptz', sample(timestampText, 40, 120 + i), ctx),
        ...roundTrip('date', ['1/2/2024', '13/1/2024', '01/02/03', '2024-01-02', '99-01-08', '1.2.2024'], ctx),
      ],
    });
  });
  for (const is of ['sql_standard', 'iso_8601', 'postgres_verbose']) {
    const ctx = ctxWith({ intervalStyle: is });
    groups.push({
      name: `IntervalStyle ${is}`,
      setup: [`SET IntervalStyle = ${is}`],
      ctx,
      cases: roundTrip('interval', [...sample(intervalText, 80, 130), '-1 2:03:04', '-1 -2:03:04', '1-2 3 4:05:06', '-1-2'], ctx),
    });
  }
  for (const efd of [0, 3, -5]) {
    const ctx = ctxWith({ extraFloatDigits: efd });
    groups.push({
      name: `extra_float_digits ${efd}`,
      setup: [`SET extra_float_digits = ${efd}`],
      ctx,
      cases: [...roundTrip('float8', sample(floatText, 60, 140), ctx), ...roundTrip('float4', sample(floatText, 40, 141), ctx)],
    });
  }
  {
    const ctx = ctxWith({ byteaOutput: 'escape' });
    groups.push({ name: 'bytea escape', setup: ['SET bytea_output = escape'], ctx, cases: roundTrip('bytea', ['\\x00015c7f80ff41', 'abc', '\\x'], ctx) });
  }

  // ---- time zones and DST ----
  for (const zone of ['America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'Asia/Kolkata', 'UTC+3', 'America/Sao_Paulo']) {
    const ctx = ctxWith({ timeZone: zone });
    const cases: DiffCase[] = [...roundTrip('timestamptz', DST_MOMENTS, ctx), ...roundTrip('timetz', ['12:00', '2024-07-01 12:00 America/New_York', '12:00 Europe/Berlin'], ctx)];
    for (const m of DST_MOMENTS) {
      for (const span of ['1 day', '24 hours', '1 mon -1 day', '-1 year 2 days 3 hours']) {
        cases.push({
          sql: `SELECT ${lit(m)}::timestamptz + ${lit(span)}::interval`,
          sb: () => formatText(T.timestamptz, timestamptzPlusInterval(tstz(m, ctx), iv(span, ctx), settingsOf(ctx).zone), ctx),
        });
      }
      cases.push({ sql: `SELECT ${lit(m)}::timestamp::timestamptz`, sb: () => formatText(T.timestamptz, tstz(m, ctx), ctx) });
      cases.push({ sql: `SELECT ${lit(m + '+00')}::timestamptz::timestamp`, sb: () => castText('timestamptz', 'timestamp', m + '+00', ctx) });
      cases.push({ sql: `SELECT ${lit(m + '+00')}::timestamptz::date`, sb: () => castText('timestamptz', 'date', m + '+00', ctx) });
      cases.push({ sql: `SELECT date_trunc('day', ${lit(m)}::timestamptz)`, sb: () => formatText(T.timestamptz, truncTimestamptz('day', tstz(m, ctx), settingsOf(ctx).zone), ctx) });
      cases.push({ sql: `SELECT date_trunc('hour', ${lit(m)}::timestamptz)`, sb: () => formatText(T.timestamptz, truncTimestamptz('hour', tstz(m, ctx), settingsOf(ctx).zone), ctx) });
      for (const f of ['hour', 'timezone', 'timezone_minute', 'epoch', 'dow', 'week', 'julian']) {
        cases.push({ sql: `SELECT extract(${f} from ${lit(m)}::timestamptz)`, sb: () => extractText(f, 'timestamptz', tstz(m, ctx), ctx) });
      }
      cases.push({ sql: `SELECT age(${lit(m)}::timestamptz, '2020-02-29 12:00'::timestamptz)`, sb: () => formatText(T.interval, ageTz(tstz(m, ctx), tstz('2020-02-29 12:00', ctx), settingsOf(ctx).zone), ctx) });
    }
    groups.push({ name: `zone ${zone}`, setup: [`SET TimeZone = ${lit(zone)}`], ctx, cases });
  }

  // ---- casts ----
  {
    const ctx = ctxWith({ timeZone: 'Europe/Berlin' });
    const c: DiffCase[] = [];
    const nums = [...sample(numericText, 60, 200), '2.5', '-2.5', '0.5', '32767.5', '-32768.5', '2147483647.49', '9223372036854775807.5', 'NaN', 'Infinity'];
    for (const to of ['int2', 'int4', 'int8', 'float4', 'float8', 'numeric(6,2)', 'text', 'varchar(4)', 'bool']) c.push(...castCases('numeric', to, nums, ctx));
    const floats = [...sample(floatText, 60, 201), '2.5', '3.5', '-2.5', '0.5', '1e10', '9.2233720368547758e18', '-9.2233720368547758e18', 'NaN', '1e40', '1e-50', '123456789.123', '1e20', '0.1'];
    for (const to of ['int2', 'int4', 'int8', 'float4', 'numeric', 'text']) c.push(...castCases('float8', to, floats, ctx));
    for (const to of ['int2', 'int4', 'numeric', 'float8', 'text']) c.push(...castCases('float4', to, floats, ctx));
    const ints = [...sample(intText(64), 60, 202).filter((s) => /^\s*[+-]?\d+\s*$/.test(s)), '-1', '0', '127', '128', '-129', '4294967295'];
    for (const to of ['int2', 'int4', 'float4', 'float8', 'numeric', 'oid', 'bool', '"char"', 'text', 'varchar(2)', 'char(3)']) {
      c.push(...castCases('int8', to, ints, ctx));
    }
    c.push(...castCases('int4', 'bool', ['0', '1', '-5'], ctx), ...castCases('bool', 'int4', ['t', 'f'], ctx), ...castCases('bool', 'text', ['t', 'f'], ctx));
    c.push(...castCases('int4', 'oid', ['-1', '5'], ctx), ...castCases('oid', 'int4', ['4294967295', '7'], ctx), ...castCases('oid', 'int8', ['4294967295'], ctx));
    const strs = ['abc', 'abc   ', 'abcdef', '  x', 'é日本語', '', 'true', '12', ' 1.5 ', '2024-01-01'];
    for (const [from, to] of [['text', 'varchar(3)'], ['text', 'char(3)'], ['char(6)', 'text'], ['char(6)', 'varchar'], ['varchar', 'char(5)'], ['text', '"char"'], ['text', 'name'], ['text', 'int4'], ['text', 'bool'], ['text', 'numeric'], ['text', 'date'], ['char(6)', 'varchar(2)'], ['"char"', 'text'], ['"char"', 'int4']] as const) {
      c.push(...castCases(from, to, strs, ctx));
    }
    const stamps = [...sample(timestampText, 40, 203), ...DST_MOMENTS, 'infinity', '-infinity'];
    for (const [from, to] of [['timestamp', 'timestamptz'], ['timestamptz', 'timestamp'], ['timestamp', 'date'], ['timestamptz', 'date'], ['timestamp', 'time'], ['timestamptz', 'time'], ['timestamptz', 'timetz'], ['timestamp', 'timestamp(1)'], ['timestamptz', 'timestamptz(0)'], ['date', 'timestamp'], ['date', 'timestamptz']] as const) {
      c.push(...castCases(from, to, stamps, ctx));
    }
    const spans = sample(intervalText, 40, 204);
    for (const to of ['time', 'interval hour to minute', 'interval(0)', 'interval year', 'text']) c.push(...castCases('interval', to, spans, ctx));
    c.push(...castCases('time', 'interval', ['12:34:56.789', '24:00'], ctx), ...castCases('time', 'time(1)', ['12:34:56.55', '23:59:59.99'], ctx));
    const jsons = ['1', '1.5', '2.5', '-0.5', 'true', '"a"', 'null', '{"a":1}', '[1]', '1e2', '123456789012'];
    for (const to of ['int2', 'int4', 'int8', 'numeric', 'float8', 'float4', 'bool', 'json', 'text']) c.push(...castCases('jsonb', to, jsons, ctx));
    c.push(...castCases('json', 'jsonb', sample(jsonText, 30, 205).filter((j) => !j.includes('\\u0000')), ctx));
    for (const [from, to] of [['int4[]', 'text[]'], ['numeric[]', 'int4[]'], ['text[]', 'int4[]'], ['int4[]', 'text'], ['float8[]', 'numeric(4,1)[]'], ['text[]', 'varchar(2)[]']] as const) {
      c.push(...castCases(from, to, ['{1,2}', '{1.5,2.5,NULL}', '{}', '[0:1]={7,8}', '{{1,2},{3,4}}', '{abc,2}'], ctx));
    }
    groups.push({ name: 'casts', setup: ["SET TimeZone = 'Europe/Berlin'"], ctx, cases: c });
  }

  // ---- comparisons ----
  {
    const ctx = base;
    const c: DiffCase[] = [];
    const pairs = <T>(arb: fc.Arbitrary<T>, k: number, seed: number, f: (x: T) => string): [string, string][] =>
      sample(fc.tuple(arb, arb), k, seed).map(([a, b]) => [f(a), f(b)]);
    const validNum = numericText.filter((s) => /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) && Math.abs(Number(s.split(/e/i)[1] ?? 0)) < 30);
    c.push(...compareCases('numeric', [...pairs(validNum, 80, 300, (x) => x), ['NaN', 'Infinity'], ['NaN', 'NaN'], ['1', '1.000'], ['-Infinity', '-1e30']], ctx));
    c.push(...compareCases('float8', [['NaN', 'Infinity'], ['NaN', 'NaN'], ['-0', '0'], ['1', '2'], ['-Infinity', '-1e308']], ctx));
    c.push(...compareCases('text', pairs(awkwardText, 60, 301, (x) => x), ctx));
    c.push(...compareCases('char(5)', [['a', 'a  '], ['a', 'b'], ['ab', 'a']], ctx));
    c.push(...compareCases('interval', pairs(intervalText.filter((s) => !/x|fortnight|2147483648|178000000/.test(s)), 60, 302, (x) => x), ctx));
    c.push(...compareCases('interval', [['1 mon', '30 days'], ['1 day', '24 hours'], ['1 year', '360 days'], ['-1 mon', '-29 days']], ctx));
    const validJson = jsonText.filter((j) => { try { parseText(T.jsonb, j, ctx); return true; } catch { return false; } });
    c.push(...compareCases('jsonb', [...pairs(validJson, 80, 303, (x) => x), ['1', '[]'], ['1', '[1]'], ['1', '[1,2]'], ['[1]', '1'], ['{}', '[1,2,3]'], ['"a"', '1'], ['null', 'false'], ['{"a":1,"b":2}', '{"a":1,"c":0}'], ['{"aa":1}', '{"b":2}']], ctx));
    c.push(...compareCases('timetz', [['12:00+01', '11:00+00'], ['12:00+01', '12:00+00'], ['12:00-05', '12:00+05']], ctx));
    c.push(...compareCases('int[]', [['{1,2}', '{1,2,3}'], ['{NULL}', '{5}'], ['{{1,2},{3,4}}', '{1,2,3,4}'], ['[0:1]={1,2}', '{1,2}'], ['{}', '{NULL}'], ['{3}', '{1,9}']], ctx));
    c.push(...compareCases('bytea', [['\\x00', '\\x'], ['\\xff', '\\x0100']], ctx));
    c.push(...compareCases('uuid', [['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'b0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']], ctx));
    groups.push({ name: 'comparisons', setup: [], ctx, cases: c });
  }

  // ---- numeric arithmetic ----
  {
    const ctx = base;
    const c: DiffCase[] = [];
    const small = numericText.filter((s) => /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(s) && Math.abs(Number(s.split(/e/i)[1] ?? 0)) <= 20);
    const ab = sample(fc.tuple(small, small), 120, 400);
    const ops: [string, (a: Numeric, b: Numeric) => Numeric][] = [
      ['+', (a, b) => a.add(b)],
      ['-', (a, b) => a.sub(b)],
      ['*', (a, b) => a.mul(b)],
      ['/', (a, b) => a.div(b)],
      ['%', (a, b) => a.mod(b)],
    ];
    for (const [a, b] of [...ab, ['NaN', '1'], ['Infinity', '-Infinity'], ['Infinity', '0'], ['1', '0'], ['0', '0'], ['7', 'Infinity'], ['-Infinity', '2']] as [string, string][]) {
      for (const [op, f] of ops) c.push({ sql: `SELECT ${lit(a)}::numeric ${op} ${lit(b)}::numeric`, sb: () => f(n(a), n(b)).toString() });
    }
    for (const [a, s] of sample(fc.tuple(small, fc.integer({ min: -5, max: 8 })), 80, 401)) {
      c.push({ sql: `SELECT round(${lit(a)}::numeric, ${s})`, sb: () => n(a).round(s).toString() });
      c.push({ sql: `SELECT trunc(${lit(a)}::numeric, ${s})`, sb: () => n(a).trunc(s).toString() });
      c.push({ sql: `SELECT ceil(${lit(a)}::numeric), floor(${lit(a)}::numeric)`, sb: () => null });
    }
    c.splice(0, c.length, ...c.filter((x) => !x.sql.startsWith('SELECT ceil')));
    for (const a of sample(small, 60, 402)) {
      c.push({ sql: `SELECT ceil(${lit(a)}::numeric)`, sb: () => n(a).ceil().toString() });
      c.push({ sql: `SELECT floor(${lit(a)}::numeric)`, sb: () => n(a).floor().toString() });
      c.push({ sql: `SELECT sqrt(abs(${lit(a)}::numeric))`, sb: () => numericSqrt(n(a).abs()).toString() });
      c.push({ sql: `SELECT ln(abs(${lit(a)}::numeric))`, sb: () => numericLn(n(a).abs()).toString() });
      c.push({ sql: `SELECT log(abs(${lit(a)}::numeric))`, sb: () => numericLog(n('10'), n(a).abs()).toString() });
      c.push({ sql: `SELECT exp(${lit(a)}::numeric % 50)`, sb: () => numericExp(n(a).mod(n('50'))).toString() });
    }
    for (const [a, e] of sample(fc.tuple(small.filter((s) => Math.abs(Number(s)) < 1e6), fc.integer({ min: -12, max: 12 })), 60, 403)) {
      c.push({ sql: `SELECT power(${lit(a)}::numeric, ${e}::numeric)`, sb: () => numericPower(n(a), n(String(e))).toString() });
    }
    for (const [a, e] of [['2', '0.5'], ['9', '0.5'], ['1.0001', '1000'], ['0', '0'], ['NaN', '0'], ['1', 'NaN'], ['-8', '0.3333'], ['0', '-1'], ['2', '-1074'], ['10', '131071'], ['2.5', '1.5'], ['-2', '3']] as const) {
      c.push({ sql: `SELECT power(${lit(a)}::numeric, ${lit(e)}::numeric)`, sb: () => numericPower(n(a), n(e)).toString() });
    }
    for (const [b, x] of [['2', '1024'], ['10', '0.001'], ['1', '5'], ['0.5', '8'], ['3', '3']] as const) {
      c.push({ sql: `SELECT log(${lit(b)}::numeric, ${lit(x)}::numeric)`, sb: () => numericLog(n(b), n(x)).toString() });
    }
    groups.push({ name: 'numeric arithmetic', setup: [], ctx, cases: c });
  }

  // ---- date/time arithmetic in UTC ----
  {
    const ctx = base;
    const c: DiffCase[] = [];
    const validTs = timestampText.filter((s) => { try { parseText(T.timestamp, s, ctx); return true; } catch { return false; } });
    const validIv = intervalText.filter((s) => { try { parseText(T.interval, s, ctx); return true; } catch { return false; } });
    // Sub-second parts are compared only where a number holds microseconds exactly (|ts| < 2^53 µs).
    const exact = (...vs: number[]): boolean => vs.every((v) => Math.abs(v) < 2 ** 53);
    const whole = (v: number): boolean => v % 1e6 === 0;
    for (const [t, i] of sample(fc.tuple(validTs, validIv), 150, 500)) {
      const a = ts(t, ctx);
      const span = iv(i, ctx);
      let r: number;
      try {
        r = timestampPlusInterval(a, span);
      } catch {
        r = 0;
      }
      if (!exact(a, r) && !(whole(a) && whole(span.micros))) continue;
      c.push({ sql: `SELECT ${lit(t)}::timestamp + ${lit(i)}::interval`, sb: () => formatText(T.timestamp, timestampPlusInterval(ts(t, ctx), iv(i, ctx)), ctx) });
    }
    for (const [a, b] of sample(fc.tuple(validTs, validTs), 100, 501)) {
      const x = ts(a, ctx);
      const y = ts(b, ctx);
      if (!exact(x, y, x - y) && !(whole(x) && whole(y))) continue;
      c.push({ sql: `SELECT ${lit(a)}::timestamp - ${lit(b)}::timestamp`, sb: () => formatText(T.interval, timestampMinusTimestamp(ts(a, ctx), ts(b, ctx)), ctx) });
      c.push({ sql: `SELECT age(${lit(a)}::timestamp, ${lit(b)}::timestamp)`, sb: () => formatText(T.interval, age(ts(a, ctx), ts(b, ctx)), ctx) });
      c.push({ sql: `SELECT ${lit(a)}::date - ${lit(b)}::date`, sb: () => String(dateMinusDate(parseText(T.date, a, ctx) as number, parseText(T.date, b, ctx) as number)) });
    }
    const fields = ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'month', 'quarter', 'year', 'decade', 'century', 'millennium', 'julian', 'isoyear', 'week', 'dow', 'isodow', 'doy', 'epoch', 'timezone', 'foo'];
    for (const t of [...sample(validTs, 30, 502), 'infinity', '-infinity', '0001-01-01 BC 12:00', '2021-01-03']) {
      for (const f of fields) {
        c.push({ sql: `SELECT extract(${f} from ${lit(t)}::timestamp)`, sb: () => extractText(f, 'timestamp', ts(t, ctx), ctx) });
        c.push({ sql: `SELECT date_part(${lit(f)}, ${lit(t)}::timestamp)`, sb: () => nullable(datePart(f, 'timestamp', ts(t, ctx), settingsOf(ctx).zone), (v) => formatText(T.float8, v, ctx)) });
      }
      for (const f of ['microseconds', 'milliseconds', 'second', 'minute', 'hour', 'day', 'week', 'month', 'quarter', 'year', 'decade', 'century', 'millennium', 'dow']) {
        c.push({ sql: `SELECT date_trunc(${lit(f)}, ${lit(t)}::timestamp)`, sb: () => formatText(T.timestamp, truncTimestamp(f, ts(t, ctx)), ctx) });
      }
    }
    const dates = sample(dateText.filter((s) => { try { parseText(T.date, s, ctx); return true; } catch { return false; } }), 30, 503);
    for (const d of [...dates, 'infinity']) {
      for (const f of ['day', 'month', 'year', 'decade', 'century', 'millennium', 'julian', 'isoyear', 'week', 'dow', 'doy', 'epoch', 'hour']) {
        c.push({ sql: `SELECT extract(${f} from ${lit(d)}::date)`, sb: () => extractText(f, 'date', parseText(T.date, d, ctx), ctx) });
      }
      c.push({ sql: `SELECT ${lit(d)}::date + 1000000`, sb: () => formatText(T.date, datePlusDays(parseText(T.date, d, ctx) as number, 1000000), ctx) });
    }
    for (const i of [...sample(validIv, 40, 504)]) {
      for (const f of ['microseconds', 'second', 'minute', 'hour', 'day', 'month', 'quarter', 'year', 'decade', 'epoch', 'week']) {
        c.push({ sql: `SELECT extract(${f} from ${lit(i)}::interval)`, sb: () => extractText(f, 'interval', iv(i, ctx), ctx) });
      }
      c.push({ sql: `SELECT '23:30'::time + ${lit(i)}::interval`, sb: () => formatText(T.time, timePlusInterval(parseText(T.time, '23:30', ctx) as number, iv(i, ctx)), ctx) });
      for (const k of ['2', '0.3', '-1.5']) {
        c.push({ sql: `SELECT ${lit(i)}::interval * ${k}`, sb: () => formatText(T.interval, iv(i, ctx).mul(Number(k)), ctx) });
        c.push({ sql: `SELECT ${lit(i)}::interval / ${k}`, sb: () => formatText(T.interval, iv(i, ctx).div(Number(k)), ctx) });
      }
      c.push({ sql: `SELECT justify_interval(${lit(i)}::interval)`, sb: () => formatText(T.interval, iv(i, ctx).justifyInterval(), ctx) });
      c.push({ sql: `SELECT justify_hours(${lit(i)}::interval)`, sb: () => formatText(T.interval, iv(i, ctx).justifyHours(), ctx) });
      c.push({ sql: `SELECT justify_days(${lit(i)}::interval)`, sb: () => formatText(T.interval, iv(i, ctx).justifyDays(), ctx) });
    }
    groups.push({ name: 'date/time arithmetic', setup: [], ctx, cases: c });
  }
  // ---- binary send format (the send functions are callable from SQL) ----
  {
    const ctx = ctxWith({ timeZone: 'Asia/Kolkata' });
    const c: DiffCase[] = [];
    const sendCase = (typeName: string, fn: string, inputs: readonly string[]): void => {
      const t = typeFromName(typeName);
      for (const s of inputs) {
        c.push({
          sql: `SELECT ${fn}(${lit(s)}::${typeName})`,
          sb: () => formatText(T.bytea, encodeBinary(t, castValue(s, T.unknown, t, ctx, 'explicit'), ctx), ctx),
        });
      }
    };
    const validNum = numericText.filter((x) => { try { Numeric.parse(x); return true; } catch { return false; } });
    sendCase('numeric', 'numeric_send', [...sample(validNum, 120, 600), 'NaN', 'Infinity', '-Infinity', '0', '0.000', '-0.5', '10000', '0.0001', '1e-20', '123456789.000']);
    sendCase('int2', 'int2send', ['0', '-1', '32767', '-32768']);
    sendCase('int4', 'int4send', ['0', '-1', '2147483647', '-2147483648']);
    sendCase('int8', 'int8send', ['0', '-1', '9223372036854775807', '-9223372036854775808', '9007199254740993']);
    sendCase('float4', 'float4send', ['1.5', '-0', 'NaN', 'Infinity', '1e-45']);
    sendCase('float8', 'float8send', ['1.5', '-0', 'NaN', '-Infinity', '5e-324', '0.1']);
    sendCase('bool', 'boolsend', ['t', 'f']);
    sendCase('text', 'textsend', ['', 'héllo', '日本😀']);
    sendCase('char(4)', 'bpcharsend', ['ab']);
    sendCase('"char"', 'charsend', ['a', '', 'é']);
    sendCase('bytea', 'byteasend', ['\\x00ff10']);
    const validTs = timestampText.filter((x) => { try { parseText(T.timestamp, x, ctx); return true; } catch { return false; } });
    sendCase('date', 'date_send', ['2000-01-01', '1999-12-31', 'infinity', '-infinity', '4714-11-24 BC', '5874897-12-31']);
    sendCase('timestamp', 'timestamp_send', [...sample(validTs, 30, 601), 'infinity', '-infinity']);
    sendCase('timestamptz', 'timestamptz_send', [...sample(validTs, 30, 602), 'infinity']);
    sendCase('time', 'time_send', ['00:00', '24:00', '12:34:56.789']);
    sendCase('timetz', 'timetz_send', ['12:34:56.789+05:30', '00:00-08']);
    const validIv = intervalText.filter((x) => { try { parseText(T.interval, x, ctx); return true; } catch { return false; } });
    sendCase('interval', 'interval_send', sample(validIv, 40, 603));
    sendCase('uuid', 'uuid_send', ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']);
    sendCase('jsonb', 'jsonb_send', ['{"b":[1,2.50,null],"a":"x"}', '1', '"s"']);
    sendCase('json', 'json_send', ['{"b":1, "a" : 2}']);
    sendCase('oid', 'oidsend', ['4294967295']);
    sendCase('tid', 'tidsend', ['(7,3)']);
    sendCase('int4[]', 'array_send', ['{}', '{1,NULL,3}', '[0:1][2:3]={{1,2},{3,4}}']);
    sendCase('text[]', 'array_send', ['{a,"b c",NULL}']);
    sendCase('numeric[]', 'array_send', ['{1.5,NaN}']);
    groups.push({ name: 'binary send', setup: ["SET TimeZone = 'Asia/Kolkata'"], ctx, cases: c });
  }

  // ---- jsonb operators ----
  {
    const ctx = base;
    const c: DiffCase[] = [];
    const docs = ['{"a":{"b":[1,2,{"c":"x"}]},"d":null,"e":"s","f":[]}', '[1,"a",[2,3],{"k":true},null]', '"foo"', '5', 'null', '{"aa":1,"b":2}', '[]', '{}'];
    const jb = (s: string): JsonValue => (parseText(T.jsonb, s, ctx) as Jsonb).value;
    const out = (v: JsonValue | undefined): string | null => (v === undefined ? null : jsonToText(v));
    for (const d of docs) {
      for (const k of ['a', 'e', 'd', 'zz', 'k']) {
        c.push({ sql: `SELECT ${lit(d)}::jsonb -> ${lit(k)}`, sb: () => out(jsonbGet(jb(d), k)) });
        c.push({ sql: `SELECT ${lit(d)}::jsonb ->> ${lit(k)}`, sb: () => jsonbAsText(jsonbGet(jb(d), k)) });
        c.push({ sql: `SELECT (${lit(d)}::jsonb ? ${lit(k)})::text`, sb: () => String(jsonbExists(jb(d), k)) });
      }
      for (const i of [0, 1, 2, -1, -5, 9]) {
        c.push({ sql: `SELECT ${lit(d)}::jsonb -> ${i}`, sb: () => out(jsonbGet(jb(d), i)) });
        c.push({ sql: `SELECT ${lit(d)}::jsonb ->> ${i}`, sb: () => jsonbAsText(jsonbGet(jb(d), i)) });
      }
      for (const path of ['{a,b,2,c}', '{a,b,-1}', '{2,1}', '{3,k}', '{a,x}', '{}', '{a,b,z}']) {
        const steps = path.slice(1, -1) === '' ? [] : path.slice(1, -1).split(',');
        c.push({ sql: `SELECT ${lit(d)}::jsonb #> ${lit(path)}`, sb: () => out(jsonbGetPath(jb(d), steps)) });
        c.push({ sql: `SELECT ${lit(d)}::jsonb #>> ${lit(path)}`, sb: () => jsonbAsText(jsonbGetPath(jb(d), steps)) });
      }
      c.push({ sql: `SELECT (${lit(d)}::jsonb ?| '{a,zz}')::text`, sb: () => String(jsonbExistsAny(jb(d), ['a', 'zz'])) });
      c.push({ sql: `SELECT (${lit(d)}::jsonb ?& '{a,e}')::text`, sb: () => String(jsonbExistsAll(jb(d), ['a', 'e'])) });
      for (const d2 of docs) {
        c.push({ sql: `SELECT (${lit(d)}::jsonb @> ${lit(d2)}::jsonb)::text`, sb: () => String(jsonbContains(jb(d), jb(d2))) });
        c.push({ sql: `SELECT ${lit(d)}::jsonb || ${lit(d2)}::jsonb`, sb: () => jsonToText(jsonbConcat(jb(d), jb(d2))) });
      }
    }
    for (const [a, b] of [['{"a":1,"b":{"c":[1,2]}}', '{"b":{"c":[2]}}'], ['[1,[2,3]]', '[[3]]'], ['[1,2]', '1'], ['1', '[1]'], ['{"a":[1,2]}', '{"a":1}'], ['["a"]', '"a"'], ['[{"a":1}]', '[{}]'], ['{"a":1.0}', '{"a":1}']]) {
      c.push({ sql: `SELECT (${lit(a)}::jsonb @> ${lit(b)}::jsonb)::text`, sb: () => String(jsonbContains(jb(a), jb(b))) });
    }
    groups.push({ name: 'jsonb operators', setup: [], ctx, cases: c });
  }
  return groups;
}

function nullable<T>(v: T | null, f: (x: T) => string): string | null {
  return v === null ? null : f(v);
}

function castText(from: string, to: string, s: string, ctx: TypeContext): string | null {
  return castCases(from, to, [s], ctx)[0]!.sb();
}

function extractText(field: string, src: 'date' | 'timestamp' | 'timestamptz' | 'interval', v: unknown, ctx: TypeContext): string | null {
  const r = extractField(field, src, v, settingsOf(ctx).zone);
  return r === null ? null : r.toString();
}

interface Mismatch {
  group: string;
  sql: string;
  pg: string;
  sb: string;
}

describe.skipIf(reason !== undefined && !required)('PostgreSQL 15 differential', () => {
  let pg: PgInstance | undefined;

  beforeAll(async () => {
    if (reason !== undefined) throw new Error(`PostgreSQL is required when CI=true: ${reason}`);
    pg = await startPg();
  });

  afterAll(async () => {
    await pg?.stop();
  });

  it('agrees with PostgreSQL on I/O, casts, comparisons and arithmetic', async () => {
    const groups = buildGroups();
    const mismatches: Mismatch[] = [];
    let total = 0;
    for (const g of groups) {
      const results = await pg!.run(['RESET ALL', ...g.setup, ...g.cases.map((c) => c.sql)]);
      results.shift();
      const setupErrors = results.slice(0, g.setup.length).filter((r) => r.error !== undefined);
      expect(setupErrors, `setup of ${g.name}`).toEqual([]);
      g.cases.forEach((c, i) => {
        total++;
        const r = results[g.setup.length + i]!;
        const pgText = r.error !== undefined ? `ERROR ${r.error}` : r.rows[0]?.[0] === null ? 'NULL' : String(r.rows[0]?.[0]);
        let sbText: string;
        try {
          const v = c.sb();
          sbText = v === null ? 'NULL' : v;
        } catch (e) {
          sbText = e instanceof SbError ? `ERROR ${e.code}` : `THROW ${String(e)}`;
        }
        if (pgText !== sbText) mismatches.push({ group: g.name, sql: c.sql, pg: pgText + (r.message ? ` (${r.message})` : ''), sb: sbText });
      });
    }
    expect(total).toBeGreaterThan(3000);
    const dump = process.env.SB_DIFF_OUT;
    if (dump !== undefined) {
      const { writeFileSync } = await import('node:fs');
      writeFileSync(dump, mismatches.map((m) => `[${m.group}] ${m.sql}\n   pg: ${m.pg}\n   sb: ${m.sb}`).join('\n'));
    }
    if (mismatches.length > 0) {
      const shown = mismatches.slice(0, 40).map((m) => `[${m.group}] ${m.sql}\n   pg: ${m.pg}\n   sb: ${m.sb}`);
      expect.fail(`${mismatches.length} of ${total} cases differ from PostgreSQL:\n${shown.join('\n')}`);
    }
  });
});
