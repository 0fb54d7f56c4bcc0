// AST of transaction control and utility statements (SET, SHOW, PREPARE,
// EXPLAIN, COPY, LISTEN, cursors, maintenance), plus the procedural nodes
// re-exported from ast_proc.ts.

import type { Expr, Ident, Loc, QName, Statement, StringLit, TypeName } from './ast.ts';
import type { SqlOption } from './ast_ddl.ts';
import type { ProceduralStatement } from './ast_proc.ts';

export type * from './ast_proc.ts';

/**
 * One transaction characteristic as a canonical upper-case phrase:
 * 'ISOLATION LEVEL READ COMMITTED', 'READ ONLY', 'READ WRITE', 'DEFERRABLE',
 * 'NOT DEFERRABLE', 'WITH CONSISTENT SNAPSHOT', 'WAIT', 'NO WAIT',
 * 'LOCK TIMEOUT' (value), 'ISOLATION LEVEL SNAPSHOT TABLE STABILITY',
 * 'ISOLATION LEVEL READ COMMITTED NO RECORD_VERSION', 'NO AUTO UNDO', …
 */
export interface TxMode {
  mode: string;
  value?: Expr;
}

export interface Begin {
  kind: 'begin';
  /** BEGIN, BEGIN WORK, BEGIN TRANSACTION, BEGIN TRAN, START TRANSACTION. */
  syntax: string;
  modes: TxMode[];
  /** The modes were separated by commas. */
  commas?: boolean;
  /** TS transaction name. */
  name?: Ident;
  loc?: Loc;
}

export interface Commit {
  kind: 'commit';
  /** COMMIT, END (PG), COMMIT WORK, COMMIT TRANSACTION, COMMIT TRAN. */
  syntax: string;
  chain?: boolean;
  /** FB COMMIT RETAIN [SNAPSHOT]. */
  retain?: boolean;
  /** MY [NO] RELEASE. */
  release?: boolean;
  name?: Ident;
  loc?: Loc;
}

export interface Rollback {
  kind: 'rollback';
  /** ROLLBACK, ABORT, ROLLBACK WORK, ROLLBACK TRANSACTION, ROLLBACK TRAN. */
  syntax: string;
  chain?: boolean;
  retain?: boolean;
  release?: boolean;
  /** ROLLBACK TO [SAVEPOINT] name. */
  savepoint?: Ident;
  savepointKeyword?: boolean;
  /** TS ROLLBACK TRAN name (transaction or savepoint name). */
  name?: Ident;
  loc?: Loc;
}

export interface Savepoint {
  kind: 'savepoint';
  /** SAVEPOINT, SAVE TRAN, SAVE TRANSACTION. */
  syntax: string;
  name: Ident;
  loc?: Loc;
}

export interface ReleaseSavepoint {
  kind: 'release_savepoint';
  savepointKeyword: boolean;
  name: Ident;
  loc?: Loc;
}

export interface SetTransaction {
  kind: 'set_transaction';
  /** PG SET SESSION CHARACTERISTICS AS TRANSACTION; MY SET [GLOBAL|SESSION] TRANSACTION. */
  scope?: 'SESSION CHARACTERISTICS' | 'GLOBAL' | 'SESSION';
  /** PG SET TRANSACTION SNAPSHOT 'id'. */
  snapshot?: StringLit;
  modes: TxMode[];
  commas?: boolean;
  loc?: Loc;
}

/**
 * One assignment of SET. Either a named variable (`target`: a ColumnRef or a
 * Variable) or a special form (`special`: 'TIME ZONE', 'NAMES',
 * 'CHARACTER SET', 'ROLE', 'SESSION AUTHORIZATION', 'SCHEMA', 'CONSTRAINTS').
 */
export interface SetItem {
  scope?: 'SESSION' | 'LOCAL' | 'GLOBAL' | 'PERSIST' | 'PERSIST_ONLY';
  target?: Expr;
  special?: string;
  /** '=', 'TO', ':=', '+=', … or '' when values follow directly (TS `SET NOCOUNT ON`). */
  op: string;
  values: Expr[];
  collate?: Expr;
}

export interface SetStatement {
  kind: 'set';
  scope?: 'SESSION' | 'LOCAL' | 'GLOBAL' | 'PERSIST' | 'PERSIST_ONLY';
  items: SetItem[];
  loc?: Loc;
}

export interface Reset {
  kind: 'reset';
  /** A parameter, or ALL / a special phrase as one upper-case Ident. */
  name: QName;
  loc?: Loc;
}

