// PostgreSQL frontend/backend protocol 3.0: message type bytes, request codes
// and the limits the codecs enforce. Pure data; no I/O.

/** Protocol version 3.0 as sent in a StartupMessage (major << 16 | minor). */
export const PROTOCOL_3_0 = 0x0003_0000;
/** The newest minor version of protocol 3 this server speaks. */
export const PROTOCOL_MINOR_LATEST = 0;

/** Special "protocol versions" of untyped startup-phase packets. */
export const CANCEL_REQUEST_CODE = 80877102; // 1234.5678
export const SSL_REQUEST_CODE = 80877103; // 1234.5679
export const GSSENC_REQUEST_CODE = 80877104; // 1234.5680

/** Startup-phase packets are small; PostgreSQL caps them the same way. */
export const startup_packet_bytes_max = 10_000;
/** Messages that carry only names or nothing at all are capped low, whatever message_bytes_max says. */
export const small_message_bytes_max = 10_000;
/** Default bound of any one frontend message (Query, Parse, Bind, CopyData...). */
export const message_bytes_max_default = 64 * 1024 * 1024;

/** Frontend (client → server) message type bytes. */
export const FE = {
  Bind: 0x42, // 'B'
  Close: 0x43, // 'C'
  CopyData: 0x64, // 'd'
  CopyDone: 0x63, // 'c'
  CopyFail: 0x66, // 'f'
  Describe: 0x44, // 'D'
  Execute: 0x45, // 'E'
  Flush: 0x48, // 'H'
  FunctionCall: 0x46, // 'F'
  Parse: 0x50, // 'P'
  /** PasswordMessage, SASLInitialResponse, SASLResponse, GSSResponse: told apart by state. */
  Password: 0x70, // 'p'
  Query: 0x51, // 'Q'
  Sync: 0x53, // 'S'
  Terminate: 0x58, // 'X'
} as const;

/** Backend (server → client) message type bytes. */
export const BE = {
  Authentication: 0x52, // 'R'
  BackendKeyData: 0x4b, // 'K'
  BindComplete: 0x32, // '2'
  CloseComplete: 0x33, // '3'
  CommandComplete: 0x43, // 'C'
  CopyData: 0x64, // 'd'
  CopyDone: 0x63, // 'c'
  CopyInResponse: 0x47, // 'G'
  CopyOutResponse: 0x48, // 'H'
  CopyBothResponse: 0x57, // 'W'
  DataRow: 0x44, // 'D'
  EmptyQueryResponse: 0x49, // 'I'
  ErrorResponse: 0x45, // 'E'
  NegotiateProtocolVersion: 0x76, // 'v'
  NoData: 0x6e, // 'n'
  NoticeResponse: 0x4e, // 'N'
  NotificationResponse: 0x41, // 'A'
  ParameterDescription: 0x74, // 't'
  ParameterStatus: 0x53, // 'S'
  ParseComplete: 0x31, // '1'
  PortalSuspended: 0x73, // 's'
  ReadyForQuery: 0x5a, // 'Z'
  RowDescription: 0x54, // 'T'
} as const;

/** Authentication request codes (the Int32 after 'R'). */
export const AUTH = {
  Ok: 0,
  CleartextPassword: 3,
  MD5Password: 5,
  SASL: 10,
  SASLContinue: 11,
  SASLFinal: 12,
} as const;

/** Field codes of ErrorResponse / NoticeResponse. */
export const ERROR_FIELD = {
  severity: 0x53, // 'S' localized severity
  severityNonLocalized: 0x56, // 'V'
  code: 0x43, // 'C'
  message: 0x4d, // 'M'
  detail: 0x44, // 'D'
  hint: 0x48, // 'H'
  position: 0x50, // 'P'
  internalPosition: 0x70, // 'p'
  internalQuery: 0x71, // 'q'
  where: 0x57, // 'W'
  schema: 0x73, // 's'
  table: 0x74, // 't'
  column: 0x63, // 'c'
  dataType: 0x64, // 'd'
  constraint: 0x6e, // 'n'
  file: 0x46, // 'F'
  line: 0x4c, // 'L'
  routine: 0x52, // 'R'
} as const;

export type TransactionStatus = 'I' | 'T' | 'E';

/** Value format codes: 0 text, 1 binary. */
export type FormatCode = 0 | 1;

/** Printable name of a message type byte, for error messages and logs. */
export function typeName(type: number): string {
  return type >= 0x20 && type < 0x7f ? `'${String.fromCharCode(type)}'` : `0x${type.toString(16).padStart(2, '0')}`;
}
