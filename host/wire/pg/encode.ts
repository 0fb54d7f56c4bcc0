// Encoders of every backend message. A BackendWriter appends messages to one
// growable buffer, so a whole response (RowDescription, DataRows,
// CommandComplete, ReadyForQuery) goes out in one socket write.

import { ByteWriter, encodeUtf8 } from './bytes.ts';
import { AUTH, BE, ERROR_FIELD, type FormatCode, type TransactionStatus } from './protocol.ts';

/** One column of a RowDescription. */
export interface FieldDescription {
  name: string;
  /** OID of the table the column comes from, or 0. */
  tableOid: number;
  /** Attribute number of that column, or 0. */
  columnAttr: number;
  typeOid: number;
  /** pg_type.typlen: −1 varlena, −2 cstring, else the fixed size. */
  typeSize: number;
  /** atttypmod, −1 when none. */
  typeModifier: number;
  format: FormatCode;
}

export type MessageSeverity = 'ERROR' | 'FATAL' | 'PANIC' | 'WARNING' | 'NOTICE' | 'DEBUG' | 'INFO' | 'LOG';

/** Every field of an ErrorResponse / NoticeResponse. */
export interface ErrorFields {
  severity: MessageSeverity;
  code: string;
  message: string;
  detail?: string;
  hint?: string;
  /** 1-based character position in the query text. */
  position?: number;
  internalPosition?: number;
  internalQuery?: string;
  where?: string;
  schema?: string;
  table?: string;
  column?: string;
  dataType?: string;
  constraint?: string;
  file?: string;
  line?: number;
  routine?: string;
}

export interface Notification {
  processId: number;
  channel: string;
  payload: string;
}

export class BackendWriter extends ByteWriter {
  authenticationOk(): this {
    return this.begin(BE.Authentication).int32(AUTH.Ok).finish();
  }

  authenticationCleartextPassword(): this {
    return this.begin(BE.Authentication).int32(AUTH.CleartextPassword).finish();
  }

  authenticationMD5Password(salt: Uint8Array): this {
    if (salt.length !== 4) throw new Error('MD5 salt must be 4 bytes');
    return this.begin(BE.Authentication).int32(AUTH.MD5Password).bytes(salt).finish();
  }

  authenticationSASL(mechanisms: readonly string[]): this {
    this.begin(BE.Authentication).int32(AUTH.SASL);
    for (const m of mechanisms) this.cstring(m);
    return this.byte(0).finish();
  }

  authenticationSASLContinue(data: Uint8Array): this {
    return this.begin(BE.Authentication).int32(AUTH.SASLContinue).bytes(data).finish();
  }

  authenticationSASLFinal(data: Uint8Array): this {
    return this.begin(BE.Authentication).int32(AUTH.SASLFinal).bytes(data).finish();
  }

  parameterStatus(name: string, value: string): this {
    return this.begin(BE.ParameterStatus).cstring(name).cstring(value).finish();
  }

  backendKeyData(processId: number, secretKey: Uint8Array): this {
    return this.begin(BE.BackendKeyData).int32(processId).bytes(secretKey).finish();
  }

  readyForQuery(status: TransactionStatus): this {
    return this.begin(BE.ReadyForQuery).byte(status.charCodeAt(0)).finish();
  }

  negotiateProtocolVersion(newestMinor: number, unrecognized: readonly string[]): this {
    this.begin(BE.NegotiateProtocolVersion).int32(newestMinor).int32(unrecognized.length);
    for (const o of unrecognized) this.cstring(o);
    return this.finish();
  }

  rowDescription(fields: readonly FieldDescription[]): this {
    this.begin(BE.RowDescription).int16(fields.length);
    for (const f of fields) {
      this.cstring(f.name).int32(f.tableOid).int16(f.columnAttr).int32(f.typeOid).int16(f.typeSize).int32(f.typeModifier).int16(f.format);
    }
    return this.finish();
  }

