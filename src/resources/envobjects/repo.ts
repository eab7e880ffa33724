import type { Insertable, Selectable, Updateable } from 'kysely';
import { groupBy } from '../../store/codecs.js';
import type { Queryable } from '../../store/types.js';
import { paginate, type PageRequest } from '../../store/pagination.js';
import type { EnvironmentObjectExclusionsTable, EnvironmentObjectLinksTable, EnvironmentObjectsTable } from '../../store/schema.js';

/**
 * The one owner of environment_objects, environment_object_links and
 * environment_object_exclusions. Rows go with their Organization, Workspace or Deployment by
 * cascade (migration 010), so deletes elsewhere leave nothing dangling.
 */

export type ObjectRow = Selectable<EnvironmentObjectsTable>;
export type LinkRow = Selectable<EnvironmentObjectLinksTable>;
export type ExclusionRow = Selectable<EnvironmentObjectExclusionsTable>;

const SORT_COLUMNS = { objectType: 'object_type', objectKey: 'object_key', createdAt: 'created_at', updatedAt: 'updated_at' };

function selectObjects(db: Queryable, organizationId: string) {
  return db.selectFrom('environment_objects').selectAll().where('organization_id', '=', organizationId);
}

export function findObject(db: Queryable, organizationId: string, id: string): Promise<ObjectRow | undefined> {
  return selectObjects(db, organizationId).where('id', '=', id).executeTakeFirst();
}

/** The object holding `key` for `type` in a scope, if any (one per scope, type and key). */
export function findByKey(db: Queryable, scopeEntityId: string, type: string, key: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('environment_objects').select('id')
    .where('scope_entity_id', '=', scopeEntityId).where('object_type', '=', type).where('object_key', '=', key)
    .executeTakeFirst();
}

/**
 * Takes the object's row lock before a change, by an update that changes nothing: a concurrent
 * change of the same object on PostgreSQL waits for this transaction and then reads its result.
 */
export async function lockObject(db: Queryable, organizationId: string, id: string): Promise<void> {
  await db.updateTable('environment_objects').set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', id).where('organization_id', '=', organizationId).execute();
}

export async function insertObject(db: Queryable, row: Insertable<EnvironmentObjectsTable>): Promise<void> {
  await db.insertInto('environment_objects').values(row).execute();
}

export async function updateObject(db: Queryable, id: string, changes: Omit<Updateable<EnvironmentObjectsTable>, 'id' | 'organization_id' | 'workspace_id' | 'deployment_id' | 'scope' | 'scope_entity_id' | 'object_type'>): Promise<void> {
  await db.updateTable('environment_objects').set(changes).where('id', '=', id).execute();
}

