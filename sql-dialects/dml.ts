// INSERT (PG ON CONFLICT, MySQL IGNORE / REPLACE / ON DUPLICATE KEY UPDATE /
// SET form, Firebird UPDATE OR INSERT … MATCHING, T-SQL OUTPUT), UPDATE,
// DELETE and MERGE.

import type {
  Assignment,
  Delete,
  Expr,
  Ident,
  Insert,
  Limit,
  Merge,
  MergeAction,
  MergeClause,
  OnConflict,
  OutputClause,
  Returning,
  Update,
  WithClause,
} from './ast.ts';
import type { IndexElem } from './ast_dml.ts';
import type { Parser } from './parser.ts';
import type { Token } from './lexer.ts';
import { parseExpr, parseExprList } from './expr.ts';
import { parseOrderBy } from './expr_func.ts';
import { parseFromList, parseJoinedTable } from './from.ts';
import { parseQuery, parseSelectItem, parseTop } from './select.ts';
import { parseIndexElem } from './ddl_table.ts';

const insert_modifiers = ['LOW_PRIORITY', 'DELAYED', 'HIGH_PRIORITY', 'IGNORE'];

function parseModifiers(p: Parser, words: string[]): string[] | undefined {
  if (!p.d.supportsMysqlInsertForms()) return undefined;
  const out: string[] = [];
  while (p.isAnyWord(words)) out.push(p.next().upper);
  return out.length > 0 ? out : undefined;
}

/** `col = expr` or `(a, b) = expr`; targets may be qualified or subscripted. */
export function parseAssignment(p: Parser): Assignment {
  if (p.isOp('(')) {
    p.next();
    const targets = p.list(() => parseAssignTarget(p));
    p.expectOp(')');
    p.expectOp('=');
    return { targets, parenthesized: true, value: parseExpr(p) };
  }
  const target = parseAssignTarget(p);
  const t = p.tok;
  let op = '=';
  if (t.type === 'op' && /^[-+*/%&|^]=$/.test(t.value)) op = t.value;
  else if (t.type === 'op' && t.value === ':=' && p.d.supportsAssignmentExpression()) op = ':=';
  else if (!(t.type === 'op' && t.value === '=')) p.error();
  p.next();
  const a: Assignment = { targets: [target], value: parseExpr(p) };
  if (op !== '=') a.op = op;
  return a;
}

/** An assignment target: a column (possibly qualified), a variable, with subscripts (PG). */
function parseAssignTarget(p: Parser): Expr {
  const t = p.tok;
  if (t.type === 'variable' || t.type === 'param') return parseExpr(p, 100);
  const name = [p.ident()];
  while (p.isOp('.') && (p.peek(1).type === 'word' || p.peek(1).type === 'qident')) {
    p.next();
    name.push(p.identAny());
  }
  return parseSubscripts(p, t, { kind: 'column', name, loc: p.loc(t) });
}

/** The column under a chain of subscripts. */
function baseColumn(e: Expr): Ident {
  let x = e;
  while (x.kind === 'subscript') x = x.expr;
  return (x as { name: Ident[] }).name[0]!;
}

/** `[i]`, `[lo:hi]`... after an assignment target (PG arrays). */
function parseSubscripts(p: Parser, t: Token, target: Expr): Expr {
  let e = target;
  while (p.d.supportsArrays() && p.isOp('[')) {
    p.next();
    const s: Expr = { kind: 'subscript', expr: e };
    // Either bound of a slice may be omitted (a[:2], a[2:]), as in expressions.
    if (!p.isOp(':')) s.index = parseExpr(p);
    if (p.acceptOp(':')) {
      s.slice = true;
      if (!p.isOp(']')) s.upper = parseExpr(p);
    }
    p.expectOp(']');
    s.loc = p.loc(t);
    e = s;
  }
  return e;
}

export function parseAssignments(p: Parser): Assignment[] {
  return p.list(() => parseAssignment(p));
}

