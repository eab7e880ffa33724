import { lacking, type Target } from '../../auth/access.js';
import { grantFactsNeeded, resolveGrants, type StoredGrant } from '../../auth/grants.js';
import type { Principal } from '../../auth/principal.js';
import { forbidden } from '../../core/errors.js';
import type { Queryable } from '../../store/types.js';
import { workspacesOf } from '../deployments/repo.js';
import { customRoleGrants } from './repo.js';

/*
 * The grant ceiling: nobody grants more than they hold. A caller may grant a role on an entity
 * only if it could exercise, there, every permission that role carries (the built-in table of
 * auth/permissions.ts, or a custom role's own permissions and the gates they imply:
 * rolePermissions in auth/grants.ts). Every path that hands a role to someone goes through
 * checkCeiling: an API token's role on create, a token's new roles, the role of an agent token,
 * a user's and a Team's role changes, the role of an invite, the Organization role a Team is
 * created with, and the roles a user gains by joining a Team. Rotating a token hands its caller
 * the token's whole power (the new secret), so it is checked as granting every role the token
 * holds (checkCeilingOfHeld). Organization Owners hold every permission everywhere: nothing
 * changes for them.
 */

/** Where a role is, or is to be, held: its entity and what that entity lies in. */
export interface GrantPlace {
  /** ORGANIZATION, WORKSPACE, DEPLOYMENT, DAG or DAG_TAG. */
  entityType: string;
  /** The Organization, Workspace or Deployment id, or the DAG id or tag. */
  entityId: string;
  /** The Workspace of a Deployment or DAG grant (left out when the Deployment is none of the Organization's). */
  workspaceId?: string;
  /** The Deployment of a DAG grant. */
  deploymentId?: string;
}

/** What authorization checks for a role held at `g`. */
export function placeTarget(g: GrantPlace): Target {
  switch (g.entityType) {
    case 'WORKSPACE':
      return { workspaceId: g.entityId };
    case 'DEPLOYMENT':
      return { workspaceId: g.workspaceId, deploymentId: g.entityId };
    case 'DAG':
    case 'DAG_TAG':
      return { workspaceId: g.workspaceId, deploymentId: g.deploymentId, dag: { entityType: g.entityType, entityId: g.entityId } };
    default:
      // ORGANIZATION: only Organization roles apply there.
      return {};
  }
}

/** How an error names the place. */
export function describePlace(g: GrantPlace): string {
  switch (g.entityType) {
    case 'ORGANIZATION': return 'the Organization';
    case 'WORKSPACE': return `Workspace ${g.entityId}`;
    case 'DEPLOYMENT': return `Deployment ${g.entityId}`;
    case 'DAG': return `DAG ${g.entityId} of Deployment ${g.deploymentId ?? ''}`;
    case 'DAG_TAG': return `DAG tag ${g.entityId} of Deployment ${g.deploymentId ?? ''}`;
    default: return `${g.entityType} ${g.entityId}`;
  }
}

/**
 * Refuses (403, naming the role and the place) a grant of `role`, which carries `permissions`,
 * at `place` by a caller who could not exercise all of them there itself.
 */
export function checkCeiling(p: Principal, role: string, permissions: ReadonlySet<string>, place: GrantPlace): void {
  const missing = lacking(p, permissions, placeTarget(place));
  if (missing !== undefined) {
    throw forbidden(`You cannot grant ${role} on ${describePlace(place)}: the role carries ${missing}, which you do not hold there`);
  }
}

/**
 * Refuses (403) a change of roles at `place` (a role granted, changed or taken away there) by a
 * caller who lacks `gate` there: UpdateUserRoles and UpdateTeamRoles check every change on its
 * own entity (domain.md §4.2, the 2026-07-01 change), with the operation's permission as gate.
 */
export function checkChangeAt(p: Principal, gate: string, place: GrantPlace): void {
  if (lacking(p, [gate], placeTarget(place)) !== undefined) {
    throw forbidden(`You cannot change roles on ${describePlace(place)}: that needs ${gate} there`);
  }
}

/**
 * Refuses (403) handing `p` the whole of `grants` (stored grants of the Organization, an
 * Organization role among them as an ORGANIZATION grant): every role they carry, resolved as a
 * principal's would be (a custom role restricted elsewhere carries nothing; a Deployment role
 * brings Workspace Accessor with it), must pass the ceiling. For rotating a token and for adding
 * members to a Team.
 */
export async function checkCeilingOfHeld(q: Queryable, p: Principal, organizationId: string, grants: readonly StoredGrant[]): Promise<void> {
  const needed = grantFactsNeeded(grants);
  const workspaceOf = needed.deploymentIds.length > 0 ? await workspacesOf(q, organizationId, needed.deploymentIds) : new Map<string, string>();
  const customRoles = needed.customRoles ? await customRoleGrants(q, organizationId) : new Map();
  for (const r of resolveGrants(grants, { workspaceOf, customRoles })) {
    const deploymentId = r.entityType === 'DEPLOYMENT' ? r.entityId : r.deploymentId;
    const place: GrantPlace = {
      entityType: r.entityType,
      entityId: r.entityId,
      ...(deploymentId !== undefined ? { deploymentId } : {}),
      ...(deploymentId !== undefined && workspaceOf.has(deploymentId) ? { workspaceId: workspaceOf.get(deploymentId)! } : {}),
    };
    checkCeiling(p, r.role, r.permissions, place);
  }
}
