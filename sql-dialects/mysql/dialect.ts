// MySQL 8.0 (and MariaDB where the syntax is shared), with the default
// sql_mode: backslash escapes on, ANSI_QUOTES and PIPES_AS_CONCAT off.
// Lexical structure: https://dev.mysql.com/doc/refman/8.0/en/language-structure.html
// Key words: https://dev.mysql.com/doc/refman/8.0/en/keywords.html

import { BaseDialect, isStandardIdentPart, isStandardIdentStart, operatorTable, wordSet } from '../base_dialect.ts';
import type { CaseFolding, IdentifierQuote, IntervalSyntax, OperatorTable, ZeroXLiteral } from '../dialect.ts';
import { Prec } from '../dialect.ts';

/** Reserved words of MySQL 8.0 (DUAL is left out so that `FROM DUAL` parses as a table). */
const reserved = wordSet(`
  ACCESSIBLE ADD ALL ALTER ANALYZE AND AS ASC ASENSITIVE BEFORE BETWEEN BIGINT BINARY BLOB BOTH BY CALL
  CASCADE CASE CHANGE CHAR CHARACTER CHECK COLLATE COLUMN CONDITION CONSTRAINT CONTINUE CONVERT CREATE
  CROSS CUBE CUME_DIST CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURSOR DATABASE DATABASES
  DAY_HOUR DAY_MICROSECOND DAY_MINUTE DAY_SECOND DEC DECIMAL DECLARE DEFAULT DELAYED DELETE DENSE_RANK
  DESC DESCRIBE DETERMINISTIC DISTINCT DISTINCTROW DIV DOUBLE DROP EACH ELSE ELSEIF EMPTY ENCLOSED
  ESCAPED EXCEPT EXISTS EXIT EXPLAIN FALSE FETCH FIRST_VALUE FLOAT FLOAT4 FLOAT8 FOR FORCE FOREIGN FROM
  FULLTEXT FUNCTION GENERATED GET GRANT GROUP GROUPING GROUPS HAVING HIGH_PRIORITY HOUR_MICROSECOND
  HOUR_MINUTE HOUR_SECOND IF IGNORE IN INDEX INFILE INNER INOUT INSENSITIVE INSERT INT INT1 INT2 INT3
  INT4 INT8 INTEGER INTERSECT INTERVAL INTO IO_AFTER_GTIDS IO_BEFORE_GTIDS IS ITERATE JOIN JSON_TABLE KEY
  KEYS KILL LAG LAST_VALUE LATERAL LEAD LEADING LEAVE LEFT LIKE LIMIT LINEAR LINES LOAD LOCALTIME
  LOCALTIMESTAMP LOCK LONG LONGBLOB LONGTEXT LOOP LOW_PRIORITY MATCH MAXVALUE MEDIUMBLOB MEDIUMINT
  MEDIUMTEXT MIDDLEINT MINUTE_MICROSECOND MINUTE_SECOND MOD MODIFIES NATURAL NOT NO_WRITE_TO_BINLOG
  NTH_VALUE NTILE NULL NUMERIC OF ON OPTIMIZE OPTIMIZER_COSTS OPTION OPTIONALLY OR ORDER OUT OUTER
  OUTFILE OVER PARTITION PERCENT_RANK PRECISION PRIMARY PROCEDURE PURGE RANGE RANK READ READS READ_WRITE
  REAL RECURSIVE REFERENCES REGEXP RELEASE RENAME REPEAT REPLACE REQUIRE RESIGNAL RESTRICT RETURN REVOKE
  RIGHT RLIKE ROW ROWS ROW_NUMBER SCHEMA SCHEMAS SECOND_MICROSECOND SELECT SENSITIVE SEPARATOR SET SHOW
  SIGNAL SMALLINT SPATIAL SPECIFIC SQL SQLEXCEPTION SQLSTATE SQLWARNING SQL_BIG_RESULT
  SQL_CALC_FOUND_ROWS SQL_SMALL_RESULT SSL STARTING STORED STRAIGHT_JOIN SYSTEM TABLE TERMINATED THEN
  TINYBLOB TINYINT TINYTEXT TO TRAILING TRIGGER TRUE UNDO UNION UNIQUE UNLOCK UNSIGNED UPDATE USAGE USE
  USING UTC_DATE UTC_TIME UTC_TIMESTAMP VALUES VARBINARY VARCHAR VARCHARACTER VARYING VIRTUAL WHEN WHERE
  WHILE WINDOW WITH WRITE XOR YEAR_MONTH ZEROFILL
`);

/** Reserved words that are also built-in function names (`IF(…)`, `LEFT(…)`, `VALUES(col)`, …). */
const reservedFunctions = wordSet(`
  CHAR LEFT RIGHT IF REPLACE INSERT MOD REPEAT VALUES DATABASE SCHEMA MATCH ROW_NUMBER RANK DENSE_RANK
  LAG LEAD FIRST_VALUE LAST_VALUE NTH_VALUE NTILE CUME_DIST PERCENT_RANK GROUPING CURRENT_USER
  UTC_TIMESTAMP UTC_DATE UTC_TIME LOCALTIME LOCALTIMESTAMP CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP
  DEFAULT INTERVAL ROW TRUNCATE
`);

