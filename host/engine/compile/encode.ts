// Plan -> SBLR bytes. Field order per node is the contract decode.ts reads.

import { SbError, SqlState } from '../sb_error.ts';
import type { ColInfo, Expr, Plan, SortKey, WindowCall } from '../plan/nodes.ts';
import { Writer } from './bytes.ts';
import { OP, SBLR_VERSION } from './sblr.ts';

export const ACCESS = ['seq', 'pk', 'index'] as const;
export const JOIN_TYPES = ['inner', 'left', 'right', 'full', 'cross', 'semi', 'anti'] as const;
export const JOIN_METHODS = ['nested', 'hash', 'merge', 'index'] as const;
export const SETOPS = ['union', 'intersect', 'except'] as const;
export const MODIFY_OPS = ['insert', 'update', 'delete'] as const;
export const CONFLICT_ACTIONS = ['nothing', 'update'] as const;
export const SUBQUERY_MODES = ['scalar', 'exists', 'array'] as const;
export const SUBLINK_MODES = ['any', 'all'] as const;
export const SEQ_FNS = ['currval', 'lastval', 'setval', 'seq_last_value', 'seq_log_cnt', 'seq_is_called'] as const;
export const WINDOW_KINDS = ['window', 'agg'] as const;
export const FRAME_UNITS = ['rows', 'range', 'groups'] as const;
export const FRAME_BOUNDS = ['unbounded_preceding', 'preceding', 'current', 'following', 'unbounded_following'] as const;
export const FRAME_EXCLUDE = ['no_others', 'current', 'group', 'ties'] as const;

function idx<T extends string>(list: readonly T[], v: T): number {
  const i = list.indexOf(v);
  if (i < 0) throw new SbError(SqlState.internal_error, `SBLR: no code for "${v}"`);
  return i;
}

/** Encodes a whole plan as an SBLR v2 program. */
export function encodePlan(plan: Plan): Uint8Array {
  const w = new Writer();
  w.op(OP.VERSION);
  w.uint(SBLR_VERSION);
  new Encoder(w).plan(plan);
  w.op(OP.END);
  return w.finish();
}

class Encoder {
  constructor(private readonly w: Writer) {}

  private opt<T>(v: T | undefined, fn: (v: T) => void): void {
    if (v === undefined) return this.w.bool(false);
    this.w.bool(true);
    fn(v);
  }

  /** Optional boolean: 0 absent, 1 false, 2 true (round trips keep absent fields absent). */
  private optBool(v: boolean | undefined): void {
    this.w.byte(v === undefined ? 0 : v ? 2 : 1);
  }

  private cols(cols: ColInfo[]): void {
    const w = this.w;
    w.uint(cols.length);
    for (const c of cols) {
      w.str(c.name);
      w.type(c.type);
      const has = c.tableOid !== undefined;
      w.bool(has);
      if (has) {
        w.uint(c.tableOid!);
        w.uint(c.attnum ?? 0);
      }
    }
  }

  private uints(v: number[]): void {
    this.w.uint(v.length);
    for (const x of v) this.w.uint(x);
  }

  exprs(list: Expr[]): void {
    this.w.uint(list.length);
    for (const e of list) this.expr(e);
  }

  private sortKeys(keys: SortKey[]): void {
    this.w.uint(keys.length);
    for (const k of keys) {
      this.expr(k.expr);
      this.w.bool(k.desc);
      this.w.bool(k.nullsFirst);
    }
  }

