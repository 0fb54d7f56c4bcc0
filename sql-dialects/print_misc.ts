// Printing of transaction control and utility statements.

import type { SetItem, Statement, TxMode } from './ast.ts';
import type { Dialect } from './dialect.ts';
import { printExpr, printExprList, printIdent, printQName, printString, printType } from './print_expr.ts';
import { printQuery } from './print_query.ts';
import { printStatement } from './printer.ts';
import { printOption } from './print_ddl.ts';

function printModes(modes: TxMode[], commas: boolean | undefined, d: Dialect): string {
  if (modes.length === 0) return '';
  return ' ' + modes.map((m) => m.mode + (m.value ? ' ' + printExpr(m.value, d) : '')).join(commas ? ', ' : ' ');
}

function printChain(s: { chain?: boolean; release?: boolean; retain?: boolean }): string {
  let out = '';
  if (s.chain === true) out += ' AND CHAIN';
  if (s.chain === false) out += ' AND NO CHAIN';
  if (s.release === true) out += ' RELEASE';
  if (s.release === false) out += ' NO RELEASE';
  if (s.retain) out += ' RETAIN';
  return out;
}

function printSetItem(item: SetItem, d: Dialect): string {
  if (item.special) {
    let s = `${item.special} ${printExprList(item.values, d)}`;
    if (item.collate) s += ' COLLATE ' + printExpr(item.collate, d);
    return s;
  }
  let s = (item.scope ? item.scope + ' ' : '') + printExpr(item.target!, d);
  if (item.op === '') return s + ' ' + item.values.map((v) => printExpr(v, d)).join(' ');
  return s + ` ${item.op} ${printExprList(item.values, d)}`;
}

