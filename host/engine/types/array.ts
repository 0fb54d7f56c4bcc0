// SQL arrays: SqlArray { elemType, dims, lbounds, values } with values
// flattened in row-major order (null for NULL elements), PostgreSQL's
// subscripting (out-of-range reads give NULL), slices, element assignment
// with 1-D extension, and ARRAY[...] construction of multi-dimensional arrays.

import { SbError, SqlState } from '../sb_error.ts';
import type { SqlType } from './types.ts';

/** PostgreSQL's MAXDIM. */
export const ARRAY_DIMS_MAX = 6;
/** MaxArraySize: elements of one array. */
export const ARRAY_ITEMS_MAX = 134217727;

export function arrayDimsError(n: number): SbError {
  return new SbError(SqlState.program_limit_exceeded, `number of array dimensions (${n}) exceeds the maximum allowed (${ARRAY_DIMS_MAX})`);
}

function subscriptError(msg: string): SbError {
  return new SbError('2202E', msg);
}

export class SqlArray {
  constructor(
    readonly elemType: SqlType,
    /** Length of each dimension; [] for an empty array. */
    readonly dims: number[],
    /** Lower bound of each dimension (1 unless given). */
    readonly lbounds: number[],
    /** Elements flattened in row-major order; null for NULL elements. */
    readonly values: unknown[],
  ) {}

  static empty(elemType: SqlType): SqlArray {
    return new SqlArray(elemType, [], [], []);
  }

  /** A one-dimensional array with lower bound 1 (empty when values is empty). */
  static of(elemType: SqlType, values: unknown[]): SqlArray {
    if (values.length === 0) return SqlArray.empty(elemType);
    return new SqlArray(elemType, [values.length], [1], values);
  }

  /**
   * ARRAY[...]: elements that are themselves arrays make a higher-dimensional
   * array (all sub-arrays must have the same dimensions; empty ones vanish).
   */
  static fromValues(elemType: SqlType, values: unknown[]): SqlArray {
    if (values.length === 0 || !values.some((v) => v instanceof SqlArray)) return SqlArray.of(elemType, values);
    const subs = values.filter((v): v is SqlArray => v !== null);
    if (subs.length !== values.length) {
      throw new SbError('2202E', 'multidimensional arrays must have array expressions with matching dimensions');
    }
    const nonEmpty = subs.filter((s) => s.values.length > 0);
    if (nonEmpty.length === 0) return SqlArray.empty(elemType);
    if (nonEmpty.length !== subs.length) {
      throw new SbError('2202E', 'multidimensional arrays must have array expressions with matching dimensions');
    }
    const first = subs[0]!;
    for (const s of subs) {
      if (s.dims.length !== first.dims.length || s.dims.some((d, i) => d !== first.dims[i] || s.lbounds[i] !== first.lbounds[i])) {
        throw new SbError('2202E', 'multidimensional arrays must have array expressions with matching dimensions');
      }
    }
    const ndims = first.dims.length + 1;
    if (ndims > ARRAY_DIMS_MAX) throw arrayDimsError(ndims);
    return new SqlArray(elemType, [subs.length, ...first.dims], [1, ...first.lbounds], subs.flatMap((s) => s.values));
  }

  get ndims(): number {
    return this.dims.length;
  }

  get length(): number {
    return this.values.length;
  }

  isEmpty(): boolean {
    return this.values.length === 0;
  }

  /** Upper bound of dimension d (0-based). */
  upper(d: number): number {
    return this.lbounds[d]! + this.dims[d]! - 1;
  }

  /** Row-major offset of subscripts, or -1 when out of range / wrong dimensionality. */
  offsetOf(subscripts: readonly number[]): number {
    if (subscripts.length !== this.dims.length) return -1;
    let off = 0;
    for (let d = 0; d < subscripts.length; d++) {
      const i = subscripts[d]! - this.lbounds[d]!;
      if (i < 0 || i >= this.dims[d]!) return -1;
      off = off * this.dims[d]! + i;
    }
    return off;
  }

