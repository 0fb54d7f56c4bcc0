// Status codes returned by every kernel export. Kernels never throw for an
// operating error: an AssemblyScript throw aborts the whole instance.
// Positive values are outcomes, negative values are failures.

export const ST_OK: i32 = 0;
export const ST_NOT_FOUND: i32 = 1;
/** The newest version of the key belongs to another uncommitted transaction;
 *  its TIP slot is in the result area (R_SLOT). The host waits or fails. */
export const ST_CONFLICT_ACTIVE: i32 = 2;
/** The newest version was committed after the writer's snapshot (40001). */
export const ST_CONFLICT_COMMITTED: i32 = 3;
/** An insert found a live committed (or own) version of the key (23505). */
export const ST_EXISTS: i32 = 4;
/** A step function has more work: call it again. */
export const ST_MORE: i32 = 5;
/** An iterator is exhausted. */
export const ST_END: i32 = 6;

export const ST_ERR_NOMEM: i32 = -1;
export const ST_ERR_IO: i32 = -2;
export const ST_ERR_CORRUPT: i32 = -3;
export const ST_ERR_ARG: i32 = -4;
export const ST_ERR_FORMAT: i32 = -5;
export const ST_ERR_LIMIT: i32 = -6;
export const ST_ERR_STATE: i32 = -7;
