// The row codec: format 2 (binary numeric) round trips, decoding only the
// wanted columns, and rows written in the old format 1 (numeric as text)
// still reading correctly, from a database file closed and reopened.

import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { decodeRow, encodeRow, FORMAT, FORMAT_V1, RowDecoder } from '../../host/engine/exec/row_codec.ts';
import { open } from '../../host/engine/db.ts';
import { Numeric } from '../../host/engine/types/numeric.ts';
import { Interval } from '../../host/engine/types/interval.ts';
import { SqlArray } from '../../host/engine/types/array.ts';
import { arrayOf, T, type SqlType } from '../../host/engine/types/types.ts';
import { node, tempDir, text } from '../sql/helpers.ts';

const num = (s: string): Numeric => Numeric.parse(s);
/** Values comparable with toEqual (Numeric by its exact text, scale included). */
const plain = (v: unknown): unknown =>
  v instanceof Numeric ? `N:${v.toString()}` : v instanceof SqlArray ? { dims: v.dims, values: v.values.map(plain) } : v;

const numArr: SqlType = arrayOf(T.numeric);
const types: SqlType[] = [T.int4, T.numeric, T.text, T.bpchar, T.date, T.float8, T.int8, T.bool, T.numeric, T.interval, numArr, T.bytea, T.numeric];
const rows: unknown[][] = [
  [1, num('12.50'), 'héllo wörld', 'N', 17000, 1.25, 2n ** 60n, true, num('-0.07'), new Interval(1, 2, 3), new SqlArray(T.numeric, [2], [1], [num('1.5'), null]), new Uint8Array([1, 2]), num('NaN')],
  [-7, num('-123456789012345678901234567890.123'), '', 'AB', -Infinity, -0.5, -3, false, num('0'), new Interval(0, 0, 0), new SqlArray(T.numeric, [0], [1], []), new Uint8Array(0), num('Infinity')],
  [2147483647, null, null, null, null, null, null, null, num('9007199254740991'), null, null, null, num('-Infinity')],
  [0, num('9007199254740992'), 'x'.repeat(200), 'é', Infinity, 0, 0, true, num('-9007199254740993.5'), null, null, null, num('0.000000000000000000001')],
];

describe('row codec', () => {
  it('writes format 2 and reads every value back exactly (and format 1 the same)', () => {
    for (const fmt of [FORMAT, FORMAT_V1]) {
      for (const r of rows) {
        const bytes = encodeRow(types, r, fmt);
        expect(bytes[0]).toBe(fmt);
        expect(decodeRow(bytes, types, []).map(plain)).toEqual(r.map((v) => plain(v ?? null)));
      }
    }
    expect(encodeRow(types, rows[0]!)[0]).toBe(2);
  });

  it('decodes only the wanted positions (any order, repeated), skipping the others, into batch columns', () => {
    const want = [12, 3, 1, 3, 8];
    for (const fmt of [FORMAT, FORMAT_V1]) {
      const dec = new RowDecoder(types, want, []);
      const cols: unknown[][] = want.map(() => []);
      // Rows packed into one buffer at offsets, as a scan cursor's batch holds them.
      const parts = rows.map((r) => encodeRow(types, r, fmt));
      const buf = new Uint8Array(parts.reduce((n, p) => n + p.length + 3, 0));
      let at = 3;
      for (const p of parts) {
        buf.set(p, at);
        dec.decode(buf, at, at + p.length, cols);
        at += p.length + 3;
      }
      for (let k = 0; k < want.length; k++) expect(cols[k]!.map(plain)).toEqual(rows.map((r) => plain(r[want[k]!] ?? null)));
    }
  });

  it('reads positions past a short row as the recorded missing values', () => {
    const short = encodeRow(types.slice(0, 2), [5, num('1.10')]);
    const dec = new RowDecoder(types, [1, 2, 4], [null, null, 'dflt', null, 99]);
    const cols: unknown[][] = [[], [], []];
    dec.decode(short, 0, short.length, cols);
    expect(cols.map((c) => plain(c[0]))).toEqual(['N:1.10', 'dflt', 99]);
  });

  it('refuses a damaged row (unknown format byte, truncated field) with XX001', () => {
    const good = encodeRow(types, rows[0]!);
    const bad = good.slice();
    bad[0] = 9;
    expect(() => decodeRow(bad, types, [])).toThrow(/damaged/);
    expect(() => decodeRow(good.subarray(0, 12), types, [])).toThrow(/damaged/);
    const dec = new RowDecoder(types, [12], []);
    expect(() => dec.decode(good, 0, 12, [[]])).toThrow(/damaged/);
  });
});

describe('rows written in format 1 (numeric as text)', () => {
  let cleanup: (() => void) | undefined;
  afterEach(() => cleanup?.());

  it('still read correctly after the database is reopened, beside format 2 rows', async () => {
    const tmp = tempDir('sb-rowfmt-');
    cleanup = tmp.cleanup;
    const path = join(tmp.dir, 'db');
    let db = await open(path, { platform: node, store: { background: false } });
    let s = db.session();
    await s.query('CREATE TABLE li (k integer PRIMARY KEY, qty numeric(15,2), flag char(1), note text, price numeric, d date)');
    await s.query(`INSERT INTO li VALUES (1, 17.00, 'N', 'one', 12345678901234567890.5, DATE '1994-03-01'),
      (2, 3.50, 'R', NULL, -0.001, DATE '1995-01-01'), (3, NULL, 'A', 'three', 'NaN', NULL), (4, 24.00, NULL, 'four', 7, DATE '1998-09-02')`);
    const expected = text(await s.query('SELECT * FROM li ORDER BY k'));
    const oid = Number(text(await s.query(`SELECT 'li'::regclass::oid`))[0]![0]);
    // Rewrite rows 1..3 in format 1, as a database written before format 2 holds them.
    const table = db.catalog.current().table(oid)!;
    const colTypes = table.columns.map((c) => c.type);
    const ks = db.store.getKeyspace(table.keyspace)!;
    const tx = db.store.begin();
    const all = tx.scan(ks).toArray();
    expect(all.length).toBe(4);
    for (const [key, value] of all.slice(0, 3)) {
      expect(value[0]).toBe(FORMAT);
      tx.put(ks, key, encodeRow(colTypes, decodeRow(value, colTypes, []), FORMAT_V1));
    }
    await tx.commit();
    await s.close();
    await db.close();

    db = await open(path, { platform: node, store: { background: false } });
    s = db.session();
    const check = db.store.begin();
    const formats = check.scan(db.store.getKeyspace(table.keyspace)!).toArray().map(([, v]) => v[0]);
    check.rollback();
    expect(formats).toEqual([1, 1, 1, 2]);
    expect(text(await s.query('SELECT * FROM li ORDER BY k'))).toEqual(expected);
    expect(text(await s.query('SELECT sum(qty), sum(price), count(flag) FROM li WHERE d < DATE \'1998-01-01\''))).toEqual([['20.50', '12345678901234567890.499', '2']]);
    expect(text(await s.query('SELECT k FROM li WHERE qty < 24 ORDER BY k'))).toEqual([['1'], ['2']]);
    // Updating an old row rewrites it in format 2.
    await s.query('UPDATE li SET qty = qty + 1 WHERE k = 2');
    expect(text(await s.query('SELECT qty, price FROM li WHERE k = 2'))).toEqual([['4.50', '-0.001']]);
    await s.close();
    await db.close();
  });
});
