// What transactions and cursors need from the store, kept apart from the
// Store class so the pieces do not import each other in a circle.

import type { KeyLocks } from './key_locks.ts';
import type { Platform } from '../../platform/platform.ts';
import type { StorageKernel } from '../../storage/kernel.ts';
import type { ResolvedOptions } from './options.ts';
import type { Txn } from './txn.ts';

/** A key space: a table or an index. Keys are stored behind a 4-byte big-endian id. */
export interface Keyspace {
  readonly id: number;
  readonly name: string;
  readonly prefix: Uint8Array;
  /** The first key after the key space (the prefix of id + 1). */
  readonly endPrefix: Uint8Array;
  /**
   * The largest commit stamp of a commit that wrote this key space, set when
   * the commit is stamped (before it can become visible); at open or creation
   * the clock's stamp then ("unknown": assume just modified). The column
   * cache's validity rule (docs/design/columnar.md) rests on it.
   */
  modStamp: number;
}

export function keyspacePrefix(id: number): Uint8Array {
  const p = new Uint8Array(4);
  new DataView(p.buffer).setUint32(0, id, false);
  return p;
}

export function makeKeyspace(id: number, name: string, modStamp = 0): Keyspace {
  return { id, name, prefix: keyspacePrefix(id), endPrefix: keyspacePrefix(id + 1), modStamp };
}

export interface StoreStats {
  commits: number;
  readOnlyCommits: number;
  rollbacks: number;
  conflicts: number;
  serializationFailures: number;
  deadlocks: number;
  lockWaits: number;
  flushes: number;
  compactions: number;
  /** Versions no snapshot could see, dropped by flush or compaction. */
  gcVersionsDropped: number;
  /** Tombstones dropped at the bottom of the tree. */
  gcTombstonesDropped: number;
  /** Superseded writes of one transaction and aborted versions dropped. */
  gcSupersededDropped: number;
  gcSweeps: number;
  /** Bytes of run files deleted after compaction. */
  gcBytesReclaimed: number;
  bytesFlushed: number;
  bytesCompacted: number;
  writeStalls: number;
  walRecordsReplayed: number;
  walTornBytes: number;
}

export function emptyStats(): StoreStats {
  return {
    commits: 0, readOnlyCommits: 0, rollbacks: 0, conflicts: 0, serializationFailures: 0, deadlocks: 0, lockWaits: 0,
    flushes: 0, compactions: 0, gcVersionsDropped: 0, gcTombstonesDropped: 0, gcSupersededDropped: 0, gcSweeps: 0,
    gcBytesReclaimed: 0, bytesFlushed: 0, bytesCompacted: 0, writeStalls: 0, walRecordsReplayed: 0, walTornBytes: 0,
  };
}

export interface StoreCore {
  readonly kernel: StorageKernel;
  readonly platform: Platform;
  readonly options: ResolvedOptions;
  readonly stats: StoreStats;
  /** KEY SHARE locks of foreign-key checks and the key locks against them (key_locks.ts). */
  readonly keyLocks: KeyLocks;
  /** True when `txn` waiting for `blocker` would close a cycle of waits (row, table and, through the session layer, advisory locks). */
  closesWaitCycle(txn: Txn, blocker: Txn): boolean;
  /** A snapshot stamp for a new reader: every acknowledged commit, nothing in flight. */
  snapshotStamp(): number;
  txnBySlot(slot: number): Txn | undefined;
  /** Makes the transaction's id (Txn.id on first use). */
  assignId(txn: Txn): void;
  /** Before a transaction's first write: its id and a kernel slot. */
  startWriting(txn: Txn): void;
  commit(txn: Txn): Promise<void>;
  /** commit() of a transaction that wrote nothing, synchronously. */
  commitNoWrites(txn: Txn): void;
  abort(txn: Txn): void;
  /** Called after each successful write (memtable size check). */
  afterWrite(): void;
}
