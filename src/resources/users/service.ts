import type { Target } from '../../auth/access.js';
import { invalidateAll } from '../../store/cache.js';
import type { Principal } from '../../auth/principal.js';
import type { UserClaims } from '../../auth/user-jwt.js';
import { resolveProfiles } from '../../auth/subjects.js';
import type { AppContext } from '../../context.js';
import { badRequest, FieldCode, found, invalidField, unauthorized } from '../../core/errors.js';
import { normalEmail } from '../../core/rules.js';
import type { SubjectRolesView } from '../../core/schemas.js';
import type { ActorRef } from '../../store/audit.js';
import { inTransaction } from '../../store/transactions.js';
import type { Db, Queryable } from '../../store/types.js';
import { newId } from '../../store/ids.js';
import { envelope } from '../../store/pagination.js';
import { storedTime } from '../../time.js';
import { findDeployment } from '../deployments/repo.js';
import { findOrganization } from '../organizations/repo.js';
import { replaceSubjectGrants, subjectGrants } from '../roles/repo.js';
import { checkRoleChanges, subjectRolesView } from '../roles/service.js';
import { findWorkspace } from '../workspaces/repo.js';
import * as repo from './repo.js';
import type { CreateUserInviteBody, InviteView, ListUsersFilter, SelfUserView, UpdateUserRolesBody, UserView } from './schema.js';
import { inviteView, selfUserView, userView, userViews } from './view.js';

/**
 * Users of an Organization. A user belongs to one Organization at most. People join only through
 * an invite: CreateUserInvite makes a PENDING user for the email address, and that person's first
 * authenticated request (a user JWT with that email, not marked unverified) accepts it: the user
 * becomes ACTIVE with the invite's role. GET /users/self?createIfNotExist=true makes a user of no
 * Organization, whom an invite can then reach. Every change here calls invalidateAll: user
 * principals are cached by JWT digest and hold the user's and its Teams' roles.
 */

/** How long an invite stays open. */
export const INVITE_DAYS = 7;
const DAY_MS = 86_400_000;

/** The target of a list filtered on a Workspace or Deployment: callers with a role there may be allowed. */
export async function filterTarget(app: AppContext, organizationId: string, q: { workspaceId?: string; deploymentId?: string }): Promise<Target> {
  if (q.deploymentId !== undefined) {
    const d = await findDeployment(app.db, organizationId, q.deploymentId);
    return d ? { workspaceId: d.workspace_id, deploymentId: d.id } : {};
  }
  if (q.workspaceId !== undefined) return (await findWorkspace(app.db, organizationId, q.workspaceId)) ? { workspaceId: q.workspaceId } : {};
  return {};
}

export async function listUsers(app: AppContext, organizationId: string, q: ListUsersFilter) {
  const page = await repo.listUsers(app.db, organizationId, { workspaceId: q.workspaceId, deploymentId: q.deploymentId, dagId: q.dagId, dagTags: q.dagTags }, q);
  return envelope('users', page, await userViews(app.db, page.items));
}

/** A user of the Organization (ACTIVE or PENDING), or the 404. */
export function loadUser(db: Queryable, organizationId: string, userId: string): Promise<repo.UserRow> {
  return repo.findUser(db, organizationId, userId).then((u) => found(u, 'User'));
}

export async function getUser(app: AppContext, organizationId: string, userId: string): Promise<UserView> {
  return userView(app.db, await loadUser(app.db, organizationId, userId));
}

/** The permission UpdateUserRoles needs, for the operation and for each change on its own entity. */
export const USER_ROLES_GATE = 'organization.userRoles.access';

/**
 * Sets a user's roles: each list sent (even empty) replaces that kind of role, each left out
 * stays; Workspace and Deployment roles come with an Organization role, as the reference asks.
 * Each change is checked on its own entity, and what it grants against what `p` holds
 * (checkRoleChanges): a Workspace Owner sets roles inside its Workspace.
 */
