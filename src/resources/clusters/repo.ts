import type { Insertable, Selectable, Updateable } from 'kysely';
import { groupBy } from '../../store/codecs.js';
import { lockRow } from '../../store/locks.js';
import type { Queryable } from '../../store/types.js';
import type { ClusterNodePoolsTable, ClustersTable } from '../../store/schema.js';
import { paginate, type PageRequest } from '../../store/pagination.js';

export type ClusterRow = Selectable<ClustersTable>;
export type NodePoolRow = Selectable<ClusterNodePoolsTable>;

const SORT_COLUMNS = { name: 'clusters.name', createdAt: 'clusters.created_at', updatedAt: 'clusters.updated_at' };

function selectClusters(db: Queryable, organizationId: string) {
  return db.selectFrom('clusters').selectAll('clusters').where('clusters.organization_id', '=', organizationId);
}

/** Takes the cluster's row lock before reading it to change it (see lockRow). */
export function lockCluster(db: Queryable, organizationId: string, id: string): Promise<void> {
  return lockRow(db, 'clusters', id, organizationId);
}

export function findCluster(db: Queryable, organizationId: string, id: string): Promise<ClusterRow | undefined> {
  return selectClusters(db, organizationId).where('clusters.id', '=', id).executeTakeFirst();
}

export function listClusters(db: Queryable, organizationId: string, f: { names?: string[]; provider?: string }, page: PageRequest) {
  let q = selectClusters(db, organizationId);
  if (f.names) q = q.where('clusters.name', 'in', f.names);
  if (f.provider) q = q.where('clusters.cloud_provider', '=', f.provider);
  return paginate(q, page, SORT_COLUMNS, 'createdAt:asc', 'clusters.id');
}

export async function insertCluster(db: Queryable, row: Insertable<ClustersTable>): Promise<void> {
  await db.insertInto('clusters').values(row).execute();
}

export async function updateCluster(db: Queryable, id: string, changes: Updateable<ClustersTable>): Promise<void> {
  await db.updateTable('clusters').set(changes).where('id', '=', id).execute();
}

/** Removes a cluster; its node pools and workspace mappings go with it through ON DELETE CASCADE. */
export async function deleteCluster(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('clusters').where('id', '=', id).execute();
}

// ---------------------------------------------------------------- node pools

export async function nodePoolsOf(db: Queryable, clusterIds: string[]): Promise<Map<string, NodePoolRow[]>> {
  if (clusterIds.length === 0) return new Map();
  const rows = await db.selectFrom('cluster_node_pools').selectAll()
    .where('cluster_id', 'in', clusterIds)
    .orderBy('cluster_id').orderBy('created_at').orderBy('id')
    .execute();
  return groupBy(rows, (r) => r.cluster_id);
}

export async function insertNodePool(db: Queryable, row: Insertable<ClusterNodePoolsTable>): Promise<void> {
  await db.insertInto('cluster_node_pools').values(row).execute();
}

export async function updateNodePool(db: Queryable, id: string, changes: Updateable<ClusterNodePoolsTable>): Promise<void> {
  await db.updateTable('cluster_node_pools').set(changes).where('id', '=', id).execute();
}

export async function deleteNodePools(db: Queryable, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('cluster_node_pools').where('id', 'in', ids).execute();
}

// ---------------------------------------------------------------- workspaces

export async function workspaceIdsOf(db: Queryable, clusterIds: string[]): Promise<Map<string, string[]>> {
  if (clusterIds.length === 0) return new Map();
  const rows = await db.selectFrom('cluster_workspaces').select(['cluster_id', 'workspace_id'])
    .where('cluster_id', 'in', clusterIds)
    .orderBy('cluster_id').orderBy('workspace_id')
    .execute();
  return groupBy(rows, (r) => r.cluster_id, (r) => r.workspace_id);
}


export async function replaceWorkspaces(db: Queryable, clusterId: string, workspaceIds: string[]): Promise<void> {
  await db.deleteFrom('cluster_workspaces').where('cluster_id', '=', clusterId).execute();
  if (workspaceIds.length === 0) return;
  await db.insertInto('cluster_workspaces').values(workspaceIds.map((w) => ({ cluster_id: clusterId, workspace_id: w }))).execute();
}

