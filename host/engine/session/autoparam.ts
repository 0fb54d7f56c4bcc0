// Auto-parameterization of simple-protocol statements (what SQL Server calls
// simple parameterization and MySQL/others a "literal-normalized" plan cache).
//
// A client that sends `SELECT abalance FROM pgbench_accounts WHERE aid = 123`
// with a different constant each time never hits a cache keyed on the text or
// the bytecode. Here one lexer pass over the text replaces the constants by
// `$1..$n` and looks the normalized text up, together with the literals'
// types (`123` int4, `3000000000` int8, `1.5` numeric, `'x'` unknown) and the
// session's bind context (catalog version, user, search_path, the settings
// literals are read with). A hit runs the cached parameterized statement with
// the literals as parameter values, skipping parse, bind and plan.
//
// Exactness. The first time a normalized text is seen, the original statement
// and the parameterized one are both bound and their bound plans compared: they
// must be the same tree except that where the parameterized plan has `$i` the
// original has a constant of the same type and value. Anything the binder does
// differently with a constant (folding `1 + 2`, `ORDER BY 1`, a typed literal,
// a cast folded at bind time, a resolved sequence name...) shows up as a
// difference, and the text is remembered as not parameterizable. A literal
// whose conversion to the parameter's type fails (`aid = 'abc'`) is not run
// through the cache: the ordinary path raises PostgreSQL's error with its
// position. Literal types are part of the key because the type of a numeric
// constant depends on its value; strings are unknown-typed like PostgreSQL's.
// The lexer is conservative: dollar quotes, `$n`, prefixed strings (E'', U&'',
// B'', X''), string continuation, a number run into an identifier, and several
// statements in one text all leave the statement to the ordinary path. Strings
// after a keyword that is not an expression keyword (DATE '...', INTERVAL '...')
// and numbers after BY (ORDER BY 1) stay in the text verbatim.

import type * as A from '../../../sql-dialects/index.ts';
import { parse } from '../../../sql-dialects/index.ts';
import { bindStatement } from '../bind/index.ts';
import type { Cx } from '../bind/context.ts';
import { numberLiteral } from '../bind/expr.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { SbError } from '../sb_error.ts';
import { type SqlType, sameTypeAndTypmod, T } from '../types/types.ts';
import { paramValue } from './params.ts';
import { contextMemo } from './plan_cache.ts';
import type { DatabaseCore } from './result.ts';
import type { Session } from './session.ts';

/** Normalized texts remembered per database (parameterizable or not), oldest evicted first. */
export const AUTOPARAM_CACHE_MAX = 1024;
/** Statements with more literals than this are left to the ordinary path (bulk VALUES lists). */
export const autoparam_literals_max = 256;
/** Texts longer than this are not lexed. */
export const autoparam_text_chars_max = 16 * 1024;

export interface AutoParameterized {
  stmt: A.Statement;
  params: unknown[];
  paramTypes: SqlType[];
}

export interface AutoParamStats {
  hits: number;
  misses: number;
  /** Normalized texts found not parameterizable (cached as such). */
  rejected: number;
  /** Literals that did not convert to their parameter's type (left to the ordinary path). */
  fallbacks: number;
  entries: number;
}

interface Literal {
  /** 'n' number, 's' string. */
  kind: 'n' | 's';
  /** Digits (numbers) or the string's value. */
  text: string;
  negative: boolean;
}

interface Normalized {
  text: string;
  literals: Literal[];
}

type Entry =
  | { ok: true; stmt: A.Statement; paramTypes: SqlType[] }
  | { ok: false };

class AutoParamState {
  /** By bind context (plan_cache.ts contextKey without parameter types), then by literal types and normalized text. */
  readonly contexts = new Map<string, Map<string, Entry>>();
  /** Entries over all contexts. */
  size = 0;
  readonly stats = { hits: 0, misses: 0, rejected: 0, fallbacks: 0 };
  enabled = true;

  /** The entries of a context (made on first use; the oldest contexts go past AUTOPARAM_CONTEXTS_MAX). */
  context(key: string): Map<string, Entry> {
    let m = this.contexts.get(key);
    if (m === undefined) {
      this.contexts.set(key, (m = new Map()));
      if (this.contexts.size > AUTOPARAM_CONTEXTS_MAX) {
        const oldest = this.contexts.keys().next().value!;
        this.size -= this.contexts.get(oldest)!.size;
        this.contexts.delete(oldest);
        this.generation++;
      }
    }
    return m;
  }

  /** Raised by clear() and by evictions: sessions look their context up again. */
  generation = 0;

