// CREATE / ALTER / DROP dispatch and the smaller schema objects: indexes,
// views, schemas, databases, sequences/generators, roles and users, domains,
// types, extensions. Tables are in ddl_table.ts, routines and triggers in
// procedural files and ddl_misc.ts.

import type {
  CreateDatabase,
  CreateIndex,
  CreateSequence,
  CreateVerb,
  CreateView,
  Drop,
  Ident,
  QName,
  RoleName,
  SqlOption,
  Statement,
} from './ast.ts';
import type { Token } from './lexer.ts';
import type { Parser } from './parser.ts';
import { parseExpr, stringFromToken } from './expr.ts';
import { parseQuery } from './select.ts';
import { parseTypeName } from './types.ts';
import { parseColumnConstraints, parseCreateTable, parseIndexElem } from './ddl_table.ts';
import { parseAlterTable } from './ddl_alter.ts';
import {
  database_option_specs,
  parseOptionValue,
  parseSequenceOptions,
  parseSpecOptions,
  parseWithOptions,
  role_option_specs,
} from './ddl_options.ts';
import { parseCreateFunction, parseFuncParamsInParens, parseGrant } from './ddl_misc.ts';
import { SbError, SqlState } from '../host/engine/sb_error.ts';
import { charPosition } from './errors.ts';
import { parseCreateProcedure, parseCreateTrigger } from './procedural_ddl.ts';

export function parseCreate(p: Parser): Statement {
  const start = p.tok;
  let verb: CreateVerb = 'CREATE';
  if (p.acceptWord('RECREATE')) verb = 'RECREATE';
  else {
    p.expectWord('CREATE');
    if (p.acceptWords('OR', 'REPLACE')) verb = 'CREATE OR REPLACE';
    else if (p.acceptWords('OR', 'ALTER')) verb = 'CREATE OR ALTER';
  }
  let temporary: string | null = null;
  if (p.isWord('GLOBAL') || p.isWord('LOCAL')) {
    if (p.isAnyWord(['TEMPORARY', 'TEMP'], 1)) temporary = `${p.next().upper} ${p.next().upper}`;
  } else {
    temporary = p.acceptOneOf('TEMPORARY', 'TEMP');
  }
  const unlogged = p.acceptWord('UNLOGGED');
  return parseCreateObject(p, start, verb, temporary, unlogged);
}

function parseCreateObject(p: Parser, start: Token, verb: CreateVerb, temporary: string | null, unlogged: boolean): Statement {
  const d = p.d;
  const t = p.tok;
  if (t.type !== 'word') p.error();
  switch (t.upper) {
    case 'TABLE':
      return parseCreateTable(p, start, verb, temporary, unlogged);
    case 'UNIQUE':
    case 'INDEX':
    case 'CLUSTERED':
    case 'NONCLUSTERED':
    case 'FULLTEXT':
    case 'SPATIAL':
    case 'ASC':
    case 'ASCENDING':
    case 'DESC':
    case 'DESCENDING':
      return parseCreateIndex(p, start, verb);
    case 'VIEW':
    case 'MATERIALIZED':
    case 'RECURSIVE':
    case 'ALGORITHM':
    case 'DEFINER':
    case 'SQL':
      return parseCreateView(p, start, verb, temporary);
    case 'SCHEMA':
      if (d.schemaIsDatabase()) return parseCreateDatabase(p, start);
      return parseCreateSchema(p, start);
    case 'DATABASE':
      return parseCreateDatabase(p, start);
    case 'SEQUENCE':
    case 'GENERATOR':
      return parseCreateSequence(p, start, verb, temporary);
    case 'USER':
    case 'ROLE':
    case 'GROUP':
      return parseCreateRole(p, start);
    case 'FUNCTION':
    case 'PROCEDURE':
    case 'PROC':
      if (d.proceduralStyle() !== 'none') return parseCreateProcedure(p, start, verb);
      if (t.upper === 'PROC') p.error();
      return parseCreateFunction(p, start, verb);
    case 'TRIGGER':
      return parseCreateTrigger(p, start, verb);
    case 'DOMAIN':
      return parseCreateDomain(p, start, verb);
    case 'TYPE':
      return parseCreateType(p, start);
    case 'EXTENSION':
      return parseCreateExtension(p, start);
  }
  return p.error();
}

