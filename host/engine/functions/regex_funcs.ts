// POSIX regular expression operators (~ ~* !~ !~*) and the regexp_*
// functions, substring(text FROM pattern), substring(... SIMILAR ...).

import { arrayOf, T } from '../types/types.ts';
import { invalidParameter } from './errors.ts';
import { compileRegex, parseRegexFlags } from './regex.ts';
import { defFn, defOp, defSrf } from './registry.ts';
import { SqlArray } from '../types/array.ts';
import { similarToEscape } from './like.ts';
import { charLength, hasSurrogates } from './text_util.ts';

const TX = T.text;
const I4 = T.int4;
const TEXT_ARRAY = arrayOf(TX);

for (const left of [TX, T.bpchar, T.name]) {
  const test = (s: unknown, p: unknown, flags: string): boolean => {
    const { re } = compileRegex(p as string, flags);
    re.lastIndex = 0;
    return re.test(s as string);
  };
  defOp('~', left, TX, T.bool, (s, p) => test(s, p, ''), { negator: '!~' });
  defOp('!~', left, TX, T.bool, (s, p) => !test(s, p, ''), { negator: '~' });
  defOp('~*', left, TX, T.bool, (s, p) => test(s, p, 'i'), { negator: '!~*' });
  defOp('!~*', left, TX, T.bool, (s, p) => !test(s, p, 'i'), { negator: '~*' });
}

/** Code-unit offset of 1-based character position `pos` in s. */
function unitOffset(s: string, pos: number): number {
  if (!hasSurrogates(s)) return pos - 1;
  let units = 0;
  let k = 1;
  for (; k < pos && units < s.length; k++) {
    const c = s.charCodeAt(units);
    units += c >= 0xd800 && c <= 0xdbff ? 2 : 1;
  }
  // Positions past the end stay past it (no match can start there).
  return units + (pos - k);
}

/** 1-based character position of code-unit offset u. */
function charPos(s: string, u: number): number {
  return (hasSurrogates(s) ? charLength(s.slice(0, u)) : u) + 1;
}

function checkStart(start: number, fn: string): void {
  if (start <= 0) throw invalidParameter(`invalid value for parameter "start": ${start}`);
  void fn;
}

/** All matches from start (1-based char position). */
function* matches(s: string, pattern: string, flags: string | undefined, fn: string, start = 1): Generator<RegExpExecArray> {
  const { re } = compileRegex(pattern, flags, fn);
  re.lastIndex = unitOffset(s, start);
  for (;;) {
    if (re.lastIndex > s.length) return;
    const m = re.exec(s);
    if (m === null) return;
    yield m;
    if (m[0] === '') re.lastIndex = m.index + (s.codePointAt(m.index)! > 0xffff ? 2 : 1);
  }
}

function firstMatch(s: string, pattern: string, flags: string | undefined, fn: string): RegExpExecArray | null {
  const { re } = compileRegex(pattern, flags, fn, false);
  re.lastIndex = 0;
  return re.exec(s);
}

function captures(m: RegExpExecArray): SqlArray {
  const vals = m.length > 1 ? m.slice(1).map((v) => (v === undefined ? null : v)) : [m[0]];
  return SqlArray.of(TX, vals);
}

// substring(text FROM pattern): the first parenthesized subexpression, else the whole match.
defFn('substring', [TX, TX], TX, ([s, p]) => {
  const m = firstMatch(s as string, p as string, undefined, 'substring');
  if (m === null) return null;
  return m.length > 1 ? (m[1] ?? null) : m[0];
});
defFn('substring', [TX, TX, TX], TX, ([s, p, e]) => {
  const m = firstMatch(s as string, similarToEscape(p as string, e as string), undefined, 'substring');
  if (m === null) return null;
  return m.length > 1 ? (m[1] ?? null) : m[0];
});

defFn('regexp_match', [TX, TX], TEXT_ARRAY, ([s, p]) => {
  const m = firstMatch(s as string, p as string, undefined, 'regexp_match');
  return m === null ? null : captures(m);
});
defFn('regexp_match', [TX, TX, TX], TEXT_ARRAY, ([s, p, f]) => {
  const m = firstMatch(s as string, p as string, f as string, 'regexp_match');
  return m === null ? null : captures(m);
});

