// REINDEX needs ownership, as in PostgreSQL 15 (each expectation checked on
// it): of the table for REINDEX INDEX / TABLE ("must be owner of index" /
// "table"), of the schema for REINDEX SCHEMA (its owner reindexes every table
// in it), of the database for REINDEX DATABASE / SYSTEM; 42501 otherwise.
// Missing objects and the wrong kind are reported first.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Database, Session } from '../../host/engine/db.ts';
import { errorOf, memoryDb } from './helpers.ts';

describe('REINDEX ownership', () => {
  let db: Database;
  let user: Session;
  let owner: Session;

  beforeEach(async () => {
    db = await memoryDb();
    for (const sql of [
      'CREATE ROLE ri_user LOGIN', 'CREATE ROLE ri_owner LOGIN',
      'CREATE TABLE ri_t (a int PRIMARY KEY, b int)', 'CREATE INDEX ri_b ON ri_t (b)', 'GRANT ALL ON ri_t TO ri_user',
      'CREATE SCHEMA ri_s AUTHORIZATION ri_owner', 'CREATE TABLE ri_s.u (a int)', 'CREATE INDEX ri_u_a ON ri_s.u (a)',
    ]) await db.query(sql);
    user = db.session({ user: 'ri_user' });
    owner = db.session({ user: 'ri_owner' });
  });

  afterEach(async () => {
    await user.close();
    await owner.close();
    await db.close();
  });

  it('is 42501 for a user with every privilege but not the owner', async () => {
    const cases: Array<[string, string]> = [
      ['REINDEX TABLE ri_t', 'must be owner of table ri_t'],
      ['REINDEX INDEX ri_b', 'must be owner of index ri_b'],
      ['REINDEX SCHEMA public', 'must be owner of schema public'],
      ['REINDEX DATABASE', 'must be owner of database'],
      ['REINDEX SYSTEM', 'must be owner of database'],
    ];
    for (const [sql, message] of cases) {
      const e = await errorOf(user.query(sql));
      expect({ sql, code: e.code, message: e.message.startsWith(message) }).toEqual({ sql, code: '42501', message: true });
    }
  });

  it('reports a missing object, the wrong kind and another database before ownership', async () => {
    expect((await errorOf(user.query('REINDEX TABLE nosuch'))).code).toBe('42P01');
    expect((await errorOf(user.query('REINDEX INDEX ri_t'))).code).toBe('42809');
    expect((await errorOf(user.query('REINDEX DATABASE other'))).code).toBe('0A000');
  });

  it('lets the owner, a member of the owning role and the schema owner reindex', async () => {
    await db.query('GRANT CREATE ON SCHEMA public TO ri_user');
    await user.query('CREATE TABLE mine (a int PRIMARY KEY, b int)');
    await user.query('CREATE INDEX mine_b ON mine (b)');
    await user.query('INSERT INTO mine VALUES (1, 10), (2, 20)');
    await user.query('REINDEX TABLE mine');
    await user.query('REINDEX INDEX mine_b');
    await owner.query('REINDEX SCHEMA ri_s');
    expect((await errorOf(owner.query('REINDEX TABLE ri_s.u'))).code).toBe('42501');
    expect((await errorOf(owner.query('REINDEX TABLE mine'))).code).toBe('42501');
    await db.query('GRANT ri_user TO ri_owner');
    await owner.query('REINDEX TABLE mine');
    expect((await user.query('SELECT a FROM mine WHERE b = 20')).rows.map((r) => r.map(String))).toEqual([['2']]);
  });
});
