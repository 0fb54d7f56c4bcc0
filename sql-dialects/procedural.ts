// Procedural statements, syntax only: T-SQL control flow and batches
// (DECLARE, IF/ELSE, WHILE, BEGIN…END, TRY…CATCH, EXEC, PRINT, RAISERROR,
// THROW, cursors) and Firebird PSQL (blocks with declarations and WHEN
// handlers, IF … THEN, WHILE … DO, FOR SELECT … DO, SUSPEND, EXCEPTION,
// assignments, EXECUTE STATEMENT/PROCEDURE/BLOCK).

import type {
  Block,
  DeclareCursor,
  Exec,
  ExecArg,
  Expr,
  Statement,
  VarDecl,
  WhenCondition,
  WhenHandler,
} from './ast.ts';
import type { Parser } from './parser.ts';
import { parseStatement } from './parser.ts';
import { parseExpr, parseExprList } from './expr.ts';
import { parseQuery } from './select.ts';
import { parseTypeName } from './types.ts';
import { parseTableElement } from './ddl_table.ts';
import { parseExecuteBlock } from './procedural_ddl.ts';

/** Procedural statement at the cursor, or null when the words start none. */
export function parseProceduralStatement(p: Parser): Statement | null {
  switch (p.d.proceduralStyle()) {
    case 'tsql':
      return parseTsqlStatement(p);
    case 'psql':
      return parsePsqlStatement(p);
    default:
      return null;
  }
}

// ================================================================ T-SQL

/** Statements up to END (of a block) or the end of the batch; `;` is optional between them. */
export function parseTsqlStatementList(p: Parser, until: (p: Parser) => boolean): Statement[] {
  const out: Statement[] = [];
  for (;;) {
    while (p.acceptOp(';'));
    if (until(p) || p.tok.type === 'eof' || p.tok.type === 'term') return out;
    out.push(parseStatement(p));
  }
}

function parseTsqlBlock(p: Parser): Statement {
  const start = p.expectWord('BEGIN');
  if (p.acceptWord('TRY')) {
    const tryStmts = parseTsqlStatementList(p, (q) => q.isWords('END', 'TRY'));
    p.expectWords('END', 'TRY');
    p.expectWords('BEGIN', 'CATCH');
    const catchStmts = parseTsqlStatementList(p, (q) => q.isWords('END', 'CATCH'));
    p.expectWords('END', 'CATCH');
    return { kind: 'try_catch', try: tryStmts, catch: catchStmts, loc: p.loc(start) };
  }
  const statements = parseTsqlStatementList(p, (q) => q.isWord('END'));
  p.expectWord('END');
  return { kind: 'block', statements, loc: p.loc(start) };
}

function parseTsqlDeclare(p: Parser): Statement {
  const start = p.expectWord('DECLARE');
  if (p.isIdent() && p.tok.type !== 'variable') {
    // DECLARE name CURSOR …
    const name = p.ident();
    const cur: DeclareCursor = { kind: 'declare_cursor', name, options: [], cursorOptions: [], query: null as unknown as Statement };
    while (p.tok.type === 'word' && !p.isWord('CURSOR')) cur.options.push(p.next().upper);
    p.expectWord('CURSOR');
    while (p.tok.type === 'word' && !p.isWord('FOR')) cur.cursorOptions.push(p.next().upper);
    p.expectWord('FOR');
    cur.query = parseQuery(p);
    if (p.acceptWords('FOR', 'UPDATE')) {
      cur.forUpdate = [];
      if (p.acceptWord('OF')) cur.forUpdate = p.list(() => p.ident());
    }
    cur.loc = p.loc(start);
    return cur;
  }
  const vars = p.list((): VarDecl => {
    const t = p.tok;
    if (t.type !== 'variable') p.error();
    p.next();
    const v: VarDecl = { kind: 'var_decl', name: { value: t.value, quoted: false, loc: { start: t.start, end: t.end } }, sigil: '@' };
    if (p.acceptWord('AS')) v.asKeyword = true;
    if (p.isWord('TABLE') && p.isOp('(', 1)) {
      p.next();
      v.tableColumns = p.parenList(() => parseTableElement(p));
      return v;
    }
    v.type = parseTypeName(p);
    if (p.acceptOp('=')) {
      v.defaultSyntax = '=';
      v.default = parseExpr(p);
    }
    return v;
  });
  return { kind: 'declare', vars, loc: p.loc(start) };
}

