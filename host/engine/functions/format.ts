// concat, concat_ws, format (%s %I %L with positions, widths and the '-'
// flag), quote_ident, quote_literal, quote_nullable.

import { SbError, SqlState } from '../sb_error.ts';
import { T, type SqlType } from '../types/types.ts';
import type { EvalContext } from './context.ts';
import { invalidParameter } from './errors.ts';
import { defFn, type CallInfo } from './registry.ts';
import { valueText } from './strings.ts';
import { charLength, checkResultLength, TEXT_BYTES_MAX } from './text_util.ts';

const TX = T.text;

/** Keywords quote_ident must quote (every category but unreserved), as pg_get_keywords lists them. */
const QUOTED_KEYWORDS = new Set(
  (
    'all analyse analyze and any array as asc asymmetric authorization between bigint binary bit boolean both case cast ' +
    'char character check coalesce collate collation column concurrently constraint create cross current_catalog ' +
    'current_date current_role current_schema current_time current_timestamp current_user dec decimal default deferrable ' +
    'desc distinct do else end except exists extract false fetch float for foreign freeze from full grant greatest group ' +
    'grouping having ilike in initially inner inout int integer intersect interval into is isnull join lateral leading ' +
    'least left like limit localtime localtimestamp national natural nchar none normalize not notnull null nullif numeric ' +
    'offset on only or order out outer overlaps overlay placing position precision primary real references returning ' +
    'right row select session_user setof similar smallint some substring symmetric table tablesample then time timestamp ' +
    'to trailing treat trim true union unique user using values varchar variadic verbose when where window with ' +
    'xmlattributes xmlconcat xmlelement xmlexists xmlforest xmlnamespaces xmlparse xmlpi xmlroot xmlserialize xmltable'
  ).split(' '),
);

