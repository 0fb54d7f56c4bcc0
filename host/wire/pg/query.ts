// Simple and extended query protocol over one session.
//
// Simple query ('Q'): the session runs the statements one by one and each
// result goes out as soon as it is done (RowDescription, DataRows,
// CommandComplete); an error ends the message; ReadyForQuery follows.
// Several statements in one message run as one implicit transaction.
//
// Extended query: Parse binds the statement once to learn its parameter and
// result types; Bind turns the parameter bytes (text or binary) into values;
// Execute runs the portal's statement once, keeps the rows and hands them
// out max_rows at a time (PortalSuspended between). After an error every
// message up to Sync is skipped. Utility statements that return rows (SHOW,
// EXECUTE, EXPLAIN) run at Bind, as PostgreSQL runs them at portal start, so
// that Describe of the portal knows their columns.

import type * as A from '../../../sql-dialects/index.ts';
import { parse } from '../../../sql-dialects/index.ts';
import { isBindable } from '../../engine/bind/index.ts';
import { SbError, SqlState } from '../../engine/sb_error.ts';
import type { FieldInfo, QueryResult } from '../../engine/session/result.ts';
import type { Session } from '../../engine/session/session.ts';
import { decodeBinary, encodeBinary } from '../../engine/types/binary_io.ts';
import type { TypeContext } from '../../engine/types/context.ts';
import { formatText } from '../../engine/types/text_io.ts';
import { infoOf, T, typeByOid, typeOid, type SqlType } from '../../engine/types/types.ts';
import { decodeUtf8, encodeUtf8 } from './bytes.ts';
import { type FrontendMessage, formatAt } from './decode.ts';
import type { BackendWriter, FieldDescription } from './encode.ts';
import { errorFields } from './errors.ts';
import { CopyIn, CopyOut } from './copy.ts';
import { openRowStream, type RowStream } from '../../engine/session/portal.ts';
import { encodeUtf8 as utf8 } from './bytes.ts';
import { BE, type FormatCode } from './protocol.ts';
import { notify_payload_bytes_max } from './server_state.ts';

/** Unflushed output above this is written before more rows are encoded. */
const output_flush_bytes = 256 * 1024;
/** Named statements and portals one connection may hold. */
export const prepared_statements_max = 10_000;
export const portals_max = 10_000;

/** How sendRows writes a column: the generic encoder, integer digits, a string's bytes, binary. */
const VALUE_GENERIC = 0;
const VALUE_INT_TEXT = 1;
const VALUE_STRING_TEXT = 2;
const VALUE_BINARY = 3;

/** The text fast path of a type (formatText's String(v) and identity cases), else VALUE_GENERIC. */
function textKind(t: SqlType): number {
  switch (t.id) {
    case 'int2':
    case 'int4':
    case 'int8':
    case 'oid':
    case 'xid':
    case 'cid':
      return VALUE_INT_TEXT;
    case 'text':
    case 'varchar':
    case 'bpchar':
    case 'name':
    case 'unknown':
    case 'json':
      return VALUE_STRING_TEXT;
    default:
      return VALUE_GENERIC;
  }
}

const TEXT_FORMATS: readonly FormatCode[] = Object.freeze([]);
const BINARY_FORMATS: readonly FormatCode[] = Object.freeze([1]);

const ROW_UTILITIES = new Set(['show', 'execute', 'explain', 'fetch']);
const UNKNOWN_OID = 705;
const TEXT_OID = 25;

interface PreparedStatement {
  name: string;
  sql: string;
  /** null: the empty statement. */
  stmt: A.Statement | null;
  paramTypes: SqlType[];
  fields: FieldInfo[];
  /** Encoded RowDescription messages by result-format list (Describe of a portal repeats them). */
  rowDescriptions?: Map<string, Uint8Array>;
  /** How a streamed text result's columns are written (see VALUE_*), and the fields they were made for. */
  textKinds?: Uint8Array;
  textKindsOf?: readonly FieldInfo[];
}

interface Portal {
  ps: PreparedStatement;
  values: unknown[];
  resultFormats: FormatCode[];
  result: QueryResult | null;
  sent: number;
  /** A plain read's open operator tree (streamed Execute), and its batch not yet all sent. */
  stream?: RowStream | null;
  batch?: unknown[][] | null;
  batchAt?: number;
  /** How each column of the stream is written (see VALUE_*), made at its first Execute. */
  kinds?: Uint8Array;
  /** The transaction the stream reads in (the portal ends with it). */
  txn?: unknown;
  startedMs?: number;
  /** A Sync came since the stream last ran: its next Execute starts statement_timeout again (RowStream.restartTimeout). */
  synced?: boolean;
}

