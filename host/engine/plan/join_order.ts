// Join ordering and join methods.
//
// A tree of inner / cross joins (no LATERAL, the usual left ++ right row) is
// flattened into its relations and its conjuncts (the ON conditions and the
// hash keys, over the cluster's row). Relations are then joined greedily:
// first the connected pair with the smallest estimated result, then at each
// step the relation that keeps the intermediate result smallest, preferring
// relations connected by a condition to cross products. Each new join puts the
// smaller input on the right (the build side of a hash join). Each conjunct
// is attached at the lowest join that has all its columns; an equality between
// the two sides of one type becomes a hash key. A projection on top restores
// the cluster's column order, so nothing above notices.
//
// Method: hash join when there are equality keys, else nested loop.

import type { ColInfo, Expr, Plan } from './nodes.ts';
import { conjuncts } from './access.ts';
import { estimateRows, distinctOf, type PlanEnv, selectivity } from './estimate.ts';
import { andOf } from './pushdown.ts';
import { colsUsed, mapPlan, movable, remapCols, shiftCols } from './walk.ts';

type Join = Extract<Plan, { n: 'join' }>;

/** Relations above which greedy ordering stops trying (the join binder's FROM lists are small). */
export const JOIN_RELATIONS_MAX = 12;

interface Leaf {
  plan: Plan;
  offset: number;
  width: number;
  rows: number;
}

type Conj = { kind: 'expr'; e: Expr; leaves: Set<number> } | { kind: 'keys'; l: Expr; r: Expr; leaves: Set<number>; lLeaves: Set<number>; rLeaves: Set<number> };

function reorderable(p: Plan): p is Join {
  return p.n === 'join' && (p.type === 'inner' || p.type === 'cross') && !p.lateral && p.cols.length === p.left.cols.length + p.right.cols.length;
}

export function orderJoins(env: PlanEnv, p: Plan): Plan {
  if (!reorderable(p)) {
    const q = mapPlan(p, (c) => orderJoins(env, c));
    return q.n === 'join' ? withKeys(q) : q;
  }
  const leaves: Leaf[] = [];
  const conj: Array<{ kind: 'expr'; e: Expr } | { kind: 'keys'; l: Expr; r: Expr }> = [];
  let ok = true;
  const flatten = (x: Plan, offset: number): void => {
    if (reorderable(x)) {
      const lw = x.left.cols.length;
      flatten(x.left, offset);
      flatten(x.right, offset + lw);
      if (x.cond) for (const c of conjuncts(x.cond)) conj.push({ kind: 'expr', e: shiftCols(c, offset) });
      x.leftKeys.forEach((k, i) => conj.push({ kind: 'keys', l: shiftCols(k, offset), r: shiftCols(x.rightKeys[i]!, offset + lw) }));
      return;
    }
    const plan = orderJoins(env, x);
    leaves.push({ plan, offset, width: x.cols.length, rows: Math.max(1, estimateRows(env, plan)) });
  };
  flatten(p, 0);
  if (leaves.length > JOIN_RELATIONS_MAX) ok = false;
  const leafOf = (i: number): number => leaves.findIndex((l) => i >= l.offset && i < l.offset + l.width);
  const leafSet = (e: Expr): Set<number> => new Set([...colsUsed(e)].map(leafOf));
  const conjs: Conj[] = conj.map((c) => {
    if (c.kind === 'expr') {
      if (!movable(c.e)) ok = false;
      return { kind: 'expr', e: c.e, leaves: leafSet(c.e) };
    }
    const lLeaves = leafSet(c.l);
    const rLeaves = leafSet(c.r);
    if (lLeaves.size !== 1 || rLeaves.size !== 1) ok = false;
    return { kind: 'keys', l: c.l, r: c.r, lLeaves, rLeaves, leaves: new Set([...lLeaves, ...rLeaves]) };
  });
  if (!ok || leaves.length < 2) {
    const q = rebuildAsIs(p, leaves);
    return q.n === 'join' ? withKeys(q) : q;
  }
  const globalCols: ColInfo[] = p.cols;

  const sel = (c: Conj): number => {
    if (c.kind === 'expr') return selectivity(env, globalCols, c.e);
    const a = refOf(globalCols, c.l);
    const b = refOf(globalCols, c.r);
    return 1 / Math.max((a && distinctOf(env, a)) ?? 200, (b && distinctOf(env, b)) ?? 200);
  };
  const connecting = (a: Set<number>, b: Set<number>): Conj[] =>
    conjs.filter((c) => [...c.leaves].some((l) => b.has(l)) && [...c.leaves].some((l) => a.has(l)) && [...c.leaves].every((l) => a.has(l) || b.has(l)));

  interface Sub { plan: Plan; set: Set<number>; rows: number; map: Map<number, number> }
  const leafSub = (i: number): Sub => {
    const l = leaves[i]!;
    const map = new Map<number, number>();
    for (let k = 0; k < l.width; k++) map.set(l.offset + k, k);
    return { plan: l.plan, set: new Set([i]), rows: l.rows, map };
  };
  const joinRows = (a: Sub, b: Sub): { rows: number; conns: Conj[] } => {
    const conns = connecting(a.set, b.set);
    let s = 1;
    for (const c of conns) s *= sel(c);
    return { rows: Math.max(1, a.rows * b.rows * s), conns };
  };
  const placed = new Set<Conj>();
  const make = (a: Sub, b: Sub): Sub => {
    // The smaller input is the right (build) side.
    const [L, R] = b.rows <= a.rows ? [a, b] : [b, a];
    const { rows, conns } = joinRows(L, R);
    const lw = L.plan.cols.length;
    const map = new Map(L.map);
    for (const [g, i] of R.map) map.set(g, i + lw);
    const local = (e: Expr, m: Map<number, number>): Expr => remapCols(e, (i, c) => ({ ...c, index: m.get(i)! }));
    const leftKeys: Expr[] = [];
    const rightKeys: Expr[] = [];
    const cond: Expr[] = [];
    for (const c of conns) {
      if (placed.has(c)) continue;
      placed.add(c);
      if (c.kind === 'keys') {
        const lInL = [...c.lLeaves].every((x) => L.set.has(x));
        leftKeys.push(local(lInL ? c.l : c.r, L.map));
        rightKeys.push(local(lInL ? c.r : c.l, R.map));
      } else cond.push(local(c.e, map));
    }
    const j: Join = {
      n: 'join', cols: [...L.plan.cols, ...R.plan.cols], type: 'inner', method: 'nested', left: L.plan, right: R.plan, leftKeys, rightKeys,
    };
    const c = andOf(cond);
    if (c) j.cond = c;
    return { plan: withKeys(j), set: new Set([...L.set, ...R.set]), rows, map };
  };

  let remaining = leaves.map((_, i) => leafSub(i));
  // Conjuncts over no column (constants) go on the first join.
  const first = ((): [number, number] => {
    let best: [number, number] = [0, 1];
    let bestRows = Infinity;
    let bestConnected = false;
    for (let i = 0; i < remaining.length; i++) {
      for (let k = i + 1; k < remaining.length; k++) {
        const { rows, conns } = joinRows(remaining[i]!, remaining[k]!);
        const connected = conns.length > 0;
        if ((connected && !bestConnected) || (connected === bestConnected && rows < bestRows)) {
          best = [i, k];
          bestRows = rows;
          bestConnected = connected;
        }
      }
    }
    return best;
  })();
  let cur = make(remaining[first[0]]!, remaining[first[1]]!);
  for (const c of conjs) if (c.leaves.size === 0 && !placed.has(c) && c.kind === 'expr') {
    placed.add(c);
    const j = cur.plan as Join;
    cur.plan = { ...j, cond: andOf([...(j.cond ? [j.cond] : []), c.e])! };
  }
  remaining = remaining.filter((_, i) => i !== first[0] && i !== first[1]);
  while (remaining.length > 0) {
    let bi = 0;
    let bestRows = Infinity;
    let bestConnected = false;
    remaining.forEach((s, i) => {
      const { rows, conns } = joinRows(cur, s);
      const connected = conns.length > 0;
      if ((connected && !bestConnected) || (connected === bestConnected && rows < bestRows)) {
        bi = i;
        bestRows = rows;
        bestConnected = connected;
      }
    });
    cur = make(cur, remaining[bi]!);
    remaining = remaining.filter((_, i) => i !== bi);
  }
  // Restore the cluster's column order.
  const identity = [...cur.map].every(([g, l]) => g === l);
  if (identity) return cur.plan;
  return {
    n: 'project', cols: p.cols, input: cur.plan,
    exprs: p.cols.map((c, g) => ({ k: 'col', type: cur.plan.cols[cur.map.get(g)!]?.type ?? c.type, index: cur.map.get(g)! }) as Expr),
  };
}

