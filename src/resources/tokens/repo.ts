import type { Insertable, Selectable, Updateable } from 'kysely';
import { CachedLookup } from '../../store/cache.js';
import { groupBy } from '../../store/codecs.js';
import type { Queryable } from '../../store/types.js';
import { paginate, type PageRequest } from '../../store/pagination.js';
import type { ApiTokenRolesTable, ApiTokensTable } from '../../store/schema.js';

/** The one owner of `api_tokens` and `api_token_roles`. */
export type TokenRow = Selectable<ApiTokensTable>;
export type TokenRoleRow = Omit<Selectable<ApiTokenRolesTable>, 'token_id' | 'position'>;

export async function insertToken(db: Queryable, row: Insertable<ApiTokensTable>, roles: TokenRoleRow[]): Promise<void> {
  await db.insertInto('api_tokens').values(row).execute();
  if (roles.length === 0) return;
  await db.insertInto('api_token_roles').values(roles.map((r, position) => ({ ...r, token_id: row.id, position }))).execute();
}

export interface TokenWithRoles {
  token: Pick<TokenRow, 'id' | 'organization_id' | 'scope' | 'entity_id' | 'end_at' | 'last_used_at'>;
  roles: TokenRoleRow[];
}

/** A token and its roles by the digest of its secret, in one query. */
export async function findTokenByHash(db: Queryable, hash: string): Promise<TokenWithRoles | undefined> {
  const rows = await db
    .selectFrom('api_tokens')
    .leftJoin('api_token_roles', 'api_token_roles.token_id', 'api_tokens.id')
    .select([
      'api_tokens.id', 'api_tokens.organization_id', 'api_tokens.scope', 'api_tokens.entity_id', 'api_tokens.end_at',
      'api_tokens.last_used_at', 'api_token_roles.entity_type', 'api_token_roles.entity_id as role_entity_id',
      'api_token_roles.role', 'api_token_roles.deployment_id',
    ])
    .where('api_tokens.token_hash', '=', hash)
    .orderBy('api_token_roles.position')
    .execute();
  const first = rows[0];
  if (!first) return undefined;
  return {
    token: {
      id: first.id, organization_id: first.organization_id, scope: first.scope, entity_id: first.entity_id,
      end_at: first.end_at, last_used_at: first.last_used_at,
    },
    roles: rows.filter((r) => r.role !== null).map((r) => ({
      entity_type: r.entity_type!, entity_id: r.role_entity_id!, role: r.role!, deployment_id: r.deployment_id,
    })),
  };
}

export async function touchLastUsed(db: Queryable, id: string, at: string): Promise<void> {
  await db.updateTable('api_tokens').set({ last_used_at: at }).where('id', '=', id).execute();
}

