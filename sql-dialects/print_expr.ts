// Printing of identifiers, literals, types and expressions in a dialect's own
// surface syntax. Parenthesized groupings are explicit `nested` nodes in the
// AST, so the printer adds no parentheses of its own and parse(print(x))
// gives back x.

import type {
  Expr,
  FuncCall,
  Ident,
  OrderItem,
  QName,
  StringLit,
  TypeName,
  WindowFrame,
  FrameBound,
  WindowSpec,
} from './ast.ts';
import type { Dialect } from './dialect.ts';
import { printQuery } from './print_query.ts';

export function printIdent(id: Ident, d: Dialect): string {
  if (!id.quoted) return id.value;
  const q = d.identifierQuotes[0] ?? { open: '"', close: '"' };
  return q.open + id.value.split(q.close).join(q.close + q.close) + q.close;
}

export function printQName(name: QName, d: Dialect): string {
  return name.map((p) => printIdent(p, d)).join('.');
}

/** A standard '…' string in this dialect (backslashes escaped where they are escapes). */
export function printStandardString(value: string, d: Dialect): string {
  let body = value;
  if (d.supportsBackslashEscapes()) body = body.replace(/\\/g, '\\\\').replace(/\0/g, '\\0');
  return `'${body.replace(/'/g, "''")}'`;
}

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

function printEscapeString(value: string): string {
  let out = "E'";
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c === 0x7f) out += '\\x' + hex2(c);
    else out += ch;
  }
  return out + "'";
}

function printUnicodeString(value: string): string {
  let out = "U&'";
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "''";
    else if (c < 0x20 || c === 0x7f) out += '\\' + c.toString(16).toUpperCase().padStart(4, '0');
    else out += ch;
  }
  return out + "'";
}

const q_pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}', '<': '>' };

export function printString(s: StringLit, d: Dialect): string {
  const prefix = s.charset && d.supportsCharsetIntroducers() ? '_' + s.charset : '';
  switch (s.style) {
    case 'E':
      if (d.supportsEscapeStrings()) return printEscapeString(s.value);
      break;
    case 'U&':
      if (d.supportsUnicodeEscapeStrings()) return printUnicodeString(s.value);
      break;
    case 'N':
      if (d.supportsNationalStrings()) return 'N' + printStandardString(s.value, d);
      break;
    case '$':
      if (d.supportsDollarQuotedStrings()) {
        const tag = s.tag ?? '';
        if (!s.value.includes('$' + tag + '$')) return `$${tag}$${s.value}$${tag}$`;
      }
      break;
    case 'Q':
      if (d.supportsQQuotedStrings()) {
        const open = s.tag ?? '{';
        const close = q_pairs[open] ?? open;
        if (!s.value.includes(close + "'")) return `Q'${open}${s.value}${close}'`;
      }
      break;
    case '"':
      if (d.supportsDoubleQuotedStrings()) {
        let body = s.value.split('"').join('""');
        if (d.supportsBackslashEscapes()) body = body.split('\\').join('\\\\').replace(/\0/g, '\\0');
        return prefix + `"${body}"`;
      }
      break;
  }
  return prefix + printStandardString(s.value, d);
}

export function printType(t: TypeName, d: Dialect): string {
  let s = t.setof ? 'SETOF ' : '';
  if (t.typeOf === 'TYPE OF' || t.typeOf === 'TYPE OF COLUMN') s += t.typeOf + ' ';
  s += printQName(t.name, d);
  if (t.intervalFields) {
    s += ' ' + t.intervalFields;
    if (t.fieldPrecision) s += `(${printExpr(t.fieldPrecision, d)})`;
  }
  if (t.args) s += `(${t.args.map((a) => printExpr(a, d)).join(', ')})`;
  if (t.timeZone) s += ` ${t.timeZone} TIME ZONE`;
  if (t.subType) s += ' SUB_TYPE ' + printExpr(t.subType, d);
  if (t.segmentSize) s += ' SEGMENT SIZE ' + printExpr(t.segmentSize, d);
  if (t.signed) s += ' ' + t.signed;
  if (t.zerofill) s += ' ZEROFILL';
  if (t.binary) s += ' BINARY';
  if (t.charset) s += ' CHARACTER SET ' + printIdent(t.charset, d);
  if (t.typeOf === '%TYPE' || t.typeOf === '%ROWTYPE') s += t.typeOf;
  if (t.arrayBounds) for (const b of t.arrayBounds) s += b === null ? '[]' : `[${b}]`;
  return s;
}

