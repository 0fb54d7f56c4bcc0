// Seeded generator of random tables and random queries for the differential
// test against PostgreSQL 15 (tests/diff/pg_diff.test.ts).
//
// Everything comes from one 32-bit seed (mulberry32), so a seed replays the
// same tables and the same queries. Queries are deterministic by
// construction: every query orders by all of its output columns, numeric
// columns have a declared scale (so equal values print alike), and no float
// expression can make a negative zero (which sorts equal to zero but prints
// differently).
//
// Features the engine may not have yet (joins, GROUP BY and aggregates,
// subqueries, set operations) are generated only when `Features` says so;
// the test switches them on with a capability probe.

export type ColType = 'int' | 'bigint' | 'numeric' | 'text' | 'bool' | 'date' | 'timestamp' | 'float8';

export const col_types: readonly ColType[] = ['int', 'bigint', 'numeric', 'text', 'bool', 'date', 'timestamp', 'float8'];

export interface Column {
  name: string;
  type: ColType;
  /** The SQL type in CREATE TABLE. */
  sqlType: string;
}

export interface Table {
  name: string;
  columns: Column[];
  /** SQL literals (or NULL) per row. */
  rows: string[][];
}

export interface Features {
  joins: boolean;
  outerJoins: boolean;
  groupBy: boolean;
  aggregates: boolean;
  subqueries: boolean;
  setOps: boolean;
}

export const no_features: Features = { joins: false, outerJoins: false, groupBy: false, aggregates: false, subqueries: false, setOps: false };

/** mulberry32: a small, fast, well-mixed 32-bit PRNG. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
}

const words = ['a', 'b', 'ab', 'abc', 'B', 'Abc', 'x y', 'foo', 'bar', 'Foo%', 'o_o', '', ' lead', 'trail ', "it's", 'zz', 'mañana', 'ß', '123', '-1'];

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

/** A random non-NULL literal of a type. */
export function literal(rng: Rng, type: ColType, edge = 0.05): string {
  switch (type) {
    case 'int':
      if (rng.chance(edge)) return rng.pick(['2147483647', '-2147483648', '0']);
      return String(rng.int(-1000, 1000));
    case 'bigint':
      if (rng.chance(edge)) return rng.pick(['9223372036854775807', '-9223372036854775808', '0']);
      return rng.chance(0.5) ? String(rng.int(-1000, 1000)) : String(BigInt(rng.int(-2_000_000, 2_000_000)) * 1_000_003n);
    case 'numeric': {
      const whole = rng.chance(0.3) ? rng.int(-10, 10) : rng.int(-100000, 100000);
      const frac = rng.int(0, 99);
      const neg = whole < 0 || (whole === 0 && rng.chance(0.3));
      return `${neg ? '-' : ''}${Math.abs(whole)}.${pad(frac)}`;
    }
    case 'text':
      return `'${rng.pick(words).replace(/'/g, "''")}'`;
    case 'bool':
      return rng.chance(0.5) ? 'true' : 'false';
    case 'date':
      return `DATE '${rng.int(1990, 2030)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}'`;
    case 'timestamp':
      return `TIMESTAMP '${rng.int(1990, 2030)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))} ${pad(rng.int(0, 23))}:${pad(rng.int(0, 59))}:${pad(rng.int(0, 59))}'`;
    case 'float8': {
      // Values exact in binary and decimal alike, plus a few that are not; never -0.
      const v = rng.chance(0.7) ? rng.int(-4000, 4000) / 8 : rng.int(-100000, 100000) / 1000;
      return v === 0 ? '0' : String(v);
    }
  }
}

const sql_types: Record<ColType, () => string> = {
  int: () => 'int',
  bigint: () => 'bigint',
  numeric: () => 'numeric(12,2)',
  text: () => 'text',
  bool: () => 'boolean',
  date: () => 'date',
  timestamp: () => 'timestamp',
  float8: () => 'float8',
};

