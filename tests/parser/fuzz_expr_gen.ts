// A grammar-aware generator of expressions for the fuzz tests: random trees of
// each dialect's operators, predicates and special forms, rendered as SQL.

import fc from 'fast-check';

interface ExprVocab {
  leaves: string[];
  binary: string[];
  prefix: string[];
  extras: ((a: string, b: string, c: string) => string)[];
}

const common_binary = ['+', '-', '*', '/', '=', '<', '>', '<=', '>=', '<>', 'AND', 'OR'];
const common_extras: ((a: string, b: string, c: string) => string)[] = [
  (a) => `(${a})`,
  (a) => `NOT ${a}`,
  (a, b, c) => `${a} BETWEEN ${b} AND ${c}`,
  (a, b, c) => `${a} NOT BETWEEN ${b} AND ${c}`,
  (a, b, c) => `${a} IN (${b}, ${c})`,
  (a) => `${a} IS NULL`,
  (a) => `${a} IS NOT NULL`,
  (a, b) => `${a} LIKE ${b}`,
  (a, b) => `${a} NOT LIKE ${b} ESCAPE '!'`,
  (a, b, c) => `CASE WHEN ${a} THEN ${b} ELSE ${c} END`,
  (a, b) => `CASE ${a} WHEN ${b} THEN 1 END`,
  (a, b) => `coalesce(${a}, ${b})`,
  (a) => `CAST(${a} AS INTEGER)`,
  (a) => `EXISTS (SELECT ${a})`,
  (a) => `(SELECT ${a})`,
  (a) => `count(${a})`,
  (a, b) => `${a} IN (SELECT ${b})`,
  (a, b) => `SUBSTRING(${a} FROM ${b})`,
  (a) => `TRIM(${a})`,
];

export const expr_vocab: Record<string, ExprVocab> = {
  postgres: {
    leaves: ['a', 't.b', '1', '2.5', "'s'", '$1', 'NULL', 'TRUE', "E'x\\ny'", 'ARRAY[1, 2]', 'x[1]', 'CURRENT_DATE', "INTERVAL '1 day'", "DATE '2020-01-01'"],
    binary: [...common_binary, '^', '%', '||', '->', '->>', '@>', '<@', '~', '~*', '!~', '&', '|', '#', '<<', '>>', 'IS DISTINCT FROM', 'IS NOT DISTINCT FROM', 'ILIKE', 'SIMILAR TO'],
    prefix: ['-', '+', '~', '@', 'NOT'],
    extras: [
      ...common_extras,
      (a) => `${a}::text`,
      (a) => `(${a})::int[]`,
      (a) => `${a} ISNULL`,
      (a, b) => `${a} = ANY (ARRAY[${b}])`,
      (a) => `${a} COLLATE "C"`,
      (a) => `${a} AT TIME ZONE 'UTC'`,
      (a) => `(${a})[1:2]`,
      (a, b) => `${a} OPERATOR(pg_catalog.+) ${b}`,
      (a) => `EXTRACT(YEAR FROM ${a})`,
      (a, b) => `POSITION(${a} IN ${b})`,
      (a) => `ROW(${a}, 1)`,
      (a) => `sum(${a}) FILTER (WHERE ${a}) OVER (PARTITION BY ${a})`,
    ],
  },
  mysql: {
    leaves: ['a', '`t`.`b`', '1', '2.5', "'s'", '?', 'NULL', 'TRUE', '@v', '@@session.x', "X'1F'", '0x1F', '"dq"'],
    binary: [...common_binary, '%', 'DIV', 'MOD', 'XOR', '&&', '||', '<=>', '!=', '&', '|', '^', '<<', '>>', 'REGEXP', '->', '->>'],
    prefix: ['-', '+', '~', '!', 'NOT', 'BINARY'],
    extras: [...common_extras, (a) => `${a} COLLATE utf8mb4_bin`, (a) => `${a} + INTERVAL 1 DAY`, (a) => `IF(${a}, 1, 2)`, (_a, b) => `@x := ${b}`],
  },
  tsql: {
    leaves: ['a', '[t].[b]', '1', '2.5', "'s'", "N'n'", '@x', '@@ROWCOUNT', 'NULL', '0x1F', 'GETDATE()'],
    binary: [...common_binary, '%', '&', '|', '^', '!<', '!>', '!='],
    prefix: ['-', '+', '~', 'NOT'],
    extras: [...common_extras, (a) => `CONVERT(INT, ${a})`, (a) => `TRY_CAST(${a} AS BIT)`, (a) => `IIF(${a}, 1, 0)`],
  },
  firebird: {
    leaves: ['a', 't.b', '1', '2.5', "'s'", ':p', '?', 'NULL', 'TRUE', "_UTF8'u'", "Q'{q}'", 'CURRENT_TIMESTAMP', 'GEN_ID(g, 1)'],
    binary: [...common_binary, '||', '^=', '~=', '!=', '!<', '!>', 'CONTAINING', 'STARTING WITH', 'SIMILAR TO', 'IS DISTINCT FROM'],
    prefix: ['-', '+', 'NOT'],
    extras: [...common_extras, (a) => `IIF(${a}, 1, 0)`, () => 'NEXT VALUE FOR s'],
  },
};

/** Arbitrary SQL expression text for a dialect (valid or nearly valid). */
export function exprArbitrary(dialect: string): fc.Arbitrary<string> {
  const v = expr_vocab[dialect];
  const { expr } = fc.letrec<{ expr: string }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constantFrom(...v.leaves),
      fc.tuple(tie('expr'), fc.constantFrom(...v.binary), tie('expr')).map(([a, op, b]) => `${a} ${op} ${b}`),
      fc.tuple(fc.constantFrom(...v.prefix), tie('expr')).map(([op, a]) => (/^[A-Z]/.test(op) ? `${op} ${a}` : `${op}${a}`)),
      fc.tuple(fc.constantFrom(...v.extras), tie('expr'), tie('expr'), tie('expr')).map(([f, a, b, c]) => f(a, b, c)),
    ),
  }));
  return expr;
}
