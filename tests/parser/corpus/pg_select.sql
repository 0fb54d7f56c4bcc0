-- PostgreSQL corpus: queries. Entries are separated by blank lines.

SELECT 1

SELECT 1 AS one, 'two' AS "Two", 3.0 three

SELECT * FROM users

SELECT u.* FROM users u

SELECT users.id, users.name FROM public.users

SELECT mydb.public.users.id FROM mydb.public.users

SELECT DISTINCT city FROM addresses ORDER BY city

SELECT DISTINCT ON (customer_id) customer_id, created_at, total FROM orders ORDER BY customer_id, created_at DESC

SELECT ALL a FROM t

SELECT FROM t

SELECT a, b FROM t WHERE a > 10 AND b < 20 OR c = 30

SELECT a FROM t WHERE a OR b AND NOT c

SELECT a FROM t WHERE NOT (a = 1 OR b = 2)

SELECT a FROM t WHERE x BETWEEN 1 AND 10

SELECT a FROM t WHERE x NOT BETWEEN SYMMETRIC 10 AND 1

SELECT a FROM t WHERE x IN (1, 2, 3)

SELECT a FROM t WHERE x NOT IN (SELECT y FROM u)

SELECT a FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.t_id = t.id)

SELECT a FROM t WHERE NOT EXISTS (SELECT 1 FROM u WHERE u.t_id = t.id)

SELECT a FROM t WHERE name LIKE 'A%' ESCAPE '!'

SELECT a FROM t WHERE name NOT LIKE '%x%'

SELECT a FROM t WHERE name ILIKE 'a%'

SELECT a FROM t WHERE name NOT ILIKE 'a%'

SELECT a FROM t WHERE name SIMILAR TO '(a|b)%'

SELECT a FROM t WHERE name NOT SIMILAR TO 'x%' ESCAPE '#'

SELECT a FROM t WHERE name ~ '^a' AND name ~* 'B$' AND name !~ 'c' AND name !~* 'd'

SELECT a FROM t WHERE name ~~ 'a%' AND name !~~ 'b%' AND name ~~* 'c%'

SELECT a FROM t WHERE x IS NULL AND y IS NOT NULL

SELECT a FROM t WHERE x ISNULL OR y NOTNULL

SELECT a FROM t WHERE flag IS TRUE AND other IS NOT FALSE AND third IS UNKNOWN

SELECT a FROM t WHERE a IS DISTINCT FROM b OR c IS NOT DISTINCT FROM d

SELECT a FROM t WHERE x = ANY (ARRAY[1, 2, 3])

SELECT a FROM t WHERE x <> ALL (SELECT y FROM u)

SELECT a FROM t WHERE x = SOME (SELECT y FROM u)

SELECT a FROM t WHERE name LIKE ANY (ARRAY['a%', 'b%'])

SELECT a FROM t WHERE x > ALL ('{1,2,3}'::int[])

SELECT -2 ^ 2, (-2) ^ 2, 2 ^ 3 ^ 2, - - 1, +1, 10 % 3, 7 / 2, 2 * 3 + 4 * 5

SELECT 1 - -1, 1 + -1, 5 - 3 - 1

SELECT 'a' || 'b' || 'c', 'x' || 1

SELECT 5 & 3, 5 | 3, 5 # 3, ~5, 1 << 4, 256 >> 2

SELECT @ -5, |/ 25, ||/ 27

SELECT a::int, a::text, a::varchar(10), a::numeric(10,2), a::int[], a::text[][], '1'::bigint + 1

SELECT CAST(a AS integer), CAST('2020-01-01' AS date), CAST(x AS double precision), CAST(y AS character varying(20))

SELECT '2020-01-01'::timestamp with time zone, '10:00'::time without time zone, now()::timestamptz(3)

SELECT DATE '2020-01-01', TIME '10:00:00', TIMESTAMP '2020-01-01 10:00:00', TIMESTAMP WITH TIME ZONE '2020-01-01 10:00:00+02'

