// PostgreSQL's numeric template patterns (formatting.c, "NUM"): 9 0 . D ,
// G S MI PL SG PR L V EEEE RN TH FM B, for to_char(number, text) and
// to_number(text, text). The template is described by a NumDesc (digits
// before/after the point, sign placement, flags) as NUMDesc_prepare builds
// it; NUM_processor's state machine then walks the template, writing
// (to_char) or reading (to_number) one picture at a time. C locale: '.'
// decimal point, ',' group separator, ' ' currency symbol.

import { SbError, SqlState } from '../sb_error.ts';
import { Numeric } from '../types/numeric.ts';

const enum F {
  DECIMAL = 1 << 1,
  LDECIMAL = 1 << 2,
  ZERO = 1 << 3,
  BLANK = 1 << 4,
  FILLMODE = 1 << 5,
  LSIGN = 1 << 6,
  BRACKET = 1 << 7,
  MINUS = 1 << 8,
  PLUS = 1 << 9,
  ROMAN = 1 << 10,
  MULTI = 1 << 11,
  PLUS_POST = 1 << 12,
  MINUS_POST = 1 << 13,
  EEEE = 1 << 14,
}

const enum LSign {
  None = 0,
  Pre = 1,
  Post = 2,
}

export interface NumNode {
  /** Canonical keyword id (upper case, 'rn'/'th' keep their case) or null for a literal. */
  key: string | null;
  ch: string;
}

export interface NumDesc {
  pre: number;
  post: number;
  lsign: LSign;
  flag: number;
  preLsignNum: number;
  multi: number;
  zeroStart: number;
  zeroEnd: number;
}

const KEYWORDS: Array<[string, string]> = [
  [',', ','], ['.', '.'], ['0', '0'], ['9', '9'], ['B', 'B'], ['C', 'C'], ['D', 'D'], ['EEEE', 'E'], ['FM', 'FM'], ['G', 'G'],
  ['L', 'L'], ['MI', 'MI'], ['PL', 'PL'], ['PR', 'PR'], ['RN', 'RN'], ['SG', 'SG'], ['SP', 'SP'], ['S', 'S'], ['TH', 'TH'], ['V', 'V'],
  ['b', 'B'], ['c', 'C'], ['d', 'D'], ['eeee', 'E'], ['fm', 'FM'], ['g', 'G'], ['l', 'L'], ['mi', 'MI'], ['pl', 'PL'], ['pr', 'PR'],
  ['rn', 'rn'], ['sg', 'SG'], ['sp', 'SP'], ['s', 'S'], ['th', 'th'], ['v', 'V'],
];
const BY_FIRST = new Map<string, Array<[string, string]>>();
for (const kw of KEYWORDS) {
  const list = BY_FIRST.get(kw[0][0]!) ?? [];
  list.push(kw);
  BY_FIRST.set(kw[0][0]!, list);
}
for (const list of BY_FIRST.values()) list.sort((a, b) => b[0].length - a[0].length);

function syntax(msg: string, detail?: string): SbError {
  return new SbError(SqlState.syntax_error, msg, detail === undefined ? {} : { detail });
}

