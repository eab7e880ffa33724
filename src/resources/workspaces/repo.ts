import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Queryable } from '../../store/db.js';
import type { WorkspacesTable } from '../../store/schema.js';
import { paginate, type PageRequest } from '../../http/pagination.js';

export type WorkspaceRow = Selectable<WorkspacesTable> & { organization_name: string };

const SORT_COLUMNS = { name: 'workspaces.name', createdAt: 'workspaces.created_at', updatedAt: 'workspaces.updated_at' };

function selectWorkspaces(db: Queryable, organizationId: string) {
  return db.selectFrom('workspaces')
    .innerJoin('organizations', 'organizations.id', 'workspaces.organization_id')
    .selectAll('workspaces')
    .select('organizations.name as organization_name')
    .where('workspaces.organization_id', '=', organizationId);
}

export function findWorkspace(db: Queryable, organizationId: string, id: string): Promise<WorkspaceRow | undefined> {
  return selectWorkspaces(db, organizationId).where('workspaces.id', '=', id).executeTakeFirst();
}

export function listWorkspaces(db: Queryable, organizationId: string, f: { ids?: string[]; names?: string[] }, page: PageRequest) {
  let q = selectWorkspaces(db, organizationId);
  if (f.ids) q = q.where('workspaces.id', 'in', f.ids);
  if (f.names) q = q.where('workspaces.name', 'in', f.names);
  return paginate(q, page, SORT_COLUMNS, 'createdAt:asc', 'workspaces.id');
}

export async function insertWorkspace(db: Queryable, row: Insertable<WorkspacesTable>): Promise<void> {
  await db.insertInto('workspaces').values(row).execute();
}

export async function updateWorkspace(db: Queryable, id: string, changes: Updateable<WorkspacesTable>): Promise<void> {
  await db.updateTable('workspaces').set(changes).where('id', '=', id).execute();
}

export async function deleteWorkspace(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('workspaces').where('id', '=', id).execute();
}

export async function clusterExists(db: Queryable, organizationId: string, clusterId: string): Promise<boolean> {
  const row = await db.selectFrom('clusters').select('id').where('organization_id', '=', organizationId).where('id', '=', clusterId).executeTakeFirst();
  return row !== undefined;
}