  plan(p: Plan): void {
    const w = this.w;
    switch (p.n) {
      case 'result':
        w.op(OP.RESULT);
        this.cols(p.cols);
        return this.exprs(p.exprs);
      case 'values':
        w.op(OP.VALUES);
        this.cols(p.cols);
        w.uint(p.rows.length);
        for (const r of p.rows) this.exprs(r);
        return;
      case 'scan':
        w.op(OP.SCAN);
        this.cols(p.cols);
        w.uint(p.tableOid);
        this.uints(p.attnums);
        w.byte(idx(ACCESS, p.access));
        this.opt(p.indexOid, (v) => w.uint(v));
        this.opt(p.bound, (b) => {
          this.exprs(b.eq);
          this.opt(b.lo, (x) => {
            this.expr(x.expr);
            w.bool(x.inclusive);
          });
          this.opt(b.hi, (x) => {
            this.expr(x.expr);
            w.bool(x.inclusive);
          });
        });
        this.optBool(p.reverse);
        this.optBool(p.withRowKey);
        this.optBool(p.forUpdate);
        // A locking scan's wait policy (low 2 bits: 0 wait, 1 NOWAIT, 2 SKIP LOCKED) and lock strength (next 2 bits:
        // 0 FOR UPDATE, 1 NO KEY UPDATE, 2 SHARE, 3 KEY SHARE); absent otherwise, so other plans keep their bytes.
        if (p.forUpdate) {
          const strength = p.lockStrength === 'nokey' ? 1 : p.lockStrength === 'share' ? 2 : p.lockStrength === 'keyshare' ? 3 : 0;
          w.byte((p.lockWait === 'nowait' ? 1 : p.lockWait === 'skip' ? 2 : 0) | (strength << 2));
        }
        return this.opt(p.filter, (e) => this.expr(e));
      case 'filter':
        w.op(OP.FILTER);
        this.cols(p.cols);
        this.plan(p.input);
        return this.expr(p.pred);
      case 'project':
        w.op(OP.PROJECT);
        this.cols(p.cols);
        this.plan(p.input);
        return this.exprs(p.exprs);
      case 'sort':
        w.op(OP.SORT);
        this.cols(p.cols);
        this.plan(p.input);
        this.sortKeys(p.keys);
        return this.opt(p.limit, (e) => this.expr(e));
      case 'limit':
        w.op(OP.LIMIT);
        this.cols(p.cols);
        this.plan(p.input);
        this.opt(p.count, (e) => this.expr(e));
        this.opt(p.offset, (e) => this.expr(e));
        return this.opt(p.withTies, (k) => this.sortKeys(k));
      case 'distinct':
        w.op(OP.DISTINCT);
        this.cols(p.cols);
        this.plan(p.input);
        return this.opt(p.on, (l) => this.exprs(l));
      case 'aggregate':
        w.op(OP.AGGREGATE);
        this.cols(p.cols);
        this.plan(p.input);
        this.exprs(p.groups);
        w.uint(p.aggs.length);
        for (const a of p.aggs) {
          w.str(a.fn);
          w.uint(a.oid);
          this.exprs(a.args);
          w.bool(a.distinct);
          w.bool(a.star);
          this.opt(a.filter, (e) => this.expr(e));
          this.opt(a.order, (k) => this.sortKeys(k));
          w.type(a.type);
        }
        return this.opt(p.groupingSets, (sets) => {
          w.uint(sets.length);
          for (const s of sets) this.uints(s);
        });
      case 'window':
        w.op(OP.WINDOW);
        this.cols(p.cols);
        this.plan(p.input);
        w.uint(p.calls.length);
        for (const c of p.calls) this.windowCall(c);
        return;
      case 'join':
        w.op(OP.JOIN);
        this.cols(p.cols);
        w.byte(idx(JOIN_TYPES, p.type));
        w.byte(idx(JOIN_METHODS, p.method));
        this.plan(p.left);
        this.plan(p.right);
        this.exprs(p.leftKeys);
        this.exprs(p.rightKeys);
        this.opt(p.cond, (e) => this.expr(e));
        return this.optBool(p.lateral);
      case 'setop':
        w.op(OP.SETOP);
        this.cols(p.cols);
        w.byte(idx(SETOPS, p.op));
        w.bool(p.all);
        this.plan(p.left);
        return this.plan(p.right);
      case 'append':
        w.op(OP.APPEND);
        this.cols(p.cols);
        w.uint(p.inputs.length);
        for (const i of p.inputs) this.plan(i);
        return;
      case 'cte_scan':
        w.op(OP.CTE_SCAN);
        this.cols(p.cols);
        return w.uint(p.cteId);
      case 'with':
        w.op(OP.WITH);
        this.cols(p.cols);
        w.uint(p.ctes.length);
        for (const c of p.ctes) {
          w.uint(c.id);
          this.plan(c.plan);
          this.opt(c.recursive, (r) => {
            this.plan(r.anchor);
            this.plan(r.step);
            w.bool(r.all);
          });
        }
        return this.plan(p.body);
      case 'function_scan':
        w.op(OP.FUNCTION_SCAN);
        this.cols(p.cols);
        w.str(p.fn);
        w.uint(p.oid);
        this.exprs(p.args);
        w.bool(p.ordinality);
        return this.opt(p.more, (more) => {
          w.uint(more.length);
          for (const f of more) {
            w.str(f.fn);
            w.uint(f.oid);
            this.exprs(f.args);
          }
        });
      case 'subquery_scan':
        w.op(OP.SUBQUERY_SCAN);
        this.cols(p.cols);
        return this.plan(p.input);
      case 'modify': {
        w.op(OP.MODIFY);
        this.cols(p.cols);
        w.byte(idx(MODIFY_OPS, p.op));
        w.uint(p.tableOid);
        this.plan(p.input);
        this.uints(p.targetAttnums);
        this.opt(p.rowKeyIndex, (v) => w.uint(v));
        this.opt(p.returning, (l) => this.exprs(l));
        this.opt(p.onConflict, (c) => {
          w.byte(idx(CONFLICT_ACTIONS, c.action));
          this.opt(c.indexOid, (v) => w.uint(v));
          this.opt(c.set, (s) => {
            w.uint(s.length);
            for (const x of s) {
              w.uint(x.attnum);
              this.expr(x.expr);
            }
          });
          this.opt(c.newRow, (l) => this.exprs(l));
          this.opt(c.where, (e) => this.expr(e));
        });
        this.opt(p.checks, (cs) => {
          w.uint(cs.length);
          for (const c of cs) {
            w.str(c.name);
            w.bool(c.view === true); // a view's CHECK OPTION
            this.expr(c.expr);
          }
        });
        this.opt(p.recheck, (r) => {
          this.opt(r.where, (e) => this.expr(e));
          this.opt(r.newRow, (l) => this.exprs(l));
        });
        return this.opt(p.fkDefaults, (ds) => {
          w.uint(ds.length);
          for (const d of ds) {
            w.uint(d.tableOid);
            w.uint(d.attnum);
            this.expr(d.expr);
          }
        });
      }
    }
  }

