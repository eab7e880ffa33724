import Type, { type TObject, type TProperties, type TSchema } from 'typebox';
import { byOperationId, presentAs, without } from '../../http/projection.js';
import { discriminatedUnion, named, paginated } from '../../core/schemas.js';
import { operations } from './routes.js';
import {
  Cluster, CreateAwsClusterRequest, CreateAzureClusterRequest, CreateGcpClusterRequest, UpdateDedicatedClusterRequest,
  UpdateHybridClusterRequest, type ClusterView,
} from './schema.js';


/**
 * Clusters on /platform/v1beta1: the older shapes have no private-network egress switch. A
 * cluster created there has it off; an update there leaves it as it is (a switch sent anyway is
 * dropped, not applied).
 */
const EGRESS = ['isPrivateNetworkEgressEnabled'] as const;

const ClusterV1beta1 = named('Cluster', Type.Omit(Cluster, EGRESS));
const ClustersPaginatedV1beta1 = paginated('ClustersPaginated', 'clusters', ClusterV1beta1);

/** A request body of v1 in the older form: no egress switch, and a Workspace may not be listed twice. */
function older<P extends TProperties & { workspaceIds: TSchema }>(name: string, body: TObject<P>) {
  const description = (body.properties.workspaceIds as { description?: string }).description ?? 'Workspaces allowed to run Deployments on the cluster.';
  // Not every member has the egress switch, so the keys are not all keys of P.
  const rest = without(body.properties, [...EGRESS, 'workspaceIds'] as (keyof P)[]) as unknown as Omit<P, (typeof EGRESS)[number] | 'workspaceIds'>;
  return named(name, Type.Object({ ...rest, workspaceIds: Type.Optional(Type.Array(Type.String(), { uniqueItems: true, description })) }));
}

const CreateClusterRequestV1beta1 = discriminatedUnion(
  'CreateClusterRequest',
  'cloudProvider',
  {
    AWS: older('CreateAwsClusterRequest', CreateAwsClusterRequest),
    AZURE: older('CreateAzureClusterRequest', CreateAzureClusterRequest),
    GCP: older('CreateGcpClusterRequest', CreateGcpClusterRequest),
  },
  'The cluster to create; cloudProvider decides which fields apply.',
  { untyped: true },
);

const UpdateClusterRequestV1beta1 = discriminatedUnion(
  'UpdateClusterRequest',
  'clusterType',
  {
    DEDICATED: older('UpdateDedicatedClusterRequest', UpdateDedicatedClusterRequest),
    HYBRID: older('UpdateHybridClusterRequest', UpdateHybridClusterRequest),
  },
  'The changes to make; clusterType must match the kind of the cluster.',
  { untyped: true },
);

const toV1beta1 = (c: ClusterView) => without(c, EGRESS);

const v1 = byOperationId(operations);

export const platformOperations = [
  presentAs(v1.ListClusters, {
    success: ClustersPaginatedV1beta1,
    out: (page) => ({ ...page, clusters: page.clusters.map(toV1beta1) }),
  }),
  presentAs(v1.CreateCluster, { body: CreateClusterRequestV1beta1, dropsUndeclared: true, success: ClusterV1beta1, out: toV1beta1 }),
  presentAs(v1.GetCluster, { success: ClusterV1beta1, out: toV1beta1 }),
  presentAs(v1.UpdateCluster, { body: UpdateClusterRequestV1beta1, dropsUndeclared: true, success: ClusterV1beta1, out: toV1beta1 }),
  presentAs(v1.DeleteCluster),
];
