// The Dialect interface: the lexical hooks and grammar capabilities of one SQL
// language. The parser core asks these questions and never looks at a
// dialect's name (CONVENTIONS.md, "Parser"), so a new dialect is a new
// implementation of this interface registered with registry.ts.
//
// Every predicate says what it enables and links the vendor documentation.
// Abbreviations: PG = PostgreSQL 16, MY = MySQL 8.0, TS = SQL Server (T-SQL),
// FB = Firebird 5.

import type { Ident } from './ast.ts';

/** An identifier quoting pair, e.g. `"` … `"`, `` ` `` … `` ` ``, `[` … `]`. */
export interface IdentifierQuote {
  readonly open: string;
  readonly close: string;
}

/**
 * How unquoted identifiers compare. The parser keeps the text as written;
 * folding happens through `Dialect.foldIdentifier` in the binder.
 * - 'lower': PG folds to lower case.
 * - 'upper': the SQL standard and FB fold to upper case.
 * - 'preserve': MY keeps case (table names follow lower_case_table_names).
 * - 'preserve-ci': TS keeps case and compares case-insensitively (default collation).
 */
export type CaseFolding = 'lower' | 'upper' | 'preserve' | 'preserve-ci';

/** What `0x1F` means: an integer (PG 16, FB), a binary string (MY, TS), or nothing. */
export type ZeroXLiteral = 'number' | 'binary' | 'none';

/** Which syntax INTERVAL literals take: PG `INTERVAL '1 day'`, MY `INTERVAL 1 DAY`. */
export type IntervalSyntax = 'string' | 'expression' | 'none';

/** The grammar of procedural statements: T-SQL batches or Firebird PSQL. */
export type ProceduralStyle = 'tsql' | 'psql' | 'none';

/**
 * Operator precedence of one dialect; a higher number binds tighter. Symbol
 * operators are keyed by their text, keyword operators by their upper-case
 * keyword ('AND', 'OR', 'XOR', 'DIV', 'MOD', 'IS', 'LIKE' (also ILIKE,
 * SIMILAR TO, REGEXP, CONTAINING, STARTING WITH), 'BETWEEN', 'IN', 'COLLATE',
 * 'AT' (AT TIME ZONE), '::' and '[' (subscript)). A key missing from `infix`
 * means the dialect has no such infix operator.
 */
export interface OperatorTable {
  readonly infix: ReadonlyMap<string, number>;
  /** Infix operators that associate to the right (default: left). */
  readonly rightAssoc: ReadonlySet<string>;
  /** Prefix operators ('-', '+', '~', 'NOT', '!', '@', …) and how tightly they bind their operand. */
  readonly prefix: ReadonlyMap<string, number>;
  /**
   * PG lets users define operators; any symbol operator not listed takes this
   * precedence ("any other operator"), both infix and prefix.
   * https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-PRECEDENCE
   */
  readonly otherOperator?: number;
  /**
   * PG declares comparison, LIKE/BETWEEN/IN and IS `%nonassoc`: `a = b = c`,
   * `a LIKE b LIKE c` and `a IS DISTINCT FROM b IS NULL` are syntax errors
   * (an operator of one of these levels cannot take as its left operand an
   * operation of the same level whose right operand is an expression).
   * https://www.postgresql.org/docs/15/sql-syntax-lexical.html#SQL-PRECEDENCE-TABLE
   */
  readonly nonAssociativeLevels?: boolean;
}

export interface Dialect {
  /** Canonical registry name: 'postgres', 'mysql', 'tsql', 'firebird', … */
  readonly name: string;
  /** Other names getDialect() accepts ('pg', 'postgresql', 'mssql', …). */
  readonly aliases: readonly string[];

  // ---------------------------------------------------------------- identifiers

