import type { IdentityPort } from '../../auth/identity.js';
import * as repo from './repo.js';

/** What the deployments family offers the ports of the application context (src/resources/ports.ts). */

export const deploymentIdentity: Pick<IdentityPort, 'workspacesOf'> = {
  workspacesOf: repo.workspacesOf,
};