export async function setSecretHash(db: Queryable, id: string, hash: string, shortToken: string): Promise<boolean> {
  const r = await db.updateTable('api_tokens').set({ token_hash: hash, short_token: shortToken }).where('id', '=', id).executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

const names = new CachedLookup<string>('token names');

/** Names of tokens by id, for the profiles of audit columns (cached; see store/cache.ts). */
export async function tokenNames(db: Queryable, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  return names.getMany(db, ids, async (missing) => {
    const rows = await db.selectFrom('api_tokens').select(['id', 'name']).where('id', 'in', missing).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  });
}

/** One API token of an organization (any scope), or undefined; agent tokens are not API tokens. */
export function findToken(db: Queryable, organizationId: string, id: string): Promise<TokenRow | undefined> {
  return db.selectFrom('api_tokens').selectAll().where('organization_id', '=', organizationId).where('id', '=', id)
    .where('agent_deployment_id', 'is', null).executeTakeFirst();
}

/** One agent token of a Deployment, or undefined. */
export function findAgentToken(db: Queryable, organizationId: string, deploymentId: string, id: string): Promise<TokenRow | undefined> {
  return db.selectFrom('api_tokens').selectAll().where('organization_id', '=', organizationId).where('id', '=', id)
    .where('agent_deployment_id', '=', deploymentId).executeTakeFirst();
}

const AGENT_SORT_COLUMNS: Record<string, string> = {
  name: 'name',
  description: 'description',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  createdById: 'created_by_id',
  updatedById: 'updated_by_id',
  tokenStartAt: 'start_at',
};

/** A page of a Deployment's agent tokens. */
export function listAgentTokens(db: Queryable, organizationId: string, deploymentId: string, page: PageRequest) {
  const q = db.selectFrom('api_tokens').selectAll().where('organization_id', '=', organizationId).where('agent_deployment_id', '=', deploymentId);
  return paginate(q, page, AGENT_SORT_COLUMNS, 'createdAt:asc', 'id');
}

/** The roles of each token, in their stored order. */
export async function rolesOf(db: Queryable, tokenIds: string[]): Promise<Map<string, TokenRoleRow[]>> {
  if (tokenIds.length === 0) return new Map();
  const rows = await db.selectFrom('api_token_roles').selectAll().where('token_id', 'in', tokenIds).orderBy('token_id').orderBy('position').execute();
  return groupBy(rows, (r) => r.token_id, (r) => ({ entity_type: r.entity_type, entity_id: r.entity_id, role: r.role, deployment_id: r.deployment_id }));
}

/** Replaces the whole role set of a token. */
export async function replaceRoles(db: Queryable, tokenId: string, roles: TokenRoleRow[]): Promise<void> {
  await db.deleteFrom('api_token_roles').where('token_id', '=', tokenId).execute();
  if (roles.length === 0) return;
  await db.insertInto('api_token_roles').values(roles.map((r, position) => ({ ...r, token_id: tokenId, position }))).execute();
}

export async function updateToken(db: Queryable, id: string, changes: Omit<Updateable<ApiTokensTable>, 'id' | 'organization_id'>): Promise<void> {
  await db.updateTable('api_tokens').set(changes).where('id', '=', id).execute();
}

export async function deleteToken(db: Queryable, id: string): Promise<boolean> {
  await db.deleteFrom('api_token_roles').where('token_id', '=', id).execute();
  const r = await db.deleteFrom('api_tokens').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export interface TokenFilter {
  workspaceId?: string;
  deploymentId?: string;
  dagId?: string;
  dagTags?: string[];
  onlyOrganization?: boolean;
  kind?: string;
}

const SORT_COLUMNS: Record<string, string> = {
  name: 'api_tokens.name',
  description: 'api_tokens.description',
  createdAt: 'api_tokens.created_at',
  updatedAt: 'api_tokens.updated_at',
  tokenStartAt: 'api_tokens.start_at',
};

/**
 * A page of an organization's tokens. Role filters match tokens holding such a role, whatever
 * their own scope: a Workspace filter also finds Organization tokens assigned to that Workspace.
 */
export function listTokens(db: Queryable, organizationId: string, f: TokenFilter, page: PageRequest) {
  let q = db.selectFrom('api_tokens').selectAll('api_tokens').where('api_tokens.organization_id', '=', organizationId)
    .where('api_tokens.agent_deployment_id', 'is', null);
  if (f.onlyOrganization) q = q.where('api_tokens.scope', '=', 'ORGANIZATION');
  if (f.kind !== undefined) q = q.where('api_tokens.kind', '=', f.kind);
  const holding = (types: string[], entityIds: string[] | undefined, deploymentId: string | undefined) => {
    q = q.where((eb) => {
      let sub = eb.selectFrom('api_token_roles').select('api_token_roles.token_id')
        .whereRef('api_token_roles.token_id', '=', 'api_tokens.id')
        .where('api_token_roles.entity_type', 'in', types);
      if (entityIds !== undefined) sub = sub.where('api_token_roles.entity_id', 'in', entityIds);
      if (deploymentId !== undefined) sub = sub.where('api_token_roles.deployment_id', '=', deploymentId);
      return eb.exists(sub);
    });
  };
  if (f.workspaceId !== undefined) holding(['WORKSPACE'], [f.workspaceId], undefined);
  if (f.deploymentId !== undefined) {
    const dep = f.deploymentId;
    q = q.where((eb) => eb.exists(eb.selectFrom('api_token_roles').select('api_token_roles.token_id')
      .whereRef('api_token_roles.token_id', '=', 'api_tokens.id')
      .where((r) => r.or([
        r.and([r('api_token_roles.entity_type', '=', 'DEPLOYMENT'), r('api_token_roles.entity_id', '=', dep)]),
        r.and([r('api_token_roles.entity_type', 'in', ['DAG', 'DAG_TAG']), r('api_token_roles.deployment_id', '=', dep)]),
      ]))));
  }
  if (f.dagId !== undefined) holding(['DAG'], [f.dagId], f.deploymentId);
  if (f.dagTags !== undefined && f.dagTags.length > 0) holding(['DAG_TAG'], f.dagTags, f.deploymentId);
  return paginate(q, page, SORT_COLUMNS, 'createdAt:asc', 'api_tokens.id');
}

/** How many tokens of the organization hold `role` on an entity of one of `entityTypes`. */
export async function countRoleHolders(db: Queryable, organizationId: string, entityTypes: string[], role: string): Promise<number> {
  const r = await db.selectFrom('api_token_roles').innerJoin('api_tokens', 'api_tokens.id', 'api_token_roles.token_id')
    .select((eb) => eb.fn.count<string | number>('api_token_roles.token_id').distinct().as('n'))
    .where('api_tokens.organization_id', '=', organizationId).where('api_token_roles.entity_type', 'in', entityTypes)
    .where('api_token_roles.role', '=', role).executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** Renames a (custom) role in every grant of the organization's tokens; the caller invalidates the auth cache. */
export async function renameRole(db: Queryable, organizationId: string, entityTypes: string[], from: string, to: string): Promise<void> {
  await db.updateTable('api_token_roles').set({ role: to })
    .where('entity_type', 'in', entityTypes).where('role', '=', from)
    .where('token_id', 'in', (eb) => eb.selectFrom('api_tokens').select('id').where('organization_id', '=', organizationId))
    .execute();
}

/**
 * Deletes the API tokens (agent tokens too) that belong to a Workspace or a Deployment of the
 * organization, with their roles; answers how many went. The caller invalidates the auth cache.
 */
export async function deleteTokensOf(db: Queryable, organizationId: string, scope: 'WORKSPACE' | 'DEPLOYMENT', entityId: string): Promise<number> {
  const r = await db.deleteFrom('api_tokens').where('organization_id', '=', organizationId)
    .where('scope', '=', scope).where('entity_id', '=', entityId).executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * Removes every token's role on a Workspace, or on a Deployment and its DAGs and DAG tags, that
 * is going away; answers how many roles went. The caller invalidates the auth cache.
 */
export async function deleteRolesOn(db: Queryable, organizationId: string, on: { workspaceId: string } | { deploymentId: string }): Promise<number> {
  const r = await db.deleteFrom('api_token_roles')
    .where('token_id', 'in', (eb) => eb.selectFrom('api_tokens').select('id').where('organization_id', '=', organizationId))
    .where((eb) => 'workspaceId' in on
      ? eb.and([eb('entity_type', '=', 'WORKSPACE'), eb('entity_id', '=', on.workspaceId)])
      : eb.or([
        eb.and([eb('entity_type', '=', 'DEPLOYMENT'), eb('entity_id', '=', on.deploymentId)]),
        eb.and([eb('entity_type', 'in', ['DAG', 'DAG_TAG']), eb('deployment_id', '=', on.deploymentId)]),
      ]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}
