// The SQL/JSON path language (PostgreSQL 15's jsonpath): parser and
// executor, and jsonb_path_exists / _match / _query / _query_array /
// _query_first (and their _tz forms) with vars and silent, and the jsonb @?
// and @@ operators.
//
// Supported: lax (default) and strict modes; $, $var, $"var", @, last;
// accessors .key ."key" .* [*] [i, j to k] .** .**{n} .**{n to m|last};
// filters ? (...) with == != <> < <= > >=, &&, ||, !, exists (...),
// (...) is unknown, like_regex "re" [flag "imsq"], starts with "s" | $var;
// arithmetic + - * / % and unary + -; item methods .type() .size()
// .double() .ceiling() .floor() .abs() .keyvalue() .datetime() (ISO
// formats, no template). Semantics follow PostgreSQL's jsonpath_exec.c:
// lax mode unwraps arrays for accessors and wraps scalars for array
// accessors and ignores structural errors; predicates are three-valued and
// an error inside one makes it unknown; `silent` (and the operators)
// suppress the errors PostgreSQL calls suppressible (structural, type,
// numeric and datetime errors), not a missing variable.
//
// The jsonpath type itself does not exist yet: the path argument is text,
// and the type name jsonpath is an alias of text (types/type_names.ts).

import { SbError, SqlState } from '../sb_error.ts';
import { Numeric } from '../types/numeric.ts';
import { compareCodePoints, sortedObject } from '../types/json_parse.ts';
import { Jsonb, jsonTypeName, type JsonObject, type JsonValue } from '../types/jsonb.ts';
import { T } from '../types/types.ts';
import { compileRegex } from './regex.ts';
import { defFn, defOp, defSrf } from './registry.ts';

// ---- errors -----------------------------------------------------------------------------

/** An error `silent` suppresses (PostgreSQL's RETURN_ERROR in jsonpath_exec.c). */
class JpError extends SbError {}

const jpErr = (code: string, msg: string): JpError => new JpError(code, msg);
const syntax = (msg: string): SbError => new SbError(SqlState.syntax_error, `${msg} of jsonpath input`);

// ---- AST --------------------------------------------------------------------------------

type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';
type Node =
  | { k: 'root' }
  | { k: 'current' }
  | { k: 'last' }
  | { k: 'var'; name: string }
  | { k: 'lit'; v: JsonValue }
  | { k: 'chain'; base: Node; steps: Step[] }
  | { k: 'bin'; op: '+' | '-' | '*' | '/' | '%'; l: Node; r: Node }
  | { k: 'unary'; op: '+' | '-'; e: Node }
  | { k: 'cmp'; op: CmpOp; l: Node; r: Node }
  | { k: 'and' | 'or'; l: Node; r: Node }
  | { k: 'not' | 'isunknown' | 'exists'; e: Node }
  | { k: 'like'; e: Node; re: RegExp }
  | { k: 'starts'; e: Node; prefix: Node };

type Step =
  | { k: 'key'; name: string }
  | { k: 'anykey' }
  | { k: 'anyarray' }
  | { k: 'index'; subs: Array<[Node, Node | null]> }
  | { k: 'any'; first: number; last: number }
  | { k: 'filter'; pred: Node }
  | { k: 'method'; name: string };

const PRED_KINDS = new Set(['cmp', 'and', 'or', 'not', 'isunknown', 'exists', 'like', 'starts']);
const isPred = (n: Node): boolean => PRED_KINDS.has(n.k);

interface JsonPath {
  lax: boolean;
  expr: Node;
}

// ---- lexer ------------------------------------------------------------------------------

type Tok =
  | { t: 'p'; v: string } // punctuation / operator
  | { t: 'id'; v: string } // identifier or keyword
  | { t: 'str'; v: string }
  | { t: 'num'; v: string }
  | { t: 'var'; v: string } // $name ('' = $)
  | { t: 'end' };

