import { defineOperation, STANDARD_ERRORS } from '../../http/operation.js';
import { deploymentTarget } from '../deployments/service.js';
import { DeploymentLog, DeploymentLogsParams, GetDeploymentLogsQuery } from './schema.js';
import * as service from './service.js';

export const operations = [
  defineOperation({
    operationId: 'GetDeploymentLogs',
    method: 'GET',
    path: '/organizations/{organizationId}/deployments/{deploymentId}/logs',
    summary: 'Get Deployment logs',
    description: 'Searches the log lines of a Deployment\'s components, newest first: the sources asked for, within the last `range` seconds or between startDate and endDate, holding every word of searchText. Later pages send the first page\'s searchId, which fixes the search (its window, words and the lines written by then), so lines written meanwhile do not shift them.',
    tag: 'Deployment',
    permission: 'deployment.logs.get',
    params: DeploymentLogsParams,
    query: GetDeploymentLogsQuery,
    success: { status: 200, schema: DeploymentLog },
    errors: STANDARD_ERRORS,
    target: ({ app, params }) => deploymentTarget(app, params.organizationId, params.deploymentId),
    handler: ({ app, params, query }) => service.getDeploymentLogs(app, params.organizationId, params.deploymentId, query),
  }),
];
