// Syntax errors in PostgreSQL's wording: `syntax error at or near "x"`,
// `syntax error at end of input`, with a 1-based character position.

import { SbError, SqlState } from '../host/engine/sb_error.ts';

/** Deepest nesting the parser accepts before refusing a statement (54001). */
export const parse_depth_max = 1000;

/** 1-based position in characters (code points) of a UTF-16 offset. */
export function charPosition(sql: string, offset: number): number {
  let surrogatePairs = 0;
  const end = Math.min(offset, sql.length);
  for (let i = 0; i < end; i++) {
    const c = sql.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < end) {
      const d = sql.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        surrogatePairs++;
        i++;
      }
    }
  }
  return end - surrogatePairs + 1;
}

const near_text_chars_max = 40;

/** The text PG quotes after "at or near": the token itself, cut short. */
export function nearText(text: string): string {
  const t = text.length > near_text_chars_max ? text.slice(0, near_text_chars_max) : text;
  return `"${t}"`;
}

export function syntaxErrorAt(sql: string, offset: number, tokenText: string | null, what = 'syntax error'): SbError {
  const message = tokenText === null ? `${what} at end of input` : `${what} at or near ${nearText(tokenText)}`;
  return new SbError(SqlState.syntax_error, message, { position: charPosition(sql, offset) });
}

export function tooComplex(sql: string, offset: number): SbError {
  return new SbError(SqlState.statement_too_complex, 'statement is too complex: nesting exceeds parse_depth_max', {
    position: charPosition(sql, offset),
    hint: `Nesting deeper than ${parse_depth_max} levels is not supported.`,
  });
}
