import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  Jsonb, compareJsonb, jsonbAsText, jsonbConcat, jsonbContains, jsonbExists, jsonbExistsAll, jsonbExistsAny, jsonbGet,
  jsonbGetPath, jsonToText,
} from '../../host/engine/types/jsonb.ts';
import { codeOf, pg } from './helpers.ts';

const J = (s: string) => Jsonb.parse(s).value;

describe('jsonb', () => {
  it('normalizes keys (length, then bytes), keeps the last duplicate and numeric scales', () => {
    expect(pg('jsonb', '{"b":1, "a": 2, "aa": [1, 1.50, 1e2, -0, 0.0e-3], "a": 3, "c": {"é":null, "z": "\\u00e9\\n\\t\\/"}}')).toBe(
      '{"a": 3, "b": 1, "c": {"z": "é\\n\\t/", "é": null}, "aa": [1, 1.50, 100, 0, 0.0000]}',
    );
    expect(pg('jsonb', ' "\\ud83d\\ude00" ')).toBe('"😀"');
    expect(pg('json', '{"b":1,  "a":2}')).toBe('{"b":1,  "a":2}');
    expect(pg('json', '"\\ud800"')).toBe('"\\ud800"');
  });

  it('rejects malformed JSON with PostgreSQL codes', () => {
    for (const bad of ['{"a":1,}', '[1,2', '01', '1.', '{"a" 1}', '', 'tru', '"a\\qb"', '"a\u0001b"', '"\\ud800x"', '"\\udc00"']) {
      expect(codeOf(() => Jsonb.parse(bad)), bad).toBe('22P02');
    }
    expect(codeOf(() => Jsonb.parse('"\\u0000"'))).toBe('22P05');
  });

  it('implements the access operators', () => {
    const doc = J('{"a":{"b":[1,2,{"c":"x"}]},"d":null}');
    expect(jsonToText(jsonbGet(doc, 'a')!)).toBe('{"b": [1, 2, {"c": "x"}]}');
    expect(jsonbGet(doc, 'zz')).toBeUndefined();
    expect(jsonbAsText(jsonbGet(doc, 'd'))).toBeNull();
    expect(jsonbAsText(jsonbGetPath(doc, ['a', 'b', '2', 'c']))).toBe('x');
    expect(jsonToText(jsonbGetPath(doc, ['a', 'b', '-1'])!)).toBe('{"c": "x"}');
    expect(jsonbGetPath(doc, ['a', 'b', 'x'])).toBeUndefined();
    expect(jsonToText(jsonbGet(J('[1,2,3]'), -1)!)).toBe('3');
    expect(jsonToText(jsonbGet(J('"foo"'), 0)!)).toBe('"foo"');
    expect(jsonbExists(J('"foo"'), 'foo')).toBe(true);
    expect(jsonbExists(J('["a",1]'), 'a')).toBe(true);
    expect(jsonbExistsAny(doc, ['zz', 'd'])).toBe(true);
    expect(jsonbExistsAll(doc, ['a', 'zz'])).toBe(false);
  });

  it('implements containment and concatenation', () => {
    expect(jsonbContains(J('{"a":1,"b":{"c":[1,2]}}'), J('{"b":{"c":[2]}}'))).toBe(true);
    expect(jsonbContains(J('[1,2]'), J('1'))).toBe(true);
    expect(jsonbContains(J('1'), J('[1]'))).toBe(false);
    expect(jsonbContains(J('{"a":[1,2]}'), J('{"a":1}'))).toBe(false);
    expect(jsonbContains(J('{"a":1.0}'), J('{"a":1}'))).toBe(true);
    expect(jsonToText(jsonbConcat(J('{"a":1,"b":2}'), J('{"b":3,"aa":4}')))).toBe('{"a": 1, "b": 3, "aa": 4}');
    expect(jsonToText(jsonbConcat(J('{"a":1}'), J('[2]')))).toBe('[{"a": 1}, 2]');
    expect(jsonToText(jsonbConcat(J('1'), J('2')))).toBe('[1, 2]');
  });

  it('orders as jsonb btree: null < string < number < boolean < array < object', () => {
    const order = ['null', '"a"', '"b"', '1', '2.5', 'false', 'true', '[1]', '[1,2]', '{}', '{"a":1}', '{"a":1,"b":2}'];
    for (let i = 0; i + 1 < order.length; i++) expect(compareJsonb(J(order[i]!), J(order[i + 1]!)), order[i]).toBe(-1);
    expect(compareJsonb(J('1'), J('[]'))).toBe(1);
    expect(compareJsonb(J('1'), J('[1]'))).toBe(-1);
    expect(compareJsonb(J('1.0'), J('1'))).toBe(0);
  });

  it('round-trips any JSON through text (property)', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 4 }), (text) => {
        const once = Jsonb.parse(text).toString();
        expect(Jsonb.parse(once).toString()).toBe(once);
        expect(compareJsonb(Jsonb.parse(once).value, Jsonb.parse(text).value)).toBe(0);
      }),
      { numRuns: 300, seed: 11 },
    );
  });
});
