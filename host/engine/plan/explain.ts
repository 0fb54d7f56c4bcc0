// EXPLAIN's text format, shaped like PostgreSQL's:
//
//   Hash Join  (cost=1.09..30.34 rows=10 width=72)
//     Hash Cond: (a.id = b.a_id)
//     ->  Seq Scan on a  (cost=0.00..20.00 rows=1000 width=36)
//     ->  Hash  (cost=1.05..1.05 rows=10 width=36)
//           ->  Seq Scan on b  (cost=0.00..1.05 rows=10 width=36)
//
// Projections and subquery scans print as their input (PostgreSQL folds them
// into the node below); a filter node prints as a Filter line on its input.
// Costs come from the planner's model (access.ts COST), in its units.

import type { Catalog } from '../catalog/catalog.ts';
import type { Expr, Plan } from './nodes.ts';
import { COST } from './access.ts';
import { boundSel, estimateRows, type PlanEnv, typeWidth } from './estimate.ts';
import { colName, deparse, type DeparseCx } from './deparse.ts';
import { planChildren } from './walk.ts';

export interface NodeStats {
  rows: number;
  loops: number;
  /** Time to the first batch and in total, ms (inclusive of children). */
  firstMs: number;
  totalMs: number;
}

export interface ExplainOptions {
  costs: boolean;
  verbose: boolean;
  /** EXPLAIN ANALYZE's measurements per plan node. */
  actual?: Map<Plan, NodeStats>;
  /** An aggregate's label decided by the caller (the path that will run / did run); null = the plain one. Overrides explainHooks. */
  aggregateLabel?: (p: Plan) => string | null;
  /** An extra detail line under an aggregate (VERBOSE: why the columnar path does not run). */
  aggregateDetail?: (p: Plan) => string | null;
}

interface Cost {
  startup: number;
  total: number;
}

function fmt(n: number): string {
  return n.toFixed(2);
}

function hasJoin(p: Plan): boolean {
  return p.n === 'join' || planChildren(p).some(hasJoin);
}

/** Labels set by the executor: aggregates it runs as vector programs (exec/ops_colagg.ts). */
export const explainHooks: { aggregateLabel?: (p: Plan) => string | null } = {};