export function genTable(rng: Rng, name: string): Table {
  const n = rng.int(2, 6);
  const columns: Column[] = [];
  for (let i = 0; i < n; i++) {
    const type = i === 0 ? rng.pick(['int', 'int', 'bigint', 'text'] as const) : rng.pick(col_types);
    columns.push({ name: `c${i}`, type, sqlType: sql_types[type]() });
  }
  const nullRate = rng.pick([0, 0.1, 0.3]);
  const rows: string[][] = [];
  const count = rng.int(0, 24);
  for (let r = 0; r < count; r++) rows.push(columns.map((c) => (rng.chance(nullRate) ? 'NULL' : literal(rng, c.type))));
  return { name, columns, rows };
}

export function createSql(t: Table): string[] {
  const out = [`CREATE TABLE ${t.name} (${t.columns.map((c) => `${c.name} ${c.sqlType}`).join(', ')})`];
  if (t.rows.length > 0) out.push(`INSERT INTO ${t.name} VALUES ${t.rows.map((r) => `(${r.join(', ')})`).join(', ')}`);
  return out;
}

// ---- expressions ----------------------------------------------------------------------

interface Ref {
  sql: string;
  type: ColType;
}

interface Ctx {
  rng: Rng;
  refs: Ref[];
  features: Features;
  tables: Table[];
  /** Aggregates allowed here (select list / HAVING of a grouped query). */
  aggregates: boolean;
  /**
   * In WHERE / ON / HAVING: no integer arithmetic that could overflow. The
   * rows a filter sees differ between plans (PostgreSQL pushes filters below
   * joins), so an error there would depend on the plan, not on the SQL.
   */
  safe?: boolean;
}

const numeric_types: readonly ColType[] = ['int', 'bigint', 'numeric', 'float8'];

function refsOf(cx: Ctx, type: ColType): Ref[] {
  return cx.refs.filter((r) => r.type === type);
}

/** An expression of the given type. */
function expr(cx: Ctx, type: ColType, depth: number): string {
  const { rng } = cx;
  const refs = refsOf(cx, type);
  if (depth <= 0 || rng.chance(0.35)) {
    if (refs.length > 0 && rng.chance(0.75)) return rng.pick(refs).sql;
    // Extreme values come from the tables' data, not from constants in expressions.
    return rng.chance(0.08) ? `NULL::${sql_types[type]()}` : literal(rng, type, 0);
  }
  const d = depth - 1;
  const choice = rng.int(0, 9);
  if (choice === 0) return `CASE WHEN ${pred(cx, d)} THEN ${expr(cx, type, d)} ELSE ${expr(cx, type, d)} END`;
  if (choice === 1) return `COALESCE(${expr(cx, type, d)}, ${expr(cx, type, d)})`;
  if (choice === 2 && cx.aggregates) return aggregate(cx, type);
  if (choice === 3 && cx.features.subqueries && cx.features.aggregates && rng.chance(0.5)) return scalarSubquery(cx, type);
  switch (type) {
    case 'int':
    case 'bigint':
      if (cx.safe) return refs.length > 0 && rng.chance(0.7) ? rng.pick(refs).sql : `abs(${literal(rng, type, 0)})`;
      return arith(cx, type, d);
    case 'numeric':
      return arith(cx, type, d);
    case 'float8':
      return floatExpr(cx, d);
    case 'text':
      return textExpr(cx, d);
    case 'bool':
      return `(${pred(cx, d)})`;
    case 'date': {
      const c = rng.int(0, 2);
      if (c === 0) return `(${expr(cx, 'date', d)} + ${rng.int(-400, 400)})`;
      if (c === 1) return `(${expr(cx, 'date', d)} - ${rng.int(0, 400)})`;
      return `GREATEST(${expr(cx, 'date', d)}, ${expr(cx, 'date', d)})`;
    }
    case 'timestamp': {
      const c = rng.int(0, 3);
      if (c === 3) return `date_trunc('${rng.pick(['year', 'month', 'day', 'hour', 'minute'])}', ${expr(cx, 'timestamp', d)})`;
      if (c === 0) return `(${expr(cx, 'timestamp', d)} + INTERVAL '${rng.int(-50, 50)} hours')`;
      if (c === 1) return `(${expr(cx, 'date', d)} + TIME '${pad(rng.int(0, 23))}:${pad(rng.int(0, 59))}:00')`;
      return `LEAST(${expr(cx, 'timestamp', d)}, ${expr(cx, 'timestamp', d)})`;
    }
  }
}