  /** arr[i][j]...: the element, or null when out of range (as PostgreSQL). */
  get(subscripts: readonly number[]): unknown {
    const off = this.offsetOf(subscripts);
    return off < 0 ? null : this.values[off] ?? null;
  }

  /**
   * arr[l1:u1][l2:u2]...: a slice (missing bounds mean the array's own;
   * a subscript given without ':' in a slice means 1:n). Out-of-range parts
   * are clipped; an empty intersection gives an empty array.
   */
  slice(lower: readonly (number | undefined)[], upper: readonly (number | undefined)[]): SqlArray {
    const n = this.dims.length;
    if (n === 0 || lower.length > n) return SqlArray.empty(this.elemType);
    const lo: number[] = [];
    const hi: number[] = [];
    for (let d = 0; d < n; d++) {
      let l = d < lower.length ? lower[d] ?? this.lbounds[d]! : this.lbounds[d]!;
      let u = d < upper.length ? upper[d] ?? this.upper(d) : this.upper(d);
      l = Math.max(l, this.lbounds[d]!);
      u = Math.min(u, this.upper(d));
      if (l > u) return SqlArray.empty(this.elemType);
      lo.push(l);
      hi.push(u);
    }
    const dims = lo.map((l, d) => hi[d]! - l + 1);
    const out: unknown[] = [];
    const idx = [...lo];
    for (;;) {
      out.push(this.get(idx));
      let d = n - 1;
      while (d >= 0) {
        if (idx[d]! < hi[d]!) {
          idx[d]!++;
          break;
        }
        idx[d] = lo[d]!;
        d--;
      }
      if (d < 0) break;
    }
    return new SqlArray(this.elemType, dims, dims.map(() => 1), out);
  }

  /**
   * arr[i] := v for a one-dimensional array (or an empty one): extends the
   * array with NULLs as needed. Multi-dimensional arrays take in-range
   * subscripts only.
   */
  set(subscripts: readonly number[], value: unknown): SqlArray {
    if (this.dims.length === 0) {
      if (subscripts.length !== 1) {
        return new SqlArray(this.elemType, subscripts.map(() => 1), [...subscripts], [value]);
      }
      return new SqlArray(this.elemType, [1], [subscripts[0]!], [value]);
    }
    if (subscripts.length !== this.dims.length) throw subscriptError('wrong number of array subscripts');
    const off = this.offsetOf(subscripts);
    if (off >= 0) {
      const values = [...this.values];
      values[off] = value;
      return new SqlArray(this.elemType, this.dims, this.lbounds, values);
    }
    if (this.dims.length !== 1) throw subscriptError('array subscript out of range');
    const i = subscripts[0]!;
    const lb = this.lbounds[0]!;
    const ub = this.upper(0);
    const newLb = Math.min(lb, i);
    const newUb = Math.max(ub, i);
    if (newUb - newLb + 1 > ARRAY_ITEMS_MAX) {
      throw new SbError(SqlState.program_limit_exceeded, 'array size exceeds the maximum allowed (134217727)');
    }
    const values = new Array<unknown>(newUb - newLb + 1).fill(null);
    for (let k = 0; k < this.values.length; k++) values[lb - newLb + k] = this.values[k];
    values[i - newLb] = value;
    return new SqlArray(this.elemType, [values.length], [newLb], values);
  }

  /** The same elements with the element type replaced (after an element-wise cast). */
  withValues(elemType: SqlType, values: unknown[]): SqlArray {
    return new SqlArray(elemType, this.dims, this.lbounds, values);
  }

  /** array_dims() text, e.g. "[1:2][0:3]"; null for an empty array. */
  dimsText(): string | null {
    if (this.dims.length === 0) return null;
    return this.dims.map((n, d) => `[${this.lbounds[d]}:${this.lbounds[d]! + n - 1}]`).join('');
  }
}

export function isSqlArray(v: unknown): v is SqlArray {
  return v instanceof SqlArray;
}
