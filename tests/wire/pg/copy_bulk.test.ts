// COPY through the pg driver and pg-copy-streams: the bulk insert path
// (defaults, serial, NOT NULL, CHECK, unique, foreign keys, indexes, with
// PostgreSQL's SQLSTATEs and "COPY t, line N" contexts), and the binary COPY
// format both ways, checked against a real PostgreSQL 15 when one is
// installed (byte-identical COPY TO output, and each side loading the
// other's).

import { createRequire } from 'node:module';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPgBin } from '../../functions/pg_server.ts';
import { realPostgres, serverWithClient } from './server_helper.ts';

// pg-copy-streams ships no types: the two factories this test uses.
type CopyStreams = { from(sql: string): pg.Submittable & Writable; to(sql: string): pg.Submittable & Readable };
const copyStreams = createRequire(import.meta.url)('pg-copy-streams') as CopyStreams;

const HAVE_PG = findPgBin() !== undefined;
if (!HAVE_PG && process.env.CI === 'true') throw new Error('PostgreSQL 15 is required in CI (install postgresql-15)');

let client: pg.Client;
serverWithClient((c) => (client = c));

async function copyIn(c: pg.Client, sql: string, data: string | Buffer | Buffer[]): Promise<number> {
  const stream = c.query(copyStreams.from(sql));
  const chunks = Array.isArray(data) ? data : [typeof data === 'string' ? Buffer.from(data) : data];
  await pipeline(Readable.from(chunks), stream);
  return (stream as unknown as { rowCount: number }).rowCount;
}

async function copyOut(c: pg.Client, sql: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  await pipeline(c.query(copyStreams.to(sql)), new Writable({
    write(chunk: Buffer, _enc, cb) {
      parts.push(chunk);
      cb();
    },
  }));
  return Buffer.concat(parts);
}

async function copyError(c: pg.Client, sql: string, data: string | Buffer): Promise<pg.DatabaseError> {
  try {
    await copyIn(c, sql, data);
  } catch (e) {
    return e as pg.DatabaseError;
  }
  throw new Error('COPY did not fail');
}

