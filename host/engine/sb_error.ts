// The one error type of ScratchBird (DESIGN.md rule 5).
//
// Every failure the engine reports is an SbError carrying a canonical SQLSTATE.
// Wire protocols translate it at the edge (PG ErrorResponse fields, MySQL errno,
// Firebird status vector, TDS ERROR token); tests assert codes, not messages.

export type Severity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE';

export interface SbErrorFields {
  detail?: string;
  hint?: string;
  /** 1-based character position in the statement text, for syntax errors. */
  position?: number;
  schema?: string;
  table?: string;
  column?: string;
  constraint?: string;
  dataType?: string;
  severity?: Severity;
  /** Internal classification beyond the SQLSTATE (e.g. 'format_version'). */
  kind?: string;
  cause?: unknown;
}

export class SbError extends Error {
  readonly code: string;
  readonly detail?: string;
  readonly hint?: string;
  readonly position?: number;
  readonly schema?: string;
  readonly table?: string;
  readonly column?: string;
  readonly constraint?: string;
  readonly dataType?: string;
  readonly severity: Severity;
  readonly kind?: string;

  constructor(code: string, message: string, fields: SbErrorFields = {}) {
    super(message, fields.cause !== undefined ? { cause: fields.cause } : undefined);
    this.name = 'SbError';
    this.code = code;
    this.severity = fields.severity ?? 'ERROR';
    if (fields.detail !== undefined) this.detail = fields.detail;
    if (fields.hint !== undefined) this.hint = fields.hint;
    if (fields.position !== undefined) this.position = fields.position;
    if (fields.schema !== undefined) this.schema = fields.schema;
    if (fields.table !== undefined) this.table = fields.table;
    if (fields.column !== undefined) this.column = fields.column;
    if (fields.constraint !== undefined) this.constraint = fields.constraint;
    if (fields.dataType !== undefined) this.dataType = fields.dataType;
    if (fields.kind !== undefined) this.kind = fields.kind;
  }
}

export function isSbError(e: unknown): e is SbError {
  return e instanceof SbError;
}

/** Wraps anything thrown into an SbError; unknown failures are internal errors (XX000). */
export function toSbError(e: unknown): SbError {
  if (e instanceof SbError) return e;
  const message = e instanceof Error ? e.message : String(e);
  return new SbError(SqlState.internal_error, message, { cause: e });
}

/** SQLSTATE codes used by the engine, named after PostgreSQL's condition names. */
export const SqlState = {
  successful_completion: '00000',
  warning: '01000',
  connection_exception: '08000',
  connection_failure: '08006',
  protocol_violation: '08P01',
  feature_not_supported: '0A000',
  invalid_transaction_initiation: '0B000',
  cardinality_violation: '21000',
  data_exception: '22000',
  string_data_right_truncation: '22001',
  null_value_not_allowed: '22004',
  invalid_datetime_format: '22007',
  datetime_field_overflow: '22008',
  numeric_value_out_of_range: '22003',
  division_by_zero: '22012',
  invalid_escape_sequence: '22025',
  character_not_in_repertoire: '22021',
  invalid_parameter_value: '22023',
  invalid_text_representation: '22P02',
  invalid_binary_representation: '22P03',
  integrity_constraint_violation: '23000',
  not_null_violation: '23502',
  foreign_key_violation: '23503',
  unique_violation: '23505',
  check_violation: '23514',
  invalid_cursor_state: '24000',
  invalid_transaction_state: '25000',
  active_sql_transaction: '25001',
  no_active_sql_transaction: '25P01',
  in_failed_sql_transaction: '25P02',
  read_only_sql_transaction: '25006',
  idle_in_transaction_session_timeout: '25P03',
  invalid_sql_statement_name: '26000',
  invalid_authorization_specification: '28000',
  invalid_password: '28P01',
  invalid_savepoint_specification: '3B001',
  invalid_catalog_name: '3D000',
  invalid_schema_name: '3F000',
  transaction_rollback: '40000',
  serialization_failure: '40001',
  deadlock_detected: '40P01',
  syntax_error_or_access_rule_violation: '42000',
  syntax_error: '42601',
  insufficient_privilege: '42501',
  undefined_column: '42703',
  undefined_function: '42883',
  undefined_table: '42P01',
  undefined_parameter: '42P02',
  undefined_object: '42704',
  duplicate_column: '42701',
  duplicate_database: '42P04',
  duplicate_object: '42710',
  duplicate_schema: '42P06',
  duplicate_table: '42P07',
  ambiguous_column: '42702',
  datatype_mismatch: '42804',
  wrong_object_type: '42809',
  invalid_column_reference: '42P10',
  grouping_error: '42803',
  name_too_long: '42622',
  program_limit_exceeded: '54000',
  statement_too_complex: '54001',
  too_many_connections: '53300',
  out_of_memory: '53200',
  disk_full: '53100',
  object_not_in_prerequisite_state: '55000',
  object_in_use: '55006',
  lock_not_available: '55P03',
  query_canceled: '57014',
  admin_shutdown: '57P01',
  cannot_connect_now: '57P03',
  system_error: '58000',
  io_error: '58030',
  undefined_file: '58P01',
  internal_error: 'XX000',
  data_corrupted: 'XX001',
  index_corrupted: 'XX002',
} as const;

export type SqlStateCode = (typeof SqlState)[keyof typeof SqlState];
