// The tokenizer shared by every dialect. Lexical differences come from
// Dialect hooks (quotes, string prefixes, comments, parameters, operators).
// It never throws anything but SbError 42601 (unterminated strings, quoted
// identifiers and comments); an unknown character becomes a one-character
// operator token that the parser then reports.
//
// Script terminators: a `;` is an ordinary 'op' token. isql's SET TERM and
// sqlcmd's GO lines produce 'term' tokens, because what ends a statement
// there is decided by the script, not by the grammar.

import type { Dialect } from './dialect.ts';
import { isDigit } from './base_dialect.ts';
import { syntaxErrorAt } from './errors.ts';
import {
  isOpChar,
  mysqlEscape,
  scanBitString,
  scanGenericOperator,
  scanNumber,
  scanDollarString,
  scanEscapeString,
  scanQString,
  scanUnicodeString,
  type Scanned,
} from './lexer_scan.ts';

export type TokenType =
  | 'word' // unquoted identifier or keyword
  | 'qident' // quoted identifier
  | 'string' // character string literal (value decoded)
  | 'number'
  | 'bitstr' // X'..', B'..', 0x.. (binary dialects), 0b..
  | 'param' // $1, ?, :name
  | 'variable' // @v, @@v
  | 'op' // operators and punctuation
  | 'term' // script terminator: GO line, SET TERM terminator
  | 'termdef' // the new terminator of SET TERM
  | 'eof';

export interface Token {
  type: TokenType;
  /** Source offsets, end exclusive. */
  start: number;
  end: number;
  /** Identifier text, decoded string, number text, operator text. */
  value: string;
  /** Upper-case value of a word; '' for other tokens. */
  upper: string;
  /** String style (E, N, U&, $, Q, "), bit-string format (X, B, 0x, 0b), variable sigil. */
  style?: string;
  /** Dollar-quote tag, Q-string delimiter, variable scope. */
  tag?: string;
  /** Character-set introducer (`_utf8'…'`). */
  charset?: string;
  /** Quoted variable name (MY @'x'). */
  quoted?: boolean;
}


function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}


export function tokenize(sql: string, d: Dialect): Token[] {
  return new Lexer(sql, d).run();
}

class Lexer {
  private readonly tokens: Token[] = [];
  private i = 0;
  private terminator = ';';
  private versionedCommentDepth = 0;
  private readonly quoteOpen = new Map<number, string>();
  private readonly n: number;

  constructor(
    private readonly sql: string,
    private readonly d: Dialect,
  ) {
    this.n = sql.length;
    for (const q of d.identifierQuotes) {
      if (q.open === '[' && !d.supportsBracketIdentifiers()) continue;
      this.quoteOpen.set(q.open.charCodeAt(0), q.close);
    }
  }

  private push(type: TokenType, start: number, end: number, value: string, extra?: Partial<Token>): Token {
    const t: Token = { type, start, end, value, upper: '' };
    if (extra) {
      if (extra.style !== undefined) t.style = extra.style;
      if (extra.tag !== undefined) t.tag = extra.tag;
      if (extra.charset !== undefined) t.charset = extra.charset;
      if (extra.quoted !== undefined) t.quoted = extra.quoted;
    }
    this.tokens.push(t);
    return t;
  }

  private fail(start: number, what: string): never {
    throw syntaxErrorAt(this.sql, start, this.sql.slice(start), what);
  }

  private readonly failer = (start: number, what: string): never => this.fail(start, what);

  run(): Token[] {
    const { sql } = this;
    while (this.i < this.n) {
      const c = sql.charCodeAt(this.i);
      if (isSpace(c)) {
        this.i++;
        continue;
      }
      if (this.terminator !== ';' && sql.startsWith(this.terminator, this.i)) {
        this.push('term', this.i, this.i + this.terminator.length, this.terminator);
        this.i += this.terminator.length;
        continue;
      }
      if (this.skipComment(c)) continue;
      this.lexToken(c);
    }
    this.push('eof', this.n, this.n, '');
    return this.tokens;
  }

