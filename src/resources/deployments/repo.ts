import type { Insertable, Selectable, Updateable } from 'kysely';
import { groupBy } from '../../store/codecs.js';
import { lockRow, lockRows } from '../../store/locks.js';
import { storeKind } from '../../store/open.js';
import { withinTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import { isDefaultOrder, orderedList } from '../../store/page-marks.js';
import type { DeploymentEnvVarsTable, DeploymentsTable, DeploymentWorkerQueuesTable } from '../../store/schema.js';
import { paginate, type PageRequest } from '../../store/pagination.js';

/**
 * The one owner of the deployments, deployment_worker_queues, deployment_env_vars and
 * deployment_counts tables, and of the Deployments' list of store/page-marks.ts (their count per
 * Organization and the page marks of the default order), kept in the transaction of every insert
 * and delete below, the only ones. No cascade deletes a Deployment but the Organization's, which
 * takes the list's rows with it: Workspaces and clusters cannot be deleted while they hold any.
 * deployment_counts, per (Organization, Workspace), answers totalCount when the list is filtered
 * by Workspaces.
 */

export type DeploymentRow = Selectable<DeploymentsTable>;
export type QueueRow = Selectable<DeploymentWorkerQueuesTable>;
export type EnvVarRow = Selectable<DeploymentEnvVarsTable>;

const SORT_COLUMNS = { name: 'name', createdAt: 'created_at', updatedAt: 'updated_at' };
const listed = orderedList('deployments');

function selectDeployments(db: Queryable, organizationId: string) {
  return db.selectFrom('deployments').selectAll().where('organization_id', '=', organizationId);
}

export function findDeployment(db: Queryable, organizationId: string, id: string): Promise<DeploymentRow | undefined> {
  return selectDeployments(db, organizationId).where('id', '=', id).executeTakeFirst();
}

/** The Deployment whose simulated Kubernetes namespace is `namespace` (log shippers name it so). */
export function findDeploymentByNamespace(db: Queryable, organizationId: string, namespace: string): Promise<DeploymentRow | undefined> {
  return selectDeployments(db, organizationId).where('namespace', '=', namespace).executeTakeFirst();
}

/** The Workspace of each of these Deployments of the organization that exists. */
export async function workspacesOf(db: Queryable, organizationId: string, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db.selectFrom('deployments').select(['id', 'workspace_id']).where('organization_id', '=', organizationId).where('id', 'in', ids).execute();
  return new Map(rows.map((r) => [r.id, r.workspace_id]));
}

/** Takes the Deployment's row lock before a change (see lockRow). */
export function lockDeployment(db: Queryable, organizationId: string, id: string): Promise<void> {
  return lockRow(db, 'deployments', id, organizationId);
}

/** Takes the row locks of several Deployments one by one in id order (see lockRows in store/locks.ts). */
export function lockDeployments(db: Queryable, organizationId: string, ids: Iterable<unknown>): Promise<void> {
  return lockRows(db, 'deployments', ids, organizationId);
}

export interface DeploymentFilter {
  ids?: string[];
  names?: string[];
  workspaceIds?: string[];
  /** Only Deployments in these Workspaces or with these ids (what a scoped caller may see). */
  within?: { workspaceIds: string[]; ids: string[] };
}

export function listDeployments(db: Queryable, organizationId: string, f: DeploymentFilter, page: PageRequest) {
  const everything = !f.ids && !f.names && !f.workspaceIds && !f.within;
  if (everything && isDefaultOrder(page.sorts)) return listed.page(db, organizationId, page.offset ?? 0, page.limit ?? 20);
  let q = selectDeployments(db, organizationId);
  if (f.ids) q = q.where('id', 'in', f.ids);
  if (f.names) q = q.where('name', 'in', f.names);
  if (f.workspaceIds) q = q.where('workspace_id', 'in', f.workspaceIds);
  if (f.within) {
    const { workspaceIds, ids } = f.within;
    q = q.where((eb) => eb.or([
      ...(workspaceIds.length > 0 ? [eb('workspace_id', 'in', workspaceIds)] : []),
      ...(ids.length > 0 ? [eb('id', 'in', ids)] : []),
    ]));
  }
  // Filtered by ids, names or scope the matches are few and counted directly; otherwise the counters say.
  const counted = f.ids || f.names || f.within ? undefined : () => countDeployments(db, organizationId, f.workspaceIds);
  return paginate(q, page, SORT_COLUMNS, 'createdAt:asc', 'id', { count: counted, wholeRows: storeKind(db) === 'sqlite' });
}

/** The Organization's Deployments (or those of some of its Workspaces), from the maintained counts. */
async function countDeployments(db: Queryable, organizationId: string, workspaceIds?: string[]): Promise<number> {
  if (!workspaceIds) return listed.count(db, organizationId);
  const r = await db.selectFrom('deployment_counts').select((eb) => eb.fn.sum<string | number | null>('count').as('n'))
    .where('organization_id', '=', organizationId).where('workspace_id', 'in', workspaceIds).executeTakeFirst();
  return Number(r?.n ?? 0);
}

async function adjustCount(db: Queryable, organizationId: string, workspaceId: string, by: number): Promise<void> {
  await db.insertInto('deployment_counts').values({ organization_id: organizationId, workspace_id: workspaceId, count: by })
    .onConflict((oc) => oc.columns(['organization_id', 'workspace_id']).doUpdateSet((eb) => ({ count: eb(eb.ref('deployment_counts.count'), '+', by) })))
    .execute();
}

/**
 * Adds a Deployment, counts it in its Workspace and places it in the Organization's list. (The
 * list's count row is written before the Workspace's, in the delete too: one lock order.)
 */
export async function insertDeployment(db: Queryable, row: Insertable<DeploymentsTable>): Promise<void> {
  await withinTransaction(db, async (tx) => {
    await tx.insertInto('deployments').values(row).execute();
    await listed.added(tx, row.organization_id, row);
    await adjustCount(tx, row.organization_id, row.workspace_id, 1);
  });
}

/** created_at, organization_id and workspace_id never change, so neither do the counts and marks. */
export async function updateDeployment(db: Queryable, id: string, changes: Omit<Updateable<DeploymentsTable>, 'id' | 'organization_id' | 'workspace_id' | 'created_at'>): Promise<void> {
  await db.updateTable('deployments').set(changes).where('id', '=', id).execute();
}

/** Removes a Deployment, its counts and its place in the list; its worker queues and environment variables go with it (ON DELETE CASCADE). */
export async function deleteDeployment(db: Queryable, row: Pick<DeploymentRow, 'id' | 'organization_id' | 'workspace_id'>): Promise<void> {
  await withinTransaction(db, async (tx) => {
    const gone = await tx.deleteFrom('deployments').where('id', '=', row.id).returning(['organization_id', 'workspace_id', 'created_at']).executeTakeFirst();
    if (!gone) return;
    await listed.removed(tx, gone.organization_id, { created_at: gone.created_at, id: row.id });
    await adjustCount(tx, gone.organization_id, gone.workspace_id, -1);
  });
}

/** How many Deployments a Workspace holds (refusing to delete a Workspace that is not empty). */
export async function countInWorkspace(db: Queryable, workspaceId: string): Promise<number> {
  const r = await db.selectFrom('deployments').select((eb) => eb.fn.countAll<string | number>().as('n')).where('workspace_id', '=', workspaceId).executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** How many Deployments a cluster hosts (refusing to delete a cluster that is not empty). */
export async function countOnCluster(db: Queryable, clusterId: string): Promise<number> {
  const r = await db.selectFrom('deployments').select((eb) => eb.fn.countAll<string | number>().as('n')).where('cluster_id', '=', clusterId).executeTakeFirst();
  return Number(r?.n ?? 0);
}

// ---------------------------------------------------------------- worker queues

export async function queuesOf(db: Queryable, deploymentIds: string[]): Promise<Map<string, QueueRow[]>> {
  if (deploymentIds.length === 0) return new Map();
  const rows = await db.selectFrom('deployment_worker_queues').selectAll()
    .where('deployment_id', 'in', deploymentIds)
    .orderBy('deployment_id').orderBy('position')
    .execute();
  return groupBy(rows, (r) => r.deployment_id);
}

export async function insertQueue(db: Queryable, row: Insertable<DeploymentWorkerQueuesTable>): Promise<void> {
  await db.insertInto('deployment_worker_queues').values(row).execute();
}

export async function updateQueue(db: Queryable, id: string, changes: Updateable<DeploymentWorkerQueuesTable>): Promise<void> {
  await db.updateTable('deployment_worker_queues').set(changes).where('id', '=', id).execute();
}

export async function deleteQueues(db: Queryable, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('deployment_worker_queues').where('id', 'in', ids).execute();
}

// ---------------------------------------------------------------- environment variables

export async function envVarsOf(db: Queryable, deploymentIds: string[]): Promise<Map<string, EnvVarRow[]>> {
  if (deploymentIds.length === 0) return new Map();
  const rows = await db.selectFrom('deployment_env_vars').selectAll()
    .where('deployment_id', 'in', deploymentIds)
    .orderBy('deployment_id').orderBy('position')
    .execute();
  return groupBy(rows, (r) => r.deployment_id);
}

/** Replaces the whole list of a Deployment's variables. */
export async function replaceEnvVars(db: Queryable, deploymentId: string, rows: Insertable<DeploymentEnvVarsTable>[]): Promise<void> {
  await db.deleteFrom('deployment_env_vars').where('deployment_id', '=', deploymentId).execute();
  if (rows.length === 0) return;
  await db.insertInto('deployment_env_vars').values(rows).execute();
}
