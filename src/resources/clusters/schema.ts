import Type, { type Static } from 'typebox';
import { CLOUD_PROVIDERS, DateTime, discriminatedUnion, named, OrganizationIdParam, pageQuery, paginated, StringEnum } from '../../core/schemas.js';

export const CLUSTER_TYPES = ['DEDICATED', 'HYBRID'] as const;
export type ClusterType = (typeof CLUSTER_TYPES)[number];

export const CLUSTER_STATUSES = [
  'CREATING', 'CREATED', 'CREATE_FAILED', 'UPDATE_FAILED', 'UPDATING', 'ACCESS_DENIED', 'UPGRADE_PENDING', 'FAILING_OVER', 'FAILOVER_FAILED',
] as const;
export type ClusterStatus = (typeof CLUSTER_STATUSES)[number];

export const HEALTH_VALUES = ['HEALTHY', 'UNHEALTHY', 'UNKNOWN'] as const;

// ---------------------------------------------------------------- responses

export const ClusterK8sTag = named('ClusterK8sTag', Type.Object({
  key: Type.Optional(Type.String({ description: 'Name of the Kubernetes tag.' })),
  value: Type.Optional(Type.String({ description: 'Value of the Kubernetes tag.' })),
}));
export type K8sTag = Static<typeof ClusterK8sTag>;

export const ClusterHealthStatusDetail = named('ClusterHealthStatusDetail', Type.Object({
  code: Type.String({ description: 'Health verdict for one part of the cluster.' }),
  component: Type.Optional(Type.String({ description: 'The part of the cluster the verdict is about.' })),
  description: Type.String({ description: 'What was checked, for people.' }),
  severity: Type.String({ description: 'How much this part weighs in the overall verdict.' }),
}));

export const ClusterHealthStatus = named('ClusterHealthStatus', Type.Object({
  details: Type.Optional(Type.Array(ClusterHealthStatusDetail, { description: 'The individual checks behind the overall verdict.' })),
  value: StringEnum(HEALTH_VALUES, { description: 'Overall health of the cluster.' }),
}));

export const ClusterMetadata = named('ClusterMetadata', Type.Object({
  externalIPs: Type.Optional(Type.Array(Type.String(), { description: 'Public addresses the cluster\'s outbound traffic comes from.' })),
  kubeDnsIp: Type.Optional(Type.String({ description: 'Address of the cluster\'s kube-dns service.' })),
  oidcIssuerUrl: Type.Optional(Type.String({ description: 'URL of the cluster\'s OIDC issuer, for workload identity federation.' })),
}));
export type ClusterMetadataView = Static<typeof ClusterMetadata>;

export const NodePool = named('NodePool', Type.Object({
  cloudProvider: StringEnum(CLOUD_PROVIDERS, { description: 'Cloud provider of the node pool\'s cluster.' }),
  clusterId: Type.String({ description: 'The cluster the node pool belongs to.' }),
  createdAt: DateTime('When the node pool was created.'),
  id: Type.String({ description: 'Identifier of the node pool.' }),
  isDefault: Type.Boolean({ description: 'Whether this is the cluster\'s default node pool.' }),
  maxNodeCount: Type.Integer({ description: 'Largest number of nodes the pool scales to.' }),
  name: Type.String({ description: 'The node pool\'s name.' }),
  nodeInstanceType: Type.String({ description: 'Machine type of the pool\'s nodes.' }),
  supportedAstroMachines: Type.Optional(Type.Array(Type.String(), { description: 'Astro worker types the pool\'s nodes can run; dedicated clusters only.' })),
  updatedAt: DateTime('When the node pool was last changed.'),
}));
export type NodePoolView = Static<typeof NodePool>;

