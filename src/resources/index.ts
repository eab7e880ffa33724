import type { Surface } from '../http/surface.js';
import { operations as organizations } from './organizations/routes.js';
import { platformOperations as platformOrganizations } from './organizations/platform-v1beta1.js';
import { labsOperations as labsIpRanges } from './ipranges/labs-v1.js';
import { platformOperations as platformAlerts } from './alerts/platform-v1beta1.js';
import { labsOperations as labsAlerts } from './alerts/labs-v1.js';
import { iamOperations as iamIpRanges } from './ipranges/iam-v1beta1.js';
import { iamOperations as iamTokens } from './tokens/iam-v1beta1.js';
import { iamOperations as iamUsers } from './users/iam-v1beta1.js';
import { iamOperations as iamTeams } from './teams/iam-v1beta1.js';
import { iamOperations as iamRoles } from './roles/iam-v1beta1.js';
import { ErrorSchemaWithoutLimits } from '../core/schemas.js';
import { operations as workspaces } from './workspaces/routes.js';
import { platformOperations as platformWorkspaces } from './workspaces/platform-v1beta1.js';
import { platformOperations as platformClusters } from './clusters/platform-v1beta1.js';
import { platformOperations as platformOptions } from './options/platform-v1beta1.js';
import { platformOperations as platformDeployments } from './deployments/platform-v1beta1.js';
import { platformOperations as platformAuditLogs } from './auditlogs/platform-v1beta1.js';
import { operations as options } from './options/routes.js';
import { operations as clusters } from './clusters/routes.js';
import { operations as deployments } from './deployments/routes.js';
import { agentOperations as agentTokens, operations as tokens } from './tokens/routes.js';
import { operations as deploys } from './deploys/routes.js';
import { operations as ipRanges } from './ipranges/routes.js';
import { operations as roles } from './roles/routes.js';
import { operations as auditLogs } from './auditlogs/routes.js';
import { operations as envObjects } from './envobjects/routes.js';
import { platformOperations as platformEnvObjects } from './envobjects/platform-v1beta1.js';
import { operations as users } from './users/routes.js';
import { operations as teams } from './teams/routes.js';

/** The Astro API v1 surface. A new resource family adds its operations here. */
export const v1Surface: Surface = {
  name: 'v1',
  prefix: '/v1',
  specPaths: ['/spec/v1', '/spec/v1.0'],
  info: {
    title: 'Astrolabe — Astro API v1',
    version: 'v1.0',
    description: 'A self-hosted server speaking the Astro API v1: organizations, workspaces, clusters, Deployments and more.',
  },
  apiVersions: ['1', '1.0'],
  operations: [...organizations, ...workspaces, ...options, ...clusters, ...deployments, ...tokens, ...ipRanges, ...roles, ...auditLogs, ...envObjects, ...users, ...teams, ...agentTokens, ...deploys],
};

/**
 * The older surfaces the Terraform provider calls. They present the same state as /v1: each
 * family's `platform-v1beta1.ts` / `iam-v1beta1.ts` / `labs-v1.ts` declares that surface's operations
 * over the family's services and projects the v1 read model into the older shapes. Their clients send
 * no X-API-Version, so the surfaces have no version check.
 */
export const platformV1beta1Surface: Surface = {
  name: 'platform-v1beta1',
  prefix: '/platform/v1beta1',
  specPaths: ['/spec/platform/v1beta1'],
  info: {
    title: 'Astrolabe — Astro Platform API v1beta1',
    version: 'v1beta1',
    description: 'The older platform surface (organizations, workspaces, clusters, Deployments, alerts, notification channels) over the same state as /v1.',
  },
  operations: [...platformOrganizations, ...platformWorkspaces, ...platformOptions, ...platformClusters, ...platformDeployments, ...platformAuditLogs, ...platformAlerts, ...platformEnvObjects],
};

export const iamV1beta1Surface: Surface = {
  name: 'iam-v1beta1',
  prefix: '/iam/v1beta1',
  specPaths: ['/spec/iam/v1beta1'],
  info: {
    title: 'Astrolabe — Astro IAM API v1beta1',
    version: 'v1beta1',
    description: 'The older identity surface (API tokens, agent tokens, users, teams, roles, invites, allowed IP ranges) over the same state as /v1.',
  },
  operations: [...iamIpRanges, ...iamTokens, ...iamUsers, ...iamTeams, ...iamRoles],
};

export const labsV1Surface: Surface = {
  name: 'labs-v1',
  prefix: '/labs/v1',
  specPaths: ['/spec/labs/v1'],
  info: {
    title: 'Astrolabe — Astro Labs API v1',
    version: 'v1',
    description: 'The labs surface (bulk allowed IP address ranges and alerts) over the same state as /v1.',
  },
  operations: [...labsIpRanges, ...labsAlerts],
  errorSchema: ErrorSchemaWithoutLimits,
};

/** Every surface the server serves. */
export const surfaces: Surface[] = [v1Surface, platformV1beta1Surface, iamV1beta1Surface, labsV1Surface];
