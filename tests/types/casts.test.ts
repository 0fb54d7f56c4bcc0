import { describe, expect, it } from 'vitest';
import { canCast, castValue, findCast } from '../../host/engine/types/casts.ts';
import { Numeric } from '../../host/engine/types/numeric.ts';
import { formatText } from '../../host/engine/types/text_io.ts';
import { typeFromName } from '../../host/engine/types/type_names.ts';
import { T, arrayOf } from '../../host/engine/types/types.ts';
import { codeOf, ctx, val } from './helpers.ts';

const ty = typeFromName;

describe('cast contexts (pg_cast)', () => {
  it('knows which casts are implicit, assignment or explicit', () => {
    const cases: [string, string, 'implicit' | 'assignment' | 'explicit' | undefined][] = [
      ['int4', 'int8', 'implicit'], ['int8', 'int4', 'assignment'], ['int4', 'numeric', 'implicit'], ['numeric', 'int4', 'assignment'],
      ['float8', 'int4', 'assignment'], ['int4', 'float8', 'implicit'], ['numeric', 'float8', 'implicit'], ['float8', 'numeric', 'assignment'],
      ['bool', 'int4', 'explicit'], ['int4', 'bool', 'explicit'], ['text', 'int4', 'explicit'], ['int4', 'text', 'assignment'],
      ['varchar', 'text', 'implicit'], ['text', 'varchar', 'implicit'], ['bpchar', 'text', 'implicit'], ['text', 'name', 'implicit'],
      ['date', 'timestamp', 'implicit'], ['date', 'timestamptz', 'implicit'], ['timestamp', 'timestamptz', 'implicit'],
      ['timestamptz', 'timestamp', 'assignment'], ['timestamp', 'date', 'assignment'], ['time', 'timetz', 'implicit'],
      ['json', 'jsonb', 'assignment'], ['jsonb', 'int4', 'explicit'], ['int4', 'oid', 'implicit'], ['oid', 'int4', 'assignment'],
      ['int4', 'regclass', 'implicit'], ['text', 'regclass', 'implicit'], ['unknown', 'int4', 'implicit'], ['int4[]', 'int8[]', 'implicit'],
      ['int8[]', 'int4[]', 'assignment'], ['int4[]', 'text', 'assignment'], ['text', 'int4[]', 'explicit'], ['int4', '"char"', 'explicit'],
      ['varchar(3)', 'varchar(10)', 'implicit'], ['uuid', 'text', 'assignment'], ['interval', 'time', 'assignment'],
      ['date', 'int4', undefined], ['int4', 'date', undefined], ['bool', 'numeric', undefined], ['int4', 'interval', undefined],
      ['uuid', 'bytea', undefined], ['timetz', 'timestamptz', undefined],
    ];
    for (const [from, to, context] of cases) expect(findCast(ty(from), ty(to))?.context, `${from} -> ${to}`).toBe(context);
    expect(canCast(T.int8, T.int4, 'implicit')).toBe(false);
    expect(canCast(T.int8, T.int4, 'assignment')).toBe(true);
    expect(codeOf(() => castValue(5, T.int8, T.int4, ctx(), 'implicit'))).toBe('42846');
  });
});

