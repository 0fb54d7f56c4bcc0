// A Dialect with ISO SQL defaults: every optional capability off, `"x"`
// identifiers folding to upper case, standard string literals. Concrete
// dialects extend it and switch on what their language has.

import type { Ident } from './ast.ts';
import type {
  CaseFolding,
  Dialect,
  IdentifierQuote,
  IntervalSyntax,
  OperatorTable,
  ProceduralStyle,
  ZeroXLiteral,
} from './dialect.ts';
import { Prec } from './dialect.ts';

export function isAsciiLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

export function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** Letters (incl. non-ASCII) and `_` start identifiers in every built-in dialect. */
export function isStandardIdentStart(c: number): boolean {
  return isAsciiLetter(c) || c === 95 /* _ */ || c >= 128;
}

export function isStandardIdentPart(c: number): boolean {
  return isStandardIdentStart(c) || isDigit(c);
}

/** Builds an OperatorTable from plain records. */
export function operatorTable(
  infix: Record<string, number>,
  prefix: Record<string, number>,
  rightAssoc: string[] = [],
  otherOperator?: number,
  nonAssociativeLevels = false,
): OperatorTable {
  const table: OperatorTable = {
    infix: new Map(Object.entries(infix)),
    prefix: new Map(Object.entries(prefix)),
    rightAssoc: new Set(rightAssoc),
    ...(otherOperator !== undefined ? { otherOperator } : {}),
    ...(nonAssociativeLevels ? { nonAssociativeLevels } : {}),
  };
  return table;
}

/** ISO SQL precedence, used by dialects that do not need their own. */
export const standardOperators: OperatorTable = operatorTable(
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
    LIKE: Prec.compare,
    BETWEEN: Prec.compare,
    IN: Prec.compare,
    '||': Prec.other,
    '+': Prec.add,
    '-': Prec.add,
    '*': Prec.mul,
    '/': Prec.mul,
    COLLATE: Prec.collate,
  },
  { NOT: Prec.not, '-': Prec.unary, '+': Prec.unary },
);

export function wordSet(words: string): ReadonlySet<string> {
  return new Set(words.split(/\s+/).filter((w) => w.length > 0));
}

export class BaseDialect implements Dialect {
  readonly name: string = 'standard';
  readonly aliases: readonly string[] = [];
  readonly identifierQuotes: readonly IdentifierQuote[] = [{ open: '"', close: '"' }];
  readonly caseFolding: CaseFolding = 'upper';
  readonly operatorTokens: readonly string[] = ['<>', '<=', '>=', '!=', '||'];
  readonly operators: OperatorTable = standardOperators;
  protected readonly reservedWords: ReadonlySet<string> = new Set();
  protected readonly reservedFunctionNames: ReadonlySet<string> = new Set();

  supportsBracketIdentifiers(): boolean {
    return this.identifierQuotes.some((q) => q.open === '[');
  }
  isIdentifierStart(code: number): boolean {
    return isStandardIdentStart(code);
  }
  isIdentifierPart(code: number): boolean {
    return isStandardIdentPart(code);
  }
  foldIdentifier(id: Ident): string {
    if (id.quoted) return id.value;
    switch (this.caseFolding) {
      case 'lower':
        return id.value.toLowerCase();
      case 'upper':
        return id.value.toUpperCase();
      case 'preserve':
        return id.value;
      case 'preserve-ci':
        // Comparison is case-insensitive; a canonical key is the lower-case form.
        return id.value.toLowerCase();
    }
  }
  isReserved(upperWord: string): boolean {
    return this.reservedWords.has(upperWord);
  }
  isReservedFunctionName(upperWord: string): boolean {
    return this.reservedFunctionNames.has(upperWord);
  }

  supportsBackslashEscapes(): boolean { return false; }
  supportsDoubleQuotedStrings(): boolean { return false; }
  supportsEscapeStrings(): boolean { return false; }
  supportsDollarQuotedStrings(): boolean { return false; }
  supportsUnicodeEscapeStrings(): boolean { return false; }
  supportsNationalStrings(): boolean { return true; }
  supportsQQuotedStrings(): boolean { return false; }
  supportsCharsetIntroducers(): boolean { return false; }
  supportsHexStringLiterals(): boolean { return true; }
  supportsBitStringLiterals(): boolean { return false; }
  zeroXLiteral(): ZeroXLiteral { return 'none'; }
  adjacentStringConcat(): 'always' | 'newline' | 'never' { return 'never'; }
  supportsBooleanLiterals(): boolean { return true; }
  supportsTypedStringLiterals(): boolean { return true; }
  supportsGenericTypedLiterals(): boolean { return false; }
  intervalSyntax(): IntervalSyntax { return 'string'; }

