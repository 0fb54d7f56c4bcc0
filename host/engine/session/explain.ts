// EXPLAIN [ ( ANALYZE, VERBOSE, COSTS, BYTECODE, FORMAT TEXT ) ] statement
// and EXPLAIN ANALYZE VERBOSE statement: the optimised plan in PostgreSQL's
// text shape as a one-column "QUERY PLAN" result; with BYTECODE (or
// VERBOSE) also the SBLR disassembly of the program the executor runs.
// ANALYZE runs the statement (a DML statement does modify, as in
// PostgreSQL) with every operator instrumented: actual rows, loops and time.

import type * as A from '../../../sql-dialects/index.ts';
import { SbError, SqlState } from '../sb_error.ts';
import { T } from '../types/types.ts';
import type { Plan } from '../plan/nodes.ts';
import { explainPlan, type NodeStats } from '../plan/explain.ts';
import { planChildren, withChildren } from '../plan/walk.ts';
import { buildOperator, registerBuilder } from '../exec/build.ts';
import { drain, type Operator, type Step } from '../exec/operator.ts';
import type { ExecContext } from '../exec/context.ts';
import { disassemble } from '../compile/disasm.ts';
import { isBindable } from '../bind/index.ts';
import type { QueryResult } from './result.ts';
import type { Session } from './session.ts';
import { compileStatement, noteModified, plannerEnv } from './plan_cache.ts';
import type { ModifyOp } from '../exec/ops_modify.ts';
import { buildColumnarAggregate, ColumnarAggOp, columnarShape } from '../exec/ops_colagg.ts';
import { colCacheDeclineReason } from '../exec/colcache.ts';
import { execKernels } from '../exec/kernels.ts';

/** A plan node standing for an operator already built (instrumented children). */
interface Prebuilt {
  n: 'prebuilt';
  cols: Plan['cols'];
  op: Operator;
}
registerBuilder('prebuilt' as Plan['n'], (p) => (p as unknown as Prebuilt).op);

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

class Instrumented implements Operator {
  constructor(private readonly inner: Operator, readonly s: NodeStats) {}
  get width(): number {
    return this.inner.width;
  }
  open(ctx: ExecContext): void {
    this.s.loops++;
    const t0 = now();
    this.inner.open(ctx);
    this.s.totalMs += now() - t0;
  }
  *next(): Step {
    const gen = this.inner.next();
    for (;;) {
      const t0 = now();
      const r = gen.next();
      this.s.totalMs += now() - t0;
      if (r.done) {
        if (r.value && r.value.length > 0) {
          if (this.s.rows === 0) this.s.firstMs = this.s.totalMs;
          this.s.rows += r.value.length;
        }
        return r.value;
      }
      yield r.value;
    }
  }
  close(): void {
    this.inner.close();
  }
  get count(): number {
    return (this.inner as ModifyOp).count;
  }
}

/** Builds the operator tree with every plan node's operator measured (`ops`: each node's operator, uninstrumented). */
export function buildInstrumented(plan: Plan, stats: Map<Plan, NodeStats>, ops?: Map<Plan, Operator>): Operator {
  if (plan.n === 'aggregate') {
    // The operator the plain builder makes (a ColumnarAggOp runs its own input plan on the row path), with its inputs measured.
    const col = buildColumnarAggregate(plan, (k) => buildInstrumented(k, stats, ops));
    if (col) {
      ops?.set(plan, col);
      const s: NodeStats = { rows: 0, loops: 0, firstMs: 0, totalMs: 0 };
      stats.set(plan, s);
      return new Instrumented(col, s);
    }
  }
  const kids = planChildren(plan);
  const stubs = kids.map((k) => ({ n: 'prebuilt', cols: k.cols, op: buildInstrumented(k, stats, ops) }) as unknown as Plan);
  const op = buildOperator(kids.length > 0 ? withChildren(plan, stubs) : plan);
  ops?.set(plan, op);
  const s: NodeStats = { rows: 0, loops: 0, firstMs: 0, totalMs: 0 };
  stats.set(plan, s);
  return new Instrumented(op, s);
}

/**
 * For each aggregate of the operator tree (not subplans: they run through a
 * synchronous driver, which always takes the row path) that the executor
 * would try as a vector program: null when the column cache would serve it
 * now, else why the row path will run. The decision ops_colagg.ts makes at
 * run time, taken without building anything.
 */
async function predictColumnar(ctx: ExecContext, plan: Plan): Promise<Map<Plan, string | null>> {
  const out = new Map<Plan, string | null>();
  const walk = async (p: Plan): Promise<void> => {
    if (p.n === 'aggregate') {
      const shape = columnarShape(p);
      if (shape) {
        out.set(p, execKernels() === null ? 'exec kernels not loaded' : await colCacheDeclineReason(ctx, shape.tableOid, shape.needed));
      }
    }
    for (const k of planChildren(p)) await walk(k);
  };
  await walk(plan);
  return out;
}

interface Options {
  analyze: boolean;
  verbose: boolean;
  costs: boolean;
  bytecode: boolean;
}

function optionValue(o: A.SqlOption): boolean {
  const v = o.value;
  if (!v) return true;
  const text = v.kind === 'column' ? v.name[0]!.value : v.kind === 'string' ? v.value : v.kind === 'number' ? v.value : v.kind === 'boolean' ? String(v.value) : '';
  const t = text.toLowerCase();
  if (['on', 'true', '1', 'yes'].includes(t)) return true;
  if (['off', 'false', '0', 'no'].includes(t)) return false;
  throw new SbError(SqlState.invalid_parameter_value, `${o.name} requires a Boolean value`);
}

