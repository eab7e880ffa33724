import type { Principal } from '../../auth/principal.js';
import { userProfile } from '../../auth/subjects.js';
import type { Queryable } from '../../store/types.js';
import { storedTime, wireTime } from '../../time.js';
import { subjectGrants } from '../roles/repo.js';
import { scopedRolesView } from '../roles/service.js';
import * as repo from './repo.js';
import type { InviteView, SelfUserView, UserStatus, UserView } from './schema.js';

/** The canonical read model of users and invites, as /v1 shows them. */

type OrgRole = NonNullable<UserView['organizationRole']>;

export async function userViews(db: Queryable, rows: repo.UserRow[]): Promise<UserView[]> {
  if (rows.length === 0) return [];
  const roles = await subjectGrants(db, rows.map((r) => r.id));
  return rows.map((u) => ({
    avatarUrl: u.avatar_url,
    createdAt: wireTime(u.created_at),
    ...scopedRolesView(roles.get(u.id) ?? []),
    fullName: u.full_name,
    id: u.id,
    ...(u.organization_role !== null ? { organizationRole: u.organization_role as OrgRole } : {}),
    status: u.status as UserStatus,
    updatedAt: wireTime(u.updated_at),
    username: u.email,
  }));
}

export async function userView(db: Queryable, row: repo.UserRow): Promise<UserView> {
  return (await userViews(db, [row]))[0]!;
}

export function inviteView(invite: repo.InviteRow, invitee: repo.UserRow, inviter: ReturnType<typeof userProfile> | undefined, organizationName: string | undefined): InviteView {
  return {
    expiresAt: wireTime(invite.expires_at),
    inviteId: invite.id,
    invitee: userProfile(invitee),
    inviter: inviter ?? { id: invite.inviter_id, subjectType: invite.inviter_type === 'USER' ? 'USER' : 'SERVICEKEY' },
    organizationId: invite.organization_id,
    ...(organizationName !== undefined ? { organizationName } : {}),
    userId: invitee.id,
  };
}

/**
 * The caller as GetSelfUser shows it. `p` is the caller's principal: its roles are the user's
 * effective ones (own and through Teams). No feature flags apply on this server.
 */
export async function selfUserView(db: Queryable, u: repo.UserRow, p: Principal, now: Date): Promise<SelfUserView> {
  const invites = await repo.invitesForEmail(db, u.email, storedTime(now));
  const member = p.subjectId === u.id && p.organizationId !== '';
  return {
    avatarUrl: u.avatar_url,
    createdAt: wireTime(u.created_at),
    featureFlags: [],
    fullName: u.full_name,
    id: u.id,
    invites: invites.map((i) => ({ expiresAt: wireTime(i.expires_at), inviteId: i.id, organizationId: i.organization_id })),
    isIdpManaged: false,
    ...(u.organization_id !== null ? { organizationId: u.organization_id } : {}),
    roles: (member ? p.roles : []).map((r) => ({
      role: r.role,
      scope: {
        type: r.entityType,
        entityId: r.entityId,
        ...(r.deploymentId !== undefined ? { deploymentId: r.deploymentId } : {}),
        ...(r.entityType === 'DAG_TAG' ? { dagTag: r.entityId } : {}),
      },
    })),
    status: u.status as UserStatus,
    updatedAt: wireTime(u.updated_at),
    username: u.email,
  };
}
