import { auditRefs, resolveProfiles } from '../../auth/subjects.js';
import type { Queryable } from '../../store/types.js';
import { toBool } from '../../store/codecs.js';
import { wireTime } from '../../time.js';
import * as repo from './repo.js';
import type { NotificationChannelView } from './channel-schema.js';
import type { AlertNotificationChannelView, AlertView, ChannelEntityType, ChannelType, PatternMatchInput } from './schema.js';

/** The canonical read models of alerts and notification channels. Channel secrets are never part of them. */

function channelBase(r: repo.ChannelRow) {
  return {
    createdAt: wireTime(r.created_at),
    definition: JSON.parse(r.definition) as unknown,
    ...(r.deployment_id !== null ? { deploymentId: r.deployment_id } : {}),
    entityId: r.entity_id,
    id: r.id,
    name: r.name,
    organizationId: r.organization_id,
    updatedAt: wireTime(r.updated_at),
    ...(r.workspace_id !== null ? { workspaceId: r.workspace_id } : {}),
  };
}

export function alertChannelView(r: repo.ChannelRow): AlertNotificationChannelView {
  return { ...channelBase(r), entityType: r.entity_type as ChannelEntityType, type: r.type as ChannelType };
}

export async function channelViews(db: Queryable, rows: repo.ChannelRow[]): Promise<NotificationChannelView[]> {
  if (rows.length === 0) return [];
  const profiles = await resolveProfiles(db, auditRefs(rows));
  return rows.map((r) => ({
    ...channelBase(r),
    createdBy: profiles.get(r.created_by_id)!,
    ...(r.entity_name !== null ? { entityName: r.entity_name } : {}),
    entityType: r.entity_type,
    isShared: toBool(r.is_shared),
    type: r.type,
    updatedBy: profiles.get(r.updated_by_id)!,
  }));
}

interface StoredRules {
  patternMatches?: PatternMatchInput[];
  properties: Record<string, unknown>;
}

export async function alertViews(db: Queryable, rows: repo.AlertRow[]): Promise<AlertView[]> {
  if (rows.length === 0) return [];
  const profiles = await resolveProfiles(db, auditRefs(rows));
  const channelIds = await repo.channelIdsOf(db, rows.map((r) => r.id));
  const allIds = [...new Set([...channelIds.values()].flat())];
  const channels = new Map((await repo.findChannels(db, rows[0]!.organization_id, allIds)).map((c) => [c.id, alertChannelView(c)]));
  return rows.map((r) => {
    const rules = JSON.parse(r.rules) as StoredRules;
    const notify = (channelIds.get(r.id) ?? []).map((id) => channels.get(id)).filter((c) => c !== undefined);
    return {
      createdAt: wireTime(r.created_at),
      createdBy: profiles.get(r.created_by_id)!,
      deploymentId: r.deployment_id,
      entityId: r.deployment_id,
      ...(r.entity_name !== null ? { entityName: r.entity_name } : {}),
      entityType: 'DEPLOYMENT' as const,
      id: r.id,
      name: r.name,
      ...(notify.length > 0 ? { notificationChannels: notify } : {}),
      organizationId: r.organization_id,
      rules: { ...(rules.patternMatches !== undefined ? { patternMatches: rules.patternMatches } : {}), properties: rules.properties },
      severity: r.severity as AlertView['severity'],
      type: r.type as AlertView['type'],
      updatedAt: wireTime(r.updated_at),
      updatedBy: profiles.get(r.updated_by_id)!,
      workspaceId: r.workspace_id,
    };
  });
}