  /**
   * Quote pairs that delimit identifiers, in order of preference.
   * PG/FB `"x"` https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-SYNTAX-IDENTIFIERS ;
   * MY `` `x` `` https://dev.mysql.com/doc/refman/8.0/en/identifiers.html ;
   * TS `[x]` and `"x"` https://learn.microsoft.com/sql/relational-databases/databases/database-identifiers
   */
  readonly identifierQuotes: readonly IdentifierQuote[];
  /** `[x]` quotes identifiers (TS); `[` is otherwise a subscript. Derived from identifierQuotes. https://learn.microsoft.com/sql/relational-databases/databases/database-identifiers */
  supportsBracketIdentifiers(): boolean;
  /** May an unquoted identifier start with this UTF-16 code unit? (TS: `@`, `#`, `_`). */
  isIdentifierStart(code: number): boolean;
  /** May an unquoted identifier continue with this code unit? (PG/FB/MY: `$`). */
  isIdentifierPart(code: number): boolean;
  /** Case folding of unquoted identifiers; see CaseFolding. */
  readonly caseFolding: CaseFolding;
  /** The name an identifier denotes after this dialect's folding. */
  foldIdentifier(id: Ident): string;
  /** Is this (upper-case) word reserved, i.e. unusable as an unquoted identifier? */
  isReserved(upperWord: string): boolean;
  /** Reserved words that may still name a function when followed by `(` (MY `IF(`, `LEFT(`). */
  isReservedFunctionName(upperWord: string): boolean;

  // ---------------------------------------------------------------- literals

  /** `\` escapes in '…' strings. MY https://dev.mysql.com/doc/refman/8.0/en/string-literals.html */
  supportsBackslashEscapes(): boolean;
  /** `"…"` is a string, not an identifier (MY without ANSI_QUOTES). https://dev.mysql.com/doc/refman/8.0/en/string-literals.html */
  supportsDoubleQuotedStrings(): boolean;
  /** PG `E'…'` C-style escape strings. https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-SYNTAX-STRINGS-ESCAPE */
  supportsEscapeStrings(): boolean;
  /** PG `$tag$…$tag$`. https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-SYNTAX-DOLLAR-QUOTING */
  supportsDollarQuotedStrings(): boolean;
  /** PG `U&'…'` [UESCAPE]. https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-SYNTAX-STRINGS-UESCAPE */
  supportsUnicodeEscapeStrings(): boolean;
  /** `N'…'` national strings. TS https://learn.microsoft.com/sql/t-sql/data-types/nchar-and-nvarchar-transact-sql */
  supportsNationalStrings(): boolean;
  /** FB `Q'{…}'` alternative quoting. https://firebirdsql.org/file/documentation/html/en/refdocs/fblangref50/firebird-50-language-reference.html#fblangref50-datatypes-chartypes-literals */
  supportsQQuotedStrings(): boolean;
  /** `_utf8'…'` character-set introducers. MY https://dev.mysql.com/doc/refman/8.0/en/charset-introducer.html */
  supportsCharsetIntroducers(): boolean;
  /** `X'1F'` hexadecimal string literals. MY https://dev.mysql.com/doc/refman/8.0/en/hexadecimal-literals.html */
  supportsHexStringLiterals(): boolean;
  /** `B'0101'` bit-string literals. PG https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-SYNTAX-BIT-STRINGS */
  supportsBitStringLiterals(): boolean;
  /**
   * Adjacent string literals concatenate: always (MY `'a' 'b'`), only across a
   * newline (PG, the SQL standard), or never. https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-SYNTAX-STRINGS
   */
  adjacentStringConcat(): 'always' | 'newline' | 'never';
  /** What `0x1F` is. PG 16 https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-SYNTAX-CONSTANTS-NUMERIC */
  zeroXLiteral(): ZeroXLiteral;
  /**
   * PG: a number or `$n` parameter directly followed by an identifier character
   * (`123abc`, `1.5x`, `$1a`) is 42601 "trailing junk after numeric literal"
   * (PostgreSQL 15 and later) rather than a number and an alias.
   * https://www.postgresql.org/docs/15/release-15.html (E.14.3.3)
   */
  rejectsTrailingJunkAfterNumbers(): boolean;
  /** TRUE/FALSE keywords. (TS has none.) https://www.postgresql.org/docs/16/datatype-boolean.html */
  supportsBooleanLiterals(): boolean;
  /** `DATE '2020-01-01'`, `TIMESTAMP '…'`. https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-SYNTAX-CONSTANTS-GENERIC */
  supportsTypedStringLiterals(): boolean;
  /** Any type name before a string is a typed literal (PG `int4 '1'`, `pg_catalog.int4 '1'`). */
  supportsGenericTypedLiterals(): boolean;
  /** INTERVAL literal syntax. PG https://www.postgresql.org/docs/16/datatype-datetime.html#DATATYPE-INTERVAL-INPUT ; MY https://dev.mysql.com/doc/refman/8.0/en/expressions.html#temporal-intervals */
  intervalSyntax(): IntervalSyntax;

