// A session: one connection's dialect, settings, transaction state and
// prepared statements, and the driver that runs statements through the
// binder and the executor.
//
// Calls on one session run one at a time (a second query waits for the
// first); sessions run concurrently, each statement yielding to the event
// loop every few milliseconds and when it waits for a lock.

import { type DdlTableLock, ddlTables } from './ddl_locks.ts';
import { tableChanged } from '../store/table_locks.ts';
import { type PlanTableLock, planTableLocks } from './table_lock_plan.ts';
import { registerTableLocks } from './lock_table.ts';
import { advisoryLocksOf, type AdvisoryOwner } from './advisory_locks.ts';
import type * as A from '../../../sql-dialects/index.ts';
import { parse, postgres } from '../../../sql-dialects/index.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { TableObj } from '../catalog/objects.ts';
import { ExecContext, type SessionInfo } from '../exec/context.ts';
import { TableAccessCache } from '../exec/table_access.ts';
import { buildOperator } from '../exec/build.ts';
import { type Operator, type Signal, type Step, step } from '../exec/operator.ts';
import type { Batch } from '../exec/batch.ts';
import type { ColInfo, Plan } from '../plan/nodes.ts';
import { mapNodeExprs, someExpr } from '../plan/walk.ts';
import { ForeignKeys } from '../exec/foreign_keys.ts';
import type { ModifyOp } from '../exec/ops_modify.ts';
import type { Txn } from '../store/index.ts';
import { type EvalContext, PgPrng, unixMsToPgMicros } from '../functions/context.ts';
import type { TypeContext } from '../types/context.ts';
import { parseText } from '../types/text_io.ts';
import { T, typeByOid, typeOid, type SqlType } from '../types/types.ts';
import { formatType, typeFromName } from '../types/type_names.ts';
import { bindStatement, type BindEnv, type BoundStatement, type DdlEnv, isBindable } from '../bind/index.ts';
import { lookupRelation, parseSearchPath, searchSchemas } from '../bind/names.ts';
import { MISSING_VALUE_CONTEXT } from '../bind/ddl_alter.ts';
import { type DatabaseCore, fieldsOf, type FieldInfo, type QueryResult } from './result.ts';
import { Settings } from './settings.ts';
import { TransactionState } from './transaction.ts';
import { paramValue } from './params.ts';
import { runUtility } from './utility.ts';
import { runBegin, runTransactionControl } from './txn_control.ts';
import { compileStatement, type KeyMemo, noteModified, parseCached } from './plan_cache.ts';
import { autoParameterize } from './autoparam.ts';
// The pg_catalog / information_schema views and catalog functions register themselves.
import { type CatalogAccess, systemRelationName, systemRelationOid } from '../catalog/pg_catalog.ts';
import { isRoleStatement, runRoleStatement } from './roles.ts';
import { checkPlanPrivileges, isGrantStatement, runGrantStatement } from './grants.ts';
import type { PrivilegeNeed } from '../bind/privileges.ts';
import { closeAllCursors, cursorFields, cursorRows, isCursorStatement, runCursorStatement } from './cursors.ts';

export interface SessionOptions {
  /** The role the session runs as (default: the bootstrap superuser). */
  user?: string;
  /** Settings to start with (on top of the database's). */
  settings?: Record<string, string>;
}

export interface PreparedStatement {
  name: string;
  sql: string;
  stmt: A.Statement;
  paramTypes: SqlType[];
  fields: FieldInfo[];
}

const TXN_CONTROL = new Set(['begin', 'commit', 'rollback', 'savepoint', 'release_savepoint', 'set_transaction', 'prepare_transaction', 'commit_prepared', 'rollback_prepared']);

export class Session {
  readonly pid: number;
  readonly settings: Settings;
  readonly dialect = postgres;
  readonly tx: TransactionState;
  readonly prepared = new Map<string, PreparedStatement>();
  readonly user: { name: string; oid: number };
  private running: ExecContext | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly prng = new PgPrng();
  private statementTimestamp = 0;
  private readonly sequenceValues: { byOid: Map<number, number>; last?: number } = { byOid: new Map() };
  /** Values derived from the settings, rebuilt when Settings.version moves. */
  private derived: { version: number; timeZone: string; dateStyle: string; intervalStyle: string; extraFloatDigits: number; statementTimeout: number } | undefined;
  /** The eval context's functions and the execution context's platform hooks: made once, not per statement. */
  private readonly evFns: Pick<EvalContext, 'now' | 'clockTimestamp' | 'random' | 'setSeed' | 'randomBytes' | 'setting' | 'setSetting' | 'currentXactId' | 'currentXactIdIfAssigned' | 'regLookup'> & CatalogAccess;
  private readonly monotonic: () => number;
  private readonly yieldFn: () => Promise<void>;
  private readonly setTimer: (fn: () => void, ms: number) => () => void;
  /** Table access of the last committed catalog a statement ran against (reused while that catalog is current). */
  private tablesOf: { catalog: Catalog; tables: TableAccessCache } | undefined;
  /** Plans whose privilege check passed, with the catalog it passed against (grants and roles are in the catalog). */
  private readonly privilegesPassed = new WeakMap<object, Catalog>();
  /** The last of them (a repeated statement skips the WeakMap). */
  private lastPassed: object | undefined;
  private lastPassedCatalog: Catalog | undefined;
  /** The field descriptions of the last result (fieldsByCols, without the WeakMap for a repeated statement). */
  private lastCols: object | undefined;
  private lastFields: FieldInfo[] | undefined;
  /** The last statement plainBindable() said yes to. */
  private lastBindable: A.Statement | undefined;
  /** What SQL functions read of the session (current_user, current_schema...): the same for every statement. */
  private readonly info: SessionInfo;
  /** plan_cache.ts's memo of this session's last plan cache key and hit. */
  planKeyMemo: KeyMemo | undefined;
  /** pg_advisory_lock(): this session's side of its database's advisory locks. */
  private readonly advisory: AdvisoryOwner;