export function parseReturning(p: Parser): Returning | undefined {
  if (!p.d.supportsReturning() || !p.acceptWord('RETURNING')) return undefined;
  const r: Returning = { items: p.list(() => parseSelectItem(p)) };
  if (p.d.supportsReturningInto() && p.acceptWord('INTO')) r.into = parseExprList(p);
  return r;
}

export function parseOutput(p: Parser): OutputClause | undefined {
  if (!p.d.supportsOutputClause() || !p.acceptWord('OUTPUT')) return undefined;
  const o: OutputClause = { items: p.list(() => parseSelectItem(p)) };
  if (p.acceptWord('INTO')) {
    const target = p.tok.type === 'variable' ? parseExpr(p, 100) : ({ kind: 'column', name: p.qname() } as Expr);
    o.into = { target };
    if (p.isOp('(')) o.into.columns = p.parenList(() => p.ident());
  }
  return o;
}

function parseOnConflict(p: Parser): OnConflict {
  p.expectWords('ON', 'CONFLICT');
  const c: OnConflict = { action: 'NOTHING' };
  if (p.acceptWords('ON', 'CONSTRAINT')) c.constraint = p.ident();
  else if (p.isOp('(')) {
    c.columns = p.parenList((): IndexElem => parseIndexElem(p));
    if (p.acceptWord('WHERE')) c.targetWhere = parseExpr(p);
  }
  p.expectWord('DO');
  if (p.acceptWord('NOTHING')) return c;
  p.expectWord('UPDATE');
  p.expectWord('SET');
  c.action = 'UPDATE';
  c.set = parseAssignments(p);
  if (p.acceptWord('WHERE')) c.where = parseExpr(p);
  return c;
}

export function parseInsert(p: Parser, w?: WithClause): Insert {
  const d = p.d;
  const start = p.tok;
  let verb: Insert['verb'] = 'INSERT';
  if (p.acceptWord('REPLACE')) verb = 'REPLACE';
  else if (p.isWords('UPDATE', 'OR', 'INSERT') && d.supportsUpdateOrInsert()) {
    p.acceptWords('UPDATE', 'OR', 'INSERT');
    verb = 'UPDATE OR INSERT';
  } else p.expectWord('INSERT');
  const ins: Insert = { kind: 'insert', verb, table: [], source: { kind: 'default_values' } };
  if (w) ins.with = w;
  const mods = parseModifiers(p, insert_modifiers);
  if (mods) ins.modifiers = mods;
  if (d.supportsTopClause() && p.isWord('TOP')) ins.top = parseTop(p);
  if (!p.acceptWord('INTO') && !d.supportsOptionalInto()) p.error();
  ins.table = p.qname();
  if (p.isWord('AS') && p.isIdent(1)) {
    p.next();
    ins.alias = p.ident();
  }
  if (p.isOp('(') && !(p.peek(1).type === 'word' && (p.peek(1).upper === 'SELECT' || p.peek(1).upper === 'WITH' || p.peek(1).upper === 'VALUES'))) {
    p.next();
    if (p.isOp(')')) ins.columns = [];
    else {
      const targets = p.list(() => parseSubscripts(p, p.tok, { kind: 'column', name: [p.ident()] }));
      ins.columns = targets.map(baseColumn);
      if (targets.some((x) => x.kind === 'subscript')) ins.columnTargets = targets.map((x) => (x.kind === 'subscript' ? x : undefined));
    }
    p.expectOp(')');
  }
  const output = parseOutput(p);
  if (output) ins.output = output;
  if (p.acceptWord('OVERRIDING')) {
    ins.overriding = p.expectOneOf('SYSTEM', 'USER') as 'SYSTEM' | 'USER';
    p.expectWord('VALUE');
  }
  if (p.acceptWords('DEFAULT', 'VALUES')) ins.source = { kind: 'default_values' };
  else if (d.supportsMysqlInsertForms() && p.acceptWord('SET')) ins.source = { kind: 'insert_set', set: parseAssignments(p) };
  else if (d.supportsMysqlInsertForms() && p.isWord('VALUE') && p.isOp('(', 1)) {
    // MySQL accepts VALUE as a synonym of VALUES.
    p.tok.upper = 'VALUES';
    ins.source = parseQuery(p);
  } else ins.source = parseQuery(p);
  if (verb === 'UPDATE OR INSERT' && p.acceptWord('MATCHING')) ins.matching = p.parenList(() => p.ident());
  if (d.supportsOnDuplicateKeyUpdate() && p.isWord('AS') && p.isIdent(1)) {
    p.next();
    ins.rowAlias = p.ident();
  }
  if (d.supportsOnConflict() && p.isWords('ON', 'CONFLICT')) ins.onConflict = parseOnConflict(p);
  if (d.supportsOnDuplicateKeyUpdate() && p.isWords('ON', 'DUPLICATE', 'KEY', 'UPDATE')) {
    p.acceptWords('ON', 'DUPLICATE', 'KEY', 'UPDATE');
    ins.onDuplicateKeyUpdate = parseAssignments(p);
  }
  const r = parseReturning(p);
  if (r) ins.returning = r;
  ins.loc = p.loc(start);
  return ins;
}