  // ---------------------------------------------------------------- comments

  /** Block comments nest (PG, TS). https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-SYNTAX-COMMENTS */
  supportsNestedComments(): boolean;
  /** `# …` line comments. MY https://dev.mysql.com/doc/refman/8.0/en/comments.html */
  supportsHashComments(): boolean;
  /** `/*! … *\/` executable comments (and `/*!40101 … *\/`). MY https://dev.mysql.com/doc/refman/8.0/en/comments.html */
  supportsVersionedComments(): boolean;
  /** `--` starts a comment only when followed by whitespace (MY). */
  dashCommentNeedsSpace(): boolean;

  // ---------------------------------------------------------------- parameters and variables

  /** `$1` positional parameters. PG https://www.postgresql.org/docs/16/sql-expressions.html#SQL-EXPRESSIONS-PARAMETERS-POSITIONAL */
  supportsDollarParameters(): boolean;
  /** `?` parameter markers. MY https://dev.mysql.com/doc/refman/8.0/en/prepare.html */
  supportsQuestionParameters(): boolean;
  /** `:name` named parameters / PSQL variable references. FB https://firebirdsql.org/file/documentation/html/en/refdocs/fblangref50/firebird-50-language-reference.html#fblangref50-psql */
  supportsColonParameters(): boolean;
  /** `@name` variables and `@@name` system variables. TS https://learn.microsoft.com/sql/t-sql/language-elements/variables-transact-sql ; MY https://dev.mysql.com/doc/refman/8.0/en/user-variables.html */
  supportsAtVariables(): boolean;

  // ---------------------------------------------------------------- operators

  /**
   * PG forms operators from any run of `+ - * / < > = ~ ! @ # % ^ & | \` ?`.
   * https://www.postgresql.org/docs/16/sql-syntax-lexical.html#SQL-SYNTAX-OPERATORS
   * Other dialects list their multi-character operators in `operatorTokens`.
   */
  supportsGenericOperators(): boolean;
  /** Multi-character operator tokens, longest first, when operators are not generic. */
  readonly operatorTokens: readonly string[];
  /** Precedence table; see OperatorTable. */
  readonly operators: OperatorTable;
  /** `expr::type` casts. PG https://www.postgresql.org/docs/16/sql-expressions.html#SQL-SYNTAX-TYPE-CASTS */
  supportsDoubleColonCast(): boolean;
  /** ILIKE. PG https://www.postgresql.org/docs/16/functions-matching.html#FUNCTIONS-LIKE */
  supportsIlike(): boolean;
  /** SIMILAR TO. PG https://www.postgresql.org/docs/16/functions-matching.html#FUNCTIONS-SIMILARTO-REGEXP ; FB */
  supportsSimilarTo(): boolean;
  /** REGEXP / RLIKE. MY https://dev.mysql.com/doc/refman/8.0/en/regexp.html */
  supportsRegexpOperator(): boolean;
  /** CONTAINING and STARTING WITH. FB https://firebirdsql.org/file/documentation/html/en/refdocs/fblangref50/firebird-50-language-reference.html#fblangref50-commons-predcontaining */
  supportsContainingStarting(): boolean;
  /** Postfix ISNULL / NOTNULL. PG https://www.postgresql.org/docs/16/functions-comparison.html */
  supportsIsnullNotnull(): boolean;
  /** `x AT TIME ZONE z`. PG https://www.postgresql.org/docs/16/functions-datetime.html#FUNCTIONS-DATETIME-ZONECONVERT ; TS */
  supportsAtTimeZone(): boolean;
  /** ARRAY[…], ARRAY(subquery), `a[i]`, `a[i:j]`, `int[]`. PG https://www.postgresql.org/docs/16/arrays.html */
  supportsArrays(): boolean;
  /** `OPERATOR(schema.op)`. PG https://www.postgresql.org/docs/16/sql-expressions.html#SQL-EXPRESSIONS-OPERATOR-CALLS */
  supportsOperatorKeyword(): boolean;
  /** `@v := expr` assignment inside expressions. MY https://dev.mysql.com/doc/refman/8.0/en/assignment-operators.html */
  supportsAssignmentExpression(): boolean;
  /** `NEXT VALUE FOR seq`. FB, TS https://learn.microsoft.com/sql/t-sql/functions/next-value-for-transact-sql */
  supportsNextValueFor(): boolean;
  /** CONVERT argument order: TS `CONVERT(type, expr[, style])`, MY `CONVERT(expr, type)`; null when absent. */
  convertStyle(): 'type_first' | 'expr_first' | null;
  /** UNSIGNED / SIGNED / ZEROFILL / BINARY and CHARSET attributes on types. MY https://dev.mysql.com/doc/refman/8.0/en/numeric-type-attributes.html */
  supportsUnsignedTypes(): boolean;
  /** `TRY_CAST(x AS t)`. TS https://learn.microsoft.com/sql/t-sql/functions/try-cast-transact-sql */
  supportsTryCast(): boolean;