  constructor(readonly core: DatabaseCore, opts: SessionOptions = {}) {
    this.pid = core.nextPid();
    const advisory = advisoryLocksOf(core);
    this.advisory = advisory.owner(this.pid);
    registerTableLocks(core);
    if (advisory.txnWaits === undefined) {
      // One graph of waits for deadlock detection: row and table locks (the store) and advisory locks.
      advisory.txnWaits = (pid) => {
        const u = core.store.txnOfPid(pid)?.waitingFor;
        return u !== undefined && u.pid !== 0 ? [u.pid] : [];
      };
      core.store.externalWaits = (pid) => advisory.advisoryWaits(pid);
    }
    const role = core.catalog.current().role(opts.user ?? 'sysdba');
    if (!role) throw new SbError(SqlState.invalid_authorization_specification, `role "${opts.user}" does not exist`);
    this.user = { name: role.name, oid: role.oid };
    this.settings = new Settings({ ...core.settingDefaults, session_authorization: role.name, ...(opts.settings ?? {}) });
    this.tx = new TransactionState(core, this.settings, () => this.wallMicros());
    this.tx.pid = this.pid;
    const platform = core.platform;
    this.monotonic = () => platform.monotonicMs();
    this.yieldFn = platform.yieldToEventLoop
      ? () => platform.yieldToEventLoop!()
      : () => new Promise<void>((r) => platform.setTimer(r, 0));
    this.setTimer = (fn, ms) => platform.setTimer(fn, ms);
    this.evFns = {
      now: () => this.tx.timestamp || this.wallMicros(),
      clockTimestamp: () => this.wallMicros(),
      random: () => this.prng.nextDouble(),
      setSeed: (x) => this.prng.seedFromDouble(x),
      randomBytes: (n) => {
        const b = new Uint8Array(n);
        this.core.platform.randomFill(b);
        return b;
      },
      setting: (name) => this.showSetting(name),
      setSetting: (name, value, isLocal) => this.settings.set(name, value, isLocal && this.tx.inBlock()),
      currentXactId: () => txidOf(this.tx.txn),
      // (A transaction that has only read has no id yet: NULL, as PostgreSQL before an xid is assigned.)
      currentXactIdIfAssigned: () => (this.tx.txn?.idBytes !== undefined ? txidOf(this.tx.txn) : null),
      regLookup: {
        regIn: (type, name) => this.regIn(type, name),
        regOut: (type, oid) => this.regOut(type, oid),
      },
      // Catalog functions (pg_get_indexdef, obj_description...) read the catalog this session sees.
      catalog: () => this.catalog(),
      dbOid: core.dbOid,
      cursorRows: () => cursorRows(this),
    };
    this.info = {
      currentUser: this.user.name, sessionUser: this.user.name, currentDatabase: core.dbName,
      currentSchema: () => searchSchemas(this.bindEnv('', [], [], this.evalContext()))[0]?.name ?? null,
      searchPath: () => parseSearchPath(this.settings.get('search_path') ?? '', this.user.name), backendPid: this.pid,
      sequenceValues: this.sequenceValues,
      advisory: this.advisory,
    };
    // Transaction-level advisory locks go when the transaction ends (or its savepoint is rolled back to).
    this.tx.advisory = this.advisory;
    this.tx.beforeCommit = async () => {
      const txn = this.tx.txn!;
      const ctx = this.execContext(txn, this.catalog(), [], this.evalContext());
      // The checks wait where a parent row is being deleted or re-keyed.
      await this.serveWaits(ctx, ForeignKeys.checkDeferred(ctx, this.tx.deferred));
    };
  }

  private wallMicros(): number {
    return unixMsToPgMicros(this.core.platform.wallClockMs());
  }

  /** The settings values are read and printed with (DateStyle, TimeZone...): for formatText/parseText. */
  typeContext(): TypeContext {
    return this.evalContext();
  }

  /** ReadyForQuery status: 'I' idle, 'T' in a transaction block, 'E' in a failed block. */
  get transactionStatus(): 'I' | 'T' | 'E' {
    return this.tx.status();
  }

  /** Runs every statement of `sql`; returns each one's result. */
  exec(sql: string, params: readonly unknown[] = [], onResult?: (r: QueryResult) => void | Promise<void>): Promise<QueryResult[]> {
    return this.serialize(() => this.runScript(sql, params, onResult));
  }

  /** Runs `sql` (one or more statements) and returns the last statement's result. */
  async query(sql: string, params: readonly unknown[] = []): Promise<QueryResult> {
    const results = await this.exec(sql, params);
    return results[results.length - 1] ?? { command: '', rowCount: 0, fields: [], rows: [] };
  }

  /** A statement that runs outside runStatement (a streamed portal) starts now: statement_timestamp(); `begins`: its transaction began with it. */
  startStatementClock(begins: boolean): void {
    this.statementTimestamp = begins ? this.tx.timestamp : this.wallMicros();
  }

  /** The statement a cancel request interrupts (a streamed portal while it pulls rows), or null. */
  setRunning(ctx: ExecContext | null): void {
    this.running = ctx;
  }

