// COPY ... FROM STDIN and COPY ... TO STDOUT over the wire, in PostgreSQL's
// text, CSV and binary formats. COPY FROM streams: rows are cut from CopyData
// as it arrives, each field is converted to its column's type (text input or
// binary receive), and batches of typed rows go straight to the table's
// insert operator (copy_insert.ts) inside one transaction, so the COPY is
// atomic. An error names the line (the tuple, in binary) in its CONTEXT, as
// PostgreSQL's does. COPY TO streams the table's or the query's SELECT: one
// batch of rows at a time, one CopyData per row, the next batch only once the
// socket has taken the output (CopyOut).

import type * as A from '../../../sql-dialects/index.ts';
import { parse } from '../../../sql-dialects/index.ts';
import { lookupRelation } from '../../engine/bind/names.ts';
import { type ColumnObj, liveColumns, type TableObj } from '../../engine/catalog/objects.ts';
import { SbError, SqlState } from '../../engine/sb_error.ts';
import { openRowStream, type RowStream } from '../../engine/session/portal.ts';
import type { FieldInfo, QueryResult } from '../../engine/session/result.ts';
import type { Session } from '../../engine/session/session.ts';
import { decodeBinary, encodeBinary } from '../../engine/types/binary_io.ts';
import type { TypeContext } from '../../engine/types/context.ts';
import { formatText, parseText } from '../../engine/types/text_io.ts';
import type { SqlType } from '../../engine/types/types.ts';
import { encodeUtf8 } from './bytes.ts';
import { BAD_COPY_FILE_FORMAT, CopyBinaryParser, copyBinaryHeader, copyBinaryTrailer, copyBinaryTuple } from './copy_binary.ts';
import { BatchRowError, BulkInserter } from './copy_insert.ts';

/** Rows per insert statement while copying in (PostgreSQL buffers 1000). */
const copy_batch_rows = 2000;
/** Text-format CopyData smaller than this is gathered up to this much before parsing. */
const copy_chunk_bytes = 64 * 1024;
/** A single row (line) of COPY input may not exceed this. */
export const copy_row_bytes_max = 64 * 1024 * 1024;

export interface CopyOptions {
  format: 'text' | 'csv' | 'binary';
  delimiter: string;
  null: string;
  header: boolean;
  quote: string;
  escape: string;
}

function optionText(o: A.SqlOption): string | undefined {
  const v = o.value as { kind?: string; value?: unknown; name?: Array<{ value: string }> } | undefined;
  if (!v) return undefined;
  if (v.kind === 'string' || v.kind === 'number') return String(v.value);
  if (v.kind === 'column' && v.name) return v.name.map((p) => p.value).join('.');
  if (v.kind === 'bool' || v.kind === 'boolean') return String(v.value);
  return undefined;
}

export function copyOptions(c: A.Copy): CopyOptions {
  let format: CopyOptions['format'] = 'text';
  const o: Partial<CopyOptions> = {};
  for (const opt of c.options) {
    const n = opt.name.toUpperCase();
    const v = optionText(opt);
    switch (n) {
      case 'FORMAT': {
        const f = (v ?? '').toLowerCase();
        if (f !== 'text' && f !== 'csv' && f !== 'binary') throw new SbError(SqlState.invalid_parameter_value, `COPY format "${v}" not recognized`);
        format = f;
        break;
      }
      case 'CSV':
        format = 'csv';
        break;
      case 'BINARY':
        format = 'binary';
        break;
      case 'HEADER':
        o.header = v === undefined || !/^(false|off|0)$/i.test(v);
        break;
      case 'DELIMITER':
        o.delimiter = v ?? '';
        break;
      case 'NULL':
        o.null = v ?? '';
        break;
      case 'QUOTE':
        o.quote = v ?? '';
        break;
      case 'ESCAPE':
        o.escape = v ?? '';
        break;
      case 'FREEZE':
      case 'ENCODING':
      case 'OIDS':
        break; // FREEZE is a storage hint; the encoding is always UTF8
      default:
        throw new SbError(SqlState.syntax_error, `option "${opt.name.toLowerCase()}" not recognized`);
    }
  }
  const csv = format === 'csv';
  if (format === 'binary') {
    for (const k of ['delimiter', 'null', 'header', 'quote', 'escape'] as const) {
      if (o[k] !== undefined) throw new SbError(SqlState.syntax_error, `cannot specify ${k.toUpperCase()} in BINARY mode`);
    }
  }
  const out: CopyOptions = {
    format,
    delimiter: o.delimiter ?? (csv ? ',' : '\t'),
    null: o.null ?? (csv ? '' : '\\N'),
    header: o.header ?? false,
    quote: o.quote ?? '"',
    escape: o.escape ?? o.quote ?? '"',
  };
  if (out.delimiter.length !== 1) throw new SbError(SqlState.feature_not_supported, 'COPY delimiter must be a single one-byte character');
  if (csv && (out.quote.length !== 1 || out.escape.length !== 1)) throw new SbError(SqlState.feature_not_supported, 'COPY quote and escape must be single one-byte characters');
  if (!csv && o.header) throw new SbError(SqlState.feature_not_supported, 'COPY HEADER available only in CSV mode');
  return out;
}

