// Firebird 5.0, SQL dialect 3.
// https://firebirdsql.org/file/documentation/html/en/refdocs/fblangref50/firebird-50-language-reference.html
// Reserved words: https://firebirdsql.org/file/documentation/html/en/refdocs/fblangref50/firebird-50-language-reference.html#fblangref50-appx03-reskeywords

import { BaseDialect, isStandardIdentPart, operatorTable, wordSet } from '../base_dialect.ts';
import type { CaseFolding, IntervalSyntax, OperatorTable, ProceduralStyle, ZeroXLiteral } from '../dialect.ts';
import { Prec } from '../dialect.ts';

/**
 * Reserved words of Firebird 5. Date-part names (YEAR … SECOND), VALUE and the
 * context variables (ROW_COUNT, SQLCODE, GDSCODE) are left out: they are
 * reserved but appear where the grammar expects a name or an expression
 * (`DATEADD(DAY, 1, d)`, `CHECK (VALUE > 0)`).
 */
const reserved = wordSet(`
  ADD ADMIN ALL ALTER AND ANY AS AT AVG BEGIN BETWEEN BIGINT BINARY BIT_LENGTH BLOB BOOLEAN BOTH BY
  CASE CAST CHAR CHAR_LENGTH CHARACTER CHARACTER_LENGTH CHECK CLOSE COLLATE COLUMN COMMENT COMMIT CONNECT
  CONSTRAINT CORR COUNT COVAR_POP COVAR_SAMP CREATE CROSS CURRENT CURRENT_CONNECTION CURRENT_DATE
  CURRENT_ROLE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_TRANSACTION CURRENT_USER CURSOR DEC DECFLOAT
  DECIMAL DECLARE DEFAULT DELETE DETERMINISTIC DISCONNECT DISTINCT DOUBLE DROP ELSE END ESCAPE
  EXECUTE EXISTS EXTERNAL EXTRACT FALSE FETCH FILTER FLOAT FOR FOREIGN FROM FULL FUNCTION GLOBAL GRANT
  GROUP HAVING IN INDEX INNER INSENSITIVE INSERT INT INT128 INTEGER INTO IS JOIN LEADING LEFT LIKE LOCAL
  LOCALTIME LOCALTIMESTAMP LONG LOWER MAX MERGE MIN NATIONAL NATURAL NCHAR NO NOT NULL NUMERIC
  OCTET_LENGTH OF OFFSET ON ONLY OPEN OR ORDER OUTER OVER PARAMETER PLAN POSITION POST_EVENT PRECISION
  PRIMARY PROCEDURE REAL RECORD_VERSION RECREATE RECURSIVE REFERENCES RELEASE RETURN RETURNING_VALUES
  RETURNS REVOKE RIGHT ROLLBACK ROW ROWS SAVEPOINT SCROLL SELECT SENSITIVE SET SIMILAR SMALLINT SOME
  START STDDEV_POP STDDEV_SAMP SUM TABLE THEN TO TRAILING TRIGGER TRIM TRUE UNBOUNDED UNION UNIQUE UNKNOWN
  UPDATE UPPER USER USING VALUES VAR_POP VAR_SAMP VARBINARY VARCHAR VARIABLE VARYING VIEW WHEN WHERE WHILE
  WINDOW WITH WITHOUT
`);

const reservedFunctions = wordSet(`
  AVG COUNT MAX MIN SUM LOWER UPPER CHAR_LENGTH CHARACTER_LENGTH OCTET_LENGTH BIT_LENGTH CORR COVAR_POP
  COVAR_SAMP STDDEV_POP STDDEV_SAMP VAR_POP VAR_SAMP LEFT RIGHT
`);

/** Concatenation binds tighter than arithmetic in Firebird. */
const fbOperators: OperatorTable = operatorTable(
  {
    OR: Prec.or,
    AND: Prec.and,
    IS: Prec.is,
    '=': Prec.compare,
    '<>': Prec.compare,
    '!=': Prec.compare,
    '^=': Prec.compare,
    '~=': Prec.compare,
    '<': Prec.compare,
    '>': Prec.compare,
    '<=': Prec.compare,
    '>=': Prec.compare,
    '!<': Prec.compare,
    '~<': Prec.compare,
    '^<': Prec.compare,
    '!>': Prec.compare,
    '~>': Prec.compare,
    '^>': Prec.compare,
    LIKE: Prec.compare,
    BETWEEN: Prec.compare,
    IN: Prec.compare,
    '+': Prec.add,
    '-': Prec.add,
    '*': Prec.mul,
    '/': Prec.mul,
    '||': Prec.exp,
    AT: Prec.at,
    COLLATE: Prec.collate,
  },
  { NOT: Prec.not, '-': Prec.unary, '+': Prec.unary },
);

export class FirebirdDialect extends BaseDialect {
  override readonly name = 'firebird';
  override readonly aliases = ['fb', 'interbase'];
  override readonly caseFolding: CaseFolding = 'upper';
  override readonly operatorTokens = ['||', '<>', '!=', '^=', '~=', '>=', '<=', '!<', '~<', '^<', '!>', '~>', '^>'];
  override readonly operators = fbOperators;
  protected override readonly reservedWords = reserved;
  protected override readonly reservedFunctionNames = reservedFunctions;

  override isIdentifierPart(code: number): boolean {
    return isStandardIdentPart(code) || code === 36; /* $ */
  }

  override supportsQQuotedStrings(): boolean { return true; }
  override supportsCharsetIntroducers(): boolean { return true; }
  override supportsNationalStrings(): boolean { return true; }
  override zeroXLiteral(): ZeroXLiteral { return 'number'; }
  override intervalSyntax(): IntervalSyntax { return 'none'; }
  override supportsColonParameters(): boolean { return true; }
  override supportsSimilarTo(): boolean { return true; }
  override supportsContainingStarting(): boolean { return true; }
  override supportsAtTimeZone(): boolean { return true; }
  override supportsNextValueFor(): boolean { return true; }
  override supportsFirstSkip(): boolean { return true; }
  override supportsRowsClause(): boolean { return true; }
  override supportsForUpdate(): boolean { return true; }
  override supportsWithLock(): boolean { return true; }
  override supportsAggregateFilter(): boolean { return true; }
  override supportsSelectIntoAtEnd(): boolean { return true; }
  override supportsReturning(): boolean { return true; }
  override supportsReturningInto(): boolean { return true; }
  override supportsUpdateOrInsert(): boolean { return true; }
  override supportsSetTerm(): boolean { return true; }
  override supportsExecuteBlock(): boolean { return true; }
  override proceduralStyle(): ProceduralStyle { return 'psql'; }
}

export const firebird = new FirebirdDialect();
