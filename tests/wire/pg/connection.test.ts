// The connection state machine over an in-memory transport: startup, auth
// methods, simple and extended query, errors, limits, malformed input.

import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import type { Database } from '../../../host/engine/db.ts';
import { PgServerState, type PgServerConfig } from '../../../host/wire/pg/server_state.ts';
import { setPassword } from '../../../host/server/roles.ts';
import { md5 as md5Hex } from '../../../host/engine/functions/digest.ts';
import { memoryDb } from '../../sql/helpers.ts';
import { type BackendMsg, fe, MemoryWire, msg, parseBackend } from './wire_client.ts';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let db: Database;

beforeAll(async () => {
  db = await memoryDb();
  await setPassword(db, 'sysdba', 'secret');
  await db.exec("CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(8,2))");
  await db.exec("INSERT INTO items VALUES (1, 'apple', 1.50), (2, 'pear', 2.25), (3, 'plum', NULL)");
});
afterAll(async () => {
  await db.close();
});

function state(cfg: Partial<PgServerConfig> = {}): PgServerState {
  return new PgServerState(db, quiet, { hba: [{ database: 'all', user: 'all', address: 'all', method: 'trust' }], ...cfg });
}

async function connected(cfg: Partial<PgServerConfig> = {}): Promise<MemoryWire> {
  const w = new MemoryWire(state(cfg));
  w.send(fe.startup({ user: 'sysdba', database: 'scratchbird' }));
  const ms = await w.until();
  expect(ms.at(-1)?.text).toBe('I');
  return w;
}

const types = (ms: BackendMsg[]): string => ms.map((m) => m.type).join('');
const err = (ms: BackendMsg[]): Record<string, string> | undefined => ms.find((m) => m.type === 'E')?.fields;

describe('startup', () => {
  it('answers SSLRequest and GSSENCRequest with one byte N, then starts', async () => {
    const w = new MemoryWire(state());
    w.send(fe.sslRequest());
    await new Promise((r) => setTimeout(r, 10));
    expect([...w.take()]).toEqual([0x4e]);
    w.send(fe.gssencRequest());
    await new Promise((r) => setTimeout(r, 10));
    expect([...w.take()]).toEqual([0x4e]);
    w.send(fe.startup({ user: 'sysdba', database: 'scratchbird', application_name: 'tests', bogus_param: 'x' }));
    const ms = await w.until();
    expect(types(ms)).toMatch(/^RS+KZ$/);
    const ps = Object.fromEntries(ms.filter((m) => m.type === 'S').map((m) => {
      const s = new TextDecoder().decode(m.body).split('\0');
      return [s[0], s[1]];
    }));
    expect(ps).toMatchObject({
      server_version: '16.0', server_encoding: 'UTF8', client_encoding: 'UTF8', DateStyle: 'ISO, MDY', TimeZone: 'UTC',
      integer_datetimes: 'on', standard_conforming_strings: 'on', application_name: 'tests', is_superuser: 'on', session_authorization: 'sysdba',
    });
  });

  it('refuses a missing user (28000), an unknown database (3D000) and a non-UTF8 client encoding (22021), with FATAL', async () => {
    for (const [params, code] of [
      [{ database: 'scratchbird' }, '28000'],
      [{ user: 'sysdba', database: 'nope' }, '3D000'],
      [{ user: 'sysdba', database: 'scratchbird', client_encoding: 'LATIN1' }, '22021'],
      [{ user: 'nobody', database: 'scratchbird' }, '28000'],
    ] as const) {
      const w = new MemoryWire(state());
      w.send(fe.startup(params as Record<string, string>));
      const ms = await w.until(() => false);
      expect(err(ms)?.C).toBe(code);
      expect(err(ms)?.S).toBe('FATAL');
      expect(w.closed).toBe(true);
    }
  });

  it('answers a newer protocol minor or _pq_ options with NegotiateProtocolVersion (3.0) and goes on', async () => {
    const w = new MemoryWire(state());
    w.send(fe.startup({ user: 'sysdba', database: 'scratchbird', '_pq_.future': 'x' }, 0x30002));
    const ms = await w.until();
    expect(types(ms)).toMatch(/^vRS+KZ$/);
    const v = new DataView(ms[0]!.body.buffer, ms[0]!.body.byteOffset, ms[0]!.body.length);
    expect([v.getInt32(0), v.getInt32(4)]).toEqual([0x30000, 1]);
    expect(new TextDecoder().decode(ms[0]!.body.subarray(8))).toBe('_pq_.future\0');
  });

  it('applies startup settings and options -c', async () => {
    const w = new MemoryWire(state());
    w.send(fe.startup({ user: 'sysdba', database: 'scratchbird', options: '-c search_path=public --TimeZone=Europe/Paris', DateStyle: 'ISO, DMY' }));
    await w.until();
    w.send(fe.query('SHOW TimeZone; SHOW DateStyle'));
    const ms = await w.until();
    expect(ms.filter((m) => m.type === 'D').map((m) => m.values![0])).toEqual(['Europe/Paris', 'ISO, DMY']);
  });

  it('refuses a connection over connections_max with 53300', async () => {
    const st = state({ connectionsMax: 2 });
    const ws = [new MemoryWire(st), new MemoryWire(st), new MemoryWire(st)];
    for (const w of ws) {
      w.send(fe.startup({ user: 'sysdba', database: 'scratchbird' }));
      await w.until(() => false, 300).catch(() => []);
    }
    expect(ws[2]!.closed).toBe(true);
    expect(ws[0]!.closed).toBe(false);
    expect(st.counters.connectionsRejected).toBe(1);
  });
});

