import { auditRefs, resolveProfiles } from '../../auth/subjects.js';
import type { Queryable } from '../../store/types.js';
import { wireTime } from '../../time.js';
import { tokenGrants, type Grant } from '../roles/repo.js';
import type * as repo from './repo.js';
import type { ApiTokenRoleView, ApiTokenView, RoleEntityType, TokenKind } from './schema.js';

/** The canonical read model of API tokens, as /v1 shows them. The secret is never part of it. */

export function roleView(g: Grant): ApiTokenRoleView {
  return {
    entityId: g.entityId,
    entityType: g.entityType as RoleEntityType,
    role: g.role,
    ...(g.deploymentId !== null ? { deploymentId: g.deploymentId } : {}),
  };
}

export async function tokenViews(db: Queryable, rows: repo.TokenRow[]): Promise<ApiTokenView[]> {
  if (rows.length === 0) return [];
  const profiles = await resolveProfiles(db, auditRefs(rows));
  const roles = await tokenGrants(db, rows.map((r) => r.id));
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
