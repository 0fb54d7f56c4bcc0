// The catalog of built-in operators, functions, aggregates, window functions
// and set-returning functions: one entry per pg_proc / pg_operator /
// pg_aggregate row we implement, with PostgreSQL's OIDs, so the planner can
// refer to an implementation by OID and pg_proc/pg_operator can be emulated.
//
// Implementations receive argument values already cast to the declared
// argument types (the resolver says which casts to apply) and a CallInfo
// with the actual argument and result types, which polymorphic and "any"
// functions need. Strict entries are never called with a NULL argument: the
// executor returns NULL itself (callStrict below does it for simple callers).

import type { SqlType } from '../types/types.ts';
import type { EvalContext } from './context.ts';
import { oidOf } from './oids.ts';

/** The resolved types of one call site, passed to every invocation. */
export interface CallInfo {
  argTypes: SqlType[];
  retType: SqlType;
}

export type RetType = SqlType | ((argTypes: SqlType[]) => SqlType);

export type ScalarFn = (args: unknown[], ctx: EvalContext, call: CallInfo) => unknown;

export interface FuncImpl {
  oid: number;
  name: string;
  /** Declared argument types (polymorphic pseudo types allowed). */
  args: SqlType[];
  /** Element type of a VARIADIC last parameter; its values arrive flattened after the fixed args. */
  variadic?: SqlType;
  /** How many trailing args may be omitted (they have defaults; fn sees a shorter array). */
  defaults?: number;
  /** Parameter names, for named-argument calls (make_interval(days => 1)). */
  argNames?: string[];
  ret: RetType;
  strict: boolean;
  volatility: 'i' | 's' | 'v';
  fn: ScalarFn;
}

/** One output column of a set-returning function. */
export interface SrfColumn {
  name: string;
  type: SqlType | ((argTypes: SqlType[]) => SqlType);
}

/**
 * A set-returning function. fn yields one value per row when the function has
 * one output column, else one array of column values per row.
 */
export interface SetFunctionImpl extends Omit<FuncImpl, 'fn'> {
  retSet: true;
  /** Output columns when there is more than one (json_each: key, value). */
  columns?: SrfColumn[];
  fn: (args: unknown[], ctx: EvalContext, call: CallInfo) => Iterable<unknown>;
}

export interface OperatorImpl {
  oid: number;
  name: string;
  /** null for a prefix operator. */
  left: SqlType | null;
  right: SqlType;
  ret: RetType;
  /** OID of the pg_proc row implementing it (oprcode). */
  procOid?: number;
  fn: (l: unknown, r: unknown, ctx: EvalContext, call: CallInfo) => unknown;
  strict: boolean;
  commutator?: string;
  negator?: string;
}

/**
 * An aggregate (normal kind). The executor calls init once per group, step
 * for each input row (skipping rows with a NULL argument when strict, as
 * PostgreSQL does for strict transition functions), then final. step may
 * mutate and return its state. inverse, when present, removes a row (moving
 * window frames).
 */
export interface AggImpl {
  oid: number;
  name: string;
  args: SqlType[];
  ret: RetType;
  strict: boolean;
  /** Result depends on input order (string_agg, array_agg, json_agg): ORDER BY inside the call matters. */
  orderSensitive?: boolean;
  init(ctx: EvalContext, call: CallInfo): unknown;
  step(state: unknown, args: unknown[], ctx: EvalContext, call: CallInfo): unknown;
  final(state: unknown, ctx: EvalContext, call: CallInfo): unknown;
  inverse?(state: unknown, args: unknown[], ctx: EvalContext, call: CallInfo): unknown;
}

/**
 * An ordered-set aggregate (percentile_cont, percentile_disc, mode): the
 * executor sorts the aggregated argument per the WITHIN GROUP clause, drops
 * NULLs, and calls final once per group with the sorted values and the
 * direct arguments (evaluated once per group).
 */
export interface OrderedSetAggImpl {
  oid: number;
  name: string;
  directArgs: SqlType[];
  orderedArgs: SqlType[];
  ret: RetType;
  final(sorted: unknown[], direct: unknown[], ctx: EvalContext, call: CallInfo): unknown;
}

/**
 * What a window function sees for the current row of a sorted partition.
 * Row indexes are positions in the partition (0-based). The frame can be
 * non-contiguous (EXCLUDE), so it is presented as a list.
 */