describe('authentication', () => {
  it('md5: with an md5-stored password; wrong password is 28P01', async () => {
    await setPassword(db, 'sysdba', 'secret', 'md5');
    try {
      for (const [pw, ok] of [['secret', true], ['nope', false]] as const) {
        const w = new MemoryWire(state({ hba: [{ database: 'all', user: 'all', address: 'all', method: 'md5' }] }));
        w.send(fe.startup({ user: 'sysdba', database: 'scratchbird' }));
        const [r] = await w.until((ms) => ms.length > 0);
        expect(new DataView(r!.body.buffer, r!.body.byteOffset).getInt32(0)).toBe(5);
        const salt = r!.body.subarray(4, 8);
        const inner = md5Hex(pw + 'sysdba');
        const outer = md5Hex(Buffer.concat([Buffer.from(inner), Buffer.from(salt)]));
        w.send(fe.password('md5' + outer));
        const ms = await w.until((x) => x.some((m) => m.type === 'Z' || m.type === 'E'));
        if (ok) expect(ms.at(-1)?.text).toBe('I');
        else expect(err(ms)?.C).toBe('28P01');
      }
    } finally {
      await setPassword(db, 'sysdba', 'secret');
    }
  });

  it('scram-sha-256 over the connection, also when md5 is asked for and the password is a SCRAM verifier', async () => {
    for (const method of ['scram-sha-256', 'md5'] as const) {
      const w = new MemoryWire(state({ hba: [{ database: 'all', user: 'all', address: 'all', method }] }));
      w.send(fe.startup({ user: 'sysdba', database: 'scratchbird' }));
      const [r] = await w.until((ms) => ms.length > 0);
      expect(new TextDecoder().decode(r!.body.subarray(4))).toBe('SCRAM-SHA-256\0\0');
      const cfb = 'n=,r=abcdefghijklmnop';
      w.send(fe.saslInitial('SCRAM-SHA-256', Buffer.from('n,,' + cfb)));
      const [c] = await w.until((ms) => ms.length > 0);
      const serverFirst = new TextDecoder().decode(c!.body.subarray(4));
      const a = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
      const salted = pbkdf2Sync('secret', Buffer.from(a.s!, 'base64'), Number(a.i), 32, 'sha256');
      const ck = createHmac('sha256', salted).update('Client Key').digest();
      const sk = createHash('sha256').update(ck).digest();
      const wp = `c=biws,r=${a.r}`;
      const sig = createHmac('sha256', sk).update(`${cfb},${serverFirst},${wp}`).digest();
      const proof = Buffer.from(ck.map((x, i) => x ^ sig[i]!));
      w.send(fe.saslResponse(Buffer.from(`${wp},p=${proof.toString('base64')}`)));
      const ms = await w.until();
      expect(types(ms)).toMatch(/^RRS+KZ$/);
    }
  });

  it('hba: reject and no matching rule are 28000; password method checks the SCRAM verifier', async () => {
    let w = new MemoryWire(state({ hba: [{ database: 'all', user: 'all', address: '10.0.0.0/8', method: 'trust' }] }));
    w.send(fe.startup({ user: 'sysdba', database: 'scratchbird' }));
    expect(err(await w.until(() => false))?.C).toBe('28000');
    w = new MemoryWire(state({ hba: [{ database: 'all', user: 'sysdba', address: 'loopback', method: 'reject' }] }));
    w.send(fe.startup({ user: 'sysdba', database: 'scratchbird' }));
    expect(err(await w.until(() => false))?.C).toBe('28000');
    w = new MemoryWire(state({ hba: [{ database: 'all', user: 'all', address: 'all', method: 'password' }] }));
    w.send(fe.startup({ user: 'sysdba', database: 'scratchbird' }));
    await w.until((ms) => ms.length > 0);
    w.send(fe.password('secret'));
    expect((await w.until()).at(-1)?.text).toBe('I');
  });
});

