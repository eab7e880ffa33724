import { defineOperation, ITEM_ERRORS, STANDARD_ERRORS } from '../../http/operation.js';
import { OrganizationIdParam } from '../../core/schemas.js';
import { Cluster, ClusterParams, ClustersPaginated, CreateClusterRequest, ListClustersQuery, UpdateClusterRequest } from './schema.js';
import * as service from './service.js';

const TAG = 'Cluster';

/** Create and update may also answer 412 (a plan precondition); update and delete 409 while the cluster is busy. */
const CREATE_ERRORS = [400, 401, 403, 404, 412, 500];
const UPDATE_ERRORS = [400, 401, 403, 404, 409, 412, 500];
const DELETE_ERRORS = [400, 401, 403, 404, 409, 500];

export const operations = [
  defineOperation({
    operationId: 'ListClusters',
    method: 'GET',
    path: '/organizations/{organizationId}/clusters',
    summary: 'List clusters',
    description: 'Lists the dedicated and hybrid clusters of an Organization, optionally only some names or one cloud provider.',
    tag: TAG,
    permission: 'organization.clusters.get',
    params: OrganizationIdParam,
    query: ListClustersQuery,
    success: { status: 200, schema: ClustersPaginated },
    errors: STANDARD_ERRORS,
    handler: ({ app, params, query }) => service.listClusters(app, params.organizationId, query),
  }),
  defineOperation({
    operationId: 'CreateCluster',
    method: 'POST',
    path: '/organizations/{organizationId}/clusters',
    summary: 'Create a cluster',
    description: 'Creates a dedicated cluster: a Kubernetes cluster reserved for the Organization\'s Deployments. The body\'s shape depends on cloudProvider.',
    tag: TAG,
    permission: 'organization.clusters.create',
    params: OrganizationIdParam,
    body: CreateClusterRequest,
    bodyDescription: 'The cluster to create.',
    success: { status: 200, schema: Cluster },
    errors: CREATE_ERRORS,
    handler: ({ app, principal, params, body }) => service.createCluster(app, principal, params.organizationId, body),
  }),
  defineOperation({
    operationId: 'GetCluster',
    method: 'GET',
    path: '/organizations/{organizationId}/clusters/{clusterId}',
    summary: 'Get a cluster',
    description: 'Reads one cluster, with its node pools and current status.',
    tag: TAG,
    permission: 'organization.clusters.get',
    params: ClusterParams,
    success: { status: 200, schema: Cluster },
    errors: ITEM_ERRORS,
    handler: ({ app, params }) => service.getCluster(app, params.organizationId, params.clusterId),
  }),
  defineOperation({
    operationId: 'UpdateCluster',
    method: 'POST',
    path: '/organizations/{organizationId}/clusters/{clusterId}',
    summary: 'Update a cluster',
    description: 'Changes a cluster. Dedicated clusters take a new name, tags, node pools, Workspaces and disaster-recovery settings; hybrid clusters only a new list of Workspaces. Answers 409 while an earlier change is still running.',
    tag: TAG,
    permission: 'organization.clusters.update',
    params: ClusterParams,
    body: UpdateClusterRequest,
    bodyDescription: 'The changes to make.',
    success: { status: 200, schema: Cluster },
    errors: UPDATE_ERRORS,
    handler: ({ app, principal, params, body }) => service.updateCluster(app, principal, params.organizationId, params.clusterId, body),
  }),
  defineOperation({
    operationId: 'DeleteCluster',
    method: 'DELETE',
    path: '/organizations/{organizationId}/clusters/{clusterId}',
    summary: 'Delete a cluster',
    description: 'Deletes a cluster. Answers 409 while a change to it is still running.',
    tag: TAG,
    permission: 'organization.clusters.delete',
    params: ClusterParams,
    success: { status: 204 },
    errors: DELETE_ERRORS,
    handler: ({ app, params }) => app.ports.deletes.cluster(app, params.organizationId, params.clusterId),
  }),
];
