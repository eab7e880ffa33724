import type { IdentityPort } from '../../auth/identity.js';
import type { SubjectsPort } from '../../auth/subjects.js';
import * as repo from './repo.js';
import { userForSignIn } from './service.js';

/** What the users family offers the ports of the application context (src/resources/ports.ts). */

export const userIdentity: Pick<IdentityPort, 'userForClaims'> = {
  async userForClaims(db, claims, now) {
    const user = await userForSignIn(db, claims, now);
    return user && { id: user.id, status: user.status, organizationId: user.organization_id, organizationRole: user.organization_role };
  },
};

export const userSubjects: Pick<SubjectsPort, 'userProfiles'> = {
  userProfiles: repo.userProfiles,
};