// ---------------------------------------------------------------- input parsing

const TEXT_ESCAPES: Record<string, string> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };

function unescapeText(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\' || i + 1 >= s.length) {
      out += c;
      continue;
    }
    const d = s[++i]!;
    if (TEXT_ESCAPES[d] !== undefined) out += TEXT_ESCAPES[d];
    else if (d >= '0' && d <= '7') {
      let oct = d;
      while (oct.length < 3 && i + 1 < s.length && s[i + 1]! >= '0' && s[i + 1]! <= '7') oct += s[++i];
      out += String.fromCharCode(parseInt(oct, 8));
    } else if (d === 'x' && i + 1 < s.length && /[0-9a-fA-F]/.test(s[i + 1]!)) {
      let hex = s[++i]!;
      if (i + 1 < s.length && /[0-9a-fA-F]/.test(s[i + 1]!)) hex += s[++i];
      out += String.fromCharCode(parseInt(hex, 16));
    } else out += d;
  }
  return out;
}

/** A row's fields (null for NULL), its line number and the line itself (for error context). */
export type TextRowSink = (fields: Array<string | null>, line: number, raw: string) => void;

/** Cuts COPY text/CSV input into rows of fields, chunk by chunk. */
export class CopyParser {
  private buf = '';
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private ended = false;
  private headerPending: boolean;
  lineNo = 0;

  constructor(private readonly o: CopyOptions, private readonly onRow: TextRowSink) {
    this.headerPending = o.format === 'csv' && o.header;
  }

  push(bytes: Uint8Array): void {
    try {
      this.buf += this.decoder.decode(bytes, { stream: true });
    } catch {
      throw new SbError(SqlState.character_not_in_repertoire, 'invalid byte sequence for encoding "UTF8"', { detail: `COPY line ${this.lineNo + 1}` });
    }
    this.rows(false);
  }

  end(): void {
    this.buf += this.decoder.decode();
    this.rows(true);
  }

  private rows(final: boolean): void {
    // Lines are cut at a moving position; the unfinished tail is kept once at the end.
    const buf = this.buf;
    let pos = 0;
    try {
      while (!this.ended) {
        const cut = this.o.format === 'csv' ? this.csvLineEnd(buf, pos) : buf.indexOf('\n', pos);
        let line: string;
        if (cut < 0) {
          if (buf.length - pos > copy_row_bytes_max) throw new SbError(SqlState.program_limit_exceeded, `COPY row longer than ${copy_row_bytes_max} bytes`);
          if (!final || pos >= buf.length) return;
          line = buf.slice(pos);
          pos = buf.length;
        } else {
          line = buf.slice(pos, cut);
          pos = cut + 1;
        }
        if (line.endsWith('\r')) line = line.slice(0, -1);
        this.lineNo++;
        if (line === '\\.') {
          this.ended = true;
          continue;
        }
        if (this.headerPending) {
          this.headerPending = false;
          continue;
        }
        this.onRow(this.o.format === 'csv' ? this.csvFields(line) : this.textFields(line), this.lineNo, line);
      }
    } finally {
      this.buf = this.ended ? '' : pos === 0 ? buf : buf.slice(pos);
    }
  }