  /** Skips a comment at the cursor; false if there is none. */
  private skipComment(c: number): boolean {
    const { sql, d } = this;
    const c1 = this.i + 1 < this.n ? sql.charCodeAt(this.i + 1) : 0;
    if (c === 45 /* - */ && c1 === 45) {
      if (d.dashCommentNeedsSpace()) {
        const c2 = this.i + 2 < this.n ? sql.charCodeAt(this.i + 2) : 32;
        if (!isSpace(c2) && c2 >= 32) return false;
      }
      this.skipLine();
      return true;
    }
    if (c === 35 /* # */ && d.supportsHashComments()) {
      this.skipLine();
      return true;
    }
    if (c === 42 /* * */ && c1 === 47 && this.versionedCommentDepth > 0) {
      this.versionedCommentDepth--;
      this.i += 2;
      return true;
    }
    if (c === 47 /* / */ && c1 === 42 /* * */) {
      if (d.supportsVersionedComments() && sql.charCodeAt(this.i + 2) === 33 /* ! */) {
        // MySQL executable comment: its content is SQL; the version number is dropped.
        this.i += 3;
        while (this.i < this.n && isDigit(sql.charCodeAt(this.i))) this.i++;
        this.versionedCommentDepth++;
        return true;
      }
      this.skipBlockComment();
      return true;
    }
    return false;
  }

  private skipLine(): void {
    const nl = this.sql.indexOf('\n', this.i);
    this.i = nl < 0 ? this.n : nl + 1;
  }

  private skipBlockComment(): void {
    const { sql } = this;
    const start = this.i;
    const nested = this.d.supportsNestedComments();
    let depth = 1;
    let j = this.i + 2;
    while (j < this.n) {
      const c = sql.charCodeAt(j);
      if (c === 42 && sql.charCodeAt(j + 1) === 47) {
        depth--;
        j += 2;
        if (depth === 0) {
          this.i = j;
          return;
        }
        continue;
      }
      if (nested && c === 47 && sql.charCodeAt(j + 1) === 42) {
        depth++;
        j += 2;
        continue;
      }
      j++;
    }
    this.fail(start, 'unterminated /* comment');
  }

  private lexToken(c: number): void {
    const { sql, d } = this;
    const start = this.i;
    const c1 = start + 1 < this.n ? sql.charCodeAt(start + 1) : 0;

    if (c === 39 /* ' */) {
      this.lexQuotedString(start, start, undefined, undefined);
      return;
    }
    if (c === 34 /* " */ && d.supportsDoubleQuotedStrings()) {
      this.lexQuotedString(start, start, '"', undefined);
      return;
    }
    const close = this.quoteOpen.get(c);
    if (close !== undefined) {
      this.lexQuotedIdent(start, close);
      return;
    }
    if (isDigit(c) || (c === 46 /* . */ && isDigit(c1))) {
      this.lexNumber(start);
      return;
    }
    if (c === 64 /* @ */ && d.supportsAtVariables()) {
      this.lexVariable(start);
      return;
    }
    if (c === 36 /* $ */ && d.supportsDollarQuotedStrings() && this.tryDollarString(start)) return;
    if (c === 36 && d.supportsDollarParameters() && isDigit(c1)) {
      let j = start + 1;
      while (j < this.n && isDigit(sql.charCodeAt(j))) j++;
      this.checkTrailingJunk(start, j, 'parameter');
      this.push('param', start, j, sql.slice(start + 1, j), { style: '$' });
      this.i = j;
      return;
    }
    if (c === 63 /* ? */ && d.supportsQuestionParameters()) {
      this.push('param', start, start + 1, '?', { style: '?' });
      this.i = start + 1;
      return;
    }
    if (c === 58 /* : */ && d.supportsColonParameters() && c1 !== 0 && d.isIdentifierStart(c1) && c1 !== 64 && c1 !== 35) {
      let j = start + 2;
      while (j < this.n && d.isIdentifierPart(sql.charCodeAt(j))) j++;
      this.push('param', start, j, sql.slice(start + 1, j), { style: ':' });
      this.i = j;
      return;
    }
    if (c === 58 && d.supportsColonParameters() && c1 === 34 /* :"Name" */) {
      const tokStart = this.tokens.length;
      this.lexQuotedIdent(start + 1, '"');
      const q = this.tokens.pop()!;
      this.tokens.length = tokStart;
      this.push('param', start, q.end, q.value, { style: ':', quoted: true });
      return;
    }
    if (d.isIdentifierStart(c)) {
      if (this.tryPrefixedString(start, c, c1)) return;
      this.lexWord(start);
      return;
    }
    this.lexOperator(start, c);
  }

