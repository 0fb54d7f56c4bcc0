// The parser core: a token cursor with PostgreSQL-style error reporting and a
// recursion guard, the statement dispatcher, and the entry points parse(),
// parseOne() and parseBatches().
//
// Statement families live in their own files (select.ts, expr.ts, dml.ts,
// ddl*.ts, transaction.ts, utility.ts, procedural.ts); they take the Parser
// as their first argument. The parser asks the Dialect's predicates and never
// checks a dialect's name.

import { SbError, SqlState } from '../host/engine/sb_error.ts';
import type { Ident, Loc, QName, Statement } from './ast.ts';
import type { Dialect } from './dialect.ts';
import { parse_depth_max, syntaxErrorAt, tooComplex } from './errors.ts';
import { tokenize, type Token } from './lexer.ts';
import { parseQuery, parseWith } from './select.ts';
import { parseDelete, parseInsert, parseMerge, parseUpdate } from './dml.ts';
import { parseAlter, parseCreate, parseDrop } from './ddl.ts';
import { parseCommentOn, parseGrant, parseTruncate } from './ddl_misc.ts';
import {
  parseBegin,
  parseCommit,
  parseRelease,
  parseRollback,
  parseSavepoint,
} from './transaction.ts';
import { parseUtilityStatement } from './utility.ts';
import { stringFromToken } from './expr.ts';
import { parseProceduralStatement } from './procedural.ts';

/** Words that end a select item, table reference or expression list rather than naming an alias. */
const alias_stop_words = new Set(
  (
    'FROM WHERE GROUP HAVING ORDER LIMIT OFFSET FETCH FOR UNION INTERSECT EXCEPT MINUS WINDOW INTO ' +
    'ON USING JOIN INNER LEFT RIGHT FULL CROSS NATURAL OUTER RETURNING SET VALUES WITH ROWS PLAN ' +
    'OPTION STRAIGHT_JOIN QUALIFY LOCK WHEN THEN ELSE END AS MATCHING DO OUTPUT APPLY TABLESAMPLE ' +
    'USE FORCE IGNORE PARTITION SKIP SELECT INSERT UPDATE DELETE MERGE'
  ).split(' '),
);

export class Parser {
  readonly toks: Token[];
  pos = 0;
  depth = 0;
  /** Start offset of the select-list item being parsed (PostgreSQL: IS may be its bare column label). */
  selectItemStart = -1;
  /** Ordinal of the next `?` marker in the current statement. */
  questionOrdinal = 0;
  /** End offset of the last consumed token. */
  prevEnd = 0;

  constructor(
    readonly sql: string,
    readonly d: Dialect,
  ) {
    this.toks = tokenize(sql, d);
  }

  get tok(): Token {
    return this.toks[this.pos];
  }

  peek(k = 0): Token {
    const i = this.pos + k;
    return this.toks[i < this.toks.length ? i : this.toks.length - 1];
  }

  next(): Token {
    const t = this.toks[this.pos];
    if (t.type !== 'eof') {
      this.pos++;
      this.prevEnd = t.end;
    }
    return t;
  }

  /** Restores a position saved with `mark()` (for the few places that backtrack). */
  mark(): { pos: number; depth: number; prevEnd: number; q: number } {
    return { pos: this.pos, depth: this.depth, prevEnd: this.prevEnd, q: this.questionOrdinal };
  }

  reset(m: { pos: number; depth: number; prevEnd: number; q: number }): void {
    this.pos = m.pos;
    this.depth = m.depth;
    this.prevEnd = m.prevEnd;
    this.questionOrdinal = m.q;
  }

  isWord(w: string, k = 0): boolean {
    const t = this.peek(k);
    return t.type === 'word' && t.upper === w;
  }

  isAnyWord(words: ReadonlySet<string> | readonly string[], k = 0): boolean {
    const t = this.peek(k);
    if (t.type !== 'word') return false;
    return Array.isArray(words) ? words.includes(t.upper) : (words as ReadonlySet<string>).has(t.upper);
  }

  /** Is the sequence of words next? */
  isWords(...words: string[]): boolean {
    for (let k = 0; k < words.length; k++) if (!this.isWord(words[k], k)) return false;
    return true;
  }

  acceptWord(w: string): boolean {
    if (this.isWord(w)) {
      this.next();
      return true;
    }
    return false;
  }

  /** Accepts the whole sequence of words or nothing. */
  acceptWords(...words: string[]): boolean {
    if (!this.isWords(...words)) return false;
    for (let k = 0; k < words.length; k++) this.next();
    return true;
  }

  expectWord(w: string): Token {
    if (!this.isWord(w)) this.error();
    return this.next();
  }

  expectWords(...words: string[]): void {
    for (const w of words) this.expectWord(w);
  }

  /** Accepts one of the words and returns it (upper case), or null. */
  acceptOneOf(...words: string[]): string | null {
    const t = this.tok;
    if (t.type === 'word' && words.includes(t.upper)) {
      this.next();
      return t.upper;
    }
    return null;
  }

