// Portals over the extended query protocol (in-memory transport): Execute
// with a row limit suspends the portal and the next Execute resumes from the
// next row, from the same open executor (the query is not run again); the
// portal ends at Close, at Sync outside a transaction block, and with its
// transaction; a runtime error mid-result comes after the rows already sent.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../host/engine/db.ts';
import { memoryDb } from '../../sql/helpers.ts';
import { type BackendMsg, fe, type MemoryWire, trustSession } from './wire_client.ts';

const ROWS = 5000;
let db: Database;

beforeAll(async () => {
  db = await memoryDb();
  await db.exec('CREATE TABLE t (id int PRIMARY KEY, v text)');
  await db.exec(`INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, ${ROWS}) g`);
  await db.exec('CREATE SEQUENCE sq');
});
afterAll(async () => {
  await db.close();
});

const connected = (): Promise<MemoryWire> => trustSession(db);

const types = (ms: BackendMsg[]): string => ms.map((m) => m.type).join('');
const rows = (ms: BackendMsg[]): Array<Array<string | null>> => ms.filter((m) => m.type === 'D').map((m) => m.values!);
const err = (ms: BackendMsg[]): Record<string, string> | undefined => ms.find((m) => m.type === 'E')?.fields;
/** Waits for n messages of the given type (Flush answers have no ReadyForQuery). */
const untilCount = (w: MemoryWire, type: string, n = 1): Promise<BackendMsg[]> => w.until((ms) => ms.filter((m) => m.type === type).length >= n || ms.some((m) => m.type === 'E'));

