import type { ExpressionBuilder, Insertable, Selectable } from 'kysely';
import { CachedLookup } from '../../store/cache.js';
import { groupBy } from '../../store/codecs.js';
import type { Queryable } from '../../store/types.js';
import { paginate, type PageRequest } from '../../store/pagination.js';
import type { CustomRolesTable, Database } from '../../store/schema.js';

/*
 * The one owner of role definitions (`custom_roles`) and of every role assignment: the roles of
 * API tokens (`api_token_roles`, the token's Organization role included) and the Workspace,
 * Deployment and DAG roles of users and Teams (`subject_roles`; their Organization role is a
 * column of the user or Team). Every write to an assignment changes who may do what: the
 * services call invalidateAll (store/cache.ts) in the same transaction.
 */

export type CustomRoleRow = Selectable<CustomRolesTable>;

/** A custom role as authorization uses it. */
export interface CustomRoleGrant {
  scopeType: string;
  permissions: readonly string[];
  restrictedWorkspaceIds: readonly string[];
}

const SORT_COLUMNS = { name: 'name', description: 'description', scopeType: 'scope_type', createdAt: 'created_at', updatedAt: 'updated_at' };

function selectRoles(db: Queryable, organizationId: string) {
  return db.selectFrom('custom_roles').selectAll().where('organization_id', '=', organizationId);
}

export function listRoles(db: Queryable, organizationId: string, scopeTypes: string[] | undefined, page: PageRequest) {
  let q = selectRoles(db, organizationId);
  if (scopeTypes !== undefined) q = q.where('scope_type', 'in', scopeTypes.length > 0 ? scopeTypes : ['']);
  return paginate(q, page, SORT_COLUMNS, 'createdAt:asc', 'id', { wholeRows: true });
}

export function findRole(db: Queryable, organizationId: string, id: string): Promise<CustomRoleRow | undefined> {
  return selectRoles(db, organizationId).where('id', '=', id).executeTakeFirst();
}

export function findRoleByName(db: Queryable, organizationId: string, name: string): Promise<CustomRoleRow | undefined> {
  return selectRoles(db, organizationId).where('name', '=', name).executeTakeFirst();
}

/**
 * The role named `name`, its row locked for the caller's transaction (an update that changes
 * nothing): a grant naming the role and the role's deletion cannot both pass their checks.
 */
export function lockRoleByName(db: Queryable, organizationId: string, name: string): Promise<CustomRoleRow | undefined> {
  return db.updateTable('custom_roles').set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('organization_id', '=', organizationId).where('name', '=', name).returningAll().executeTakeFirst();
}

/** The role of `id`, its row locked for the caller's transaction (see lockRoleByName). */
export function lockRole(db: Queryable, organizationId: string, id: string): Promise<CustomRoleRow | undefined> {
  return db.updateTable('custom_roles').set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('organization_id', '=', organizationId).where('id', '=', id).returningAll().executeTakeFirst();
}

/**
 * The organization's custom roles whose restrictedWorkspaceIds name `workspaceId`, their rows
 * locked for the caller's transaction (the ids are a JSON list, read here; roles are few).
 */
export async function rolesRestrictedTo(db: Queryable, organizationId: string, workspaceId: string): Promise<CustomRoleRow[]> {
  const rows = await db.selectFrom('custom_roles').select(['id', 'restricted_workspace_ids']).where('organization_id', '=', organizationId)
    .where('restricted_workspace_ids', '<>', '[]').orderBy('id').execute();
  const ids = rows.filter((r) => jsonList(r.restricted_workspace_ids).includes(workspaceId)).map((r) => r.id);
  const out: CustomRoleRow[] = [];
  for (const id of ids) {
    const locked = await lockRole(db, organizationId, id);
    if (locked && jsonList(locked.restricted_workspace_ids).includes(workspaceId)) out.push(locked);
  }
  return out;
}

export async function insertRole(db: Queryable, row: Insertable<CustomRolesTable>): Promise<void> {
  await db.insertInto('custom_roles').values(row).execute();
}

export async function updateRole(db: Queryable, id: string, changes: Partial<Omit<CustomRoleRow, 'id' | 'organization_id' | 'created_at' | 'created_by_id' | 'created_by_type'>>): Promise<void> {
  await db.updateTable('custom_roles').set(changes).where('id', '=', id).execute();
}

