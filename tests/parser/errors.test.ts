// Errors: syntax errors are SbError 42601 with the 1-based character position
// of the offending token and PostgreSQL's wording; unterminated strings,
// comments and quoted identifiers are 42601 at their start; nesting beyond
// parse_depth_max is 54001, never a JavaScript stack overflow.

import { describe, expect, it } from 'vitest';
import { SbError } from '../../host/engine/sb_error.ts';
import { firebird, mysql, parse, parseOne, parse_depth_max, postgres, tsql, type Dialect } from '../../sql-dialects/index.ts';

function errorOf(sql: string, d: Dialect = postgres): SbError {
  try {
    parse(sql, d);
  } catch (e) {
    if (e instanceof SbError) return e;
    throw e;
  }
  throw new Error(`expected an error for ${JSON.stringify(sql)}`);
}

describe('syntax errors', () => {
  const cases: [string, number, string, Dialect?][] = [
    ['SELECT * FORM t', 10, 'syntax error at or near "FORM"'],
    ['SELEC 1', 1, 'syntax error at or near "SELEC"'],
    ['SELECT * FROM', 14, 'syntax error at end of input'],
    ['SELECT 1 +', 11, 'syntax error at end of input'],
    ['SELECT 1 2', 10, 'syntax error at or near "2"'],
    ['SELECT (1', 10, 'syntax error at end of input'],
    ['SELECT a FROM t WHERE', 22, 'syntax error at end of input'],
    ['SELECT a FROM t WHERE a = = 1', 27, 'syntax error at or near "="'],
    ['INSERT INTO t VALUES (1,', 25, 'syntax error at end of input'],
    ['CREATE TABLE t (a int,)', 23, 'syntax error at or near ")"'],
    ['UPDATE t SET WHERE a = 1', 14, 'syntax error at or near "WHERE"'],
    ['SELECT a FROM t GROUP a', 23, 'syntax error at or near "a"'],
    ['DROP WIDGET w', 6, 'syntax error at or near "WIDGET"'],
    ['SELECT é, ) FROM t', 11, 'syntax error at or near ")"'],
    ['SELECT 😀, ) FROM t', 11, 'syntax error at or near ")"'],
    ['SELECT a FROM t LIMIT 5, 10', 24, 'syntax error at or near ","'],
    ['SELECT TOP 5 a FROM t', 12, 'syntax error at or near "5"'],
    ['SELECT a FROM t LIMIT 5', 17, 'syntax error at or near "LIMIT"', tsql],
    ['SELECT a FROM t LIMIT 1 2', 25, 'syntax error at or near "2"', mysql],
    ['SELECT FIRST 1 FROM t', 16, 'syntax error at or near "FROM"', firebird],
    ['SELECT 1; SELECT 1 +', 21, 'syntax error at end of input'],
    ['SELECT a FROM t ORDER a', 23, 'syntax error at or near "a"'],
  ];

  it.each(cases)('%s', (sql, position, message, d = postgres) => {
    const e = errorOf(sql, d);
    expect(e.code).toBe('42601');
    expect(e.position).toBe(position);
    expect(e.message).toBe(message);
  });

  it('parseOne refuses several statements', () => {
    expect(() => parseOne('SELECT 1; SELECT 2', postgres)).toThrow(expect.objectContaining({ code: '42601', position: 11 }));
    expect(() => parseOne('', postgres)).toThrow(expect.objectContaining({ code: '42601' }));
  });
});

