// REPEATABLE READ / SERIALIZABLE readers and DDL that committed after their
// snapshot.
//
// The catalog a statement binds with is always the newest committed one (as
// PostgreSQL's catalog snapshots are), while a REPEATABLE READ transaction
// reads rows with its old snapshot. Most DDL leaves that consistent, but not
// the forms that move or re-encode a table's rows: ADD PRIMARY KEY moves the
// table and its indexes to new key spaces (the rows there are invisible to
// the old snapshot), ALTER COLUMN ... TYPE re-encodes the rows (old versions
// no longer decode with the new types), and a new index has no entries the
// old snapshot can see. PostgreSQL avoids this with table locks: the ALTER
// waits for a transaction that has read the table, and one that had not yet
// read it sees a rewritten table as empty. ScratchBird takes no table
// locks, so such a reader gets 40001 (retry the transaction) instead of
// wrong rows or an internal error. The check reads the object's catalog
// entry ('$catalog', 'o' + OID) with the transaction's snapshot and compares
// what decides the storage: key spaces, primary key, column types.

import { SbError, SqlState } from '../sb_error.ts';
import type { Catalog } from '../catalog/catalog.ts';
import type { IndexObj, TableObj } from '../catalog/objects.ts';
import type { Txn } from '../store/index.ts';
import type { ExecContext } from './context.ts';

const dec = new TextDecoder();
/** Per transaction: the objects found unchanged, while the catalog stays the same. */
const checked = new WeakMap<Txn, { catalog: Catalog; ok: Set<number> }>();

function catalogKey(oid: number): Uint8Array {
  const k = new Uint8Array(5);
  k[0] = 0x6f; // 'o', as catalog_store.ts keys objects
  new DataView(k.buffer).setUint32(1, oid, false);
  return k;
}

/** Throws 40001 when the table (or the index about to be scanned) changed storage after the transaction's snapshot. */
export function checkSnapshotStorage(ctx: ExecContext, tableOid: number, indexOid?: number): void {
  const txn = ctx.txn;
  if (txn.isolation === 'read committed') return;
  let seen = checked.get(txn);
  if (!seen || seen.catalog !== ctx.catalog) checked.set(txn, (seen = { catalog: ctx.catalog, ok: new Set() }));
  const id = indexOid ?? tableOid;
  if (seen.ok.has(id)) return;
  const now = ctx.catalog.get(id) as TableObj | IndexObj | undefined;
  const ks = ctx.store.getKeyspace('$catalog');
  if (now && ks) {
    // Read for this check only: a SERIALIZABLE transaction must not validate the entry at commit (a
    // concurrent ANALYZE or GRANT rewrites it without touching a row the transaction read).
    const tracked = txn.readKeys;
    txn.readKeys = undefined;
    let bytes: Uint8Array | undefined;
    try {
      bytes = txn.get(ks, catalogKey(id));
    } finally {
      txn.readKeys = tracked;
    }
    const then = bytes ? (JSON.parse(dec.decode(bytes)) as TableObj | IndexObj) : undefined;
    const table = ctx.catalog.table(tableOid);
    if (indexOid !== undefined ? !then || then.keyspace !== now.keyspace : then && storageChanged(then as TableObj, now as TableObj)) {
      throw new SbError(SqlState.serialization_failure, `could not serialize access due to concurrent ALTER TABLE of "${table?.name ?? tableOid}"`, {
        detail: indexOid !== undefined && !then
          ? `Index "${now.name}" was created after the transaction's snapshot.`
          : "The table's storage changed after the transaction's snapshot.",
        hint: 'Retry the transaction.',
      });
    }
  }
  seen.ok.add(id);
}

function storageChanged(then: TableObj, now: TableObj): boolean {
  if (then.keyspace !== now.keyspace) return true;
  if (JSON.stringify(then.pk ?? null) !== JSON.stringify(now.pk ?? null)) return true;
  for (const c of then.columns) {
    const n = now.columns.find((x) => x.attnum === c.attnum);
    if (n && !n.dropped && !c.dropped && JSON.stringify(n.type) !== JSON.stringify(c.type)) return true;
  }
  return false;
}
