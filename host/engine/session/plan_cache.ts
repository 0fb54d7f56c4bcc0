// Statement compilation with a plan cache:
//
//   text --parse--> AST --bind--> plan --planQuery--> optimised plan
//        --encodePlan--> SBLR bytes --decodePlan--> the plan the executor runs
//
// Per database (keyed by its shared core):
//   - parsed scripts by SQL text (so a repeated statement skips the parser);
//   - compiled statements per AST node and bind context (catalog version,
//     user, search_path and the settings literals are read with, parameter
//     types): a hit skips bind, plan and encode — PREPARE/EXECUTE and
//     repeated identical statements hit;
//   - decoded programs by bytecode hash (the runtime template).
// A statement whose binding read the clock or random state (CURRENT_TIMESTAMP
// folds to a constant at bind time), raised a notice, or saw uncommitted DDL
// is not cached. Committed DDL and ANALYZE bump the catalog version, which is
// part of the key, so stale plans are never found again.

import type * as A from '../../../sql-dialects/index.ts';
import { parse, type Dialect } from '../../../sql-dialects/index.ts';
import { bindStatement, type BoundStatement } from '../bind/index.ts';
import type { Plan } from '../plan/nodes.ts';
import { planQuery, type PlannerEnv } from '../plan/planner.ts';
import { INITIAL_COUNT_MAX, RowCounts, tableStats } from '../plan/stats.ts';
import { decodePlan, encodePlan } from '../compile/index.ts';
import { bytecodeHash } from '../compile/sblr.ts';
import type { SbError } from '../sb_error.ts';
import type { Txn } from '../store/index.ts';
import type { EvalContext } from '../functions/context.ts';
import type { TypeContext } from '../types/context.ts';
import type { SqlType } from '../types/types.ts';
import { typeKey } from '../functions/registry.ts';
import type { DatabaseCore } from './result.ts';
import type { Session } from './session.ts';
import { bytesEqual } from '../types/compare.ts';

/** Bounds of the caches (entries), oldest evicted first. */
export const PARSE_CACHE_MAX = 512;
export const PLAN_CACHE_MAX = 1024;

export type PlanStatement = Extract<BoundStatement, { kind: 'plan' }>;

export interface Compiled {
  bound: PlanStatement;
  paramTypes: Array<SqlType | undefined>;
  bytes: Uint8Array;
  hash: string;
  /** The binder's plan before optimisation (EXPLAIN VERBOSE compares). */
  cached: boolean;
}

export interface PlanCacheStats {
  hits: number;
  misses: number;
  /** Statements that could not be cached (clock/random at bind time, notices, uncommitted DDL). */
  uncacheable: number;
  parseHits: number;
  entries: number;
  programs: number;
}

class DbPlanState {
  readonly rowCounts = new RowCounts();
  readonly parsed = new Map<string, A.Statement[]>();
  readonly compiled = new WeakMap<A.Statement, Map<string, Compiled>>();
  compiledCount = 0;
  /** Decoded programs by bytecode hash, with their bytes (a hash match is confirmed byte for byte). */
  readonly programs = new Map<string, { bytes: Uint8Array; plan: Plan }>();
  readonly stats: Omit<PlanCacheStats, 'entries' | 'programs'> = { hits: 0, misses: 0, uncacheable: 0, parseHits: 0 };
}

const states = new WeakMap<DatabaseCore, DbPlanState>();

export function planState(core: DatabaseCore): DbPlanState {
  let s = states.get(core);
  if (!s) states.set(core, (s = new DbPlanState()));
  return s;
}

/** Plan cache counters of a database (also `SELECT * FROM sb_plan_cache()`-style reporting). */
export function planCacheStats(core: DatabaseCore): PlanCacheStats {
  const s = planState(core);
  return { ...s.stats, entries: s.compiledCount, programs: s.programs.size };
}

/** Parses a script, reusing the AST of the same text. */
export function parseCached(core: DatabaseCore, sql: string, dialect: Dialect): A.Statement[] {
  const st = planState(core);
  const hit = st.parsed.get(sql);
  if (hit) {
    st.stats.parseHits++;
    st.parsed.delete(sql);
    st.parsed.set(sql, hit);
    return hit;
  }
  const stmts = parse(sql, dialect);
  st.parsed.set(sql, stmts);
  if (st.parsed.size > PARSE_CACHE_MAX) st.parsed.delete(st.parsed.keys().next().value!);
  return stmts;
}

