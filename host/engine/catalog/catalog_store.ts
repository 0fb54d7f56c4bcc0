// The catalog in the store: loading, transactional changes, publication.
//
// Objects are JSON in key space `$catalog` under 'o' + OID; every object's
// unique name is claimed under 'n' + its name key with an insert, so two
// transactions creating the same name conflict in the storage kernel even
// before either commits. A transaction's changes live in a CatalogTxn overlay
// that only it sees; on commit they are applied to the newest published
// catalog and the version increases.

import { SbError, SqlState } from '../sb_error.ts';
import type { Keyspace, Store, Txn } from '../store/index.ts';
import { Catalog, nameKey } from './catalog.ts';
import type { CatalogObj, DatabaseObj, Oid, RoleObj, SchemaObj } from './objects.ts';
import { OID } from './objects.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();
const NEXT_OID_KEY = enc.encode('next_oid');
/** OIDs reserved per durable allocation. */
const OID_BATCH = 64;

function objKey(oid: Oid): Uint8Array {
  const k = new Uint8Array(5);
  k[0] = 0x6f; // 'o'
  new DataView(k.buffer).setUint32(1, oid, false);
  return k;
}

function nameKeyBytes(o: CatalogObj): Uint8Array {
  return enc.encode(`n${nameKey(o)}`);
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
}

export class CatalogStore {
  private nextOid = 0;
  private oidLimit = 0;
  private oidLock: Promise<void> = Promise.resolve();

  private constructor(
    private readonly store: Store,
    private readonly ks: Keyspace,
    private published: Catalog,
  ) {}

  static async open(store: Store): Promise<CatalogStore> {
    const ks = await store.keyspace('$catalog');
    const objects = new Map<Oid, CatalogObj>();
    const tx = store.begin({ readOnly: true });
    try {
      const c = tx.scan(ks, { lo: new Uint8Array([0x6f]), hi: new Uint8Array([0x70]) });
      while (c.next()) {
        const o = JSON.parse(dec.decode(c.value)) as CatalogObj;
        objects.set(o.oid, o);
      }
    } finally {
      tx.rollback();
    }
    const cs = new CatalogStore(store, ks, new Catalog(objects, 1));
    if (objects.size === 0) await cs.bootstrap();
    return cs;
  }

  /** The newest committed catalog. */
  current(): Catalog {
    return this.published;
  }

  /** First start: the superuser role, the default database and its public schema. */
  private async bootstrap(): Promise<void> {
    const tx = this.store.begin({ isolation: 'snapshot' });
    const ctx = this.begin();
    const role: RoleObj = {
      kind: 'role', oid: OID.bootstrapSuperuser, name: 'sysdba', superuser: true, login: true, createdb: true,
      createrole: true, inherit: true, memberOf: [],
    };
    const db: DatabaseObj = { kind: 'database', oid: OID.firstUser, name: 'scratchbird', owner: role.oid, encoding: 'UTF8' };
    const pub: SchemaObj = { kind: 'schema', oid: OID.public, dbOid: db.oid, name: 'public', owner: role.oid };
    tx.put(this.ks, NEXT_OID_KEY, u32(OID.firstUser + 1));
    for (const o of [role, db, pub]) ctx.put(tx, o);
    await tx.commit();
    ctx.committed();
  }

  /** A handle for one transaction's catalog changes. */
  begin(): CatalogTxn {
    return new CatalogTxn(this, this.ks);
  }

  /** Applies a committed transaction's changes. */
  publish(changes: ReadonlyMap<Oid, CatalogObj | null>): void {
    if (changes.size === 0) return;
    this.published = this.published.with(changes, this.published.version + 1);
  }

