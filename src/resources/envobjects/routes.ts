import type { Static } from 'typebox';
import { defineOperation, type ErrorStatus, type OpInput } from '../../http/operation.js';
import { OrganizationIdParam } from '../../core/schemas.js';
import {
  CreateEnvironmentObject, CreateEnvironmentObjectRequest, EnvironmentObject, EnvironmentObjectParams, EnvironmentObjectsPaginated,
  ExcludeLinkEnvironmentObjectRequest, ListEnvironmentObjectsQuery, UpdateEnvironmentObjectRequest,
} from './schema.js';
import * as service from './service.js';

const TAG = 'Environment';
const PERMISSION = 'organization.envObjects.access';

/**
 * The reference declares 405 on every operation and 409 on the changing ones, but no 400; bad
 * input is answered 400 here as everywhere (see the contract test's allowed deviations).
 */
const READ_ERRORS: ErrorStatus[] = [400, 401, 403, 404, 405, 500];
const WRITE_ERRORS: ErrorStatus[] = [400, 401, 403, 404, 405, 409, 500];

/** The object of the path: its Workspace (and Deployment) decide which callers may act on it. */
const byPath = ({ app, params }: OpInput<Static<typeof EnvironmentObjectParams>, unknown, unknown>) => service.objectTarget(app, params.organizationId, params.environmentObjectId);

export const operations = [
  defineOperation({
    operationId: 'ListEnvironmentObjects',
    method: 'GET',
    path: '/organizations/{organizationId}/environment-objects',
    summary: 'List environment objects',
    description: 'Lists the environment objects of a Workspace or a Deployment (or of the whole Organization). With deploymentId and resolveLinked, the Workspace objects linked to the Deployment are listed too, as it sees them. Secret values show only with showSecrets, for Organization Owners.',
    tag: TAG,
    permission: PERMISSION,
    params: OrganizationIdParam,
    query: ListEnvironmentObjectsQuery,
    success: { status: 200, schema: EnvironmentObjectsPaginated },
    errors: READ_ERRORS,
    target: ({ app, params, query }) => service.listTarget(app, params.organizationId, query),
    rules: service.V1_RULES,
    handler: ({ app, principal, params, query, rules }) => service.listObjects(app, principal, params.organizationId, query, rules),
  }),
  defineOperation({
    operationId: 'CreateEnvironmentObject',
    method: 'POST',
    path: '/organizations/{organizationId}/environment-objects',
    summary: 'Create an environment object',
    description: 'Creates an Airflow variable, connection, metrics export or environment variable in a Workspace or a Deployment; Workspace objects can be linked to its Deployments. The answer is the new id only.',
    tag: TAG,
    permission: PERMISSION,
    params: OrganizationIdParam,
    body: CreateEnvironmentObjectRequest,
    bodyDescription: 'The object to create.',
    success: { status: 200, schema: CreateEnvironmentObject },
    errors: WRITE_ERRORS,
    target: ({ app, params, body }) => service.createTarget(app, params.organizationId, body),
    handler: ({ app, principal, params, body }) => service.createObject(app, principal, params.organizationId, body),
  }),
  defineOperation({
    operationId: 'DeleteEnvironmentObject',
    method: 'DELETE',
    path: '/organizations/{organizationId}/environment-objects/{environmentObjectId}',
    summary: 'Delete an environment object',
    description: 'Deletes an environment object with its links.',
    tag: TAG,
    permission: PERMISSION,
    params: EnvironmentObjectParams,
    success: { status: 204 },
    errors: WRITE_ERRORS,
    target: byPath,
    rules: service.V1_RULES,
    handler: ({ app, params, rules }) => service.deleteObject(app, params.organizationId, params.environmentObjectId, rules),
  }),
  defineOperation({
    operationId: 'GetEnvironmentObject',
    method: 'GET',
    path: '/organizations/{organizationId}/environment-objects/{environmentObjectId}',
    summary: 'Get an environment object',
    description: 'Reads one environment object with its links; secret values are masked.',
    tag: TAG,
    permission: PERMISSION,
    params: EnvironmentObjectParams,
    success: { status: 200, schema: EnvironmentObject },
    errors: READ_ERRORS,
    target: byPath,
    rules: service.V1_RULES,
    handler: ({ app, params, rules }) => service.getObject(app, params.organizationId, params.environmentObjectId, rules),
  }),
  defineOperation({
    operationId: 'UpdateEnvironmentObject',
    method: 'POST',
    path: '/organizations/{organizationId}/environment-objects/{environmentObjectId}',
    summary: 'Update an environment object',
    description: 'Changes an environment object. The block of its type is required; links, excludeLinks and autoLinkDeployments are replaced (left out: none); a secret sent empty or left out keeps its value.',
    tag: TAG,
    permission: PERMISSION,
    params: EnvironmentObjectParams,
    body: UpdateEnvironmentObjectRequest,
    bodyDescription: 'The new state of the object.',
    success: { status: 200, schema: EnvironmentObject },
    errors: WRITE_ERRORS,
    target: byPath,
    rules: service.V1_RULES,
    handler: ({ app, principal, params, body, rules }) => service.updateObject(app, principal, params.organizationId, params.environmentObjectId, body, rules),
  }),
  defineOperation({
    operationId: 'ExcludeLinkingEnvironmentObject',
    method: 'POST',
    path: '/organizations/{organizationId}/environment-objects/{environmentObjectId}/exclude-linking',
    summary: 'Exclude a Deployment from linking',
    description: 'Leaves one Deployment of the Workspace out of a Workspace object\'s automatic linking; excluding it again changes nothing.',
    tag: TAG,
    permission: PERMISSION,
    params: EnvironmentObjectParams,
    body: ExcludeLinkEnvironmentObjectRequest,
    bodyDescription: 'The Deployment to exclude.',
    success: { status: 200 },
    errors: WRITE_ERRORS,
    target: byPath,
    rules: service.V1_RULES,
    handler: ({ app, principal, params, body, rules }) => service.excludeLinking(app, principal, params.organizationId, params.environmentObjectId, body, rules),
  }),
];
