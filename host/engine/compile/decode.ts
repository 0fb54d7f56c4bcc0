// SBLR bytes -> plan, validating as it reads: framing and version, known
// opcodes, types and enumerations, every jump forward onto the instruction
// that joins it, the expression stack (no underflow, one value at RET, a
// bounded depth), column and parameter references within bounds
// (non-negative; positions are checked against the row width where it is
// known), nesting depth, and no bytes after END. A malformed stream gets an
// SbError (22P03), never a crash or a hang: every loop consumes input.
//
// With a listing array it also records each instruction (the disassembler).

import type { ColInfo, Expr, KeyBound, Plan, SortKey, WindowCall } from '../plan/nodes.ts';
import { Reader } from './bytes.ts';
import {
  ACCESS, CONFLICT_ACTIONS, FRAME_BOUNDS, FRAME_EXCLUDE, FRAME_UNITS, JOIN_METHODS, JOIN_TYPES, MODIFY_OPS, SEQ_FNS, SETOPS,
  SUBLINK_MODES, SUBQUERY_MODES, WINDOW_KINDS,
} from './encode.ts';
import { bytecodeError, LIMITS, OP, OP_NAMES, SBLR_VERSION } from './sblr.ts';
import { formatType } from '../types/type_names.ts';
import type { SqlType } from '../types/types.ts';

export interface Listing {
  lines: string[];
}

export function decodePlan(bytes: Uint8Array, listing?: Listing): Plan {
  if (bytes.length > LIMITS.program_bytes_max) throw bytecodeError('program too large');
  const r = new Reader(bytes);
  const d = new Decoder(r, listing);
  const v = r.op();
  if (v !== OP.VERSION) throw bytecodeError(`expected VERSION (0x01), found 0x${v.toString(16)}`, 0);
  const ver = r.uint();
  if (ver !== SBLR_VERSION) throw bytecodeError(`unsupported version ${ver} (this engine reads version ${SBLR_VERSION})`, 1);
  d.log(0, `VERSION ${ver}`);
  const plan = d.plan(0);
  const endAt = r.pos;
  const end = r.op();
  if (end !== OP.END) throw bytecodeError(`expected END (0x00), found 0x${end.toString(16)}`, endAt);
  d.log(endAt, 'END');
  if (!r.done) throw bytecodeError('bytes after END', r.pos);
  return plan;
}

/** Checks a program; throws the SbError describing the first problem. */
export function validateBytecode(bytes: Uint8Array): void {
  decodePlan(bytes);
}

function pick<T>(list: readonly T[], i: number, what: string, at: number): T {
  const v = list[i];
  if (v === undefined) throw bytecodeError(`unknown ${what} code ${i}`, at);
  return v;
}

type Pending = { kind: 'jf' | 'jt' | 'when' | 'then'; target: number; at: number };

class Decoder {
  constructor(private readonly r: Reader, private readonly listing?: Listing) {}
  private indent = 0;

  log(at: number, text: string): void {
    if (this.listing) this.listing.lines.push(`${String(at).padStart(5, '0')}  ${'  '.repeat(this.indent)}${text}`);
  }

  private byteEnum<T>(list: readonly T[], what: string): T {
    const at = this.r.pos;
    return pick(list, this.r.byte(), what, at);
  }

  private opt<T>(fn: () => T): T | undefined {
    return this.r.bool() ? fn() : undefined;
  }

  private optBool(): boolean | undefined {
    const at = this.r.pos;
    const b = this.r.byte();
    if (b > 2) throw bytecodeError(`bad optional boolean ${b}`, at);
    return b === 0 ? undefined : b === 2;
  }

  private cols(): ColInfo[] {
    const r = this.r;
    const n = r.count();
    const out: ColInfo[] = [];
    for (let i = 0; i < n; i++) {
      const name = r.str();
      const type = r.type();
      const c: ColInfo = { name, type };
      if (r.bool()) {
        c.tableOid = r.uint();
        c.attnum = r.uint();
      }
      out.push(c);
    }
    return out;
  }