/** Does the SQL text reference a column (alias.cN)? */
function hasColumn(sql: string): boolean {
  return /\b[a-z]\d*\.[cx]\d+\b/.test(sql);
}

function arith(cx: Ctx, type: 'int' | 'bigint' | 'numeric', d: number): string {
  const { rng } = cx;
  // Arithmetic on constants alone is left out: PostgreSQL folds it while planning, so an
  // overflow there fails the query even when no row is produced (ScratchBird evaluates per row).
  const refs = refsOf(cx, type);
  if (refs.length === 0) return literal(rng, type, 0);
  // No NULL constants under integer arithmetic either: PostgreSQL simplifies a strict operator
  // with a NULL constant argument to NULL while planning and never evaluates the other
  // argument, so an overflow there goes unreported (docs/compat/postgresql.md, "Queries").
  const operand = (t: ColType): string => {
    const x = expr(cx, t, d);
    return (t === 'int' || t === 'bigint') && x.includes('NULL::') ? rng.pick(refsOf(cx, t).length > 0 ? refsOf(cx, t) : refs).sql : x;
  };
  let a = operand(type);
  if (!hasColumn(a)) a = rng.pick(refs).sql;
  switch (rng.int(0, 8)) {
    case 0:
    case 1:
      return `(${a} + ${operand(type)})`;
    case 2:
      return `(${a} - ${operand(type)})`;
    case 3:
      return `(${a} * ${operand(type)})`;
    case 4:
      return `(${a} / NULLIF(${operand(type)}, 0))`;
    case 5:
      return type === 'numeric' ? `round(${a}, ${rng.int(0, 3)})` : `(${a} % NULLIF(${operand(type)}, 0))`;
    case 6:
      return `abs(${a})`;
    case 7:
      // Mixed types: int + bigint, int * numeric…
      return `(${a} ${rng.pick(['+', '-', '*'])} ${operand(rng.pick(['int', 'bigint', 'numeric'] as const))})`;
    default:
      if (type === 'int') {
        return rng.pick([
          `length(${expr(cx, 'text', d)})`,
          `position(${literal(rng, 'text', 0)} IN ${expr(cx, 'text', d)})`,
          `(${expr(cx, 'date', d)} - ${expr(cx, 'date', d)})`,
          `EXTRACT(${rng.pick(['YEAR', 'MONTH', 'DAY', 'DOW', 'DOY'])} FROM ${expr(cx, 'date', d)})::int`,
          `GREATEST(${a}, ${operand(type)})`,
          `NULLIF(${a}, ${literal(rng, 'int', 0)})`,
        ]);
      }
      return rng.chance(0.5) ? `(- ${a})` : `LEAST(${a}, ${operand(type)})`;
  }
}

function floatExpr(cx: Ctx, d: number): string {
  const { rng } = cx;
  const a = expr(cx, 'float8', d);
  switch (rng.int(0, 6)) {
    case 0:
      return `(${a} + ${expr(cx, 'float8', d)})`;
    case 1:
      return `(${a} - ${expr(cx, 'float8', d)})`;
    case 2:
      // Multiplying by a positive constant cannot turn 0 into -0.
      return `(${a} * ${rng.pick(['2', '0.5', '3.25', '10'])})`;
    case 3:
      return `abs(${a})`;
    case 4:
      return `(${expr(cx, rng.pick(['int', 'numeric'] as const), d)})::float8`;
    case 5:
      return `floor(${a})`;
    default:
      return `(${a} / ${rng.pick(['2', '4', '8', '3'])})`;
  }
}

