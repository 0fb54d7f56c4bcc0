// Round trip over every corpus statement of every dialect:
// parse(print(parse(s))) deep-equals parse(s) ignoring source positions, and
// printing is idempotent: print(parse(print(x))) === print(x).

import { describe, expect, it } from 'vitest';
import { getDialect, parse, print, stripLoc, type Statement } from '../../sql-dialects/index.ts';
import { loadCorpus } from './corpus.ts';

const dialects = [
  { prefix: 'pg', name: 'postgres', min: 400 },
  { prefix: 'mysql', name: 'mysql', min: 60 },
  { prefix: 'tsql', name: 'tsql', min: 60 },
  { prefix: 'firebird', name: 'firebird', min: 60 },
] as const;

for (const { prefix, name, min } of dialects) {
  describe(`round trip: ${name}`, () => {
    const d = getDialect(name);
    const entries = loadCorpus(prefix);

    it(`has at least ${min} corpus statements`, () => {
      const count = entries.reduce((n, e) => n + parse(e.sql, d).length, 0);
      expect(count).toBeGreaterThanOrEqual(min);
    });

    it.each(entries.map((e) => [`${e.file}:${e.line}`, e.sql] as const))('%s', (_where, sql) => {
      const stmts = parse(sql, d);
      expect(stmts.length).toBeGreaterThan(0);
      for (const s of stmts) {
        const printed = print(s, d);
        let again: Statement[];
        try {
          again = parse(printed, d);
        } catch (e) {
          throw new Error(`printed SQL does not parse: ${printed}\n${String(e)}`);
        }
        expect(again.length, printed).toBe(1);
        expect(stripLoc(again[0]), printed).toEqual(stripLoc(s));
        expect(print(again[0], d)).toBe(printed);
      }
    });
  });
}