/** What the query protocol needs from its connection. */
export interface QueryHost {
  readonly session: Session;
  readonly out: BackendWriter;
  /** Writes buffered output now (backpressure: resolves when the socket can take more). */
  flush(): Promise<void>;
  /** An error was sent (counts it; logs internal errors). */
  onError(e: unknown, code: string): void;
  /** A statement that started at `startedMs` (monotonicMs) finished, ok or not. */
  onStatement(startedMs: number): void;
  monotonicMs(): number;
  /** A statement starts (pg_stat_activity's query and query_start); returns the start (monotonicMs). */
  onQueryStart(sql: string): number;
  /** LISTEN / UNLISTEN (channel undefined: all) / NOTIFY, served by the listener's registry. */
  listen(channel: string): void;
  unlisten(channel?: string): void;
  notify(channel: string, payload: string): void;
}

const NOTIFY_KINDS = new Set(['listen', 'unlisten', 'notify']);
const TXN_CONTROL = new Set(['begin', 'start_transaction', 'commit', 'rollback', 'savepoint', 'release_savepoint', 'rollback_to_savepoint', 'set_transaction']);

function sqlError(code: string, message: string): SbError {
  return new SbError(code, message);
}

export function fieldDescription(f: FieldInfo, format: FormatCode): FieldDescription {
  let oid = f.typeOid;
  let size = -1;
  if (oid === 0 || oid === UNKNOWN_OID) oid = TEXT_OID;
  else {
    try {
      size = infoOf(f.type).len;
    } catch {
      size = -1;
    }
  }
  return { name: f.name, tableOid: f.tableOid ?? 0, columnAttr: f.attnum ?? 0, typeOid: oid, typeSize: size, typeModifier: f.typmod, format };
}

export function encodeValue(f: FieldInfo, v: unknown, format: FormatCode, ctx: TypeContext): Uint8Array | null {
  if (v === null || v === undefined) return null;
  if (format === 1) return encodeBinary(f.type, v, ctx);
  return encodeUtf8(formatText(f.type, v, ctx));
}

export class QueryProtocol {
  private readonly statements = new Map<string, PreparedStatement>();
  /** Named portals; the unnamed one (most of them: each Bind replaces it) in its own field. */
  private readonly portals = new Map<string, Portal>();
  private unnamed: Portal | null = null;
  /** After an error in extended query mode, everything up to Sync is skipped. */
  skipUntilSync = false;
  /** A COPY FROM STDIN waiting for CopyData / CopyDone / CopyFail. */
  copyIn: CopyIn | null = null;

  constructor(private readonly host: QueryHost) {}

  private get session(): Session {
    return this.host.session;
  }

  private get out(): BackendWriter {
    return this.host.out;
  }

  sendError(e: unknown): void {
    const f = errorFields(e);
    if (f.severity !== 'FATAL') f.severity = 'ERROR';
    this.out.errorResponse(f);
    this.host.onError(e, f.code);
  }

  private sendNotices(r: QueryResult): void {
    if (!r.notices) return;
    for (const n of r.notices) {
      const f = errorFields(n);
      if (f.severity === 'ERROR' || f.severity === 'FATAL') f.severity = 'WARNING';
      this.out.noticeResponse(f);
    }
  }

  /** How each column is written (see VALUE_*), by result format and type. */
  private static valueKinds(fields: readonly FieldInfo[], formats: readonly FormatCode[]): Uint8Array {
    const n = fields.length;
    const kinds = new Uint8Array(n);
    for (let c = 0; c < n; c++) kinds[c] = formatAt(formats, c) === 1 ? VALUE_BINARY : textKind(fields[c]!.type);
    return kinds;
  }

  /** DataRows for r.rows[from, to); a promise only when the output went above the bound and must be written first. */
  private sendRows(r: QueryResult, from: number, to: number, formats: readonly FormatCode[]): void | Promise<void> {
    if (from >= to) return;
    const kinds = QueryProtocol.valueKinds(r.fields, formats);
    const at = this.encodeRows(r.fields, kinds, r.rows, from, to);
    if (this.out.length >= output_flush_bytes) return this.sendRest(r, kinds, at, to);
  }

  private async sendRest(r: QueryResult, kinds: Uint8Array, from: number, to: number): Promise<void> {
    await this.host.flush();
    for (let i = from; i < to; ) {
      i = this.encodeRows(r.fields, kinds, r.rows, i, to);
      if (this.out.length >= output_flush_bytes) await this.host.flush();
    }
  }