  expectOneOf(...words: string[]): string {
    const w = this.acceptOneOf(...words);
    if (w === null) this.error();
    return w;
  }

  isOp(op: string, k = 0): boolean {
    const t = this.peek(k);
    return t.type === 'op' && t.value === op;
  }

  acceptOp(op: string): boolean {
    if (this.isOp(op)) {
      this.next();
      return true;
    }
    return false;
  }

  expectOp(op: string): Token {
    if (!this.isOp(op)) this.error();
    return this.next();
  }

  /** Raises 42601 at the given (default: current) token. */
  error(t: Token = this.tok): never {
    throw syntaxErrorAt(this.sql, t.start, t.type === 'eof' ? null : this.sql.slice(t.start, t.end));
  }

  enter(): void {
    if (++this.depth > parse_depth_max) throw tooComplex(this.sql, this.tok.start);
  }

  leave(): void {
    this.depth--;
  }

  loc(start: Token | number): Loc {
    const s = typeof start === 'number' ? start : start.start;
    return { start: s, end: Math.max(s, this.prevEnd) };
  }

  // ------------------------------------------------------------ identifiers

  /** Can the token be an identifier (a quoted one, or a word the dialect does not reserve)? */
  isIdent(k = 0): boolean {
    const t = this.peek(k);
    return t.type === 'qident' || (t.type === 'word' && !this.d.isReserved(t.upper));
  }

  /** An identifier; reserved words are refused. */
  ident(): Ident {
    const t = this.tok;
    if (!this.isIdent()) this.error();
    this.next();
    return { value: t.value, quoted: t.type === 'qident', loc: { start: t.start, end: t.end } };
  }

  /** Any word or quoted identifier, reserved or not (column labels, names after a dot). */
  identAny(): Ident {
    const t = this.tok;
    if (t.type !== 'word' && t.type !== 'qident') this.error();
    this.next();
    return { value: t.value, quoted: t.type === 'qident', loc: { start: t.start, end: t.end } };
  }

  /** A possibly qualified name: ident ('.' any-ident)*. */
  qname(): QName {
    const parts = [this.ident()];
    while (this.isOp('.') && (this.peek(1).type === 'word' || this.peek(1).type === 'qident')) {
      this.next();
      parts.push(this.identAny());
    }
    return parts;
  }

  /** Could the current token start an implicit (AS-less) alias? */
  isImplicitAlias(k = 0): boolean {
    const t = this.peek(k);
    if (t.type === 'qident') return true;
    return t.type === 'word' && !this.d.isReserved(t.upper) && !alias_stop_words.has(t.upper);
  }

  /** A comma-separated list. */
  list<T>(item: () => T): T[] {
    const out = [item()];
    while (this.acceptOp(',')) out.push(item());
    return out;
  }

  /** A parenthesized comma-separated list. */
  parenList<T>(item: () => T): T[] {
    this.expectOp('(');
    const out = this.list(item);
    this.expectOp(')');
    return out;
  }

  /** Is the current token the end of a statement (`;`, a script terminator, or end of input)? */
  atStatementEnd(k = 0): boolean {
    const t = this.peek(k);
    return t.type === 'eof' || t.type === 'term' || (t.type === 'op' && t.value === ';');
  }
}

/** Does a query start at token k (SELECT, WITH, VALUES, TABLE)? */
export function isQueryStart(p: Parser, k = 0): boolean {
  const t = p.peek(k);
  if (t.type !== 'word') return false;
  switch (t.upper) {
    case 'SELECT':
    case 'WITH':
      return true;
    case 'VALUES':
      return p.peek(k + 1).type === 'op' && p.peek(k + 1).value === '(' || p.isWord('ROW', k + 1);
    case 'TABLE':
      return p.d.supportsTableQuery() && (p.peek(k + 1).type === 'word' || p.peek(k + 1).type === 'qident');
    default:
      return false;
  }
}

/** Parses one statement (of any family) at the cursor. */
export function parseStatement(p: Parser): Statement {
  p.enter();
  const start = p.tok;
  const stmt = dispatch(p);
  stmt.loc = p.loc(start);
  p.leave();
  return stmt;
}

