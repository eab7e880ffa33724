import type { IdentityPort } from '../../auth/identity.js';
import type { SubjectsPort } from '../../auth/subjects.js';
import * as repo from './repo.js';

/** What the tokens family offers the ports of the application context (src/resources/ports.ts). */

export const tokenIdentity: Pick<IdentityPort, 'tokenByDigest' | 'touchToken'> = {
  async tokenByDigest(q, digest) {
    const found = await repo.findTokenByHash(q, digest);
    if (!found) return undefined;
    const { token, roles } = found;
    return {
      id: token.id,
      organizationId: token.organization_id,
      scope: token.scope,
      entityId: token.entity_id,
      endAt: token.end_at,
      lastUsedAt: token.last_used_at,
      grants: roles,
    };
  },
  touchToken: repo.touchLastUsed,
};

export const tokenSubjects: Pick<SubjectsPort, 'tokenNames'> = {
  tokenNames: repo.tokenNames,
};