export interface WindowFrameView {
  /** Rows in the partition. */
  partitionSize: number;
  /** Current row. */
  row: number;
  /** The current row's peer group (rows equal under ORDER BY): [peerStart, peerEnd). */
  peerStart: number;
  peerEnd: number;
  /** 0-based number of the current peer group in the partition (dense_rank - 1). */
  peerGroup: number;
  /** Rows of the current frame, in partition order. */
  frameCount: number;
  frameRow(i: number): number;
  /** The value of argument `argIndex` evaluated at partition row `rowIndex`. */
  arg(argIndex: number, rowIndex: number): unknown;
}

export interface WindowImpl {
  oid: number;
  name: string;
  args: SqlType[];
  defaults?: number;
  ret: RetType;
  /** Uses the frame (first_value...); the others only need partition/peer positions. */
  usesFrame: boolean;
  fn(view: WindowFrameView, ctx: EvalContext, call: CallInfo): unknown;
}

export type AnyImpl = FuncImpl | SetFunctionImpl | OperatorImpl | AggImpl | OrderedSetAggImpl | WindowImpl;

/** Signature key used for OIDs: name(typname,...) as PostgreSQL's pg_proc spells the types. */
export function signatureKey(name: string, args: readonly SqlType[]): string {
  return `${name}(${args.map(typeKey).join(',')})`;
}

export function typeKey(t: SqlType): string {
  if (t.id === 'array') return '_' + typeKey(t.elem!);
  return t.id;
}

class Registry {
  readonly functions = new Map<string, Array<FuncImpl | SetFunctionImpl>>();
  readonly operators = new Map<string, OperatorImpl[]>();
  readonly aggregates = new Map<string, AggImpl[]>();
  readonly orderedSetAggs = new Map<string, OrderedSetAggImpl[]>();
  readonly windows = new Map<string, WindowImpl[]>();
  readonly byOid = new Map<number, AnyImpl>();
  /** Entries whose OID could not be found in the OID table (a test keeps this empty). */
  readonly missingOids: string[] = [];
  /** Every signature an OID was asked for (the OID table generator reads it). */
  readonly requested: Array<['p' | 'o', string]> = [];
  private nextSyntheticOid = 8_900_000;

  oid(kind: 'p' | 'o', key: string): number {
    this.requested.push([kind, key]);
    const oid = oidOf(kind, key);
    if (oid !== undefined) return oid;
    this.missingOids.push(`${kind}:${key}`);
    return this.nextSyntheticOid++;
  }

  private addOid(impl: AnyImpl): void {
    if (!this.byOid.has(impl.oid)) this.byOid.set(impl.oid, impl);
  }

  addFunction(impl: FuncImpl | SetFunctionImpl): void {
    push(this.functions, impl.name, impl);
    this.addOid(impl);
  }

  addOperator(impl: OperatorImpl): void {
    push(this.operators, impl.name, impl);
    this.addOid(impl);
  }

  addAggregate(impl: AggImpl): void {
    push(this.aggregates, impl.name, impl);
    this.addOid(impl);
  }

  addOrderedSetAgg(impl: OrderedSetAggImpl): void {
    push(this.orderedSetAggs, impl.name, impl);
    this.addOid(impl);
  }

  addWindow(impl: WindowImpl): void {
    push(this.windows, impl.name, impl);
    this.addOid(impl);
  }
}

function push<V>(m: Map<string, V[]>, k: string, v: V): void {
  const list = m.get(k);
  if (list === undefined) m.set(k, [v]);
  else list.push(v);
}

export const registry = new Registry();

// ---- registration helpers -------------------------------------------------

export interface FnOpts {
  strict?: boolean;
  volatility?: 'i' | 's' | 'v';
  variadic?: SqlType;
  defaults?: number;
  argNames?: string[];
  /** pg_proc name when it differs from the SQL-visible name used for the OID key. */
  procName?: string;
  /** The OID key's argument typnames when they differ from the declared ones (jsonpath arguments declared text). */
  oidArgs?: string[];
}

function oidKey(name: string, sigArgs: SqlType[], opts: FnOpts): string {
  return opts.oidArgs !== undefined ? `${opts.procName ?? name}(${opts.oidArgs.join(',')})` : signatureKey(opts.procName ?? name, sigArgs);
}