  supportsNestedComments(): boolean { return false; }
  supportsHashComments(): boolean { return false; }
  supportsVersionedComments(): boolean { return false; }
  dashCommentNeedsSpace(): boolean { return false; }

  supportsDollarParameters(): boolean { return false; }
  supportsQuestionParameters(): boolean { return true; }
  supportsColonParameters(): boolean { return false; }
  supportsAtVariables(): boolean { return false; }

  supportsGenericOperators(): boolean { return false; }
  supportsDoubleColonCast(): boolean { return false; }
  supportsIlike(): boolean { return false; }
  supportsSimilarTo(): boolean { return false; }
  supportsRegexpOperator(): boolean { return false; }
  supportsContainingStarting(): boolean { return false; }
  supportsIsnullNotnull(): boolean { return false; }
  supportsAtTimeZone(): boolean { return false; }
  supportsArrays(): boolean { return false; }
  supportsOperatorKeyword(): boolean { return false; }
  supportsAssignmentExpression(): boolean { return false; }
  supportsNextValueFor(): boolean { return false; }
  convertStyle(): 'type_first' | 'expr_first' | null { return null; }
  supportsTryCast(): boolean { return false; }
  supportsUnsignedTypes(): boolean { return false; }

  supportsLimitOffsetComma(): boolean { return false; }
  supportsLimit(): boolean { return false; }
  supportsTopClause(): boolean { return false; }
  supportsFirstSkip(): boolean { return false; }
  supportsRowsClause(): boolean { return false; }
  supportsOffsetFetch(): boolean { return true; }
  supportsDistinctOn(): boolean { return false; }
  supportsEmptySelectList(): boolean { return false; }
  supportsLateral(): boolean { return false; }
  supportsJoinWithoutCondition(): boolean { return false; }
  rejectsTrailingJunkAfterNumbers(): boolean { return false; }
  supportsTableFunctions(): boolean { return false; }
  supportsApply(): boolean { return false; }
  supportsTableHints(): boolean { return false; }
  supportsIndexHints(): boolean { return false; }
  supportsMysqlSelectModifiers(): boolean { return false; }
  supportsSelectAssignment(): boolean { return false; }
  supportsStringAlias(): boolean { return false; }
  supportsForUpdate(): boolean { return false; }
  supportsWithLock(): boolean { return false; }
  supportsLockInShareMode(): boolean { return false; }
  supportsAggregateFilter(): boolean { return false; }
  supportsWithRollup(): boolean { return false; }
  supportsMinus(): boolean { return false; }
  supportsSelectIntoAtEnd(): boolean { return false; }
  supportsTableQuery(): boolean { return false; }
  schemaIsDatabase(): boolean { return false; }
  supportsMysqlShow(): boolean { return false; }
  supportsInlineIndexes(): boolean { return false; }
  supportsMysqlTableOptions(): boolean { return false; }
  supportsIdentityProperty(): boolean { return false; }
  supportsDefaultConstraintFor(): boolean { return false; }
  supportsTypelessComputedColumns(): boolean { return false; }

  supportsReturning(): boolean { return false; }
  supportsReturningInto(): boolean { return false; }
  supportsOnConflict(): boolean { return false; }
  supportsOnDuplicateKeyUpdate(): boolean { return false; }
  supportsMysqlInsertForms(): boolean { return false; }
  supportsUpdateOrInsert(): boolean { return false; }
  supportsOutputClause(): boolean { return false; }
  supportsUpdateLimit(): boolean { return false; }
  supportsMerge(): boolean { return true; }
  supportsOptionalInto(): boolean { return false; }
  supportsMultiTableDelete(): boolean { return false; }

  supportsOptionalSemicolons(): boolean { return false; }
  supportsGoBatchSeparator(): boolean { return false; }
  supportsSetTerm(): boolean { return false; }
  supportsExecuteBlock(): boolean { return false; }
  proceduralStyle(): ProceduralStyle { return 'none'; }
}