export function parseUpdate(p: Parser, w?: WithClause): Update {
  const d = p.d;
  const start = p.expectWord('UPDATE');
  const mods = parseModifiers(p, ['LOW_PRIORITY', 'IGNORE']);
  const top = d.supportsTopClause() && p.isWord('TOP') ? parseTop(p) : undefined;
  const table = parseJoinedTable(p);
  p.expectWord('SET');
  const upd: Update = { kind: 'update', table, set: parseAssignments(p) };
  if (w) upd.with = w;
  if (mods) upd.modifiers = mods;
  if (top) upd.top = top;
  const output = parseOutput(p);
  if (output) upd.output = output;
  if (p.acceptWord('FROM')) upd.from = parseFromList(p);
  parseWhere(p, upd);
  if (d.supportsUpdateLimit() && p.isWords('ORDER', 'BY')) upd.orderBy = parseOrderBy(p);
  const limit = parseDmlLimit(p);
  if (limit) upd.limit = limit;
  const r = parseReturning(p);
  if (r) upd.returning = r;
  upd.loc = p.loc(start);
  return upd;
}

function parseWhere(p: Parser, s: Update | Delete): void {
  if (!p.acceptWord('WHERE')) return;
  if (p.acceptWords('CURRENT', 'OF')) s.currentOf = p.ident();
  else s.where = parseExpr(p);
}

export function parseDelete(p: Parser, w?: WithClause): Delete {
  const d = p.d;
  const start = p.expectWord('DELETE');
  const mods = parseModifiers(p, ['LOW_PRIORITY', 'QUICK', 'IGNORE']);
  const top = d.supportsTopClause() && p.isWord('TOP') ? parseTop(p) : undefined;
  let del: Delete;
  if (p.acceptWord('FROM')) {
    del = { kind: 'delete', table: parseJoinedTable(p) };
  } else if (d.supportsMultiTableDelete()) {
    // Multi-table forms: DELETE t1[, t2] FROM <join> (MySQL, T-SQL), or T-SQL DELETE t WHERE …
    const targets = [p.qname()];
    while (p.acceptOp(',')) targets.push(p.qname());
    if (p.acceptWord('FROM')) {
      del = { kind: 'delete', targets, table: parseJoinedTable(p) };
    } else {
      if (targets.length > 1) p.error();
      del = { kind: 'delete', table: { kind: 'table', name: targets[0] } };
    }
  } else return p.error();
  if (w) del.with = w;
  if (mods) del.modifiers = mods;
  if (top) del.top = top;
  const output = parseOutput(p);
  if (output) del.output = output;
  if (p.acceptWord('USING')) {
    del.using = parseFromList(p);
    del.usingKeyword = 'USING';
  } else if (d.supportsMultiTableDelete() && !del.targets && p.acceptWord('FROM')) {
    del.using = parseFromList(p);
    del.usingKeyword = 'FROM';
  }
  parseWhere(p, del);
  if (d.supportsUpdateLimit() && p.isWords('ORDER', 'BY')) del.orderBy = parseOrderBy(p);
  const limit = parseDmlLimit(p);
  if (limit) del.limit = limit;
  const r = parseReturning(p);
  if (r) del.returning = r;
  del.loc = p.loc(start);
  return del;
}