export function printMisc(s: Statement, d: Dialect): string {
  switch (s.kind) {
    case 'begin':
      return s.syntax + (s.name ? ' ' + printIdent(s.name, d) : '') + printModes(s.modes, s.commas, d);
    case 'commit':
      return s.syntax + (s.name ? ' ' + printIdent(s.name, d) : '') + printChain(s);
    case 'rollback': {
      let out = s.syntax;
      if (s.savepoint) out += ' TO ' + (s.savepointKeyword ? 'SAVEPOINT ' : '') + printIdent(s.savepoint, d);
      if (s.name) out += ' ' + printIdent(s.name, d);
      return out + printChain(s);
    }
    case 'savepoint':
      return `${s.syntax} ${printIdent(s.name, d)}`;
    case 'release_savepoint':
      return `RELEASE ${s.savepointKeyword ? 'SAVEPOINT ' : ''}${printIdent(s.name, d)}`;
    case 'set_transaction': {
      let out = 'SET ';
      if (s.scope === 'SESSION CHARACTERISTICS') out += 'SESSION CHARACTERISTICS AS ';
      else if (s.scope) out += s.scope + ' ';
      out += 'TRANSACTION';
      if (s.snapshot) return out + ' SNAPSHOT ' + printString(s.snapshot, d);
      return out + printModes(s.modes, s.commas, d);
    }
    case 'set':
      return 'SET ' + (s.scope ? s.scope + ' ' : '') + s.items.map((i) => printSetItem(i, d)).join(', ');
    case 'reset':
      return 'RESET ' + printQName(s.name, d);
    case 'show': {
      if (!s.what) return 'SHOW ' + printQName(s.name ?? [], d);
      let out = 'SHOW' + (s.full ? ' FULL' : '') + (s.extended ? ' EXTENDED' : '') + (s.scope ? ' ' + s.scope : '') + ' ' + s.what;
      if (s.name) out += (s.what === 'GRANTS' ? ' FOR ' : ' ') + printQName(s.name, d);
      if (s.from) out += ` ${s.fromKeyword} ${printQName(s.from, d)}`;
      if (s.from2) out += ` ${s.fromKeyword} ${printQName(s.from2, d)}`;
      if (s.like) out += ' LIKE ' + printExpr(s.like, d);
      if (s.where) out += ' WHERE ' + printExpr(s.where, d);
      return out;
    }
    case 'use':
      return 'USE ' + printIdent(s.name, d);
    case 'describe': {
      let out = `${s.keyword} ${printQName(s.table, d)}`;
      if (s.column) out += ' ' + ('kind' in s.column ? printString(s.column, d) : printIdent(s.column, d));
      return out;
    }
    case 'explain': {
      let out = s.keyword;
      if (s.optionsParenthesized) out += ` (${(s.options ?? []).map((o) => printOption(o, d)).join(', ')})`;
      if (s.analyze) out += ' ANALYZE';
      if (s.verbose) out += ' VERBOSE';
      if (s.options && !s.optionsParenthesized) out += ' ' + s.options.map((o) => printOption(o, d)).join(' ');
      return out + ' ' + printStatement(s.statement, d);
    }
    case 'prepare': {
      let out = 'PREPARE ' + printIdent(s.name, d);
      if (s.from) return out + ' FROM ' + printExpr(s.from, d);
      if (s.types) out += `(${s.types.map((t) => printType(t, d)).join(', ')})`;
      return out + ' AS ' + printStatement(s.statement!, d);
    }
    case 'execute':
      return 'EXECUTE ' + printIdent(s.name, d) + (s.args ? `(${printExprList(s.args, d)})` : '') + (s.using ? ' USING ' + printExprList(s.using, d) : '');
    case 'deallocate':
      return s.keyword + (s.prepareKeyword ? ' PREPARE' : '') + (s.all ? ' ALL' : ' ' + printIdent(s.name!, d));
    case 'copy': {
      let out = 'COPY ';
      out += s.query ? `(${printStatement(s.query, d)})` : printQName(s.table ?? [], d) + (s.columns ? ` (${s.columns.map((c) => printIdent(c, d)).join(', ')})` : '');
      out += ' ' + s.direction + ' ';
      out += s.target.kind === 'file' ? printString(s.target.path, d) : s.target.kind === 'program' ? 'PROGRAM ' + printString(s.target.path, d) : s.target.kind;
      if (s.withKeyword) out += ' WITH';
      if (s.optionSyntax === 'paren') out += ` (${s.options.map((o) => printOption(o, d)).join(', ')})`;
      else if (s.options.length) out += ' ' + s.options.map((o) => printOption(o, d)).join(' ');
      if (s.where) out += ' WHERE ' + printExpr(s.where, d);
      return out;
    }
    case 'listen':
      return 'LISTEN ' + printIdent(s.channel, d);
    case 'unlisten':
      return 'UNLISTEN ' + (s.channel ? printIdent(s.channel, d) : '*');
    case 'notify':
      return 'NOTIFY ' + printIdent(s.channel, d) + (s.payload ? ', ' + printString(s.payload, d) : '');
    case 'discard':
      return 'DISCARD ' + s.target;
    case 'fetch': {
      let out = s.move ? 'MOVE' : 'FETCH';
      if (s.direction) out += ' ' + s.direction;
      if (s.count) out += ' ' + printExpr(s.count, d);
      if (s.fromKeyword) out += ' ' + s.fromKeyword;
      out += ' ' + (s.cursorSigil ?? '') + printIdent(s.cursor, d);
      if (s.into) out += ' INTO ' + printExprList(s.into, d);
      return out;
    }
    case 'close':
      return 'CLOSE ' + (s.cursor ? printIdent(s.cursor, d) : 'ALL');
    case 'vacuum':
    case 'analyze': {
      let out = s.kind === 'vacuum' ? 'VACUUM' : s.spelling ?? 'ANALYZE';
      if (s.options) out += ` (${s.options.map((o) => printOption(o, d)).join(', ')})`;
      if (s.flags) out += ' ' + s.flags.join(' ');
      if (s.tables.length) {
        out += ' ' + s.tables.map((t) => printQName(t.name, d) + (t.columns ? ` (${t.columns.map((c) => printIdent(c, d)).join(', ')})` : '')).join(', ');
      }
      return out;
    }
    case 'reindex': {
      let out = 'REINDEX';
      if (s.options) out += ` (${s.options.map((o) => printOption(o, d)).join(', ')})`;
      out += ' ' + s.target + (s.concurrently ? ' CONCURRENTLY' : '');
      if (s.name) out += ' ' + printQName(s.name, d);
      return out;
    }
    case 'refresh_matview':
      return `REFRESH MATERIALIZED VIEW${s.concurrently ? ' CONCURRENTLY' : ''} ${printQName(s.name, d)}` + (s.withData === true ? ' WITH DATA' : s.withData === false ? ' WITH NO DATA' : '');
    case 'prepare_transaction':
      return 'PREPARE TRANSACTION ' + printString(s.gid, d);
    case 'commit_prepared':
      return 'COMMIT PREPARED ' + printString(s.gid, d);
    case 'rollback_prepared':
      return 'ROLLBACK PREPARED ' + printString(s.gid, d);
    case 'checkpoint':
      return 'CHECKPOINT';
    case 'lock_table': {
      let out = 'LOCK' + (s.tableKeyword ? ' TABLE' : '') + (s.only ? ' ONLY' : '') + ' ' + s.tables.map((t) => printQName(t, d)).join(', ');
      if (s.mode) out += ` IN ${s.mode} MODE`;
      if (s.nowait) out += ' NOWAIT';
      return out;
    }
    case 'lock_tables':
      return `LOCK ${s.keyword} ` + s.items.map((i) => printQName(i.table, d) + (i.alias ? ' AS ' + printIdent(i.alias, d) : '') + ' ' + i.mode).join(', ');
    case 'unlock_tables':
      return 'UNLOCK ' + s.keyword;
    case 'call':
      return 'CALL ' + printQName(s.name, d) + (s.noParens ? '' : `(${printExprList(s.args, d)})`);
    case 'do': {
      let out = 'DO';
      if (s.language && s.languageFirst) out += ' LANGUAGE ' + printIdent(s.language, d);
      out += ' ' + printString(s.body, d);
      if (s.language && !s.languageFirst) out += ' LANGUAGE ' + printIdent(s.language, d);
      return out;
    }
    case 'set_term':
      return 'SET TERM ' + s.terminator + (s.previous ? ' ' + s.previous : '');
    case 'set_generator':
      return `SET GENERATOR ${printQName(s.name, d)} TO ${printExpr(s.value, d)}`;
    case 'command':
      return s.command + (s.args ? ' ' + printExprList(s.args, d) : '');
  }
  throw new Error(`print: unexpected statement kind ${(s as { kind: string }).kind}`);
}

export { printQuery };
