// TODO(types): the SqlArray value (docs/design/sql_engine.md, Values), here
// until host/engine/types defines it.

import { SbError, SqlState } from '../../sb_error.ts';
import type { SqlType } from '../../types/types.ts';

/** PostgreSQL's MAXDIM. */
export const ARRAY_DIMS_MAX = 6;

export class SqlArray {
  constructor(
    readonly elemType: SqlType,
    /** Length of each dimension; [] for an empty array. */
    readonly dims: number[],
    /** Lower bound of each dimension (1 by default). */
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

  get ndims(): number {
    return this.dims.length;
  }

  get length(): number {
    return this.values.length;
  }

  isEmpty(): boolean {
    return this.values.length === 0;
  }
}

export function arrayDimsError(msg: string): SbError {
  return new SbError(SqlState.program_limit_exceeded, msg);
}

export function isSqlArray(v: unknown): v is SqlArray {
  return v instanceof SqlArray;
}