function prepare(num: NumDesc, key: string): void {
  const has = (f: F): boolean => (num.flag & f) !== 0;
  if (has(F.EEEE) && key !== 'E') throw syntax('"EEEE" must be the last pattern used');
  switch (key) {
    case '9':
      if (has(F.BRACKET)) throw syntax('"9" must be ahead of "PR"');
      if (has(F.MULTI)) {
        num.multi++;
        break;
      }
      if (has(F.DECIMAL)) num.post++;
      else num.pre++;
      break;
    case '0':
      if (has(F.BRACKET)) throw syntax('"0" must be ahead of "PR"');
      if (!has(F.ZERO) && !has(F.DECIMAL)) {
        num.flag |= F.ZERO;
        num.zeroStart = num.pre + 1;
      }
      if (!has(F.DECIMAL)) num.pre++;
      else num.post++;
      num.zeroEnd = num.pre + num.post;
      break;
    case 'B':
      // Only a leading B (before any digit) flags blank mode.
      if (num.pre === 0 && num.post === 0 && !has(F.ZERO)) num.flag |= F.BLANK;
      break;
    case 'D':
      num.flag |= F.LDECIMAL;
    // falls through
    case '.':
      if (has(F.DECIMAL)) throw syntax('multiple decimal points');
      if (has(F.MULTI)) throw syntax('cannot use "V" and decimal point together');
      num.flag |= F.DECIMAL;
      break;
    case 'FM':
      num.flag |= F.FILLMODE;
      break;
    case 'S':
      if (has(F.LSIGN)) throw syntax('cannot use "S" twice');
      if (has(F.PLUS) || has(F.MINUS) || has(F.BRACKET)) throw syntax('cannot use "S" and "PL"/"MI"/"SG"/"PR" together');
      if (!has(F.DECIMAL)) {
        num.lsign = LSign.Pre;
        num.preLsignNum = num.pre;
        num.flag |= F.LSIGN;
      } else if (num.lsign === LSign.None) {
        num.lsign = LSign.Post;
        num.flag |= F.LSIGN;
      }
      break;
    case 'MI':
      if (has(F.LSIGN)) throw syntax('cannot use "S" and "MI" together');
      num.flag |= F.MINUS;
      if (has(F.DECIMAL)) num.flag |= F.MINUS_POST;
      break;
    case 'PL':
      if (has(F.LSIGN)) throw syntax('cannot use "S" and "PL" together');
      num.flag |= F.PLUS;
      if (has(F.DECIMAL)) num.flag |= F.PLUS_POST;
      break;
    case 'SG':
      if (has(F.LSIGN)) throw syntax('cannot use "S" and "SG" together');
      num.flag |= F.MINUS | F.PLUS;
      break;
    case 'PR':
      if (has(F.LSIGN) || has(F.PLUS) || has(F.MINUS)) throw syntax('cannot use "PR" and "S"/"PL"/"MI"/"SG" together');
      num.flag |= F.BRACKET;
      break;
    case 'rn':
    case 'RN':
      num.flag |= F.ROMAN;
      break;
    case 'V':
      if (has(F.DECIMAL)) throw syntax('cannot use "V" and decimal point together');
      num.flag |= F.MULTI;
      break;
    case 'E':
      if (has(F.EEEE)) throw syntax('cannot use "EEEE" twice');
      if (has(F.BLANK) || has(F.FILLMODE) || has(F.LSIGN) || has(F.BRACKET) || has(F.MINUS) || has(F.PLUS) || has(F.ROMAN) || has(F.MULTI)) {
        throw syntax('"EEEE" is incompatible with other formats', '"EEEE" may only be used together with digit and decimal point patterns.');
      }
      num.flag |= F.EEEE;
      break;
  }
}

const CACHE = new Map<string, { nodes: NumNode[]; desc: NumDesc }>();

/** parse_format + NUMDesc_prepare for a numeric template (cached; callers copy the desc before changing it). */
export function parseNumFormat(fmt: string): { nodes: NumNode[]; desc: NumDesc } {
  const hit = CACHE.get(fmt);
  if (hit !== undefined) return hit;
  const desc: NumDesc = { pre: 0, post: 0, lsign: LSign.None, flag: 0, preLsignNum: 0, multi: 0, zeroStart: 0, zeroEnd: 0 };
  const nodes: NumNode[] = [];
  const chars = Array.from(fmt);
  let i = 0;
  while (i < chars.length) {
    const kw = BY_FIRST.get(chars[i]!)?.find(([k]) => {
      for (let j = 0; j < k.length; j++) if (chars[i + j] !== k[j]) return false;
      return true;
    });
    if (kw !== undefined) {
      prepare(desc, kw[1]);
      nodes.push({ key: kw[1], ch: '' });
      i += kw[0].length;
      continue;
    }
    if (chars[i] === '"') {
      i++;
      while (i < chars.length && chars[i] !== '"') {
        if (chars[i] === '\\' && i + 1 < chars.length) i++;
        nodes.push({ key: null, ch: chars[i]! });
        i++;
      }
      i++;
      continue;
    }
    if (chars[i] === '\\' && chars[i + 1] === '"') i++;
    nodes.push({ key: null, ch: chars[i]! });
    i++;
  }
  const r = { nodes, desc };
  if (CACHE.size >= 256) CACHE.clear();
  CACHE.set(fmt, r);
  return r;
}

