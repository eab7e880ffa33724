import type { IdentityPort } from '../../auth/identity.js';
import * as repo from './repo.js';

/** What the teams family offers the ports of the application context (src/resources/ports.ts). */

export const teamIdentity: Pick<IdentityPort, 'teamsOfUser'> = {
  async teamsOfUser(q, userId) {
    const teams = await repo.allTeamsOfUser(q, userId);
    return teams.map((t) => ({ id: t.id, organizationId: t.organization_id, organizationRole: t.organization_role }));
  },
};
