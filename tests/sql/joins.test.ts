// Joins in FROM: INNER/LEFT/RIGHT/FULL/CROSS, ON, USING, NATURAL, nested joins, LATERAL, functions in FROM, set-returning functions in the select list, IN / EXISTS as semi and anti joins, joins through indexes.
//
// Each expected result below is what PostgreSQL 15 returned for the same
// statement after the same setup (rows as PostgreSQL's text output, NULL as
// null; an error as its SQLSTATE), recorded with psql-equivalent settings.


import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../host/engine/db.ts';
import { codeOf, memoryDb, rows } from './helpers.ts';

const SETUP: string[] = [
  "CREATE TABLE l (id int, lv text)",
  "CREATE TABLE r (id int, rv text)",
  "INSERT INTO l VALUES (1, 'l1'), (2, 'l2'), (2, 'l2b'), (NULL, 'lnull'), (4, 'l4')",
  "INSERT INTO r VALUES (1, 'r1'), (2, 'r2'), (NULL, 'rnull'), (5, 'r5'), (5, 'r5b')",
  "CREATE TABLE big8 (id bigint, b text)",
  "INSERT INTO big8 VALUES (1, 'one'), (2, 'two'), (3000000000, 'big')",
  "CREATE TABLE n (k numeric, t varchar(5))",
  "INSERT INTO n VALUES (1.0, 'a'), (2.50, 'b'), (NULL, 'c')",
  "CREATE TABLE pk (id int PRIMARY KEY, name text)",
  "INSERT INTO pk SELECT g, 'n' || g FROM generate_series(1, 50) g",
  "CREATE TABLE fk (id int, pk_id int)",
  "INSERT INTO fk SELECT g, g % 7 FROM generate_series(1, 30) g",
  "CREATE TABLE e (a int, b int)",
  "INSERT INTO e VALUES (1, 2), (2, 3), (3, 1)",
  "CREATE TABLE ix (k int, v text)",
  "CREATE INDEX ix_k ON ix (k)",
  "INSERT INTO ix VALUES (1, 'a'), (1, 'b'), (NULL, 'n'), (2, 'c')",
  "CREATE TABLE a (id int, x text)",
  "CREATE TABLE b (id bigint, y text)",
  "CREATE TABLE c (id int, z text)",
  "INSERT INTO a VALUES (1, 'a1'), (2, 'a2'), (NULL, 'an')",
  "INSERT INTO b VALUES (2, 'b2'), (3, 'b3'), (NULL, 'bn')",
  "INSERT INTO c VALUES (3, 'c3'), (1, 'c1'), (4, 'c4')",
  "CREATE TABLE v3 (s varchar(3))",
  "CREATE TABLE v5 (s varchar(5))",
  "INSERT INTO v3 VALUES ('abc')",
  "INSERT INTO v5 VALUES ('abcde')",
  "CREATE TABLE o (id int, k int, t text)",
  "CREATE TABLE i (k int, v text)",
  "INSERT INTO o VALUES (1, 10, 'a'), (2, 20, 'b'), (3, NULL, 'c'), (4, 40, 'd'), (5, 10, 'e')",
  "INSERT INTO i VALUES (10, 'x'), (10, 'y'), (20, NULL), (NULL, 'n'), (30, 'z')",
  "CREATE TABLE bigix (id int PRIMARY KEY, g int, s text)",
  "CREATE INDEX bigix_g ON bigix (g)",
  "INSERT INTO bigix SELECT n, CASE WHEN n % 50 = 0 THEN NULL ELSE n % 7 END, 's' || n FROM generate_series(1, 2000) n",
  "CREATE TABLE sm (k int)",
  "INSERT INTO sm VALUES (1), (3), (NULL), (3), (9999)",
];

type Expected = Array<Array<string | null>> | { error: string };