/** The planner's view of a session's database: the catalog, row counts, folding context. */
export function plannerEnv(s: Session, txn: Txn, ev: EvalContext): PlannerEnv {
  const catalog = s.catalog();
  const st = planState(s.core);
  return {
    catalog,
    ev,
    tableRows(oid: number): number {
      const known = st.rowCounts.get(oid);
      if (known !== undefined) return known;
      const stats = tableStats(catalog, oid);
      if (stats) {
        st.rowCounts.set(oid, stats.rows);
        return stats.rows;
      }
      // Never analyzed nor counted in this process: count (bounded) once.
      let n = 0;
      try {
        const ctx = s.execContext(txn, catalog, [], ev);
        const ks = ctx.tables.get(oid).ks;
        const c = txn.scan(ks, {});
        while (n < INITIAL_COUNT_MAX && c.next()) n++;
      } catch {
        return 1000;
      }
      st.rowCounts.set(oid, n);
      return n;
    },
  };
}

/**
 * A session's bind context (catalog, settings version, user) and its key
 * text, made again only when one of them changes, with the statements found
 * compiled under it: a repeated statement (prepared, or any of the few a
 * workload cycles through) is found by its AST and its parameter types,
 * with no key string built. Kept on the session.
 */
export interface KeyMemo {
  catalog: unknown;
  settingsVersion: number;
  user: string;
  /** contextKey() without the parameter types. */
  context: string;
  /** Hits under this context by statement, with the parameter types they were found for. */
  byStmt: WeakMap<A.Statement, { types: SqlType[]; hit: HitResult }>;
  /** The last of them (one comparison for a statement run again and again). */
  stmt: A.Statement | undefined;
  types: SqlType[];
  hit: HitResult | undefined;
}

function memoOf(s: Session, catalog: unknown): KeyMemo {
  const m = s.planKeyMemo;
  if (m !== undefined && m.catalog === catalog && m.settingsVersion === s.settings.version && m.user === s.user.name) return m;
  return (s.planKeyMemo = {
    catalog, settingsVersion: s.settings.version, user: s.user.name, context: contextText(s), byStmt: new WeakMap(),
    stmt: undefined, types: [], hit: undefined,
  });
}

