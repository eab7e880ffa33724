import { fromBool, toBool } from '../../store/codecs.js';
import type { Queryable } from '../../store/types.js';
import { FieldCode, invalidField, preconditionFailed } from '../../core/errors.js';
import type { CloudProvider } from '../../core/schemas.js';
import type { ClustersTable } from '../../store/schema.js';
import { CLUSTER_REGIONS, findRegion } from '../../platform/catalog.js';
import { organizationSummary } from '../organizations/repo.js';
import { checkRanges, checkSecondaryCidr, type RangeSet } from './checks.js';
import type * as repo from './repo.js';
import type { CreateAwsBody, CreateAzureBody, CreateClusterBody, CreateGcpBody, UpdateDedicatedBody } from './schema.js';

/* Disaster recovery: the plan it needs, where its region may be, and how an update changes it. */

export type Changes = Partial<Omit<ClustersTable, 'id' | 'organization_id'>>;

/** The plan disaster recovery needs. */
export const DR_PLAN = 'ENTERPRISE_BUSINESS_CRITICAL';

export function checkDrRegion(provider: CloudProvider, region: string, drRegion: string): void {
  const list = CLUSTER_REGIONS.DEDICATED[provider];
  const dr = findRegion(list, drRegion);
  if (!dr) {
    throw invalidField('drRegion', FieldCode.oneOf, `drRegion must be one of [${list.map((r) => r.name).join(' ')}] for ${provider}`);
  }
  if (drRegion === region) throw invalidField('drRegion', FieldCode.neField, 'drRegion must differ from region');
  const primary = findRegion(CLUSTER_REGIONS.DEDICATED[provider], region) ?? findRegion(CLUSTER_REGIONS.HYBRID[provider], region);
  if (primary && primary.location !== dr.location) {
    throw invalidField('drRegion', FieldCode.location, `drRegion must be in the same location as region (${primary.location}), but ${drRegion} is in ${dr.location}`);
  }
}

export async function requireDrPlan(db: Queryable, organizationId: string): Promise<void> {
  const plan = (await organizationSummary(db, organizationId))?.product_plan_name;
  if (plan !== DR_PLAN) {
    throw preconditionFailed(`Disaster recovery needs the ${DR_PLAN} plan; this Organization is on ${plan ?? 'no plan'}`);
  }
}

/**
 * Disaster-recovery part of a dedicated update. `enableDr: false` turns DR off; turning it on
 * after creation is for Azure only (with a drRegion). Once set, the DR region and ranges do
 * not change. `isFailedOver` different from the current side starts a failover or failback.
 */
export function disasterRecovery(row: repo.ClusterRow, b: UpdateDedicatedBody): { changes: Changes; failover: boolean; enabling: boolean } {
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
    if (b.isFailedOver === true) throw invalidField('isFailedOver', FieldCode.excludedWith, 'isFailedOver cannot be true when enableDr is false');
    if (!drOn) return { changes: {}, failover: false, enabling: false };
    if (failedOver) throw invalidField('enableDr', FieldCode.failedOver, 'disaster recovery cannot be turned off while the cluster is failed over; fail it back first');
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
      throw invalidField('enableDr', FieldCode.oneOf, `disaster recovery of ${provider} clusters can only be turned on when the cluster is created`);
    }
    if (!drRegion) throw invalidField('drRegion', FieldCode.requiredWith, 'drRegion is required to turn disaster recovery on');
    checkDrRegion(provider, row.region, drRegion);
    const drVpc = given[0]![1] ?? row.vpc_subnet_range;
    checkRanges([['drVpcSubnetRange', drVpc]]);
    if (b.isFailedOver === true) throw invalidField('isFailedOver', FieldCode.excludedWith, 'a cluster cannot fail over while disaster recovery is being turned on');
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
    if (b.isFailedOver === true) throw invalidField('isFailedOver', FieldCode.requiredWith, 'isFailedOver needs disaster recovery, which is off for this cluster');
    if (b.enableReplicationTimeControl === true) {
      throw invalidField('enableReplicationTimeControl', FieldCode.requiredWith, 'enableReplicationTimeControl needs disaster recovery, which is off for this cluster');
    }
    return { changes: {}, failover: false, enabling: false };
  }

  // DR stays on.
  if (drRegion !== undefined && drRegion !== row.dr_region) {
    throw invalidField('drRegion', FieldCode.immutable, `drRegion cannot change once set (it is ${row.dr_region})`);
  }
  for (const [field, value, stored] of given) {
    if (value !== undefined && value !== stored) throw invalidField(field, FieldCode.immutable, `${field} cannot change once disaster recovery is set up (it is ${stored ?? 'unset'})`);
  }
  const changes: Changes = {};
  if (b.enableReplicationTimeControl !== undefined) changes.enable_replication_time_control = fromBool(b.enableReplicationTimeControl);
  const failover = b.isFailedOver !== undefined && b.isFailedOver !== failedOver;
  if (failover) changes.is_failed_over = fromBool(b.isFailedOver);
  return { changes, failover, enabling: false };
}


export interface NewDr {
  region: string;
  vpcSubnetRange: string;
  secondaryVpcCidr?: string;
  podSubnetRange?: string;
  serviceSubnetRange?: string;
  servicePeeringRange?: string;
  enableReplicationTimeControl: boolean;
}

type CreateDrFields = Pick<Partial<CreateAwsBody & CreateAzureBody & CreateGcpBody>,
  'drRegion' | 'drVpcSubnetRange' | 'drSecondaryVpcCidr' | 'drPodSubnetRange' | 'drServiceSubnetRange' | 'drServicePeeringRange' |
  'enableReplicationTimeControl' | 'podSubnetRange' | 'serviceSubnetRange' | 'servicePeeringRange'> & Pick<CreateClusterBody, 'cloudProvider' | 'region' | 'vpcSubnetRange'>;

/**
 * The disaster-recovery side of a new dedicated cluster, or undefined without a drRegion. Only
 * the fields of the provider's request shape count; DR ranges left out copy the primary ones.
 */
export function drForCreate(b: CreateDrFields, secondaryVpcCidr: string | undefined): NewDr | undefined {
  const provider = b.cloudProvider;
  const aws = provider === 'AWS';
  const gcp = provider === 'GCP';
  let dr: NewDr | undefined;
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
    if (stray) throw invalidField('drRegion', FieldCode.requiredWith, `drRegion is required when ${stray[0]} is given`);
    if (b.enableReplicationTimeControl === true) throw invalidField('drRegion', FieldCode.requiredWith, 'drRegion is required when enableReplicationTimeControl is true');
  }

  return dr;
}
