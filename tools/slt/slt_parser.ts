// Parser of sqllogictest files (format described at the top of tests/slt/runner.ts).

import { known_dialects } from './target.ts';

export type SortMode = 'nosort' | 'rowsort' | 'valuesort';
export type ColumnType = 'I' | 'R' | 'T' | 'B';

export interface Condition {
  kind: 'onlyif' | 'skipif';
  /** Normalised dialect name (aliases resolved). */
  dialect: string;
}

interface RecordBase {
  /** 1-based line of the record's header line. */
  line: number;
  conditions: Condition[];
  /** Set by a preceding `connection <name>` line: the session the record runs on (default: the file's first session). */
  connection?: string;
}

export interface StatementRecord extends RecordBase {
  kind: 'statement';
  sql: string;
  /** null: must succeed; otherwise must fail, with this SQLSTATE unless it is '' (any error). */
  expectError: string | null;
  /** `… error <SQLSTATE> at <n>`: the error's 1-based character position. */
  expectPosition?: number;
}

export type ExpectedResult = { kind: 'values'; lines: string[] } | { kind: 'hash'; count: number; hash: string };

export interface QueryRecord extends RecordBase {
  kind: 'query';
  sql: string;
  /** Column type letters; empty for `query error`. */
  types: ColumnType[];
  sort: SortMode;
  label?: string;
  /** Set for `query error [code]`: '' means any error. */
  expectError: string | null;
  /** `query error <SQLSTATE> at <n>`: the error's 1-based character position. */
  expectPosition?: number;
  expected: ExpectedResult;
}

export interface HaltRecord extends RecordBase {
  kind: 'halt';
}

export interface HashThresholdRecord extends RecordBase {
  kind: 'hash-threshold';
  threshold: number;
}

export type SltRecord = StatementRecord | QueryRecord | HaltRecord | HashThresholdRecord;

export class SltParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    message: string,
  ) {
    super(`${file}:${line}: ${message}`);
    this.name = 'SltParseError';
  }
}

const sqlstate_pattern = /^[0-9A-Z]{5}$/;
const hash_line_pattern = /^(\d+) values hashing to ([0-9a-f]{32})$/;
export const result_separator = '----';