describe('simple query', () => {
  it('runs several statements, streaming each result with exact tags', async () => {
    const w = await connected();
    w.send(fe.query("CREATE TABLE sq (a int, b text); INSERT INTO sq VALUES (1, 'x'), (2, NULL); UPDATE sq SET b = 'y' WHERE a = 2; SELECT a, b FROM sq ORDER BY a; DELETE FROM sq"));
    const ms = await w.until();
    expect(ms.filter((m) => m.type === 'C').map((m) => m.text)).toEqual(['CREATE TABLE', 'INSERT 0 2', 'UPDATE 1', 'SELECT 2', 'DELETE 2']);
    expect(ms.filter((m) => m.type === 'D').map((m) => m.values)).toEqual([['1', 'x'], ['2', 'y']]);
    expect(ms.find((m) => m.type === 'T')!.columns).toEqual([['a', 23, 0], ['b', 25, 0]]);
    expect(ms.at(-1)!.text).toBe('I');
  });

  it('an empty query gives EmptyQueryResponse', async () => {
    const w = await connected();
    w.send(fe.query('  ;  '));
    expect(types(await w.until())).toBe('IZ');
    w.send(fe.query(''));
    expect(types(await w.until())).toBe('IZ');
  });

  it('an error stops the message: earlier results are sent, the implicit transaction rolls back', async () => {
    const w = await connected();
    w.send(fe.query('CREATE TABLE er (a int); INSERT INTO er VALUES (1); SELECT * FROM nope; INSERT INTO er VALUES (2)'));
    const ms = await w.until();
    expect(types(ms)).toBe('CCEZ');
    expect(err(ms)).toMatchObject({ S: 'ERROR', C: '42P01' });
    expect(Number(err(ms)!.P)).toBeGreaterThan(0);
    w.send(fe.query("SELECT count(*) FROM er"));
    expect(err(await w.until())?.C).toBe('42P01');
  });

  it('ReadyForQuery carries I, T and E', async () => {
    const w = await connected();
    const status = async (sql: string): Promise<string> => {
      w.send(fe.query(sql));
      return (await w.until()).at(-1)!.text!;
    };
    expect(await status('BEGIN')).toBe('T');
    expect(await status('SELECT 1')).toBe('T');
    expect(await status('SELECT 1/0')).toBe('E');
    expect(await status('SELECT 1')).toBe('E');
    expect(await status('ROLLBACK')).toBe('I');
  });

  it('notices go out as NoticeResponse', async () => {
    const w = await connected();
    w.send(fe.query('DROP TABLE IF EXISTS no_such_table'));
    const ms = await w.until();
    expect(types(ms)).toBe('NCZ');
    expect(ms[0]!.fields!.S).toBe('NOTICE');
  });
});

