// COPY ... FROM STDIN and COPY ... TO STDOUT over the wire, in PostgreSQL's
// text and CSV formats. COPY FROM streams: rows are cut from CopyData as it
// arrives and inserted in batches of multi-row INSERTs (one plan per batch
// size, so the plan cache serves them) inside one transaction, so the COPY is
// atomic. COPY TO runs the table's or the query's SELECT and sends one
// CopyData per row.

import type * as A from '../../../sql-dialects/index.ts';
import { parse } from '../../../sql-dialects/index.ts';
import { lookupRelation } from '../../engine/bind/names.ts';
import { liveColumns } from '../../engine/catalog/objects.ts';
import { SbError, SqlState } from '../../engine/sb_error.ts';
import type { QueryResult } from '../../engine/session/result.ts';
import type { Session } from '../../engine/session/session.ts';
import { formatText } from '../../engine/types/text_io.ts';

/** Rows per INSERT statement while copying in. */
const copy_batch_rows = 200;
/** A single row (line) of COPY input may not exceed this. */
export const copy_row_bytes_max = 64 * 1024 * 1024;

export interface CopyOptions {
  format: 'text' | 'csv';
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
  let format: 'text' | 'csv' = 'text';
  const o: Partial<CopyOptions> = {};
  for (const opt of c.options) {
    const n = opt.name.toUpperCase();
    const v = optionText(opt);
    switch (n) {
      case 'FORMAT': {
        const f = (v ?? '').toLowerCase();
        if (f === 'binary') throw new SbError(SqlState.feature_not_supported, 'COPY BINARY is not supported yet', { hint: 'Use FORMAT text or csv.' });
        if (f !== 'text' && f !== 'csv') throw new SbError(SqlState.invalid_parameter_value, `COPY format "${v}" not recognized`);
        format = f;
        break;
      }
      case 'CSV':
        format = 'csv';
        break;
      case 'BINARY':
        throw new SbError(SqlState.feature_not_supported, 'COPY BINARY is not supported yet', { hint: 'Use FORMAT text or csv.' });
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

/** Cuts COPY input into rows of fields (null for NULL), chunk by chunk. */
export class CopyParser {
  private buf = '';
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private ended = false;
  private headerPending: boolean;
  lineNo = 0;

  constructor(private readonly o: CopyOptions) {
    this.headerPending = o.format === 'csv' && o.header;
  }

  push(bytes: Uint8Array): Array<Array<string | null>> {
    try {
      this.buf += this.decoder.decode(bytes, { stream: true });
    } catch {
      throw new SbError(SqlState.character_not_in_repertoire, 'invalid byte sequence for encoding "UTF8"', { detail: `COPY line ${this.lineNo + 1}` });
    }
    return this.rows(false);
  }

  end(): Array<Array<string | null>> {
    this.buf += this.decoder.decode();
    return this.rows(true);
  }

  private rows(final: boolean): Array<Array<string | null>> {
    const out: Array<Array<string | null>> = [];
    for (;;) {
      if (this.ended) {
        this.buf = '';
        return out;
      }
      const cut = this.o.format === 'csv' ? this.csvLineEnd() : this.buf.indexOf('\n');
      let line: string;
      if (cut < 0) {
        if (this.buf.length > copy_row_bytes_max) throw new SbError(SqlState.program_limit_exceeded, `COPY row longer than ${copy_row_bytes_max} bytes`);
        if (!final || this.buf.length === 0) return out;
        line = this.buf;
        this.buf = '';
      } else {
        line = this.buf.slice(0, cut);
        this.buf = this.buf.slice(cut + 1);
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
      out.push(this.o.format === 'csv' ? this.csvFields(line) : this.textFields(line));
    }
  }

  private textFields(line: string): Array<string | null> {
    const raw = line.split(this.o.delimiter);
    // A backslash before the delimiter escapes it: glue such pieces back together.
    const fields: string[] = [];
    for (const p of raw) {
      const prev = fields.length > 0 ? fields[fields.length - 1]! : undefined;
      if (prev !== undefined && /(^|[^\\])(\\\\)*\\$/.test(prev)) fields[fields.length - 1] = prev.slice(0, -1) + this.o.delimiter + p;
      else fields.push(p);
    }
    return fields.map((f) => (f === this.o.null ? null : unescapeText(f)));
  }

  /** End of the first complete CSV record in buf (a newline outside quotes), or -1. */
  private csvLineEnd(): number {
    const { quote, escape } = this.o;
    let inQuote = false;
    for (let i = 0; i < this.buf.length; i++) {
      const c = this.buf[i]!;
      if (inQuote) {
        if (c === escape && escape !== quote && this.buf[i + 1] === quote) i++;
        else if (c === quote) {
          if (this.buf[i + 1] === quote && escape === quote) i++;
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
        if (c === undefined) throw new SbError(SqlState.data_exception, 'unterminated CSV quoted field', { detail: `COPY line ${this.lineNo}` });
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

/** The table and columns a COPY names (42P01, 42703 as PostgreSQL reports them). */
function target(session: Session, c: A.Copy): { qname: string; columns: string[] } {
  const env = session.bindEnv('', [], [], session.evalContext());
  const rel = lookupRelation(env, c.table!);
  const name = c.table!.map((p) => p.value).join('.');
  if (!rel) throw new SbError(SqlState.undefined_table, `relation "${name}" does not exist`);
  if (rel.kind !== 'table') throw new SbError(SqlState.wrong_object_type, `cannot copy ${c.direction === 'FROM' ? 'to' : 'from'} ${rel.kind} "${rel.name}"`);
  const live = liveColumns(rel);
  let columns: string[];
  if (c.columns && c.columns.length > 0) {
    columns = c.columns.map((id) => session.dialect.foldIdentifier(id));
    for (const col of columns) {
      if (!live.some((l) => l.name === col)) throw new SbError(SqlState.undefined_column, `column "${col}" of relation "${rel.name}" does not exist`);
    }
  } else columns = live.map((l) => l.name);
  const schema = session.catalog().get(rel.schemaOid);
  const q = (s: string): string => `"${s.replaceAll('"', '""')}"`;
  return { qname: `${schema && schema.kind === 'schema' ? q(schema.name) + '.' : ''}${q(rel.name)}`, columns: columns.map(q) };
}

/** A COPY FROM STDIN in progress. */
export class CopyIn {
  readonly parser: CopyParser;
  private pending: Array<Array<string | null>> = [];
  private count = 0;
  private readonly statements = new Map<number, A.Statement>();
  /** The transaction the COPY opened (none when it runs inside the client's block). */
  private ownTransaction: boolean;

  private constructor(
    private readonly session: Session,
    private readonly table: { qname: string; columns: string[] },
    readonly options: CopyOptions,
  ) {
    this.parser = new CopyParser(options);
    this.ownTransaction = !session.tx.inBlock();
    if (this.ownTransaction) session.tx.beginBlock('implicit');
  }

  static start(session: Session, c: A.Copy): CopyIn {
    if (session.tx.failed) {
      throw new SbError(SqlState.in_failed_sql_transaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    return new CopyIn(session, target(session, c), copyOptions(c));
  }

  get columnCount(): number {
    return this.table.columns.length;
  }

  async data(bytes: Uint8Array): Promise<void> {
    for (const r of this.parser.push(bytes)) this.pending.push(r);
    while (this.pending.length >= copy_batch_rows) await this.flush(copy_batch_rows);
  }

  /** CopyDone: inserts the rest and commits (when the COPY owns its transaction). */
  async done(): Promise<QueryResult> {
    for (const r of this.parser.end()) this.pending.push(r);
    while (this.pending.length > 0) await this.flush(Math.min(copy_batch_rows, this.pending.length));
    if (this.ownTransaction) await this.session.tx.commit();
    return { command: `COPY ${this.count}`, rowCount: this.count, fields: [], rows: [] };
  }

  /** CopyFail or an error: undoes what this COPY inserted. */
  async abort(): Promise<void> {
    this.pending = [];
    if (this.ownTransaction) {
      this.ownTransaction = false;
      await this.session.tx.rollback();
    } else this.session.tx.failed = true;
  }

  private statement(rows: number): A.Statement {
    let s = this.statements.get(rows);
    if (!s) {
      const n = this.table.columns.length;
      const tuples: string[] = [];
      for (let r = 0; r < rows; r++) tuples.push(`(${Array.from({ length: n }, (_, c) => `$${r * n + c + 1}`).join(', ')})`);
      s = parse(`INSERT INTO ${this.table.qname} (${this.table.columns.join(', ')}) VALUES ${tuples.join(', ')}`, this.session.dialect)[0]!;
      this.statements.set(rows, s);
    }
    return s;
  }

  private async flush(rows: number): Promise<void> {
    const batch = this.pending.splice(0, rows);
    const n = this.table.columns.length;
    const params: Array<string | null> = [];
    for (const r of batch) {
      if (r.length !== n) {
        const line = this.parser.lineNo - this.pending.length - batch.length + batch.indexOf(r) + 1;
        throw new SbError('22P04', r.length < n ? 'missing data for column' : 'extra data after last expected column', { detail: `COPY line ${line}` });
      }
      for (const v of r) params.push(v);
    }
    await this.session.runStatement(this.statement(rows), '', params);
    this.count += rows;
  }
}

/** COPY ... TO STDOUT: the rows as COPY text, one string per row. */
export async function copyOut(session: Session, c: A.Copy, sql: string): Promise<{ lines: string[]; options: CopyOptions; columns: number }> {
  const o = copyOptions(c);
  let result: QueryResult;
  if (c.query) {
    result = await session.runStatement(c.query, sql, []);
  } else {
    const t = target(session, c);
    const select = parse(`SELECT ${t.columns.join(', ')} FROM ${t.qname}`, session.dialect)[0]!;
    result = await session.runStatement(select, '', []);
  }
  const ctx = session.typeContext();
  const lines: string[] = [];
  if (o.format === 'csv' && o.header) lines.push(formatCopyRow(result.fields.map((f) => f.name), o));
  for (const row of result.rows) {
    lines.push(formatCopyRow(row.map((v, i) => (v === null || v === undefined ? null : formatText(result.fields[i]!.type, v, ctx))), o));
  }
  return { lines, options: o, columns: result.fields.length };
}