SELECT INTERVAL '1 day', INTERVAL '2 hours 30 minutes', interval '1' day, interval '1-2' year to month, INTERVAL '1.5' second(3)

SELECT int4 '42', text 'abc', bool 'true', json '{"a":1}', uuid 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', pg_catalog.int8 '7'

SELECT double precision '1.5', character varying 'x', numeric '1.25'

SELECT TRUE, FALSE, NULL, true AND false

SELECT 'it''s', E'tab\there', E'quote\'s', E'\x41\101\u00e9', $$dollar 'quoted'$$, $fn$ body $$ inside $fn$, U&'\0041\+01F600', U&'!0041' UESCAPE '!'

SELECT N'national', B'1010', X'FF', 0x1F, 0o17, 0b101, 1_000_000, 42, 3.14, 6.02e23, 1e-5, .25

SELECT $1, $2::int, $3::text[]

SELECT a[1], a[2][3], a[1:2], a[:2], a[2:], (arr)[1], (f(x)).field, (compositecol).*, (t.rowval).a

SELECT ARRAY[1, 2, 3], ARRAY[[1, 2], [3, 4]], ARRAY[]::int[], ARRAY(SELECT id FROM t)

SELECT ROW(1, 'a'), ROW(), (1, 2) = (3, 4), (a, b) IN ((1, 2), (3, 4))

SELECT x->'a', x->>'b', x#>'{a,b}', x#>>'{a,b}', x@>'{"a":1}', x<@'{"a":1}', x?'a', x?|ARRAY['a','b'], x?&ARRAY['a'], x - 'key', x || '{"b":2}'::jsonb

SELECT data -> 'items' -> 0 ->> 'name' FROM docs WHERE data @> '{"active": true}'

SELECT jsonb_path_query(data, '$.items[*]') FROM docs WHERE data @? '$.items[*] ? (@.price > 10)'

SELECT tsv @@ to_tsquery('english', 'cat & dog') FROM docs

SELECT point(1, 2) <-> point(3, 4), box '((0,0),(1,1))' && box '((0.5,0.5),(2,2))'

SELECT 'a' COLLATE "C" < 'b', name COLLATE pg_catalog."default", x COLLATE "en_US" FROM t ORDER BY name COLLATE "C"

SELECT CASE WHEN a > 0 THEN 'pos' WHEN a < 0 THEN 'neg' ELSE 'zero' END FROM t

SELECT CASE status WHEN 1 THEN 'one' WHEN 2 THEN 'two' END FROM t

SELECT COALESCE(a, b, 0), NULLIF(a, ''), GREATEST(a, b, c), LEAST(1, 2)

SELECT count(*), count(DISTINCT a), sum(b), avg(c), min(d), max(e) FROM t

SELECT count(*) FILTER (WHERE status = 'active') AS active FROM users

SELECT string_agg(name, ', ' ORDER BY name DESC) FROM users

SELECT array_agg(DISTINCT x ORDER BY x) FROM t

SELECT json_agg(t ORDER BY t.id) FROM t

SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY salary) FROM emp

SELECT mode() WITHIN GROUP (ORDER BY x) FROM t

SELECT rank() OVER (ORDER BY score DESC), dense_rank() OVER (PARTITION BY dept ORDER BY salary) FROM emp

SELECT sum(x) OVER (PARTITION BY g ORDER BY t ROWS BETWEEN 2 PRECEDING AND 2 FOLLOWING) FROM m

SELECT avg(x) OVER (ORDER BY t RANGE BETWEEN INTERVAL '1 day' PRECEDING AND CURRENT ROW) FROM m

SELECT count(*) OVER (ORDER BY t GROUPS BETWEEN 1 PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE CURRENT ROW) FROM m

SELECT first_value(x) OVER w, last_value(x) OVER w FROM t WINDOW w AS (PARTITION BY g ORDER BY t ROWS UNBOUNDED PRECEDING)

