// Unit tests of the sqllogictest parser, the result comparison and the
// runner, against a fake target whose answers are scripted per SQL text.

import { describe, expect, it } from 'vitest';
import { checkColumnTypes, compareResult, hashValues, printValue } from '../../tools/slt/slt_compare.ts';
import type { SltExecResult, SltResultSet, SltTarget } from '../../tools/slt/target.ts';
import { formatFailure, parseSlt, runSltText, SltParseError, type QueryRecord, type StatementRecord } from './runner.ts';

class CodedError extends Error {
  constructor(
    readonly code: string,
    message = `error ${code}`,
  ) {
    super(message);
  }
}

type Answer = SltExecResult | CodedError | Error | (() => Promise<SltExecResult>);

/** A target that answers each SQL text from a table and records what it ran. */
class FakeTarget implements SltTarget {
  readonly name = 'fake';
  readonly ran: string[] = [];
  readonly connections: (string | undefined)[] = [];
  constructor(
    private readonly answers: Record<string, Answer>,
    readonly dialect = 'postgres',
  ) {}
  async exec(sql: string, connection?: string): Promise<SltExecResult> {
    this.ran.push(sql);
    this.connections.push(connection);
    const a = this.answers[sql];
    if (a === undefined) throw new CodedError('42601', `unscripted SQL: ${sql}`);
    if (typeof a === 'function') return a();
    if (a instanceof Error) throw a;
    return a;
  }
  async close(): Promise<void> {}
}

const rs = (fields: string[], rows: (string | null)[][]): SltResultSet => ({ fields, rows });

describe('parser', () => {
  it('reads statements with and without expected errors', () => {
    const records = parseSlt('statement ok\nCREATE TABLE t (a int)\n\nstatement error 23505\nINSERT INTO t\nVALUES (1)\n\nstatement error\nSELECT x\n', 'f.slt');
    expect(records).toHaveLength(3);
    const [a, b, c] = records as StatementRecord[];
    expect(a).toMatchObject({ kind: 'statement', line: 1, sql: 'CREATE TABLE t (a int)', expectError: null });
    expect(b).toMatchObject({ line: 4, sql: 'INSERT INTO t\nVALUES (1)', expectError: '23505' });
    expect(c).toMatchObject({ line: 8, expectError: '' });
  });

  it('reads queries: types, sort mode, label, results, missing results block', () => {
    const text = ['# comment', 'query ITB rowsort lbl', 'SELECT 1,', "  'a', true", '----', '1 a t', '', 'query T', 'SELECT 1 WHERE false', '', 'query R valuesort', 'SELECT 1', '----', '1'].join('\n');
    const [q1, q2, q3] = parseSlt(text) as QueryRecord[];
    expect(q1).toMatchObject({ line: 2, types: ['I', 'T', 'B'], sort: 'rowsort', label: 'lbl', sql: "SELECT 1,\n  'a', true", expected: { kind: 'values', lines: ['1 a t'] } });
    expect(q2).toMatchObject({ types: ['T'], sort: 'nosort', expected: { kind: 'values', lines: [] } });
    expect(q2!.label).toBeUndefined();
    expect(q3).toMatchObject({ sort: 'valuesort' });
  });

  it('reads a label without a sort mode and a hash result', () => {
    const [q] = parseSlt('query I mylabel\nSELECT 1\n----\n3 values hashing to 0123456789abcdef0123456789abcdef\n') as QueryRecord[];
    expect(q).toMatchObject({ sort: 'nosort', label: 'mylabel', expected: { kind: 'hash', count: 3, hash: '0123456789abcdef0123456789abcdef' } });
  });

  it('reads query error records, with an optional empty results block', () => {
    const [a, b] = parseSlt('query error 22012\nSELECT 1/0\n\nquery error\nSELECT x\n----\n') as QueryRecord[];
    expect(a).toMatchObject({ kind: 'query', expectError: '22012', sql: 'SELECT 1/0', types: [] });
    expect(b).toMatchObject({ expectError: '' });
  });

  it('attaches onlyif/skipif to the next record and resolves dialect aliases', () => {
    const records = parseSlt('onlyif mysql\nskipif mssql\nstatement ok\nSELECT 1\n\nstatement ok\nSELECT 2\n\nskipif postgresql\nhalt\n\nhash-threshold 8\n');
    expect(records[0]!.conditions).toEqual([
      { kind: 'onlyif', dialect: 'mysql' },
      { kind: 'skipif', dialect: 'tsql' },
    ]);
    expect(records[1]!.conditions).toEqual([]);
    expect(records[2]).toMatchObject({ kind: 'halt', conditions: [{ kind: 'skipif', dialect: 'postgres' }] });
    expect(records[3]).toMatchObject({ kind: 'hash-threshold', threshold: 8 });
  });

  it('keeps trailing spaces of result lines and strips CR', () => {
    const [q] = parseSlt('query T\r\nSELECT c\r\n----\r\nab  \r\n') as QueryRecord[];
    expect(q!.expected).toEqual({ kind: 'values', lines: ['ab  '] });
    expect(q!.sql).toBe('SELECT c');
  });

  it.each([
    ['query X\nSELECT 1\n', /bad column types/],
    ['statement error 2350\nSELECT 1\n', /not a SQLSTATE/],
    ['statement error 23505 extra\nSELECT 1\n', /expected 'statement ok'/],
    ['statement okay\nSELECT 1\n', /expected 'statement ok'/],
    ['frobnicate\n', /unknown record type/],
    ['statement ok\n\n', /statement has no SQL/],
    ['statement ok\nSELECT 1\n----\n1\n', /only allowed in a query/],
    ['onlyif nosuchdb\nstatement ok\nSELECT 1\n', /unknown dialect/],
    ['statement ok\nSELECT 1\n\nskipif mysql\n', /applies to no record/],
    ['query error 22012\nSELECT 1/0\n----\n1\n', /no results/],
    ['query I rowsort lbl extra\nSELECT 1\n', /expected 'query/],
  ])('rejects malformed input %#', (text, message) => {
    expect(() => parseSlt(text, 'bad.slt')).toThrow(message);
    expect(() => parseSlt(text, 'bad.slt')).toThrow(SltParseError);
  });

  it('reports the line of a parse error', () => {
    try {
      parseSlt('statement ok\nSELECT 1\n\nquery Z\nSELECT 1\n', 'bad.slt');
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ file: 'bad.slt', line: 4 });
      expect((e as Error).message).toMatch(/^bad\.slt:4: /);
    }
  });
});