function parseExecArgs(p: Parser): ExecArg[] {
  const args: ExecArg[] = [];
  if (p.atStatementEnd() || !isExecArgStart(p)) return args;
  do {
    const a: ExecArg = { value: { kind: 'null' } };
    if (p.tok.type === 'variable' && p.isOp('=', 1)) {
      a.name = p.next().value;
      p.next();
    }
    a.value = parseExpr(p);
    const out = p.acceptOneOf('OUTPUT', 'OUT');
    if (out) a.output = out as 'OUTPUT';
    args.push(a);
  } while (p.acceptOp(','));
  return args;
}

function isExecArgStart(p: Parser): boolean {
  const t = p.tok;
  if (t.type === 'word') return !p.d.isReserved(t.upper) || t.upper === 'DEFAULT' || t.upper === 'NULL';
  if (t.type === 'op') return t.value === '-' || t.value === '+' || t.value === '(';
  return true;
}

function parseExec(p: Parser): Exec {
  const start = p.tok;
  const keyword = p.next().upper as 'EXEC' | 'EXECUTE';
  const e: Exec = { kind: 'exec', keyword, args: [] };
  if (p.isOp('(')) {
    p.next();
    const parts: Expr[] = [parseExpr(p)];
    e.sql = parts;
    p.expectOp(')');
    e.loc = p.loc(start);
    return e;
  }
  if (p.tok.type === 'variable' && p.isOp('=', 1)) {
    e.returnVar = parseExpr(p, 100);
    p.expectOp('=');
  }
  if (p.tok.type === 'variable') e.procVar = parseExpr(p, 100);
  else e.procedure = p.qname();
  e.args = parseExecArgs(p);
  e.loc = p.loc(start);
  return e;
}

function parseTsqlStatement(p: Parser): Statement | null {
  const t = p.tok;
  if (t.type !== 'word') return null;
  switch (t.upper) {
    case 'DECLARE':
      return parseTsqlDeclare(p);
    case 'BEGIN':
      return parseTsqlBlock(p);
    case 'IF': {
      p.next();
      const condition = parseExpr(p);
      const then = parseStatement(p);
      const s: Statement = { kind: 'if', condition, then };
      if (p.isOp(';') && p.isWord('ELSE', 1)) p.next();
      if (p.acceptWord('ELSE')) s.else = parseStatement(p);
      s.loc = p.loc(t);
      return s;
    }
    case 'WHILE': {
      p.next();
      const condition = parseExpr(p);
      return { kind: 'while', condition, body: parseStatement(p), loc: p.loc(t) };
    }
    case 'BREAK':
      p.next();
      return { kind: 'leave', keyword: 'BREAK', loc: p.loc(t) };
    case 'CONTINUE':
      p.next();
      return { kind: 'continue', loc: p.loc(t) };
    case 'RETURN': {
      p.next();
      const s: Statement = { kind: 'return' };
      if (!p.atStatementEnd() && isExecArgStart(p) && !p.isWord('END')) s.value = parseExpr(p);
      s.loc = p.loc(t);
      return s;
    }
    case 'PRINT':
      p.next();
      return { kind: 'print', expr: parseExpr(p), loc: p.loc(t) };
    case 'RAISERROR': {
      p.next();
      const args = p.parenList(() => parseExpr(p));
      const s: Statement = { kind: 'raiserror', args };
      if (p.acceptWord('WITH')) s.options = p.list(() => p.expectOneOf('NOWAIT', 'LOG', 'SETERROR'));
      s.loc = p.loc(t);
      return s;
    }
    case 'THROW': {
      p.next();
      const args = p.atStatementEnd() || p.isWord('END') ? [] : parseExprList(p);
      return { kind: 'throw', args, loc: p.loc(t) };
    }
    case 'EXEC':
    case 'EXECUTE':
      return parseExec(p);
    case 'GOTO':
      p.next();
      return { kind: 'goto', label: p.ident(), loc: p.loc(t) };
    case 'WAITFOR': {
      p.next();
      const type = p.expectOneOf('DELAY', 'TIME') as 'DELAY' | 'TIME';
      return { kind: 'waitfor', type, value: parseExpr(p), loc: p.loc(t) };
    }
    case 'OPEN':
      p.next();
      return { kind: 'open_cursor', cursor: p.ident(), loc: p.loc(t) };
  }
  if (p.isIdent() && p.isOp(':', 1) && !p.d.isReserved(t.upper)) {
    const name = p.ident();
    p.next();
    return { kind: 'label', name, loc: p.loc(t) };
  }
  return null;
}

// ================================================================ Firebird PSQL

const when_condition_start = ['ANY', 'SQLCODE', 'GDSCODE', 'SQLSTATE', 'EXCEPTION'];

