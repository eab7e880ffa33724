import { defineOperation, ITEM_ERRORS, STANDARD_ERRORS } from '../../http/operation.js';
import { OrganizationIdParam } from '../../core/schemas.js';
import { ClusterOptionsList, DeploymentOptions, GetClusterOptionsQuery, GetDeploymentOptionsQuery } from './schema.js';
import * as service from './service.js';

const TAG = 'Options';

export const operations = [
  defineOperation({
    operationId: 'GetClusterOptions',
    method: 'GET',
    path: '/organizations/{organizationId}/cluster-options',
    summary: 'Get cluster options',
    description: 'Lists, per cloud provider, the regions, instance types and network defaults a cluster of the given type can use.',
    tag: TAG,
    permission: null,
    params: OrganizationIdParam,
    query: GetClusterOptionsQuery,
    success: { status: 200, schema: ClusterOptionsList },
    errors: ITEM_ERRORS,
    handler: async ({ query }) => service.clusterOptions(query.type, query.provider),
  }),
  defineOperation({
    operationId: 'GetDeploymentOptions',
    method: 'GET',
    path: '/organizations/{organizationId}/deployment-options',
    summary: 'Get Deployment options',
    description: 'Lists the executors, runtime releases, machine sizes and ranges a Deployment can be configured with.',
    tag: TAG,
    permission: 'organization.deploymentConfigurations.get',
    // Workspace Operators create Deployments and read these options to do so.
    anyScope: true,
    params: OrganizationIdParam,
    query: GetDeploymentOptionsQuery,
    success: { status: 200, schema: DeploymentOptions },
    errors: STANDARD_ERRORS,
    handler: ({ app, params, query }) => service.deploymentOptions(app, params.organizationId, query),
  }),
];
