// Transact-SQL (SQL Server 2019+), QUOTED_IDENTIFIER ON.
// https://learn.microsoft.com/sql/t-sql/language-elements/language-elements-transact-sql
// Reserved key words: https://learn.microsoft.com/sql/t-sql/language-elements/reserved-keywords-transact-sql

import { BaseDialect, isStandardIdentPart, isStandardIdentStart, operatorTable, wordSet } from '../base_dialect.ts';
import type { CaseFolding, IdentifierQuote, IntervalSyntax, OperatorTable, ProceduralStyle, ZeroXLiteral } from '../dialect.ts';
import { Prec } from '../dialect.ts';

const reserved = wordSet(`
  ADD ALL ALTER AND ANY AS ASC AUTHORIZATION BACKUP BEGIN BETWEEN BREAK BROWSE BULK BY CASCADE CASE CHECK
  CHECKPOINT CLOSE CLUSTERED COALESCE COLLATE COLUMN COMMIT COMPUTE CONSTRAINT CONTAINS CONTAINSTABLE
  CONTINUE CONVERT CREATE CROSS CURRENT CURRENT_DATE CURRENT_TIME CURRENT_TIMESTAMP CURRENT_USER CURSOR
  DATABASE DBCC DEALLOCATE DECLARE DEFAULT DELETE DENY DESC DISK DISTINCT DISTRIBUTED DOUBLE DROP DUMP
  ELSE END ERRLVL ESCAPE EXCEPT EXEC EXECUTE EXISTS EXIT EXTERNAL FETCH FILE FILLFACTOR FOR FOREIGN
  FREETEXT FREETEXTTABLE FROM FULL FUNCTION GOTO GRANT GROUP HAVING HOLDLOCK IDENTITY IDENTITY_INSERT
  IDENTITYCOL IF IN INDEX INNER INSERT INTERSECT INTO IS JOIN KEY KILL LEFT LIKE LINENO LOAD MERGE
  NATIONAL NOCHECK NONCLUSTERED NOT NULL NULLIF OF OFF OFFSETS ON OPEN OPENDATASOURCE OPENQUERY
  OPENROWSET OPENXML OPTION OR ORDER OUTER OVER PERCENT PIVOT PLAN PRECISION PRIMARY PRINT PROC PROCEDURE
  PUBLIC RAISERROR READ READTEXT RECONFIGURE REFERENCES REPLICATION RESTORE RESTRICT RETURN REVERT REVOKE
  RIGHT ROLLBACK ROWCOUNT ROWGUIDCOL RULE SAVE SCHEMA SECURITYAUDIT SELECT SEMANTICKEYPHRASETABLE
  SEMANTICSIMILARITYDETAILSTABLE SEMANTICSIMILARITYTABLE SESSION_USER SET SETUSER SHUTDOWN SOME STATISTICS
  SYSTEM_USER TABLE TABLESAMPLE TEXTSIZE THEN TO TOP TRAN TRANSACTION TRIGGER TRUNCATE TRY_CONVERT
  TSEQUAL UNION UNIQUE UNPIVOT UPDATE UPDATETEXT USE USER VALUES VARYING VIEW WAITFOR WHEN WHERE WHILE
  WITH WRITETEXT
`);

const reservedFunctions = wordSet(`
  COALESCE NULLIF LEFT RIGHT TRY_CONVERT IDENTITY CONTAINS FREETEXT OPENQUERY OPENROWSET OPENXML
  OPENDATASOURCE CONTAINSTABLE FREETEXTTABLE USER SESSION_USER SYSTEM_USER
`);

/** https://learn.microsoft.com/sql/t-sql/language-elements/operator-precedence-transact-sql */
const tsqlOperators: OperatorTable = operatorTable(
  {
    OR: Prec.or,
    AND: Prec.and,
    IS: Prec.is,
    '=': Prec.compare,
    '>': Prec.compare,
    '<': Prec.compare,
    '>=': Prec.compare,
    '<=': Prec.compare,
    '<>': Prec.compare,
    '!=': Prec.compare,
    '!>': Prec.compare,
    '!<': Prec.compare,
    LIKE: Prec.compare,
    BETWEEN: Prec.compare,
    IN: Prec.compare,
    '+': Prec.add,
    '-': Prec.add,
    '&': Prec.add,
    '^': Prec.add,
    '|': Prec.add,
    '*': Prec.mul,
    '/': Prec.mul,
    '%': Prec.mul,
    AT: Prec.at,
    COLLATE: Prec.collate,
  },
  { NOT: Prec.not, '-': Prec.unary, '+': Prec.unary, '~': Prec.unary },
);

export class TsqlDialect extends BaseDialect {
  override readonly name = 'tsql';
  override readonly aliases = ['mssql', 'sqlserver', 'tds', 't-sql'];
  override readonly identifierQuotes: readonly IdentifierQuote[] = [
    { open: '[', close: ']' },
    { open: '"', close: '"' },
  ];
  override readonly caseFolding: CaseFolding = 'preserve-ci';
  override readonly operatorTokens = ['>=', '<=', '<>', '!=', '!<', '!>', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '::'];
  override readonly operators = tsqlOperators;
  protected override readonly reservedWords = reserved;
  protected override readonly reservedFunctionNames = reservedFunctions;

  override isIdentifierStart(code: number): boolean {
    // `$` starts only the pseudo-columns ($action, $identity, $rowguid).
    return isStandardIdentStart(code) || code === 35 /* # */ || code === 64 /* @ */ || code === 36; /* $ */
  }
  override isIdentifierPart(code: number): boolean {
    return isStandardIdentPart(code) || code === 35 || code === 64 || code === 36;
  }

  override supportsHexStringLiterals(): boolean { return false; }
  override zeroXLiteral(): ZeroXLiteral { return 'binary'; }
  override supportsBooleanLiterals(): boolean { return false; }
  override supportsTypedStringLiterals(): boolean { return false; }
  override intervalSyntax(): IntervalSyntax { return 'none'; }
  override supportsNestedComments(): boolean { return true; }
  override supportsAtVariables(): boolean { return true; }
  override supportsAtTimeZone(): boolean { return true; }
  override supportsNextValueFor(): boolean { return true; }
  override convertStyle(): 'type_first' | 'expr_first' | null { return 'type_first'; }
  override supportsTryCast(): boolean { return true; }
  override supportsTopClause(): boolean { return true; }
  override supportsApply(): boolean { return true; }
  override supportsTableHints(): boolean { return true; }
  override supportsSelectAssignment(): boolean { return true; }
  override supportsStringAlias(): boolean { return true; }
  override supportsOutputClause(): boolean { return true; }
  override supportsOptionalInto(): boolean { return true; }
  override supportsMultiTableDelete(): boolean { return true; }
  override supportsIdentityProperty(): boolean { return true; }
  override supportsDefaultConstraintFor(): boolean { return true; }
  override supportsTypelessComputedColumns(): boolean { return true; }
  override supportsOptionalSemicolons(): boolean { return true; }
  override supportsGoBatchSeparator(): boolean { return true; }
  override proceduralStyle(): ProceduralStyle { return 'tsql'; }
}

export const tsql = new TsqlDialect();
