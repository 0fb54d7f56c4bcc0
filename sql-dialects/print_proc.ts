// Printing of procedural statements in the dialect's procedural style:
// T-SQL (IF cond stmt, statement lists with `;`) or Firebird PSQL
// (IF (cond) THEN, simple statements ending in `;`, declarations before BEGIN).

import type { Block, CreateTrigger, DeclareCursor, Statement, TableElement, VarDecl } from './ast.ts';
import type { Dialect } from './dialect.ts';
import { printExpr, printExprList, printIdent, printQName, printType } from './print_expr.ts';
import { printQuery } from './print_query.ts';
import { printStatement } from './printer.ts';
import { printColumnDef, printFuncParam, printOption, printTableConstraint } from './print_ddl.ts';

const compound_kinds = new Set(['block', 'if', 'while', 'for_select', 'when']);

/** A statement inside a PSQL body: simple statements end with `;`. */
function psqlStatement(s: Statement, d: Dialect): string {
  return printStatement(s, d) + (compound_kinds.has(s.kind) ? '' : ';');
}

/** A T-SQL statement list; `;` after each statement keeps the boundaries unambiguous. */
export function printTsqlList(list: Statement[], d: Dialect): string {
  return list.map((s) => printStatement(s, d) + ';').join(' ');
}

export function printDeclareCursor(c: DeclareCursor, d: Dialect): string {
  let s = 'DECLARE ' + (c.variableKeyword ? 'VARIABLE ' : '') + printIdent(c.name, d);
  if (c.options.length) s += ' ' + c.options.join(' ');
  s += ' CURSOR';
  if (c.cursorOptions.length) s += ' ' + c.cursorOptions.join(' ');
  const q = printStatement(c.query, d);
  s += ' FOR ' + (c.parenthesized ? `(${q})` : q);
  if (c.forUpdate) s += ' FOR UPDATE' + (c.forUpdate.length ? ' OF ' + c.forUpdate.map((x) => printIdent(x, d)).join(', ') : '');
  return s;
}

function printVarDecl(v: VarDecl, d: Dialect): string {
  let s = (v.variableKeyword ? 'VARIABLE ' : '') + (v.sigil ?? '') + printIdent(v.name, d);
  if (v.tableColumns) {
    return s + ` TABLE (${v.tableColumns.map((e) => printStatementElement(e, d)).join(', ')})`;
  }
  if (v.asKeyword) s += ' AS';
  if (v.type) s += ' ' + printType(v.type, d);
  if (v.notNull) s += ' NOT NULL';
  if (v.default) s += (v.defaultSyntax === 'DEFAULT' ? ' DEFAULT ' : ' = ') + printExpr(v.default, d);
  return s;
}

function printStatementElement(e: TableElement, d: Dialect): string {
  if (e.kind === 'column_def') return printColumnDef(e, d);
  if (e.kind === 'table_constraint') return printTableConstraint(e, d);
  return 'LIKE ' + printQName(e.table, d);
}

function printBlock(b: Block, d: Dialect): string {
  if (d.proceduralStyle() === 'tsql') {
    const body = printTsqlList(b.statements, d);
    return body ? `BEGIN ${body} END` : 'BEGIN END';
  }
  let s = '';
  if (b.declarations) {
    s += b.declarations.map((x) => (x.kind === 'declare_cursor' ? printDeclareCursor(x, d) : 'DECLARE ' + printVarDecl(x, d)) + ';').join(' ') + ' ';
  }
  const parts = b.statements.map((x) => psqlStatement(x, d));
  if (b.handlers) parts.push(...b.handlers.map((h) => printStatement(h, d)));
  return s + (parts.length ? `BEGIN ${parts.join(' ')} END` : 'BEGIN END');
}

export function printCreateTrigger(s: CreateTrigger, d: Dialect): string {
  const events = s.events.map((e) => e.event + (e.columns ? ' OF ' + e.columns.map((c) => printIdent(c, d)).join(', ') : ''));
  const active = s.active === undefined ? '' : s.active ? ' ACTIVE' : ' INACTIVE';
  const position = s.position ? ' POSITION ' + printExpr(s.position, d) : '';
  let out = `${s.verb} TRIGGER ${printQName(s.name, d)}`;
  if (s.syntax === 'tsql') {
    return `${out} ON ${printQName(s.table ?? [], d)} ${s.timing} ${events.join(', ')} AS ${printTsqlList(s.body ?? [], d)}`;
  }
  if (s.syntax === 'legacy') {
    return `${out} FOR ${printQName(s.table ?? [], d)}${active} ${s.timing} ${events.join(' OR ')}${position} AS ${printBlock(s.body![0] as Block, d)}`;
  }
  out += `${active} ${s.timing} ${events.join(' OR ')}${position} ON ${printQName(s.table ?? [], d)}`;
  if (s.forEach) out += ' FOR ' + (s.forEachKeyword ? 'EACH ' : '') + s.forEach;
  if (s.when) out += ` WHEN (${printExpr(s.when, d)})`;
  if (s.execute) return out + ` EXECUTE ${s.execute.keyword} ${printExpr(s.execute.func, d)}`;
  const body = s.body?.[0];
  if (!body) return out;
  if (d.proceduralStyle() === 'psql') return out + ' AS ' + printBlock(body as Block, d);
  return out + ' ' + printStatement(body, d);
}