describe('value printing and type checks', () => {
  it('prints NULL and the empty string distinctly', () => {
    expect(printValue(null)).toBe('NULL');
    expect(printValue('')).toBe('(empty)');
    expect(printValue('x')).toBe('x');
  });

  it('checks the column count and each column shape', () => {
    expect(checkColumnTypes(['I', 'R', 'T', 'B'], rs(['a', 'b', 'c', 'd'], [['-12', '1.5e+10', 'anything', 't'], [null, 'NaN', '', 'f']]))).toBeNull();
    expect(checkColumnTypes(['R', 'R', 'R'], rs(['a', 'b', 'c'], [['-Infinity', '.5', '12.']]))).toBeNull();
    expect(checkColumnTypes(['I'], rs(['a', 'b'], [['1', '2']]))).toMatch(/expected 1 column/);
    expect(checkColumnTypes(['I'], rs(['a'], [['1.5']]))).toMatch(/declared I/);
    expect(checkColumnTypes(['B'], rs(['a'], [['true']]))).toMatch(/declared B/);
    expect(checkColumnTypes(['R'], rs(['a'], [['abc']]))).toMatch(/declared R/);
  });
});

describe('result comparison', () => {
  const two = rs(['n', 's'], [['2', 'b'], ['1', null], ['3', '']]);
  const values = (lines: string[]) => ({ kind: 'values' as const, lines });

  it('nosort compares in order, in either layout', () => {
    expect(compareResult(values(['2 b', '1 NULL', '3 (empty)']), 'nosort', two)).toBeNull();
    expect(compareResult(values(['2', 'b', '1', 'NULL', '3', '(empty)']), 'nosort', two)).toBeNull();
    const m = compareResult(values(['1 NULL', '2 b', '3 (empty)']), 'nosort', two);
    expect(m).not.toBeNull();
    expect(m!.expected).toEqual(['1 NULL', '2 b', '3 (empty)']);
    expect(m!.actual).toEqual(['2 b', '1 NULL', '3 (empty)']);
  });

  it('rowsort sorts both sides by row', () => {
    expect(compareResult(values(['1 NULL', '2 b', '3 (empty)']), 'rowsort', two)).toBeNull();
    expect(compareResult(values(['3 (empty)', '2 b', '1 NULL']), 'rowsort', two)).toBeNull();
    expect(compareResult(values(['1', 'NULL', '3', '(empty)', '2', 'b']), 'rowsort', two)).toBeNull();
    // rows stay rows: the same values paired differently do not match
    expect(compareResult(values(['1 b', '2 NULL', '3 (empty)']), 'rowsort', two)).not.toBeNull();
  });

  it('valuesort sorts all values', () => {
    expect(compareResult(values(['1', '2', '3', 'b', 'NULL', '(empty)']), 'valuesort', two)).toBeNull();
    expect(compareResult(values(['1 b', '2 NULL', '3 (empty)']), 'valuesort', two)).toBeNull();
    expect(compareResult(values(['1', '2', '3', 'b', 'NULL', 'x']), 'valuesort', two)).not.toBeNull();
  });

  it('detects missing and extra rows', () => {
    expect(compareResult(values(['2 b', '1 NULL']), 'nosort', two)).not.toBeNull();
    expect(compareResult(values([]), 'nosort', rs(['a'], [['1']]))).not.toBeNull();
    expect(compareResult(values([]), 'rowsort', rs(['a', 'b'], []))).toBeNull();
  });

  it('compares values containing spaces in the row layout', () => {
    const r = rs(['t', 'c'], [['2024-01-01 10:00:00', 'ab  ']]);
    expect(compareResult(values(['2024-01-01 10:00:00 ab  ']), 'nosort', r)).toBeNull();
    expect(compareResult(values(['2024-01-01 10:00:00', 'ab  ']), 'nosort', r)).toBeNull();
    expect(compareResult(values(['2024-01-01 10:00:00 ab']), 'nosort', r)).not.toBeNull();
  });

  it('compares hashed results after sorting', () => {
    const r = rs(['a'], [['2'], ['1'], [null]]);
    const sorted = ['1', '2', 'NULL'];
    const hash = hashValues(sorted);
    expect(hash).toMatch(/^[0-9a-f]{32}$/);
    expect(compareResult({ kind: 'hash', count: 3, hash }, 'valuesort', r)).toBeNull();
    expect(compareResult({ kind: 'hash', count: 3, hash }, 'nosort', r)).not.toBeNull();
    expect(compareResult({ kind: 'hash', count: 4, hash }, 'valuesort', r)).not.toBeNull();
  });

  it('uses the classic sqllogictest hash (MD5 of each value plus a newline)', () => {
    // md5 of "1\n2\n", computed with md5sum
    expect(hashValues(['1', '2'])).toBe('6ddb4095eb719e2a9f0a3f95677d24e0');
    expect(hashValues([])).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(hashValues(['a'])).toBe('60b725f10c9c85c70d97880dfe8191b3');
  });
});

