import type { Queryable } from '../../store/db.js';
import type { Clock } from '../../time.js';
import { storedTime } from '../../time.js';
import { hashToken, mintTokenValue, shortTokenOf } from '../../auth/tokens.js';

/**
 * Stores an organization API token with the role ORGANIZATION_OWNER and returns its value, which
 * is kept nowhere but in the caller's hands. With `value` given, that exact string becomes the
 * token's secret (ASTROLABE_BOOTSTRAP_TOKEN).
 */
export async function createOwnerToken(
  db: Queryable,
  clock: Clock,
  opts: { organizationId: string; tokenId: string; name: string; value?: string },
): Promise<string> {
  const now = clock.now();
  const value = opts.value ?? (await mintTokenValue(db, {
    tokenId: opts.tokenId,
    organizationId: opts.organizationId,
    scope: 'ORGANIZATION',
    entityId: opts.organizationId,
    issuedAt: now,
  }));
  const at = storedTime(now);
  await db.insertInto('api_tokens').values({
    id: opts.tokenId,
    organization_id: opts.organizationId,
    name: opts.name,
    description: null,
    scope: 'ORGANIZATION',
    kind: 'STANDARD',
    entity_id: opts.organizationId,
    token_hash: hashToken(value),
    short_token: shortTokenOf(value),
    expiry_period_days: null,
    start_at: at,
    end_at: null,
    last_used_at: null,
    last_rotated_at: null,
    created_at: at,
    created_by_id: opts.tokenId,
    created_by_type: 'SERVICEKEY',
    updated_at: at,
    updated_by_id: opts.tokenId,
    updated_by_type: 'SERVICEKEY',
  }).execute();
  await db.insertInto('api_token_roles').values({
    token_id: opts.tokenId,
    position: 0,
    entity_type: 'ORGANIZATION',
    entity_id: opts.organizationId,
    role: 'ORGANIZATION_OWNER',
    deployment_id: null,
  }).execute();
  return value;
}

/** Makes `value` the secret of an existing token (the bootstrap token on a later start). */
export async function setTokenSecret(db: Queryable, tokenId: string, value: string): Promise<boolean> {
  const r = await db.updateTable('api_tokens')
    .set({ token_hash: hashToken(value), short_token: shortTokenOf(value) })
    .where('id', '=', tokenId)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}
