// sqllogictest runner for ScratchBird.
//
// The file format is the classic one of SQLite's sqllogictest
// (https://www.sqlite.org/sqllogictest/doc/trunk/about.wiki), with these
// extensions and choices:
//
// Records are separated by blank lines. Lines starting with `#` between
// records are comments (inside a record every line is SQL or a result).
//
//   statement ok                  the SQL that follows must succeed (a result set, if any, is ignored)
//   statement error               ... must fail, with any error
//   statement error 23505         ... must fail with this SQLSTATE
//   statement error 42601 at 15   ... and point at this 1-based character
//                                 position (PostgreSQL's error position)
//
//   query <types> [nosort|rowsort|valuesort] [label]
//   <SQL, one or more lines>
//   ----
//   <expected results>
//
//     <types> is one letter per result column: I integer, R float or numeric,
//     T text (anything), B boolean. The runner checks the column count and
//     that each non-NULL value has its column's shape (I: -?digits,
//     R: a decimal/exponent number or NaN/Infinity, B: t or f), so a wrong
//     type letter is caught. Values are compared as PostgreSQL's text output
//     format prints them (what psql shows: booleans t/f, numerics with their
//     scale, floats shortest-exact), except NULL is written `NULL` and the
//     empty string `(empty)`.
//     Results may be written one value per line (classic layout) or one row
//     per line with values separated by single spaces; the runner accepts
//     whichever layout the block is written in. Trailing spaces count
//     (char(n) padding is visible). A value containing a line break cannot
//     be written in a results block: compare it in SQL instead.
//     nosort compares in order. rowsort sorts the rows of both sides before
//     comparing, valuesort sorts all values of both sides, so expected rows
//     need not be written pre-sorted.
//     A block of exactly one line `N values hashing to <md5>` compares the
//     count and the classic MD5 (of each value plus '\n', after sorting).
//     A query record without `----` expects no rows.
//     Queries sharing a label must produce the same (sorted) values.
//
//   query error                   the query must fail, with any error
//   query error 22012             ... with this SQLSTATE (no results block)
//
//   onlyif <dialect>              the next record runs only on that dialect
//   skipif <dialect>              the next record is skipped on that dialect
//     dialects: postgres, mysql, tsql, firebird (aliases postgresql, mssql;
//     sqlite and oracle are accepted and never match). Conditions stack.
//   connection <name>             the next record runs on the named session
//                                 (opened on first use, against the same
//                                 database; without it: the default session),
//                                 for tests of concurrent transactions
//   halt                          stop the file here (a condition may guard it)
//   hash-threshold <n>            accepted for compatibility; expected
//                                 results are hashed only when written as a
//                                 hash line
//
// A target (tools/slt/target.ts) runs the SQL; each file gets a fresh
// database from target.startFile. A failure names the file, the line of the
// record's header, the SQL and the expected against the actual result or
// error code. A statement that takes longer than the record timeout fails
// and ends the file (the target's state is then unknown).
//
// Targets: tools/slt/pg_target.ts (a throwaway real PostgreSQL cluster;
// SLT_PG_BIN names its binaries' folder) and tools/slt/sb_target.ts
// (ScratchBird embedded). CLI: npx tsx tools/slt/run.ts --target pg|sb [files...].
// tests/slt/pg_corpus.test.ts proves tests/slt/postgres against PostgreSQL 15.

import { readFile } from 'node:fs/promises';
import { checkColumnTypes, compareResult, canonicalValues } from '../../tools/slt/slt_compare.ts';
import { countSqlRecords, parseSlt, type QueryRecord, type SltRecord, type StatementRecord } from '../../tools/slt/slt_parser.ts';
import { errorCodeOf, errorMessageOf, errorPositionOf, type SltExecResult, type SltTarget } from '../../tools/slt/target.ts';

export { parseSlt, countSqlRecords, SltParseError } from '../../tools/slt/slt_parser.ts';
export type { SltRecord, QueryRecord, StatementRecord } from '../../tools/slt/slt_parser.ts';
export type { SltTarget, SltExecResult, SltResultSet } from '../../tools/slt/target.ts';

export interface RecordFailure {
  file: string;
  line: number;
  sql: string;
  message: string;
  expected?: string[];
  actual?: string[];
}

export interface FileResult {
  file: string;
  /** Statement and query records in the file. */
  records: number;
  passed: number;
  failed: number;
  /** Records skipped by onlyif/skipif, or not reached after halt or an aborting failure. */
  skipped: number;
  failures: RecordFailure[];
}

export interface RunOptions {
  /** Per-record time limit; a record over it fails and ends the file. */
  record_timeout_ms?: number;
  /** Called after each record (for progress output). */
  onRecord?: (record: SltRecord, failure: RecordFailure | null) => void;
}

const record_timeout_ms_default = 30_000;

