// What the sqllogictest runner needs from a database under test.

/** A result set with every value already in PostgreSQL's text output format (NULL as null). */
export interface SltResultSet {
  fields: string[];
  rows: (string | null)[][];
}

export type SltExecResult = SltResultSet | 'ok';

export interface SltTarget {
  readonly name: string;
  /** Dialect matched by `onlyif` / `skipif`: postgres, mysql, tsql or firebird. */
  readonly dialect: string;
  /**
   * Runs one SQL statement. Returns its result set, or 'ok' for a statement
   * that returns none. Failures throw; the thrown value's `code` property is
   * its SQLSTATE (see errorCodeOf). `connection` names the session (from a
   * `connection <name>` line); undefined is the file's default session.
   * A named session is opened on first use and closed at the next file.
   */
  exec(sql: string, connection?: string): Promise<SltExecResult>;
  /** Called before each file: give it a fresh database and session. */
  startFile?(file: string): Promise<void>;
  close(): Promise<void>;
}

/** The SQLSTATE of a thrown value, when it carries one. */
export function errorCodeOf(e: unknown): string | undefined {
  if (typeof e === 'object' && e !== null && 'code' in e) {
    const code = (e as { code: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

/** The 1-based character position a thrown error points at, when it carries one. */
export function errorPositionOf(e: unknown): number | undefined {
  if (typeof e === 'object' && e !== null && 'position' in e) {
    const p = (e as { position: unknown }).position;
    if (typeof p === 'number' && Number.isInteger(p) && p > 0) return p;
  }
  return undefined;
}

export function errorMessageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Dialect names and the aliases found in classic sqllogictest files. */
export const known_dialects: Record<string, string> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  tsql: 'tsql',
  mssql: 'tsql',
  firebird: 'firebird',
  // Classic files name these; no ScratchBird target has them, so they never match.
  sqlite: 'sqlite',
  oracle: 'oracle',
};
