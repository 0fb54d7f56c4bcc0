// CREATE FUNCTION/PROCEDURE with a text body (PG), routine parameters,
// GRANT/REVOKE, COMMENT ON and TRUNCATE.

import type {
  CommentOn,
  CreateFunction,
  CreateVerb,
  FuncParam,
  FuncReturns,
  Grant,
  Ident,
  Privilege,
  QName,
  SqlOption,
  Truncate,
} from './ast.ts';
import type { Token } from './lexer.ts';
import type { Parser } from './parser.ts';
import { parseExpr, stringFromToken } from './expr.ts';
import { parseTypeName } from './types.ts';
import { parseOptionValue } from './ddl_options.ts';
import { parseRoleName } from './ddl.ts';

/** Words that continue a multi-word type, so `(character varying)` is a type, not `name type`. */
const type_continuations: Record<string, string[]> = {
  DOUBLE: ['PRECISION'],
  CHARACTER: ['VARYING'],
  CHAR: ['VARYING'],
  NATIONAL: ['CHARACTER', 'CHAR'],
  BIT: ['VARYING'],
  NCHAR: ['VARYING'],
  TIME: ['WITH', 'WITHOUT'],
  TIMESTAMP: ['WITH', 'WITHOUT'],
  INTERVAL: ['YEAR', 'MONTH', 'DAY', 'HOUR', 'MINUTE', 'SECOND'],
  LONG: ['VARCHAR', 'VARBINARY'],
};

/** One routine parameter: [mode] [name] type [DEFAULT | = expr]. */
export function parseFuncParam(p: Parser): FuncParam {
  const param: FuncParam = { type: null as unknown as FuncParam['type'] };
  const mode = p.acceptOneOf('IN', 'OUT', 'INOUT', 'VARIADIC');
  if (mode) param.mode = mode as FuncParam['mode'];
  if (p.tok.type === 'variable') {
    param.sigil = '@';
    const t = p.next();
    param.name = { value: t.value, quoted: false, loc: { start: t.start, end: t.end } };
    p.acceptWord('AS');
  } else {
    const t = p.tok;
    const n = p.peek(1);
    const cont = t.type === 'word' ? type_continuations[t.upper] : undefined;
    const named =
      p.isIdent() &&
      (n.type === 'word' || n.type === 'qident') &&
      !(cont && n.type === 'word' && cont.includes(n.upper)) &&
      !(n.type === 'word' && (n.upper === 'DEFAULT' || n.upper === 'NOT' || n.upper === 'COLLATE')) &&
      !(t.type === 'word' && t.upper === 'SETOF');
    if (named) param.name = p.ident();
  }
  param.type = parseTypeName(p);
  if (p.acceptWords('NOT', 'NULL')) param.notNull = true;
  if (p.isWord('COLLATE')) {
    p.next();
    param.collate = p.qname();
  }
  if (p.acceptWord('DEFAULT')) {
    param.defaultSyntax = 'DEFAULT';
    param.default = parseExpr(p);
  } else if (p.acceptOp('=')) {
    param.defaultSyntax = '=';
    param.default = parseExpr(p);
  }
  const out = p.acceptOneOf('OUTPUT', 'OUT');
  if (out) param.output = out as 'OUTPUT' | 'OUT';
  if (p.acceptWord('READONLY')) param.readonly = true;
  return param;
}

export function parseFuncParamsInParens(p: Parser): FuncParam[] {
  p.expectOp('(');
  const params = p.isOp(')') ? [] : p.list(() => parseFuncParam(p));
  p.expectOp(')');
  return params;
}

const function_flags = [
  ['IMMUTABLE'],
  ['STABLE'],
  ['VOLATILE'],
  ['STRICT'],
  ['LEAKPROOF'],
  ['NOT', 'LEAKPROOF'],
  ['WINDOW'],
  ['CALLED', 'ON', 'NULL', 'INPUT'],
  ['RETURNS', 'NULL', 'ON', 'NULL', 'INPUT'],
  ['EXTERNAL', 'SECURITY', 'INVOKER'],
  ['EXTERNAL', 'SECURITY', 'DEFINER'],
  ['SECURITY', 'INVOKER'],
  ['SECURITY', 'DEFINER'],
];