  private uints(): number[] {
    const n = this.r.count();
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push(this.r.uint());
    return out;
  }

  private exprs(depth: number): Expr[] {
    const n = this.r.count();
    const out: Expr[] = [];
    for (let i = 0; i < n; i++) out.push(this.expr(depth));
    return out;
  }

  private sortKeys(depth: number): SortKey[] {
    const n = this.r.count();
    const out: SortKey[] = [];
    for (let i = 0; i < n; i++) out.push({ expr: this.expr(depth), desc: this.r.bool(), nullsFirst: this.r.bool() });
    return out;
  }

  plan(depth: number): Plan {
    const r = this.r;
    if (depth > LIMITS.depth_max) throw bytecodeError('plan nested too deeply', r.pos);
    const at = r.pos;
    const op = r.op();
    const name = OP_NAMES[op];
    if (name === undefined || op < 0x10 || op > 0x3e) throw bytecodeError(`unknown plan opcode 0x${op.toString(16)}`, at);
    const cols = this.cols();
    this.log(at, `${name} (${cols.length} cols)`);
    this.indent++;
    const d = depth + 1;
    try {
      switch (op) {
        case OP.RESULT:
          return { n: 'result', cols, exprs: this.exprs(d) };
        case OP.VALUES: {
          const n = r.count();
          const rows: Expr[][] = [];
          for (let i = 0; i < n; i++) {
            const row = this.exprs(d);
            if (row.length !== cols.length) throw bytecodeError('VALUES row width differs from its columns', r.pos);
            rows.push(row);
          }
          return { n: 'values', cols, rows };
        }
        case OP.SCAN: {
          const tableOid = r.uint();
          const attnums = this.uints();
          const access = this.byteEnum(ACCESS, 'access method');
          const indexOid = this.opt(() => r.uint());
          this.log(at, `  table=${tableOid} access=${access}${indexOid !== undefined ? ` index=${indexOid}` : ''}`);
          const bound = this.opt((): KeyBound => {
            const b: KeyBound = { eq: this.exprs(d) };
            const lo = this.opt(() => ({ expr: this.expr(d), inclusive: r.bool() }));
            const hi = this.opt(() => ({ expr: this.expr(d), inclusive: r.bool() }));
            if (lo) b.lo = lo;
            if (hi) b.hi = hi;
            return b;
          });
          const p: Extract<Plan, { n: 'scan' }> = { n: 'scan', cols, tableOid, attnums, access };
          if (indexOid !== undefined) p.indexOid = indexOid;
          if (bound) p.bound = bound;
          const reverse = this.optBool();
          const withRowKey = this.optBool();
          const forUpdate = this.optBool();
          if (reverse !== undefined) p.reverse = reverse;
          if (withRowKey !== undefined) p.withRowKey = withRowKey;
          if (forUpdate !== undefined) p.forUpdate = forUpdate;
          if (forUpdate) {
            const waitAt = r.pos;
            const b = r.byte();
            const policy = b & 3;
            if (policy > 2 || b > 15) throw bytecodeError(`bad lock wait policy ${b}`, waitAt);
            if (policy !== 0) p.lockWait = policy === 1 ? 'nowait' : 'skip';
            const strength = b >> 2;
            if (strength !== 0) p.lockStrength = strength === 1 ? 'nokey' : strength === 2 ? 'share' : 'keyshare';
          }
          const filter = this.opt(() => this.expr(d, cols.length));
          if (filter) p.filter = filter;
          if (access === 'index' && indexOid === undefined) throw bytecodeError('index scan without an index', at);
          if (access !== 'seq' && !bound) throw bytecodeError('key scan without a key range', at);
          return p;
        }
        case OP.FILTER: {
          const input = this.plan(d);
          return { n: 'filter', cols, input, pred: this.expr(d, input.cols.length) };
        }
        case OP.PROJECT: {
          const input = this.plan(d);
          const exprs = this.exprs(d);
          if (exprs.length !== cols.length) throw bytecodeError('projection width differs from its columns', r.pos);
          return { n: 'project', cols, input, exprs };
        }
        case OP.SORT: {
          const input = this.plan(d);
          const keys = this.sortKeys(d);
          const limit = this.opt(() => this.expr(d));
          return { n: 'sort', cols, input, keys, ...(limit ? { limit } : {}) };
        }
        case OP.LIMIT: {
          const input = this.plan(d);
          const count = this.opt(() => this.expr(d));
          const offset = this.opt(() => this.expr(d));
          const withTies = this.opt(() => this.sortKeys(d));
          return { n: 'limit', cols, input, ...(count ? { count } : {}), ...(offset ? { offset } : {}), ...(withTies ? { withTies } : {}) };
        }
        case OP.DISTINCT: {
          const input = this.plan(d);
          const on = this.opt(() => this.exprs(d));
          return { n: 'distinct', cols, input, ...(on ? { on } : {}) };
        }
        case OP.AGGREGATE: {
          const input = this.plan(d);
          const groups = this.exprs(d);
          const n = r.count();
          const aggs = [];
          for (let i = 0; i < n; i++) {
            const fn = r.str();
            const oid = r.uint();
            const args = this.exprs(d);
            const distinct = r.bool();
            const star = r.bool();
            const filter = this.opt(() => this.expr(d));
            const order = this.opt(() => this.sortKeys(d));
            const type = r.type();
            aggs.push({ fn, oid, args, distinct, star, ...(filter ? { filter } : {}), ...(order ? { order } : {}), type });
          }
          const groupingSets = this.opt(() => {
            const m = r.count();
            const sets: number[][] = [];
            for (let i = 0; i < m; i++) sets.push(this.uints());
            return sets;
          });
          return { n: 'aggregate', cols, input, groups, aggs, ...(groupingSets ? { groupingSets } : {}) };
        }
        case OP.WINDOW: {
          const input = this.plan(d);
          const n = r.count();
          const calls: WindowCall[] = [];
          for (let i = 0; i < n; i++) calls.push(this.windowCall(d));
          return { n: 'window', cols, input, calls };
        }
        case OP.JOIN: {
          const type = this.byteEnum(JOIN_TYPES, 'join type');
          const method = this.byteEnum(JOIN_METHODS, 'join method');
          this.log(at, `  ${type} ${method}`);
          const left = this.plan(d);
          const right = this.plan(d);
          const leftKeys = this.exprs(d);
          const rightKeys = this.exprs(d);
          if (leftKeys.length !== rightKeys.length) throw bytecodeError('join key lists differ in length', r.pos);
          const cond = this.opt(() => this.expr(d));
          const lateral = this.optBool();
          return { n: 'join', cols, type, method, left, right, leftKeys, rightKeys, ...(cond ? { cond } : {}), ...(lateral !== undefined ? { lateral } : {}) };
        }
        case OP.SETOP: {
          const op2 = this.byteEnum(SETOPS, 'set operation');
          const all = r.bool();
          return { n: 'setop', cols, op: op2, all, left: this.plan(d), right: this.plan(d) };
        }
        case OP.APPEND: {
          const n = r.count();
          const inputs: Plan[] = [];
          for (let i = 0; i < n; i++) inputs.push(this.plan(d));
          return { n: 'append', cols, inputs };
        }
        case OP.CTE_SCAN:
          return { n: 'cte_scan', cols, cteId: r.uint() };
        case OP.WITH: {
          const n = r.count();
          const ctes = [];
          for (let i = 0; i < n; i++) {
            const id = r.uint();
            const plan = this.plan(d);
            const recursive = this.opt(() => ({ anchor: this.plan(d), step: this.plan(d), all: r.bool() }));
            ctes.push({ id, plan, ...(recursive ? { recursive } : {}) });
          }
          return { n: 'with', cols, ctes, body: this.plan(d) };
        }
        case OP.FUNCTION_SCAN: {
          const fn = r.str();
          const oid = r.uint();
          const args = this.exprs(d);
          const ordinality = r.bool();
          const more = this.opt(() => {
            const n = r.uint();
            const list: Array<{ fn: string; oid: number; args: Expr[] }> = [];
            for (let i = 0; i < n; i++) list.push({ fn: r.str(), oid: r.uint(), args: this.exprs(d) });
            return list;
          });
          return { n: 'function_scan', cols, fn, oid, args, ordinality, ...(more ? { more } : {}) };
        }
        case OP.SUBQUERY_SCAN:
          return { n: 'subquery_scan', cols, input: this.plan(d) };
        case OP.MODIFY: {
          const op2 = this.byteEnum(MODIFY_OPS, 'modify operation');
          const tableOid = r.uint();
          const input = this.plan(d);
          const targetAttnums = this.uints();
          const p: Extract<Plan, { n: 'modify' }> = { n: 'modify', cols, op: op2, tableOid, input, targetAttnums };
          const rowKeyIndex = this.opt(() => r.uint());
          if (rowKeyIndex !== undefined) p.rowKeyIndex = rowKeyIndex;
          const returning = this.opt(() => this.exprs(d));
          if (returning) p.returning = returning;
          const onConflict = this.opt(() => {
            const action = this.byteEnum(CONFLICT_ACTIONS, 'conflict action');
            const c: NonNullable<typeof p.onConflict> = { action };
            const indexOid = this.opt(() => r.uint());
            if (indexOid !== undefined) c.indexOid = indexOid;
            const set = this.opt(() => {
              const n = r.count();
              const out = [];
              for (let i = 0; i < n; i++) out.push({ attnum: r.uint(), expr: this.expr(d) });
              return out;
            });
            if (set) c.set = set;
            const newRow = this.opt(() => this.exprs(d));
            if (newRow) c.newRow = newRow;
            const where = this.opt(() => this.expr(d));
            if (where) c.where = where;
            return c;
          });
          if (onConflict) p.onConflict = onConflict;
          const checks = this.opt(() => {
            const n = r.count();
            const out = [];
            for (let i = 0; i < n; i++) {
              const name = r.str();
              const view = r.bool();
              out.push({ name, expr: this.expr(d), ...(view ? { view: true } : {}) });
            }
            return out;
          });
          if (checks) p.checks = checks;
          const recheck = this.opt(() => {
            const where = this.opt(() => this.expr(d));
            const newRow = this.opt(() => this.exprs(d));
            return { ...(where ? { where } : {}), ...(newRow ? { newRow } : {}) };
          });
          if (recheck) p.recheck = recheck;
          const fkDefaults = this.opt(() => {
            const n = r.count();
            const out = [];
            for (let i = 0; i < n; i++) out.push({ tableOid: r.uint(), attnum: r.uint(), expr: this.expr(d) });
            return out;
          });
          if (fkDefaults) p.fkDefaults = fkDefaults;
          return p;
        }
        default:
          throw bytecodeError(`unknown plan opcode 0x${op.toString(16)}`, at);
      }
    } finally {
      this.indent--;
    }
  }