export function quoteIdent(s: string): string {
  if (/^[a-z_][a-z0-9_$]*$/.test(s) && !QUOTED_KEYWORDS.has(s)) return s;
  return '"' + s.replace(/"/g, '""') + '"';
}

export function quoteLiteral(s: string): string {
  const body = s.replace(/'/g, "''");
  if (s.includes('\\')) return "E'" + body.replace(/\\/g, '\\\\') + "'";
  return "'" + body + "'";
}

defFn('quote_ident', [TX], TX, ([s]) => quoteIdent(s as string));
defFn('quote_literal', [TX], TX, ([s]) => quoteLiteral(s as string));
defFn('quote_literal', [T.anyelement], TX, ([v], ctx, call) => quoteLiteral(valueText(v, call.argTypes[0]!, ctx)), {
  volatility: 's',
});
defFn('quote_nullable', [TX], TX, ([s]) => (s === null ? 'NULL' : quoteLiteral(s as string)), { strict: false });
defFn(
  'quote_nullable',
  [T.anyelement],
  TX,
  ([v], ctx, call) => (v === null ? 'NULL' : quoteLiteral(valueText(v, call.argTypes[0]!, ctx))),
  { strict: false, volatility: 's' },
);

function textOf(v: unknown, t: SqlType, ctx: EvalContext): string {
  return valueText(v, t, ctx);
}

defFn(
  'concat',
  [],
  TX,
  (args, ctx, call) => {
    let out = '';
    args.forEach((v, i) => {
      if (v !== null) out += textOf(v, call.argTypes[i]!, ctx);
    });
    return out;
  },
  { variadic: T.any, strict: false, volatility: 's' },
);

defFn(
  'concat_ws',
  [TX],
  TX,
  (args, ctx, call) => {
    const sep = args[0];
    if (sep === null) return null;
    const parts: string[] = [];
    for (let i = 1; i < args.length; i++) if (args[i] !== null) parts.push(textOf(args[i], call.argTypes[i]!, ctx));
    return parts.join(sep as string);
  },
  { variadic: T.any, strict: false, volatility: 's' },
);

function formatError(msg: string, hint?: string): SbError {
  return new SbError(SqlState.invalid_parameter_value, msg, hint !== undefined ? { hint } : {});
}

/** A width argument: integers as they are, anything else through its text and int4 input. */
function widthValue(v: unknown, t: SqlType, ctx: EvalContext): number {
  if (t.id === 'int2' || t.id === 'int4') return v as number;
  const raw = textOf(v, t, ctx);
  // int4in: a leading digit run that overflows is reported before trailing garbage.
  const m = /^\s*([+-]?\d+)(.*)$/s.exec(raw);
  if (m !== null && (Number(m[1]) < -2147483648 || Number(m[1]) > 2147483647)) {
    throw new SbError(SqlState.numeric_value_out_of_range, `value "${raw}" is out of range for type integer`);
  }
  if (m === null || m[2]!.trim() !== '') {
    throw new SbError(SqlState.invalid_text_representation, `invalid input syntax for type integer: "${raw}"`);
  }
  return Number(m[1]);
}

/** format(fmt, args...): args[i] has type types[i]. */
export function sqlFormat(fmt: string, args: unknown[], types: SqlType[], ctx: EvalContext): string {
  let out = '';
  let next = 0; // index of the next implicit argument
  let i = 0;
  const n = fmt.length;
  const readNum = (): number | undefined => {
    const m = /^[0-9]+/.exec(fmt.slice(i));
    if (m === null) return undefined;
    i += m[0].length;
    const v = Number(m[0]);
    if (v > 2147483647) throw invalidParameter('number is out of range');
    return v;
  };
  const argAt = (pos: number): { v: unknown; t: SqlType } => {
    if (pos >= args.length) throw formatError('too few arguments for format()');
    return { v: args[pos], t: types[pos]! };
  };
  while (i < n) {
    const c = fmt[i]!;
    if (c !== '%') {
      out += c;
      i++;
      continue;
    }
    i++;
    if (i >= n) throw formatError('unterminated format() type specifier', 'For a single "%" use "%%".');
    if (fmt[i] === '%') {
      out += '%';
      i++;
      continue;
    }
    // [argpos$][flags][width][type]
    let argPos: number | undefined;
    const save = i;
    const num = readNum();
    if (num !== undefined && fmt[i] === '$') {
      if (num === 0) throw formatError('format specifies argument 0, but arguments are numbered from 1');
      argPos = num - 1;
      i++;
    } else i = save;
    let leftAlign = false;
    while (fmt[i] === '-') {
      leftAlign = true;
      i++;
    }
    let width: number | undefined;
    if (fmt[i] === '*') {
      i++;
      let wpos: number;
      const s2 = i;
      const wn = readNum();
      if (wn !== undefined && fmt[i] === '$') {
        if (wn === 0) throw formatError('format specifies argument 0, but arguments are numbered from 1');
        wpos = wn - 1;
        i++;
      } else {
        i = s2;
        wpos = next++;
      }
      const w = argAt(wpos);
      if (w.v !== null) {
        let wv = widthValue(w.v, w.t, ctx);
        if (wv < 0) {
          leftAlign = true;
          wv = -wv;
        }
        width = wv;
      }
    } else {
      width = readNum();
    }
    if (i >= n) throw formatError('unterminated format() type specifier', 'For a single "%" use "%%".');
    const type = fmt[i]!;
    i++;
    if (type !== 's' && type !== 'I' && type !== 'L') {
      throw formatError(`unrecognized format() type specifier "${type}"`, 'For a single "%" use "%%".');
    }
    const pos = argPos ?? next;
    next = pos + 1;
    const { v, t } = argAt(pos);
    let text: string;
    if (type === 's') text = v === null ? '' : textOf(v, t, ctx);
    else if (type === 'I') {
      if (v === null) throw new SbError(SqlState.null_value_not_allowed, 'null values cannot be formatted as an SQL identifier');
      text = quoteIdent(textOf(v, t, ctx));
    } else text = v === null ? 'NULL' : quoteLiteral(textOf(v, t, ctx));
    if (width !== undefined) {
      if (width >= TEXT_BYTES_MAX) {
        throw new SbError(SqlState.program_limit_exceeded, 'out of memory', {
          detail: `Cannot enlarge string buffer containing 0 bytes by ${width - 1} more bytes.`,
        });
      }
      checkResultLength(out.length + width);
      const len = charLength(text);
      if (len < width) text = leftAlign ? text + ' '.repeat(width - len) : ' '.repeat(width - len) + text;
    }
    out += text;
  }
  return out;
}

defFn('format', [TX], TX, ([f], ctx) => (f === null ? null : sqlFormat(f as string, [], [], ctx)), {
  strict: false,
  volatility: 's',
});
defFn(
  'format',
  [TX],
  TX,
  (args, ctx, call: CallInfo) => (args[0] === null ? null : sqlFormat(args[0] as string, args.slice(1), call.argTypes.slice(1), ctx)),
  { variadic: T.any, strict: false, volatility: 's' },
);
