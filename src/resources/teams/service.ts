import { actor } from '../../auth/access.js';
import { invalidateAll } from '../../store/cache.js';
import type { Principal } from '../../auth/principal.js';
import type { AppContext } from '../../context.js';
import { badRequest, FieldCode, found, invalidField, notFound } from '../../core/errors.js';
import { requireText } from '../../core/rules.js';
import type { SubjectRolesView } from '../../core/schemas.js';
import { createdColumns, updatedColumns } from '../../store/audit.js';
import { inTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import { newId } from '../../store/ids.js';
import { envelope, type PageRequest } from '../../store/pagination.js';
import { storedTime } from '../../time.js';
import { lockRow } from '../../store/locks.js';
import { builtInPermissions } from '../../auth/permissions.js';
import { findOrganization } from '../organizations/repo.js';
import { deleteSubjectGrants, replaceSubjectGrants, subjectGrants } from '../roles/repo.js';
import { checkCeiling, checkCeilingOfHeld, checkRoleChanges, subjectRolesView } from '../roles/service.js';
import { existingUserIds } from '../users/repo.js';
import { loadUser } from '../users/service.js';
import * as repo from './repo.js';
import {
  MEMBERS_PAGE_MAX, type AddTeamMembersBody, type CreateTeamBody, type ListTeamsFilter, type TeamView, type UpdateTeamBody, type UpdateTeamRolesBody,
} from './schema.js';
import { memberView, membershipView, teamView, teamViews } from './view.js';

/**
 * Teams: groups of users of one Organization sharing roles. A member holds every role of its
 * Teams besides its own (userGrants in auth/grants.ts makes the union), so every change to a
 * Team's roles, members or existence calls invalidateAll in its transaction and applies at once.
 * A Team managed by an identity provider (isIdpManaged) keeps its name, description and members
 * as the provider set them; its roles can still change and it can be deleted.
 */

/**
 * The reference sets no length limits on Team names and descriptions; these keep them to what a
 * person would type (and the stores alike): longer ones are a 400.
 */
const MAX_NAME = 256;
const MAX_DESCRIPTION = 2000;

function checkText(body: { name: string; description?: string }): void {
  requireText('name', body.name);
  if (body.name.length > MAX_NAME) throw invalidField('name', FieldCode.max, `name must be at most ${MAX_NAME} characters long`);
  if (body.description !== undefined && body.description.length > MAX_DESCRIPTION) {
    throw invalidField('description', FieldCode.max, `description must be at most ${MAX_DESCRIPTION} characters long`);
  }
}

function loadTeam(db: Queryable, organizationId: string, teamId: string): Promise<repo.TeamRow> {
  return repo.findTeam(db, organizationId, teamId).then((t) => found(t, 'Team'));
}

function refuseIdpManaged(t: repo.TeamRow, what: string): void {
  if (t.is_idp_managed === 1) throw badRequest(`Invalid request: the Team is managed by an identity provider; its ${what} cannot be changed here`);
}

/** Takes the Team's row lock (an update that writes the change time): changes of one Team run one after the other. */
async function lockTeam(db: Queryable, p: Principal, app: AppContext, teamId: string): Promise<void> {
  await repo.updateTeam(db, teamId, updatedColumns(actor(p), app.clock.now()));
}

/**
 * Once SCIM provisioning is on (the Organization's isScimEnabled), the identity provider owns
 * Teams and their members: no Team is created here and no member added (domain.md §4.4). Teams
 * made before keep their roles, lose members and can be deleted. A 400, as for a Team managed by
 * an identity provider: the request is refused for the Organization's setting, not for who sends
 * it (a 403 would tell an Organization Owner to look for a role it already has). Read under the
 * Organization's row lock, so a concurrent change of the setting comes before or after.
 */
async function refuseUnderScim(db: Queryable, organizationId: string, what: string): Promise<void> {
  await lockRow(db, 'organizations', organizationId);
  const org = await findOrganization(db, organizationId);
  if (org && org.is_scim_enabled === 1) {
    throw badRequest(`Invalid request: the Organization provisions its Teams through SCIM (isScimEnabled); ${what} only through the identity provider`);
  }
}

/** The permission UpdateTeamRoles needs, for each change on its own entity. */
export const TEAM_ROLES_GATE = 'organization.teamRoles.access';

/** Every id must be a user of the Organization: 400 naming memberIds otherwise. */
async function checkMembers(db: Queryable, organizationId: string, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  for (const [i, id] of ids.entries()) requireText(`memberIds[${i}]`, id);
  const known = await existingUserIds(db, organizationId, unique);
  const missing = unique.find((id) => !known.has(id));
  if (missing !== undefined) throw invalidField('memberIds', FieldCode.exists, `memberIds names ${missing}, which is not a user of this Organization`);
  return unique;
}

export async function listTeams(app: AppContext, organizationId: string, q: ListTeamsFilter) {
  const page = await repo.listTeams(app.db, organizationId, { names: q.names, workspaceId: q.workspaceId, deploymentId: q.deploymentId }, q);
  return envelope('teams', page, await teamViews(app.db, page.items));
}

export async function getTeam(app: AppContext, organizationId: string, teamId: string): Promise<TeamView> {
  return teamView(app.db, await loadTeam(app.db, organizationId, teamId));
}

/**
 * Creates a Team. Its Organization role is granted to it, and through it to its members: the
 * caller must hold that role in full (the grant ceiling).
 */
export function createTeam(app: AppContext, p: Principal, organizationId: string, body: CreateTeamBody): Promise<TeamView> {
  checkText(body);
  const organizationRole = body.organizationRole ?? 'ORGANIZATION_MEMBER';
  checkCeiling(p, organizationRole, builtInPermissions(organizationRole) ?? new Set(), { entityType: 'ORGANIZATION', entityId: organizationId });
  return inTransaction(app.db, async (tx) => {
    await refuseUnderScim(tx, organizationId, 'Teams are created');
    const members = await checkMembers(tx, organizationId, body.memberIds ?? []);
    const id = newId();
    const now = app.clock.now();
    await repo.insertTeam(tx, {
      id, organization_id: organizationId, name: body.name, description: body.description ?? null, is_idp_managed: 0,
      organization_role: organizationRole, ...createdColumns(actor(p), now),
    });
    await repo.addMembers(tx, id, members, storedTime(now));
    if (members.length > 0) await invalidateAll(tx);
    return teamView(tx, await loadTeam(tx, organizationId, id));
  });
}

export function updateTeam(app: AppContext, p: Principal, organizationId: string, teamId: string, body: UpdateTeamBody): Promise<TeamView> {
  checkText(body);
  return inTransaction(app.db, async (tx) => {
    refuseIdpManaged(await loadTeam(tx, organizationId, teamId), 'name and description');
    await repo.updateTeam(tx, teamId, {
      name: body.name, ...(body.description !== undefined ? { description: body.description } : {}), ...updatedColumns(actor(p), app.clock.now()),
    });
    return teamView(tx, await loadTeam(tx, organizationId, teamId));
  });
}

/** Deletes a Team: its members lose the roles they held through it at once. */
export function deleteTeam(app: AppContext, organizationId: string, teamId: string): Promise<void> {
  return inTransaction(app.db, async (tx) => {
    await loadTeam(tx, organizationId, teamId);
    await deleteSubjectGrants(tx, teamId);
    await repo.deleteTeam(tx, teamId);
    await invalidateAll(tx);
  });
}

/** A page of the Teams a user of the Organization is in, each with its roles. */
export async function listUserTeams(app: AppContext, organizationId: string, userId: string, q: PageRequest) {
  await loadUser(app.db, organizationId, userId);
  const page = await repo.teamsOfUser(app.db, organizationId, userId, q);
  return envelope('teams', page, await membershipView(app.db, page.items));
}

export async function listMembers(app: AppContext, organizationId: string, teamId: string, q: PageRequest) {
  await loadTeam(app.db, organizationId, teamId);
  const limit = Math.min(q.limit ?? 20, MEMBERS_PAGE_MAX);
  const page = await repo.listMembers(app.db, teamId, { ...q, limit });
  return envelope('teamMembers', page, page.items.map(memberView));
}

/**
 * Adds users to a Team; adding a member again changes nothing (204 all the same). A new member
 * gains every role of the Team, so the caller must hold each of them in full where it applies
 * (the grant ceiling over the Team's whole role set, checked under the Team's lock).
 */
export function addMembers(app: AppContext, p: Principal, organizationId: string, teamId: string, body: AddTeamMembersBody): Promise<void> {
  return inTransaction(app.db, async (tx) => {
    await refuseUnderScim(tx, organizationId, 'members are added');
    refuseIdpManaged(await loadTeam(tx, organizationId, teamId), 'members');
    const members = await checkMembers(tx, organizationId, body.memberIds);
    await lockTeam(tx, p, app, teamId);
    const team = await loadTeam(tx, organizationId, teamId);
    const grants = (await subjectGrants(tx, [teamId])).get(teamId) ?? [];
    await checkCeilingOfHeld(tx, p, organizationId, [{ entityType: 'ORGANIZATION', entityId: organizationId, role: team.organization_role }, ...grants]);
    await repo.addMembers(tx, teamId, members, storedTime(app.clock.now()));
    await invalidateAll(tx);
  });
}

/** Removes a member: the user loses the Team's roles at once. A user not in the Team is a 404. */
export function removeMember(app: AppContext, p: Principal, organizationId: string, teamId: string, userId: string): Promise<void> {
  return inTransaction(app.db, async (tx) => {
    refuseIdpManaged(await loadTeam(tx, organizationId, teamId), 'members');
    await lockTeam(tx, p, app, teamId);
    if (!(await repo.removeMember(tx, teamId, userId))) throw notFound('Team member');
    await invalidateAll(tx);
  });
}

/**
 * Sets a Team's roles: the Organization role always; each role list sent (even empty) replaces
 * that kind of role, each left out stays. Each change is checked on its own entity, and what it
 * grants against what `p` holds (checkRoleChanges): a Workspace Owner sets a Team's roles inside
 * its Workspace, sending the Team's Organization role back as it is.
 */
export function updateTeamRoles(app: AppContext, p: Principal, organizationId: string, teamId: string, body: UpdateTeamRolesBody): Promise<SubjectRolesView> {
  return inTransaction(app.db, async (tx) => {
    await loadTeam(tx, organizationId, teamId);
    await lockTeam(tx, p, app, teamId);
    const team = await loadTeam(tx, organizationId, teamId);
    const held = (await subjectGrants(tx, [teamId])).get(teamId) ?? [];
    const checked = await checkRoleChanges(tx, organizationId, body, { principal: p, gate: TEAM_ROLES_GATE, organizationRole: team.organization_role, grants: held });
    await repo.updateTeam(tx, teamId, { organization_role: body.organizationRole });
    const rows = checked.scopes.length > 0
      ? await replaceSubjectGrants(tx, { id: teamId, kind: 'TEAM', organizationId }, checked.scopes, checked.rows)
      : held;
    await invalidateAll(tx);
    return subjectRolesView(rows, body.organizationRole);
  });
}

/**
 * What the teams family does when a user leaves the Organization (its invite is deleted), in the
 * caller's transaction (src/resources/cascades.ts): the user is in none of its Teams any more.
 * Answers whether any membership went.
 */
export async function deleteMembershipsOf(tx: Queryable, userId: string): Promise<boolean> {
  return (await repo.removeFromAllTeams(tx, userId)) > 0;
}