export const Cluster = named('Cluster', Type.Object({
  cloudProvider: StringEnum(CLOUD_PROVIDERS, { description: 'Cloud provider the cluster runs on.' }),
  createdAt: DateTime('When the cluster was created.'),
  dbInstanceType: Type.String({ description: 'Machine type of the cluster\'s metadata database.' }),
  drPodSubnetRange: Type.Optional(Type.String({ description: 'Pod range in the disaster-recovery region (GCP).' })),
  drRegion: Type.String({ description: 'Disaster-recovery region; empty when disaster recovery is off.' }),
  drSecondaryVpcCidr: Type.Optional(Type.String({ description: 'Secondary VPC range in the disaster-recovery region (AWS).' })),
  drServicePeeringRange: Type.Optional(Type.String({ description: 'Service peering range in the disaster-recovery region (GCP).' })),
  drServiceSubnetRange: Type.Optional(Type.String({ description: 'Service range in the disaster-recovery region (GCP).' })),
  drVpcSubnetRange: Type.Optional(Type.String({ description: 'VPC range in the disaster-recovery region.' })),
  enableReplicationTimeControl: Type.Optional(Type.Boolean({ description: 'Whether task-log bucket replication runs with Replication Time Control.' })),
  failoverInProgress: Type.Optional(Type.Boolean({ description: 'Whether a failover or failback is running right now.' })),
  healthStatus: Type.Optional(ClusterHealthStatus),
  id: Type.String({ description: 'Identifier of the cluster.' }),
  isDrEnabled: Type.Boolean({ description: 'Whether disaster recovery is on.' }),
  isFailedOver: Type.Optional(Type.Boolean({ description: 'Whether the cluster currently runs in its disaster-recovery region.' })),
  isLimited: Type.Optional(Type.Boolean({ description: 'Whether the cluster runs with limited capacity.' })),
  isPrivateNetworkEgressEnabled: Type.Optional(Type.Boolean({ description: 'Whether Deployments and metrics exports of the cluster are cut off from the public Internet (AWS).' })),
  metadata: Type.Optional(ClusterMetadata),
  name: Type.String({ description: 'Display name of the cluster.' }),
  nodePools: Type.Optional(Type.Array(NodePool, { description: 'The cluster\'s node pools.' })),
  organizationId: Type.String({ description: 'The Organization the cluster belongs to.' }),
  podSubnetRange: Type.Optional(Type.String({ description: 'Pod range (GCP).' })),
  providerAccount: Type.Optional(Type.String({ description: 'Cloud account the cluster runs in.' })),
  region: Type.String({ description: 'The provider region the cluster runs in.' }),
  secondaryVpcCidr: Type.Optional(Type.String({ description: 'Secondary VPC range used for pods (AWS).' })),
  servicePeeringRange: Type.Optional(Type.String({ description: 'Service peering range (GCP).' })),
  serviceSubnetRange: Type.Optional(Type.String({ description: 'Service range (GCP).' })),
  status: StringEnum(CLUSTER_STATUSES, { description: 'Where the cluster is in its lifecycle.' }),
  tags: Type.Optional(Type.Array(ClusterK8sTag, { description: 'Kubernetes tags of the cluster.' })),
  tenantId: Type.Optional(Type.String({ description: 'Azure tenant of the cluster (Azure).' })),
  type: StringEnum(CLUSTER_TYPES, { description: 'Whether Astronomer hosts the cluster (DEDICATED) or it runs in the customer\'s account (HYBRID).' }),
  updatedAt: DateTime('When the cluster was last changed.'),
  vpcSubnetRange: Type.String({ description: 'The cluster\'s VPC range.' }),
  workspaceIds: Type.Optional(Type.Array(Type.String(), { description: 'Workspaces allowed to run Deployments on the cluster; left out when there are none.' })),
}));
export type ClusterView = Static<typeof Cluster>;

export const ClustersPaginated = paginated('ClustersPaginated', 'clusters', Cluster);

// ---------------------------------------------------------------- create

export const CreateNodePoolRequest = named('CreateNodePoolRequest', Type.Object({
  isDefault: Type.Optional(Type.Boolean({ description: 'Make this the default node pool. When no pool is flagged, the first one is the default.' })),
  maxNodeCount: Type.Integer({ description: 'Largest number of nodes the pool scales to.' }),
  name: Type.String({ description: 'The node pool\'s name, unique within the cluster.' }),
  nodeInstanceType: Type.String({ description: 'Machine type of the pool\'s nodes, from the cluster options.' }),
}));
export type CreateNodePoolBody = Static<typeof CreateNodePoolRequest>;

