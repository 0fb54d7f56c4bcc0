// SbError → PostgreSQL ErrorResponse/NoticeResponse fields (DESIGN.md rule 5).
// Anything that is not an SbError becomes XX000 with its message only; stack
// traces never reach a client.

import { SbError, SqlState, toSbError } from '../../engine/sb_error.ts';
import type { ErrorFields, MessageSeverity } from './encode.ts';

/** Optional extra fields an SbError may carry for PostgreSQL clients. */
interface PgExtras {
  where?: string;
  internalQuery?: string;
  internalPosition?: number;
  routine?: string;
}

export function errorFields(e: unknown, severity?: MessageSeverity): ErrorFields {
  const err: SbError = toSbError(e);
  let sev: MessageSeverity = severity ?? err.severity;
  // PANIC is never sent (SPEC-DIGEST §4.5); a PANIC-level failure ends the session as FATAL.
  if (sev === 'PANIC') sev = 'FATAL';
  const code = /^[0-9A-Z]{5}$/.test(err.code) ? err.code : SqlState.internal_error;
  const f: ErrorFields = { severity: sev, code, message: err.message };
  if (err.detail !== undefined) f.detail = err.detail;
  if (err.hint !== undefined) f.hint = err.hint;
  if (err.position !== undefined) f.position = err.position;
  if (err.schema !== undefined) f.schema = err.schema;
  if (err.table !== undefined) f.table = err.table;
  if (err.column !== undefined) f.column = err.column;
  if (err.dataType !== undefined) f.dataType = err.dataType;
  if (err.constraint !== undefined) f.constraint = err.constraint;
  const x = err as unknown as PgExtras;
  if (typeof x.where === 'string') f.where = x.where;
  if (typeof x.internalQuery === 'string') f.internalQuery = x.internalQuery;
  if (typeof x.internalPosition === 'number') f.internalPosition = x.internalPosition;
  if (typeof x.routine === 'string') f.routine = x.routine;
  return f;
}

/** A FATAL error: the connection closes after sending it. */
export function fatal(code: string, message: string, fields: { detail?: string; hint?: string } = {}): SbError {
  return new SbError(code, message, { ...fields, severity: 'FATAL' });
}
