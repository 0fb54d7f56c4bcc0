// statement_timeout of a suspended portal, as PostgreSQL times it: the timer
// starts at the first message after a Sync and runs until the next Sync (or a
// completed Execute). An Execute that resumes a portal after a Sync gets the
// whole timeout again; one in the same message sequence counts on from the
// sequence's start (PostgreSQL reports the timeout even while idle between
// the messages; ScratchBird at the next Execute that runs the query).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../host/engine/db.ts';
import { memoryDb } from '../../sql/helpers.ts';
import { type BackendMsg, fe, type MemoryWire, trustSession } from './wire_client.ts';

const ROWS = 20000;
let db: Database;

beforeAll(async () => {
  db = await memoryDb();
  await db.exec('CREATE TABLE t (id int PRIMARY KEY, v text)');
  await db.exec(`INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, ${ROWS}) g`);
});
afterAll(async () => {
  await db.close();
});

const connected = (): Promise<MemoryWire> => trustSession(db);

const rows = (ms: BackendMsg[]): number => ms.filter((m) => m.type === 'D').length;
const err = (ms: BackendMsg[]): Record<string, string> | undefined => ms.find((m) => m.type === 'E')?.fields;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('statement_timeout of a suspended portal', () => {
  it('starts again at an Execute after a Sync', async () => {
    const w = await connected();
    // A short result, so that the resumed Execute itself stays far below the timeout even on a
    // loaded machine (with all 20,000 rows it took over 300 ms under a load of 20: a false failure).
    for (const sql of ['SET statement_timeout = 300', 'BEGIN']) {
      w.send(fe.query(sql));
      await w.until();
    }
    w.send(fe.parse('s', "SELECT id, v || 'x' FROM t ORDER BY id LIMIT 50"), fe.bind('p', 's', []), fe.execute('p', 2), fe.sync());
    let ms = await w.until();
    expect(rows(ms)).toBe(2);
    await sleep(450); // past the portal's first timeout
    w.send(fe.execute('p', 0), fe.sync());
    ms = await w.until();
    expect(err(ms)).toBeUndefined();
    expect(rows(ms)).toBe(48);
    w.send(fe.query('COMMIT'));
    await w.until();
    w.send(fe.terminate());
  });

  it('counts on from the start of the message sequence without a Sync', async () => {
    const w = await connected();
    w.send(fe.query('SET statement_timeout = 300'));
    await w.until();
    w.send(fe.parse('s', "SELECT id, v || 'x' FROM t"), fe.bind('p', 's', []), fe.execute('p', 2), fe.flush());
    await w.until((m) => m.some((x) => x.type === 's'));
    await sleep(450);
    w.send(fe.execute('p', 0), fe.sync());
    const ms = await w.until();
    expect(err(ms)?.C).toBe('57014');
    w.send(fe.terminate());
  });
});