SELECT row_number() OVER (w ORDER BY t) FROM t WINDOW w AS (PARTITION BY g)

SELECT lag(x, 1) OVER (ORDER BY t), lead(x) OVER (ORDER BY t ROWS UNBOUNDED PRECEDING EXCLUDE NO OTHERS) FROM t

SELECT EXTRACT(YEAR FROM ts), EXTRACT(epoch FROM now()), EXTRACT('month' FROM d), date_part('day', ts)

SELECT SUBSTRING('hello' FROM 2 FOR 3), SUBSTRING('hello' FROM 2), SUBSTRING('hello' FOR 2), substring('hello', 1, 2), SUBSTRING('abc' SIMILAR '%#"b#"%' ESCAPE '#')

SELECT POSITION('b' IN 'abc'), position('x' in s) FROM t

SELECT TRIM('  x  '), TRIM(BOTH FROM s), TRIM(LEADING 'x' FROM s), TRIM(TRAILING FROM s), TRIM('x' FROM s), ltrim(s), btrim(s, 'x')

SELECT OVERLAY('Txxxxas' PLACING 'hom' FROM 2 FOR 4), OVERLAY(s PLACING 'x' FROM 1)

SELECT CURRENT_DATE, CURRENT_TIME, CURRENT_TIME(2), CURRENT_TIMESTAMP, LOCALTIME, LOCALTIMESTAMP(0), CURRENT_USER, SESSION_USER, USER, CURRENT_ROLE, CURRENT_SCHEMA, CURRENT_CATALOG

SELECT current_schema(), current_schemas(true), current_database(), version(), pg_backend_pid()

SELECT now() AT TIME ZONE 'UTC', ts AT TIME ZONE 'America/New_York' AT TIME ZONE 'UTC'

SELECT (SELECT max(id) FROM t) AS maxid, (SELECT count(*) FROM u WHERE u.t = t.id) FROM t

SELECT nextval('users_id_seq'), currval('users_id_seq'), setval('users_id_seq', 100, false), lastval()

SELECT nextval('public.orders_id_seq'::regclass)

SELECT make_interval(days => 3), concat_ws(sep := ',', str := 'x')

SELECT f(VARIADIC ARRAY[1, 2, 3])

SELECT a.x OPERATOR(pg_catalog.+) 1, OPERATOR(pg_catalog.-) 5, a OPERATOR(pg_catalog.=) ANY (b)

SELECT * FROM t1 INNER JOIN t2 ON t1.id = t2.t1_id

SELECT * FROM t1 JOIN t2 USING (id)

SELECT * FROM t1 LEFT JOIN t2 ON t1.id = t2.id LEFT OUTER JOIN t3 ON t3.id = t2.id

SELECT * FROM t1 RIGHT JOIN t2 ON true FULL OUTER JOIN t3 ON false

SELECT * FROM t1 CROSS JOIN t2

SELECT * FROM t1 NATURAL JOIN t2 NATURAL LEFT JOIN t3

SELECT * FROM t1, t2, t3 WHERE t1.a = t2.a AND t2.b = t3.b

SELECT * FROM (t1 JOIN t2 ON t1.a = t2.a) JOIN t3 ON t3.b = t2.b

SELECT * FROM ((SELECT 1 AS x) AS s JOIN t ON t.x = s.x)

SELECT * FROM (SELECT id FROM users) AS u

SELECT * FROM (SELECT id FROM users) u(uid)

SELECT * FROM ((SELECT 1) UNION (SELECT 2)) AS s(x)

SELECT * FROM (VALUES (1, 'a'), (2, 'b')) AS v(id, name)

SELECT * FROM generate_series(1, 10) AS g(i)

SELECT * FROM generate_series('2020-01-01'::date, '2020-12-31'::date, interval '1 month') g

SELECT * FROM unnest(ARRAY[1, 2, 3]) WITH ORDINALITY AS u(val, idx)