  /**
   * DataRows for rows[from, to), synchronously; stops after the row that
   * takes the unflushed output to the bound. Returns the index after the last
   * row written.
   */
  private encodeRows(fields: readonly FieldInfo[], kinds: Uint8Array, rows: readonly unknown[][], from: number, to: number): number {
    const n = fields.length;
    // The settings context (DateStyle, extra_float_digits...) only for columns whose text needs it.
    let ctx: TypeContext | null = null;
    const out = this.out;
    for (let i = from; i < to; i++) {
      const row = rows[i]!;
      const mark = out.length;
      try {
        out.begin(BE.DataRow).int16(n);
        for (let c = 0; c < n; c++) {
          const v = row[c];
          const k = kinds[c]!;
          if (v === null || v === undefined) out.int32(-1);
          else if (k === VALUE_INT_TEXT && (typeof v === 'number' || typeof v === 'bigint')) out.intTextValue(v);
          else if (k === VALUE_STRING_TEXT && typeof v === 'string') out.textValue(v);
          else {
            ctx ??= this.session.typeContext();
            const b = encodeValue(fields[c]!, v, k === VALUE_BINARY ? 1 : 0, ctx)!;
            out.int32(b.length).bytes(b);
          }
        }
        out.finish();
      } catch (e) {
        out.truncate(mark); // no half-written DataRow before the ErrorResponse
        throw e;
      }
      if (out.length >= output_flush_bytes) return i + 1;
    }
    return to;
  }

  private rowDescription(fields: readonly FieldInfo[], formats: readonly FormatCode[]): void {
    this.out.rowDescription(fields.map((f, i) => fieldDescription(f, formatAt(formats, i))));
  }

  /** A prepared statement's RowDescription for these result formats, encoded once and then copied. */
  private cachedRowDescription(ps: PreparedStatement, formats: readonly FormatCode[]): void {
    const key = formats.length === 0 ? '' : formats.length === 1 ? (formats[0] === 1 ? '1' : '0') : formats.join(',');
    const cached = ps.rowDescriptions?.get(key);
    if (cached !== undefined) {
      this.out.raw(cached);
      return;
    }
    const start = this.out.length;
    this.rowDescription(ps.fields, formats);
    if (formats.length <= 1 || (ps.rowDescriptions?.size ?? 0) < 8) {
      (ps.rowDescriptions ??= new Map()).set(key, this.out.copyFrom(start));
    }
  }

  private static returnsRows(r: QueryResult): boolean {
    return r.fields.length > 0 || /^(SELECT|FETCH|SHOW|EXPLAIN)\b/.test(r.command);
  }

  // ---------------------------------------------------------------- simple query

  /** Runs a Query message; false when it left the connection in COPY IN mode (no ReadyForQuery yet). */
  simpleQuery(sql: string): Promise<boolean> {
    const t0 = this.host.onQueryStart(sql);
    // The usual case (no implicit block to end, not COPY / LISTEN / NOTIFY): one promise fewer.
    if (this.session.tx.block !== 'implicit' && !/^\s*(copy|listen|unlisten|notify)\b/i.test(sql)) return this.runSimple(sql, t0);
    return this.simpleQuerySlow(sql, t0);
  }

  private async simpleQuerySlow(sql: string, t0: number): Promise<boolean> {
    if (this.session.tx.block === 'implicit') await this.endImplicit();
    if (/^\s*copy\b/i.test(sql)) {
      let stmts: A.Statement[] | null = null;
      try {
        stmts = parse(sql, this.session.dialect);
      } catch {
        stmts = null; // the normal path reports the syntax error
      }
      if (stmts && stmts.length === 1 && stmts[0]!.kind === 'copy') return this.copy(stmts[0] as A.Copy, sql, t0);
    }
    if (/^\s*(listen|unlisten|notify)\b/i.test(sql)) {
      let stmts: A.Statement[] | null = null;
      try {
        stmts = parse(sql, this.session.dialect);
      } catch {
        stmts = null;
      }
      if (stmts && stmts.length > 0 && stmts.every((st) => NOTIFY_KINDS.has(st.kind))) {
        this.listenNotify(stmts);
        return true;
      }
    }
    return this.runSimple(sql, t0);
  }

  /** Runs the statements of a Query message (started at t0); resolves to true (no COPY IN was started). */
  private async runSimple(sql: string, t0: number): Promise<boolean> {
    let streamed = 0;
    try {
      const results = await this.session.exec(sql, [], (r) => {
        streamed++;
        this.sendNotices(r);
        const formats: readonly FormatCode[] = r.binary ? BINARY_FORMATS : TEXT_FORMATS; // FETCH from a BINARY cursor
        if (QueryProtocol.returnsRows(r)) this.rowDescription(r.fields, formats);
        const p = this.sendRows(r, 0, r.rows.length, formats);
        if (p === undefined) this.out.commandComplete(r.command);
        else {
          return p.then(() => {
            this.out.commandComplete(r.command);
          });
        }
      });
      if (streamed === 0 && results.length === 1 && results[0]!.command === '') this.out.emptyQueryResponse();
    } catch (e) {
      this.sendError(e);
    }
    this.host.onStatement(t0);
    return true;
  }

