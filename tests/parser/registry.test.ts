// Dialects are plugins: a new one is a Dialect implementation registered with
// registerDialect(); the parser core needs no change.

import { describe, expect, it } from 'vitest';
import { BaseDialect, getDialect, listDialects, parse, print, registerDialect, stripLoc } from '../../sql-dialects/index.ts';
import type { CaseFolding } from '../../sql-dialects/index.ts';

/** An ISO-ish dialect with LIMIT and backslash escapes, built only from predicates. */
class ToyDialect extends BaseDialect {
  override readonly name = 'toy';
  override readonly aliases = ['toysql'];
  override readonly caseFolding: CaseFolding = 'lower';
  override supportsLimit(): boolean {
    return true;
  }
  override supportsBackslashEscapes(): boolean {
    return true;
  }
  override supportsHashComments(): boolean {
    return true;
  }
}

describe('dialect registry', () => {
  it('lists the built-in dialects', () => {
    expect(listDialects()).toEqual(expect.arrayContaining(['firebird', 'mysql', 'postgres', 'tsql']));
  });

  it('registers a new dialect without touching the core', () => {
    registerDialect(new ToyDialect());
    const toy = getDialect('TOYSQL');
    expect(toy.name).toBe('toy');
    const [s] = parse("SELECT a FROM t WHERE b = 'x\\'y' LIMIT 3 # done", toy);
    expect(stripLoc(s)).toMatchObject({ kind: 'select', limit: { syntax: 'limit' }, body: { where: { right: { value: "x'y" } } } });
    expect(print(s, toy)).toBe("SELECT a FROM t WHERE b = 'x''y' LIMIT 3");
    expect(toy.foldIdentifier({ value: 'AbC', quoted: false })).toBe('abc');
    // ISO defaults: no `::` casts, no TOP.
    expect(() => parse('SELECT a::int', toy)).toThrow(expect.objectContaining({ code: '42601' }));
    expect(() => parse('SELECT TOP 1 a FROM t', toy)).toThrow(expect.objectContaining({ code: '42601' }));
  });
});