describe('COPY FROM: the bulk insert path', () => {
  beforeAll(async () => {
    await client.query(`CREATE TABLE cb_parent (id int PRIMARY KEY)`);
    await client.query(`INSERT INTO cb_parent VALUES (1), (2), (3)`);
    await client.query(`CREATE TABLE cb (
      id serial PRIMARY KEY,
      code varchar(8) NOT NULL UNIQUE,
      parent int REFERENCES cb_parent (id),
      qty int DEFAULT 7 CHECK (qty >= 0),
      price numeric(6,2),
      note text)`);
    await client.query(`CREATE INDEX cb_qty ON cb (qty)`);
  });

  it('loads many rows in batches with defaults, serials, typmod coercion and indexes', async () => {
    const lines: string[] = [];
    for (let i = 1; i <= 5000; i++) lines.push(`c${i}\t${(i % 3) + 1}\t${i % 50}\t${i}.005\t${i % 10 === 0 ? '\\N' : `n\\t${i}`}\n`);
    // Rows split across chunks at odd places.
    const all = Buffer.from(lines.join(''));
    const chunks: Buffer[] = [];
    for (let p = 0; p < all.length; p += 7777) chunks.push(all.subarray(p, p + 7777));
    expect(await copyIn(client, 'COPY cb (code, parent, qty, price, note) FROM STDIN', chunks)).toBe(5000);
    const r = await client.query(`SELECT count(*)::int AS n, min(id) AS lo, max(id) AS hi, count(note)::int AS notes, sum(price)::text AS total FROM cb`);
    expect(r.rows[0]).toEqual({ n: 5000, lo: 1, hi: 5000, notes: 4500, total: String((5000 * 5001) / 2 + 0.01 * 5000) + '.00' });
    // The secondary index was maintained (an index lookup finds the rows).
    expect((await client.query(`SELECT count(*)::int AS n FROM cb WHERE qty = 49`)).rows[0].n).toBe(100);
    expect((await client.query(`SELECT note FROM cb WHERE code = 'c7'`)).rows[0].note).toBe('n\t7');
    // Defaults for the columns not listed.
    await copyIn(client, 'COPY cb (code) FROM STDIN', 'dflt\n');
    expect((await client.query(`SELECT id, qty, parent FROM cb WHERE code = 'dflt'`)).rows[0]).toEqual({ id: 5001, qty: 7, parent: null });
    // The serial's sequence moved on: a plain INSERT takes the next value.
    expect((await client.query(`INSERT INTO cb (code) VALUES ('after') RETURNING id`)).rows[0].id).toBe(5002);
  });

  it('constraint errors carry the SQLSTATE and the failing line; nothing of the COPY stays', async () => {
    const before = (await client.query(`SELECT count(*)::int AS n FROM cb`)).rows[0].n;
    const notNull = await copyError(client, 'COPY cb (code, qty) FROM STDIN', 'x1\t1\nx2\t2\n\\N\t3\n');
    expect(notNull.code).toBe('23502');
    expect(notNull.where).toBe('COPY cb, line 3');
    const unique = await copyError(client, 'COPY cb (code) FROM STDIN', 'u1\nu2\nc5\n');
    expect(unique.code).toBe('23505');
    expect(unique.where).toBe('COPY cb, line 3');
    const check = await copyError(client, 'COPY cb (code, qty) FROM STDIN', 'k1\t1\nk2\t-1\n');
    expect(check.code).toBe('23514');
    expect(check.where).toBe('COPY cb, line 2');
    const fk = await copyError(client, 'COPY cb (code, parent) FROM STDIN', 'f1\t1\nf2\t99\n');
    expect(fk.code).toBe('23503');
    const tooLong = await copyError(client, 'COPY cb (code) FROM STDIN', 'ok\nmuch-too-long\n');
    expect(tooLong.code).toBe('22001');
    const badInt = await copyError(client, 'COPY cb (code, qty) FROM STDIN', 'b1\t1\nb2\tseven\n');
    expect(badInt.code).toBe('22P02');
    expect(badInt.where).toBe('COPY cb, line 2, column qty: "seven"');
    const missing = await copyError(client, 'COPY cb (code, qty) FROM STDIN', 'm1\t1\nm2\n');
    expect(missing.code).toBe('22P04');
    expect(missing.message).toBe('missing data for column "qty"');
    expect(missing.where).toBe('COPY cb, line 2: "m2"');
    const extra = await copyError(client, 'COPY cb (code) FROM STDIN WITH (FORMAT csv)', 'e1\ne2,3\n');
    expect(extra.code).toBe('22P04');
    expect(extra.where).toBe('COPY cb, line 2: "e2,3"');
    expect((await client.query(`SELECT count(*)::int AS n FROM cb`)).rows[0].n).toBe(before);
  });

  it('a unique violation across batches names the line in the later batch', async () => {
    const lines: string[] = [];
    for (let i = 0; i < 4500; i++) lines.push(`dup${i % 4321}\n`);
    const e = await copyError(client, 'COPY cb (code) FROM STDIN', lines.join(''));
    expect(e.code).toBe('23505');
    expect(e.where).toBe('COPY cb, line 4322');
  });

  it('inside a transaction block the COPY is part of the transaction', async () => {
    await client.query('BEGIN');
    await copyIn(client, 'COPY cb (code) FROM STDIN', 'tx1\ntx2\n');
    expect((await client.query(`SELECT count(*)::int AS n FROM cb WHERE code LIKE 'tx%'`)).rows[0].n).toBe(2);
    await client.query('ROLLBACK');
    expect((await client.query(`SELECT count(*)::int AS n FROM cb WHERE code LIKE 'tx%'`)).rows[0].n).toBe(0);
  });
});

const TYPES_DDL = `CREATE TABLE cbin (
  i2 smallint, i4 int, i8 bigint, f8 float8, b bool, t text, vc varchar(10), n numeric(12,3),
  d date, ts timestamp, tz timestamptz, ba bytea, u uuid, arr int[], j jsonb)`;
