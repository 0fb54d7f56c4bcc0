// Transaction control: BEGIN / START TRANSACTION / BEGIN TRAN, COMMIT / END,
// ROLLBACK / ABORT, savepoints, SET TRANSACTION, and the transaction modes of
// all four dialects (Firebird's SNAPSHOT TABLE STABILITY, RECORD_VERSION,
// READ CONSISTENCY, [NO] WAIT, LOCK TIMEOUT included).

import type { Begin, Commit, Rollback, SetTransaction, Statement, TxMode } from './ast.ts';
import type { Parser } from './parser.ts';
import { parseExpr, stringFromToken } from './expr.ts';

function parseIsolationLevel(p: Parser): string {
  if (p.acceptWord('SERIALIZABLE')) return 'SERIALIZABLE';
  if (p.acceptWords('REPEATABLE', 'READ')) return 'REPEATABLE READ';
  if (p.acceptWords('READ', 'UNCOMMITTED')) return 'READ UNCOMMITTED';
  if (p.acceptWords('READ', 'COMMITTED')) {
    if (p.acceptWord('RECORD_VERSION')) return 'READ COMMITTED RECORD_VERSION';
    if (p.acceptWords('NO', 'RECORD_VERSION')) return 'READ COMMITTED NO RECORD_VERSION';
    if (p.acceptWords('READ', 'CONSISTENCY')) return 'READ COMMITTED READ CONSISTENCY';
    return 'READ COMMITTED';
  }
  if (p.acceptWord('SNAPSHOT')) {
    if (p.acceptWords('TABLE', 'STABILITY')) return 'SNAPSHOT TABLE STABILITY';
    return 'SNAPSHOT';
  }
  return p.error();
}

function isIsolationStart(p: Parser): boolean {
  return (
    p.isWord('SERIALIZABLE') ||
    p.isWord('SNAPSHOT') ||
    p.isWords('REPEATABLE', 'READ') ||
    p.isWords('READ', 'COMMITTED') ||
    p.isWords('READ', 'UNCOMMITTED')
  );
}

/** Transaction modes, comma- or space-separated; `commas` tells which. */
export function parseTxModes(p: Parser): { modes: TxMode[]; commas: boolean } {
  const modes: TxMode[] = [];
  let commas = false;
  for (;;) {
    let afterComma = false;
    if (modes.length > 0 && p.isOp(',')) {
      p.next();
      commas = true;
      afterComma = true;
    }
    if ((p.acceptWord('ISOLATION') && (p.expectWord('LEVEL'), true)) || isIsolationStart(p)) modes.push({ mode: 'ISOLATION LEVEL ' + parseIsolationLevel(p) });
    else if (p.acceptWords('READ', 'ONLY')) modes.push({ mode: 'READ ONLY' });
    else if (p.acceptWords('READ', 'WRITE')) modes.push({ mode: 'READ WRITE' });
    else if (p.acceptWord('DEFERRABLE')) modes.push({ mode: 'DEFERRABLE' });
    else if (p.acceptWords('NOT', 'DEFERRABLE')) modes.push({ mode: 'NOT DEFERRABLE' });
    else if (p.acceptWords('WITH', 'CONSISTENT', 'SNAPSHOT')) modes.push({ mode: 'WITH CONSISTENT SNAPSHOT' });
    else if (p.acceptWord('WAIT')) modes.push({ mode: 'WAIT' });
    else if (p.acceptWords('NO', 'WAIT')) modes.push({ mode: 'NO WAIT' });
    else if (p.acceptWords('LOCK', 'TIMEOUT')) modes.push({ mode: 'LOCK TIMEOUT', value: parseExpr(p, 100) });
    else if (p.acceptWords('NO', 'AUTO', 'UNDO')) modes.push({ mode: 'NO AUTO UNDO' });
    else if (p.acceptWords('IGNORE', 'LIMBO')) modes.push({ mode: 'IGNORE LIMBO' });
    else if (p.acceptWords('AUTO', 'COMMIT')) modes.push({ mode: 'AUTO COMMIT' });
    else if (p.acceptWords('RESTART', 'REQUESTS')) modes.push({ mode: 'RESTART REQUESTS' });
    else {
      if (afterComma) p.error();
      return { modes, commas };
    }
  }
}