describe('extended query', () => {
  it('parse, describe, bind, execute with a row limit, portal suspended, sync', async () => {
    const w = await connected();
    w.send(fe.parse('s1', 'SELECT id, name FROM items WHERE id >= $1 ORDER BY id'), fe.describe('S', 's1'), fe.bind('', 's1', ['1']), fe.describe('P', ''), fe.execute('', 2), fe.execute('', 2), fe.sync());
    const ms = await w.until();
    expect(types(ms)).toBe('1tT2TDDsDCZ');
    const t = ms[1]!.body;
    expect(new DataView(t.buffer, t.byteOffset).getInt32(2)).toBe(23);
    expect(ms.filter((m) => m.type === 'D').map((m) => m.values![1])).toEqual(['apple', 'pear', 'plum']);
    expect(ms.find((m) => m.type === 'C')!.text).toBe('SELECT 1');
  });

  it('binary parameters and results', async () => {
    const w = await connected();
    const p = new Uint8Array([0, 0, 0, 2]);
    w.send(fe.parse('', 'SELECT id, price FROM items WHERE id = $1', [23]), fe.bind('', '', [p], [1], [1]), fe.describe('P', ''), fe.execute(''), fe.sync());
    const ms = await w.until();
    expect(types(ms)).toBe('12TDCZ');
    expect(ms[2]!.columns).toEqual([['id', 23, 1], ['price', 1700, 1]]);
    const d = ms[3]!.body;
    const dv = new DataView(d.buffer, d.byteOffset, d.length);
    expect(dv.getInt16(0)).toBe(2);
    expect(dv.getInt32(2)).toBe(4);
    expect(dv.getInt32(6)).toBe(2);
  });

  it('after an error everything up to Sync is skipped; statements and portals are named or unnamed', async () => {
    const w = await connected();
    w.send(fe.parse('bad', 'SELEC 1'), fe.bind('', 'bad', []), fe.execute(''), fe.sync());
    let ms = await w.until();
    expect(types(ms)).toBe('EZ');
    expect(err(ms)?.C).toBe('42601');
    w.send(fe.parse('n1', 'SELECT 1'), fe.parse('n1', 'SELECT 2'), fe.sync());
    ms = await w.until();
    expect(types(ms)).toBe('1EZ');
    expect(err(ms)?.C).toBe('42P05');
    w.send(fe.bind('', 'nope', []), fe.sync(), fe.bind('', 'n1', ['x']), fe.sync(), fe.execute('nope'), fe.sync());
    ms = await w.until((x) => x.filter((m) => m.type === 'Z').length === 3);
    expect(ms.filter((m) => m.type === 'E').map((m) => m.fields!.C)).toEqual(['26000', '08P01', '34000']);
    w.send(fe.close('S', 'n1'), fe.close('S', 'never'), fe.bind('', 'n1', []), fe.sync());
    ms = await w.until();
    expect(types(ms)).toBe('33EZ');
  });

  it('Describe of a statement without result gives NoData; the empty statement gives EmptyQueryResponse', async () => {
    const w = await connected();
    w.send(fe.parse('', 'INSERT INTO items VALUES ($1, $2, $3)'), fe.describe('S', ''), fe.parse('e', ''), fe.bind('', 'e', []), fe.execute(''), fe.sync());
    const ms = await w.until();
    expect(types(ms)).toBe('1tn12IZ');
    const pd = ms[1]!.body;
    const v = new DataView(pd.buffer, pd.byteOffset, pd.length);
    expect([v.getInt16(0), v.getInt32(2), v.getInt32(6), v.getInt32(10)]).toEqual([3, 23, 25, 1700]);
  });
});

