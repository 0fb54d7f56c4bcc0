import { describe, expect, it } from 'vitest';
import { formatText, parseText } from '../../host/engine/types/text_io.ts';
import { T, recordOf } from '../../host/engine/types/types.ts';
import { codeOf, ctx, pg, val } from './helpers.ts';

describe('text I/O of scalar types', () => {
  it('reads booleans and integers as PostgreSQL', () => {
    for (const [s, v] of [['t', 't'], ['TRUE', 't'], [' yes ', 't'], ['on', 't'], ['of', 'f'], ['1', 't'], ['n', 'f']] as const) {
      expect(pg('bool', s)).toBe(v);
    }
    for (const bad of ['o', 'x', '', 'tru e']) expect(codeOf(() => val('bool', bad)), bad).toBe('22P02');
    expect(pg('int8', ' -9223372036854775808 ')).toBe('-9223372036854775808');
    expect(typeof val('int8', '9007199254740993')).toBe('bigint');
    expect(typeof val('int8', '9007199254740991')).toBe('number');
    expect(pg('int4', '+007')).toBe('7');
    expect(codeOf(() => val('int2', '40000'))).toBe('22003');
    expect(codeOf(() => val('int4', '1e3'))).toBe('22P02');
    expect(codeOf(() => val('int8', '9223372036854775808'))).toBe('22003');
  });

  it('prints floats shortest-exact by default, %g with extra_float_digits <= 0', () => {
    const cases: [string, string, string][] = [
      ['float8', '1e22', '1e+22'], ['float8', '123456789012345.6', '123456789012345.6'], ['float8', '1e15', '1e+15'],
      ['float8', '0.1', '0.1'], ['float8', '1e-5', '1e-05'], ['float8', '-0', '-0'], ['float8', 'nan', 'NaN'],
      ['float8', '20396297177530370', '2.0396297177530368e+16'], ['float4', '1e6', '1e+06'], ['float4', '123456.7', '123456.7'],
      ['float4', '16777217', '1.6777216e+07'], ['float4', '102765856', '1.02765856e+08'], ['float4', '1.4e-45', '1e-45'],
    ];
    for (const [t, s, out] of cases) expect(pg(t, s), `${s}::${t}`).toBe(out);
    const c0 = ctx({ extraFloatDigits: 0 });
    expect(pg('float8', '0.30000000000000004', c0)).toBe('0.3');
    expect(pg('float8', '123456789012345678', c0)).toBe('1.23456789012346e+17');
    expect(codeOf(() => val('float8', '1e400'))).toBe('22003');
    expect(codeOf(() => val('float8', '1e-400'))).toBe('22003');
    expect(codeOf(() => val('float4', '1e39'))).toBe('22003');
    expect(codeOf(() => val('float8', '1e'))).toBe('22P02');
  });

  it('applies character lengths: 22001 on input, truncation on explicit casts, padding for char(n)', () => {
    expect(codeOf(() => val('varchar(3)', 'abcd'))).toBe('22001');
    expect(val('varchar(3)', 'abc  ')).toBe('abc');
    expect(pg('varchar(3)', 'abcd')).toBe('abc');
    expect(val('char(3)', 'a')).toBe('a  ');
    expect(codeOf(() => val('char(3)', 'abcd'))).toBe('22001');
    expect(val('varchar(3)', '日本語')).toBe('日本語');
    expect(val('name', 'é'.repeat(40))).toBe('é'.repeat(31));
    expect(codeOf(() => val('text', 'a\u0000b'))).toBe('22021');
    expect(codeOf(() => val('text', 'a\ud800b'))).toBe('22021');
  });

  it('reads bytea, uuid, "char", oid, tid', () => {
    expect(pg('bytea', '\\x41 42')).toBe('\\x4142');
    expect(pg('bytea', 'a\\\\b\\001')).toBe('\\x615c6201');
    expect(pg('bytea', '\\x00015c7f80ff41', ctx({ byteaOutput: 'escape' }))).toBe('\\000\\001\\\\\\177\\200\\377A');
    expect(codeOf(() => val('bytea', '\\x1'))).toBe('22023');
    expect(codeOf(() => val('bytea', '\\xzz'))).toBe('22023');
    expect(codeOf(() => val('bytea', '\\8'))).toBe('22P02');
    expect(pg('uuid', '{A0EEBC99-9C0B4EF8-BB6D6BB9-BD380A11}')).toBe('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11');
    expect(codeOf(() => val('uuid', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a1'))).toBe('22P02');
    expect(pg('"char"', 'é')).toBe('\\303');
    expect(pg('"char"', '\\101')).toBe('A');
    expect(pg('oid', '-1')).toBe('4294967295');
    expect(codeOf(() => val('oid', '4294967296'))).toBe('22003');
    expect(pg('tid', '(-1,2)')).toBe('(4294967295,2)');
    expect(pg('xid', '0x10')).toBe('16');
    expect(pg('regclass', '1259')).toBe('1259');
    expect(codeOf(() => val('regclass', 'nosuch'))).toBe('42P01');
    expect(pg('regclass', '-')).toBe('-');
  });

  it('prints records as record_out and reads them when the column types are known', () => {
    const rt = recordOf([T.int4, T.text, T.text, T.text]);
    const row = parseText(rt, '(1,"a b",,"x""y")', ctx()) as unknown[];
    expect(row).toEqual([1, 'a b', null, 'x"y']);
    expect(formatText(recordOf([T.int4, T.text, T.text]), [1, 'a b', null])).toBe('(1,"a b",)');
    expect(formatText(recordOf([T.text, T.text]), ['', 'x\\y'])).toBe('("","x\\\\y")');
    expect(codeOf(() => parseText(T.record, '(1)', ctx()))).toBe('0A000');
    expect(codeOf(() => parseText(rt, '(1,2)', ctx()))).toBe('22P02');
    expect(codeOf(() => parseText(T.anyelement, 'x', ctx()))).toBe('0A000');
  });
});