  // ---------------------------------------------------------------- LISTEN / NOTIFY

  private listenNotify(stmts: A.Statement[]): void {
    const tx = this.session.tx;
    for (const st of stmts) {
      try {
        if (tx.failed) throw new SbError(SqlState.in_failed_sql_transaction, 'current transaction is aborted, commands ignored until end of transaction block');
        const fold = (id: A.Ident): string => this.session.dialect.foldIdentifier(id);
        if (st.kind === 'listen') {
          this.host.listen(fold((st as A.Listen).channel));
          this.out.commandComplete('LISTEN');
        } else if (st.kind === 'unlisten') {
          const ch = (st as A.Unlisten).channel;
          this.host.unlisten(ch ? fold(ch) : undefined);
          this.out.commandComplete('UNLISTEN');
        } else {
          const n = st as A.Notify;
          const channel = fold(n.channel);
          const payload = n.payload?.value ?? '';
          if (utf8(payload).length >= notify_payload_bytes_max) throw new SbError(SqlState.invalid_parameter_value, 'payload string too long');
          // Delivered when the transaction commits; at once outside a transaction block.
          if (tx.inBlock()) tx.atCommit(async () => this.host.notify(channel, payload));
          else this.host.notify(channel, payload);
          this.out.commandComplete('NOTIFY');
        }
      } catch (e) {
        if (tx.inBlock()) tx.failed = true;
        this.sendError(e);
        return;
      }
    }
  }

  // ---------------------------------------------------------------- COPY

  private async copy(c: A.Copy, sql: string, t0: number): Promise<boolean> {
    try {
      const ok = c.direction === 'FROM' ? c.target.kind === 'STDIN' : c.target.kind === 'STDOUT';
      if (!ok) {
        throw new SbError(SqlState.feature_not_supported, `COPY ${c.direction === 'FROM' ? 'from' : 'to'} a file or program is not supported`, { hint: `Use COPY ... ${c.direction === 'FROM' ? 'FROM STDIN' : 'TO STDOUT'} (psql's \\copy).` });
      }
      if (c.direction === 'FROM') {
        this.copyIn = CopyIn.start(this.session, c);
        const f = this.copyIn.formatCode;
        this.out.copyInResponse(f, new Array<0 | 1>(this.copyIn.columnCount).fill(f));
        return false;
      }
      await this.copyTo(c, sql);
    } catch (e) {
      this.sendError(e);
    } finally {
      if (this.copyIn === null) this.host.onStatement(t0);
    }
    return true;
  }

  /**
   * COPY TO STDOUT, streamed: a batch of rows is encoded only after the
   * output of the previous ones went to the socket (flush waits for 'drain'
   * while the socket's buffer is full), so memory stays bounded by the output
   * buffer and one batch, whatever the row count. An error after some rows
   * ends the COPY with ErrorResponse, as in PostgreSQL. Outside a transaction
   * block the COPY is its own transaction.
   */
  private async copyTo(c: A.Copy, sql: string): Promise<void> {
    const tx = this.session.tx;
    const own = !tx.inBlock();
    if (own) tx.beginBlock('implicit');
    let co: CopyOut | null = null;
    try {
      co = await CopyOut.open(this.session, c, sql);
      this.out.copyOutResponse(co.format, new Array<0 | 1>(co.fields.length).fill(co.format));
      for (;;) {
        const chunks = await co.nextChunks();
        if (chunks === null) break;
        for (const chunk of chunks) this.out.copyData(chunk);
        await this.flushOrStop();
      }
      this.out.copyDone();
      this.out.commandComplete(`COPY ${co.rows}`);
      if (own) await tx.commit();
    } catch (e) {
      co?.close();
      if (own) await tx.rollback();
      else tx.failed = true;
      throw e;
    }
  }

  /**
   * Between batches of a streamed result: writes the output once above the
   * bound (waiting while the socket is full), and stops the stream when the
   * output stays there (the client is gone: nothing takes it any more).
   */
  private async flushOrStop(): Promise<void> {
    if (this.out.length < output_flush_bytes) return;
    await this.host.flush();
    if (this.out.length >= output_flush_bytes) throw new SbError(SqlState.connection_failure, 'connection to client lost');
  }

