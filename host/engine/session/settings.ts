// The session's configuration parameters (PostgreSQL's GUC table): the
// settings clients read at connection start and branch on, with
// PostgreSQL's names, defaults, value checks and SHOW formatting.
//
// SET is transactional as in PostgreSQL: a transaction that rolls back
// undoes its SETs, SET LOCAL lasts until the transaction ends, and ROLLBACK
// TO SAVEPOINT undoes what was set after the savepoint.

import { SbError, SqlState } from '../sb_error.ts';
import { parseDateStyle } from '../types/context.ts';
import { resolveTimeZone, timeZoneSetting } from '../types/timezone.ts';

type Kind = 'string' | 'bool' | 'int' | 'real' | 'enum';

interface Guc {
  /** Canonical spelling (SHOW ALL, ParameterStatus). */
  name: string;
  kind: Kind;
  boot: string;
  description: string;
  /** 'internal': read only; 'session': settable. */
  context: 'internal' | 'session';
  /** Integer settings with a unit: the base unit of their stored number. */
  unit?: 'ms' | 's' | 'kB';
  values?: string[];
  min?: number;
  max?: number;
  /** Validates and normalises a value (throws 22023). */
  check?: (v: string) => string;
  /** Reported to clients when it changes (PostgreSQL's GUC_REPORT). */
  report?: boolean;
}

function invalid(name: string, value: string, detail?: string): SbError {
  return new SbError(SqlState.invalid_parameter_value, `invalid value for parameter "${name}": "${value}"`, detail ? { detail } : {});
}