const CASES: Array<[string, Expected]> = [
  ["SELECT * FROM l JOIN r ON l.id = r.id ORDER BY lv, rv", [["1","l1","1","r1"],["2","l2","2","r2"],["2","l2b","2","r2"]]],
  ["SELECT * FROM l INNER JOIN r ON l.id = r.id AND r.rv <> 'r2' ORDER BY lv, rv", [["1","l1","1","r1"]]],
  ["SELECT * FROM l LEFT JOIN r ON l.id = r.id ORDER BY lv, rv", [["1","l1","1","r1"],["2","l2","2","r2"],["2","l2b","2","r2"],["4","l4",null,null],[null,"lnull",null,null]]],
  ["SELECT * FROM l LEFT OUTER JOIN r ON l.id = r.id AND r.rv = 'nomatch' ORDER BY lv", [["1","l1",null,null],["2","l2",null,null],["2","l2b",null,null],["4","l4",null,null],[null,"lnull",null,null]]],
  ["SELECT * FROM l RIGHT JOIN r ON l.id = r.id ORDER BY rv, lv", [["1","l1","1","r1"],["2","l2","2","r2"],["2","l2b","2","r2"],[null,null,"5","r5"],[null,null,"5","r5b"],[null,null,null,"rnull"]]],
  ["SELECT * FROM l FULL JOIN r ON l.id = r.id ORDER BY lv NULLS LAST, rv", [["1","l1","1","r1"],["2","l2","2","r2"],["2","l2b","2","r2"],["4","l4",null,null],[null,"lnull",null,null],[null,null,"5","r5"],[null,null,"5","r5b"],[null,null,null,"rnull"]]],
  ["SELECT * FROM l FULL OUTER JOIN r ON l.id = r.id AND l.lv = 'l2' ORDER BY lv NULLS LAST, rv", [["1","l1",null,null],["2","l2","2","r2"],["2","l2b",null,null],["4","l4",null,null],[null,"lnull",null,null],[null,null,"1","r1"],[null,null,"5","r5"],[null,null,"5","r5b"],[null,null,null,"rnull"]]],
  ["SELECT * FROM l FULL JOIN r ON false ORDER BY lv NULLS LAST, rv", [["1","l1",null,null],["2","l2",null,null],["2","l2b",null,null],["4","l4",null,null],[null,"lnull",null,null],[null,null,"1","r1"],[null,null,"2","r2"],[null,null,"5","r5"],[null,null,"5","r5b"],[null,null,null,"rnull"]]],
  ["SELECT * FROM l JOIN r USING (id) ORDER BY lv, rv", [["1","l1","r1"],["2","l2","r2"],["2","l2b","r2"]]],
  ["SELECT * FROM l LEFT JOIN r USING (id) ORDER BY lv, rv", [["1","l1","r1"],["2","l2","r2"],["2","l2b","r2"],["4","l4",null],[null,"lnull",null]]],
  ["SELECT * FROM l RIGHT JOIN r USING (id) ORDER BY rv, lv", [["1","l1","r1"],["2","l2","r2"],["2","l2b","r2"],["5",null,"r5"],["5",null,"r5b"],[null,null,"rnull"]]],
  ["SELECT * FROM l FULL JOIN r USING (id) ORDER BY id NULLS FIRST, lv, rv", [[null,"lnull",null],[null,null,"rnull"],["1","l1","r1"],["2","l2","r2"],["2","l2b","r2"],["4","l4",null],["5",null,"r5"],["5",null,"r5b"]]],
  ["SELECT id, l.id, r.id FROM l FULL JOIN r USING (id) ORDER BY 1 NULLS FIRST, lv, rv", [[null,null,null],[null,null,null],["1","1","1"],["2","2","2"],["2","2","2"],["4","4",null],["5",null,"5"],["5",null,"5"]]],
  ["SELECT l.*, r.* FROM l JOIN r USING (id) ORDER BY lv", [["1","l1","1","r1"],["2","l2","2","r2"],["2","l2b","2","r2"]]],
  ["SELECT * FROM l NATURAL JOIN r ORDER BY lv, rv", [["1","l1","r1"],["2","l2","r2"],["2","l2b","r2"]]],
  ["SELECT * FROM l NATURAL LEFT JOIN r ORDER BY lv, rv", [["1","l1","r1"],["2","l2","r2"],["2","l2b","r2"],["4","l4",null],[null,"lnull",null]]],
  ["SELECT * FROM (SELECT 1 AS x) a NATURAL JOIN (SELECT 2 AS y) b", [["1","2"]]],
  ["SELECT * FROM l CROSS JOIN (VALUES (10), (20)) v(x) ORDER BY lv, x", [["1","l1","10"],["1","l1","20"],["2","l2","10"],["2","l2","20"],["2","l2b","10"],["2","l2b","20"],["4","l4","10"],["4","l4","20"],[null,"lnull","10"],[null,"lnull","20"]]],
  ["SELECT count(*) FROM l, r", [["25"]]],
  ["SELECT l.lv, r.rv FROM l, r WHERE l.id = r.id ORDER BY 1, 2", [["l1","r1"],["l2","r2"],["l2b","r2"]]],
  ["SELECT * FROM l JOIN r ON l.id < r.id ORDER BY lv, rv", [["1","l1","2","r2"],["1","l1","5","r5"],["1","l1","5","r5b"],["2","l2","5","r5"],["2","l2","5","r5b"],["2","l2b","5","r5"],["2","l2b","5","r5b"],["4","l4","5","r5"],["4","l4","5","r5b"]]],
  ["SELECT * FROM l LEFT JOIN r ON l.id + 1 = r.id ORDER BY lv, rv", [["1","l1","2","r2"],["2","l2",null,null],["2","l2b",null,null],["4","l4","5","r5"],["4","l4","5","r5b"],[null,"lnull",null,null]]],
  ["SELECT * FROM l JOIN r ON l.id IS NOT DISTINCT FROM r.id ORDER BY lv, rv", [["1","l1","1","r1"],["2","l2","2","r2"],["2","l2b","2","r2"],[null,"lnull",null,"rnull"]]],
  ["SELECT * FROM big8 JOIN l ON big8.id = l.id ORDER BY lv", [["1","one","1","l1"],["2","two","2","l2"],["2","two","2","l2b"]]],
  ["SELECT * FROM big8 JOIN l USING (id) ORDER BY lv", [["1","one","l1"],["2","two","l2"],["2","two","l2b"]]],
  ["SELECT * FROM n JOIN l ON n.k = l.id ORDER BY lv", [["1.0","a","1","l1"]]],
  ["SELECT * FROM n JOIN (VALUES (2.5::numeric, 'x')) v(k, s) USING (k)", [["2.50","b","x"]]],
  ["SELECT * FROM l a JOIN l b ON a.id = b.id AND a.lv < b.lv", [["2","l2","2","l2b"]]],
  ["SELECT j.* FROM (l JOIN r USING (id)) AS j ORDER BY lv, rv", [["1","l1","r1"],["2","l2","r2"],["2","l2b","r2"]]],
  ["SELECT j.id, j.lv FROM (l JOIN r USING (id)) j ORDER BY 2", [["1","l1"],["2","l2"],["2","l2b"]]],
  ["SELECT x.a, x.b FROM (l JOIN r ON l.id = r.id) AS x(a, b) ORDER BY x.b", [["1","l1"],["2","l2"],["2","l2b"]]],
  ["SELECT * FROM l JOIN (r JOIN big8 ON r.id = big8.id) ON l.id = r.id ORDER BY lv", [["1","l1","1","r1","1","one"],["2","l2","2","r2","2","two"],["2","l2b","2","r2","2","two"]]],
  ["SELECT * FROM l LEFT JOIN (r JOIN big8 ON r.id = big8.id) ON l.id = r.id ORDER BY lv", [["1","l1","1","r1","1","one"],["2","l2","2","r2","2","two"],["2","l2b","2","r2","2","two"],["4","l4",null,null,null,null],[null,"lnull",null,null,null,null]]],
  ["SELECT l.lv, r.rv, b.b FROM l, r JOIN big8 b ON b.id = r.id WHERE l.id = r.id ORDER BY 1", [["l1","r1","one"],["l2","r2","two"],["l2b","r2","two"]]],
  ["SELECT * FROM l JOIN r USING (id) JOIN big8 USING (id) ORDER BY lv", [["1","l1","r1","one"],["2","l2","r2","two"],["2","l2b","r2","two"]]],
  ["SELECT * FROM l JOIN r ON l.id = r.id JOIN r r2 ON r2.id = l.id ORDER BY lv", [["1","l1","1","r1","1","r1"],["2","l2","2","r2","2","r2"],["2","l2b","2","r2","2","r2"]]],
  ["SELECT l.lv, s.* FROM l CROSS JOIN LATERAL (SELECT l.id * 10 AS t, l.lv || '!' AS u) s ORDER BY l.lv", [["l1","10","l1!"],["l2","20","l2!"],["l2b","20","l2b!"],["l4","40","l4!"],["lnull",null,"lnull!"]]],
  ["SELECT l.lv, s.c FROM l LEFT JOIN LATERAL (SELECT count(*) AS c FROM r WHERE r.id = l.id) s ON true ORDER BY l.lv", [["l1","1"],["l2","1"],["l2b","1"],["l4","0"],["lnull","0"]]],
  ["SELECT l.lv, s.rv FROM l LEFT JOIN LATERAL (SELECT rv FROM r WHERE r.id = l.id ORDER BY rv LIMIT 1) s ON true ORDER BY l.lv", [["l1","r1"],["l2","r2"],["l2b","r2"],["l4",null],["lnull",null]]],
  ["SELECT l.lv, s.rv FROM l JOIN LATERAL (SELECT rv FROM r WHERE r.id >= l.id) s ON s.rv <> 'r5b' ORDER BY 1, 2", [["l1","r1"],["l1","r2"],["l1","r5"],["l2","r2"],["l2","r5"],["l2b","r2"],["l2b","r5"],["l4","r5"]]],
  ["SELECT l.lv, g FROM l, generate_series(1, l.id) g ORDER BY 1, 2", [["l1","1"],["l2","1"],["l2","2"],["l2b","1"],["l2b","2"],["l4","1"],["l4","2"],["l4","3"],["l4","4"]]],
  ["SELECT l.lv, g FROM l LEFT JOIN generate_series(1, l.id) g ON true ORDER BY 1, 2", [["l1","1"],["l2","1"],["l2","2"],["l2b","1"],["l2b","2"],["l4","1"],["l4","2"],["l4","3"],["l4","4"],["lnull",null]]],
  ["SELECT a.id, b.x FROM l a, LATERAL (SELECT a.id + 1 AS x) b, LATERAL (SELECT b.x * 2 AS y) c WHERE c.y > 2 ORDER BY 1", [["1","2"],["2","3"],["2","3"],["4","5"]]],
  ["SELECT * FROM generate_series(1, 3)", [["1"],["2"],["3"]]],
  ["SELECT * FROM generate_series(1, 10, 4) AS g", [["1"],["5"],["9"]]],
  ["SELECT * FROM generate_series(5, 1, -2) AS g(v)", [["5"],["3"],["1"]]],
  ["SELECT * FROM generate_series(1::bigint, 3::bigint) x", [["1"],["2"],["3"]]],
  ["SELECT * FROM generate_series(0.5, 2.0, 0.5)", [["0.5"],["1.0"],["1.5"],["2.0"]]],
  ["SELECT * FROM generate_series('2024-01-30'::timestamp, '2024-04-30', '1 month')", [["2024-01-30 00:00:00"],["2024-02-29 00:00:00"],["2024-03-29 00:00:00"],["2024-04-29 00:00:00"]]],
  ["SELECT * FROM generate_series(1, 0)", []],
  ["SELECT * FROM generate_series(1, NULL)", []],
  ["SELECT g, ordinality FROM generate_series(10, 12) WITH ORDINALITY g", [["10","1"],["11","2"],["12","3"]]],
  ["SELECT * FROM generate_series(10, 12) WITH ORDINALITY AS t(v, n)", [["10","1"],["11","2"],["12","3"]]],
  ["SELECT * FROM unnest(ARRAY[3, NULL, 1])", [["3"],[null],["1"]]],
  ["SELECT * FROM unnest(ARRAY['a', 'b']) WITH ORDINALITY", [["a","1"],["b","2"]]],
  ["SELECT * FROM unnest(ARRAY[1, 2], ARRAY['x', 'y', 'z']) AS u(n, s)", [["1","x"],["2","y"],[null,"z"]]],
  ["SELECT * FROM unnest(ARRAY[[1, 2], [3, 4]]) x", [["1"],["2"],["3"],["4"]]],
  ["SELECT * FROM unnest('{}'::int[])", []],
  ["SELECT * FROM json_each('{\"a\": 1, \"b\": [2]}') ORDER BY key", [["a","1"],["b","[2]"]]],
  ["SELECT * FROM jsonb_array_elements_text('[1, \"x\", null]') WITH ORDINALITY", [["1","1"],["x","2"],[null,"3"]]],
  ["SELECT * FROM regexp_split_to_table('a,b,,c', ',') AS p", [["a"],["b"],[""],["c"]]],
  ["SELECT * FROM upper('abc')", [["ABC"]]],
  ["SELECT * FROM upper('abc') AS u", [["ABC"]]],
  ["SELECT * FROM lower('ABC') AS f(x)", [["abc"]]],
  ["SELECT * FROM abs(-3) WITH ORDINALITY", [["3","1"]]],
  ["SELECT * FROM l JOIN unnest(ARRAY[1, 2]) u(id) USING (id) ORDER BY lv", [["1","l1"],["2","l2"],["2","l2b"]]],
  ["SELECT count(*) FROM pk JOIN fk ON pk.id = fk.pk_id", [["26"]]],
  ["SELECT fk.id, pk.name FROM fk JOIN pk ON pk.id = fk.pk_id WHERE fk.id < 6 ORDER BY 1", [["1","n1"],["2","n2"],["3","n3"],["4","n4"],["5","n5"]]],
  ["SELECT fk.id, pk.name FROM fk LEFT JOIN pk ON pk.id = fk.pk_id WHERE fk.id IN (7, 14, 15) ORDER BY 1", [["7",null],["14",null],["15","n1"]]],
  ["SELECT * FROM l JOIN r ON l.id = r.id JOIN l l2 ON l2.id = r.id AND l2.lv = 'l1'", [["1","l1","1","r1","1","l1"]]],
  ["SELECT * FROM l a JOIN r a ON true", {"error":"42712"}],
  ["SELECT * FROM l, l", {"error":"42712"}],
  ["SELECT * FROM l JOIN r USING (nosuch)", {"error":"42703"}],
  ["SELECT * FROM l JOIN l l2 USING (id, id)", {"error":"42701"}],
  ["SELECT * FROM (l JOIN r USING (id)) j WHERE l.id = 1", {"error":"42P01"}],
  ["SELECT * FROM l JOIN r USING (id) WHERE id IS NULL", []],
  ["SELECT * FROM l JOIN r ON l.id = r.id AND l.lv", {"error":"42804"}],
  ["SELECT * FROM l, r JOIN big8 ON l.id = big8.id", {"error":"42P01"}],
  ["SELECT * FROM l RIGHT JOIN LATERAL (SELECT l.id) s ON true", {"error":"42P10"}],
  ["SELECT * FROM (SELECT 1) s", [["1"]]],
  ["SELECT * FROM l JOIN r", {"error":"42601"}],
  ["SELECT * FROM generate_series(1, 3) AS g(a, b)", {"error":"42P10"}],
  ["SELECT * FROM generate_series(1, 3, 0)", {"error":"22023"}],
  ["SELECT * FROM l JOIN r ON l.id = r.id WHERE l.id = (SELECT max(id) FROM r WHERE r.id < 3)", [["2","l2","2","r2"],["2","l2b","2","r2"]]],
  ["SELECT l.lv FROM l WHERE EXISTS (SELECT 1 FROM r JOIN big8 ON r.id = big8.id WHERE r.id = l.id) ORDER BY 1", [["l1"],["l2"],["l2b"]]],
  ["SELECT l.lv, ix.v FROM l LEFT JOIN ix ON ix.k = l.id ORDER BY 1, 2", [["l1","a"],["l1","b"],["l2","c"],["l2b","c"],["l4",null],["lnull",null]]],
  ["SELECT l.lv, ix.v FROM l LEFT JOIN ix ON ix.k = l.id AND ix.v <> 'a' ORDER BY 1, 2", [["l1","b"],["l2","c"],["l2b","c"],["l4",null],["lnull",null]]],
  ["SELECT l.lv, ix.v FROM l JOIN ix ON ix.k = l.id ORDER BY 1, 2", [["l1","a"],["l1","b"],["l2","c"],["l2b","c"]]],
  ["SELECT l.lv, pk.name FROM l LEFT JOIN pk ON pk.id = l.id AND pk.name <> 'n2' ORDER BY 1", [["l1","n1"],["l2",null],["l2b",null],["l4","n4"],["lnull",null]]],
  ["SELECT l.lv, pk.name FROM l LEFT JOIN pk ON pk.id = l.id + 1 ORDER BY 1", [["l1","n2"],["l2","n3"],["l2b","n3"],["l4","n5"],["lnull",null]]],
  ["SELECT generate_series(1, 3)", [["1"],["2"],["3"]]],
  ["SELECT generate_series(1, 2) AS a, generate_series(5, 7) AS b", [["1","5"],["2","6"],[null,"7"]]],
  ["SELECT x, generate_series(1, x) FROM (VALUES (0), (2), (3)) v(x) ORDER BY 1, 2", [["2","1"],["2","2"],["3","1"],["3","2"],["3","3"]]],
  ["SELECT unnest(ARRAY[1, 2]) + 1, 'k'", [["2","k"],["3","k"]]],
  ["SELECT l.lv, unnest(ARRAY[l.id, l.id * 10]) FROM l WHERE l.id < 3 ORDER BY 1, 2", [["l1","1"],["l1","10"],["l2","2"],["l2","20"],["l2b","2"],["l2b","20"]]],
  ["SELECT DISTINCT unnest(ARRAY[3, 1, 3]) ORDER BY 1", [["1"],["3"]]],
  ["SELECT generate_series(1, 3) AS g ORDER BY g DESC LIMIT 2", [["3"],["2"]]],
  ["SELECT count(*) FROM (SELECT generate_series(1, 10)) s", [["10"]]],
  ["SELECT k, generate_series(1, count(*)::int) FROM (VALUES (1), (1), (2)) v(k) GROUP BY k ORDER BY 1, 2", [["1","1"],["1","2"],["2","1"]]],
  ["SELECT x, (SELECT generate_series(1, 1)) FROM (VALUES (1)) v(x)", [["1","1"]]],
  ["SELECT 1 WHERE generate_series(1, 2) > 1", {"error":"0A000"}],
  ["SELECT * FROM a FULL JOIN b USING (id) FULL JOIN c USING (id) ORDER BY id NULLS FIRST, x, y, z", [[null,"an",null,null],[null,null,"bn",null],["1","a1",null,"c1"],["2","a2","b2",null],["3",null,"b3","c3"],["4",null,null,"c4"]]],
  ["SELECT pg_typeof(id) FROM a RIGHT JOIN b USING (id) LIMIT 1", [["bigint"]]],
  ["SELECT * FROM a NATURAL FULL JOIN c ORDER BY 1 NULLS LAST, 2, 3", [["1","a1","c1"],["2","a2",null],["3",null,"c3"],["4",null,"c4"],[null,"an",null]]],
  ["SELECT t.* FROM (a JOIN c USING (id)) t", [["1","a1","c1"]]],
  ["SELECT a.x, (SELECT count(*) FROM b JOIN c ON b.id = c.id AND c.id > a.id) FROM a ORDER BY 1", [["a1","1"],["a2","1"],["an","0"]]],
  ["SELECT a.x, s.* FROM a, LATERAL (SELECT b.y FROM b WHERE b.id > a.id ORDER BY b.id LIMIT 1) s ORDER BY 1", [["a1","b2"],["a2","b3"]]],
  ["SELECT (SELECT string_agg(s.v, ',') FROM (SELECT a2.x || q.id AS v FROM a a2 JOIN LATERAL (SELECT a.id AS id) q ON true) s) FROM a WHERE a.id = 1", [["a11,a21,an1"]]],
  ["SELECT a.x FROM a WHERE a.id IN (SELECT id FROM b UNION SELECT id FROM c) ORDER BY 1", [["a1"],["a2"]]],
  ["SELECT s FROM v3 UNION SELECT s FROM v5 ORDER BY 1", [["abc"],["abcde"]]],
  ["SELECT pg_typeof(s) FROM (SELECT s FROM v3 UNION ALL SELECT s FROM v5) q LIMIT 1", [["character varying"]]],
  ["WITH RECURSIVE t(a, b) AS (SELECT 1, NULL::int UNION SELECT a, b FROM t) SELECT * FROM t", [["1",null]]],
  ["WITH w AS (SELECT id FROM c) SELECT a.x FROM a WHERE EXISTS (SELECT 1 FROM w WHERE w.id = a.id) ORDER BY 1", [["a1"]]],
  ["WITH w AS (SELECT id FROM c) SELECT a.x, q.n FROM a, LATERAL (SELECT count(*) AS n FROM w WHERE w.id >= a.id) q ORDER BY 1", [["a1","3"],["a2","2"],["an","0"]]],
  ["WITH outer_q AS (WITH inner_q AS (SELECT 5 AS v) SELECT v * 2 AS w FROM inner_q) SELECT * FROM outer_q", [["10"]]],
  ["SELECT * FROM a JOIN b ON a.id = b.id WHERE a.id = 2", [["2","a2","2","b2"]]],
  ["SELECT id FROM a FULL JOIN b USING (id) ORDER BY id", [["1"],["2"],["3"],[null],[null]]],
  ["SELECT id, count(*) FROM a FULL JOIN b USING (id) GROUP BY id ORDER BY id", [["1","1"],["2","1"],["3","1"],[null,"2"]]],
  ["SELECT a.id, b.id FROM a RIGHT JOIN b USING (id) WHERE a.id IS NULL ORDER BY b.id", [[null,"3"],[null,null]]],
  ["SELECT count(*) FROM a CROSS JOIN b CROSS JOIN c", [["27"]]],
  ["SELECT * FROM (SELECT 1 AS k) s LEFT JOIN LATERAL (SELECT s.k + 1 AS m WHERE false) t ON true", [["1",null]]],
  ["SELECT * FROM a JOIN b ON a.id = b.id OR a.id IS NULL AND b.id IS NULL ORDER BY 2", [["2","a2","2","b2"],[null,"an",null,"bn"]]],
  ["SELECT x, y FROM a JOIN b ON (a.id, a.x) = (b.id, 'a2') ORDER BY 1", [["a2","b2"]]],
  ["SELECT * FROM a JOIN b ON a.id::bigint = b.id", [["2","a2","2","b2"]]],
  ["SELECT * FROM a JOIN c ON a.id = c.id + 0 ORDER BY 1", [["1","a1","1","c1"]]],
  ["SELECT * FROM a JOIN (SELECT DISTINCT id FROM c) d USING (id)", [["1","a1"]]],
  ["SELECT a.id FROM a INTERSECT SELECT b.id FROM b ORDER BY 1", [["2"],[null]]],
  ["SELECT 1 AS one UNION SELECT 2 ORDER BY one DESC", [["2"],["1"]]],
  ["(SELECT 1 AS one) UNION (SELECT 2) LIMIT 1 OFFSET 1", [["2"]]],
  ["SELECT * FROM (SELECT 1 UNION SELECT 1) s", [["1"]]],
  ["SELECT generate_series(1, 2), a.x FROM a WHERE a.id = 1", [["1","a1"],["2","a1"]]],
  ["SELECT u.*, a.x FROM a, unnest(ARRAY[a.id, a.id + 1]) WITH ORDINALITY AS u(v, o) WHERE a.id = 1 ORDER BY o", [["1","1","a1"],["2","2","a1"]]],
  ["SELECT * FROM a JOIN b ON a.id = b.id JOIN c ON c.id = b.id", []],
  ["SELECT * FROM a LEFT JOIN b ON a.id = b.id LEFT JOIN c ON c.id = a.id ORDER BY x", [["1","a1",null,null,"1","c1"],["2","a2","2","b2",null,null],[null,"an",null,null,null,null]]],
  ["SELECT x, y, z FROM a FULL JOIN b ON a.id = b.id FULL JOIN c ON c.id = coalesce(a.id, b.id) ORDER BY 1, 2, 3", [["a1",null,"c1"],["a2","b2",null],["an",null,null],[null,"b3","c3"],[null,"bn",null],[null,null,"c4"]]],
  ["INSERT INTO c SELECT a.id + 10, a.x FROM a JOIN b ON a.id = b.id RETURNING *", [["12","a2"]]],
  ["SELECT * FROM (VALUES (1, 'x')) AS v(n, s) JOIN LATERAL (SELECT v.n * 2 AS d) q ON q.d > v.n", [["1","x","2"]]],
  ["SELECT * FROM a WHERE a.id = ANY(SELECT id FROM b EXCEPT SELECT 3)", [["2","a2"]]],
  ["SELECT id FROM o WHERE k IN (SELECT k FROM i) ORDER BY id", [["1"],["2"],["5"]]],
  ["SELECT id FROM o WHERE k IN (SELECT k FROM i WHERE v IS NOT NULL) AND id > 1 ORDER BY id", [["5"]]],
  ["SELECT id FROM o WHERE k NOT IN (SELECT k FROM i) ORDER BY id", []],
  ["SELECT id FROM o WHERE k NOT IN (SELECT k FROM i WHERE k IS NOT NULL) ORDER BY id", [["4"]]],
  ["SELECT id FROM o WHERE EXISTS (SELECT 1 FROM i WHERE i.k = o.k) ORDER BY id", [["1"],["2"],["5"]]],
  ["SELECT id FROM o WHERE NOT EXISTS (SELECT 1 FROM i WHERE i.k = o.k) ORDER BY id", [["3"],["4"]]],
  ["SELECT id FROM o WHERE EXISTS (SELECT * FROM i WHERE i.k = o.k AND i.v = 'y') ORDER BY id", [["1"],["5"]]],
  ["SELECT id FROM o WHERE NOT EXISTS (SELECT 1 FROM i WHERE o.k = i.k AND i.v IS NOT NULL) ORDER BY id", [["2"],["3"],["4"]]],
  ["SELECT id FROM o WHERE EXISTS (SELECT count(*) FROM i WHERE i.k = o.k) ORDER BY id", [["1"],["2"],["3"],["4"],["5"]]],
  ["SELECT id FROM o WHERE EXISTS (SELECT 1 FROM i WHERE i.k = o.k LIMIT 0) ORDER BY id", []],
  ["SELECT id FROM o WHERE EXISTS (SELECT 1 FROM i WHERE i.k > o.k) ORDER BY id", [["1"],["2"],["5"]]],
  ["SELECT id FROM o WHERE EXISTS (SELECT 1 FROM i WHERE i.k = o.k + 10) ORDER BY id", [["1"],["2"],["5"]]],
  ["SELECT id FROM o WHERE (k, t) IN (SELECT k, 'a' FROM i) ORDER BY id", [["1"]]],
  ["SELECT o.id, (SELECT count(*) FROM o o2 WHERE o2.k IN (SELECT k FROM i WHERE i.k = o.k)) FROM o ORDER BY 1", [["1","2"],["2","1"],["3","0"],["4","0"],["5","2"]]],
  ["SELECT id FROM o WHERE k IN (SELECT k FROM i) OR id = 4 ORDER BY id", [["1"],["2"],["4"],["5"]]],
  ["SELECT id FROM o WHERE k IN (SELECT k::bigint FROM i) ORDER BY id", [["1"],["2"],["5"]]],
  ["SELECT id FROM o WHERE k IN (SELECT 10 UNION SELECT 40) ORDER BY id", [["1"],["4"],["5"]]],
  ["SELECT id FROM o JOIN i USING (k) WHERE EXISTS (SELECT 1 FROM o o3 WHERE o3.id = o.id + 1) ORDER BY id, v", [["1"],["1"],["2"]]],
  ["SELECT count(*) FROM o WHERE EXISTS (SELECT 1 FROM i WHERE i.k = o.k) AND NOT EXISTS (SELECT 1 FROM i WHERE i.k = o.k AND i.v = 'x')", [["1"]]],
  ["SELECT sm.k, bigix.s FROM sm JOIN bigix ON bigix.id = sm.k ORDER BY 1, 2", [["1","s1"],["3","s3"],["3","s3"]]],
  ["SELECT bigix.s, sm.k FROM bigix JOIN sm ON bigix.id = sm.k ORDER BY 1, 2", [["s1","1"],["s3","3"],["s3","3"]]],
  ["SELECT count(*), sum(bigix.id) FROM bigix JOIN sm ON bigix.g = sm.k", [["840","840007"]]],
  ["SELECT count(*) FROM bigix JOIN sm ON bigix.g = sm.k AND bigix.id < 100", [["42"]]],
  ["SELECT bigix.id FROM bigix JOIN sm ON bigix.g = sm.k AND bigix.s LIKE 's1_' ORDER BY 1", [["10"],["10"],["15"],["17"],["17"]]],
  ["SELECT count(*) FROM bigix LEFT JOIN sm ON bigix.g = sm.k", [["2280"]]],
];