const SPECIAL = new Set('?%$.[]{}()|&!=<>@#,*:-+/\\" \t\n\r\f'.split(''));

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  const n = src.length;
  const readString = (): string => {
    // at the opening quote
    i++;
    let s = '';
    for (;;) {
      if (i >= n) throw syntax('unexpected end of quoted string');
      const c = src[i]!;
      if (c === '"') {
        i++;
        return s;
      }
      if (c !== '\\') {
        s += c;
        i++;
        continue;
      }
      const e = src[i + 1];
      i += 2;
      switch (e) {
        case 'b': s += '\b'; break;
        case 'f': s += '\f'; break;
        case 'n': s += '\n'; break;
        case 'r': s += '\r'; break;
        case 't': s += '\t'; break;
        case 'v': s += '\v'; break;
        case 'x': {
          const m = /^[0-9A-Fa-f]{2}/.exec(src.slice(i));
          if (!m) throw syntax('invalid hexadecimal character sequence');
          s += String.fromCharCode(parseInt(m[0], 16));
          i += 2;
          break;
        }
        case 'u': {
          let cp: number;
          if (src[i] === '{') {
            const m = /^\{([0-9A-Fa-f]{1,6})\}/.exec(src.slice(i));
            if (!m) throw syntax('invalid Unicode escape sequence');
            cp = parseInt(m[1]!, 16);
            i += m[0].length;
          } else {
            const m = /^[0-9A-Fa-f]{4}/.exec(src.slice(i));
            if (!m) throw syntax('invalid Unicode escape sequence');
            cp = parseInt(m[0], 16);
            i += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) {
              const m2 = /^\\u([0-9A-Fa-f]{4})/.exec(src.slice(i));
              const lo = m2 ? parseInt(m2[1]!, 16) : -1;
              if (lo < 0xdc00 || lo > 0xdfff) throw new SbError(SqlState.syntax_error, 'invalid Unicode surrogate pair');
              cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
              i += 6;
            } else if (cp >= 0xdc00 && cp <= 0xdfff) throw new SbError(SqlState.syntax_error, 'invalid Unicode surrogate pair');
          }
          if (cp === 0) throw new SbError('22P05', 'unsupported Unicode escape sequence');
          if (cp > 0x10ffff) throw syntax('invalid Unicode escape sequence');
          s += String.fromCodePoint(cp);
          break;
        }
        case undefined:
          throw syntax('unexpected end of quoted string');
        default:
          s += e; // \" \\ \/ and any other escaped character stand for themselves
      }
    }
  };
  while (i < n) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const end = src.indexOf('*/', i + 2);
      if (end < 0) throw syntax('unexpected end of comment');
      i = end + 2;
      continue;
    }
    if (c === '"') {
      out.push({ t: 'str', v: readString() });
      continue;
    }
    if (c >= '0' && c <= '9' || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i))!;
      let txt = m[0];
      // "1.a": the dot is an accessor, not part of the number
      if (txt.endsWith('.') && /[A-Za-z_$*"]/.test(src[i + txt.length] ?? '')) txt = txt.slice(0, -1);
      const after = src[i + txt.length];
      if (after !== undefined && !SPECIAL.has(after) && after !== '.') throw syntax(`trailing junk after numeric literal at or near "${txt}${after}"`);
      out.push({ t: 'num', v: txt });
      i += txt.length;
      continue;
    }
    if (c === '$') {
      i++;
      if (src[i] === '"') out.push({ t: 'var', v: readString() });
      else {
        let j = i;
        while (j < n && !SPECIAL.has(src[j]!)) j++;
        out.push({ t: 'var', v: src.slice(i, j) });
        i = j;
      }
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['==', '!=', '<>', '<=', '>=', '&&', '||', '**'].includes(two)) {
      out.push({ t: 'p', v: two === '<>' ? '!=' : two });
      i += 2;
      continue;
    }
    if ('?%.[]{}()!<>@,*-+/'.includes(c)) {
      out.push({ t: 'p', v: c });
      i++;
      continue;
    }
    if (SPECIAL.has(c)) throw syntax(`syntax error at or near "${c}"`);
    let j = i;
    while (j < n && !SPECIAL.has(src[j]!)) {
      if (src[j] === '\\') j++;
      j++;
    }
    out.push({ t: 'id', v: src.slice(i, j).replace(/\\(.)/g, '$1') });
    i = j;
  }
  out.push({ t: 'end' });
  return out;
}

// ---- parser -----------------------------------------------------------------------------

class Parser {
  private pos = 0;
  /** Inside a filter (@ allowed) / an array subscript (last allowed). */
  private inFilter = 0;
  private inSubscript = 0;

  constructor(private readonly toks: Tok[]) {}

  private peek(o = 0): Tok {
    return this.toks[Math.min(this.pos + o, this.toks.length - 1)]!;
  }
  private isP(v: string): boolean {
    const t = this.peek();
    return t.t === 'p' && t.v === v;
  }
  private isId(v: string): boolean {
    const t = this.peek();
    return t.t === 'id' && t.v === v;
  }
  private fail(): never {
    const t = this.peek();
    if (t.t === 'end') throw syntax('syntax error at end');
    throw syntax(`syntax error at or near "${t.t === 'str' ? `"${t.v}"` : t.t === 'var' ? `$${t.v}` : t.v}"`);
  }
  private expectP(v: string): void {
    if (!this.isP(v)) this.fail();
    this.pos++;
  }

  parse(): JsonPath {
    let lax = true;
    if (this.isId('strict')) {
      lax = false;
      this.pos++;
    } else if (this.isId('lax')) this.pos++;
    const expr = this.exprOrPred();
    if (this.peek().t !== 'end') this.fail();
    return { lax, expr };
  }

  private exprOrPred(): Node {
    return this.or();
  }

  private pred(): Node {
    const n = this.or();
    if (!isPred(n)) this.fail();
    return n;
  }

  private or(): Node {
    let l = this.and();
    while (this.isP('||')) {
      if (!isPred(l)) this.fail();
      this.pos++;
      const r = this.and();
      if (!isPred(r)) this.fail();
      l = { k: 'or', l, r };
    }
    return l;
  }

  private and(): Node {
    let l = this.not();
    while (this.isP('&&')) {
      if (!isPred(l)) this.fail();
      this.pos++;
      const r = this.not();
      if (!isPred(r)) this.fail();
      l = { k: 'and', l, r };
    }
    return l;
  }

  private not(): Node {
    if (this.isP('!')) {
      this.pos++;
      // ! applies to a delimited predicate: ( predicate ) or exists ( ... )
      if (this.isId('exists')) return { k: 'not', e: this.existsPred() };
      this.expectP('(');
      const e = this.pred();
      this.expectP(')');
      const inner: Node = this.isId('is') ? this.isUnknown(e) : e;
      return { k: 'not', e: inner };
    }
    return this.cmp();
  }

