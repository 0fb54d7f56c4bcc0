// PostgreSQL regular expressions (ARE) translated to JS RegExp.
//
// Supported: the ARE syntax in common use — alternation, groups (capturing,
// (?:), lookahead/lookbehind), greedy and lazy quantifiers incl. {m,n},
// bracket expressions with POSIX classes ([:alpha:] etc., ASCII as in the C
// locale), escapes (\d \s \w \D \S \W, \m \M \y \Y \A \Z, \e \t \n \r \f \v,
// \uXXXX \UXXXXXXXX \xHH \0 and octal, back references \1-\9), embedded
// options at the start ((?i) (?n) (?x) ...), the ***= and ***: directors, and
// the flag letters of the regexp_* functions (i c n m s p w x g).
// Not supported (raise 0A000): collating elements [[.x.]] and equivalence
// classes [[=x=]] beyond single characters, BRE/ERE flavours ('b', 'e'
// flags). Matching is JS backtracking: where PostgreSQL's hybrid
// leftmost-longest engine prefers a longer overall match (alternations such
// as (a|ab)), results can differ.

import { SbError, SqlState } from '../sb_error.ts';
import { invalidParameter, invalidRegex } from './errors.ts';

export interface RegexOptions {
  caseInsensitive: boolean;
  /** 'n'/'m' flags: newline-sensitive matching. */
  newlineSensitive: boolean;
  /** 'p': . and [^] stop at newlines, ^/$ do not. */
  partialNewline: boolean;
  /** 'w': ^/$ match at newlines, . and [^] cross them. */
  inversePartial: boolean;
  expanded: boolean;
  literal: boolean;
  global: boolean;
}

const POSIX_CLASSES: Record<string, string> = {
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: '0-9A-Za-z',
  upper: 'A-Z',
  lower: 'a-z',
  space: ' \\t\\n\\r\\f\\v',
  blank: ' \\t',
  punct: '!-\\/:-@\\[-`{-~',
  xdigit: '0-9A-Fa-f',
  cntrl: '\\x00-\\x1f\\x7f',
  print: ' -~',
  graph: '!-~',
  word: '0-9A-Za-z_',
};

/** Parses the flags argument of the regexp_* functions. */
export function parseRegexFlags(flags: string | undefined, fnName: string, allowGlobal = true): RegexOptions {
  const o: RegexOptions = {
    caseInsensitive: false,
    newlineSensitive: false,
    partialNewline: false,
    inversePartial: false,
    expanded: false,
    literal: false,
    global: false,
  };
  for (const f of flags ?? '') {
    switch (f) {
      case 'g':
        if (!allowGlobal) {
          throw invalidParameter(`${fnName}() does not support the "global" option`, {
            hint: fnName === 'regexp_match' ? 'Use the regexp_matches function instead.' : undefined,
          });
        }
        o.global = true;
        break;
      case 'i':
        o.caseInsensitive = true;
        break;
      case 'c':
        o.caseInsensitive = false;
        break;
      case 'n':
      case 'm':
        o.newlineSensitive = true;
        break;
      case 's':
        o.newlineSensitive = false;
        o.partialNewline = false;
        o.inversePartial = false;
        break;
      case 'p':
        o.partialNewline = true;
        break;
      case 'w':
        o.inversePartial = true;
        break;
      case 'x':
        o.expanded = true;
        break;
      case 't':
        o.expanded = false;
        break;
      case 'q':
        o.literal = true;
        break;
      case 'b':
      case 'e':
        throw new SbError(SqlState.feature_not_supported, `regular expression flavour "${f}" is not supported`);
      default:
        throw invalidParameter(`invalid regular expression option: "${f}"`);
    }
  }
  return o;
}

/** A literal character inside a JS u-mode character class. */
function escapeLiteralChar(ch: string): string {
  return /[\\^$.*+?()[\]{}|/-]/.test(ch) ? '\\' + ch : ch;
}

/** A literal character outside classes (u mode rejects identity escapes of non-syntax characters). */
function escapeOutside(ch: string): string {
  return /[\\^$.*+?()[\]{}|/]/.test(ch) ? '\\' + ch : ch;
}

function codeUnitEscape(cp: number): string {
  return `\\u{${cp.toString(16)}}`;
}