let db: Database;

beforeAll(async () => {
  db = await memoryDb();
  for (const s of SETUP) await db.query(s);
});

afterAll(async () => {
  await db.close();
});

describe('joins: results as PostgreSQL 15', () => {
  for (const [sql, expected] of CASES) {
    it(sql, async () => {
      if ('error' in expected) expect(await codeOf(db.query(sql))).toBe(expected.error);
      else expect(await rows(db, sql)).toEqual(expected);
    });
  }
});

describe('join operators at scale', () => {
  it('hash join over several batches: every match, NULL keys never match, outer padding', async () => {
    const d = await memoryDb();
    try {
      await d.query('CREATE TABLE a (k int, v int)');
      await d.query('CREATE TABLE b (k int, w int)');
      // a: k = 0..2999 (k % 10 = 0 -> NULL key); b: k = 0..5998 step 2, two rows each.
      await d.query('INSERT INTO a SELECT CASE WHEN g % 10 = 0 THEN NULL ELSE g END, g FROM generate_series(0, 2999) g');
      await d.query('INSERT INTO b SELECT g * 2, g FROM generate_series(0, 2999) g');
      await d.query('INSERT INTO b SELECT g * 2, -g FROM generate_series(0, 2999) g');
      await d.query('INSERT INTO b VALUES (NULL, 0)');
      // Even non-null keys of a: 0..2998 even, not multiple of 10 -> 1500 - 300 = 1200 keys, two matches each.
      expect(await rows(d, 'SELECT count(*) FROM a JOIN b ON a.k = b.k')).toEqual([['2400']]);
      // LEFT: 2400 matched rows + 1500 odd-key rows unmatched + 300 NULL-key rows = 4200.
      expect(await rows(d, 'SELECT count(*), count(b.k) FROM a LEFT JOIN b ON a.k = b.k')).toEqual([['4200', '2400']]);
      // RIGHT: 2400 + unmatched b rows: (3000 keys - 1200 matched) * 2 + the NULL row = 3601.
      expect(await rows(d, 'SELECT count(*), count(a.k) FROM a RIGHT JOIN b ON a.k = b.k')).toEqual([['6001', '2400']]);
      expect(await rows(d, 'SELECT count(*) FROM a FULL JOIN b ON a.k = b.k')).toEqual([['7801']]);
      // A residual condition on top of the key.
      expect(await rows(d, 'SELECT count(*) FROM a JOIN b ON a.k = b.k AND b.w > 0')).toEqual([['1200']]);
    } finally {
      await d.close();
    }
  });

  it('a large cross product streams under LIMIT', async () => {
    const d = await memoryDb();
    try {
      await d.query('CREATE TABLE t (x int)');
      await d.query('INSERT INTO t SELECT g FROM generate_series(1, 2000) g');
      expect(await rows(d, 'SELECT a.x, b.x FROM t a, t b LIMIT 3')).toEqual([['1', '1'], ['1', '2'], ['1', '3']]);
      expect(await rows(d, 'SELECT count(*) FROM t a, t b WHERE a.x = b.x + 1')).toEqual([['1999']]);
    } finally {
      await d.close();
    }
  });

  it('IN and EXISTS over large tables run as semi / anti joins', async () => {
    const d = await memoryDb();
    try {
      await d.query('CREATE TABLE a (k int)');
      await d.query('CREATE TABLE b (k int)');
      await d.query('INSERT INTO a SELECT g FROM generate_series(1, 20000) g');
      await d.query('INSERT INTO b SELECT g * 3 FROM generate_series(1, 20000) g');
      // Multiples of 3 up to 20000: 6666.
      expect(await rows(d, 'SELECT count(*) FROM a WHERE k IN (SELECT k FROM b)')).toEqual([['6666']]);
      expect(await rows(d, 'SELECT count(*) FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.k = a.k)')).toEqual([['6666']]);
      expect(await rows(d, 'SELECT count(*) FROM a WHERE NOT EXISTS (SELECT 1 FROM b WHERE b.k = a.k)')).toEqual([['13334']]);
    } finally {
      await d.close();
    }
  });

  it('an endless generate_series under LIMIT stops', async () => {
    expect(await rows(db, 'SELECT * FROM generate_series(1, 2000000000) g LIMIT 2')).toEqual([['1'], ['2']]);
  });

  it('a join through the primary key counts every match', async () => {
    expect(await rows(db, 'SELECT count(*), sum(pk.id) FROM fk JOIN pk ON pk.id = fk.pk_id')).toEqual([['26', '87']]);
  });
  it('index-probed join keys may hold bigint and numeric constants', async () => {
    // The index-probe check once ran JSON.stringify over the keys (XX000 on a bigint).
    const d = await memoryDb();
    try {
      await d.exec(`CREATE TABLE a (x bigint, n numeric); CREATE TABLE b (y bigint PRIMARY KEY, v text);
        INSERT INTO a VALUES (1, 1.5), (2, 2.5), (NULL, NULL);
        INSERT INTO b SELECT g, 'v' || g FROM generate_series(1, 1000) g`);
      expect(await rows(d, 'SELECT a.x, b.v FROM a JOIN b ON b.y = a.x + 9223372036854775800 - 9223372036854775799 ORDER BY 1'))
        .toEqual([['1', 'v2'], ['2', 'v3']]);
      expect(await rows(d, 'SELECT a.x, b.v FROM a JOIN b ON b.y = a.n * 2.0 ORDER BY 1')).toEqual([['1', 'v3'], ['2', 'v5']]);
    } finally {
      await d.close();
    }
  });
});
