// WITH queries: CTEs read once or several times, column lists, WITH RECURSIVE with SEARCH / CYCLE, 42P19 errors, data-modifying CTEs, views over joins / unions / CTEs (cases run in order: the later ones change the tables).
//
// Each expected result below is what PostgreSQL 15 returned for the same
// statement after the same setup (rows as PostgreSQL's text output, NULL as
// null; an error as its SQLSTATE), recorded with psql-equivalent settings.


import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { codeOf, memoryDb, rows } from './helpers.ts';

const SETUP: string[] = [
  "CREATE TABLE nodes (id int PRIMARY KEY, parent int, name text)",
  "INSERT INTO nodes VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1'), (5, 4, 'a1x'), (6, 3, 'b1')",
  "CREATE TABLE edges (src int, dst int)",
  "INSERT INTO edges VALUES (1, 2), (2, 3), (3, 1), (3, 4), (4, NULL)",
  "CREATE TABLE acct (id int, bal int)",
  "INSERT INTO acct VALUES (1, 100), (2, 200), (3, 300)",
  "CREATE TABLE log (id int, note text)",
  "CREATE TABLE t1 (id int PRIMARY KEY, v text)",
  "CREATE TABLE t2 (id int, t1_id int, w int)",
  "INSERT INTO t1 VALUES (1, 'one'), (2, 'two'), (3, 'three')",
  "INSERT INTO t2 VALUES (1, 1, 10), (2, 1, 20), (3, 2, 30), (4, NULL, 40)",
  "CREATE VIEW j AS SELECT t1.v, t2.w FROM t1 JOIN t2 ON t2.t1_id = t1.id",
  "CREATE VIEW u AS SELECT id FROM t1 UNION SELECT t1_id FROM t2",
  "CREATE VIEW rc AS WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 4) SELECT n FROM r",
  "CREATE VIEW lat AS SELECT t1.v, g FROM t1, LATERAL generate_series(1, t1.id) g",
];

type Expected = Array<Array<string | null>> | { error: string };

