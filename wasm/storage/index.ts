// storage.wasm: the transaction-tier storage kernel.
//
// Every export returns a status (common/status.ts) or a plain number; further
// results go through the result area. Stamps cross the boundary as f64 holding
// exact integers below 2^53 (host/engine/ids/hlc.ts). See ARCHITECTURE.md for
// the host side.

export * from '../common/exports';
export * from '../mvcc/exports';
export * from './exports';
