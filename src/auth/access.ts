import { forbidden } from '../http/errors.js';
import { roleGrants } from './permissions.js';
import type { Principal } from './principal.js';

/** What an operation acts on: its organization and, where there is one, workspace and deployment. */
export interface Target {
  organizationId?: string;
  workspaceId?: string;
  deploymentId?: string;
}

/** The organization check alone: another organization gets the same 403 whether it exists or not. */
export function checkOrganization(p: Principal, organizationId: string | undefined): void {
  if (organizationId !== undefined && organizationId !== p.organizationId) {
    throw forbidden('You do not have access to this Organization');
  }
}

/**
 * Allows `action` on `target` when a role of the principal grants it: an organization role
 * anywhere in its organization, a workspace role in its workspace (and on the deployments in it),
 * a deployment role on its deployment. `null` means the operation needs no permission beyond
 * belonging to the organization.
 */
export function authorize(p: Principal, action: string | null, target: Target): void {
  checkOrganization(p, target.organizationId);
  if (action === null) return;
  for (const r of p.roles) {
    if (!roleGrants(r.role, action)) continue;
    if (r.entityType === 'ORGANIZATION' && r.entityId === p.organizationId) return;
    if (r.entityType === 'WORKSPACE' && target.workspaceId !== undefined && target.workspaceId === r.entityId) return;
    if (r.entityType === 'DEPLOYMENT' && target.deploymentId !== undefined && target.deploymentId === r.entityId) return;
  }
  throw forbidden(`You do not have the permission ${action} for this resource`);
}

/** The audit reference stored in created_by/updated_by columns. */
export function actor(p: Principal): { id: string; type: string } {
  return { id: p.subjectId, type: p.subjectType };
}
