import { defineOperation, STANDARD_ERRORS } from '../../http/operation.js';
import { deploymentTarget, logScheduledHibernation } from '../deployments/service.js';
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
    handler: async ({ app, params, query }) => {
      // What hibernation schedules did since the last look happened with no request: log it first.
      if (query.searchId === undefined) await logScheduledHibernation(app, params.organizationId, params.deploymentId);
      return service.getDeploymentLogs(app, params.organizationId, params.deploymentId, query);
    },
  }),
];
