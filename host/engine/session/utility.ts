// Session statements: SET / RESET / SHOW, PREPARE / EXECUTE / DEALLOCATE,
// DISCARD, CHECKPOINT, and the maintenance commands that need no work yet.

import type * as A from '../../../sql-dialects/index.ts';
import { SbError, SqlState } from '../sb_error.ts';
import { T } from '../types/types.ts';
import { bindExpr } from '../bind/expr.ts';
import { coerceAssign } from '../bind/coerce.ts';
import { resolveType } from '../bind/names.ts';
import { Scope } from '../bind/scope.ts';
import { evalScalar } from '../exec/expr.ts';
import { compileEnv } from '../exec/build.ts';
import type { Expr } from '../plan/nodes.ts';
import type { FieldInfo, QueryResult } from './result.ts';
import type { Session } from './session.ts';
import { Settings } from './settings.ts';
import { parseModes } from './txn_control.ts';
import { runExplain } from './explain.ts';
import { runAnalyze } from './analyze.ts';
import { runLockTable } from './lock_table.ts';
import { Interval } from '../types/interval.ts';
import { intervalZoneSetting } from '../types/timezone.ts';
import { formatText } from '../types/text_io.ts';

function done(command: string, notices?: SbError[]): QueryResult {
  return { command, rowCount: 0, fields: [], rows: [], ...(notices && notices.length > 0 ? { notices } : {}) };
}

const TEXT_FIELD = (name: string): FieldInfo => ({ name, typeOid: 25, type: T.text, typmod: -1 });

export async function runUtility(s: Session, stmt: A.Statement, sql: string): Promise<QueryResult> {
  switch (stmt.kind) {
    case 'set':
      return runSet(s, stmt);
    case 'reset': {
      const name = stmt.name.map((i) => s.dialect.foldIdentifier(i)).join('.');
      if (name === 'all' && !stmt.name[0]!.quoted) s.settings.resetAll();
      else if (name === 'session authorization' || name === 'role') {
        // the session keeps its user
      } else s.settings.reset(name === 'time zone' ? 'TimeZone' : name);
      return done('RESET');
    }
    case 'show':
      return runShow(s, stmt);
    case 'prepare':
      return runPrepare(s, stmt, sql);
    case 'execute':
      return runExecute(s, stmt);
    case 'deallocate': {
      if (stmt.all || !stmt.name) {
        s.prepared.clear();
        return done('DEALLOCATE ALL');
      }
      const name = s.dialect.foldIdentifier(stmt.name);
      if (!s.prepared.delete(name)) throw new SbError(SqlState.invalid_sql_statement_name, `prepared statement "${name}" does not exist`);
      return done('DEALLOCATE');
    }
    case 'discard':
      if (stmt.target === 'ALL') {
        if (s.tx.inBlock()) throw new SbError(SqlState.active_sql_transaction, 'DISCARD ALL cannot run inside a transaction block');
        s.settings.resetAll();
        s.prepared.clear();
      }
      return done(`DISCARD ${stmt.target === 'TEMPORARY' ? 'TEMP' : stmt.target}`);
    case 'checkpoint':
      await s.core.store.flush();
      return done('CHECKPOINT');
    case 'vacuum': {
      if (stmt.kind === 'vacuum' && s.tx.inBlock()) throw new SbError(SqlState.active_sql_transaction, 'VACUUM cannot run inside a transaction block');
      // VACUUM ANALYZE / VACUUM (ANALYZE) also analyzes (storage needs no vacuuming: old versions go at compaction).
      const off = (v: A.Expr | undefined): boolean => v !== undefined && /^(false|off|0|no)$/i.test(String((v as { value?: unknown }).value ?? ''));
      if (stmt.flags?.some((f) => f.toUpperCase() === 'ANALYZE') || stmt.options?.some((o) => o.name.toUpperCase() === 'ANALYZE' && !off(o.value))) {
        await runAnalyze(s, stmt);
      }
      return done('VACUUM');
    }
    case 'analyze':
      return runAnalyze(s, stmt);
    case 'lock_table':
      return runLockTable(s, stmt);
    case 'explain':
      return runExplain(s, stmt, sql);
    default:
      throw new SbError(SqlState.feature_not_supported, `${stmt.kind.replace(/_/g, ' ').toUpperCase()} is not supported yet`);
  }
}