describe('extended query transactions', () => {
  it('messages up to Sync run in one implicit transaction: an error rolls back the earlier ones', async () => {
    const w = await connected();
    w.send(fe.query('CREATE TABLE imp (a int PRIMARY KEY)'));
    await w.until();
    const ins = (v: string): Uint8Array[] => [fe.parse('', 'INSERT INTO imp VALUES ($1)'), fe.bind('', '', [v]), fe.execute('')];
    w.send(...ins('1'), ...ins('2'), fe.sync());
    let ms = await w.until();
    expect(types(ms)).toBe('12C12CZ');
    expect(ms.at(-1)!.text).toBe('I');
    w.send(...ins('3'), ...ins('1'), ...ins('4'), fe.sync());
    ms = await w.until();
    expect(types(ms)).toBe('12C12EZ');
    expect(err(ms)?.C).toBe('23505');
    expect(ms.at(-1)!.text).toBe('I');
    w.send(fe.query('SELECT a FROM imp ORDER BY a'));
    ms = await w.until();
    expect(ms.filter((m) => m.type === 'D').map((m) => m.values![0])).toEqual(['1', '2']);
  });

  it('BEGIN through the extended protocol opens a real block', async () => {
    const w = await connected();
    w.send(fe.parse('', 'BEGIN'), fe.bind('', '', []), fe.execute(''), fe.sync());
    expect((await w.until()).at(-1)!.text).toBe('T');
    w.send(fe.parse('', 'SELECT 1/0'), fe.bind('', '', []), fe.execute(''), fe.sync());
    expect((await w.until()).at(-1)!.text).toBe('E');
    w.send(fe.parse('', 'ROLLBACK'), fe.bind('', '', []), fe.execute(''), fe.sync());
    expect((await w.until()).at(-1)!.text).toBe('I');
  });
});

describe('limits and malformed input', () => {
  it('a message over message_bytes_max is FATAL 54000 before its body arrives', async () => {
    const w = await connected({ messageBytesMax: 4096 });
    const head = new Uint8Array([0x51, 0, 0, 0x40, 0]);
    w.send(head);
    const ms = await w.until(() => false);
    expect(err(ms)).toMatchObject({ S: 'FATAL', C: '54000' });
    expect(w.closed).toBe(true);
  });

  it('an unknown message type or a bad length is FATAL 08P01; a malformed body is an ERROR and the session goes on', async () => {
    let w = await connected();
    w.send(new Uint8Array([0x01, 0, 0, 0, 4]));
    expect(err(await w.until(() => false))).toMatchObject({ S: 'FATAL', C: '08P01' });
    w = await connected();
    w.send(new Uint8Array([0x51, 0, 0, 0, 2]));
    expect(err(await w.until(() => false))?.C).toBe('08P01');
    w = await connected();
    w.send(msg('Q', new TextEncoder().encode('SELECT 1')));
    let ms = await w.until();
    expect(err(ms)).toMatchObject({ S: 'ERROR', C: '08P01' });
    w.send(fe.query('SELECT 42'));
    ms = await w.until();
    expect(ms.find((m) => m.type === 'D')!.values).toEqual(['42']);
  });

  it('idle in transaction too long: FATAL 25P03 and close', async () => {
    const w = await connected({ idleInTransactionTimeoutMs: 50 });
    w.send(fe.query('BEGIN'));
    await w.until();
    const ms = await w.until(() => false, 2000);
    expect(err(ms)?.C).toBe('25P03');
    expect(w.closed).toBe(true);
  });

  it('CancelRequest with a wrong key does nothing and closes the cancel connection', async () => {
    const st = state();
    const w = new MemoryWire(st);
    w.send(fe.startup({ user: 'sysdba', database: 'scratchbird' }));
    const ms = await w.until();
    const k = ms.find((m) => m.type === 'K')!.body;
    const pid = new DataView(k.buffer, k.byteOffset).getInt32(0);
    expect(st.cancel(pid, new Uint8Array(4).fill(9))).toBe(false);
    expect(st.cancel(pid, k.slice(4, 8))).toBe(true);
    const c = new MemoryWire(st);
    c.send(fe.cancel(pid, k.slice(4, 8)));
    await new Promise((r) => setTimeout(r, 20));
    expect(c.closed).toBe(true);
    expect(c.take().length).toBe(0);
  });

  it('fuzz: random bytes after startup never crash; the output stays well framed', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(
          fc.uint8Array({ maxLength: 40 }),
          fc.constantFrom(fe.sync(), fe.query('SELECT 1'), fe.parse('', 'SELECT $1::int'), fe.bind('', '', ['7']), fe.execute(''), fe.flush(), fe.describe('P', '')),
          fc.tuple(fc.constantFrom(...'QPBDECSHXpdcf'.split('')), fc.uint8Array({ maxLength: 30 })).map(([t, b]) => msg(t, b)),
        ), { maxLength: 12 }),
        async (chunks) => {
          const w = await connected({ messageBytesMax: 1 << 16 });
          for (const c of chunks) w.send(c);
          await new Promise((r) => setTimeout(r, 5));
          w.send(fe.query('SELECT 1'));
          const ms = await w.until((x) => x.some((m) => m.type === 'Z') || w.closed, 150).catch(() => parseBackend(w.take()));
          for (const m of ms) if (m.type === 'E') expect(m.fields!.C).toMatch(/^[0-9A-Z]{5}$/);
          expect(ms.filter((m) => m.type === 'E').every((m) => m.fields!.C !== 'XX000')).toBe(true);
        },
      ),
      { numRuns: 80 },
    );
  });

  it('fuzz: random bytes as the first packet never crash', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), async (b) => {
        const w = new MemoryWire(state());
        w.send(b);
        await new Promise((r) => setTimeout(r, 2));
        const out = w.take();
        if (out.length > 1) for (const m of parseBackend(out)) expect(m.type).toMatch(/[ERSKZvN]/);
      }),
      { numRuns: 200 },
    );
  });
});