export function explainPlan(env: PlanEnv, plan: Plan, opts: ExplainOptions): string[] {
  const out: string[] = [];
  const qualify = hasJoin(plan);
  const costOf = new Map<Plan, Cost>();
  const cost = (p: Plan): Cost => {
    const known = costOf.get(p);
    if (known) return known;
    const kids = planChildren(p).map(cost);
    const kidTotal = kids.reduce((s, c) => s + c.total, 0);
    const rows = estimateRows(env, p);
    let c: Cost;
    switch (p.n) {
      case 'scan': {
        const n = Math.max(1, env.tableRows(p.tableOid));
        if (p.access === 'seq') c = { startup: 0, total: n * COST.seqRow + (p.filter ? n * COST.filterRow : 0) };
        else {
          const matched = n * boundSel(env, p);
          c = { startup: COST.seek, total: COST.seek + matched * (p.access === 'pk' ? COST.pkRow : COST.indexRow) };
        }
        break;
      }
      case 'sort': {
        const n = Math.max(1, estimateRows(env, p.input));
        const s = kidTotal + n * Math.log2(n + 1) * 0.1;
        c = { startup: s, total: s + n * 0.01 };
        break;
      }
      case 'aggregate':
      case 'distinct':
        c = { startup: kidTotal, total: kidTotal + estimateRows(env, p.input) * 0.05 };
        break;
      case 'join': {
        const l = estimateRows(env, p.left);
        const r = estimateRows(env, p.right);
        const [lc, rc] = kids as [Cost, Cost];
        if (p.method === 'hash') c = { startup: rc.total + r * 0.05, total: lc.total + rc.total + r * 0.05 + l * 0.05 + rows * 0.01 };
        else c = { startup: lc.startup + rc.startup, total: lc.total + l * rc.total + l * r * 0.01 };
        break;
      }
      default:
        c = { startup: kids[0]?.startup ?? 0, total: kidTotal + rows * 0.01 };
    }
    costOf.set(p, c);
    return c;
  };
  const width = (p: Plan): number => p.cols.reduce((s, c) => s + typeWidth(c.type.id), 0);
  const suffix = (p: Plan, shown: Plan = p): string => {
    const parts: string[] = [];
    if (opts.costs) {
      const c = cost(shown);
      parts.push(`(cost=${fmt(c.startup)}..${fmt(c.total)} rows=${Math.max(1, Math.round(estimateRows(env, shown)))} width=${width(shown)})`);
    }
    if (opts.actual) {
      const s = opts.actual.get(shown) ?? opts.actual.get(p);
      if (s && s.loops > 0) {
        parts.push(`(actual time=${(s.firstMs / s.loops).toFixed(3)}..${(s.totalMs / s.loops).toFixed(3)} rows=${Math.round(s.rows / s.loops)} loops=${s.loops})`);
      } else parts.push('(never executed)');
    }
    return parts.length > 0 ? '  ' + parts.join(' ') : '';
  };

  /** Writes node `p` with its label at column `col` (`arrow`: prefixed by "->  "). */
  const node = (p: Plan, col: number, arrow: boolean, extra: string[] = [], shown: Plan = p): void => {
    const cx = (cols: Plan['cols']): DeparseCx => ({ cols, catalog: env.catalog, qualify });
    // Nodes PostgreSQL does not print: their input stands for them.
    if (p.n === 'project' || p.n === 'subquery_scan') {
      const more = opts.verbose && p.n === 'project' ? [`Output: ${p.exprs.map((e) => deparse(cx(p.input.cols), e)).join(', ')}`] : [];
      return node(p.input, col, arrow, [...more, ...extra], shown === p ? p.input : shown);
    }
    if (p.n === 'filter' && p.input.n !== 'join' && p.input.n !== 'filter') {
      return node(p.input, col, arrow, [`Filter: ${deparse(cx(p.input.cols), p.pred)}`, ...extra], shown);
    }
    const pad = ' '.repeat(col);
    const label = p.n === 'aggregate' && opts.aggregateLabel
      ? opts.aggregateLabel(p) ?? (p.groups.length > 0 ? 'HashAggregate' : 'Aggregate')
      : labelOf(env.catalog, p);
    out.push(`${arrow ? pad.slice(0, Math.max(0, col - 4)) + '->  ' : pad}${label}${suffix(p, shown)}`);
    const detail = (s: string) => out.push(`${pad}  ${s}`);
    for (const d of detailsOf(env.catalog, p, cx)) detail(d);
    const aggDetail = p.n === 'aggregate' ? opts.aggregateDetail?.(p) : null;
    if (aggDetail) detail(aggDetail);
    for (const d of extra) detail(d);
    const childCol = col + 6;
    switch (p.n) {
      case 'join':
        node(p.left, childCol, true);
        if (p.method === 'hash') {
          out.push(`${' '.repeat(childCol - 4)}->  Hash${opts.costs ? `  (cost=${fmt(cost(p.right).total)}..${fmt(cost(p.right).total)} rows=${Math.max(1, Math.round(estimateRows(env, p.right)))} width=${width(p.right)})` : ''}`);
          node(p.right, childCol + 6, true);
        } else node(p.right, childCol, true);
        break;
      case 'filter':
        node(p.input, childCol, true);
        break;
      default:
        for (const k of planChildren(p)) node(k, childCol, true);
    }
    for (const sp of subplansOf(p)) {
      detail(`SubPlan`);
      node(sp, childCol + 2, true);
    }
  };
  node(plan, 0, false);
  return out;
}

function labelOf(catalog: Catalog, p: Plan): string {
  switch (p.n) {
    case 'scan': {
      const t = catalog.table(p.tableOid)?.name ?? String(p.tableOid);
      if (p.access === 'seq') return `Seq Scan on ${t}`;
      const ix = p.access === 'pk'
        ? catalog.indexesOf(p.tableOid).find((i) => i.primary)?.name ?? `${t}_pkey`
        : catalog.get(p.indexOid!)?.kind === 'index' ? (catalog.get(p.indexOid!) as { name: string }).name : String(p.indexOid);
      return `Index Scan${p.reverse ? ' Backward' : ''} using ${ix} on ${t}`;
    }
    case 'filter':
      return 'Result';
    case 'values':
      return p.rows.length === 0 ? 'Result' : 'Values Scan on "*VALUES*"';
    case 'result':
      return 'Result';
    case 'sort':
      return p.limit ? 'Sort (top-N)' : 'Sort';
    case 'limit':
      return 'Limit';
    case 'distinct':
      return 'Unique';
    case 'aggregate':
      return explainHooks.aggregateLabel?.(p) ?? (p.groups.length > 0 ? 'HashAggregate' : 'Aggregate');
    case 'window':
      return 'WindowAgg';
    case 'join': {
      const kind = p.type === 'inner' || p.type === 'cross' ? '' : ` ${p.type[0]!.toUpperCase()}${p.type.slice(1)}`;
      if (p.method === 'hash') return `Hash${kind} Join`;
      if (p.method === 'merge') return `Merge${kind} Join`;
      return kind ? `Nested Loop${kind} Join` : 'Nested Loop';
    }
    case 'setop':
      return `SetOp ${p.op[0]!.toUpperCase()}${p.op.slice(1)}${p.all ? ' All' : ''}`;
    case 'append':
      return 'Append';
    case 'cte_scan':
      return `CTE Scan on cte${p.cteId}`;
    case 'with':
      return 'CTE';
    case 'function_scan':
      return `Function Scan on ${p.fn}`;
    case 'subquery_scan':
      return 'Subquery Scan';
    case 'project':
      return 'Result';
    case 'modify': {
      const t = catalog.table(p.tableOid)?.name ?? String(p.tableOid);
      return `${p.op[0]!.toUpperCase()}${p.op.slice(1)} on ${t}`;
    }
  }
}