describe('cast conversions', () => {
  const c = ctx({ timeZone: 'Europe/Berlin' });
  const cast = (from: string, to: string, text: string, context: 'implicit' | 'assignment' | 'explicit' = 'explicit'): string | null => {
    const v = castValue(castValue(text, T.unknown, ty(from), c, 'explicit'), ty(from), ty(to), c, context);
    return v === null ? null : formatText(ty(to), v, c);
  };

  it('rounds numeric half away from zero and floats half to even', () => {
    expect(cast('numeric', 'int4', '2.5')).toBe('3');
    expect(cast('numeric', 'int4', '-2.5')).toBe('-3');
    expect(cast('float8', 'int4', '2.5')).toBe('2');
    expect(cast('float8', 'int4', '3.5')).toBe('4');
    expect(cast('float4', 'int2', '0.5')).toBe('0');
    expect(codeOf(() => cast('numeric', 'int4', '1e10'))).toBe('22003');
    expect(codeOf(() => cast('numeric', 'int4', 'NaN'))).toBe('0A000');
    expect(codeOf(() => cast('float8', 'int4', 'NaN'))).toBe('22003');
    expect(codeOf(() => cast('float8', 'float4', '1e40'))).toBe('22003');
    expect(codeOf(() => cast('float8', 'float4', '1e-50'))).toBe('22003');
    expect(cast('float8', 'numeric', '0.1')).toBe('0.1');
    expect(cast('float4', 'numeric', '123456789.123')).toBe('123457000');
    expect(cast('int8', 'oid', '4294967295')).toBe('4294967295');
    expect(codeOf(() => cast('int8', 'oid', '-1'))).toBe('22003');
    expect(cast('int4', 'oid', '-1')).toBe('4294967295');
    expect(cast('oid', 'int4', '4294967295')).toBe('-1');
    expect(cast('int4', '"char"', '65')).toBe('A');
    expect(codeOf(() => cast('int4', '"char"', '200'))).toBe('22003');
    expect(cast('bool', 'text', 't')).toBe('true');
    expect(cast('bool', 'int4', 't')).toBe('1');
  });

  it('applies character lengths per context', () => {
    expect(cast('text', 'varchar(3)', 'abcdef')).toBe('abc');
    expect(codeOf(() => cast('text', 'varchar(3)', 'abcdef', 'assignment'))).toBe('22001');
    expect(cast('text', 'varchar(3)', 'abc   ', 'assignment')).toBe('abc');
    expect(cast('text', 'char(5)', 'ab')).toBe('ab   ');
    expect(cast('char(6)', 'text', 'ab')).toBe('ab');
    expect(cast('int8', 'varchar(2)', '12345')).toBe('12');
    expect(cast('numeric', 'numeric(6,2)', '3.14159')).toBe('3.14');
  });

  it('converts date/time types in the session zone', () => {
    expect(cast('timestamp', 'timestamptz', '2024-07-01 12:00')).toBe('2024-07-01 12:00:00+02');
    expect(cast('timestamptz', 'timestamp', '2024-07-01 12:00+00')).toBe('2024-07-01 14:00:00');
    expect(cast('timestamptz', 'date', '2024-07-01 23:30+00')).toBe('2024-07-02');
    expect(cast('timestamp', 'time', 'infinity')).toBeNull();
    expect(cast('timestamp', 'time(1)', '2024-01-01 12:34:56.789')).toBe('12:34:56.8');
    expect(cast('interval', 'time', '-1 hour')).toBe('23:00:00');
    expect(cast('date', 'timestamptz', '2024-03-31')).toBe('2024-03-31 00:00:00+01');
  });

  it('casts jsonb scalars and arrays element-wise', () => {
    expect(cast('jsonb', 'int4', '2.5')).toBe('3');
    expect(cast('jsonb', 'bool', 'true')).toBe('t');
    expect(codeOf(() => cast('jsonb', 'int4', '"a"'))).toBe('22023');
    expect(codeOf(() => cast('jsonb', 'bool', '{"a":1}'))).toBe('22023');
    expect(cast('numeric[]', 'int4[]', '{1.5,2.5,NULL}')).toBe('{2,3,NULL}');
    expect(cast('int4[]', 'text', '[0:1]={7,8}')).toBe('[0:1]={7,8}');
    expect(cast('text[]', 'varchar(2)[]', '{abc,d}')).toBe('{ab,d}');
    const arr = castValue(val('int4[]', '{1,2}'), arrayOf(T.int4), arrayOf(T.numeric), c, 'implicit');
    expect((arr as { values: unknown[] }).values.every((v) => v instanceof Numeric)).toBe(true);
  });
});
