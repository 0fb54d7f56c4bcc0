// Routines with parsed bodies: Firebird EXECUTE BLOCK, CREATE PROCEDURE /
// FUNCTION (PSQL and T-SQL), and CREATE TRIGGER in its Firebird, standard
// (PG, MySQL) and T-SQL forms.

import type {
  CreateProcedure,
  CreateTrigger,
  CreateVerb,
  ExecuteBlock,
  FuncParam,
  SqlOption,
  Statement,
  TriggerEvent,
} from './ast.ts';
import type { Token } from './lexer.ts';
import type { Parser } from './parser.ts';
import { parseStatement } from './parser.ts';
import { parseExpr } from './expr.ts';
import { parseTypeName } from './types.ts';
import { parseFuncParam, parseFuncParamsInParens } from './ddl_misc.ts';
import { parsePsqlRoutineBody, parseTsqlStatementList } from './procedural.ts';
import { parseNamePrimary } from './expr.ts';

export function parseExecuteBlock(p: Parser): ExecuteBlock {
  const start = p.expectWord('EXECUTE');
  p.expectWord('BLOCK');
  const params = p.isOp('(') ? parseFuncParamsInParens(p) : [];
  const eb: ExecuteBlock = { kind: 'execute_block', params, body: null as unknown as ExecuteBlock['body'] };
  if (p.acceptWord('RETURNS')) eb.returns = parseFuncParamsInParens(p);
  p.expectWord('AS');
  eb.body = parsePsqlRoutineBody(p);
  eb.loc = p.loc(start);
  return eb;
}

function parseTsqlRoutineOptions(p: Parser): SqlOption[] {
  const out: SqlOption[] = [];
  if (!p.acceptWord('WITH')) return out;
  do {
    if (p.acceptWords('EXECUTE', 'AS')) {
      const t = p.tok;
      if (t.type === 'string') {
        p.next();
        out.push({ name: 'EXECUTE AS', value: { kind: 'string', value: t.value } });
      } else out.push({ name: 'EXECUTE AS', value: { kind: 'column', name: [p.identAny()] } });
    } else out.push({ name: p.expectOneOf('RECOMPILE', 'ENCRYPTION', 'SCHEMABINDING', 'NATIVE_COMPILATION') });
  } while (p.acceptOp(','));
  return out;
}

export function parseCreateProcedure(p: Parser, start: Token, verb: CreateVerb): CreateProcedure {
  const d = p.d;
  const kw = p.expectOneOf('PROCEDURE', 'PROC', 'FUNCTION');
  const cp: CreateProcedure = { kind: 'create_procedure', verb, name: p.qname(), params: [], body: [] };
  if (kw === 'FUNCTION') cp.objectType = 'FUNCTION';
  if (d.proceduralStyle() === 'psql') {
    if (p.isOp('(')) {
      cp.params = parseFuncParamsInParens(p);
      cp.paramParens = true;
    }
    if (p.acceptWord('RETURNS')) {
      if (cp.objectType === 'FUNCTION') cp.returnType = parseTypeName(p);
      else cp.returns = parseFuncParamsInParens(p);
    }
    if (p.isWords('SQL', 'SECURITY')) {
      p.next();
      p.next();
      cp.options = [{ name: 'SQL SECURITY', value: { kind: 'column', name: [p.identAny()] } }];
    }
    p.expectWord('AS');
    cp.body = [parsePsqlRoutineBody(p)];
  } else {
    if (p.isOp('(')) {
      cp.params = parseFuncParamsInParens(p);
      cp.paramParens = true;
    } else if (p.tok.type === 'variable') {
      cp.params = p.list((): FuncParam => parseFuncParam(p));
    }
    if (cp.objectType === 'FUNCTION') {
      p.expectWord('RETURNS');
      cp.returnType = parseTypeName(p);
    }
    const opts = parseTsqlRoutineOptions(p);
    if (opts.length) cp.options = opts;
    p.expectWord('AS');
    cp.body = parseTsqlStatementList(p, () => false);
  }
  cp.loc = p.loc(start);
  return cp;
}

function parseTriggerEvents(p: Parser, separator: 'OR' | ','): TriggerEvent[] {
  const events: TriggerEvent[] = [];
  do {
    const ev: TriggerEvent = { event: p.expectOneOf('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE') as TriggerEvent['event'] };
    if (ev.event === 'UPDATE' && separator === 'OR' && p.acceptWord('OF')) ev.columns = p.list(() => p.ident());
    events.push(ev);
  } while (separator === 'OR' ? p.acceptWord('OR') : p.acceptOp(','));
  return events;
}

function parseTiming(p: Parser): CreateTrigger['timing'] {
  if (p.acceptWords('INSTEAD', 'OF')) return 'INSTEAD OF';
  return p.expectOneOf('BEFORE', 'AFTER') as 'BEFORE' | 'AFTER';
}

function parseActive(p: Parser, tr: CreateTrigger): void {
  const a = p.acceptOneOf('ACTIVE', 'INACTIVE');
  if (a) tr.active = a === 'ACTIVE';
}

export function parseCreateTrigger(p: Parser, start: Token, verb: CreateVerb): CreateTrigger {
  const d = p.d;
  p.expectWord('TRIGGER');
  const tr: CreateTrigger = { kind: 'create_trigger', verb, name: p.qname(), syntax: 'standard', events: [] };
  if (p.acceptWord('ON')) {
    // T-SQL: ON t {FOR|AFTER|INSTEAD OF} INSERT, UPDATE AS …
    tr.syntax = 'tsql';
    tr.table = p.qname();
    tr.timing = p.acceptWord('FOR') ? 'FOR' : parseTiming(p);
    tr.events = parseTriggerEvents(p, ',');
    p.expectWord('AS');
    tr.body = parseTsqlStatementList(p, () => false);
    tr.loc = p.loc(start);
    return tr;
  }
  if (p.acceptWord('FOR')) {
    tr.syntax = 'legacy';
    tr.table = p.qname();
    parseActive(p, tr);
    tr.timing = parseTiming(p);
    tr.events = parseTriggerEvents(p, 'OR');
    if (p.acceptWord('POSITION')) tr.position = parseExpr(p, 100);
    p.expectWord('AS');
    tr.body = [parsePsqlRoutineBody(p)];
    tr.loc = p.loc(start);
    return tr;
  }
  parseActive(p, tr);
  tr.timing = parseTiming(p);
  tr.events = parseTriggerEvents(p, 'OR');
  if (p.acceptWord('POSITION')) tr.position = parseExpr(p, 100);
  p.expectWord('ON');
  tr.table = p.qname();
  if (p.isWord('FOR')) {
    p.next();
    if (p.acceptWord('EACH')) tr.forEachKeyword = true;
    tr.forEach = p.expectOneOf('ROW', 'STATEMENT') as 'ROW' | 'STATEMENT';
  }
  if (p.acceptWord('WHEN')) {
    p.expectOp('(');
    tr.when = parseExpr(p);
    p.expectOp(')');
  }
  if (p.acceptWord('EXECUTE')) {
    const keyword = p.expectOneOf('FUNCTION', 'PROCEDURE') as 'FUNCTION' | 'PROCEDURE';
    const func = parseNamePrimary(p);
    if (func.kind !== 'func') p.error();
    tr.execute = { keyword, func };
  } else if (d.proceduralStyle() === 'psql') {
    p.expectWord('AS');
    tr.body = [parsePsqlRoutineBody(p)];
  } else {
    const body: Statement = parseStatement(p);
    tr.body = [body];
  }
  tr.loc = p.loc(start);
  return tr;
}
