// BEGIN / START TRANSACTION, COMMIT / END, ROLLBACK / ABORT [AND CHAIN],
// SAVEPOINT, RELEASE, ROLLBACK TO SAVEPOINT, SET TRANSACTION, with
// PostgreSQL's tags, warnings and errors.

import type * as A from '../../../sql-dialects/index.ts';
import { SbError, SqlState } from '../sb_error.ts';
import type { QueryResult } from './result.ts';
import type { Session } from './session.ts';
import type { IsolationName } from './transaction.ts';

function done(command: string, notices?: SbError[]): QueryResult {
  return { command, rowCount: 0, fields: [], rows: [], ...(notices && notices.length > 0 ? { notices } : {}) };
}

function warning(code: string, message: string): SbError {
  return new SbError(code, message, { severity: 'WARNING' });
}

/** Isolation level and access mode of BEGIN / SET TRANSACTION modes. */
export function parseModes(modes: A.TxMode[]): { isolation?: IsolationName; readOnly?: boolean } {
  const out: { isolation?: IsolationName; readOnly?: boolean } = {};
  for (const m of modes) {
    const mode = m.mode.toUpperCase();
    if (mode.startsWith('ISOLATION LEVEL ')) {
      const level = mode.slice('ISOLATION LEVEL '.length).toLowerCase();
      if (level === 'serializable' || level === 'repeatable read' || level === 'read committed') out.isolation = level;
      else if (level === 'read uncommitted') out.isolation = 'read committed';
      else if (level === 'snapshot') out.isolation = 'repeatable read';
      else throw new SbError(SqlState.syntax_error, `unrecognized isolation level "${level}"`);
    } else if (mode === 'READ ONLY') out.readOnly = true;
    else if (mode === 'READ WRITE') out.readOnly = false;
    else if (mode === 'DEFERRABLE' || mode === 'NOT DEFERRABLE') {
      // Deferrable read-only serializable transactions need no special treatment with snapshot validation.
    } else throw new SbError(SqlState.feature_not_supported, `transaction mode ${m.mode} is not supported in this dialect`);
  }
  return out;
}

/** BEGIN / START TRANSACTION: never waits, so callers may run it without a promise (Session.runStatementSync). */
export function runBegin(s: Session, stmt: Extract<A.Statement, { kind: 'begin' }>): QueryResult {
  const tx = s.tx;
  const tag = stmt.syntax.toUpperCase().startsWith('START') ? 'START TRANSACTION' : 'BEGIN';
  const modes = parseModes(stmt.modes);
  if (tx.block === 'explicit') return done(tag, [warning(SqlState.active_sql_transaction, 'there is already a transaction in progress')]);
  if (tx.block === 'implicit') {
    // BEGIN inside a multi-statement string turns its implicit block into a regular one.
    tx.block = 'explicit';
    return done(tag);
  }
  tx.beginBlock('explicit', modes.isolation, modes.readOnly);
  return done(tag);
}

