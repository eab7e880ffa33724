import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Queryable } from '../../store/types.js';
import { paginate, type PageRequest } from '../../store/pagination.js';
import type { TeamsTable } from '../../store/schema.js';
import { filtersHolding, subjectHolding, type HoldingFilter } from '../roles/repo.js';

/**
 * The one owner of `teams` and `team_members` (a Team's Workspace, Deployment and DAG roles are
 * role assignments, owned by the roles family). Every write changes who may do what: the services
 * call invalidateAll (store/cache.ts) in the same transaction.
 */
export type TeamRow = Selectable<TeamsTable>;

export function findTeam(db: Queryable, organizationId: string, id: string): Promise<TeamRow | undefined> {
  return db.selectFrom('teams').selectAll().where('organization_id', '=', organizationId).where('id', '=', id).executeTakeFirst();
}

export async function insertTeam(db: Queryable, row: Insertable<TeamsTable>): Promise<void> {
  await db.insertInto('teams').values(row).execute();
}

export async function updateTeam(db: Queryable, id: string, changes: Omit<Updateable<TeamsTable>, 'id' | 'organization_id' | 'created_at'>): Promise<void> {
  await db.updateTable('teams').set(changes).where('id', '=', id).execute();
}

/** Deletes a Team; its memberships go by ON DELETE CASCADE (its roles: the caller). */
export async function deleteTeam(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('teams').where('id', '=', id).execute();
}

const TEAM_SORTS: Record<string, string> = {
  name: 'teams.name',
  description: 'teams.description',
  createdAt: 'teams.created_at',
  updatedAt: 'teams.updated_at',
};

export interface TeamFilter extends HoldingFilter {
  names?: string[];
}

/** A page of the organization's Teams; role filters keep Teams holding such a role. */
export function listTeams(db: Queryable, organizationId: string, f: TeamFilter, page: PageRequest) {
  let q = db.selectFrom('teams').selectAll('teams').where('teams.organization_id', '=', organizationId);
  if (f.names !== undefined && f.names.length > 0) q = q.where('teams.name', 'in', f.names);
  if (filtersHolding(f)) q = q.where((eb) => subjectHolding(eb, f, 'teams.id'));
  return paginate(q, page, TEAM_SORTS, 'createdAt:asc', 'teams.id');
}

/** A page of the Teams a user is in. */
export function teamsOfUser(db: Queryable, organizationId: string, userId: string, page: PageRequest) {
  const q = db.selectFrom('teams').selectAll('teams').where('teams.organization_id', '=', organizationId)
    .where((eb) => eb.exists(eb.selectFrom('team_members').select('team_members.team_id')
      .whereRef('team_members.team_id', '=', 'teams.id').where('team_members.user_id', '=', userId)));
  return paginate(q, page, TEAM_SORTS, 'createdAt:asc', 'teams.id');
}

/** Every Team a user is in, with its Organization role (building the user's principal). */
export function allTeamsOfUser(db: Queryable, userId: string): Promise<{ id: string; organization_id: string; organization_role: string }[]> {
  return db.selectFrom('team_members').innerJoin('teams', 'teams.id', 'team_members.team_id')
    .select(['teams.id', 'teams.organization_id', 'teams.organization_role'])
    .where('team_members.user_id', '=', userId).orderBy('teams.id').execute();
}

/** Takes a user out of every Team (it leaves its Organization); answers how many memberships went. */
export async function removeFromAllTeams(db: Queryable, userId: string): Promise<number> {
  const r = await db.deleteFrom('team_members').where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/** Adds members; those already in the Team stay as they are. */
export async function addMembers(db: Queryable, teamId: string, userIds: string[], at: string): Promise<void> {
  if (userIds.length === 0) return;
  await db.insertInto('team_members').values(userIds.map((user_id) => ({ team_id: teamId, user_id, created_at: at })))
    .onConflict((oc) => oc.columns(['team_id', 'user_id']).doNothing()).execute();
}

/** Removes a member; false when the user was not in the Team. */
export async function removeMember(db: Queryable, teamId: string, userId: string): Promise<boolean> {
  const r = await db.deleteFrom('team_members').where('team_id', '=', teamId).where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

const MEMBER_SORTS: Record<string, string> = {
  userId: 'users.id',
  fullName: 'users.full_name',
  username: 'users.email',
  createdAt: 'team_members.created_at',
};

/** A page of a Team's members with their profiles. */
export function listMembers(db: Queryable, teamId: string, page: PageRequest) {
  const q = db.selectFrom('team_members').innerJoin('users', 'users.id', 'team_members.user_id')
    .select(['users.id', 'users.full_name', 'users.email', 'users.avatar_url', 'team_members.created_at'])
    .where('team_members.team_id', '=', teamId);
  return paginate(q, page, MEMBER_SORTS, 'createdAt:asc', 'users.id', { wholeRows: true });
}