function parseCreateIndex(p: Parser, start: Token, verb: CreateVerb): CreateIndex {
  const ci: CreateIndex = { kind: 'create_index', verb, table: [], columns: [] };
  for (;;) {
    if (p.acceptWord('UNIQUE')) ci.unique = true;
    else if (p.isAnyWord(['CLUSTERED', 'NONCLUSTERED'])) ci.clustered = p.next().upper as 'CLUSTERED';
    else if (p.isAnyWord(['FULLTEXT', 'SPATIAL'])) ci.indexType = p.next().upper as 'FULLTEXT';
    else if (p.isAnyWord(['ASC', 'ASCENDING', 'DESC', 'DESCENDING'])) ci.direction = p.next().upper as 'ASC';
    else break;
  }
  p.expectWord('INDEX');
  if (p.acceptWord('CONCURRENTLY')) ci.concurrently = true;
  if (p.acceptWords('IF', 'NOT', 'EXISTS')) ci.ifNotExists = true;
  if (!p.isWord('ON')) ci.name = p.qname();
  p.expectWord('ON');
  if (p.acceptWord('ONLY')) ci.only = true;
  ci.table = p.qname();
  if (p.acceptWord('USING')) ci.using = p.ident();
  if (p.acceptWord('COMPUTED')) {
    p.acceptWord('BY');
    p.expectOp('(');
    ci.computedBy = parseExpr(p);
    p.expectOp(')');
  } else {
    ci.columns = p.parenList(() => parseIndexElem(p));
  }
  if (p.acceptWord('INCLUDE')) ci.include = p.parenList(() => p.ident());
  if (p.acceptWords('NULLS', 'DISTINCT')) ci.nullsDistinct = true;
  else if (p.acceptWords('NULLS', 'NOT', 'DISTINCT')) ci.nullsDistinct = false;
  if (p.isWord('WITH') && p.isOp('(', 1)) {
    p.next();
    ci.with = parseWithOptions(p);
  }
  if (p.acceptWord('TABLESPACE')) ci.tablespace = p.ident();
  if (p.acceptWord('WHERE')) ci.where = parseExpr(p);
  ci.loc = p.loc(start);
  return ci;
}

const view_option_specs = [
  ['ALGORITHM', true],
  ['DEFINER', true],
  ['SQL SECURITY', true],
] as const;

export function parseCreateView(p: Parser, start: Token, verb: CreateVerb, temporary: string | null): CreateView {
  const cv: CreateView = { kind: 'create_view', verb, name: [], query: null as unknown as CreateView['query'] };
  if (temporary) cv.temporary = temporary as 'TEMP';
  const opts = parseSpecOptions(p, view_option_specs);
  if (opts.length) cv.options = opts;
  if (p.acceptWord('MATERIALIZED')) cv.materialized = true;
  if (p.acceptWord('RECURSIVE')) cv.recursive = true;
  p.expectWord('VIEW');
  if (p.acceptWords('IF', 'NOT', 'EXISTS')) cv.ifNotExists = true;
  cv.name = p.qname();
  if (p.isOp('(')) cv.columns = p.parenList(() => p.ident());
  if (p.isWord('WITH') && p.isOp('(', 1)) {
    p.next();
    cv.with = parseWithOptions(p);
  }
  p.expectWord('AS');
  cv.query = parseQuery(p);
  if (p.isWord('WITH')) {
    if (p.acceptWords('WITH', 'CASCADED', 'CHECK', 'OPTION')) cv.checkOption = 'CASCADED';
    else if (p.acceptWords('WITH', 'LOCAL', 'CHECK', 'OPTION')) cv.checkOption = 'LOCAL';
    else if (p.acceptWords('WITH', 'CHECK', 'OPTION')) cv.checkOption = 'PLAIN';
    else if (p.acceptWords('WITH', 'DATA')) cv.withData = true;
    else if (p.acceptWords('WITH', 'NO', 'DATA')) cv.withData = false;
  }
  cv.loc = p.loc(start);
  return cv;
}