function parseMergeAction(p: Parser, matched: boolean): MergeAction {
  if (p.acceptWords('DO', 'NOTHING')) return { kind: 'merge_do_nothing' };
  if (p.acceptWord('DELETE')) return { kind: 'merge_delete' };
  if (p.acceptWord('UPDATE')) {
    p.expectWord('SET');
    return { kind: 'merge_update', set: parseAssignments(p) };
  }
  if (matched) p.error();
  p.expectWord('INSERT');
  const a: MergeAction = { kind: 'merge_insert' };
  if (p.isOp('(')) a.columns = p.parenList(() => p.ident());
  if (p.acceptWord('OVERRIDING')) {
    a.overriding = p.expectOneOf('SYSTEM', 'USER') as 'SYSTEM' | 'USER';
    p.expectWord('VALUE');
  }
  if (p.acceptWords('DEFAULT', 'VALUES')) a.defaultValues = true;
  else {
    p.expectWord('VALUES');
    a.values = p.parenList(() => parseExpr(p));
  }
  return a;
}

export function parseMerge(p: Parser, w?: WithClause): Merge {
  const d = p.d;
  const start = p.expectWord('MERGE');
  const top = d.supportsTopClause() && p.isWord('TOP') ? parseTop(p) : undefined;
  if (!p.acceptWord('INTO') && !d.supportsOptionalInto()) p.error();
  const target = parseJoinedTable(p);
  p.expectWord('USING');
  const source = parseJoinedTable(p);
  p.expectWord('ON');
  const on = parseExpr(p);
  const clauses: MergeClause[] = [];
  while (p.acceptWord('WHEN')) {
    const matched = !p.acceptWord('NOT');
    p.expectWord('MATCHED');
    const c: MergeClause = { matched, action: { kind: 'merge_do_nothing' } };
    if (p.acceptWord('BY')) c.by = p.expectOneOf('SOURCE', 'TARGET') as 'SOURCE' | 'TARGET';
    if (p.acceptWord('AND')) c.condition = parseExpr(p);
    p.expectWord('THEN');
    c.action = parseMergeAction(p, matched || c.by === 'SOURCE');
    clauses.push(c);
  }
  if (clauses.length === 0) p.error();
  const m: Merge = { kind: 'merge', target, source, on, clauses };
  if (w) m.with = w;
  if (top) m.top = top;
  const output = parseOutput(p);
  if (output) m.output = output;
  const r = parseReturning(p);
  if (r) m.returning = r;
  m.loc = p.loc(start);
  return m;
}

/** MySQL `LIMIT n` and Firebird `ROWS m [TO n]` on UPDATE and DELETE. */
function parseDmlLimit(p: Parser): Limit | undefined {
  const d = p.d;
  if (d.supportsUpdateLimit() && p.acceptWord('LIMIT')) return { kind: 'limit', syntax: 'limit', count: parseExpr(p) };
  if (d.supportsRowsClause() && p.acceptWord('ROWS')) {
    const limit: Limit = { kind: 'limit', syntax: 'rows', count: parseExpr(p) };
    if (p.acceptWord('TO')) limit.rowsTo = parseExpr(p);
    return limit;
  }
  return undefined;
}