  private textFields(line: string): Array<string | null> {
    const raw = line.split(this.o.delimiter);
    if (!line.includes('\\')) {
      // No backslash: no escaped delimiter and nothing to unescape (the common case: one pass, no regex).
      const nul = this.o.null;
      for (let i = 0; i < raw.length; i++) if (raw[i] === nul) (raw as Array<string | null>)[i] = null;
      return raw;
    }
    // A backslash before the delimiter escapes it: glue such pieces back together.
    const fields: string[] = [];
    for (const p of raw) {
      const prev = fields.length > 0 ? fields[fields.length - 1]! : undefined;
      if (prev !== undefined && /(^|[^\\])(\\\\)*\\$/.test(prev)) fields[fields.length - 1] = prev.slice(0, -1) + this.o.delimiter + p;
      else fields.push(p);
    }
    return fields.map((f) => (f === this.o.null ? null : unescapeText(f)));
  }

  /** End of the first complete CSV record in buf from `from` (a newline outside quotes), or -1. */
  private csvLineEnd(buf: string, from: number): number {
    const { quote, escape } = this.o;
    let inQuote = false;
    for (let i = from; i < buf.length; i++) {
      const c = buf[i]!;
      if (inQuote) {
        if (c === escape && escape !== quote && buf[i + 1] === quote) i++;
        else if (c === quote) {
          if (buf[i + 1] === quote && escape === quote) i++;
          else inQuote = false;
        }
      } else if (c === quote) inQuote = true;
      else if (c === '\n') return i;
    }
    return -1;
  }

  private csvFields(line: string): Array<string | null> {
    const { delimiter, quote, escape } = this.o;
    const out: Array<string | null> = [];
    let cur = '';
    let quoted = false;
    let inQuote = false;
    for (let i = 0; i <= line.length; i++) {
      const c = line[i];
      if (inQuote) {
        if (c === undefined) throw new SbError(BAD_COPY_FILE_FORMAT, 'unterminated CSV quoted field');
        if (c === escape && escape !== quote && line[i + 1] === quote) {
          cur += quote;
          i++;
        } else if (c === quote) {
          if (line[i + 1] === quote && escape === quote) {
            cur += quote;
            i++;
          } else inQuote = false;
        } else cur += c;
      } else if (c === undefined || c === delimiter) {
        out.push(!quoted && cur === this.o.null ? null : cur);
        cur = '';
        quoted = false;
      } else if (c === quote) {
        inQuote = true;
        quoted = true;
      } else cur += c;
    }
    return out;
  }
}

// ---------------------------------------------------------------- output formatting

export function formatCopyRow(values: ReadonlyArray<string | null>, o: CopyOptions): string {
  if (o.format === 'text') {
    return values.map((v) => (v === null ? o.null : v.replace(/[\\\n\r\t\b\f\v]/g, (c) => {
      switch (c) {
        case '\\': return '\\\\';
        case '\n': return '\\n';
        case '\r': return '\\r';
        case '\t': return '\\t';
        case '\b': return '\\b';
        case '\f': return '\\f';
        default: return '\\v';
      }
    }).replaceAll(o.delimiter, '\\' + o.delimiter))).join(o.delimiter) + '\n';
  }
  return values.map((v) => {
    if (v === null) return o.null;
    const needs = v === '' || v === o.null || v.includes(o.delimiter) || v.includes(o.quote) || v.includes('\n') || v.includes('\r') || v.startsWith('\\.');
    return needs ? o.quote + v.replaceAll(o.quote, o.escape + o.quote) + o.quote : v;
  }).join(o.delimiter) + '\n';
}

// ---------------------------------------------------------------- running

interface CopyTarget {
  table: TableObj;
  schemaName: string | undefined;
  columns: ColumnObj[];
}

