// SELECT ... FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE [OF name, ...]:
// which FROM tables lock the rows they return. The scans of those tables get
// forUpdate (exec/ops_scan.ts locks each row they return, as PostgreSQL's
// LockRows node does). As in PostgreSQL's transformLockingClause: without
// OF every table of the FROM clause (joins and FROM subqueries included; not
// functions, CTEs or subqueries in WHERE) is locked; OF names FROM items by
// their alias (42P01 when none matches), a join alias or a function is
// 0A000; a locked table on the nullable side of an outer join is 0A000.

import type * as A from '../../../sql-dialects/index.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { LockStrength, Plan } from '../plan/nodes.ts';
import { type BindEnv, fold } from './context.ts';
import { lookupRelation } from './names.ts';

/** A FROM item's name: the tables it locks (oids), or 'all' (a subquery: every table in it). */
type Target = number[] | 'all' | { refused: string };

/** Marks the scans of the locked tables of a query with a locking clause. */
export function markLockedScans(env: BindEnv, stmt: A.Query, plan: Plan): void {
  const clauses = stmt.locking ?? [];
  if (clauses.length === 0) return;
  const what = `FOR ${clauses[0]!.strength}`;
  let oids: Set<number> | null = null;
  if (clauses.every((c) => (c.of?.length ?? 0) > 0)) {
    const items = new Map<string, Target>();
    if (stmt.body.kind === 'select_core') for (const r of stmt.body.from ?? []) collectItems(env, r, items);
    const chosen = new Set<number>();
    let all = false;
    for (const c of clauses) {
      for (const q of c.of!) {
        const name = fold(env, q[q.length - 1]!);
        const t = items.get(name);
        if (t === undefined) throw new SbError(SqlState.undefined_table, `relation "${name}" in ${what} clause not found in FROM clause`);
        if (t === 'all') all = true;
        else if (Array.isArray(t)) t.forEach((o) => chosen.add(o));
        else throw new SbError(SqlState.feature_not_supported, `${what} cannot be applied to ${t.refused}`);
      }
    }
    if (!all) oids = chosen;
  }
  // PostgreSQL: the strongest policy of the clauses wins (NOWAIT over SKIP LOCKED over waiting).
  const wait = clauses.some((c) => c.wait === 'NOWAIT') ? 'nowait' : clauses.some((c) => c.wait === 'SKIP LOCKED') ? 'skip' : undefined;
  // The strongest lock of the clauses, for every locked table (PostgreSQL takes the strongest per table; a
  // table named by a weaker clause only gets a stronger lock here).
  const rank: LockStrength[] = ['update', 'nokey', 'share', 'keyshare'];
  const strength = clauses.map((c) => strengthOf(c.strength)).reduce((a, b) => (rank.indexOf(a) <= rank.indexOf(b) ? a : b));
  mark(plan, oids, false, what, wait, strength);
}

function strengthOf(s: A.Locking['strength']): LockStrength {
  switch (s) {
    case 'NO KEY UPDATE':
      return 'nokey';
    case 'SHARE':
    case 'LOCK IN SHARE MODE':
      return 'share';
    case 'KEY SHARE':
      return 'keyshare';
    default:
      return 'update'; // FOR UPDATE, Firebird's WITH LOCK
  }
}

function collectItems(env: BindEnv, r: A.TableRef, out: Map<string, Target>): void {
  switch (r.kind) {
    case 'table': {
      const name = r.alias ? fold(env, r.alias.name) : fold(env, r.name[r.name.length - 1]!);
      let rel;
      try {
        rel = lookupRelation(env, r.name);
      } catch {
        rel = undefined;
      }
      // A CTE or a view: its rows come from elsewhere (a view's tables are locked through it: every table).
      out.set(name, rel?.kind === 'table' ? [rel.oid] : rel === undefined ? { refused: 'a WITH query' } : 'all');
      return;
    }
    case 'derived':
      if (r.alias) out.set(fold(env, r.alias.name), 'all');
      return;
    case 'table_func':
      if (r.alias) out.set(fold(env, r.alias.name), { refused: 'a function' });
      return;
    case 'join':
      collectItems(env, r.left, out);
      collectItems(env, r.right, out);
      return;
    case 'nested_join':
      collectItems(env, r.table, out);
      if (r.alias) out.set(fold(env, r.alias.name), { refused: 'a join' });
      return;
  }
}

function mark(plan: Plan, oids: Set<number> | null, nullable: boolean, what: string, wait: 'nowait' | 'skip' | undefined, strength: LockStrength): void {
  switch (plan.n) {
    case 'scan':
      if (oids !== null && !oids.has(plan.tableOid)) return;
      if (nullable) throw new SbError(SqlState.feature_not_supported, `${what} cannot be applied to the nullable side of an outer join`);
      plan.forUpdate = true;
      if (wait) plan.lockWait = wait;
      if (strength !== 'update') plan.lockStrength = strength;
      return;
    case 'join':
      mark(plan.left, oids, nullable || plan.type === 'right' || plan.type === 'full', what, wait, strength);
      if (plan.type !== 'semi' && plan.type !== 'anti') mark(plan.right, oids, nullable || plan.type === 'left' || plan.type === 'full', what, wait, strength);
      return;
    case 'with':
      mark(plan.body, oids, nullable, what, wait, strength);
      return;
    case 'filter':
    case 'project':
    case 'sort':
    case 'limit':
      mark(plan.input, oids, nullable, what, wait, strength);
      return;
    case 'subquery_scan':
      // A FROM subquery: every table in it (PostgreSQL applies the clause inside it); with OF only when named
      // (naming one makes oids null: everything is locked, a superset).
      if (oids === null) mark(plan.input, null, nullable, what, wait, strength);
      return;
    default:
      return;
  }
}
