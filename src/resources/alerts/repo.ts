import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Queryable } from '../../store/types.js';
import { paginate, type PageRequest } from '../../store/pagination.js';
import type { AlertsTable, NotificationChannelsTable } from '../../store/schema.js';
import type { ChannelFilter } from './channel-schema.js';
import type { AlertFilter } from './schema.js';

/**
 * The one owner of `alerts`, `notification_channels` and `alert_notification_channels`. Reads
 * join the names of the entities (Deployment, Workspace, Organization) the responses show.
 */

export type AlertRow = Selectable<AlertsTable> & { entity_name: string | null };
export type ChannelRow = Selectable<NotificationChannelsTable> & { entity_name: string | null };

/** Which rows a caller may see: everything, or those of some Workspaces and Deployments. */
export type Visibility = 'all' | { workspaceIds: string[]; deploymentIds: string[] };

const ALERT_SORTS = { createdAt: 'alerts.created_at', name: 'alerts.name', updatedAt: 'alerts.updated_at' };
const CHANNEL_SORTS = { createdAt: 'notification_channels.created_at', name: 'notification_channels.name', updatedAt: 'notification_channels.updated_at' };

function selectAlerts(db: Queryable, organizationId: string) {
  return db.selectFrom('alerts')
    .leftJoin('deployments', 'deployments.id', 'alerts.deployment_id')
    .selectAll('alerts')
    .select('deployments.name as entity_name')
    .where('alerts.organization_id', '=', organizationId);
}

function selectChannels(db: Queryable, organizationId: string) {
  return db.selectFrom('notification_channels')
    .leftJoin('deployments', 'deployments.id', 'notification_channels.deployment_id')
    .leftJoin('workspaces', 'workspaces.id', 'notification_channels.workspace_id')
    .leftJoin('organizations', 'organizations.id', 'notification_channels.organization_id')
    .selectAll('notification_channels')
    .select((eb) => eb.fn.coalesce('deployments.name', 'workspaces.name', 'organizations.name').as('entity_name'))
    .where('notification_channels.organization_id', '=', organizationId);
}

export function findAlert(db: Queryable, organizationId: string, id: string): Promise<AlertRow | undefined> {
  return selectAlerts(db, organizationId).where('alerts.id', '=', id).executeTakeFirst();
}

export function findAlerts(db: Queryable, organizationId: string, ids: string[]): Promise<AlertRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return selectAlerts(db, organizationId).where('alerts.id', 'in', ids).execute();
}

export function listAlerts(db: Queryable, organizationId: string, f: AlertFilter, visible: Visibility, page: PageRequest) {
  let q = selectAlerts(db, organizationId);
  if (f.alertIds) q = q.where('alerts.id', 'in', f.alertIds.length ? f.alertIds : ['']);
  if (f.deploymentIds) q = q.where('alerts.deployment_id', 'in', f.deploymentIds.length ? f.deploymentIds : ['']);
  if (f.workspaceIds) q = q.where('alerts.workspace_id', 'in', f.workspaceIds.length ? f.workspaceIds : ['']);
  if (f.alertTypes) q = q.where('alerts.type', 'in', f.alertTypes.length ? f.alertTypes : ['']);
  if (f.entityType) q = q.where('alerts.entity_type', '=', f.entityType);
  if (visible !== 'all') {
    const { workspaceIds, deploymentIds } = visible;
    q = q.where((eb) => eb.or([
      eb('alerts.workspace_id', 'in', workspaceIds.length ? workspaceIds : ['']),
      eb('alerts.deployment_id', 'in', deploymentIds.length ? deploymentIds : ['']),
    ]));
  }
  return paginate(q, page, ALERT_SORTS, 'createdAt:asc', 'alerts.id');
}

export async function insertAlert(db: Queryable, row: Insertable<AlertsTable>, channelIds: string[]): Promise<void> {
  await db.insertInto('alerts').values(row).execute();
  await setAlertChannels(db, row.id, channelIds);
}

export async function updateAlert(db: Queryable, id: string, changes: Omit<Updateable<AlertsTable>, 'id' | 'organization_id' | 'created_at'>): Promise<void> {
  await db.updateTable('alerts').set(changes).where('id', '=', id).execute();
}

/** Replaces an alert's channel list, keeping the order given. */
export async function setAlertChannels(db: Queryable, alertId: string, channelIds: string[]): Promise<void> {
  await db.deleteFrom('alert_notification_channels').where('alert_id', '=', alertId).execute();
  if (channelIds.length === 0) return;
  await db.insertInto('alert_notification_channels').values(channelIds.map((channel_id, position) => ({ alert_id: alertId, channel_id, position }))).execute();
}

