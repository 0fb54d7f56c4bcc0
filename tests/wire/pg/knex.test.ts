// knex (through the pg driver) against the server: migrations (its
// knex_migrations bookkeeping and schema builder), CRUD with the query
// builder, and transactions.

import knexFactory, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestServer, type TestServer } from './server_helper.ts';

let srv: TestServer;
let knex: Knex;

const migrations = {
  getMigrations: async () => ['001_authors', '002_books'],
  getMigrationName: (m: string) => m,
  getMigration: async (m: string): Promise<Knex.Migration> =>
    m === '001_authors'
      ? {
          up: (k) => k.schema.createTable('authors', (t) => {
            t.increments('id');
            t.string('name', 100).notNullable().unique();
            t.timestamp('created_at').defaultTo(k.fn.now());
          }),
          down: (k) => k.schema.dropTable('authors'),
        }
      : {
          up: (k) => k.schema.createTable('books', (t) => {
            t.increments('id');
            t.integer('author_id').notNullable().references('id').inTable('authors').onDelete('CASCADE');
            t.string('title').notNullable();
            t.decimal('price', 8, 2);
            t.boolean('in_print').defaultTo(true);
          }),
          down: (k) => k.schema.dropTable('books'),
        },
};

beforeAll(async () => {
  srv = await startTestServer();
  knex = knexFactory({
    client: 'pg',
    connection: { host: '127.0.0.1', port: srv.port, user: 'sysdba', password: PASSWORD, database: 'scratchbird' },
    pool: { min: 0, max: 4 },
  });
});
afterAll(async () => {
  await knex?.destroy();
  await srv?.stop();
});

describe('knex', () => {
  it('runs migrations and records them', async () => {
    const [batch, done] = await knex.migrate.latest({ migrationSource: migrations });
    expect(batch).toBe(1);
    expect(done).toEqual(['001_authors', '002_books']);
    const [, again] = await knex.migrate.latest({ migrationSource: migrations });
    expect(again).toEqual([]);
    expect(await knex.schema.hasTable('books')).toBe(true);
    expect(await knex.schema.hasColumn('books', 'price')).toBe(true);
  });

  it('CRUD through the query builder', async () => {
    const [ada] = await knex('authors').insert({ name: 'Ada' }).returning(['id', 'name']);
    expect(ada).toMatchObject({ name: 'Ada' });
    await knex('books').insert([
      { author_id: ada.id, title: 'Notes', price: '9.99' },
      { author_id: ada.id, title: 'Engine', price: '25.00', in_print: false },
    ]);
    const rows = await knex('books').join('authors', 'authors.id', 'books.author_id').select('books.title', 'authors.name', 'books.price').where('books.in_print', true).orderBy('books.title');
    expect(rows).toEqual([{ title: 'Notes', name: 'Ada', price: '9.99' }]);
    expect(await knex('books').where({ title: 'Engine' }).update({ price: '20.00' })).toBe(1);
    const [{ count }] = await knex('books').count<{ count: string }[]>('* as count');
    expect(Number(count)).toBe(2);
    expect(await knex('books').where('price', '<', 10).del()).toBe(1);
  });

  it('transactions commit and roll back; unique violations surface with their code', async () => {
    await knex.transaction(async (trx) => {
      await trx('authors').insert({ name: 'Grace' });
    });
    await expect(knex.transaction(async (trx) => {
      await trx('authors').insert({ name: 'Linus' });
      await trx('authors').insert({ name: 'Ada' });
    })).rejects.toMatchObject({ code: '23505' });
    const names = (await knex('authors').select('name').orderBy('name')).map((r) => r.name);
    expect(names).toEqual(['Ada', 'Grace']);
  });
});
