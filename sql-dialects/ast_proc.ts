// AST of procedural code: T-SQL batches and control flow, Firebird PSQL
// (EXECUTE BLOCK, procedure and trigger bodies). Both languages share the
// nodes where the meaning is the same (IF, WHILE, blocks, declarations);
// Dialect.proceduralStyle() picks the surface syntax when printing.

import type { Expr, Ident, Loc, QName, Query, Statement, TypeName } from './ast.ts';
import type { CreateVerb, SqlOption, TableElement } from './ast_ddl.ts';
import type { DeclareCursor } from './ast_misc.ts';

/** A routine or block parameter. */
export interface FuncParam {
  mode?: 'IN' | 'OUT' | 'INOUT' | 'VARIADIC';
  name?: Ident;
  /** TS parameters are `@name`. */
  sigil?: '@';
  type: TypeName;
  notNull?: boolean;
  collate?: QName;
  default?: Expr;
  defaultSyntax?: 'DEFAULT' | '=';
  /** TS OUTPUT / OUT. */
  output?: 'OUTPUT' | 'OUT';
  readonly?: boolean;
}

/** One variable of DECLARE: TS `@x INT = 1`, `@t TABLE (…)`; FB `DECLARE VARIABLE x INT = 0`. */
export interface VarDecl {
  kind: 'var_decl';
  name: Ident;
  sigil?: '@';
  variableKeyword?: boolean;
  asKeyword?: boolean;
  type?: TypeName;
  /** TS table variable: `@t TABLE (…)`. */
  tableColumns?: TableElement[];
  notNull?: boolean;
  default?: Expr;
  defaultSyntax?: 'DEFAULT' | '=';
}

export interface Declare {
  kind: 'declare';
  vars: VarDecl[];
  loc?: Loc;
}

export interface WhenCondition {
  type: 'ANY' | 'SQLCODE' | 'GDSCODE' | 'SQLSTATE' | 'EXCEPTION';
  value?: Expr | Ident;
}

/** FB `WHEN … DO stmt` exception handler at the end of a block. */
export interface WhenHandler {
  kind: 'when';
  conditions: WhenCondition[];
  body: Statement;
  loc?: Loc;
}

/** BEGIN … END. FB blocks of routines carry the declarations that precede BEGIN. */
export interface Block {
  kind: 'block';
  label?: Ident;
  declarations?: (VarDecl | DeclareCursor)[];
  statements: Statement[];
  handlers?: WhenHandler[];
  loc?: Loc;
}

export interface If {
  kind: 'if';
  condition: Expr;
  then: Statement;
  else?: Statement;
  loc?: Loc;
}

export interface While {
  kind: 'while';
  label?: Ident;
  condition: Expr;
  body: Statement;
  loc?: Loc;
}

/** FB `FOR SELECT … INTO :v [AS CURSOR c] DO stmt`. */
export interface ForSelect {
  kind: 'for_select';
  label?: Ident;
  query: Query;
  cursor?: Ident;
  body: Statement;
  loc?: Loc;
}

/** FB LEAVE [label] / BREAK; TS BREAK. */
export interface Leave {
  kind: 'leave';
  keyword: 'LEAVE' | 'BREAK';
  label?: Ident;
  loc?: Loc;
}

export interface Continue {
  kind: 'continue';
  label?: Ident;
  loc?: Loc;
}

export interface Return {
  kind: 'return';
  value?: Expr;
  loc?: Loc;
}

export interface Suspend {
  kind: 'suspend';
  loc?: Loc;
}

export interface Exit {
  kind: 'exit';
  loc?: Loc;
}

/** FB `v = expr;` (also `:v = expr`, `NEW.c = expr`). */
export interface AssignStatement {
  kind: 'assign_stmt';
  target: Expr;
  value: Expr;
  loc?: Loc;
}

/** FB EXCEPTION [name [message | USING (args)]]. */
export interface RaiseException {
  kind: 'raise_exception';
  name?: Ident;
  message?: Expr;
  using?: Expr[];
  loc?: Loc;
}

/** FB EXECUTE STATEMENT sql [INTO :a, :b]. */
export interface ExecuteStatement {
  kind: 'execute_statement';
  sql: Expr;
  into?: Expr[];
  loc?: Loc;
}

/** FB EXECUTE PROCEDURE p [args] [RETURNING_VALUES :a]. */
export interface ExecuteProcedure {
  kind: 'execute_procedure';
  name: QName;
  args: Expr[];
  parens?: boolean;
  returningValues?: Expr[];
  loc?: Loc;
}

/** FB EXECUTE BLOCK [(params)] [RETURNS (cols)] AS [declarations] BEGIN … END. */
export interface ExecuteBlock {
  kind: 'execute_block';
  params: FuncParam[];
  returns?: FuncParam[];
  body: Block;
  loc?: Loc;
}

/** TS/FB stored procedure with a parsed body (PG procedures are CreateFunction). */
export interface CreateProcedure {
  kind: 'create_procedure';
  verb: CreateVerb;
  /** A PSQL / T-SQL function (otherwise a procedure). */
  objectType?: 'FUNCTION';
  name: QName;
  params: FuncParam[];
  paramParens?: boolean;
  /** FB RETURNS (…). */
  returns?: FuncParam[];
  /** Function result type. */
  returnType?: TypeName;
  /** TS WITH RECOMPILE, EXECUTE AS …. */
  options?: SqlOption[];
  /** TS: the statements after AS up to the end of the batch; FB: one Block. */
  body: Statement[];
  loc?: Loc;
}

export interface ExecArg {
  /** TS `@name =` (without the sigil). */
  name?: string;
  value: Expr;
  output?: 'OUTPUT' | 'OUT';
}

/** TS EXEC[UTE] [@rc =] proc args | EXEC ('sql'). */
export interface Exec {
  kind: 'exec';
  keyword: 'EXEC' | 'EXECUTE';
  returnVar?: Expr;
  procedure?: QName;
  procVar?: Expr;
  args: ExecArg[];
  /** EXEC ('SELECT ' + @x): the concatenated parts. */
  sql?: Expr[];
  loc?: Loc;
}

export interface Print {
  kind: 'print';
  expr: Expr;
  loc?: Loc;
}

export interface Raiserror {
  kind: 'raiserror';
  args: Expr[];
  /** WITH NOWAIT, LOG, SETERROR. */
  options?: string[];
  loc?: Loc;
}

export interface Throw {
  kind: 'throw';
  args: Expr[];
  loc?: Loc;
}

export interface TryCatch {
  kind: 'try_catch';
  try: Statement[];
  catch: Statement[];
  loc?: Loc;
}

export interface Goto {
  kind: 'goto';
  label: Ident;
  loc?: Loc;
}

export interface Label {
  kind: 'label';
  name: Ident;
  loc?: Loc;
}

export interface Waitfor {
  kind: 'waitfor';
  type: 'DELAY' | 'TIME';
  value: Expr;
  loc?: Loc;
}

export interface PostEvent {
  kind: 'post_event';
  event: Expr;
  loc?: Loc;
}

export type ProceduralStatement =
  | Declare
  | Block
  | If
  | While
  | ForSelect
  | Leave
  | Continue
  | Return
  | Suspend
  | Exit
  | AssignStatement
  | RaiseException
  | WhenHandler
  | ExecuteStatement
  | ExecuteProcedure
  | ExecuteBlock
  | CreateProcedure
  | Exec
  | Print
  | Raiserror
  | Throw
  | TryCatch
  | Goto
  | Label
  | Waitfor
  | PostEvent;