export interface Show {
  kind: 'show';
  /** MY/PG object family: 'TABLES', 'DATABASES', 'COLUMNS', 'CREATE TABLE', 'VARIABLES', 'ALL', … */
  what?: string;
  /** A PG parameter, or the object of SHOW CREATE TABLE / SHOW COLUMNS FROM. */
  name?: QName;
  full?: boolean;
  extended?: boolean;
  scope?: 'GLOBAL' | 'SESSION';
  fromKeyword?: 'FROM' | 'IN';
  from?: QName;
  /** SHOW COLUMNS FROM t FROM db. */
  from2?: QName;
  like?: Expr;
  where?: Expr;
  loc?: Loc;
}

export interface Use {
  kind: 'use';
  name: Ident;
  loc?: Loc;
}

export interface Describe {
  kind: 'describe';
  keyword: 'DESCRIBE' | 'DESC' | 'EXPLAIN';
  table: QName;
  column?: Ident | StringLit;
  loc?: Loc;
}

export interface Explain {
  kind: 'explain';
  keyword: 'EXPLAIN' | 'DESCRIBE' | 'DESC';
  analyze?: boolean;
  verbose?: boolean;
  /** PG (FORMAT json, COSTS off) / MY FORMAT=JSON. */
  options?: SqlOption[];
  optionsParenthesized?: boolean;
  statement: Statement;
  loc?: Loc;
}

export interface Prepare {
  kind: 'prepare';
  name: Ident;
  types?: TypeName[];
  /** PG PREPARE name AS statement. */
  statement?: Statement;
  /** MY PREPARE name FROM 'text' | @var. */
  from?: Expr;
  loc?: Loc;
}

export interface Execute {
  kind: 'execute';
  name: Ident;
  args?: Expr[];
  using?: Expr[];
  loc?: Loc;
}

export interface Deallocate {
  kind: 'deallocate';
  /** DEALLOCATE (PG, MY, TS cursors) or MY DROP PREPARE. */
  keyword: 'DEALLOCATE' | 'DROP';
  prepareKeyword?: boolean;
  name?: Ident;
  all?: boolean;
  loc?: Loc;
}

export interface Copy {
  kind: 'copy';
  table?: QName;
  columns?: Ident[];
  query?: Statement;
  direction: 'FROM' | 'TO';
  target: { kind: 'STDIN' | 'STDOUT' } | { kind: 'file' | 'program'; path: StringLit };
  /** 'paren': WITH (FORMAT csv, …); 'legacy': WITH CSV HEADER DELIMITER ','. */
  optionSyntax?: 'paren' | 'legacy';
  withKeyword?: boolean;
  options: SqlOption[];
  where?: Expr;
  loc?: Loc;
}

export interface Listen {
  kind: 'listen';
  channel: Ident;
  loc?: Loc;
}

export interface Unlisten {
  kind: 'unlisten';
  /** Absent for UNLISTEN *. */
  channel?: Ident;
  loc?: Loc;
}

export interface Notify {
  kind: 'notify';
  channel: Ident;
  payload?: StringLit;
  loc?: Loc;
}

export interface Discard {
  kind: 'discard';
  target: 'ALL' | 'PLANS' | 'SEQUENCES' | 'TEMP' | 'TEMPORARY';
  loc?: Loc;
}

export interface DeclareCursor {
  kind: 'declare_cursor';
  name: Ident;
  /** Words between the name and CURSOR (PG BINARY, SCROLL, NO SCROLL, INSENSITIVE; FB SCROLL). */
  options: string[];
  /** Words after CURSOR (PG WITH HOLD; TS LOCAL, FAST_FORWARD, …). */
  cursorOptions: string[];
  /** FB wraps the query in parentheses. */
  parenthesized?: boolean;
  /** FB `DECLARE VARIABLE c CURSOR`. */
  variableKeyword?: boolean;
  query: Statement;
  /** TS FOR UPDATE [OF cols]. */
  forUpdate?: Ident[];
  loc?: Loc;
}

export interface Fetch {
  kind: 'fetch';
  /** PG MOVE: positions the cursor like FETCH without returning rows. */
  move?: boolean;
  /** NEXT, PRIOR, FIRST, LAST, ABSOLUTE, RELATIVE, FORWARD, BACKWARD, ALL, FORWARD ALL, BACKWARD ALL. */
  direction?: string;
  count?: Expr;
  fromKeyword?: 'FROM' | 'IN';
  cursor: Ident;
  /** TS `@c` cursor variable. */
  cursorSigil?: '@';
  into?: Expr[];
  loc?: Loc;
}

