// Option lists shared by many statements, parsed into SqlOption: sequence
// options, role/user options, database options, PG `WITH (a = 1, b)` and
// `(FORMAT csv, HEADER)` lists. Values are simple: literals, words, signed
// numbers, DEFAULT, NULL, a parenthesized name list or `*`.

import type { Expr, SqlOption } from './ast.ts';
import type { Parser } from './parser.ts';
import { stringFromToken } from './expr.ts';

export function parseOptionValue(p: Parser): Expr {
  const t = p.tok;
  const loc = { start: t.start, end: t.end };
  switch (t.type) {
    case 'string':
      p.next();
      return stringFromToken(t);
    case 'number':
      p.next();
      return { kind: 'number', value: t.value, loc };
    case 'qident':
      return { kind: 'column', name: p.qname(), loc };
    case 'op':
      if ((t.value === '-' || t.value === '+') && p.peek(1).type === 'number') {
        p.next();
        const n = p.next();
        return { kind: 'unary', op: t.value, operand: { kind: 'number', value: n.value, loc: { start: n.start, end: n.end } }, loc: p.loc(t) };
      }
      if (t.value === '*') {
        p.next();
        return { kind: 'star', loc };
      }
      if (t.value === '(') {
        const items = p.parenList((): Expr => ({ kind: 'column', name: [p.identAny()] }));
        return { kind: 'row', items, keyword: false, loc: p.loc(t) };
      }
      return p.error();
    case 'word':
      if (t.upper === 'DEFAULT') {
        p.next();
        return { kind: 'default', loc };
      }
      if (t.upper === 'NULL') {
        p.next();
        return { kind: 'null', loc };
      }
      if ((t.upper === 'TRUE' || t.upper === 'FALSE') && p.d.supportsBooleanLiterals()) {
        p.next();
        return { kind: 'boolean', value: t.upper === 'TRUE', loc };
      }
      // Fully reserved words are no values (PG admits ON, OFF and type/function-name key words such as BINARY).
      if (p.d.isReserved(t.upper) && !p.d.isReservedFunctionName(t.upper) && t.upper !== 'ON' && t.upper !== 'OFF') p.error();
      {
        const name = [p.identAny()];
        while (p.isOp('.') && (p.peek(1).type === 'word' || p.peek(1).type === 'qident')) {
          p.next();
          name.push(p.identAny());
        }
        return { kind: 'column', name, loc: p.loc(t) };
      }
    default:
      return p.error();
  }
}

/** An option spec: its words, and whether a value follows. */
export type OptionSpec = readonly [words: string, value: boolean];

/** Parses options matching the specs (longest match first) until none matches. */
export function parseSpecOptions(p: Parser, specs: readonly OptionSpec[], allowCommas = false): SqlOption[] {
  const sorted = [...specs].sort((a, b) => b[0].split(' ').length - a[0].split(' ').length);
  const out: SqlOption[] = [];
  for (;;) {
    if (allowCommas && out.length > 0 && p.isOp(',')) p.next();
    let matched: OptionSpec | undefined;
    for (const spec of sorted) {
      if (p.isWords(...spec[0].split(' '))) {
        matched = spec;
        break;
      }
    }
    if (!matched) return out;
    const words = matched[0].split(' ');
    for (let i = 0; i < words.length; i++) p.next();
    const opt: SqlOption = { name: matched[0] };
    if (matched[1]) {
      if (p.acceptOp('=')) opt.eq = true;
      opt.value = parseOptionValue(p);
    }
    out.push(opt);
  }
}

/** Sequence options (CREATE/ALTER SEQUENCE, identity columns), normalized to canonical names. */
export function parseSequenceOptions(p: Parser): SqlOption[] {
  const out: SqlOption[] = [];
  for (;;) {
    let name: string;
    let hasValue = true;
    if (p.acceptWord('INCREMENT')) {
      p.acceptWord('BY');
      name = 'INCREMENT BY';
    } else if (p.acceptWord('START')) {
      p.acceptWord('WITH');
      name = 'START WITH';
    } else if (p.acceptWord('RESTART')) {
      const w = p.acceptWord('WITH');
      name = 'RESTART WITH';
      if (!w && (p.atStatementEnd() || p.isOp(')') || p.isOp(',') || (p.tok.type === 'word' && p.tok.upper !== 'DEFAULT'))) {
        name = 'RESTART';
        hasValue = false;
      }
    } else if (p.acceptWord('MINVALUE')) name = 'MINVALUE';
    else if (p.acceptWord('MAXVALUE')) name = 'MAXVALUE';
    else if (p.acceptWord('CACHE')) name = 'CACHE';
    else if (p.isWord('NO') && p.isAnyWord(['MINVALUE', 'MAXVALUE', 'CYCLE', 'CACHE'], 1)) {
      p.next();
      name = 'NO ' + p.next().upper;
      hasValue = false;
    } else if (p.acceptWord('CYCLE')) {
      name = 'CYCLE';
      hasValue = false;
    } else if (p.acceptWords('OWNED', 'BY')) name = 'OWNED BY';
    else if (p.isWord('AS') && (p.peek(1).type === 'word' || p.peek(1).type === 'qident')) {
      p.next();
      name = 'AS';
    } else return out;
    const opt: SqlOption = { name };
    if (hasValue) opt.value = parseOptionValue(p);
    out.push(opt);
  }
}

