// Session and utility statements: SET (variables, TIME ZONE, NAMES, ROLE,
// TRANSACTION, isql SET TERM, Firebird SET GENERATOR), RESET, SHOW (PG
// parameters and the MySQL SHOW family), USE, DESCRIBE, EXPLAIN, PREPARE,
// EXECUTE, DEALLOCATE. The rest is in utility_admin.ts.

import type { Explain, Expr, SetItem, SetStatement, Show, Statement } from './ast.ts';
import type { Parser } from './parser.ts';
import { parseStatement } from './parser.ts';
import { parseExpr, parseExprList, stringFromToken } from './expr.ts';
import { parseTypeName } from './types.ts';
import { parseSetTransaction } from './transaction.ts';
import { parseOptionValue, parseParenKeywordOptions } from './ddl_options.ts';
import { parseAdminStatement } from './utility_admin.ts';

export function parseUtilityStatement(p: Parser): Statement | null {
  const t = p.tok;
  if (t.type !== 'word') return null;
  switch (t.upper) {
    case 'SET':
      return parseSet(p);
    case 'RESET': {
      p.next();
      let name;
      if (p.acceptWord('ALL')) name = [{ value: 'ALL', quoted: false }];
      else if (p.acceptWords('SESSION', 'AUTHORIZATION')) name = [{ value: 'SESSION AUTHORIZATION', quoted: false }];
      else if (p.acceptWords('TIME', 'ZONE')) name = [{ value: 'TIME ZONE', quoted: false }];
      else if (p.acceptWord('ROLE')) name = [{ value: 'ROLE', quoted: false }];
      else name = p.qname();
      return { kind: 'reset', name, loc: p.loc(t) };
    }
    case 'SHOW':
      return parseShow(p);
    case 'USE':
      p.next();
      return { kind: 'use', name: p.ident(), loc: p.loc(t) };
    case 'DESCRIBE':
    case 'DESC':
    case 'EXPLAIN':
      return parseExplain(p);
    case 'PREPARE': {
      p.next();
      // PG two-phase commit: PREPARE TRANSACTION 'gid'.
      if (p.isWord('TRANSACTION') && p.peek(1).type === 'string') {
        p.next();
        return { kind: 'prepare_transaction', gid: stringFromToken(p.next()), loc: p.loc(t) };
      }
      const name = p.ident();
      const s: Statement = { kind: 'prepare', name };
      if (p.acceptWord('FROM')) s.from = parseExpr(p);
      else {
        if (p.isOp('(')) s.types = p.parenList(() => parseTypeName(p));
        p.expectWord('AS');
        s.statement = parseStatement(p);
      }
      s.loc = p.loc(t);
      return s;
    }
    case 'EXECUTE': {
      p.next();
      const s: Statement = { kind: 'execute', name: p.ident() };
      if (p.isOp('(')) {
        p.next();
        s.args = p.isOp(')') ? [] : parseExprList(p);
        p.expectOp(')');
      }
      if (p.acceptWord('USING')) s.using = parseExprList(p);
      s.loc = p.loc(t);
      return s;
    }
    case 'DEALLOCATE':
    case 'DROP': {
      p.next();
      const s: Statement = { kind: 'deallocate', keyword: t.upper as 'DEALLOCATE' | 'DROP' };
      if (p.acceptWord('PREPARE')) s.prepareKeyword = true;
      else if (t.upper === 'DROP') p.error();
      if (p.acceptWord('ALL')) s.all = true;
      else s.name = p.ident();
      s.loc = p.loc(t);
      return s;
    }
  }
  return parseAdminStatement(p);
}

const set_scopes = ['SESSION', 'LOCAL', 'GLOBAL', 'PERSIST', 'PERSIST_ONLY'];

/** A PG-style setting value: ON/OFF words, DEFAULT, or an expression. */
function parseSetValue(p: Parser): Expr {
  const t = p.tok;
  if (t.type === 'word' && (t.upper === 'ON' || t.upper === 'OFF' || t.upper === 'NONE' || t.upper === 'LOCAL')) {
    p.next();
    return { kind: 'column', name: [{ value: t.value, quoted: false, loc: { start: t.start, end: t.end } }], loc: { start: t.start, end: t.end } };
  }
  return parseExpr(p);
}

/** Does an assignment (`name =`, `@v :=`, `GLOBAL name =`) start at the cursor? */
function isSetItemStart(p: Parser): boolean {
  let k = 0;
  if (p.isAnyWord(set_scopes)) k++;
  const t = p.peek(k);
  if (t.type === 'variable') return true;
  if (t.type !== 'word' && t.type !== 'qident') return false;
  k++;
  while (p.isOp('.', k) && (p.peek(k + 1).type === 'word' || p.peek(k + 1).type === 'qident')) k += 2;
  return p.isOp('=', k) || p.isOp(':=', k) || p.isWord('TO', k);
}