  /** E'…', N'…', U&'…', X'…', B'…', Q'…', _charset'…'; false if the word is not such a prefix. */
  private tryPrefixedString(start: number, c: number, c1: number): boolean {
    const { sql, d } = this;
    const up = c & ~32;
    if (c1 === 39) {
      if (up === 69 /* E */ && d.supportsEscapeStrings()) {
        this.lexEscapeString(start);
        return true;
      }
      if (up === 78 /* N */ && d.supportsNationalStrings()) {
        this.lexQuotedString(start, start + 1, 'N', undefined);
        return true;
      }
      if (up === 88 /* X */ && d.supportsHexStringLiterals()) {
        this.lexBitString(start, 'X');
        return true;
      }
      if (up === 66 /* B */ && (d.supportsBitStringLiterals() || d.supportsHexStringLiterals())) {
        this.lexBitString(start, 'B');
        return true;
      }
      if (up === 81 /* Q */ && d.supportsQQuotedStrings()) {
        this.lexQString(start);
        return true;
      }
    }
    if (up === 85 /* U */ && c1 === 38 /* & */ && sql.charCodeAt(start + 2) === 39 && d.supportsUnicodeEscapeStrings()) {
      this.lexUnicodeString(start);
      return true;
    }
    if (c === 95 /* _ */ && d.supportsCharsetIntroducers()) {
      let j = start + 1;
      while (j < this.n && d.isIdentifierPart(sql.charCodeAt(j))) j++;
      let k = j;
      while (k < this.n && (sql.charCodeAt(k) === 32 || sql.charCodeAt(k) === 9)) k++;
      if (j > start + 1 && sql.charCodeAt(k) === 39) {
        this.lexQuotedString(start, k, undefined, sql.slice(start + 1, j));
        return true;
      }
    }
    return false;
  }

  private lexWord(start: number): void {
    const { sql, d } = this;
    let j = start + 1;
    while (j < this.n && d.isIdentifierPart(sql.charCodeAt(j))) j++;
    const text = sql.slice(start, j);
    const upper = text.toUpperCase();
    this.i = j;
    if (upper === 'GO' && d.supportsGoBatchSeparator() && this.tryGoLine(start, j)) return;
    const t = this.push('word', start, j, text);
    t.upper = upper;
    if (upper === 'TERM' && d.supportsSetTerm()) this.trySetTerm();
  }

  /** sqlcmd: GO [count] alone on its line ends a batch. */
  private tryGoLine(start: number, end: number): boolean {
    const { sql } = this;
    for (let k = start - 1; k >= 0; k--) {
      const c = sql.charCodeAt(k);
      if (c === 10) break;
      if (!isSpace(c)) return false;
    }
    let j = end;
    while (j < this.n && (sql.charCodeAt(j) === 32 || sql.charCodeAt(j) === 9)) j++;
    let count = '';
    const digitsStart = j;
    while (j < this.n && isDigit(sql.charCodeAt(j))) j++;
    count = sql.slice(digitsStart, j);
    while (j < this.n && (sql.charCodeAt(j) === 32 || sql.charCodeAt(j) === 9 || sql.charCodeAt(j) === 13)) j++;
    if (j < this.n && sql.charCodeAt(j) !== 10 && !sql.startsWith('--', j)) return false;
    this.push('term', start, j, 'GO', count ? { tag: count } : undefined);
    this.i = j;
    return true;
  }

  /** isql: `SET TERM new old` at the start of a statement changes the terminator. */
  private trySetTerm(): void {
    const toks = this.tokens;
    const k = toks.length - 2;
    if (k < 0 || toks[k].upper !== 'SET') return;
    const before = k > 0 ? toks[k - 1] : undefined;
    if (before && before.type !== 'term' && !(before.type === 'op' && before.value === ';')) return;
    const { sql } = this;
    let j = this.i;
    while (j < this.n && isSpace(sql.charCodeAt(j))) j++;
    const runStart = j;
    while (j < this.n && !isSpace(sql.charCodeAt(j))) j++;
    if (j === runStart) return;
    let run = sql.slice(runStart, j);
    let previous: string | undefined;
    if (run.length > this.terminator.length && run.endsWith(this.terminator)) {
      previous = this.terminator;
      run = run.slice(0, run.length - this.terminator.length);
    }
    this.push('termdef', runStart, runStart + run.length, run);
    this.i = runStart + run.length;
    if (previous === undefined) {
      let m = j;
      while (m < this.n && (sql.charCodeAt(m) === 32 || sql.charCodeAt(m) === 9)) m++;
      const prevStart = m;
      while (m < this.n && !isSpace(sql.charCodeAt(m))) m++;
      if (m > prevStart) {
        this.push('term', prevStart, m, sql.slice(prevStart, m));
        this.i = m;
      }
    } else {
      this.push('term', j - previous.length, j, previous);
      this.i = j;
    }
    this.terminator = run;
  }

