// COPY, LISTEN/UNLISTEN/NOTIFY, DISCARD, cursors (DECLARE/FETCH/CLOSE),
// VACUUM/ANALYZE, CHECKPOINT, LOCK/UNLOCK, CALL, DO, and MySQL FLUSH/KILL.

import type { Copy, DeclareCursor, Fetch, Reindex, SqlOption, Statement, Vacuum } from './ast.ts';
import type { Parser } from './parser.ts';
import { isQueryStart, parseStatement } from './parser.ts';
import { parseExpr, parseExprList, stringFromToken } from './expr.ts';
import { parseQuery } from './select.ts';
import { parseOptionValue, parseParenKeywordOptions } from './ddl_options.ts';

export function parseAdminStatement(p: Parser): Statement | null {
  const t = p.tok;
  switch (t.upper) {
    case 'COPY':
      return parseCopy(p);
    case 'LISTEN':
      p.next();
      return { kind: 'listen', channel: p.ident(), loc: p.loc(t) };
    case 'UNLISTEN': {
      p.next();
      const s: Statement = { kind: 'unlisten' };
      if (!p.acceptOp('*')) s.channel = p.ident();
      s.loc = p.loc(t);
      return s;
    }
    case 'NOTIFY': {
      p.next();
      const s: Statement = { kind: 'notify', channel: p.ident() };
      if (p.acceptOp(',')) {
        if (p.tok.type !== 'string') p.error();
        s.payload = stringFromToken(p.next());
      }
      s.loc = p.loc(t);
      return s;
    }
    case 'DISCARD': {
      p.next();
      const target = p.expectOneOf('ALL', 'PLANS', 'SEQUENCES', 'TEMP', 'TEMPORARY') as 'ALL';
      return { kind: 'discard', target, loc: p.loc(t) };
    }
    case 'DECLARE':
      return parseDeclareCursor(p);
    case 'FETCH':
    case 'MOVE':
      return parseFetch(p);
    case 'CLOSE': {
      p.next();
      const s: Statement = { kind: 'close' };
      if (!p.acceptWord('ALL')) s.cursor = p.ident();
      s.loc = p.loc(t);
      return s;
    }
    case 'VACUUM':
    case 'ANALYZE':
    case 'ANALYSE':
      return parseVacuum(p);
    case 'REINDEX':
      return parseReindex(p);
    case 'REFRESH': {
      if (!p.isWords('REFRESH', 'MATERIALIZED', 'VIEW')) return null;
      p.next();
      p.next();
      p.next();
      const concurrently = p.acceptWord('CONCURRENTLY');
      const s: Statement = { kind: 'refresh_matview', name: p.qname() };
      if (concurrently) s.concurrently = true;
      if (p.acceptWords('WITH', 'DATA')) s.withData = true;
      else if (p.acceptWords('WITH', 'NO', 'DATA')) s.withData = false;
      s.loc = p.loc(t);
      return s;
    }
    case 'CHECKPOINT':
      p.next();
      return { kind: 'checkpoint', loc: p.loc(t) };
    case 'LOCK':
      return parseLock(p);
    case 'UNLOCK': {
      p.next();
      const keyword = p.expectOneOf('TABLES', 'TABLE') as 'TABLES';
      return { kind: 'unlock_tables', keyword, loc: p.loc(t) };
    }
    case 'CALL': {
      p.next();
      const name = p.qname();
      const s: Statement = { kind: 'call', name, args: [] };
      if (p.isOp('(')) {
        p.next();
        if (!p.isOp(')')) s.args = parseExprList(p);
        p.expectOp(')');
      } else s.noParens = true;
      s.loc = p.loc(t);
      return s;
    }
    case 'DO': {
      p.next();
      const s: Statement = { kind: 'do', body: { kind: 'string', value: '' } };
      if (p.acceptWord('LANGUAGE')) {
        s.language = p.identAny();
        s.languageFirst = true;
      }
      if (p.tok.type !== 'string') p.error();
      s.body = stringFromToken(p.next());
      if (!s.language && p.acceptWord('LANGUAGE')) s.language = p.identAny();
      s.loc = p.loc(t);
      return s;
    }
    case 'FLUSH': {
      p.next();
      const words: string[] = [];
      while (p.tok.type === 'word') words.push(p.next().upper);
      if (words.length === 0) p.error();
      return { kind: 'command', command: 'FLUSH ' + words.join(' '), loc: p.loc(t) };
    }
    case 'KILL': {
      p.next();
      const w = p.acceptOneOf('QUERY', 'CONNECTION');
      return { kind: 'command', command: w ? 'KILL ' + w : 'KILL', args: [parseExpr(p)], loc: p.loc(t) };
    }
  }
  return null;
}

