// Set operations: UNION / INTERSECT / EXCEPT [ALL], precedence, type resolution, ORDER BY / LIMIT on the result.
//
// Each expected result below is what PostgreSQL 15 returned for the same
// statement after the same setup (rows as PostgreSQL's text output, NULL as
// null; an error as its SQLSTATE), recorded with psql-equivalent settings.


import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { codeOf, memoryDb, rows } from './helpers.ts';

const SETUP: string[] = [
  "CREATE TABLE a (x int, s text)",
  "CREATE TABLE b (x int, s text)",
  "INSERT INTO a VALUES (1, 'one'), (2, 'two'), (2, 'two'), (NULL, NULL), (NULL, NULL), (3, 'three')",
  "INSERT INTO b VALUES (2, 'two'), (NULL, NULL), (4, 'four'), (4, 'four')",
  "CREATE TABLE f (v float8, n numeric(6,2), c char(3), vc varchar(10))",
  "INSERT INTO f VALUES (1.5, 1.50, 'ab', 'ab'), (2, 2, 'x', 'x ')",
];

type Expected = Array<Array<string | null>> | { error: string };

const CASES: Array<[string, Expected]> = [
  ["SELECT x FROM a UNION SELECT x FROM b ORDER BY 1", [["1"],["2"],["3"],["4"],[null]]],
  ["SELECT x FROM a UNION ALL SELECT x FROM b ORDER BY 1", [["1"],["2"],["2"],["2"],["3"],["4"],["4"],[null],[null],[null]]],
  ["SELECT x, s FROM a UNION SELECT x, s FROM b ORDER BY x NULLS FIRST", [[null,null],["1","one"],["2","two"],["3","three"],["4","four"]]],
  ["SELECT x FROM a INTERSECT SELECT x FROM b ORDER BY 1", [["2"],[null]]],
  ["SELECT x FROM a INTERSECT ALL SELECT x FROM b ORDER BY 1", [["2"],[null]]],
  ["SELECT x FROM a EXCEPT SELECT x FROM b ORDER BY 1", [["1"],["3"]]],
  ["SELECT x FROM a EXCEPT ALL SELECT x FROM b ORDER BY 1", [["1"],["2"],["3"],[null]]],
  ["SELECT x FROM b EXCEPT ALL SELECT x FROM a ORDER BY 1", [["4"],["4"]]],
  ["SELECT x FROM a UNION DISTINCT SELECT x FROM b ORDER BY 1 DESC", [[null],["4"],["3"],["2"],["1"]]],
  ["SELECT 1 UNION SELECT 2 INTERSECT SELECT 2 ORDER BY 1", [["1"],["2"]]],
  ["(SELECT 1 UNION SELECT 2) INTERSECT SELECT 2", [["2"]]],
  ["SELECT 1 EXCEPT SELECT 2 UNION SELECT 3 ORDER BY 1", [["1"],["3"]]],
  ["SELECT 1 EXCEPT (SELECT 1 UNION SELECT 3) ORDER BY 1", []],
  ["SELECT x FROM a UNION SELECT x FROM b ORDER BY x DESC NULLS LAST LIMIT 2", [["4"],["3"]]],
  ["SELECT x FROM a UNION ALL SELECT x FROM b ORDER BY x LIMIT 3 OFFSET 2", [["2"],["2"],["3"]]],
  ["(SELECT x FROM a ORDER BY x DESC LIMIT 1) UNION ALL (SELECT x FROM b ORDER BY x LIMIT 1)", [[null],["2"]]],
  ["SELECT x AS first_name FROM a UNION SELECT x AS second FROM b ORDER BY first_name", [["1"],["2"],["3"],["4"],[null]]],
  ["SELECT 1 AS k, 'a' AS v UNION ALL SELECT 2, 'b' ORDER BY v DESC", [["2","b"],["1","a"]]],
  ["SELECT 1 UNION SELECT 2.5 ORDER BY 1", [["1"],["2.5"]]],
  ["SELECT pg_typeof(u) FROM (SELECT 1 AS u UNION SELECT 2.5) s LIMIT 1", [["numeric"]]],
  ["SELECT pg_typeof(u) FROM (SELECT 1::int2 AS u UNION SELECT 2::int8) s LIMIT 1", [["bigint"]]],
  ["SELECT pg_typeof(u) FROM (SELECT 1 AS u UNION SELECT 2::float4) s LIMIT 1", [["real"]]],
  ["SELECT 'a' UNION SELECT 'b' ORDER BY 1", [["a"],["b"]]],
  ["SELECT pg_typeof(u) FROM (SELECT 'a' AS u UNION SELECT 'b') s LIMIT 1", [["text"]]],
  ["SELECT NULL UNION SELECT 1 ORDER BY 1", [["1"],[null]]],
  ["SELECT 1 UNION SELECT NULL ORDER BY 1", [["1"],[null]]],
  ["SELECT '2' UNION SELECT 1 ORDER BY 1", [["1"],["2"]]],
  ["SELECT 1 UNION SELECT 'a'", {"error":"22P02"}],
  ["SELECT 1 UNION SELECT 'abc'::text", {"error":"42804"}],
  ["SELECT NULL UNION SELECT NULL UNION SELECT 1", {"error":"42804"}],
  ["SELECT v FROM f UNION SELECT n FROM f ORDER BY 1", [["1.5"],["2"]]],
  ["SELECT c FROM f UNION SELECT vc FROM f ORDER BY 1", [["ab "],["x  "]]],
  ["SELECT DATE '2024-01-01' UNION SELECT TIMESTAMP '2024-01-01 10:00' ORDER BY 1", [["2024-01-01 00:00:00"],["2024-01-01 10:00:00"]]],
  ["SELECT ARRAY[1,2] UNION SELECT ARRAY[1,2] UNION SELECT ARRAY[3] ORDER BY 1", [["{1,2}"],["{3}"]]],
  ["SELECT 1, 2 UNION SELECT 1", {"error":"42601"}],
  ["SELECT x FROM a UNION SELECT x FROM b ORDER BY x + 1", {"error":"0A000"}],
  ["SELECT x FROM a UNION SELECT x FROM b ORDER BY nosuch", {"error":"42703"}],
  ["SELECT x FROM a UNION SELECT x FROM b ORDER BY 2", {"error":"42P10"}],
  ["SELECT true UNION SELECT 1", {"error":"42804"}],
  ["SELECT * FROM (SELECT x FROM a INTERSECT SELECT x FROM b) s(y) ORDER BY y", [["2"],[null]]],
  ["SELECT count(*) FROM (SELECT s FROM a UNION ALL SELECT s FROM b) t", [["10"]]],
  ["SELECT x FROM a WHERE x IN (SELECT x FROM b UNION SELECT 3) ORDER BY 1", [["2"],["2"],["3"]]],
  ["SELECT (SELECT max(x) FROM (SELECT x FROM a UNION SELECT x FROM b) u)", [["4"]]],
  ["SELECT a.x, (SELECT count(*) FROM (SELECT b.x FROM b WHERE b.x = a.x UNION ALL SELECT a.x) q) FROM a ORDER BY 1 NULLS FIRST, 2", [[null,"1"],[null,"1"],["1","1"],["2","2"],["2","2"],["3","1"]]],
  ["VALUES (1), (2) UNION SELECT 3 ORDER BY 1", [["1"],["2"],["3"]]],
  ["TABLE a EXCEPT TABLE b ORDER BY 1", [["1","one"],["3","three"]]],
  ["SELECT x FROM a UNION SELECT x FROM b UNION ALL SELECT 2 ORDER BY 1", [["1"],["2"],["2"],["3"],["4"],[null]]],
  ["SELECT x FROM a INTERSECT SELECT x FROM b INTERSECT SELECT 2", [["2"]]],
  ["SELECT * FROM (SELECT 1 a, 2 b UNION ALL SELECT 3, 4) t ORDER BY b DESC", [["3","4"],["1","2"]]],
];

let db: Database;

beforeAll(async () => {
  db = await memoryDb();
  for (const s of SETUP) await db.query(s);
});

afterAll(async () => {
  await db.close();
});

describe('setops: results as PostgreSQL 15', () => {
  for (const [sql, expected] of CASES) {
    it(sql, async () => {
      if ('error' in expected) expect(await codeOf(db.query(sql))).toBe(expected.error);
      else expect(await rows(db, sql)).toEqual(expected);
    });
  }
});

