import { describe, expect, it } from 'vitest';
import {
  charTypmod, formatType, intervalTypmod, INTERVAL_DAY, INTERVAL_HOUR, INTERVAL_MINUTE, INTERVAL_SECOND, INTERVAL_YEAR,
  INTERVAL_MONTH, numericTypmod, numericTypmodPrecision, numericTypmodScale, typeFromName,
} from '../../host/engine/types/type_names.ts';
import {
  T, arrayOf, infoOf, isPreferredType, sqlType, typeByOid, typeCategory, typeInfo, typeOid,
} from '../../host/engine/types/types.ts';
import { codeOf } from './helpers.ts';

describe('type descriptors', () => {
  it('carries PostgreSQL OIDs, including array types', () => {
    expect(typeOid(T.int4)).toBe(23);
    expect(typeOid(arrayOf(T.int4))).toBe(1007);
    expect(typeOid(arrayOf(T.text))).toBe(1009);
    expect(typeOid(arrayOf(T.jsonb))).toBe(3807);
    expect(typeOid(T.numeric)).toBe(1700);
    expect(typeOid(T.timestamptz)).toBe(1184);
    expect(typeOid(T.unknown)).toBe(705);
    expect(typeByOid(1016)).toEqual(arrayOf(T.int8));
    expect(typeByOid(2950)).toEqual(T.uuid);
    expect(typeByOid(99999)).toBeUndefined();
  });

  it('has pg_type categories, preferred types and storage attributes', () => {
    expect(typeCategory(T.int4)).toBe('N');
    expect(typeCategory(T.text)).toBe('S');
    expect(typeCategory(T.char)).toBe('Z');
    expect(typeCategory(T.timestamptz)).toBe('D');
    expect(typeCategory(arrayOf(T.int4))).toBe('A');
    expect(isPreferredType(T.float8)).toBe(true);
    expect(isPreferredType(T.numeric)).toBe(false);
    expect(isPreferredType(T.timestamptz)).toBe(true);
    expect(isPreferredType(T.oid)).toBe(true);
    const i8 = typeInfo('int8');
    expect([i8.len, i8.byval, i8.align, i8.input, i8.receive]).toEqual([8, true, 'd', 'int8in', 'int8recv']);
    const arr = infoOf(arrayOf(sqlType('varchar')));
    expect([arr.typname, arr.len, arr.input, arr.typmodin, arr.align]).toEqual(['_varchar', -1, 'array_in', 'varchartypmodin', 'i']);
    expect(infoOf(arrayOf(T.float8)).align).toBe('d');
  });
});

describe('format_type', () => {
  it('prints names as PostgreSQL does', () => {
    const cases: [string, string][] = [
      ['int', 'integer'], ['int2', 'smallint'], ['bigint', 'bigint'], ['float', 'double precision'], ['float(24)', 'real'],
      ['real', 'real'], ['varchar(10)', 'character varying(10)'], ['character varying', 'character varying'],
      ['char', 'character(1)'], ['char(5)', 'character(5)'], ['bpchar', 'bpchar'], ['"char"', '"char"'],
      ['numeric(10,2)', 'numeric(10,2)'], ['decimal(5)', 'numeric(5,0)'], ['numeric(5,-2)', 'numeric(5,-2)'], ['numeric', 'numeric'],
      ['timestamp(3)', 'timestamp(3) without time zone'], ['timestamptz', 'timestamp with time zone'],
      ['timestamp with time zone', 'timestamp with time zone'], ['time(0) with time zone', 'time(0) with time zone'],
      ['time', 'time without time zone'], ['timetz(6)', 'time(6) with time zone'], ['interval', 'interval'],
      ['interval year to month', 'interval year to month'], ['interval day to second(3)', 'interval day to second(3)'],
      ['interval(2)', 'interval(2)'], ['int[]', 'integer[]'], ['varchar(10)[]', 'character varying(10)[]'],
      ['_int4', 'integer[]'], ['_char', '"char"[]'], ['integer[][]', 'integer[]'], ['boolean', 'boolean'],
      ['double precision', 'double precision'], ['pg_catalog.int4', 'integer'], ['national character varying(3)', 'character varying(3)'],
    ];
    for (const [name, printed] of cases) expect(formatType(typeFromName(name)), name).toBe(printed);
    expect(formatType(T.any)).toBe('"any"');
    expect(formatType(arrayOf(T.char))).toBe('"char"[]');
  });

  it('encodes typmods as atttypmod', () => {
    expect(typeFromName('varchar', [10]).typmod).toBe(14);
    expect(typeFromName('numeric', [10, 2]).typmod).toBe(((10 << 16) | 2) + 4);
    expect(numericTypmod(5, -2)).toBe(((5 << 16) | (-2 & 0x7ff)) + 4);
    expect(numericTypmodPrecision(numericTypmod(5, -2))).toBe(5);
    expect(numericTypmodScale(numericTypmod(5, -2))).toBe(-2);
    expect(typeFromName('timestamp', [3]).typmod).toBe(3);
    expect(typeFromName('interval', [3]).typmod).toBe(intervalTypmod(0x7fff, 3));
    expect(typeFromName('interval day to second').typmod).toBe(
      intervalTypmod(INTERVAL_DAY | INTERVAL_HOUR | INTERVAL_MINUTE | INTERVAL_SECOND, 0xffff),
    );
    expect(typeFromName('interval year to month').typmod).toBe(((INTERVAL_YEAR | INTERVAL_MONTH) << 16) | 0xffff);
    expect(charTypmod(1)).toBe(5);
  });

  it('rejects bad modifiers and unknown names with PostgreSQL codes', () => {
    expect(codeOf(() => typeFromName('varchar', [0]))).toBe('22023');
    expect(codeOf(() => typeFromName('varchar', [10485761]))).toBe('22023');
    expect(codeOf(() => typeFromName('numeric', [0]))).toBe('22023');
    expect(codeOf(() => typeFromName('numeric', [2, 1001]))).toBe('22023');
    expect(codeOf(() => typeFromName('float', [0]))).toBe('22023');
    expect(codeOf(() => typeFromName('float', [54]))).toBe('22023');
    expect(codeOf(() => typeFromName('int4', [3]))).toBe('42601');
    expect(codeOf(() => typeFromName('nosuchtype'))).toBe('42704');
    const warnings: string[] = [];
    expect(typeFromName('timestamp', [7], 0, { warn: (w) => warnings.push(w.message) }).typmod).toBe(6);
    expect(warnings).toEqual(['TIMESTAMP(7) precision reduced to maximum allowed, 6']);
  });
});