const legacy_copy_options: readonly [string, boolean][] = [
  ['BINARY', false],
  ['CSV', false],
  ['HEADER', false],
  ['FREEZE', false],
  ['OIDS', false],
  ['DELIMITER', true],
  ['NULL', true],
  ['QUOTE', true],
  ['ESCAPE', true],
  ['ENCODING', true],
];

function parseCopy(p: Parser): Copy {
  const start = p.expectWord('COPY');
  const c: Copy = { kind: 'copy', direction: 'FROM', target: { kind: 'STDIN' }, options: [] };
  if (p.isOp('(')) {
    p.next();
    c.query = isQueryStart(p) ? parseQuery(p) : parseStatement(p);
    p.expectOp(')');
  } else {
    c.table = p.qname();
    if (p.isOp('(')) c.columns = p.parenList(() => p.ident());
  }
  c.direction = p.expectOneOf('FROM', 'TO') as 'FROM' | 'TO';
  if (p.acceptWord('STDIN')) c.target = { kind: 'STDIN' };
  else if (p.acceptWord('STDOUT')) c.target = { kind: 'STDOUT' };
  else if (p.acceptWord('PROGRAM')) {
    if (p.tok.type !== 'string') p.error();
    c.target = { kind: 'program', path: stringFromToken(p.next()) };
  } else {
    if (p.tok.type !== 'string') p.error();
    c.target = { kind: 'file', path: stringFromToken(p.next()) };
  }
  if (p.acceptWord('WITH')) c.withKeyword = true;
  if (p.isOp('(')) {
    c.optionSyntax = 'paren';
    c.options = parseParenKeywordOptions(p);
  } else {
    for (;;) {
      const spec = legacy_copy_options.find(([w]) => p.isWord(w));
      if (!spec) break;
      p.next();
      const opt: SqlOption = { name: spec[0] };
      if (spec[1]) {
        p.acceptWord('AS');
        opt.value = parseOptionValue(p);
      }
      c.options.push(opt);
    }
    if (c.options.length > 0) c.optionSyntax = 'legacy';
    else if (c.withKeyword) p.error();
  }
  if (p.acceptWord('WHERE')) c.where = parseExpr(p);
  c.loc = p.loc(start);
  return c;
}

function parseDeclareCursor(p: Parser): Statement {
  const start = p.expectWord('DECLARE');
  const cur: DeclareCursor = { kind: 'declare_cursor', name: p.ident(), options: [], cursorOptions: [], query: null as unknown as Statement };
  while (p.tok.type === 'word' && !p.isWord('CURSOR')) {
    const w = p.expectOneOf('BINARY', 'ASENSITIVE', 'INSENSITIVE', 'SCROLL', 'NO');
    if (w === 'NO') {
      p.expectWord('SCROLL');
      cur.options.push('NO SCROLL');
    } else cur.options.push(w);
  }
  p.expectWord('CURSOR');
  if (p.isWord('WITH') || p.isWord('WITHOUT')) {
    const w = p.next().upper;
    p.expectWord('HOLD');
    cur.cursorOptions.push(w + ' HOLD');
  }
  p.expectWord('FOR');
  cur.query = parseQuery(p);
  cur.loc = p.loc(start);
  return cur;
}

function parseFetch(p: Parser): Fetch {
  const start = p.next();
  const f: Fetch = { kind: 'fetch', cursor: { value: '', quoted: false } };
  if (start.upper === 'MOVE') f.move = true;
  const w = p.acceptOneOf('NEXT', 'PRIOR', 'FIRST', 'LAST', 'ABSOLUTE', 'RELATIVE', 'FORWARD', 'BACKWARD', 'ALL');
  if (w) {
    f.direction = w;
    if (w === 'ABSOLUTE' || w === 'RELATIVE') f.count = parseExpr(p, 100);
    else if ((w === 'FORWARD' || w === 'BACKWARD') && p.acceptWord('ALL')) f.direction = w + ' ALL';
    else if ((w === 'FORWARD' || w === 'BACKWARD') && (p.tok.type === 'number' || p.isOp('-'))) f.count = parseExpr(p, 100);
  } else if (p.tok.type === 'number' || (p.isOp('-') && p.peek(1).type === 'number')) {
    f.count = parseExpr(p, 100);
  }
  const kw = p.acceptOneOf('FROM', 'IN');
  if (kw) f.fromKeyword = kw as 'FROM' | 'IN';
  if (p.tok.type === 'variable') {
    const v = p.next();
    f.cursor = { value: v.value, quoted: false, loc: { start: v.start, end: v.end } };
    f.cursorSigil = '@';
  } else f.cursor = p.ident();
  if (p.acceptWord('INTO')) f.into = parseExprList(p);
  f.loc = p.loc(start);
  return f;
}

