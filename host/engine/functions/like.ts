// LIKE / ILIKE (~~ ~~* !~~ !~~*), like_escape, SIMILAR TO
// (similar_to_escape + the regex operators). The parser turns
// `x LIKE p ESCAPE e` into `x ~~ like_escape(p, e)` and `x SIMILAR TO p` into
// `x ~ similar_to_escape(p)`, as PostgreSQL's grammar does.
//
// The matcher follows PostgreSQL's semantics: backslash escapes, `_` one
// character, `%` any run, and a trailing escape is an error only when the
// text is not yet exhausted.

import { SbError, SqlState } from '../sb_error.ts';
import { T } from '../types/types.ts';
import { invalidEscape } from './errors.ts';
import { defFn, defOp } from './registry.ts';
import { asciiLower, codePoints, hasSurrogates } from './text_util.ts';

const enum M {
  False = 0,
  True = 1,
  Abort = 2,
}

const BACKSLASH = 92;
const PERCENT = 37;
const UNDERSCORE = 95;

function endsWithEscape(): Error {
  return invalidEscape('LIKE pattern must not end with escape character');
}

/** Matches code-point (or byte) arrays; the text is t[0..tn). */
function matchText(t: ArrayLike<number>, tn: number, ti: number, p: ArrayLike<number>, pi: number): M {
  const pn = p.length;
  while (ti < tn && pi < pn) {
    const pc = p[pi]!;
    if (pc === BACKSLASH) {
      pi++;
      if (pi >= pn) throw endsWithEscape();
      if (t[ti] !== p[pi]) return M.False;
    } else if (pc === PERCENT) {
      pi++;
      while (pi < pn) {
        if (p[pi] === PERCENT) pi++;
        else if (p[pi] === UNDERSCORE) {
          if (ti >= tn) return M.Abort;
          ti++;
          pi++;
        } else break;
      }
      if (pi >= pn) return M.True;
      let first: number;
      if (p[pi] === BACKSLASH) {
        if (pi + 1 >= pn) throw endsWithEscape();
        first = p[pi + 1]!;
      } else first = p[pi]!;
      while (ti < tn) {
        if (t[ti] === first) {
          const r = matchText(t, tn, ti, p, pi);
          if (r !== M.False) return r;
        }
        ti++;
      }
      return M.Abort;
    } else if (pc !== UNDERSCORE && pc !== t[ti]) {
      return M.False;
    }
    ti++;
    pi++;
  }
  if (ti < tn) return M.False;
  while (pi < pn && p[pi] === PERCENT) pi++;
  return pi >= pn ? M.True : M.Abort;
}

function toCodes(s: string): number[] | Uint16Array {
  if (!hasSurrogates(s)) {
    const a = new Uint16Array(s.length);
    for (let i = 0; i < s.length; i++) a[i] = s.charCodeAt(i);
    return a;
  }
  return codePoints(s).map((c) => c.codePointAt(0)!);
}

/**
 * A compiled pattern. Most patterns in practice are a literal, a prefix,
 * a suffix, an infix, or literals between '%'s: those match with
 * startsWith/endsWith/indexOf (leftmost matching is exact when '%' is the
 * only wildcard). Anything with '_' or an escape runs PostgreSQL's matcher.
 */
type LikePlan =
  | { kind: 'percent'; parts: string[] }
  | { kind: 'general'; codes: number[] | Uint16Array };

const PLANS = new Map<string, LikePlan>();
const PLANS_MAX = 256;

function planOf(pattern: string): LikePlan {
  let plan = PLANS.get(pattern);
  if (plan !== undefined) return plan;
  plan = /[\\_]/.test(pattern) ? { kind: 'general', codes: toCodes(pattern) } : { kind: 'percent', parts: pattern.split('%') };
  if (PLANS.size >= PLANS_MAX) PLANS.clear();
  PLANS.set(pattern, plan);
  return plan;
}

function matchPercent(s: string, parts: readonly string[]): boolean {
  const n = parts.length;
  if (n === 1) return s === parts[0];
  const first = parts[0]!;
  const last = parts[n - 1]!;
  if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
  let pos = first.length;
  const end = s.length - last.length;
  for (let k = 1; k < n - 1; k++) {
    const part = parts[k]!;
    if (part === '') continue;
    const at = s.indexOf(part, pos);
    if (at < 0 || at + part.length > end) return false;
    pos = at + part.length;
  }
  return true;
}

/** Scratch buffer for the text's characters (the matcher is synchronous: one user at a time). */
let scratch = new Uint32Array(256);

function textCodes(s: string): { codes: Uint32Array; n: number } {
  if (scratch.length < s.length) scratch = new Uint32Array(Math.max(s.length, scratch.length * 2));
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        scratch[n++] = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
        i++;
        continue;
      }
    }
    scratch[n++] = c;
  }
  return { codes: scratch, n };
}

export function like(s: string, pattern: string): boolean {
  const plan = planOf(pattern);
  if (plan.kind === 'percent') return matchPercent(s, plan.parts);
  const { codes, n } = textCodes(s);
  return matchText(codes, n, 0, plan.codes, 0) === M.True;
}

export function ilike(s: string, pattern: string): boolean {
  return like(asciiLower(s), asciiLower(pattern));
}

export function likeBytes(s: Uint8Array, pattern: Uint8Array): boolean {
  return matchText(s, s.length, 0, pattern, 0) === M.True;
}

