// Error constructors with PostgreSQL's SQLSTATEs and messages for the
// built-ins.

import { SbError, SqlState } from '../sb_error.ts';
import { formatType } from '../types/type_names.ts';
import type { SqlType } from '../types/types.ts';

export function outOfRange(typeName: 'smallint' | 'integer' | 'bigint' | string): SbError {
  return new SbError(SqlState.numeric_value_out_of_range, `${typeName} out of range`);
}

export function divisionByZero(): SbError {
  return new SbError(SqlState.division_by_zero, 'division by zero');
}

export function floatOverflow(): SbError {
  return new SbError(SqlState.numeric_value_out_of_range, 'value out of range: overflow');
}

export function floatUnderflow(): SbError {
  return new SbError(SqlState.numeric_value_out_of_range, 'value out of range: underflow');
}

export function invalidParameter(msg: string, fields: { detail?: string; hint?: string } = {}): SbError {
  return new SbError(SqlState.invalid_parameter_value, msg, fields);
}

export function invalidText(msg: string): SbError {
  return new SbError(SqlState.invalid_text_representation, msg);
}

export function notSupported(msg: string, hint?: string): SbError {
  return new SbError(SqlState.feature_not_supported, msg, hint !== undefined ? { hint } : {});
}

export function invalidArgumentForPower(msg: string): SbError {
  return new SbError('2201F', msg);
}

export function invalidArgumentForLog(msg: string): SbError {
  return new SbError('2201E', msg);
}

export function datetimeOverflow(msg: string): SbError {
  return new SbError(SqlState.datetime_field_overflow, msg);
}

export function invalidRegex(msg: string): SbError {
  return new SbError('2201B', `invalid regular expression: ${msg}`);
}

export function invalidEscape(msg: string): SbError {
  return new SbError(SqlState.invalid_escape_sequence, msg);
}

export function arraySubscriptError(msg: string): SbError {
  return new SbError('2202E', msg);
}

export function dataException(msg: string): SbError {
  return new SbError(SqlState.data_exception, msg);
}

/** A type's name for messages, as format_type prints it without a typmod ('unknown' for untyped literals). */
export function typeName(t: SqlType | 'unknown'): string {
  if (t === 'unknown') return 'unknown';
  return formatType(t.typmod === -1 ? t : { ...t, typmod: -1 });
}
