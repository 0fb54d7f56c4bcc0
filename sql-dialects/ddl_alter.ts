// ALTER TABLE: column, constraint and table actions of PG, MySQL (MODIFY,
// CHANGE, FIRST/AFTER, table options), T-SQL (ADD a, b; ALTER COLUMN c type)
// and Firebird (ALTER c TO d, POSITION n).

import type { AlterColumnChange, AlterTable, AlterTableAction, ColumnPosition } from './ast_ddl.ts';
import type { Token } from './lexer.ts';
import type { Parser } from './parser.ts';
import { parseExpr } from './expr.ts';
import { parseTypeName } from './types.ts';
import { isTableConstraintStart, parseColumnDef, parseMysqlTableOptions, parseTableConstraint } from './ddl_table.ts';
import { parseSequenceOptions } from './ddl_options.ts';

/** GENERATED {ALWAYS | BY DEFAULT}: true for ALWAYS. */
function parseGeneratedWhen(p: Parser): boolean {
  p.expectWord('GENERATED');
  if (p.acceptWords('BY', 'DEFAULT')) return false;
  p.expectWord('ALWAYS');
  return true;
}

function parsePosition(p: Parser): ColumnPosition | undefined {
  if (p.acceptWord('FIRST')) return { first: true };
  if (p.acceptWord('AFTER')) return { after: p.ident() };
  return undefined;
}

function parseAlterColumnChange(p: Parser): AlterColumnChange {
  const syntax = p.acceptWord('TYPE') ? 'TYPE' : p.acceptWords('SET', 'DATA', 'TYPE') ? 'SET DATA TYPE' : null;
  if (syntax) {
    const c: AlterColumnChange = { type: 'set_type', dataType: parseTypeName(p), syntax };
    if (p.isWord('COLLATE')) {
      p.next();
      c.collate = p.qname();
    }
    if (p.acceptWord('USING')) c.using = parseExpr(p);
    return c;
  }
  if (p.acceptWords('SET', 'DEFAULT')) return { type: 'set_default', expr: parseExpr(p) };
  if (p.acceptWords('DROP', 'DEFAULT')) return { type: 'drop_default' };
  if (p.isWords('ADD', 'GENERATED')) {
    p.next();
    const c: AlterColumnChange = { type: 'add_identity', always: parseGeneratedWhen(p) };
    p.expectWords('AS', 'IDENTITY');
    if (p.isOp('(')) {
      p.next();
      c.options = parseSequenceOptions(p);
      p.expectOp(')');
    }
    return c;
  }
  if (p.isWords('SET', 'GENERATED')) {
    p.next();
    return { type: 'set_generated', always: parseGeneratedWhen(p) };
  }
  if (p.acceptWords('DROP', 'IDENTITY')) {
    const c: AlterColumnChange = { type: 'drop_identity' };
    if (p.acceptWords('IF', 'EXISTS')) c.ifExists = true;
    return c;
  }
  if (p.acceptWords('SET', 'NOT', 'NULL')) return { type: 'set_not_null' };
  if (p.acceptWords('DROP', 'NOT', 'NULL')) return { type: 'drop_not_null' };
  if (p.acceptWord('TO')) return { type: 'rename_to', name: p.ident() };
  if (p.acceptWord('POSITION')) return { type: 'position', position: parseExpr(p) };
  if (p.acceptWord('RESTART')) {
    const c: AlterColumnChange = { type: 'restart' };
    if (p.acceptWord('WITH')) c.value = parseExpr(p);
    return c;
  }
  const c: AlterColumnChange = { type: 'set_type', dataType: parseTypeName(p), syntax: 'bare' };
  if (p.acceptWords('NOT', 'NULL')) c.nullability = 'NOT NULL';
  else if (p.acceptWord('NULL')) c.nullability = 'NULL';
  return c;
}