function parseOptions(stmt: A.Explain): Options {
  const o: Options = { analyze: !!stmt.analyze, verbose: !!stmt.verbose, costs: true, bytecode: false };
  for (const opt of stmt.options ?? []) {
    const name = opt.name.toLowerCase();
    switch (name) {
      case 'analyze':
      case 'analyse':
        o.analyze = optionValue(opt);
        break;
      case 'verbose':
        o.verbose = optionValue(opt);
        break;
      case 'costs':
        o.costs = optionValue(opt);
        break;
      case 'bytecode':
        o.bytecode = optionValue(opt);
        break;
      case 'buffers':
      case 'timing':
      case 'summary':
      case 'settings':
      case 'wal':
        optionValue(opt);
        break;
      case 'format': {
        const v = opt.value;
        const f = v?.kind === 'column' ? v.name[0]!.value.toLowerCase() : v?.kind === 'string' ? v.value.toLowerCase() : '';
        if (f !== 'text') throw new SbError(SqlState.feature_not_supported, `EXPLAIN format "${f}" is not supported yet`, { hint: 'FORMAT TEXT is.' });
        break;
      }
      default:
        throw new SbError(SqlState.syntax_error, `unrecognized EXPLAIN option "${name}"`);
    }
  }
  return o;
}

export async function runExplain(s: Session, stmt: A.Explain, sql: string): Promise<QueryResult> {
  const opts = parseOptions(stmt);
  const inner = stmt.statement;
  if (!isBindable(inner) || !['select', 'insert', 'update', 'delete'].includes(inner.kind)) {
    throw new SbError(SqlState.feature_not_supported, `EXPLAIN of ${inner.kind.replace(/_/g, ' ').toUpperCase()} is not supported`);
  }
  const autocommit = !s.tx.inBlock();
  const txn = s.tx.ensureTxn();
  s.tx.started = true;
  txn.beginStatement();
  if (txn.isolation === 'read committed') txn.refreshSnapshot();
  try {
    const ev = s.evalContext();
    const t0 = now();
    const { bound, compiled } = compileStatement(s, inner, sql, [], [], ev, txn);
    const planningMs = now() - t0;
    if (bound.kind !== 'plan' || !compiled) throw new SbError(SqlState.feature_not_supported, 'EXPLAIN needs a query');
    const plan = bound.plan;
    const env = plannerEnv(s, txn, ev);
    const ctx = s.execContext(txn, s.catalog(), [], ev);
    // The path each columnar-capable aggregate will take; with ANALYZE, the path it took.
    const rowPathBecause = await predictColumnar(ctx, plan);
    let actual: Map<Plan, NodeStats> | undefined;
    let execMs = 0;
    if (opts.analyze) {
      await s.lockPlanTables(plan, txn, ev);
      actual = new Map();
      const ops = new Map<Plan, Operator>();
      const op = buildInstrumented(plan, actual, ops);
      const t1 = now();
      await drain(ctx, op, () => {});
      execMs = now() - t1;
      if (plan.n === 'modify') noteModified(s, plan, (op as Instrumented).count);
      const neverRan = (p: Plan): void => {
        actual!.set(p, { rows: 0, loops: 0, firstMs: 0, totalMs: 0 });
        for (const k of planChildren(p)) neverRan(k);
      };
      for (const [p, o] of ops) {
        if (o instanceof ColumnarAggOp && o.ranRowPathBecause !== undefined) {
          rowPathBecause.set(p, o.ranRowPathBecause);
          // The vector program read the column cache: the row path's scan was opened but never read.
          if (o.ranRowPathBecause === null && p.n === 'aggregate') neverRan(p.input);
        } else if (p.n === 'aggregate' && !(o instanceof ColumnarAggOp)) rowPathBecause.delete(p);
      }
    }
    const aggregateLabel = (p: Plan): string | null => (rowPathBecause.has(p) && rowPathBecause.get(p) === null ? 'Columnar Aggregate' : null);
    // VERBOSE: why an aggregate the executor could run columnar takes (took) the row path.
    const aggregateDetail = (p: Plan): string | null => {
      const why = rowPathBecause.get(p);
      return opts.verbose && typeof why === 'string' ? `Columnar: no (${why})` : null;
    };
    const lines = explainPlan(env, plan, { costs: opts.costs, verbose: opts.verbose, aggregateLabel, aggregateDetail, ...(actual ? { actual } : {}) });
    if (opts.verbose) lines.push(`Bytecode: ${compiled.bytes.length} bytes, hash ${compiled.hash}${compiled.cached ? ' (plan cache hit)' : ''}`);
    if (opts.analyze) {
      lines.push(`Planning Time: ${planningMs.toFixed(3)} ms`);
      lines.push(`Execution Time: ${execMs.toFixed(3)} ms`);
    }
    if (opts.bytecode) {
      lines.push('Bytecode:');
      for (const l of disassemble(compiled.bytes)) lines.push(`  ${l}`);
    }
    txn.endStatement();
    if (autocommit) await s.tx.commit();
    return {
      command: 'EXPLAIN', rowCount: lines.length,
      fields: [{ name: 'QUERY PLAN', typeOid: 25, type: T.text, typmod: -1 }],
      rows: lines.map((l) => [l]),
    };
  } catch (e) {
    txn.endStatement();
    if (autocommit) await s.tx.rollback();
    else s.tx.failed = true;
    throw e;
  }
}
