// Array text I/O as array_in / array_out: '{1,2,NULL,"a b"}', nested
// braces for more dimensions, '[0:1]={7,8}' bounds, quoting and backslash
// escapes, 22P02 "malformed array literal" with PostgreSQL's details.

import { SbError, SqlState } from '../sb_error.ts';
import { ARRAY_DIMS_MAX, SqlArray, arrayDimsError } from './array.ts';
import type { SqlType } from './types.ts';

const isSpace = (c: string | undefined): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

function malformed(input: string, detail: string): SbError {
  return new SbError(SqlState.invalid_text_representation, `malformed array literal: "${input}"`, { detail });
}

interface RawElem {
  text: string;
  isNull: boolean;
}

/** A nested level: either elements or sub-levels. */
type Level = { subs: Level[] } | { elems: RawElem[] };

class ArrayReader {
  pos = 0;
  constructor(
    readonly s: string,
    readonly delim: string,
  ) {}

  fail(detail: string): never {
    throw malformed(this.s, detail);
  }

  ws(): void {
    while (isSpace(this.s[this.pos])) this.pos++;
  }

  /** Reads "{...}" at the current position. */
  level(depth: number): Level {
    if (depth > ARRAY_DIMS_MAX) throw arrayDimsError(depth);
    this.pos++; // '{'
    this.ws();
    const s = this.s;
    if (this.pos >= s.length) this.fail('Unexpected end of input.');
    if (s[this.pos] === '}') {
      if (depth > 1) this.fail('Unexpected "}" character.');
      this.pos++;
      return { elems: [] };
    }
    if (s[this.pos] === '{') {
      const subs: Level[] = [];
      for (;;) {
        this.ws();
        if (this.pos >= s.length) this.fail('Unexpected end of input.');
        if (s[this.pos] !== '{') this.fail('Unexpected array element.');
        subs.push(this.level(depth + 1));
        this.ws();
        if (this.pos >= s.length) this.fail('Unexpected end of input.');
        const c = s[this.pos];
        this.pos++;
        if (c === this.delim) continue;
        if (c === '}') break;
        this.fail(`Unexpected "${c}" character.`);
      }
      return { subs };
    }
    const elems: RawElem[] = [];
    for (;;) {
      elems.push(this.element());
      if (this.pos >= s.length) this.fail('Unexpected end of input.');
      const c = s[this.pos];
      this.pos++;
      if (c === this.delim) {
        this.ws();
        if (s[this.pos] === '}' ) this.fail('Unexpected "}" character.');
        continue;
      }
      if (c === '}') break;
      this.fail(`Unexpected "${c}" character.`);
    }
    return { elems };
  }

  /** One element, leaving pos at the delimiter or '}'. */
  element(): RawElem {
    const s = this.s;
    this.ws();
    if (this.pos >= s.length) this.fail('Unexpected end of input.');
    if (s[this.pos] === '{') this.fail('Unexpected "{" character.');
    if (s[this.pos] === '"') {
      this.pos++;
      let text = '';
      for (;;) {
        if (this.pos >= s.length) this.fail('Unexpected end of input.');
        const c = s[this.pos]!;
        if (c === '\\') {
          if (this.pos + 1 >= s.length) this.fail('Unexpected end of input.');
          text += s[this.pos + 1];
          this.pos += 2;
        } else if (c === '"') {
          this.pos++;
          break;
        } else {
          text += c;
          this.pos++;
        }
      }
      this.ws();
      if (this.pos >= s.length) this.fail('Unexpected end of input.');
      if (s[this.pos] !== this.delim && s[this.pos] !== '}') this.fail('Unexpected array element.');
      return { text, isNull: false };
    }
    let text = '';
    let escaped = false;
    let keep = 0; // length of text up to the last non-whitespace or escaped char
    for (;;) {
      if (this.pos >= s.length) this.fail('Unexpected end of input.');
      const c = s[this.pos]!;
      if (c === this.delim || c === '}') break;
      if (c === '{') this.fail('Unexpected "{" character.');
      if (c === '"') this.fail('Unexpected array element.');
      if (c === '\\') {
        if (this.pos + 1 >= s.length) this.fail('Unexpected end of input.');
        text += s[this.pos + 1];
        escaped = true;
        keep = text.length;
        this.pos += 2;
        continue;
      }
      text += c;
      if (!isSpace(c)) keep = text.length;
      this.pos++;
    }
    text = text.slice(0, keep);
    if (text === '' && !escaped) this.fail(`Unexpected "${s[this.pos]}" character.`);
    const isNull = !escaped && text.toUpperCase() === 'NULL';
    return { text, isNull };
  }
}