SELECT * FROM json_to_record('{"a":1,"b":"x"}') AS x(a int, b text)

SELECT * FROM users u, LATERAL (SELECT * FROM orders o WHERE o.user_id = u.id ORDER BY created_at DESC LIMIT 3) recent

SELECT * FROM users u CROSS JOIN LATERAL jsonb_array_elements(u.tags) AS tag

SELECT * FROM users u LEFT JOIN LATERAL (SELECT count(*) AS n FROM orders WHERE user_id = u.id) c ON true

SELECT * FROM ONLY parent_table

SELECT * FROM big TABLESAMPLE SYSTEM (10) REPEATABLE (42)

SELECT * FROM big TABLESAMPLE BERNOULLI (5)

SELECT dept, count(*) FROM emp GROUP BY dept HAVING count(*) > 5

SELECT a, b, sum(c) FROM t GROUP BY ROLLUP (a, b)

SELECT a, b, sum(c) FROM t GROUP BY CUBE (a, b)

SELECT a, b, sum(c) FROM t GROUP BY GROUPING SETS ((a, b), (a), ())

SELECT a, grouping(a), sum(c) FROM t GROUP BY DISTINCT ROLLUP (a), CUBE (b)

SELECT a FROM t GROUP BY ALL a

SELECT a FROM t ORDER BY a USING <, b DESC NULLS FIRST, c ASC NULLS LAST

SELECT a FROM t LIMIT ALL

SELECT a FROM t LIMIT 10

SELECT a FROM t OFFSET 5

SELECT a FROM t OFFSET 10 LIMIT 5

SELECT a FROM t LIMIT $1 OFFSET $2

SELECT a FROM t ORDER BY a FETCH FIRST 10 ROWS ONLY

SELECT a FROM t ORDER BY a OFFSET 5 ROWS FETCH NEXT 10 ROWS ONLY

SELECT a FROM t ORDER BY a FETCH FIRST ROW ONLY

SELECT a FROM t ORDER BY a FETCH FIRST 3 ROWS WITH TIES

SELECT a FROM t OFFSET 3 ROWS

SELECT * FROM jobs WHERE status = 'pending' ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED

SELECT * FROM t FOR UPDATE

SELECT * FROM t FOR SHARE NOWAIT

SELECT * FROM t1 JOIN t2 ON true FOR UPDATE OF t1, t2 NOWAIT FOR SHARE OF t2

SELECT * FROM t FOR NO KEY UPDATE

SELECT * FROM t FOR KEY SHARE SKIP LOCKED

SELECT a FROM t UNION SELECT a FROM u

SELECT a FROM t UNION ALL SELECT a FROM u UNION DISTINCT SELECT a FROM v

SELECT a FROM t INTERSECT SELECT a FROM u

SELECT a FROM t EXCEPT ALL SELECT a FROM u

SELECT a FROM t UNION SELECT a FROM u INTERSECT SELECT a FROM v

(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT a FROM u ORDER BY a LIMIT 1)

SELECT a FROM t UNION (SELECT a FROM u EXCEPT SELECT a FROM v) ORDER BY 1 LIMIT 5

VALUES (1, 'one'), (2, 'two'), (3, 'three')

VALUES (1) ORDER BY 1 LIMIT 1

TABLE users

TABLE public.users ORDER BY id

WITH t AS (SELECT 1 AS x) SELECT * FROM t

