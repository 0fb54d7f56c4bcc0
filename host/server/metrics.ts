// GET /metrics in Prometheus text format (exposition format 0.0.4): the
// spec's tx_engine_* figures that the embedded engine has, plus per-protocol
// connection, error and query counters.

import type { Database } from '../engine/db.ts';
import { Histogram, type PgServerState } from '../wire/pg/server_state.ts';
import type { WireWriterStats } from './wire_writer.ts';

class Lines {
  readonly out: string[] = [];
  metric(name: string, type: 'counter' | 'gauge' | 'histogram', help: string): this {
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    return this;
  }
  value(name: string, v: number, labels: Record<string, string> = {}): this {
    const l = Object.entries(labels).map(([k, x]) => `${k}="${x.replace(/["\\\n]/g, (c) => (c === '\n' ? '\\n' : '\\' + c))}"`);
    this.out.push(`${name}${l.length > 0 ? `{${l.join(',')}}` : ''} ${Number.isFinite(v) ? v : 0}`);
    return this;
  }
  histogram(name: string, help: string, h: Histogram, labels: Record<string, string> = {}): this {
    this.metric(name, 'histogram', help);
    Histogram.BUCKETS_S.forEach((b, i) => this.value(`${name}_bucket`, h.counts[i]!, { ...labels, le: String(b) }));
    this.value(`${name}_bucket`, h.count, { ...labels, le: '+Inf' });
    this.value(`${name}_sum`, h.sum, labels);
    this.value(`${name}_count`, h.count, labels);
    return this;
  }
}

