// drizzle-orm with its node-postgres driver against the server: migrations
// from a migrations folder (its drizzle.__drizzle_migrations bookkeeping),
// typed inserts with RETURNING, selects with joins, aggregates and filters,
// updates and deletes, relational queries, transactions and rollbacks.

import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, asc, count, desc, eq, gt, sql, sum } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { relations } from 'drizzle-orm';
import { boolean, integer, numeric, pgTable, serial, text, timestamp, varchar } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PASSWORD, startTestServer, type TestServer } from './server_helper.ts';

const authors = pgTable('authors', {
  id: serial('id').primaryKey(),
  name: varchar('name', { length: 100 }).notNull().unique(),
  createdAt: timestamp('created_at', { withTimezone: true }).defaultNow().notNull(),
});

const books = pgTable('books', {
  id: serial('id').primaryKey(),
  authorId: integer('author_id').notNull().references(() => authors.id, { onDelete: 'cascade' }),
  title: text('title').notNull(),
  price: numeric('price', { precision: 8, scale: 2 }),
  inPrint: boolean('in_print').default(true).notNull(),
});

const authorsRelations = relations(authors, ({ many }) => ({ books: many(books) }));
const booksRelations = relations(books, ({ one }) => ({ author: one(authors, { fields: [books.authorId], references: [authors.id] }) }));
const schema = { authors, books, authorsRelations, booksRelations };

// What drizzle-kit generate writes for this schema: the SQL and the journal.
const MIGRATION_0000 = `CREATE TABLE "authors" (
	"id" serial PRIMARY KEY NOT NULL,
	"name" varchar(100) NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "authors_name_unique" UNIQUE("name")
);
--> statement-breakpoint
CREATE TABLE "books" (
	"id" serial PRIMARY KEY NOT NULL,
	"author_id" integer NOT NULL,
	"title" text NOT NULL,
	"price" numeric(8, 2),
	"in_print" boolean DEFAULT true NOT NULL
);
--> statement-breakpoint
ALTER TABLE "books" ADD CONSTRAINT "books_author_id_authors_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."authors"("id") ON DELETE cascade ON UPDATE no action;`;
const MIGRATION_0001 = `CREATE INDEX "books_title_idx" ON "books" USING btree ("title");`;

let srv: TestServer;
let pool: pg.Pool;
let db: NodePgDatabase<typeof schema>;
let dir: string;

function writeMigrations(entries: Array<[string, string]>): void {
  mkdirSync(join(dir, 'meta'), { recursive: true });
  const journal = {
    version: '7', dialect: 'postgresql',
    entries: entries.map(([tag], idx) => ({ idx, version: '7', when: 1_700_000_000_000 + idx * 1000, tag, breakpoints: true })),
  };
  writeFileSync(join(dir, 'meta', '_journal.json'), JSON.stringify(journal));
  for (const [tag, body] of entries) writeFileSync(join(dir, `${tag}.sql`), body);
}

