// Targeted AST assertions: operator precedence and associativity, case
// folding, quoted identifiers, literal kinds, parameter markers, and the
// normalization of every row-limit syntax into one Limit node.

import { describe, expect, it } from 'vitest';
import {
  firebird,
  getDialect,
  mysql,
  parseOne,
  postgres,
  print,
  stripLoc,
  tsql,
  type Dialect,
  type Expr,
  type Limit,
  type Query,
  type SelectCore,
} from '../../sql-dialects/index.ts';

function query(sql: string, d: Dialect = postgres): Query {
  const s = parseOne(sql, d);
  if (s.kind !== 'select') throw new Error('not a query');
  return stripLoc(s);
}

function core(sql: string, d: Dialect = postgres): SelectCore {
  const q = query(sql, d);
  if (q.body.kind !== 'select_core') throw new Error('not a select core');
  return q.body;
}

/** The first select-list expression of `SELECT <e>`. */
function expr(e: string, d: Dialect = postgres): Expr {
  return core('SELECT ' + e, d).columns[0].expr;
}

const col = (name: string, quoted = false): Expr => ({ kind: 'column', name: [{ value: name, quoted }] });
const num = (value: string): Expr => ({ kind: 'number', value });
const bin = (op: string, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
const un = (op: string, operand: Expr): Expr => ({ kind: 'unary', op, operand });

describe('precedence (PostgreSQL)', () => {
  it('a OR b AND NOT c', () => {
    expect(expr('a OR b AND NOT c')).toEqual(bin('OR', col('a'), bin('AND', col('b'), un('NOT', col('c')))));
  });

  it('-2^2 is (-2)^2: unary minus binds tighter than ^', () => {
    expect(expr('-2^2')).toEqual(bin('^', un('-', num('2')), num('2')));
  });

  it('^ is left-associative', () => {
    expect(expr('2 ^ 3 ^ 2')).toEqual(bin('^', bin('^', num('2'), num('3')), num('2')));
  });

  it('a::int[] casts to an array type', () => {
    expect(expr('a::int[]')).toEqual({
      kind: 'cast',
      expr: col('a'),
      type: { kind: 'type', name: [{ value: 'int', quoted: false }], arrayBounds: [null] },
      syntax: '::',
    });
  });

  it(':: binds tighter than unary minus', () => {
    expect(expr('-a::int')).toMatchObject({ kind: 'unary', op: '-', operand: { kind: 'cast' } });
  });

  it('x BETWEEN 1 AND 2 AND y', () => {
    expect(expr('x BETWEEN 1 AND 2 AND y')).toEqual(
      bin('AND', { kind: 'between', negated: false, expr: col('x'), low: num('1'), high: num('2') }, col('y')),
    );
  });

  it('NOT a = b is NOT (a = b)', () => {
    expect(expr('NOT a = b')).toEqual(un('NOT', bin('=', col('a'), col('b'))));
  });

  it('unary minus vs subtraction', () => {
    expect(expr('a - -b')).toEqual(bin('-', col('a'), un('-', col('b'))));
    expect(expr('a-b')).toEqual(bin('-', col('a'), col('b')));
    expect(expr('-a - b')).toEqual(bin('-', un('-', col('a')), col('b')));
    expect(expr('a - b - c')).toEqual(bin('-', bin('-', col('a'), col('b')), col('c')));
  });

  it('a IS NOT DISTINCT FROM b', () => {
    expect(expr('a IS NOT DISTINCT FROM b')).toEqual({ kind: 'is', negated: true, expr: col('a'), test: 'DISTINCT FROM', right: col('b') });
  });

  it('JSON operators are "other" operators: left-assoc, above comparison, below arithmetic', () => {
    const s = (v: string): Expr => ({ kind: 'string', value: v });
    expect(expr("x->'a'->>'b'")).toEqual(bin('->>', bin('->', col('x'), s('a')), s('b')));
    expect(expr("j #> '{a}' = k")).toEqual(bin('=', bin('#>', col('j'), s('{a}')), col('k')));
    expect(expr('j @> k AND l <@ m')).toEqual(bin('AND', bin('@>', col('j'), col('k')), bin('<@', col('l'), col('m'))));
    expect(expr("j ? 'a' OR j ?| b")).toEqual(bin('OR', bin('?', col('j'), s('a')), bin('?|', col('j'), col('b'))));
    expect(expr('a + b -> c')).toEqual(bin('->', bin('+', col('a'), col('b')), col('c')));
  });

  it('comparison binds tighter than IS; LIKE/IN tighter than comparison', () => {
    expect(expr('a = b IS NULL')).toMatchObject({ kind: 'is', expr: bin('=', col('a'), col('b')) });
    expect(expr('a IN (1) = b')).toMatchObject({ kind: 'binary', op: '=', left: { kind: 'in' } });
    expect(expr('a LIKE b || c')).toMatchObject({ kind: 'like', pattern: bin('||', col('b'), col('c')) });
  });

  it('parentheses are kept as nested nodes', () => {
    expect(expr('(a + b) * c')).toEqual(bin('*', { kind: 'nested', expr: bin('+', col('a'), col('b')) }, col('c')));
    expect(expr('a + b * c')).toEqual(bin('+', col('a'), bin('*', col('b'), col('c'))));
  });

  it('COLLATE and AT TIME ZONE bind tighter than arithmetic', () => {
    expect(expr('a < b COLLATE "C"')).toMatchObject({ kind: 'binary', op: '<', right: { kind: 'collate' } });
    expect(expr("ts AT TIME ZONE 'UTC' + i")).toMatchObject({ kind: 'binary', op: '+', left: { kind: 'at_time_zone' } });
  });

  it('= ANY (array) and OPERATOR(schema.op)', () => {
    expect(expr("c.relkind = ANY (ARRAY['r','p'])")).toMatchObject({ kind: 'quantified', op: '=', quantifier: 'ANY', right: { kind: 'array' } });
    expect(expr("a OPERATOR(pg_catalog.~) 'x'")).toMatchObject({ kind: 'binary', op: '~', operatorSchema: [{ value: 'pg_catalog' }] });
  });

  it('subscripts, slices and field selection', () => {
    expect(expr('a[1:2]')).toEqual({ kind: 'subscript', expr: col('a'), index: num('1'), slice: true, upper: num('2') });
    expect(expr('(x).f')).toEqual({ kind: 'field', expr: { kind: 'nested', expr: col('x') }, field: { value: 'f', quoted: false } });
  });
});

describe('precedence (other dialects)', () => {
  it('MySQL: || is OR, XOR between AND and OR, ! binds tightest', () => {
    expect(expr('a || b && c', mysql)).toEqual(bin('||', col('a'), bin('&&', col('b'), col('c'))));
    expect(expr('a XOR b AND c', mysql)).toEqual(bin('XOR', col('a'), bin('AND', col('b'), col('c'))));
    expect(expr('!a = b', mysql)).toEqual(bin('=', un('!', col('a')), col('b')));
    expect(expr('@v := 1 + 2', mysql)).toMatchObject({ kind: 'assign', op: ':=', value: bin('+', num('1'), num('2')) });
  });

  it('Firebird: || binds tighter than arithmetic', () => {
    expect(expr('a || b + c', firebird)).toEqual(bin('+', bin('||', col('a'), col('b')), col('c')));
  });

  it('T-SQL: SELECT @x = col assigns, SELECT alias = expr names', () => {
    expect(core('SELECT @x = col FROM t', tsql).columns[0].expr).toMatchObject({ kind: 'assign', target: { kind: 'variable', name: 'x' } });
    expect(core('SELECT total = a + b FROM t', tsql).columns[0]).toMatchObject({ alias: { value: 'total' }, aliasEquals: true });
  });
});

describe('identifiers', () => {
  it('records the text as written and whether it was quoted', () => {
    expect(expr('FooBar')).toEqual(col('FooBar'));
    expect(expr('"FooBar"')).toEqual(col('FooBar', true));
    expect(expr('"a""b"')).toEqual(col('a"b', true));
    expect(expr('`a``b`', mysql)).toEqual(col('a`b', true));
    expect(expr('[a]]b]', tsql)).toEqual(col('a]b', true));
    expect(expr('"dq"', tsql)).toEqual(col('dq', true));
  });

  it('folds unquoted identifiers through the dialect', () => {
    const id = { value: 'FooBar', quoted: false };
    expect(postgres.foldIdentifier(id)).toBe('foobar');
    expect(firebird.foldIdentifier(id)).toBe('FOOBAR');
    expect(mysql.foldIdentifier(id)).toBe('FooBar');
    expect(tsql.caseFolding).toBe('preserve-ci');
    expect(tsql.foldIdentifier(id)).toBe(tsql.foldIdentifier({ value: 'FOOBAR', quoted: false }));
    for (const d of [postgres, firebird, mysql, tsql]) expect(d.foldIdentifier({ value: 'FooBar', quoted: true })).toBe('FooBar');
  });

  it('Firebird RDB$ / MON$ names, T-SQL #temp and ##global tables', () => {
    expect(core('SELECT * FROM RDB$DATABASE', firebird).from).toMatchObject([{ name: [{ value: 'RDB$DATABASE' }] }]);
    expect(core('SELECT * FROM ##g JOIN #t ON 1 = 1', tsql).from).toMatchObject([{ left: { name: [{ value: '##g' }] }, right: { name: [{ value: '#t' }] } }]);
  });

  it('registry resolves names and aliases', () => {
    expect(getDialect('pg')).toBe(postgres);
    expect(getDialect('PostgreSQL')).toBe(postgres);
    expect(getDialect('mssql')).toBe(tsql);
    expect(getDialect('mariadb')).toBe(mysql);
    expect(getDialect('fb')).toBe(firebird);
    expect(() => getDialect('oracle')).toThrow(expect.objectContaining({ code: '0A000' }));
  });
});

describe('literals', () => {
  const str = (value: string, extra: object = {}) => ({ kind: 'string', value, ...extra });

  it('PostgreSQL string forms', () => {
    expect(expr("'it''s'")).toEqual(str("it's"));
    expect(expr("E'a\\nb\\'c\\x41'")).toEqual(str("a\nb'cA", { style: 'E' }));
    expect(expr('$$a$b$$')).toEqual(str('a$b', { style: '$', tag: '' }));
    expect(expr('$q$it\'s$q$')).toEqual(str("it's", { style: '$', tag: 'q' }));
    expect(expr("U&'d\\0061t\\+000061'")).toEqual(str('data', { style: 'U&' }));
    expect(expr("U&'d!0061t' UESCAPE '!'")).toEqual(str('dat', { style: 'U&' }));
    expect(expr("N'x'")).toEqual(str('x', { style: 'N' }));
    expect(expr("'a'\n'b'")).toEqual(str('ab'));
  });

  it('bit, hex and numeric literals', () => {
    expect(expr("B'0101'")).toEqual({ kind: 'binary_string', format: 'B', value: '0101' });
    expect(expr("X'1F'")).toEqual({ kind: 'binary_string', format: 'X', value: '1F' });
    expect(expr('0x1F')).toEqual(num('0x1F'));
    expect(expr('0x1F', mysql)).toEqual({ kind: 'binary_string', format: '0x', value: '1F' });
    expect(expr('0x1F', tsql)).toEqual({ kind: 'binary_string', format: '0x', value: '1F' });
    expect(expr('1_000')).toEqual(num('1_000'));
    expect(expr('1.5e-3')).toEqual(num('1.5e-3'));
    expect(expr('.5')).toEqual(num('.5'));
  });

  it('MySQL backslash escapes, double-quoted strings, introducers, adjacent literals', () => {
    expect(expr("'a\\nb\\'c\\\\'", mysql)).toEqual(str("a\nb'c\\"));
    expect(expr('"dq ""x"""', mysql)).toEqual(str('dq "x"', { style: '"' }));
    expect(expr("_utf8mb4'x'", mysql)).toEqual(str('x', { charset: 'utf8mb4' }));
    expect(expr("'a' 'b'", mysql)).toEqual(str('ab'));
  });

  it('Firebird Q strings and introducers; T-SQL N strings', () => {
    expect(expr("Q'{it's}'", firebird)).toEqual(str("it's", { style: 'Q', tag: '{' }));
    expect(expr("_UTF8 'x'", firebird)).toEqual(str('x', { charset: 'UTF8' }));
    expect(expr("N'ü'", tsql)).toEqual(str('ü', { style: 'N' }));
  });

  it('booleans, NULL, typed and interval literals', () => {
    expect(expr('TRUE')).toEqual({ kind: 'boolean', value: true });
    expect(expr('NULL')).toEqual({ kind: 'null' });
    expect(expr("DATE '2020-01-01'")).toMatchObject({ kind: 'typed_literal', value: '2020-01-01', type: { name: [{ value: 'DATE' }] } });
    expect(expr("int4 '1'")).toMatchObject({ kind: 'typed_literal', value: '1', type: { name: [{ value: 'int4' }] } });
    expect(expr("INTERVAL '1' DAY")).toEqual({ kind: 'interval', value: str('1'), fields: 'DAY' });
    expect(expr('INTERVAL 1 DAY', mysql)).toEqual({ kind: 'interval', value: num('1'), fields: 'DAY' });
    expect(expr('TRUE', tsql)).toEqual(col('TRUE'));
  });
});

describe('parameter markers', () => {
  it('PostgreSQL $n', () => {
    expect(core('SELECT $1, $2').columns.map((c) => c.expr)).toEqual([
      { kind: 'param', style: '$', index: 1 },
      { kind: 'param', style: '$', index: 2 },
    ]);
  });

  it('MySQL ? numbered in order, @user and @@system variables', () => {
    expect(core('SELECT ?, ?, @v, @@session.sql_mode', mysql).columns.map((c) => c.expr)).toEqual([
      { kind: 'param', style: '?', index: 1 },
      { kind: 'param', style: '?', index: 2 },
      { kind: 'variable', sigil: '@', name: 'v' },
      { kind: 'variable', sigil: '@@', name: 'sql_mode', scope: 'session' },
    ]);
  });

  it('Firebird :name and ?', () => {
    expect(core('SELECT :id, ? FROM RDB$DATABASE', firebird).columns.map((c) => c.expr)).toEqual([
      { kind: 'param', style: ':', name: 'id' },
      { kind: 'param', style: '?', index: 1 },
    ]);
  });

  it('T-SQL @variables', () => {
    expect(expr('@p + @@ROWCOUNT', tsql)).toEqual(bin('+', { kind: 'variable', sigil: '@', name: 'p' }, { kind: 'variable', sigil: '@@', name: 'ROWCOUNT' }));
  });
});

describe('limit normalization', () => {
  const limitOf = (sql: string, d: Dialect): Limit => query(sql, d).limit!;
  const without = (l: Limit) => ({ ...l, syntax: undefined, noParens: undefined });

  const cases: [string, Dialect, Limit['syntax']][] = [
    ['SELECT a FROM t LIMIT 10 OFFSET 5', postgres, 'limit'],
    ['SELECT a FROM t OFFSET 5 LIMIT 10', postgres, 'limit'],
    ['SELECT a FROM t LIMIT 5, 10', mysql, 'limit_comma'],
    ['SELECT a FROM t LIMIT 10 OFFSET 5', mysql, 'limit'],
    ['SELECT a FROM t ORDER BY a OFFSET 5 ROWS FETCH NEXT 10 ROWS ONLY', postgres, 'offset_fetch'],
    ['SELECT a FROM t ORDER BY a OFFSET 5 ROWS FETCH NEXT 10 ROWS ONLY', tsql, 'offset_fetch'],
    ['SELECT FIRST 10 SKIP 5 a FROM t', firebird, 'first_skip'],
  ];

  it.each(cases)('%s', (sql, d, syntax) => {
    const l = limitOf(sql, d);
    expect(l.syntax).toBe(syntax);
    expect(without(l)).toEqual(without({ kind: 'limit', syntax, count: num('10'), offset: num('5') }));
    expect(print(parseOne(sql, d), d)).toContain(syntax === 'limit_comma' ? 'LIMIT 5, 10' : syntax === 'first_skip' ? 'FIRST 10 SKIP 5' : '10');
  });

  it('TOP n is a count without offset', () => {
    expect(limitOf('SELECT TOP (10) a FROM t', tsql)).toEqual({ kind: 'limit', syntax: 'top', count: num('10') });
    expect(limitOf('SELECT TOP 10 a FROM t', tsql)).toEqual({ kind: 'limit', syntax: 'top', count: num('10'), noParens: true });
    expect(limitOf('SELECT TOP (5) PERCENT WITH TIES a FROM t ORDER BY a', tsql)).toMatchObject({ percent: true, withTies: true });
    expect(limitOf('SELECT FIRST 10 a FROM t', firebird)).toEqual({ kind: 'limit', syntax: 'first_skip', count: num('10') });
    expect(limitOf('SELECT a FROM t LIMIT 10', postgres)).toEqual({ kind: 'limit', syntax: 'limit', count: num('10') });
  });

  it('Firebird ROWS m TO n', () => {
    expect(limitOf('SELECT a FROM t ROWS 11 TO 20', firebird)).toEqual({ kind: 'limit', syntax: 'rows', count: num('11'), rowsTo: num('20') });
  });

  it('prints in the dialect\'s own form, converting when needed', () => {
    const pg = parseOne('SELECT a FROM t ORDER BY a LIMIT 10 OFFSET 5', postgres);
    expect(print(pg, postgres)).toBe('SELECT a FROM t ORDER BY a LIMIT 10 OFFSET 5');
    expect(print(pg, tsql)).toBe('SELECT a FROM t ORDER BY a OFFSET 5 ROWS FETCH NEXT 10 ROWS ONLY');
    expect(print(parseOne('SELECT TOP (3) a FROM t', tsql), postgres)).toBe('SELECT a FROM t FETCH FIRST 3 ROWS ONLY');
    expect(print(parseOne('SELECT a FROM t LIMIT 3', mysql), firebird)).toBe('SELECT a FROM t FETCH FIRST 3 ROWS ONLY');
  });
});