/** PG `( name [= value], … )` storage parameters and similar lists; names are kept as written. */
export function parseWithOptions(p: Parser): SqlOption[] {
  return p.parenList((): SqlOption => {
    const t = p.tok;
    let name = p.identAny().value;
    while (p.isOp('.') && (p.peek(1).type === 'word' || p.peek(1).type === 'qident')) {
      p.next();
      name += '.' + p.identAny().value;
    }
    const opt: SqlOption = { name };
    void t;
    if (p.acceptOp('=')) {
      opt.eq = true;
      opt.value = parseOptionValue(p);
    }
    return opt;
  });
}

/** `( NAME [value], … )` lists of COPY and EXPLAIN: upper-case names, optional values. */
export function parseParenKeywordOptions(p: Parser): SqlOption[] {
  return p.parenList((): SqlOption => {
    const t = p.tok;
    if (t.type !== 'word') p.error();
    p.next();
    const opt: SqlOption = { name: t.upper };
    if (!p.isOp(',') && !p.isOp(')')) opt.value = parseOptionValue(p);
    return opt;
  });
}

export const role_option_specs: readonly OptionSpec[] = [
  ['SUPERUSER', false],
  ['NOSUPERUSER', false],
  ['CREATEDB', false],
  ['NOCREATEDB', false],
  ['CREATEROLE', false],
  ['NOCREATEROLE', false],
  ['INHERIT', false],
  ['NOINHERIT', false],
  ['LOGIN', false],
  ['NOLOGIN', false],
  ['REPLICATION', false],
  ['NOREPLICATION', false],
  ['BYPASSRLS', false],
  ['NOBYPASSRLS', false],
  ['ACTIVE', false],
  ['INACTIVE', false],
  ['GRANT ADMIN ROLE', false],
  ['REVOKE ADMIN ROLE', false],
  ['WITHOUT LOGIN', false],
  ['CONNECTION LIMIT', true],
  ['ENCRYPTED PASSWORD', true],
  ['UNENCRYPTED PASSWORD', true],
  ['PASSWORD', true],
  ['VALID UNTIL', true],
  ['IN ROLE', true],
  ['IN GROUP', true],
  ['ROLE', true],
  ['ADMIN', true],
  ['USER', true],
  ['SYSID', true],
  ['IDENTIFIED BY', true],
  ['IDENTIFIED WITH', true],
  ['BY', true],
  ['FIRSTNAME', true],
  ['MIDDLENAME', true],
  ['LASTNAME', true],
  ['USING PLUGIN', true],
  ['DEFAULT ROLE', true],
  ['FOR LOGIN', true],
  ['DEFAULT_SCHEMA', true],
];

export const database_option_specs: readonly OptionSpec[] = [
  ['OWNER', true],
  ['TEMPLATE', true],
  ['ENCODING', true],
  ['STRATEGY', true],
  ['LOCALE', true],
  ['LC_COLLATE', true],
  ['LC_CTYPE', true],
  ['ICU_LOCALE', true],
  ['ICU_RULES', true],
  ['LOCALE_PROVIDER', true],
  ['COLLATION_VERSION', true],
  ['TABLESPACE', true],
  ['ALLOW_CONNECTIONS', true],
  ['CONNECTION LIMIT', true],
  ['IS_TEMPLATE', true],
  ['CHARACTER SET', true],
  ['DEFAULT CHARACTER SET', true],
  ['CHARSET', true],
  ['DEFAULT CHARSET', true],
  ['COLLATE', true],
  ['DEFAULT COLLATE', true],
  ['ENCRYPTION', true],
  ['USER', true],
  ['PASSWORD', true],
  ['PAGE_SIZE', true],
  ['LENGTH', true],
  ['SET NAMES', true],
  ['COLLATION', true],
  ['DIFFERENCE FILE', true],
];
