import { withinTransaction, type Queryable } from '../../store/db.js';
import type { Clock } from '../../time.js';
import { storedTime } from '../../time.js';
import { invalidateToken } from '../../auth/cache.js';
import { hashToken, mintTokenValue, shortTokenOf } from '../../auth/tokens.js';
import { newId } from '../../store/ids.js';
import * as repo from './repo.js';

export type TokenScope = 'ORGANIZATION' | 'WORKSPACE' | 'DEPLOYMENT';

export interface TokenRoleGrant {
  entityType: TokenScope;
  entityId: string;
  role: string;
}

export interface NewToken {
  organizationId: string;
  name: string;
  scope: TokenScope;
  /** The organization, workspace or deployment the token belongs to. */
  entityId: string;
  roles: TokenRoleGrant[];
  /** Fixes the id (the owner token is its own creator). */
  tokenId?: string;
  /** Fixes the secret (ASTROLABE_BOOTSTRAP_TOKEN). */
  value?: string;
  /** Who creates it; by default the token itself. */
  createdBy?: { id: string; type: string };
}

/**
 * Stores an API token with its roles and returns its id and value; the value is kept nowhere but
 * in the caller's hands (only its digest is stored). A new token needs no cache invalidation:
 * lookups that find nothing are not cached. Any write that changes or deletes a token must call
 * invalidateToken (../../auth/cache.ts) in its transaction, as setTokenSecret does.
 */
export async function issueToken(db: Queryable, clock: Clock, t: NewToken): Promise<{ tokenId: string; token: string }> {
  const now = clock.now();
  const tokenId = t.tokenId ?? newId();
  const value = t.value ?? (await mintTokenValue(db, { tokenId, organizationId: t.organizationId, scope: t.scope, entityId: t.entityId, issuedAt: now }));
  const at = storedTime(now);
  const by = t.createdBy ?? { id: tokenId, type: 'SERVICEKEY' };
  await repo.insertToken(db, {
    id: tokenId,
    organization_id: t.organizationId,
    name: t.name,
    description: null,
    scope: t.scope,
    kind: 'STANDARD',
    entity_id: t.entityId,
    token_hash: hashToken(value),
    short_token: shortTokenOf(value),
    expiry_period_days: null,
    start_at: at,
    end_at: null,
    last_used_at: null,
    last_rotated_at: null,
    created_at: at, created_by_id: by.id, created_by_type: by.type,
    updated_at: at, updated_by_id: by.id, updated_by_type: by.type,
  }, t.roles.map((r) => ({ entity_type: r.entityType, entity_id: r.entityId, role: r.role, deployment_id: null })));
  return { tokenId, token: value };
}

/** The organization's owner token: role ORGANIZATION_OWNER on the organization. */
export function createOwnerToken(db: Queryable, clock: Clock, o: { organizationId: string; tokenId: string; name: string; value?: string }): Promise<{ tokenId: string; token: string }> {
  return issueToken(db, clock, {
    organizationId: o.organizationId, name: o.name, scope: 'ORGANIZATION', entityId: o.organizationId,
    roles: [{ entityType: 'ORGANIZATION', entityId: o.organizationId, role: 'ORGANIZATION_OWNER' }],
    tokenId: o.tokenId, value: o.value,
  });
}

/**
 * Makes `value` the secret of an existing token (the bootstrap token on a later start). The old
 * secret stops working at once on this server and within a second on every other one.
 */
export function setTokenSecret(db: Queryable, tokenId: string, value: string): Promise<boolean> {
  return withinTransaction(db, async (tx) => {
    const changed = await repo.setSecretHash(tx, tokenId, hashToken(value), shortTokenOf(value));
    if (changed) await invalidateToken(tx, tokenId);
    return changed;
  });
}