function textExpr(cx: Ctx, d: number): string {
  const { rng } = cx;
  const a = expr(cx, 'text', d);
  switch (rng.int(0, 9)) {
    case 0:
      return `(${a} || ${expr(cx, 'text', d)})`;
    case 1:
      return `upper(${a})`;
    case 2:
      return `lower(${a})`;
    case 3:
      return `substr(${a}, ${rng.int(1, 4)}, ${rng.int(0, 4)})`;
    case 4:
      return `trim(${a})`;
    case 5:
      return `(${expr(cx, rng.pick(['int', 'bigint', 'numeric', 'bool', 'date'] as const), d)})::text`;
    case 6:
      return `replace(${a}, '${rng.pick(['a', 'o', ' '])}', '${rng.pick(['', '-', 'AA'])}')`;
    case 7:
      return rng.pick([`lpad(${a}, ${rng.int(0, 6)}, '*')`, `rpad(${a}, ${rng.int(0, 6)})`, `left(${a}, ${rng.int(-2, 3)})`, `right(${a}, ${rng.int(-2, 3)})`, `reverse(${a})`, `initcap(${a})`]);
    case 8:
      return `(${expr(cx, rng.pick(['timestamp', 'float8'] as const), d)})::text`;
    default:
      return `concat(${a}, ${expr(cx, rng.pick(col_types), d)})`;
  }
}

const cmp_ops = ['=', '<>', '<', '<=', '>', '>='];
const like_patterns = ['%', 'a%', '%b', '_', '%o%', 'ab_', '', 'A%', '%\\%%', 'F%', '% %'];

/** A boolean expression. */
function pred(cx: Ctx, depth: number): string {
  const { rng } = cx;
  const d = Math.max(0, depth - 1);
  const anyType = (): ColType => {
    // Prefer types the FROM items have columns of.
    if (cx.refs.length > 0 && rng.chance(0.8)) return rng.pick(cx.refs).type;
    return rng.pick(col_types);
  };
  switch (rng.int(0, 11)) {
    case 0:
    case 1:
    case 2: {
      const t = anyType();
      const other = numeric_types.includes(t) && rng.chance(0.3) ? rng.pick(numeric_types) : t;
      return `${expr(cx, t, d)} ${rng.pick(cmp_ops)} ${expr(cx, other, d)}`;
    }
    case 3:
      return depth > 0 ? `(${pred(cx, d)} AND ${pred(cx, d)})` : `${expr(cx, 'bool', 0)}`;
    case 4:
      return depth > 0 ? `(${pred(cx, d)} OR ${pred(cx, d)})` : `${expr(cx, 'bool', 0)} IS NOT TRUE`;
    case 5:
      return depth > 0 ? `NOT (${pred(cx, d)})` : `NOT ${expr(cx, 'bool', 0)}`;
    case 6:
      return `${expr(cx, anyType(), d)} IS ${rng.chance(0.5) ? 'NOT ' : ''}NULL`;
    case 7: {
      const t = rng.pick(['int', 'bigint', 'numeric', 'text', 'date', 'float8'] as const);
      const lo = expr(cx, t, 0);
      const hi = expr(cx, t, 0);
      return `${expr(cx, t, d)} ${rng.chance(0.3) ? 'NOT ' : ''}BETWEEN ${rng.chance(0.2) ? 'SYMMETRIC ' : ''}${lo} AND ${hi}`;
    }
    case 8: {
      const t = anyType();
      if (cx.features.subqueries && rng.chance(0.3)) return `${expr(cx, t, d)} ${rng.chance(0.3) ? 'NOT ' : ''}IN (${columnSubquery(cx, t)})`;
      const items = Array.from({ length: rng.int(1, 4) }, () => (rng.chance(0.1) ? 'NULL' : literal(rng, t)));
      return `${expr(cx, t, d)} ${rng.chance(0.3) ? 'NOT ' : ''}IN (${items.join(', ')})`;
    }
    case 9:
      return `${expr(cx, 'text', d)} ${rng.chance(0.3) ? 'NOT ' : ''}${rng.chance(0.2) ? 'ILIKE' : 'LIKE'} '${rng.pick(like_patterns)}'`;
    case 10:
      if (cx.features.subqueries && rng.chance(0.5)) return `${rng.chance(0.3) ? 'NOT ' : ''}EXISTS (${columnSubquery(cx, anyType())})`;
      return `${expr(cx, 'bool', d)} IS ${rng.chance(0.5) ? 'NOT ' : ''}${rng.pick(['TRUE', 'FALSE', 'UNKNOWN'])}`;
    default: {
      const t = anyType();
      return `${expr(cx, t, d)} IS ${rng.chance(0.5) ? 'NOT ' : ''}DISTINCT FROM ${expr(cx, t, d)}`;
    }
  }
}