describe('runner', () => {
  it('passes matching statements and queries and counts them', async () => {
    const target = new FakeTarget({
      'CREATE TABLE t (a int)': 'ok',
      'SELECT a FROM t': rs(['a'], [['1'], [null], ['']]),
      'SELECT 1/0': new CodedError('22012'),
    });
    const text = 'statement ok\nCREATE TABLE t (a int)\n\nquery T rowsort\nSELECT a FROM t\n----\n1\nNULL\n(empty)\n\nstatement error 22012\nSELECT 1/0\n\nquery error\nSELECT 1/0\n';
    const r = await runSltText(target, text, 'x.slt');
    expect(r).toMatchObject({ records: 4, passed: 4, failed: 0, skipped: 0, failures: [] });
  });

  it('matches error codes exactly', async () => {
    const target = new FakeTarget({ 'INSERT 1': new CodedError('23505', 'duplicate key'), 'INSERT 2': new Error('no code') });
    const text = 'statement error 23505\nINSERT 1\n\nstatement error 23503\nINSERT 1\n\nstatement error\nINSERT 2\n\nstatement error 23505\nINSERT 2\n\nstatement ok\nINSERT 1\n';
    const r = await runSltText(target, text, 'e.slt');
    expect(r.passed).toBe(2);
    expect(r.failures.map((f) => [f.line, f.message])).toEqual([
      [4, 'expected error 23503, got 23505 duplicate key'],
      [10, 'expected error 23505, got (no SQLSTATE) no code'],
      [13, 'statement failed: 23505 duplicate key'],
    ]);
  });

  it('fails statements and queries that succeed when an error was expected', async () => {
    const target = new FakeTarget({ 'S': 'ok', 'Q': rs(['a'], [['1']]) });
    const r = await runSltText(target, 'statement error 22012\nS\n\nquery error 22012\nQ\n\nstatement error\nS\n', 'e.slt');
    expect(r.failures.map((f) => f.message)).toEqual(['statement succeeded, expected error 22012', 'query succeeded, expected error 22012', 'statement succeeded, expected error (any)']);
  });

  it('reports a query that returns no result set, wrong columns or wrong types', async () => {
    const target = new FakeTarget({ 'U': 'ok', 'Q': rs(['a', 'b'], [['1', 'x']]), 'B': rs(['b'], [['true']]) });
    const r = await runSltText(target, 'query I\nU\n----\n1\n\nquery I\nQ\n----\n1\n\nquery B\nB\n----\ntrue\n', 'q.slt');
    expect(r.failures.map((f) => f.message)).toEqual([
      'query returned no result set (a statement without rows)',
      'expected 1 column(s) (I), got 2 (a, b)',
      "column 1 (b) is declared B but row 1 has 'true', not a boolean ('t' or 'f')",
    ]);
  });

  it('statement ok accepts a result set', async () => {
    const r = await runSltText(new FakeTarget({ 'SELECT setval()': rs(['setval'], [['5']]) }), 'statement ok\nSELECT setval()\n', 's.slt');
    expect(r.passed).toBe(1);
  });

  it('applies onlyif / skipif for the target dialect', async () => {
    const text = 'onlyif mysql\nstatement ok\nMYSQL ONLY\n\nskipif postgres\nstatement ok\nNOT ON PG\n\nonlyif postgres\nstatement ok\nPG ONLY\n\nskipif tsql\nstatement ok\nNOT ON TSQL\n';
    const pg = new FakeTarget({ 'PG ONLY': 'ok', 'NOT ON TSQL': 'ok' });
    expect(await runSltText(pg, text, 'd.slt')).toMatchObject({ passed: 2, skipped: 2, failed: 0 });
    expect(pg.ran).toEqual(['PG ONLY', 'NOT ON TSQL']);
    const my = new FakeTarget({ 'MYSQL ONLY': 'ok', 'NOT ON PG': 'ok', 'NOT ON TSQL': 'ok' }, 'mysql');
    expect(await runSltText(my, text, 'd.slt')).toMatchObject({ passed: 3, skipped: 1, failed: 0 });
  });

  it('halt stops the file; a guarded halt only for its dialect', async () => {
    const text = 'statement ok\nA\n\nonlyif mysql\nhalt\n\nstatement ok\nB\n\nhalt\n\nstatement ok\nC\n';
    const t = new FakeTarget({ A: 'ok', B: 'ok', C: 'ok' });
    expect(await runSltText(t, text, 'h.slt')).toMatchObject({ records: 3, passed: 2, skipped: 1 });
    expect(t.ran).toEqual(['A', 'B']);
  });

  it('compares queries that share a label', async () => {
    const t = new FakeTarget({ 'Q1': rs(['a'], [['1'], ['2']]), 'Q2': rs(['a'], [['2'], ['1']]), 'Q3': rs(['a'], [['3']]) });
    const text = 'query I rowsort same\nQ1\n----\n1\n2\n\nquery I rowsort same\nQ2\n----\n1\n2\n\nquery I rowsort same\nQ3\n----\n3\n';
    const r = await runSltText(t, text, 'l.slt');
    expect(r.passed).toBe(2);
    expect(r.failures[0]!.message).toMatch(/labelled 'same'/);
  });

  it('times out a hanging statement and skips the rest of the file', async () => {
    const t = new FakeTarget({ 'HANG': () => new Promise<SltExecResult>(() => {}), 'NEXT': 'ok' });
    const r = await runSltText(t, 'statement ok\nHANG\n\nstatement ok\nNEXT\n', 't.slt', { record_timeout_ms: 20 });
    expect(r).toMatchObject({ records: 2, passed: 0, failed: 1, skipped: 1 });
    expect(r.failures[0]!.message).toMatch(/timed out/);
    expect(t.ran).toEqual(['HANG']);
  });

  it('formats a failure with file, line, SQL, expected and actual', async () => {
    const t = new FakeTarget({ 'SELECT a\nFROM t': rs(['a'], [['2']]) });
    const r = await runSltText(t, '\n\nquery I\nSELECT a\nFROM t\n----\n1\n', 'dir/f.slt');
    expect(r.failures).toHaveLength(1);
    const text = formatFailure(r.failures[0]!);
    expect(text).toContain('dir/f.slt:3: result differs');
    expect(text).toContain('SQL:\n    SELECT a\n    FROM t');
    expect(text).toContain('expected:\n    1');
    expect(text).toContain('actual:\n    2');
  });

  it('calls onRecord for every record', async () => {
    const seen: number[] = [];
    await runSltText(new FakeTarget({ A: 'ok' }), 'statement ok\nA\n\nskipif postgres\nstatement ok\nB\n', 'o.slt', { onRecord: (rec) => seen.push(rec.line) });
    expect(seen).toEqual([1, 5]);
  });
});

