// ScratchBird embedded in a Node program: open() with the Node platform as
// the default (see host/engine/db.ts for the API).

import { nodePlatform } from './platform/node.ts';
import { Database, type OpenOptions } from './engine/db.ts';

export { Database, Session, formatRow, formatValue, type FieldInfo, type OpenOptions, type QueryResult, type SessionOptions } from './engine/db.ts';
export { SbError } from './engine/sb_error.ts';

/** Opens (creating if needed) a database folder, or ':memory:'. */
export function open(path: string, opts: OpenOptions = {}): Promise<Database> {
  return Database.open(path, { ...opts, platform: opts.platform ?? nodePlatform() });
}