describe('portals', () => {
  it('a row limit suspends the portal; the next Execute resumes from the next row', async () => {
    const w = await connected();
    w.send(fe.parse('', 'SELECT id, v FROM t WHERE id <= $1'), fe.bind('', '', ['8']), fe.execute('', 3), fe.flush());
    let ms = await untilCount(w, 's');
    expect(types(ms)).toBe('12DDDs');
    expect(rows(ms)).toEqual([['1', 'v1'], ['2', 'v2'], ['3', 'v3']]);
    w.send(fe.execute('', 3), fe.flush());
    ms = await untilCount(w, 's');
    expect(rows(ms).map((r) => r[0])).toEqual(['4', '5', '6']);
    w.send(fe.execute('', 0), fe.sync());
    ms = await w.until();
    expect(types(ms)).toBe('DDCZ');
    expect(rows(ms).map((r) => r[0])).toEqual(['7', '8']);
    expect(ms.find((m) => m.type === 'C')?.text).toBe('SELECT 2');
    w.send(fe.terminate());
  });

  it('resuming does not run the query again (nextval advances once per row)', async () => {
    const w = await connected();
    w.send(fe.parse('n', "SELECT id, nextval('sq') FROM t WHERE id <= 10"), fe.bind('p', 'n', []));
    const got: string[] = [];
    for (let i = 0; i < 3; i++) {
      w.send(fe.execute('p', 4), fe.flush());
      const ms = await w.until((m) => m.some((x) => x.type === 's' || x.type === 'C' || x.type === 'E'));
      got.push(...rows(ms).map((r) => r[1]!));
    }
    w.send(fe.sync());
    await w.until();
    expect(got).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    w.send(fe.query("SELECT currval('sq')"));
    expect(rows(await w.until())).toEqual([['10']]);
    w.send(fe.terminate());
  });

  it('Close, Sync outside a block, and the end of the transaction end a portal', async () => {
    const w = await connected();
    w.send(fe.parse('s', 'SELECT id FROM t'), fe.bind('a', 's', []), fe.execute('a', 2), fe.close('P', 'a'), fe.execute('a', 2), fe.sync());
    let ms = await w.until();
    expect(types(ms)).toBe('12DDs3EZ');
    expect(err(ms)?.C).toBe('34000');

    w.send(fe.bind('b', 's', []), fe.execute('b', 2), fe.sync(), fe.execute('b', 2), fe.sync());
    ms = await w.until((m) => m.filter((x) => x.type === 'Z').length >= 2);
    expect(types(ms)).toBe('2DDsZEZ');
    expect(err(ms)?.C).toBe('34000');

    // In a transaction block the portal outlives Sync; COMMIT ends it.
    w.send(fe.query('BEGIN'));
    await w.until();
    w.send(fe.bind('c', 's', []), fe.execute('c', 2), fe.sync());
    ms = await w.until();
    expect(types(ms)).toBe('2DDsZ');
    w.send(fe.execute('c', 2), fe.sync());
    ms = await w.until();
    expect(rows(ms)).toEqual([['3'], ['4']]);
    w.send(fe.query('COMMIT'));
    await w.until();
    w.send(fe.execute('c', 2), fe.sync());
    ms = await w.until();
    expect(err(ms)?.C).toBe('34000');
    w.send(fe.terminate());
  });

  it('an unlimited Execute sends every row; a runtime error comes after the rows already sent', async () => {
    const w = await connected();
    w.send(fe.parse('', 'SELECT id FROM t'), fe.bind('', '', []), fe.execute('', 0), fe.sync());
    let ms = await w.until();
    expect(rows(ms).length).toBe(ROWS);
    expect(rows(ms).at(-1)).toEqual([String(ROWS)]);
    expect(ms.find((m) => m.type === 'C')?.text).toBe(`SELECT ${ROWS}`);

    w.send(fe.parse('', 'SELECT id, 1 / (id - 4000) FROM t'), fe.bind('', '', []), fe.execute('', 0), fe.sync());
    ms = await w.until();
    expect(err(ms)?.C).toBe('22012');
    const sent = rows(ms);
    // Rows of the batches before the failing one went out first (PostgreSQL sends up to row 3999).
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.length).toBeLessThan(4000);
    expect(sent.map((r) => Number(r[0]))).toEqual(Array.from({ length: sent.length }, (_, i) => i + 1));
    expect(types(ms).endsWith('EZ')).toBe(true);
    expect(ms.at(-1)?.text).toBe('I');
    w.send(fe.query('SELECT count(*) FROM t'));
    expect(rows(await w.until())).toEqual([[String(ROWS)]]);
    w.send(fe.terminate());
  });

  it('a failed transaction block refuses to resume a portal (25P02)', async () => {
    const w = await connected();
    w.send(fe.query('BEGIN'));
    await w.until();
    w.send(fe.parse('q', 'SELECT id FROM t'), fe.bind('d', 'q', []), fe.execute('d', 1), fe.sync());
    await w.until();
    w.send(fe.query('SELECT 1/0'));
    await w.until();
    w.send(fe.execute('d', 1), fe.sync());
    const ms = await w.until();
    expect(err(ms)?.C).toBe('25P02');
    w.send(fe.query('ROLLBACK'));
    expect((await w.until()).at(-1)?.text).toBe('I');
    w.send(fe.terminate());
  });

  it('a prepared read with a subquery sees the data of each execution (its operator tree is not reused with the subquery result in it)', async () => {
    const w = await connected();
    w.send(fe.query('CREATE TABLE sub_t (id int PRIMARY KEY)'), fe.query('INSERT INTO sub_t VALUES (1), (2)'));
    await w.until((ms) => ms.filter((m) => m.type === 'Z').length >= 2);
    w.send(fe.parse('mx', 'SELECT id FROM sub_t WHERE id = (SELECT max(id) FROM sub_t)'), fe.bind('', 'mx', []), fe.execute('', 0), fe.sync());
    expect(rows(await w.until())).toEqual([['2']]);
    w.send(fe.query('INSERT INTO sub_t VALUES (3)'));
    await w.until();
    w.send(fe.bind('', 'mx', []), fe.execute('', 0), fe.sync());
    expect(rows(await w.until())).toEqual([['3']]);
    w.send(fe.terminate());
  });
});

describe('streamed portal clocks', () => {
  it('statement_timestamp() of a streamed portal is its own statement start', async () => {
    const w = await connected();
    w.send(fe.query('SELECT 1'));
    await w.until();
    await new Promise((r) => setTimeout(r, 50));
    const before = Date.now();
    w.send(fe.parse('', "SELECT extract(epoch FROM statement_timestamp()) * 1000 FROM t WHERE id = 1"), fe.bind('', '', []), fe.execute('', 0), fe.sync());
    const ms = await w.until();
    const at = Number(rows(ms)[0]![0]);
    expect(at).toBeGreaterThanOrEqual(before - 5);
    w.send(fe.terminate());
  });
});
