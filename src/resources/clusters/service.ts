import { createHash } from 'node:crypto';
import type { AppContext } from '../../context.js';
import { actor } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import type { SubjectRef } from '../../auth/subjects.js';
import { conflict, invalidField, notFound, preconditionFailed } from '../../http/errors.js';
import type { PageRequest } from '../../store/pagination.js';
import type { CloudProvider } from '../../http/schemas.js';
import { requireText } from '../../http/rules.js';
import { fromBool, inTransaction, toBool, type Queryable } from '../../store/db.js';
import { newId } from '../../store/ids.js';
import type { ClustersTable } from '../../store/schema.js';
import { storedTime, wireTime } from '../../time.js';
import {
  CLUSTER_REGIONS, DATABASE_INSTANCES, DEFAULT_DATABASE_INSTANCE, DEFAULT_NODE_INSTANCE, findRegion, NETWORK_DEFAULTS,
  NODE_COUNT, NODE_INSTANCES, WORKER_MACHINES,
} from '../options/catalog.js';
import { addressAt, overlaps, parseCidr, type Cidr } from './cidr.js';
import { organizationSummary } from '../organizations/repo.js';
import { existingWorkspaceIds } from '../workspaces/repo.js';
import * as repo from './repo.js';
import type {
  ClusterMetadataView, ClusterStatus, ClusterType, ClusterView, CreateAwsBody, CreateAzureBody, CreateClusterBody, CreateGcpBody,
  K8sTag, NodePoolView, UpdateClusterBody, UpdateDedicatedBody, UpdateHybridBody,
} from './schema.js';

/** The plan disaster recovery needs. */
export const DR_PLAN = 'ENTERPRISE_BUSINESS_CRITICAL';
/** Audit reference of changes made by the operator through the `astrolabe` command. */
export const SYSTEM_SUBJECT: SubjectRef = { id: 'astrolabe', type: 'SYSTEM' };

type Changes = Partial<Omit<ClustersTable, 'id' | 'organization_id'>>;

// ---------------------------------------------------------------- rendering

interface Lifecycle {
  status: ClusterStatus;
  failoverInProgress: boolean;
  isFailedOver: boolean;
}

/**
 * The lifecycle is derived at read time: a change stays in its pending status until
 * `pending_until`, then the cluster reads CREATED. While a failover is pending the cluster
 * still reports the side it is leaving.
 */
function lifecycle(row: repo.ClusterRow, now: Date): Lifecycle {
  const pending = pendingStatus(row, now);
  const status = (pending ?? 'CREATED') as ClusterStatus;
  const failing = status === 'FAILING_OVER';
  const failedOver = toBool(row.is_failed_over);
  return { status, failoverInProgress: failing, isFailedOver: failing ? !failedOver : failedOver };
}

function pendingStatus(row: repo.ClusterRow, now: Date): string | undefined {
  if (!row.pending_status || !row.pending_until) return undefined;
  return row.pending_until > storedTime(now) ? row.pending_status : undefined;
}

