import type { AppContext } from '../../context.js';
import { actor } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import type { SubjectRef } from '../../auth/subjects.js';
import { FieldCode, found, invalidField } from '../../core/errors.js';
import type { CloudProvider } from '../../core/schemas.js';
import { requireText } from '../../core/rules.js';
import { createdColumns, updatedColumns } from '../../store/audit.js';
import { fromBool } from '../../store/codecs.js';
import { inTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import { newId } from '../../store/ids.js';
import { envelope, type PageRequest } from '../../store/pagination.js';
import type { ClustersTable } from '../../store/schema.js';
import { storedTime } from '../../time.js';
import { DEFAULT_NODE_INSTANCE, NETWORK_DEFAULTS, NODE_COUNT } from '../../platform/catalog.js';
import {
  checkDbInstance, checkOrganization, checkPools, checkRanges, checkRegion, checkSecondaryCidr, checkUpdatedPools, checkWorkspaces,
  normalizeTags, supportedMachines, type PoolSpec, type RangeSet,
} from './checks.js';
import { disasterRecovery, drForCreate, requireDrPlan, type Changes, type NewDr } from './dr.js';
import { assertIdle, pending, simulatedMetadata } from './lifecycle.js';
import * as repo from './repo.js';
import type { ClusterType, ClusterView, CreateAwsBody, CreateAzureBody, CreateClusterBody, CreateGcpBody, K8sTag, UpdateClusterBody, UpdateDedicatedBody, UpdateHybridBody } from './schema.js';
import { clusterView, clusterViews } from './view.js';

/** Audit reference of changes made by the operator through the `astrolabe` command. */
export const SYSTEM_SUBJECT: SubjectRef = { id: 'astrolabe', type: 'SYSTEM' };


// ---------------------------------------------------------------- create

interface NewCluster {
  organizationId: string;
  name: string;
  type: ClusterType;
  provider: CloudProvider;
  region: string;
  vpcSubnetRange: string;
  podSubnetRange?: string;
  serviceSubnetRange?: string;
  servicePeeringRange?: string;
  secondaryVpcCidr?: string;
  dbInstanceType: string;
  providerAccount?: string;
  tenantId?: string;
  isPrivateNetworkEgressEnabled?: boolean;
  k8sTags?: K8sTag[];
  pools: PoolSpec[];
  workspaceIds: string[];
  dr?: NewDr;
}

async function insertNew(tx: Queryable, c: NewCluster, by: SubjectRef, pendingCols: Pick<ClustersTable, 'pending_status' | 'pending_until'>, now: Date): Promise<string> {
  const at = storedTime(now);
  const id = newId();
  const metadata = simulatedMetadata({ id, provider: c.provider, region: c.region, serviceSubnetRange: c.serviceSubnetRange, providerAccount: c.providerAccount, tenantId: c.tenantId });
  await repo.insertCluster(tx, {
    id,
    organization_id: c.organizationId,
    name: c.name,
    type: c.type,
    cloud_provider: c.provider,
    region: c.region,
    vpc_subnet_range: c.vpcSubnetRange,
    pod_subnet_range: c.podSubnetRange ?? null,
    service_subnet_range: c.serviceSubnetRange ?? null,
    service_peering_range: c.servicePeeringRange ?? null,
    secondary_vpc_cidr: c.secondaryVpcCidr ?? null,
    db_instance_type: c.dbInstanceType,
    provider_account: c.providerAccount || null,
    tenant_id: c.tenantId || null,
    is_limited: 0,
    is_private_network_egress_enabled: c.isPrivateNetworkEgressEnabled === undefined ? null : fromBool(c.isPrivateNetworkEgressEnabled),
    k8s_tags: normalizeTags(c.k8sTags),
    metadata: JSON.stringify(metadata),
    dr_region: c.dr?.region ?? '',
    is_dr_enabled: fromBool(c.dr !== undefined),
    dr_vpc_subnet_range: c.dr?.vpcSubnetRange ?? null,
    dr_secondary_vpc_cidr: c.dr?.secondaryVpcCidr ?? null,
    dr_pod_subnet_range: c.dr?.podSubnetRange ?? null,
    dr_service_subnet_range: c.dr?.serviceSubnetRange ?? null,
    dr_service_peering_range: c.dr?.servicePeeringRange ?? null,
    enable_replication_time_control: c.dr ? fromBool(c.dr.enableReplicationTimeControl) : null,
    is_failed_over: 0,
    ...pendingCols,
    ...createdColumns(by, now),
  });
  for (const p of c.pools) {
    await repo.insertNodePool(tx, {
      id: newId(),
      cluster_id: id,
      name: p.name,
      is_default: fromBool(p.isDefault),
      max_node_count: p.maxNodeCount,
      node_instance_type: p.nodeInstanceType,
      supported_astro_machines: supportedMachines(c.type, c.provider, p.nodeInstanceType),
      created_at: at,
      updated_at: at,
    });
  }
  await repo.replaceWorkspaces(tx, id, c.workspaceIds);
  return id;
}

type AnyCreate = Partial<CreateAwsBody & CreateAzureBody & CreateGcpBody> & Pick<CreateClusterBody, 'cloudProvider' | 'name' | 'region' | 'type' | 'vpcSubnetRange'>;

export async function createCluster(app: AppContext, p: Principal, organizationId: string, body: CreateClusterBody): Promise<ClusterView> {
  const b = body as AnyCreate;
  const provider = b.cloudProvider;
  requireText('name', b.name);
  if (b.type !== 'DEDICATED') {
    throw invalidField('type', FieldCode.oneOf, 'type must be one of [DEDICATED]: HYBRID clusters cannot be created through the API');
  }
  checkRegion('DEDICATED', provider, b.region);

  // Only the fields of the provider's request shape count.
  const aws = provider === 'AWS';
  const gcp = provider === 'GCP';
  const secondaryVpcCidr = aws ? b.secondaryVpcCidr || undefined : undefined;
  const primary: RangeSet = [
    ['vpcSubnetRange', b.vpcSubnetRange],
    ['podSubnetRange', gcp ? b.podSubnetRange : undefined],
    ['serviceSubnetRange', gcp ? b.serviceSubnetRange : undefined],
    ['servicePeeringRange', gcp ? b.servicePeeringRange : undefined],
    ['secondaryVpcCidr', secondaryVpcCidr],
  ];
  checkRanges(primary);
  checkSecondaryCidr('secondaryVpcCidr', secondaryVpcCidr);
  const dbInstanceType = checkDbInstance(provider, b.dbInstanceType);
  const pools = checkPools(provider, b.nodePools);

  const dr = drForCreate(b, secondaryVpcCidr);

  return inTransaction(app.db, async (tx) => {
    await checkOrganization(tx, organizationId);
    const workspaceIds = await checkWorkspaces(tx, organizationId, b.workspaceIds ?? []);
    if (dr) await requireDrPlan(tx, organizationId);
    const now = app.clock.now();
    const id = await insertNew(tx, {
      organizationId,
      name: b.name,
      type: 'DEDICATED',
      provider,
      region: b.region,
      vpcSubnetRange: b.vpcSubnetRange,
      podSubnetRange: gcp ? b.podSubnetRange : undefined,
      serviceSubnetRange: gcp ? b.serviceSubnetRange : undefined,
      servicePeeringRange: gcp ? b.servicePeeringRange : undefined,
      secondaryVpcCidr,
      dbInstanceType,
      providerAccount: b.providerAccount,
      tenantId: provider === 'AZURE' ? b.tenantId : undefined,
      isPrivateNetworkEgressEnabled: aws ? b.isPrivateNetworkEgressEnabled ?? false : undefined,
      k8sTags: b.k8sTags,
      pools,
      workspaceIds,
      dr,
    }, actor(p), pending(app, 'CREATING', now), now);
    return clusterView(tx, organizationId, id, now);
  });
}

export interface HybridRegistration {
  organizationId: string;
  name: string;
  cloudProvider: CloudProvider;
  region: string;
  vpcSubnetRange?: string;
  dbInstanceType?: string;
  nodeInstanceType?: string;
  providerAccount?: string;
}

/**
 * Registers a HYBRID cluster, the step the API itself does not offer: region from the hybrid
 * list, the provider's network defaults, one default node pool, and CREATED at once.
 */
export async function registerHybridCluster(app: AppContext, r: HybridRegistration, by: SubjectRef = SYSTEM_SUBJECT): Promise<ClusterView> {
  const provider = r.cloudProvider;
  requireText('name', r.name);
  checkRegion('HYBRID', provider, r.region);
  const net = NETWORK_DEFAULTS[provider];
  const vpcSubnetRange = r.vpcSubnetRange ?? net.vpcSubnetRange;
  // The provider defaults first, so a clash is reported on the range the operator chose.
  checkRanges([
    ['podSubnetRange', net.podSubnetRange],
    ['serviceSubnetRange', net.serviceSubnetRange],
    ['servicePeeringRange', net.servicePeeringRange],
    ['vpcSubnetRange', vpcSubnetRange],
  ]);
  const dbInstanceType = checkDbInstance(provider, r.dbInstanceType);
  const nodeInstanceType = r.nodeInstanceType ?? DEFAULT_NODE_INSTANCE[provider];
  const pools = checkPools(provider, [{ name: 'default', nodeInstanceType, maxNodeCount: NODE_COUNT.default, isDefault: true }]);
  return inTransaction(app.db, async (tx) => {
    await checkOrganization(tx, r.organizationId);
    const now = app.clock.now();
    const id = await insertNew(tx, {
      organizationId: r.organizationId,
      name: r.name,
      type: 'HYBRID',
      provider,
      region: r.region,
      vpcSubnetRange,
      podSubnetRange: net.podSubnetRange,
      serviceSubnetRange: net.serviceSubnetRange,
      servicePeeringRange: net.servicePeeringRange,
      dbInstanceType,
      providerAccount: r.providerAccount,
      pools,
      workspaceIds: [],
    }, by, { pending_status: null, pending_until: null }, now);
    return clusterView(tx, r.organizationId, id, now);
  });
}

// ---------------------------------------------------------------- read

export async function listClusters(app: AppContext, organizationId: string, q: { names?: string[]; provider?: CloudProvider } & PageRequest) {
  const page = await repo.listClusters(app.db, organizationId, { names: q.names, provider: q.provider }, q);
  return envelope('clusters', page, await clusterViews(app.db, page.items, app.clock.now()));
}

export async function getCluster(app: AppContext, organizationId: string, id: string): Promise<ClusterView> {
  return clusterView(app.db, organizationId, id, app.clock.now());
}


export async function updateCluster(app: AppContext, p: Principal, organizationId: string, id: string, body: UpdateClusterBody): Promise<ClusterView> {
  return inTransaction(app.db, async (tx) => {
    await repo.lockCluster(tx, organizationId, id);
    const row = found(await repo.findCluster(tx, organizationId, id), 'Cluster');
    const requested = body.clusterType ?? 'DEDICATED';
    if (requested !== row.type) {
      throw invalidField('clusterType', FieldCode.oneOf, `clusterType must be ${row.type} for this cluster, got ${requested}`);
    }
    const now = app.clock.now();
    assertIdle(row, now);
    const by = actor(p);
    let changes: Changes;
    let failover = false;
    if (row.type === 'HYBRID') {
      changes = {};
      const b = body as UpdateHybridBody;
      if (b.workspaceIds !== undefined) await repo.replaceWorkspaces(tx, id, await checkWorkspaces(tx, organizationId, b.workspaceIds));
    } else {
      ({ changes, failover } = await updateDedicated(tx, row, body as UpdateDedicatedBody, now));
    }
    await repo.updateCluster(tx, id, {
      ...changes,
      ...pending(app, failover ? 'FAILING_OVER' : 'UPDATING', now),
      ...updatedColumns(by, now),
    });
    return clusterView(tx, organizationId, id, now);
  });
}

async function updateDedicated(tx: Queryable, row: repo.ClusterRow, b: UpdateDedicatedBody, now: Date): Promise<{ changes: Changes; failover: boolean }> {
  const provider = row.cloud_provider as CloudProvider;
  requireText('name', b.name);
  const changes: Changes = { name: b.name, k8s_tags: normalizeTags(b.k8sTags) };
  if (b.dbInstanceType !== undefined && b.dbInstanceType !== '') changes.db_instance_type = checkDbInstance(provider, b.dbInstanceType);
  if (provider === 'AWS' && b.isPrivateNetworkEgressEnabled !== undefined) changes.is_private_network_egress_enabled = fromBool(b.isPrivateNetworkEgressEnabled);

  const pools = b.nodePools !== undefined ? checkUpdatedPools(provider, b.nodePools) : undefined;
  const { changes: drChanges, failover, enabling } = disasterRecovery(row, b);
  Object.assign(changes, drChanges);

  if (pools) {
    const existing = (await repo.nodePoolsOf(tx, [row.id])).get(row.id) ?? [];
    const known = new Set(existing.map((x) => x.id));
    pools.forEach((pool, i) => {
      if (pool.id !== undefined && !known.has(pool.id)) {
        throw invalidField(`nodePools[${i}].id`, FieldCode.exists, `nodePools[${i}].id does not name a node pool of this cluster`);
      }
    });
  }
  const workspaceIds = b.workspaceIds !== undefined ? await checkWorkspaces(tx, row.organization_id, b.workspaceIds) : undefined;
  if (enabling) await requireDrPlan(tx, row.organization_id);

  // Every check passed: write.
  if (pools) await replacePools(tx, row, pools, now);
  if (workspaceIds) await repo.replaceWorkspaces(tx, row.id, workspaceIds);
  return { changes, failover };
}


async function replacePools(tx: Queryable, row: repo.ClusterRow, pools: PoolSpec[], now: Date): Promise<void> {
  const provider = row.cloud_provider as CloudProvider;
  const type = row.type as ClusterType;
  const at = storedTime(now);
  const existing = (await repo.nodePoolsOf(tx, [row.id])).get(row.id) ?? [];
  const kept = new Set(pools.map((x) => x.id).filter((x): x is string => x !== undefined));
  await repo.deleteNodePools(tx, existing.filter((x) => !kept.has(x.id)).map((x) => x.id));
  for (const pool of pools) {
    const cols = {
      name: pool.name,
      is_default: fromBool(pool.isDefault),
      max_node_count: pool.maxNodeCount,
      node_instance_type: pool.nodeInstanceType,
      supported_astro_machines: supportedMachines(type, provider, pool.nodeInstanceType),
    };
    const old = pool.id !== undefined ? existing.find((x) => x.id === pool.id) : undefined;
    if (old) {
      const same = old.name === cols.name && old.is_default === cols.is_default && old.max_node_count === cols.max_node_count && old.node_instance_type === cols.node_instance_type;
      if (!same) await repo.updateNodePool(tx, old.id, { ...cols, updated_at: at });
    } else {
      await repo.insertNodePool(tx, { id: newId(), cluster_id: row.id, ...cols, created_at: at, updated_at: at });
    }
  }
}

// ---------------------------------------------------------------- delete

/**
 * The cluster a delete acts on, under its row lock (src/resources/cascades.ts then checks what it
 * hosts): a cluster still being created or updated cannot go yet (409).
 */
export async function lockForDelete(tx: Queryable, organizationId: string, id: string, now: Date): Promise<void> {
  await repo.lockCluster(tx, organizationId, id);
  assertIdle(found(await repo.findCluster(tx, organizationId, id), 'Cluster'), now);
}