/** https://dev.mysql.com/doc/refman/8.0/en/operator-precedence.html */
const mysqlOperators: OperatorTable = operatorTable(
  {
    ':=': Prec.assign,
    OR: Prec.or,
    '||': Prec.or,
    XOR: Prec.xor,
    AND: Prec.and,
    '&&': Prec.and,
    BETWEEN: Prec.is,
    '=': Prec.compare,
    '<=>': Prec.compare,
    '>=': Prec.compare,
    '>': Prec.compare,
    '<=': Prec.compare,
    '<': Prec.compare,
    '<>': Prec.compare,
    '!=': Prec.compare,
    IS: Prec.compare,
    LIKE: Prec.compare,
    IN: Prec.compare,
    '|': Prec.bitOr,
    '&': Prec.bitAnd,
    '<<': Prec.shift,
    '>>': Prec.shift,
    '-': Prec.add,
    '+': Prec.add,
    '*': Prec.mul,
    '/': Prec.mul,
    DIV: Prec.mul,
    '%': Prec.mul,
    MOD: Prec.mul,
    '^': Prec.exp,
    COLLATE: Prec.collate,
    '->': Prec.member,
    '->>': Prec.member,
  },
  { NOT: Prec.not, '-': Prec.unary, '+': Prec.unary, '~': Prec.unary, '!': Prec.member, BINARY: Prec.collate },
  [':='],
);

export class MysqlDialect extends BaseDialect {
  override readonly name = 'mysql';
  override readonly aliases = ['mariadb', 'my'];
  override readonly identifierQuotes: readonly IdentifierQuote[] = [{ open: '`', close: '`' }];
  override readonly caseFolding: CaseFolding = 'preserve';
  override readonly operatorTokens = ['<=>', '->>', '->', '<=', '>=', '<>', '!=', '<<', '>>', '&&', '||', ':='];
  override readonly operators = mysqlOperators;
  protected override readonly reservedWords = reserved;
  protected override readonly reservedFunctionNames = reservedFunctions;

  override isIdentifierStart(code: number): boolean {
    return isStandardIdentStart(code) || code === 36; /* $ */
  }
  override isIdentifierPart(code: number): boolean {
    return isStandardIdentPart(code) || code === 36;
  }

  override supportsBackslashEscapes(): boolean { return true; }
  override supportsDoubleQuotedStrings(): boolean { return true; }
  override supportsCharsetIntroducers(): boolean { return true; }
  override supportsBitStringLiterals(): boolean { return true; }
  override adjacentStringConcat(): 'always' | 'newline' | 'never' { return 'always'; }
  override zeroXLiteral(): ZeroXLiteral { return 'binary'; }
  override intervalSyntax(): IntervalSyntax { return 'expression'; }
  override supportsHashComments(): boolean { return true; }
  override supportsVersionedComments(): boolean { return true; }
  override dashCommentNeedsSpace(): boolean { return true; }
  override supportsAtVariables(): boolean { return true; }
  override supportsRegexpOperator(): boolean { return true; }
  override supportsAssignmentExpression(): boolean { return true; }
  override convertStyle(): 'type_first' | 'expr_first' | null { return 'expr_first'; }
  override supportsUnsignedTypes(): boolean { return true; }
  override supportsLimitOffsetComma(): boolean { return true; }
  override supportsLimit(): boolean { return true; }
  override supportsOffsetFetch(): boolean { return false; }
  override supportsLateral(): boolean { return false; }
  override supportsJoinWithoutCondition(): boolean { return true; }
  override supportsIndexHints(): boolean { return true; }
  override supportsMysqlSelectModifiers(): boolean { return true; }
  override supportsStringAlias(): boolean { return true; }
  override supportsForUpdate(): boolean { return true; }
  override supportsLockInShareMode(): boolean { return true; }
  override supportsWithRollup(): boolean { return true; }
  override supportsSelectIntoAtEnd(): boolean { return true; }
  override supportsTableQuery(): boolean { return true; }
  override supportsOnDuplicateKeyUpdate(): boolean { return true; }
  override supportsMysqlInsertForms(): boolean { return true; }
  override supportsUpdateLimit(): boolean { return true; }
  override supportsMerge(): boolean { return false; }
  override supportsOptionalInto(): boolean { return true; }
  override supportsMultiTableDelete(): boolean { return true; }
  override supportsMysqlShow(): boolean { return true; }
  override schemaIsDatabase(): boolean { return true; }
  override supportsInlineIndexes(): boolean { return true; }
  override supportsMysqlTableOptions(): boolean { return true; }
}

export const mysql = new MysqlDialect();