function poolView(row: repo.NodePoolRow, provider: CloudProvider): NodePoolView {
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

async function views(db: Queryable, rows: repo.ClusterRow[], now: Date): Promise<ClusterView[]> {
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

async function viewOf(db: Queryable, organizationId: string, id: string, now: Date): Promise<ClusterView> {
  return (await views(db, [(await repo.findCluster(db, organizationId, id))!], now))[0]!;
}

// ---------------------------------------------------------------- checks

function checkRegion(type: ClusterType, provider: CloudProvider, region: string): void {
  if (!findRegion(CLUSTER_REGIONS[type][provider], region)) {
    const valid = CLUSTER_REGIONS[type][provider].map((r) => r.name).join(' ');
    throw invalidField('region', 'oneof', `region must be one of [${valid}] for ${type} ${provider} clusters`);
  }
}

function checkDbInstance(provider: CloudProvider, value: string | undefined): string {
  if (value === undefined || value === '') return DEFAULT_DATABASE_INSTANCE[provider];
  if (!DATABASE_INSTANCES[provider].some((d) => d.name === value)) {
    const valid = DATABASE_INSTANCES[provider].map((d) => d.name).join(', ');
    throw invalidField('dbInstanceType', 'oneof', `dbInstanceType must be one of [${valid}] for ${provider}`);
  }
  return value;
}

type RangeSet = [field: string, value: string | undefined][];

/** Each given range must be an IPv4 CIDR, and no two of them may overlap. */
function checkRanges(ranges: RangeSet): void {
  const parsed: [string, string, Cidr][] = [];
  for (const [field, value] of ranges) {
    if (value === undefined) continue;
    const c = parseCidr(value);
    if (!c) throw invalidField(field, 'cidrv4', `${field} must be an IPv4 CIDR such as 172.20.0.0/20, got "${value}"`);
    for (const [otherField, otherValue, other] of parsed) {
      if (overlaps(c, other)) throw invalidField(field, 'overlap', `${field} ${value} overlaps ${otherField} ${otherValue}`);
    }
    parsed.push([field, value, c]);
  }
}

function checkSecondaryCidr(field: string, value: string | undefined): void {
  if (value === undefined) return;
  const c = parseCidr(value);
  if (c && (c.prefix < 16 || c.prefix > 20)) {
    throw invalidField(field, 'cidr_prefix', `${field} must have a prefix length from /16 to /20, got /${c.prefix}`);
  }
}

function checkDrRegion(provider: CloudProvider, region: string, drRegion: string): void {
  const list = CLUSTER_REGIONS.DEDICATED[provider];
  const dr = findRegion(list, drRegion);
  if (!dr) {
    throw invalidField('drRegion', 'oneof', `drRegion must be one of [${list.map((r) => r.name).join(' ')}] for ${provider}`);
  }
  if (drRegion === region) throw invalidField('drRegion', 'nefield', 'drRegion must differ from region');
  const primary = findRegion(CLUSTER_REGIONS.DEDICATED[provider], region) ?? findRegion(CLUSTER_REGIONS.HYBRID[provider], region);
  if (primary && primary.location !== dr.location) {
    throw invalidField('drRegion', 'location', `drRegion must be in the same location as region (${primary.location}), but ${drRegion} is in ${dr.location}`);
  }
}

async function requireDrPlan(db: Queryable, organizationId: string): Promise<void> {
  const plan = (await organizationSummary(db, organizationId))?.product_plan_name;
  if (plan !== DR_PLAN) {
    throw preconditionFailed(`Disaster recovery needs the ${DR_PLAN} plan; this Organization is on ${plan ?? 'no plan'}`);
  }
}

async function checkOrganization(db: Queryable, organizationId: string): Promise<void> {
  if (!(await organizationSummary(db, organizationId))) throw notFound('Organization');
}

/** Deduplicated workspace ids, each checked to be a workspace of the organization. */
async function checkWorkspaces(db: Queryable, organizationId: string, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const found = await existingWorkspaceIds(db, organizationId, unique);
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw invalidField('workspaceIds', 'exists', `workspaceIds must name Workspaces of this Organization; unknown: ${missing.join(', ')}`);
  }
  return unique;
}

function normalizeTags(tags: K8sTag[] | undefined): string {
  return JSON.stringify((tags ?? []).map((t) => ({
    ...(t.key !== undefined ? { key: t.key } : {}),
    ...(t.value !== undefined ? { value: t.value } : {}),
  })));
}

interface PoolSpec {
  id?: string;
  name: string;
  nodeInstanceType: string;
  maxNodeCount: number;
  isDefault: boolean;
}

/** Checks requested node pools; with none, the cluster gets the provider's default pool. */
function checkPools(provider: CloudProvider, pools: { id?: string; name: string; nodeInstanceType: string; maxNodeCount: number; isDefault?: boolean }[] | undefined): PoolSpec[] {
  if (!pools || pools.length === 0) {
    return [{ name: 'default', nodeInstanceType: DEFAULT_NODE_INSTANCE[provider], maxNodeCount: NODE_COUNT.default, isDefault: true }];
  }
  const names = new Set<string>();
  const valid = NODE_INSTANCES[provider].map((i) => i.name);
  pools.forEach((p, i) => {
    const at = `nodePools[${i}]`;
    requireText(`${at}.name`, p.name);
    if (names.has(p.name)) throw invalidField(`${at}.name`, 'unique', `${at}.name "${p.name}" is used by another node pool`);
    names.add(p.name);
    if (!valid.includes(p.nodeInstanceType)) {
      throw invalidField(`${at}.nodeInstanceType`, 'oneof', `${at}.nodeInstanceType must be one of [${valid.join(' ')}] for ${provider}`);
    }
    if (p.maxNodeCount < NODE_COUNT.min) throw invalidField(`${at}.maxNodeCount`, 'min', `${at}.maxNodeCount must be greater than or equal to ${NODE_COUNT.min}`);
    if (p.maxNodeCount > NODE_COUNT.max) throw invalidField(`${at}.maxNodeCount`, 'max', `${at}.maxNodeCount must be less than or equal to ${NODE_COUNT.max}`);
  });
  const flagged = pools.filter((p) => p.isDefault === true).length;
  if (flagged > 1) throw invalidField('nodePools', 'default', 'only one node pool can be the default');
  return pools.map((p, i) => ({
    ...(p.id !== undefined ? { id: p.id } : {}),
    name: p.name,
    nodeInstanceType: p.nodeInstanceType,
    maxNodeCount: p.maxNodeCount,
    isDefault: flagged === 0 ? i === 0 : p.isDefault === true,
  }));
}

/** Astro worker types a dedicated node pool can run: those whose vCPUs fit the instance's. */
function supportedMachines(type: ClusterType, provider: CloudProvider, instanceType: string): string | null {
  if (type !== 'DEDICATED') return null;
  const cpu = NODE_INSTANCES[provider].find((i) => i.name === instanceType)?.cpu ?? 0;
  return JSON.stringify(WORKER_MACHINES.filter((m) => Number(m.spec.cpu) <= cpu).map((m) => m.name));
}

function uuidFrom(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Simulated but stable metadata: everything is derived from the cluster's id, so the same
 * cluster always shows the same addresses. External addresses come from 203.0.113.0/24
 * (reserved for documentation).
 */
export function simulatedMetadata(c: { id: string; provider: CloudProvider; region: string; serviceSubnetRange?: string; providerAccount?: string; tenantId?: string }): ClusterMetadataView {
  const hash = createHash('sha256').update(c.id).digest();
  const hex = hash.toString('hex');
  const first = 1 + (hash[0]! % 254);
  const second = 1 + ((first + hash[1]! % 253) % 254);
  const service = c.serviceSubnetRange ? parseCidr(c.serviceSubnetRange) : undefined;
  let oidcIssuerUrl: string;
  if (c.provider === 'AWS') {
    oidcIssuerUrl = `https://oidc.eks.${c.region}.amazonaws.com/id/${hex.slice(0, 32).toUpperCase()}`;
  } else if (c.provider === 'AZURE') {
    oidcIssuerUrl = `https://${c.region}.oic.prod-aks.azure.com/${c.tenantId || uuidFrom(hex.slice(0, 32))}/${uuidFrom(hex.slice(32, 64))}/`;
  } else {
    const project = c.providerAccount || `astro-${hex.slice(0, 10)}`;
    oidcIssuerUrl = `https://container.googleapis.com/v1/projects/${project}/locations/${c.region}/clusters/astro-${c.id}`;
  }
  return {
    externalIPs: [`203.0.113.${first}`, `203.0.113.${second}`],
    kubeDnsIp: service ? addressAt(service, 10) : '10.100.0.10',
    oidcIssuerUrl,
  };
}

/** Columns of a change that takes `provisionSeconds` to finish (nothing pending when 0). */
function pending(app: AppContext, status: 'CREATING' | 'UPDATING' | 'FAILING_OVER', now: Date): Pick<ClustersTable, 'pending_status' | 'pending_until'> {
  const seconds = app.config.provisionSeconds;
  if (seconds <= 0) return { pending_status: null, pending_until: null };
  return { pending_status: status, pending_until: storedTime(new Date(now.getTime() + seconds * 1000)) };
}

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
  dr?: {
    region: string;
    vpcSubnetRange: string;
    secondaryVpcCidr?: string;
    podSubnetRange?: string;
    serviceSubnetRange?: string;
    servicePeeringRange?: string;
    enableReplicationTimeControl: boolean;
  };
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
    created_at: at, created_by_id: by.id, created_by_type: by.type,
    updated_at: at, updated_by_id: by.id, updated_by_type: by.type,
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
    throw invalidField('type', 'oneof', 'type must be one of [DEDICATED]: HYBRID clusters cannot be created through the API');
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

  // DR ranges left out copy the primary ones.
  let dr: NewCluster['dr'];
  const drGiven: RangeSet = [
    ['drVpcSubnetRange', b.drVpcSubnetRange || undefined],
    ['drSecondaryVpcCidr', aws ? b.drSecondaryVpcCidr || undefined : undefined],
    ['drPodSubnetRange', gcp ? b.drPodSubnetRange || undefined : undefined],
    ['drServiceSubnetRange', gcp ? b.drServiceSubnetRange || undefined : undefined],
    ['drServicePeeringRange', gcp ? b.drServicePeeringRange || undefined : undefined],
  ];
  if (b.drRegion) {
    checkDrRegion(provider, b.region, b.drRegion);
    dr = {
      region: b.drRegion,
      vpcSubnetRange: b.drVpcSubnetRange || b.vpcSubnetRange,
      secondaryVpcCidr: aws ? b.drSecondaryVpcCidr || secondaryVpcCidr : undefined,
      podSubnetRange: gcp ? b.drPodSubnetRange || b.podSubnetRange : undefined,
      serviceSubnetRange: gcp ? b.drServiceSubnetRange || b.serviceSubnetRange : undefined,
      servicePeeringRange: gcp ? b.drServicePeeringRange || b.servicePeeringRange : undefined,
      enableReplicationTimeControl: b.enableReplicationTimeControl ?? false,
    };
    checkRanges([
      ['drVpcSubnetRange', dr.vpcSubnetRange],
      ['drPodSubnetRange', dr.podSubnetRange],
      ['drServiceSubnetRange', dr.serviceSubnetRange],
      ['drServicePeeringRange', dr.servicePeeringRange],
      ['drSecondaryVpcCidr', dr.secondaryVpcCidr],
    ]);
    checkSecondaryCidr('drSecondaryVpcCidr', dr.secondaryVpcCidr);
  } else {
    const stray = drGiven.find(([, v]) => v !== undefined);
    if (stray) throw invalidField('drRegion', 'required_with', `drRegion is required when ${stray[0]} is given`);
    if (b.enableReplicationTimeControl === true) throw invalidField('drRegion', 'required_with', 'drRegion is required when enableReplicationTimeControl is true');
  }

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
    return viewOf(tx, organizationId, id, now);
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
    return viewOf(tx, r.organizationId, id, now);
  });
}

