// CREATE TABLE and ALTER TABLE: column definitions, column and table
// constraints, index elements, MySQL table options.

import type {
  ColumnConstraint,
  ColumnDef,
  CreateTable,
  CreateVerb,
  Deferral,
  ForeignKeyRef,
  RefAction,
  SqlOption,
  TableConstraint,
  TableElement,
} from './ast_ddl.ts';
import type { IndexElem } from './ast_dml.ts';
import type { Token } from './lexer.ts';
import type { Parser } from './parser.ts';
import { parseExpr } from './expr.ts';
import { parseQuery } from './select.ts';
import { parseTypeName } from './types.ts';
import { parseOptionValue, parseSequenceOptions, parseWithOptions } from './ddl_options.ts';

export function parseIndexElem(p: Parser): IndexElem {
  const e: IndexElem = { expr: parseExpr(p) };
  if (p.isIdent() && !p.isAnyWord(['ASC', 'DESC', 'NULLS'])) e.opclass = p.qname();
  const dir = p.acceptOneOf('ASC', 'DESC');
  if (dir) e.dir = dir as 'ASC' | 'DESC';
  if (p.isWord('NULLS') && p.isAnyWord(['FIRST', 'LAST'], 1)) {
    p.next();
    e.nulls = p.next().upper as 'FIRST' | 'LAST';
  }
  return e;
}

function parseRefAction(p: Parser): RefAction {
  if (p.acceptWords('SET', 'NULL')) return 'SET NULL';
  if (p.acceptWords('SET', 'DEFAULT')) return 'SET DEFAULT';
  if (p.acceptWords('NO', 'ACTION')) return 'NO ACTION';
  return p.expectOneOf('CASCADE', 'RESTRICT') as RefAction;
}

function parseReferences(p: Parser): ForeignKeyRef {
  p.expectWord('REFERENCES');
  const ref: ForeignKeyRef = { table: p.qname() };
  if (p.isOp('(')) ref.columns = p.parenList(() => p.ident());
  if (p.acceptWord('MATCH')) ref.match = p.expectOneOf('FULL', 'PARTIAL', 'SIMPLE') as ForeignKeyRef['match'];
  for (;;) {
    if (!ref.onDelete && p.acceptWords('ON', 'DELETE')) ref.onDelete = parseRefAction(p);
    else if (!ref.onUpdate && p.acceptWords('ON', 'UPDATE')) ref.onUpdate = parseRefAction(p);
    else break;
  }
  return ref;
}

/** DEFERRABLE / NOT DEFERRABLE / INITIALLY DEFERRED|IMMEDIATE. */
function parseDeferral(p: Parser, target: Deferral): boolean {
  if (p.acceptWord('DEFERRABLE')) target.deferrable = true;
  else if (p.acceptWords('NOT', 'DEFERRABLE')) target.deferrable = false;
  else if (p.acceptWord('INITIALLY')) target.initially = p.expectOneOf('DEFERRED', 'IMMEDIATE') as 'DEFERRED';
  else return false;
  return true;
}

function parseParenExpr(p: Parser) {
  p.expectOp('(');
  const e = parseExpr(p);
  p.expectOp(')');
  return e;
}

function parseClustered(p: Parser): 'CLUSTERED' | 'NONCLUSTERED' | undefined {
  return (p.acceptOneOf('CLUSTERED', 'NONCLUSTERED') ?? undefined) as 'CLUSTERED' | 'NONCLUSTERED' | undefined;
}

