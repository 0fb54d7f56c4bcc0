// Scripts: `;`-separated statements, T-SQL GO batches and optional
// semicolons, isql SET TERM, MySQL executable comments, comment styles.

import { describe, expect, it } from 'vitest';
import { firebird, mysql, parse, parseBatches, postgres, print, stripLoc, tsql } from '../../sql-dialects/index.ts';

describe('statement separation', () => {
  it('splits at semicolons and skips empty statements', () => {
    expect(parse('SELECT 1;; SELECT 2;', postgres).map((s) => s.kind)).toEqual(['select', 'select']);
    expect(parse('  ;  ', postgres)).toEqual([]);
  });

  it('records statement locations', () => {
    const [a, b] = parse('SELECT 1; SELECT 22', postgres);
    expect(a.loc).toEqual({ start: 0, end: 8 });
    expect(b.loc).toEqual({ start: 10, end: 19 });
  });

  it('T-SQL statements need no semicolons; GO lines separate batches', () => {
    const sql = 'DECLARE @x INT = 1\nSELECT @x\nGO\nSELECT 2 SELECT 3\ngo 2\nPRINT 1';
    const batches = parseBatches(sql, tsql);
    expect(batches.map((b) => b.map((s) => s.kind))).toEqual([['declare', 'select'], ['select', 'select'], ['print']]);
    expect(parse(sql, tsql)).toHaveLength(5);
  });

  it('GO is a batch separator only alone on its line', () => {
    expect(parseBatches('SELECT go FROM t\nGO', tsql)).toHaveLength(1);
    expect(parse('SELECT 1 GO', tsql)[0]).toMatchObject({ body: { columns: [{ alias: { value: 'GO' } }] } });
    expect(() => parse('SELECT 1 GO 2', tsql)).toThrow(expect.objectContaining({ code: '42601', position: 13 }));
  });

  it('a T-SQL procedure body runs to the end of its batch', () => {
    const [proc, after] = parseBatches('CREATE PROCEDURE p AS SELECT 1 SELECT 2\nGO\nEXEC p', tsql);
    expect(proc).toHaveLength(1);
    expect(proc[0]).toMatchObject({ kind: 'create_procedure', body: [{ kind: 'select' }, { kind: 'select' }] });
    expect(after[0]).toMatchObject({ kind: 'exec', procedure: [{ value: 'p' }] });
  });

  it('isql SET TERM changes the terminator for the statements that follow', () => {
    const script = [
      'SET TERM ^ ;',
      'CREATE PROCEDURE p RETURNS (x INTEGER) AS BEGIN x = 1; SUSPEND; END^',
      'SELECT 1 FROM RDB$DATABASE^',
      'SET TERM ; ^',
      'SELECT 2 FROM RDB$DATABASE;',
    ].join('\n');
    const stmts = parse(script, firebird);
    expect(stmts.map((s) => s.kind)).toEqual(['set_term', 'create_procedure', 'select', 'set_term', 'select']);
    expect(stmts[0]).toMatchObject({ terminator: '^', previous: ';' });
    expect(stmts[3]).toMatchObject({ terminator: ';', previous: '^' });
  });

  it('EXECUTE BLOCK parses with its inner semicolons without SET TERM', () => {
    const [s] = parse('EXECUTE BLOCK RETURNS (n INT) AS DECLARE i INT = 0; BEGIN WHILE (i < 3) DO BEGIN i = i + 1; n = i; SUSPEND; END END', firebird);
    expect(s).toMatchObject({ kind: 'execute_block', body: { declarations: [{ kind: 'var_decl' }], statements: [{ kind: 'while' }] } });
  });
});

describe('comments', () => {
  it('PostgreSQL nested block comments and line comments', () => {
    expect(stripLoc(parse('SELECT /* a /* b */ c */ 1 -- tail', postgres))).toEqual(stripLoc(parse('SELECT 1', postgres)));
  });

  it('MySQL # comments, -- needs a space, /*! … */ content is SQL', () => {
    expect(parse('SELECT 1 # comment', mysql)).toHaveLength(1);
    expect(stripLoc(parse('SELECT 5--1', mysql))).toEqual(stripLoc(parse('SELECT 5 - -1', mysql)));
    const [s] = parse('/*!40101 SET NAMES utf8mb4 */', mysql);
    expect(s).toMatchObject({ kind: 'set', items: [{ special: 'NAMES' }] });
    expect(stripLoc(parse('SELECT /*!50000 SQL_NO_CACHE */ a FROM t', mysql))).toEqual(stripLoc(parse('SELECT SQL_NO_CACHE a FROM t', mysql)));
  });

  it('# is an operator in PostgreSQL', () => {
    expect(parse('SELECT 5 # 3', postgres)).toHaveLength(1);
  });
});

describe('printing', () => {
  it('prints keywords in upper case and quotes identifiers in the dialect style', () => {
    const s = parse('select "Weird Name", x from "T" where y = 1', postgres)[0];
    expect(print(s, postgres)).toBe('SELECT "Weird Name", x FROM "T" WHERE y = 1');
    expect(print(s, mysql)).toBe('SELECT `Weird Name`, x FROM `T` WHERE y = 1');
    expect(print(s, tsql)).toBe('SELECT [Weird Name], x FROM [T] WHERE y = 1');
  });

  it('prints casts in a form the target dialect has', () => {
    const s = parse('SELECT a::int', postgres)[0];
    expect(print(s, postgres)).toBe('SELECT a::int');
    expect(print(s, tsql)).toBe('SELECT CAST(a AS int)');
  });

  it('re-escapes strings for the target dialect', () => {
    const s = parse("SELECT 'a\\b''c'", postgres)[0];
    expect(print(s, postgres)).toBe("SELECT 'a\\b''c'");
    expect(print(s, mysql)).toBe("SELECT 'a\\\\b''c'");
  });
});
