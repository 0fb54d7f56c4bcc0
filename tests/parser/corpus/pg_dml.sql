-- PostgreSQL corpus: INSERT, UPDATE, DELETE, MERGE.

INSERT INTO users (name, email) VALUES ('Ann', 'ann@example.com')

INSERT INTO users VALUES (1, 'Ann'), (2, 'Bob'), (3, 'Cid')

INSERT INTO users DEFAULT VALUES

INSERT INTO users (name) VALUES (DEFAULT), ('x')

INSERT INTO archive SELECT * FROM users WHERE created_at < now() - interval '1 year'

INSERT INTO archive (id, name) SELECT id, name FROM users RETURNING id

INSERT INTO t (a) VALUES ($1) RETURNING *

INSERT INTO t (a, b) VALUES ($1, $2) RETURNING id, created_at AS ts

INSERT INTO t AS x (id, v) VALUES (1, 'a') ON CONFLICT (id) DO UPDATE SET v = EXCLUDED.v WHERE x.v IS DISTINCT FROM EXCLUDED.v

INSERT INTO t (id, v) VALUES (1, 'a') ON CONFLICT DO NOTHING

INSERT INTO t (id, v) VALUES (1, 'a') ON CONFLICT (id) DO NOTHING

INSERT INTO t (id, v) VALUES (1, 'a') ON CONFLICT ON CONSTRAINT t_pkey DO UPDATE SET v = EXCLUDED.v

INSERT INTO t (a, b) VALUES (1, 2) ON CONFLICT (a, lower(b)) WHERE a > 0 DO UPDATE SET (a, b) = (EXCLUDED.a, EXCLUDED.b) RETURNING *

INSERT INTO t (id) OVERRIDING SYSTEM VALUE VALUES (100)

INSERT INTO t (id) OVERRIDING USER VALUE VALUES (100)

INSERT INTO "user"("firstName", "lastName", "age") VALUES ($1, $2, $3) RETURNING "id"

insert into "users" ("email", "name") values ($1, $2), ($3, $4) returning "id"

INSERT INTO pgbench_history (tid, bid, aid, delta, mtime) VALUES (1, 1, 42, 100, CURRENT_TIMESTAMP)

WITH new_rows AS (SELECT * FROM staging) INSERT INTO target SELECT * FROM new_rows

INSERT INTO t (j) VALUES ('{"a": [1, 2]}'::jsonb), (jsonb_build_object('b', 2))

INSERT INTO t (arr) VALUES (ARRAY['a', 'b']), ('{c,d}')

INSERT INTO t VALUES (1) ON CONFLICT (id) DO UPDATE SET counter = t.counter + 1

UPDATE users SET name = 'Ann' WHERE id = 1

UPDATE users SET name = $1, updated_at = now() WHERE id = $2 RETURNING *

UPDATE users u SET last_login = now() FROM sessions s WHERE s.user_id = u.id AND s.active

UPDATE t SET (a, b) = (1, 2) WHERE id = 3

UPDATE t SET (a, b) = (SELECT x, y FROM u WHERE u.id = t.id)

UPDATE t SET (a, b) = ROW(1, 2)

UPDATE t SET a = DEFAULT, b = NULL

UPDATE t SET arr[1] = 10, arr[2:3] = '{1,2}'

UPDATE t SET comp.f = 1

UPDATE ONLY parent SET x = 1

UPDATE accounts SET balance = balance - 100 WHERE CURRENT OF cur

UPDATE pgbench_accounts SET abalance = abalance + 100 WHERE aid = 42

UPDATE pgbench_tellers SET tbalance = tbalance + $1 WHERE tid = $2

UPDATE "user" SET "age" = $1 WHERE "id" IN ($2)

update "orders" set "status" = $1, "updated_at" = $2 where "id" = $3

UPDATE t SET v = x.v FROM (VALUES (1, 'a'), (2, 'b')) AS x(id, v) WHERE t.id = x.id

WITH src AS (SELECT 1 AS id) UPDATE t SET v = 0 FROM src WHERE t.id = src.id RETURNING t.*

DELETE FROM users WHERE id = 1

DELETE FROM users

DELETE FROM users u USING sessions s WHERE s.user_id = u.id AND s.expired RETURNING u.id

DELETE FROM t WHERE CURRENT OF c

DELETE FROM ONLY parent WHERE x < 0

DELETE FROM "user" WHERE "id" = $1

delete from "sessions" where "expires_at" < $1

WITH old AS (SELECT id FROM t WHERE created < now() - interval '30 days') DELETE FROM t WHERE id IN (SELECT id FROM old)

DELETE FROM t WHERE (a, b) IN (SELECT a, b FROM u)

MERGE INTO customer_account ca USING recent_transactions t ON t.customer_id = ca.customer_id WHEN MATCHED THEN UPDATE SET balance = balance + transaction_value WHEN NOT MATCHED THEN INSERT (customer_id, balance) VALUES (t.customer_id, t.transaction_value)

MERGE INTO wines w USING wine_stock_changes s ON s.winename = w.winename WHEN NOT MATCHED AND s.stock_delta > 0 THEN INSERT VALUES (s.winename, s.stock_delta) WHEN MATCHED AND w.stock + s.stock_delta > 0 THEN UPDATE SET stock = w.stock + s.stock_delta WHEN MATCHED THEN DELETE

MERGE INTO t USING (SELECT 1 AS id) AS s ON t.id = s.id WHEN MATCHED THEN DO NOTHING WHEN NOT MATCHED THEN INSERT DEFAULT VALUES

MERGE INTO t USING s ON t.id = s.id WHEN NOT MATCHED THEN INSERT (id) OVERRIDING SYSTEM VALUE VALUES (s.id)

WITH s AS (SELECT * FROM staging) MERGE INTO t USING s ON t.k = s.k WHEN MATCHED THEN UPDATE SET v = s.v