function isAssignmentStart(p: Parser): boolean {
  const t = p.tok;
  if (t.type === 'param') return p.isOp('=', 1);
  if (t.type !== 'word' && t.type !== 'qident') return false;
  if (p.isOp('=', 1)) return true;
  return p.isOp('.', 1) && (p.peek(2).type === 'word' || p.peek(2).type === 'qident') && p.isOp('=', 3);
}

/** `DECLARE [VARIABLE] name type …;` or `DECLARE [VARIABLE] name [SCROLL] CURSOR FOR (query);` */
export function parsePsqlDeclaration(p: Parser): VarDecl | DeclareCursor {
  const start = p.expectWord('DECLARE');
  const variableKeyword = p.acceptWord('VARIABLE');
  const name = p.ident();
  if (p.isWord('CURSOR') || (p.isWord('SCROLL') && p.isWord('CURSOR', 1)) || (p.isWords('NO', 'SCROLL', 'CURSOR'))) {
    const cur: DeclareCursor = { kind: 'declare_cursor', name, options: [], cursorOptions: [], query: null as unknown as Statement };
    if (variableKeyword) cur.variableKeyword = true;
    while (!p.isWord('CURSOR')) cur.options.push(p.next().upper);
    p.next();
    p.expectWord('FOR');
    p.expectOp('(');
    cur.query = parseQuery(p);
    p.expectOp(')');
    cur.parenthesized = true;
    cur.loc = p.loc(start);
    return cur;
  }
  const v: VarDecl = { kind: 'var_decl', name, type: parseTypeName(p) };
  if (variableKeyword) v.variableKeyword = true;
  if (p.acceptWords('NOT', 'NULL')) v.notNull = true;
  if (p.acceptOp('=')) {
    v.defaultSyntax = '=';
    v.default = parseExpr(p);
  } else if (p.acceptWord('DEFAULT')) {
    v.defaultSyntax = 'DEFAULT';
    v.default = parseExpr(p);
  }
  return v;
}

/** A PSQL body: declarations then BEGIN … END. */
export function parsePsqlRoutineBody(p: Parser): Block {
  const start = p.tok;
  const declarations: (VarDecl | DeclareCursor)[] = [];
  while (p.isWord('DECLARE')) {
    declarations.push(parsePsqlDeclaration(p));
    p.expectOp(';');
  }
  const block = parsePsqlBlock(p);
  if (declarations.length) block.declarations = declarations;
  block.loc = p.loc(start);
  return block;
}

function parseWhenHandler(p: Parser): WhenHandler {
  const start = p.expectWord('WHEN');
  const conditions = p.list((): WhenCondition => {
    const type = p.expectOneOf(...when_condition_start) as WhenCondition['type'];
    if (type === 'ANY') return { type };
    if (type === 'EXCEPTION' || type === 'GDSCODE') return { type, value: p.ident() };
    return { type, value: parseExpr(p, 100) };
  });
  p.expectWord('DO');
  return { kind: 'when', conditions, body: parsePsqlBodyStatement(p), loc: p.loc(start) };
}

function parsePsqlBlock(p: Parser): Block {
  const start = p.expectWord('BEGIN');
  const block: Block = { kind: 'block', statements: [] };
  for (;;) {
    while (p.acceptOp(';'));
    if (p.isWord('END') || p.tok.type === 'eof') break;
    if (p.isWord('WHEN') && p.isAnyWord(when_condition_start, 1)) break;
    block.statements.push(parsePsqlBodyStatement(p));
  }
  while (p.isWord('WHEN')) (block.handlers ??= []).push(parseWhenHandler(p));
  p.expectWord('END');
  block.loc = p.loc(start);
  return block;
}

/** A statement inside a PSQL body, with its terminating `;` when it is a simple one. */
export function parsePsqlBodyStatement(p: Parser): Statement {
  p.enter();
  const s = parseStatement(p);
  const compound = s.kind === 'block' || s.kind === 'if' || s.kind === 'while' || s.kind === 'for_select' || s.kind === 'when';
  if (!compound && !p.acceptOp(';')) p.error();
  p.leave();
  return s;
}

