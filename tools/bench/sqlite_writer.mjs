// Worker of storage_bench.ts: one better-sqlite3 connection doing durable
// single-row INSERT transactions until the deadline; reports its count.
import { parentPort, workerData } from 'node:worker_threads';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Database = require('better-sqlite3');
const { path, id, startAt, durationMs, keyBase } = workerData;
const db = new Database(path);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 30000');
const ins = db.prepare('INSERT INTO t (k, v) VALUES (?, ?)');
const one = db.transaction((k, v) => ins.run(k, v));
const value = Buffer.alloc(100, id + 1);
let n = 0;
let busy = 0;
// Start together: wait for the common start time.
while (Date.now() < startAt) { /* spin until the shared start */ }
const started = Date.now();
const end = started + durationMs;
while (Date.now() < end) {
  try {
    one(keyBase + n, value);
    n++;
  } catch (e) {
    if (e && e.code === 'SQLITE_BUSY') busy++;
    else throw e;
  }
}
db.close();
parentPort.postMessage({ id, commits: n, busy, started, ended: Date.now() });
