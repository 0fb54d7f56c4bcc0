-- T-SQL corpus (syntax only). Entries are separated by blank lines.

SELECT [id], [name] FROM [dbo].[users] WHERE [id] = 1

SELECT "id" FROM "dbo"."users"

SELECT TOP (10) * FROM users ORDER BY created_at DESC

SELECT TOP 5 name FROM users

SELECT TOP (50) PERCENT WITH TIES name FROM users ORDER BY score

SELECT DISTINCT TOP (3) city FROM addresses

SELECT name FROM users ORDER BY name OFFSET 10 ROWS FETCH NEXT 20 ROWS ONLY

SELECT name FROM users ORDER BY name OFFSET @skip ROWS FETCH NEXT @take ROWS ONLY

SELECT name FROM users ORDER BY id OFFSET 0 ROWS

SELECT * FROM users WITH (NOLOCK) WHERE active = 1

SELECT * FROM dbo.orders AS o WITH (NOLOCK, INDEX(ix_orders_date)) JOIN dbo.users u WITH (READPAST) ON u.id = o.user_id

SELECT * FROM #temp

SELECT * FROM ##global_temp

SELECT * FROM @tablevar

SELECT N'unicode', 'ascii', 0x0A0B, 1.5, -3, 1e10

SELECT @x, @@ROWCOUNT, @@IDENTITY, @@VERSION, @@SPID, @@TRANCOUNT

SELECT @x = col FROM t WHERE id = 1

SELECT @total = SUM(amount), @cnt = COUNT(*) FROM orders

SELECT FullName = first + ' ' + last, Age = 42 FROM people

SELECT name 'Name', id AS 'Id' FROM users

SELECT GETDATE(), SYSDATETIME(), GETUTCDATE(), CURRENT_TIMESTAMP, NEWID(), ISNULL(a, 0), COALESCE(a, b), NULLIF(a, 0), IIF(a > 0, 'y', 'n')

SELECT CONVERT(varchar(10), GETDATE(), 120), CONVERT(int, '42'), CAST(x AS nvarchar(max)), TRY_CAST('x' AS int), TRY_CONVERT(int, 'x')

SELECT DATEADD(day, 1, GETDATE()), DATEDIFF(minute, a, b), DATEPART(year, d), LEN(s), LEFT(s, 2), RIGHT(s, 2), SUBSTRING(s, 1, 3), CHARINDEX('a', s), STUFF(s, 1, 1, 'x')

SELECT STRING_AGG(name, ', ') WITHIN GROUP (ORDER BY name) FROM users

SELECT ROW_NUMBER() OVER (PARTITION BY dept ORDER BY salary DESC) AS rn FROM emp

SELECT COUNT_BIG(*), SUM(x) OVER (ORDER BY t ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) FROM t

SELECT a % 2, a & 1, a | 2, a ^ 3, ~a, -a FROM t

SELECT * FROM t WHERE a !< 5 AND b !> 10 AND c != 1 AND d <> 2

SELECT * FROM t WHERE name LIKE N'%x%' AND id IN (1, 2, 3) AND d BETWEEN '2020-01-01' AND '2020-12-31' AND e IS NOT NULL

SELECT * FROM t WHERE EXISTS (SELECT 1 FROM u WHERE u.id = t.id)

SELECT * FROM users u CROSS APPLY (SELECT TOP (1) * FROM orders o WHERE o.user_id = u.id ORDER BY o.date DESC) AS lastorder

SELECT * FROM users u OUTER APPLY dbo.fn_orders(u.id) AS f

SELECT * FROM t1 INNER JOIN t2 ON t1.id = t2.id LEFT OUTER JOIN t3 ON t3.id = t2.id FULL JOIN t4 ON 1 = 1

SELECT o.name, o.type_desc FROM sys.objects o WHERE o.type = 'U' AND o.is_ms_shipped = 0 ORDER BY o.name

SELECT t.name AS table_name, c.name AS column_name FROM sys.tables t JOIN sys.columns c ON c.object_id = t.object_id

SELECT SCHEMA_NAME(schema_id) AS s, name FROM sys.tables WHERE OBJECT_ID('dbo.users') IS NOT NULL

SELECT * FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_NAME = N'users'

SELECT SERVERPROPERTY('ProductVersion'), DB_NAME(), SUSER_SNAME()

SELECT name INTO #copy FROM users

SELECT * INTO dbo.backup_users FROM users WHERE 1 = 0