  private windowCall(d: number): WindowCall {
    const r = this.r;
    const fn = r.str();
    const oid = r.uint();
    const args = this.exprs(d);
    const kind = this.byteEnum(WINDOW_KINDS, 'window kind');
    const type = r.type();
    const filter = this.opt(() => this.expr(d));
    const distinct = this.optBool();
    const partition = this.exprs(d);
    const order = this.sortKeys(d);
    const units = this.byteEnum(FRAME_UNITS, 'frame units');
    const bound = () => {
      const t = this.byteEnum(FRAME_BOUNDS, 'frame bound');
      const offset = this.opt(() => this.expr(d));
      return { type: t, ...(offset ? { offset } : {}) };
    };
    const start = bound();
    const end = bound();
    const exclude = this.byteEnum(FRAME_EXCLUDE, 'frame exclusion');
    return {
      fn, oid, args, kind, type, ...(filter ? { filter } : {}), ...(distinct !== undefined ? { distinct } : {}), partition, order,
      frame: { units, start, end, exclude },
    };
  }

  /** One expression block (stack code up to RET). `width`: the input row's width when known, for COL checks. */
  expr(depth: number, width?: number): Expr {
    const r = this.r;
    if (depth > LIMITS.depth_max) throw bytecodeError('expression nested too deeply', r.pos);
    const stack: Expr[] = [];
    const pending: Pending[] = [];
    const pop = (n: number, at: number): Expr[] => {
      if (n > stack.length) throw bytecodeError(`expression stack underflow (needs ${n}, has ${stack.length})`, at);
      return stack.splice(stack.length - n, n);
    };
    const push = (e: Expr, at: number): void => {
      if (stack.length >= LIMITS.stack_max) throw bytecodeError('expression stack overflow', at);
      stack.push(e);
    };
    const jumpTo = (kind: Pending['kind'], at: number): void => {
      const off = r.uint();
      const target = r.pos + off;
      if (target > r.buf.length) throw bytecodeError('jump past the end of the program', at);
      pending.push({ kind, target, at });
    };
    /** The `n` most recent pending jumps of `kind` must land exactly here. */
    const land = (kind: Pending['kind'], n: number, here: number): void => {
      for (let i = 0; i < n; i++) {
        const p = pending.pop();
        if (!p || p.kind !== kind || p.target !== here) throw bytecodeError('jump does not land on its joining instruction', p?.at ?? here);
      }
    };
    for (;;) {
      const at = r.pos;
      const op = r.op();
      if (op === OP.RET) {
        if (pending.length > 0) throw bytecodeError('unresolved jump at RET', pending[pending.length - 1]!.at);
        if (stack.length !== 1) throw bytecodeError(`expression leaves ${stack.length} values (expected 1)`, at);
        this.log(at, 'RET');
        return stack[0]!;
      }
      const name = OP_NAMES[op];
      if (name === undefined || op < 0x40 || op > 0x7f) throw bytecodeError(`unknown expression opcode 0x${op.toString(16)}`, at);
      if (op === OP.JUMP_IF_FALSE || op === OP.JUMP_IF_TRUE || op === OP.CASE_WHEN) {
        if (stack.length === 0) throw bytecodeError('jump with an empty stack', at);
        jumpTo(op === OP.JUMP_IF_FALSE ? 'jf' : op === OP.JUMP_IF_TRUE ? 'jt' : 'when', at);
        this.log(at, `${name} -> ${pending[pending.length - 1]!.target}`);
        continue;
      }
      if (op === OP.CASE_THEN) {
        const off = r.uint();
        const after = r.pos;
        const w = pending.pop();
        if (!w || w.kind !== 'when' || w.target !== after) throw bytecodeError('CASE_THEN without a matching CASE_WHEN', at);
        const target = after + off;
        if (target > r.buf.length) throw bytecodeError('jump past the end of the program', at);
        pending.push({ kind: 'then', target, at });
        this.log(at, `${name} -> ${target}`);
        continue;
      }
      const type = r.type();
      const ty = typeText(type);
      let e: Expr;
      switch (op) {
        case OP.CONST: {
          const value = r.value();
          e = { k: 'const', type, value };
          this.log(at, `CONST ${ty} ${valueText(value)}`);
          break;
        }
        case OP.PARAM:
          e = { k: 'param', type, index: r.uint() };
          this.log(at, `PARAM ${ty} $${e.index + 1}`);
          break;
        case OP.COL: {
          const index = r.uint();
          if (width !== undefined && index >= width) throw bytecodeError(`column ${index} outside a row of ${width}`, at);
          e = { k: 'col', type, index };
          this.log(at, `COL ${ty} #${index}`);
          break;
        }
        case OP.OUTER: {
          const level = r.uint();
          const index = r.uint();
          if (level < 1) throw bytecodeError('OUTER level 0', at);
          e = { k: 'outer', type, level, index };
          this.log(at, `OUTER ${ty} ^${level}#${index}`);
          break;
        }
        case OP.CALL: {
          const oid = r.uint();
          const n = r.uint();
          const fn = r.str();
          const strict = r.bool();
          const volatile = r.bool();
          e = { k: 'call', type, fn, oid, args: pop(n, at), strict, volatile };
          this.log(at, `CALL ${ty} ${fn}/${n} oid=${oid}`);
          break;
        }
        case OP.OPER: {
          const oid = r.uint();
          const n = r.uint();
          const opName = r.str();
          const strict = r.bool();
          if (n < 1 || n > 2) throw bytecodeError(`operator with ${n} operands`, at);
          e = { k: 'op', type, op: opName, oid, args: pop(n, at), strict };
          this.log(at, `OPER ${ty} ${opName}/${n} oid=${oid}`);
          break;
        }
        case OP.CAST:
          e = { k: 'cast', type, arg: pop(1, at)[0]!, explicit: r.bool() };
          this.log(at, `CAST ${ty}`);
          break;
        case OP.AND:
        case OP.OR: {
          const n = r.uint();
          if (n < 1) throw bytecodeError(`${name} of no arguments`, at);
          land(op === OP.AND ? 'jf' : 'jt', n - 1, at);
          e = { k: op === OP.AND ? 'and' : 'or', type, args: pop(n, at) };
          this.log(at, `${name} ${n}`);
          break;
        }
        case OP.NOT:
          e = { k: 'not', type, arg: pop(1, at)[0]! };
          this.log(at, 'NOT');
          break;
        case OP.IS_NULL:
          e = { k: 'is_null', type, arg: pop(1, at)[0]!, negate: r.bool() };
          this.log(at, `IS_NULL${e.negate ? ' NOT' : ''}`);
          break;
        case OP.IS_BOOL: {
          const vAt = r.pos;
          const v = r.byte();
          if (v > 2) throw bytecodeError(`bad IS_BOOL value ${v}`, vAt);
          e = { k: 'is_bool', type, arg: pop(1, at)[0]!, value: v === 2 ? null : v === 1, negate: r.bool() };
          this.log(at, `IS_BOOL ${v === 2 ? 'UNKNOWN' : v === 1 ? 'TRUE' : 'FALSE'}`);
          break;
        }
        case OP.DISTINCT_FROM: {
          const args = pop(2, at) as [Expr, Expr];
          e = { k: 'distinct_from', type, args, negate: r.bool() };
          this.log(at, 'DISTINCT_FROM');
          break;
        }
        case OP.CASE_END: {
          const n = r.uint();
          land('then', n, at);
          const vals = pop(2 * n + 1, at);
          const whens: Array<{ cond: Expr; then: Expr }> = [];
          for (let i = 0; i < n; i++) whens.push({ cond: vals[2 * i]!, then: vals[2 * i + 1]! });
          e = { k: 'case', type, whens, else: vals[2 * n]! };
          this.log(at, `CASE_END ${ty} ${n}`);
          break;
        }
        case OP.COALESCE:
        case OP.GREATEST:
        case OP.LEAST: {
          const n = r.uint();
          if (n < 1) throw bytecodeError(`${name} of no arguments`, at);
          e = { k: op === OP.COALESCE ? 'coalesce' : op === OP.GREATEST ? 'greatest' : 'least', type, args: pop(n, at) };
          this.log(at, `${name} ${n}`);
          break;
        }
        case OP.NULLIF:
          e = { k: 'nullif', type, eqOid: r.uint(), args: pop(2, at) as [Expr, Expr] };
          this.log(at, 'NULLIF');
          break;
        case OP.IN_LIST: {
          const n = r.uint();
          const negate = r.bool();
          const eqOid = r.uint();
          const vals = pop(n + 1, at);
          e = { k: 'in_list', type, arg: vals[0]!, list: vals.slice(1), negate, eqOid };
          this.log(at, `IN_LIST ${n}${negate ? ' NOT' : ''}`);
          break;
        }
        case OP.ARRAY: {
          const n = r.uint();
          e = { k: 'array', type, elems: pop(n, at) };
          this.log(at, `ARRAY ${ty} ${n}`);
          break;
        }
        case OP.ROW: {
          const n = r.uint();
          e = { k: 'row', type, fields: pop(n, at) };
          this.log(at, `ROW ${n}`);
          break;
        }
        case OP.SUBQUERY: {
          const mode = this.byteEnum(SUBQUERY_MODES, 'subquery mode');
          const correlated = r.bool();
          this.log(at, `SUBQUERY ${mode}${correlated ? ' correlated' : ''}`);
          this.indent++;
          const plan = this.plan(depth + 1);
          this.indent--;
          e = { k: 'subquery', type, mode, plan, correlated };
          break;
        }
        case OP.SUBLINK: {
          const mode = this.byteEnum(SUBLINK_MODES, 'sublink mode');
          const opName = r.str();
          const oid = r.uint();
          const n = r.uint();
          const correlated = r.bool();
          const oids = r.bool() ? this.uints() : undefined;
          this.log(at, `SUBLINK ${opName} ${mode.toUpperCase()} (${n})`);
          this.indent++;
          const plan = this.plan(depth + 1);
          this.indent--;
          e = { k: 'sublink', type, mode, op: opName, oid, left: pop(n, at), plan, correlated, ...(oids ? { oids } : {}) };
          break;
        }
        case OP.ARRAY_OP: {
          const mode = this.byteEnum(SUBLINK_MODES, 'array operator mode');
          const opName = r.str();
          const oid = r.uint();
          const [left, right] = pop(2, at) as [Expr, Expr];
          e = { k: 'array_op', type, mode, op: opName, oid, left, right };
          this.log(at, `ARRAY_OP ${opName} ${mode.toUpperCase()}`);
          break;
        }
        case OP.AGG_REF:
          e = { k: 'agg_ref', type, index: r.uint() };
          this.log(at, `AGG_REF #${e.index}`);
          break;
        case OP.NEXTVAL:
          e = { k: 'nextval', type, seqOid: r.uint() };
          this.log(at, `NEXTVAL ${e.seqOid}`);
          break;
        case OP.SEQ_CALL: {
          const fn = this.byteEnum(SEQ_FNS, 'sequence function');
          const seqOid = r.bool() ? r.uint() : undefined;
          const n = r.uint();
          e = { k: 'seq_call', type, fn, ...(seqOid !== undefined ? { seqOid } : {}), args: pop(n, at) };
          this.log(at, `SEQ_CALL ${fn}`);
          break;
        }
        case OP.DEFAULT:
          e = { k: 'default', type };
          this.log(at, 'DEFAULT');
          break;
        default:
          throw bytecodeError(`unknown expression opcode 0x${op.toString(16)}`, at);
      }
      push(e, at);
    }
  }
}

function typeText(t: SqlType): string {
  try {
    return formatType(t);
  } catch {
    return t.id;
  }
}

function valueText(v: unknown): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return `'${v.length > 40 ? v.slice(0, 40) + '…' : v}'`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (v instanceof Uint8Array) return `<${v.length} bytes>`;
  return String(v);
}
