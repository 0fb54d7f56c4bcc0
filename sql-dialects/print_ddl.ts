// Printing of schema statements (CREATE/ALTER/DROP …, GRANT, COMMENT ON,
// CREATE FUNCTION, TRUNCATE).

import type {
  AlterColumnChange,
  AlterTableAction,
  ColumnConstraint,
  ColumnDef,
  ColumnPosition,
  Deferral,
  ForeignKeyRef,
  FuncParam,
  RoleName,
  SqlOption,
  Statement,
  TableConstraint,
  TableElement,
} from './ast.ts';
import type { IndexElem } from './ast_dml.ts';
import type { Dialect } from './dialect.ts';
import { printExpr, printExprList, printIdent, printQName, printString, printType } from './print_expr.ts';
import { printQuery } from './print_query.ts';
import { printCreateTrigger } from './print_proc.ts';
import { printStatement } from './printer.ts';

export function printIndexElem(e: IndexElem, d: Dialect): string {
  let s = printExpr(e.expr, d);
  if (e.opclass) s += ' ' + printQName(e.opclass, d);
  if (e.dir) s += ' ' + e.dir;
  if (e.nulls) s += ' NULLS ' + e.nulls;
  return s;
}

export function printOption(o: SqlOption, d: Dialect, eq = ' = '): string {
  if (!o.value) return o.name;
  return o.name + (o.eq ? eq : ' ') + printExpr(o.value, d);
}

function printOptions(list: SqlOption[], d: Dialect, sep = ' '): string {
  return list.map((o) => printOption(o, d)).join(sep);
}

function identList(list: { value: string; quoted: boolean }[], d: Dialect): string {
  return list.map((i) => printIdent(i, d)).join(', ');
}

export function printFuncParam(p: FuncParam, d: Dialect): string {
  let s = p.mode ? p.mode + ' ' : '';
  if (p.name) s += (p.sigil ?? '') + printIdent(p.name, d) + ' ';
  s += printType(p.type, d);
  if (p.notNull) s += ' NOT NULL';
  if (p.collate) s += ' COLLATE ' + printQName(p.collate, d);
  if (p.default) s += (p.defaultSyntax === '=' ? ' = ' : ' DEFAULT ') + printExpr(p.default, d);
  if (p.output) s += ' ' + p.output;
  if (p.readonly) s += ' READONLY';
  return s;
}

export function printRoleName(r: RoleName, d: Dialect): string {
  let s = printIdent(r.name, d);
  if (r.host) s += '@' + (r.host.quoted ? printIdent(r.host, d) : r.host.value);
  return s;
}

function printDeferral(c: Deferral): string {
  let s = '';
  if (c.deferrable === true) s += ' DEFERRABLE';
  if (c.deferrable === false) s += ' NOT DEFERRABLE';
  if (c.initially) s += ' INITIALLY ' + c.initially;
  return s;
}

function printRef(r: ForeignKeyRef, d: Dialect): string {
  let s = 'REFERENCES ' + printQName(r.table, d);
  if (r.columns) s += ` (${identList(r.columns, d)})`;
  if (r.match) s += ' MATCH ' + r.match;
  if (r.onDelete) s += ' ON DELETE ' + r.onDelete;
  if (r.onUpdate) s += ' ON UPDATE ' + r.onUpdate;
  return s;
}