function parseReindex(p: Parser): Reindex {
  const start = p.next();
  const s: Reindex = { kind: 'reindex', target: 'TABLE' };
  if (p.isOp('(')) s.options = parseParenKeywordOptions(p);
  s.target = p.expectOneOf('INDEX', 'TABLE', 'SCHEMA', 'DATABASE', 'SYSTEM') as Reindex['target'];
  if (p.acceptWord('CONCURRENTLY')) s.concurrently = true;
  // DATABASE and SYSTEM may omit the name (the current database).
  if ((s.target !== 'DATABASE' && s.target !== 'SYSTEM') || p.isIdent()) s.name = s.target === 'INDEX' || s.target === 'TABLE' ? p.qname() : [p.ident()];
  s.loc = p.loc(start);
  return s;
}

function parseVacuum(p: Parser): Vacuum {
  const start = p.tok;
  const word = p.next().upper;
  const v: Vacuum = { kind: word === 'VACUUM' ? 'vacuum' : 'analyze', tables: [] };
  if (word === 'ANALYSE') v.spelling = 'ANALYSE';
  if (p.isOp('(')) v.options = parseParenKeywordOptions(p);
  else {
    const flags: string[] = [];
    const allowed = word === 'VACUUM' ? ['FULL', 'FREEZE', 'VERBOSE', 'ANALYZE', 'ANALYSE'] : ['VERBOSE'];
    while (p.isAnyWord(allowed)) flags.push(p.next().upper);
    if (flags.length) v.flags = flags;
  }
  if (p.isIdent()) {
    v.tables = p.list(() => {
      const t: Vacuum['tables'][number] = { name: p.qname() };
      if (p.isOp('(')) t.columns = p.parenList(() => p.ident());
      return t;
    });
  }
  v.loc = p.loc(start);
  return v;
}

const pg_lock_modes = [
  'ACCESS SHARE',
  'ROW SHARE',
  'ROW EXCLUSIVE',
  'SHARE UPDATE EXCLUSIVE',
  'SHARE ROW EXCLUSIVE',
  'SHARE',
  'EXCLUSIVE',
  'ACCESS EXCLUSIVE',
];

function parseLock(p: Parser): Statement {
  const start = p.expectWord('LOCK');
  const isMysql =
    p.isWord('TABLES') ||
    (p.isWord('TABLE') && (p.peek(1).type === 'word' || p.peek(1).type === 'qident') && p.isAnyWord(['READ', 'WRITE', 'LOW_PRIORITY', 'AS'], 2));
  if (isMysql) {
    const keyword = p.next().upper as 'TABLES' | 'TABLE';
    const items = p.list(() => {
      const item: { table: ReturnType<Parser['qname']>; alias?: ReturnType<Parser['ident']>; mode: 'READ' | 'READ LOCAL' | 'WRITE' | 'LOW_PRIORITY WRITE' } = {
        table: p.qname(),
        mode: 'READ',
      };
      if (p.acceptWord('AS')) item.alias = p.ident();
      else if (p.isIdent() && !p.isAnyWord(['READ', 'WRITE', 'LOW_PRIORITY'])) item.alias = p.ident();
      if (p.acceptWords('READ', 'LOCAL')) item.mode = 'READ LOCAL';
      else if (p.acceptWord('READ')) item.mode = 'READ';
      else if (p.acceptWords('LOW_PRIORITY', 'WRITE')) item.mode = 'LOW_PRIORITY WRITE';
      else {
        p.expectWord('WRITE');
        item.mode = 'WRITE';
      }
      return item;
    });
    return { kind: 'lock_tables', keyword, items, loc: p.loc(start) };
  }
  const s: Statement = { kind: 'lock_table', tables: [] };
  if (p.acceptWord('TABLE')) s.tableKeyword = true;
  if (p.acceptWord('ONLY')) s.only = true;
  s.tables = p.list(() => p.qname());
  if (p.acceptWord('IN')) {
    const mode = pg_lock_modes.find((m) => p.isWords(...m.split(' ')) && p.isWord('MODE', m.split(' ').length));
    if (!mode) p.error();
    for (let i = 0; i < mode.split(' ').length; i++) p.next();
    p.expectWord('MODE');
    s.mode = mode;
  }
  if (p.acceptWord('NOWAIT')) s.nowait = true;
  s.loc = p.loc(start);
  return s;
}