  /** What the running statement waits for, as pg_stat_activity's wait_event_type and wait_event; null when it does not wait. */
  get waitEvent(): readonly [string, string] | null {
    return this.running?.waitEvent ?? null;
  }

  /** Cancels the running statement, if any (57014). */
  cancel(): void {
    this.running?.cancel();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.queue.catch(() => {});
    if (this.tx.inBlock() || this.tx.txn) await this.tx.rollback();
    closeAllCursors(this);
    this.advisory.close();
  }

  private serialize<R>(fn: () => Promise<R>): Promise<R> {
    if (this.closed) return Promise.reject(new SbError(SqlState.connection_exception, 'the session is closed'));
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  /** onResult sees each statement's result as soon as it is done (a wire protocol streams it before the next one runs). */
  private async runScript(sql: string, params: readonly unknown[], onResult?: (r: QueryResult) => void | Promise<void>): Promise<QueryResult[]> {
    let stmts: A.Statement[];
    // Constants replaced by parameters (autoparam.ts): a known statement skips parse, bind and plan.
    const auto = params.length === 0 ? autoParameterize(this, sql) : undefined;
    try {
      stmts = auto !== undefined ? [auto.stmt] : parseCached(this.core, sql, this.dialect);
    } catch (e) {
      if (this.tx.inBlock()) this.tx.failed = true;
      throw e;
    }
    if (stmts.length === 0) return [{ command: '', rowCount: 0, fields: [], rows: [] }];
    if (params.length > 0 && stmts.length > 1) {
      throw new SbError(SqlState.syntax_error, 'cannot insert multiple commands into a prepared statement');
    }
    const results: QueryResult[] = [];
    const multi = stmts.length > 1;
    try {
      for (const stmt of stmts) {
        if (multi && !this.tx.inBlock() && !TXN_CONTROL.has(stmt.kind)) this.tx.beginBlock('implicit');
        const r = await (auto !== undefined ? this.runStatement(stmt, sql, auto.params, auto.paramTypes) : this.runStatement(stmt, sql, params));
        results.push(r);
        if (onResult) await onResult(r);
      }
      if (this.tx.block === 'implicit') await this.tx.commit();
    } catch (e) {
      if (this.tx.block === 'implicit') await this.tx.rollback();
      throw e;
    }
    return results;
  }

  /** Runs one parsed statement (its text is `sql`, for error positions). */
  runStatement(stmt: A.Statement, sql: string, params: readonly unknown[], paramTypes: SqlType[] = []): Promise<QueryResult> {
    const r = this.runStatementSync(stmt, sql, params, paramTypes);
    return r instanceof Promise ? r : Promise.resolve(r);
  }

  /**
   * runStatement, with the result itself (no promise) when the statement
   * finished without waiting: a query or DML in a transaction block or one
   * that commits without a WAL write. The wire protocol answers those
   * without a promise turn.
   */
  runStatementSync(stmt: A.Statement, sql: string, params: readonly unknown[], paramTypes: SqlType[] = []): QueryResult | Promise<QueryResult> {
    // The common case (a query or DML, no failed block) goes straight to the binder path.
    try {
      if (!this.tx.failed && (stmt === this.lastBindable || this.plainBindable(stmt))) return this.runBindable(stmt, sql, params, paramTypes);
    } catch (e) {
      return Promise.reject(e);
    }
    if (stmt.kind === 'begin' && !this.tx.failed) {
      // BEGIN never waits: no promise turn (pgbench sends one per transaction).
      try {
        return runBegin(this, stmt);
      } catch (e) {
        if (this.tx.inBlock()) this.tx.failed = true; // as guard() does
        return Promise.reject(e);
      }
    }
    return this.runOther(stmt, sql, params, paramTypes);
  }

  /** A query or DML statement (not transaction control, roles or grants): the binder's. The last one is remembered (an AST does not change). */
  private plainBindable(stmt: A.Statement): boolean {
    if (!plainBindables.has(stmt)) {
      if (TXN_CONTROL.has(stmt.kind) || isRoleStatement(stmt) || isGrantStatement(stmt) || !isBindable(stmt)) return false;
      plainBindables.add(stmt);
    }
    this.lastBindable = stmt;
    return true;
  }

  private async runOther(stmt: A.Statement, sql: string, params: readonly unknown[], paramTypes: SqlType[]): Promise<QueryResult> {
    if (this.tx.failed && !allowedWhenFailed(stmt)) {
      throw new SbError(SqlState.in_failed_sql_transaction, 'current transaction is aborted, commands ignored until end of transaction block');
    }
    if (TXN_CONTROL.has(stmt.kind)) return this.guard(() => runTransactionControl(this, stmt));
    if (isRoleStatement(stmt)) return runRoleStatement(this, stmt);
    if (isGrantStatement(stmt)) return runGrantStatement(this, stmt);
    if (isCursorStatement(stmt)) return this.guard(() => runCursorStatement(this, stmt, sql, params, paramTypes));
    if (!isBindable(stmt)) return this.guard(() => runUtility(this, stmt, sql));
    return this.runBindable(stmt, sql, params, paramTypes);
  }

  /** Errors in a transaction block leave it failed. */
  async guard(fn: () => Promise<QueryResult>): Promise<QueryResult> {
    try {
      return await fn();
    } catch (e) {
      if (this.tx.inBlock()) this.tx.failed = true;
      throw e;
    }
  }

  /** The catalog this session sees now (its transaction's overlay, or the newest committed one). */
  catalog(): Catalog {
    return this.tx.cat?.catalog() ?? this.core.catalog.current();
  }

  /**
   * Binds (or finds compiled) and runs a statement. A plan that runs to its
   * end without pausing or waiting, in a transaction that commits without a
   * promise (a read-only autocommit statement, or any statement in a block),
   * settles with no await in between (the point lookup path).
   */
  private runBindable(stmt: A.Statement, sql: string, params: readonly unknown[], paramTypes: SqlType[], replanned = false): QueryResult | Promise<QueryResult> {
    const autocommit = !this.tx.inBlock();
    const begins = autocommit && this.tx.txn === null;
    const txn = this.tx.ensureTxn();
    this.tx.started = true;
    // A statement that is its own transaction starts when the transaction does (one clock read for both, as in PostgreSQL).
    this.statementTimestamp = begins ? this.tx.timestamp : this.wallMicros();
    txn.beginStatement();
    // (A transaction begun just now has a snapshot of this moment already.)
    if (!begins && txn.isolation === 'read committed') txn.refreshSnapshot();
    const notices: SbError[] = [];
    let pending: Promise<QueryResult>;
    try {
      const ev = this.evalContext();
      const { bound, paramTypes: types } = compileStatement(this, stmt, sql, paramTypes, notices, ev, txn);
      if (bound.kind === 'plan') {
        this.checkPrivileges(bound);
        const r = this.runPlan(bound, types, params, txn, ev);
        if (!(r instanceof Promise)) {
          txn.endStatement();
          if (autocommit && !this.tx.commitSync()) return this.commitThen(r, txn, notices);
          if (notices.length > 0) r.notices = notices;
          return r;
        }
        pending = r;
      } else pending = this.runDdl(bound, txn, notices, ev, sql, stmt);
    } catch (e) {
      return this.statementFailed(e, txn, autocommit);
    }
    // A statement that waited for a concurrent ALTER TABLE (or other change of a table's definition or
    // storage) that committed runs again, planned against the new definition, as PostgreSQL plans it after
    // taking its lock; once. (It failed before it changed anything: the wait comes first.)
    if (!autocommit) {
      if (replanned) return this.finishStatement(pending, txn, false, notices);
      return pending.then(
        (r) => this.finishStatement(Promise.resolve(r), txn, false, notices),
        (e: unknown) => {
          if ((e as SbError)?.kind !== 'table_changed') return this.finishStatement(Promise.reject(e), txn, false, notices);
          txn.endStatement();
          return this.runBindable(stmt, sql, params, paramTypes, true);
        },
      );
    }
    return this.finishStatement(pending, txn, autocommit, notices).catch((e: unknown) => {
      const kind = (e as SbError)?.kind;
      if ((kind !== 'table_changed' && kind !== 'table_changed_running') || replanned) throw e;
      return this.runBindable(stmt, sql, params, paramTypes, true);
    });
  }

  /** The rest of runBindable once the statement's result is a promise. */
  private async finishStatement(pending: Promise<QueryResult>, txn: Txn, autocommit: boolean, notices: SbError[]): Promise<QueryResult> {
    let result: QueryResult;
    try {
      result = await pending;
      txn.endStatement();
      if (autocommit) await this.tx.commit();
    } catch (e) {
      return this.statementFailed(e, txn, autocommit);
    }
    if (notices.length > 0) result.notices = notices;
    return result;
  }

  /** An autocommit statement done without waiting whose commit needs a promise (it wrote). */
  private async commitThen(result: QueryResult, txn: Txn, notices: SbError[]): Promise<QueryResult> {
    try {
      await this.tx.commit();
    } catch (e) {
      return this.statementFailed(e, txn, true);
    }
    if (notices.length > 0) result.notices = notices;
    return result;
  }

  /** A failed statement: its own transaction rolls back, a block's is left failed. */
  private async statementFailed(e: unknown, txn: Txn, autocommit: boolean): Promise<never> {
    txn.endStatement();
    if (autocommit) await this.tx.rollback();
    else this.tx.failed = true;
    throw e;
  }

  /**
   * checkPlanPrivileges, skipped for a statement that passed against the same
   * (immutable) catalog. Keyed by the bound statement, not its plan: two
   * statements may share one compiled plan and need different privileges.
   */
  private checkPrivileges(bound: { plan: Plan; privileges?: PrivilegeNeed[] }): void {
    const catalog = this.catalog();
    if (this.lastPassed === bound && this.lastPassedCatalog === catalog) return;
    if (this.privilegesPassed.get(bound) !== catalog) {
      checkPlanPrivileges(catalog, this.user.oid, bound);
      this.privilegesPassed.set(bound, catalog);
    }
    this.lastPassed = bound;
    this.lastPassedCatalog = catalog;
  }

  /** Binds a statement without running it: its parameter and result types (PREPARE, Parse/Describe). */
  describe(stmt: A.Statement, sql: string, paramTypes: SqlType[] = []): { paramTypes: SqlType[]; fields: FieldInfo[] } {
    if (stmt.kind === 'fetch') return { paramTypes, fields: cursorFields(this, stmt) };
    if (stmt.kind === 'declare_cursor') return { paramTypes: this.describe(stmt.query, sql, paramTypes).paramTypes, fields: [] };
    if (!isBindable(stmt)) return { paramTypes, fields: [] };
    const env = this.bindEnv(sql, [...paramTypes], [], this.evalContext());
    const bound = bindStatement(env, stmt);
    const types = env.paramTypes.map((t) => t ?? T.text);
    return { paramTypes: types, fields: bound.kind === 'plan' ? fieldsOf(bound.cols) : [] };
  }

  bindEnv(sql: string, paramTypes: Array<SqlType | undefined>, notices: SbError[], ev: TypeContext): BindEnv {
    const catalog = this.catalog();
    const db = catalog.get(this.core.dbOid);
    return {
      catalog, dialect: this.dialect, sql, searchPath: parseSearchPath(this.settings.get('search_path') ?? '', this.user.name),
      dbOid: this.core.dbOid, dbName: db?.kind === 'database' ? db.name : this.core.dbName, userName: this.user.name,
      userOid: this.user.oid, paramTypes, values: ev, txnTimestamp: this.tx.timestamp || this.wallMicros(), notices,
    };
  }

  /** The settings-derived values, read again only after a setting changed. */
  private settingsDerived(): NonNullable<Session['derived']> {
    const s = this.settings;
    let d = this.derived;
    if (d === undefined || d.version !== s.version) {
      d = this.derived = {
        version: s.version,
        timeZone: s.get('TimeZone')!,
        dateStyle: s.get('DateStyle')!,
        intervalStyle: s.get('IntervalStyle')!,
        extraFloatDigits: Number(s.get('extra_float_digits')),
        statementTimeout: Number(s.get('statement_timeout') ?? 0),
      };
    }
    return d;
  }

  /** statement_timeout in ms (0: none), as of the current settings. */
  statementTimeoutMs(): number {
    return this.settingsDerived().statementTimeout;
  }

  /** A fresh eval context (callers may add to it): the settings' values now, the session's shared functions. */
  evalContext(): EvalContext & TypeContext {
    const d = this.settingsDerived();
    const f = this.evFns;
    const ev: EvalContext & TypeContext & CatalogAccess = {
      timeZone: d.timeZone,
      dateStyle: d.dateStyle,
      intervalStyle: d.intervalStyle,
      extraFloatDigits: d.extraFloatDigits,
      now: f.now,
      transactionTimestamp: this.tx.timestamp || this.wallMicros(),
      statementTimestamp: this.statementTimestamp || this.wallMicros(),
      clockTimestamp: f.clockTimestamp,
      random: f.random,
      setSeed: f.setSeed,
      randomBytes: f.randomBytes,
      setting: f.setting,
      setSetting: f.setSetting,
      currentXactId: f.currentXactId,
      currentXactIdIfAssigned: f.currentXactIdIfAssigned,
      regLookup: f.regLookup,
      catalog: f.catalog,
      dbOid: f.dbOid,
      cursorRows: f.cursorRows,
      session: this.info,
    };
    return ev;
  }

  /** A setting as current_setting() and SHOW see it (transaction_isolation follows the transaction). */
  showSetting(name: string): string | undefined {
    const k = name.toLowerCase();
    if (k === 'transaction_isolation') return this.tx.inBlock() || this.tx.txn ? this.tx.isolation : this.settings.get('default_transaction_isolation');
    if (k === 'transaction_read_only') return (this.tx.inBlock() || this.tx.txn ? this.tx.readOnly : this.settings.get('default_transaction_read_only') === 'on') ? 'on' : 'off';
    return Settings.isKnown(k) && this.settings.get(k) !== undefined ? this.settings.show(k) : undefined;
  }

  private regIn(type: string, name: string): number | undefined {
    const catalog = this.catalog();
    const env = this.bindEnv(name, [], [], this.evalContext());
    switch (type) {
      case 'regclass': {
        const parts = name.split('.').map((p) => (p.startsWith('"') ? p.slice(1, -1) : p.toLowerCase()));
        const sys = systemRelationOid(parts);
        if (sys !== undefined && (parts.length > 1 || !lookupRelation(env, parts.map((value) => ({ value, quoted: true }))))) return sys;
        return lookupRelation(env, parts.map((value) => ({ value, quoted: true })))?.oid;
      }
      case 'regnamespace':
        return catalog.schema(this.core.dbOid, name.startsWith('"') ? name.slice(1, -1) : name.toLowerCase())?.oid;
      case 'regrole':
        return catalog.role(name.startsWith('"') ? name.slice(1, -1) : name.toLowerCase())?.oid;
      case 'regtype': {
        // '"pg_catalog"."int4"' and '"int4"' name the built-in types too (ORMs quote everything).
        const m = /^(?:(?:"pg_catalog"|pg_catalog)\.)?(?:"([^"]+)"|(.+))$/s.exec(name.trim());
        try {
          return typeOid(typeFromName(m ? (m[1] ?? m[2]!) : name));
        } catch {
          return undefined;
        }
      }
      default:
        return undefined;
    }
  }

