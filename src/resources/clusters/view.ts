import { found } from '../../core/errors.js';
import type { CloudProvider } from '../../core/schemas.js';
import { toBool } from '../../store/codecs.js';
import type { Queryable } from '../../store/types.js';
import { wireTime } from '../../time.js';
import { lifecycle } from './lifecycle.js';
import * as repo from './repo.js';
import type { ClusterMetadataView, ClusterType, ClusterView, K8sTag, NodePoolView } from './schema.js';

/** The canonical read model of clusters, as /v1 shows them. */

export function poolView(row: repo.NodePoolRow, provider: CloudProvider): NodePoolView {
  return {
    cloudProvider: provider,
    clusterId: row.cluster_id,
    createdAt: wireTime(row.created_at),
    id: row.id,
    isDefault: toBool(row.is_default),
    maxNodeCount: row.max_node_count,
    name: row.name,
    nodeInstanceType: row.node_instance_type,
    supportedAstroMachines: row.supported_astro_machines ? (JSON.parse(row.supported_astro_machines) as string[]) : undefined,
    updatedAt: wireTime(row.updated_at),
  };
}

const orUndefined = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

export async function clusterViews(db: Queryable, rows: repo.ClusterRow[], now: Date): Promise<ClusterView[]> {
  const ids = rows.map((r) => r.id);
  const pools = await repo.nodePoolsOf(db, ids);
  const workspaces = await repo.workspaceIdsOf(db, ids);
  return rows.map((r) => {
    const provider = r.cloud_provider as CloudProvider;
    const life = lifecycle(r, now);
    const dr = toBool(r.is_dr_enabled);
    const tags = JSON.parse(r.k8s_tags) as K8sTag[];
    const ws = workspaces.get(r.id) ?? [];
    return {
      cloudProvider: provider,
      createdAt: wireTime(r.created_at),
      dbInstanceType: r.db_instance_type,
      drPodSubnetRange: dr ? orUndefined(r.dr_pod_subnet_range) : undefined,
      drRegion: dr ? r.dr_region : '',
      drSecondaryVpcCidr: dr ? orUndefined(r.dr_secondary_vpc_cidr) : undefined,
      drServicePeeringRange: dr ? orUndefined(r.dr_service_peering_range) : undefined,
      drServiceSubnetRange: dr ? orUndefined(r.dr_service_subnet_range) : undefined,
      drVpcSubnetRange: dr ? orUndefined(r.dr_vpc_subnet_range) : undefined,
      enableReplicationTimeControl: dr && r.enable_replication_time_control !== null ? toBool(r.enable_replication_time_control) : undefined,
      failoverInProgress: life.failoverInProgress,
      healthStatus: { value: life.status === 'CREATING' ? 'UNKNOWN' : 'HEALTHY' },
      id: r.id,
      isDrEnabled: dr,
      isFailedOver: life.isFailedOver,
      isLimited: toBool(r.is_limited),
      isPrivateNetworkEgressEnabled: r.is_private_network_egress_enabled === null ? undefined : toBool(r.is_private_network_egress_enabled),
      metadata: JSON.parse(r.metadata) as ClusterMetadataView,
      name: r.name,
      nodePools: (pools.get(r.id) ?? []).map((p) => poolView(p, provider)),
      organizationId: r.organization_id,
      podSubnetRange: orUndefined(r.pod_subnet_range),
      providerAccount: orUndefined(r.provider_account),
      region: r.region,
      secondaryVpcCidr: orUndefined(r.secondary_vpc_cidr),
      servicePeeringRange: orUndefined(r.service_peering_range),
      serviceSubnetRange: orUndefined(r.service_subnet_range),
      status: life.status,
      tags: tags.length > 0 ? tags : undefined,
      tenantId: orUndefined(r.tenant_id),
      type: r.type as ClusterType,
      updatedAt: wireTime(r.updated_at),
      vpcSubnetRange: r.vpc_subnet_range,
      workspaceIds: ws.length > 0 ? ws : undefined,
    };
  });
}

/** One cluster read from the store (also the read-back after a write): a 404 when it is gone. */
export async function clusterView(db: Queryable, organizationId: string, id: string, now: Date): Promise<ClusterView> {
  return (await clusterViews(db, [found(await repo.findCluster(db, organizationId, id), 'Cluster')], now))[0]!;
}