function printColumnConstraint(c: ColumnConstraint, d: Dialect): string {
  let s = c.name ? `CONSTRAINT ${printIdent(c.name, d)} ` : '';
  switch (c.type) {
    case 'not_null':
      s += 'NOT NULL';
      break;
    case 'null':
      s += 'NULL';
      break;
    case 'default':
      s += 'DEFAULT ' + printExpr(c.expr, d);
      break;
    case 'primary_key':
      s += 'PRIMARY KEY' + (c.dir ? ' ' + c.dir : '') + (c.clustered ? ' ' + c.clustered : '');
      break;
    case 'unique':
      s += 'UNIQUE' + (c.key ? ' KEY' : '') + (c.clustered ? ' ' + c.clustered : '');
      if (c.nullsDistinct === true) s += ' NULLS DISTINCT';
      if (c.nullsDistinct === false) s += ' NULLS NOT DISTINCT';
      break;
    case 'check':
      s += `CHECK (${printExpr(c.expr, d)})` + (c.noInherit ? ' NO INHERIT' : '');
      break;
    case 'references':
      s += printRef(c.ref, d);
      break;
    case 'identity':
      if (c.syntax === 'generated') {
        s += `GENERATED ${c.always ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY`;
        if (c.options) s += ` (${printOptions(c.options, d)})`;
      } else if (c.syntax === 'identity') {
        s += 'IDENTITY' + (c.seed && c.increment ? `(${printExpr(c.seed, d)}, ${printExpr(c.increment, d)})` : '');
      } else s += 'AUTO_INCREMENT';
      break;
    case 'generated':
      if (c.syntax === 'generated') s += `GENERATED ALWAYS AS (${printExpr(c.expr, d)})`;
      else if (c.syntax === 'computed_by') s += `COMPUTED BY (${printExpr(c.expr, d)})`;
      else s += `AS (${printExpr(c.expr, d)})`;
      if (c.storage) s += ' ' + c.storage;
      break;
    case 'collate':
      s += 'COLLATE ' + printQName(c.collation, d);
      break;
    case 'on_update':
      s += 'ON UPDATE ' + printExpr(c.expr, d);
      break;
    case 'comment':
      s += 'COMMENT ' + printString(c.text, d);
      break;
  }
  return s + printDeferral(c);
}

export function printColumnDef(c: ColumnDef, d: Dialect): string {
  let s = printIdent(c.name, d);
  if (c.type) s += ' ' + printType(c.type, d);
  for (const k of c.constraints) s += ' ' + printColumnConstraint(k, d);
  return s;
}

function printKeyColumns(cols: IndexElem[] | undefined, d: Dialect): string {
  return ` (${(cols ?? []).map((e) => printIndexElem(e, d)).join(', ')})`;
}

export function printTableConstraint(c: TableConstraint, d: Dialect): string {
  let s = c.name ? `CONSTRAINT ${printIdent(c.name, d)} ` : '';
  switch (c.type) {
    case 'primary_key':
      s += 'PRIMARY KEY' + (c.clustered ? ' ' + c.clustered : '') + (c.using ? ' USING ' + printIdent(c.using, d) : '') + printKeyColumns(c.columns, d);
      break;
    case 'unique':
      s += 'UNIQUE' + (c.keyword ? ' ' + c.keyword : '') + (c.indexName ? ' ' + printIdent(c.indexName, d) : '');
      s += c.clustered ? ' ' + c.clustered : '';
      if (c.nullsDistinct === true) s += ' NULLS DISTINCT';
      if (c.nullsDistinct === false) s += ' NULLS NOT DISTINCT';
      s += printKeyColumns(c.columns, d);
      break;
    case 'check':
      s += `CHECK (${printExpr(c.expr!, d)})` + (c.noInherit ? ' NO INHERIT' : '');
      break;
    case 'default':
      s += `DEFAULT ${printExpr(c.expr!, d)} FOR ${printIdent(c.forColumn!, d)}`;
      break;
    case 'foreign_key':
      s += 'FOREIGN KEY' + (c.indexName ? ' ' + printIdent(c.indexName, d) : '') + ` (${identList(c.fkColumns ?? [], d)}) ` + printRef(c.ref!, d);
      break;
    default:
      s += c.type === 'index' ? c.keyword ?? 'INDEX' : c.type.toUpperCase() + (c.keyword ? ' ' + c.keyword : '');
      if (c.indexName) s += ' ' + printIdent(c.indexName, d);
      if (c.using) s += ' USING ' + printIdent(c.using, d);
      s += printKeyColumns(c.columns, d);
  }
  if (c.include) s += ` INCLUDE (${identList(c.include, d)})`;
  s += printDeferral(c);
  if (c.notValid) s += ' NOT VALID';
  return s;
}

