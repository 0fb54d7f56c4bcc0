// The table locks a plan takes before it runs, as PostgreSQL takes them
// while it analyses a query: ACCESS SHARE on each table it reads, ROW SHARE
// on each table it locks rows of (FOR UPDATE / FOR SHARE), ROW EXCLUSIVE on
// the table it modifies (store/table_locks.ts). One lock per table, the
// strongest: the conflicts of these three modes nest, so the strongest
// blocks whatever the weaker ones would.
//
// Session.lockPlanTables takes them; a plan's list is found once (subqueries
// in expressions, CTEs and views included) and kept with the plan.

import type { Plan } from '../plan/nodes.ts';
import { TableLockMode } from '../store/table_locks.ts';

export interface PlanTableLock {
  oid: number;
  mode: TableLockMode;
}

const cache = new WeakMap<Plan, readonly PlanTableLock[]>();

/** The table locks `plan` takes (cached per plan). */
export function planTableLocks(plan: Plan): readonly PlanTableLock[] {
  let locks = cache.get(plan);
  if (locks === undefined) cache.set(plan, (locks = collect(plan)));
  return locks;
}

function collect(plan: Plan): PlanTableLock[] {
  const modes = new Map<number, TableLockMode>();
  const want = (oid: number, mode: TableLockMode): void => {
    if ((modes.get(oid) ?? 0) < mode) modes.set(oid, mode);
  };
  const seen = new Set<object>();
  const visit = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || seen.has(v)) return;
    seen.add(v);
    if (Array.isArray(v)) {
      for (const x of v) visit(x);
      return;
    }
    const o = v as Record<string, unknown>;
    if (o.n === 'scan' && typeof o.tableOid === 'number') want(o.tableOid, o.forUpdate === true ? TableLockMode.RowShare : TableLockMode.AccessShare);
    else if (o.n === 'modify' && typeof o.tableOid === 'number') want(o.tableOid, TableLockMode.RowExclusive);
    for (const k in o) {
      const x = o[k];
      if (typeof x === 'object' && x !== null && k !== 'type' && k !== 'cols') visit(x);
    }
  };
  visit(plan);
  return [...modes].map(([oid, mode]) => ({ oid, mode }));
}