/** Procedural statements; undefined for other kinds. */
export function printProcedural(s: Statement, d: Dialect): string | undefined {
  const psql = d.proceduralStyle() === 'psql';
  const body = (x: Statement) => (psql ? psqlStatement(x, d) : printStatement(x, d));
  switch (s.kind) {
    case 'declare':
      if (psql) return 'DECLARE ' + printVarDecl(s.vars[0], d);
      return 'DECLARE ' + s.vars.map((v) => printVarDecl(v, d)).join(', ');
    case 'declare_cursor':
      return printDeclareCursor(s, d);
    case 'block':
      return printBlock(s, d);
    case 'if':
      if (psql) return `IF (${printExpr(s.condition, d)}) THEN ${body(s.then)}${s.else ? ' ELSE ' + body(s.else) : ''}`;
      return `IF ${printExpr(s.condition, d)} ${printStatement(s.then, d)}${s.else ? ' ELSE ' + printStatement(s.else, d) : ''}`;
    case 'while': {
      const label = s.label ? printIdent(s.label, d) + ': ' : '';
      if (psql) return `${label}WHILE (${printExpr(s.condition, d)}) DO ${body(s.body)}`;
      return `WHILE ${printExpr(s.condition, d)} ${printStatement(s.body, d)}`;
    }
    case 'for_select': {
      const label = s.label ? printIdent(s.label, d) + ': ' : '';
      return `${label}FOR ${printQuery(s.query, d)}${s.cursor ? ' AS CURSOR ' + printIdent(s.cursor, d) : ''} DO ${body(s.body)}`;
    }
    case 'leave':
      return s.keyword + (s.label ? ' ' + printIdent(s.label, d) : '');
    case 'continue':
      return 'CONTINUE' + (s.label ? ' ' + printIdent(s.label, d) : '');
    case 'return':
      return 'RETURN' + (s.value ? ' ' + printExpr(s.value, d) : '');
    case 'suspend':
      return 'SUSPEND';
    case 'exit':
      return 'EXIT';
    case 'assign_stmt':
      return `${printExpr(s.target, d)} = ${printExpr(s.value, d)}`;
    case 'raise_exception': {
      let out = 'EXCEPTION';
      if (s.name) out += ' ' + printIdent(s.name, d);
      if (s.using) out += ` USING (${printExprList(s.using, d)})`;
      else if (s.message) out += ' ' + printExpr(s.message, d);
      return out;
    }
    case 'when': {
      const conds = s.conditions.map((c) => {
        if (!c.value) return c.type;
        const v = 'kind' in c.value ? printExpr(c.value, d) : printIdent(c.value, d);
        return `${c.type} ${v}`;
      });
      return `WHEN ${conds.join(', ')} DO ${body(s.body)}`;
    }
    case 'execute_statement':
      return `EXECUTE STATEMENT ${printExpr(s.sql, d)}${s.into ? ' INTO ' + printExprList(s.into, d) : ''}`;
    case 'execute_procedure': {
      let out = 'EXECUTE PROCEDURE ' + printQName(s.name, d);
      if (s.parens) out += `(${printExprList(s.args, d)})`;
      else if (s.args.length) out += ' ' + printExprList(s.args, d);
      if (s.returningValues) out += ' RETURNING_VALUES ' + printExprList(s.returningValues, d);
      return out;
    }
    case 'execute_block': {
      let out = 'EXECUTE BLOCK';
      if (s.params.length) out += ` (${s.params.map((p) => printFuncParam(p, d)).join(', ')})`;
      if (s.returns) out += ` RETURNS (${s.returns.map((p) => printFuncParam(p, d)).join(', ')})`;
      return out + ' AS ' + printBlock(s.body, d);
    }
    case 'create_procedure': {
      let out = `${s.verb} ${s.objectType ?? 'PROCEDURE'} ${printQName(s.name, d)}`;
      const params = s.params.map((p) => printFuncParam(p, d)).join(', ');
      if (s.paramParens) out += ` (${params})`;
      else if (s.params.length) out += ' ' + params;
      if (s.returns) out += ` RETURNS (${s.returns.map((p) => printFuncParam(p, d)).join(', ')})`;
      if (s.returnType) out += ' RETURNS ' + printType(s.returnType, d);
      if (psql) {
        if (s.options) out += ' ' + s.options.map((o) => printOption(o, d)).join(' ');
        return out + ' AS ' + printBlock(s.body[0] as Block, d);
      }
      if (s.options) out += ' WITH ' + s.options.map((o) => printOption(o, d)).join(', ');
      return out + ' AS ' + printTsqlList(s.body, d);
    }
    case 'exec': {
      if (s.sql) return `${s.keyword} (${printExprList(s.sql, d)})`;
      let out = s.keyword + ' ';
      if (s.returnVar) out += printExpr(s.returnVar, d) + ' = ';
      out += s.procedure ? printQName(s.procedure, d) : printExpr(s.procVar!, d);
      if (s.args.length) {
        out += ' ' + s.args.map((a) => (a.name ? '@' + a.name + ' = ' : '') + printExpr(a.value, d) + (a.output ? ' ' + a.output : '')).join(', ');
      }
      return out;
    }
    case 'print':
      return 'PRINT ' + printExpr(s.expr, d);
    case 'raiserror':
      return `RAISERROR (${printExprList(s.args, d)})${s.options ? ' WITH ' + s.options.join(', ') : ''}`;
    case 'throw':
      return 'THROW' + (s.args.length ? ' ' + printExprList(s.args, d) : '');
    case 'try_catch':
      return `BEGIN TRY ${printTsqlList(s.try, d)} END TRY BEGIN CATCH ${printTsqlList(s.catch, d)} END CATCH`;
    case 'goto':
      return 'GOTO ' + printIdent(s.label, d);
    case 'label':
      return printIdent(s.name, d) + ':';
    case 'waitfor':
      return `WAITFOR ${s.type} ${printExpr(s.value, d)}`;
    case 'post_event':
      return 'POST_EVENT ' + printExpr(s.event, d);
    case 'open_cursor':
      return 'OPEN ' + printIdent(s.cursor, d);
  }
  return undefined;
}
