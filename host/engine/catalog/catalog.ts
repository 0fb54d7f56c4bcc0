// A catalog snapshot: every object by OID plus name lookups. Snapshots are
// immutable; a DDL statement builds a new one with `with(changes)`. Sessions
// read the newest committed snapshot, or their transaction's own while it has
// uncommitted DDL (see catalog_store.ts).

import type {
  CatalogObj, ConstraintObj, DatabaseObj, IndexObj, Oid, RelationObj, RoleObj, SchemaObj, TableObj,
} from './objects.ts';
import { isRelation } from './objects.ts';

/** The empty answer of referencing() (shared, never modified). */
const NONE: readonly ConstraintObj[] = Object.freeze([]);

export class Catalog {
  private byName: Map<string, Oid> | undefined;
  private indexesByTable: Map<Oid, IndexObj[]> | undefined;
  private constraintsByTable: Map<Oid, ConstraintObj[]> | undefined;
  private foreignKeys: { byChild: Map<Oid, ConstraintObj[]>; byParent: Map<Oid, ConstraintObj[]> } | undefined;

  constructor(
    readonly objects: ReadonlyMap<Oid, CatalogObj>,
    /** Increases with every committed DDL; plans cached against older versions are stale. */
    readonly version: number,
  ) {}

  /** A new snapshot with objects replaced (or removed, for null). */
  with(changes: ReadonlyMap<Oid, CatalogObj | null>, version = this.version): Catalog {
    const next = new Map(this.objects);
    for (const [oid, obj] of changes) {
      if (obj === null) next.delete(oid);
      else next.set(oid, obj);
    }
    return new Catalog(next, version);
  }

  get(oid: Oid): CatalogObj | undefined {
    return this.objects.get(oid);
  }

  private names(): Map<string, Oid> {
    if (this.byName) return this.byName;
    const m = new Map<string, Oid>();
    for (const o of this.objects.values()) m.set(nameKey(o), o.oid);
    this.byName = m;
    return m;
  }

  database(name: string): DatabaseObj | undefined {
    const oid = this.names().get(`d\u0000${name}`);
    return oid === undefined ? undefined : (this.objects.get(oid) as DatabaseObj);
  }

  schema(dbOid: Oid, name: string): SchemaObj | undefined {
    const oid = this.names().get(`s\u0000${dbOid}\u0000${name}`);
    return oid === undefined ? undefined : (this.objects.get(oid) as SchemaObj);
  }

  /** A table, view, sequence or index by schema and name (they share one namespace). */
  relation(schemaOid: Oid, name: string): RelationObj | undefined {
    const oid = this.names().get(`r\u0000${schemaOid}\u0000${name}`);
    return oid === undefined ? undefined : (this.objects.get(oid) as RelationObj);
  }

  role(name: string): RoleObj | undefined {
    const oid = this.names().get(`u\u0000${name}`);
    return oid === undefined ? undefined : (this.objects.get(oid) as RoleObj);
  }

  constraint(tableOid: Oid, name: string): ConstraintObj | undefined {
    const oid = this.names().get(`c\u0000${tableOid}\u0000${name}`);
    return oid === undefined ? undefined : (this.objects.get(oid) as ConstraintObj);
  }

  table(oid: Oid): TableObj | undefined {
    const o = this.objects.get(oid);
    return o?.kind === 'table' ? o : undefined;
  }

  indexesOf(tableOid: Oid): IndexObj[] {
    if (!this.indexesByTable) {
      const m = new Map<Oid, IndexObj[]>();
      for (const o of this.objects.values()) {
        if (o.kind !== 'index') continue;
        let l = m.get(o.tableOid);
        if (!l) m.set(o.tableOid, (l = []));
        l.push(o);
      }
      for (const l of m.values()) l.sort((a, b) => a.oid - b.oid);
      this.indexesByTable = m;
    }
    return this.indexesByTable.get(tableOid) ?? [];
  }

  constraintsOf(tableOid: Oid): ConstraintObj[] {
    if (!this.constraintsByTable) {
      const m = new Map<Oid, ConstraintObj[]>();
      for (const o of this.objects.values()) {
        if (o.kind !== 'constraint') continue;
        let l = m.get(o.tableOid);
        if (!l) m.set(o.tableOid, (l = []));
        l.push(o);
      }
      for (const l of m.values()) l.sort((a, b) => a.oid - b.oid);
      this.constraintsByTable = m;
    }
    return this.constraintsByTable.get(tableOid) ?? [];
  }

  /** The foreign keys `tableOid` holds (as the child), in creation order. */
  foreignKeysOf(tableOid: Oid): readonly ConstraintObj[] {
    return this.foreignKeyIndex().byChild.get(tableOid) ?? NONE;
  }

  /** Foreign keys of other tables (or this one) that reference `tableOid`, in creation order. */
  referencing(tableOid: Oid): readonly ConstraintObj[] {
    return this.foreignKeyIndex().byParent.get(tableOid) ?? NONE;
  }

  /**
   * Foreign keys by child and by referenced table, built on first use: every
   * INSERT, UPDATE and DELETE asks, and a walk of the whole catalog each time
   * grew with the schema.
   */
  private foreignKeyIndex(): { byChild: Map<Oid, ConstraintObj[]>; byParent: Map<Oid, ConstraintObj[]> } {
    if (this.foreignKeys) return this.foreignKeys;
    const byChild = new Map<Oid, ConstraintObj[]>();
    const byParent = new Map<Oid, ConstraintObj[]>();
    const add = (m: Map<Oid, ConstraintObj[]>, oid: Oid, o: ConstraintObj): void => {
      const l = m.get(oid);
      if (l) l.push(o);
      else m.set(oid, [o]);
    };
    for (const o of this.objects.values()) {
      if (o.kind !== 'constraint' || o.type !== 'f' || !o.ref) continue;
      add(byChild, o.tableOid, o);
      add(byParent, o.ref.tableOid, o);
    }
    for (const m of [byChild, byParent]) for (const l of m.values()) l.sort((a, b) => a.oid - b.oid);
    return (this.foreignKeys = { byChild, byParent });
  }

  ofKind<K extends CatalogObj['kind']>(kind: K): Array<Extract<CatalogObj, { kind: K }>> {
    const out: Array<Extract<CatalogObj, { kind: K }>> = [];
    for (const o of this.objects.values()) if (o.kind === kind) out.push(o as Extract<CatalogObj, { kind: K }>);
    return out.sort((a, b) => a.oid - b.oid);
  }

  relationsIn(schemaOid: Oid): RelationObj[] {
    const out: RelationObj[] = [];
    for (const o of this.objects.values()) if (isRelation(o) && o.schemaOid === schemaOid) out.push(o);
    return out.sort((a, b) => a.oid - b.oid);
  }
}

/** The key under which an object's name must be unique (also its storage name key). */
export function nameKey(o: CatalogObj): string {
  switch (o.kind) {
    case 'database':
      return `d\u0000${o.name}`;
    case 'schema':
      return `s\u0000${o.dbOid}\u0000${o.name}`;
    case 'role':
      return `u\u0000${o.name}`;
    case 'constraint':
      return `c\u0000${o.tableOid}\u0000${o.name}`;
    default:
      return `r\u0000${o.schemaOid}\u0000${o.name}`;
  }
}