  /** A message while in COPY IN mode; true when the COPY ended (ReadyForQuery is due). */
  async copyMessage(m: FrontendMessage): Promise<boolean> {
    const ci = this.copyIn!;
    try {
      switch (m.type) {
        case 'CopyData':
          await ci.data(m.data);
          return false;
        case 'Flush':
        case 'Sync':
          return false;
        case 'CopyDone': {
          const r = await ci.done();
          this.copyIn = null;
          this.out.commandComplete(r.command);
          return true;
        }
        case 'CopyFail':
          throw new SbError(SqlState.query_canceled, `COPY from stdin failed: ${m.message}`);
        default:
          throw new SbError(SqlState.protocol_violation, `unexpected message type ${m.type} during COPY from stdin`);
      }
    } catch (e) {
      // The COPY ends here; CopyData still in flight is ignored in normal mode, as in PostgreSQL.
      this.copyIn = null;
      await ci.abort().catch(() => {});
      this.sendError(e);
      return true;
    }
  }

  // ---------------------------------------------------------------- extended query

  /** Handles one extended-protocol message; a promise only when it has asynchronous work (Execute, a Bind that runs a utility). */
  extended(m: FrontendMessage): void | Promise<void> {
    if (this.skipUntilSync) return;
    try {
      switch (m.type) {
        case 'Parse':
          return this.parse(m.name, m.sql, m.paramTypes);
        case 'Bind': {
          const p = this.bind(m);
          return p === undefined ? undefined : p.catch((e) => this.extendedError(e));
        }
        case 'Describe':
          return this.describe(m.target, m.name);
        case 'Execute': {
          const p = this.execute(m.portal, m.maxRows);
          return p === undefined ? undefined : p.catch((e) => this.extendedError(e));
        }
        case 'Close':
          if (m.target === 'S') this.statements.delete(m.name);
          else this.dropPortal(m.name);
          this.out.closeComplete();
          return;
        default:
          throw new SbError(SqlState.protocol_violation, `unexpected message ${m.type} in extended query mode`);
      }
    } catch (e) {
      this.extendedError(e);
    }
  }

  /** An error in extended query mode: ErrorResponse, then everything up to Sync is skipped. */
  private extendedError(e: unknown): void {
    this.sendError(e);
    this.skipUntilSync = true;
  }

  /**
   * Sync: ends error skipping and the implicit transaction the extended
   * messages since the last Sync ran in (committed, or rolled back after an
   * error); portals die with the transaction. A promise only when a
   * transaction had to end.
   */
  sync(): void | Promise<void> {
    this.skipUntilSync = false;
    const tx = this.session.tx;
    if (tx.block === 'implicit') {
      // A read-only implicit transaction (pgbench -S) commits without a promise.
      let done = false;
      if (!tx.failed) {
        try {
          done = tx.commitSync();
        } catch (e) {
          return tx.rollback().then(() => {
            this.sendError(e);
            this.afterSync();
          });
        }
      }
      if (!done) return this.endImplicit().then(() => this.afterSync());
    }
    this.afterSync();
  }

  private afterSync(): void {
    if (this.session.transactionStatus === 'I') this.closePortals();
    else {
      if (this.unnamed?.stream) this.unnamed.synced = true;
      for (const p of this.portals.values()) if (p.stream) p.synced = true;
    }
  }

  private async endImplicit(): Promise<void> {
    const tx = this.session.tx;
    if (tx.block !== 'implicit') return;
    if (tx.failed) {
      await tx.rollback();
      return;
    }
    try {
      await tx.commit();
    } catch (e) {
      this.sendError(e);
    }
  }

  /** Drops every statement and portal (DISCARD ALL and connection end). */
  reset(): void {
    this.statements.clear();
    this.closePortals();
  }

  /** Closes a portal (its open operator tree, if it streams). */
  private dropPortal(name: string): void {
    if (name === '') {
      const p = this.unnamed;
      if (p === null) return;
      this.unnamed = null;
      p.stream?.close();
      return;
    }
    const p = this.portals.get(name);
    if (p === undefined) return;
    p.stream?.close();
    this.portals.delete(name);
  }

  private closePortals(): void {
    this.dropPortal('');
    if (this.portals.size === 0) return;
    for (const p of this.portals.values()) p.stream?.close();
    this.portals.clear();
  }