  private isUnknown(e: Node): Node {
    this.pos++; // is
    if (!this.isId('unknown')) this.fail();
    this.pos++;
    return { k: 'isunknown', e };
  }

  private existsPred(): Node {
    this.pos++; // exists
    this.expectP('(');
    const e = this.exprOrPred();
    if (isPred(e)) this.fail();
    this.expectP(')');
    return { k: 'exists', e };
  }

  private cmp(): Node {
    const l = this.additive();
    const t = this.peek();
    if (t.t === 'p' && ['==', '!=', '<', '<=', '>', '>='].includes(t.v)) {
      if (isPred(l)) this.fail();
      this.pos++;
      const r = this.additive();
      if (isPred(r)) this.fail();
      return { k: 'cmp', op: t.v as CmpOp, l, r };
    }
    if (this.isId('like_regex')) {
      if (isPred(l)) this.fail();
      this.pos++;
      const p = this.peek();
      if (p.t !== 'str') this.fail();
      this.pos++;
      let flags = '';
      if (this.isId('flag')) {
        this.pos++;
        const f = this.peek();
        if (f.t !== 'str') this.fail();
        this.pos++;
        flags = f.v;
      }
      return { k: 'like', e: l, re: likeRegex(p.v, flags) };
    }
    if (this.isId('starts')) {
      if (isPred(l)) this.fail();
      this.pos++;
      if (!this.isId('with')) this.fail();
      this.pos++;
      const p = this.peek();
      let prefix: Node;
      if (p.t === 'str') prefix = { k: 'lit', v: p.v };
      else if (p.t === 'var' && p.v !== '') prefix = { k: 'var', name: p.v };
      else this.fail();
      this.pos++;
      return { k: 'starts', e: l, prefix };
    }
    return l;
  }

  private additive(): Node {
    let l = this.multiplicative();
    for (;;) {
      const t = this.peek();
      if (t.t !== 'p' || (t.v !== '+' && t.v !== '-')) return l;
      if (isPred(l)) this.fail();
      this.pos++;
      const r = this.multiplicative();
      if (isPred(r)) this.fail();
      l = { k: 'bin', op: t.v, l, r };
    }
  }

  private multiplicative(): Node {
    let l = this.unary();
    for (;;) {
      const t = this.peek();
      if (t.t !== 'p' || (t.v !== '*' && t.v !== '/' && t.v !== '%')) return l;
      if (isPred(l)) this.fail();
      this.pos++;
      const r = this.unary();
      if (isPred(r)) this.fail();
      l = { k: 'bin', op: t.v, l, r };
    }
  }

  private unary(): Node {
    const t = this.peek();
    if (t.t === 'p' && (t.v === '+' || t.v === '-')) {
      this.pos++;
      const e = this.unary();
      if (isPred(e)) this.fail();
      return { k: 'unary', op: t.v, e };
    }
    return this.accessorExpr();
  }

  private accessorExpr(): Node {
    let base: Node;
    const t = this.peek();
    let parenthesized = false;
    if (t.t === 'p' && t.v === '(') {
      this.pos++;
      base = this.exprOrPred();
      this.expectP(')');
      if (isPred(base) && this.isId('is')) base = this.isUnknown(base);
      parenthesized = true;
    } else if (t.t === 'id' && t.v === 'exists' && this.peek(1).t === 'p' && (this.peek(1) as { v: string }).v === '(') {
      return this.existsPred();
    } else base = this.primary();
    const steps: Step[] = [];
    for (;;) {
      const s = this.step();
      if (!s) break;
      steps.push(s);
    }
    if (steps.length === 0) return base;
    if (parenthesized && isPred(base) && false) this.fail();
    return { k: 'chain', base, steps };
  }

  private primary(): Node {
    const t = this.peek();
    this.pos++;
    switch (t.t) {
      case 'var':
        return t.v === '' ? { k: 'root' } : { k: 'var', name: t.v };
      case 'str':
        return { k: 'lit', v: t.v };
      case 'num':
        return { k: 'lit', v: Numeric.parse(t.v) };
      case 'p':
        if (t.v === '@') {
          if (this.inFilter === 0) throw new SbError(SqlState.syntax_error, '@ is not allowed in root expressions');
          return { k: 'current' };
        }
        break;
      case 'id':
        switch (t.v) {
          case 'true': return { k: 'lit', v: true };
          case 'false': return { k: 'lit', v: false };
          case 'null': return { k: 'lit', v: null };
          case 'last':
            if (this.inSubscript === 0) throw new SbError(SqlState.syntax_error, 'LAST is allowed only in array subscripts');
            return { k: 'last' };
        }
        break;
    }
    this.pos--;
    this.fail();
  }