function parseAlterAction(p: Parser, prev: AlterTableAction | undefined): AlterTableAction {
  const d = p.d;
  if (p.acceptWord('ADD')) {
    if (isTableConstraintStart(p)) {
      const constraint = parseTableConstraint(p);
      const a: AlterTableAction = { action: 'add_constraint', constraint };
      return a;
    }
    const columnKeyword = p.acceptWord('COLUMN');
    const ifNotExists = p.acceptWords('IF', 'NOT', 'EXISTS');
    const a: AlterTableAction = { action: 'add_column', column: parseColumnDef(p) };
    if (columnKeyword) a.columnKeyword = true;
    if (ifNotExists) a.ifNotExists = true;
    const pos = parsePosition(p);
    if (pos) a.position = pos;
    return a;
  }
  if (p.acceptWord('DROP')) {
    if (p.acceptWord('CONSTRAINT')) {
      const ifExists = p.acceptWords('IF', 'EXISTS');
      const a: AlterTableAction = { action: 'drop_constraint', name: p.ident() };
      if (ifExists) a.ifExists = true;
      const b = p.acceptOneOf('CASCADE', 'RESTRICT');
      if (b) a.behavior = b as 'CASCADE';
      return a;
    }
    if (p.acceptWords('PRIMARY', 'KEY')) return { action: 'drop_primary_key' };
    if (d.supportsInlineIndexes() && p.isAnyWord(['INDEX', 'KEY'])) {
      const keyword = p.next().upper as 'INDEX' | 'KEY';
      return { action: 'drop_index', name: p.ident(), keyword };
    }
    const columnKeyword = p.acceptWord('COLUMN');
    const ifExists = p.acceptWords('IF', 'EXISTS');
    const a: AlterTableAction = { action: 'drop_column', name: p.ident() };
    if (columnKeyword) a.columnKeyword = true;
    if (ifExists) a.ifExists = true;
    const b = p.acceptOneOf('CASCADE', 'RESTRICT');
    if (b) a.behavior = b as 'CASCADE';
    return a;
  }
  if (p.acceptWord('RENAME')) {
    if (p.acceptWord('TO')) return { action: 'rename_table', to: p.qname(), toKeyword: 'TO' };
    if (p.acceptWord('AS')) return { action: 'rename_table', to: p.qname(), toKeyword: 'AS' };
    const columnKeyword = p.acceptWord('COLUMN');
    const from = p.ident();
    p.expectWord('TO');
    const a: AlterTableAction = { action: 'rename_column', from, to: p.ident() };
    if (columnKeyword) a.columnKeyword = true;
    return a;
  }
  if (p.acceptWord('ALTER')) {
    const columnKeyword = p.acceptWord('COLUMN');
    const name = p.ident();
    const a: AlterTableAction = { action: 'alter_column', name, change: parseAlterColumnChange(p) };
    if (columnKeyword) a.columnKeyword = true;
    return a;
  }
  if (p.acceptWords('OWNER', 'TO')) return { action: 'owner_to', owner: p.ident() };
  if (p.acceptWords('SET', 'SCHEMA')) return { action: 'set_schema', schema: p.ident() };
  if (d.supportsMysqlTableOptions()) {
    if (p.acceptWord('MODIFY')) {
      const columnKeyword = p.acceptWord('COLUMN');
      const a: AlterTableAction = { action: 'modify_column', column: parseColumnDef(p) };
      if (columnKeyword) a.columnKeyword = true;
      const pos = parsePosition(p);
      if (pos) a.position = pos;
      return a;
    }
    if (p.acceptWord('CHANGE')) {
      const columnKeyword = p.acceptWord('COLUMN');
      const from = p.ident();
      const a: AlterTableAction = { action: 'change_column', from, column: parseColumnDef(p) };
      if (columnKeyword) a.columnKeyword = true;
      const pos = parsePosition(p);
      if (pos) a.position = pos;
      return a;
    }
    const opts = parseMysqlTableOptions(p);
    if (opts.length) return { action: 'table_options', options: opts };
  }
  if (prev && prev.action === 'add_column' && !prev.columnKeyword && d.supportsOptionalSemicolons() && p.isIdent()) {
    return { action: 'add_column', column: parseColumnDef(p), continued: true };
  }
  return p.error();
}

export function parseAlterTable(p: Parser, start: Token): AlterTable {
  const at: AlterTable = { kind: 'alter_table', name: [], actions: [] };
  if (p.acceptWords('MATERIALIZED', 'VIEW')) at.objectType = 'MATERIALIZED VIEW';
  else if (p.acceptWord('INDEX')) at.objectType = 'INDEX';
  else if (p.acceptWord('VIEW')) at.objectType = 'VIEW';
  else p.expectWord('TABLE');
  if (p.acceptWords('IF', 'EXISTS')) at.ifExists = true;
  if (p.acceptWord('ONLY')) at.only = true;
  at.name = p.qname();
  let prev: AlterTableAction | undefined;
  do {
    prev = parseAlterAction(p, prev);
    at.actions.push(prev);
  } while (p.acceptOp(','));
  at.loc = p.loc(start);
  return at;
}
