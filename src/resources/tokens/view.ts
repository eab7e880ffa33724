import { auditRefs, resolveProfiles } from '../../auth/subjects.js';
import type { Queryable } from '../../store/types.js';
import { wireTime } from '../../time.js';
import * as repo from './repo.js';
import type { ApiTokenRoleView, ApiTokenView, RoleEntityType, SubjectRolesView, TokenKind } from './schema.js';

/** The canonical read model of API tokens, as /v1 shows them. The secret is never part of it. */

export function roleView(r: repo.TokenRoleRow): ApiTokenRoleView {
  return {
    entityId: r.entity_id,
    entityType: r.entity_type as RoleEntityType,
    role: r.role,
    ...(r.deployment_id !== null ? { deploymentId: r.deployment_id } : {}),
  };
}

export async function tokenViews(db: Queryable, rows: repo.TokenRow[]): Promise<ApiTokenView[]> {
  if (rows.length === 0) return [];
  const profiles = await resolveProfiles(db, auditRefs(rows));
  const roles = await repo.rolesOf(db, rows.map((r) => r.id));
  return rows.map((r) => ({
    createdAt: wireTime(r.created_at),
    createdBy: profiles.get(r.created_by_id),
    description: r.description ?? '',
    endAt: wireTime(r.end_at),
    expiryPeriodInDays: r.expiry_period_days ?? undefined,
    id: r.id,
    kind: r.kind as TokenKind,
    lastRotatedAt: wireTime(r.last_rotated_at),
    lastUsedAt: wireTime(r.last_used_at),
    name: r.name,
    roles: (roles.get(r.id) ?? []).map(roleView),
    scope: r.scope as ApiTokenView['scope'],
    shortToken: r.short_token,
    startAt: wireTime(r.start_at),
    updatedAt: wireTime(r.updated_at),
    updatedBy: profiles.get(r.updated_by_id),
  }));
}

export async function tokenView(db: Queryable, row: repo.TokenRow): Promise<ApiTokenView> {
  return (await tokenViews(db, [row]))[0]!;
}

/** A role set as SubjectRoles: empty lists are left out. */
export function subjectRoles(roles: repo.TokenRoleRow[]): SubjectRolesView {
  const org = roles.find((r) => r.entity_type === 'ORGANIZATION');
  const ws = roles.filter((r) => r.entity_type === 'WORKSPACE').map((r) => ({ role: r.role as never, workspaceId: r.entity_id }));
  const dep = roles.filter((r) => r.entity_type === 'DEPLOYMENT').map((r) => ({ deploymentId: r.entity_id, role: r.role }));
  const dag = roles.filter((r) => r.entity_type === 'DAG' || r.entity_type === 'DAG_TAG').map((r) => ({
    ...(r.entity_type === 'DAG' ? { dagId: r.entity_id } : { dagTag: r.entity_id }),
    deploymentId: r.deployment_id ?? '',
    role: r.role,
  }));
  return {
    ...(dag.length > 0 ? { dagRoles: dag } : {}),
    ...(dep.length > 0 ? { deploymentRoles: dep } : {}),
    ...(org ? { organizationRole: org.role } : {}),
    ...(ws.length > 0 ? { workspaceRoles: ws } : {}),
  };
}
