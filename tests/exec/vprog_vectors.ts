// Column vectors for the vector-program tests: allocated and filled in the
// exec kernel's memory (NULL slots hold 0, as the column cache writes them).

import type { ExecKernels } from '../../host/engine/exec/kernels.ts';
import { vpExports } from '../../host/engine/exec/vprog.ts';

export type VecKind = 'i32' | 'i64' | 'f64' | 'u8';

/** Allocates and fills one column (and its NULL bytes when any value is null); the addresses go to `owned` for freeing. */
export function fillVector(k: ExecKernels, owned: number[], kind: VecKind, vals: ReadonlyArray<number | bigint | null>): { ptr: number; nulls: number } {
  const x = vpExports(k);
  const n = vals.length;
  const size = kind === 'i32' ? 4 : kind === 'u8' ? 1 : 8;
  const ptr = x.exec_alloc(n * size + 16);
  owned.push(ptr);
  const hasNull = vals.some((v) => v === null);
  const nulls = hasNull ? x.exec_alloc(n + 16) : 0;
  if (nulls) owned.push(nulls);
  const buf = x.memory.buffer;
  for (let i = 0; i < n; i++) {
    const v = vals[i];
    if (kind === 'i32') new Int32Array(buf, ptr, n)[i] = v === null ? 0 : Number(v);
    else if (kind === 'u8') new Uint8Array(buf, ptr, n)[i] = v === null ? 0 : Number(v);
    else if (kind === 'i64') new BigInt64Array(buf, ptr, n)[i] = v === null ? 0n : BigInt(v);
    else new Float64Array(buf, ptr, n)[i] = v === null ? 0 : Number(v);
    if (nulls) new Uint8Array(buf, nulls, n)[i] = v === null ? 1 : 0;
  }
  return { ptr, nulls };
}