function parseOneColumnConstraint(p: Parser): ColumnConstraint | null {
  if (p.acceptWords('NOT', 'NULL')) return { type: 'not_null' };
  if (p.acceptWord('NULL')) return { type: 'null' };
  if (p.acceptWord('DEFAULT')) return { type: 'default', expr: parseExpr(p) };
  if (p.acceptWord('PRIMARY')) {
    p.expectWord('KEY');
    const c: ColumnConstraint = { type: 'primary_key' };
    const dir = p.acceptOneOf('ASC', 'DESC');
    if (dir) c.dir = dir as 'ASC' | 'DESC';
    const cl = parseClustered(p);
    if (cl) c.clustered = cl;
    return c;
  }
  if (p.acceptWord('UNIQUE')) {
    const c: ColumnConstraint = { type: 'unique' };
    if (p.d.supportsInlineIndexes() && p.acceptWord('KEY')) c.key = true;
    const cl = parseClustered(p);
    if (cl) c.clustered = cl;
    if (p.acceptWords('NULLS', 'DISTINCT')) c.nullsDistinct = true;
    else if (p.acceptWords('NULLS', 'NOT', 'DISTINCT')) c.nullsDistinct = false;
    return c;
  }
  if (p.isWord('CHECK') && p.isOp('(', 1)) {
    p.next();
    const c: ColumnConstraint = { type: 'check', expr: parseParenExpr(p) };
    if (p.acceptWords('NO', 'INHERIT')) c.noInherit = true;
    return c;
  }
  if (p.isWord('REFERENCES')) return { type: 'references', ref: parseReferences(p) };
  if (p.isWord('GENERATED')) {
    p.next();
    let always = true;
    if (p.acceptWords('BY', 'DEFAULT')) always = false;
    else p.expectWord('ALWAYS');
    p.expectWord('AS');
    if (p.acceptWord('IDENTITY')) {
      const c: ColumnConstraint = { type: 'identity', syntax: 'generated', always };
      if (p.isOp('(')) {
        p.next();
        c.options = parseSequenceOptions(p);
        p.expectOp(')');
      }
      return c;
    }
    const c: ColumnConstraint = { type: 'generated', syntax: 'generated', expr: parseParenExpr(p) };
    const st = p.acceptOneOf('STORED', 'VIRTUAL');
    if (st) c.storage = st as 'STORED';
    return c;
  }
  if (p.isWord('AS') && p.isOp('(', 1)) {
    p.next();
    const c: ColumnConstraint = { type: 'generated', syntax: 'as', expr: parseParenExpr(p) };
    const st = p.acceptOneOf('STORED', 'VIRTUAL', 'PERSISTED');
    if (st) c.storage = st as 'STORED';
    return c;
  }
  if (p.isWord('COMPUTED')) {
    p.next();
    p.acceptWord('BY');
    return { type: 'generated', syntax: 'computed_by', expr: parseParenExpr(p) };
  }
  if (p.isWord('IDENTITY') && p.d.supportsIdentityProperty()) {
    p.next();
    const c: ColumnConstraint = { type: 'identity', syntax: 'identity' };
    if (p.isOp('(')) {
      p.next();
      c.seed = parseExpr(p);
      p.expectOp(',');
      c.increment = parseExpr(p);
      p.expectOp(')');
    }
    return c;
  }
  if (p.isWord('AUTO_INCREMENT')) {
    p.next();
    return { type: 'identity', syntax: 'auto_increment' };
  }
  if (p.isWord('COLLATE')) {
    p.next();
    const collation = [p.identAny()];
    while (p.acceptOp('.')) collation.push(p.identAny());
    return { type: 'collate', collation };
  }
  if (p.isWords('ON', 'UPDATE')) {
    p.next();
    p.next();
    return { type: 'on_update', expr: parseExpr(p) };
  }
  if (p.isWord('COMMENT') && p.peek(1).type === 'string') {
    p.next();
    const t = p.next();
    return { type: 'comment', text: { kind: 'string', value: t.value, loc: { start: t.start, end: t.end } } };
  }
  return null;
}

export function parseColumnConstraints(p: Parser): ColumnConstraint[] {
  const out: ColumnConstraint[] = [];
  for (;;) {
    if (out.length > 0 && parseDeferral(p, out[out.length - 1])) continue;
    let name;
    if (p.acceptWord('CONSTRAINT')) name = p.ident();
    const c = parseOneColumnConstraint(p);
    if (!c) {
      if (name) p.error();
      return out;
    }
    if (name) c.name = name;
    out.push(c);
  }
}

const column_def_stop = new Set(['CONSTRAINT', 'NOT', 'NULL', 'DEFAULT', 'PRIMARY', 'UNIQUE', 'CHECK', 'REFERENCES', 'GENERATED', 'COMPUTED', 'COLLATE']);

/** The token after each column's name, where PG reports a column that lacks its type. */
const after_name = new WeakMap<ColumnDef, Token>();

export function parseColumnDef(p: Parser): ColumnDef {
  const start = p.tok;
  const col: ColumnDef = { kind: 'column_def', name: p.ident(), constraints: [] };
  const t = p.tok;
  const typeless =
    (t.type === 'op' && (t.value === ',' || t.value === ')')) ||
    p.atStatementEnd() ||
    (t.type === 'word' && (column_def_stop.has(t.upper) || (t.upper === 'AS' && p.d.supportsTypelessComputedColumns())));
  after_name.set(col, t);
  if (!typeless) col.type = parseTypeName(p);
  if (p.d.supportsTypelessComputedColumns() && !col.type && p.isWord('AS') && !p.isOp('(', 1)) {
    // T-SQL computed column without parentheses: c AS a + b [PERSISTED]
    p.next();
    const c: ColumnConstraint = { type: 'generated', syntax: 'as', expr: parseExpr(p) };
    if (p.acceptWord('PERSISTED')) c.storage = 'PERSISTED';
    col.constraints.push(c);
  }
  col.constraints.push(...parseColumnConstraints(p));
  col.loc = p.loc(start);
  return col;
}

