// Errors of the PostgreSQL forms added for issue 3 (their round trips are in
// corpus/pg_gaps.sql): SQLSTATE and position as PostgreSQL 15 reports them.

import { describe, expect, it } from 'vitest';
import { getDialect, parse } from '../../sql-dialects/index.ts';

const pg = getDialect('postgres');

function errorOf(sql: string): { code: string; position: number | undefined } {
  try {
    parse(sql, pg);
  } catch (e) {
    const err = e as { code: string; position?: number };
    return { code: err.code, position: err.position };
  }
  throw new Error(`parsed: ${sql}`);
}

describe('PostgreSQL syntax errors (positions as PostgreSQL 15 reports them)', () => {
  it.each([
    // Unicode escapes: NUL, out of range, and unpaired surrogates are refused while lexing.
    [String.raw`SELECT E'\u0000'`, '42601', 10],
    [String.raw`SELECT U&'\0000'`, '42601', 11],
    [String.raw`SELECT U&'a\0000'`, '42601', 12],
    [String.raw`SELECT E'\U00110000'`, '42601', 10],
    [String.raw`SELECT E'\uD800'`, '42601', 16],
    [String.raw`SELECT E'\uD83Dx'`, '42601', 16],
    [String.raw`SELECT E'\uDE00'`, '42601', 10],
    [String.raw`SELECT U&'\D83Dx'`, '42601', 16],
    // OVERLAPS takes two-item rows.
    ['SELECT (1,2,3) OVERLAPS (4,5)', '42601', 8],
    // IF NOT EXISTS cannot be combined with schema elements.
    ['CREATE SCHEMA IF NOT EXISTS s CREATE TABLE t (a int)', '0A000', 31],
    // ... but a malformed element there is still a syntax error (found by the fuzzer).
    ['CREATE SCHEMA IF NOT EXISTS app CREATE AUTHORIZATION alice', '42601', 40],
    // A schema element must be one of the allowed CREATE forms.
    ['CREATE SCHEMA s CREATE DATABASE d', '42601', 24],
    // A malformed \u escape in E'' is 22025 (in U&'' a syntax error).
    [String.raw`SELECT E'\u00'`, '22025', 10],
    [String.raw`SELECT E'\U0000'`, '22025', 10],
    [String.raw`SELECT U&'\00'`, '42601', 11],
    // Trailing junk after a number or parameter (PostgreSQL 15 and later).
    ['SELECT 123abc', '42601', 8],
    ['SELECT 1.5x', '42601', 8],
    ['SELECT .5a', '42601', 8],
    ['SELECT 1as', '42601', 8],
    ['SELECT $1a', '42601', 8],
    // A column needs its type, except in the name list of CREATE TABLE … AS.
    ['CREATE TABLE t (a)', '42601', 19],
    ['CREATE TABLE t (a, b int)', '42601', 22],
    ['CREATE TABLE t (a NOT NULL)', '42601', 19],
    ['CREATE TABLE t (a int, b)', '42601', 25],
    // Subscripts apply to columns, parameters and parenthesized expressions only.
    ['SELECT ARRAY[1][2]', '42601', 16],
    ['SELECT abs(1)[1]', '42601', 14],
    ["SELECT string_to_array('a,b', ',')[1]", '42601', 35],
    // Comparison, LIKE/BETWEEN and IS DISTINCT FROM do not chain (PG's %nonassoc levels).
    ['SELECT 1 = 1 = true', '42601', 14],
    ['SELECT 1 < 2 <> true', '42601', 14],
    ['SELECT NOT 1 = 1 = true', '42601', 18],
    ['SELECT 1 + 1 = 2 = true', '42601', 18],
    ['SELECT 1 IS NOT DISTINCT FROM 1 IS DISTINCT FROM true', '42601', 33],
    ["SELECT 'a' LIKE 'a' LIKE 'b'", '42601', 21],
    ["SELECT 'a' NOT LIKE 'b' LIKE 'c'", '42601', 25],
    ['SELECT 2 BETWEEN 1 AND 3 BETWEEN false AND true', '42601', 26],
  ])('%s -> %s at %i', (sql, code, position) => {
    expect(errorOf(sql)).toEqual({ code, position });
  });

  it('accepts what PostgreSQL accepts around the non-associative levels', () => {
    for (const sql of [
      'SELECT 1 IS NULL IS NULL', 'SELECT 1 IN (1) IN (true)', 'SELECT 1 BETWEEN 0 AND 2 = true', 'SELECT 1 = 1 IS TRUE',
      'SELECT 1 IS NULL = false', "SELECT 'a' LIKE 'a' = true", 'SELECT 1 IN (1) = true', "SELECT 'a' LIKE 'a' IS TRUE",
      'SELECT 1 ISNULL IS NULL', 'SELECT 1 = ANY(ARRAY[1]) = true', 'SELECT 1 = 1 IS NOT NULL = true', 'SELECT (1 = 1) = true',
      'CREATE TABLE t (a, b) AS SELECT 1, 2', 'SELECT (ARRAY[1, 2])[2]', 'SELECT x[1][2], t.x[1:2], $1[1] FROM t', 'SELECT (SELECT ARRAY[1])[1]', "SELECT '{1,2}'::int[][1]",
    ]) expect(() => parse(sql, pg), sql).not.toThrow();
    // MySQL chains comparisons left to right.
    expect(() => parse('SELECT 1 = 1 = 1', getDialect('mysql'))).not.toThrow();
  });

  it('keeps NUL-free escapes and surrogate pairs', () => {
    const [s] = parse(String.raw`SELECT E'\uD83D\uDE00', U&'\+01F600', E'\x41'`, pg);
    const cols = (s as { body: { columns: { expr: { value: string } }[] } }).body.columns.map((c) => c.expr.value);
    expect(cols).toEqual(['😀', '😀', 'A']);
  });

  it('reads OVERLAPS as overlaps(a, b, c, d), binding tighter than AND', () => {
    const [s] = parse('SELECT (a, b) OVERLAPS (c, d) AND e', pg);
    const e = (s as { body: { columns: { expr: { kind: string; op: string; left: { kind: string; name: { value: string }[]; args: unknown[] } } }[] } }).body.columns[0]!.expr;
    expect(e.kind).toBe('binary');
    expect(e.left.kind).toBe('func');
    expect(e.left.name[0]!.value).toBe('overlaps');
    expect(e.left.args).toHaveLength(4);
  });
});