function aggregate(cx: Ctx, type: ColType): string {
  const { rng } = cx;
  const inner = { ...cx, aggregates: false };
  switch (type) {
    case 'bigint':
      return rng.pick([`count(*)`, `count(${expr(inner, rng.pick(col_types), 1)})`, `sum(${expr(inner, 'int', 1)})`]);
    case 'numeric':
      return rng.pick([`sum(${expr(inner, rng.pick(['numeric', 'bigint'] as const), 1)})`, `avg(${expr(inner, rng.pick(['int', 'numeric'] as const), 1)})`]);
    case 'float8':
      return `${rng.pick(['sum', 'avg', 'min', 'max'])}(${expr(inner, 'float8', 1)})`;
    case 'bool':
      return `${rng.pick(['bool_and', 'bool_or', 'every'])}(${pred(inner, 1)})`;
    case 'text':
      if (rng.chance(0.3)) {
        // Ordered by the aggregated value itself, so ties are equal strings.
        const x = expr(inner, 'text', 1);
        return `string_agg(${x}, ',' ORDER BY ${x})`;
      }
      return `${rng.pick(['min', 'max'])}(${expr(inner, 'text', 1)})`;
    default:
      return `${rng.pick(['min', 'max'])}(${expr(inner, type, 1)})`;
  }
}

/** Columns of a FROM table as refs, qualified by `alias`. */
function tableRefs(t: Table, alias: string): Ref[] {
  return t.columns.map((c) => ({ sql: `${alias}.${c.name}`, type: c.type }));
}

/** `SELECT <col of type> FROM t [WHERE …]`, correlated at random. */
function columnSubquery(cx: Ctx, type: ColType): string {
  const { rng } = cx;
  const t = rng.pick(cx.tables);
  const alias = `s${rng.int(0, 999)}`;
  const own = tableRefs(t, alias);
  const sub: Ctx = { ...cx, refs: rng.chance(0.4) ? [...own, ...cx.refs] : own, aggregates: false };
  const col = own.find((r) => r.type === type);
  const item = col ? col.sql : literal(rng, type);
  return `SELECT ${item} FROM ${t.name} ${alias}${rng.chance(0.6) ? ` WHERE ${pred({ ...sub, safe: true }, 1)}` : ''}`;
}

function scalarSubquery(cx: Ctx, type: ColType): string {
  const { rng } = cx;
  const t = rng.pick(cx.tables);
  const alias = `s${rng.int(0, 999)}`;
  const own = tableRefs(t, alias);
  // The aggregate's arguments use the subquery's own columns (an aggregate of outer columns only belongs to the outer query).
  const sub: Ctx = { ...cx, refs: own, aggregates: true, features: { ...cx.features, subqueries: false } };
  const where: Ctx = { ...cx, refs: rng.chance(0.4) ? [...own, ...cx.refs] : own, aggregates: false, safe: true };
  return `(SELECT ${aggregate(sub, type)} FROM ${t.name} ${alias}${rng.chance(0.5) ? ` WHERE ${pred(where, 1)}` : ''})`;
}