/** Translates an ARE to a JS RegExp source (u flag) and adjusts the options from embedded flags. */
export function translateRegex(pattern: string, opts: RegexOptions): string {
  let p = pattern;
  if (p.startsWith('***=')) return [...p.slice(4)].map(escapeOutside).join('');
  if (p.startsWith('***:')) p = p.slice(4);
  if (opts.literal) return [...p].map(escapeOutside).join('');
  // Embedded options: (?flags) at the very start.
  const emb = /^\(\?([bceimnpqstwx]+)\)/.exec(p);
  if (emb !== null) {
    const o2 = parseRegexFlags(emb[1], 'regex');
    if (emb[1]!.includes('i')) opts.caseInsensitive = true;
    if (emb[1]!.includes('c')) opts.caseInsensitive = false;
    if (o2.newlineSensitive) opts.newlineSensitive = true;
    if (o2.partialNewline) opts.partialNewline = true;
    if (o2.inversePartial) opts.inversePartial = true;
    if (o2.expanded) opts.expanded = true;
    if (o2.literal) return [...p.slice(emb[0].length)].map(escapeOutside).join('');
    p = p.slice(emb[0].length);
  }
  const dotStopsAtNewline = opts.newlineSensitive || opts.partialNewline;
  const anchorsAtNewlines = opts.newlineSensitive || opts.inversePartial;
  const chars = [...p];
  let out = '';
  let i = 0;
  let groups = 0;
  const n = chars.length;
  const fail = (msg: string): never => {
    throw invalidRegex(msg);
  };

  const escapeInClass = (): string => {
    // after a backslash inside brackets
    const e = chars[i++];
    if (e === undefined) fail('invalid escape \\ sequence');
    switch (e) {
      case 'd':
        return '0-9';
      case 's':
        return POSIX_CLASSES.space!;
      case 'w':
        return POSIX_CLASSES.word!;
      case 'D':
      case 'S':
      case 'W':
        throw new SbError(SqlState.feature_not_supported, `\\${e} inside a bracket expression is not supported`);
      default:
        return simpleEscape(e!, true) ?? escapeLiteralChar(e!);
    }
  };

  const simpleEscape = (e: string, inClass = false): string | undefined => {
    switch (e) {
      case 'a':
        return '\\x07';
      case 'b':
        return '\\x08';
      case 'e':
        return '\\x1b';
      case 'f':
        return '\\f';
      case 'n':
        return '\\n';
      case 'r':
        return '\\r';
      case 't':
        return '\\t';
      case 'v':
        return '\\v';
      case 'B':
        return '\\\\';
      case 'u':
      case 'U':
      case 'x': {
        const len = e === 'u' ? 4 : e === 'U' ? 8 : 0;
        let hex = '';
        if (len > 0) {
          hex = chars.slice(i, i + len).join('');
          if (!new RegExp(`^[0-9A-Fa-f]{${len}}$`).test(hex)) fail('invalid escape \\ sequence');
          i += len;
        } else {
          while (i < n && /[0-9A-Fa-f]/.test(chars[i]!) && hex.length < 8) hex += chars[i++];
          if (hex === '') fail('invalid escape \\ sequence');
        }
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) fail('invalid escape \\ sequence');
        return codeUnitEscape(cp);
      }
      case '0': {
        let oct = '';
        while (i < n && /[0-7]/.test(chars[i]!) && oct.length < 3) oct += chars[i++];
        return codeUnitEscape(oct === '' ? 0 : parseInt(oct, 8));
      }
      case 'c': {
        const c = chars[i++];
        if (c === undefined) fail('invalid escape \\ sequence');
        return codeUnitEscape(c!.codePointAt(0)! & 31);
      }
    }
    if (/[A-Za-z0-9]/.test(e)) return undefined;
    return inClass ? escapeLiteralChar(e) : escapeOutside(e);
  };

  const bracket = (): void => {
    // chars[i-1] was '['
    let body = '';
    let negate = false;
    if (chars[i] === '^') {
      negate = true;
      i++;
    }
    let first = true;
    for (;;) {
      if (i >= n) fail('brackets [] not balanced');
      const c = chars[i]!;
      if (c === ']' && !first) {
        i++;
        break;
      }
      first = false;
      if (c === '[' && chars[i + 1] === ':') {
        const end = chars.indexOf(':', i + 2);
        const name = chars.slice(i + 2, end).join('');
        if (end < 0 || chars[end + 1] !== ']' || POSIX_CLASSES[name] === undefined) fail('invalid character class');
        body += POSIX_CLASSES[name];
        i = end + 2;
        continue;
      }
      if (c === '[' && (chars[i + 1] === '.' || chars[i + 1] === '=')) {
        const kind = chars[i + 1]!;
        const end = chars.indexOf(kind, i + 2);
        const elem = chars.slice(i + 2, end).join('');
        if (end < 0 || chars[end + 1] !== ']') fail('invalid collating element');
        if ([...elem].length !== 1) throw new SbError(SqlState.feature_not_supported, 'multi-character collating elements are not supported');
        body += escapeLiteralChar(elem);
        i = end + 2;
        continue;
      }
      i++;
      if (c === '\\') body += escapeInClass();
      else body += c === '-' && chars[i] !== ']' && body !== '' ? '-' : escapeLiteralChar(c);
    }
    if (negate && dotStopsAtNewline) body += '\\n';
    out += (negate ? '[^' : '[') + body + ']';
  };

  while (i < n) {
    const c = chars[i++]!;
    if (opts.expanded) {
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') continue;
      if (c === '#') {
        while (i < n && chars[i] !== '\n') i++;
        continue;
      }
    }
    switch (c) {
      case '\\': {
        const e = chars[i++];
        if (e === undefined) fail('invalid escape \\ sequence');
        switch (e) {
          case 'd':
          case 'D':
          case 'w':
          case 'W':
            out += '\\' + e;
            break;
          case 's':
            out += '[' + POSIX_CLASSES.space + ']';
            break;
          case 'S':
            out += '[^' + POSIX_CLASSES.space + ']';
            break;
          case 'm':
            out += '\\b(?=\\w)';
            break;
          case 'M':
            out += '\\b(?<=\\w)';
            break;
          case 'y':
            out += '\\b';
            break;
          case 'Y':
            out += '\\B';
            break;
          case 'A':
            out += '(?<![\\s\\S])';
            break;
          case 'Z':
            out += '(?![\\s\\S])';
            break;
          default:
            if (/[1-9]/.test(e!)) {
              let num = e!;
              while (i < n && /[0-9]/.test(chars[i]!) && Number(num + chars[i]) <= groups) num += chars[i++];
              if (Number(num) > groups) fail('invalid backreference number');
              out += '\\' + num;
            } else {
              const s = simpleEscape(e!);
              if (s === undefined) fail('invalid escape \\ sequence');
              out += s;
            }
        }
        break;
      }
      case '[':
        bracket();
        break;
      case '.':
        out += dotStopsAtNewline ? '[^\\n]' : '[\\s\\S]';
        break;
      case '^':
        out += anchorsAtNewlines ? '(?<=^|\\n)' : '^';
        break;
      case '$':
        out += anchorsAtNewlines ? '(?=$|\\n)' : '$';
        break;
      case '(':
        if (chars[i] === '?') {
          const k = chars[i + 1];
          if (k === ':' || k === '=' || k === '!') {
            out += '(?' + k;
            i += 2;
          } else if (k === '<' && (chars[i + 2] === '=' || chars[i + 2] === '!')) {
            out += '(?<' + chars[i + 2];
            i += 3;
          } else fail('quantifier operand invalid');
        } else {
          groups++;
          out += '(';
        }
        break;
      case '{': {
        if (!/[0-9]/.test(chars[i] ?? '')) {
          // Not a bound: a literal brace.
          out += '\\{';
          break;
        }
        const m = /^(\d+)(,(\d*))?\}/.exec(chars.slice(i, i + 24).join(''));
        if (m === null) fail('invalid repetition count(s)');
        const lo = Number(m![1]);
        const hi = m![3] !== undefined && m![3] !== '' ? Number(m![3]) : undefined;
        if (lo > 255 || (hi !== undefined && (hi > 255 || hi < lo))) fail('invalid repetition count(s)');
        if (out === '' || /[(|]$/.test(out)) fail('quantifier operand invalid');
        out += '{' + m![0];
        i += m![0].length;
        break;
      }
      case '*':
      case '+':
      case '?':
        if (out === '' || /(?<!\\)[(|]$/.test(out)) fail('quantifier operand invalid');
        out += c;
        break;
      case ')':
      case '|':
        out += c;
        break;
      default:
        out += escapeOutside(c);
    }
  }
  return out;
}

interface Compiled {
  re: RegExp;
  opts: RegexOptions;
}

const CACHE_MAX = 256;
const cache = new Map<string, Compiled>();

/** Compiles pattern with the given flags (cached). The RegExp always has the g flag (use lastIndex). */
export function compileRegex(pattern: string, flags: string | undefined, fnName = 'regex', allowGlobal = true): Compiled {
  const key = `${flags ?? ''}\u0000${pattern}`;
  let c = cache.get(key);
  if (c !== undefined) return c;
  const opts = parseRegexFlags(flags, fnName, allowGlobal);
  const src = translateRegex(pattern, opts);
  let re: RegExp;
  try {
    re = new RegExp(src, 'gu' + (opts.caseInsensitive ? 'i' : ''));
  } catch (e) {
    throw invalidRegex(e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e));
  }
  c = { re, opts };
  if (cache.size >= CACHE_MAX) cache.delete(cache.keys().next().value!);
  cache.set(key, c);
  return c;
}

/** Whether the pattern matches anywhere in s. */
export function regexTest(s: string, pattern: string, flags?: string): boolean {
  const { re } = compileRegex(pattern, flags);
  re.lastIndex = 0;
  return re.test(s);
}