const CASES: Array<[string, Expected]> = [
  ["WITH t AS (SELECT id, name FROM nodes WHERE parent = 1) SELECT * FROM t ORDER BY id", [["2","a"],["3","b"]]],
  ["WITH t(a, b) AS (SELECT id, name FROM nodes WHERE id < 3) SELECT a, b FROM t ORDER BY a", [["1","root"],["2","a"]]],
  ["WITH t(a) AS (SELECT id, name FROM nodes WHERE id = 1) SELECT * FROM t", [["1","root"]]],
  ["WITH t AS (SELECT id FROM nodes), u AS (SELECT id * 10 AS x FROM t WHERE id > 4) SELECT * FROM u ORDER BY x", [["50"],["60"]]],
  ["WITH t AS (SELECT id FROM nodes WHERE id <= 2) SELECT a.id, b.id FROM t a CROSS JOIN t b ORDER BY 1, 2", [["1","1"],["1","2"],["2","1"],["2","2"]]],
  ["WITH t AS (SELECT id FROM nodes) SELECT count(*) FROM t WHERE id IN (SELECT id FROM t WHERE id > 3)", [["3"]]],
  ["WITH nodes AS (SELECT 42 AS id) SELECT * FROM nodes", [["42"]]],
  ["WITH t AS (SELECT 1 AS x) SELECT * FROM (WITH t AS (SELECT 2 AS x) SELECT x FROM t) s, t", [["2","1"]]],
  ["WITH t AS (SELECT 1 AS x) SELECT (SELECT x + 1 FROM t)", [["2"]]],
  ["SELECT (WITH x AS (SELECT 10 AS v) SELECT v FROM x) + 1", [["11"]]],
  ["WITH t AS (SELECT random() AS r) SELECT count(DISTINCT r) FROM (SELECT r FROM t UNION ALL SELECT r FROM t) s", [["1"]]],
  ["WITH t AS (SELECT id FROM nodes) SELECT id FROM t UNION SELECT id + 100 FROM t WHERE id = 1 ORDER BY 1 DESC LIMIT 2", [["101"],["6"]]],
  ["WITH t AS (SELECT 1 AS x), t2 AS (SELECT x FROM t) SELECT * FROM t2", [["1"]]],
  ["WITH RECURSIVE cnt(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM cnt WHERE n < 5) SELECT * FROM cnt", [["1"],["2"],["3"],["4"],["5"]]],
  ["WITH RECURSIVE cnt(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM cnt) SELECT * FROM cnt LIMIT 4", [["1"],["2"],["3"],["4"]]],
  ["WITH RECURSIVE fib(a, b) AS (SELECT 0::bigint, 1::bigint UNION ALL SELECT b, a + b FROM fib WHERE b < 100) SELECT a FROM fib", [["0"],["1"],["1"],["2"],["3"],["5"],["8"],["13"],["21"],["34"],["55"],["89"]]],
  ["WITH RECURSIVE sub(id, name, depth) AS (SELECT id, name, 0 FROM nodes WHERE id = 1 UNION ALL SELECT n.id, n.name, s.depth + 1 FROM nodes n JOIN sub s ON n.parent = s.id) SELECT * FROM sub ORDER BY depth, id", [["1","root","0"],["2","a","1"],["3","b","1"],["4","a1","2"],["6","b1","2"],["5","a1x","3"]]],
  ["WITH RECURSIVE up(id, parent, path) AS (SELECT id, parent, name FROM nodes WHERE id = 5 UNION ALL SELECT n.id, n.parent, up.path || '<' || n.name FROM up JOIN nodes n ON n.id = up.parent) SELECT path FROM up ORDER BY length(path) DESC LIMIT 1", [["a1x<a1<a<root"]]],
  ["WITH RECURSIVE reach(n) AS (SELECT 1 UNION SELECT e.dst FROM edges e JOIN reach r ON e.src = r.n) SELECT * FROM reach ORDER BY n NULLS FIRST", [[null],["1"],["2"],["3"],["4"]]],
  ["WITH RECURSIVE reach(n) AS (SELECT 1 UNION SELECT e.dst FROM reach r, edges e WHERE e.src = r.n) SELECT count(*) FROM reach", [["5"]]],
  ["WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT n % 4 + 1 FROM t) SELECT * FROM t ORDER BY n", [["1"],["2"],["3"],["4"]]],
  ["WITH RECURSIVE t(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t", [["1"],["2"],["3"]]],
  ["WITH RECURSIVE t(n, s) AS (SELECT 1, 'a'::text UNION ALL SELECT n + 1, s || 'a' FROM t WHERE n < 3) SELECT * FROM t", [["1","a"],["2","aa"],["3","aaa"]]],
  ["WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3), u AS (SELECT n * 2 AS m FROM t) SELECT * FROM u ORDER BY m", [["2"],["4"],["6"]]],
  ["WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT a.n, b.n FROM t a JOIN t b ON a.n = b.n - 1 ORDER BY 1", [["1","2"],["2","3"]]],
  ["WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 10) SELECT sum(n) FROM t", [["55"]]],
  ["WITH RECURSIVE d(day) AS (SELECT date '2024-02-27' UNION ALL SELECT (day + 1)::date FROM d WHERE day < date '2024-03-01') SELECT day::text FROM d ORDER BY day", [["2024-02-27"],["2024-02-28"],["2024-02-29"],["2024-03-01"]]],
  ["WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM nodes WHERE id IN (SELECT n FROM t) ORDER BY id", [["1",null,"root"],["2","1","a"],["3","1","b"]]],
  ["WITH RECURSIVE t AS (SELECT 5 AS x) SELECT * FROM t", [["5"]]],
  ["WITH RECURSIVE walk(n) AS (SELECT 1 UNION ALL SELECT e.dst FROM edges e JOIN walk w ON e.src = w.n) CYCLE n SET is_cycle USING path SELECT * FROM walk ORDER BY path", [["1","f","{(1)}"],["2","f","{(1),(2)}"],["3","f","{(1),(2),(3)}"],["1","t","{(1),(2),(3),(1)}"],["4","f","{(1),(2),(3),(4)}"],[null,"f","{(1),(2),(3),(4),()}"]]],
  ["WITH RECURSIVE walk(n) AS (SELECT 1 UNION ALL SELECT e.dst FROM edges e JOIN walk ON e.src = walk.n WHERE e.dst IS NOT NULL) CYCLE n SET looped TO 'Y' DEFAULT 'N' USING trail SELECT n, looped FROM walk ORDER BY trail", [["1","N"],["2","N"],["3","N"],["1","Y"],["4","N"]]],
  ["WITH RECURSIVE sub(id, name) AS (SELECT id, name FROM nodes WHERE id = 1 UNION ALL SELECT n.id, n.name FROM nodes n JOIN sub s ON n.parent = s.id) SEARCH DEPTH FIRST BY id SET ord SELECT name FROM sub ORDER BY ord", [["root"],["a"],["a1"],["a1x"],["b"],["b1"]]],
  ["WITH RECURSIVE sub(id, name) AS (SELECT id, name FROM nodes WHERE id = 1 UNION ALL SELECT n.id, n.name FROM nodes n JOIN sub s ON n.parent = s.id) SEARCH DEPTH FIRST BY id SET ord SELECT * FROM sub ORDER BY ord", [["1","root","{(1)}"],["2","a","{(1),(2)}"],["4","a1","{(1),(2),(4)}"],["5","a1x","{(1),(2),(4),(5)}"],["3","b","{(1),(3)}"],["6","b1","{(1),(3),(6)}"]]],
  ["WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SEARCH DEPTH FIRST BY nosuch SET s SELECT * FROM t", {"error":"42601"}],
  ["WITH RECURSIVE a AS (SELECT * FROM b), b AS (SELECT 1 AS x) SELECT * FROM a", [["1"]]],
  ["WITH RECURSIVE a AS (SELECT * FROM b), b AS (SELECT * FROM a) SELECT * FROM a", {"error":"0A000"}],
  ["WITH a AS (SELECT * FROM b), b AS (SELECT 1 AS x) SELECT * FROM a", {"error":"42P01"}],
  ["WITH RECURSIVE a(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM a WHERE n < (SELECT max(x) FROM b)), b AS (SELECT 3 AS x) SELECT * FROM a", [["1"],["2"],["3"]]],
  ["WITH RECURSIVE t(n, s) AS (SELECT 1, 'a' UNION ALL SELECT n + 1, s || 'b' FROM t WHERE n < 3) SEARCH BREADTH FIRST BY n, s SET ord SELECT * FROM t ORDER BY ord", [["1","a","(0,1,a)"],["2","ab","(1,2,ab)"],["3","abb","(2,3,abb)"]]],
  ["WITH RECURSIVE sub(id, name) AS (SELECT id, name FROM nodes WHERE id = 1 UNION ALL SELECT n.id, n.name FROM nodes n JOIN sub s ON n.parent = s.id) SEARCH BREADTH FIRST BY id SET ord SELECT name, ord FROM sub ORDER BY ord", [["root","(0,1)"],["a","(1,2)"],["b","(1,3)"],["a1","(2,4)"],["b1","(2,6)"],["a1x","(3,5)"]]],
  ["WITH RECURSIVE sub(id) AS (SELECT 1 UNION ALL SELECT n.id FROM nodes n JOIN sub s ON n.parent = s.id) SEARCH BREADTH FIRST BY id SET ord CYCLE id SET cyc USING p SELECT * FROM sub ORDER BY ord", [["1","(0,1)","f","{(1)}"],["2","(1,2)","f","{(1),(2)}"],["3","(1,3)","f","{(1),(3)}"],["4","(2,4)","f","{(1),(2),(4)}"],["6","(2,6)","f","{(1),(3),(6)}"],["5","(3,5)","f","{(1),(2),(4),(5)}"]]],
  ["WITH x(a, b) AS (SELECT 1) SELECT * FROM x", {"error":"42P10"}],
  ["WITH x AS (SELECT 1), x AS (SELECT 2) SELECT 1", {"error":"42712"}],
  ["WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3 ORDER BY 1) SELECT * FROM t", {"error":"0A000"}],
  ["WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t LIMIT 3) SELECT * FROM t", {"error":"0A000"}],
  ["WITH RECURSIVE t(n) AS (SELECT 1 FROM t UNION ALL SELECT 2) SELECT * FROM t", {"error":"42P19"}],
  ["WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT t.n + 1 FROM t, t t2 WHERE t.n < 3) SELECT * FROM t", {"error":"42P19"}],
  ["WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT (SELECT n + 1 FROM t)) SELECT * FROM t", {"error":"42P19"}],
  ["WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1.5 FROM t WHERE n < 3) SELECT * FROM t", {"error":"42804"}],
  ["WITH RECURSIVE t(n) AS (SELECT 1 INTERSECT SELECT n + 1 FROM t) SELECT * FROM t", {"error":"42P19"}],
  ["WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT t.n + 1 FROM nodes LEFT JOIN t ON true) SELECT * FROM t", {"error":"42P19"}],
  ["WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT sum(n) FROM t) SELECT * FROM t", {"error":"42P19"}],
  ["WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1, 2 FROM t) SELECT * FROM t", {"error":"42601"}],
  ["WITH t AS (SELECT 1) SELECT * FROM t t(a, b)", {"error":"42P10"}],
  ["SELECT * FROM (WITH d AS (DELETE FROM log RETURNING id) SELECT id FROM d) t", {"error":"0A000"}],
  ["WITH w AS (INSERT INTO log VALUES (1, 'x')) SELECT * FROM w", {"error":"0A000"}],
  ["WITH moved AS (DELETE FROM acct WHERE id < 3 RETURNING id, bal) INSERT INTO log SELECT id, 'moved ' || bal FROM moved RETURNING id, note", [["1","moved 100"],["2","moved 200"]]],
  ["SELECT * FROM acct ORDER BY id", [["3","300"]]],
  ["SELECT * FROM log ORDER BY id", [["1","moved 100"],["2","moved 200"]]],
  ["WITH ins AS (INSERT INTO acct VALUES (4, 40), (5, 50) RETURNING id, bal) SELECT sum(bal), count(*) FROM ins", [["90","2"]]],
  ["WITH upd AS (UPDATE acct SET bal = bal + 1 WHERE id > 3 RETURNING id, bal) SELECT * FROM upd ORDER BY id", [["4","41"],["5","51"]]],
  ["WITH gone AS (DELETE FROM acct WHERE id = 3) SELECT 1", [["1"]]],
  ["SELECT count(*) FROM acct", [["2"]]],
  ["WITH ins AS (INSERT INTO acct VALUES (6, 60)) SELECT count(*) FROM acct", [["2"]]],
  ["SELECT count(*), sum(bal) FROM acct", [["3","152"]]],
  ["WITH a AS (INSERT INTO log VALUES (7, 'a') RETURNING id), b AS (INSERT INTO log SELECT id + 1, 'b' FROM a RETURNING id) SELECT (SELECT id FROM a), (SELECT id FROM b)", [["7","8"]]],
  ["SELECT * FROM log ORDER BY id", [["1","moved 100"],["2","moved 200"],["7","a"],["8","b"]]],
  ["INSERT INTO log WITH x AS (SELECT 9 AS id, 'z' AS note) SELECT * FROM x", []],
  ["WITH x AS (SELECT id FROM log WHERE id > 7) UPDATE acct SET bal = 0 WHERE id IN (SELECT id - 4 FROM x) RETURNING id", [["4"],["5"]]],
  ["WITH x AS (SELECT 6 AS id) DELETE FROM acct WHERE id IN (SELECT id FROM x) RETURNING acct.id", [["6"]]],
  ["SELECT * FROM acct ORDER BY id", [["4","0"],["5","0"]]],
  ["SELECT * FROM j ORDER BY 1, 2", [["one","10"],["one","20"],["two","30"]]],
  ["SELECT * FROM u ORDER BY 1 NULLS FIRST", [[null],["1"],["2"],["3"]]],
  ["SELECT * FROM rc", [["1"],["2"],["3"],["4"]]],
  ["SELECT * FROM lat ORDER BY 1, 2", [["one","1"],["three","1"],["three","2"],["three","3"],["two","1"],["two","2"]]],
  ["SELECT j.v, rc.n FROM j JOIN rc ON rc.n * 10 = j.w ORDER BY 1", [["one","1"],["one","2"],["two","3"]]],
  ["WITH t1 AS (SELECT 99 AS id) SELECT * FROM t1 JOIN j ON true ORDER BY 3", [["99","one","10"],["99","one","20"],["99","two","30"]]],
  ["SELECT v FROM t1 WHERE id IN (SELECT t1_id FROM t2 WHERE w > 15) ORDER BY 1", [["one"],["two"]]],
  ["SELECT t1.v, sum(t2.w) FROM t1 LEFT JOIN t2 ON t2.t1_id = t1.id GROUP BY t1.v ORDER BY 1", [["one","30"],["three",null],["two","30"]]],
  ["SELECT t1.v, count(t2.id) FILTER (WHERE t2.w > 10) FROM t1 LEFT JOIN t2 ON t2.t1_id = t1.id GROUP BY 1 ORDER BY 1", [["one","1"],["three","0"],["two","1"]]],
  ["SELECT v, row_number() OVER (ORDER BY w DESC) FROM t1 JOIN t2 ON t2.t1_id = t1.id ORDER BY 2", [["two","1"],["one","2"],["one","3"]]],
  ["WITH RECURSIVE r(n) AS (SELECT 1 UNION SELECT n % 1000 + 1 FROM r) SELECT count(*), max(n) FROM r", [["1000","1000"]]],
  ["SELECT * FROM t1 WHERE EXISTS (SELECT 1 FROM t2 WHERE t2.t1_id = t1.id AND t2.w > (SELECT avg(w) FROM t2)) ORDER BY 1", [["2","two"]]],
  ["SELECT t1.id, x.cnt FROM t1 CROSS JOIN LATERAL (SELECT count(*) AS cnt FROM t2 WHERE t2.t1_id <= t1.id) x ORDER BY 1", [["1","2"],["2","3"],["3","3"]]],
  ["SELECT * FROM (SELECT id FROM t1 EXCEPT SELECT t1_id FROM t2) e ORDER BY 1", [["3"]]],
  ["WITH ins AS (INSERT INTO t2 VALUES (5, 3, 50) RETURNING *) SELECT t1.v, ins.w FROM ins JOIN t1 ON t1.id = ins.t1_id", [["three","50"]]],
  ["SELECT count(*) FROM t2", [["5"]]],
  ["UPDATE t2 SET w = w + 1 WHERE t1_id IN (SELECT id FROM t1 WHERE v = 'one') RETURNING id, w", [["1","11"],["2","21"]]],
  ["DELETE FROM t2 WHERE NOT EXISTS (SELECT 1 FROM t1 WHERE t1.id = t2.t1_id) RETURNING id", [["4"]]],
];

let db: Database;

beforeAll(async () => {
  db = await memoryDb();
  for (const s of SETUP) await db.query(s);
});

afterAll(async () => {
  await db.close();
});

describe('cte: results as PostgreSQL 15', () => {
  for (const [sql, expected] of CASES) {
    it(sql, async () => {
      if ('error' in expected) expect(await codeOf(db.query(sql))).toBe(expected.error);
      else expect(await rows(db, sql)).toEqual(expected);
    });
  }
});