  private step(): Step | null {
    const t = this.peek();
    if (t.t !== 'p') return null;
    if (t.v === '.') {
      this.pos++;
      const k = this.peek();
      if (k.t === 'p' && k.v === '*') {
        this.pos++;
        return { k: 'anykey' };
      }
      if (k.t === 'p' && k.v === '**') {
        this.pos++;
        return this.anyPath();
      }
      if (k.t === 'str') {
        this.pos++;
        return { k: 'key', name: k.v };
      }
      if (k.t === 'id') {
        this.pos++;
        if (this.isP('(')) {
          const methods = ['type', 'size', 'double', 'ceiling', 'floor', 'abs', 'keyvalue', 'datetime'];
          if (!methods.includes(k.v)) {
            this.pos--;
            this.fail();
          }
          this.pos++;
          if (k.v === 'datetime' && this.peek().t === 'str') {
            throw new SbError(SqlState.feature_not_supported, 'jsonpath item method .datetime() with a template is not supported yet');
          }
          this.expectP(')');
          return { k: 'method', name: k.v };
        }
        return { k: 'key', name: k.v };
      }
      // a keyword-like variable name after "." is not a key
      this.fail();
    }
    if (t.v === '[') {
      this.pos++;
      if (this.isP('*')) {
        this.pos++;
        this.expectP(']');
        return { k: 'anyarray' };
      }
      this.inSubscript++;
      const subs: Array<[Node, Node | null]> = [];
      for (;;) {
        const from = this.additive();
        let to: Node | null = null;
        if (this.isId('to')) {
          this.pos++;
          to = this.additive();
        }
        if (isPred(from) || (to && isPred(to))) this.fail();
        subs.push([from, to]);
        if (this.isP(',')) {
          this.pos++;
          continue;
        }
        break;
      }
      this.inSubscript--;
      this.expectP(']');
      return { k: 'index', subs };
    }
    if (t.v === '?') {
      this.pos++;
      this.expectP('(');
      this.inFilter++;
      const pred = this.pred();
      this.inFilter--;
      this.expectP(')');
      return { k: 'filter', pred };
    }
    return null;
  }

  private anyPath(): Step {
    if (!this.isP('{')) return { k: 'any', first: 0, last: Infinity };
    this.pos++;
    const level = (): number => {
      const t = this.peek();
      if (t.t === 'id' && t.v === 'last') {
        this.pos++;
        return -1;
      }
      if (t.t !== 'num' || !/^\d+$/.test(t.v)) this.fail();
      this.pos++;
      return Number(t.v);
    };
    const first = level();
    let last = first;
    if (this.isId('to')) {
      this.pos++;
      last = level();
    }
    this.expectP('}');
    return { k: 'any', first, last };
  }
}

function likeRegex(pattern: string, flags: string): RegExp {
  let quote = false;
  let dotall = false;
  let multi = false;
  let icase = false;
  for (const f of flags) {
    switch (f) {
      case 'i': icase = true; break;
      case 's': dotall = true; break;
      case 'm': multi = true; break;
      case 'q': quote = true; break;
      case 'x':
        if (!quote) throw new SbError(SqlState.feature_not_supported, 'XQuery "x" flag (expanded regular expressions) is not implemented');
        break;
      default:
        throw new SbError(SqlState.syntax_error, `invalid input syntax for type jsonpath`, { detail: `Unrecognized flag character "${f}" in LIKE_REGEX predicate.` });
    }
  }
  // XQuery: "." does not match a newline unless s; ^ and $ match at newlines with m.
  let pg = icase ? 'i' : '';
  if (quote) pg += 'q';
  if (multi) pg += dotall ? 'w' : 'n';
  else if (!dotall) pg += 'p';
  return compileRegex(pattern, pg, 'like_regex', false).re;
}

const pathCache = new Map<string, JsonPath>();

export function parseJsonPath(src: string): JsonPath {
  let p = pathCache.get(src);
  if (p) return p;
  p = new Parser(lex(src)).parse();
  if (pathCache.size >= 256) pathCache.delete(pathCache.keys().next().value!);
  pathCache.set(src, p);
  return p;
}

// ---- datetime items -------------------------------------------------------------------

type DtType = 'date' | 'time' | 'timetz' | 'timestamp' | 'timestamptz';

/** A value made by .datetime(): its jsonb text, and a comparison key (µs; UTC for the zoned types). */
class DtItem {
  constructor(readonly type: DtType, readonly text: string, readonly key: number) {}
}

const DT_TYPE_NAMES: Record<DtType, string> = {
  date: 'date', time: 'time without time zone', timetz: 'time with time zone',
  timestamp: 'timestamp without time zone', timestamptz: 'timestamp with time zone',
};

function parseDatetime(s: string): DtItem | null {
  const m = /^(?:(\d{4,})-(\d{1,2})-(\d{1,2}))?(?:(^|[ T])(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\.(\d{1,6}))?(?:([+-])(\d{1,2})(?::(\d{2}))?)?)?$/.exec(s);
  if (!m || (m[1] === undefined && m[5] === undefined)) return null;
  let days = 0;
  let dateText = '';
  if (m[1] !== undefined) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    const t = Date.UTC(y, mo - 1, d);
    const chk = new Date(t);
    if (mo < 1 || mo > 12 || chk.getUTCDate() !== d) return null;
    days = Math.floor(t / 86_400_000);
    dateText = `${m[1].padStart(4, '0')}-${m[2]!.padStart(2, '0')}-${m[3]!.padStart(2, '0')}`;
    if (m[5] === undefined) return new DtItem('date', dateText, days * 86_400_000_000);
  }
  const h = Number(m[5]);
  const mi = Number(m[6]);
  const se = Number(m[7]);
  if (h > 24 || mi > 59 || se > 60 || (h === 24 && (mi > 0 || se > 0 || m[8]))) return null;
  const frac = (m[8] ?? '').replace(/0+$/, '');
  const usec = frac ? Number(frac.padEnd(6, '0')) : 0;
  const timeText = `${String(h).padStart(2, '0')}:${String(mi).padStart(2, '0')}:${String(se).padStart(2, '0')}${frac ? '.' + frac : ''}`;
  let key = ((h * 60 + mi) * 60 + se) * 1e6 + usec;
  let tzText = '';
  const zoned = m[9] !== undefined;
  if (zoned) {
    const oh = Number(m[10]);
    const om = Number(m[11] ?? '0');
    if (oh > 15 || om > 59) return null;
    const off = (oh * 60 + om) * (m[9] === '-' ? -1 : 1);
    key -= off * 60e6;
    tzText = `${m[9]}${String(oh).padStart(2, '0')}:${String(om).padStart(2, '0')}`;
  }
  if (m[1] === undefined) return new DtItem(zoned ? 'timetz' : 'time', timeText + tzText, key);
  return new DtItem(zoned ? 'timestamptz' : 'timestamp', `${dateText}T${timeText}${tzText}`, days * 86_400_000_000 + key);
}

