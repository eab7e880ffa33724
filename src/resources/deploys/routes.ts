import type { Static } from 'typebox';
import { defineOperation, ITEM_ERRORS, type OpInput } from '../../http/operation.js';
import {
  CreateDeployRequest, Deploy, DeployParams, DeployRollbackRequest, DeploymentDeploysParams, DeploysPaginated, FinalizeDeployRequest,
  ListDeploysQuery, UpdateDeployRequest,
} from './schema.js';
import * as service from './service.js';

const TAG = 'Deploy';

/** A Deployment that is still CREATING takes no deploy: creating, finalizing and rolling back may answer 409. */
const DEPLOY_ERRORS = [400, 401, 403, 404, 409, 500];
const FINALIZE_ERRORS = [400, 401, 403, 409, 500];

/** The Deployment of the path and its Workspace, so workspace and deployment roles (and agent tokens) apply. */
const byDeployment = ({ app, params }: OpInput<Static<typeof DeploymentDeploysParams>, unknown, unknown>) => service.deployTarget(app, params.organizationId, params.deploymentId);

export const operations = [
  defineOperation({
    operationId: 'ListDeploys',
    method: 'GET',
    path: '/organizations/{organizationId}/deployments/{deploymentId}/deploys',
    summary: 'List deploys for a deployment',
    description: 'Lists the deploys of a Deployment, newest first.',
    tag: TAG,
    permission: 'deployment.deploys.get',
    params: DeploymentDeploysParams,
    query: ListDeploysQuery,
    success: { status: 200, schema: DeploysPaginated },
    errors: ITEM_ERRORS,
    target: byDeployment,
    handler: ({ app, baseUrl, params, query }) => service.listDeploys(app, baseUrl, params.organizationId, params.deploymentId, query),
  }),
  defineOperation({
    operationId: 'CreateDeploy',
    method: 'POST',
    path: '/organizations/{organizationId}/deployments/{deploymentId}/deploys',
    summary: 'Create a Deploy',
    description: 'Opens a deploy: the answer names the image tag to push and, for DAG and bundle deploys, a signed URL to upload the tarball to (Azure Blob protocol). Finalize the deploy to roll it out. A Deployment that is still CREATING takes no deploy (409).',
    tag: TAG,
    permission: 'deployment.deploys.create',
    params: DeploymentDeploysParams,
    body: CreateDeployRequest,
    bodyDescription: 'The deploy to open.',
    success: { status: 200, schema: Deploy },
    errors: DEPLOY_ERRORS,
    target: byDeployment,
    handler: ({ app, principal, baseUrl, params, body }) => service.createDeploy(app, principal, baseUrl, params.organizationId, params.deploymentId, body),
  }),
  defineOperation({
    operationId: 'GetDeploy',
    method: 'GET',
    path: '/organizations/{organizationId}/deployments/{deploymentId}/deploys/{deployId}',
    summary: 'Get a deploy for a deployment',
    description: 'Reads one deploy of a Deployment.',
    tag: TAG,
    permission: 'deployment.deploys.get',
    params: DeployParams,
    success: { status: 200, schema: Deploy },
    errors: ITEM_ERRORS,
    target: byDeployment,
    handler: ({ app, baseUrl, params }) => service.getDeploy(app, baseUrl, params.organizationId, params.deploymentId, params.deployId),
  }),
  defineOperation({
    operationId: 'UpdateDeploy',
    method: 'POST',
    path: '/organizations/{organizationId}/deployments/{deploymentId}/deploys/{deployId}',
    summary: 'Update a Deploy',
    description: 'Changes the description of a deploy.',
    tag: TAG,
    permission: 'deployment.deploys.update',
    params: DeployParams,
    body: UpdateDeployRequest,
    bodyDescription: 'The new description.',
    success: { status: 200, schema: Deploy },
    errors: ITEM_ERRORS,
    target: byDeployment,
    handler: ({ app, principal, baseUrl, params, body }) => service.updateDeploy(app, principal, baseUrl, params.organizationId, params.deploymentId, params.deployId, body),
  }),
  defineOperation({
    operationId: 'FinalizeDeploy',
    method: 'POST',
    path: '/organizations/{organizationId}/deployments/{deploymentId}/deploys/{deployId}/finalize',
    summary: 'Finalize a deploy',
    description: 'Finalizes a deploy with the version ids its uploads answered: the deploy becomes DEPLOYED and the Deployment rolls out its image tag and DAG tarball (DEPLOYING, then HEALTHY). With a registry configured, an image deploy whose image the registry does not have becomes FAILED and changes nothing; a registry that cannot answer is a 503. For a BUNDLE deploy, bundleTarballVersion "" removes the bundle.',
    tag: TAG,
    permission: 'deployment.deploys.update',
    params: DeployParams,
    body: FinalizeDeployRequest,
    bodyDescription: 'The uploaded versions the deploy brings.',
    success: { status: 200, schema: Deploy },
    errors: FINALIZE_ERRORS,
    target: byDeployment,
    handler: ({ app, principal, baseUrl, params, body }) => service.finalizeDeploy(app, principal, baseUrl, params.organizationId, params.deploymentId, params.deployId, body),
  }),
  defineOperation({
    operationId: 'DeployRollback',
    method: 'POST',
    path: '/organizations/{organizationId}/deployments/{deploymentId}/deploys/{deployId}/rollback',
    summary: 'Deploy rollback of a deployment',
    description: 'Rolls the Deployment back to an earlier finalized deploy (its image tag and the DAG tarball it ran), recorded as a new deploy whose rollbackFromId names the deploy that was current.',
    tag: TAG,
    permission: 'deployment.deploys.update',
    params: DeployParams,
    body: DeployRollbackRequest,
    bodyDescription: 'What the rollback is about.',
    success: { status: 200, schema: Deploy },
    errors: DEPLOY_ERRORS,
    target: byDeployment,
    handler: ({ app, principal, baseUrl, params, body }) => service.rollbackDeploy(app, principal, baseUrl, params.organizationId, params.deploymentId, params.deployId, body),
  }),
];