WITH a AS (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b

WITH RECURSIVE nums(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM nums WHERE n < 10) SELECT n FROM nums

WITH cte AS MATERIALIZED (SELECT * FROM big) SELECT count(*) FROM cte

WITH cte AS NOT MATERIALIZED (SELECT * FROM big) SELECT * FROM cte WHERE id = 1

WITH moved AS (DELETE FROM queue WHERE id < 100 RETURNING *) INSERT INTO archive SELECT * FROM moved

WITH upd AS (UPDATE accounts SET balance = balance - 10 WHERE id = 1 RETURNING id) SELECT * FROM upd

SELECT * INTO new_table FROM old_table

SELECT * INTO TEMP TABLE tmp FROM t WHERE false

SELECT a FROM t WHERE a IN (SELECT b FROM u UNION SELECT c FROM v)

SELECT a FROM t WHERE a = (SELECT max(a) FROM t)

SELECT ((SELECT 1)), ((SELECT 1) UNION (SELECT 2)) FROM t

SELECT x FROM t WHERE (x, y) = ANY (SELECT a, b FROM u)

SELECT 1 WHERE 1 < 2 AND 2 <= 3 AND 3 > 2 AND 4 >= 4 AND 5 != 6 AND 7 <> 8

SELECT a FROM t WHERE a = 1 IS TRUE

SELECT a + b * c - d / e % f FROM t

SELECT (a + b) * (c - d) FROM t

SELECT -a::int, (-a)::int, -(a::int) FROM t

SELECT a::text::int, a::int + 1, (a + 1)::text FROM t

SELECT 'x' LIKE 'y' = true, NOT a BETWEEN 1 AND 2

SELECT pg_catalog.array_to_string(ARRAY(SELECT pg_catalog.unnest(x)), ',') FROM t

SELECT c.conname, pg_catalog.pg_get_constraintdef(c.oid, true) FROM pg_catalog.pg_constraint c WHERE c.conrelid = '16385' AND c.contype = 'f' ORDER BY 1

SELECT t.typname FROM pg_catalog.pg_type t LEFT JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace WHERE (t.typrelid = 0 OR (SELECT c.relkind = 'c' FROM pg_catalog.pg_class c WHERE c.oid = t.typrelid)) AND NOT EXISTS(SELECT 1 FROM pg_catalog.pg_type el WHERE el.oid = t.typelem AND el.typarray = t.oid) AND pg_catalog.pg_type_is_visible(t.oid) ORDER BY 1

SELECT n.nspname as "Schema", c.relname as "Name", CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type", pg_catalog.pg_get_userbyid(c.relowner) as "Owner" FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam WHERE c.relkind IN ('r','p','v','m','S','f','') AND n.nspname <> 'pg_catalog' AND n.nspname !~ '^pg_toast' AND n.nspname <> 'information_schema' AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 1,2

SELECT c.oid, n.nspname, c.relname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE c.relname OPERATOR(pg_catalog.~) '^(accounts)$' COLLATE pg_catalog.default AND pg_catalog.pg_table_is_visible(c.oid) ORDER BY 2, 3

SELECT c.relchecks, c.relkind, c.relhasindex, c.relhasrules, c.relhastriggers, c.relrowsecurity, c.relforcerowsecurity, false AS relhasoids, c.relispartition, pg_catalog.array_to_string(c.reloptions || array(select 'toast.' || x from pg_catalog.unnest(tc.reloptions) x), ', '), c.reltablespace, CASE WHEN c.reloftype = 0 THEN '' ELSE c.reloftype::pg_catalog.regtype::pg_catalog.text END, c.relpersistence, c.relreplident, am.amname FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid) LEFT JOIN pg_catalog.pg_am am ON (c.relam = am.oid) WHERE c.oid = '16384'

SELECT a.attname, pg_catalog.format_type(a.atttypid, a.atttypmod), (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true) FROM pg_catalog.pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef), a.attnotnull, (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation) AS attcollation, a.attidentity, a.attgenerated FROM pg_catalog.pg_attribute a WHERE a.attrelid = '16384' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum

SELECT c2.relname, i.indisprimary, i.indisunique, i.indisclustered, i.indisvalid, pg_catalog.pg_get_indexdef(i.indexrelid, 0, true), pg_catalog.pg_get_constraintdef(con.oid, true), contype, condeferrable, condeferred, i.indisreplident, c2.reltablespace FROM pg_catalog.pg_class c, pg_catalog.pg_class c2, pg_catalog.pg_index i LEFT JOIN pg_catalog.pg_constraint con ON (conrelid = i.indrelid AND conindid = i.indexrelid AND contype IN ('p','u','x')) WHERE c.oid = '16384' AND c.oid = i.indrelid AND i.indexrelid = c2.oid ORDER BY i.indisprimary DESC, c2.relname