function shapeOf(level: Level, input: string): number[] {
  if ('elems' in level) return level.elems.length === 0 ? [] : [level.elems.length];
  const first = shapeOf(level.subs[0]!, input);
  for (const sub of level.subs) {
    const sh = shapeOf(sub, input);
    if (sh.length !== first.length || sh.some((d, i) => d !== first[i])) {
      throw malformed(input, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
    }
  }
  return [level.subs.length, ...first];
}

function flatten(level: Level, out: RawElem[]): void {
  if ('elems' in level) out.push(...level.elems);
  else for (const sub of level.subs) flatten(sub, out);
}

/** array_in: parses the literal and each element with `parseElem` (called for non-NULL elements). */
export function parseArrayText(input: string, elemType: SqlType, parseElem: (text: string) => unknown, delim = ','): SqlArray {
  const r: ArrayReader = new ArrayReader(input, delim);
  r.ws();
  let given: { lb: number[]; ub: number[] } | undefined;
  if (input[r.pos] === '[') {
    const lb: number[] = [];
    const ub: number[] = [];
    while (input[r.pos] === '[') {
      r.pos++;
      r.ws();
      const m1 = /^[+-]?\d+/.exec(input.slice(r.pos));
      if (m1 === null) r.fail('Missing array dimension value.');
      r.pos += m1[0].length;
      r.ws();
      let lower = 1;
      let upper = Number(m1[0]);
      if (input[r.pos] === ':') {
        r.pos++;
        r.ws();
        const m2 = /^[+-]?\d+/.exec(input.slice(r.pos));
        if (m2 === null) r.fail('Missing array dimension value.');
        r.pos += m2[0].length;
        r.ws();
        lower = upper;
        upper = Number(m2[0]);
      }
      if (input[r.pos] !== ']') r.fail('Missing "]" after array dimensions.');
      r.pos++;
      if (upper < lower) throw new SbError('2202E', 'upper bound cannot be less than lower bound');
      lb.push(lower);
      ub.push(upper);
      if (lb.length > ARRAY_DIMS_MAX) throw arrayDimsError(lb.length);
      r.ws();
    }
    if (input[r.pos] !== '=') r.fail('Missing "=" after array dimensions.');
    r.pos++;
    r.ws();
    given = { lb, ub };
  }
  if (input[r.pos] !== '{') r.fail('Array value must start with "{" or dimension information.');
  const top = r.level(1);
  r.ws();
  if (r.pos < input.length) r.fail('Junk after closing right brace.');
  const dims = shapeOf(top, input);
  const raw: RawElem[] = [];
  flatten(top, raw);
  let lbounds = dims.map(() => 1);
  if (given !== undefined) {
    const gd = given.ub.map((u, i) => u - given!.lb[i]! + 1);
    if (gd.length !== dims.length || gd.some((d, i) => d !== dims[i])) {
      if (!(dims.length === 0 && raw.length === 0)) r.fail('Specified array dimensions do not match array contents.');
      r.fail('Specified array dimensions do not match array contents.');
    }
    lbounds = given.lb;
  }
  const values = raw.map((e) => (e.isNull ? null : parseElem(e.text)));
  if (dims.length === 0) return SqlArray.empty(elemType);
  return new SqlArray(elemType, dims, lbounds, values);
}

/** Quotes an element as array_out does (empty, NULL-like, or containing special characters). */
export function quoteArrayElement(s: string, delim = ','): string {
  let needs = s === '' || s.toUpperCase() === 'NULL';
  if (!needs) {
    for (let i = 0; i < s.length; i++) {
      const c = s[i];
      if (c === '"' || c === '\\' || c === '{' || c === '}' || c === delim || isSpace(c)) {
        needs = true;
        break;
      }
    }
  }
  if (!needs) return s;
  return '"' + s.replace(/["\\]/g, (m) => '\\' + m) + '"';
}

/** array_out: elements printed with `formatElem` (non-NULL elements only). */
export function formatArrayText(arr: SqlArray, formatElem: (v: unknown) => string, delim = ','): string {
  if (arr.dims.length === 0 || arr.values.length === 0) return '{}';
  let prefix = '';
  if (arr.lbounds.some((l) => l !== 1)) {
    prefix = arr.dims.map((n, d) => `[${arr.lbounds[d]}:${arr.lbounds[d]! + n - 1}]`).join('') + '=';
  }
  const items = arr.values.map((v) => (v === null || v === undefined ? 'NULL' : quoteArrayElement(formatElem(v), delim)));
  let idx = 0;
  const build = (d: number): string => {
    const parts: string[] = [];
    for (let i = 0; i < arr.dims[d]!; i++) parts.push(d === arr.dims.length - 1 ? items[idx++]! : build(d + 1));
    return '{' + parts.join(delim) + '}';
  };
  return prefix + build(0);
}