// ---- executor ---------------------------------------------------------------------------

type Item = JsonValue | DtItem;
type Bool3 = 'T' | 'F' | 'U';

interface Cx {
  root: JsonValue;
  /** null: no vars argument (every variable is JSON null). */
  vars: JsonObject | null;
  lax: boolean;
}

function isObj(v: Item): v is JsonObject {
  return v instanceof Map;
}

function typeName(v: Item): string {
  return v instanceof DtItem ? DT_TYPE_NAMES[v.type] : jsonTypeName(v);
}

function variable(cx: Cx, name: string): JsonValue {
  if (cx.vars === null) return null;
  const v = cx.vars.get(name);
  if (v === undefined) throw new SbError(SqlState.undefined_object, `could not find jsonpath variable "${name}"`);
  return v;
}

/** Evaluates n with @ = at, appending its items to out. */
function evalInto(cx: Cx, n: Node, at: Item, last: number, out: Item[]): void {
  switch (n.k) {
    case 'root':
      out.push(cx.root);
      return;
    case 'current':
      out.push(at);
      return;
    case 'last':
      out.push(Numeric.fromInt(last));
      return;
    case 'var':
      out.push(variable(cx, n.name));
      return;
    case 'lit':
      out.push(n.v);
      return;
    case 'chain': {
      const base: Item[] = [];
      evalInto(cx, n.base, at, last, base);
      for (const b of base) steps(cx, n.steps, 0, b, cx.lax, !cx.lax ? false : true, at, last, out);
      return;
    }
    case 'bin': {
      const l = single(cx, n.l, at, last, `left operand of jsonpath operator ${n.op} is not a single numeric value`);
      const r = single(cx, n.r, at, last, `right operand of jsonpath operator ${n.op} is not a single numeric value`);
      out.push(arith(n.op, l, r));
      return;
    }
    case 'unary': {
      for (const v of evalUnwrapped(cx, n.e, at, last)) {
        if (!(v instanceof Numeric)) throw jpErr('2203B', `operand of unary jsonpath operator ${n.op} is not a numeric value`);
        out.push(n.op === '-' ? v.neg() : v);
      }
      return;
    }
    default: {
      const b = pred(cx, n, at, last);
      out.push(b === 'U' ? null : b === 'T');
    }
  }
}

function evalSeq(cx: Cx, n: Node, at: Item, last: number): Item[] {
  const out: Item[] = [];
  evalInto(cx, n, at, last, out);
  return out;
}

/** The items of n with arrays unwrapped one level (lax mode). */
function evalUnwrapped(cx: Cx, n: Node, at: Item, last: number): Item[] {
  const seq = evalSeq(cx, n, at, last);
  if (!cx.lax) return seq;
  const out: Item[] = [];
  for (const v of seq) {
    if (Array.isArray(v)) out.push(...v);
    else out.push(v);
  }
  return out;
}

function single(cx: Cx, n: Node, at: Item, last: number, msg: string): Numeric {
  const seq = evalUnwrapped(cx, n, at, last);
  if (seq.length !== 1 || !(seq[0] instanceof Numeric)) throw jpErr('22038', msg);
  return seq[0];
}

function arith(op: string, l: Numeric, r: Numeric): Numeric {
  switch (op) {
    case '+': return l.add(r).checked();
    case '-': return l.sub(r).checked();
    case '*': return l.mul(r).checked();
    case '/':
      if (r.isZero()) throw jpErr(SqlState.division_by_zero, 'division by zero');
      return l.div(r).checked();
    default:
      if (r.isZero()) throw jpErr(SqlState.division_by_zero, 'division by zero');
      return l.mod(r).checked();
  }
}

