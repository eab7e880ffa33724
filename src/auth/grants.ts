import { workspacesOf } from '../resources/deployments/repo.js';
import { customRoleGrants } from '../resources/roles/repo.js';
import type { Queryable } from '../store/types.js';
import { builtInPermissions, withGates } from './permissions.js';
import type { PrincipalRole } from './principal.js';

/** A role as stored for a token (and, later, for a user or a team). */
export interface StoredGrant {
  entityType: string;
  entityId: string;
  role: string;
  /** For DAG and DAG_TAG roles: the Deployment of the DAG. */
  deploymentId?: string | null;
}

const EMPTY: ReadonlySet<string> = Object.freeze(new Set<string>());

/**
 * Turns stored role grants of one organization into the principal's roles, each with the
 * permissions it carries attached. The one place that knows:
 * - built-in roles carry the permissions of the table in ./permissions.ts;
 * - a Deployment or DAG role that is not built in names a custom role of the organization of the
 *   same scope; it carries that role's permissions (plus the gates they imply), and nothing when
 *   the role is gone, has another scope, or is restricted to Workspaces that do not include the
 *   Deployment's Workspace;
 * - a Deployment role of a Deployment that no longer exists carries nothing;
 * - whoever holds a Deployment role and no role in its Workspace is a Workspace Accessor there
 *   (domain.md §4.1).
 * The token loader calls this; results live in the store cache, which every change to a custom role
 * or a grant clears (invalidateAll / invalidateToken in the writing transaction).
 */
export async function resolveGrants(db: Queryable, organizationId: string, stored: readonly StoredGrant[]): Promise<PrincipalRole[]> {
  const deploymentIds = [...new Set(stored.flatMap((g) => {
    if (g.entityType === 'DEPLOYMENT') return [g.entityId];
    if ((g.entityType === 'DAG' || g.entityType === 'DAG_TAG') && g.deploymentId) return [g.deploymentId];
    return [];
  }))];
  const workspaceOf = await workspacesOf(db, organizationId, deploymentIds);
  const needsCustom = stored.some((g) => builtInPermissions(g.role) === undefined);
  const custom = needsCustom ? await customRoleGrants(db, organizationId) : new Map();

  const out: PrincipalRole[] = [];
  const heldWorkspaces = new Set<string>();
  const accessorIn = new Set<string>();
  for (const g of stored) {
    const base = {
      entityType: g.entityType,
      entityId: g.entityId,
      role: g.role,
      ...(g.deploymentId ? { deploymentId: g.deploymentId } : {}),
    };
    let permissions: ReadonlySet<string> = builtInPermissions(g.role) ?? EMPTY;
    const deployment = g.entityType === 'DEPLOYMENT' ? g.entityId : g.deploymentId ?? undefined;
    const workspaceId = deployment !== undefined ? workspaceOf.get(deployment) : undefined;
    if (g.entityType === 'WORKSPACE') heldWorkspaces.add(g.entityId);
    if (deployment !== undefined && workspaceId === undefined) permissions = EMPTY;
    else if (!builtInPermissions(g.role)) {
      const c = custom.get(g.role);
      const scope = g.entityType === 'DAG_TAG' ? 'DAG' : g.entityType;
      const usable = c !== undefined && c.scopeType === scope && workspaceId !== undefined
        && (c.restrictedWorkspaceIds.length === 0 || c.restrictedWorkspaceIds.includes(workspaceId));
      permissions = usable ? Object.freeze(withGates(c.permissions)) : EMPTY;
    }
    if (g.entityType === 'DEPLOYMENT' && workspaceId !== undefined) accessorIn.add(workspaceId);
    out.push(Object.freeze({ ...base, permissions }));
  }
  for (const w of accessorIn) {
    if (heldWorkspaces.has(w)) continue;
    out.push(Object.freeze({ entityType: 'WORKSPACE', entityId: w, role: 'WORKSPACE_ACCESSOR', permissions: builtInPermissions('WORKSPACE_ACCESSOR')!, implied: true }));
  }
  return out;
}