WITH cte AS (SELECT id, parent FROM tree WHERE parent IS NULL UNION ALL SELECT t.id, t.parent FROM tree t JOIN cte ON t.parent = cte.id) SELECT * FROM cte

SELECT a FROM t UNION SELECT a FROM u EXCEPT SELECT a FROM v

SELECT ts AT TIME ZONE 'Pacific Standard Time' FROM t

SELECT NEXT VALUE FOR dbo.seq

SELECT x COLLATE Latin1_General_CI_AS FROM t

INSERT INTO users (name, email) VALUES (N'Ann', N'ann@example.com')

INSERT users (name) VALUES ('x'), ('y')

INSERT INTO users (name) OUTPUT inserted.id, inserted.name VALUES ('z')

INSERT INTO t DEFAULT VALUES

INSERT INTO t (a) SELECT a FROM u

INSERT TOP (10) INTO t (a) SELECT a FROM u

INSERT INTO audit (id) OUTPUT inserted.* INTO @log VALUES (1)

UPDATE users SET name = N'x' WHERE id = 1

UPDATE TOP (100) t SET processed = 1 OUTPUT deleted.id, inserted.processed WHERE processed = 0

UPDATE u SET u.total = o.sum FROM users u JOIN (SELECT user_id, SUM(amount) AS sum FROM orders GROUP BY user_id) o ON o.user_id = u.id

UPDATE t SET @x = a = a + 1

UPDATE t SET a += 1, b -= 2, c *= 3

DELETE FROM users WHERE id = 1

DELETE users WHERE id = 2

DELETE TOP (1000) FROM logs WHERE created < '2020-01-01'

DELETE FROM t OUTPUT deleted.* WHERE id = 3

DELETE t FROM t JOIN u ON u.id = t.u_id WHERE u.gone = 1

DELETE FROM t FROM t INNER JOIN u ON u.id = t.id

MERGE INTO target AS t USING source AS s ON t.id = s.id WHEN MATCHED THEN UPDATE SET t.v = s.v WHEN NOT MATCHED BY TARGET THEN INSERT (id, v) VALUES (s.id, s.v) WHEN NOT MATCHED BY SOURCE THEN DELETE OUTPUT $action, inserted.id;

MERGE dbo.t WITH (HOLDLOCK) AS t USING (SELECT 1 AS id) AS s ON t.id = s.id WHEN MATCHED AND t.v <> 0 THEN DELETE;

CREATE TABLE dbo.users (id INT IDENTITY(1,1) NOT NULL PRIMARY KEY CLUSTERED, name NVARCHAR(100) NOT NULL, bio NVARCHAR(MAX) NULL, data VARBINARY(MAX), created DATETIME2(7) CONSTRAINT df_created DEFAULT (SYSUTCDATETIME()), flag BIT NOT NULL DEFAULT 0, amount DECIMAL(18, 4), guid UNIQUEIDENTIFIER DEFAULT NEWID())

CREATE TABLE #temp (id INT, v VARCHAR(10))

CREATE TABLE ##g (id INT)

CREATE TABLE t (a INT, b INT, total AS a + b PERSISTED, c AS (a * 2))

CREATE TABLE t2 (id INT NOT NULL, CONSTRAINT pk_t2 PRIMARY KEY CLUSTERED (id ASC), CONSTRAINT uq_t2 UNIQUE NONCLUSTERED (id), CONSTRAINT fk_t2 FOREIGN KEY (id) REFERENCES t (a) ON DELETE CASCADE)

ALTER TABLE users ADD age INT NULL

ALTER TABLE users ADD a INT, b NVARCHAR(10)

ALTER TABLE users ALTER COLUMN name NVARCHAR(200) NOT NULL

ALTER TABLE users DROP COLUMN age

ALTER TABLE users ADD CONSTRAINT df_age DEFAULT 0 FOR age

ALTER TABLE users DROP CONSTRAINT df_age

CREATE NONCLUSTERED INDEX ix_users_name ON dbo.users (name) INCLUDE (email) WHERE active = 1

CREATE UNIQUE CLUSTERED INDEX ix ON t (id DESC)

DROP INDEX ix ON t

DROP TABLE IF EXISTS dbo.users

DROP TABLE #temp

CREATE VIEW dbo.v_users AS SELECT id, name FROM dbo.users

CREATE OR ALTER VIEW v AS SELECT 1 AS x

ALTER VIEW v AS SELECT 2 AS x