  private regOut(type: string, oid: number): string | undefined {
    if (type === 'regtype') {
      const t = typeByOid(oid);
      return t ? formatType(t, false) : undefined;
    }
    const o = this.catalog().get(oid);
    if (!o) return type === 'regclass' ? systemRelationName(oid) : undefined;
    if (type === 'regclass' && (o.kind === 'table' || o.kind === 'view' || o.kind === 'sequence' || o.kind === 'index')) {
      const visible = searchSchemas(this.bindEnv('', [], [], this.evalContext()))[0]?.oid === o.schemaOid;
      const schema = this.catalog().get(o.schemaOid);
      return visible || schema?.kind !== 'schema' ? o.name : `${schema.name}.${o.name}`;
    }
    if (type === 'regnamespace' && o.kind === 'schema') return o.name;
    if (type === 'regtype') {
      const t = typeByOid(oid);
      return t ? formatType(t, false) : undefined;
    }
    if (type === 'regrole' && o.kind === 'role') return o.name;
    return undefined;
  }

  /** An execution context for one statement in `txn` over `catalog`. */
  execContext(txn: Txn, catalog: Catalog, params: readonly unknown[], ev: EvalContext): ExecContext {
    const timeout = this.settingsDerived().statementTimeout;
    const deadline = timeout > 0 ? this.monotonic() + timeout : Infinity;
    let tables: TableAccessCache;
    if (catalog === this.core.catalog.current()) {
      // A committed catalog is immutable: its table access (column types, key spaces, indexes) stays valid while it is current.
      if (this.tablesOf?.catalog !== catalog) this.tablesOf = { catalog, tables: new TableAccessCache(this.core.store, catalog, missingValues) };
      tables = this.tablesOf.tables;
    } else tables = new TableAccessCache(this.core.store, catalog, missingValues);
    const info = this.info;
    // Session information functions (current_database()...) read it through the eval context (evalContext() sets it).
    ev.session ??= info;
    const ctx = new ExecContext(
      this.core.store, txn, catalog, params, ev, info, tables, this.core.sequences, this.monotonic, this.yieldFn, deadline, this.setTimer,
    );
    ctx.deferredChecks = this.tx.deferred;
    return ctx;
  }

