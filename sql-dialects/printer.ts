// print(stmt, dialect): SQL text for one statement in the dialect's own
// syntax, such that parsing it again gives the same tree (ignoring `loc`).
// Statement families print in print_query.ts, print_ddl.ts, print_misc.ts and
// print_proc.ts; this file holds the dispatcher and the DML statements.

import type { Assignment, Delete, Insert, Merge, OutputClause, Returning, Statement, Update } from './ast.ts';
import type { Dialect } from './dialect.ts';
import { printExpr, printExprList, printIdent, printOrderBy, printQName } from './print_expr.ts';
import { adaptLimit, printLimitClause, printQuery, printSelectItem, printTableRef, printWith } from './print_query.ts';
import { printDdl } from './print_ddl.ts';
import { printMisc } from './print_misc.ts';
import { printProcedural } from './print_proc.ts';
import { printIndexElem } from './print_ddl.ts';

export function print(stmt: Statement, d: Dialect): string {
  return printStatement(stmt, d);
}

export function printStatement(s: Statement, d: Dialect): string {
  switch (s.kind) {
    case 'select':
      return printQuery(s, d);
    case 'insert':
      return printInsert(s, d);
    case 'update':
      return printUpdate(s, d);
    case 'delete':
      return printDelete(s, d);
    case 'merge':
      return printMerge(s, d);
  }
  return printDdl(s, d) ?? printProcedural(s, d) ?? printMisc(s, d);
}

function withPrefix(w: Insert['with'], d: Dialect): string {
  return w ? printWith(w, d) + ' ' : '';
}

export function printAssignment(a: Assignment, d: Dialect): string {
  const targets = a.targets.map((t) => printExpr(t, d)).join(', ');
  const lhs = a.parenthesized ? `(${targets})` : targets;
  return `${lhs} ${a.op ?? '='} ${printExpr(a.value, d)}`;
}

function printAssignments(list: Assignment[], d: Dialect): string {
  return list.map((a) => printAssignment(a, d)).join(', ');
}

function printReturning(r: Returning | undefined, d: Dialect): string {
  if (!r) return '';
  let s = ' RETURNING ' + r.items.map((i) => printSelectItem(i, d)).join(', ');
  if (r.into) s += ' INTO ' + printExprList(r.into, d);
  return s;
}

function printOutput(o: OutputClause | undefined, d: Dialect): string {
  if (!o) return '';
  let s = ' OUTPUT ' + o.items.map((i) => printSelectItem(i, d)).join(', ');
  if (o.into) {
    s += ' INTO ' + printExpr(o.into.target, d);
    if (o.into.columns) s += ` (${o.into.columns.map((c) => printIdent(c, d)).join(', ')})`;
  }
  return s;
}

function printTop(top: Insert['top'], d: Dialect): string {
  return top ? ' ' + printLimitClause(top, d) : '';
}

function printInsert(s: Insert, d: Dialect): string {
  let out = withPrefix(s.with, d) + s.verb;
  if (s.modifiers) out += ' ' + s.modifiers.join(' ');
  out += printTop(s.top, d);
  out += ' INTO ' + printQName(s.table, d);
  if (s.alias) out += ' AS ' + printIdent(s.alias, d);
  if (s.columns) out += ` (${s.columns.map((c, i) => (s.columnTargets?.[i] ? printExpr(s.columnTargets[i]!, d) : printIdent(c, d))).join(', ')})`;
  out += printOutput(s.output, d);
  if (s.overriding) out += ` OVERRIDING ${s.overriding} VALUE`;
  switch (s.source.kind) {
    case 'default_values':
      out += ' DEFAULT VALUES';
      break;
    case 'insert_set':
      out += ' SET ' + printAssignments(s.source.set, d);
      break;
    default:
      out += ' ' + printQuery(s.source, d);
  }
  if (s.matching) out += ` MATCHING (${s.matching.map((c) => printIdent(c, d)).join(', ')})`;
  if (s.rowAlias) out += ' AS ' + printIdent(s.rowAlias, d);
  if (s.onConflict) {
    const c = s.onConflict;
    out += ' ON CONFLICT';
    if (c.constraint) out += ' ON CONSTRAINT ' + printIdent(c.constraint, d);
    else if (c.columns) {
      out += ` (${c.columns.map((e) => printIndexElem(e, d)).join(', ')})`;
      if (c.targetWhere) out += ' WHERE ' + printExpr(c.targetWhere, d);
    }
    if (c.action === 'NOTHING') out += ' DO NOTHING';
    else {
      out += ' DO UPDATE SET ' + printAssignments(c.set ?? [], d);
      if (c.where) out += ' WHERE ' + printExpr(c.where, d);
    }
  }
  if (s.onDuplicateKeyUpdate) out += ' ON DUPLICATE KEY UPDATE ' + printAssignments(s.onDuplicateKeyUpdate, d);
  return out + printReturning(s.returning, d);
}