const op_chars = '~!@#^&|`?+-*/%<>=';

function printOperatorName(op: string, schema: Ident[] | undefined, d: Dialect): string {
  if (!schema) return op;
  return `OPERATOR(${schema.map((s) => printIdent(s, d) + '.').join('')}${op})`;
}

export function printExprList(list: Expr[], d: Dialect): string {
  return list.map((e) => printExpr(e, d)).join(', ');
}

export function printOrderBy(items: OrderItem[], d: Dialect): string {
  return 'ORDER BY ' + items.map((o) => printOrderItem(o, d)).join(', ');
}

function printOrderItem(o: OrderItem, d: Dialect): string {
  let s = printExpr(o.expr, d);
  if (o.dir) s += ' ' + o.dir;
  if (o.using) s += ' USING ' + o.using;
  if (o.nulls) s += ' NULLS ' + o.nulls;
  return s;
}

function printBound(b: FrameBound, d: Dialect): string {
  return b.offset ? `${printExpr(b.offset, d)} ${b.type}` : b.type;
}

function printFrame(f: WindowFrame, d: Dialect): string {
  let s = f.units + ' ';
  s += f.end ? `BETWEEN ${printBound(f.start, d)} AND ${printBound(f.end, d)}` : printBound(f.start, d);
  if (f.exclude) s += ' EXCLUDE ' + f.exclude;
  return s;
}

export function printWindowSpec(w: WindowSpec, d: Dialect): string {
  const parts: string[] = [];
  if (w.base) parts.push(printIdent(w.base, d));
  if (w.partitionBy) parts.push('PARTITION BY ' + printExprList(w.partitionBy, d));
  if (w.orderBy) parts.push(printOrderBy(w.orderBy, d));
  if (w.frame) parts.push(printFrame(w.frame, d));
  return `(${parts.join(' ')})`;
}

function printFunc(f: FuncCall, d: Dialect): string {
  if (f.syntax === 'overlaps') {
    const a = f.args.map((x) => printExpr(x, d));
    return `(${a[0]}, ${a[1]}) OVERLAPS (${a[2]}, ${a[3]})`;
  }
  let inner: string;
  if (f.star) inner = '*';
  else {
    const args = f.args.map((a, i) => (f.variadic && i === f.args.length - 1 ? 'VARIADIC ' : '') + printExpr(a, d));
    inner = (f.quantifier ? f.quantifier + ' ' : '') + args.join(', ');
    if (f.orderBy) inner += ' ' + printOrderBy(f.orderBy, d);
    if (f.separator) inner += ' SEPARATOR ' + printExpr(f.separator, d);
  }
  let s = `${printQName(f.name, d)}(${inner})`;
  if (f.withinGroup) s += ` WITHIN GROUP (${printOrderBy(f.withinGroup, d)})`;
  if (f.filter) s += ` FILTER (WHERE ${printExpr(f.filter, d)})`;
  if (f.nullTreatment) s += ' ' + f.nullTreatment;
  if (f.over) s += ' OVER ' + (f.over.kind === 'window_ref' ? printIdent(f.over.name, d) : printWindowSpec(f.over, d));
  return s;
}