  /** Runs a plan; the result comes back without a promise when no operator paused or waited (a point lookup). */
  private runPlan(
    bound: Extract<BoundStatement, { kind: 'plan' }>, types: Array<SqlType | undefined>, params: readonly unknown[], txn: Txn, ev: EvalContext & TypeContext,
  ): QueryResult | Promise<QueryResult> {
    if (types.length > params.length && params.length === 0) {
      throw new SbError(SqlState.undefined_parameter, `there is no parameter $${params.length + 1}`);
    }
    if (types.length > params.length) {
      throw new SbError(SqlState.protocol_violation, `bind message supplies ${params.length} parameters, but prepared statement "" requires ${types.length}`);
    }
    const waited = this.lockPlanTables(bound.plan, txn, ev);
    if (waited !== undefined) return waited.then(() => this.runLockedPlan(bound, types, params, txn, ev));
    return this.runLockedPlan(bound, types, params, txn, ev);
  }

  /**
   * Takes the table locks a plan needs before it runs (table_lock_plan.ts),
   * without a promise when none conflicts. Otherwise it waits, as the
   * running statement (a cancel or the statement_timeout ends the wait with
   * 57014; a cycle is 40P01). After a wait READ COMMITTED takes a new
   * snapshot (the statement sees what the transactions it waited for
   * committed), and a plan over a table whose definition or storage one of
   * them changed is stale: 'table_changed' (runBindable runs the statement
   * again, planned anew).
   */
  lockPlanTables(plan: Plan, txn: Txn, ev: EvalContext & TypeContext): Promise<void> | undefined {
    const locks = planTableLocks(plan);
    for (let i = 0; i < locks.length; i++) {
      const blocker = txn.lockTable(locks[i]!.oid, locks[i]!.mode);
      if (blocker !== undefined) return this.waitPlanTables(locks, i, blocker, txn, ev);
    }
    return undefined;
  }