  private windowCall(c: WindowCall): void {
    const w = this.w;
    w.str(c.fn);
    w.uint(c.oid);
    this.exprs(c.args);
    w.byte(idx(WINDOW_KINDS, c.kind));
    w.type(c.type);
    this.opt(c.filter, (e) => this.expr(e));
    this.optBool(c.distinct);
    this.exprs(c.partition);
    this.sortKeys(c.order);
    w.byte(idx(FRAME_UNITS, c.frame.units));
    for (const b of [c.frame.start, c.frame.end]) {
      w.byte(idx(FRAME_BOUNDS, b.type));
      this.opt(b.offset, (e) => this.expr(e));
    }
    w.byte(idx(FRAME_EXCLUDE, c.frame.exclude));
  }

  /** One expression block: stack code, then RET. */
  expr(e: Expr): void {
    this.w.bytes(exprCode(e, this));
    this.w.op(OP.RET);
  }

  /** A nested plan's bytes (subqueries inside expressions). */
  planBytes(p: Plan): Uint8Array {
    const w = new Writer();
    new Encoder(w).plan(p);
    return w.finish();
  }
}


/** Stack code of an expression (without RET). Jumps are relative to the end of the jump instruction. */
function exprCode(e: Expr, enc: Encoder): Uint8Array {
  const w = new Writer();
  const sub = (x: Expr) => w.bytes(exprCode(x, enc));
  switch (e.k) {
    case 'const':
      w.op(OP.CONST);
      w.type(e.type);
      w.value(e.value);
      break;
    case 'param':
      w.op(OP.PARAM);
      w.type(e.type);
      w.uint(e.index);
      break;
    case 'col':
      w.op(OP.COL);
      w.type(e.type);
      w.uint(e.index);
      break;
    case 'outer':
      w.op(OP.OUTER);
      w.type(e.type);
      w.uint(e.level);
      w.uint(e.index);
      break;
    case 'call':
      e.args.forEach(sub);
      w.op(OP.CALL);
      w.type(e.type);
      w.uint(e.oid);
      w.uint(e.args.length);
      w.str(e.fn);
      w.bool(e.strict);
      w.bool(e.volatile);
      break;
    case 'op':
      e.args.forEach(sub);
      w.op(OP.OPER);
      w.type(e.type);
      w.uint(e.oid);
      w.uint(e.args.length);
      w.str(e.op);
      w.bool(e.strict);
      break;
    case 'cast':
      sub(e.arg);
      w.op(OP.CAST);
      w.type(e.type);
      w.bool(e.explicit);
      break;
    case 'and':
    case 'or': {
      // a JUMP b JUMP c AND: every jump lands on the AND/OR that joins the arguments.
      const parts = e.args.map((a) => exprCode(a, enc));
      const jumpOp = e.k === 'and' ? OP.JUMP_IF_FALSE : OP.JUMP_IF_TRUE;
      const tail: Uint8Array[] = [];
      let after = 0; // bytes between the end of the current jump and the joining instruction
      for (let i = parts.length - 1; i >= 0; i--) {
        if (i < parts.length - 1) {
          const j = new Writer();
          j.op(jumpOp);
          j.uint(after);
          const jb = j.finish();
          tail.unshift(jb);
          after += jb.length;
        }
        tail.unshift(parts[i]!);
        after += parts[i]!.length;
      }
      for (const t of tail) w.bytes(t);
      w.op(e.k === 'and' ? OP.AND : OP.OR);
      w.type(e.type);
      w.uint(e.args.length);
      break;
    }
    case 'not':
      sub(e.arg);
      w.op(OP.NOT);
      w.type(e.type);
      break;
    case 'is_null':
      sub(e.arg);
      w.op(OP.IS_NULL);
      w.type(e.type);
      w.bool(e.negate);
      break;
    case 'is_bool':
      sub(e.arg);
      w.op(OP.IS_BOOL);
      w.type(e.type);
      w.byte(e.value === null ? 2 : e.value ? 1 : 0);
      w.bool(e.negate);
      break;
    case 'distinct_from':
      e.args.forEach(sub);
      w.op(OP.DISTINCT_FROM);
      w.type(e.type);
      w.bool(e.negate);
      break;
    case 'case': {
      // cond WHEN(->next cond) then THEN(->CASE_END) ... else CASE_END
      const conds = e.whens.map((x) => exprCode(x.cond, enc));
      const thens = e.whens.map((x) => exprCode(x.then, enc));
      const els = exprCode(e.else, enc);
      const chunks: Uint8Array[] = [els];
      let toEnd = els.length;
      for (let i = e.whens.length - 1; i >= 0; i--) {
        const th = new Writer();
        th.op(OP.CASE_THEN);
        th.uint(toEnd);
        const thb = th.finish();
        const skip = thens[i]!.length + thb.length; // WHEN jumps past its THEN
        const wh = new Writer();
        wh.op(OP.CASE_WHEN);
        wh.uint(skip);
        const whb = wh.finish();
        chunks.unshift(conds[i]!, whb, thens[i]!, thb);
        toEnd += conds[i]!.length + whb.length + thens[i]!.length + thb.length;
      }
      for (const c of chunks) w.bytes(c);
      w.op(OP.CASE_END);
      w.type(e.type);
      w.uint(e.whens.length);
      break;
    }
    case 'coalesce':
    case 'greatest':
    case 'least':
      e.args.forEach(sub);
      w.op(e.k === 'coalesce' ? OP.COALESCE : e.k === 'greatest' ? OP.GREATEST : OP.LEAST);
      w.type(e.type);
      w.uint(e.args.length);
      break;
    case 'nullif':
      e.args.forEach(sub);
      w.op(OP.NULLIF);
      w.type(e.type);
      w.uint(e.eqOid);
      break;
    case 'in_list':
      sub(e.arg);
      e.list.forEach(sub);
      w.op(OP.IN_LIST);
      w.type(e.type);
      w.uint(e.list.length);
      w.bool(e.negate);
      w.uint(e.eqOid);
      break;
    case 'array':
      e.elems.forEach(sub);
      w.op(OP.ARRAY);
      w.type(e.type);
      w.uint(e.elems.length);
      break;
    case 'row':
      e.fields.forEach(sub);
      w.op(OP.ROW);
      w.type(e.type);
      w.uint(e.fields.length);
      break;
    case 'subquery':
      w.op(OP.SUBQUERY);
      w.type(e.type);
      w.byte(idx(SUBQUERY_MODES, e.mode));
      w.bool(e.correlated);
      w.bytes(enc.planBytes(e.plan));
      break;
    case 'sublink':
      e.left.forEach(sub);
      w.op(OP.SUBLINK);
      w.type(e.type);
      w.byte(idx(SUBLINK_MODES, e.mode));
      w.str(e.op);
      w.uint(e.oid);
      w.uint(e.left.length);
      w.bool(e.correlated);
      w.bool(e.oids !== undefined);
      if (e.oids) {
        w.uint(e.oids.length);
        for (const o of e.oids) w.uint(o);
      }
      w.bytes(enc.planBytes(e.plan));
      break;
    case 'array_op':
      sub(e.left);
      sub(e.right);
      w.op(OP.ARRAY_OP);
      w.type(e.type);
      w.byte(idx(SUBLINK_MODES, e.mode));
      w.str(e.op);
      w.uint(e.oid);
      break;
    case 'agg_ref':
      w.op(OP.AGG_REF);
      w.type(e.type);
      w.uint(e.index);
      break;
    case 'nextval':
      w.op(OP.NEXTVAL);
      w.type(e.type);
      w.uint(e.seqOid);
      break;
    case 'seq_call':
      e.args.forEach(sub);
      w.op(OP.SEQ_CALL);
      w.type(e.type);
      w.byte(idx(SEQ_FNS, e.fn));
      w.bool(e.seqOid !== undefined);
      if (e.seqOid !== undefined) w.uint(e.seqOid);
      w.uint(e.args.length);
      break;
    case 'default':
      w.op(OP.DEFAULT);
      w.type(e.type);
      break;
  }
  return w.finish();
}