  // ---------------------------------------------------------------- queries

  /** MY `LIMIT offset, count`. https://dev.mysql.com/doc/refman/8.0/en/select.html */
  supportsLimitOffsetComma(): boolean;
  /** `LIMIT n [OFFSET m]`. PG https://www.postgresql.org/docs/16/sql-select.html#SQL-LIMIT */
  supportsLimit(): boolean;
  /** TS `TOP (n) [PERCENT] [WITH TIES]`. https://learn.microsoft.com/sql/t-sql/queries/top-transact-sql */
  supportsTopClause(): boolean;
  /** FB `SELECT FIRST n SKIP m`. https://firebirdsql.org/file/documentation/html/en/refdocs/fblangref50/firebird-50-language-reference.html#fblangref50-dml-select-first-skip */
  supportsFirstSkip(): boolean;
  /** FB `ROWS m [TO n]`. https://firebirdsql.org/file/documentation/html/en/refdocs/fblangref50/firebird-50-language-reference.html#fblangref50-dml-select-rows */
  supportsRowsClause(): boolean;
  /** `OFFSET n ROWS FETCH {FIRST|NEXT} m ROWS {ONLY|WITH TIES}`. PG, TS https://learn.microsoft.com/sql/t-sql/queries/select-order-by-clause-transact-sql */
  supportsOffsetFetch(): boolean;
  /** `DISTINCT ON (…)`. PG https://www.postgresql.org/docs/16/sql-select.html#SQL-DISTINCT */
  supportsDistinctOn(): boolean;
  /** A SELECT with an empty target list (`SELECT FROM t`). PG https://www.postgresql.org/docs/16/sql-select.html */
  supportsEmptySelectList(): boolean;
  /** LATERAL derived tables and functions. PG https://www.postgresql.org/docs/16/queries-table-expressions.html#QUERIES-LATERAL */
  supportsLateral(): boolean;
  /**
   * MY `a JOIN b` without ON/USING (a cross join);
   * https://dev.mysql.com/doc/refman/8.0/en/join.html . PG, TS and FB require the condition.
   */
  supportsJoinWithoutCondition(): boolean;
  /** Functions in FROM, WITH ORDINALITY, column definition lists. PG https://www.postgresql.org/docs/16/queries-table-expressions.html#QUERIES-TABLEFUNCTIONS */
  supportsTableFunctions(): boolean;
  /** CROSS APPLY / OUTER APPLY. TS https://learn.microsoft.com/sql/t-sql/queries/from-transact-sql */
  supportsApply(): boolean;
  /** `WITH (NOLOCK)` table hints. TS https://learn.microsoft.com/sql/t-sql/queries/hints-transact-sql-table */
  supportsTableHints(): boolean;
  /** `USE|FORCE|IGNORE INDEX (…)`. MY https://dev.mysql.com/doc/refman/8.0/en/index-hints.html */
  supportsIndexHints(): boolean;
  /** STRAIGHT_JOIN and SELECT modifiers (SQL_CALC_FOUND_ROWS …). MY https://dev.mysql.com/doc/refman/8.0/en/select.html */
  supportsMysqlSelectModifiers(): boolean;
  /** `alias = expr` and `@v = expr` in the select list. TS https://learn.microsoft.com/sql/t-sql/queries/select-clause-transact-sql */
  supportsSelectAssignment(): boolean;
  /** String literals as column aliases (`SELECT 1 'a'`). MY, TS */
  supportsStringAlias(): boolean;
  /** `FOR UPDATE|SHARE [OF …] [NOWAIT|SKIP LOCKED]`. PG https://www.postgresql.org/docs/16/sql-select.html#SQL-FOR-UPDATE-SHARE */
  supportsForUpdate(): boolean;
  /** FB `WITH LOCK`. https://firebirdsql.org/file/documentation/html/en/refdocs/fblangref50/firebird-50-language-reference.html#fblangref50-dml-select-withlock */
  supportsWithLock(): boolean;
  /** MY `LOCK IN SHARE MODE`. https://dev.mysql.com/doc/refman/8.0/en/innodb-locking-reads.html */
  supportsLockInShareMode(): boolean;
  /** FILTER (WHERE …) on aggregates. PG https://www.postgresql.org/docs/16/sql-expressions.html#SYNTAX-AGGREGATES */
  supportsAggregateFilter(): boolean;
  /** `GROUP BY … WITH ROLLUP`. MY https://dev.mysql.com/doc/refman/8.0/en/group-by-modifiers.html */
  supportsWithRollup(): boolean;
  /** MINUS as a synonym of EXCEPT (none of the four by default). */
  supportsMinus(): boolean;
  /** `TABLE name` as a query. PG https://www.postgresql.org/docs/16/sql-select.html#SQL-TABLE ; MY https://dev.mysql.com/doc/refman/8.0/en/table.html */
  supportsTableQuery(): boolean;
  /** `SELECT … INTO var-list` at the end of a SELECT (FB PSQL). https://firebirdsql.org/file/documentation/html/en/refdocs/fblangref50/firebird-50-language-reference.html#fblangref50-psql-select */
  supportsSelectIntoAtEnd(): boolean;