  private parse(name: string, sql: string, typeOids: readonly number[]): void {
    if (name !== '' && this.statements.has(name)) throw sqlError('42P05', `prepared statement "${name}" already exists`);
    if (name !== '' && this.statements.size >= prepared_statements_max) {
      throw new SbError(SqlState.program_limit_exceeded, `too many prepared statements (${prepared_statements_max})`, { hint: 'Close statements that are no longer needed.' });
    }
    const stmts = parse(sql, this.session.dialect);
    if (stmts.length > 1) throw new SbError(SqlState.syntax_error, 'cannot insert multiple commands into a prepared statement');
    const declared: Array<SqlType | undefined> = typeOids.map((oid) => {
      if (oid === 0) return undefined;
      const t = typeByOid(oid);
      if (!t) throw new SbError(SqlState.undefined_object, `type with OID ${oid} does not exist`);
      return t;
    });
    const stmt = stmts[0] ?? null;
    let paramTypes: SqlType[];
    let fields: FieldInfo[] = [];
    // DECLARE ... CURSOR FOR <query with $n>: the query's parameters are the statement's.
    if (stmt !== null && (isBindable(stmt) || stmt.kind === 'declare_cursor')) {
      if (this.session.tx.failed) {
        throw new SbError(SqlState.in_failed_sql_transaction, 'current transaction is aborted, commands ignored until end of transaction block');
      }
      const d = this.session.describe(stmt, sql, declared as SqlType[]);
      paramTypes = d.paramTypes;
      fields = d.fields;
    } else {
      paramTypes = declared.map((t) => t ?? T.text);
    }
    this.statements.set(name, { name, sql, stmt, paramTypes, fields });
    this.out.parseComplete();
  }

  private statement(name: string): PreparedStatement {
    const ps = this.statements.get(name);
    if (!ps) throw sqlError(SqlState.invalid_sql_statement_name, name === '' ? 'unnamed prepared statement does not exist' : `prepared statement "${name}" does not exist`);
    return ps;
  }

  /** Bind; a promise only for a utility statement that runs at portal start. */
  private bind(m: Extract<FrontendMessage, { type: 'Bind' }>): void | Promise<void> {
    const ps = this.statement(m.statement);
    if (m.params.length !== ps.paramTypes.length) {
      throw new SbError(SqlState.protocol_violation, `bind message supplies ${m.params.length} parameters, but prepared statement "${ps.name}" requires ${ps.paramTypes.length}`);
    }
    if (m.portal !== '' && this.portals.has(m.portal)) throw sqlError('42P03', `cursor "${m.portal}" already exists`);
    if (m.portal !== '' && this.portals.size >= portals_max) throw new SbError(SqlState.program_limit_exceeded, `too many portals (${portals_max})`);
    let ctx: TypeContext | null = null;
    const params = m.params;
    const values = new Array<unknown>(params.length);
    for (let i = 0; i < params.length; i++) {
      const b = params[i]!;
      if (b === null) values[i] = null;
      else if (formatAt(m.paramFormats, i) === 0) values[i] = decodeUtf8(b);
      else {
        try {
          values[i] = decodeBinary(ps.paramTypes[i]!, b, (ctx ??= this.session.typeContext()));
        } catch (e) {
          if (e instanceof SbError) throw e;
          throw new SbError(SqlState.invalid_binary_representation, `incorrect binary data format in bind parameter ${i + 1}`);
        }
      }
    }
    const portal: Portal = { ps, values, resultFormats: m.resultFormats, result: null, sent: 0, stream: undefined, batch: null, batchAt: 0, kinds: undefined, txn: null, startedMs: undefined };
    if (m.portal === '') this.dropPortal('');
    if (ps.stmt !== null && !isBindable(ps.stmt) && ROW_UTILITIES.has(ps.stmt.kind)) {
      return Promise.resolve(this.run(portal, this.host.monotonicMs())).then((r) => {
        portal.result = r;
        this.setPortal(m.portal, portal);
        this.out.bindComplete();
      });
    }
    this.setPortal(m.portal, portal);
    this.out.bindComplete();
  }

  private setPortal(name: string, p: Portal): void {
    if (name === '') this.unnamed = p;
    else this.portals.set(name, p);
  }

  private portal(name: string): Portal | undefined {
    return name === '' ? (this.unnamed ?? undefined) : this.portals.get(name);
  }

  private describe(target: 'S' | 'P', name: string): void {
    if (target === 'S') {
      const ps = this.statement(name);
      this.out.parameterDescription(ps.paramTypes.map((t) => {
        const oid = typeOid(t);
        return oid === UNKNOWN_OID || oid === 0 ? TEXT_OID : oid;
      }));
      if (ps.fields.length > 0) this.rowDescription(ps.fields, []);
      else this.out.noData();
      return;
    }
    const p = this.portal(name);
    if (!p) throw sqlError('34000', `portal "${name}" does not exist`);
    if (p.result === null && p.ps.fields.length > 0) {
      this.cachedRowDescription(p.ps, p.resultFormats);
      return;
    }
    const fields = p.result?.fields ?? p.ps.fields;
    if (fields.length > 0 || (p.result !== null && QueryProtocol.returnsRows(p.result))) this.rowDescription(fields, p.resultFormats);
    else this.out.noData();
  }