export async function runTransactionControl(s: Session, stmt: A.Statement): Promise<QueryResult> {
  const tx = s.tx;
  switch (stmt.kind) {
    case 'begin':
      return runBegin(s, stmt);
    case 'commit': {
      if (!tx.inBlock()) return done('COMMIT', [warning(SqlState.no_active_sql_transaction, 'there is no transaction in progress')]);
      const chain = stmt.chain === true;
      const iso = tx.isolation;
      const ro = tx.readOnly;
      if (tx.failed) {
        await tx.rollback();
        if (chain) tx.beginBlock('explicit', iso, ro);
        return done('ROLLBACK');
      }
      await tx.commit();
      if (chain) tx.beginBlock('explicit', iso, ro);
      return done('COMMIT');
    }
    case 'rollback': {
      if (stmt.savepoint || (stmt.name && stmt.syntax.toUpperCase() !== 'ROLLBACK')) {
        const name = s.dialect.foldIdentifier((stmt.savepoint ?? stmt.name)!);
        if (!tx.inBlock()) {
          throw new SbError(SqlState.no_active_sql_transaction, 'ROLLBACK TO SAVEPOINT can only be used in transaction blocks');
        }
        await tx.rollbackTo(name);
        return done('ROLLBACK');
      }
      if (!tx.inBlock()) return done('ROLLBACK', [warning(SqlState.no_active_sql_transaction, 'there is no transaction in progress')]);
      const iso = tx.isolation;
      const ro = tx.readOnly;
      await tx.rollback();
      if (stmt.chain) tx.beginBlock('explicit', iso, ro);
      return done('ROLLBACK');
    }
    case 'prepare_transaction': {
      // PostgreSQL's PrepareTransactionBlock: outside a block (or in a failed one) it only ends the block,
      // tag ROLLBACK; otherwise the preparation fails (max_prepared_transactions = 0) and aborts the transaction.
      if (tx.block !== 'explicit' && tx.block !== 'implicit') return done('ROLLBACK', [warning(SqlState.no_active_sql_transaction, 'there is no transaction in progress')]);
      const failed = tx.failed;
      await tx.rollback();
      if (failed) return done('ROLLBACK');
      const gid = stmt.gid.value;
      if (new TextEncoder().encode(gid).length >= 200) {
        throw new SbError(SqlState.invalid_parameter_value, `transaction identifier "${gid}" is too long`);
      }
      throw new SbError(SqlState.object_not_in_prerequisite_state, 'prepared transactions are disabled', { hint: 'Set max_prepared_transactions to a nonzero value.' });
    }
    case 'commit_prepared':
    case 'rollback_prepared': {
      const what = stmt.kind === 'commit_prepared' ? 'COMMIT PREPARED' : 'ROLLBACK PREPARED';
      if (tx.inBlock()) throw new SbError(SqlState.active_sql_transaction, `${what} cannot run inside a transaction block`);
      // No transaction is ever prepared (max_prepared_transactions = 0).
      throw new SbError(SqlState.undefined_object, `prepared transaction with identifier "${stmt.gid.value}" does not exist`);
    }
    case 'savepoint':
      if (!tx.inBlock()) throw new SbError(SqlState.no_active_sql_transaction, 'SAVEPOINT can only be used in transaction blocks');
      tx.savepoint(s.dialect.foldIdentifier(stmt.name));
      return done('SAVEPOINT');
    case 'release_savepoint':
      if (!tx.inBlock()) throw new SbError(SqlState.no_active_sql_transaction, 'RELEASE SAVEPOINT can only be used in transaction blocks');
      tx.release(s.dialect.foldIdentifier(stmt.name));
      return done('RELEASE');
    case 'set_transaction': {
      if (stmt.snapshot) throw new SbError(SqlState.feature_not_supported, 'SET TRANSACTION SNAPSHOT is not supported yet');
      const modes = parseModes(stmt.modes);
      if (stmt.scope === 'SESSION CHARACTERISTICS') {
        if (modes.isolation) s.settings.set('default_transaction_isolation', modes.isolation);
        if (modes.readOnly !== undefined) s.settings.set('default_transaction_read_only', modes.readOnly ? 'on' : 'off');
        return done('SET');
      }
      if (stmt.scope) throw new SbError(SqlState.feature_not_supported, `SET ${stmt.scope} TRANSACTION is not supported in this dialect`);
      if (!tx.inBlock()) return done('SET', [warning(SqlState.no_active_sql_transaction, 'SET TRANSACTION can only be used in transaction blocks')]);
      if (tx.started || tx.txn) {
        if (modes.isolation && modes.isolation !== tx.isolation) {
          throw new SbError(SqlState.active_sql_transaction, 'SET TRANSACTION ISOLATION LEVEL must be called before any query');
        }
        if (modes.readOnly === false && tx.readOnly) {
          throw new SbError(SqlState.active_sql_transaction, 'transaction read-write mode must be set before any query');
        }
        if (modes.readOnly === true && !tx.readOnly) {
          throw new SbError(SqlState.feature_not_supported, 'switching a running transaction to read only is not supported yet');
        }
        return done('SET');
      }
      if (modes.isolation) tx.isolation = modes.isolation;
      if (modes.readOnly !== undefined) tx.readOnly = modes.readOnly;
      return done('SET');
    }
    default:
      throw new SbError(SqlState.internal_error, `not a transaction statement: ${stmt.kind}`);
  }
}