function printTableElement(e: TableElement, d: Dialect): string {
  if (e.kind === 'column_def') return printColumnDef(e, d);
  if (e.kind === 'table_constraint') return printTableConstraint(e, d);
  return 'LIKE ' + printQName(e.table, d) + (e.options ? ' ' + e.options.join(' ') : '');
}

function printPosition(p: ColumnPosition | undefined, d: Dialect): string {
  if (!p) return '';
  return 'first' in p ? ' FIRST' : ' AFTER ' + printIdent(p.after, d);
}

function printColumnChange(c: AlterColumnChange, d: Dialect): string {
  switch (c.type) {
    case 'set_type': {
      let s = (c.syntax === 'bare' ? '' : c.syntax + ' ') + printType(c.dataType, d);
      if (c.collate) s += ' COLLATE ' + printQName(c.collate, d);
      if (c.using) s += ' USING ' + printExpr(c.using, d);
      if (c.nullability) s += ' ' + c.nullability;
      return s;
    }
    case 'set_default':
      return 'SET DEFAULT ' + printExpr(c.expr, d);
    case 'drop_default':
      return 'DROP DEFAULT';
    case 'set_not_null':
      return 'SET NOT NULL';
    case 'drop_not_null':
      return 'DROP NOT NULL';
    case 'rename_to':
      return 'TO ' + printIdent(c.name, d);
    case 'position':
      return 'POSITION ' + printExpr(c.position, d);
    case 'restart':
      return 'RESTART' + (c.value ? ' WITH ' + printExpr(c.value, d) : '');
    case 'add_identity':
      return `ADD GENERATED ${c.always ? 'ALWAYS' : 'BY DEFAULT'} AS IDENTITY` + (c.options ? ` (${printOptions(c.options, d)})` : '');
    case 'set_generated':
      return `SET GENERATED ${c.always ? 'ALWAYS' : 'BY DEFAULT'}`;
    case 'drop_identity':
      return 'DROP IDENTITY' + (c.ifExists ? ' IF EXISTS' : '');
  }
}

function printAlterAction(a: AlterTableAction, d: Dialect): string {
  const col = (k: boolean | undefined) => (k ? 'COLUMN ' : '');
  switch (a.action) {
    case 'add_column':
      return (a.continued ? '' : 'ADD ') + col(a.columnKeyword) + (a.ifNotExists ? 'IF NOT EXISTS ' : '') + printColumnDef(a.column, d) + printPosition(a.position, d);
    case 'drop_column':
      return 'DROP ' + col(a.columnKeyword) + (a.ifExists ? 'IF EXISTS ' : '') + printIdent(a.name, d) + (a.behavior ? ' ' + a.behavior : '');
    case 'rename_column':
      return `RENAME ${col(a.columnKeyword)}${printIdent(a.from, d)} TO ${printIdent(a.to, d)}`;
    case 'rename_table':
      return `RENAME ${a.toKeyword ?? 'TO'} ${printQName(a.to, d)}`;
    case 'alter_column':
      return `ALTER ${col(a.columnKeyword)}${printIdent(a.name, d)} ${printColumnChange(a.change, d)}`;
    case 'add_constraint':
      return 'ADD ' + printTableConstraint(a.constraint, d);
    case 'drop_constraint':
      return 'DROP CONSTRAINT ' + (a.ifExists ? 'IF EXISTS ' : '') + printIdent(a.name, d) + (a.behavior ? ' ' + a.behavior : '');
    case 'owner_to':
      return 'OWNER TO ' + printIdent(a.owner, d);
    case 'set_schema':
      return 'SET SCHEMA ' + printIdent(a.schema, d);
    case 'modify_column':
      return 'MODIFY ' + col(a.columnKeyword) + printColumnDef(a.column, d) + printPosition(a.position, d);
    case 'change_column':
      return `CHANGE ${col(a.columnKeyword)}${printIdent(a.from, d)} ${printColumnDef(a.column, d)}${printPosition(a.position, d)}`;
    case 'drop_index':
      return `DROP ${a.keyword} ${printIdent(a.name, d)}`;
    case 'drop_primary_key':
      return 'DROP PRIMARY KEY';
    case 'table_options':
      return printOptions(a.options, d);
  }
}