function parseCreateSchema(p: Parser, start: Token): Statement {
  p.expectWord('SCHEMA');
  const s: Statement = { kind: 'create_schema' };
  if (p.acceptWords('IF', 'NOT', 'EXISTS')) s.ifNotExists = true;
  if (!p.isWord('AUTHORIZATION')) s.name = p.ident();
  if (p.acceptWord('AUTHORIZATION')) s.authorization = p.ident();
  if (!s.name && !s.authorization) p.error();
  // PG schema elements: CREATE TABLE / VIEW / INDEX / SEQUENCE / TRIGGER and GRANT, one after another.
  // Like PG's grammar, the elements are parsed first (a malformed one is a syntax error, 42601);
  // only well-formed elements after IF NOT EXISTS are refused as unsupported (0A000).
  const elements: Statement[] = [];
  let firstElement = -1;
  while (p.isWord('CREATE') || p.isWord('GRANT')) {
    if (firstElement < 0) firstElement = p.tok.start;
    const kindToken = p.peek(1);
    const e = p.isWord('GRANT') ? parseGrant(p) : parseCreate(p);
    if (!['create_table', 'create_view', 'create_index', 'create_sequence', 'create_trigger', 'grant'].includes(e.kind)) p.error(kindToken);
    elements.push(e);
  }
  if (elements.length > 0 && s.ifNotExists) {
    throw new SbError(SqlState.feature_not_supported, 'CREATE SCHEMA IF NOT EXISTS cannot include schema elements', { position: charPosition(p.sql, firstElement) });
  }
  if (elements.length > 0) s.elements = elements;
  s.loc = p.loc(start);
  return s;
}

function parseCreateDatabase(p: Parser, start: Token): CreateDatabase {
  const keyword = p.expectOneOf('DATABASE', 'SCHEMA') as 'DATABASE' | 'SCHEMA';
  const cd: CreateDatabase = { kind: 'create_database', keyword, name: { value: '', quoted: false }, options: [] };
  if (p.acceptWords('IF', 'NOT', 'EXISTS')) cd.ifNotExists = true;
  if (p.tok.type === 'string') cd.name = stringFromToken(p.next());
  else cd.name = p.ident();
  if (p.acceptWord('WITH')) cd.withKeyword = true;
  cd.options = parseSpecOptions(p, database_option_specs);
  cd.loc = p.loc(start);
  return cd;
}

function parseCreateSequence(p: Parser, start: Token, verb: CreateVerb, temporary: string | null): CreateSequence {
  const keyword = p.next().upper as 'SEQUENCE' | 'GENERATOR';
  const cs: CreateSequence = { kind: 'create_sequence', verb, keyword, name: [], options: [] };
  if (temporary) cs.temporary = temporary as 'TEMP';
  if (p.acceptWords('IF', 'NOT', 'EXISTS')) cs.ifNotExists = true;
  cs.name = p.qname();
  cs.options = parseSequenceOptions(p);
  cs.loc = p.loc(start);
  return cs;
}

/** A role or user: a name, or MY `'user'@'host'`. */
export function parseRoleName(p: Parser): RoleName {
  const t = p.tok;
  let name: Ident;
  if (t.type === 'string') {
    p.next();
    name = { value: t.value, quoted: true, loc: { start: t.start, end: t.end } };
  } else name = p.identAny();
  const r: RoleName = { name };
  const v = p.tok;
  if (v.type === 'variable' && v.style === '@' && v.start === p.prevEnd) {
    p.next();
    r.host = { value: v.value, quoted: !!v.quoted };
  }
  return r;
}

function parseCreateRole(p: Parser, start: Token): Statement {
  const keyword = p.next().upper as 'ROLE' | 'USER' | 'GROUP';
  const ifNotExists = p.acceptWords('IF', 'NOT', 'EXISTS');
  const name = parseRoleName(p);
  const withKeyword = p.acceptWord('WITH');
  const options = parseSpecOptions(p, role_option_specs, true);
  const s: Statement = { kind: 'create_role', keyword, name, options };
  if (ifNotExists) s.ifNotExists = true;
  if (withKeyword) s.withKeyword = true;
  s.loc = p.loc(start);
  return s;
}

