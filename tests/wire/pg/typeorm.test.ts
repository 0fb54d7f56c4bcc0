// typeorm (postgres driver, through pg) against the server: schema
// synchronisation creates the tables, a second synchronisation introspects
// them (information_schema, pg_catalog, regtype, format_type) and finds
// nothing to change; CRUD with relations and transactions.

import 'reflect-metadata';
import { DataSource, EntitySchema } from 'typeorm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestServer, type TestServer } from './server_helper.ts';

interface AuthorRow { id: number; name: string; born: string | null; books?: BookRow[] }
interface BookRow { id: number; title: string; price: string | null; author?: AuthorRow }

const Author = new EntitySchema<AuthorRow>({
  name: 'Author', tableName: 'authors',
  columns: {
    id: { type: Number, primary: true, generated: true },
    name: { type: String, length: 100, unique: true },
    born: { type: 'date', nullable: true },
  },
  relations: { books: { type: 'one-to-many', target: 'Book', inverseSide: 'author' } },
});
const Book = new EntitySchema<BookRow>({
  name: 'Book', tableName: 'books',
  columns: {
    id: { type: Number, primary: true, generated: true },
    title: { type: String },
    price: { type: 'numeric', precision: 8, scale: 2, nullable: true },
  },
  relations: { author: { type: 'many-to-one', target: 'Author', joinColumn: true, onDelete: 'CASCADE' } },
});

let srv: TestServer;
let ds: DataSource;
const queries: string[] = [];

beforeAll(async () => {
  srv = await startTestServer();
  ds = new DataSource({
    type: 'postgres', host: '127.0.0.1', port: srv.port, username: 'sysdba', password: PASSWORD, database: 'scratchbird',
    entities: [Author, Book], synchronize: true,
    logger: { logQuery: (q) => void queries.push(q), logQueryError: () => {}, logQuerySlow: () => {}, logSchemaBuild: () => {}, logMigration: () => {}, log: () => {} },
    logging: ['query'],
  });
  await ds.initialize();
});
afterAll(async () => {
  await ds?.destroy();
  await srv?.stop();
});

describe('typeorm', () => {
  it('synchronises the schema, and a second synchronisation changes nothing', async () => {
    const tables = await ds.query("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1");
    expect(tables.map((t: { table_name: string }) => t.table_name)).toEqual(['authors', 'books']);
    queries.length = 0;
    await ds.synchronize();
    expect(queries.filter((q) => /^\s*(CREATE|ALTER|DROP)\b/i.test(q))).toEqual([]);
  });

  it('CRUD with relations and a transaction', async () => {
    const authors = ds.getRepository<AuthorRow>('Author');
    const books = ds.getRepository<BookRow>('Book');
    const ada = await authors.save({ name: 'Ada', born: '1815-12-10' });
    await books.save([{ title: 'Notes', price: '9.99', author: ada }, { title: 'Engine', price: null, author: ada }]);
    const found = await books.find({ relations: { author: true }, order: { title: 'ASC' } });
    expect(found.map((b) => [b.title, b.price, b.author?.name])).toEqual([['Engine', null, 'Ada'], ['Notes', '9.99', 'Ada']]);
    await books.update({ title: 'Engine' }, { price: '30.00' });
    expect((await books.findOneByOrFail({ title: 'Engine' })).price).toBe('30.00');
    await expect(ds.transaction(async (m) => {
      await m.getRepository<AuthorRow>('Author').save({ name: 'Grace' });
      await m.getRepository<AuthorRow>('Author').save({ name: 'Ada' });
    })).rejects.toMatchObject({ code: '23505' });
    expect(await authors.count()).toBe(1);
    await authors.delete({ name: 'Ada' });
    expect(await books.count()).toBe(0);
  });
});
