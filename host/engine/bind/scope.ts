// Name scopes: what the FROM clause of one query level makes visible, and how
// a row of that level is laid out.
//
// Every FROM item adds a RangeEntry: a name to qualify columns with and the
// columns with their absolute positions in the row the level's expressions
// are evaluated over. A query nested in an expression gets a child Scope; a
// column found in an enclosing scope becomes an `outer` reference by level
// (1 = the directly enclosing query), and every scope between the reference
// and its home is marked correlated so the executor re-runs those subqueries
// per outer row.
//
// Joins (coming) add one entry per side with offsets after the left side's
// width, and may merge USING columns by listing them in `merged`.

import { SbError, SqlState } from '../sb_error.ts';
import type { SqlType } from '../types/types.ts';
import { noteColumnUse } from './privileges.ts';

export interface ScopeColumn {
  name: string;
  type: SqlType;
  /** Absolute position in the row of this query level. */
  index: number;
  tableOid?: number;
  attnum?: number;
  /** Reachable only qualified: a side's USING column, replaced by the join's merged column (bind/join.ts). */
  hidden?: boolean;
}

export interface RangeEntry {
  /** The name that qualifies the columns (alias, or table name); null for an unnamed item. */
  name: string | null;
  /** Schema of a base table, for schema.table.column references. */
  schema?: string;
  tableOid?: number;
  cols: ScopeColumn[];
}

export interface ColumnHit {
  entry: RangeEntry;
  col: ScopeColumn;
  /** 0 for this scope, 1 for the enclosing query, ... */
  level: number;
}

export class Scope {
  readonly entries: RangeEntry[] = [];
  /** Width of the row this level's expressions see. */
  width = 0;
  /** Set when this query (or a query nested in it) refers to an enclosing query's row. */
  correlated = false;

  constructor(readonly parent?: Scope) {}

  /** Adds a FROM item whose columns occupy the next positions of the row. */
  addEntry(name: string | null, cols: Array<Omit<ScopeColumn, 'index'>>, extra: Partial<RangeEntry> = {}): RangeEntry {
    const base = this.width;
    const entry: RangeEntry = { ...extra, name, cols: cols.map((c, i) => ({ ...c, index: base + i })) };
    this.entries.push(entry);
    this.width += cols.length;
    return entry;
  }

  /** Adds an entry whose columns sit at given positions (table rows laid out by attnum). */
  addPlaced(name: string | null, cols: ScopeColumn[], width: number, extra: Partial<RangeEntry> = {}): RangeEntry {
    const entry: RangeEntry = { ...extra, name, cols };
    this.entries.push(entry);
    this.width = Math.max(this.width, width);
    return entry;
  }

  /** The FROM items a qualifier names (`t` or `s.t`), in this scope only. */
  entriesNamed(qualifier: string[]): RangeEntry[] {
    const name = qualifier[qualifier.length - 1]!;
    const schema = qualifier.length >= 2 ? qualifier[qualifier.length - 2] : undefined;
    return this.entries.filter((e) => e.name === name && (schema === undefined || e.schema === schema));
  }

  /**
   * Finds a column by (qualifier..., column) walking out through enclosing
   * scopes. Undefined when nothing matches; 42702 when a level has it twice.
   */
  findColumn(parts: string[], position?: number): ColumnHit | undefined {
    const colName = parts[parts.length - 1]!;
    const qualifier = parts.slice(0, -1);
    let level = 0;
    for (let s: Scope | undefined = this; s; s = s.parent, level++) {
      const entries = qualifier.length > 0 ? s.entriesNamed(qualifier) : s.entries;
      let hit: ColumnHit | undefined;
      for (const entry of entries) {
        for (const col of entry.cols) {
          if (col.name !== colName || (col.hidden && qualifier.length === 0)) continue;
          if (hit && !(qualifier.length === 0 && hit.col.index === col.index)) {
            throw new SbError(SqlState.ambiguous_column, `column reference "${parts.join('.')}" is ambiguous`, position ? { position } : {});
          }
          hit = { entry, col, level };
        }
      }
      if (hit) {
        if (level > 0) s.markCorrelatedBelow(this);
        noteColumnUse(hit.entry, hit.col);
        return hit;
      }
      // A qualifier naming an item at this level that lacks the column stops the search.
      if (qualifier.length > 0 && entries.length > 0) return undefined;
    }
    return undefined;
  }

  /** Whether some level has a FROM item with this qualifier. */
  hasEntry(qualifier: string[]): boolean {
    for (let s: Scope | undefined = this; s; s = s.parent) if (s.entriesNamed(qualifier).length > 0) return true;
    return false;
  }

  /** Marks `from` and every scope between it and this one (exclusive) as correlated. */
  markCorrelatedBelow(from: Scope): void {
    for (let s: Scope | undefined = from; s && s !== this; s = s.parent) s.correlated = true;
  }
}
