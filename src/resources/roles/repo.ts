import type { Insertable, Selectable } from 'kysely';
import { CachedLookup } from '../../store/cache.js';
import type { Queryable } from '../../store/types.js';
import { paginate, type PageRequest } from '../../store/pagination.js';
import type { CustomRolesTable } from '../../store/schema.js';

/** The one owner of the `custom_roles` table. */

export type CustomRoleRow = Selectable<CustomRolesTable>;

/** A custom role as authorization uses it. */
export interface CustomRoleGrant {
  scopeType: string;
  permissions: readonly string[];
  restrictedWorkspaceIds: readonly string[];
}

const SORT_COLUMNS = { name: 'name', description: 'description', scopeType: 'scope_type', createdAt: 'created_at', updatedAt: 'updated_at' };

function selectRoles(db: Queryable, organizationId: string) {
  return db.selectFrom('custom_roles').selectAll().where('organization_id', '=', organizationId);
}

export function listRoles(db: Queryable, organizationId: string, scopeTypes: string[] | undefined, page: PageRequest) {
  let q = selectRoles(db, organizationId);
  if (scopeTypes !== undefined) q = q.where('scope_type', 'in', scopeTypes.length > 0 ? scopeTypes : ['']);
  return paginate(q, page, SORT_COLUMNS, 'createdAt:asc', 'id', { wholeRows: true });
}

export function findRole(db: Queryable, organizationId: string, id: string): Promise<CustomRoleRow | undefined> {
  return selectRoles(db, organizationId).where('id', '=', id).executeTakeFirst();
}

export function findRoleByName(db: Queryable, organizationId: string, name: string): Promise<CustomRoleRow | undefined> {
  return selectRoles(db, organizationId).where('name', '=', name).executeTakeFirst();
}

/**
 * The role named `name`, its row locked for the caller's transaction (an update that changes
 * nothing): a grant naming the role and the role's deletion cannot both pass their checks.
 */
export function lockRoleByName(db: Queryable, organizationId: string, name: string): Promise<CustomRoleRow | undefined> {
  return db.updateTable('custom_roles').set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('organization_id', '=', organizationId).where('name', '=', name).returningAll().executeTakeFirst();
}

/** The role of `id`, its row locked for the caller's transaction (see lockRoleByName). */
export function lockRole(db: Queryable, organizationId: string, id: string): Promise<CustomRoleRow | undefined> {
  return db.updateTable('custom_roles').set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('organization_id', '=', organizationId).where('id', '=', id).returningAll().executeTakeFirst();
}

/**
 * The organization's custom roles whose restrictedWorkspaceIds name `workspaceId`, their rows
 * locked for the caller's transaction (the ids are a JSON list, read here; roles are few).
 */
export async function rolesRestrictedTo(db: Queryable, organizationId: string, workspaceId: string): Promise<CustomRoleRow[]> {
  const rows = await db.selectFrom('custom_roles').select(['id', 'restricted_workspace_ids']).where('organization_id', '=', organizationId)
    .where('restricted_workspace_ids', '<>', '[]').orderBy('id').execute();
  const ids = rows.filter((r) => jsonList(r.restricted_workspace_ids).includes(workspaceId)).map((r) => r.id);
  const out: CustomRoleRow[] = [];
  for (const id of ids) {
    const locked = await lockRole(db, organizationId, id);
    if (locked && jsonList(locked.restricted_workspace_ids).includes(workspaceId)) out.push(locked);
  }
  return out;
}

export async function insertRole(db: Queryable, row: Insertable<CustomRolesTable>): Promise<void> {
  await db.insertInto('custom_roles').values(row).execute();
}

export async function updateRole(db: Queryable, id: string, changes: Partial<Omit<CustomRoleRow, 'id' | 'organization_id' | 'created_at' | 'created_by_id' | 'created_by_type'>>): Promise<void> {
  await db.updateTable('custom_roles').set(changes).where('id', '=', id).execute();
}

export async function deleteRole(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('custom_roles').where('id', '=', id).execute();
}

/** `[]` for a stored JSON array that cannot be read (never written so). */
export function jsonList(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

const grantsByOrganization = new CachedLookup<ReadonlyMap<string, CustomRoleGrant>>('custom roles by organization');

/**
 * The custom roles of an organization by name, as principals resolve them (cached: every change
 * to a custom role calls invalidateAll in its transaction, see store/cache.ts).
 */
export async function customRoleGrants(db: Queryable, organizationId: string): Promise<ReadonlyMap<string, CustomRoleGrant>> {
  const found = await grantsByOrganization.get(db, organizationId, async () => {
    const rows = await db.selectFrom('custom_roles').select(['name', 'scope_type', 'permissions', 'restricted_workspace_ids'])
      .where('organization_id', '=', organizationId).execute();
    return new Map(rows.map((r) => [r.name, Object.freeze({
      scopeType: r.scope_type,
      permissions: Object.freeze(jsonList(r.permissions)),
      restrictedWorkspaceIds: Object.freeze(jsonList(r.restricted_workspace_ids)),
    })]));
  });
  return found ?? new Map();
}
