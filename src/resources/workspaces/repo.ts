import type { Insertable, Selectable, Updateable } from 'kysely';
import { precompiled } from '../../store/compiled.js';
import { lockRow, lockRows } from '../../store/locks.js';
import { storeKind } from '../../store/open.js';
import { withinTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import { isDefaultOrder, orderedList } from '../../store/page-marks.js';
import type { WorkspacesTable } from '../../store/schema.js';
import { paginate, type PageRequest } from '../../store/pagination.js';

/**
 * The one owner of `workspaces`. Their list in the default order, and its totalCount, cost the
 * same whatever an organization's size: the count and page marks of store/page-marks.ts are kept
 * in the transaction of every insert and delete.
 */
export type WorkspaceRow = Selectable<WorkspacesTable>;

const SORT_COLUMNS = { name: 'name', createdAt: 'created_at', updatedAt: 'updated_at' };
const DEFAULT_SORT = 'createdAt:asc';
const listed = orderedList('workspaces');

function selectWorkspaces(db: Queryable, organizationId: string) {
  return db.selectFrom('workspaces').selectAll().where('organization_id', '=', organizationId);
}

const findById = precompiled<[string, string], WorkspaceRow>((db, arg) =>
  db.selectFrom('workspaces').selectAll().where('organization_id', '=', arg(0)).where('id', '=', arg(1)));

export async function findWorkspace(db: Queryable, organizationId: string, id: string): Promise<WorkspaceRow | undefined> {
  return (await findById(db, organizationId, id))[0];
}

/** How many workspaces the organization has, from the maintained count. */
export function countWorkspaces(db: Queryable, organizationId: string): Promise<number> {
  return listed.count(db, organizationId);
}

/**
 * Takes the row lock of a workspace (PostgreSQL; SQLite runs write transactions one at a time):
 * a Deployment created in the workspace and the workspace's deletion then cannot interleave.
 */
export function lockWorkspace(db: Queryable, organizationId: string, id: string): Promise<void> {
  return lockRow(db, 'workspaces', id, organizationId);
}

/**
 * Takes the row locks of several workspaces in a fixed order (see lockRows): before a write that
 * names them, so their deletion, which takes the lock first, either sees that write or makes
 * it find nothing.
 */
export function lockWorkspaces(db: Queryable, organizationId: string, ids: Iterable<unknown>): Promise<void> {
  return lockRows(db, 'workspaces', ids, organizationId);
}

export function listWorkspaces(db: Queryable, organizationId: string, f: { ids?: string[]; names?: string[] }, page: PageRequest) {
  const unfiltered = !f.ids && !f.names;
  if (unfiltered && isDefaultOrder(page.sorts)) return listed.page(db, organizationId, page.offset ?? 0, page.limit ?? 20);
  let q = selectWorkspaces(db, organizationId);
  // An empty id list (a scoped caller's Workspaces all filtered out) matches nothing.
  if (f.ids) q = f.ids.length > 0 ? q.where('id', 'in', f.ids) : q.where((eb) => eb.or([]));
  if (f.names) q = q.where('name', 'in', f.names);
  return paginate(q, page, SORT_COLUMNS, DEFAULT_SORT, 'id', {
    count: unfiltered ? () => countWorkspaces(db, organizationId) : undefined,
    wholeRows: storeKind(db) === 'sqlite',
  });
}

export async function insertWorkspace(db: Queryable, row: Insertable<WorkspacesTable>): Promise<void> {
  await withinTransaction(db, async (tx) => {
    await tx.insertInto('workspaces').values(row).execute();
    await listed.added(tx, row.organization_id, row);
  });
}

/**
 * Inserts many workspaces of one organization at once (seeding), then counts and cuts the
 * organization's list again in one pass.
 */
export async function insertWorkspaces(db: Queryable, organizationId: string, rows: Insertable<WorkspacesTable>[]): Promise<void> {
  if (rows.some((r) => r.organization_id !== organizationId)) throw new Error('insertWorkspaces: rows of another organization');
  await withinTransaction(db, async (tx) => {
    for (let i = 0; i < rows.length; i += 500) await tx.insertInto('workspaces').values(rows.slice(i, i + 500)).execute();
    await listed.rebuild(tx, organizationId);
  });
}

/**
 * The service reads (update) or locks (delete) the row first; an update whose row a concurrent
 * delete removed touches nothing, and the read-back after it answers 404.
 */
export async function updateWorkspace(db: Queryable, id: string, changes: Omit<Updateable<WorkspacesTable>, 'id' | 'organization_id' | 'created_at'>): Promise<void> {
  // created_at and organization_id never change (the type says so), so neither does the list.
  await db.updateTable('workspaces').set(changes).where('id', '=', id).execute();
}

export async function deleteWorkspace(db: Queryable, id: string): Promise<void> {
  await withinTransaction(db, async (tx) => {
    const gone = await tx.deleteFrom('workspaces').where('id', '=', id).returning(['organization_id', 'created_at']).executeTakeFirst();
    if (gone) await listed.removed(tx, gone.organization_id, { created_at: gone.created_at, id });
  });
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