const GUCS: Guc[] = [
  { name: 'application_name', kind: 'string', boot: '', description: 'Sets the application name to be reported in statistics and logs.', context: 'session', report: true },
  { name: 'bytea_output', kind: 'enum', boot: 'hex', values: ['hex', 'escape'], description: 'Sets the output format for bytea.', context: 'session' },
  {
    name: 'client_encoding', kind: 'string', boot: 'UTF8', description: "Sets the client's character set encoding.", context: 'session', report: true,
    check: (v) => {
      const u = v.toUpperCase().replace(/[-_]/g, '');
      if (u === 'UTF8' || u === 'UNICODE') return 'UTF8';
      if (u === 'SQLASCII') return 'SQL_ASCII';
      throw new SbError(SqlState.feature_not_supported, `conversion between ${v} and UTF8 is not supported`);
    },
  },
  { name: 'client_min_messages', kind: 'enum', boot: 'notice', values: ['debug5', 'debug4', 'debug3', 'debug2', 'debug1', 'log', 'notice', 'warning', 'error'], description: 'Sets the message levels that are sent to the client.', context: 'session' },
  {
    name: 'DateStyle', kind: 'string', boot: 'ISO, MDY', description: 'Sets the display format for date and time values.', context: 'session', report: true,
    check: (v) => {
      const d = parseDateStyle(v);
      return `${d.style}, ${d.order}`;
    },
  },
  { name: 'default_transaction_isolation', kind: 'enum', boot: 'read committed', values: ['serializable', 'repeatable read', 'read committed', 'read uncommitted'], description: 'Sets the transaction isolation level of each new transaction.', context: 'session' },
  { name: 'default_transaction_read_only', kind: 'bool', boot: 'off', description: 'Sets the default read-only status of new transactions.', context: 'session', report: true },
  { name: 'extra_float_digits', kind: 'int', boot: '1', min: -15, max: 3, description: 'Sets the number of digits displayed for floating-point values.', context: 'session' },
  { name: 'idle_in_transaction_session_timeout', kind: 'int', unit: 'ms', boot: '0', min: 0, max: 2147483647, description: 'Sets the maximum allowed idle time between queries, when in a transaction.', context: 'session' },
  { name: 'in_hot_standby', kind: 'bool', boot: 'off', description: 'Shows whether hot standby is currently active.', context: 'internal', report: true },
  { name: 'integer_datetimes', kind: 'bool', boot: 'on', description: 'Shows whether datetimes are integer based.', context: 'internal', report: true },
  { name: 'IntervalStyle', kind: 'enum', boot: 'postgres', values: ['postgres', 'postgres_verbose', 'sql_standard', 'iso_8601'], description: 'Sets the display format for interval values.', context: 'session', report: true },
  { name: 'is_superuser', kind: 'bool', boot: 'on', description: 'Shows whether the current user is a superuser.', context: 'internal', report: true },
  { name: 'lc_collate', kind: 'string', boot: 'C', description: 'Shows the collation order locale.', context: 'internal' },
  { name: 'lc_ctype', kind: 'string', boot: 'C', description: 'Shows the character classification and case conversion locale.', context: 'internal' },
  { name: 'lc_messages', kind: 'string', boot: 'C', description: 'Sets the language in which messages are displayed.', context: 'session' },
  { name: 'lc_monetary', kind: 'string', boot: 'C', description: 'Sets the locale for formatting monetary amounts.', context: 'session' },
  { name: 'lc_numeric', kind: 'string', boot: 'C', description: 'Sets the locale for formatting numbers.', context: 'session' },
  { name: 'lc_time', kind: 'string', boot: 'C', description: 'Sets the locale for formatting date and time values.', context: 'session' },
  { name: 'lock_timeout', kind: 'int', unit: 'ms', boot: '0', min: 0, max: 2147483647, description: 'Sets the maximum allowed duration of any wait for a lock.', context: 'session' },
  { name: 'max_identifier_length', kind: 'int', boot: '63', description: 'Shows the maximum identifier length.', context: 'internal' },
  // No two-phase commit: PREPARE TRANSACTION fails with 55000 as PostgreSQL does with the setting at 0 (its default).
  { name: 'max_prepared_transactions', kind: 'int', boot: '0', description: 'Sets the maximum number of simultaneously prepared transactions.', context: 'internal' },
  { name: 'row_security', kind: 'bool', boot: 'on', description: 'Enable row security.', context: 'session' },
  { name: 'search_path', kind: 'string', boot: '"$user", public', description: 'Sets the schema search order for names that are not schema-qualified.', context: 'session' },
  { name: 'server_encoding', kind: 'string', boot: 'UTF8', description: 'Shows the server (database) character set encoding.', context: 'internal', report: true },
  { name: 'server_version', kind: 'string', boot: '16.0', description: 'Shows the server version.', context: 'internal', report: true },
  { name: 'server_version_num', kind: 'int', boot: '160000', description: 'Shows the server version as an integer.', context: 'internal' },
  { name: 'session_authorization', kind: 'string', boot: 'sysdba', description: 'Sets the session user name.', context: 'internal', report: true },
  {
    name: 'standard_conforming_strings', kind: 'bool', boot: 'on', description: "Causes '...' strings to treat backslashes literally.", context: 'session', report: true,
    check: (v) => {
      if (v !== 'on') throw new SbError(SqlState.feature_not_supported, 'standard_conforming_strings cannot be turned off', { hint: "Use E'...' strings for backslash escapes." });
      return v;
    },
  },
  { name: 'statement_timeout', kind: 'int', unit: 'ms', boot: '0', min: 0, max: 2147483647, description: 'Sets the maximum allowed duration of any statement.', context: 'session' },
  { name: 'synchronous_commit', kind: 'enum', boot: 'on', values: ['local', 'remote_write', 'remote_apply', 'on', 'off'], description: "Sets the current transaction's synchronization level.", context: 'session' },
  {
    name: 'TimeZone', kind: 'string', boot: 'UTC', description: 'Sets the time zone for displaying and interpreting time stamps.', context: 'session', report: true,
    check: (v) => {
      // A number is an offset in hours east of UTC, whichever way the value comes (SET, set_config, PGOPTIONS), as PostgreSQL's check_timezone.
      const z = timeZoneSetting(v);
      if (!resolveTimeZone(z)) throw invalid('TimeZone', v);
      return z;
    },
  },
  { name: 'timezone_abbreviations', kind: 'string', boot: 'Default', description: 'Selects a file of time zone abbreviations.', context: 'session' },
  { name: 'transaction_deferrable', kind: 'bool', boot: 'off', description: 'Whether to defer a read-only serializable transaction until it can be executed with no possible serialization failures.', context: 'session' },
  { name: 'transaction_isolation', kind: 'enum', boot: 'read committed', values: ['serializable', 'repeatable read', 'read committed', 'read uncommitted'], description: "Sets the current transaction's isolation level.", context: 'session' },
  { name: 'transaction_read_only', kind: 'bool', boot: 'off', description: "Sets the current transaction's read-only status.", context: 'session' },
  { name: 'work_mem', kind: 'int', unit: 'kB', boot: '4096', min: 64, max: 2147483647, description: 'Sets the maximum memory to be used for query workspaces.', context: 'session' },
  { name: 'maintenance_work_mem', kind: 'int', unit: 'kB', boot: '65536', min: 1024, max: 2147483647, description: 'Sets the maximum memory to be used for maintenance operations.', context: 'session' },
  ...['enable_bitmapscan', 'enable_hashagg', 'enable_hashjoin', 'enable_indexonlyscan', 'enable_indexscan', 'enable_material', 'enable_mergejoin', 'enable_nestloop', 'enable_seqscan', 'enable_sort'].map(
    (name): Guc => ({ name, kind: 'bool', boot: 'on', description: `Enables the planner's use of ${name.slice(7)} plans.`, context: 'session' }),
  ),
  { name: 'jit', kind: 'bool', boot: 'off', description: 'Allow JIT compilation.', context: 'session' },
  // The column cache (host/engine/exec/colcache.ts, docs/design/columnar.md).
  { name: 'colcache', kind: 'bool', boot: 'on', description: 'Enables columnar scans over the column cache.', context: 'session' },
  { name: 'colcache_bytes_max', kind: 'int', boot: '1073741824', min: 0, max: 4294967295, description: 'Sets the exec-kernel memory the column cache may hold, in bytes.', context: 'session' },
  { name: 'colcache_min_rows', kind: 'int', boot: '100000', min: 0, max: 2147483647, description: 'Sets the smallest table (by maintained row count) the column cache serves.', context: 'session' },
];