/** The table and columns a COPY names (42P01, 42703 as PostgreSQL reports them). */
function target(session: Session, c: A.Copy): CopyTarget {
  const env = session.bindEnv('', [], [], session.evalContext());
  const rel = lookupRelation(env, c.table!);
  const name = c.table!.map((p) => p.value).join('.');
  if (!rel) throw new SbError(SqlState.undefined_table, `relation "${name}" does not exist`);
  if (rel.kind !== 'table') throw new SbError(SqlState.wrong_object_type, `cannot copy ${c.direction === 'FROM' ? 'to' : 'from'} ${rel.kind} "${rel.name}"`);
  const live = liveColumns(rel);
  let columns: ColumnObj[];
  if (c.columns && c.columns.length > 0) {
    const seen = new Set<string>();
    columns = c.columns.map((id) => {
      const col = session.dialect.foldIdentifier(id);
      const found = live.find((l) => l.name === col);
      if (!found) throw new SbError(SqlState.undefined_column, `column "${col}" of relation "${rel.name}" does not exist`);
      if (seen.has(col)) throw new SbError(SqlState.duplicate_column, `column "${col}" specified more than once`);
      seen.add(col);
      return found;
    });
  } else columns = live;
  const schema = session.catalog().get(rel.schemaOid);
  return { table: rel, schemaName: schema && schema.kind === 'schema' ? schema.name : undefined, columns };
}

const quoteIdent = (s: string): string => `"${s.replaceAll('"', '""')}"`;

/** Adds PostgreSQL's CONTEXT line ("COPY t, line 3, column a: ...") to an error. */
function withContext(e: unknown, where: string): unknown {
  if (!(e instanceof SbError)) return e;
  const x = e as SbError & { where?: string };
  x.where = x.where ? `${x.where}\n${where}` : where;
  return e;
}

/** A value as PostgreSQL quotes it in a COPY CONTEXT line (cut after 100 characters). */
function contextValue(s: string): string {
  return s.length > 100 ? `"${s.slice(0, 100)}..."` : `"${s}"`;
}

/** A COPY FROM STDIN in progress. */
export class CopyIn {
  private readonly text: CopyParser | null;
  private readonly binary: CopyBinaryParser | null;
  private readonly inserter: BulkInserter;
  private readonly types: SqlType[];
  private readonly typeCtx: TypeContext;
  private readonly tableName: string;
  /** The batch being filled: one value array per column, and each row's line. */
  private cols: unknown[][];
  private lines: number[] = [];
  private count = 0;
  /** Small CopyData messages gathered for the text parser (pendingLen bytes). */
  private pending = new Uint8Array(copy_chunk_bytes);
  private pendingLen = 0;
  /** The transaction the COPY opened (none when it runs inside the client's block). */
  private ownTransaction: boolean;

  private constructor(
    private readonly session: Session,
    t: CopyTarget,
    readonly options: CopyOptions,
  ) {
    this.ownTransaction = !session.tx.inBlock();
    if (this.ownTransaction) session.tx.beginBlock('implicit');
    try {
      this.inserter = new BulkInserter(session, t.table, t.schemaName, t.columns);
    } catch (e) {
      if (this.ownTransaction) void session.tx.rollback();
      throw e;
    }
    this.types = this.inserter.types;
    this.typeCtx = session.typeContext();
    this.tableName = t.table.name;
    this.cols = t.columns.map(() => []);
    if (options.format === 'binary') {
      this.text = null;
      this.binary = new CopyBinaryParser(t.columns.length, (fields, line) => this.binaryRow(fields, line), copy_row_bytes_max);
    } else {
      this.binary = null;
      this.text = new CopyParser(options, (fields, line, raw) => this.textRow(fields, line, raw));
    }
  }