/** Applies steps[i..] to `it`; `unwrap`: lax auto-unwrap of arrays for this step; `ign`: structural errors ignored. */
function steps(cx: Cx, st: Step[], i: number, it: Item, unwrap: boolean, ign: boolean, at: Item, last: number, out: Item[]): void {
  if (i === st.length) {
    out.push(it);
    return;
  }
  const s = st[i]!;
  const next = (v: Item): void => steps(cx, st, i + 1, v, cx.lax, ign, at, last, out);
  const eachElem = (arr: JsonValue[]): void => {
    for (const e of arr) steps(cx, st, i, e, false, ign, at, last, out);
  };
  switch (s.k) {
    case 'key':
      if (isObj(it)) {
        const v = it.get(s.name);
        if (v !== undefined) next(v);
        else if (!ign) throw jpErr('2203A', `JSON object does not contain key "${s.name}"`);
      } else if (unwrap && Array.isArray(it)) eachElem(it);
      else if (!ign) throw jpErr('2203A', 'jsonpath member accessor can only be applied to an object');
      return;
    case 'anykey':
      if (isObj(it)) for (const v of it.values()) next(v);
      else if (unwrap && Array.isArray(it)) eachElem(it);
      else if (!ign) throw jpErr('2203C', 'jsonpath wildcard member accessor can only be applied to an object');
      return;
    case 'anyarray':
      if (Array.isArray(it)) for (const v of it) next(v);
      else if (cx.lax) next(it);
      else if (!ign) throw jpErr('22039', 'jsonpath wildcard array accessor can only be applied to an array');
      return;
    case 'index': {
      let arr: JsonValue[];
      if (Array.isArray(it)) arr = it;
      else if (cx.lax && !(it instanceof DtItem)) arr = [it];
      else if (cx.lax) arr = [it as unknown as JsonValue];
      else {
        if (!ign) throw jpErr('22039', 'jsonpath array accessor can only be applied to an array');
        return;
      }
      const size = arr.length;
      for (const [f, t] of s.subs) {
        let from = subscript(cx, f, at, size - 1);
        let to = t ? subscript(cx, t, at, size - 1) : from;
        if (!ign && (from < 0 || from > to || to >= size)) throw jpErr('22033', 'jsonpath array subscript is out of bounds');
        if (from < 0) from = 0;
        if (to >= size) to = size - 1;
        for (let k = from; k <= to; k++) next(arr[k]!);
      }
      return;
    }
    case 'any': {
      // .** : the item itself (level 0) and every nested value, pre-order; structural errors ignored below
      const leavesOnly = s.first === -1 && s.last === -1;
      const first = s.first === -1 ? Infinity : s.first;
      const lastLevel = s.last === -1 ? Infinity : s.last;
      const after = (v: Item): void => steps(cx, st, i + 1, v, false, true, at, last, out);
      // level 0 is the item itself, with the next accessor unwrapping as usual (deeper levels: no unwrap)
      if (first === 0 && !leavesOnly) steps(cx, st, i + 1, it, cx.lax, true, at, last, out);
      const walk = (v: Item, level: number): void => {
        const kids = isObj(v) ? [...v.values()] : Array.isArray(v) ? v : [];
        for (const k of kids) {
          const container = isObj(k) || Array.isArray(k);
          if (leavesOnly ? !container : level >= first) after(k);
          if (level < lastLevel && container) walk(k, level + 1);
        }
      };
      walk(it, 1);
      return;
    }
    case 'filter':
      if (unwrap && Array.isArray(it)) {
        eachElem(it);
        return;
      }
      if (pred(cx, s.pred, it, last) === 'T') next(it);
      return;
    case 'method':
      method(cx, s.name, it, unwrap, ign, next, eachElem);
  }
}

function subscript(cx: Cx, n: Node, at: Item, last: number): number {
  const seq = evalUnwrapped(cx, n, at, last);
  if (seq.length !== 1 || !(seq[0] instanceof Numeric)) throw jpErr('22033', 'jsonpath array subscript is not a single numeric value');
  const v = seq[0].trunc();
  if (!v.isFinite() || v.cmp(Numeric.fromInt(2147483647)) > 0 || v.cmp(Numeric.fromInt(-2147483648)) < 0) {
    throw jpErr('22033', 'jsonpath array subscript is out of integer range');
  }
  return v.toNumber();
}

function method(cx: Cx, name: string, it: Item, unwrap: boolean, ign: boolean, next: (v: Item) => void, eachElem: (a: JsonValue[]) => void): void {
  switch (name) {
    case 'type':
      next(typeName(it));
      return;
    case 'size':
      if (Array.isArray(it)) next(Numeric.fromInt(it.length));
      else if (!ign) throw jpErr('22039', 'jsonpath item method .size() can only be applied to an array');
      else next(Numeric.ONE);
      return;
  }
  if (unwrap && Array.isArray(it)) {
    eachElem(it);
    return;
  }
  switch (name) {
    case 'abs':
    case 'floor':
    case 'ceiling':
      if (!(it instanceof Numeric)) throw jpErr('22036', `jsonpath item method .${name}() can only be applied to a numeric value`);
      next(name === 'abs' ? it.abs() : name === 'floor' ? it.floor() : it.ceil());
      return;
    case 'double': {
      if (it instanceof Numeric) {
        const d = Number(it.toString());
        if (!Number.isFinite(d)) throw jpErr('22036', 'numeric argument of jsonpath item method .double() is out of range for type double precision');
        next(it);
        return;
      }
      if (typeof it === 'string') {
        const d = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(it) ? Number(it) : NaN;
        if (!Number.isFinite(d)) {
          throw jpErr('22036', 'string argument of jsonpath item method .double() is not a valid representation of a double precision number');
        }
        next(Numeric.fromFloat8(d));
        return;
      }
      throw jpErr('22036', 'jsonpath item method .double() can only be applied to a string or numeric value');
    }
    case 'keyvalue': {
      if (!isObj(it)) throw jpErr('2203C', 'jsonpath item method .keyvalue() can only be applied to an object');
      for (const [k, v] of it) next(sortedObject(new Map<string, JsonValue>([['key', k], ['value', v], ['id', Numeric.ZERO]])));
      return;
    }
    case 'datetime': {
      if (typeof it !== 'string') throw jpErr('22031', 'jsonpath item method .datetime() can only be applied to a string');
      const d = parseDatetime(it);
      if (!d) throw jpErr('22031', `datetime format is not recognized: "${it}"`);
      next(d);
      return;
    }
  }
}