export function isRoman(d: NumDesc): boolean {
  return (d.flag & F.ROMAN) !== 0;
}
export function isEeee(d: NumDesc): boolean {
  return (d.flag & F.EEEE) !== 0;
}
export function isMulti(d: NumDesc): boolean {
  return (d.flag & F.MULTI) !== 0;
}

// ---- to_char ------------------------------------------------------------------------

const RM1 = ['I', 'II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII', 'IX'];
const RM10 = ['X', 'XX', 'XXX', 'XL', 'L', 'LX', 'LXX', 'LXXX', 'XC'];
const RM100 = ['C', 'CC', 'CCC', 'CD', 'D', 'DC', 'DCC', 'DCCC', 'CM'];

/** int_to_roman: 1..3999, else 15 '#'. */
export function intToRoman(n: number): string {
  if (!(n >= 1 && n <= 3999)) return '#'.repeat(15);
  const s = String(n);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const d = s.charCodeAt(i) - 49;
    if (d < 0) continue;
    const place = s.length - i;
    if (place > 3) out += 'M'.repeat(d + 1);
    else out += (place === 3 ? RM100 : place === 2 ? RM10 : RM1)[d];
  }
  return out;
}

/** get_th: the ordinal suffix from the number text's last characters (22P02 when it does not end in a digit). */
function thOf(num: string, upper: boolean): string {
  const last = num.charCodeAt(num.length - 1);
  if (!(last >= 48 && last <= 57)) throw new SbError(SqlState.invalid_text_representation, `"${num}" is not a number`);
  const teen = num.length > 1 && num[num.length - 2] === '1';
  const s = teen ? 'th' : last === 49 ? 'st' : last === 50 ? 'nd' : last === 51 ? 'rd' : 'th';
  return upper ? s.toUpperCase() : s;
}

/**
 * NUM_processor for to_char: `number` is the digits (with '.' when there is
 * a fraction, or '#'s on overflow), `sign` '+' or '-', `preSpaces` the unused
 * integer positions of the template.
 */