function parseSetItem(p: Parser, first: boolean): SetItem {
  const item: SetItem = { op: '=', values: [] };
  if (!first) {
    const sc = p.acceptOneOf(...set_scopes);
    if (sc) item.scope = sc as SetItem['scope'];
  }
  if (p.tok.type === 'variable') item.target = parseExpr(p, 100);
  else {
    const t = p.tok;
    const name = [p.identAny()];
    while (p.isOp('.') && (p.peek(1).type === 'word' || p.peek(1).type === 'qident')) {
      p.next();
      name.push(p.identAny());
    }
    item.target = { kind: 'column', name, loc: p.loc(t) };
  }
  const t = p.tok;
  if (t.type === 'op' && (t.value === '=' || t.value === ':=' || /^[-+*/%&|^]=$/.test(t.value))) {
    p.next();
    item.op = t.value;
  } else if (p.acceptWord('TO')) item.op = 'TO';
  else {
    // T-SQL `SET NOCOUNT ON`, `SET IDENTITY_INSERT t ON`: values follow directly.
    item.op = '';
    while (!p.atStatementEnd() && !p.isOp(',') && (p.tok.type === 'word' || p.tok.type === 'qident' || p.tok.type === 'number' || p.tok.type === 'string')) {
      if (p.tok.type === 'word' && p.d.isReserved(p.tok.upper) && !['ON', 'OFF'].includes(p.tok.upper)) break;
      item.values.push(parseOptionValue(p));
    }
    if (item.values.length === 0) p.error();
    return item;
  }
  item.values.push(parseSetValue(p));
  // PG `SET search_path TO a, b`: more values unless an assignment follows the comma (MySQL lists).
  while (p.isOp(',') && !isSetItemStartAfterComma(p)) {
    p.next();
    item.values.push(parseSetValue(p));
  }
  return item;
}

function isSetItemStartAfterComma(p: Parser): boolean {
  const m = p.mark();
  p.next();
  const r = isSetItemStart(p);
  p.reset(m);
  return r;
}

function special(p: Parser, s: SetStatement, name: string, value: () => Expr): SetStatement {
  const item: SetItem = { special: name, op: '', values: [value()] };
  if (name === 'NAMES' && p.isWord('COLLATE')) {
    p.next();
    item.collate = parseOptionValue(p);
  }
  s.items.push(item);
  return s;
}

function parseSet(p: Parser): Statement {
  const start = p.expectWord('SET');
  if (p.isWord('TERM') && p.peek(1).type === 'termdef') {
    p.next();
    const s: Statement = { kind: 'set_term', terminator: p.next().value };
    if (p.tok.type === 'term') s.previous = p.next().value;
    s.loc = p.loc(start);
    return s;
  }
  if (p.isWord('GENERATOR') && p.isIdent(1)) {
    p.next();
    const name = p.qname();
    p.expectWord('TO');
    return { kind: 'set_generator', name, value: parseExpr(p), loc: p.loc(start) };
  }
  const s: SetStatement = { kind: 'set', items: [] };
  if (p.isWords('SESSION', 'CHARACTERISTICS')) {
    p.acceptWords('SESSION', 'CHARACTERISTICS', 'AS');
    return parseSetTransaction(p, 'SESSION CHARACTERISTICS', start);
  }
  if (p.isAnyWord(set_scopes) && !p.isWords('SESSION', 'AUTHORIZATION') && !p.isOp('.', 1) && !p.isOp('=', 1)) {
    s.scope = p.next().upper as SetStatement['scope'];
  }
  if (p.isWord('TRANSACTION')) return parseSetTransaction(p, s.scope as 'GLOBAL' | 'SESSION' | undefined, start);
  const done = (r: SetStatement) => {
    r.loc = p.loc(start);
    return r;
  };
  if (p.acceptWords('TIME', 'ZONE')) return done(special(p, s, 'TIME ZONE', () => parseSetValue(p)));
  if (p.isWord('NAMES') && !p.isOp('=', 1)) {
    p.next();
    return done(special(p, s, 'NAMES', () => parseOptionValue(p)));
  }
  if (p.acceptWords('CHARACTER', 'SET') || (p.isWord('CHARSET') && !p.isOp('=', 1) && (p.next(), true))) {
    return done(special(p, s, 'CHARACTER SET', () => parseOptionValue(p)));
  }
  if (p.isWord('ROLE') && !p.isOp('=', 1) && !p.isWord('TO', 1)) {
    p.next();
    return done(special(p, s, 'ROLE', () => parseOptionValue(p)));
  }
  if (p.acceptWords('SESSION', 'AUTHORIZATION')) return done(special(p, s, 'SESSION AUTHORIZATION', () => parseOptionValue(p)));
  if (p.isWord('SCHEMA') && p.peek(1).type === 'string') {
    p.next();
    return done(special(p, s, 'SCHEMA', () => stringFromToken(p.next())));
  }
  s.items.push(parseSetItem(p, true));
  while (p.acceptOp(',')) s.items.push(parseSetItem(p, false));
  return done(s);
}