function pred(cx: Cx, n: Node, at: Item, last: number): Bool3 {
  switch (n.k) {
    case 'and': {
      const l = pred(cx, n.l, at, last);
      if (l === 'F') return 'F';
      const r = pred(cx, n.r, at, last);
      return r === 'T' ? l : r;
    }
    case 'or': {
      const l = pred(cx, n.l, at, last);
      if (l === 'T') return 'T';
      const r = pred(cx, n.r, at, last);
      return r === 'F' ? l : r;
    }
    case 'not': {
      const e = pred(cx, n.e, at, last);
      return e === 'T' ? 'F' : e === 'F' ? 'T' : 'U';
    }
    case 'isunknown':
      return pred(cx, n.e, at, last) === 'U' ? 'T' : 'F';
    case 'exists': {
      let seq: Item[];
      try {
        seq = evalSeq(cx, n.e, at, last);
      } catch (e) {
        if (e instanceof JpError) return 'U';
        throw e;
      }
      return seq.length > 0 ? 'T' : 'F';
    }
    case 'cmp':
      return predicate(cx, n.l, n.r, true, at, last, (a, b) => compareItems(n.op, a, b!));
    case 'like':
      return predicate(cx, n.e, null, false, at, last, (a) => {
        if (typeof a !== 'string') return 'U';
        n.re.lastIndex = 0;
        return n.re.test(a) ? 'T' : 'F';
      });
    case 'starts':
      return predicate(cx, n.e, n.prefix, false, at, last, (a, b) =>
        typeof a === 'string' && typeof b === 'string' ? (a.startsWith(b) ? 'T' : 'F') : 'U');
    default: {
      // an expression used as a predicate: its single boolean item
      const seq = evalSeq(cx, n, at, last);
      if (seq.length === 1 && typeof seq[0] === 'boolean') return seq[0] ? 'T' : 'F';
      return 'U';
    }
  }
}

/** PostgreSQL's executePredicate: any pair true (lax) / all pairs without error (strict). */
function predicate(cx: Cx, l: Node, r: Node | null, unwrapRight: boolean, at: Item, last: number, test: (a: Item, b: Item | undefined) => Bool3): Bool3 {
  let ls: Item[];
  let rs: Item[] = [];
  try {
    ls = evalUnwrapped(cx, l, at, last);
    if (r) rs = unwrapRight ? evalUnwrapped(cx, r, at, last) : evalSeq(cx, r, at, last);
  } catch (e) {
    if (e instanceof JpError) return 'U';
    throw e;
  }
  let error = false;
  let found = false;
  for (const a of ls) {
    const bs: Array<Item | undefined> = r ? rs : [undefined];
    for (const b of bs) {
      const res = test(a, b);
      if (res === 'U') {
        if (!cx.lax) return 'U';
        error = true;
      } else if (res === 'T') {
        if (cx.lax) return 'T';
        found = true;
      }
    }
  }
  if (found) return 'T';
  if (error) return 'U';
  return 'F';
}

function compareItems(op: CmpOp, a: Item, b: Item): Bool3 {
  let c: number;
  const ta = a instanceof DtItem ? 'dt' : typeName(a);
  const tb = b instanceof DtItem ? 'dt' : typeName(b);
  if (ta !== tb) {
    if (a === null || b === null) return op === '!=' ? 'T' : 'F';
    return 'U';
  }
  if (a === null) c = 0;
  else if (typeof a === 'boolean') c = a === b ? 0 : a ? 1 : -1;
  else if (a instanceof Numeric) c = a.cmp(b as Numeric);
  else if (typeof a === 'string') {
    if (op === '==') return a === b ? 'T' : 'F';
    if (op === '!=') return a !== b ? 'T' : 'F';
    c = compareCodePoints(a, b as string);
  } else if (a instanceof DtItem) {
    const d = b as DtItem;
    const dateLike = (t: DtType): boolean => t === 'date' || t === 'timestamp';
    const zonedTs = (t: DtType): boolean => t === 'timestamptz';
    if (a.type === d.type || (dateLike(a.type) && dateLike(d.type))) c = a.key - d.key;
    else if ((zonedTs(a.type) && dateLike(d.type)) || (zonedTs(d.type) && dateLike(a.type))) return 'U';
    else return 'U';
  } else return 'U'; // arrays and objects are not comparable
  switch (op) {
    case '==': return c === 0 ? 'T' : 'F';
    case '!=': return c !== 0 ? 'T' : 'F';
    case '<': return c < 0 ? 'T' : 'F';
    case '<=': return c <= 0 ? 'T' : 'F';
    case '>': return c > 0 ? 'T' : 'F';
    default: return c >= 0 ? 'T' : 'F';
  }
}

function toJsonValue(v: Item): JsonValue {
  return v instanceof DtItem ? v.text : v;
}

interface RunResult {
  items: JsonValue[];
  /** A suppressed error ended the run (silent). */
  failed: boolean;
}

