// Decoders of every frontend message. Input is one frame's body (see
// frame_reader.ts); output is a plain object. Anything malformed is an
// SbError: 08P01 for a bad layout, 22021 for invalid UTF-8, 0A000 for an
// unsupported protocol version. Nothing else is ever thrown.

import { SbError, SqlState } from '../../engine/sb_error.ts';
import { ByteReader, protocolViolation } from './bytes.ts';
import type { Frame } from './frame_reader.ts';
import {
  CANCEL_REQUEST_CODE,
  FE,
  type FormatCode,
  GSSENC_REQUEST_CODE,
  PROTOCOL_MINOR_LATEST,
  SSL_REQUEST_CODE,
  typeName,
} from './protocol.ts';

// ---------------------------------------------------------------- startup phase

export interface StartupMessage {
  kind: 'startup';
  /** Requested protocol version (major << 16 | minor); the major is always 3. */
  protocol: number;
  /** Parameters in the order sent (user, database, options, application_name...). */
  params: Map<string, string>;
}
export interface SslRequest {
  kind: 'ssl_request';
}
export interface GssEncRequest {
  kind: 'gssenc_request';
}
export interface CancelRequest {
  kind: 'cancel';
  processId: number;
  /** 4 bytes in protocol 3.0 (up to 256 in 3.2). */
  secretKey: Uint8Array;
}
export type StartupPacket = StartupMessage | SslRequest | GssEncRequest | CancelRequest;

export function decodeStartupPacket(body: Uint8Array): StartupPacket {
  const r = new ByteReader(body, 'startup packet');
  const code = r.int32();
  if (code === SSL_REQUEST_CODE || code === GSSENC_REQUEST_CODE) {
    r.end();
    return code === SSL_REQUEST_CODE ? { kind: 'ssl_request' } : { kind: 'gssenc_request' };
  }
  if (code === CANCEL_REQUEST_CODE) {
    const processId = r.int32();
    const key = r.rest();
    if (key.length < 4 || key.length > 256) throw protocolViolation('invalid length of cancel request packet');
    return { kind: 'cancel', processId, secretKey: key.slice() };
  }
  const major = code >>> 16;
  const minor = code & 0xffff;
  if (major !== 3) {
    throw new SbError(SqlState.feature_not_supported, `unsupported frontend protocol ${major}.${minor}: server supports 3.0 to 3.${PROTOCOL_MINOR_LATEST}`);
  }
  const params = new Map<string, string>();
  for (;;) {
    if (r.remaining === 0) throw protocolViolation('invalid startup packet layout: expected terminator as last byte');
    const name = r.cstring();
    if (name === '') break;
    if (r.remaining === 0) throw protocolViolation('invalid startup packet layout: expected terminator as last byte');
    const value = r.cstring();
    params.set(name, value);
  }
  r.end();
  return { kind: 'startup', protocol: code, params };
}

// ---------------------------------------------------------------- authentication ('p')

export function decodePasswordMessage(body: Uint8Array): { password: string } {
  const r = new ByteReader(body, 'password');
  const password = r.cstring();
  r.end();
  return { password };
}

export interface SaslInitialResponse {
  mechanism: string;
  /** Client-first-message; null when the client sent length −1. */
  data: Uint8Array | null;
}

export function decodeSaslInitialResponse(body: Uint8Array): SaslInitialResponse {
  const r = new ByteReader(body, 'SASLInitialResponse');
  const mechanism = r.cstring();
  const len = r.int32();
  if (len < -1) throw protocolViolation('invalid SASLInitialResponse message format', `data length ${len}`);
  const data = len === -1 ? null : r.bytes(len);
  r.end();
  return { mechanism, data };
}

export function decodeSaslResponse(body: Uint8Array): { data: Uint8Array } {
  return { data: body };
}

// ---------------------------------------------------------------- typed messages

export type FrontendMessage =
  | { type: 'Query'; sql: string }
  | { type: 'Parse'; name: string; sql: string; paramTypes: number[] }
  | {
      type: 'Bind';
      portal: string;
      statement: string;
      /** 0, 1 or one per parameter, as sent (codes other than 1 mean text). */
      paramFormats: FormatCode[];
      params: Array<Uint8Array | null>;
      resultFormats: FormatCode[];
    }
  | { type: 'Describe'; target: 'S' | 'P'; name: string }
  | { type: 'Execute'; portal: string; maxRows: number }
  | { type: 'Close'; target: 'S' | 'P'; name: string }
  | { type: 'Sync' }
  | { type: 'Flush' }
  | { type: 'Terminate' }
  | { type: 'CopyData'; data: Uint8Array }
  | { type: 'CopyDone' }
  | { type: 'CopyFail'; message: string }
  | { type: 'FunctionCall'; functionOid: number; argFormats: FormatCode[]; args: Array<Uint8Array | null>; resultFormat: FormatCode };

