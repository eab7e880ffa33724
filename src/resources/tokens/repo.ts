import type { Insertable, Selectable, Updateable } from 'kysely';
import { CachedLookup } from '../../store/cache.js';
import type { Queryable } from '../../store/types.js';
import { paginate, type PageRequest } from '../../store/pagination.js';
import type { ApiTokensTable } from '../../store/schema.js';
import { filtersHolding, insertTokenGrants, tokenGrants, tokenHolding, type Grant } from '../roles/repo.js';

/** The one owner of `api_tokens`; a token's roles are role assignments, owned by the roles family. */
export type TokenRow = Selectable<ApiTokensTable>;

/** Stores a token with its roles (checked by the caller). */
export async function insertToken(db: Queryable, row: Insertable<ApiTokensTable>, roles: Grant[]): Promise<void> {
  await db.insertInto('api_tokens').values(row).execute();
  await insertTokenGrants(db, row.id, roles);
}

export interface TokenWithRoles {
  token: Pick<TokenRow, 'id' | 'organization_id' | 'scope' | 'entity_id' | 'end_at' | 'last_used_at'>;
  roles: Grant[];
}

/** A token and its roles by the digest of its secret (authentication; its result is cached). */
export async function findTokenByHash(db: Queryable, hash: string): Promise<TokenWithRoles | undefined> {
  const token = await db.selectFrom('api_tokens')
    .select(['id', 'organization_id', 'scope', 'entity_id', 'end_at', 'last_used_at'])
    .where('token_hash', '=', hash)
    .executeTakeFirst();
  if (!token) return undefined;
  return { token, roles: (await tokenGrants(db, [token.id])).get(token.id) ?? [] };
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

export async function updateToken(db: Queryable, id: string, changes: Omit<Updateable<ApiTokensTable>, 'id' | 'organization_id'>): Promise<void> {
  await db.updateTable('api_tokens').set(changes).where('id', '=', id).execute();
}

/** Deletes a token; its roles go with it (ON DELETE CASCADE). */
export async function deleteToken(db: Queryable, id: string): Promise<boolean> {
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
  if (filtersHolding(f)) q = q.where((eb) => tokenHolding(eb, f));
  return paginate(q, page, SORT_COLUMNS, 'createdAt:asc', 'api_tokens.id');
}

/**
 * Deletes the API tokens (agent tokens too) that belong to a Workspace or a Deployment of the
 * organization, with their roles; answers how many went. The caller invalidates the store cache.
 */
export async function deleteTokensOf(db: Queryable, organizationId: string, scope: 'WORKSPACE' | 'DEPLOYMENT', entityId: string): Promise<number> {
  const r = await db.deleteFrom('api_tokens').where('organization_id', '=', organizationId)
    .where('scope', '=', scope).where('entity_id', '=', entityId).executeTakeFirst();
  return Number(r.numDeletedRows);
}