beforeAll(async () => {
  srv = await startTestServer();
  dir = mkdtempSync(join(tmpdir(), 'sb-drizzle-'));
  pool = new pg.Pool({ host: '127.0.0.1', port: srv.port, user: 'sysdba', password: PASSWORD, database: 'scratchbird', max: 4 });
  // An idle client still closing when the server stops gets its 57P01: expected at teardown, not a test failure.
  pool.on('error', () => {});
  db = drizzle(pool, { schema });
});
afterAll(async () => {
  await pool?.end();
  await srv?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('drizzle-orm (node-postgres)', () => {
  it('applies migrations from a folder once, then a later one', async () => {
    writeMigrations([['0000_init', MIGRATION_0000]]);
    await migrate(db, { migrationsFolder: dir });
    await migrate(db, { migrationsFolder: dir }); // nothing new: no error, no second row
    writeMigrations([['0000_init', MIGRATION_0000], ['0001_title_idx', MIGRATION_0001]]);
    await migrate(db, { migrationsFolder: dir });
    const applied = await pool.query(`SELECT count(*)::int AS n FROM drizzle.__drizzle_migrations`);
    expect(applied.rows[0].n).toBe(2);
    const idx = await pool.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'books' ORDER BY indexname`);
    expect(idx.rows.map((r) => r.indexname)).toContain('books_title_idx');
  });

  it('inserts with RETURNING, defaults and typed values', async () => {
    const [ada] = await db.insert(authors).values({ name: 'Ada' }).returning();
    expect(ada).toMatchObject({ id: 1, name: 'Ada' });
    expect(ada!.createdAt).toBeInstanceOf(Date);
    const [grace] = await db.insert(authors).values({ name: 'Grace' }).returning({ id: authors.id });
    const inserted = await db.insert(books).values([
      { authorId: ada!.id, title: 'Notes on the Engine', price: '9.99' },
      { authorId: ada!.id, title: 'Sketch', price: '25.00', inPrint: false },
      { authorId: grace!.id, title: 'Compilers', price: '40.50' },
    ]).returning({ id: books.id, inPrint: books.inPrint });
    expect(inserted).toEqual([{ id: 1, inPrint: true }, { id: 2, inPrint: false }, { id: 3, inPrint: true }]);
  });

  it('selects with joins, filters, ordering, aggregates and relational queries', async () => {
    const joined = await db
      .select({ title: books.title, author: authors.name, price: books.price })
      .from(books)
      .innerJoin(authors, eq(books.authorId, authors.id))
      .where(and(eq(books.inPrint, true), gt(books.price, '5')))
      .orderBy(asc(books.title));
    expect(joined).toEqual([
      { title: 'Compilers', author: 'Grace', price: '40.50' },
      { title: 'Notes on the Engine', author: 'Ada', price: '9.99' },
    ]);
    const perAuthor = await db
      .select({ name: authors.name, n: count(books.id), total: sum(books.price) })
      .from(authors)
      .leftJoin(books, eq(books.authorId, authors.id))
      .groupBy(authors.name)
      .orderBy(desc(count(books.id)));
    expect(perAuthor).toEqual([{ name: 'Ada', n: 2, total: '34.99' }, { name: 'Grace', n: 1, total: '40.50' }]);
    const withBooks = await db.query.authors.findMany({ with: { books: { columns: { title: true }, orderBy: [asc(books.title)] } }, orderBy: [asc(authors.id)] });
    expect(withBooks.map((a) => [a.name, a.books.map((b) => b.title)])).toEqual([['Ada', ['Notes on the Engine', 'Sketch']], ['Grace', ['Compilers']]]);
    const one = await db.query.books.findFirst({ where: eq(books.title, 'Sketch'), with: { author: true } });
    expect(one?.author.name).toBe('Ada');
    const raw = await db.execute<{ n: number }>(sql`SELECT count(*)::int AS n FROM ${books} WHERE ${books.price} > ${'20'}`);
    expect(raw.rows[0]!.n).toBe(2);
  });

  it('updates and deletes (the foreign key cascades)', async () => {
    const updated = await db.update(books).set({ price: '12.00' }).where(eq(books.title, 'Notes on the Engine')).returning({ price: books.price });
    expect(updated).toEqual([{ price: '12.00' }]);
    await db.delete(authors).where(eq(authors.name, 'Grace'));
    const left = await db.select({ title: books.title }).from(books).orderBy(asc(books.id));
    expect(left.map((b) => b.title)).toEqual(['Notes on the Engine', 'Sketch']);
  });

  it('transactions commit, roll back on an error, and nested ones use savepoints', async () => {
    await db.transaction(async (tx) => {
      const [a] = await tx.insert(authors).values({ name: 'Barbara' }).returning();
      await tx.insert(books).values({ authorId: a!.id, title: 'Abstraction' });
    });
    await expect(db.transaction(async (tx) => {
      await tx.insert(authors).values({ name: 'Edsger' });
      await tx.insert(authors).values({ name: 'Ada' }); // unique violation
    })).rejects.toMatchObject({ cause: { code: '23505' } });
    await db.transaction(async (tx) => {
      await tx.insert(authors).values({ name: 'Niklaus' });
      await expect(tx.transaction(async (inner) => {
        await inner.insert(authors).values({ name: 'Tony' });
        inner.rollback();
      })).rejects.toThrow();
    });
    const names = (await db.select({ name: authors.name }).from(authors).orderBy(asc(authors.name))).map((r) => r.name);
    expect(names).toEqual(['Ada', 'Barbara', 'Niklaus']);
  });
});