export function parseSlt(text: string, file = '<text>'): SltRecord[] {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const records: SltRecord[] = [];
  let conditions: Condition[] = [];
  let connection: string | undefined;
  let i = 0;
  const fail = (lineIndex: number, message: string): never => {
    throw new SltParseError(file, lineIndex + 1, message);
  };
  const isBlank = (l: string | undefined) => l === undefined || l.trim() === '';

  // Lines of a block: from `start` to the first blank line (or `stopAt`).
  const takeBlock = (start: number, stopAtSeparator: boolean): { body: string[]; next: number; sawSeparator: boolean } => {
    const body: string[] = [];
    let j = start;
    while (j < lines.length && !isBlank(lines[j])) {
      if (lines[j] === result_separator) {
        if (!stopAtSeparator) fail(j, `'${result_separator}' is only allowed in a query record`);
        return { body, next: j + 1, sawSeparator: true };
      }
      body.push(lines[j]!);
      j++;
    }
    return { body, next: j, sawSeparator: false };
  };

  while (i < lines.length) {
    const raw = lines[i]!;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) {
      i++;
      continue;
    }
    const words = trimmed.split(/\s+/);
    const head = words[0]!;
    const line = i + 1;
    switch (head) {
      case 'onlyif':
      case 'skipif': {
        if (words.length !== 2) fail(i, `${head} takes one dialect name`);
        const dialect = known_dialects[words[1]!.toLowerCase()];
        if (dialect === undefined) fail(i, `unknown dialect '${words[1]}' (known: ${Object.keys(known_dialects).join(', ')})`);
        conditions.push({ kind: head, dialect: dialect! });
        i++;
        continue;
      }
      case 'connection': {
        if (words.length !== 2 || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(words[1]!)) fail(i, 'connection takes one name (letters, digits, _)');
        if (connection !== undefined) fail(i, 'two connection lines for one record');
        connection = words[1]!;
        i++;
        continue;
      }
      case 'halt':
        if (words.length !== 1) fail(i, 'halt takes no arguments');
        if (connection !== undefined) fail(i, 'connection applies to a statement or query record');
        records.push({ kind: 'halt', line, conditions });
        conditions = [];
        i++;
        continue;
      case 'hash-threshold': {
        if (words.length !== 2 || !/^\d+$/.test(words[1]!)) fail(i, 'hash-threshold takes one non-negative integer');
        records.push({ kind: 'hash-threshold', line, conditions, threshold: Number(words[1]) });
        conditions = [];
        i++;
        continue;
      }
      case 'statement': {
        let expectError: string | null;
        const position = parsePosition(words, i, fail);
        if (words[1] === 'ok' && words.length === 2) expectError = null;
        else if (words[1] === 'error' && words.length <= 3) expectError = parseCode(words[2], i, fail);
        else fail(i, "expected 'statement ok', 'statement error' or 'statement error <SQLSTATE> [at <position>]'");
        const block = takeBlock(i + 1, false);
        if (block.body.length === 0) fail(i, 'statement has no SQL');
        records.push({ kind: 'statement', line, conditions, sql: block.body.join('\n'), expectError: expectError!, ...(position !== undefined ? { expectPosition: position } : {}), ...(connection !== undefined ? { connection } : {}) });
        conditions = [];
        connection = undefined;
        i = block.next;
        continue;
      }
      case 'query': {
        if (words[1] === 'error') {
          const position = parsePosition(words, i, fail);
          if (words.length > 3) fail(i, "expected 'query error' or 'query error <SQLSTATE> [at <position>]'");
          const expectError = parseCode(words[2], i, fail);
          const block = takeBlock(i + 1, true);
          if (block.body.length === 0) fail(i, 'query has no SQL');
          let next = block.next;
          if (block.sawSeparator) {
            const results = takeBlock(next, false);
            if (results.body.length > 0) fail(next, 'a query error record has no results');
            next = results.next;
          }
          records.push({ kind: 'query', line, conditions, sql: block.body.join('\n'), types: [], sort: 'nosort', expectError, expected: { kind: 'values', lines: [] }, ...(position !== undefined ? { expectPosition: position } : {}), ...(connection !== undefined ? { connection } : {}) });
          conditions = [];
          connection = undefined;
          i = next;
          continue;
        }
        if (words.length < 2 || words.length > 4) fail(i, "expected 'query <types> [nosort|rowsort|valuesort] [label]'");
        const typeText = words[1]!;
        if (!/^[IRTB]+$/.test(typeText)) fail(i, `bad column types '${typeText}': use I (integer), R (float/numeric), T (text), B (boolean)`);
        let sort: SortMode = 'nosort';
        let label: string | undefined;
        let k = 2;
        if (words[k] === 'nosort' || words[k] === 'rowsort' || words[k] === 'valuesort') {
          sort = words[k] as SortMode;
          k++;
        }
        if (k < words.length) {
          label = words[k];
          k++;
        }
        if (k < words.length) fail(i, `unexpected '${words[k]}' after the label`);
        const block = takeBlock(i + 1, true);
        if (block.body.length === 0) fail(i, 'query has no SQL');
        let next = block.next;
        let expected: ExpectedResult = { kind: 'values', lines: [] };
        if (block.sawSeparator) {
          const results = takeBlock(next, false);
          next = results.next;
          const hash = results.body.length === 1 ? hash_line_pattern.exec(results.body[0]!) : null;
          expected = hash ? { kind: 'hash', count: Number(hash[1]), hash: hash[2]! } : { kind: 'values', lines: results.body };
        }
        const record: QueryRecord = { kind: 'query', line, conditions, sql: block.body.join('\n'), types: [...typeText] as ColumnType[], sort, expectError: null, expected };
        if (label !== undefined) record.label = label;
        if (connection !== undefined) record.connection = connection;
        records.push(record);
        conditions = [];
        connection = undefined;
        i = next;
        continue;
      }
      default:
        fail(i, `unknown record type '${head}'`);
    }
  }
  if (connection !== undefined) throw new SltParseError(file, lines.length, 'connection at the end of the file applies to no record');
  if (conditions.length > 0) throw new SltParseError(file, lines.length, 'onlyif/skipif at the end of the file applies to no record');
  return records;
}

/** Removes a trailing `at <n>` (after an error code) from the header words and returns n. */
function parsePosition(words: string[], lineIndex: number, fail: (i: number, m: string) => never): number | undefined {
  if (words.length < 5 || words[1] !== 'error' || words[words.length - 2] !== 'at') return undefined;
  const n = words[words.length - 1]!;
  if (!/^[1-9]\d*$/.test(n)) fail(lineIndex, `'${n}' is not a position (a 1-based character offset)`);
  words.length -= 2;
  return Number(n);
}

function parseCode(word: string | undefined, lineIndex: number, fail: (i: number, m: string) => never): string {
  if (word === undefined) return '';
  if (!sqlstate_pattern.test(word)) fail(lineIndex, `'${word}' is not a SQLSTATE (five digits or capital letters)`);
  return word;
}

/** Records that run SQL (statements and queries), the unit the corpus is counted in. */
export function countSqlRecords(records: SltRecord[]): number {
  return records.filter((r) => r.kind === 'statement' || r.kind === 'query').length;
}