/** Thrown by the first item of an existence check: PostgreSQL stops there (later errors are never raised). */
const FOUND = Symbol('found');
class FirstItem extends Array<Item> {
  override push(..._items: Item[]): number {
    throw FOUND;
  }
}

/**
 * Runs a path over a document (executeJsonPath). `vars` undefined: no vars
 * argument (the operators), where every variable is JSON null as in
 * PostgreSQL; `exists`: stop at the first item (lax mode).
 */
function run(target: Jsonb, path: string, vars: Jsonb | undefined, silent: boolean, exists = false): RunResult {
  const jp = parseJsonPath(path);
  let vv: JsonObject | null = null;
  if (vars !== undefined) {
    if (!(vars.value instanceof Map)) {
      throw new SbError(SqlState.invalid_parameter_value, '"vars" argument is not an object', {
        detail: 'Jsonpath parameters should be encoded as key-value pairs of "vars" object.',
      });
    }
    vv = vars.value;
  }
  const cx: Cx = { root: target.value, vars: vv, lax: jp.lax };
  // Strict mode evaluates the whole path (an error anywhere counts); lax stops at the first item.
  if (!jp.lax) exists = false;
  const out: Item[] = exists ? new FirstItem() : [];
  try {
    if (exists && jp.expr.k === 'unary') {
      // An existence check of a unary operator: non-numeric operands are skipped, a numeric one is found (jsonpath_exec.c).
      if (evalUnwrapped(cx, jp.expr.e, target.value, -1).some((v) => v instanceof Numeric)) throw FOUND;
    } else evalInto(cx, jp.expr, target.value, -1, out);
  } catch (e) {
    if (e === FOUND) return { items: [true], failed: false };
    if (silent && e instanceof JpError) return { items: [...out].map(toJsonValue), failed: true };
    throw e;
  }
  return { items: [...out].map(toJsonValue), failed: false };
}

// ---- SQL functions ----------------------------------------------------------------------

const JB = T.jsonb;
const TX = T.text;
const B = T.bool;

const jb = (x: unknown): Jsonb => x as Jsonb;
const silentOf = (x: unknown): boolean => x === true;

/**
 * The functions are not strict: PostgreSQL parses a literal path while
 * planning, so a malformed one fails even when another argument is NULL;
 * the path is parsed first here, then NULL arguments give NULL.
 */
function withArgs<R>(args: unknown[], f: (t: Jsonb, p: string, v: Jsonb, silent: boolean) => R): R | null {
  const [t, p, v, s] = args;
  if (p === null) return null;
  parseJsonPath(p as string);
  if (t === null || v === null || s === null) return null;
  return f(jb(t), p as string, v === undefined ? EMPTY_VARS : jb(v), silentOf(s));
}
const EMPTY_VARS = new Jsonb(new Map());

function pathExists(t: Jsonb, p: string, v: Jsonb | undefined, silent: boolean): boolean | null {
  const r = run(t, p, v, silent, true);
  if (r.failed) return null;
  return r.items.length > 0;
}

function pathMatch(t: Jsonb, p: string, v: Jsonb | undefined, silent: boolean): boolean | null {
  const r = run(t, p, v, silent);
  if (r.items.length === 1) {
    const x = r.items[0];
    if (typeof x === 'boolean') return x;
    if (x === null) return null;
  }
  if (!silent) throw new SbError('22038', 'single boolean result is expected');
  return null;
}

const opts = { defaults: 2, argNames: ['target', 'path', 'vars', 'silent'], strict: false, oidArgs: ['jsonb', 'jsonpath', 'jsonb', 'bool'] };
for (const tz of ['', '_tz']) {
  const o = { ...opts, volatility: (tz ? 's' : 'i') as 's' | 'i' };
  defFn(`jsonb_path_exists${tz}`, [JB, TX, JB, B], B, (a) => withArgs(a, pathExists), o);
  defFn(`jsonb_path_match${tz}`, [JB, TX, JB, B], B, (a) => withArgs(a, pathMatch), o);
  defFn(`jsonb_path_query_array${tz}`, [JB, TX, JB, B], JB, (a) => withArgs(a, (t, p, v, s) => new Jsonb(run(t, p, v, s).items)), o);
  defFn(`jsonb_path_query_first${tz}`, [JB, TX, JB, B], JB, (a) => withArgs(a, (t, p, v, s) => {
    const r = run(t, p, v, s);
    return r.items.length > 0 ? new Jsonb(r.items[0]!) : null;
  }), o);
  defSrf(`jsonb_path_query${tz}`, [JB, TX, JB, B], JB, (a) => withArgs(a, (t, p, v, s) => run(t, p, v, s).items.map((x) => new Jsonb(x))) ?? [],
    { ...o, columns: [{ name: `jsonb_path_query${tz}`, type: JB }] });
}

// The operators: silent, and without vars (a variable is JSON null).
defOp('@?', JB, TX, B, (t, p) => withArgs([t, p, undefined, true], (tt, pp) => pathExists(tt, pp, undefined, true)), { strict: false, oidArgs: ['jsonb', 'jsonpath'] });
defOp('@@', JB, TX, B, (t, p) => withArgs([t, p, undefined, true], (tt, pp) => pathMatch(tt, pp, undefined, true)), { strict: false, oidArgs: ['jsonb', 'jsonpath'] });