export function numToChar(nodes: readonly NumNode[], desc0: NumDesc, number: string, preSpaces: number, sign0: '+' | '-'): string {
  const d: NumDesc = { ...desc0 };
  const has = (f: F): boolean => (d.flag & f) !== 0;
  if (d.zeroStart) d.zeroStart--;
  if (has(F.EEEE)) return number;
  let sign: string = sign0;
  let outPreSpaces = preSpaces;
  if (has(F.ROMAN)) {
    d.lsign = LSign.None;
    d.preLsignNum = 0;
    d.post = 0;
    d.pre = 0;
    outPreSpaces = 0;
    sign = '';
    d.flag = (has(F.FILLMODE) ? F.FILLMODE : 0) | F.ROMAN;
  }
  let signWrote: boolean;
  if (has(F.PLUS) || has(F.MINUS)) {
    signWrote = !(has(F.PLUS) && !has(F.MINUS));
  } else {
    if (sign !== '-' && has(F.FILLMODE)) d.flag &= ~F.BRACKET;
    signWrote = sign === '+' && has(F.FILLMODE) && !has(F.LSIGN);
    if (d.lsign === LSign.Pre && d.pre === d.preLsignNum) d.lsign = LSign.Post;
  }
  let numCount = d.post + d.pre - 1;
  let lastRelevant = -1;
  if (has(F.FILLMODE) && has(F.DECIMAL)) {
    const p = number.indexOf('.');
    if (p >= 0) {
      lastRelevant = p;
      for (let k = p + 1; k < number.length; k++) if (number[k] !== '0') lastRelevant = k;
      if (d.zeroEnd > outPreSpaces) {
        const lastZero = Math.min(number.length - 1, d.zeroEnd - outPreSpaces);
        if (lastRelevant < lastZero) lastRelevant = lastZero;
      }
    }
  }
  if (!signWrote && outPreSpaces === 0) numCount++;

  let out = '';
  let numIn = false;
  let numCurr = 0;
  let np = 0; // index into number
  const isPredecSpace = (): boolean => !has(F.ZERO) && np === 0 && number[0] === '0' && d.post !== 0;

  const numpart = (id: string): void => {
    if (has(F.ROMAN)) return;
    numIn = false;
    if (
      !signWrote &&
      (numCurr >= outPreSpaces || (has(F.ZERO) && d.zeroStart === numCurr)) &&
      (!isPredecSpace() || (lastRelevant >= 0 && number[lastRelevant] === '.'))
    ) {
      if (has(F.LSIGN)) {
        if (d.lsign === LSign.Pre) {
          out += sign === '-' ? '-' : '+';
          signWrote = true;
        }
      } else if (has(F.BRACKET)) {
        out += sign === '+' ? ' ' : '<';
        signWrote = true;
      } else if (sign === '+') {
        if (!has(F.FILLMODE)) out += ' ';
        signWrote = true;
      } else if (sign === '-') {
        out += '-';
        signWrote = true;
      }
    }
    if (numCurr < outPreSpaces && (d.zeroStart > numCurr || !has(F.ZERO))) {
      if (!has(F.FILLMODE)) out += ' ';
    } else if (has(F.ZERO) && numCurr < outPreSpaces && d.zeroStart <= numCurr) {
      out += '0';
      numIn = true;
    } else {
      if (number[np] === '.') {
        if (lastRelevant < 0 || number[lastRelevant] !== '.') out += '.';
        else if (has(F.FILLMODE)) out += '.';
      } else if (lastRelevant >= 0 && np > lastRelevant && id !== '0') {
        // trailing zeros suppressed by FM
      } else if (isPredecSpace()) {
        if (!has(F.FILLMODE)) out += ' ';
        else if (lastRelevant >= 0 && number[lastRelevant] === '.') out += '0';
      } else {
        // Past the end of the digits PostgreSQL copies the string's NUL: the output ends there.
        out += number[np] ?? '\0';
        numIn = true;
      }
      if (np < number.length) np++;
    }
    let end = numCount + (outPreSpaces ? 1 : 0) + (has(F.DECIMAL) ? 1 : 0);
    if (lastRelevant >= 0 && lastRelevant === np) end = numCurr;
    if (numCurr + 1 === end) {
      if (signWrote && has(F.BRACKET)) out += sign === '+' ? ' ' : '>';
      else if (has(F.LSIGN) && d.lsign === LSign.Post) out += sign === '-' ? '-' : '+';
    }
    numCurr++;
  };

  for (const n of nodes) {
    if (n.key === null) {
      out += n.ch;
      continue;
    }
    switch (n.key) {
      case '9':
      case '0':
      case '.':
      case 'D':
        numpart(n.key);
        break;
      case ',':
        if (!numIn) {
          if (!has(F.FILLMODE)) out += ' ';
        } else out += ',';
        break;
      case 'G':
        if (!numIn) {
          if (!has(F.FILLMODE)) out += ' ';
        } else out += ',';
        break;
      case 'L':
        out += ' ';
        break;
      case 'RN':
      case 'rn': {
        const r = n.key === 'rn' ? number.toLowerCase() : number;
        out += has(F.FILLMODE) ? r : r.padStart(15, ' ');
        break;
      }
      case 'TH':
      case 'th':
        if (has(F.ROMAN) || number[0] === '#' || sign === '-' || has(F.DECIMAL)) break;
        out += thOf(number, n.key === 'TH');
        break;
      case 'MI':
        if (sign === '-') out += '-';
        else if (!has(F.FILLMODE)) out += ' ';
        break;
      case 'PL':
        if (sign === '+') out += '+';
        else if (!has(F.FILLMODE)) out += ' ';
        break;
      case 'SG':
        // Roman numerals have no sign: PostgreSQL writes its NUL there, which ends the output.
        out += sign === '' ? '\0' : sign;
        break;
      default:
        break;
    }
  }
  const nul = out.indexOf('\0');
  return nul >= 0 ? out.slice(0, nul) : out;
}