/** Deletes an object; its links and exclusions go with it (ON DELETE CASCADE). */
export async function deleteObject(db: Queryable, id: string): Promise<boolean> {
  const r = await db.deleteFrom('environment_objects').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

// ---------------------------------------------------------------- links and exclusions

export async function linksOf(db: Queryable, objectIds: string[]): Promise<Map<string, LinkRow[]>> {
  if (objectIds.length === 0) return new Map();
  const rows = await db.selectFrom('environment_object_links').selectAll().where('object_id', 'in', objectIds).orderBy('object_id').orderBy('position').execute();
  return groupBy(rows, (r) => r.object_id);
}

export async function exclusionsOf(db: Queryable, objectIds: string[]): Promise<Map<string, ExclusionRow[]>> {
  if (objectIds.length === 0) return new Map();
  const rows = await db.selectFrom('environment_object_exclusions').selectAll().where('object_id', 'in', objectIds).orderBy('object_id').orderBy('position').execute();
  return groupBy(rows, (r) => r.object_id);
}

/** The links of some objects to one Deployment, by object. */
export async function linksTo(db: Queryable, objectIds: string[], deploymentId: string): Promise<Map<string, LinkRow>> {
  if (objectIds.length === 0) return new Map();
  const rows = await db.selectFrom('environment_object_links').selectAll().where('object_id', 'in', objectIds).where('deployment_id', '=', deploymentId).execute();
  return new Map(rows.map((r) => [r.object_id, r]));
}

export async function replaceLinks(db: Queryable, objectId: string, rows: Omit<Insertable<EnvironmentObjectLinksTable>, 'object_id' | 'position'>[]): Promise<void> {
  await db.deleteFrom('environment_object_links').where('object_id', '=', objectId).execute();
  if (rows.length === 0) return;
  await db.insertInto('environment_object_links').values(rows.map((r, position) => ({ ...r, object_id: objectId, position }))).execute();
}

export async function replaceExclusions(db: Queryable, objectId: string, deploymentIds: string[]): Promise<void> {
  await db.deleteFrom('environment_object_exclusions').where('object_id', '=', objectId).execute();
  if (deploymentIds.length === 0) return;
  await db.insertInto('environment_object_exclusions').values(deploymentIds.map((deployment_id, position) => ({ object_id: objectId, deployment_id, position }))).execute();
}

/** Adds one excluded Deployment after the others. */
export async function addExclusion(db: Queryable, objectId: string, deploymentId: string): Promise<void> {
  const last = await db.selectFrom('environment_object_exclusions').select((eb) => eb.fn.max('position').as('p')).where('object_id', '=', objectId).executeTakeFirst();
  const position = last?.p === null || last?.p === undefined ? 0 : Number(last.p) + 1;
  await db.insertInto('environment_object_exclusions').values({ object_id: objectId, deployment_id: deploymentId, position }).execute();
}

// ---------------------------------------------------------------- lists

export interface ObjectFilter {
  workspaceId?: string;
  deploymentId?: string;
  /** With deploymentId: the Deployment's Workspace, whose objects linked to it are listed too. */
  resolveFrom?: string;
  objectType?: string;
  objectKey?: string;
  /** Only objects of these types (what an older surface has). */
  objectTypes?: readonly string[];
}

/**
 * A page of an Organization's objects. workspaceId: the Workspace's own objects; deploymentId:
 * the Deployment's own, and with resolveFrom also the Workspace objects that reach it (an
 * explicit link, or automatic linking without an exclusion) unless the Deployment has its own
 * object of the same type and key, which wins.
 */
export function listObjects(db: Queryable, organizationId: string, f: ObjectFilter, page: PageRequest) {
  let q = selectObjects(db, organizationId);
  if (f.workspaceId !== undefined) q = q.where('scope', '=', 'WORKSPACE').where('scope_entity_id', '=', f.workspaceId);
  if (f.deploymentId !== undefined) {
    const dep = f.deploymentId;
    const ws = f.resolveFrom;
    if (ws === undefined) {
      q = q.where('scope', '=', 'DEPLOYMENT').where('scope_entity_id', '=', dep);
    } else {
      q = q.where((eb) => eb.or([
        eb.and([eb('scope', '=', 'DEPLOYMENT'), eb('scope_entity_id', '=', dep)]),
        eb.and([
          eb('scope', '=', 'WORKSPACE'),
          eb('scope_entity_id', '=', ws),
          eb.or([
            eb.exists(eb.selectFrom('environment_object_links as l').select('l.object_id')
              .whereRef('l.object_id', '=', 'environment_objects.id').where('l.deployment_id', '=', dep)),
            eb.and([
              eb('auto_link_deployments', '=', 1),
              eb.not(eb.exists(eb.selectFrom('environment_object_exclusions as x').select('x.object_id')
                .whereRef('x.object_id', '=', 'environment_objects.id').where('x.deployment_id', '=', dep))),
            ]),
          ]),
          eb.not(eb.exists(eb.selectFrom('environment_objects as own').select('own.id')
            .where('own.scope', '=', 'DEPLOYMENT').where('own.scope_entity_id', '=', dep)
            .whereRef('own.object_type', '=', 'environment_objects.object_type')
            .whereRef('own.object_key', '=', 'environment_objects.object_key'))),
        ]),
      ]));
    }
  }
  if (f.objectType !== undefined) q = q.where('object_type', '=', f.objectType);
  if (f.objectKey !== undefined) q = q.where('object_key', '=', f.objectKey);
  if (f.objectTypes !== undefined) q = q.where('object_type', 'in', [...f.objectTypes]);
  return paginate(q, page, SORT_COLUMNS, 'createdAt:asc', 'id');
}
