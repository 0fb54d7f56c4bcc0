// SBLR v2: round trips (plan -> bytes -> plan), the validator's errors, and
// fuzzing (random and mutated streams never crash or hang the decoder).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Database } from '../../host/engine/db.ts';
import { Session } from '../../host/engine/session/session.ts';
import { decodePlan, disassemble, encodePlan, validateBytecode } from '../../host/engine/compile/index.ts';
import { OP } from '../../host/engine/compile/sblr.ts';
import type { Expr, Plan } from '../../host/engine/plan/nodes.ts';
import { SbError } from '../../host/engine/sb_error.ts';
import { T, arrayOf } from '../../host/engine/types/types.ts';
import { Numeric } from '../../host/engine/types/numeric.ts';
import { Interval } from '../../host/engine/types/interval.ts';
import { Jsonb } from '../../host/engine/types/jsonb.ts';
import { SqlArray } from '../../host/engine/types/array.ts';
import { memoryDb, plannedQuery } from '../sql/helpers.ts';

let db: Database;
let s: Session;

const QUERIES = [
  `SELECT 1, 'a', NULL::int, 2.5::numeric, true`,
  `SELECT * FROM t WHERE id = 3`,
  `SELECT a, b FROM t WHERE a BETWEEN 2 AND 5 AND b LIKE 'x%' OR b IS NULL ORDER BY a DESC NULLS LAST LIMIT 4 OFFSET 1`,
  `SELECT CASE WHEN a > 2 THEN 'big' WHEN a > 1 THEN 'mid' ELSE 'small' END, coalesce(b, 'z'), nullif(a, 1) FROM t`,
  `SELECT a IN (1, 2, 3), a NOT IN (4), b IS DISTINCT FROM 'x', a = ANY (ARRAY[1, 2]) FROM t`,
  `SELECT (SELECT max(id) FROM t), EXISTS (SELECT 1 FROM t u WHERE u.a = t.a) FROM t`,
  `SELECT a, count(*), sum(id) FILTER (WHERE id > 1) FROM t GROUP BY a HAVING count(*) > 0`,
  `SELECT id, row_number() OVER (PARTITION BY a ORDER BY id) FROM t`,
  `SELECT DISTINCT a FROM t`,
  `SELECT t.id, u.id FROM t JOIN t u ON u.a = t.a LEFT JOIN t v ON v.id = u.id + 1`,
  `WITH x AS (SELECT id FROM t) SELECT * FROM x UNION SELECT 7`,
  `INSERT INTO t VALUES (100, 1, 'q') ON CONFLICT (id) DO UPDATE SET b = excluded.b RETURNING id`,
  `UPDATE t SET b = b || '!' WHERE id = 2`,
  `DELETE FROM t WHERE a > 4 RETURNING *`,
  `SELECT ARRAY[1, 2], ROW(1, 'a'), greatest(1, 2), least(3, 4), '{"a": 1}'::jsonb, interval '1 day', now()`,
];

const planOf = (sql: string): Plan => plannedQuery(s, sql);

beforeAll(async () => {
  db = await memoryDb();
  await db.exec(`CREATE TABLE t (id int PRIMARY KEY, a int, b text)`);
  await db.exec(`CREATE INDEX t_a ON t (a, b)`);
  await db.exec(`INSERT INTO t SELECT g, g % 5, 'x' || g FROM generate_series(1, 20) g`);
  s = new Session(db);
});

afterAll(async () => {
  await s.close();
  await db.close();
});

function sbErrorOrOk(bytes: Uint8Array): void {
  try {
    decodePlan(bytes);
  } catch (e) {
    if (!(e instanceof SbError)) throw e;
    expect(e.code).toBe('22P03');
  }
}

describe('round trip', () => {
  it.each(QUERIES)('%s', (sql) => {
    const plan = planOf(sql);
    const bytes = encodePlan(plan);
    expect(bytes[0]).toBe(OP.VERSION);
    expect(bytes[1]).toBe(2);
    expect(bytes[bytes.length - 1]).toBe(OP.END);
    const back = decodePlan(bytes);
    expect(back).toEqual(plan);
    expect(encodePlan(back)).toEqual(bytes);
    expect(disassemble(bytes).length).toBeGreaterThan(3);
  });

  it('every expression kind and constant kind', () => {
    const c = (type: Expr['type'], value: unknown): Expr => ({ k: 'const', type, value });
    const col: Expr = { k: 'col', type: T.int4, index: 0 };
    const exprs: Expr[] = [
      c(T.int8, -(2n ** 63n)), c(T.float8, -0.5), c(T.float8, Infinity), c(T.numeric, Numeric.parse('-12.340')), c(T.interval, new Interval(1, -2, 3_000_000_000)),
      c(T.jsonb, Jsonb.parse('{"b":[1,2,{"c":null}],"a":"x"}')), c(T.bytea, new Uint8Array([0, 255, 7])),
      c(arrayOf(T.int4), new SqlArray(T.int4, [2, 2], [1, 0], [1, null, 3, 4])), c(T.timetz, { micros: 5, offsetSeconds: -3600 }), c(T.record, [1, 'a', null]),
      { k: 'param', type: T.text, index: 3 }, { k: 'outer', type: T.int4, level: 2, index: 1 },
      { k: 'and', type: T.bool, args: [{ k: 'or', type: T.bool, args: [c(T.bool, true), { k: 'not', type: T.bool, arg: c(T.bool, null) }] }, { k: 'is_bool', type: T.bool, arg: c(T.bool, false), value: null, negate: true }] },
      { k: 'case', type: T.int4, whens: [{ cond: { k: 'is_null', type: T.bool, arg: col, negate: false }, then: { k: 'case', type: T.int4, whens: [{ cond: c(T.bool, true), then: col }], else: c(T.int4, 1) } }], else: c(T.int4, null) },
      { k: 'nullif', type: T.int4, args: [col, col], eqOid: 96 }, { k: 'agg_ref', type: T.int8, index: 0 }, { k: 'nextval', type: T.int8, seqOid: 16500 },
      { k: 'seq_call', type: T.int8, fn: 'setval', seqOid: 16500, args: [c(T.int8, 5)] }, { k: 'default', type: T.int4 },
      { k: 'cast', type: T.text, arg: col, explicit: true }, { k: 'array_op', type: T.bool, mode: 'all', op: '<', oid: 97, left: col, right: c(arrayOf(T.int4), SqlArray.of(T.int4, [1])) },
      { k: 'sublink', type: T.bool, mode: 'any', op: '=', oid: 96, left: [col], plan: { n: 'result', cols: [{ name: 'x', type: T.int4 }], exprs: [c(T.int4, 1)] }, correlated: false, oids: [96] },
    ];
    const plan: Plan = { n: 'result', cols: exprs.map((e, i) => ({ name: `c${i}`, type: e.type })), exprs };
    const back = decodePlan(encodePlan(plan));
    expect(back).toEqual(plan);
  });
});