  private async waitPlanTables(locks: readonly PlanTableLock[], from: number, first: Txn, txn: Txn, ev: EvalContext & TypeContext): Promise<void> {
    const versions = locks.map((l) => txn.tableVersion(l.oid));
    let at = from;
    try {
      await this.serveWaits(this.execContext(txn, this.catalog(), [], ev), (function* () {
        let blocker: Txn | undefined = first;
        for (; at < locks.length; at++) {
          if (at > from) blocker = txn.lockTable(locks[at]!.oid, locks[at]!.mode);
          while (blocker !== undefined) {
            yield { kind: 'wait' as const, blocker, event: 'relation' as const };
            blocker = txn.lockTable(locks[at]!.oid, locks[at]!.mode);
          }
        }
      })());
    } catch (e) {
      if (at < locks.length) txn.unwaitTable(locks[at]!.oid);
      throw e;
    }
    const changed = locks.find((l, i) => txn.tableVersion(l.oid) !== versions[i]);
    if (changed !== undefined) throw tableChanged(this.catalog().table(changed.oid)?.name ?? String(changed.oid));
    if (txn.isolation === 'read committed') txn.refreshSnapshot();
  }

  /** runPlan once the plan's table locks are held. */
  private runLockedPlan(
    bound: Extract<BoundStatement, { kind: 'plan' }>, types: Array<SqlType | undefined>, params: readonly unknown[], txn: Txn, ev: EvalContext & TypeContext,
  ): QueryResult | Promise<QueryResult> {
    const values = new Array<unknown>(params.length);
    for (let i = 0; i < params.length; i++) values[i] = paramValue(params[i], types[i] ?? T.text, i, ev);
    const ctx = this.execContext(txn, this.catalog(), values, ev);
    // A plain read or write (scan/filter/project/result/values, under a modify) reuses an idle operator tree of the same plan: open() resets its state.
    const plan = bound.plan;
    const pool = operatorPool(plan);
    let op = pool?.idle.pop();
    if (op === undefined) op = buildOperator(plan);
    const rows: unknown[][] = [];
    this.running = ctx;
    let rest: Promise<void> | undefined;
    try {
      rest = drainFast(ctx, op, rows);
    } finally {
      if (rest === undefined) this.running = null;
    }
    if (rest === undefined) return this.planResult(bound, op, rows, pool);
    return rest.then(
      () => {
        this.running = null;
        return this.planResult(bound, op, rows, pool);
      },
      (e: unknown) => {
        this.running = null;
        throw e;
      },
    );
  }