/** The operand of ANY/ALL or IN: a subquery prints inside the one pair of parentheses. */
function printParenOperand(e: Expr, d: Dialect): string {
  return e.kind === 'subquery' ? `(${printQuery(e.query, d)})` : `(${printExpr(e, d)})`;
}

export function printExpr(e: Expr, d: Dialect): string {
  switch (e.kind) {
    case 'number':
      return e.value;
    case 'string':
      return printString(e, d);
    case 'binary_string':
      return e.format === 'X' || e.format === 'B' ? `${e.format}'${e.value}'` : e.format + e.value;
    case 'boolean':
      return e.value ? 'TRUE' : 'FALSE';
    case 'null':
      return 'NULL';
    case 'default':
      return 'DEFAULT';
    case 'typed_literal':
      return `${printType(e.type, d)} ${printStandardString(e.value, d)}`;
    case 'interval': {
      let s = 'INTERVAL ' + printExpr(e.value, d);
      if (e.fields) s += ' ' + e.fields;
      if (e.fieldPrecision) s += `(${printExpr(e.fieldPrecision, d)})`;
      return s;
    }
    case 'column':
      return printQName(e.name, d);
    case 'star':
      return e.qualifier ? printQName(e.qualifier, d) + '.*' : '*';
    case 'param':
      if (e.style === '$') return '$' + e.index;
      if (e.style === '?') return '?';
      return ':' + (/^[A-Za-z_][A-Za-z0-9_$]*$/.test(e.name ?? '') ? e.name : `"${(e.name ?? '').split('"').join('""')}"`);
    case 'variable': {
      const name = e.quoted ? '`' + e.name.split('`').join('``') + '`' : e.name;
      return e.sigil + (e.scope ? e.scope + '.' : '') + name;
    }
    case 'unary': {
      const operand = printExpr(e.operand, d);
      if (e.operatorSchema) return `${printOperatorName(e.op, e.operatorSchema, d)} ${operand}`;
      if (/^[A-Z]/.test(e.op)) return `${e.op} ${operand}`;
      return e.op + (op_chars.includes(operand[0]) ? ' ' : '') + operand;
    }
    case 'binary':
      return `${printExpr(e.left, d)} ${printOperatorName(e.op, e.operatorSchema, d)} ${printExpr(e.right, d)}`;
    case 'like': {
      let s = `${printExpr(e.expr, d)}${e.negated ? ' NOT' : ''} ${e.op} `;
      s += e.quantifier ? `${e.quantifier} ${printParenOperand(e.pattern, d)}` : printExpr(e.pattern, d);
      if (e.escape) s += ' ESCAPE ' + printExpr(e.escape, d);
      return s;
    }
    case 'between':
      return `${printExpr(e.expr, d)}${e.negated ? ' NOT' : ''} BETWEEN ${e.symmetric ? e.symmetric + ' ' : ''}${printExpr(e.low, d)} AND ${printExpr(e.high, d)}`;
    case 'in':
      return `${printExpr(e.expr, d)}${e.negated ? ' NOT' : ''} IN (${e.query ? printQuery(e.query, d) : printExprList(e.list ?? [], d)})`;
    case 'is':
      return `${printExpr(e.expr, d)} IS ${e.negated ? 'NOT ' : ''}${e.test}${e.right ? ' ' + printExpr(e.right, d) : ''}`;
    case 'exists':
      return `EXISTS (${printQuery(e.query, d)})`;
    case 'subquery':
      return `(${printQuery(e.query, d)})`;
    case 'quantified':
      return `${printExpr(e.left, d)} ${printOperatorName(e.op, e.operatorSchema, d)} ${e.quantifier} ${printParenOperand(e.right, d)}`;
    case 'cast': {
      const x = printExpr(e.expr, d);
      const t = printType(e.type, d);
      if (e.syntax === '::' && d.supportsDoubleColonCast()) return `${x}::${t}`;
      if (e.syntax === 'try_cast' && d.supportsTryCast()) return `TRY_CAST(${x} AS ${t})`;
      if (e.syntax === 'convert' && d.convertStyle() === 'type_first') return `CONVERT(${t}, ${x}${e.style ? ', ' + printExpr(e.style, d) : ''})`;
      if (e.syntax === 'convert' && d.convertStyle() === 'expr_first') return `CONVERT(${x}, ${t})`;
      return `CAST(${x} AS ${t})`;
    }
    case 'convert_using':
      return `CONVERT(${printExpr(e.expr, d)} USING ${printIdent(e.charset, d)})`;
    case 'collate':
      return `${printExpr(e.expr, d)} COLLATE ${printQName(e.collation, d)}`;
    case 'at_time_zone':
      return e.zone ? `${printExpr(e.expr, d)} AT TIME ZONE ${printExpr(e.zone, d)}` : `${printExpr(e.expr, d)} AT LOCAL`;
    case 'case': {
      let s = 'CASE';
      if (e.operand) s += ' ' + printExpr(e.operand, d);
      for (const w of e.whens) s += ` WHEN ${printExpr(w.when, d)} THEN ${printExpr(w.then, d)}`;
      if (e.else) s += ' ELSE ' + printExpr(e.else, d);
      return s + ' END';
    }
    case 'func':
      return printFunc(e, d);
    case 'named_arg':
      return `${printIdent(e.name, d)} ${e.syntax} ${printExpr(e.value, d)}`;
    case 'extract':
      return `EXTRACT(${e.fieldQuoted ? printStandardString(e.field, d) : e.field} FROM ${printExpr(e.source, d)})`;
    case 'substring': {
      let s = 'SUBSTRING(' + printExpr(e.expr, d);
      if (e.similar) s += ` SIMILAR ${printExpr(e.similar, d)} ESCAPE ${printExpr(e.escape!, d)}`;
      if (e.from) s += ' FROM ' + printExpr(e.from, d);
      if (e.for) s += ' FOR ' + printExpr(e.for, d);
      return s + ')';
    }
    case 'position':
      return `POSITION(${printExpr(e.needle, d)} IN ${printExpr(e.haystack, d)})`;
    case 'trim': {
      const src = printExpr(e.source, d);
      if (!e.spec && !e.chars) return `TRIM(${src})`;
      return `TRIM(${e.spec ? e.spec + ' ' : ''}${e.chars ? printExpr(e.chars, d) + ' ' : ''}FROM ${src})`;
    }
    case 'overlay':
      return `OVERLAY(${printExpr(e.expr, d)} PLACING ${printExpr(e.placing, d)} FROM ${printExpr(e.from, d)}${e.for ? ' FOR ' + printExpr(e.for, d) : ''})`;
    case 'sql_value':
      return e.name + (e.precision ? `(${printExpr(e.precision, d)})` : '');
    case 'array':
      return (e.keyword ? 'ARRAY' : '') + `[${printExprList(e.elements, d)}]`;
    case 'array_subquery':
      return `ARRAY(${printQuery(e.query, d)})`;
    case 'subscript':
      return `${printExpr(e.expr, d)}[${e.index ? printExpr(e.index, d) : ''}${e.slice ? ':' + (e.upper ? printExpr(e.upper, d) : '') : ''}]`;
    case 'field':
      return `${printExpr(e.expr, d)}.${e.field === '*' ? '*' : printIdent(e.field, d)}`;
    case 'row':
      return (e.keyword ? 'ROW' : '') + `(${printExprList(e.items, d)})`;
    case 'nested':
      return `(${printExpr(e.expr, d)})`;
    case 'grouping_set':
      return e.type === 'EMPTY' ? '()' : `${e.type}(${printExprList(e.items, d)})`;
    case 'next_value':
      return 'NEXT VALUE FOR ' + printQName(e.sequence, d);
    case 'assign':
      return `${printExpr(e.target, d)} ${e.op} ${printExpr(e.value, d)}`;
  }
}