function parseFunctionOption(p: Parser): SqlOption | null {
  for (const words of function_flags) {
    if (p.acceptWords(...words)) return { name: words.join(' ') };
  }
  const t = p.tok;
  if (t.type !== 'word') return null;
  switch (t.upper) {
    case 'LANGUAGE':
    case 'PARALLEL':
    case 'COST':
    case 'ROWS':
    case 'SUPPORT':
      p.next();
      return { name: t.upper, value: parseOptionValue(p) };
    case 'SET': {
      p.next();
      const target = { kind: 'column' as const, name: p.qname() };
      if (p.acceptWords('FROM', 'CURRENT')) {
        return { name: 'SET', value: { kind: 'assign', target, op: 'FROM CURRENT', value: { kind: 'null' } } };
      }
      const op = p.acceptWord('TO') ? 'TO' : (p.expectOp('='), '=');
      return { name: 'SET', value: { kind: 'assign', target, op, value: parseOptionValue(p) } };
    }
    case 'AS': {
      p.next();
      if (p.tok.type !== 'string') p.error();
      const body = stringFromToken(p.next());
      if (p.acceptOp(',')) {
        if (p.tok.type !== 'string') p.error();
        const link = stringFromToken(p.next());
        return { name: 'AS', value: { kind: 'row', items: [body, link], keyword: false } };
      }
      return { name: 'AS', value: body };
    }
    case 'RETURN':
      p.next();
      return { name: 'RETURN', value: parseExpr(p) };
  }
  return null;
}

export function parseCreateFunction(p: Parser, start: Token, verb: CreateVerb): CreateFunction {
  const objectType = p.expectOneOf('FUNCTION', 'PROCEDURE') as 'FUNCTION' | 'PROCEDURE';
  const f: CreateFunction = { kind: 'create_function', verb, objectType, name: p.qname(), params: [], options: [] };
  f.params = parseFuncParamsInParens(p);
  if (p.acceptWord('RETURNS')) {
    if (p.acceptWord('TABLE')) {
      const cols = p.parenList(() => ({ name: p.ident(), type: parseTypeName(p) }));
      f.returns = { table: cols } as FuncReturns;
    } else f.returns = { type: parseTypeName(p) };
  }
  for (;;) {
    const opt = parseFunctionOption(p);
    if (!opt) break;
    f.options.push(opt);
  }
  if (f.options.length === 0) p.error();
  f.loc = p.loc(start);
  return f;
}

const grant_object_types: readonly string[][] = [
  ['ALL', 'TABLES', 'IN', 'SCHEMA'],
  ['ALL', 'SEQUENCES', 'IN', 'SCHEMA'],
  ['ALL', 'FUNCTIONS', 'IN', 'SCHEMA'],
  ['ALL', 'PROCEDURES', 'IN', 'SCHEMA'],
  ['ALL', 'ROUTINES', 'IN', 'SCHEMA'],
  ['TABLE'],
  ['SEQUENCE'],
  ['DATABASE'],
  ['SCHEMA'],
  ['FUNCTION'],
  ['PROCEDURE'],
  ['ROUTINE'],
  ['LANGUAGE'],
  ['TYPE'],
  ['DOMAIN'],
  ['GENERATOR'],
];

/** One privilege (possibly several words, e.g. ALL PRIVILEGES, CREATE VIEW) with optional columns. */
function parsePrivilegeWords(p: Parser): { words: string; token: Token; columns?: Ident[] } {
  const first = p.tok;
  const words: string[] = [];
  while (p.tok.type === 'word' && !p.isWord('ON') && !p.isWord('TO') && !p.isWord('FROM')) words.push(p.next().upper);
  if (words.length === 0) {
    if (p.tok.type === 'qident') words.push(p.next().value);
    else p.error();
  }
  const r: { words: string; token: Token; columns?: Ident[] } = { words: words.join(' '), token: first };
  if (p.isOp('(')) r.columns = p.parenList(() => p.ident());
  return r;
}

/** An object name in GRANT: a qualified name whose parts may be `*` (MY `db.*`). */
function parseGrantObject(p: Parser): QName {
  const part = (): Ident => {
    if (p.isOp('*')) {
      const t = p.next();
      return { value: '*', quoted: false, loc: { start: t.start, end: t.end } };
    }
    return p.identAny();
  };
  const parts = [part()];
  while (p.acceptOp('.')) parts.push(part());
  return parts;
}