/** The '#' fill of an overflowed template: pre + post digits around a point. */
export function overflowDigits(pre: number, post: number): string {
  return '#'.repeat(pre) + '.' + '#'.repeat(post);
}

// ---- exact decimal text of doubles (C's %.*f and %.*e, round half to even) -------------

/** The double as an exact decimal rounded to `digits` fraction digits, ties to even (glibc printf). */
export function fixedText(x: number, digits: number): string {
  const n = Numeric.exactFromDouble(x);
  return roundHalfEven(n, digits).toString();
}

function roundHalfEven(n: Numeric, digits: number): Numeric {
  if (n.scale <= digits) return n.withScale(digits);
  const down = n.truncScale(digits);
  const rest = n.sub(down).abs();
  const half = Numeric.raw(5n, digits + 1);
  const c = rest.cmp(half);
  if (c < 0) return down;
  const ulp = Numeric.raw(n.sign() < 0 ? -1n : 1n, digits);
  if (c > 0) return down.add(ulp).withScale(digits);
  const lastDigit = (down.coef < 0n ? -down.coef : down.coef) % 2n;
  return lastDigit === 0n ? down : down.add(ulp).withScale(digits);
}

/** C's "%+.*e": sign, mantissa with `digits` decimals, 'e', exponent sign and at least two digits. */
export function expText(x: number, digits: number): string {
  const sign = x < 0 || Object.is(x, -0) ? '-' : '+';
  if (x === 0) return `${sign}${digits > 0 ? '0.' + '0'.repeat(digits) : '0'}e+00`;
  const n = Numeric.exactFromDouble(Math.abs(x));
  return sign + sciText(n, digits);
}

/** Scientific text of a positive finite numeric with `digits` decimals; half-even for doubles, half-up for numerics. */
export function sciText(n: Numeric, digits: number, halfUp = false): string {
  if (n.isZero()) return `${digits > 0 ? '0.' + '0'.repeat(digits) : '0'}e+00`;
  let e = n.decimalExponent();
  // Shift so the first significant digit is in the units place, round, and renormalise on carry.
  const shifted = Numeric.raw(n.coef, n.scale + e);
  let m = halfUp ? shifted.withScale(digits) : roundHalfEven(shifted, digits);
  // printf renormalises a carry (9.99 -> 1.00e+01); numeric_out_sci keeps "10.0e+00".
  if (!halfUp && m.abs().cmp(Numeric.fromInt(10)) >= 0) {
    e++;
    const s2 = Numeric.raw(n.coef, n.scale + e);
    m = halfUp ? s2.withScale(digits) : roundHalfEven(s2, digits);
  }
  const exp = (e < 0 ? '-' : '+') + String(Math.abs(e)).padStart(2, '0');
  return `${m.toString()}e${exp}`;
}

// ---- to_number ------------------------------------------------------------------------

const DATA_CHARS = '0123456789.,+-';

/**
 * NUM_processor for to_number: reads `input` by the template and returns
 * the number text for numeric_in (sign first, '.' for the point) and the
 * fraction digits read.
 */