  /** A DataRow of already-encoded values (null is SQL NULL, length −1). */
  dataRow(values: ReadonlyArray<Uint8Array | null>): this {
    this.begin(BE.DataRow).int16(values.length);
    for (const v of values) {
      if (v === null) this.int32(-1);
      else this.int32(v.length).bytes(v);
    }
    return this.finish();
  }

  commandComplete(tag: string): this {
    return this.begin(BE.CommandComplete).cstring(tag).finish();
  }

  emptyQueryResponse(): this {
    return this.begin(BE.EmptyQueryResponse).finish();
  }

  errorResponse(fields: ErrorFields): this {
    return this.fieldsMessage(BE.ErrorResponse, fields);
  }

  noticeResponse(fields: ErrorFields): this {
    return this.fieldsMessage(BE.NoticeResponse, fields);
  }

  private fieldsMessage(type: number, f: ErrorFields): this {
    this.begin(type);
    const put = (code: number, v: string | number | undefined): void => {
      if (v === undefined) return;
      this.byte(code).cstring(String(v));
    };
    put(ERROR_FIELD.severity, f.severity);
    put(ERROR_FIELD.severityNonLocalized, f.severity);
    put(ERROR_FIELD.code, f.code);
    put(ERROR_FIELD.message, f.message);
    put(ERROR_FIELD.detail, f.detail);
    put(ERROR_FIELD.hint, f.hint);
    put(ERROR_FIELD.position, f.position);
    put(ERROR_FIELD.internalPosition, f.internalPosition);
    put(ERROR_FIELD.internalQuery, f.internalQuery);
    put(ERROR_FIELD.where, f.where);
    put(ERROR_FIELD.schema, f.schema);
    put(ERROR_FIELD.table, f.table);
    put(ERROR_FIELD.column, f.column);
    put(ERROR_FIELD.dataType, f.dataType);
    put(ERROR_FIELD.constraint, f.constraint);
    put(ERROR_FIELD.file, f.file);
    put(ERROR_FIELD.line, f.line);
    put(ERROR_FIELD.routine, f.routine);
    return this.byte(0).finish();
  }

  parseComplete(): this {
    return this.begin(BE.ParseComplete).finish();
  }

  bindComplete(): this {
    return this.begin(BE.BindComplete).finish();
  }

  closeComplete(): this {
    return this.begin(BE.CloseComplete).finish();
  }

  parameterDescription(typeOids: readonly number[]): this {
    this.begin(BE.ParameterDescription).int16(typeOids.length);
    for (const oid of typeOids) this.int32(oid);
    return this.finish();
  }

  noData(): this {
    return this.begin(BE.NoData).finish();
  }

  portalSuspended(): this {
    return this.begin(BE.PortalSuspended).finish();
  }

  copyInResponse(overall: FormatCode, columns: readonly FormatCode[]): this {
    return this.copyResponse(BE.CopyInResponse, overall, columns);
  }

  copyOutResponse(overall: FormatCode, columns: readonly FormatCode[]): this {
    return this.copyResponse(BE.CopyOutResponse, overall, columns);
  }

  copyBothResponse(overall: FormatCode, columns: readonly FormatCode[]): this {
    return this.copyResponse(BE.CopyBothResponse, overall, columns);
  }

  private copyResponse(type: number, overall: FormatCode, columns: readonly FormatCode[]): this {
    this.begin(type).byte(overall).int16(columns.length);
    for (const c of columns) this.int16(c);
    return this.finish();
  }

  copyData(data: Uint8Array): this {
    return this.begin(BE.CopyData).bytes(data).finish();
  }

  copyDone(): this {
    return this.begin(BE.CopyDone).finish();
  }

  notificationResponse(n: Notification): this {
    return this.begin(BE.NotificationResponse).int32(n.processId).cstring(n.channel).cstring(n.payload).finish();
  }
}

/** Encodes one message on its own (tests, one-off replies). */
export function encodeOne(fn: (w: BackendWriter) => unknown): Uint8Array {
  const w = new BackendWriter(64);
  fn(w);
  return w.take();
}

/** Text-format value bytes of a string. */
export function textValue(s: string): Uint8Array {
  return encodeUtf8(s);
}