/** The text of one SET value as PostgreSQL's GUC machinery receives it. */
function valueText(s: Session, e: A.Expr, param: string): string | null {
  switch (e.kind) {
    case 'string':
      return e.value;
    case 'number':
      return e.value;
    case 'boolean':
      return e.value ? 'on' : 'off';
    case 'default':
      return null;
    case 'unary':
      if (e.op === '-' && e.operand.kind === 'number') return '-' + e.operand.value;
      break;
    case 'column': {
      const id = e.name[e.name.length - 1]!;
      const v = s.dialect.foldIdentifier(id);
      // search_path keeps the quotes an identifier needs.
      if (param === 'search_path' && id.quoted && !/^[a-z_][a-z0-9_$]*$/.test(v)) return `"${v.replace(/"/g, '""')}"`;
      return e.name.length > 1 ? e.name.map((i) => s.dialect.foldIdentifier(i)).join('.') : v;
    }
  }
  throw new SbError(SqlState.syntax_error, 'SET value must be a constant or an identifier');
}

function runSet(s: Session, stmt: A.SetStatement): QueryResult {
  const notices: SbError[] = [];
  for (const item of stmt.items) {
    const local = (item.scope ?? stmt.scope) === 'LOCAL';
    if (item.scope === 'GLOBAL' || item.scope === 'PERSIST' || item.scope === 'PERSIST_ONLY') {
      throw new SbError(SqlState.feature_not_supported, `SET ${item.scope} is not supported in this dialect`);
    }
    if (local && !s.tx.inBlock()) {
      notices.push(new SbError(SqlState.no_active_sql_transaction, 'SET LOCAL can only be used in transaction blocks', { severity: 'WARNING' }));
      continue;
    }
    let name: string;
    if (item.special) {
      switch (item.special.toUpperCase()) {
        case 'TIME ZONE':
          name = 'TimeZone';
          break;
        case 'NAMES':
          name = 'client_encoding';
          break;
        case 'SCHEMA':
          name = 'search_path';
          break;
        case 'SESSION AUTHORIZATION':
        case 'ROLE': {
          const v = item.values[0];
          const target = v && v.kind !== 'default' ? valueText(s, v, '') : null;
          if (target !== null && target.toLowerCase() !== 'none' && target !== s.user.name) {
            throw new SbError(SqlState.feature_not_supported, `SET ${item.special} to another role is not supported yet`);
          }
          continue;
        }
        default:
          throw new SbError(SqlState.feature_not_supported, `SET ${item.special} is not supported in this dialect`);
      }
    } else if (item.target?.kind === 'column') {
      name = item.target.name.map((i) => s.dialect.foldIdentifier(i)).join('.');
    } else throw new SbError(SqlState.feature_not_supported, 'this SET form is not supported in this dialect');
    if (item.special?.toUpperCase() === 'TIME ZONE') {
      const v = item.values[0];
      if (v?.kind === 'column' && !v.name[0]!.quoted && v.name[0]!.value.toUpperCase() === 'LOCAL') {
        s.settings.set(name, null, local);
        continue;
      }
      if (v?.kind === 'interval') {
        // SET TIME ZONE INTERVAL '+05:30' HOUR TO MINUTE: a fixed offset (types/timezone.ts).
        const env = s.bindEnv('', [], [], s.evalContext());
        const iv = bindExpr({ env, scope: new Scope() }, v);
        if (iv.k !== 'const' || !(iv.value instanceof Interval)) throw new SbError(SqlState.syntax_error, 'SET TIME ZONE INTERVAL needs a constant');
        const shown = `INTERVAL '${formatText(T.interval, iv.value, s.evalContext())}'`;
        s.settings.set(name, intervalZoneSetting(iv.value.months, iv.value.days, iv.value.micros, shown), local);
        continue;
      }
    }
    const values = item.values.map((v) => valueText(s, v, name.toLowerCase()));
    const value = values.length === 1 && values[0] === null ? null : values.map((v) => v ?? '').join(', ');
    const lower = name.toLowerCase();
    if (lower === 'transaction_isolation' || lower === 'transaction_read_only') {
      const modes = lower === 'transaction_isolation'
        ? parseModes([{ mode: `ISOLATION LEVEL ${(value ?? 'read committed').toUpperCase()}` }])
        : parseModes([{ mode: value === 'on' || value === 'true' ? 'READ ONLY' : 'READ WRITE' }]);
      if (s.tx.inBlock() && !s.tx.started && !s.tx.txn) {
        if (modes.isolation) s.tx.isolation = modes.isolation;
        if (modes.readOnly !== undefined) s.tx.readOnly = modes.readOnly;
      } else if (s.tx.inBlock() && modes.isolation && modes.isolation !== s.tx.isolation) {
        throw new SbError(SqlState.active_sql_transaction, 'SET TRANSACTION ISOLATION LEVEL must be called before any query');
      }
      continue;
    }
    // (A TimeZone given as a number of hours is converted by the setting's own check, as for set_config.)
    s.settings.set(name, value, local);
  }
  return done('SET', notices);
}