  clear(): void {
    this.contexts.clear();
    this.size = 0;
    this.generation++;
  }
}

/** Bind contexts remembered (catalog versions, settings, users), oldest evicted first. */
const AUTOPARAM_CONTEXTS_MAX = 64;

const states = new WeakMap<DatabaseCore, AutoParamState>();

function stateOf(core: DatabaseCore): AutoParamState {
  let s = states.get(core);
  if (!s) states.set(core, (s = new AutoParamState()));
  return s;
}

/** Switches auto-parameterization of a database on or off (tests compare both). */
export function setAutoParameterization(core: DatabaseCore, enabled: boolean): void {
  const s = stateOf(core);
  s.enabled = enabled;
  if (!enabled) s.clear();
}

export function autoParamStats(core: DatabaseCore): AutoParamStats {
  const s = stateOf(core);
  return { ...s.stats, entries: s.size };
}

/** A session's context entries, while its plan-cache context memo (plan_cache.ts) is the same object. */
const sessionEntries = new WeakMap<Session, { memo: object; generation: number; entries: Map<string, Entry> }>();

function entriesOf(s: Session, st: AutoParamState): Map<string, Entry> {
  const memo = contextMemo(s);
  const e = sessionEntries.get(s);
  if (e !== undefined && e.memo === memo && e.generation === st.generation) return e.entries;
  const entries = st.context(memo.context);
  sessionEntries.set(s, { memo, generation: st.generation, entries });
  return entries;
}

/** Literal type codes in the key: s string, then the number constant types. */
const TYPE_CODES: Record<string, string> = { int4: '4', int8: '8', numeric: 'n', float8: 'f' };

const STATEMENT_START = new Set(['select', 'insert', 'update', 'delete', 'with', 'values']);
/** Statements whose plans are cached (queries and DML). */
const STATEMENT_KINDS = new Set(['select', 'insert', 'update', 'delete']);

/**
 * The statement to run for `sql` with its literals as parameters, or
 * undefined when the ordinary path must run it (not parameterizable, a
 * conversion error to report, a failed transaction, uncommitted DDL).
 */
export function autoParameterize(s: Session, sql: string): AutoParameterized | undefined {
  const st = stateOf(s.core);
  if (!st.enabled || s.tx.failed || sql.length > autoparam_text_chars_max) return undefined;
  const n = normalize(sql);
  if (n === null || n.literals.length === 0) return undefined;
  const catalog = s.catalog();
  if (catalog !== s.core.catalog.current()) return undefined;
  const values = new Array<unknown>(n.literals.length);
  let typesKey = '';
  let strings = false;
  for (let i = 0; i < n.literals.length; i++) {
    const lit = n.literals[i]!;
    if (lit.kind === 's') {
      typesKey += 's';
      values[i] = lit.text;
      strings = true;
      continue;
    }
    const c = numberConstant(lit);
    if (c === undefined) return undefined;
    typesKey += TYPE_CODES[c.type.id] ?? `(${c.type.id})`;
    values[i] = c.value;
  }
  const entries = entriesOf(s, st);
  const key = typesKey + '\u0002' + n.text;
  let entry = entries.get(key);
  if (entry === undefined) {
    st.stats.misses++;
    const made = verify(s, sql, n, values);
    if (made === undefined) return undefined; // the original did not bind: its error comes from the ordinary path
    entry = made;
    if (!entry.ok) st.stats.rejected++;
    entries.set(key, entry);
    st.size++;
    if (entries.size > AUTOPARAM_CACHE_MAX) {
      entries.delete(entries.keys().next().value!);
      st.size--;
    }
  }
  if (!entry.ok) return undefined;
  const types = entry.paramTypes;
  if (!strings) {
    st.stats.hits++;
    return { stmt: entry.stmt, params: values, paramTypes: types };
  }
  const ev = s.typeContext();
  for (let i = 0; i < values.length; i++) {
    if (n.literals[i]!.kind !== 's') continue;
    try {
      values[i] = paramValue(values[i], types[i]!, i, ev);
    } catch {
      st.stats.fallbacks++;
      return undefined;
    }
  }
  st.stats.hits++;
  return { stmt: entry.stmt, params: values, paramTypes: types };
}

/** A number literal's constant exactly as the binder makes it (type by value, as PostgreSQL). */
function numberConstant(lit: Literal): { type: SqlType; value: unknown } | undefined {
  // Up to 9 digits is always an int4 (the binder's own path gives the same).
  if (lit.text.length <= 9 && allDigits(lit.text)) {
    const v = Number(lit.text);
    return { type: T.int4, value: lit.negative ? (v === 0 ? 0 : -v) : v };
  }
  try {
    const e = numberLiteral(NO_CX, lit.text, lit.negative);
    return e.k === 'const' ? { type: e.type, value: e.value } : undefined;
  } catch {
    return undefined;
  }
}