describe('unterminated tokens', () => {
  const cases: [string, Dialect, number, string][] = [
    ["SELECT 'abc", postgres, 8, 'unterminated quoted string'],
    ["SELECT E'abc\\'", postgres, 8, 'unterminated quoted string'],
    ['SELECT $$abc', postgres, 8, 'unterminated dollar-quoted string'],
    ['SELECT $tag$abc$ta$', postgres, 8, 'unterminated dollar-quoted string'],
    ["SELECT U&'abc", postgres, 8, 'unterminated quoted string'],
    ["SELECT X'1F", postgres, 8, 'unterminated quoted string'],
    ['SELECT "abc', postgres, 8, 'unterminated quoted identifier'],
    ['SELECT /* abc', postgres, 8, 'unterminated /* comment'],
    ['SELECT /* a /* b */ c', postgres, 8, 'unterminated /* comment'],
    ['SELECT 1 /* x /* y */', tsql, 10, 'unterminated /* comment'],
    ["SELECT 'a\\'", mysql, 8, 'unterminated quoted string'],
    ['SELECT "abc', mysql, 8, 'unterminated quoted string'],
    ['SELECT `abc', mysql, 8, 'unterminated quoted identifier'],
    ['SELECT [abc', tsql, 8, 'unterminated quoted identifier'],
    ["SELECT N'abc", tsql, 8, 'unterminated quoted string'],
    ["SELECT Q'{abc}", firebird, 8, 'unterminated quoted string'],
    ['SELECT ""', postgres, 8, 'zero-length delimited identifier'],
  ];

  it.each(cases)('%s', (sql, d, position, what) => {
    const e = errorOf(sql, d);
    expect(e.code).toBe('42601');
    expect(e.position).toBe(position);
    expect(e.message.startsWith(what)).toBe(true);
  });
});

describe('recursion guard', () => {
  it(`10,000 nested parentheses raise 54001 (parse_depth_max = ${parse_depth_max})`, () => {
    const sql = 'SELECT ' + '('.repeat(10_000) + '1' + ')'.repeat(10_000);
    expect(errorOf(sql).code).toBe('54001');
  });

  const deep = 5000;
  const cases: [string, string][] = [
    ['prefix operators', 'SELECT ' + '- '.repeat(deep) + '1'],
    ['NOT', 'SELECT ' + 'NOT '.repeat(deep) + 'true'],
    ['subqueries', 'SELECT ' + '(SELECT '.repeat(deep) + '1' + ')'.repeat(deep)],
    ['derived tables', 'SELECT * FROM ' + '(SELECT * FROM '.repeat(deep) + 't' + ') x'.repeat(deep)],
    ['join trees', 'SELECT * FROM ' + '('.repeat(deep) + 't' + ')'.repeat(deep)],
    ['CASE', 'SELECT ' + 'CASE WHEN a THEN '.repeat(deep) + '1' + ' END'.repeat(deep)],
    ['ARRAY', 'SELECT ' + 'ARRAY['.repeat(deep) + '1' + ']'.repeat(deep)],
    ['function calls', 'SELECT ' + 'f('.repeat(deep) + '1' + ')'.repeat(deep)],
    ['unclosed parentheses', 'SELECT ' + '('.repeat(deep)],
  ];

  it.each(cases)('%s', (_name, sql) => {
    expect(errorOf(sql).code).toBe('54001');
  });

  it('T-SQL nested blocks and Firebird nested PSQL blocks', () => {
    expect(errorOf('BEGIN '.repeat(deep) + 'SELECT 1' + ' END'.repeat(deep), tsql).code).toBe('54001');
    expect(errorOf('EXECUTE BLOCK AS ' + 'BEGIN '.repeat(deep) + 'END '.repeat(deep), firebird).code).toBe('54001');
    expect(errorOf('IF 1 = 1 '.repeat(deep) + 'SELECT 1', tsql).code).toBe('54001');
  });

  it('deep but allowed nesting parses', () => {
    expect(parse('SELECT ' + '('.repeat(200) + '1' + ')'.repeat(200), postgres)).toHaveLength(1);
  });

  it('long flat expressions do not count as nesting', () => {
    expect(parse('SELECT 1' + ' + 1'.repeat(50_000), postgres)).toHaveLength(1);
    expect(parse('SELECT a' + '[1]'.repeat(20_000), postgres)).toHaveLength(1);
  });
});