export function updateUserRoles(app: AppContext, p: Principal, organizationId: string, userId: string, body: UpdateUserRolesBody): Promise<SubjectRolesView> {
  if ((body.workspaceRoles !== undefined || body.deploymentRoles !== undefined) && body.organizationRole === undefined) {
    throw invalidField('organizationRole', FieldCode.requiredWith, 'organizationRole is required when workspaceRoles or deploymentRoles are sent');
  }
  return inTransaction(app.db, async (tx) => {
    await loadUser(tx, organizationId, userId);
    // Writing the row first takes its lock: concurrent role updates of one user run one after the other.
    await repo.updateUser(tx, userId, { updated_at: storedTime(app.clock.now()) });
    const user = await loadUser(tx, organizationId, userId);
    const held = (await subjectGrants(tx, [userId])).get(userId) ?? [];
    const checked = await checkRoleChanges(tx, organizationId, body, { principal: p, gate: USER_ROLES_GATE, organizationRole: user.organization_role, grants: held });
    const organizationRole = checked.organizationRole ?? user.organization_role;
    if (checked.organizationRole !== undefined) {
      await repo.updateUser(tx, userId, { organization_role: checked.organizationRole });
      // An invited user accepts with the role it holds now.
      if (user.status === 'PENDING') await repo.setInviteRole(tx, userId, checked.organizationRole);
    }
    const rows = checked.scopes.length > 0
      ? await replaceSubjectGrants(tx, { id: userId, kind: 'USER', organizationId }, checked.scopes, checked.rows)
      : held;
    await invalidateAll(tx);
    return subjectRolesView(rows, organizationRole);
  });
}

// ---------------------------------------------------------------- invites

async function describeInvite(db: Queryable, invite: repo.InviteRow, invitee: repo.UserRow): Promise<InviteView> {
  const inviter = (await resolveProfiles(db, [{ id: invite.inviter_id, type: invite.inviter_type }])).get(invite.inviter_id);
  const org = await findOrganization(db, invite.organization_id);
  return inviteView(invite, invitee, inviter, org?.name);
}

/**
 * Invites an email address: a PENDING user of the Organization appears at once (ListUsers,
 * GetUser) and stays until the invite is accepted or deleted. Someone already a user of this or
 * another Organization, or already invited, cannot be invited.
 */
export function createInvite(app: AppContext, by: ActorRef, organizationId: string, body: CreateUserInviteBody): Promise<InviteView> {
  const email = normalEmail(body.inviteeEmail);
  if (email === undefined) throw invalidField('inviteeEmail', FieldCode.email, 'inviteeEmail must be an email address');
  return inTransaction(app.db, async (tx) => {
    const now = app.clock.now();
    const at = storedTime(now);
    const existing = await repo.findUserByEmail(tx, email);
    let userId: string;
    if (existing) {
      if (existing.organization_id === organizationId) {
        throw invalidField('inviteeEmail', FieldCode.unique, existing.status === 'PENDING' ? `${email} is already invited` : `${email} is already a member of this Organization`);
      }
      if (existing.organization_id !== null) throw invalidField('inviteeEmail', FieldCode.unique, `${email} already belongs to another Organization`);
      userId = existing.id;
      await repo.updateUser(tx, userId, { organization_id: organizationId, status: 'PENDING', organization_role: body.role, updated_at: at });
    } else {
      userId = newId();
      const inserted = await repo.insertUser(tx, {
        id: userId, organization_id: organizationId, subject: null, email, full_name: '', avatar_url: '',
        status: 'PENDING', organization_role: body.role, created_at: at, updated_at: at,
      });
      if (!inserted) throw invalidField('inviteeEmail', FieldCode.unique, `${email} is already invited`);
    }
    const invite = {
      id: newId(), organization_id: organizationId, user_id: userId, role: body.role, inviter_id: by.id, inviter_type: by.type,
      expires_at: storedTime(new Date(now.getTime() + INVITE_DAYS * DAY_MS)), created_at: at,
    };
    await repo.insertInvite(tx, invite);
    await invalidateAll(tx);
    return describeInvite(tx, invite, found(await repo.findUserById(tx, userId), 'User'));
  });
}