const BY_NAME = new Map(GUCS.map((g) => [g.name.toLowerCase(), g]));

function unknownParameter(name: string): SbError {
  return new SbError(SqlState.undefined_object, `unrecognized configuration parameter "${name}"`);
}

const UNITS_MS: Record<string, number> = { us: 0.001, ms: 1, s: 1000, min: 60000, h: 3600000, d: 86400000 };
const UNITS_KB: Record<string, number> = { b: 1 / 1024, kb: 1, mb: 1024, gb: 1024 * 1024, tb: 1024 * 1024 * 1024 };

function normalise(g: Guc, raw: string): string {
  let v = raw;
  switch (g.kind) {
    case 'bool': {
      const l = v.trim().toLowerCase();
      if (['on', 'true', 'yes', '1', 't', 'y'].includes(l)) v = 'on';
      else if (['off', 'false', 'no', '0', 'f', 'n', 'of'].includes(l)) v = 'off';
      else throw new SbError(SqlState.invalid_parameter_value, `parameter "${g.name}" requires a Boolean value`);
      break;
    }
    case 'int': {
      const m = /^\s*(-?\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(v);
      if (!m) throw new SbError(SqlState.invalid_parameter_value, `invalid value for parameter "${g.name}": "${raw}"`);
      let n = Number(m[1]);
      const unit = m[2]!;
      if (unit) {
        const table = g.unit === 'kB' ? UNITS_KB : g.unit ? UNITS_MS : undefined;
        const f = table?.[g.unit === 'kB' ? unit.toLowerCase() : unit];
        if (f === undefined) {
          throw new SbError(SqlState.invalid_parameter_value, `invalid value for parameter "${g.name}": "${raw}"`, {
            hint: g.unit === 'kB' ? 'Valid units for this parameter are "B", "kB", "MB", "GB", and "TB".' : 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".',
          });
        }
        n = n * f;
        if (g.unit === 's') n = n / 1000;
      }
      n = Math.round(n);
      if ((g.min !== undefined && n < g.min) || (g.max !== undefined && n > g.max)) {
        throw new SbError(SqlState.invalid_parameter_value, `${n} is outside the valid range for parameter "${g.name}" (${g.min} .. ${g.max})`);
      }
      v = String(n);
      break;
    }
    case 'real':
      if (!Number.isFinite(Number(v))) throw invalid(g.name, raw);
      break;
    case 'enum': {
      const l = v.trim().toLowerCase();
      if (!g.values!.includes(l)) {
        throw new SbError(SqlState.invalid_parameter_value, `invalid value for parameter "${g.name}": "${raw}"`, {
          hint: `Available values: ${g.values!.join(', ')}.`,
        });
      }
      v = l;
      break;
    }
  }
  return g.check ? g.check(v) : v;
}

/** SHOW's spelling of a stored value (durations and sizes with their largest exact unit). */
function display(g: Guc, v: string): string {
  if (g.kind !== 'int' || !g.unit) return v;
  const n = Number(v);
  if (n === 0) return '0';
  const units: Array<[string, number]> = g.unit === 'kB'
    ? [['TB', 1024 ** 3], ['GB', 1024 ** 2], ['MB', 1024], ['kB', 1]]
    : [['d', 86400000], ['h', 3600000], ['min', 60000], ['s', 1000], ['ms', 1]];
  for (const [u, f] of units) if (n % f === 0) return `${n / f}${u}`;
  return `${n}${g.unit}`;
}

/** SET DateStyle keeps the part (output style or field order) the new value does not name. */
function mergeDateStyle(current: string, raw: string, parsed: string): string {
  const words = raw.toLowerCase().split(/[\s,]+/);
  const namesStyle = words.some((w) => ['iso', 'sql', 'postgres', 'german'].includes(w));
  const namesOrder = words.some((w) => ['mdy', 'dmy', 'ymd', 'us', 'euro', 'european', 'noneuropean', 'german'].includes(w));
  const [curStyle, curOrder] = current.split(', ') as [string, string];
  const [newStyle, newOrder] = parsed.split(', ') as [string, string];
  return `${namesStyle ? newStyle : curStyle}, ${namesOrder ? newOrder : curOrder}`;
}

interface Snapshot {
  values: Map<string, string>;
  local: Map<string, string>;
}

export class Settings {
  private values = new Map<string, string>();
  private local = new Map<string, string>();
  /** Session values at transaction start (restored on rollback), copied before the transaction's first change. */
  private txnStart: Map<string, string> | undefined;
  private inTxn = false;
  /** Bumped by every change of a value (SET, RESET, rollback, savepoint restore, end of SET LOCAL): caches of derived values compare it. */
  version = 0;
  private readonly defaults = new Map<string, string>();
  /** Called with (name, value) when a reported setting changes. */
  onReport: ((name: string, value: string) => void) | undefined;

  constructor(overrides: Record<string, string> = {}) {
    for (const g of GUCS) this.defaults.set(g.name.toLowerCase(), g.boot);
    for (const [k, v] of Object.entries(overrides)) {
      const g = BY_NAME.get(k.toLowerCase());
      if (g) this.defaults.set(g.name.toLowerCase(), normalise(g, v));
      else if (k.includes('.')) this.defaults.set(k.toLowerCase(), v);
      else throw unknownParameter(k);
    }
    // server_version_num follows a configured server_version: '15.18' -> 150018 (PostgreSQL 10+), '9.6.3' -> 90603.
    const ver = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(this.defaults.get('server_version')!);
    if (ver && !Object.keys(overrides).some((k) => k.toLowerCase() === 'server_version_num')) {
      const [major, minor, patch] = [Number(ver[1]), Number(ver[2] ?? 0), Number(ver[3] ?? 0)];
      this.defaults.set('server_version_num', String(major >= 10 ? major * 10000 + minor : major * 10000 + minor * 100 + patch));
    }
  }

  static canonicalName(name: string): string {
    return BY_NAME.get(name.toLowerCase())?.name ?? name.toLowerCase();
  }

  static isKnown(name: string): boolean {
    return BY_NAME.has(name.toLowerCase()) || name.includes('.');
  }

  /** The current value, or undefined for an unknown parameter. */
  get(name: string): string | undefined {
    const k = name.toLowerCase();
    return this.local.get(k) ?? this.values.get(k) ?? this.defaults.get(k);
  }

  /** The value as SHOW prints it (42704 for an unknown parameter). */
  show(name: string): string {
    const v = this.get(name);
    if (v === undefined) throw unknownParameter(name);
    const g = BY_NAME.get(name.toLowerCase());
    return g ? display(g, v) : v;
  }

  /** SET [LOCAL] name = value (null: DEFAULT). Returns the stored value. */
  set(name: string, value: string | null, local = false, allowInternal = false): string {
    const k = name.toLowerCase();
    const g = BY_NAME.get(k);
    if (!g && !k.includes('.')) throw unknownParameter(name);
    if (g?.context === 'internal' && !allowInternal) {
      throw new SbError('55P02', `parameter "${g.name}" cannot be changed`);
    }
    let v = value === null ? this.defaults.get(k) ?? '' : g ? normalise(g, value) : value;
    if (k === 'datestyle' && value !== null) v = mergeDateStyle(this.get(k)!, value, v);
    const before = this.get(k);
    this.beforeChange();
    if (local) this.local.set(k, v);
    else {
      this.values.set(k, v);
      this.local.delete(k);
    }
    if (g?.report && before !== v) this.onReport?.(g.name, v);
    return v;
  }

  reset(name: string): void {
    this.set(name, null);
  }

  resetAll(): void {
    for (const g of GUCS) if (g.context !== 'internal' && !g.name.startsWith('transaction_')) this.set(g.name, null);
  }

  /** (name, setting, description) rows of SHOW ALL, sorted by name. */
  all(): Array<[string, string, string]> {
    return GUCS.map((g): [string, string, string] => [g.name, display(g, this.get(g.name)!), g.description])
      .sort((a, b) => (a[0].toLowerCase() < b[0].toLowerCase() ? -1 : 1));
  }

  /** The reported settings and their values (ParameterStatus at connection start). */
  reported(): Array<[string, string]> {
    return GUCS.filter((g) => g.report).map((g) => [g.name, this.get(g.name)!]);
  }

  // ---- transactions ----

  beginTransaction(): void {
    this.txnStart = undefined;
    this.inTxn = true;
  }

  /** Before a change: the first one in a transaction keeps the values it started with. */
  private beforeChange(): void {
    this.version++;
    if (this.inTxn && this.txnStart === undefined) this.txnStart = new Map(this.values);
  }

  endTransaction(commit: boolean): void {
    this.inTxn = false;
    // Nothing was set in the transaction (the common case): nothing to undo or report.
    if (this.txnStart === undefined && this.local.size === 0) return;
    this.version++;
    const before = new Map([...BY_NAME.keys()].map((k) => [k, this.get(k)]));
    if (!commit && this.txnStart) this.values = this.txnStart;
    this.txnStart = undefined;
    this.local.clear();
    if (this.onReport) {
      for (const [k, v] of before) {
        const g = BY_NAME.get(k)!;
        const now = this.get(k);
        if (g.report && now !== v) this.onReport(g.name, now!);
      }
    }
  }

  snapshot(): Snapshot {
    return { values: new Map(this.values), local: new Map(this.local) };
  }

  restore(s: Snapshot): void {
    this.beforeChange();
    this.values = new Map(s.values);
    this.local = new Map(s.local);
  }
}

export type SettingsSnapshot = Snapshot;
