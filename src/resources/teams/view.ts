import { auditRefs, resolveProfiles } from '../../auth/subjects.js';
import type { Queryable } from '../../store/types.js';
import { wireTime } from '../../time.js';
import { subjectGrants } from '../roles/repo.js';
import { rolesCount, scopedRolesView } from '../roles/service.js';
import type * as repo from './repo.js';
import type { TeamMemberView, TeamView, UserTeamMembershipView } from './schema.js';

/** The canonical read model of Teams and their members, as /v1 shows them. */

export async function teamViews(db: Queryable, rows: repo.TeamRow[]): Promise<TeamView[]> {
  if (rows.length === 0) return [];
  const profiles = await resolveProfiles(db, auditRefs(rows));
  const roles = await subjectGrants(db, rows.map((r) => r.id));
  return rows.map((t) => {
    const held = roles.get(t.id) ?? [];
    return {
      createdAt: wireTime(t.created_at),
      createdBy: profiles.get(t.created_by_id),
      ...scopedRolesView(held),
      ...(t.description !== null && t.description !== '' ? { description: t.description } : {}),
      id: t.id,
      isIdpManaged: t.is_idp_managed === 1,
      name: t.name,
      organizationId: t.organization_id,
      organizationRole: t.organization_role as TeamView['organizationRole'],
      rolesCount: rolesCount(t.organization_role, held),
      updatedAt: wireTime(t.updated_at),
      updatedBy: profiles.get(t.updated_by_id),
    };
  });
}

export async function teamView(db: Queryable, row: repo.TeamRow): Promise<TeamView> {
  return (await teamViews(db, [row]))[0]!;
}

export function memberView(m: { id: string; full_name: string; email: string; avatar_url: string; created_at: string }): TeamMemberView {
  return {
    ...(m.avatar_url !== '' ? { avatarUrl: m.avatar_url } : {}),
    createdAt: wireTime(m.created_at),
    ...(m.full_name !== '' ? { fullName: m.full_name } : {}),
    userId: m.id,
    username: m.email,
  };
}

/** Teams as ListUserTeams shows them: each with its roles, without audit columns. */
export async function membershipView(db: Queryable, rows: repo.TeamRow[]): Promise<UserTeamMembershipView[]> {
  const roles = await subjectGrants(db, rows.map((t) => t.id));
  return rows.map((t) => {
    const held = roles.get(t.id) ?? [];
    return {
      ...scopedRolesView(held),
      ...(t.description !== null ? { description: t.description } : {}),
      id: t.id,
      isIdpManaged: t.is_idp_managed === 1,
      name: t.name,
      organizationRole: t.organization_role as UserTeamMembershipView['organizationRole'],
      rolesCount: rolesCount(t.organization_role, held),
    };
  });
}
