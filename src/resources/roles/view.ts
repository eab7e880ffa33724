import { auditRefs, resolveProfiles } from '../../auth/subjects.js';
import type { Queryable } from '../../store/types.js';
import { wireTime } from '../../time.js';
import { jsonList, type CustomRoleRow } from './repo.js';
import type { RoleView, RoleWithPermissionView } from './schema.js';

/** The canonical read model of custom roles, as /v1 shows them. */

export async function roleViews(db: Queryable, rows: CustomRoleRow[]): Promise<RoleView[]> {
  if (rows.length === 0) return [];
  const profiles = await resolveProfiles(db, auditRefs(rows));
  return rows.map((r) => ({
    createdAt: wireTime(r.created_at),
    createdBy: profiles.get(r.created_by_id)!,
    ...(r.description !== null ? { description: r.description } : {}),
    id: r.id,
    name: r.name,
    restrictedWorkspaceIds: jsonList(r.restricted_workspace_ids),
    // DAG roles answer with their own scope, which the reference's enum leaves out.
    scopeType: r.scope_type as RoleView['scopeType'],
    updatedAt: wireTime(r.updated_at),
    updatedBy: profiles.get(r.updated_by_id)!,
  }));
}

export async function roleWithPermissionsView(db: Queryable, row: CustomRoleRow): Promise<RoleWithPermissionView> {
  const [view] = await roleViews(db, [row]);
  return { ...view!, permissions: jsonList(row.permissions) };
}