/** Format codes other than 0 and 1 are treated as text (SPEC-DIGEST §4.4). */
function format(code: number): FormatCode {
  return code === 1 ? 1 : 0;
}

function formats(r: ByteReader, of: string): FormatCode[] {
  const n = r.count16(2, of);
  const out: FormatCode[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = format(r.int16());
  return out;
}

function values(r: ByteReader): Array<Uint8Array | null> {
  const n = r.count16(4, 'parameter');
  const out: Array<Uint8Array | null> = new Array(n);
  for (let i = 0; i < n; i++) {
    const len = r.int32();
    if (len < -1) throw protocolViolation(`invalid ${r.what} message format`, `value length ${len}`);
    out[i] = len === -1 ? null : r.bytes(len);
  }
  return out;
}

function target(r: ByteReader): 'S' | 'P' {
  const t = r.byte();
  if (t === 0x53) return 'S';
  if (t === 0x50) return 'P';
  throw protocolViolation(`invalid ${r.what.toUpperCase()} message subtype ${t}`);
}

/** The messages without a body, made once (they are never changed). */
const EMPTY_MESSAGES = new Map<number, FrontendMessage>([
  [FE.Sync, Object.freeze({ type: 'Sync' as const })],
  [FE.Flush, Object.freeze({ type: 'Flush' as const })],
  [FE.Terminate, Object.freeze({ type: 'Terminate' as const })],
  [FE.CopyDone, Object.freeze({ type: 'CopyDone' as const })],
]);

/** Decodes a typed frame other than 'p' (whose meaning depends on the auth exchange). */
export function decodeFrontend(frame: Frame): FrontendMessage {
  const body = frame.body;
  switch (frame.type) {
    case FE.Query: {
      const r = new ByteReader(body, 'Query');
      const sql = r.cstring();
      r.end();
      return { type: 'Query', sql };
    }
    case FE.Parse: {
      const r = new ByteReader(body, 'Parse');
      const name = r.cstring();
      const sql = r.cstring();
      const n = r.count16(4, 'parameter type');
      const paramTypes: number[] = new Array(n);
      for (let i = 0; i < n; i++) paramTypes[i] = r.uint32();
      r.end();
      return { type: 'Parse', name, sql, paramTypes };
    }
    case FE.Bind: {
      const r = new ByteReader(body, 'Bind');
      const portal = r.cstring();
      const statement = r.cstring();
      const paramFormats = formats(r, 'parameter format');
      const params = values(r);
      if (paramFormats.length > 1 && paramFormats.length !== params.length) {
        throw protocolViolation(`bind message has ${paramFormats.length} parameter formats but ${params.length} parameters`);
      }
      const resultFormats = formats(r, 'result format');
      r.end();
      return { type: 'Bind', portal, statement, paramFormats, params, resultFormats };
    }
    case FE.Describe:
    case FE.Close: {
      const what = frame.type === FE.Describe ? 'Describe' : 'Close';
      const r = new ByteReader(body, what);
      const t = target(r);
      const name = r.cstring();
      r.end();
      return { type: what, target: t, name };
    }
    case FE.Execute: {
      const r = new ByteReader(body, 'Execute');
      const portal = r.cstring();
      const maxRows = r.int32();
      r.end();
      return { type: 'Execute', portal, maxRows: maxRows > 0 ? maxRows : 0 };
    }
    case FE.Sync:
    case FE.Flush:
    case FE.Terminate:
    case FE.CopyDone: {
      if (body.length === 0) return EMPTY_MESSAGES.get(frame.type)!;
      const what = frame.type === FE.Sync ? 'Sync' : frame.type === FE.Flush ? 'Flush' : frame.type === FE.Terminate ? 'Terminate' : 'CopyDone';
      new ByteReader(body, what).end();
      return { type: what };
    }
    case FE.CopyData:
      return { type: 'CopyData', data: body };
    case FE.CopyFail: {
      const r = new ByteReader(body, 'CopyFail');
      const message = r.cstring();
      r.end();
      return { type: 'CopyFail', message };
    }
    case FE.FunctionCall: {
      const r = new ByteReader(body, 'FunctionCall');
      const functionOid = r.uint32();
      const argFormats = formats(r, 'argument format');
      const args = values(r);
      if (argFormats.length > 1 && argFormats.length !== args.length) {
        throw protocolViolation(`function call message has ${argFormats.length} argument formats but ${args.length} arguments`);
      }
      const resultFormat = format(r.int16());
      r.end();
      return { type: 'FunctionCall', functionOid, argFormats, args, resultFormat };
    }
    default:
      throw protocolViolation(`invalid frontend message type ${frame.type} (${typeName(frame.type)})`);
  }
}

/** The format of parameter/column i under a Bind's format list (none: text; one: all). */
export function formatAt(list: readonly FormatCode[], i: number): FormatCode {
  if (list.length === 0) return 0;
  if (list.length === 1) return list[0]!;
  return list[i] ?? 0;
}