describe('COPY', () => {
  const copyData = (s: string): Uint8Array => msg('d', new TextEncoder().encode(s));
  const copyDone = (): Uint8Array => msg('c');
  const copyFail = (m: string): Uint8Array => msg('f', new TextEncoder().encode(m + '\0'));

  it('COPY FROM STDIN in text and CSV, rows split across CopyData messages; COPY TO STDOUT', async () => {
    const w = await connected();
    w.send(fe.query('CREATE TABLE cp (id int, name text, n numeric)'));
    await w.until();
    w.send(fe.query('COPY cp FROM STDIN'));
    let ms = await w.until((x) => x.some((m) => m.type === 'G'));
    expect(types(ms)).toBe('G');
    w.send(copyData('1\tone\t1.5\n2\ttw'), copyData('o\\tx\t\\N\n'), copyData('3\t\\N\t3\n\\.\n'), copyDone());
    ms = await w.until();
    expect(ms.map((m) => m.text ?? m.type)).toEqual(['COPY 3', 'I']);
    w.send(fe.query("COPY cp (id, name) FROM STDIN WITH (FORMAT csv, HEADER)"));
    await w.until((x) => x.some((m) => m.type === 'G'));
    w.send(copyData('id,name\n4,"a,\n""b"""\n5,\n'), copyDone());
    expect((await w.until()).map((m) => m.text ?? m.type)).toEqual(['COPY 2', 'I']);
    w.send(fe.query('COPY cp TO STDOUT'));
    ms = await w.until();
    expect(types(ms)).toBe('HdddddcCZ');
    expect(ms.filter((m) => m.type === 'd').map((m) => new TextDecoder().decode(m.body))).toEqual([
      '1\tone\t1.5\n', '2\ttwo\\tx\t\\N\n', '3\t\\N\t3\n', '4\ta,\\n"b"\t\\N\n', '5\t\\N\t\\N\n',
    ]);
    expect(ms.find((m) => m.type === 'C')!.text).toBe('COPY 5');
  });

  it('CopyFail and bad rows undo the whole COPY; the session goes on', async () => {
    const w = await connected();
    w.send(fe.query('CREATE TABLE cf (id int)'));
    await w.until();
    w.send(fe.query('COPY cf FROM STDIN'));
    await w.until((x) => x.some((m) => m.type === 'G'));
    w.send(copyData('1\n2\n'), copyFail('client gave up'));
    let ms = await w.until();
    expect(err(ms)?.C).toBe('57014');
    w.send(fe.query('COPY cf FROM STDIN'));
    await w.until((x) => x.some((m) => m.type === 'G'));
    w.send(copyData('1\nnot a number\n'), copyDone());
    ms = await w.until();
    expect(err(ms)?.C).toBe('22P02');
    w.send(copyData('ignored\n'), copyDone(), fe.query('SELECT count(*) FROM cf'));
    ms = await w.until();
    expect(ms.find((m) => m.type === 'D')!.values).toEqual(['0']);
    w.send(fe.query("COPY cf FROM '/etc/passwd'"));
    expect(err(await w.until())?.C).toBe('0A000');
  });
});