SELECT pol.polname, pol.polpermissive, CASE WHEN pol.polroles = '{0}' THEN NULL ELSE pg_catalog.array_to_string(array(select rolname from pg_catalog.pg_roles where oid = any (pol.polroles) order by 1),',') END, pg_catalog.pg_get_expr(pol.polqual, pol.polrelid), CASE pol.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT' END AS cmd FROM pg_catalog.pg_policy pol WHERE pol.polrelid = '16384' ORDER BY 1

SELECT d.datname as "Name", pg_catalog.pg_get_userbyid(d.datdba) as "Owner", pg_catalog.pg_encoding_to_char(d.encoding) as "Encoding", d.datcollate as "Collate", d.datctype as "Ctype", pg_catalog.array_to_string(d.datacl, E'\n') AS "Access privileges" FROM pg_catalog.pg_database d ORDER BY 1

SELECT r.rolname, r.rolsuper, r.rolinherit, r.rolcreaterole, r.rolcreatedb, r.rolcanlogin, r.rolconnlimit, r.rolvaliduntil, ARRAY(SELECT b.rolname FROM pg_catalog.pg_auth_members m JOIN pg_catalog.pg_roles b ON (m.roleid = b.oid) WHERE m.member = r.oid) as memberof, r.rolreplication, r.rolbypassrls FROM pg_catalog.pg_roles r WHERE r.rolname !~ '^pg_' ORDER BY 1

SELECT n.nspname AS "Name", pg_catalog.pg_get_userbyid(n.nspowner) AS "Owner" FROM pg_catalog.pg_namespace n WHERE n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' ORDER BY 1

SELECT p.proname, pg_catalog.pg_get_function_result(p.oid), pg_catalog.pg_get_function_arguments(p.oid), CASE p.prokind WHEN 'a' THEN 'agg' WHEN 'w' THEN 'window' WHEN 'p' THEN 'proc' ELSE 'func' END FROM pg_catalog.pg_proc p LEFT JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace WHERE pg_catalog.pg_function_is_visible(p.oid) ORDER BY 1, 2, 4

SELECT pg_catalog.quote_ident(c.relname) FROM pg_catalog.pg_class c WHERE c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND substring(pg_catalog.quote_ident(c.relname),1,3)='acc' AND pg_catalog.pg_table_is_visible(c.oid) LIMIT 1000

SELECT table_name, column_name, data_type, is_nullable, column_default FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position

SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'

SELECT tc.constraint_name, kcu.column_name, ccu.table_name AS foreign_table FROM information_schema.table_constraints AS tc JOIN information_schema.key_column_usage AS kcu ON tc.constraint_name = kcu.constraint_name AND tc.table_schema = kcu.table_schema JOIN information_schema.constraint_column_usage AS ccu ON ccu.constraint_name = tc.constraint_name WHERE tc.constraint_type = 'FOREIGN KEY' AND tc.table_name = 'orders'

SELECT "t"."oid", "t"."typname", "t"."typarray" FROM "pg_catalog"."pg_type" "t" WHERE "t"."typname" IN ('hstore', 'citext')

SELECT * FROM pg_stat_activity WHERE state = 'active' AND pid <> pg_backend_pid()

SELECT pg_size_pretty(pg_total_relation_size('users')), pg_relation_size('users'::regclass)

SELECT relname, n_live_tup FROM pg_stat_user_tables ORDER BY n_live_tup DESC

SELECT setting FROM pg_settings WHERE name = 'max_connections'

SELECT abalance FROM pgbench_accounts WHERE aid = 42

