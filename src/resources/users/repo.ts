import type { Insertable, Selectable, Updateable } from 'kysely';
import { CachedLookup } from '../../store/cache.js';
import type { Queryable } from '../../store/types.js';
import { paginate, type PageRequest } from '../../store/pagination.js';
import type { UserInvitesTable, UsersTable } from '../../store/schema.js';
import { filtersHolding, subjectHolding, type HoldingFilter } from '../roles/repo.js';

/**
 * The one owner of `users` and `user_invites` (a user's Workspace, Deployment and DAG roles are
 * role assignments, owned by the roles family). Every write here changes who may do what or how
 * a subject is shown: the services call invalidateAll (store/cache.ts) in the same transaction.
 */
export type UserRow = Selectable<UsersTable>;
export type InviteRow = Selectable<UserInvitesTable>;

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

/** Deletes a user; its Team memberships and invite go by ON DELETE CASCADE (its roles: the caller). */
export async function deleteUser(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('users').where('id', '=', id).execute();
}

/** Takes a user out of its organization: its invite goes (its roles and Team memberships: the caller). */
export async function detachUser(db: Queryable, id: string, at: string): Promise<void> {
  await db.deleteFrom('user_invites').where('user_id', '=', id).execute();
  await db.updateTable('users').set({ organization_id: null, organization_role: null, status: 'ACTIVE', updated_at: at }).where('id', '=', id).execute();
}

/** The subset of `ids` that are users of the organization. */
export async function existingUserIds(db: Queryable, organizationId: string, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db.selectFrom('users').select('id').where('organization_id', '=', organizationId).where('id', 'in', ids).execute();
  return new Set(rows.map((r) => r.id));
}

export type UserFilter = HoldingFilter;

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
  if (filtersHolding(f)) q = q.where((eb) => subjectHolding(eb, f, 'users.id'));
  return paginate(q, page, USER_SORTS, 'createdAt:asc', 'users.id');
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

/** A user by id, of any organization or of none. */
export function findUserById(db: Queryable, id: string): Promise<UserRow | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}
