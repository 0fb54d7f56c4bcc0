// The binder's state for one statement: the catalog it reads, the session
// facts that change meaning (search_path, user, settings), the parameter
// types being inferred, and the current name scope.

import type { Dialect, Ident, Loc } from '../../../sql-dialects/index.ts';
import { charPosition } from '../../../sql-dialects/errors.ts';
import type { Catalog } from '../catalog/catalog.ts';
import { SbError, type SbErrorFields } from '../sb_error.ts';
import type { SqlType } from '../types/types.ts';
import type { TypeContext } from '../types/context.ts';
import { Scope } from './scope.ts';

export interface BindEnv {
  catalog: Catalog;
  dialect: Dialect;
  /** The text the statement was parsed from (error positions). */
  sql: string;
  /** search_path as schema names, "$user" already replaced. */
  searchPath: string[];
  dbOid: number;
  dbName: string;
  userName: string;
  userOid: number;
  /** $n types: declared (PREPARE, protocol) or inferred while binding; undefined = not known yet. */
  paramTypes: Array<SqlType | undefined>;
  /** Settings for converting literals at bind time. */
  values: TypeContext;
  /** Transaction start, µs since 2000-01-01 UTC (CURRENT_TIMESTAMP and friends). */
  txnTimestamp: number;
  /** NOTICEs and WARNINGs raised while binding or running DDL. */
  notices: SbError[];
}

/** Binding context: the environment and the scope of the query level being bound. */
export interface Cx {
  env: BindEnv;
  scope: Scope;
}

export function rootCx(env: BindEnv): Cx {
  return { env, scope: new Scope() };
}

export function childCx(cx: Cx): Cx {
  return { env: cx.env, scope: new Scope(cx.scope) };
}

export function fold(cx: Cx | BindEnv, id: Ident): string {
  const env = 'env' in cx ? cx.env : cx;
  return env.dialect.foldIdentifier(id);
}

/** The 1-based character position of a node, for error reports. */
export function posOf(cx: Cx | BindEnv, loc: Loc | undefined): number | undefined {
  if (!loc) return undefined;
  const env = 'env' in cx ? cx.env : cx;
  return charPosition(env.sql, loc.start);
}

export function errAt(cx: Cx | BindEnv, code: string, message: string, loc?: Loc, fields: SbErrorFields = {}): SbError {
  const position = posOf(cx, loc);
  return new SbError(code, message, position !== undefined ? { ...fields, position } : fields);
}
