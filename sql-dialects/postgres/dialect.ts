// PostgreSQL 16.
// Lexical structure: https://www.postgresql.org/docs/16/sql-syntax-lexical.html
// Key words: https://www.postgresql.org/docs/16/sql-keywords-appendix.html

import { BaseDialect, isStandardIdentPart, operatorTable, wordSet } from '../base_dialect.ts';
import type { CaseFolding, IntervalSyntax, OperatorTable, ProceduralStyle, ZeroXLiteral } from '../dialect.ts';
import { Prec } from '../dialect.ts';

/** Reserved and "reserved (can be function or type)" key words of PG 16. */
const reserved = wordSet(`
  ALL ANALYSE ANALYZE AND ANY ARRAY AS ASC ASYMMETRIC BOTH CASE CAST CHECK COLLATE COLUMN CONSTRAINT
  CREATE CURRENT_CATALOG CURRENT_DATE CURRENT_ROLE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER DEFAULT
  DEFERRABLE DESC DISTINCT DO ELSE END EXCEPT FALSE FETCH FOR FOREIGN FROM GRANT GROUP HAVING IN
  INITIALLY INTERSECT INTO LATERAL LEADING LIMIT LOCALTIME LOCALTIMESTAMP NOT NULL OFFSET ON ONLY OR
  ORDER PLACING PRIMARY REFERENCES RETURNING SELECT SESSION_USER SOME SYMMETRIC SYSTEM_USER TABLE THEN
  TO TRAILING TRUE UNION UNIQUE USER USING VARIADIC WHEN WHERE WINDOW WITH
  AUTHORIZATION BINARY COLLATION CONCURRENTLY CROSS CURRENT_SCHEMA FREEZE FULL ILIKE INNER IS ISNULL
  JOIN LEFT LIKE NATURAL NOTNULL OUTER OVERLAPS RIGHT SIMILAR TABLESAMPLE VERBOSE
`);

/** The "can be function or type" key words may still name a function. */
const reservedFunctions = wordSet(`
  AUTHORIZATION BINARY COLLATION CONCURRENTLY CROSS CURRENT_SCHEMA FREEZE FULL ILIKE INNER IS ISNULL
  JOIN LEFT LIKE NATURAL NOTNULL OUTER OVERLAPS RIGHT SIMILAR TABLESAMPLE VERBOSE
`);

/** https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-PRECEDENCE */
const pgOperators: OperatorTable = operatorTable(
  {
    OR: Prec.or,
    AND: Prec.and,
    IS: Prec.is,
    '=': Prec.compare,
    '<>': Prec.compare,
    '!=': Prec.compare,
    '<': Prec.compare,
    '>': Prec.compare,
    '<=': Prec.compare,
    '>=': Prec.compare,
    LIKE: Prec.like,
    BETWEEN: Prec.like,
    IN: Prec.like,
    '+': Prec.add,
    '-': Prec.add,
    '*': Prec.mul,
    '/': Prec.mul,
    '%': Prec.mul,
    '^': Prec.exp,
    AT: Prec.at,
    COLLATE: Prec.collate,
    '[': Prec.subscript,
    '::': Prec.cast,
  },
  { NOT: Prec.not, '-': Prec.unary, '+': Prec.unary },
  [],
  Prec.other,
  true,
);

export class PostgresDialect extends BaseDialect {
  override readonly name = 'postgres';
  override readonly aliases = ['pg', 'postgresql', 'pgsql'];
  override readonly caseFolding: CaseFolding = 'lower';
  override readonly operators = pgOperators;
  protected override readonly reservedWords = reserved;
  protected override readonly reservedFunctionNames = reservedFunctions;

  override isIdentifierPart(code: number): boolean {
    return isStandardIdentPart(code) || code === 36; /* $ */
  }

  override supportsEscapeStrings(): boolean { return true; }
  override supportsDollarQuotedStrings(): boolean { return true; }
  override supportsUnicodeEscapeStrings(): boolean { return true; }
  override supportsBitStringLiterals(): boolean { return true; }
  override adjacentStringConcat(): 'always' | 'newline' | 'never' { return 'newline'; }
  override zeroXLiteral(): ZeroXLiteral { return 'number'; }
  override rejectsTrailingJunkAfterNumbers(): boolean { return true; }
  override supportsGenericTypedLiterals(): boolean { return true; }
  override intervalSyntax(): IntervalSyntax { return 'string'; }
  override supportsNestedComments(): boolean { return true; }
  override supportsDollarParameters(): boolean { return true; }
  override supportsQuestionParameters(): boolean { return false; }
  override supportsGenericOperators(): boolean { return true; }
  override supportsDoubleColonCast(): boolean { return true; }
  override supportsIlike(): boolean { return true; }
  override supportsSimilarTo(): boolean { return true; }
  override supportsIsnullNotnull(): boolean { return true; }
  override supportsAtTimeZone(): boolean { return true; }
  override supportsArrays(): boolean { return true; }
  override supportsOperatorKeyword(): boolean { return true; }
  override supportsLimit(): boolean { return true; }
  override supportsDistinctOn(): boolean { return true; }
  override supportsEmptySelectList(): boolean { return true; }
  override supportsLateral(): boolean { return true; }
  override supportsTableFunctions(): boolean { return true; }
  override supportsForUpdate(): boolean { return true; }
  override supportsAggregateFilter(): boolean { return true; }
  override supportsTableQuery(): boolean { return true; }
  override supportsReturning(): boolean { return true; }
  override supportsOnConflict(): boolean { return true; }
  override proceduralStyle(): ProceduralStyle { return 'none'; }
}

export const postgres = new PostgresDialect();
