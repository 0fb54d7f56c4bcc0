import { describe, expect, it } from 'vitest';
import { canCoerce, canCoerceAll, resolveCommonType, resolvePolymorphic, selectCommonType } from '../../host/engine/types/resolve.ts';
import { formatType, typeFromName } from '../../host/engine/types/type_names.ts';
import { T, arrayOf } from '../../host/engine/types/types.ts';
import { codeOf } from './helpers.ts';

const common = (...names: string[]): string => formatType(selectCommonType(names.map((n) => typeFromName(n)), 'UNION')!, false);

describe('type resolution', () => {
  it('selects the common type as select_common_type (checked against PostgreSQL 15)', () => {
    expect(common('int4', 'int8')).toBe('bigint');
    expect(common('int4', 'numeric')).toBe('numeric');
    expect(common('numeric', 'float4')).toBe('real');
    expect(common('int2', 'float4')).toBe('real');
    expect(common('unknown', 'unknown')).toBe('text');
    expect(common('varchar', 'text')).toBe('character varying');
    expect(common('varchar', 'bpchar')).toBe('character varying');
    expect(common('bpchar', 'varchar')).toBe('character');
    expect(common('date', 'timestamptz')).toBe('timestamp with time zone');
    expect(common('timestamp', 'timestamptz')).toBe('timestamp with time zone');
    expect(common('name', 'text')).toBe('name');
    expect(common('int4', 'unknown')).toBe('integer');
    expect(common('unknown', 'int4')).toBe('integer');
    expect(common('oid', 'int4')).toBe('oid');
    expect(common('int4', 'float8')).toBe('double precision');
    expect(common('int4[]', 'int8[]')).toBe('bigint[]');
    expect(formatType(selectCommonType([typeFromName('varchar(3)'), typeFromName('varchar(3)')])!)).toBe('character varying(3)');
    expect(common('varchar(3)', 'varchar(5)')).toBe('character varying');
    expect(codeOf(() => selectCommonType([T.interval, T.time], 'UNION'))).toBe('42804');
    expect(codeOf(() => selectCommonType([T.int4, T.text], 'CASE'))).toBe('42804');
    expect(selectCommonType([T.int4, T.text])).toBeUndefined();
    expect(formatType(resolveCommonType([T.int4, T.unknown, T.numeric], 'VALUES'))).toBe('numeric');
  });

  it('checks implicit coercibility and polymorphic consistency', () => {
    expect(canCoerce(T.int4, T.int8)).toBe(true);
    expect(canCoerce(T.int8, T.int4)).toBe(false);
    expect(canCoerce(T.unknown, T.jsonb)).toBe(true);
    expect(canCoerce(T.int4, T.anyelement)).toBe(true);
    expect(canCoerceAll([arrayOf(T.int4), T.int4], [T.anyarray, T.anyelement])).toBe(true);
    expect(canCoerceAll([arrayOf(T.int4), T.text], [T.anyarray, T.anyelement])).toBe(false);
    const r = resolvePolymorphic([T.int4, T.numeric], [T.anycompatible, T.anycompatible], T.anycompatiblearray);
    expect(formatType(r!.result!)).toBe('numeric[]');
    const e = resolvePolymorphic([arrayOf(T.text), T.unknown], [T.anyarray, T.anyelement], T.anyelement);
    expect(formatType(e!.result!)).toBe('text');
    expect(resolvePolymorphic([arrayOf(T.int4)], [T.anynonarray], undefined)).toBeUndefined();
  });
});