function detailsOf(catalog: Catalog, p: Plan, cx: (cols: Plan['cols']) => DeparseCx): string[] {
  const out: string[] = [];
  switch (p.n) {
    case 'scan': {
      if (p.bound) {
        const keyAttnums = p.access === 'pk'
          ? catalog.table(p.tableOid)?.pk ?? []
          : catalog.indexesOf(p.tableOid).find((i) => i.oid === p.indexOid)?.keys.map((k) => k.attnum) ?? [];
        const keyExprs = p.access === 'pk' ? [] : catalog.indexesOf(p.tableOid).find((i) => i.oid === p.indexOid)?.keys.map((k) => k.expr) ?? [];
        const c = cx(p.cols);
        const name = (i: number): string => {
          const ke = keyExprs[i];
          if (ke !== undefined && ke !== null) return ke;
          const a = keyAttnums[i]!;
          const j = p.attnums.indexOf(a);
          if (j >= 0) return colName(c, j);
          // A key column the scan does not output (planner step 7 left it out): its name from the catalog.
          const t = catalog.table(p.tableOid);
          const col = t?.columns.find((x) => x.attnum === a);
          if (!t || !col) return `$attnum${a}`;
          return c.qualify ? `${t.name}.${col.name}` : col.name;
        };
        const conds: string[] = p.bound.eq.map((e, i) => `(${name(i)} = ${deparse(c, e)})`);
        const k = p.bound.eq.length;
        if (p.bound.lo) conds.push(`(${name(k)} ${p.bound.lo.inclusive ? '>=' : '>'} ${deparse(c, p.bound.lo.expr)})`);
        if (p.bound.hi) conds.push(`(${name(k)} ${p.bound.hi.inclusive ? '<=' : '<'} ${deparse(c, p.bound.hi.expr)})`);
        if (conds.length > 0) out.push(`Index Cond: ${conds.length === 1 ? conds[0] : `(${conds.join(' AND ')})`}`);
      }
      if (p.filter) out.push(`Filter: ${deparse(cx(p.cols), p.filter)}`);
      break;
    }
    case 'values':
      if (p.rows.length === 0) out.push('One-Time Filter: false');
      break;
    case 'filter':
      out.push(`Filter: ${deparse(cx(p.input.cols), p.pred)}`);
      break;
    case 'sort':
      out.push(`Sort Key: ${p.keys.map((k) => sortKeyText(cx(p.input.cols), k)).join(', ')}`);
      break;
    case 'aggregate':
      if (p.groups.length > 0) out.push(`Group Key: ${p.groups.map((g) => deparse(cx(p.input.cols), g)).join(', ')}`);
      break;
    case 'join': {
      const c = cx([...p.left.cols, ...p.right.cols]);
      if (p.leftKeys.length > 0) {
        const conds = p.leftKeys.map((l, i) => `(${deparse(cx(p.left.cols), l)} = ${deparse(cx(p.right.cols), p.rightKeys[i]!)})`);
        out.push(`${p.method === 'merge' ? 'Merge' : 'Hash'} Cond: ${conds.length === 1 ? conds[0] : `(${conds.join(' AND ')})`}`);
      }
      if (p.cond) out.push(`Join Filter: ${deparse(c, p.cond)}`);
      break;
    }
    default:
      break;
  }
  return out;
}

function sortKeyText(cx: DeparseCx, k: { expr: Expr; desc: boolean; nullsFirst: boolean }): string {
  let s = deparse(cx, k.expr);
  if (k.desc) s += ' DESC';
  if (k.nullsFirst !== k.desc) s += k.nullsFirst ? ' NULLS FIRST' : ' NULLS LAST';
  return s;
}

/** Subqueries in a node's own expressions (PostgreSQL's SubPlan children). */
function subplansOf(p: Plan): Plan[] {
  const found: Plan[] = [];
  const visit = (e: Expr): void => {
    if (e.k === 'subquery' || e.k === 'sublink') found.push(e.plan);
    const kids: Expr[] = (e as { args?: Expr[] }).args ?? [];
    for (const k of kids) visit(k);
    if ('arg' in e && e.arg) visit(e.arg);
  };
  const exprs: Expr[] = [];
  if (p.n === 'filter') exprs.push(p.pred);
  if (p.n === 'scan' && p.filter) exprs.push(p.filter);
  if (p.n === 'project' || p.n === 'result') exprs.push(...p.exprs);
  exprs.forEach(visit);
  return found;
}