function allDigits(t: string): boolean {
  for (let i = 0; i < t.length; i++) {
    const c = t.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return t.length > 0;
}

const NO_CX = { env: { sql: '' } } as unknown as Cx;

/**
 * Binds the original and the parameterized statement and compares them.
 * undefined: the original does not bind (nothing is remembered).
 */
function verify(s: Session, sql: string, n: Normalized, values: unknown[]): Entry | undefined {
  let original: A.Statement;
  let template: A.Statement;
  try {
    const a = parse(sql, s.dialect);
    if (a.length !== 1 || !STATEMENT_KINDS.has(a[0]!.kind)) return { ok: false };
    original = a[0]!;
  } catch {
    return undefined;
  }
  const ev = s.typeContext();
  let boundOriginal;
  try {
    const notices: SbError[] = [];
    boundOriginal = bindStatement(s.bindEnv(sql, [], notices, ev), original);
    if (boundOriginal.kind !== 'plan' || notices.length > 0) return { ok: false };
  } catch {
    return undefined;
  }
  try {
    const t = parse(n.text, s.dialect);
    if (t.length !== 1 || t[0]!.kind !== original.kind) return { ok: false };
    template = t[0]!;
    // Numbers are typed as their constants are; strings take the type their context gives them.
    const declared: Array<SqlType | undefined> = n.literals.map((l, i) => (l.kind === 'n' ? constTypes(n, values)[i] : undefined));
    const notices: SbError[] = [];
    const env1 = s.bindEnv(n.text, declared, notices, ev);
    bindStatement(env1, template);
    const types = env1.paramTypes;
    if (types.length !== n.literals.length) return { ok: false };
    for (const t of types) if (t === undefined || t.id === 'unknown') return { ok: false };
    const paramTypes = types as SqlType[];
    // Bind again with every type declared, as each later run will.
    const env2 = s.bindEnv(n.text, paramTypes.slice(), notices, ev);
    const bound = bindStatement(env2, template);
    if (bound.kind !== 'plan' || notices.length > 0) return { ok: false };
    for (let i = 0; i < paramTypes.length; i++) if (!sameTypeAndTypmod(env2.paramTypes[i]!, paramTypes[i]!)) return { ok: false };
    const expected = values.map((v, i) => paramValue(v, paramTypes[i]!, i, ev));
    if (!same(bound, boundOriginal, expected)) return { ok: false };
    return { ok: true, stmt: template, paramTypes };
  } catch {
    return { ok: false };
  }
}

const constTypeMemo = new WeakMap<Normalized, Array<SqlType | undefined>>();
function constTypes(n: Normalized, _values: unknown[]): Array<SqlType | undefined> {
  let m = constTypeMemo.get(n);
  if (m === undefined) {
    m = n.literals.map((l) => (l.kind === 'n' ? numberConstant(l)?.type : undefined));
    constTypeMemo.set(n, m);
  }
  return m;
}

/**
 * Structural equality of a bound parameterized statement (a) and the bound
 * original (b): `{k:'param', index:i}` in a must be `{k:'const'}` in b with the
 * same type and the value `expected[i]`.
 */
function same(a: unknown, b: unknown, expected: unknown[]): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b) return false;
  if (typeof a === 'number') return Number.isNaN(a) && Number.isNaN(b as number);
  if (typeof a !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!same(a[i], b[i], expected)) return false;
    return true;
  }
  if (Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  if (a instanceof Uint8Array) {
    const bb = b as Uint8Array;
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== bb[i]) return false;
    return true;
  }
  if (a instanceof Map || a instanceof Set || ArrayBuffer.isView(a)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  if (ao.k === 'param' && typeof ao.index === 'number' && 'type' in ao) {
    if (bo.k !== 'const') return false;
    return sameTypeAndTypmod(ao.type as SqlType, bo.type as SqlType) && same(expected[ao.index], bo.value, []);
  }
  const ak = Object.keys(ao);
  if (ak.length !== Object.keys(bo).length) return false;
  for (const k of ak) {
    if (!Object.prototype.hasOwnProperty.call(bo, k)) return false;
    if (!same(ao[k], bo[k], expected)) return false;
  }
  return true;
}

// ---------------------------------------------------------------- the lexer pass