function printWhere(s: Update | Delete, d: Dialect): string {
  if (s.currentOf) return ' WHERE CURRENT OF ' + printIdent(s.currentOf, d);
  return s.where ? ' WHERE ' + printExpr(s.where, d) : '';
}

function printDmlTail(s: Update | Delete, d: Dialect): string {
  let out = printWhere(s, d);
  if (s.orderBy) out += ' ' + printOrderBy(s.orderBy, d);
  if (s.limit) out += ' ' + printLimitClause(adaptLimit(s.limit, d, false), d);
  return out + printReturning(s.returning, d);
}

function printUpdate(s: Update, d: Dialect): string {
  let out = withPrefix(s.with, d) + 'UPDATE';
  if (s.modifiers) out += ' ' + s.modifiers.join(' ');
  out += printTop(s.top, d);
  out += ' ' + printTableRef(s.table, d) + ' SET ' + printAssignments(s.set, d);
  out += printOutput(s.output, d);
  if (s.from) out += ' FROM ' + s.from.map((t) => printTableRef(t, d)).join(', ');
  return out + printDmlTail(s, d);
}

function printDelete(s: Delete, d: Dialect): string {
  let out = withPrefix(s.with, d) + 'DELETE';
  if (s.modifiers) out += ' ' + s.modifiers.join(' ');
  out += printTop(s.top, d);
  if (s.targets) out += ' ' + s.targets.map((t) => printQName(t, d)).join(', ');
  out += ' FROM ' + printTableRef(s.table, d);
  out += printOutput(s.output, d);
  if (s.using) out += ` ${s.usingKeyword ?? 'USING'} ` + s.using.map((t) => printTableRef(t, d)).join(', ');
  return out + printDmlTail(s, d);
}

function printMerge(s: Merge, d: Dialect): string {
  let out = withPrefix(s.with, d) + 'MERGE' + printTop(s.top, d);
  out += ` INTO ${printTableRef(s.target, d)} USING ${printTableRef(s.source, d)} ON ${printExpr(s.on, d)}`;
  for (const c of s.clauses) {
    out += ' WHEN ' + (c.matched ? 'MATCHED' : 'NOT MATCHED');
    if (c.by) out += ' BY ' + c.by;
    if (c.condition) out += ' AND ' + printExpr(c.condition, d);
    out += ' THEN ';
    const a = c.action;
    switch (a.kind) {
      case 'merge_update':
        out += 'UPDATE SET ' + printAssignments(a.set, d);
        break;
      case 'merge_delete':
        out += 'DELETE';
        break;
      case 'merge_do_nothing':
        out += 'DO NOTHING';
        break;
      case 'merge_insert':
        out += 'INSERT';
        if (a.columns) out += ` (${a.columns.map((x) => printIdent(x, d)).join(', ')})`;
        if (a.overriding) out += ` OVERRIDING ${a.overriding} VALUE`;
        out += a.defaultValues ? ' DEFAULT VALUES' : ` VALUES (${printExprList(a.values ?? [], d)})`;
        break;
    }
  }
  return out + printOutput(s.output, d) + printReturning(s.returning, d);
}