function parsePsqlStatement(p: Parser): Statement | null {
  const t = p.tok;
  if (isAssignmentStart(p)) {
    const target = parseExpr(p, 100);
    p.expectOp('=');
    return { kind: 'assign_stmt', target, value: parseExpr(p), loc: p.loc(t) };
  }
  if (t.type !== 'word') return null;
  let label;
  if (p.isIdent() && p.isOp(':', 1) && (p.isWord('FOR', 2) || p.isWord('WHILE', 2))) {
    label = p.ident();
    p.next();
  }
  switch (p.tok.upper) {
    case 'BEGIN':
      if (label) p.error();
      return parsePsqlBlock(p);
    case 'IF': {
      p.next();
      p.expectOp('(');
      const condition = parseExpr(p);
      p.expectOp(')');
      p.expectWord('THEN');
      const s: Statement = { kind: 'if', condition, then: parsePsqlBodyStatement(p) };
      if (p.acceptWord('ELSE')) s.else = parsePsqlBodyStatement(p);
      s.loc = p.loc(t);
      return s;
    }
    case 'WHILE': {
      p.next();
      p.expectOp('(');
      const condition = parseExpr(p);
      p.expectOp(')');
      p.expectWord('DO');
      const s: Statement = { kind: 'while', condition, body: parsePsqlBodyStatement(p) };
      if (label) s.label = label;
      s.loc = p.loc(t);
      return s;
    }
    case 'FOR': {
      if (!p.isWord('SELECT', 1) && !p.isWord('WITH', 1)) return null;
      p.next();
      const query = parseQuery(p);
      const s: Statement = { kind: 'for_select', query, body: { kind: 'suspend' } };
      if (p.acceptWords('AS', 'CURSOR')) s.cursor = p.ident();
      p.expectWord('DO');
      s.body = parsePsqlBodyStatement(p);
      if (label) s.label = label;
      s.loc = p.loc(t);
      return s;
    }
  }
  if (label) p.error();
  switch (t.upper) {
    case 'SUSPEND':
      p.next();
      return { kind: 'suspend', loc: p.loc(t) };
    case 'EXIT':
      p.next();
      return { kind: 'exit', loc: p.loc(t) };
    case 'LEAVE':
    case 'BREAK': {
      p.next();
      const s: Statement = { kind: 'leave', keyword: t.upper as 'LEAVE' };
      if (t.upper === 'LEAVE' && p.isIdent()) s.label = p.ident();
      s.loc = p.loc(t);
      return s;
    }
    case 'CONTINUE': {
      p.next();
      const s: Statement = { kind: 'continue' };
      if (p.isIdent()) s.label = p.ident();
      s.loc = p.loc(t);
      return s;
    }
    case 'RETURN': {
      p.next();
      const s: Statement = { kind: 'return' };
      if (!p.isOp(';')) s.value = parseExpr(p);
      s.loc = p.loc(t);
      return s;
    }
    case 'EXCEPTION': {
      p.next();
      const s: Statement = { kind: 'raise_exception' };
      if (p.isIdent()) {
        s.name = p.ident();
        if (p.acceptWord('USING')) s.using = p.parenList(() => parseExpr(p));
        else if (!p.isOp(';')) s.message = parseExpr(p);
      }
      s.loc = p.loc(t);
      return s;
    }
    case 'POST_EVENT':
      p.next();
      return { kind: 'post_event', event: parseExpr(p), loc: p.loc(t) };
    case 'DECLARE':
      return parsePsqlDeclarationStatement(p);
    case 'OPEN':
      p.next();
      return { kind: 'open_cursor', cursor: p.ident(), loc: p.loc(t) };
    case 'EXECUTE':
      if (p.isWord('BLOCK', 1) && p.d.supportsExecuteBlock()) return parseExecuteBlock(p);
      if (p.isWord('STATEMENT', 1)) {
        p.next();
        p.next();
        const s: Statement = { kind: 'execute_statement', sql: parseExpr(p) };
        if (p.acceptWord('INTO')) s.into = parseExprList(p);
        s.loc = p.loc(t);
        return s;
      }
      if (p.isWord('PROCEDURE', 1)) {
        p.next();
        p.next();
        const s: Statement = { kind: 'execute_procedure', name: p.qname(), args: [] };
        if (p.isOp('(')) {
          s.parens = true;
          p.next();
          if (!p.isOp(')')) s.args = parseExprList(p);
          p.expectOp(')');
        } else if (!p.atStatementEnd() && !p.isWord('RETURNING_VALUES')) s.args = parseExprList(p);
        if (p.acceptWord('RETURNING_VALUES')) s.returningValues = parseExprList(p);
        s.loc = p.loc(t);
        return s;
      }
      return null;
  }
  return null;
}

function parsePsqlDeclarationStatement(p: Parser): Statement {
  const start = p.tok;
  const d = parsePsqlDeclaration(p);
  if (d.kind === 'declare_cursor') return d;
  return { kind: 'declare', vars: [d], loc: p.loc(start) };
}