// ---- queries --------------------------------------------------------------------------

function orderByAll(rng: Rng, n: number): string {
  const keys = Array.from({ length: n }, (_, i) => {
    let k = String(i + 1);
    if (rng.chance(0.3)) k += ' DESC';
    if (rng.chance(0.2)) k += rng.chance(0.5) ? ' NULLS FIRST' : ' NULLS LAST';
    return k;
  });
  return ` ORDER BY ${keys.join(', ')}`;
}

function limitClause(rng: Rng): string {
  if (!rng.chance(0.3)) return '';
  let s = ` LIMIT ${rng.int(0, 10)}`;
  if (rng.chance(0.4)) s += ` OFFSET ${rng.int(0, 5)}`;
  return s;
}

interface FromClause {
  sql: string;
  refs: Ref[];
}

/** `(SELECT … FROM t WHERE …) a`: a derived table over one of the tables, with its own column names. */
function derivedTable(rng: Rng, tables: Table[], f: Features, alias: string): FromClause {
  const t = rng.pick(tables);
  const inner = tableRefs(t, 'd');
  const cx: Ctx = { rng, refs: inner, features: { ...f, subqueries: false }, tables, aggregates: false, safe: true };
  const cols = t.columns.filter(() => rng.chance(0.7));
  const picked = cols.length > 0 ? cols : [t.columns[0]!];
  // A derived column computed from constants alone would be folded once PostgreSQL pulls the subquery up (see arith()).
  const items = picked.map((c, i) => {
    const e = rng.chance(0.7) ? `d.${c.name}` : expr(cx, c.type, 1);
    return `${hasColumn(e) ? e : `d.${c.name}`} AS x${i}`;
  });
  let sql = `(SELECT ${rng.chance(0.2) ? 'DISTINCT ' : ''}${items.join(', ')} FROM ${t.name} d`;
  if (rng.chance(0.5)) sql += ` WHERE ${pred(cx, 1)}`;
  sql += `) ${alias}`;
  return { sql, refs: picked.map((c, i) => ({ sql: `${alias}.x${i}`, type: c.type })) };
}

function fromClause(rng: Rng, tables: Table[], f: Features): FromClause {
  if (f.subqueries && rng.chance(0.1)) return derivedTable(rng, tables, f, 'a');
  const t1 = rng.pick(tables);
  if (!f.joins || tables.length < 2 || rng.chance(0.5)) return { sql: `${t1.name} a`, refs: tableRefs(t1, 'a') };
  const t2 = rng.pick(tables);
  const r1 = tableRefs(t1, 'a');
  const r2 = tableRefs(t2, 'b');
  const kind = f.outerJoins ? rng.pick(['JOIN', 'LEFT JOIN', 'RIGHT JOIN', 'FULL JOIN', 'CROSS JOIN']) : rng.pick(['JOIN', 'CROSS JOIN']);
  if (kind === 'CROSS JOIN') return { sql: `${t1.name} a CROSS JOIN ${t2.name} b`, refs: [...r1, ...r2] };
  const pairs = r1.flatMap((x) => r2.filter((y) => y.type === x.type || (numeric_types.includes(x.type) && numeric_types.includes(y.type))).map((y) => [x, y] as const));
  // PostgreSQL runs FULL JOIN only on merge- or hash-joinable (equality) conditions.
  const full = kind === 'FULL JOIN';
  const on = pairs.length > 0 ? (() => {
    const [x, y] = rng.pick(pairs);
    return `${x.sql} ${full || rng.chance(0.8) ? '=' : rng.pick(cmp_ops)} ${y.sql}`;
  })() : full ? 'a.ctid = b.ctid' : 'true';
  if (on.includes('ctid')) return { sql: `${t1.name} a CROSS JOIN ${t2.name} b`, refs: [...r1, ...r2] };
  return { sql: `${t1.name} a ${kind} ${t2.name} b ON ${on}`, refs: [...r1, ...r2] };
}