  static start(session: Session, c: A.Copy): CopyIn {
    if (session.tx.failed) {
      throw new SbError(SqlState.in_failed_sql_transaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    const o = copyOptions(c);
    return new CopyIn(session, target(session, c), o);
  }

  get columnCount(): number {
    return this.types.length;
  }

  /** The CopyInResponse format code: 1 for binary. */
  get formatCode(): 0 | 1 {
    return this.options.format === 'binary' ? 1 : 0;
  }

  private where(line: number, rest = ''): string {
    return `COPY ${this.tableName}, line ${line}${rest}`;
  }

  private textRow(fields: Array<string | null>, line: number, raw: string): void {
    const n = this.types.length;
    if (fields.length !== n) {
      const message = fields.length < n ? `missing data for column "${this.inserter.columns[fields.length]!.name}"` : 'extra data after last expected column';
      throw withContext(new SbError(BAD_COPY_FILE_FORMAT, message), this.where(line, `: ${contextValue(raw)}`));
    }
    for (let c = 0; c < n; c++) {
      const f = fields[c]!;
      if (f === null) {
        this.cols[c]!.push(null);
        continue;
      }
      try {
        this.cols[c]!.push(parseText(this.types[c]!, f, this.typeCtx));
      } catch (e) {
        throw withContext(e, this.where(line, `, column ${this.inserter.columns[c]!.name}: ${contextValue(f)}`));
      }
    }
    this.lines.push(line);
  }

  private binaryRow(fields: Array<Uint8Array | null>, line: number): void {
    const n = this.types.length;
    for (let c = 0; c < n; c++) {
      const f = fields[c]!;
      if (f === null) {
        this.cols[c]!.push(null);
        continue;
      }
      try {
        this.cols[c]!.push(decodeBinary(this.types[c]!, f, this.typeCtx));
      } catch (e) {
        throw withContext(e, this.where(line, `, column ${this.inserter.columns[c]!.name}`));
      }
    }
    this.lines.push(line);
  }

  async data(bytes: Uint8Array): Promise<void> {
    try {
      if (this.text) {
        // Clients often send a CopyData per row (pgbench, psql's \copy):
        // small ones are gathered and parsed a chunk at a time (one decode
        // and one line scan per chunk instead of per message).
        if (bytes.length < copy_chunk_bytes) {
          this.gather(bytes);
          if (this.pendingLen < copy_chunk_bytes) return;
          bytes = this.pending.subarray(0, this.pendingLen);
        } else this.pushPending();
        this.pendingLen = 0;
        this.text.push(bytes);
      } else this.binary!.push(bytes);
    } catch (e) {
      const line = (e as { copyLine?: number }).copyLine;
      throw line !== undefined ? withContext(e, this.where(line)) : e;
    }
    if (this.lines.length >= copy_batch_rows) await this.flush();
  }

  private gather(bytes: Uint8Array): void {
    const need = this.pendingLen + bytes.length;
    if (need > this.pending.length) {
      const b = new Uint8Array(Math.max(need, 2 * this.pending.length));
      b.set(this.pending.subarray(0, this.pendingLen));
      this.pending = b;
    }
    this.pending.set(bytes, this.pendingLen);
    this.pendingLen = need;
  }

  /** Parses the gathered bytes. */
  private pushPending(): void {
    if (this.pendingLen === 0) return;
    const n = this.pendingLen;
    this.pendingLen = 0;
    this.text!.push(this.pending.subarray(0, n));
  }

  /** CopyDone: inserts the rest and commits (when the COPY owns its transaction). */
  async done(): Promise<QueryResult> {
    if (this.text) {
      try {
        this.pushPending();
      } catch (e) {
        const line = (e as { copyLine?: number }).copyLine;
        throw line !== undefined ? withContext(e, this.where(line)) : e;
      }
    }
    if (this.text) this.text.end();
    else this.binary!.end();
    await this.flush();
    if (this.ownTransaction) {
      this.ownTransaction = false;
      await this.session.tx.commit();
    }
    return { command: `COPY ${this.count}`, rowCount: this.count, fields: [], rows: [] };
  }

  /** CopyFail or an error: undoes what this COPY inserted. */
  async abort(): Promise<void> {
    this.lines = [];
    this.pendingLen = 0;
    if (this.ownTransaction) {
      this.ownTransaction = false;
      await this.session.tx.rollback();
    } else this.session.tx.failed = true;
  }

  private async flush(): Promise<void> {
    const length = this.lines.length;
    if (length === 0) return;
    const cols = this.cols;
    const lines = this.lines;
    this.cols = this.types.map(() => []);
    this.lines = [];
    try {
      this.count += await this.inserter.insert(cols, length);
    } catch (e) {
      if (!(e instanceof BatchRowError)) throw e;
      throw e.row !== undefined ? withContext(e.error, this.where(lines[e.row]!)) : e.error;
    }
  }
}

/**
 * COPY ... TO STDOUT, streamed: the query's operator tree stays open and
 * each call of nextChunks() pulls one batch and encodes its rows (one
 * CopyData payload each; binary adds header and trailer), so the caller can
 * write them out and wait for the socket before asking for more. Statements
 * that cannot stream (COPY (INSERT ... RETURNING) TO) run whole first.
 * Runs in the session's transaction block; the caller opens one when none is.
 */
export class CopyOut {
  /** Rows encoded so far. */
  rows = 0;
  private readonly ctx: TypeContext;
  private header: Uint8Array | undefined;
  private pending: unknown[][] | null;
  private ended = false;

  private constructor(
    private readonly o: CopyOptions,
    readonly fields: FieldInfo[],
    private readonly stream: RowStream | null,
    rows: unknown[][] | null,
    session: Session,
  ) {
    this.ctx = session.typeContext();
    this.pending = rows;
    if (o.format === 'binary') this.header = copyBinaryHeader();
  }

  static async open(session: Session, c: A.Copy, sql: string): Promise<CopyOut> {
    const o = copyOptions(c);
    let stmt: A.Statement;
    let text = sql;
    if (c.query) stmt = c.query;
    else {
      const t = target(session, c);
      const schema = t.schemaName !== undefined ? quoteIdent(t.schemaName) + '.' : '';
      stmt = parse(`SELECT ${t.columns.map((col) => quoteIdent(col.name)).join(', ')} FROM ${schema}${quoteIdent(t.table.name)}`, session.dialect)[0]!;
      text = '';
    }
    const stream = openRowStream(session, stmt, text, []);
    if (stream) return new CopyOut(o, stream.fields, stream, null, session);
    const result: QueryResult = await session.runStatement(stmt, text, []);
    return new CopyOut(o, result.fields, null, result.rows, session);
  }

  get format(): 0 | 1 {
    return this.o.format === 'binary' ? 1 : 0;
  }

  /** The CopyData payloads of the next batch of rows, or null after the last (the trailer comes before). */
  async nextChunks(): Promise<Uint8Array[] | null> {
    if (this.ended) return null;
    const chunks: Uint8Array[] = [];
    if (this.rows === 0 && this.o.format === 'csv' && this.o.header) chunks.push(encodeUtf8(formatCopyRow(this.fields.map((f) => f.name), this.o)));
    let rows: unknown[][] | null;
    if (this.stream) {
      const next = this.stream.next();
      rows = next instanceof Promise ? await next : next;
    }
    else {
      rows = this.pending;
      this.pending = null;
    }
    const fields = this.fields;
    const ctx = this.ctx;
    if (rows !== null) {
      if (this.o.format === 'binary') {
        for (const row of rows) {
          chunks.push(copyBinaryTuple(row.map((v, i) => (v === null || v === undefined ? null : encodeBinary(fields[i]!.type, v, ctx))), this.header));
          this.header = undefined;
        }
      } else {
        for (const row of rows) chunks.push(encodeUtf8(formatCopyRow(row.map((v, i) => (v === null || v === undefined ? null : formatText(fields[i]!.type, v, ctx))), this.o)));
      }
      this.rows += rows.length;
      return chunks;
    }
    this.ended = true;
    if (this.o.format === 'binary') {
      if (this.header) chunks.push(this.header);
      chunks.push(copyBinaryTrailer());
    }
    return chunks;
  }

  /** Stops early (an error or a closed connection): closes the operator tree. */
  close(): void {
    this.ended = true;
    this.stream?.close();
  }
}