  private planResult(bound: Extract<BoundStatement, { kind: 'plan' }>, op: Operator, rows: unknown[][], pool: OperatorPool | undefined): QueryResult {
    if (pool !== undefined) releaseOperator(pool, op);
    let described = this.lastCols === bound.cols ? this.lastFields : undefined;
    if (described === undefined) {
      described = planFields(bound.cols);
      this.lastCols = bound.cols;
      this.lastFields = described;
    }
    const fields = described.slice();
    if (bound.tag === 'SELECT') return { command: rows.length === 1 ? 'SELECT 1' : `SELECT ${rows.length}`, rowCount: rows.length, fields, rows };
    const count = (op as ModifyOp).count;
    noteModified(this, bound.plan, count);
    const command = bound.tag === 'INSERT' ? `INSERT 0 ${count}` : `${bound.tag} ${count}`;
    return { command, rowCount: count, fields, rows };
  }

  /**
   * Runs `waits` (lock waits outside an operator: deferred foreign-key checks
   * at COMMIT, DDL table locks) as the running statement, so a cancel or the
   * statement_timeout ends a wait with 57014.
   */
  private async serveWaits(ctx: ExecContext, waits: Generator<Signal, void, void>): Promise<void> {
    const before = this.running;
    this.running = ctx;
    try {
      await step(ctx, (function* () {
        yield* waits;
        return null;
      })());
    } finally {
      this.running = before;
    }
  }

  /**
   * Takes table locks (a DDL statement's, ddl_locks.ts, or LOCK TABLE's),
   * waiting for the transactions whose locks conflict (and, from then on,
   * they for it). A cancel or statement_timeout ends the wait; with `nowait`
   * a conflict is 55P03 at once. After a wait READ COMMITTED takes a new
   * snapshot (the statement sees what they committed); REPEATABLE READ
   * cannot, so a DDL statement that waited for a writer that committed is
   * 40001. `fresh`: the transaction has run nothing before (LOCK TABLE as
   * its first statement), so its snapshot is taken again after the wait, as
   * PostgreSQL takes it after the lock.
   */
  async lockTables(locks: DdlTableLock[], txn: Txn, ev: EvalContext & TypeContext, opts: { nowait?: boolean; fresh?: boolean; catalog?: Catalog } = {}): Promise<void> {
    if (locks.length === 0) return;
    const waited: Txn[] = [];
    let at: DdlTableLock | undefined;
    const catalog = opts.catalog ?? this.catalog();
    try {
      await this.serveWaits(this.execContext(txn, catalog, [], ev), (function* () {
        for (const l of locks) {
          at = l;
          for (let b = txn.lockTable(l.oid, l.mode); b !== undefined; b = txn.lockTable(l.oid, l.mode)) {
            if (opts.nowait) throw new SbError(SqlState.lock_not_available, `could not obtain lock on relation "${catalog.table(l.oid)?.name ?? l.oid}"`);
            waited.push(b);
            yield { kind: 'wait' as const, blocker: b, event: 'relation' as const };
          }
          if (l.changes) txn.noteTableChange(l.oid);
        }
        at = undefined;
      })());
    } catch (e) {
      if (at !== undefined) txn.unwaitTable(at.oid);
      throw e;
    }
    if (waited.length === 0) return;
    if (opts.fresh) txn.retakeSnapshot();
    else if (txn.isolation === 'read committed') txn.refreshSnapshot();
    else if (locks.some((l) => l.changes) && waited.some((t) => t.state === 'committed' && t.wroteKeyspaces.size > 0)) {
      throw new SbError(SqlState.serialization_failure, 'could not serialize access due to concurrent update', { hint: 'A transaction that modified the table committed after this one began; retry.' });
    }
  }

  private async runDdl(bound: Extract<BoundStatement, { kind: 'ddl' }>, txn: Txn, notices: SbError[], ev: EvalContext & TypeContext, sql: string, stmt: A.Statement): Promise<QueryResult> {
    const cat = this.tx.cat!;
    const store = this.core.store;
    await this.lockTables(ddlTables(() => this.bindEnv(sql, [], notices, ev), stmt), txn, ev, { catalog: cat.catalog() });
    const env: DdlEnv = {
      store, txn, cat, sequences: this.core.sequences,
      catalog: () => cat.catalog(),
      bindEnv: () => this.bindEnv(sql, [], notices, ev),
      createKeyspace: async (name) => {
        const ks = await store.keyspace(name);
        this.tx.atRollback(() => store.dropKeyspace(name));
        return ks;
      },
      dropKeyspaceOnCommit: (name) => this.tx.atCommit(() => store.dropKeyspace(name)),
      notice: (message) => notices.push(new SbError(SqlState.successful_completion, message, { severity: 'NOTICE' })),
      execContext: () => this.execContext(txn, cat.catalog(), [], ev),
      inBlock: this.tx.block === 'explicit',
      sql,
    };
    const tag = (await bound.run(env)) ?? bound.tag;
    return { command: tag, rowCount: /^SELECT (\d+)$/.test(tag) ? Number(tag.slice(7)) : 0, fields: [], rows: [] };
  }
}