function refOf(cols: ColInfo[], e: Expr): { tableOid: number; attnum: number } | undefined {
  if (e.k !== 'col') return undefined;
  const c = cols[e.index];
  return c?.tableOid !== undefined && c.attnum !== undefined ? { tableOid: c.tableOid, attnum: c.attnum } : undefined;
}

/** Puts the (already ordered) leaves back in the original shape. */
function rebuildAsIs(p: Plan, leaves: Leaf[]): Plan {
  let i = 0;
  const walk = (x: Plan): Plan => {
    if (reorderable(x)) return { ...x, left: walk(x.left), right: walk(x.right) };
    return leaves[i++]!.plan;
  };
  return walk(p);
}

/** Turns `l = r` conjuncts of the condition (one side each, same type) into hash keys; picks the method. */
export function withKeys(j: Join): Join {
  if (j.lateral || j.type === 'full') return j;
  const lw = j.left.cols.length;
  const leftKeys = [...j.leftKeys];
  const rightKeys = [...j.rightKeys];
  const rest: Expr[] = [];
  const concat = j.cols.length === lw + j.right.cols.length || j.type === 'semi' || j.type === 'anti';
  for (const c of j.cond && concat ? conjuncts(j.cond) : []) {
    if (c.k === 'op' && c.op === '=' && c.args.length === 2 && movable(c)) {
      const [a, b] = c.args as [Expr, Expr];
      const ua = [...colsUsed(a)];
      const ub = [...colsUsed(b)];
      const leftOnly = (u: number[]) => u.length > 0 && u.every((i) => i < lw);
      const rightOnly = (u: number[]) => u.length > 0 && u.every((i) => i >= lw);
      if (a.type.id === b.type.id && a.type.id !== 'record' && a.type.id !== 'array') {
        if (leftOnly(ua) && rightOnly(ub)) {
          leftKeys.push(a);
          rightKeys.push(shiftCols(b, -lw));
          continue;
        }
        if (rightOnly(ua) && leftOnly(ub)) {
          leftKeys.push(b);
          rightKeys.push(shiftCols(a, -lw));
          continue;
        }
      }
    }
    rest.push(c);
  }
  const out: Join = { ...j, leftKeys, rightKeys, method: leftKeys.length > 0 ? 'hash' : j.method === 'hash' ? 'nested' : j.method };
  delete out.cond;
  const cond = j.cond && !concat ? j.cond : andOf(rest);
  if (cond) out.cond = cond;
  return out;
}