  /**
   * Runs a portal's statement: its result itself when the statement finished
   * without waiting (DML inside a transaction block: no promise turn before
   * the answer goes out), else the promise of it.
   */
  private run(p: Portal, t0: number): QueryResult | Promise<QueryResult> {
    // As in PostgreSQL, extended messages up to Sync run in one implicit transaction;
    // a transaction-control statement ends it first and then acts as in a simple query
    // (BEGIN with no implicit transaction to end is answered below, without a promise).
    const tx = this.session.tx;
    if (TXN_CONTROL.has(p.ps.stmt!.kind)) {
      if (p.ps.stmt!.kind !== 'begin' || tx.block === 'implicit') return this.runTransactionControl(p, t0);
    } else if (!tx.inBlock()) tx.beginBlock('implicit');
    const r = this.session.runStatementSync(p.ps.stmt!, p.ps.sql, p.values, p.ps.paramTypes);
    if (r instanceof Promise) return r.finally(() => this.host.onStatement(t0));
    this.host.onStatement(t0);
    return r;
  }

  private async runTransactionControl(p: Portal, t0: number): Promise<QueryResult> {
    await this.endImplicit();
    try {
      return await this.session.runStatement(p.ps.stmt!, p.ps.sql, p.values, p.ps.paramTypes);
    } finally {
      this.host.onStatement(t0);
    }
  }

  /**
   * Execute of a streaming portal: rows go out batch by batch as the executor
   * makes them (the output is written, waiting for the socket, whenever it
   * is above the bound), up to maxRows (then PortalSuspended; the next
   * Execute resumes from the row after). An error ends the portal after the
   * rows already sent, as in PostgreSQL. Synchronous, without a promise,
   * while batches come without waiting and the output stays below the bound
   * (a point lookup); the rest goes on in streamRest.
   */
  private executeStream(name: string, p: Portal, maxRows: number): void | Promise<void> {
    const tx = this.session.tx;
    if (p.txn !== tx.txn) {
      // The transaction the portal read in has ended: so has the portal.
      this.dropPortal(name);
      throw sqlError('34000', `portal "${name}" does not exist`);
    }
    if (tx.failed) throw new SbError(SqlState.in_failed_sql_transaction, 'current transaction is aborted, commands ignored until end of transaction block');
    const stream = p.stream;
    if (!stream) throw new SbError(SqlState.object_not_in_prerequisite_state, `portal "${name}" cannot be run`);
    let budget = maxRows > 0 ? maxRows : Number.MAX_SAFE_INTEGER;
    let sent = 0;
    let kinds = p.kinds;
    if (kinds === undefined) {
      // Text results (the usual case: no format code, or libpq's single 0): the statement keeps its
      // column kinds while its fields stay the same.
      const rf = p.resultFormats;
      if (rf.length === 0 || (rf.length === 1 && rf[0] === 0)) {
        const ps = p.ps;
        if (ps.textKinds === undefined || ps.textKindsOf !== stream.fields) {
          ps.textKinds = QueryProtocol.valueKinds(stream.fields, TEXT_FORMATS);
          ps.textKindsOf = stream.fields;
        }
        kinds = ps.textKinds;
      } else kinds = QueryProtocol.valueKinds(stream.fields, p.resultFormats);
      p.kinds = kinds;
    }
    try {
      while (budget > 0) {
        let batch = p.batch;
        if (!batch || p.batchAt! >= batch.length) {
          p.batch = null;
          if (stream.done) break;
          const next = stream.next();
          if (next instanceof Promise) return this.streamRest(p, stream, budget, sent, next);
          p.batch = batch = next;
          p.batchAt = 0;
          if (batch === null) break;
        }
        const from = p.batchAt!;
        const to = this.encodeRows(stream.fields, kinds, batch, from, Math.min(batch.length, from + budget));
        p.batchAt = to;
        budget -= to - from;
        sent += to - from;
        if (this.out.length >= output_flush_bytes) return this.streamRest(p, stream, budget, sent, null);
      }
    } catch (e) {
      this.streamFailed(p, stream);
      throw e;
    }
    this.streamStopped(p, budget, sent);
  }