export function numFromChar(nodes: readonly NumNode[], desc: NumDesc, input: string): { text: string; post: number } {
  const has = (f: F): boolean => (desc.flag & f) !== 0;
  if (has(F.EEEE)) throw new SbError(SqlState.feature_not_supported, '"EEEE" not supported for input');
  if (has(F.ROMAN)) throw new SbError(SqlState.feature_not_supported, '"RN" not supported for input');
  const s = input;
  const len = s.length;
  let p = 0; // input position
  let sign = ' ';
  let digits = '';
  let readPre = 0;
  let readPost = 0;
  let readDec = false;
  // PostgreSQL never sets num_in while reading: ',' and G behave as before the first digit throughout.
  const numIn = false;
  const overload = (): boolean => p >= len;
  const amount = (n: number): boolean => p <= len - n;
  const eatNonData = (n: number): void => {
    while (n-- > 0) {
      if (overload()) break;
      if (DATA_CHARS.includes(s[p]!)) break;
      p++;
    }
  };
  const numpart = (id: string): void => {
    let isread = false;
    if (overload()) return;
    if (s[p] === ' ') p++;
    if (overload()) return;
    if (sign === ' ' && (id === '0' || id === '9') && readPre + readPost === 0) {
      // The sign before the number: S (locale sign) or a plain + - (or < with PR).
      if (has(F.LSIGN) && desc.lsign === LSign.Pre) {
        if (amount(1) && s[p] === '-') {
          p++;
          sign = '-';
        } else if (amount(1) && s[p] === '+') {
          p++;
          sign = '+';
        }
      } else if (s[p] === '-' || (has(F.BRACKET) && s[p] === '<')) {
        sign = '-';
        p++;
      } else if (s[p] === '+') {
        sign = '+';
        p++;
      }
    }
    if (overload()) return;
    const c = s[p]!;
    if (c >= '0' && c <= '9') {
      if (readDec && readPost === desc.post) return;
      digits += c;
      if (readDec) readPost++;
      else readPre++;
      isread = true;
    } else if (has(F.DECIMAL) && !readDec && amount(1) && c === '.') {
      digits += '.';
      readDec = true;
      isread = true;
    }
    if (overload()) return;
    // A sign right after the last digit (S anchored to the number, or a loose MI/PL/SG).
    if (sign === ' ' && readPre + readPost > 0) {
      if (has(F.LSIGN) && isread && p + 1 < len && !(s[p + 1]! >= '0' && s[p + 1]! <= '9')) {
        const next = s[p + 1];
        if (next === '-' || next === '+') {
          p++;
          sign = next;
        }
      } else if (!isread && !has(F.LSIGN) && (has(F.PLUS) || has(F.MINUS))) {
        if (s[p] === '-' || s[p] === '+') sign = s[p]!;
      }
    }
  };
  for (const n of nodes) {
    if (overload()) break;
    if (n.key === null) {
      p += s.codePointAt(p)! > 0xffff ? 2 : 1;
      continue;
    }
    switch (n.key) {
      case '9':
      case '0':
      case '.':
      case 'D':
        numpart(n.key);
        break;
      case ',':
        if (!numIn && has(F.FILLMODE)) continue;
        if (s[p] !== ',') continue;
        break;
      case 'G':
        if (!numIn && has(F.FILLMODE)) continue;
        if (amount(1) && s[p] === ',') break;
        continue;
      case 'L':
        // The currency symbol (' ' in the C locale) takes one non-data character.
        eatNonData(1);
        continue;
      case 'TH':
      case 'th':
        if (has(F.DECIMAL)) continue;
        eatNonData(2);
        continue;
      case 'MI':
        if (s[p] === '-') sign = '-';
        else {
          eatNonData(1);
          continue;
        }
        break;
      case 'PL':
        if (s[p] === '+') sign = '+';
        else {
          eatNonData(1);
          continue;
        }
        break;
      case 'SG':
        if (s[p] === '-') sign = '-';
        else if (s[p] === '+') sign = '+';
        else {
          eatNonData(1);
          continue;
        }
        break;
      default:
        continue;
    }
    p++;
  }
  if (digits.endsWith('.')) digits = digits.slice(0, -1);
  return { text: sign + digits, post: readPost };
}
