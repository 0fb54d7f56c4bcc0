// ScratchBird embedded in a Deno program: open() with the Deno platform as
// the default (see host/engine/db.ts for the API).

import { denoPlatform } from './platform/deno.ts';
import { Database, type OpenOptions } from './engine/db.ts';

export { Database, Session, formatRow, formatValue, type FieldInfo, type OpenOptions, type QueryResult, type SessionOptions } from './engine/db.ts';
export { SbError } from './engine/sb_error.ts';

/** Opens (creating if needed) a database folder, or ':memory:'. */
export function open(path: string, opts: OpenOptions = {}): Promise<Database> {
  return Database.open(path, { ...opts, platform: opts.platform ?? denoPlatform() });
}