function* regexpMatches(s: string, p: string, flags?: string): Generator<SqlArray> {
  const { opts } = compileRegex(p, flags, 'regexp_matches');
  for (const m of matches(s, p, flags, 'regexp_matches')) {
    yield captures(m);
    if (!opts.global) return;
  }
}
defSrf('regexp_matches', [TX, TX], TEXT_ARRAY, ([s, p]) => regexpMatches(s as string, p as string));
defSrf('regexp_matches', [TX, TX, TX], TEXT_ARRAY, ([s, p, f]) => regexpMatches(s as string, p as string, f as string));

/** Expands \1-\9, \& and \\ in a replacement string. */
function expandReplacement(repl: string, m: RegExpExecArray): string {
  if (!repl.includes('\\')) return repl;
  let out = '';
  for (let i = 0; i < repl.length; i++) {
    const c = repl[i]!;
    if (c !== '\\' || i + 1 >= repl.length) {
      out += c;
      continue;
    }
    const d = repl[i + 1]!;
    if (d >= '1' && d <= '9') {
      out += m[Number(d)] ?? '';
      i++;
    } else if (d === '&') {
      out += m[0];
      i++;
    } else if (d === '\\') {
      out += '\\';
      i++;
    } else out += '\\';
  }
  return out;
}

/** regexp_replace with PostgreSQL 15's start and N (0 = all) arguments. */
export function regexpReplace(s: string, p: string, repl: string, start: number, nth: number, flags?: string): string {
  checkStart(start, 'regexp_replace');
  if (nth < 0) throw invalidParameter(`invalid value for parameter "n": ${nth}`);
  let out = '';
  let last = 0;
  let count = 0;
  for (const m of matches(s, p, flags, 'regexp_replace', start)) {
    count++;
    if (nth === 0 || count === nth) {
      out += s.slice(last, m.index) + expandReplacement(repl, m);
      last = m.index + m[0].length;
      if (nth !== 0) break;
    }
  }
  return out + s.slice(last);
}

defFn('regexp_replace', [TX, TX, TX], TX, ([s, p, r]) => regexpReplace(s as string, p as string, r as string, 1, 1));
defFn('regexp_replace', [TX, TX, TX, TX], TX, ([s, p, r, f]) => {
  const { opts } = compileRegex(p as string, f as string, 'regexp_replace');
  return regexpReplace(s as string, p as string, r as string, 1, opts.global ? 0 : 1, f as string);
});
defFn('regexp_replace', [TX, TX, TX, I4], TX, ([s, p, r, st]) => regexpReplace(s as string, p as string, r as string, st as number, 1));
defFn('regexp_replace', [TX, TX, TX, I4, I4], TX, ([s, p, r, st, n]) =>
  regexpReplace(s as string, p as string, r as string, st as number, n as number),
);
defFn('regexp_replace', [TX, TX, TX, I4, I4, TX], TX, ([s, p, r, st, n, f]) =>
  regexpReplace(s as string, p as string, r as string, st as number, n as number, f as string),
);

/** regexp_split_*: degenerate (empty) matches at the start, end or right after a match are skipped. */
function regexpSplit(s: string, p: string, flags?: string, fn = 'regexp_split_to_array'): string[] {
  if (parseRegexFlags(flags, fn).global) throw invalidParameter(`${fn}() does not support the "global" option`);
  const parts: string[] = [];
  let prevEnd = 0;
  let pieceStart = 0;
  for (const m of matches(s, p, flags, 'regexp_split_to_array')) {
    const end = m.index + m[0].length;
    if (m.index < s.length && end > prevEnd) {
      parts.push(s.slice(pieceStart, m.index));
      pieceStart = end;
    }
    prevEnd = end;
  }
  parts.push(s.slice(pieceStart));
  return parts;
}

defFn('regexp_split_to_array', [TX, TX], TEXT_ARRAY, ([s, p]) => SqlArray.of(TX, regexpSplit(s as string, p as string)));
defFn('regexp_split_to_array', [TX, TX, TX], TEXT_ARRAY, ([s, p, f]) =>
  SqlArray.of(TX, regexpSplit(s as string, p as string, f as string)),
);
defSrf('regexp_split_to_table', [TX, TX], TX, ([s, p]) => regexpSplit(s as string, p as string));
defSrf('regexp_split_to_table', [TX, TX, TX], TX, ([s, p, f]) => regexpSplit(s as string, p as string, f as string, 'regexp_split_to_table'));

