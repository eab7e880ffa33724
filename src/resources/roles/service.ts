import type { AppContext } from '../../context.js';
import { actor } from '../../auth/access.js';
import { invalidateAll } from '../../store/cache.js';
import {
  builtInPermissions, DEFAULT_ROLE_INFO, grantablePermissions, PERMISSION_GROUPS, ROLE_TEMPLATES, type PermissionScope,
} from '../../auth/permissions.js';
import type { Principal } from '../../auth/principal.js';
import { FieldCode, found, invalidField } from '../../core/errors.js';
import { requireText } from '../../core/rules.js';
import { createdColumns, updatedColumns } from '../../store/audit.js';
import { lockRow } from '../../store/locks.js';
import { inTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import { newId } from '../../store/ids.js';
import { envelope } from '../../store/pagination.js';
import { existingWorkspaceIds, lockWorkspaces } from '../workspaces/repo.js';
import * as repo from './repo.js';
import type { CreateCustomRoleBody, CustomRoleScope, DefaultRoleView, ListRolesFilter, RoleWithPermissionView, UpdateCustomRoleBody } from './schema.js';
import { roleViews, roleWithPermissionsView } from './view.js';

// Who holds what: the checks and views of role assignments, for the families whose subjects hold roles.
export {
  checkDagRoleRuntime, checkRoleChanges, checkRoleName, rolesCount, scopedRolesView, subjectRolesView, type CheckedRoles, type RoleChanges,
  type RoleUpdateContext,
} from './assignments.js';
// Nobody grants more than they hold: the one check every path that grants a role calls.
export { checkCeiling, checkCeilingOfHeld, checkChangeAt, describePlace, placeTarget, type GrantPlace } from './ceiling.js';

/** The role entity types a custom role of each scope is held on. */
const ENTITY_TYPES: Record<CustomRoleScope, string[]> = { DEPLOYMENT: ['DEPLOYMENT'], DAG: ['DAG', 'DAG_TAG'] };

// ---------------------------------------------------------------- reads

export async function listRoles(app: AppContext, organizationId: string, q: ListRolesFilter) {
  // Custom roles only have DEPLOYMENT or DAG scope, so other scopes match none of them.
  const scopes = q.scopeTypes?.filter((s) => s === 'DEPLOYMENT' || s === 'DAG');
  const limit = Math.min(q.limit ?? 20, 2 ** 31 - 1);
  const page = await repo.listRoles(app.db, organizationId, scopes, { ...q, limit });
  const out = envelope('roles', page, await roleViews(app.db, page.items));
  if (!q.includeDefaultRoles) return out;
  return { ...out, defaultRoles: defaultRoles(q.scopeTypes) };
}

function defaultRoles(scopes: string[] | undefined): DefaultRoleView[] {
  return Object.entries(DEFAULT_ROLE_INFO)
    .filter(([, info]) => scopes === undefined || scopes.includes(info.scopeType))
    .map(([name, info]) => ({ description: info.description, name, permissions: [...builtInPermissions(name)!], scopeType: info.scopeType }));
}

export async function getRole(app: AppContext, organizationId: string, id: string): Promise<RoleWithPermissionView> {
  return roleWithPermissionsView(app.db, found(await repo.findRole(app.db, organizationId, id), 'Role'));
}

export function listRoleTemplates(scopes: string[] | undefined) {
  return ROLE_TEMPLATES.filter((t) => scopes === undefined || scopes.includes(t.scopeType))
    .map((t) => ({ description: t.description, name: t.name, permissions: [...t.permissions], scopeType: t.scopeType }));
}

/** The permission groups custom roles may draw from (only DEPLOYMENT and DAG scopes have any). */
export function listPermissionGroups(scope: string | undefined) {
  return PERMISSION_GROUPS.filter((g) => g.grantable && (scope === undefined || g.scopeType === scope)).map((g) => ({
    description: g.description,
    name: g.name,
    permissions: g.actions.map((action) => ({ action, description: `May ${action} ${g.scope.toLowerCase()}.` })),
    scope: g.scope,
  }));
}

// ---------------------------------------------------------------- changes

/** Distinct permissions in their given order, each one a custom role of `scope` may hold. */
function checkPermissions(scope: CustomRoleScope, permissions: string[]): string[] {
  const allowed = grantablePermissions(scope as PermissionScope);
  permissions.forEach((p, i) => {
    if (!allowed.has(p)) throw invalidField(`permissions[${i}]`, FieldCode.oneOf, `${p} is not a permission a ${scope} role can grant (see ListPermissionGroups)`);
  });
  return [...new Set(permissions)];
}

/**
 * Distinct Workspace ids, each a Workspace of the organization. The caller has locked them
 * (lockWorkspaces) before its own lock on the role: a Workspace deleted meanwhile is either gone
 * here or, once this commits, taken out of the role (forgetWorkspace), never left behind in it.
 */
async function checkWorkspaces(q: Queryable, organizationId: string, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const existing = await existingWorkspaceIds(q, organizationId, unique);
  ids.forEach((id, i) => {
    if (!existing.has(id)) throw invalidField(`restrictedWorkspaceIds[${i}]`, FieldCode.exists, `${id} is not a Workspace of this Organization`);
  });
  return unique;
}

/** Names are unique in an organization; checked under its row lock so two requests cannot both pass. */
async function checkNameFree(q: Queryable, organizationId: string, name: string, self?: string): Promise<void> {
  await lockRow(q, 'organizations', organizationId);
  const same = await repo.findRoleByName(q, organizationId, name);
  if (same && same.id !== self) throw invalidField('name', FieldCode.unique, `the Organization already has a role named ${name}`);
  if (builtInPermissions(name)) throw invalidField('name', FieldCode.unique, `${name} is the name of a built-in role`);
}

export function createRole(app: AppContext, p: Principal, organizationId: string, body: CreateCustomRoleBody): Promise<RoleWithPermissionView> {
  requireText('name', body.name);
  const permissions = checkPermissions(body.scopeType, body.permissions);
  return inTransaction(app.db, async (tx) => {
    await lockWorkspaces(tx, organizationId, body.restrictedWorkspaceIds ?? []);
    const restricted = await checkWorkspaces(tx, organizationId, body.restrictedWorkspaceIds ?? []);
    await checkNameFree(tx, organizationId, body.name);
    const id = newId();
    await repo.insertRole(tx, {
      id,
      organization_id: organizationId,
      name: body.name,
      description: body.description ?? null,
      scope_type: body.scopeType,
      permissions: JSON.stringify(permissions),
      restricted_workspace_ids: JSON.stringify(restricted),
      ...createdColumns(actor(p), app.clock.now()),
    });
    // The organization's custom roles are cached as a whole (roles/repo.ts customRoleGrants).
    await invalidateAll(tx);
    return roleWithPermissionsView(tx, found(await repo.findRole(tx, organizationId, id), 'Role'));
  });
}

/** How an older surface reads an update body (Operation.rules); /v1 hands none. */
export interface UpdateRoleRules {
  /**
   * The body describes the whole role, as the iam v1beta1 surface's client sends it: a
   * description or restriction list left out means none, not "unchanged".
   */
  wholeRole?: boolean;
}
/** /v1 reads an update body as it is. */
export const V1_UPDATE_RULES: UpdateRoleRules = {};

/**
 * Replaces a custom role's name, description (left out: unchanged, or none under `wholeRole`),
 * permissions and, when given, Workspace restrictions. Grants holding it follow a rename, and
 * every holder's new permissions apply at once.
 */
export function updateRole(app: AppContext, p: Principal, organizationId: string, id: string, sent: UpdateCustomRoleBody, rules: UpdateRoleRules = {}): Promise<RoleWithPermissionView> {
  const body = rules.wholeRole ? { ...sent, description: sent.description ?? null, restrictedWorkspaceIds: sent.restrictedWorkspaceIds ?? [] } : sent;
  requireText('name', body.name);
  return inTransaction(app.db, async (tx) => {
    // Workspaces before the role: the order a Workspace's deletion takes them in (forgetWorkspace).
    await lockWorkspaces(tx, organizationId, body.restrictedWorkspaceIds ?? []);
    const role = found(await repo.lockRole(tx, organizationId, id), 'Role');
    const scope = role.scope_type as CustomRoleScope;
    const permissions = checkPermissions(scope, body.permissions);
    const restricted = body.restrictedWorkspaceIds !== undefined ? await checkWorkspaces(tx, organizationId, body.restrictedWorkspaceIds) : undefined;
    if (body.name !== role.name) {
      await checkNameFree(tx, organizationId, body.name, id);
      await repo.renameGrants(tx, organizationId, ENTITY_TYPES[scope], role.name, body.name);
    }
    await repo.updateRole(tx, id, {
      name: body.name,
      ...(body.description !== undefined ? { description: body.description } : {}),
      permissions: JSON.stringify(permissions),
      ...(restricted !== undefined ? { restricted_workspace_ids: JSON.stringify(restricted) } : {}),
      ...updatedColumns(actor(p), app.clock.now()),
    });
    await invalidateAll(tx);
    return roleWithPermissionsView(tx, found(await repo.findRole(tx, organizationId, id), 'Role'));
  });
}

/**
 * Deletes a custom role that nothing holds. A role still granted to an API token, a user or a
 * Team is refused with 400: removing the grants instead could leave a Deployment token without
 * its one Deployment role, or take away access nobody asked to take away.
 */
export function deleteRole(app: AppContext, organizationId: string, id: string): Promise<void> {
  return inTransaction(app.db, async (tx) => {
    // Locked first: a grant being made now either committed (and is counted) or finds no role.
    const role = found(await repo.lockRole(tx, organizationId, id), 'Role');
    const types = ENTITY_TYPES[role.scope_type as CustomRoleScope];
    const { tokens, users, teams } = await repo.countHolders(tx, organizationId, types, role.name);
    if (tokens + users + teams > 0) {
      const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
      const holders = [
        ...(tokens > 0 ? [plural(tokens, 'API token', 'API tokens')] : []),
        ...(users > 0 ? [plural(users, 'user', 'users')] : []),
        ...(teams > 0 ? [plural(teams, 'Team', 'Teams')] : []),
      ];
      const list = holders.length > 1 ? `${holders.slice(0, -1).join(', ')} and ${holders.at(-1)}` : holders[0];
      throw invalidField('customRoleId', FieldCode.inUse, `the role is held by ${list}; change their roles first`);
    }
    await repo.deleteRole(tx, id);
    await invalidateAll(tx);
  });
}

/**
 * Takes a Workspace that is being deleted out of the custom roles restricted to it, in the
 * delete's transaction (which holds the Workspace's lock). A role restricted to that Workspace
 * alone is refused instead (400), and the delete with it: an empty list means "not restricted",
 * so dropping the last Workspace would quietly open the role to every Workspace. Answers whether
 * any role changed (the caller then invalidates the store cache, which holds the restrictions).
 */
async function forgetWorkspace(q: Queryable, organizationId: string, workspaceId: string): Promise<boolean> {
  const naming = (await repo.rolesRestrictedTo(q, organizationId, workspaceId));
  const only = naming.filter((r) => repo.jsonList(r.restricted_workspace_ids).every((w) => w === workspaceId));
  if (only.length > 0) {
    const names = only.map((r) => r.name).sort().join(', ');
    throw invalidField('workspaceId', FieldCode.inUse, `the custom role${only.length === 1 ? '' : 's'} ${names} ${only.length === 1 ? 'is' : 'are'} restricted to this Workspace alone; change ${only.length === 1 ? 'its' : 'their'} restrictedWorkspaceIds or delete ${only.length === 1 ? 'it' : 'them'} first`);
  }
  for (const r of naming) {
    const rest = repo.jsonList(r.restricted_workspace_ids).filter((w) => w !== workspaceId);
    await repo.updateRole(q, r.id, { restricted_workspace_ids: JSON.stringify(rest) });
  }
  return naming.length > 0;
}

/**
 * What goes of the roles family with a Workspace or a Deployment that is being deleted, in the
 * delete's transaction (src/resources/cascades.ts, which holds the entity's lock): every token's,
 * user's and Team's role on it (for a Deployment, also on its DAGs and DAG tags) and, for a
 * Workspace, its place in custom roles' restrictedWorkspaceIds (refused, 400, for a role
 * restricted to it alone). Answers whether anything changed, for the one cache invalidation.
 */
export async function deleteOn(q: Queryable, organizationId: string, on: repo.GrantedOn): Promise<boolean> {
  const restrictions = 'workspaceId' in on ? await forgetWorkspace(q, organizationId, on.workspaceId) : false;
  const grants = await repo.deleteGrantsOn(q, organizationId, on);
  return restrictions || grants > 0;
}

/** What the roles family removes with a user or Team that is deleted or leaves its Organization: every role it holds. */
export async function deleteHeldBy(q: Queryable, subjectId: string): Promise<void> {
  await repo.deleteSubjectGrants(q, subjectId);
}