function workWord(p: Parser, tran: boolean): string {
  const w = tran ? p.acceptOneOf('WORK', 'TRANSACTION', 'TRAN') : p.acceptOneOf('WORK', 'TRANSACTION');
  return w ? ' ' + w : '';
}

export function parseBegin(p: Parser): Begin {
  const start = p.tok;
  let syntax: string;
  if (p.acceptWords('START', 'TRANSACTION')) syntax = 'START TRANSACTION';
  else {
    p.expectWord('BEGIN');
    syntax = 'BEGIN' + workWord(p, p.d.proceduralStyle() === 'tsql');
  }
  const b: Begin = { kind: 'begin', syntax, modes: [] };
  if (syntax === 'BEGIN TRAN' || (syntax === 'BEGIN TRANSACTION' && p.d.proceduralStyle() === 'tsql')) {
    if (p.isIdent()) b.name = p.ident();
  } else {
    const { modes, commas } = parseTxModes(p);
    b.modes = modes;
    if (commas) b.commas = true;
  }
  b.loc = p.loc(start);
  return b;
}

function parseChainRelease(p: Parser, s: Commit | Rollback): void {
  if (p.acceptWords('AND', 'CHAIN')) s.chain = true;
  else if (p.acceptWords('AND', 'NO', 'CHAIN')) s.chain = false;
  if (p.acceptWord('RELEASE')) s.release = true;
  else if (p.acceptWords('NO', 'RELEASE')) s.release = false;
  if (p.acceptWord('RETAIN')) {
    p.acceptWord('SNAPSHOT');
    s.retain = true;
  }
}

export function parseCommit(p: Parser): Commit {
  const start = p.tok;
  const kw = p.next().upper;
  const c: Commit = { kind: 'commit', syntax: kw + workWord(p, p.d.proceduralStyle() === 'tsql') };
  if (p.d.proceduralStyle() === 'tsql' && c.syntax !== 'COMMIT' && c.syntax !== 'COMMIT WORK' && p.isIdent()) c.name = p.ident();
  parseChainRelease(p, c);
  c.loc = p.loc(start);
  return c;
}

export function parseRollback(p: Parser): Rollback {
  const start = p.tok;
  const kw = p.next().upper;
  const r: Rollback = { kind: 'rollback', syntax: kw + workWord(p, p.d.proceduralStyle() === 'tsql') };
  if (p.acceptWord('TO')) {
    if (p.acceptWord('SAVEPOINT')) r.savepointKeyword = true;
    r.savepoint = p.ident();
  } else if (p.d.proceduralStyle() === 'tsql' && r.syntax !== 'ROLLBACK' && r.syntax !== 'ROLLBACK WORK' && p.isIdent()) {
    r.name = p.ident();
  }
  parseChainRelease(p, r);
  r.loc = p.loc(start);
  return r;
}

export function parseSavepoint(p: Parser): Statement {
  const start = p.tok;
  let syntax = 'SAVEPOINT';
  if (p.acceptWord('SAVE')) syntax = 'SAVE ' + p.expectOneOf('TRAN', 'TRANSACTION');
  else p.expectWord('SAVEPOINT');
  return { kind: 'savepoint', syntax, name: p.ident(), loc: p.loc(start) };
}

export function parseRelease(p: Parser): Statement {
  const start = p.expectWord('RELEASE');
  const savepointKeyword = p.acceptWord('SAVEPOINT');
  return { kind: 'release_savepoint', savepointKeyword, name: p.ident(), loc: p.loc(start) };
}

/** After SET [scope]: TRANSACTION … / SESSION CHARACTERISTICS AS TRANSACTION … */
export function parseSetTransaction(p: Parser, scope: SetTransaction['scope'] | undefined, start: Parameters<Parser['loc']>[0]): SetTransaction {
  p.expectWord('TRANSACTION');
  const s: SetTransaction = { kind: 'set_transaction', modes: [] };
  if (scope) s.scope = scope;
  if (p.isWord('SNAPSHOT') && p.peek(1).type === 'string') {
    p.next();
    s.snapshot = stringFromToken(p.next());
  } else {
    const { modes, commas } = parseTxModes(p);
    s.modes = modes;
    if (commas) s.commas = true;
  }
  s.loc = p.loc(start);
  return s;
}