describe('connections', () => {
  it('parses connection lines and passes the name to the target', async () => {
    const text = 'statement ok\nA\n\nconnection b\nstatement ok\nB\n\nskipif mysql\nconnection c\nquery I\nQ\n----\n1\n\nstatement ok\nA\n';
    const records = parseSlt(text, 'c.slt');
    expect(records.map((r) => (r as StatementRecord).connection)).toEqual([undefined, 'b', 'c', undefined]);
    const t = new FakeTarget({ A: 'ok', B: 'ok', Q: rs(['x'], [['1']]) });
    const r = await runSltText(t, text, 'c.slt');
    expect(r.failed).toBe(0);
    expect(t.connections).toEqual([undefined, 'b', 'c', undefined]);
  });

  it('rejects a dangling or malformed connection line', () => {
    expect(() => parseSlt('statement ok\nA\n\nconnection b\n', 'd.slt')).toThrow(SltParseError);
    expect(() => parseSlt('connection b c\nstatement ok\nA\n', 'd.slt')).toThrow(SltParseError);
    expect(() => parseSlt('connection b\nhalt\n', 'd.slt')).toThrow(SltParseError);
  });
});

describe('error positions', () => {
  class PositionedError extends Error {
    constructor(readonly code: string, readonly position?: number) {
      super('positioned');
    }
  }

  it('parses `error <code> at <n>` and checks the position', async () => {
    const text = 'statement error 42601 at 8\nSELECT FROM FROM\n\nquery error 42601 at 3\nQ\n\nstatement error 42601 at 2\nS\n';
    const records = parseSlt(text, 'p.slt');
    expect(records.map((r) => (r as StatementRecord).expectPosition)).toEqual([8, 3, 2]);
    const t = new FakeTarget({ 'SELECT FROM FROM': new PositionedError('42601', 8), Q: new PositionedError('42601', 4), S: new PositionedError('42601') });
    const r = await runSltText(t, text, 'p.slt');
    expect(r.passed).toBe(1);
    expect(r.failures.map((f) => f.line)).toEqual([4, 7]);
    expect(r.failures[0]!.message).toContain('position 3, got 4');
  });

  it('rejects a bad position', () => {
    expect(() => parseSlt('statement error 42601 at x\nS\n', 'p.slt')).toThrow(SltParseError);
    expect(() => parseSlt('statement error 42601 at 0\nS\n', 'p.slt')).toThrow(SltParseError);
  });
});