/** One random query over the tables. */
export function genQuery(rng: Rng, tables: Table[], f: Features): string {
  if (f.setOps && rng.chance(0.1)) return setOpQuery(rng, tables, f);
  if (f.groupBy && f.aggregates && rng.chance(0.2)) return groupQuery(rng, tables, f);
  if (f.aggregates && rng.chance(0.05)) {
    const from = fromClause(rng, tables, f);
    const cx: Ctx = { rng, refs: from.refs, features: f, tables, aggregates: true };
    const items = Array.from({ length: rng.int(1, 3) }, () => aggregate(cx, rng.pick(col_types)));
    return `SELECT ${items.join(', ')} FROM ${from.sql}${rng.chance(0.5) ? ` WHERE ${pred({ ...cx, aggregates: false, safe: true }, 2)}` : ''}`;
  }
  const from = fromClause(rng, tables, f);
  const cx: Ctx = { rng, refs: from.refs, features: f, tables, aggregates: false };
  const n = rng.int(1, 4);
  const items: string[] = [];
  for (let i = 0; i < n; i++) {
    if (rng.chance(0.4) && from.refs.length > 0) items.push(rng.pick(from.refs).sql);
    else items.push(expr(cx, rng.pick(col_types), rng.int(0, 3)));
  }
  let sql = `SELECT ${rng.chance(0.15) ? 'DISTINCT ' : ''}${items.map((e, i) => `${e} AS r${i}`).join(', ')} FROM ${from.sql}`;
  if (rng.chance(0.7)) sql += ` WHERE ${pred({ ...cx, safe: true }, rng.int(0, 3))}`;
  return sql + orderByAll(rng, n) + limitClause(rng);
}

function groupQuery(rng: Rng, tables: Table[], f: Features): string {
  const from = fromClause(rng, tables, f);
  const cx: Ctx = { rng, refs: from.refs, features: f, tables, aggregates: false };
  // Keys are columns or expressions, never a bare integer literal (that would be a position in GROUP BY).
  const keys = Array.from({ length: rng.int(1, 2) }, () => (rng.chance(0.7) && from.refs.length > 0 ? rng.pick(from.refs) : { sql: `(${expr(cx, 'int', 1)} + 0)`, type: 'int' as ColType }));
  const agg: Ctx = { ...cx, aggregates: true, refs: from.refs };
  const aggs = Array.from({ length: rng.int(1, 3) }, () => aggregate(agg, rng.pick(col_types)));
  const items = [...keys.map((k) => k.sql), ...aggs];
  let sql = `SELECT ${items.map((e, i) => `${e} AS r${i}`).join(', ')} FROM ${from.sql}`;
  if (rng.chance(0.5)) sql += ` WHERE ${pred({ ...cx, safe: true }, 2)}`;
  sql += ` GROUP BY ${keys.map((k) => k.sql).join(', ')}`;
  if (rng.chance(0.3)) sql += ` HAVING ${aggregate(agg, 'bigint')} > ${rng.int(0, 3)}`;
  return sql + orderByAll(rng, items.length) + limitClause(rng);
}

function setOpQuery(rng: Rng, tables: Table[], f: Features): string {
  const types = Array.from({ length: rng.int(1, 2) }, () => rng.pick(col_types));
  const side = (): string => {
    const from = fromClause(rng, tables, { ...f, joins: false });
    const cx: Ctx = { rng, refs: from.refs, features: { ...f, subqueries: false }, tables, aggregates: false };
    const items = types.map((t) => expr(cx, t, 1));
    return `SELECT ${items.join(', ')} FROM ${from.sql}${rng.chance(0.5) ? ` WHERE ${pred({ ...cx, safe: true }, 1)}` : ''}`;
  };
  const op = rng.pick(['UNION', 'UNION ALL', 'INTERSECT', 'INTERSECT ALL', 'EXCEPT', 'EXCEPT ALL']);
  return `${side()} ${op} ${side()}${orderByAll(rng, types.length)}${limitClause(rng)}`;
}
