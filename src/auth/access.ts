import { forbidden } from '../core/errors.js';
import type { Principal, PrincipalRole } from './principal.js';

/** What an operation acts on: its organization and, where there is one, workspace and deployment. */
export interface Target {
  organizationId?: string;
  workspaceId?: string;
  deploymentId?: string;
  /**
   * The operation acts on the organization as a whole, but a caller holding the permission on any
   * Workspace or Deployment of it may call it; the handler then shows such a caller only what
   * lies in its scope (visibleScope). Lists of Workspaces and Deployments are such operations.
   */
  anyScope?: boolean;
  /**
   * One DAG (or DAG tag) of the Deployment: only a DAG role on that very DAG or tag applies, not
   * one on another DAG of the Deployment. No operation targets a DAG; the grant ceiling does.
   */
  dag?: { entityType: 'DAG' | 'DAG_TAG'; entityId: string };
}

/** The organization check alone: another organization gets the same 403 whether it exists or not. */
export function checkOrganization(p: Principal, organizationId: string | undefined): void {
  if (organizationId !== undefined && organizationId !== p.organizationId) {
    throw forbidden('You do not have access to this Organization');
  }
}

/** Whether role `r` of `p` applies to `target` (its permissions aside). */
function applies(p: Principal, r: PrincipalRole, target: Target): boolean {
  switch (r.entityType) {
    case 'ORGANIZATION':
      return r.entityId === p.organizationId;
    case 'WORKSPACE':
      return target.anyScope === true || (target.workspaceId !== undefined && target.workspaceId === r.entityId);
    case 'DEPLOYMENT':
      return target.anyScope === true || (target.deploymentId !== undefined && target.deploymentId === r.entityId);
    case 'DAG':
    case 'DAG_TAG':
      // DAG roles reach the DAGs of one Deployment; no operation of the API targets a DAG, so
      // they apply to their Deployment for the dag.* permissions they carry.
      return target.deploymentId !== undefined && target.deploymentId === r.deploymentId
        && (target.dag === undefined || (target.dag.entityType === r.entityType && target.dag.entityId === r.entityId));
    default:
      return false;
  }
}

/**
 * Allows `action` on `target` when a role of the principal grants it and applies there: an
 * organization role anywhere in its organization, a workspace role in its workspace (and on the
 * deployments in it), a deployment role on its deployment; on an `anyScope` target, any role.
 * `null` means the operation needs no permission beyond belonging to the organization.
 */
export function authorize(p: Principal, action: string | null, target: Target): void {
  checkOrganization(p, target.organizationId);
  if (action === null) return;
  for (const r of p.roles) {
    if (r.permissions.has(action) && applies(p, r, target)) return;
  }
  throw forbidden(`You do not have the permission ${action} for this resource`);
}

/**
 * The first of `permissions` that `p` could not exercise on `target` itself (authorize's rule,
 * one permission at a time), or undefined when it holds them all there. The grant ceiling and
 * the rules that need a role's whole power (a Workspace Owner's, say) ask this.
 */
export function lacking(p: Principal, permissions: Iterable<string>, target: Target): string | undefined {
  if (target.organizationId !== undefined && target.organizationId !== p.organizationId) return [...permissions][0];
  for (const action of permissions) {
    if (!p.roles.some((r) => r.permissions.has(action) && applies(p, r, target))) return action;
  }
  return undefined;
}

/** What a caller may see of a list narrowed by `action`: everything, or these Workspaces and Deployments. */
export type Visible = { all: true } | { all: false; workspaceIds: string[]; deploymentIds: string[] };

/**
 * The part of its organization where `p` holds `action`: all of it through an organization role,
 * else the Workspaces and Deployments of its roles that grant it (a Workspace includes its
 * Deployments). Lists called through anyScope narrow their results with this.
 */
export function visibleScope(p: Principal, action: string): Visible {
  const workspaceIds = new Set<string>();
  const deploymentIds = new Set<string>();
  for (const r of p.roles) {
    if (!r.permissions.has(action)) continue;
    if (r.entityType === 'ORGANIZATION' && r.entityId === p.organizationId) return { all: true };
    if (r.entityType === 'WORKSPACE') workspaceIds.add(r.entityId);
    if (r.entityType === 'DEPLOYMENT') deploymentIds.add(r.entityId);
  }
  return { all: false, workspaceIds: [...workspaceIds], deploymentIds: [...deploymentIds] };
}

/** The audit reference stored in created_by/updated_by columns. */
export function actor(p: Principal): { id: string; type: string } {
  return { id: p.subjectId, type: p.subjectType };
}
