import type { IdentityPort } from '../../auth/identity.js';
import * as repo from './repo.js';

/** What the ipranges family offers the ports of the application context (src/resources/ports.ts). */

export const rangeIdentity: Pick<IdentityPort, 'allowedRanges'> = {
  // Cached with the principals: no store query per request while nothing changed.
  allowedRanges: repo.cachedRanges,
};
