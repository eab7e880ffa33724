import type { Insertable, Selectable } from 'kysely';
import { CachedLookup } from '../../auth/cache.js';
import type { Queryable } from '../../store/db.js';
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

/** Names of tokens by id, for the profiles of audit columns (cached; see auth/cache.ts). */
export async function tokenNames(db: Queryable, ids: string[]): Promise<Map<string, string>> {
  if (ids.length === 0) return new Map();
  return names.getMany(db, ids, async (missing) => {
    const rows = await db.selectFrom('api_tokens').select(['id', 'name']).where('id', 'in', missing).execute();
    return new Map(rows.map((r) => [r.id, r.name]));
  });
}