function parseCreateDomain(p: Parser, start: Token, verb: CreateVerb): Statement {
  p.expectWord('DOMAIN');
  const name = p.qname();
  const asKeyword = p.acceptWord('AS');
  const type = parseTypeName(p);
  const s: Statement = { kind: 'create_domain', verb, name, type, constraints: parseColumnConstraints(p) };
  if (asKeyword) s.asKeyword = true;
  s.loc = p.loc(start);
  return s;
}

function parseCreateType(p: Parser, start: Token): Statement {
  p.expectWord('TYPE');
  const name = p.qname();
  p.expectWord('AS');
  const s: Statement = { kind: 'create_type', name };
  if (p.acceptWord('ENUM')) {
    p.expectOp('(');
    s.enumLabels = p.isOp(')') ? [] : p.list(() => {
      if (p.tok.type !== 'string') p.error();
      return stringFromToken(p.next());
    });
    p.expectOp(')');
  } else {
    s.attributes = p.parenList(() => ({ name: p.ident(), type: parseTypeName(p) }));
  }
  s.loc = p.loc(start);
  return s;
}

function parseCreateExtension(p: Parser, start: Token): Statement {
  p.expectWord('EXTENSION');
  const ifNotExists = p.acceptWords('IF', 'NOT', 'EXISTS');
  const name = p.ident();
  const withKeyword = p.acceptWord('WITH');
  const options = parseSpecOptions(p, [
    ['SCHEMA', true],
    ['VERSION', true],
    ['CASCADE', false],
  ]);
  const s: Statement = { kind: 'create_extension', name, options };
  if (ifNotExists) s.ifNotExists = true;
  if (withKeyword) s.withKeyword = true;
  s.loc = p.loc(start);
  return s;
}

/** After ALTER VIEW / INDEX: does a PG relation action follow the (optionally IF EXISTS) name? */
function isAlterRelationAction(p: Parser): boolean {
  let k = 1;
  if (p.isWord('IF', k) && p.isWord('EXISTS', k + 1)) return true;
  const ident = (i: number) => p.peek(i).type === 'word' || p.peek(i).type === 'qident';
  if (!ident(k)) return false;
  k++;
  while (p.isOp('.', k) && ident(k + 1)) k += 2;
  return p.isAnyWord(['RENAME', 'OWNER', 'SET', 'RESET', 'ALTER'], k);
}