const table_constraint_start = ['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN'];
const inline_index_start = ['INDEX', 'KEY', 'FULLTEXT', 'SPATIAL'];

export function isTableConstraintStart(p: Parser): boolean {
  return p.isAnyWord(table_constraint_start) || (p.d.supportsInlineIndexes() && p.isAnyWord(inline_index_start));
}

function parseKeyColumns(p: Parser): IndexElem[] {
  return p.parenList(() => parseIndexElem(p));
}

export function parseTableConstraint(p: Parser): TableConstraint {
  const start = p.tok;
  const c: TableConstraint = { kind: 'table_constraint', type: 'check' };
  if (p.acceptWord('CONSTRAINT')) c.name = p.ident();
  const inline = p.d.supportsInlineIndexes();
  if (p.acceptWords('PRIMARY', 'KEY')) {
    c.type = 'primary_key';
    const cl = parseClustered(p);
    if (cl) c.clustered = cl;
    if (inline && p.acceptWord('USING')) c.using = p.ident();
    c.columns = parseKeyColumns(p);
  } else if (p.acceptWord('UNIQUE')) {
    c.type = 'unique';
    if (inline) {
      const k = p.acceptOneOf('KEY', 'INDEX');
      if (k) c.keyword = k as 'KEY' | 'INDEX';
      if (p.isIdent() && !p.isWord('USING')) c.indexName = p.ident();
    }
    const cl = parseClustered(p);
    if (cl) c.clustered = cl;
    if (p.acceptWords('NULLS', 'DISTINCT')) c.nullsDistinct = true;
    else if (p.acceptWords('NULLS', 'NOT', 'DISTINCT')) c.nullsDistinct = false;
    c.columns = parseKeyColumns(p);
  } else if (p.acceptWord('CHECK')) {
    c.type = 'check';
    c.expr = parseParenExpr(p);
    if (p.acceptWords('NO', 'INHERIT')) c.noInherit = true;
  } else if (p.acceptWords('FOREIGN', 'KEY')) {
    c.type = 'foreign_key';
    if (inline && p.isIdent()) c.indexName = p.ident();
    c.fkColumns = p.parenList(() => p.ident());
    c.ref = parseReferences(p);
  } else if (c.name && p.d.supportsDefaultConstraintFor() && p.acceptWord('DEFAULT')) {
    c.type = 'default';
    c.expr = parseExpr(p);
    p.expectWord('FOR');
    c.forColumn = p.ident();
  } else if (inline && p.isAnyWord(inline_index_start)) {
    const w = p.next().upper;
    if (w === 'FULLTEXT' || w === 'SPATIAL') {
      c.type = w === 'FULLTEXT' ? 'fulltext' : 'spatial';
      const k = p.acceptOneOf('KEY', 'INDEX');
      if (k) c.keyword = k as 'KEY' | 'INDEX';
    } else {
      c.type = 'index';
      c.keyword = w as 'KEY' | 'INDEX';
    }
    if (p.isIdent() && !p.isWord('USING')) c.indexName = p.ident();
    if (p.acceptWord('USING')) c.using = p.ident();
    c.columns = parseKeyColumns(p);
  } else return p.error();
  if (p.acceptWord('INCLUDE')) c.include = p.parenList(() => p.ident());
  if (inline && !c.using && c.columns && p.acceptWord('USING')) c.using = p.ident();
  while (parseDeferral(p, c));
  if (p.acceptWords('NOT', 'VALID')) c.notValid = true;
  c.loc = p.loc(start);
  return c;
}

export function parseTableElement(p: Parser): TableElement {
  if (isTableConstraintStart(p)) return parseTableConstraint(p);
  if (p.isWord('LIKE')) {
    p.next();
    const like: TableElement = { kind: 'like_table', table: p.qname() };
    const opts: string[] = [];
    while (p.isWord('INCLUDING') || p.isWord('EXCLUDING')) {
      const a = p.next().upper;
      const t = p.tok;
      if (t.type !== 'word') p.error();
      p.next();
      opts.push(`${a} ${t.upper}`);
    }
    if (opts.length) like.options = opts;
    return like;
  }
  return parseColumnDef(p);
}

