import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SqlArray } from '../../host/engine/types/array.ts';
import { formatText, parseText } from '../../host/engine/types/text_io.ts';
import { T, arrayOf } from '../../host/engine/types/types.ts';
import { codeOf, pg, val } from './helpers.ts';

const intArr = arrayOf(T.int4);
const textArr = arrayOf(T.text);

describe('array text I/O', () => {
  it('parses and prints as array_in / array_out', () => {
    expect(pg('text[]', '{1,2,NULL,"NULL"," a b ", a\\ b , "x\\"y", nuLL, \\NULL}')).toBe('{1,2,NULL,"NULL"," a b ","a b","x\\"y",NULL,"NULL"}');
    expect(pg('text[]', '{"a b",  c  d  ,e}')).toBe('{"a b","c  d",e}');
    expect(pg('int[]', '{ {1} , {2} }')).toBe('{{1},{2}}');
    expect(pg('int[]', '[2:3] = {1,2}')).toBe('[2:3]={1,2}');
    expect(pg('int[]', '[1:2][3:4]={{1,2},{3,4}}')).toBe('[1:2][3:4]={{1,2},{3,4}}');
    expect(pg('int[]', '{}')).toBe('{}');
    expect(formatText(textArr, SqlArray.of(T.text, ['a b', '', 'NULL', 'null', 'a"b', 'a\\b', '{', ',', '\t', 'é']))).toBe(
      '{"a b","","NULL","null","a\\"b","a\\\\b","{",",","\t",é}',
    );
  });

  it('rejects malformed literals with 22P02 and too many dimensions with 54000', () => {
    for (const bad of ['{a"b}', '{{},{}}', '{{1},{2,3}}', '{1,{2}}', '1,2', '{1,2', '{1,2}x', '[1:3]={1,2}', '{1,,2}']) {
      expect(codeOf(() => val('int[]', bad)), bad).toBe('22P02');
    }
    expect(codeOf(() => val('int[]', '{{{{{{{1}}}}}}}'))).toBe('54000');
    expect(codeOf(() => val('int[]', '{1,x}'))).toBe('22P02');
  });

  it('subscripts, slices and assigns like PostgreSQL', () => {
    const a = val('int[]', '{1,2,3}') as SqlArray;
    expect(a.get([2])).toBe(2);
    expect(a.get([5])).toBeNull();
    expect(formatText(intArr, a.slice([2], [3]))).toBe('{2,3}');
    const b = val('int[]', '[0:2]={1,2,3}') as SqlArray;
    expect(formatText(intArr, b.slice([undefined], [1]))).toBe('{1,2}');
    const m = val('int[]', '{{1,2},{3,4}}') as SqlArray;
    expect(m.get([2, 1])).toBe(3);
    expect(formatText(intArr, m.slice([1, 1], [1, 2]))).toBe('{{1,2}}');
    expect(formatText(intArr, a.set([5], 9))).toBe('{1,2,3,NULL,9}');
    expect(formatText(intArr, a.set([-1], 0))).toBe('[-1:3]={0,NULL,1,2,3}');
    expect(formatText(intArr, SqlArray.empty(T.int4).set([3], 7))).toBe('[3:3]={7}');
    expect(m.dimsText()).toBe('[1:2][1:2]');
    expect(formatText(intArr, SqlArray.fromValues(T.int4, [SqlArray.of(T.int4, [1, 2]), SqlArray.of(T.int4, [3, 4])]))).toBe('{{1,2},{3,4}}');
    expect(codeOf(() => SqlArray.fromValues(T.int4, [SqlArray.of(T.int4, [1]), SqlArray.of(T.int4, [3, 4])]))).toBe('2202E');
  });

  it('round-trips generated text arrays (property)', () => {
    const elem = fc.option(fc.string({ maxLength: 6 }).filter((s) => !s.includes('\u0000')), { nil: null });
    fc.assert(
      fc.property(fc.array(elem, { maxLength: 8 }), (values) => {
        const arr = SqlArray.of(T.text, values);
        const text = formatText(textArr, arr);
        const back = parseText(textArr, text) as SqlArray;
        expect(back.values).toEqual(values);
        expect(formatText(textArr, back)).toBe(text);
      }),
      { numRuns: 300, seed: 5 },
    );
  });
});
