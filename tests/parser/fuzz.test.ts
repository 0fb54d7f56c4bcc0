// fast-check fuzzing: random token streams (keywords, identifiers, literals,
// operators, punctuation of each dialect) and random strings never crash or
// hang the parser; each input either parses or throws SbError 42601/54001.
// Generated expressions that parse must also survive the print round trip.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SbError } from '../../host/engine/sb_error.ts';
import { getDialect, parse, print, stripLoc, tokenize, type Dialect } from '../../sql-dialects/index.ts';
import { vocabularies } from './fuzz_vocab.ts';
import { exprArbitrary } from './fuzz_expr_gen.ts';
import { loadCorpus } from './corpus.ts';

const runs_per_dialect = 5000;

/** Parses, or checks that the failure is a syntax / too-complex SbError. */
function parsesOrSyntaxError(sql: string, d: Dialect): ReturnType<typeof parse> | null {
  try {
    return parse(sql, d);
  } catch (e) {
    if (!(e instanceof SbError)) throw new Error(`non-SbError for ${JSON.stringify(sql)}: ${String(e)}`);
    if (e.code !== '42601' && e.code !== '54001') throw new Error(`unexpected code ${e.code} for ${JSON.stringify(sql)}`);
    if (e.code === '42601' && (typeof e.position !== 'number' || e.position < 1 || e.position > [...sql].length + 1)) {
      throw new Error(`bad position ${e.position} for ${JSON.stringify(sql)}`);
    }
    return null;
  }
}

function tokenStream(vocab: string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.array(fc.constantFrom(...vocab), { maxLength: 30 }), fc.constantFrom(' ', '\n', ''))
    .map(([toks, sep]) => toks.join(sep));
}

/** Corpus statements as token texts, for mutation. */
function corpusTokens(prefix: 'pg' | 'mysql' | 'tsql' | 'firebird', d: Dialect): string[][] {
  return loadCorpus(prefix).map((e) =>
    tokenize(e.sql, d)
      .filter((t) => t.type !== 'eof')
      .map((t) => e.sql.slice(t.start, t.end)),
  );
}

function checkRoundTrip(sql: string, d: Dialect): void {
  const stmts = parsesOrSyntaxError(sql, d);
  if (!stmts) return;
  for (const s of stmts) {
    const printed = print(s, d);
    const again = parse(printed, d);
    expect(again.length, printed).toBe(1);
    expect(stripLoc(again[0]), `${sql}\n=> ${printed}`).toEqual(stripLoc(s));
  }
}

const prefixes = { postgres: 'pg', mysql: 'mysql', tsql: 'tsql', firebird: 'firebird' } as const;

for (const name of ['postgres', 'mysql', 'tsql', 'firebird'] as const) {
  describe(`fuzz: ${name}`, () => {
    const d = getDialect(name);
    const tokens = tokenStream(vocabularies[name]);

    it(`token streams and random strings (${runs_per_dialect} cases)`, () => {
      const input = fc.oneof(
        tokens,
        tokens.map((s) => 'SELECT ' + s),
        tokens.map((s) => 'SELECT a FROM t WHERE ' + s),
        tokens.map((s) => 'CREATE TABLE t (' + s),
        fc.string({ maxLength: 60 }),
        fc.string({ maxLength: 30, unit: 'binary' }),
      );
      fc.assert(
        fc.property(input, (sql) => {
          parsesOrSyntaxError(sql, d);
        }),
        { numRuns: runs_per_dialect },
      );
    });

    it('generated expressions round-trip when they parse (1000 cases)', () => {
      fc.assert(
        fc.property(exprArbitrary(name), (e) => {
          const stmts = parsesOrSyntaxError('SELECT ' + e, d);
          if (!stmts) return;
          const printed = print(stmts[0], d);
          expect(stripLoc(parse(printed, d)), printed).toEqual(stripLoc(stmts));
        }),
        { numRuns: 1000 },
      );
    });

    it('mutated corpus statements parse and round-trip, or fail with 42601 (2000 cases)', () => {
      const entries = corpusTokens(prefixes[name], d).filter((t) => t.length > 0);
      const mutation = fc.tuple(fc.constantFrom('delete', 'duplicate', 'swap'), fc.nat(), fc.nat());
      fc.assert(
        fc.property(fc.nat(entries.length - 1), fc.array(mutation, { minLength: 1, maxLength: 3 }), (i, mutations) => {
          const toks = [...entries[i]];
          for (const [m, a, b] of mutations) {
            if (toks.length === 0) return;
            const x = a % toks.length;
            const y = b % toks.length;
            if (m === 'delete') toks.splice(x, 1);
            else if (m === 'duplicate') toks.splice(x, 0, toks[y]);
            else [toks[x], toks[y]] = [toks[y], toks[x]];
          }
          checkRoundTrip(toks.join(' '), d);
        }),
        { numRuns: 2000 },
      );
    });
  });
}