export async function deleteRole(db: Queryable, id: string): Promise<void> {
  await db.deleteFrom('custom_roles').where('id', '=', id).execute();
}

/** `[]` for a stored JSON array that cannot be read (never written so). */
export function jsonList(text: string): string[] {
  try {
    const v: unknown = JSON.parse(text);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

const grantsByOrganization = new CachedLookup<ReadonlyMap<string, CustomRoleGrant>>('custom roles by organization');

/**
 * The custom roles of an organization by name, as principals resolve them (cached: every change
 * to a custom role calls invalidateAll in its transaction, see store/cache.ts).
 */
export async function customRoleGrants(db: Queryable, organizationId: string): Promise<ReadonlyMap<string, CustomRoleGrant>> {
  const found = await grantsByOrganization.get(db, organizationId, async () => {
    const rows = await db.selectFrom('custom_roles').select(['name', 'scope_type', 'permissions', 'restricted_workspace_ids'])
      .where('organization_id', '=', organizationId).execute();
    return new Map(rows.map((r) => [r.name, Object.freeze({
      scopeType: r.scope_type,
      permissions: Object.freeze(jsonList(r.permissions)),
      restrictedWorkspaceIds: Object.freeze(jsonList(r.restricted_workspace_ids)),
    })]));
  });
  return found ?? new Map();
}

// ---------------------------------------------------------------- assignments

/** One role held on one entity, as both assignment tables store it. */
export interface Grant {
  /** ORGANIZATION (tokens only), WORKSPACE, DEPLOYMENT, DAG or DAG_TAG. */
  entityType: string;
  entityId: string;
  role: string;
  /** For DAG and DAG_TAG roles: the Deployment of the DAGs; otherwise null. */
  deploymentId: string | null;
}

/** The kinds of subject_roles a user's or Team's role update replaces, one list at a time. */
export type RoleScope = 'WORKSPACE' | 'DEPLOYMENT' | 'DAG' | 'DAG_TAG';
export type SubjectKind = 'USER' | 'TEAM';

/** The assignments that go with a Workspace, or with a Deployment (its own role and its DAGs'). */
export type GrantedOn = { workspaceId: string } | { deploymentId: string };

/**
 * The condition "a role on `on`" over either assignment table: on a Workspace, its WORKSPACE roles; on a Deployment, its DEPLOYMENT
 * roles and the DAG and DAG_TAG roles inside it.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function onCondition(eb: any, table: 'api_token_roles' | 'subject_roles', on: GrantedOn) {
  const type = table === 'api_token_roles' ? `${table}.entity_type` : `${table}.scope_type`;
  if ('workspaceId' in on) return eb.and([eb(type, '=', 'WORKSPACE'), eb(`${table}.entity_id`, '=', on.workspaceId)]);
  return eb.or([
    eb.and([eb(type, '=', 'DEPLOYMENT'), eb(`${table}.entity_id`, '=', on.deploymentId)]),
    eb.and([eb(type, 'in', ['DAG', 'DAG_TAG']), eb(`${table}.deployment_id`, '=', on.deploymentId)]),
  ]);
}

/** What a list may be filtered on: subjects holding a role matching it. */
export interface HoldingFilter {
  workspaceId?: string;
  deploymentId?: string;
  dagId?: string;
  dagTags?: string[];
}

export function filtersHolding(f: HoldingFilter): boolean {
  return f.workspaceId !== undefined || f.deploymentId !== undefined || f.dagId !== undefined || (f.dagTags !== undefined && f.dagTags.length > 0);
}

// ------------------------------------------------ roles of API tokens

/** Stores a new token's roles in their given order. */
export async function insertTokenGrants(db: Queryable, tokenId: string, grants: Grant[]): Promise<void> {
  if (grants.length === 0) return;
  await db.insertInto('api_token_roles').values(grants.map((g, position) => ({
    token_id: tokenId, position, entity_type: g.entityType, entity_id: g.entityId, role: g.role, deployment_id: g.deploymentId,
  }))).execute();
}

/** The roles of each token, in their stored order. */
export async function tokenGrants(db: Queryable, tokenIds: string[]): Promise<Map<string, Grant[]>> {
  if (tokenIds.length === 0) return new Map();
  const rows = await db.selectFrom('api_token_roles').selectAll().where('token_id', 'in', tokenIds).orderBy('token_id').orderBy('position').execute();
  return groupBy(rows, (r) => r.token_id, (r) => ({ entityType: r.entity_type, entityId: r.entity_id, role: r.role, deploymentId: r.deployment_id }));
}

/** Replaces the whole role set of a token (the caller has checked it: see tokens/service.ts). */
export async function replaceTokenGrants(db: Queryable, tokenId: string, grants: Grant[]): Promise<void> {
  await db.deleteFrom('api_token_roles').where('token_id', '=', tokenId).execute();
  await insertTokenGrants(db, tokenId, grants);
}

/**
 * The condition "the token (the outer query's `api_tokens.id`) holds a role matching the filter",
 * whatever the token's own scope: a Workspace role there; a Deployment role on the Deployment or a
 * DAG role in it; a role on the DAG or on one of the tags (in the Deployment, when one is named).
 */
export function tokenHolding(eb: ExpressionBuilder<Database, 'api_tokens'>, f: HoldingFilter) {
  const roles = () => eb.selectFrom('api_token_roles').select('api_token_roles.token_id').whereRef('api_token_roles.token_id', '=', 'api_tokens.id');
  const conditions = [];
  if (f.workspaceId !== undefined) conditions.push(eb.exists(roles().where('api_token_roles.entity_type', '=', 'WORKSPACE').where('api_token_roles.entity_id', '=', f.workspaceId)));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  if (f.deploymentId !== undefined) conditions.push(eb.exists(roles().where((r: any) => onCondition(r, 'api_token_roles', { deploymentId: f.deploymentId! }))));
  const dags = (type: string, ids: string[]) => {
    let sub = roles().where('api_token_roles.entity_type', '=', type).where('api_token_roles.entity_id', 'in', ids);
    if (f.deploymentId !== undefined) sub = sub.where('api_token_roles.deployment_id', '=', f.deploymentId);
    conditions.push(eb.exists(sub));
  };
  if (f.dagId !== undefined) dags('DAG', [f.dagId]);
  if (f.dagTags !== undefined && f.dagTags.length > 0) dags('DAG_TAG', f.dagTags);
  return eb.and(conditions);
}

// ------------------------------------------------ roles of users and Teams

/** The Workspace, Deployment and DAG roles of each subject, in their stored order. */
export async function subjectGrants(db: Queryable, subjectIds: string[]): Promise<Map<string, Grant[]>> {
  if (subjectIds.length === 0) return new Map();
  const rows = await db.selectFrom('subject_roles').selectAll().where('subject_id', 'in', subjectIds).orderBy('subject_id').orderBy('position').execute();
  return groupBy(rows, (r) => r.subject_id, (r) => ({ entityType: r.scope_type, entityId: r.entity_id, role: r.role, deploymentId: r.deployment_id }));
}

/**
 * Replaces the roles of the listed scopes (the others stay as they are) and returns the subject's
 * whole new set. The roles kept are never written again: only the new rows name Workspaces and
 * Deployments, and the caller has locked and checked those (checkRoleChanges), so a Workspace or
 * Deployment deleted meanwhile cannot come back in a role. New rows go after the kept ones.
 */
export async function replaceSubjectGrants(
  db: Queryable, s: { id: string; kind: SubjectKind; organizationId: string }, scopes: RoleScope[], grants: Grant[],
): Promise<Grant[]> {
  if (scopes.length > 0) await db.deleteFrom('subject_roles').where('subject_id', '=', s.id).where('scope_type', 'in', scopes).execute();
  if (grants.length > 0) {
    const last = await db.selectFrom('subject_roles').select((eb) => eb.fn.max('position').as('p')).where('subject_id', '=', s.id).executeTakeFirst();
    const from = last?.p === null || last?.p === undefined ? 0 : Number(last.p) + 1;
    await db.insertInto('subject_roles').values(grants.map((g, i) => ({
      subject_id: s.id, subject_type: s.kind, organization_id: s.organizationId, position: from + i,
      scope_type: g.entityType, entity_id: g.entityId, deployment_id: g.deploymentId, role: g.role,
    }))).execute();
  }
  return (await subjectGrants(db, [s.id])).get(s.id) ?? [];
}

/** Removes every role of one user or Team (it is being deleted or leaves its Organization). */
export async function deleteSubjectGrants(db: Queryable, subjectId: string): Promise<void> {
  await db.deleteFrom('subject_roles').where('subject_id', '=', subjectId).execute();
}

/**
 * The condition "holds a role matching the filter" for the subject whose id is `subjectColumn`
 * (`users.id` or `teams.id`, whichever table the outer query reads); see tokenHolding.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function subjectHolding(eb: any, f: HoldingFilter, subjectColumn: 'users.id' | 'teams.id') {
  const conditions = [];
  const roles = () => eb.selectFrom('subject_roles').select('subject_roles.subject_id').whereRef('subject_roles.subject_id', '=', subjectColumn);
  if (f.workspaceId !== undefined) {
    conditions.push(eb.exists(roles().where('subject_roles.scope_type', '=', 'WORKSPACE').where('subject_roles.entity_id', '=', f.workspaceId)));
  }
  if (f.deploymentId !== undefined) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    conditions.push(eb.exists(roles().where((r: any) => onCondition(r, 'subject_roles', { deploymentId: f.deploymentId! }))));
  }
  const dags = (type: string, ids: string[]) => {
    let sub = roles().where('subject_roles.scope_type', '=', type).where('subject_roles.entity_id', 'in', ids);
    if (f.deploymentId !== undefined) sub = sub.where('subject_roles.deployment_id', '=', f.deploymentId);
    conditions.push(eb.exists(sub));
  };
  if (f.dagId !== undefined) dags('DAG', [f.dagId]);
  if (f.dagTags !== undefined && f.dagTags.length > 0) dags('DAG_TAG', f.dagTags);
  return eb.and(conditions);
}

// ------------------------------------------------ across both tables

/**
 * Removes every token's, user's and Team's role on a Workspace, or on a Deployment and its DAGs
 * and DAG tags, that is going away; answers how many went. The caller invalidates the store cache.
 */
export async function deleteGrantsOn(db: Queryable, organizationId: string, on: GrantedOn): Promise<number> {
  const tokens = await db.deleteFrom('api_token_roles')
    .where('token_id', 'in', (eb) => eb.selectFrom('api_tokens').select('id').where('organization_id', '=', organizationId))
    .where((eb) => onCondition(eb, 'api_token_roles', on))
    .executeTakeFirst();
  const subjects = await db.deleteFrom('subject_roles').where('organization_id', '=', organizationId)
    .where((eb) => onCondition(eb, 'subject_roles', on))
    .executeTakeFirst();
  return Number(tokens.numDeletedRows) + Number(subjects.numDeletedRows);
}

/** Who of the organization holds `role` on an entity of one of `entityTypes`: tokens, users and Teams, each counted once. */
export async function countHolders(db: Queryable, organizationId: string, entityTypes: string[], role: string): Promise<{ tokens: number; users: number; teams: number }> {
  const t = await db.selectFrom('api_token_roles').innerJoin('api_tokens', 'api_tokens.id', 'api_token_roles.token_id')
    .select((eb) => eb.fn.count<string | number>('api_token_roles.token_id').distinct().as('n'))
    .where('api_tokens.organization_id', '=', organizationId).where('api_token_roles.entity_type', 'in', entityTypes)
    .where('api_token_roles.role', '=', role).executeTakeFirst();
  const rows = await db.selectFrom('subject_roles')
    .select(['subject_type', (eb) => eb.fn.count<string | number>('subject_id').distinct().as('n')])
    .where('organization_id', '=', organizationId).where('scope_type', 'in', entityTypes).where('role', '=', role)
    .groupBy('subject_type').execute();
  const of = (kind: SubjectKind) => Number(rows.find((r) => r.subject_type === kind)?.n ?? 0);
  return { tokens: Number(t?.n ?? 0), users: of('USER'), teams: of('TEAM') };
}

/** Renames a (custom) role in every grant of the organization; the caller invalidates the store cache. */
export async function renameGrants(db: Queryable, organizationId: string, entityTypes: string[], from: string, to: string): Promise<void> {
  await db.updateTable('api_token_roles').set({ role: to })
    .where('entity_type', 'in', entityTypes).where('role', '=', from)
    .where('token_id', 'in', (eb) => eb.selectFrom('api_tokens').select('id').where('organization_id', '=', organizationId))
    .execute();
  await db.updateTable('subject_roles').set({ role: to })
    .where('organization_id', '=', organizationId).where('scope_type', 'in', entityTypes).where('role', '=', from).execute();
}
