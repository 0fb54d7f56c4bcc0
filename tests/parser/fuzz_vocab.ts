// Token vocabularies for the fuzz tests: keywords, identifiers, literals,
// operators and punctuation of each dialect.

const common = [
  'SELECT', 'FROM', 'WHERE', 'GROUP', 'BY', 'ORDER', 'HAVING', 'LIMIT', 'OFFSET', 'FETCH', 'FIRST', 'NEXT', 'ROWS', 'ROW', 'ONLY',
  'AND', 'OR', 'NOT', 'IS', 'NULL', 'TRUE', 'FALSE', 'IN', 'LIKE', 'BETWEEN', 'EXISTS', 'CASE', 'WHEN', 'THEN', 'ELSE', 'END',
  'AS', 'ON', 'USING', 'JOIN', 'LEFT', 'RIGHT', 'FULL', 'INNER', 'OUTER', 'CROSS', 'NATURAL', 'UNION', 'ALL', 'DISTINCT',
  'INTERSECT', 'EXCEPT', 'INSERT', 'INTO', 'VALUES', 'DEFAULT', 'UPDATE', 'SET', 'DELETE', 'MERGE', 'MATCHED', 'CREATE', 'TABLE', 'INDEX',
  'VIEW', 'DROP', 'ALTER', 'ADD', 'COLUMN', 'PRIMARY', 'KEY', 'UNIQUE', 'CHECK', 'REFERENCES', 'FOREIGN', 'CONSTRAINT', 'CAST',
  'INT', 'INTEGER', 'VARCHAR', 'NUMERIC', 'TIMESTAMP', 'DATE', 'TIME', 'INTERVAL', 'WITH', 'RECURSIVE', 'BEGIN', 'COMMIT', 'ROLLBACK',
  'SAVEPOINT', 'GRANT', 'REVOKE', 'TO', 'EXTRACT', 'SUBSTRING', 'TRIM', 'POSITION', 'COUNT', 'SUM', 'OVER', 'PARTITION', 'WINDOW',
  'COLLATE', 'ASC', 'DESC', 'NULLS', 'LAST', 'SEQUENCE', 'SCHEMA', 'DATABASE', 'TRANSACTION', 'ISOLATION', 'LEVEL', 'READ', 'WRITE',
  'a', 'b', 't', 'x', 'foo', 'Bar_1', 'id',
  "'s'", "'it''s'", "''", '1', '42', '1.5', '1e3', '.5',
  '+', '-', '*', '/', '%', '=', '<', '>', '<=', '>=', '<>', '!=', '||',
  '(', ')', ',', ';', '.', '(', ')',
];

const pg = [
  ...common, 'ILIKE', 'SIMILAR', 'RETURNING', 'CONFLICT', 'DO', 'NOTHING', 'EXCLUDED', 'LATERAL', 'ARRAY', 'ISNULL', 'NOTNULL', 'OPERATOR',
  'COPY', 'STDIN', 'STDOUT', 'LISTEN', 'NOTIFY', 'EXPLAIN', 'ANALYZE', 'PREPARE', 'EXECUTE', 'DEALLOCATE', 'SHOW', 'RESET', 'DISCARD',
  'VACUUM', 'LOCK', 'ONLY', 'DISTINCT ON', 'FILTER', 'WITHIN', 'ORDINALITY', 'TABLESAMPLE', 'ZONE', 'AT', 'SERIAL', 'jsonb', 'text',
  '"Q"', '"a""b"', "E'\\n'", '$$x$$', '$t$y$t$', "U&'\\0041'", "B'01'", "X'1F'", '0x1F', '$1', '$2',
  '::', '->', '->>', '#>', '@>', '<@', '?', '?|', '~', '~*', '!~', '^', '&', '|', '#', '<<', '>>', '@', '[', ']', ':',
  '--c\n', '/* c */', '/* /* n */ */',
];

const mysql = [
  ...common, 'REPLACE', 'IGNORE', 'DUPLICATE', 'STRAIGHT_JOIN', 'SQL_CALC_FOUND_ROWS', 'SHOW', 'TABLES', 'DATABASES', 'COLUMNS', 'USE',
  'DESCRIBE', 'ENGINE', 'CHARSET', 'AUTO_INCREMENT', 'UNSIGNED', 'ENUM', 'MODIFY', 'CHANGE', 'REGEXP', 'DIV', 'MOD', 'XOR', 'NAMES',
  'LOCK', 'TABLES', 'UNLOCK', 'DUAL', 'IF', 'FORCE',
  '`q`', '`a``b`', '"dq"', "'a\\'b'", "_utf8'x'", "X'1F'", "b'01'", '0x1F', '0b1', '?', '@v', '@@session.x', '@@version',
  ':=', '<=>', '&&', '!', '^', '&', '|', '~', '<<', '>>', '->', '->>', '#c\n', '-- c\n', '/*!40101 ', '*/', '/* c */',
];

const tsql = [
  ...common, 'TOP', 'PERCENT', 'TIES', 'APPLY', 'OUTPUT', 'inserted', 'deleted', 'DECLARE', 'IF', 'WHILE', 'BREAK', 'CONTINUE',
  'RETURN', 'PRINT', 'RAISERROR', 'THROW', 'TRY', 'CATCH', 'EXEC', 'EXECUTE', 'GOTO', 'TRAN', 'SAVE', 'NOCOUNT', 'IDENTITY',
  'NOLOCK', 'PROCEDURE', 'PROC', 'CURSOR', 'OPEN', 'CLOSE', 'DEALLOCATE', 'MAX', 'NVARCHAR', 'CONVERT', 'TRY_CAST',
  '[q]', '[a]]b]', '"Q"', "N'n'", '0x0A', '@x', '@@ROWCOUNT', '#tmp', '##g', '+=', '!<', '!>', '&', '|', '^', '~', '::',
  '\nGO\n', '\nGO 2\n', '/* /* n */ */', '-- c\n',
];

const firebird = [
  ...common, 'SKIP', 'RDB$DATABASE', 'MON$ATTACHMENTS', 'GEN_ID', 'GENERATOR', 'MATCHING', 'RETURNING', 'BLOCK', 'RETURNS', 'SUSPEND',
  'DECLARE', 'VARIABLE', 'DO', 'WHILE', 'IF', 'EXCEPTION', 'RETAIN', 'SNAPSHOT', 'STABILITY', 'RECORD_VERSION', 'WAIT', 'NO',
  'CONTAINING', 'STARTING', 'RECREATE', 'DOMAIN', 'BLOB', 'SUB_TYPE', 'TRIGGER', 'ACTIVE', 'BEFORE', 'FOR', 'LOCK',
  '"Q"', "Q'{q}'", "_UTF8'x'", "X'FF'", '0x1F', ':p', '?', '||', '^=', '~=', '!<', '!>',
  'SET TERM ^ ;', '^', 'SET TERM ; ^', '-- c\n', '/* c */',
];

export const vocabularies: Record<string, string[]> = { postgres: pg, mysql, tsql, firebird };
