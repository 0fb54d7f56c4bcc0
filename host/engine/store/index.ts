// The embedded storage API (see store.ts).
export { Store } from './store.ts';
export { Txn, type BeginOptions, type TxnState } from './txn.ts';
export { ScanCursor, type ScanOptions, type RawVersion } from './scan_cursor.ts';
export type { Keyspace, StoreStats } from './store_core.ts';
export type { Isolation, StoreOptions } from './options.ts';