  private lexQuotedIdent(start: number, close: string): void {
    const { sql } = this;
    const closeCode = close.charCodeAt(0);
    let j = start + 1;
    let value = '';
    let segment = j;
    for (;;) {
      if (j >= this.n) this.fail(start, 'unterminated quoted identifier');
      if (sql.charCodeAt(j) === closeCode) {
        if (sql.charCodeAt(j + 1) === closeCode) {
          value += sql.slice(segment, j + 1);
          j += 2;
          segment = j;
          continue;
        }
        value += sql.slice(segment, j);
        j++;
        break;
      }
      j++;
    }
    if (value.length === 0) this.fail(start, 'zero-length delimited identifier');
    this.push('qident', start, j, value, { style: sql[start] });
    this.i = j;
  }

  /** '…' with '' doubling and, where the dialect has them, backslash escapes. */
  private lexQuotedString(start: number, quoteAt: number, style: string | undefined, charset: string | undefined): void {
    const { sql } = this;
    const q = sql.charCodeAt(quoteAt);
    const backslash = this.d.supportsBackslashEscapes();
    let j = quoteAt + 1;
    let value = '';
    let segment = j;
    for (;;) {
      if (j >= this.n) this.fail(start, 'unterminated quoted string');
      const c = sql.charCodeAt(j);
      if (c === q) {
        if (sql.charCodeAt(j + 1) === q) {
          value += sql.slice(segment, j + 1);
          j += 2;
          segment = j;
          continue;
        }
        value += sql.slice(segment, j);
        j++;
        // 'a' 'b' is one literal 'ab' (MySQL always, the standard across a newline).
        const cont = style === undefined || style === 'N' ? this.continuationQuote(j, q) : -1;
        if (cont < 0) break;
        j = cont + 1;
        segment = j;
        continue;
      }
      if (c === 92 /* \ */ && backslash) {
        value += sql.slice(segment, j);
        if (j + 1 >= this.n) this.fail(start, 'unterminated quoted string');
        value += mysqlEscape(sql[j + 1]);
        j += 2;
        segment = j;
        continue;
      }
      j++;
    }
    const extra: Partial<Token> = {};
    if (style) extra.style = style;
    if (charset) extra.charset = charset;
    this.push('string', start, j, value, extra);
    this.i = j;
  }

  /** Offset of a string literal that continues the one ending at `j`, or -1. */
  private continuationQuote(j: number, q: number): number {
    const mode = this.d.adjacentStringConcat();
    if (mode === 'never') return -1;
    let k = j;
    let newline = false;
    while (k < this.n && isSpace(this.sql.charCodeAt(k))) {
      if (this.sql.charCodeAt(k) === 10) newline = true;
      k++;
    }
    if (k === j || this.sql.charCodeAt(k) !== q) return -1;
    if (mode === 'newline' && !newline) return -1;
    return k;
  }

  private pushScanned(type: TokenType, start: number, r: Scanned, extra: Partial<Token>): void {
    this.push(type, start, r.end, r.value, extra);
    this.i = r.end;
  }

  private lexEscapeString(start: number): void {
    this.pushScanned('string', start, scanEscapeString(this.sql, start, this.failer), { style: 'E' });
  }

  private lexUnicodeString(start: number): void {
    this.pushScanned('string', start, scanUnicodeString(this.sql, start, this.failer), { style: 'U&' });
  }

  /** PG $tag$…$tag$; false when `$` does not open one. */
  private tryDollarString(start: number): boolean {
    const d = this.d;
    const r = scanDollarString(this.sql, start, (c) => d.isIdentifierStart(c), (c) => d.isIdentifierPart(c), this.failer);
    if (!r) return false;
    this.pushScanned('string', start, r, { style: '$', tag: r.tag });
    return true;
  }