  /** The rest of a streamed Execute once it must wait: for a batch (pending), or for the socket (output above the bound). */
  private async streamRest(p: Portal, stream: RowStream, budget: number, sent: number, pending: Promise<unknown[][] | null> | null): Promise<void> {
    const view: QueryResult = { command: 'SELECT', rowCount: 0, fields: stream.fields, rows: [] };
    try {
      if (pending !== null) {
        p.batch = await pending;
        p.batchAt = 0;
      } else if (p.batch && p.batchAt! < p.batch.length && budget > 0) {
        await this.host.flush(); // in the middle of a batch, as sendRows does
      } else {
        await this.flushOrStop();
      }
      while (budget > 0) {
        if (!p.batch || p.batchAt! >= p.batch.length) {
          p.batch = null;
          if (stream.done) break;
          const next = stream.next();
          p.batch = next instanceof Promise ? await next : next;
          p.batchAt = 0;
          if (p.batch === null) break;
        }
        const from = p.batchAt!;
        const to = Math.min(p.batch.length, from + budget);
        view.rows = p.batch;
        await this.sendRows(view, from, to, p.resultFormats);
        await this.flushOrStop();
        p.batchAt = to;
        budget -= to - from;
        sent += to - from;
      }
    } catch (e) {
      this.streamFailed(p, stream);
      throw e;
    }
    this.streamStopped(p, budget, sent);
  }

  private streamFailed(p: Portal, stream: RowStream): void {
    p.stream = null;
    p.batch = null;
    stream.close();
    this.streamEnded(p);
  }

  /** A streamed Execute stopped: at its row limit (PortalSuspended) or at the end of the rows. */
  private streamStopped(p: Portal, budget: number, sent: number): void {
    if (budget === 0) {
      this.out.portalSuspended();
      return;
    }
    // Ran to its end: a further Execute completes with no rows, as PostgreSQL's does.
    this.streamEnded(p);
    this.out.commandComplete(`SELECT ${sent}`);
  }

  private streamEnded(p: Portal): void {
    if (p.startedMs === undefined) return;
    this.host.onStatement(p.startedMs);
    p.startedMs = undefined;
  }

  /** Execute; a promise only when it has to wait (a statement that is not a plain read, a stream that waits). */
  private execute(name: string, maxRows: number): void | Promise<void> {
    const p = this.portal(name);
    if (!p) throw sqlError('34000', `portal "${name}" does not exist`);
    if (p.ps.stmt === null) {
      this.out.emptyQueryResponse();
      return;
    }
    if (p.stream !== undefined) {
      if (p.synced) {
        p.synced = false;
        p.stream?.restartTimeout();
      }
      return this.executeStream(name, p, maxRows);
    }
    if (p.result === null && p.ps.stmt.kind === 'select') {
      // A plain read streams: its operator tree stays open between Executes.
      const t0 = this.host.onQueryStart(p.ps.sql);
      const tx = this.session.tx;
      if (!tx.inBlock()) tx.beginBlock('implicit');
      const stream = openRowStream(this.session, p.ps.stmt, p.ps.sql, p.values, p.ps.paramTypes);
      if (stream !== null) {
        p.stream = stream;
        p.txn = tx.txn;
        p.startedMs = t0;
        return this.executeStream(name, p, maxRows);
      }
      return this.executeResult(p, maxRows, t0);
    }
    return this.executeResult(p, maxRows);
  }

  /**
   * Execute of a portal whose statement runs whole (its rows kept and handed
   * out maxRows at a time). Synchronous, without a promise, when the
   * statement and the sending of its rows are.
   */
  /** `t0`: the statement's start, when onQueryStart already ran for it. */
  private executeResult(p: Portal, maxRows: number, t0?: number): void | Promise<void> {
    if (p.result === null) {
      const r = this.run(p, t0 ?? this.host.onQueryStart(p.ps.sql));
      if (r instanceof Promise) {
        return r.then((res) => {
          this.ranPortal(p, res);
          return this.sendResult(p, maxRows);
        });
      }
      this.ranPortal(p, r);
    }
    return this.sendResult(p, maxRows);
  }

  private ranPortal(p: Portal, r: QueryResult): void {
    p.result = r;
    this.sendNotices(r);
    if (p.ps.stmt!.kind === 'discard' && /ALL/.test(r.command)) this.statements.clear();
  }

  /** The next up to maxRows rows of a portal's kept result, then PortalSuspended or CommandComplete. */
  private sendResult(p: Portal, maxRows: number): void | Promise<void> {
    const r = p.result!;
    const start = p.sent;
    const end = maxRows > 0 ? Math.min(r.rows.length, start + maxRows) : r.rows.length;
    const sending = this.sendRows(r, start, end, p.resultFormats);
    if (sending !== undefined) return sending.then(() => this.sentResult(p, r, start, end));
    this.sentResult(p, r, start, end);
  }

  private sentResult(p: Portal, r: QueryResult, start: number, end: number): void {
    p.sent = end;
    if (end < r.rows.length) {
      this.out.portalSuspended();
      return;
    }
    this.out.commandComplete(/^SELECT \d+$/.test(r.command) ? `SELECT ${end - start}` : r.command);
  }
}