/**
 * What the users family does when an open invite is deleted, in the caller's transaction
 * (src/resources/cascades.ts, which first removes the user's roles and Team memberships): the
 * PENDING user goes with its invite; a person who had signed in before being invited stays, as a
 * user of no Organization.
 */
export async function deleteInviteOn(tx: Queryable, now: Date, invite: repo.InviteRow): Promise<void> {
  const user = await repo.findUserById(tx, invite.user_id);
  if (user && user.subject === null) await repo.deleteUser(tx, user.id);
  else if (user) await repo.detachUser(tx, user.id, storedTime(now));
  else await repo.deleteInvite(tx, invite.id);
}

/**
 * The user a verified user JWT names, on each sign-in that is not cached (see the identity port,
 * src/auth/identity.ts): the user of the JWT's subject, or else, when the token vouches for its
 * email, the invited user of that address who has not signed in yet. A PENDING user's open
 * invite is accepted then, in one transaction: the user becomes ACTIVE with the invite's role and
 * takes the caller's subject and profile; the invite goes. Only an address the identity provider
 * vouches for accepts an invite sent to it; an expired or missing invite leaves the user PENDING.
 * Answers the user as it now is, or undefined for a person who is no user yet.
 */
export async function userForSignIn(db: Db, claims: Readonly<UserClaims>, now: Date): Promise<repo.UserRow | undefined> {
  let user = await repo.findUserBySubject(db, claims.subject);
  if (!user && claims.emailVerified) {
    // Someone invited by email who signs in for the first time.
    const invited = await repo.findUserByEmail(db, claims.email);
    if (invited && invited.subject === null) user = invited;
  }
  if (user && user.status === 'PENDING' && user.organization_id !== null && claims.emailVerified && claims.email === user.email) {
    user = await acceptInvite(db, user, claims, now);
  }
  return user;
}

async function acceptInvite(db: Db, user: repo.UserRow, claims: Readonly<UserClaims>, now: Date): Promise<repo.UserRow> {
  return inTransaction(db, async (tx) => {
    const invite = await repo.inviteOfUser(tx, user.id);
    if (!invite || invite.expires_at <= storedTime(now)) return user;
    const activated = await repo.activateUser(tx, user.id, {
      subject: claims.subject, full_name: claims.fullName, avatar_url: claims.avatarUrl,
      organization_role: invite.role, updated_at: storedTime(now),
    });
    if (activated) {
      await repo.deleteInvite(tx, invite.id);
      await invalidateAll(tx);
    }
    return (await repo.findUserBySubject(tx, claims.subject)) ?? user;
  });
}

// ---------------------------------------------------------------- the caller

/**
 * The calling user. A person signing in for the first time is a user only once created, which
 * createIfNotExist=true asks for (as a user of no Organization, until an invite reaches them).
 */
export async function getSelfUser(app: AppContext, p: Principal, createIfNotExist: boolean): Promise<SelfUserView> {
  if (p.subjectType !== 'USER' || !p.user) {
    throw badRequest('Invalid request: /users/self describes a user; an API token is not one (sign in as a user)');
  }
  const claims = p.user;
  let user = p.subjectId !== '' ? await repo.findUserById(app.db, p.subjectId) : undefined;
  if (!user) {
    if (!createIfNotExist) throw unauthorized('Unauthorized: you are not a user yet; ask for an invite, or call again with createIfNotExist=true');
    user = await inTransaction(app.db, async (tx) => {
      const at = storedTime(app.clock.now());
      await repo.insertUser(tx, {
        id: newId(), organization_id: null, subject: claims.subject, email: claims.email, full_name: claims.fullName,
        avatar_url: claims.avatarUrl, status: 'ACTIVE', organization_role: null, created_at: at, updated_at: at,
      });
      await invalidateAll(tx);
      return repo.findUserBySubject(tx, claims.subject);
    });
    if (!user) throw badRequest(`Invalid request: the email address ${claims.email} belongs to another user`);
  }
  return selfUserView(app.db, user, p, app.clock.now());
}
