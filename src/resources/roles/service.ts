import type { AppContext } from '../../context.js';
import { actor } from '../../auth/access.js';
import { invalidateAll } from '../../auth/cache.js';
import {
  BUILT_IN_ROLES, builtInPermissions, DEFAULT_ROLE_INFO, grantablePermissions, PERMISSION_GROUPS, ROLE_TEMPLATES, type PermissionScope,
} from '../../auth/permissions.js';
import type { Principal } from '../../auth/principal.js';
import { found, invalidField } from '../../http/errors.js';
import { requireText } from '../../http/rules.js';
import { createdColumns, updatedColumns } from '../../store/audit.js';
import { inTransaction, lockRow, type Queryable } from '../../store/db.js';
import { newId } from '../../store/ids.js';
import { envelope } from '../../store/pagination.js';
import { countRoleHolders, renameRole } from '../tokens/repo.js';
import { countSubjectsHolding, renameSubjectRole } from '../users/repo.js';
import { existingWorkspaceIds, lockWorkspaces } from '../workspaces/repo.js';
import * as repo from './repo.js';
import type { CreateCustomRoleBody, CustomRoleScope, DefaultRoleView, ListRolesFilter, RoleWithPermissionView, UpdateCustomRoleBody } from './schema.js';
import { roleViews, roleWithPermissionsView } from './view.js';

/** The role entity types a custom role of each scope is held on. */
const ENTITY_TYPES: Record<CustomRoleScope, string[]> = { DEPLOYMENT: ['DEPLOYMENT'], DAG: ['DAG', 'DAG_TAG'] };

// ---------------------------------------------------------------- role names, for every family

/**
 * Checks a role name given for a grant on an entity of `entityType` (ORGANIZATION, WORKSPACE,
 * DEPLOYMENT, DAG or DAG_TAG) in the organization, and answers 400 on `field` otherwise:
 * Organization and Workspace roles are the built-in ones; a Deployment role is DEPLOYMENT_ADMIN or
 * a custom DEPLOYMENT role of the organization, a DAG role DAG_VIEWER, DAG_AUTHOR or a custom DAG
 * role. A custom role restricted to some Workspaces is refused on a Deployment of another one
 * (`workspaceId` is the Workspace of the Deployment the grant is on). Used for API tokens, and
 * meant for users and teams too.
 */
export async function checkRoleName(q: Queryable, organizationId: string, entityType: string, name: string, at: { field: string; workspaceId?: string }): Promise<void> {
  const kind = entityType === 'DAG_TAG' ? 'DAG' : entityType;
  const builtIn = BUILT_IN_ROLES[kind as keyof typeof BUILT_IN_ROLES];
  if (!builtIn) throw invalidField(at.field, 'oneof', `${entityType} is not a kind of entity roles are held on`);
  if (builtIn.includes(name)) return;
  if (kind === 'ORGANIZATION' || kind === 'WORKSPACE' || builtInPermissions(name)) {
    throw invalidField(at.field, 'oneof', `${name} is not a ${entityType} role; one of [${builtIn.join(' ')}]${kind === 'DEPLOYMENT' || kind === 'DAG' ? ' or a custom role' : ''}`);
  }
  const custom = await repo.lockRoleByName(q, organizationId, name);
  if (!custom || custom.scope_type !== kind) {
    throw invalidField(at.field, 'oneof', `${name} is neither a built-in ${kind} role [${builtIn.join(' ')}] nor a custom ${kind} role of this Organization`);
  }
  const restricted = repo.jsonList(custom.restricted_workspace_ids);
  if (restricted.length > 0 && at.workspaceId !== undefined && !restricted.includes(at.workspaceId)) {
    throw invalidField(at.field, 'invalid', `the custom role ${name} is restricted to other Workspaces`);
  }
}

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
    if (!allowed.has(p)) throw invalidField(`permissions[${i}]`, 'oneof', `${p} is not a permission a ${scope} role can grant (see ListPermissionGroups)`);
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
    if (!existing.has(id)) throw invalidField(`restrictedWorkspaceIds[${i}]`, 'exists', `${id} is not a Workspace of this Organization`);
  });
  return unique;
}

/** Names are unique in an organization; checked under its row lock so two requests cannot both pass. */
async function checkNameFree(q: Queryable, organizationId: string, name: string, self?: string): Promise<void> {
  await lockRow(q, 'organizations', organizationId);
  const same = await repo.findRoleByName(q, organizationId, name);
  if (same && same.id !== self) throw invalidField('name', 'unique', `the Organization already has a role named ${name}`);
  if (builtInPermissions(name)) throw invalidField('name', 'unique', `${name} is the name of a built-in role`);
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
      await renameRole(tx, organizationId, ENTITY_TYPES[scope], role.name, body.name);
      await renameSubjectRole(tx, organizationId, ENTITY_TYPES[scope], role.name, body.name);
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
    const tokens = await countRoleHolders(tx, organizationId, types, role.name);
    const { users, teams } = await countSubjectsHolding(tx, organizationId, types, role.name);
    if (tokens + users + teams > 0) {
      const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;
      const holders = [
        ...(tokens > 0 ? [plural(tokens, 'API token', 'API tokens')] : []),
        ...(users > 0 ? [plural(users, 'user', 'users')] : []),
        ...(teams > 0 ? [plural(teams, 'Team', 'Teams')] : []),
      ];
      const list = holders.length > 1 ? `${holders.slice(0, -1).join(', ')} and ${holders.at(-1)}` : holders[0];
      throw invalidField('customRoleId', 'in_use', `the role is held by ${list}; change their roles first`);
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
 * any role changed (the caller then invalidates the auth cache, which holds the restrictions).
 */
export async function forgetWorkspace(q: Queryable, organizationId: string, workspaceId: string): Promise<boolean> {
  const naming = (await repo.rolesRestrictedTo(q, organizationId, workspaceId));
  const only = naming.filter((r) => repo.jsonList(r.restricted_workspace_ids).every((w) => w === workspaceId));
  if (only.length > 0) {
    const names = only.map((r) => r.name).sort().join(', ');
    throw invalidField('workspaceId', 'in_use', `the custom role${only.length === 1 ? '' : 's'} ${names} ${only.length === 1 ? 'is' : 'are'} restricted to this Workspace alone; change ${only.length === 1 ? 'its' : 'their'} restrictedWorkspaceIds or delete ${only.length === 1 ? 'it' : 'them'} first`);
  }
  for (const r of naming) {
    const rest = repo.jsonList(r.restricted_workspace_ids).filter((w) => w !== workspaceId);
    await repo.updateRole(q, r.id, { restricted_workspace_ids: JSON.stringify(rest) });
  }
  return naming.length > 0;
}
