import { builtInPermissions, withGates } from './permissions.js';
import type { PrincipalRole } from './principal.js';

/** A role as stored for a token, a user or a Team. */
export interface StoredGrant {
  entityType: string;
  entityId: string;
  role: string;
  /** For DAG and DAG_TAG roles: the Deployment of the DAG. */
  deploymentId?: string | null;
}

/** A custom role of an organization, as grant resolution reads it. */
export interface CustomRoleDefinition {
  scopeType: string;
  permissions: readonly string[];
  restrictedWorkspaceIds: readonly string[];
}

/** What grant resolution must know beside the grants, loaded by the caller (see grantFactsNeeded). */
export interface GrantFacts {
  /** The Workspace of each Deployment the grants name that still exists in the organization. */
  workspaceOf: ReadonlyMap<string, string>;
  /** The organization's custom roles by name (empty when no grant names one). */
  customRoles: ReadonlyMap<string, CustomRoleDefinition>;
}

/** What a user or Team holds: its organization role and its Workspace, Deployment and DAG grants. */
export interface HeldRoles {
  organizationRole: string | null;
  grants: readonly StoredGrant[];
}

const EMPTY: ReadonlySet<string> = Object.freeze(new Set<string>());

/** The Deployment a grant depends on: its own entity, or the Deployment of a DAG role. */
function deploymentOf(g: StoredGrant): string | undefined {
  if (g.entityType === 'DEPLOYMENT') return g.entityId;
  if ((g.entityType === 'DAG' || g.entityType === 'DAG_TAG') && g.deploymentId) return g.deploymentId;
  return undefined;
}

/**
 * The permissions a role carries wherever it is held: a built-in role's from the table in
 * ./permissions.ts, a custom role's (`custom`, its definition) its own plus the gates they imply;
 * nothing for a name that is neither. resolveGrants attaches these to a caller's roles, and the
 * grant ceiling (resources/roles/ceiling.ts) compares a role to be granted with them.
 */
export function rolePermissions(role: string, custom: CustomRoleDefinition | undefined): ReadonlySet<string> {
  const builtIn = builtInPermissions(role);
  if (builtIn) return builtIn;
  return custom ? Object.freeze(withGates(custom.permissions)) : EMPTY;
}

/**
 * Which facts resolveGrants needs for `stored`: the Workspaces of these Deployments, and the
 * custom roles only when a grant names a role that is not built in. The caller loads no more.
 */
export function grantFactsNeeded(stored: readonly StoredGrant[]): { deploymentIds: string[]; customRoles: boolean } {
  const deploymentIds = new Set<string>();
  for (const g of stored) {
    const d = deploymentOf(g);
    if (d !== undefined) deploymentIds.add(d);
  }
  return { deploymentIds: [...deploymentIds], customRoles: stored.some((g) => builtInPermissions(g.role) === undefined) };
}

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
 * Pure: ./authenticate.ts loads the facts and caches the result with the principal; every change
 * to a custom role or a grant clears that cache (invalidateAll / invalidateToken in the writing
 * transaction).
 */
export function resolveGrants(stored: readonly StoredGrant[], facts: GrantFacts): PrincipalRole[] {
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
    const workspaceId = deployment !== undefined ? facts.workspaceOf.get(deployment) : undefined;
    if (g.entityType === 'WORKSPACE') heldWorkspaces.add(g.entityId);
    if (deployment !== undefined && workspaceId === undefined) permissions = EMPTY;
    else if (!builtInPermissions(g.role)) {
      const c = facts.customRoles.get(g.role);
      const scope = g.entityType === 'DAG_TAG' ? 'DAG' : g.entityType;
      const usable = c !== undefined && c.scopeType === scope && workspaceId !== undefined
        && (c.restrictedWorkspaceIds.length === 0 || c.restrictedWorkspaceIds.includes(workspaceId));
      permissions = usable ? rolePermissions(g.role, c) : EMPTY;
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

/**
 * The one place stored user and Team roles become a principal's grants: the union of what the
 * user holds itself and what each of its Teams holds, each role once.
 */
export function userGrants(organizationId: string, held: readonly HeldRoles[]): StoredGrant[] {
  const out: StoredGrant[] = [];
  const seen = new Set<string>();
  const add = (r: StoredGrant) => {
    const key = [r.entityType, r.entityId, r.role, r.deploymentId ?? ''].join('\u0000');
    if (seen.has(key)) return;
    seen.add(key);
    out.push(r);
  };
  for (const h of held) {
    if (h.organizationRole !== null) add({ entityType: 'ORGANIZATION', entityId: organizationId, role: h.organizationRole });
    for (const g of h.grants) add(g);
  }
  return out;
}