export function parseAlter(p: Parser): Statement {
  const start = p.expectWord('ALTER');
  const d = p.d;
  const t = p.tok;
  if (t.type !== 'word') p.error();
  switch (t.upper) {
    case 'TABLE':
      return parseAlterTable(p, start);
    case 'SEQUENCE': {
      p.next();
      const ifExists = p.acceptWords('IF', 'EXISTS');
      const name = p.qname();
      const s: Statement = { kind: 'alter_sequence', name, options: parseSequenceOptions(p) };
      if (ifExists) s.ifExists = true;
      if (s.options.length === 0) p.error();
      s.loc = p.loc(start);
      return s;
    }
    case 'USER':
    case 'ROLE':
    case 'GROUP': {
      const keyword = p.next().upper as 'USER' | 'ROLE' | 'GROUP';
      const ifExists = p.acceptWords('IF', 'EXISTS');
      const s: Statement = { kind: 'alter_role', keyword, name: parseRoleName(p), options: [] };
      if (ifExists) s.ifExists = true;
      if (p.acceptWords('RENAME', 'TO')) s.renameTo = p.ident();
      else if (p.acceptWord('SET')) {
        const name = p.qname();
        if (!p.acceptWord('TO')) p.expectOp('=');
        s.set = { name, values: p.list(() => parseOptionValue(p)) };
      } else if (p.acceptWord('RESET')) {
        s.set = { name: p.qname(), reset: true };
      } else {
        if (p.acceptWord('WITH')) s.withKeyword = true;
        s.options = parseSpecOptions(p, role_option_specs, true);
      }
      s.loc = p.loc(start);
      return s;
    }
    case 'DATABASE':
    case 'SCHEMA': {
      p.next();
      const s: Statement = { kind: 'alter_database', options: [] };
      if (p.isIdent() && !p.isAnyWord(['CHARACTER', 'CHARSET', 'DEFAULT', 'COLLATE', 'OWNER'])) s.name = p.ident();
      s.options = parseSpecOptions(p, [...database_option_specs, ['OWNER TO', true], ['RENAME TO', true]]);
      if (s.options.length === 0) p.error();
      s.loc = p.loc(start);
      return s;
    }
    case 'VIEW':
      // PG ALTER VIEW [IF EXISTS] v RENAME / OWNER TO / SET SCHEMA / ALTER COLUMN…; otherwise MY/TS ALTER VIEW v AS query.
      if (isAlterRelationAction(p)) return parseAlterTable(p, start);
      return parseCreateView(p, start, 'ALTER', null);
    case 'INDEX':
      if (isAlterRelationAction(p)) return parseAlterTable(p, start);
      break;
    case 'MATERIALIZED':
      return parseAlterTable(p, start);
    case 'PROCEDURE':
    case 'PROC':
      if (d.proceduralStyle() !== 'none') return parseCreateProcedure(p, start, 'ALTER');
      break;
    case 'TRIGGER':
      if (d.proceduralStyle() !== 'none') return parseCreateTrigger(p, start, 'ALTER');
      break;
  }
  return p.error();
}

const drop_object_types: readonly string[][] = [
  ['MATERIALIZED', 'VIEW'],
  ['TABLE'],
  ['VIEW'],
  ['INDEX'],
  ['SEQUENCE'],
  ['GENERATOR'],
  ['SCHEMA'],
  ['DATABASE'],
  ['FUNCTION'],
  ['PROCEDURE'],
  ['PROC'],
  ['TRIGGER'],
  ['DOMAIN'],
  ['TYPE'],
  ['EXTENSION'],
  ['USER'],
  ['ROLE'],
  ['GROUP'],
  ['EXCEPTION'],
];

export function parseDrop(p: Parser): Drop {
  const start = p.expectWord('DROP');
  const drop: Drop = { kind: 'drop', objectType: '', names: [] };
  if (p.acceptWord('TEMPORARY')) drop.temporary = true;
  const type = drop_object_types.find((words) => p.isWords(...words));
  if (!type) p.error();
  for (let i = 0; i < type.length; i++) p.next();
  drop.objectType = type.join(' ') === 'PROC' ? 'PROCEDURE' : type.join(' ');
  if (p.acceptWord('CONCURRENTLY')) drop.concurrently = true;
  if (p.acceptWords('IF', 'EXISTS')) drop.ifExists = true;
  const isRole = drop.objectType === 'USER' || drop.objectType === 'ROLE' || drop.objectType === 'GROUP';
  const argLists: (ReturnType<typeof parseFuncParamsInParens> | null)[] = [];
  const hosts: (Ident | null)[] = [];
  do {
    if (isRole) {
      const r = parseRoleName(p);
      drop.names.push([r.name]);
      hosts.push(r.host ?? null);
    } else {
      const name: QName = p.qname();
      drop.names.push(name);
    }
    if ((drop.objectType === 'FUNCTION' || drop.objectType === 'PROCEDURE') && p.isOp('(')) argLists.push(parseFuncParamsInParens(p));
    else argLists.push(null);
  } while (p.acceptOp(','));
  if (argLists.some((a) => a !== null)) drop.argLists = argLists;
  if (hosts.some((h) => h !== null)) drop.hosts = hosts;
  if (p.acceptWord('ON')) drop.onTable = p.qname();
  const b = p.acceptOneOf('CASCADE', 'RESTRICT');
  if (b) drop.behavior = b as 'CASCADE';
  drop.loc = p.loc(start);
  return drop;
}

export type { SqlOption };