const mysql_show_targets: readonly string[][] = [
  ['ENGINE', 'INNODB', 'STATUS'],
  ['CREATE', 'TABLE'],
  ['CREATE', 'VIEW'],
  ['CREATE', 'DATABASE'],
  ['CREATE', 'SCHEMA'],
  ['CREATE', 'PROCEDURE'],
  ['CREATE', 'FUNCTION'],
  ['CREATE', 'TRIGGER'],
  ['CREATE', 'USER'],
  ['TABLE', 'STATUS'],
  ['PROCEDURE', 'STATUS'],
  ['FUNCTION', 'STATUS'],
  ['MASTER', 'STATUS'],
  ['SLAVE', 'STATUS'],
  ['REPLICA', 'STATUS'],
  ['BINARY', 'LOGS'],
  ['OPEN', 'TABLES'],
  ['CHARACTER', 'SET'],
  ['TABLES'],
  ['DATABASES'],
  ['SCHEMAS'],
  ['COLUMNS'],
  ['FIELDS'],
  ['VARIABLES'],
  ['STATUS'],
  ['INDEX'],
  ['INDEXES'],
  ['KEYS'],
  ['WARNINGS'],
  ['ERRORS'],
  ['PROCESSLIST'],
  ['GRANTS'],
  ['ENGINES'],
  ['CHARSET'],
  ['COLLATION'],
  ['TRIGGERS'],
  ['PLUGINS'],
  ['PRIVILEGES'],
  ['EVENTS'],
];

const pg_show_phrases: readonly string[][] = [
  ['TRANSACTION', 'ISOLATION', 'LEVEL'],
  ['SESSION', 'AUTHORIZATION'],
  ['TIME', 'ZONE'],
  ['ALL'],
];

function parseShow(p: Parser): Show {
  const start = p.expectWord('SHOW');
  const s: Show = { kind: 'show' };
  const phrase = pg_show_phrases.find((w) => p.isWords(...w) && p.atStatementEnd(w.length));
  if (phrase) {
    for (let i = 0; i < phrase.length; i++) p.next();
    s.what = phrase.join(' ');
    s.loc = p.loc(start);
    return s;
  }
  const m = p.mark();
  if (p.acceptWord('FULL')) s.full = true;
  if (p.acceptWord('EXTENDED')) s.extended = true;
  const scope = p.acceptOneOf('GLOBAL', 'SESSION');
  if (scope) s.scope = scope as 'GLOBAL';
  const target = p.d.supportsMysqlShow() ? mysql_show_targets.find((w) => p.isWords(...w)) : undefined;
  if (!target) {
    p.reset(m);
    delete s.full;
    delete s.extended;
    delete s.scope;
    s.name = p.qname();
    s.loc = p.loc(start);
    return s;
  }
  for (let i = 0; i < target.length; i++) p.next();
  s.what = target.join(' ');
  if (s.what.startsWith('CREATE ')) s.name = p.qname();
  else if (s.what === 'GRANTS' && p.acceptWord('FOR')) s.name = [p.identAny()];
  if (p.isWord('FROM') || p.isWord('IN')) {
    s.fromKeyword = p.next().upper as 'FROM' | 'IN';
    s.from = p.qname();
    if (p.acceptWord('FROM') || p.acceptWord('IN')) s.from2 = p.qname();
  }
  if (p.acceptWord('LIKE')) s.like = parseExpr(p);
  else if (p.acceptWord('WHERE')) s.where = parseExpr(p);
  s.loc = p.loc(start);
  return s;
}

const explainable = new Set(['SELECT', 'WITH', 'VALUES', 'TABLE', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'REPLACE', 'EXECUTE', 'CREATE', 'DECLARE']);

function parseExplain(p: Parser): Statement {
  const start = p.tok;
  const keyword = p.next().upper as Explain['keyword'];
  const statementNext = (k = 0) => p.isAnyWord(explainable, k) || p.isOp('(', k) && p.isAnyWord(explainable, k + 1);
  if (!statementNext() && p.isIdent() && !p.isAnyWord(['ANALYZE', 'ANALYSE', 'VERBOSE', 'FORMAT'])) {
    const s: Statement = { kind: 'describe', keyword, table: p.qname() };
    if (p.tok.type === 'string') s.column = stringFromToken(p.next());
    else if (p.isIdent()) s.column = p.ident();
    s.loc = p.loc(start);
    return s;
  }
  const e: Explain = { kind: 'explain', keyword, statement: null as unknown as Statement };
  if (p.isOp('(') && !statementNext()) {
    e.options = parseParenKeywordOptions(p);
    e.optionsParenthesized = true;
  } else {
    if (p.acceptWord('ANALYZE') || p.acceptWord('ANALYSE')) e.analyze = true;
    if (p.acceptWord('VERBOSE')) e.verbose = true;
    if (p.isWord('FORMAT') && p.isOp('=', 1)) {
      p.next();
      p.next();
      e.options = [{ name: 'FORMAT', eq: true, value: parseOptionValue(p) }];
    }
  }
  e.statement = parseStatement(p);
  e.loc = p.loc(start);
  return e;
}