const mysql_table_option_words = new Set([
  'ENGINE',
  'AUTO_INCREMENT',
  'CHARSET',
  'CHARACTER',
  'COLLATE',
  'COMMENT',
  'ROW_FORMAT',
  'KEY_BLOCK_SIZE',
  'AVG_ROW_LENGTH',
  'MAX_ROWS',
  'MIN_ROWS',
  'PACK_KEYS',
  'CHECKSUM',
  'DELAY_KEY_WRITE',
  'STATS_PERSISTENT',
  'STATS_AUTO_RECALC',
  'COMPRESSION',
  'ENCRYPTION',
  'DEFAULT',
]);

/** MY table options: ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=… AUTO_INCREMENT=… COMMENT='…'. */
export function parseMysqlTableOptions(p: Parser): SqlOption[] {
  const out: SqlOption[] = [];
  for (;;) {
    if (out.length > 0 && p.isOp(',') && p.isAnyWord(mysql_table_option_words, 1)) p.next();
    if (!p.isAnyWord(mysql_table_option_words)) break;
    let name = '';
    if (p.acceptWord('DEFAULT')) name = 'DEFAULT ';
    if (p.acceptWords('CHARACTER', 'SET')) name += 'CHARACTER SET';
    else {
      const t = p.tok;
      if (t.type !== 'word' || !mysql_table_option_words.has(t.upper) || t.upper === 'DEFAULT') p.error();
      p.next();
      name += t.upper;
    }
    const opt: SqlOption = { name };
    if (p.acceptOp('=')) opt.eq = true;
    opt.value = parseOptionValue(p);
    out.push(opt);
  }
  return out;
}

export function parseCreateTable(p: Parser, start: Token, verb: CreateVerb, temporary: string | null, unlogged: boolean): CreateTable {
  const d = p.d;
  p.expectWord('TABLE');
  const ct: CreateTable = { kind: 'create_table', verb, name: [], elements: [] };
  if (temporary) ct.temporary = temporary as CreateTable['temporary'];
  if (unlogged) ct.unlogged = true;
  if (p.acceptWords('IF', 'NOT', 'EXISTS')) ct.ifNotExists = true;
  ct.name = p.qname();
  const hasElements = p.isOp('(');
  if (hasElements) {
    p.next();
    if (!p.isOp(')')) ct.elements = p.list(() => parseTableElement(p));
    p.expectOp(')');
  }
  if (p.acceptWord('INHERITS')) ct.inherits = p.parenList(() => p.qname());
  if (p.isWords('PARTITION', 'BY')) {
    p.next();
    p.next();
    const t = p.tok;
    if (t.type !== 'word') p.error();
    p.next();
    ct.partitionBy = { method: t.upper, columns: p.parenList(() => parseIndexElem(p)) };
  }
  if (p.isWord('WITH') && p.isOp('(', 1)) {
    p.next();
    ct.with = parseWithOptions(p);
  }
  if (p.acceptWords('ON', 'COMMIT')) {
    if (p.acceptWords('PRESERVE', 'ROWS')) ct.onCommit = 'PRESERVE ROWS';
    else if (p.acceptWords('DELETE', 'ROWS')) ct.onCommit = 'DELETE ROWS';
    else {
      p.expectWord('DROP');
      ct.onCommit = 'DROP';
    }
  }
  if (d.supportsMysqlTableOptions()) {
    const opts = parseMysqlTableOptions(p);
    if (opts.length) ct.options = opts;
  }
  if (p.acceptWord('AS')) {
    ct.asQuery = parseQuery(p);
    if (p.acceptWords('WITH', 'DATA')) ct.withData = true;
    else if (p.acceptWords('WITH', 'NO', 'DATA')) ct.withData = false;
  }
  if (!hasElements && !ct.asQuery) p.error();
  if (!ct.asQuery) {
    // Only CREATE TABLE … AS takes bare column names; elsewhere a column needs its type (or a computed form).
    // As in PG's grammar, a first bare name starts a name list: then anything but names is the error,
    // and after the list, a missing AS.
    const bare = (e: (typeof ct.elements)[number]) => e.kind === 'column_def' && !e.type && e.constraints.length === 0;
    const nameList = ct.elements.length > 0 && bare(ct.elements[0]!);
    for (const e of ct.elements) {
      if (e.kind !== 'column_def') {
        if (nameList) p.error(p.tok);
        continue;
      }
      if (nameList ? !bare(e) : !e.type && !e.constraints.some((c) => c.type === 'generated')) p.error(after_name.get(e));
    }
    if (nameList) p.error();
  }
  ct.loc = p.loc(start);
  return ct;
}