function printFuncOption(o: SqlOption, d: Dialect): string {
  const v = o.value;
  if (o.name === 'AS' && v) return 'AS ' + (v.kind === 'row' ? printExprList(v.items, d) : printExpr(v, d));
  if (o.name === 'SET' && v && v.kind === 'assign') {
    return `SET ${printExpr(v.target, d)}` + (v.op === 'FROM CURRENT' ? ' FROM CURRENT' : ` ${v.op} ${printExpr(v.value, d)}`);
  }
  return printOption(o, d);
}

function ifNotExists(b: boolean | undefined): string {
  return b ? ' IF NOT EXISTS' : '';
}

/** DDL statements; undefined for other kinds. */
export function printDdl(s: Statement, d: Dialect): string | undefined {
  switch (s.kind) {
    case 'create_table': {
      let out = s.verb + (s.temporary ? ' ' + s.temporary : '') + (s.unlogged ? ' UNLOGGED' : '') + ' TABLE' + ifNotExists(s.ifNotExists);
      out += ' ' + printQName(s.name, d);
      if (s.elements.length > 0 || !s.asQuery) out += ` (${s.elements.map((e) => printTableElement(e, d)).join(', ')})`;
      if (s.inherits) out += ` INHERITS (${s.inherits.map((n) => printQName(n, d)).join(', ')})`;
      if (s.partitionBy) out += ` PARTITION BY ${s.partitionBy.method}${printKeyColumns(s.partitionBy.columns, d)}`;
      if (s.with) out += ` WITH (${printOptions(s.with, d, ', ')})`;
      if (s.onCommit) out += ' ON COMMIT ' + s.onCommit;
      if (s.options) out += ' ' + printOptions(s.options, d);
      if (s.asQuery) {
        out += ' AS ' + printQuery(s.asQuery, d);
        if (s.withData === true) out += ' WITH DATA';
        if (s.withData === false) out += ' WITH NO DATA';
      }
      return out;
    }
    case 'alter_table':
      return `ALTER ${s.objectType ?? 'TABLE'}${s.ifExists ? ' IF EXISTS' : ''}${s.only ? ' ONLY' : ''} ${printQName(s.name, d)} ${s.actions.map((a) => printAlterAction(a, d)).join(', ')}`;
    case 'drop': {
      let out = 'DROP' + (s.temporary ? ' TEMPORARY' : '') + ' ' + s.objectType + (s.concurrently ? ' CONCURRENTLY' : '') + (s.ifExists ? ' IF EXISTS' : '');
      out += ' ' + s.names
        .map((n, i) => {
          const host = s.hosts?.[i];
          let x = host ? printRoleName({ name: n[0], host }, d) : printQName(n, d);
          const args = s.argLists?.[i];
          if (args) x += `(${args.map((p) => printFuncParam(p, d)).join(', ')})`;
          return x;
        })
        .join(', ');
      if (s.onTable) out += ' ON ' + printQName(s.onTable, d);
      if (s.behavior) out += ' ' + s.behavior;
      return out;
    }
    case 'create_index': {
      let out = s.verb + (s.unique ? ' UNIQUE' : '') + (s.clustered ? ' ' + s.clustered : '') + (s.indexType ? ' ' + s.indexType : '') + (s.direction ? ' ' + s.direction : '');
      out += ' INDEX' + (s.concurrently ? ' CONCURRENTLY' : '') + ifNotExists(s.ifNotExists);
      if (s.name) out += ' ' + printQName(s.name, d);
      out += ' ON ' + (s.only ? 'ONLY ' : '') + printQName(s.table, d);
      if (s.using) out += ' USING ' + printIdent(s.using, d);
      out += s.computedBy ? ` COMPUTED BY (${printExpr(s.computedBy, d)})` : printKeyColumns(s.columns, d);
      if (s.include) out += ` INCLUDE (${identList(s.include, d)})`;
      if (s.nullsDistinct === true) out += ' NULLS DISTINCT';
      if (s.nullsDistinct === false) out += ' NULLS NOT DISTINCT';
      if (s.with) out += ` WITH (${printOptions(s.with, d, ', ')})`;
      if (s.tablespace) out += ' TABLESPACE ' + printIdent(s.tablespace, d);
      if (s.where) out += ' WHERE ' + printExpr(s.where, d);
      return out;
    }
    case 'create_view': {
      let out = s.verb + (s.temporary ? ' ' + s.temporary : '');
      if (s.options) out += ' ' + printOptions(s.options, d);
      out += (s.materialized ? ' MATERIALIZED' : '') + (s.recursive ? ' RECURSIVE' : '') + ' VIEW' + ifNotExists(s.ifNotExists);
      out += ' ' + printQName(s.name, d);
      if (s.columns) out += ` (${identList(s.columns, d)})`;
      if (s.with) out += ` WITH (${printOptions(s.with, d, ', ')})`;
      out += ' AS ' + printQuery(s.query, d);
      if (s.checkOption) out += s.checkOption === 'PLAIN' ? ' WITH CHECK OPTION' : ` WITH ${s.checkOption} CHECK OPTION`;
      if (s.withData === true) out += ' WITH DATA';
      if (s.withData === false) out += ' WITH NO DATA';
      return out;
    }
    case 'create_schema':
      return 'CREATE SCHEMA' + ifNotExists(s.ifNotExists) + (s.name ? ' ' + printIdent(s.name, d) : '') + (s.authorization ? ' AUTHORIZATION ' + printIdent(s.authorization, d) : '') + (s.elements ?? []).map((e) => ' ' + printStatement(e, d)).join('');
    case 'create_database': {
      const name = 'kind' in s.name ? printString(s.name, d) : printIdent(s.name, d);
      let out = `CREATE ${s.keyword}${ifNotExists(s.ifNotExists)} ${name}`;
      if (s.withKeyword) out += ' WITH';
      if (s.options.length) out += ' ' + printOptions(s.options, d);
      return out;
    }
    case 'alter_database':
      return 'ALTER DATABASE' + (s.name ? ' ' + printIdent(s.name, d) : '') + ' ' + printOptions(s.options, d);
    case 'create_sequence':
      return `${s.verb}${s.temporary ? ' ' + s.temporary : ''} ${s.keyword}${ifNotExists(s.ifNotExists)} ${printQName(s.name, d)}${s.options.length ? ' ' + printOptions(s.options, d) : ''}`;
    case 'alter_sequence':
      return `ALTER SEQUENCE${s.ifExists ? ' IF EXISTS' : ''} ${printQName(s.name, d)} ${printOptions(s.options, d)}`;
    case 'create_role':
      return `CREATE ${s.keyword}${ifNotExists(s.ifNotExists)} ${printRoleName(s.name, d)}${s.withKeyword ? ' WITH' : ''}${s.options.length ? ' ' + printOptions(s.options, d) : ''}`;
    case 'alter_role': {
      let out = `ALTER ${s.keyword}${s.ifExists ? ' IF EXISTS' : ''} ${printRoleName(s.name, d)}`;
      if (s.renameTo) return out + ' RENAME TO ' + printIdent(s.renameTo, d);
      if (s.set) {
        if (s.set.reset) return out + ' RESET ' + printQName(s.set.name, d);
        return out + ` SET ${printQName(s.set.name, d)} TO ${printExprList(s.set.values ?? [], d)}`;
      }
      if (s.withKeyword) out += ' WITH';
      if (s.options.length) out += ' ' + printOptions(s.options, d);
      return out;
    }
    case 'grant':
    case 'revoke': {
      let out = s.kind.toUpperCase() + (s.grantOptionFor ? ' GRANT OPTION FOR' : '');
      if (s.privileges) {
        out += ' ' + s.privileges.map((p) => p.name + (p.columns ? ` (${identList(p.columns, d)})` : '')).join(', ');
        out += ' ON ' + (s.objectType ? s.objectType + ' ' : '');
        out += (s.objects ?? [])
          .map((o, i) => {
            const name = o.map((part) => (part.value === '*' && !part.quoted ? '*' : printIdent(part, d))).join('.');
            const args = s.objectArgs?.[i];
            return args ? `${name}(${args.map((p) => printFuncParam(p, d)).join(', ')})` : name;
          })
          .join(', ');
      } else out += ' ' + identList(s.roles ?? [], d);
      out += (s.kind === 'grant' ? ' TO ' : ' FROM ') + s.grantees.map((g) => printRoleName(g, d)).join(', ');
      if (s.withGrantOption) out += ' WITH GRANT OPTION';
      if (s.withAdminOption) out += ' WITH ADMIN OPTION';
      if (s.grantedBy) out += ' GRANTED BY ' + printIdent(s.grantedBy, d);
      if (s.behavior) out += ' ' + s.behavior;
      return out;
    }
    case 'comment_on': {
      let out = `COMMENT ON ${s.objectType} ${printQName(s.name, d)}`;
      if (s.argList) out += `(${s.argList.map((p) => printFuncParam(p, d)).join(', ')})`;
      if (s.onTable) out += ' ON ' + printQName(s.onTable, d);
      return out + ' IS ' + (s.comment.kind === 'string' ? printString(s.comment, d) : 'NULL');
    }
    case 'create_function': {
      let out = `${s.verb} ${s.objectType} ${printQName(s.name, d)}(${s.params.map((p) => printFuncParam(p, d)).join(', ')})`;
      if (s.returns) {
        out += ' RETURNS ' + ('type' in s.returns ? printType(s.returns.type, d) : `TABLE (${s.returns.table.map((c) => printIdent(c.name, d) + ' ' + printType(c.type, d)).join(', ')})`);
      }
      return out + ' ' + s.options.map((o) => printFuncOption(o, d)).join(' ');
    }
    case 'create_domain': {
      let out = `${s.verb} DOMAIN ${printQName(s.name, d)}${s.asKeyword ? ' AS' : ''} ${printType(s.type, d)}`;
      for (const c of s.constraints) out += ' ' + printColumnConstraint(c, d);
      return out;
    }
    case 'create_type':
      if (s.enumLabels) return `CREATE TYPE ${printQName(s.name, d)} AS ENUM (${s.enumLabels.map((l) => printString(l, d)).join(', ')})`;
      return `CREATE TYPE ${printQName(s.name, d)} AS (${(s.attributes ?? []).map((a) => `${printIdent(a.name, d)} ${printType(a.type, d)}`).join(', ')})`;
    case 'create_extension':
      return `CREATE EXTENSION${ifNotExists(s.ifNotExists)} ${printIdent(s.name, d)}${s.withKeyword ? ' WITH' : ''}${s.options.length ? ' ' + printOptions(s.options, d) : ''}`;
    case 'create_trigger':
      return printCreateTrigger(s, d);
    case 'truncate':
      return `TRUNCATE${s.tableKeyword ? ' TABLE' : ''}${s.only ? ' ONLY' : ''} ${s.tables.map((t) => printQName(t, d)).join(', ')}${s.identity ? ` ${s.identity} IDENTITY` : ''}${s.behavior ? ' ' + s.behavior : ''}`;
  }
  return undefined;
}