const createCommon = {
  cloudProvider: StringEnum(CLOUD_PROVIDERS, { description: 'Cloud provider to create the cluster on; selects the shape of the request.' }),
  dbInstanceType: Type.Optional(Type.String({ description: 'Machine type of the metadata database. Defaults to the provider\'s default database instance.' })),
  drRegion: Type.Optional(Type.String({ description: 'Disaster-recovery region; giving one turns disaster recovery on.' })),
  drVpcSubnetRange: Type.Optional(Type.String({ description: 'VPC range in the disaster-recovery region. Defaults to vpcSubnetRange.' })),
  enableReplicationTimeControl: Type.Optional(Type.Boolean({ description: 'Replicate task-log buckets with Replication Time Control (disaster recovery only).' })),
  k8sTags: Type.Optional(Type.Array(ClusterK8sTag, { description: 'Kubernetes tags to put on the cluster.' })),
  name: Type.String({ description: 'Display name of the cluster.' }),
  nodePools: Type.Optional(Type.Array(CreateNodePoolRequest, { description: 'Node pools to create. Without any, the cluster gets one default pool.' })),
  providerAccount: Type.Optional(Type.String({ description: 'Cloud account to run the cluster in.' })),
  region: Type.String({ description: 'Provider region to create the cluster in.' }),
  type: StringEnum(CLUSTER_TYPES, { description: 'The kind of cluster; only DEDICATED clusters can be created through the API.' }),
  vpcSubnetRange: Type.String({ description: 'The cluster\'s VPC range, an IPv4 CIDR.' }),
  workspaceIds: Type.Optional(Type.Array(Type.String(), { description: 'Workspaces allowed to run Deployments on the cluster.' })),
};

export const CreateAwsClusterRequest = named('CreateAwsClusterRequest', Type.Object({
  ...createCommon,
  drSecondaryVpcCidr: Type.Optional(Type.String({ description: 'Secondary VPC range in the disaster-recovery region. Defaults to secondaryVpcCidr.' })),
  isPrivateNetworkEgressEnabled: Type.Optional(Type.Boolean({ description: 'Cut the cluster\'s Deployments and metrics exports off from the public Internet.' })),
  secondaryVpcCidr: Type.Optional(Type.String({ description: 'Secondary VPC range for pods, an IPv4 CIDR from /16 to /20.' })),
}));

export const CreateAzureClusterRequest = named('CreateAzureClusterRequest', Type.Object({
  ...createCommon,
  tenantId: Type.Optional(Type.String({ description: 'Azure tenant to run the cluster in.' })),
}));

export const CreateGcpClusterRequest = named('CreateGcpClusterRequest', Type.Object({
  ...createCommon,
  drPodSubnetRange: Type.Optional(Type.String({ description: 'Pod range in the disaster-recovery region. Defaults to podSubnetRange.' })),
  drServicePeeringRange: Type.Optional(Type.String({ description: 'Service peering range in the disaster-recovery region. Defaults to servicePeeringRange.' })),
  drServiceSubnetRange: Type.Optional(Type.String({ description: 'Service range in the disaster-recovery region. Defaults to serviceSubnetRange.' })),
  podSubnetRange: Type.String({ description: 'Pod range, an IPv4 CIDR.' }),
  servicePeeringRange: Type.String({ description: 'Service peering range, an IPv4 CIDR.' }),
  serviceSubnetRange: Type.String({ description: 'Service range, an IPv4 CIDR.' }),
}));

export const CreateClusterRequest = discriminatedUnion(
  'CreateClusterRequest',
  'cloudProvider',
  { AWS: CreateAwsClusterRequest, AZURE: CreateAzureClusterRequest, GCP: CreateGcpClusterRequest },
  'The cluster to create; cloudProvider decides which fields apply.',
);
export type CreateAwsBody = Static<typeof CreateAwsClusterRequest>;
export type CreateAzureBody = Static<typeof CreateAzureClusterRequest>;
export type CreateGcpBody = Static<typeof CreateGcpClusterRequest>;
export type CreateClusterBody = CreateAwsBody | CreateAzureBody | CreateGcpBody;

// ---------------------------------------------------------------- update