  /**
   * A fresh OID for a new object. OIDs are reserved in durable batches outside
   * any user transaction (like PostgreSQL, a rolled-back CREATE still uses up
   * its OID), so concurrent DDL never conflicts on the counter.
   */
  async allocOid(): Promise<Oid> {
    if (this.nextOid < this.oidLimit) return this.nextOid++;
    const run = this.oidLock.then(async () => {
      if (this.nextOid < this.oidLimit) return;
      for (let attempt = 0; ; attempt++) {
        const tx = this.store.begin({ isolation: 'snapshot' });
        try {
          const cur = tx.get(this.ks, NEXT_OID_KEY);
          const next = cur ? new DataView(cur.buffer, cur.byteOffset, 4).getUint32(0, false) : OID.firstUser;
          await tx.putWait(this.ks, NEXT_OID_KEY, u32(next + OID_BATCH));
          await tx.commit();
          this.nextOid = next;
          this.oidLimit = next + OID_BATCH;
          return;
        } catch (e) {
          tx.rollback();
          if (!(e instanceof SbError && e.code === SqlState.serialization_failure) || attempt > 50) throw e;
        }
      }
    });
    this.oidLock = run.catch(() => {});
    await run;
    return this.nextOid++;
  }
}

/** One transaction's uncommitted catalog changes, visible only to it. */
export class CatalogTxn {
  readonly changes = new Map<Oid, CatalogObj | null>();
  private view: Catalog | undefined;
  private viewBase: Catalog | undefined;

  constructor(
    private readonly cs: CatalogStore,
    private readonly ks: Keyspace,
  ) {}

  /** The catalog as this transaction sees it. */
  catalog(): Catalog {
    const base = this.cs.current();
    if (this.changes.size === 0) return base;
    if (this.view && this.viewBase === base) return this.view;
    this.viewBase = base;
    this.view = base.with(this.changes);
    return this.view;
  }

  allocOid(): Promise<Oid> {
    return this.cs.allocOid();
  }

  /** Creates or replaces an object in transaction `tx`. */
  put(tx: Txn, obj: CatalogObj): void {
    const before = this.catalog().get(obj.oid);
    const key = nameKeyBytes(obj);
    if (!before || nameKey(before) !== nameKey(obj)) {
      try {
        tx.insert(this.ks, key, u32(obj.oid));
      } catch (e) {
        if (e instanceof SbError && (e.code === SqlState.unique_violation || e.code === SqlState.serialization_failure)) {
          throw duplicateError(obj, e);
        }
        throw e;
      }
      if (before) tx.delete(this.ks, nameKeyBytes(before));
    }
    tx.put(this.ks, objKey(obj.oid), enc.encode(JSON.stringify(obj)));
    this.changes.set(obj.oid, obj);
    this.view = undefined;
  }

  remove(tx: Txn, obj: CatalogObj): void {
    tx.delete(this.ks, objKey(obj.oid));
    tx.delete(this.ks, nameKeyBytes(obj));
    this.changes.set(obj.oid, null);
    this.view = undefined;
  }

  /** Savepoint support: the overlay as it was. */
  snapshot(): Map<Oid, CatalogObj | null> {
    return new Map(this.changes);
  }

  restore(s: Map<Oid, CatalogObj | null>): void {
    this.changes.clear();
    for (const [k, v] of s) this.changes.set(k, v);
    this.view = undefined;
  }

  /** The transaction committed: publish its changes. */
  committed(): void {
    this.cs.publish(this.changes);
    this.changes.clear();
    this.view = undefined;
  }

  rolledBack(): void {
    this.changes.clear();
    this.view = undefined;
  }
}

function duplicateError(obj: CatalogObj, cause: unknown): SbError {
  switch (obj.kind) {
    case 'database':
      return new SbError(SqlState.duplicate_database, `database "${obj.name}" already exists`, { cause });
    case 'schema':
      return new SbError(SqlState.duplicate_schema, `schema "${obj.name}" already exists`, { cause });
    case 'role':
      return new SbError(SqlState.duplicate_object, `role "${obj.name}" already exists`, { cause });
    case 'constraint':
      return new SbError(SqlState.duplicate_object, `constraint "${obj.name}" already exists`, { cause });
    default:
      return new SbError(SqlState.duplicate_table, `relation "${obj.name}" already exists`, { cause });
  }
}
