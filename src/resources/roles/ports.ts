import type { IdentityPort } from '../../auth/identity.js';
import * as repo from './repo.js';

/** What the roles family offers the ports of the application context (src/resources/ports.ts). */

export const roleIdentity: Pick<IdentityPort, 'customRoles' | 'subjectGrants'> = {
  customRoles: repo.customRoleGrants,
  subjectGrants: repo.subjectGrants,
};
