import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Queryable } from '../../store/db.js';
import type { WorkspacesTable } from '../../store/schema.js';
import { paginate, type PageRequest } from '../../store/pagination.js';

export type WorkspaceRow = Selectable<WorkspacesTable>;

const SORT_COLUMNS = { name: 'name', createdAt: 'created_at', updatedAt: 'updated_at' };

function selectWorkspaces(db: Queryable, organizationId: string) {
  return db.selectFrom('workspaces').selectAll().where('organization_id', '=', organizationId);
}

export function findWorkspace(db: Queryable, organizationId: string, id: string): Promise<WorkspaceRow | undefined> {
  return selectWorkspaces(db, organizationId).where('id', '=', id).executeTakeFirst();
}

/**
 * Takes the row lock of a workspace (PostgreSQL; SQLite runs write transactions one at a time):
 * a Deployment created in the workspace and the workspace's deletion then cannot interleave.
 */
export async function lockWorkspace(db: Queryable, organizationId: string, id: string): Promise<void> {
  await db.updateTable('workspaces').set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('organization_id', '=', organizationId).where('id', '=', id).execute();
}

export function listWorkspaces(db: Queryable, organizationId: string, f: { ids?: string[]; names?: string[] }, page: PageRequest) {
  let q = selectWorkspaces(db, organizationId);
  if (f.ids) q = q.where('id', 'in', f.ids);
  if (f.names) q = q.where('name', 'in', f.names);
  return paginate(q, page, SORT_COLUMNS, 'createdAt:asc', 'id');
}

export async function insertWorkspace(db: Queryable, row: Insertable<WorkspacesTable>): Promise<void> {
  await db.insertInto('workspaces').values(row).execute();
}

/**
 * Both writes say whether they found the row. The service checks the workspace exists first, but
 * on PostgreSQL a delete can commit between that check and the write, which then touches nothing.
 */
export async function updateWorkspace(db: Queryable, id: string, changes: Updateable<WorkspacesTable>): Promise<boolean> {
  const result = await db.updateTable('workspaces').set(changes).where('id', '=', id).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export async function deleteWorkspace(db: Queryable, id: string): Promise<boolean> {
  const result = await db.deleteFrom('workspaces').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** The subset of `ids` that are workspaces of the organization. */
export async function existingWorkspaceIds(db: Queryable, organizationId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('workspaces').select('id')
    .where('organization_id', '=', organizationId)
    .where('id', 'in', ids)
    .execute();
  return new Set(rows.map((r) => r.id));
}

/** Workspaces whose default cluster is deleted fall back to no default. */
export async function clearDefaultCluster(db: Queryable, clusterId: string): Promise<void> {
  await db.updateTable('workspaces').set({ default_cluster_id: null }).where('default_cluster_id', '=', clusterId).execute();
}
