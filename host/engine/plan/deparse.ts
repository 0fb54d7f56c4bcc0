// Expressions back to SQL-like text for EXPLAIN, in PostgreSQL's style:
// `(a > 5)`, `((a > 5) AND (b = 'x'::text))`, `lower(name)`.

import type { Catalog } from '../catalog/catalog.ts';
import { formatType } from '../types/type_names.ts';
import { formatText } from '../types/text_io.ts';
import type { ColInfo, Expr } from './nodes.ts';

export interface DeparseCx {
  cols: ColInfo[];
  catalog: Catalog;
  /** Qualify column names with their table (plans over several relations). */
  qualify: boolean;
}

const BARE = new Set(['int2', 'int4', 'int8', 'numeric', 'float8']);

function typeName(t: Expr['type']): string {
  try {
    return formatType(t);
  } catch {
    return t.id;
  }
}

export function constText(type: Expr['type'], value: unknown): string {
  if (value === null) return `NULL::${typeName(type)}`;
  if (type.id === 'bool') return value ? 'true' : 'false';
  let s: string;
  try {
    s = formatText(type, value);
  } catch {
    s = String(value);
  }
  if (BARE.has(type.id) && /^-?[\d.]+(e[+-]?\d+)?$/i.test(s)) return s.startsWith('-') ? `'${s}'::${typeName(type)}` : s;
  return `'${s.replace(/'/g, "''")}'::${typeName(type)}`;
}

export function colName(cx: DeparseCx, index: number): string {
  const c = cx.cols[index];
  if (!c) return `$col${index}`;
  if (cx.qualify && c.tableOid !== undefined) {
    const t = cx.catalog.table(c.tableOid);
    if (t) return `${t.name}.${c.name}`;
  }
  return c.name;
}

export function deparse(cx: DeparseCx, e: Expr): string {
  const d = (x: Expr) => deparse(cx, x);
  switch (e.k) {
    case 'const':
      return constText(e.type, e.value);
    case 'param':
      return `$${e.index + 1}`;
    case 'col':
      return colName(cx, e.index);
    case 'outer':
      return `$outer${e.level}.${e.index}`;
    case 'call':
      return `${e.fn}(${e.args.map(d).join(', ')})`;
    case 'op':
      return e.args.length === 1 ? `(${e.op} ${d(e.args[0]!)})` : `(${d(e.args[0]!)} ${e.op} ${d(e.args[1]!)})`;
    case 'cast':
      return `(${d(e.arg)})::${typeName(e.type)}`;
    case 'and':
    case 'or':
      return `(${e.args.map(d).join(e.k === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${d(e.arg)})`;
    case 'is_null':
      return `(${d(e.arg)} IS ${e.negate ? 'NOT ' : ''}NULL)`;
    case 'is_bool':
      return `(${d(e.arg)} IS ${e.negate ? 'NOT ' : ''}${e.value === null ? 'UNKNOWN' : e.value ? 'TRUE' : 'FALSE'})`;
    case 'distinct_from':
      return `(${d(e.args[0])} IS ${e.negate ? 'NOT ' : ''}DISTINCT FROM ${d(e.args[1])})`;
    case 'case':
      return `CASE ${e.whens.map((w) => `WHEN ${d(w.cond)} THEN ${d(w.then)}`).join(' ')} ELSE ${d(e.else)} END`;
    case 'coalesce':
    case 'greatest':
    case 'least':
      return `${e.k.toUpperCase()}(${e.args.map(d).join(', ')})`;
    case 'nullif':
      return `NULLIF(${d(e.args[0])}, ${d(e.args[1])})`;
    case 'in_list':
      return `(${d(e.arg)} ${e.negate ? 'NOT IN' : 'IN'} (${e.list.map(d).join(', ')}))`;
    case 'array':
      return `ARRAY[${e.elems.map(d).join(', ')}]`;
    case 'row':
      return `ROW(${e.fields.map(d).join(', ')})`;
    case 'subquery':
      return e.mode === 'exists' ? '(EXISTS (SubPlan))' : '(SubPlan)';
    case 'sublink':
      return `(${e.left.map(d).join(', ')} ${e.op} ${e.mode.toUpperCase()} (SubPlan))`;
    case 'array_op':
      return `(${d(e.left)} ${e.op} ${e.mode.toUpperCase()} (${d(e.right)}))`;
    case 'agg_ref':
      return `agg${e.index}`;
    case 'nextval':
      return `nextval(${e.seqOid})`;
    case 'seq_call':
      return `${e.fn}(${e.args.map(d).join(', ')})`;
    case 'default':
      return 'DEFAULT';
  }
}