function runShow(s: Session, stmt: A.Show): QueryResult {
  const what = stmt.what?.toUpperCase();
  if (what === 'ALL') {
    const rows = s.settings.all().map(([n, v, d]) => [n, n === 'transaction_isolation' || n === 'transaction_read_only' ? s.showSetting(n)! : v, d]);
    return { command: 'SHOW', rowCount: rows.length, fields: [TEXT_FIELD('name'), TEXT_FIELD('setting'), TEXT_FIELD('description')], rows };
  }
  let name: string;
  if (what === 'TIME ZONE') name = 'TimeZone';
  else if (what === 'TRANSACTION ISOLATION LEVEL') name = 'transaction_isolation';
  else if (what === 'SESSION AUTHORIZATION') name = 'session_authorization';
  else if (stmt.name && !what) name = stmt.name.map((i) => s.dialect.foldIdentifier(i)).join('.');
  else throw new SbError(SqlState.feature_not_supported, `SHOW ${stmt.what} is not supported in this dialect`);
  const value = s.showSetting(name);
  if (value === undefined) throw new SbError(SqlState.undefined_object, `unrecognized configuration parameter "${name}"`);
  const column = Settings.canonicalName(name);
  return { command: 'SHOW', rowCount: 1, fields: [TEXT_FIELD(column)], rows: [[value]] };
}

function runPrepare(s: Session, stmt: A.Prepare, sql: string): Promise<QueryResult> {
  if (!stmt.statement) throw new SbError(SqlState.feature_not_supported, 'PREPARE ... FROM is not supported in this dialect');
  const name = s.dialect.foldIdentifier(stmt.name);
  if (s.prepared.has(name)) throw new SbError('42P05', `prepared statement "${name}" already exists`);
  const env = s.bindEnv(sql, [], [], s.evalContext());
  const declared = (stmt.types ?? []).map((t) => resolveType(env, t).type);
  const d = s.describe(stmt.statement, sql, declared);
  s.prepared.set(name, { name, sql, stmt: stmt.statement, paramTypes: d.paramTypes, fields: d.fields });
  return Promise.resolve(done('PREPARE'));
}

async function runExecute(s: Session, stmt: A.Execute): Promise<QueryResult> {
  const name = s.dialect.foldIdentifier(stmt.name);
  const p = s.prepared.get(name);
  if (!p) throw new SbError(SqlState.invalid_sql_statement_name, `prepared statement "${name}" does not exist`);
  const args = stmt.args ?? [];
  if (args.length !== p.paramTypes.length) {
    throw new SbError(SqlState.syntax_error, `wrong number of parameters for prepared statement "${name}"`, {
      detail: `Expected ${p.paramTypes.length} parameters but got ${args.length}.`,
    });
  }
  const ev = s.evalContext();
  const env = s.bindEnv('', [], [], ev);
  const exprs: Expr[] = args.map((a, i) => coerceAssign({ env, scope: new Scope() }, bindExpr({ env, scope: new Scope() }, a), p.paramTypes[i]!, `$${i + 1}`));
  let values: unknown[];
  if (exprs.every((e) => e.k === 'const')) values = exprs.map((e) => (e as { value: unknown }).value);
  else {
    const txn = s.tx.ensureTxn();
    const ctx = s.execContext(txn, s.catalog(), [], ev);
    values = exprs.map((e) => evalScalar(e, ctx, compileEnv));
  }
  return s.runStatement(p.stmt, p.sql, values, p.paramTypes);
}