/**
 * drain() without a promise while no operator pauses or waits: undefined when
 * the operator ran to its end (and is closed), else the promise of the rest.
 */
function drainFast(ctx: ExecContext, op: Operator, rows: unknown[][]): Promise<void> | undefined {
  op.open(ctx);
  let closeHere = true;
  try {
    // A point lookup's batches come without generator steps.
    // (Sleep owed by pg_sleep: served at the end, or at the first PAUSE, which ctx.tick() brings forward.)
    for (let b = op.nextSync?.(); b !== undefined; b = op.nextSync!()) {
      if (b === null) return ctx.sleepMs === 0 ? undefined : ctx.sleep();
      if (b.length > 0) appendRows(rows, b);
    }
    for (;;) {
      const gen = op.next();
      const r = gen.next();
      if (!r.done) {
        closeHere = false;
        return drainRest(ctx, op, resumeStep(r.value, gen), rows);
      }
      if (r.value === null) return ctx.sleepMs === 0 ? undefined : ctx.sleep();
      if (r.value.length > 0) appendRows(rows, r.value);
    }
  } finally {
    if (closeHere) op.close();
  }
}

/** A batch's rows, as row arrays. */
function appendRows(rows: unknown[][], b: Batch): void {
  for (let i = 0; i < b.length; i++) {
    const r = new Array<unknown>(b.cols.length);
    for (let c = 0; c < b.cols.length; c++) r[c] = b.cols[c]![i];
    rows.push(r);
  }
}

/** A started step: its first signal again, then the rest of it. */
function* resumeStep(first: Signal, gen: Step): Step {
  yield first;
  return yield* gen;
}

async function drainRest(ctx: ExecContext, op: Operator, gen: Step, rows: unknown[][]): Promise<void> {
  try {
    for (;;) {
      const b = await step(ctx, gen);
      if (b === null) return;
      if (b.length > 0) appendRows(rows, b);
      gen = op.next();
    }
  } finally {
    op.close();
  }
}

/** Statements plainBindable() said yes to (a workload cycling through several statements asks once per AST). */
const plainBindables = new WeakSet<A.Statement>();

/** Result field descriptions by the plan's output columns (made once per compiled plan). */
const fieldsByCols = new WeakMap<object, FieldInfo[]>();

/** The result fields of a compiled plan's output columns, made once and shared: never modify them. */
export function planFields(cols: readonly ColInfo[]): FieldInfo[] {
  let fields = fieldsByCols.get(cols);
  if (fields === undefined) fieldsByCols.set(cols, (fields = fieldsOf(cols)));
  return fields;
}

/**
 * Idle operator trees of a plan of a plain read or write, up to
 * operator_pool_trees_max (taken while one runs, given back after). Several:
 * sessions running the same statement at once (pgbench TPC-B's UPDATEs, one
 * of them waiting on a row lock) built a tree for 6 % of their executions
 * with one slot. Kept in place per plan: a WeakMap set and delete per
 * execution cost more than the lookup.
 */
export interface OperatorPool {
  idle: Operator[];
}
const operator_pool_trees_max = 16;
const pools = new WeakMap<Plan, OperatorPool | null>();

/**
 * The pool of a plan of operators whose open() resets all their state
 * (scans, filters, projections, sorts, LIMIT, SELECT without FROM, VALUES,
 * and INSERT / UPDATE / DELETE over them without ON CONFLICT), else
 * undefined. Not for a
 * plan with a subquery in an expression: an uncorrelated one keeps its
 * result in the compiled expression for the statement (expr.ts), which a
 * reused tree would carry into the next execution.
 */
export function operatorPool(plan: Plan): OperatorPool | undefined {
  let p = pools.get(plan);
  if (p === undefined) pools.set(plan, (p = reusableTree(plan) ? { idle: [] } : null));
  return p ?? undefined;
}

/** Gives a closed tree back to its plan's pool (dropped when the pool is full). */
export function releaseOperator(pool: OperatorPool, op: Operator): void {
  if (pool.idle.length < operator_pool_trees_max) pool.idle.push(op);
}

function reusableTree(plan: Plan): boolean {
  let ok: boolean;
  switch (plan.n) {
    case 'scan':
    case 'result':
    case 'values':
      ok = true;
      break;
    case 'project':
    case 'filter':
    case 'limit':
    case 'sort':
      ok = reusableTree(plan.input);
      break;
    case 'modify':
      ok = plan.onConflict === undefined && reusableTree(plan.input);
      break;
    default:
      return false;
  }
  if (!ok) return false;
  let subquery = false;
  mapNodeExprs(plan, (e) => {
    if (!subquery && someExpr(e, (x) => x.k === 'subquery' || x.k === 'sublink')) subquery = true;
    return e;
  });
  return !subquery;
}

function allowedWhenFailed(stmt: A.Statement): boolean {
  return stmt.kind === 'commit' || stmt.kind === 'rollback' || stmt.kind === 'prepare_transaction';
}

function txidOf(txn: Txn | null): number {
  if (!txn) return 0;
  // The first 6 bytes of the UUIDv7 id: its millisecond time, unique enough for txid_current().
  let v = 0;
  for (let i = 0; i < 6; i++) v = v * 256 + txn.id[i]!;
  return v;
}

/** The values rows written before an ADD COLUMN read for it (ColumnObj.missing). */
function missingValues(t: TableObj): unknown[] {
  return t.columns.map((c) => (c.missing === undefined || c.missing === null ? null : parseText(c.type, c.missing, MISSING_VALUE_CONTEXT)));
}