export interface Close {
  kind: 'close';
  /** Absent for PG CLOSE ALL. */
  cursor?: Ident;
  loc?: Loc;
}

export interface OpenCursor {
  kind: 'open_cursor';
  cursor: Ident;
  loc?: Loc;
}

export interface Vacuum {
  kind: 'vacuum' | 'analyze';
  /** ANALYZE may be spelled ANALYSE. */
  spelling?: 'ANALYSE';
  /** VACUUM (VERBOSE, ANALYZE) form. */
  options?: SqlOption[];
  /** Old form keywords: FULL, FREEZE, VERBOSE, ANALYZE. */
  flags?: string[];
  tables: { name: QName; columns?: Ident[] }[];
  loc?: Loc;
}

export interface Checkpoint {
  kind: 'checkpoint';
  loc?: Loc;
}

export interface LockTable {
  kind: 'lock_table';
  tableKeyword?: boolean;
  only?: boolean;
  tables: QName[];
  mode?: string;
  nowait?: boolean;
  loc?: Loc;
}

/** MY LOCK TABLES t READ, u AS x WRITE. */
export interface LockTables {
  kind: 'lock_tables';
  keyword: 'TABLES' | 'TABLE';
  items: { table: QName; alias?: Ident; mode: 'READ' | 'READ LOCAL' | 'WRITE' | 'LOW_PRIORITY WRITE' }[];
  loc?: Loc;
}

export interface UnlockTables {
  kind: 'unlock_tables';
  keyword: 'TABLES' | 'TABLE';
  loc?: Loc;
}

export interface Call {
  kind: 'call';
  name: QName;
  args: Expr[];
  /** MY CALL p without parentheses. */
  noParens?: boolean;
  loc?: Loc;
}

/** PG DO [LANGUAGE l] 'body'. */
export interface DoBlock {
  kind: 'do';
  language?: Ident;
  languageFirst?: boolean;
  body: StringLit;
  loc?: Loc;
}

/** isql SET TERM: the script terminator changes for the statements that follow. */
export interface SetTerm {
  kind: 'set_term';
  terminator: string;
  /** The old terminator written after it, if any. */
  previous?: string;
  loc?: Loc;
}

/** FB SET GENERATOR g TO n. */
export interface SetGenerator {
  kind: 'set_generator';
  name: QName;
  value: Expr;
  loc?: Loc;
}

/** PG REINDEX [(options)] {INDEX | TABLE | SCHEMA | DATABASE | SYSTEM} [CONCURRENTLY] [name]. */
export interface Reindex {
  kind: 'reindex';
  options?: SqlOption[];
  target: 'INDEX' | 'TABLE' | 'SCHEMA' | 'DATABASE' | 'SYSTEM';
  concurrently?: boolean;
  /** Absent only for DATABASE / SYSTEM (the current database). */
  name?: QName;
  loc?: Loc;
}

/** PG REFRESH MATERIALIZED VIEW [CONCURRENTLY] name [WITH [NO] DATA]. */
export interface RefreshMatview {
  kind: 'refresh_matview';
  concurrently?: boolean;
  name: QName;
  withData?: boolean;
  loc?: Loc;
}

/** PG two-phase commit: PREPARE TRANSACTION 'gid', COMMIT PREPARED 'gid', ROLLBACK PREPARED 'gid'. */
export interface TwoPhaseCommand {
  kind: 'prepare_transaction' | 'commit_prepared' | 'rollback_prepared';
  gid: StringLit;
  loc?: Loc;
}

/** MY SET PASSWORD, KILL, FLUSH …: statements kept by their keywords only. */
export interface SimpleCommand {
  kind: 'command';
  /** Upper-case keyword phrase ('FLUSH PRIVILEGES', 'KILL'). */
  command: string;
  args?: Expr[];
  loc?: Loc;
}

export type MiscStatement =
  | Begin
  | Commit
  | Rollback
  | Savepoint
  | ReleaseSavepoint
  | SetTransaction
  | SetStatement
  | Reset
  | Show
  | Use
  | Describe
  | Explain
  | Prepare
  | Execute
  | Deallocate
  | Copy
  | Listen
  | Unlisten
  | Notify
  | Discard
  | DeclareCursor
  | Fetch
  | Close
  | OpenCursor
  | Vacuum
  | Checkpoint
  | LockTable
  | LockTables
  | UnlockTables
  | Call
  | DoBlock
  | SetTerm
  | SetGenerator
  | SimpleCommand
  | Reindex
  | RefreshMatview
  | TwoPhaseCommand
  | ProceduralStatement;