/** Registers a scalar function (strict and immutable unless told otherwise). */
export function defFn(name: string, args: SqlType[], ret: RetType, fn: ScalarFn, opts: FnOpts = {}): FuncImpl {
  const sigArgs = opts.variadic !== undefined ? [...args, variadicArrayType(opts.variadic)] : args;
  const impl: FuncImpl = {
    oid: registry.oid('p', oidKey(name, sigArgs, opts)),
    name,
    args,
    ret,
    strict: opts.strict ?? true,
    volatility: opts.volatility ?? 'i',
    fn,
  };
  if (opts.variadic !== undefined) impl.variadic = opts.variadic;
  if (opts.defaults !== undefined) impl.defaults = opts.defaults;
  if (opts.argNames !== undefined) impl.argNames = opts.argNames;
  registry.addFunction(impl);
  return impl;
}

/** VARIADIC "any" is declared as "any" itself; other variadics as an array of the element type. */
function variadicArrayType(elem: SqlType): SqlType {
  if (elem.id === 'any') return elem;
  if (elem.id === 'anyelement') return { id: 'anyarray', typmod: -1 };
  if (elem.id === 'anycompatible') return { id: 'anycompatiblearray', typmod: -1 };
  return { id: 'array', typmod: -1, elem };
}

export function defSrf(
  name: string,
  args: SqlType[],
  ret: RetType,
  fn: SetFunctionImpl['fn'],
  opts: FnOpts & { columns?: SrfColumn[] } = {},
): SetFunctionImpl {
  const sigArgs = opts.variadic !== undefined ? [...args, variadicArrayType(opts.variadic)] : args;
  const impl: SetFunctionImpl = {
    oid: registry.oid('p', oidKey(name, sigArgs, opts)),
    name,
    args,
    ret,
    strict: opts.strict ?? true,
    volatility: opts.volatility ?? 'i',
    retSet: true,
    fn,
  };
  if (opts.variadic !== undefined) impl.variadic = opts.variadic;
  if (opts.defaults !== undefined) impl.defaults = opts.defaults;
  if (opts.columns !== undefined) impl.columns = opts.columns;
  registry.addFunction(impl);
  return impl;
}

export function defOp(
  name: string,
  left: SqlType | null,
  right: SqlType,
  ret: RetType,
  fn: OperatorImpl['fn'],
  opts: { strict?: boolean; commutator?: string; negator?: string; oidArgs?: string[] } = {},
): OperatorImpl {
  const key = opts.oidArgs !== undefined ? `${name}(${opts.oidArgs.join(',')})` : signatureKey(name, left === null ? [right] : [left, right]);
  const impl: OperatorImpl = {
    oid: registry.oid('o', key),
    name,
    left,
    right,
    ret,
    fn,
    strict: opts.strict ?? true,
  };
  if (opts.commutator !== undefined) impl.commutator = opts.commutator;
  if (opts.negator !== undefined) impl.negator = opts.negator;
  registry.addOperator(impl);
  return impl;
}

export function defAgg(spec: Omit<AggImpl, 'oid'> & { procName?: string }): AggImpl {
  const { procName, ...rest } = spec;
  const impl: AggImpl = { oid: registry.oid('p', signatureKey(procName ?? spec.name, spec.args)), ...rest };
  registry.addAggregate(impl);
  return impl;
}

export function defOrderedSetAgg(spec: Omit<OrderedSetAggImpl, 'oid'>): OrderedSetAggImpl {
  const impl: OrderedSetAggImpl = {
    oid: registry.oid('p', signatureKey(spec.name, [...spec.directArgs, ...spec.orderedArgs])),
    ...spec,
  };
  registry.addOrderedSetAgg(impl);
  return impl;
}

export function defWindow(spec: Omit<WindowImpl, 'oid'>): WindowImpl {
  const impl: WindowImpl = { oid: registry.oid('p', signatureKey(spec.name, spec.args)), ...spec };
  registry.addWindow(impl);
  return impl;
}

/** Calls a scalar function applying strictness (NULL in, NULL out) as the executor does. */
export function callStrict(impl: FuncImpl, args: unknown[], ctx: EvalContext, call: CallInfo): unknown {
  if (impl.strict) for (const a of args) if (a === null) return null;
  return impl.fn(args, ctx, call);
}
