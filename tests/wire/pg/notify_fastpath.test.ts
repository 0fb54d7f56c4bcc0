// pg_notify() through the pg driver (delivered at commit like NOTIFY, never
// after a rollback), and the FunctionCall fast-path message in raw protocol
// bytes (pg has no fast-path API).

import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../host/engine/db.ts';
import { PgServerState } from '../../../host/wire/pg/server_state.ts';
import { memoryDb } from '../../sql/helpers.ts';
import { PASSWORD, startTestServer, type TestServer } from './server_helper.ts';
import { type BackendMsg, fe, MemoryWire, msg } from './wire_client.ts';

describe('pg_notify()', () => {
  let srv: TestServer;
  let listener: pg.Client;
  let sender: pg.Client;
  const got: pg.Notification[] = [];

  beforeAll(async () => {
    srv = await startTestServer();
    const opts = { host: '127.0.0.1', port: srv.port, user: 'sysdba', password: PASSWORD, database: 'scratchbird' };
    listener = new pg.Client(opts);
    sender = new pg.Client(opts);
    await listener.connect();
    await sender.connect();
    listener.on('notification', (n) => got.push(n));
    await listener.query('LISTEN jobs');
  });
  afterAll(async () => {
    await listener?.end();
    await sender?.end();
    await srv?.stop();
  });

  /** Waits for the listener to have `n` notifications (or gives up after 5 s). */
  async function waitFor(n: number): Promise<void> {
    for (let i = 0; i < 500 && got.length < n; i++) await new Promise((r) => setTimeout(r, 10));
    // The listener reads notifications between its own queries: a round trip lets a late one arrive.
    await listener.query('SELECT 1');
  }

  it('an autocommit SELECT pg_notify() is delivered with the sender pid', async () => {
    const pid = (await sender.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    const r = await sender.query(`SELECT pg_notify('jobs', 'hello') AS v`);
    // void: PostgreSQL sends an empty string, ScratchBird NULL (as for every void function).
    expect(r.rows).toHaveLength(1);
    await waitFor(1);
    expect(got.map((n) => [n.channel, n.payload, n.processId])).toEqual([['jobs', 'hello', pid]]);
  });

  it('in a block: delivered at COMMIT, dropped at ROLLBACK; a NULL payload is empty', async () => {
    got.length = 0;
    await sender.query('BEGIN');
    await sender.query(`SELECT pg_notify('jobs', 'in-tx')`);
    await sender.query(`SELECT pg_notify('other', 'not listened')`);
    await listener.query('SELECT 1');
    await new Promise((r) => setTimeout(r, 50));
    expect(got).toEqual([]);
    await sender.query('COMMIT');
    await waitFor(1);
    expect(got.map((n) => n.payload)).toEqual(['in-tx']);
    await sender.query('BEGIN');
    await sender.query(`SELECT pg_notify('jobs', 'rolled back')`);
    await sender.query('ROLLBACK');
    await sender.query(`SELECT pg_notify('jobs', NULL)`);
    await waitFor(2);
    expect(got.map((n) => n.payload)).toEqual(['in-tx', '']);
  });

  it('rows of a query each notify (pg_notify per row), in order', async () => {
    got.length = 0;
    await sender.query(`SELECT pg_notify('jobs', 'n' || g) FROM generate_series(1, 3) AS g`);
    await waitFor(3);
    expect(got.map((n) => n.payload)).toEqual(['n1', 'n2', 'n3']);
  });

  it('bad channel names and payloads fail with 22023', async () => {
    for (const sql of [`SELECT pg_notify('', 'x')`, `SELECT pg_notify(NULL, 'x')`, `SELECT pg_notify(repeat('c', 64), 'x')`, `SELECT pg_notify('jobs', repeat('p', 8000))`]) {
      await expect(sender.query(sql), sql).rejects.toMatchObject({ code: '22023' });
    }
  });
});

describe('FunctionCall (fast path)', () => {
  let db: Database;
  let w: MemoryWire;
  const enc = new TextEncoder();

  const i16 = (n: number): Uint8Array => new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
  const i32 = (n: number): Uint8Array => {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setInt32(0, n);
    return b;
  };
  /** 'F': function oid, argument formats, arguments, result format. */
  function functionCall(oid: number, args: Array<Uint8Array | string | null>, argFormats: number[], resultFormat: number): Uint8Array {
    const vals = args.flatMap((a) => {
      if (a === null) return [i32(-1)];
      const b = typeof a === 'string' ? enc.encode(a) : a;
      return [i32(b.length), b];
    });
    return msg('F', i32(oid), i16(argFormats.length), ...argFormats.map(i16), i16(args.length), ...vals, i16(resultFormat));
  }
  /** The FunctionCallResponse's value (null for NULL), or the error fields. */
  function answer(ms: BackendMsg[]): { value: Uint8Array | null } | { error: Record<string, string> } {
    expect(ms.at(-1)?.type).toBe('Z');
    const e = ms.find((m) => m.type === 'E');
    if (e) return { error: e.fields! };
    const v = ms.find((m) => m.type === 'V')!;
    const dv = new DataView(v.body.buffer, v.body.byteOffset, v.body.length);
    const len = dv.getInt32(0);
    return { value: len < 0 ? null : v.body.slice(4, 4 + len) };
  }
  async function call(oid: number, args: Array<Uint8Array | string | null>, argFormats: number[] = [], resultFormat = 0) {
    w.send(functionCall(oid, args, argFormats, resultFormat));
    return answer(await w.until());
  }
  async function query(sql: string): Promise<BackendMsg[]> {
    w.send(fe.query(sql));
    return w.until();
  }
  /** The pg_proc oid of name(argtypes), argument type oids separated by spaces as oidvector prints them. */
  async function procOid(name: string, argtypes: string): Promise<number> {
    const ms = await query(`SELECT oid, proargtypes::text FROM pg_proc WHERE proname = '${name}'`);
    const rows = ms.filter((m) => m.type === 'D' && m.values![1]!.replace(/[{}]/g, '').replace(/,/g, ' ') === argtypes);
    expect(rows.length, `${name}(${argtypes})`).toBe(1);
    return Number(rows[0]!.values![0]);
  }

  beforeAll(async () => {
    db = await memoryDb();
    const quiet = { debug() {}, info() {}, warn() {}, error() {} };
    const state = new PgServerState(db, quiet, { hba: [{ database: 'all', user: 'all', address: 'all', method: 'trust' }] });
    w = new MemoryWire(state);
    w.send(fe.startup({ user: 'sysdba', database: 'scratchbird' }));
    expect((await w.until()).at(-1)?.text).toBe('I');
  });
  afterAll(async () => {
    await db?.close();
  });

  it('calls a function by its pg_proc oid with text arguments and a text result', async () => {
    const upper = await procOid('upper', '25');
    const r = await call(upper, ['hello, wörld']);
    expect(r).toEqual({ value: enc.encode('HELLO, WöRLD') }); // the C locale's upper(), as PostgreSQL initdb --locale=C

  });

  it('binary arguments and a binary result; NULL into a strict function gives NULL', async () => {
    const abs = await procOid('abs', '23');
    const r = await call(abs, [i32(-42)], [1], 1);
    expect(r).toEqual({ value: i32(42) });
    expect(await call(abs, [null], [1], 1)).toEqual({ value: null });
    // One format code applies to every argument; the result may be text while the arguments are binary.
    const left = await procOid('left', '25 23');
    expect(await call(left, [enc.encode('abcdef'), i32(3)], [1], 0)).toEqual({ value: enc.encode('abc') });
    expect(await call(left, [enc.encode('abcdef'), '2'], [1, 0], 0)).toEqual({ value: enc.encode('ab') });
  });

  it('errors: unknown oid 42883, wrong argument count 08P01, bad input 22P02, set-returning 0A000; the session goes on', async () => {
    expect(await call(999_999_999, [])).toMatchObject({ error: { C: '42883', M: 'function with OID 999999999 does not exist' } });
    const abs = await procOid('abs', '23');
    expect(await call(abs, ['1', '2'])).toMatchObject({ error: { C: '08P01' } });
    expect(await call(abs, ['one'])).toMatchObject({ error: { C: '22P02' } });
    const series = await procOid('generate_series', '23 23');
    expect(await call(series, ['1', '3'])).toMatchObject({ error: { C: '0A000' } });
    const ms = await query('SELECT 1');
    expect(ms.find((m) => m.type === 'D')?.values).toEqual(['1']);
  });

  it('runs in the transaction block; a failed block refuses it with 25P02', async () => {
    const upper = await procOid('upper', '25');
    expect((await query('BEGIN')).at(-1)?.text).toBe('T');
    w.send(functionCall(upper, ['x'], [], 0));
    const ms = await w.until();
    expect(ms.at(-1)?.text).toBe('T');
    expect(answer(ms)).toEqual({ value: enc.encode('X') });
    expect((await query('SELECT 1/0')).at(-1)?.text).toBe('E');
    expect(await call(upper, ['x'])).toMatchObject({ error: { C: '25P02' } });
    expect((await query('ROLLBACK')).at(-1)?.text).toBe('I');
  });

  it('pg_notify through the fast path returns void (an empty value) and notifies a listener on commit', async () => {
    const notify = await procOid('pg_notify', '25 25');
    await query('LISTEN fp');
    w.send(functionCall(notify, ['fp', 'via fastpath'], [], 0));
    const ms = await w.until();
    expect(answer(ms)).toEqual({ value: new Uint8Array(0) });
    const a = ms.find((m) => m.type === 'A');
    expect(a, 'NotificationResponse').toBeDefined();
    expect(new TextDecoder().decode(a!.body.subarray(4))).toBe('fp\0via fastpath\0');
  });
});