  // ---------------------------------------------------------------- DML

  /** RETURNING on INSERT/UPDATE/DELETE. PG https://www.postgresql.org/docs/16/dml-returning.html ; FB */
  supportsReturning(): boolean;
  /** `RETURNING … INTO :a, :b`. FB https://firebirdsql.org/file/documentation/html/en/refdocs/fblangref50/firebird-50-language-reference.html#fblangref50-dml-insert-returning */
  supportsReturningInto(): boolean;
  /** `ON CONFLICT … DO NOTHING|UPDATE`. PG https://www.postgresql.org/docs/16/sql-insert.html#SQL-ON-CONFLICT */
  supportsOnConflict(): boolean;
  /** `ON DUPLICATE KEY UPDATE`. MY https://dev.mysql.com/doc/refman/8.0/en/insert-on-duplicate.html */
  supportsOnDuplicateKeyUpdate(): boolean;
  /** `INSERT IGNORE`, `REPLACE INTO`, `INSERT … SET`. MY https://dev.mysql.com/doc/refman/8.0/en/insert.html */
  supportsMysqlInsertForms(): boolean;
  /** FB `UPDATE OR INSERT … MATCHING (…)`. https://firebirdsql.org/file/documentation/html/en/refdocs/fblangref50/firebird-50-language-reference.html#fblangref50-dml-update-or-insert */
  supportsUpdateOrInsert(): boolean;
  /** TS `OUTPUT inserted.* [INTO …]`. https://learn.microsoft.com/sql/t-sql/queries/output-clause-transact-sql */
  supportsOutputClause(): boolean;
  /** ORDER BY / LIMIT on UPDATE and DELETE. MY https://dev.mysql.com/doc/refman/8.0/en/update.html */
  supportsUpdateLimit(): boolean;
  /** INSERT/MERGE without INTO. MY https://dev.mysql.com/doc/refman/8.0/en/insert.html ; TS https://learn.microsoft.com/sql/t-sql/statements/insert-transact-sql */
  supportsOptionalInto(): boolean;
  /** `DELETE t1 FROM t1 JOIN …` and T-SQL `DELETE FROM t FROM …`. MY https://dev.mysql.com/doc/refman/8.0/en/delete.html ; TS https://learn.microsoft.com/sql/t-sql/statements/delete-transact-sql */
  supportsMultiTableDelete(): boolean;
  /** MERGE. PG 15 https://www.postgresql.org/docs/16/sql-merge.html ; TS ; FB */
  supportsMerge(): boolean;

