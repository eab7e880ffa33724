import type { AppContext } from '../context.js';
import { unauthorized } from '../http/errors.js';
import { findTokenByHash, touchLastUsed } from '../resources/tokens/repo.js';
import type { Queryable } from '../store/db.js';
import { storedTime } from '../time.js';
import { CachedLookup, writeInBackground } from './cache.js';
import { resolveGrants } from './grants.js';
import { hashToken } from './tokens.js';

/** A role the caller holds, with the permissions it carries there (see ./grants.ts). */
export interface PrincipalRole {
  entityType: string;
  entityId: string;
  role: string;
  deploymentId?: string;
  permissions: ReadonlySet<string>;
  /** Not stored: follows from another role (a Workspace Accessor beside a Deployment role). */
  implied?: true;
}

/** Who is calling: today always an API token of one organization. */
export interface Principal {
  subjectId: string;
  subjectType: 'SERVICEKEY' | 'USER';
  organizationId: string;
  tokenId: string;
  scope: string;
  entityId: string;
  roles: PrincipalRole[];
}

/** How often `lastUsedAt` is refreshed at most, so reads do not all turn into writes. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** What the cache keeps per token digest. */
interface KnownToken {
  principal: Principal;
  /** `end_at` in epoch ms, checked against the clock on every request. */
  endsAt: number | null;
  /** When `lastUsedAt` was last written (or found), in epoch ms; moved forward in place. */
  lastUsedAt: number | null;
}

const byDigest = new CachedLookup<KnownToken>('principals by token digest');

async function loadToken(db: Queryable, digest: string): Promise<KnownToken | undefined> {
  const found = await findTokenByHash(db, digest);
  if (!found) return undefined;
  const { token, roles } = found;
  const principal: Principal = {
    subjectId: token.id,
    subjectType: 'SERVICEKEY',
    organizationId: token.organization_id,
    tokenId: token.id,
    scope: token.scope,
    entityId: token.entity_id,
    roles: await resolveGrants(db, token.organization_id, roles.map((r) => ({
      entityType: r.entity_type, entityId: r.entity_id, role: r.role, deploymentId: r.deployment_id,
    }))),
  };
  // Shared by every request of this token while cached: nobody may change it.
  Object.freeze(principal.roles);
  Object.freeze(principal);
  return {
    principal,
    endsAt: token.end_at ? Date.parse(token.end_at) : null,
    lastUsedAt: token.last_used_at ? Date.parse(token.last_used_at) : null,
  };
}

/**
 * The principal of a `Bearer` header. Known tokens come from the in-memory cache (see
 * ./cache.ts for how changes reach it); expiry is checked against the clock every time.
 */
export async function authenticate(app: AppContext, header: string | undefined): Promise<Principal> {
  if (!header) throw unauthorized();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized('Unauthorized: the Authorization header must be "Bearer <token>"');
  const digest = hashToken(match[1]!);
  const known = await byDigest.get(app.db, digest, () => loadToken(app.db, digest));
  if (!known) throw unauthorized('Unauthorized: the token is not valid');
  const now = app.clock.now();
  const nowMs = now.getTime();
  if (known.endsAt !== null && known.endsAt <= nowMs) throw unauthorized('Unauthorized: the token has expired');
  if (known.lastUsedAt === null || known.lastUsedAt < nowMs - LAST_USED_RESOLUTION_MS) {
    known.lastUsedAt = nowMs;
    const tokenId = known.principal.tokenId;
    await writeInBackground(app.db, 'lastUsedAt refresh', () => touchLastUsed(app.db, tokenId, storedTime(now)));
  }
  return known.principal;
}
