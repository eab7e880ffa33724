import type { AppContext } from '../../context.js';
import { visibleScope, type Target } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import { FieldCode, invalidField } from '../../core/errors.js';
import type { Tx } from '../../store/types.js';
import type { PageRequest } from '../../store/pagination.js';
import { findDeployment, lockDeployment } from '../deployments/repo.js';
import type * as repo from './repo.js';

/**
 * What the alert rules (service.ts) and the notification-channel rules (channels.ts) share: the
 * permissions, the field checks of both, and the Deployment an alert or a channel belongs to.
 *
 * Permissions. The reference records none for these operations. Alerts always cover one
 * Deployment, so they use the Deployment custom-role actions `deployment.alerts.{get,create,
 * update,delete}`, checked on the alert's Deployment (a Workspace role of its Workspace or a
 * Deployment role on it applies). Notification channels use the same four actions, checked on
 * what the channel belongs to: a Deployment's channel like an alert, a Workspace's channel on the
 * Workspace only (a Deployment role is not enough, as Deployment Admins cannot manage
 * Workspace-level alerting), an Organization's channel on the Organization only. Lists need only
 * membership of the Organization and show what the caller may read.
 *
 * Channels an alert may notify: its own Deployment's channels, and channels of its Workspace or
 * of the Organization that are shared (`isShared`). A channel that alerts of other entities use
 * cannot stop being shared. Deleting a channel detaches it from the alerts that used it (their
 * channel lists shrink; the reference declares no conflict answer); deleting a Deployment or a
 * Workspace deletes their alerts and channels (foreign-key cascades, migration 013).
 */
export const ACTIONS = {
  get: 'deployment.alerts.get',
  create: 'deployment.alerts.create',
  update: 'deployment.alerts.update',
  delete: 'deployment.alerts.delete',
} as const;

const NAME_MAX = 500;
const TEXT_MAX = 500;
const PAGE_MAX = 1000;

/** How a rule names a field of the request (a bulk call names each item's fields by its index). */
export type At = (field: string) => string;
export const plain: At = (f) => f;

// ------------------------------------------------------------------ shared checks

export function checkName(value: string, field: string): string {
  if (value.trim() === '') throw invalidField(field, FieldCode.required, `${field} is required`);
  if (value.length > NAME_MAX) throw invalidField(field, FieldCode.max, `${field} must be at most ${NAME_MAX} characters long`);
  return value;
}

export function checkText(value: unknown, field: string, max = TEXT_MAX): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalidField(field, FieldCode.required, `${field} is required`);
  if (value.length > max) throw invalidField(field, FieldCode.max, `${field} must be at most ${max} characters long`);
  return value;
}

/** Offset and limit as the older documents leave them (plain integers): 400 outside 0.. and 0..1000. */
export function checkPage(q: { offset?: number; limit?: number; sorts?: string[] }): PageRequest & { limit: number } {
  const offset = q.offset ?? 0;
  const limit = q.limit ?? 20;
  if (offset < 0) throw invalidField('offset', FieldCode.min, 'offset must be greater than or equal to 0');
  if (limit < 0 || limit > PAGE_MAX) throw invalidField('limit', limit < 0 ? FieldCode.min : FieldCode.max, `limit must be between 0 and ${PAGE_MAX}`);
  return { offset, limit, sorts: q.sorts };
}

/** What a caller may read: everything (an Organization role granting `action`), or some Workspaces and Deployments. */
export function visibility(p: Principal, action: string): repo.Visibility {
  const v = visibleScope(p, action);
  return v.all ? 'all' : { workspaceIds: v.workspaceIds, deploymentIds: v.deploymentIds };
}

// ------------------------------------------------------------------ the Deployment of an alert or channel

/** The Deployment an alert would cover; nothing when it is not a Deployment of the Organization. */
export async function deploymentTarget(app: AppContext, organizationId: string, deploymentId: string): Promise<Target> {
  const d = await findDeployment(app.db, organizationId, deploymentId);
  return d ? { workspaceId: d.workspace_id, deploymentId: d.id } : {};
}

export interface AlertDeployment { id: string; workspace_id: string }

/** The Deployment `field` names, locked (its deletion comes wholly before or after what follows). */
export async function lockedDeployment(tx: Tx, organizationId: string, deploymentId: string, field: string): Promise<AlertDeployment> {
  await lockDeployment(tx, organizationId, deploymentId);
  const d = await findDeployment(tx, organizationId, deploymentId);
  if (!d) throw invalidField(field, FieldCode.exists, `${field} names no Deployment of the Organization`);
  return d;
}