function sameTypes(a: readonly SqlType[], b: readonly SqlType[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function contextText(s: Session): string {
  const g = (k: string) => s.settings.get(k) ?? '';
  return [s.catalog().version, s.user.name, g('search_path'), g('TimeZone'), g('DateStyle'), g('IntervalStyle'), g('extra_float_digits')].join('\u0001');
}

function typesText(paramTypes: Array<SqlType | undefined>): string {
  let t = '';
  for (let i = 0; i < paramTypes.length; i++) {
    const p = paramTypes[i];
    t += (i > 0 ? ',' : '') + (p ? typeKey(p) + ':' + p.typmod : '?');
  }
  return t;
}

/** The session's bind-context memo (the same object while the catalog, settings and user are). */
export function contextMemo(s: Session): KeyMemo {
  return memoOf(s, s.catalog());
}

/** The plan cache key of a statement's bind context: the catalog version, user, search_path, the settings literals are read with, the parameter types. */
export function contextKey(s: Session, paramTypes: Array<SqlType | undefined>): string {
  const m = memoOf(s, s.catalog());
  return m.context + '\u0001' + typesText(paramTypes);
}

/** What a cache hit returns, made once per entry (callers only read it). */
type HitResult = { bound: BoundStatement; paramTypes: Array<SqlType | undefined>; compiled: Compiled };
const hitResults = new WeakMap<Compiled, HitResult>();

const VOLATILE_CONTEXT = new Set(['now', 'transactionTimestamp', 'statementTimestamp', 'clockTimestamp', 'random', 'setSeed', 'randomBytes', 'currentXactId', 'currentXactIdIfAssigned', 'setting', 'setSetting']);

/**
 * Binds, plans and compiles a statement, or finds it compiled. DDL comes back
 * bound (it is not cached). The executor runs `bound.plan`, decoded from the bytes.
 */
export function compileStatement(
  s: Session, stmt: A.Statement, sql: string, paramTypes: SqlType[], notices: SbError[], ev: EvalContext & TypeContext, txn: Txn,
): { bound: BoundStatement; paramTypes: Array<SqlType | undefined>; compiled?: Compiled } {
  const st = planState(s.core);
  const catalog = s.catalog();
  const cacheable = catalog === s.core.catalog.current();
  const memo = memoOf(s, catalog);
  let key: string | undefined;
  if (cacheable) {
    // The same statement as last time, or one found before under this context: the same entry (entries are never replaced while they hit).
    if (memo.stmt === stmt && memo.hit !== undefined && sameTypes(memo.types, paramTypes)) {
      st.stats.hits++;
      return memo.hit;
    }
    const seen = memo.byStmt.get(stmt);
    if (seen !== undefined && sameTypes(seen.types, paramTypes)) {
      st.stats.hits++;
      memo.stmt = stmt;
      memo.types = seen.types;
      memo.hit = seen.hit;
      return seen.hit;
    }
    key = memo.context + '\u0001' + typesText(paramTypes);
    const hit = st.compiled.get(stmt)?.get(key);
    if (hit) {
      st.stats.hits++;
      let r = hitResults.get(hit);
      if (r === undefined) hitResults.set(hit, (r = { bound: hit.bound, paramTypes: hit.paramTypes.slice(), compiled: { ...hit, cached: true } }));
      const types = paramTypes.slice();
      memo.byStmt.set(stmt, { types, hit: r });
      memo.stmt = stmt;
      memo.types = types;
      memo.hit = r;
      return r;
    }
  }
  // Bind, noticing whether the binder read anything that changes per execution.
  let volatileBind = false;
  const watched = new Proxy(ev, {
    get(target, prop, receiver) {
      if (typeof prop === 'string' && VOLATILE_CONTEXT.has(prop)) volatileBind = true;
      return Reflect.get(target, prop, receiver);
    },
  });
  const env = s.bindEnv(sql, [...paramTypes], notices, watched);
  const ts = env.txnTimestamp;
  Object.defineProperty(env, 'txnTimestamp', {
    get() {
      volatileBind = true;
      return ts;
    },
  });
  const noticesBefore = notices.length;
  const bound = bindStatement(env, stmt);
  if (bound.kind !== 'plan') return { bound, paramTypes: env.paramTypes };
  const compiled = compilePlan(s, bound, env.paramTypes, txn, ev);
  if (cacheable && !volatileBind && notices.length === noticesBefore) {
    st.stats.misses++;
    let m = st.compiled.get(stmt);
    if (!m) st.compiled.set(stmt, (m = new Map()));
    if (!m.has(key!)) st.compiledCount++;
    m.set(key!, compiled);
  } else st.stats.uncacheable++;
  return { bound: compiled.bound, paramTypes: env.paramTypes, compiled };
}

/** Plans, encodes and decodes a bound statement (the decoded plan is what runs). */
export function compilePlan(s: Session, bound: PlanStatement, paramTypes: Array<SqlType | undefined>, txn: Txn, ev: EvalContext): Compiled {
  const st = planState(s.core);
  const optimised = planQuery(plannerEnv(s, txn, ev), bound.plan);
  const bytes = encodePlan(optimised);
  const hash = bytecodeHash(bytes);
  const hit = st.programs.get(hash);
  let program: Plan;
  if (hit !== undefined && bytesEqual(hit.bytes, bytes)) program = hit.plan;
  else {
    // A miss, or another program with the same 53-bit hash: decode ours (it replaces the other).
    program = decodePlan(bytes);
    st.programs.set(hash, { bytes, plan: program });
    if (st.programs.size > PLAN_CACHE_MAX) st.programs.delete(st.programs.keys().next().value!);
  }
  return { bound: { ...bound, plan: program }, paramTypes: [...paramTypes], bytes, hash, cached: false };
}

/** After a DML statement: its committed row-count change feeds the planner's estimates. */
export function noteModified(s: Session, plan: Plan, count: number): void {
  if (plan.n !== 'modify' || plan.op === 'update' || count === 0) return;
  const delta = plan.op === 'insert' ? count : -count;
  const oid = plan.tableOid;
  const counts = planState(s.core).rowCounts;
  s.tx.atCommit(() => {
    counts.add(oid, delta);
    return Promise.resolve();
  });
}