export const UpdateNodePoolRequest = named('UpdateNodePoolRequest', Type.Object({
  id: Type.Optional(Type.String({ description: 'ID of an existing node pool to keep; leave out to add a new pool.' })),
  isDefault: Type.Optional(Type.Boolean({ description: 'Make this the default node pool.' })),
  maxNodeCount: Type.Integer({ description: 'Largest number of nodes the pool scales to.' }),
  name: Type.String({ description: 'The node pool\'s name, unique within the cluster.' }),
  nodeInstanceType: Type.String({ description: 'Machine type of the pool\'s nodes.' }),
}));
export type UpdateNodePoolBody = Static<typeof UpdateNodePoolRequest>;

const workspaceIdsUpdate = Type.Optional(Type.Array(Type.String(), {
  description: 'Workspaces allowed to run Deployments on the cluster. Left out, the current list stays; an empty list removes them all.',
}));

export const UpdateDedicatedClusterRequest = named('UpdateDedicatedClusterRequest', Type.Object({
  clusterType: Type.Optional(StringEnum(['DEDICATED'] as const, { description: 'Selects the dedicated form of the update.' })),
  dbInstanceType: Type.Optional(Type.String({ description: 'New machine type of the metadata database.' })),
  drPodSubnetRange: Type.Optional(Type.String({ description: 'Pod range in the disaster-recovery region (GCP).' })),
  drRegion: Type.Optional(Type.String({ description: 'Disaster-recovery region; cannot change once set.' })),
  drServicePeeringRange: Type.Optional(Type.String({ description: 'Service peering range in the disaster-recovery region (GCP).' })),
  drServiceSubnetRange: Type.Optional(Type.String({ description: 'Service range in the disaster-recovery region (GCP).' })),
  drVpcSubnetRange: Type.Optional(Type.String({ description: 'VPC range in the disaster-recovery region. Defaults to the cluster\'s VPC range.' })),
  enableDr: Type.Optional(Type.Boolean({ description: 'false turns disaster recovery off; true turns it on for an Azure cluster that has none.' })),
  enableReplicationTimeControl: Type.Optional(Type.Boolean({ description: 'Replicate task-log buckets with Replication Time Control (disaster recovery only).' })),
  isFailedOver: Type.Optional(Type.Boolean({ description: 'true fails the cluster over to its disaster-recovery region, false fails it back.' })),
  isPrivateNetworkEgressEnabled: Type.Optional(Type.Boolean({ description: 'Cut the cluster\'s Deployments and metrics exports off from the public Internet (AWS).' })),
  k8sTags: Type.Array(ClusterK8sTag, { description: 'The cluster\'s Kubernetes tags; replaces the current ones.' }),
  name: Type.String({ description: 'Display name of the cluster.' }),
  nodePools: Type.Optional(Type.Array(UpdateNodePoolRequest, { description: 'The full set of node pools; pools left out are removed.' })),
  workspaceIds: workspaceIdsUpdate,
}));
export type UpdateDedicatedBody = Static<typeof UpdateDedicatedClusterRequest>;

export const UpdateHybridClusterRequest = named('UpdateHybridClusterRequest', Type.Object({
  clusterType: StringEnum(['HYBRID'] as const, { description: 'Selects the hybrid form of the update.' }),
  workspaceIds: workspaceIdsUpdate,
}));
export type UpdateHybridBody = Static<typeof UpdateHybridClusterRequest>;

export const UpdateClusterRequest = discriminatedUnion(
  'UpdateClusterRequest',
  'clusterType',
  { DEDICATED: UpdateDedicatedClusterRequest, HYBRID: UpdateHybridClusterRequest },
  'The changes to make; clusterType must match the kind of the cluster.',
);
export type UpdateClusterBody = UpdateDedicatedBody | UpdateHybridBody;

// ---------------------------------------------------------------- parameters

export const ListClustersQuery = Type.Object({
  names: Type.Optional(Type.Array(Type.String(), { description: 'Only clusters with one of these exact names.' })),
  provider: Type.Optional(StringEnum(CLOUD_PROVIDERS, { description: 'Only clusters on this cloud provider.' })),
  ...pageQuery(['name', 'createdAt', 'updatedAt']),
});

export const ClusterParams = Type.Object({
  ...OrganizationIdParam.properties,
  clusterId: Type.String({ description: 'Identifier of the cluster.' }),
});