  /** SHOW TABLES / DATABASES / COLUMNS FROM / CREATE TABLE / VARIABLES LIKE …. MY https://dev.mysql.com/doc/refman/8.0/en/show.html */
  supportsMysqlShow(): boolean;

  // ---------------------------------------------------------------- DDL

  /** CREATE SCHEMA means CREATE DATABASE (MY). https://dev.mysql.com/doc/refman/8.0/en/create-database.html */
  schemaIsDatabase(): boolean;
  /** ENGINE=…, DEFAULT CHARSET=…, AUTO_INCREMENT=… table options (MY). https://dev.mysql.com/doc/refman/8.0/en/create-table.html#create-table-options */
  supportsMysqlTableOptions(): boolean;
  /** TS `IDENTITY(seed, increment)` column property. https://learn.microsoft.com/sql/t-sql/statements/create-table-transact-sql-identity-property */
  supportsIdentityProperty(): boolean;
  /** TS computed columns without a type: `c AS a + b [PERSISTED]`. https://learn.microsoft.com/sql/relational-databases/tables/specify-computed-columns-in-a-table */
  supportsTypelessComputedColumns(): boolean;
  /** TS `ALTER TABLE t ADD CONSTRAINT df DEFAULT expr FOR col`. https://learn.microsoft.com/sql/t-sql/statements/alter-table-table-constraint-transact-sql */
  supportsDefaultConstraintFor(): boolean;
  /** `INDEX|KEY name (cols)` inside CREATE TABLE (MY). https://dev.mysql.com/doc/refman/8.0/en/create-table.html */
  supportsInlineIndexes(): boolean;

  // ---------------------------------------------------------------- scripts and procedures

  /** Statements may follow one another without `;` (TS). https://learn.microsoft.com/sql/t-sql/language-elements/transact-sql-syntax-conventions-transact-sql */
  supportsOptionalSemicolons(): boolean;
  /** `GO` lines split batches (sqlcmd/SSMS). https://learn.microsoft.com/sql/t-sql/language-elements/sql-server-utilities-statements-go */
  supportsGoBatchSeparator(): boolean;
  /** isql `SET TERM ^ ;`. https://firebirdsql.org/file/documentation/html/en/firebirddocs/isql/firebird-isql.html#isql-set-term */
  supportsSetTerm(): boolean;
  /** FB `EXECUTE BLOCK`. https://firebirdsql.org/file/documentation/html/en/refdocs/fblangref50/firebird-50-language-reference.html#fblangref50-dml-execblock */
  supportsExecuteBlock(): boolean;
  /** Which procedural grammar bodies use. */
  proceduralStyle(): ProceduralStyle;
}

/** Precedence levels shared by the built-in tables (higher binds tighter). */
export const Prec = {
  assign: 1,
  or: 2,
  xor: 3,
  and: 4,
  not: 5,
  is: 6,
  compare: 7,
  like: 8,
  other: 9,
  bitOr: 10,
  bitAnd: 11,
  shift: 12,
  add: 13,
  mul: 14,
  exp: 15,
  at: 16,
  collate: 17,
  unary: 18,
  member: 19,
  subscript: 20,
  cast: 21,
} as const;
