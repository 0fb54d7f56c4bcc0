// Login roles' passwords in the engine catalog (RoleObj.password holds a
// SCRAM-SHA-256 verifier, or PostgreSQL's "md5..." hash for md5 logins).
// The SQL statements CREATE/ALTER ROLE belong to the binder; the server
// needs only the first-start admin password and a way to set one.

import type { Database } from '../engine/db.ts';
import type { RoleObj } from '../engine/catalog/objects.ts';
import { SbError, SqlState } from '../engine/sb_error.ts';
import { md5 as md5Hex } from '../engine/functions/digest.ts';
import { makeVerifier, verifierMatches } from '../wire/pg/scram.ts';

export const ADMIN_ROLE = 'sysdba';

async function putRole(db: Database, role: RoleObj): Promise<void> {
  const tx = db.store.begin({ isolation: 'snapshot' });
  const cat = db.catalog.begin();
  try {
    cat.put(tx, role);
    await tx.commit();
    cat.committed();
  } catch (e) {
    tx.rollback();
    cat.rolledBack();
    throw e;
  }
}

/** Sets a role's password: 'scram-sha-256' (default) stores a verifier, 'md5' PostgreSQL's md5 hash. */
export async function setPassword(db: Database, user: string, password: string, format: 'scram-sha-256' | 'md5' = 'scram-sha-256'): Promise<void> {
  const role = db.catalog.current().role(user);
  if (!role) throw new SbError(SqlState.undefined_object, `role "${user}" does not exist`);
  const stored = format === 'md5' ? 'md5' + md5Hex(password + user) : makeVerifier(password);
  await putRole(db, { ...role, password: stored });
}

/** First start: gives the admin role its password. Returns true when it was set now. */
export async function ensureAdminPassword(db: Database, password: string): Promise<boolean> {
  const role = db.catalog.current().role(ADMIN_ROLE);
  if (!role || role.password !== undefined) return false;
  await setPassword(db, ADMIN_ROLE, password);
  return true;
}

/** True when the role's stored password is `password` (used to refuse the default password off loopback). */
export function passwordIs(db: Database, user: string, password: string): boolean {
  const stored = db.catalog.current().role(user)?.password;
  if (stored === undefined) return false;
  if (stored.startsWith('md5')) return stored === 'md5' + md5Hex(password + user);
  return verifierMatches(stored, password);
}