describe('validator', () => {
  const valid = (): Uint8Array => encodePlan(planOf(`SELECT a FROM t WHERE a > 1 AND b <> 'x' OR id = 2`));
  const err = (bytes: Uint8Array): SbError => {
    try {
      validateBytecode(bytes);
    } catch (e) {
      if (e instanceof SbError) return e;
      throw e;
    }
    throw new Error('accepted');
  };

  it('accepts the encoder output', () => {
    expect(() => validateBytecode(valid())).not.toThrow();
  });
  it('rejects a wrong version and a missing VERSION', () => {
    const b = valid();
    b[1] = 3;
    expect(err(b).message).toMatch(/unsupported version 3/);
    expect(err(new Uint8Array([0x12])).message).toMatch(/expected VERSION/);
  });
  it('rejects truncation at every length', () => {
    const b = valid();
    for (let n = 0; n < b.length; n++) expect(err(b.slice(0, n)).code).toBe('22P03');
  });
  it('rejects bytes after END', () => {
    const b = valid();
    expect(err(new Uint8Array([...b, 0])).message).toMatch(/after END/);
  });
  it('rejects unknown plan opcodes, including extended ones', () => {
    expect(err(new Uint8Array([1, 2, 0x3e, 0, 0])).message).toMatch(/unknown plan opcode/);
    expect(err(new Uint8Array([1, 2, 0xff, 0x34, 0x12, 0])).message).toMatch(/unknown plan opcode 0x1234/);
  });
  it('rejects unknown types and expression opcodes, stack underflow, bad jumps', () => {
    // RESULT, 0 cols; 1 expr: <expr> RET; END
    const prog = (expr: number[]) => new Uint8Array([1, 2, OP.RESULT, 0, 1, ...expr, OP.RET, 0]);
    expect(() => validateBytecode(prog([OP.CONST, 2, 1, 3, 4]))).not.toThrow(); // CONST int4 typmod -1 INT 2
    expect(err(prog([OP.CONST, 200, 1, 3, 4])).message).toMatch(/unknown type code 200/);
    expect(err(prog([0x7e])).message).toMatch(/unknown expression opcode/);
    expect(err(prog([OP.NOT, 0, 1])).message).toMatch(/underflow/);
    expect(err(prog([OP.CONST, 0, 1, 2, OP.CONST, 0, 1, 2])).message).toMatch(/leaves 2 values/);
    // a JUMP_IF_FALSE that lands one byte short of its AND
    expect(err(prog([OP.CONST, 0, 1, 2, OP.JUMP_IF_FALSE, 3, OP.CONST, 0, 1, 1, OP.AND, 0, 1, 2])).message).toMatch(/jump/);
    expect(() => validateBytecode(prog([OP.CONST, 0, 1, 2, OP.JUMP_IF_FALSE, 4, OP.CONST, 0, 1, 1, OP.AND, 0, 1, 2]))).not.toThrow();
    expect(err(prog([OP.CONST, 0, 1, 2, OP.JUMP_IF_FALSE, 90, OP.CONST, 0, 1, 1, OP.AND, 0, 1, 2])).message).toMatch(/jump/);
  });
  it('rejects a column reference outside the scanned row', () => {
    const plan = planOf(`SELECT * FROM t WHERE b <> 'x'`);
    const bad = JSON.parse(JSON.stringify(plan), (_k, v) => (v && v.k === 'col' ? { ...v, index: 99 } : v)) as Plan;
    expect(err(encodePlan(bad)).message).toMatch(/column 99 outside a row of 3/);
  });
});

describe('fuzz', () => {
  it('random bytes never crash or hang the decoder', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => sbErrorOrOk(b)), { numRuns: 2000 });
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => sbErrorOrOk(new Uint8Array([1, 2, ...b]))), { numRuns: 2000 });
  });

  it('mutated valid programs never crash or hang the decoder', () => {
    const programs = QUERIES.map((q) => encodePlan(planOf(q)));
    const mutation = fc.record({
      prog: fc.integer({ min: 0, max: programs.length - 1 }),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'insert', 'delete')), { minLength: 1, maxLength: 4 }),
    });
    fc.assert(fc.property(mutation, ({ prog, edits }) => {
      const b = [...programs[prog]!];
      for (const [at, v, kind] of edits) {
        const i = at % Math.max(1, b.length);
        if (kind === 'set') b[i] = v;
        else if (kind === 'insert') b.splice(i, 0, v);
        else b.splice(i, 1);
      }
      sbErrorOrOk(new Uint8Array(b));
    }), { numRuns: 3000 });
  });
});
