import type { AppContext } from '../context.js';
import { unauthorized } from '../http/errors.js';
import { findTokenByHash, touchLastUsed } from '../resources/tokens/repo.js';
import { storedTime } from '../time.js';
import { hashToken } from './tokens.js';

export interface PrincipalRole {
  entityType: string;
  entityId: string;
  role: string;
  deploymentId?: string;
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

export async function authenticate(app: AppContext, header: string | undefined): Promise<Principal> {
  if (!header) throw unauthorized();
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw unauthorized('Unauthorized: the Authorization header must be "Bearer <token>"');
  const found = await findTokenByHash(app.db, hashToken(match[1]!));
  if (!found) throw unauthorized('Unauthorized: the token is not valid');
  const { token, roles } = found;
  const now = app.clock.now();
  if (token.end_at && token.end_at <= storedTime(now)) throw unauthorized('Unauthorized: the token has expired');
  if (!token.last_used_at || Date.parse(token.last_used_at) < now.getTime() - LAST_USED_RESOLUTION_MS) {
    await touchLastUsed(app.db, token.id, storedTime(now));
  }
  return {
    subjectId: token.id,
    subjectType: 'SERVICEKEY',
    organizationId: token.organization_id,
    tokenId: token.id,
    scope: token.scope,
    entityId: token.entity_id,
    roles: roles.map((r) => ({
      entityType: r.entity_type,
      entityId: r.entity_id,
      role: r.role,
      ...(r.deployment_id ? { deploymentId: r.deployment_id } : {}),
    })),
  };
}
