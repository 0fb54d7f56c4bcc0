// mvcc.wasm: the TIP and the visibility rule on their own, for unit tests.
export * from '../common/exports';
export * from './exports';
