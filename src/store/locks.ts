import type { Queryable } from './types.js';

/** Tables whose rows carry an id and an updated_at column, which lockRow touches. */
type LockableTable = 'organizations' | 'workspaces' | 'clusters' | 'deployments';

/**
 * Takes the row lock of `id` in the caller's transaction by an update that changes nothing: on
 * PostgreSQL a concurrent transaction taking the same lock waits until this one ends, and then
 * reads the committed row (so two changes cannot both pass a check made on the old one); SQLite
 * runs write transactions one at a time anyway. `organizationId` scopes the row to its owner.
 */
export async function lockRow(db: Queryable, table: LockableTable, id: string, organizationId?: string): Promise<void> {
  let q = db.updateTable(table as 'clusters').set((eb) => ({ updated_at: eb.ref('updated_at') })).where('id', '=', id);
  if (organizationId !== undefined) q = q.where('organization_id', '=', organizationId);
  await q.execute();
}

/**
 * lockRow for several ids of one table, one at a time in id order, so two transactions locking
 * overlapping sets cannot each hold a lock the other waits for. Values that are not non-empty
 * strings are skipped (the caller's checks refuse them afterwards).
 */
export async function lockRows(db: Queryable, table: LockableTable, ids: Iterable<unknown>, organizationId?: string): Promise<void> {
  const sorted = [...new Set([...ids].filter((id): id is string => typeof id === 'string' && id !== ''))].sort();
  for (const id of sorted) await lockRow(db, table, id, organizationId);
}

/** Tables of an organization's entities, each row with an id and an organization_id. */
type EntityTable = 'workspaces' | 'clusters' | 'deployments';

/**
 * The subset of `ids` naming rows of `organizationId` in `table`. For a reference from one
 * family's entity to another family's that the families' one-way order keeps it from asking
 * through that family (a hybrid cluster's authorized Workspaces: clusters come before
 * Workspaces, whose default cluster they check through the clusters family).
 */
export async function existingIds(db: Queryable, table: EntityTable, organizationId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom(table as 'workspaces').select('id').where('organization_id', '=', organizationId).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}