function invalidEscapeString(): SbError {
  return new SbError(SqlState.invalid_escape_sequence, 'invalid escape string', {
    hint: 'Escape string must be empty or one character.',
  });
}

/** Rewrites a pattern with ESCAPE e into backslash-escape form. */
export function likeEscape(pattern: string, esc: string): string {
  const e = codePoints(esc);
  if (e.length > 1) {
    throw invalidEscapeString();
  }
  if (e.length === 0) return pattern.replace(/\\/g, '\\\\');
  if (e[0] === '\\') return pattern;
  let out = '';
  let afterEscape = false;
  for (const c of codePoints(pattern)) {
    if (c === e[0] && !afterEscape) {
      out += '\\';
      afterEscape = true;
    } else if (c === '\\') {
      out += afterEscape ? '\\' : '\\\\';
      afterEscape = false;
    } else {
      out += c;
      afterEscape = false;
    }
  }
  return out;
}

function likeEscapeBytes(pattern: Uint8Array, esc: Uint8Array): Uint8Array {
  if (esc.length > 1) throw invalidEscapeString();
  const out: number[] = [];
  if (esc.length === 0) {
    for (const b of pattern) {
      out.push(b);
      if (b === BACKSLASH) out.push(b);
    }
    return Uint8Array.from(out);
  }
  if (esc[0] === BACKSLASH) return pattern;
  let afterEscape = false;
  for (const b of pattern) {
    if (b === esc[0] && !afterEscape) {
      out.push(BACKSLASH);
      afterEscape = true;
    } else if (b === BACKSLASH) {
      out.push(BACKSLASH);
      if (!afterEscape) out.push(BACKSLASH);
      afterEscape = false;
    } else {
      out.push(b);
      afterEscape = false;
    }
  }
  return Uint8Array.from(out);
}

const TX = T.text;
for (const left of [TX, T.bpchar, T.name]) {
  defOp('~~', left, TX, T.bool, (s, p) => like(s as string, p as string), { negator: '!~~' });
  defOp('!~~', left, TX, T.bool, (s, p) => !like(s as string, p as string), { negator: '~~' });
  defOp('~~*', left, TX, T.bool, (s, p) => ilike(s as string, p as string), { negator: '!~~*' });
  defOp('!~~*', left, TX, T.bool, (s, p) => !ilike(s as string, p as string), { negator: '~~*' });
}
defOp('~~', T.bytea, T.bytea, T.bool, (s, p) => likeBytes(s as Uint8Array, p as Uint8Array), { negator: '!~~' });
defOp('!~~', T.bytea, T.bytea, T.bool, (s, p) => !likeBytes(s as Uint8Array, p as Uint8Array), { negator: '~~' });

defFn('like', [TX, TX], T.bool, ([s, p]) => like(s as string, p as string));
defFn('like_escape', [TX, TX], TX, ([p, e]) => likeEscape(p as string, e as string));
defFn('like_escape', [T.bytea, T.bytea], T.bytea, ([p, e]) => likeEscapeBytes(p as Uint8Array, e as Uint8Array));

// ---- SIMILAR TO ------------------------------------------------------------------

/** Converts an SQL regular expression to a POSIX one, anchored (similar_to_escape). */
export function similarToEscape(pattern: string, esc: string | null = '\\'): string {
  const e = esc === null ? [] : codePoints(esc);
  if (e.length > 1) {
    throw invalidEscapeString();
  }
  const escChar = e[0];
  let out = '^(?:';
  let afterEscape = false;
  // Bracket expressions nest ("[[:alpha:]x]"); a "]" right after "[" or "[^" is a literal.
  let depth = 0;
  let classPos = 0;
  let nquotes = 0;
  for (const c of codePoints(pattern)) {
    if (afterEscape) {
      if (c === '"' && depth < 1) {
        if (nquotes === 0) out += '){1,1}?(';
        else if (nquotes === 1) out += '){1,1}(?:';
        else throw invalidEscape('SQL regular expression may not contain more than two escape-double-quote separators');
        nquotes++;
      } else {
        out += '\\' + c;
        classPos = 3;
      }
      afterEscape = false;
    } else if (escChar !== undefined && c === escChar) {
      afterEscape = true;
    } else if (depth > 0) {
      if (c === '\\') out += '\\';
      out += c;
      if (c === ']' && classPos > 2) depth--;
      else if (c === '[') {
        depth++;
        classPos = 3;
      } else if (c === '^') classPos++;
      else classPos = 3;
    } else if (c === '[') {
      out += c;
      depth = 1;
      classPos = 1;
    } else if (c === '%') out += '.*';
    else if (c === '_') out += '.';
    else if (c === '(') out += '(?:';
    else if (c === '\\' || c === '.' || c === '^' || c === '$') out += '\\' + c;
    else out += c;
  }
  return out + ')$';
}

defFn('similar_to_escape', [TX], TX, ([p]) => similarToEscape(p as string));
defFn('similar_to_escape', [TX, TX], TX, ([p, e]) => similarToEscape(p as string, e as string));
// similar_escape is the pre-v13 non-strict name still used by older clients.
defFn('similar_escape', [TX, TX], TX, ([p, e]) => (p === null ? null : similarToEscape(p as string, e === null ? '\\' : (e as string))), {
  strict: false,
});