const TYPES_ROWS = `INSERT INTO cbin VALUES
  (1, -2, 9007199254740993, 1.5, true, 'héllo', 'vc', 12345.678, '2024-02-29', '2024-01-02 03:04:05.123456', '2024-01-02 03:04:05+00', '\\x00ff10', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{1,NULL,3}', '{"a": [1, 2]}'),
  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (-32768, 2147483647, -9223372036854775808, -0.25, false, '', 'x', -0.001, '1999-12-31', '1970-01-01 00:00:00', '2000-01-01 00:00:00+00', '\\x', '00000000-0000-0000-0000-000000000000', '{}', '[]')`;
const SELECT_TEXT = `SELECT i2, i4, i8, f8, b, t, vc, n::text, d::text, ts::text, tz AT TIME ZONE 'UTC' AS tz, encode(ba, 'hex') AS ba, u::text, arr::text, j::text FROM cbin ORDER BY i4 NULLS LAST`;

describe('COPY BINARY', () => {
  beforeAll(async () => {
    await client.query(TYPES_DDL);
    await client.query(TYPES_ROWS);
  });

  it('COPY TO has the header, one tuple per row and the trailer; COPY FROM reads it back', async () => {
    const bytes = await copyOut(client, 'COPY cbin TO STDOUT (FORMAT binary)');
    expect(bytes.subarray(0, 11)).toEqual(Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'));
    expect(bytes.readInt32BE(11)).toBe(0);
    expect(bytes.readInt32BE(15)).toBe(0);
    expect(bytes.readInt16BE(19)).toBe(15);
    expect(bytes.readInt16BE(bytes.length - 2)).toBe(-1);
    await client.query(`CREATE TABLE cbin2 (LIKE cbin)`);
    // Split into small chunks so tuples and the header straddle CopyData messages.
    const chunks: Buffer[] = [];
    for (let p = 0; p < bytes.length; p += 13) chunks.push(bytes.subarray(p, p + 13));
    expect(await copyIn(client, 'COPY cbin2 FROM STDIN BINARY', chunks)).toBe(3);
    const a = await client.query(SELECT_TEXT);
    const b = await client.query(SELECT_TEXT.replace('FROM cbin', 'FROM cbin2'));
    expect(b.rows).toEqual(a.rows);
    expect(a.rows[0].t).toBe('héllo');
  });

  it('COPY (query) TO binary and a column list', async () => {
    const bytes = await copyOut(client, 'COPY (SELECT i4, t FROM cbin WHERE i4 IS NOT NULL ORDER BY i4) TO STDOUT WITH (FORMAT binary)');
    // header, then tuple 1: 2 fields, int4 -2, text 'héllo'
    let p = 19;
    expect(bytes.readInt16BE(p)).toBe(2);
    expect(bytes.readInt32BE(p + 2)).toBe(4);
    expect(bytes.readInt32BE(p + 6)).toBe(-2);
    expect(bytes.readInt32BE(p + 10)).toBe(6);
    expect(bytes.subarray(p + 14, p + 20).toString('utf8')).toBe('héllo');
    p += 20;
    expect(bytes.readInt16BE(p)).toBe(2);
    await client.query(`CREATE TABLE cbin3 (t text, i4 int, extra int DEFAULT 42)`);
    const swapped = await copyOut(client, 'COPY cbin (t, i4) TO STDOUT (FORMAT binary)');
    expect(await copyIn(client, 'COPY cbin3 (t, i4) FROM STDIN (FORMAT binary)', swapped)).toBe(3);
    expect((await client.query(`SELECT t, i4, extra FROM cbin3 ORDER BY i4 NULLS LAST`)).rows).toEqual([
      { t: 'héllo', i4: -2, extra: 42 }, { t: '', i4: 2147483647, extra: 42 }, { t: null, i4: null, extra: 42 },
    ]);
  });

  it('malformed binary input fails with 22P04 and leaves nothing', async () => {
    await client.query(`CREATE TABLE cbin4 (a int, b text)`);
    const bad = await copyError(client, 'COPY cbin4 FROM STDIN BINARY', Buffer.from('not a copy file at all'));
    expect(bad.code).toBe('22P04');
    expect(bad.message).toBe('COPY file signature not recognized');
    const header = Buffer.from('PGCOPY\n\xff\r\n\0\0\0\0\0\0\0\0\0', 'latin1');
    const tuple = (n: number): Buffer => {
      const b = Buffer.alloc(2 + 4 + 4 + 4 + 1);
      b.writeInt16BE(2, 0);
      b.writeInt32BE(4, 2);
      b.writeInt32BE(n, 6);
      b.writeInt32BE(1, 10);
      b.write('x', 14);
      return b;
    };
    const wrongCount = Buffer.alloc(2);
    wrongCount.writeInt16BE(3);
    const e = await copyError(client, 'COPY cbin4 FROM STDIN BINARY', Buffer.concat([header, tuple(1), tuple(2), wrongCount]));
    expect(e.code).toBe('22P04');
    expect(e.message).toBe('row field count is 3, expected 2');
    expect(e.where).toBe('COPY cbin4, line 3');
    const shortInt = Buffer.from(tuple(1));
    shortInt.writeInt32BE(2, 2); // an int4 of 2 bytes: int4recv runs out of data (08P01, as in PostgreSQL)
    const e2 = await copyError(client, 'COPY cbin4 FROM STDIN BINARY', Buffer.concat([header, tuple(1), Buffer.concat([shortInt.subarray(0, 8), shortInt.subarray(10)])]));
    expect(e2.code).toBe('08P01');
    expect(e2.where).toBe('COPY cbin4, line 2, column a');
    const truncated = await copyError(client, 'COPY cbin4 FROM STDIN BINARY', Buffer.concat([header, tuple(1).subarray(0, 9)]));
    expect(truncated.code).toBe('22P04');
    expect((await client.query(`SELECT count(*)::int AS n FROM cbin4`)).rows[0].n).toBe(0);
    // A complete file with its trailer loads.
    const trailer = Buffer.from([0xff, 0xff]);
    expect(await copyIn(client, 'COPY cbin4 FROM STDIN BINARY', Buffer.concat([header, tuple(1), tuple(2), trailer]))).toBe(2);
  });
});

describe.skipIf(!HAVE_PG)('COPY BINARY against PostgreSQL 15', () => {
  let pgsrv: Awaited<ReturnType<typeof realPostgres>>;
  let real: pg.Client;
  beforeAll(async () => {
    pgsrv = await realPostgres();
    if (!pgsrv) throw new Error('PostgreSQL 15 did not start');
    real = pgsrv.client;
    await real.query(TYPES_DDL);
    await real.query(TYPES_ROWS);
  }, 60_000);
  afterAll(async () => {
    await pgsrv?.stop();
  });

  it('COPY TO binary output is byte-identical for the same rows, column by column', async () => {
    // Compared per column, so a difference names the type.
    for (const col of ['i2', 'i4', 'i8', 'f8', 'b', 't', 'vc', 'n', 'd', 'ts', 'tz', 'ba', 'u', 'arr', 'j']) {
      const sql = `COPY (SELECT ${col} FROM cbin ORDER BY i4 NULLS LAST) TO STDOUT (FORMAT binary)`;
      const ours = await copyOut(client, sql);
      const theirs = await copyOut(real, sql);
      expect({ col, hex: ours.toString('hex') }).toEqual({ col, hex: theirs.toString('hex') });
    }
  });

  it("each side loads the other's binary COPY", async () => {
    const fromPg = await copyOut(real, 'COPY cbin TO STDOUT (FORMAT binary)');
    await client.query(`CREATE TABLE cbin_pg (LIKE cbin)`);
    expect(await copyIn(client, 'COPY cbin_pg FROM STDIN (FORMAT binary)', fromPg)).toBe(3);
    const fromSb = await copyOut(client, 'COPY cbin TO STDOUT (FORMAT binary)');
    await real.query(`CREATE TABLE cbin_sb (LIKE cbin)`);
    expect(await copyIn(real, 'COPY cbin_sb FROM STDIN (FORMAT binary)', fromSb)).toBe(3);
    const expected = (await real.query(SELECT_TEXT)).rows;
    expect((await client.query(SELECT_TEXT.replace('FROM cbin', 'FROM cbin_pg'))).rows).toEqual(expected);
    expect((await real.query(SELECT_TEXT.replace('FROM cbin', 'FROM cbin_sb'))).rows).toEqual(expected);
  });
});