class RecordTimeout extends Error {}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RecordTimeout(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function applies(record: SltRecord, dialect: string): boolean {
  for (const c of record.conditions) {
    if (c.kind === 'onlyif' && c.dialect !== dialect) return false;
    if (c.kind === 'skipif' && c.dialect === dialect) return false;
  }
  return true;
}

type Outcome = { kind: 'result'; result: SltExecResult } | { kind: 'error'; code: string | undefined; message: string; position?: number | undefined };

/** A failure when the record names a position the error does not have. */
function checkPosition(expected: number | undefined, outcome: Outcome): Omit<RecordFailure, 'file' | 'line' | 'sql'> | null {
  if (expected === undefined || outcome.kind !== 'error' || outcome.position === expected) return null;
  return { message: `expected the error at position ${expected}, got ${outcome.position ?? '(no position)'}: ${describeError(outcome)}` };
}

function describeError(o: { code: string | undefined; message: string }): string {
  return `${o.code ?? '(no SQLSTATE)'} ${o.message}`;
}

function checkStatement(record: StatementRecord, outcome: Outcome): Omit<RecordFailure, 'file' | 'line' | 'sql'> | null {
  if (outcome.kind === 'error') {
    if (record.expectError === null) return { message: `statement failed: ${describeError(outcome)}` };
    if (record.expectError !== '' && outcome.code !== record.expectError) {
      return { message: `expected error ${record.expectError}, got ${describeError(outcome)}` };
    }
    return checkPosition(record.expectPosition, outcome);
  }
  if (record.expectError !== null) return { message: `statement succeeded, expected error ${record.expectError || '(any)'}` };
  return null;
}

function checkQuery(record: QueryRecord, outcome: Outcome, labels: Map<string, string[]>): Omit<RecordFailure, 'file' | 'line' | 'sql'> | null {
  if (record.expectError !== null) {
    if (outcome.kind === 'result') return { message: `query succeeded, expected error ${record.expectError || '(any)'}` };
    if (record.expectError !== '' && outcome.code !== record.expectError) {
      return { message: `expected error ${record.expectError}, got ${describeError(outcome)}` };
    }
    return checkPosition(record.expectPosition, outcome);
  }
  if (outcome.kind === 'error') return { message: `query failed: ${describeError(outcome)}` };
  if (outcome.result === 'ok') return { message: 'query returned no result set (a statement without rows)' };
  const result = outcome.result;
  const typeProblem = checkColumnTypes(record.types, result);
  if (typeProblem !== null) return { message: typeProblem };
  const mismatch = compareResult(record.expected, record.sort, result);
  if (mismatch !== null) return mismatch;
  if (record.label !== undefined) {
    const values = canonicalValues(result.rows, record.sort);
    const seen = labels.get(record.label);
    if (seen === undefined) labels.set(record.label, values);
    else if (seen.join('\n') !== values.join('\n')) {
      return { message: `result differs from the earlier query labelled '${record.label}'`, expected: seen, actual: values };
    }
  }
  return null;
}

/** Runs the records of one file's text against a target (startFile is the caller's business). */
export async function runSltText(target: SltTarget, text: string, file: string, options: RunOptions = {}): Promise<FileResult> {
  const records = parseSlt(text, file);
  const total = countSqlRecords(records);
  const result: FileResult = { file, records: total, passed: 0, failed: 0, skipped: 0, failures: [] };
  const labels = new Map<string, string[]>();
  const timeout = options.record_timeout_ms ?? record_timeout_ms_default;
  let done = 0;
  for (const record of records) {
    if (record.kind === 'hash-threshold') continue;
    if (record.kind === 'halt') {
      if (applies(record, target.dialect)) break;
      continue;
    }
    done++;
    if (!applies(record, target.dialect)) {
      result.skipped++;
      options.onRecord?.(record, null);
      continue;
    }
    let outcome: Outcome;
    let timedOut = false;
    try {
      outcome = { kind: 'result', result: await withTimeout(target.exec(record.sql, record.connection), timeout) };
    } catch (e) {
      timedOut = e instanceof RecordTimeout;
      outcome = { kind: 'error', code: timedOut ? undefined : errorCodeOf(e), message: errorMessageOf(e), position: errorPositionOf(e) };
    }
    const problem = timedOut
      ? { message: `record ${outcome.kind === 'error' ? outcome.message : ''}; the rest of the file is skipped` }
      : record.kind === 'statement'
        ? checkStatement(record, outcome)
        : checkQuery(record, outcome, labels);
    let failure: RecordFailure | null = null;
    if (problem === null) result.passed++;
    else {
      failure = { file, line: record.line, sql: record.sql, ...problem };
      result.failed++;
      result.failures.push(failure);
    }
    options.onRecord?.(record, failure);
    if (timedOut) break;
  }
  result.skipped += total - done;
  return result;
}

/** Runs one .slt file in a fresh database of the target. */
export async function runSltFile(target: SltTarget, path: string, options: RunOptions = {}): Promise<FileResult> {
  const text = await readFile(path, 'utf8');
  await target.startFile?.(path);
  return runSltText(target, text, path, options);
}

/** A failure as a readable block: file:line, SQL, expected and actual. */
export function formatFailure(f: RecordFailure): string {
  const indent = (lines: string[]) => lines.map((l) => `    ${l}`).join('\n');
  const parts = [`${f.file}:${f.line}: ${f.message}`, `  SQL:\n${indent(f.sql.split('\n'))}`];
  if (f.expected !== undefined) parts.push(`  expected:\n${indent(f.expected)}`);
  if (f.actual !== undefined) parts.push(`  actual:\n${indent(f.actual)}`);
  return parts.join('\n');
}