  private lexQString(start: number): void {
    const r = scanQString(this.sql, start, this.failer);
    this.pushScanned('string', start, r, { style: 'Q', tag: r.tag });
  }

  private lexBitString(start: number, format: 'X' | 'B'): void {
    this.pushScanned('bitstr', start, scanBitString(this.sql, start, format, this.failer, this.d.name !== 'postgres'), { style: format });
  }

  /** PG: an identifier character right after a number or parameter is an error, not an alias. */
  private checkTrailingJunk(start: number, end: number, what: string): void {
    if (!this.d.rejectsTrailingJunkAfterNumbers() || end >= this.n) return;
    const c = this.sql.charCodeAt(end);
    if (!this.d.isIdentifierStart(c)) return;
    let j = end;
    while (j < this.n && this.d.isIdentifierPart(this.sql.charCodeAt(j))) j++;
    throw syntaxErrorAt(this.sql, start, this.sql.slice(start, j), `trailing junk after ${what}`);
  }

  private lexNumber(start: number): void {
    const r = scanNumber(this.sql, start, this.d.zeroXLiteral());
    this.checkTrailingJunk(start, r.end, 'numeric literal');
    if (r.binary) this.pushScanned('bitstr', start, r, { style: r.binary });
    else this.pushScanned('number', start, r, {});
  }

  /** @v, @@v, @@session.v, MY @'v' / @`v`. */
  private lexVariable(start: number): void {
    const { sql, d } = this;
    let j = start + 1;
    let sigil = '@';
    if (sql.charCodeAt(j) === 64) {
      sigil = '@@';
      j++;
    }
    const q = sql.charCodeAt(j);
    if (sigil === '@' && (q === 39 || q === 34 || q === 96)) {
      const tokStart = this.tokens.length;
      if (q === 96) this.lexQuotedIdent(j, '`');
      else this.lexQuotedString(j, j, undefined, undefined);
      const inner = this.tokens.pop()!;
      this.tokens.length = tokStart;
      this.push('variable', start, inner.end, inner.value, { style: '@', quoted: true });
      return;
    }
    const nameStart = j;
    while (j < this.n && (d.isIdentifierPart(sql.charCodeAt(j)) || sql.charCodeAt(j) === 36)) j++;
    if (j === nameStart) {
      this.lexOperator(start, 64);
      return;
    }
    let name = sql.slice(nameStart, j);
    let scope: string | undefined;
    if (sigil === '@@' && sql.charCodeAt(j) === 46 && /^(global|session|local|persist|persist_only)$/i.test(name)) {
      const k0 = j + 1;
      let k = k0;
      while (k < this.n && d.isIdentifierPart(sql.charCodeAt(k))) k++;
      if (k > k0) {
        scope = name;
        name = sql.slice(k0, k);
        j = k;
      }
    }
    const extra: Partial<Token> = { style: sigil };
    if (scope !== undefined) extra.tag = scope;
    this.push('variable', start, j, name, extra);
    this.i = j;
  }

  private lexOperator(start: number, c: number): void {
    const { sql, d } = this;
    if (d.supportsGenericOperators()) {
      const ch = sql[start];
      if (isOpChar(c)) {
        const op = scanGenericOperator(sql, start);
        this.push('op', start, start + op.length, op);
        this.i = start + op.length;
        return;
      }
      if (ch === ':' && (sql[start + 1] === ':' || sql[start + 1] === '=')) {
        this.push('op', start, start + 2, sql.slice(start, start + 2));
        this.i = start + 2;
        return;
      }
      if (ch === '.' && sql[start + 1] === '.') {
        this.push('op', start, start + 2, '..');
        this.i = start + 2;
        return;
      }
    } else {
      for (const op of d.operatorTokens) {
        if (sql.startsWith(op, start)) {
          this.push('op', start, start + op.length, op);
          this.i = start + op.length;
          return;
        }
      }
    }
    // Any other character (including ones no grammar uses) is a one-character token.
    const cp = sql.codePointAt(start)!;
    const len = cp > 0xffff ? 2 : 1;
    this.push('op', start, start + len, sql.slice(start, start + len));
    this.i = start + len;
  }
}