export async function deleteAlerts(db: Queryable, organizationId: string, ids: string[]): Promise<number> {
  if (ids.length === 0) return 0;
  const r = await db.deleteFrom('alerts').where('organization_id', '=', organizationId).where('id', 'in', ids).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** The channel ids of each alert, in their order. */
export async function channelIdsOf(db: Queryable, alertIds: string[]): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>();
  if (alertIds.length === 0) return out;
  const rows = await db.selectFrom('alert_notification_channels').select(['alert_id', 'channel_id'])
    .where('alert_id', 'in', alertIds).orderBy('alert_id').orderBy('position').execute();
  for (const r of rows) {
    const list = out.get(r.alert_id) ?? [];
    list.push(r.channel_id);
    out.set(r.alert_id, list);
  }
  return out;
}

/** Ids of the alerts that notify a channel. */
export async function alertsUsingChannel(db: Queryable, channelId: string): Promise<{ alert_id: string; deployment_id: string; workspace_id: string }[]> {
  return db.selectFrom('alert_notification_channels')
    .innerJoin('alerts', 'alerts.id', 'alert_notification_channels.alert_id')
    .select(['alert_notification_channels.alert_id', 'alerts.deployment_id', 'alerts.workspace_id'])
    .where('alert_notification_channels.channel_id', '=', channelId).execute();
}

export function findChannel(db: Queryable, organizationId: string, id: string): Promise<ChannelRow | undefined> {
  return selectChannels(db, organizationId).where('notification_channels.id', '=', id).executeTakeFirst();
}

export function findChannels(db: Queryable, organizationId: string, ids: string[]): Promise<ChannelRow[]> {
  if (ids.length === 0) return Promise.resolve([]);
  return selectChannels(db, organizationId).where('notification_channels.id', 'in', ids).execute();
}

export function listChannels(db: Queryable, organizationId: string, f: ChannelFilter, visible: Visibility, page: PageRequest) {
  let q = selectChannels(db, organizationId);
  if (f.notificationChannelIds) q = q.where('notification_channels.id', 'in', f.notificationChannelIds.length ? f.notificationChannelIds : ['']);
  if (f.deploymentIds) q = q.where('notification_channels.deployment_id', 'in', f.deploymentIds.length ? f.deploymentIds : ['']);
  if (f.workspaceIds) q = q.where('notification_channels.workspace_id', 'in', f.workspaceIds.length ? f.workspaceIds : ['']);
  if (f.channelTypes) q = q.where('notification_channels.type', 'in', f.channelTypes.length ? f.channelTypes : ['']);
  if (f.entityType) q = q.where('notification_channels.entity_type', '=', f.entityType);
  if (visible !== 'all') {
    const { workspaceIds, deploymentIds } = visible;
    q = q.where((eb) => eb.or([
      eb('notification_channels.workspace_id', 'in', workspaceIds.length ? workspaceIds : ['']),
      eb('notification_channels.deployment_id', 'in', deploymentIds.length ? deploymentIds : ['']),
    ]));
  }
  return paginate(q, page, CHANNEL_SORTS, 'createdAt:asc', 'notification_channels.id');
}

export async function insertChannel(db: Queryable, row: Insertable<NotificationChannelsTable>): Promise<void> {
  await db.insertInto('notification_channels').values(row).execute();
}

export async function updateChannel(db: Queryable, id: string, changes: Omit<Updateable<NotificationChannelsTable>, 'id' | 'organization_id' | 'created_at'>): Promise<void> {
  await db.updateTable('notification_channels').set(changes).where('id', '=', id).execute();
}

export async function deleteChannel(db: Queryable, organizationId: string, id: string): Promise<void> {
  await db.deleteFrom('notification_channels').where('organization_id', '=', organizationId).where('id', '=', id).execute();
}

/**
 * The organization's DAG_TRIGGER channels whose definition names `deploymentId` (definitions
 * are JSON text, read here; such channels are few), with the definition as read.
 */
export async function dagTriggerChannelsOf(db: Queryable, organizationId: string, deploymentId: string): Promise<{ id: string; definition: string }[]> {
  const rows = await db.selectFrom('notification_channels').select(['id', 'definition'])
    .where('organization_id', '=', organizationId).where('type', '=', 'DAG_TRIGGER').orderBy('id').execute();
  return rows.filter((r) => {
    try {
      return (JSON.parse(r.definition) as { deploymentId?: unknown }).deploymentId === deploymentId;
    } catch {
      return false;
    }
  });
}

/** Deletes a channel if its definition is still `definition`; answers whether it did. */
export async function deleteChannelIfUnchanged(db: Queryable, organizationId: string, id: string, definition: string): Promise<boolean> {
  const r = await db.deleteFrom('notification_channels').where('organization_id', '=', organizationId).where('id', '=', id)
    .where('definition', '=', definition).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}