export function renderMetrics(db: Database, pg: PgServerState | undefined, startedMs: number, writer?: WireWriterStats): string {
  const s = db.store.stats;
  const m = new Lines();
  m.metric('tx_engine_transactions_total', 'counter', 'Transactions ended, by outcome (store level, read-only commits included).');
  m.value('tx_engine_transactions_total', s.commits + s.readOnlyCommits + s.rollbacks);
  m.metric('tx_engine_transactions_committed_total', 'counter', 'Transactions committed.');
  m.value('tx_engine_transactions_committed_total', s.commits + s.readOnlyCommits);
  m.metric('tx_engine_transactions_rolled_back_total', 'counter', 'Transactions rolled back.');
  m.value('tx_engine_transactions_rolled_back_total', s.rollbacks);
  m.metric('tx_engine_conflicts_total', 'counter', 'Write conflicts, serialization failures and deadlocks.');
  m.value('tx_engine_conflicts_total', s.conflicts, { kind: 'write' });
  m.value('tx_engine_conflicts_total', s.serializationFailures, { kind: 'serialization' });
  m.value('tx_engine_conflicts_total', s.deadlocks, { kind: 'deadlock' });
  m.metric('tx_engine_flushes_total', 'counter', 'Memtable flushes to sorted runs.').value('tx_engine_flushes_total', s.flushes);
  m.metric('tx_engine_compactions_total', 'counter', 'Compactions of sorted runs.').value('tx_engine_compactions_total', s.compactions);
  const w = db.store.wal.stats;
  m.metric('tx_engine_wal_writes_total', 'counter', 'Durable WAL writes (group-commit batches), and those started while an earlier one was still in flight.');
  m.value('tx_engine_wal_writes_total', w.batches, { kind: 'all' });
  m.value('tx_engine_wal_writes_total', w.overlapped, { kind: 'overlapped' });
  m.metric('tx_engine_wal_records_total', 'counter', 'Commit records made durable in the WAL.').value('tx_engine_wal_records_total', w.records);
  m.metric('tx_engine_wal_bytes_total', 'counter', 'Bytes made durable in the WAL.').value('tx_engine_wal_bytes_total', w.bytes);
  try {
    const mem = db.store.memoryStats();
    m.metric('tx_engine_cache_hits_total', 'counter', 'Block cache hits.').value('tx_engine_cache_hits_total', mem.cacheHits);
    m.metric('tx_engine_cache_misses_total', 'counter', 'Block cache misses.').value('tx_engine_cache_misses_total', mem.cacheMisses);
    m.metric('tx_engine_cache_warmed_blocks_total', 'counter', 'Blocks read into the block cache ahead of readers (new runs).').value('tx_engine_cache_warmed_blocks_total', mem.cacheWarmed);
    m.metric('tx_engine_memory_used_bytes', 'gauge', 'Memory in use by the storage kernel, by area.');
    m.value('tx_engine_memory_used_bytes', mem.kernelBytes, { area: 'kernel' });
    m.value('tx_engine_memory_used_bytes', mem.activeMemtableBytes + mem.frozenMemtableBytes, { area: 'memtable' });
    m.value('tx_engine_memory_used_bytes', mem.cacheUsed, { area: 'block_cache' });
  } catch {
    // a closed store has no memory figures
  }
  if (pg) {
    const c = pg.counters;
    m.metric('tx_engine_connections_active', 'gauge', 'Authenticated sessions, by protocol and state.');
    m.value('tx_engine_connections_active', pg.active, { protocol: 'postgresql', state: 'all' });
    m.value('tx_engine_connections_active', pg.idle, { protocol: 'postgresql', state: 'idle' });
    m.metric('tx_engine_connections_open', 'gauge', 'Open sockets, authenticated or not.').value('tx_engine_connections_open', pg.open, { protocol: 'postgresql' });
    m.metric('tx_engine_connections_total', 'counter', 'Connections accepted.').value('tx_engine_connections_total', c.connectionsTotal, { protocol: 'postgresql' });
    m.metric('tx_engine_connections_rejected_total', 'counter', 'Connections refused by connections_max.').value('tx_engine_connections_rejected_total', c.connectionsRejected, { protocol: 'postgresql' });
    m.metric('tx_engine_auth_failures_total', 'counter', 'Failed logins.').value('tx_engine_auth_failures_total', c.authFailures, { protocol: 'postgresql' });
    m.metric('tx_engine_input_pauses_total', 'counter', 'Times a connection stopped reading: it sent more than message_bytes_max + 1 MiB ahead of what ran.').value('tx_engine_input_pauses_total', c.inputPauses, { protocol: 'postgresql' });
    m.metric('tx_engine_errors_total', 'counter', 'Errors sent to clients, by SQLSTATE class.');
    for (const [cls, n] of [...c.errorsByClass].sort()) m.value('tx_engine_errors_total', n, { protocol: 'postgresql', sqlstate_class: cls });
    m.metric('tx_engine_queries_total', 'counter', 'Statements run.').value('tx_engine_queries_total', c.queriesTotal, { protocol: 'postgresql' });
    m.histogram('tx_engine_query_duration_seconds', 'Statement run time.', c.queryDuration, { protocol: 'postgresql' });
    m.metric('tx_engine_session_transactions_total', 'counter', 'Client transactions ended, by outcome.');
    m.value('tx_engine_session_transactions_total', c.transactionsCommitted, { protocol: 'postgresql', outcome: 'committed' });
    m.value('tx_engine_session_transactions_total', c.transactionsRolledBack, { protocol: 'postgresql', outcome: 'rolled_back' });
    m.histogram('tx_engine_transaction_duration_seconds', 'Duration of transaction blocks (BEGIN to COMMIT/ROLLBACK).', c.transactionDuration, { protocol: 'postgresql' });
  }
  if (writer) {
    m.metric('tx_engine_wire_writer_total', 'counter', 'The PostgreSQL socket writer thread: its write(2) calls, ring entries, wake-ups, hand-backs to the main thread, and writes made on the main thread instead.');
    m.value('tx_engine_wire_writer_total', writer.writes, { protocol: 'postgresql', event: 'thread_write' });
    m.value('tx_engine_wire_writer_total', writer.entries, { protocol: 'postgresql', event: 'ring_entry' });
    m.value('tx_engine_wire_writer_total', writer.wakeups, { protocol: 'postgresql', event: 'wakeup' });
    m.value('tx_engine_wire_writer_total', writer.handedBack, { protocol: 'postgresql', event: 'handed_back' });
    m.value('tx_engine_wire_writer_total', writer.inline, { protocol: 'postgresql', event: 'main_thread_write' });
  }
  m.metric('tx_engine_uptime_seconds', 'gauge', 'Seconds since the server started.').value('tx_engine_uptime_seconds', (Date.now() - startedMs) / 1000);
  return m.out.join('\n') + '\n';
}
