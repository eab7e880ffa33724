import type { Insertable, Selectable, Updateable } from 'kysely';
import { CachedLookup } from '../../store/cache.js';
import { groupBy } from '../../store/codecs.js';
import type { Queryable } from '../../store/types.js';
import { paginate, type PageRequest } from '../../store/pagination.js';
import type { SubjectRolesTable, UserInvitesTable, UsersTable } from '../../store/schema.js';

/**
 * The one owner of `users`, `user_invites` and `subject_roles` (the Workspace, Deployment and DAG
 * roles of users and of Teams; the teams family writes a Team's through replaceSubjectRoles).
 * Every write here changes who may do what or how a subject is shown: the services call
 * invalidateAll (store/cache.ts) in the same transaction.
 */
export type UserRow = Selectable<UsersTable>;
export type InviteRow = Selectable<UserInvitesTable>;
export type SubjectRoleRow = Omit<Selectable<SubjectRolesTable>, 'subject_id' | 'position' | 'subject_type' | 'organization_id'>;
export type SubjectKind = 'USER' | 'TEAM';
export type RoleScope = 'WORKSPACE' | 'DEPLOYMENT' | 'DAG' | 'DAG_TAG';

// ---------------------------------------------------------------- users

/** A user of the organization (ACTIVE or PENDING), or undefined. */
export function findUser(db: Queryable, organizationId: string, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

export function findUserBySubject(db: Queryable, subject: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('subject', '=', subject).executeTakeFirst();
}

/** `email` lower-cased, as stored. */
export function findUserByEmail(db: Queryable, email: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
}

/** Inserts a user unless its subject or email is taken; true when it was inserted. */
export async function insertUser(db: Queryable, row: Insertable<UsersTable>): Promise<boolean> {
  const r = await db.insertInto('users').values(row).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
}

export async function updateUser(db: Queryable, id: string, changes: Omit<Updateable<UsersTable>, 'id' | 'created_at'>): Promise<void> {
  await db.updateTable('users').set(changes).where('id', '=', id).execute();
}

/**
 * Turns a PENDING user into an ACTIVE one when it still is PENDING (a concurrent first sign-in
 * may have done it already); true when this call did it.
 */
export async function activateUser(db: Queryable, id: string, changes: Omit<Updateable<UsersTable>, 'id' | 'created_at' | 'status'>): Promise<boolean> {
  const r = await db.updateTable('users').set({ ...changes, status: 'ACTIVE' }).where('id', '=', id).where('status', '=', 'PENDING').executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** Deletes a user with its roles; memberships and invite go by cascade. */
export async function deleteUser(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('subject_roles').where('subject_id', '=', id).execute();
  await db.deleteFrom('users').where('id', '=', id).execute();
}

/** Takes a user out of its organization: roles, Team memberships and invite go. */
export async function detachUser(db: Queryable, id: string, at: string): Promise<void> {
  await db.deleteFrom('subject_roles').where('subject_id', '=', id).execute();
  await db.deleteFrom('team_members').where('user_id', '=', id).execute();
  await db.deleteFrom('user_invites').where('user_id', '=', id).execute();
  await db.updateTable('users').set({ organization_id: null, organization_role: null, status: 'ACTIVE', updated_at: at }).where('id', '=', id).execute();
}

/** The subset of `ids` that are users of the organization. */
export async function existingUserIds(db: Queryable, organizationId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('users').select('id').where('organization_id', '=', organizationId).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

export interface UserFilter {
  workspaceId?: string;
  deploymentId?: string;
  dagId?: string;
  dagTags?: string[];
}

const USER_SORTS: Record<string, string> = {
  id: 'users.id',
  username: 'users.email',
  fullName: 'users.full_name',
  createdAt: 'users.created_at',
  updatedAt: 'users.updated_at',
};

/** A page of the organization's users; role filters keep users holding such a role themselves. */
export function listUsers(db: Queryable, organizationId: string, f: UserFilter, page: PageRequest) {
  let q = db.selectFrom('users').selectAll('users').where('users.organization_id', '=', organizationId);
  if (filtersRoles(f)) q = q.where((eb) => holdingRole(eb, f));
  return paginate(q, page, USER_SORTS, 'createdAt:asc', 'users.id');
}

export function filtersRoles(f: UserFilter): boolean {
  return f.workspaceId !== undefined || f.deploymentId !== undefined || f.dagId !== undefined || (f.dagTags !== undefined && f.dagTags.length > 0);
}

/**
 * The condition "holds a role matching the filter" for the subject whose id is `users.id` or
 * `teams.id` (whichever table the query reads): a Workspace role there; a Deployment role on the
 * Deployment or a DAG role in it; a role on the DAG or on one of the tags.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function holdingRole(eb: any, f: UserFilter, subjectColumn = 'users.id') {
  const conditions = [];
  const roles = () => eb.selectFrom('subject_roles').select('subject_roles.subject_id').whereRef('subject_roles.subject_id', '=', subjectColumn);
  if (f.workspaceId !== undefined) {
    conditions.push(eb.exists(roles().where('subject_roles.scope_type', '=', 'WORKSPACE').where('subject_roles.entity_id', '=', f.workspaceId)));
  }
  if (f.deploymentId !== undefined) {
    const dep = f.deploymentId;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    conditions.push(eb.exists(roles().where((r: any) => r.or([
      r.and([r('subject_roles.scope_type', '=', 'DEPLOYMENT'), r('subject_roles.entity_id', '=', dep)]),
      r.and([r('subject_roles.scope_type', 'in', ['DAG', 'DAG_TAG']), r('subject_roles.deployment_id', '=', dep)]),
    ]))));
  }
  if (f.dagId !== undefined) {
    let sub = roles().where('subject_roles.scope_type', '=', 'DAG').where('subject_roles.entity_id', '=', f.dagId);
    if (f.deploymentId !== undefined) sub = sub.where('subject_roles.deployment_id', '=', f.deploymentId);
    conditions.push(eb.exists(sub));
  }
  if (f.dagTags !== undefined && f.dagTags.length > 0) {
    let sub = roles().where('subject_roles.scope_type', '=', 'DAG_TAG').where('subject_roles.entity_id', 'in', f.dagTags);
    if (f.deploymentId !== undefined) sub = sub.where('subject_roles.deployment_id', '=', f.deploymentId);
    conditions.push(eb.exists(sub));
  }
  return eb.and(conditions);
}

export interface UserProfileRow {
  id: string;
  full_name: string;
  email: string;
  avatar_url: string;
}

const profiles = new CachedLookup<UserProfileRow>('user profiles');

/** Names and pictures of users by id, for createdBy/updatedBy/inviter profiles (cached; see store/cache.ts). */
export async function userProfiles(db: Queryable, ids: string[]): Promise<Map<string, UserProfileRow>> {
  if (ids.length === 0) return new Map();
  return profiles.getMany(db, ids, async (missing) => {
    const rows = await db.selectFrom('users').select(['id', 'full_name', 'email', 'avatar_url']).where('id', 'in', missing).execute();
    return new Map(rows.map((r) => [r.id, r]));
  });
}

// ---------------------------------------------------------------- invites

export async function insertInvite(db: Queryable, row: Insertable<UserInvitesTable>): Promise<void> {
  await db.insertInto('user_invites').values(row).execute();
}

export function findInvite(db: Queryable, organizationId: string, id: string): Promise<InviteRow | undefined> {
  return db.selectFrom('user_invites').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

export function inviteOfUser(db: Queryable, userId: string): Promise<InviteRow | undefined> {
  return db.selectFrom('user_invites').selectAll().where('user_id', '=', userId).executeTakeFirst();
}

export async function deleteInvite(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('user_invites').where('id', '=', id).execute();
}

export async function setInviteRole(db: Queryable, userId: string, role: string): Promise<void> {
  await db.updateTable('user_invites').set({ role }).where('user_id', '=', userId).execute();
}

/** Open invites for an email address (lower-cased), unexpired at `now` (stored time). */
export function invitesForEmail(db: Queryable, email: string, now: string): Promise<InviteRow[]> {
  return db.selectFrom('user_invites').innerJoin('users', 'users.id', 'user_invites.user_id').selectAll('user_invites')
    .where('users.email', '=', email).where('user_invites.expires_at', '>', now).orderBy('user_invites.created_at').execute();
}

// ---------------------------------------------------------------- roles of users and Teams

/** The Workspace, Deployment and DAG roles of each subject, in their stored order. */
export async function subjectRolesOf(db: Queryable, subjectIds: string[]): Promise<Map<string, SubjectRoleRow[]>> {
  if (subjectIds.length === 0) return new Map();
  const rows = await db.selectFrom('subject_roles').selectAll().where('subject_id', 'in', subjectIds).orderBy('subject_id').orderBy('position').execute();
  return groupBy(rows, (r) => r.subject_id, (r) => ({ scope_type: r.scope_type, entity_id: r.entity_id, deployment_id: r.deployment_id, role: r.role }));
}

/**
 * Replaces the roles of the listed scopes (the others stay as they are) and returns the subject's
 * whole new set. The roles kept are never written again: only the new rows name Workspaces and
 * Deployments, and the caller has locked and checked those (checkRoleChanges), so a Workspace or
 * Deployment deleted meanwhile cannot come back in a role. New rows go after the kept ones.
 */
export async function replaceSubjectRoles(
  db: Queryable, s: { id: string; kind: SubjectKind; organizationId: string }, scopes: RoleScope[], rows: SubjectRoleRow[],
): Promise<SubjectRoleRow[]> {
  if (scopes.length > 0) await db.deleteFrom('subject_roles').where('subject_id', '=', s.id).where('scope_type', 'in', scopes).execute();
  if (rows.length > 0) {
    const last = await db.selectFrom('subject_roles').select((eb) => eb.fn.max('position').as('p')).where('subject_id', '=', s.id).executeTakeFirst();
    const from = last?.p === null || last?.p === undefined ? 0 : Number(last.p) + 1;
    await db.insertInto('subject_roles').values(rows.map((r, i) => ({
      ...r, subject_id: s.id, subject_type: s.kind, organization_id: s.organizationId, position: from + i,
    }))).execute();
  }
  return (await subjectRolesOf(db, [s.id])).get(s.id) ?? [];
}

/**
 * Removes every user's and Team's role on a Workspace, or on a Deployment and its DAGs and DAG
 * tags, that is going away; answers how many went. The caller invalidates the auth cache.
 */
export async function deleteSubjectRolesOn(db: Queryable, organizationId: string, on: { workspaceId: string } | { deploymentId: string }): Promise<number> {
  let q = db.deleteFrom('subject_roles').where('organization_id', '=', organizationId);
  q = 'workspaceId' in on
    ? q.where('scope_type', '=', 'WORKSPACE').where('entity_id', '=', on.workspaceId)
    : q.where((eb) => eb.or([
      eb.and([eb('scope_type', '=', 'DEPLOYMENT'), eb('entity_id', '=', on.deploymentId)]),
      eb.and([eb('scope_type', 'in', ['DAG', 'DAG_TAG']), eb('deployment_id', '=', on.deploymentId)]),
    ]));
  const r = await q.executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** How many users and how many Teams of the organization hold `role` at one of `scopeTypes`. */
export async function countSubjectsHolding(db: Queryable, organizationId: string, scopeTypes: string[], role: string): Promise<{ users: number; teams: number }> {
  const rows = await db.selectFrom('subject_roles')
    .select(['subject_type', (eb) => eb.fn.count<string | number>('subject_id').distinct().as('n')])
    .where('organization_id', '=', organizationId).where('scope_type', 'in', scopeTypes).where('role', '=', role)
    .groupBy('subject_type').execute();
  const of = (kind: SubjectKind) => Number(rows.find((r) => r.subject_type === kind)?.n ?? 0);
  return { users: of('USER'), teams: of('TEAM') };
}

/** Renames a (custom) role in every user's and Team's grant of the organization; the caller invalidates the auth cache. */
export async function renameSubjectRole(db: Queryable, organizationId: string, scopeTypes: string[], from: string, to: string): Promise<void> {
  await db.updateTable('subject_roles').set({ role: to })
    .where('organization_id', '=', organizationId).where('scope_type', 'in', scopeTypes).where('role', '=', from).execute();
}

export async function deleteSubjectRoles(db: Queryable, subjectId: string): Promise<void> {
  await db.deleteFrom('subject_roles').where('subject_id', '=', subjectId).execute();
}

/** A user by id, of any organization or of none. */
export function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}