SELECT abalance FROM pgbench_accounts WHERE aid = $1

SELECT "User"."id", "User"."firstName" AS "User_firstName" FROM "user" "User" WHERE "User"."id" IN ($1, $2, $3)

SELECT "users".* FROM "users" WHERE "users"."email" = $1 LIMIT $2

SELECT "id", "name", "email" FROM "users" WHERE ("users"."id" = $1 and "users"."deleted_at" is null) ORDER BY "users"."created_at" desc LIMIT $2

select "posts"."id", "posts"."title", "users"."name" from "posts" inner join "users" on "posts"."author_id" = "users"."id" where "posts"."published" = $1 order by "posts"."id" asc limit $2 offset $3

select count(*) as "count" from "orders" where "status" in ($1, $2)

SELECT "distinctAlias"."User_id" AS "ids_User_id" FROM (SELECT "User"."id" AS "User_id" FROM "user" "User") "distinctAlias" ORDER BY "User_id" ASC LIMIT 10

SELECT json_build_object('id', u.id, 'posts', (SELECT coalesce(json_agg(p), '[]'::json) FROM posts p WHERE p.user_id = u.id)) FROM users u

SELECT * FROM "events" WHERE "occurred_at" >= now() - interval '7 days' AND "payload"->>'type' = 'click'

SELECT date_trunc('hour', created_at) AS h, count(*) FROM events GROUP BY 1 ORDER BY 1

SELECT to_char(now(), 'YYYY-MM-DD'), to_timestamp(0), age(now(), '2000-01-01'::timestamp)

SELECT id FROM t WHERE tags && ARRAY['a', 'b']::text[] AND NOT tags @> ARRAY['c']

SELECT a FROM t WHERE b = ANY($1::int[])

SELECT regexp_replace(s, '\s+', ' ', 'g'), split_part(s, ',', 1) FROM t

SELECT 'a' < 'b' COLLATE "C"

SELECT x IS DOCUMENT, y IS NOT NORMALIZED FROM t

SELECT * FROM t WHERE (a).b = 1 AND (c).d[1] > 2

select b.oid, b.typarray from pg_catalog.pg_type a left join pg_catalog.pg_type b on b.oid = a.typelem where a.typcategory = 'A' group by b.oid, b.typarray order by b.oid

SELECT $1::text AS name, $2::int4 AS n

SELECT NOW()

select * from users where id = any($1) and name ilike $2

select "id", "name" from "users" where "users"."id" = $1 limit $2 for update

SELECT "users"."id", "users"."name", "users_posts"."data" AS "posts" FROM "users" LEFT JOIN LATERAL (SELECT coalesce(json_agg(json_build_array("users_posts"."id", "users_posts"."title")), '[]'::json) AS "data" FROM "posts" "users_posts" WHERE "users_posts"."author_id" = "users"."id") "users_posts" ON true

SELECT "Post"."id" AS "Post_id", "Post__Post_author"."id" AS "Post__Post_author_id" FROM "post" "Post" LEFT JOIN "user" "Post__Post_author" ON "Post__Post_author"."id" = "Post"."authorId" WHERE ("Post"."published" = $1) ORDER BY "Post"."createdAt" DESC LIMIT 10

SELECT * FROM "migrations" "migrations" ORDER BY "id" DESC

SELECT * FROM current_schema()

SELECT version()

SELECT count(*)::int FROM pg_stat_activity

select pg_catalog.pg_is_in_recovery()

SELECT oid, typname FROM pg_type WHERE typname = ANY($1::text[])

SELECT attname FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0 AND NOT attisdropped

SELECT i.relname AS index_name, a.attname AS column_name FROM pg_class t, pg_class i, pg_index ix, pg_attribute a WHERE t.oid = ix.indrelid AND i.oid = ix.indexrelid AND a.attrelid = t.oid AND a.attnum = ANY(ix.indkey) AND t.relkind = 'r' AND t.relname = $1