function dispatch(p: Parser): Statement {
  const t = p.tok;
  if (t.type === 'op' && t.value === '(') return parseQuery(p);
  if (t.type !== 'word') {
    const proc = parseProceduralStatement(p);
    if (proc) return proc;
    p.error();
  }
  switch (t.upper) {
    case 'SELECT':
    case 'VALUES':
      return parseQuery(p);
    case 'TABLE':
      if (isQueryStart(p)) return parseQuery(p);
      break;
    case 'WITH': {
      const w = parseWith(p);
      if (p.isWord('INSERT')) return parseInsert(p, w);
      if (p.isWord('UPDATE')) return parseUpdate(p, w);
      if (p.isWord('DELETE')) return parseDelete(p, w);
      if (p.isWord('MERGE')) return parseMerge(p, w);
      return parseQuery(p, w);
    }
    case 'INSERT':
    case 'REPLACE':
      if (t.upper === 'REPLACE' && !p.d.supportsMysqlInsertForms()) break;
      return parseInsert(p);
    case 'UPDATE':
      if (p.d.supportsUpdateOrInsert() && p.isWords('UPDATE', 'OR', 'INSERT')) return parseInsert(p);
      return parseUpdate(p);
    case 'DELETE':
      return parseDelete(p);
    case 'MERGE':
      if (p.d.supportsMerge()) return parseMerge(p);
      break;
    case 'CREATE':
    case 'RECREATE':
      return parseCreate(p);
    case 'ALTER':
      return parseAlter(p);
    case 'DROP':
      if (p.isWord('PREPARE', 1)) break;
      return parseDrop(p);
    case 'TRUNCATE':
      return parseTruncate(p);
    case 'COMMENT':
      if (p.isWord('ON', 1)) return parseCommentOn(p);
      break;
    case 'GRANT':
    case 'REVOKE':
      return parseGrant(p);
    case 'START':
      return parseBegin(p);
    case 'BEGIN': {
      // BEGIN opens a block where there are procedural statements (T-SQL: unless BEGIN TRAN).
      const style = p.d.proceduralStyle();
      if (style === 'psql' || (style === 'tsql' && !p.isAnyWord(['TRAN', 'TRANSACTION'], 1))) break;
      return parseBegin(p);
    }
    case 'COMMIT':
    case 'ROLLBACK':
      // PG two-phase commit: COMMIT PREPARED 'gid' / ROLLBACK PREPARED 'gid'.
      if (p.isWord('PREPARED', 1) && p.peek(2).type === 'string') {
        p.next();
        p.next();
        return { kind: t.upper === 'COMMIT' ? 'commit_prepared' : 'rollback_prepared', gid: stringFromToken(p.next()) };
      }
      if (t.upper === 'ROLLBACK') return parseRollback(p);
      return parseCommit(p);
    case 'END':
      if (t.upper === 'END' && p.d.proceduralStyle() !== 'none') break;
      return parseCommit(p);
    case 'ABORT':
      return parseRollback(p);
    case 'SAVEPOINT':
      return parseSavepoint(p);
    case 'SAVE':
      if (p.isAnyWord(['TRAN', 'TRANSACTION'], 1)) return parseSavepoint(p);
      break;
    case 'RELEASE':
      return parseRelease(p);
  }
  const proc = parseProceduralStatement(p);
  if (proc) return proc;
  const util = parseUtilityStatement(p);
  if (util) return util;
  return p.error();
}

function skipTerminators(p: Parser, onBatchEnd: () => void): void {
  for (;;) {
    const t = p.tok;
    if (t.type === 'op' && t.value === ';') p.next();
    else if (t.type === 'term') {
      if (t.value === 'GO') onBatchEnd();
      p.next();
    } else return;
  }
}

function runScript(sql: string, d: Dialect): Statement[][] {
  const batches: Statement[][] = [[]];
  const newBatch = () => {
    if (batches[batches.length - 1].length > 0) batches.push([]);
  };
  let p: Parser | undefined;
  try {
    p = new Parser(sql, d);
    for (;;) {
      skipTerminators(p, newBatch);
      if (p.tok.type === 'eof') break;
      p.questionOrdinal = 0;
      const stmt = parseStatement(p);
      batches[batches.length - 1].push(stmt);
      if (p.atStatementEnd()) continue;
      if (p.d.supportsOptionalSemicolons() || stmt.kind === 'set_term') continue;
      p.error();
    }
  } catch (e) {
    // A JavaScript stack overflow must never escape: it means "too complex".
    if (e instanceof RangeError) throw tooComplex(sql, p ? p.tok.start : 0);
    throw e;
  }
  if (batches.length > 1 && batches[batches.length - 1].length === 0) batches.pop();
  return batches;
}

/** Parses a script into statements (split at `;`, GO lines and SET TERM terminators). */
export function parse(sql: string, d: Dialect): Statement[] {
  const batches = runScript(sql, d);
  return batches.length === 1 ? batches[0] : batches.flat();
}

/** Parses a script into T-SQL style batches (separated by GO lines). */
export function parseBatches(sql: string, d: Dialect): Statement[][] {
  return runScript(sql, d);
}

/** Parses exactly one statement (an optional trailing `;` allowed). */
export function parseOne(sql: string, d: Dialect): Statement {
  const stmts = parse(sql, d);
  if (stmts.length !== 1) {
    if (stmts.length === 0) throw syntaxErrorAt(sql, sql.length, null);
    const second = stmts[1].loc;
    throw new SbError(SqlState.syntax_error, 'cannot insert multiple commands into a prepared statement', {
      position: second ? second.start + 1 : 1,
    });
  }
  return stmts[0];
}