// ---------------------------------------------------------------- read

export async function listClusters(app: AppContext, organizationId: string, q: { names?: string[]; provider?: CloudProvider } & PageRequest) {
  const page = await repo.listClusters(app.db, organizationId, { names: q.names, provider: q.provider }, q);
  return { clusters: await views(app.db, page.items, app.clock.now()), limit: page.limit, offset: page.offset, totalCount: page.totalCount };
}

export async function getCluster(app: AppContext, organizationId: string, id: string): Promise<ClusterView> {
  const row = await repo.findCluster(app.db, organizationId, id);
  if (!row) throw notFound('Cluster');
  return (await views(app.db, [row], app.clock.now()))[0]!;
}

// ---------------------------------------------------------------- update

function assertIdle(row: repo.ClusterRow, now: Date): void {
  const busy = pendingStatus(row, now);
  if (busy) throw conflict(`The cluster is ${busy}; a change is already in progress, try again when it has finished`);
}

export async function updateCluster(app: AppContext, p: Principal, organizationId: string, id: string, body: UpdateClusterBody): Promise<ClusterView> {
  return inTransaction(app.db, async (tx) => {
    await repo.lockCluster(tx, organizationId, id);
    const row = await repo.findCluster(tx, organizationId, id);
    if (!row) throw notFound('Cluster');
    const requested = body.clusterType ?? 'DEDICATED';
    if (requested !== row.type) {
      throw invalidField('clusterType', 'oneof', `clusterType must be ${row.type} for this cluster, got ${requested}`);
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
      updated_at: storedTime(now), updated_by_id: by.id, updated_by_type: by.type,
    });
    return viewOf(tx, organizationId, id, now);
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
        throw invalidField(`nodePools[${i}].id`, 'exists', `nodePools[${i}].id does not name a node pool of this cluster`);
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

function checkUpdatedPools(provider: CloudProvider, pools: NonNullable<UpdateDedicatedBody['nodePools']>): PoolSpec[] {
  if (pools.length === 0) throw invalidField('nodePools', 'min', 'nodePools must contain at least 1 item: a cluster needs a default node pool');
  const ids = new Set<string>();
  pools.forEach((pool, i) => {
    if (pool.id === undefined) return;
    if (ids.has(pool.id)) throw invalidField(`nodePools[${i}].id`, 'unique', `nodePools[${i}].id appears more than once`);
    ids.add(pool.id);
  });
  return checkPools(provider, pools);
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

/**
 * Disaster-recovery part of a dedicated update. `enableDr: false` turns DR off; turning it on
 * after creation is for Azure only (with a drRegion). Once set, the DR region and ranges do
 * not change. `isFailedOver` different from the current side starts a failover or failback.
 */
function disasterRecovery(row: repo.ClusterRow, b: UpdateDedicatedBody): { changes: Changes; failover: boolean; enabling: boolean } {
  const provider = row.cloud_provider as CloudProvider;
  const drOn = toBool(row.is_dr_enabled);
  const failedOver = toBool(row.is_failed_over);
  const drRegion = b.drRegion || undefined;
  const given: [string, string | undefined, string | null][] = [
    ['drVpcSubnetRange', b.drVpcSubnetRange || undefined, row.dr_vpc_subnet_range],
    ['drPodSubnetRange', provider === 'GCP' ? b.drPodSubnetRange || undefined : undefined, row.dr_pod_subnet_range],
    ['drServiceSubnetRange', provider === 'GCP' ? b.drServiceSubnetRange || undefined : undefined, row.dr_service_subnet_range],
    ['drServicePeeringRange', provider === 'GCP' ? b.drServicePeeringRange || undefined : undefined, row.dr_service_peering_range],
  ];

  if (b.enableDr === false) {
    if (b.isFailedOver === true) throw invalidField('isFailedOver', 'excluded_with', 'isFailedOver cannot be true when enableDr is false');
    if (!drOn) return { changes: {}, failover: false, enabling: false };
    if (failedOver) throw invalidField('enableDr', 'failed_over', 'disaster recovery cannot be turned off while the cluster is failed over; fail it back first');
    return {
      changes: {
        is_dr_enabled: 0, dr_region: '', dr_vpc_subnet_range: null, dr_secondary_vpc_cidr: null, dr_pod_subnet_range: null,
        dr_service_subnet_range: null, dr_service_peering_range: null, enable_replication_time_control: null, is_failed_over: 0,
      },
      failover: false,
      enabling: false,
    };
  }

  if (!drOn && (b.enableDr === true || drRegion !== undefined)) {
    if (provider !== 'AZURE') {
      throw invalidField('enableDr', 'oneof', `disaster recovery of ${provider} clusters can only be turned on when the cluster is created`);
    }
    if (!drRegion) throw invalidField('drRegion', 'required_with', 'drRegion is required to turn disaster recovery on');
    checkDrRegion(provider, row.region, drRegion);
    const drVpc = given[0]![1] ?? row.vpc_subnet_range;
    checkRanges([['drVpcSubnetRange', drVpc]]);
    if (b.isFailedOver === true) throw invalidField('isFailedOver', 'excluded_with', 'a cluster cannot fail over while disaster recovery is being turned on');
    return {
      changes: {
        is_dr_enabled: 1, dr_region: drRegion, dr_vpc_subnet_range: drVpc,
        enable_replication_time_control: fromBool(b.enableReplicationTimeControl ?? false), is_failed_over: 0,
      },
      failover: false,
      enabling: true,
    };
  }

  if (!drOn) {
    if (b.isFailedOver === true) throw invalidField('isFailedOver', 'required_with', 'isFailedOver needs disaster recovery, which is off for this cluster');
    if (b.enableReplicationTimeControl === true) {
      throw invalidField('enableReplicationTimeControl', 'required_with', 'enableReplicationTimeControl needs disaster recovery, which is off for this cluster');
    }
    return { changes: {}, failover: false, enabling: false };
  }

  // DR stays on.
  if (drRegion !== undefined && drRegion !== row.dr_region) {
    throw invalidField('drRegion', 'immutable', `drRegion cannot change once set (it is ${row.dr_region})`);
  }
  for (const [field, value, stored] of given) {
    if (value !== undefined && value !== stored) throw invalidField(field, 'immutable', `${field} cannot change once disaster recovery is set up (it is ${stored ?? 'unset'})`);
  }
  const changes: Changes = {};
  if (b.enableReplicationTimeControl !== undefined) changes.enable_replication_time_control = fromBool(b.enableReplicationTimeControl);
  const failover = b.isFailedOver !== undefined && b.isFailedOver !== failedOver;
  if (failover) changes.is_failed_over = fromBool(b.isFailedOver);
  return { changes, failover, enabling: false };
}

// ---------------------------------------------------------------- delete

export async function deleteCluster(app: AppContext, organizationId: string, id: string): Promise<void> {
  await inTransaction(app.db, async (tx) => {
    await repo.lockCluster(tx, organizationId, id);
    const row = await repo.findCluster(tx, organizationId, id);
    if (!row) throw notFound('Cluster');
    assertIdle(row, app.clock.now());
    await repo.deleteCluster(tx, id);
  });
}
