import type { Queryable } from './types.js';

/**
 * The one owner of `server_secrets`: named values the server generates for itself (the JWT
 * signing key, the id of the bootstrap token).
 */
export async function readSecret(db: Queryable, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value;
}

/** Stores `value` under `name` unless a value is already there; returns the value that won. */
export async function ensureSecret(db: Queryable, name: string, make: () => string): Promise<string> {
  const existing = await readSecret(db, name);
  if (existing !== undefined) return existing;
  await db.insertInto('server_secrets').values({ name, value: make() })
    .onConflict((oc) => oc.column('name').doNothing()).execute();
  return (await readSecret(db, name))!;
}

export async function writeSecret(db: Queryable, name: string, value: string): Promise<void> {
  await db.insertInto('server_secrets').values({ name, value })
    .onConflict((oc) => oc.column('name').doUpdateSet({ value })).execute();
}