export function parseGrant(p: Parser): Grant {
  const start = p.tok;
  const kind = p.next().upper === 'GRANT' ? 'grant' : 'revoke';
  const g: Grant = { kind, grantees: [] };
  if (kind === 'revoke' && p.acceptWords('GRANT', 'OPTION', 'FOR')) g.grantOptionFor = true;
  const items = p.list(() => parsePrivilegeWords(p));
  if (p.acceptWord('ON')) {
    g.privileges = items.map((i): Privilege => {
      const priv: Privilege = { name: i.words };
      if (i.columns) priv.columns = i.columns;
      return priv;
    });
    const type = grant_object_types.find((w) => p.isWords(...w) && !p.isOp('.', w.length) && !(p.peek(w.length).type === 'word' && p.isWord('TO', w.length)));
    g.objectType = '';
    if (type) {
      for (let i = 0; i < type.length; i++) p.next();
      g.objectType = type.join(' ');
    }
    const args: (FuncParam[] | null)[] = [];
    g.objects = p.list(() => {
      const o = parseGrantObject(p);
      args.push(p.isOp('(') ? parseFuncParamsInParens(p) : null);
      return o;
    });
    if (args.some((a) => a !== null)) g.objectArgs = args;
  } else {
    g.roles = items.map((i): Ident => {
      if (i.columns || i.words.includes(' ')) p.error(i.token);
      return { value: i.token.value, quoted: i.token.type === 'qident', loc: { start: i.token.start, end: i.token.end } };
    });
  }
  if (kind === 'grant') p.expectWord('TO');
  else p.expectWord('FROM');
  g.grantees = p.list(() => {
    p.acceptWord('GROUP');
    return parseRoleName(p);
  });
  if (kind === 'grant' && p.acceptWords('WITH', 'GRANT', 'OPTION')) g.withGrantOption = true;
  if (kind === 'grant' && p.acceptWords('WITH', 'ADMIN', 'OPTION')) g.withAdminOption = true;
  if (p.acceptWords('GRANTED', 'BY')) g.grantedBy = p.ident();
  const b = p.acceptOneOf('CASCADE', 'RESTRICT');
  if (b) g.behavior = b as 'CASCADE';
  g.loc = p.loc(start);
  return g;
}

const comment_object_types: readonly string[][] = [
  ['MATERIALIZED', 'VIEW'],
  ['TABLE'],
  ['COLUMN'],
  ['SCHEMA'],
  ['INDEX'],
  ['VIEW'],
  ['SEQUENCE'],
  ['FUNCTION'],
  ['PROCEDURE'],
  ['DATABASE'],
  ['TYPE'],
  ['DOMAIN'],
  ['ROLE'],
  ['EXTENSION'],
  ['TRIGGER'],
  ['CONSTRAINT'],
];

export function parseCommentOn(p: Parser): CommentOn {
  const start = p.tok;
  p.expectWords('COMMENT', 'ON');
  const type = comment_object_types.find((w) => p.isWords(...w));
  if (!type) p.error();
  for (let i = 0; i < type.length; i++) p.next();
  const c: CommentOn = { kind: 'comment_on', objectType: type.join(' '), name: p.qname(), comment: { kind: 'null' } };
  if ((c.objectType === 'FUNCTION' || c.objectType === 'PROCEDURE') && p.isOp('(')) c.argList = parseFuncParamsInParens(p);
  if ((c.objectType === 'TRIGGER' || c.objectType === 'CONSTRAINT') && p.acceptWord('ON')) c.onTable = p.qname();
  p.expectWord('IS');
  if (p.tok.type === 'string') c.comment = stringFromToken(p.next());
  else {
    const t = p.expectWord('NULL');
    c.comment = { kind: 'null', loc: { start: t.start, end: t.end } };
  }
  c.loc = p.loc(start);
  return c;
}

export function parseTruncate(p: Parser): Truncate {
  const start = p.expectWord('TRUNCATE');
  const t: Truncate = { kind: 'truncate', tables: [] };
  if (p.acceptWord('TABLE')) t.tableKeyword = true;
  if (p.acceptWord('ONLY')) t.only = true;
  t.tables = p.list(() => p.qname());
  if (p.acceptWords('RESTART', 'IDENTITY')) t.identity = 'RESTART';
  else if (p.acceptWords('CONTINUE', 'IDENTITY')) t.identity = 'CONTINUE';
  const b = p.acceptOneOf('CASCADE', 'RESTRICT');
  if (b) t.behavior = b as 'CASCADE';
  t.loc = p.loc(start);
  return t;
}