/** Keywords after which a constant is an expression operand (a string or number there is a value). */
const VALUE_KEYWORDS = new Set([
  'select', 'where', 'and', 'or', 'not', 'when', 'then', 'else', 'case', 'like', 'ilike', 'between', 'values', 'set',
  'limit', 'offset', 'returning', 'distinct', 'having', 'on', 'all', 'any', 'some', 'in', 'is', 'from', 'as',
]);

const VALUE_KEYWORD_CHARS_MAX = Math.max(...[...VALUE_KEYWORDS].map((k) => k.length));

type Prev = 'start' | 'op' | 'minus' | 'open' | 'comma' | 'kw' | 'word' | 'value' | 'close' | 'dot';

function isIdentStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c >= 128;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || (c >= 48 && c <= 57) || c === 36;
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12 || c === 11;
}
const OP_CHARS = '+-*/<>=~!@#%^&|`?';
const IS_OP = new Uint8Array(128);
for (let i = 0; i < OP_CHARS.length; i++) IS_OP[OP_CHARS.charCodeAt(i)] = 1;
function isOpChar(c: number): boolean {
  return c < 128 && IS_OP[c] === 1;
}

/** Skips whitespace and comments from i; -1 on an unterminated comment. */
function skipSpace(sql: string, i: number): number {
  const n = sql.length;
  while (i < n) {
    const c = sql.charCodeAt(i);
    if (isSpace(c)) i++;
    else if (c === 45 && sql.charCodeAt(i + 1) === 45) {
      const e = sql.indexOf('\n', i);
      i = e < 0 ? n : e + 1;
    } else if (c === 47 && sql.charCodeAt(i + 1) === 42) {
      let depth = 1;
      i += 2;
      while (depth > 0) {
        if (i >= n) return -1;
        if (sql.charCodeAt(i) === 47 && sql.charCodeAt(i + 1) === 42) {
          depth++;
          i += 2;
        } else if (sql.charCodeAt(i) === 42 && sql.charCodeAt(i + 1) === 47) {
          depth--;
          i += 2;
        } else i++;
      }
    } else break;
  }
  return i;
}

/** Whether a constant after `p` (a word: sql[from, to)) is an operand; the word is lower-cased only here, when a constant follows it. */
function operandStart(p: Prev, sql: string, from: number, to: number): boolean {
  if (p === 'op' || p === 'minus' || p === 'open' || p === 'comma') return true;
  return p === 'kw' && to - from <= VALUE_KEYWORD_CHARS_MAX && VALUE_KEYWORDS.has(sql.slice(from, to).toLowerCase());
}

/**
 * The text with its constants replaced by $1..$n, and the constants; null
 * when the text is left to the ordinary path.
 */
