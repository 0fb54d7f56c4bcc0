// Worker entry of parallel_bound.ts: worker threads do not inherit the tsx
// loader the main thread was started with, so register it, then load the
// TypeScript (its worker branch runs: isMainThread is false here).
import { register } from 'tsx/esm/api';

register();
await import('./parallel_bound.ts');