// ---- PostgreSQL 15's regexp_count / instr / like / substr --------------------------

function noGlobal(flags: string | undefined, fn: string): string | undefined {
  if (parseRegexFlags(flags, fn).global) throw invalidParameter(`${fn}() does not support the "global" option`);
  return flags;
}

function regexpCount(s: string, p: string, start = 1, flags?: string): number {
  checkStart(start, 'regexp_count');
  let n = 0;
  for (const _m of matches(s, p, noGlobal(flags, 'regexp_count'), 'regexp_count', start)) n++;
  return n;
}
defFn('regexp_count', [TX, TX], I4, ([s, p]) => regexpCount(s as string, p as string));
defFn('regexp_count', [TX, TX, I4], I4, ([s, p, st]) => regexpCount(s as string, p as string, st as number));
defFn('regexp_count', [TX, TX, I4, TX], I4, ([s, p, st, f]) => regexpCount(s as string, p as string, st as number, f as string));

function nthMatch(s: string, p: string, start: number, nth: number, flags: string | undefined, fn: string): RegExpExecArray | null {
  checkStart(start, fn);
  if (nth <= 0) throw invalidParameter(`invalid value for parameter "n": ${nth}`);
  let k = 0;
  for (const m of matches(s, p, noGlobal(flags, fn), fn, start)) if (++k === nth) return m;
  return null;
}

function regexpInstr(a: unknown[]): number {
  const s = a[0] as string;
  const start = (a[2] as number | undefined) ?? 1;
  const nth = (a[3] as number | undefined) ?? 1;
  const endOpt = (a[4] as number | undefined) ?? 0;
  const sub = (a[6] as number | undefined) ?? 0;
  if (endOpt !== 0 && endOpt !== 1) throw invalidParameter(`invalid value for parameter "endoption": ${endOpt}`);
  if (sub < 0) throw invalidParameter(`invalid value for parameter "subexpr": ${sub}`);
  const m = nthMatch(s, a[1] as string, start, nth, a[5] as string | undefined, 'regexp_instr');
  if (m === null) return 0;
  // Without parenthesized subexpressions, subexpression 1 is the whole match (as PostgreSQL numbers them).
  if (sub === 0 || (sub === 1 && m.length === 1)) return charPos(s, endOpt ? m.index + m[0].length : m.index);
  const g = m[sub];
  if (g === undefined) return 0;
  const idx = m.indices?.[sub]?.[0] ?? s.indexOf(g, m.index);
  return charPos(s, endOpt ? idx + g.length : idx);
}
const instrArgs = [TX, TX, I4, I4, I4, TX, I4];
for (let n = 2; n <= 7; n++) defFn('regexp_instr', instrArgs.slice(0, n), I4, (a) => regexpInstr(a));

defFn('regexp_like', [TX, TX], T.bool, ([s, p]) => firstMatch(s as string, p as string, undefined, 'regexp_like') !== null);
defFn('regexp_like', [TX, TX, TX], T.bool, ([s, p, f]) => firstMatch(s as string, p as string, noGlobal(f as string, 'regexp_like'), 'regexp_like') !== null);

function regexpSubstr(a: unknown[]): string | null {
  const sub = (a[5] as number | undefined) ?? 0;
  if (sub < 0) throw invalidParameter(`invalid value for parameter "subexpr": ${sub}`);
  const m = nthMatch(a[0] as string, a[1] as string, (a[2] as number | undefined) ?? 1, (a[3] as number | undefined) ?? 1, a[4] as string | undefined, 'regexp_substr');
  if (m === null) return null;
  if (sub === 1 && m.length === 1) return m[0];
  return m[sub] ?? null;
}
const substrArgs = [TX, TX, I4, I4, TX, I4];
for (let n = 2; n <= 6; n++) defFn('regexp_substr', substrArgs.slice(0, n), TX, (a) => regexpSubstr(a));