export function normalize(sql: string): Normalized | null {
  const n = sql.length;
  const literals: Literal[] = [];
  let out = '';
  let copied = 0;
  let prev: Prev = 'start';
  /** The last word: sql[wordFrom, wordTo). */
  let wordFrom = 0;
  let wordTo = 0;
  /** What came before the last '-' (a minus there is a sign when that was an operand start). */
  let beforeMinus: Prev = 'start';
  let minusWordFrom = 0;
  let minusWordTo = 0;
  let minusAt = -1;
  let i = skipSpace(sql, 0);
  if (i < 0) return null;
  // The first word decides whether the statement is one we parameterize.
  let w = i;
  while (w < n && isIdentPart(sql.charCodeAt(w))) w++;
  if (!STATEMENT_START.has(sql.slice(i, w).toLowerCase())) return null;
  while (i < n) {
    i = skipSpace(sql, i);
    if (i < 0) return null;
    if (i >= n) break;
    const c = sql.charCodeAt(i);
    if (c === 39) {
      // '...' with '' for a quote (standard_conforming_strings)
      let j = i + 1;
      let value = '';
      let from = j;
      for (;;) {
        const q = sql.indexOf("'", j);
        if (q < 0) return null;
        if (sql.charCodeAt(q + 1) === 39) {
          value += sql.slice(from, q + 1);
          j = from = q + 2;
          continue;
        }
        value += sql.slice(from, q);
        j = q + 1;
        break;
      }
      const after = skipSpace(sql, j);
      if (after < 0 || sql.charCodeAt(after) === 39) return null; // continuation 'a' 'b'
      if (operandStart(prev, sql, wordFrom, wordTo)) {
        if (literals.length >= autoparam_literals_max) return null;
        literals.push({ kind: 's', text: value, negative: false });
        out += sql.slice(copied, i) + '$' + literals.length;
        copied = j;
      }
      prev = 'value';
      i = j;
      continue;
    }
    if (c === 34) {
      // "quoted identifier"
      let j = i + 1;
      for (;;) {
        const q = sql.indexOf('"', j);
        if (q < 0) return null;
        if (sql.charCodeAt(q + 1) === 34) {
          j = q + 2;
          continue;
        }
        j = q + 1;
        break;
      }
      prev = 'word';
      wordFrom = wordTo = 0;
      i = j;
      continue;
    }
    if (c === 36 || c === 92) return null; // $n, $$ quoting, backslash commands
    if (isDigit(c) || (c === 46 && isDigit(sql.charCodeAt(i + 1)))) {
      let j = i;
      while (j < n && isDigit(sql.charCodeAt(j))) j++;
      if (sql.charCodeAt(j) === 46) {
        j++;
        while (j < n && isDigit(sql.charCodeAt(j))) j++;
      }
      const e = sql.charCodeAt(j);
      if (e === 101 || e === 69) {
        let k = j + 1;
        const sign = sql.charCodeAt(k);
        if (sign === 43 || sign === 45) k++;
        if (!isDigit(sql.charCodeAt(k))) return null;
        while (k < n && isDigit(sql.charCodeAt(k))) k++;
        j = k;
      }
      const next = sql.charCodeAt(j);
      if (j < n && (isIdentPart(next) || next === 46)) return null; // 123abc, 1.2.3, 0x1F
      const text = sql.slice(i, j);
      // A '-' right before, where an operand starts, is the constant's sign (as PostgreSQL folds -2147483648).
      const castAfter = sql.charCodeAt(skipSpace(sql, j)) === 58 || sql.charCodeAt(skipSpace(sql, j)) === 91 || sql.charCodeAt(skipSpace(sql, j)) === 94;
      if (prev === 'minus' && operandStart(beforeMinus, sql, minusWordFrom, minusWordTo) && !castAfter) {
        if (literals.length >= autoparam_literals_max) return null;
        literals.push({ kind: 'n', text, negative: true });
        out += sql.slice(copied, minusAt) + '$' + literals.length;
        copied = j;
      } else if (operandStart(prev, sql, wordFrom, wordTo)) {
        if (literals.length >= autoparam_literals_max) return null;
        literals.push({ kind: 'n', text, negative: false });
        out += sql.slice(copied, i) + '$' + literals.length;
        copied = j;
      }
      prev = 'value';
      i = j;
      continue;
    }
    if (isIdentStart(c)) {
      let j = i + 1;
      while (j < n && isIdentPart(sql.charCodeAt(j))) j++;
      const nc = sql.charCodeAt(j);
      if (nc === 39 || nc === 38) return null; // E'..', B'..', X'..', N'..', U&'..'
      wordFrom = i;
      wordTo = j;
      prev = 'kw';
      i = j;
      continue;
    }
    if (isOpChar(c)) {
      let j = i;
      while (j < n && isOpChar(sql.charCodeAt(j))) {
        // a comment start ends the operator
        if ((sql.charCodeAt(j) === 45 && sql.charCodeAt(j + 1) === 45) || (sql.charCodeAt(j) === 47 && sql.charCodeAt(j + 1) === 42)) break;
        j++;
      }
      if (j === i) return null;
      const op = sql.slice(i, j);
      if (op === '-') {
        beforeMinus = prev;
        minusWordFrom = wordFrom;
        minusWordTo = wordTo;
        minusAt = i;
        prev = 'minus';
      } else if (op.length > 1 && op.endsWith('-')) {
        // '=-1': PostgreSQL splits a trailing '-' off an operator made only of + - * / < > =
        if (!/^[-+*/<>=]+$/.test(op)) {
          prev = 'op';
        } else {
          beforeMinus = 'op';
          minusWordFrom = minusWordTo = 0;
          minusAt = j - 1;
          prev = 'minus';
        }
      } else prev = 'op';
      i = j;
      continue;
    }
    switch (c) {
      case 40: // (
      case 91: // [
        prev = 'open';
        break;
      case 41: // )
      case 93: // ]
        prev = 'close';
        break;
      case 44: // ,
        prev = 'comma';
        break;
      case 46: // .
        prev = 'dot';
        break;
      case 58: // : and ::
        prev = 'dot';
        if (sql.charCodeAt(i + 1) === 58) i++;
        break;
      case 59: {
        // ;  only at the end
        const rest = skipSpace(sql, i + 1);
        if (rest !== n) return null;
        break;
      }
      default:
        return null;
    }
    i++;
  }
  if (literals.length === 0) return { text: sql, literals };
  return { text: out + sql.slice(copied), literals };
}