CREATE SEQUENCE dbo.seq AS BIGINT START WITH 1 INCREMENT BY 1 NO CACHE

CREATE SCHEMA sales AUTHORIZATION dbo

TRUNCATE TABLE logs

DECLARE @x INT

DECLARE @x INT = 5, @name NVARCHAR(50) = N'abc', @d DATETIME

DECLARE @t TABLE (id INT PRIMARY KEY, name NVARCHAR(50))

SET @x = 10

SET @x += 1

SET @name = (SELECT TOP (1) name FROM users)

SET NOCOUNT ON

SET NOCOUNT OFF

SET XACT_ABORT ON

SET ANSI_NULLS ON

SET QUOTED_IDENTIFIER ON

SET IDENTITY_INSERT dbo.users ON

SET TRANSACTION ISOLATION LEVEL SNAPSHOT

SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED

SET LOCK_TIMEOUT 1000

SET DATEFORMAT ymd

SET STATISTICS IO ON

SET ROWCOUNT 0

BEGIN TRAN

BEGIN TRANSACTION

BEGIN TRANSACTION t1

COMMIT

COMMIT TRAN

COMMIT TRANSACTION t1

ROLLBACK

ROLLBACK TRAN

ROLLBACK TRANSACTION sp1

SAVE TRAN sp1

SAVE TRANSACTION sp2

IF @x > 0 PRINT 'positive'

IF @x > 0 PRINT 'positive' ELSE PRINT 'not positive'

IF EXISTS (SELECT 1 FROM sys.tables WHERE name = 'users') DROP TABLE users

IF OBJECT_ID('tempdb..#t') IS NOT NULL DROP TABLE #t

IF @a = 1
BEGIN
  SELECT 1;
  SELECT 2;
END
ELSE
BEGIN
  SELECT 3
END

WHILE @i < 10
BEGIN
  SET @i = @i + 1;
  IF @i = 5 CONTINUE;
  IF @i = 8 BREAK
END

BEGIN TRY
  SELECT 1 / 0;
END TRY
BEGIN CATCH
  SELECT ERROR_NUMBER() AS num, ERROR_MESSAGE() AS msg;
  THROW;
END CATCH

RAISERROR ('Something failed: %s', 16, 1, @name)

RAISERROR (N'msg', 10, 1) WITH NOWAIT

THROW 50000, 'Custom error', 1

PRINT 'hello'

PRINT N'Count: ' + CAST(@n AS NVARCHAR(10))

RETURN

RETURN 0

EXEC sp_who

EXEC dbo.usp_get_user @id = 1

EXECUTE dbo.usp_update @id = 1, @name = N'x', @result = @r OUTPUT

EXEC @rc = dbo.usp_check 5, 'a'

EXECUTE sp_executesql N'SELECT * FROM users WHERE id = @id', N'@id INT', @id = 42

EXEC ('SELECT * FROM ' + @table)

EXEC sp_rename 'dbo.t.a', 'b', 'COLUMN'

WAITFOR DELAY '00:00:05'

GOTO done

done:

DECLARE cur CURSOR LOCAL FAST_FORWARD FOR SELECT id FROM users

OPEN cur

FETCH NEXT FROM cur INTO @id

CLOSE cur

DEALLOCATE cur

USE master

CREATE PROCEDURE dbo.usp_get_user @id INT AS BEGIN SET NOCOUNT ON; SELECT * FROM users WHERE id = @id; END

CREATE OR ALTER PROCEDURE dbo.usp_add (@a INT, @b INT = 0, @sum INT OUTPUT) WITH RECOMPILE AS BEGIN SET @sum = @a + @b; RETURN 0; END

CREATE PROC p AS SELECT 1

ALTER PROCEDURE p AS SELECT 2

DROP PROCEDURE IF EXISTS dbo.usp_get_user

CREATE TRIGGER trg_users_upd ON dbo.users AFTER UPDATE, INSERT AS BEGIN SET NOCOUNT ON; UPDATE u SET modified = GETDATE() FROM dbo.users u JOIN inserted i ON i.id = u.id; END

CREATE FUNCTION dbo.add1 (@x INT) RETURNS INT AS BEGIN RETURN @x + 1; END

GRANT SELECT ON dbo.users TO reader

SELECT 1
GO
SELECT 2
GO

CREATE TABLE t (a INT)
GO
INSERT INTO t VALUES (1)
INSERT INTO t VALUES (2)
SELECT * FROM t
GO 2

SELECT 1; SELECT 2
