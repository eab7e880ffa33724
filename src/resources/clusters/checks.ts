import type { CloudProvider } from '../../core/schemas.js';
import { FieldCode, invalidField, notFound } from '../../core/errors.js';
import { requireText } from '../../core/rules.js';
import { existingIds } from '../../store/locks.js';
import type { Queryable } from '../../store/types.js';
import {
  CLUSTER_REGIONS, DATABASE_INSTANCES, DEFAULT_DATABASE_INSTANCE, DEFAULT_NODE_INSTANCE, findRegion, NODE_COUNT, NODE_INSTANCES, WORKER_MACHINES,
} from '../../platform/catalog.js';
import { organizationSummary } from '../organizations/repo.js';
import { overlaps, parseCidr, type Cidr } from '../../platform/cidr.js';
import type { ClusterType, K8sTag, UpdateDedicatedBody } from './schema.js';

/* The checks of cluster requests that need no cluster row: regions, ranges, pools, references. */

export function checkRegion(type: ClusterType, provider: CloudProvider, region: string): void {
  if (!findRegion(CLUSTER_REGIONS[type][provider], region)) {
    const valid = CLUSTER_REGIONS[type][provider].map((r) => r.name).join(' ');
    throw invalidField('region', FieldCode.oneOf, `region must be one of [${valid}] for ${type} ${provider} clusters`);
  }
}

export function checkDbInstance(provider: CloudProvider, value: string | undefined): string {
  if (value === undefined || value === '') return DEFAULT_DATABASE_INSTANCE[provider];
  if (!DATABASE_INSTANCES[provider].some((d) => d.name === value)) {
    const valid = DATABASE_INSTANCES[provider].map((d) => d.name).join(', ');
    throw invalidField('dbInstanceType', FieldCode.oneOf, `dbInstanceType must be one of [${valid}] for ${provider}`);
  }
  return value;
}

export type RangeSet = [field: string, value: string | undefined][];

/** Each given range must be an IPv4 CIDR, and no two of them may overlap. */
export function checkRanges(ranges: RangeSet): void {
  const parsed: [string, string, Cidr][] = [];
  for (const [field, value] of ranges) {
    if (value === undefined) continue;
    const c = parseCidr(value);
    if (!c) throw invalidField(field, FieldCode.cidrV4, `${field} must be an IPv4 CIDR such as 172.20.0.0/20, got "${value}"`);
    for (const [otherField, otherValue, other] of parsed) {
      if (overlaps(c, other)) throw invalidField(field, FieldCode.overlap, `${field} ${value} overlaps ${otherField} ${otherValue}`);
    }
    parsed.push([field, value, c]);
  }
}

export function checkSecondaryCidr(field: string, value: string | undefined): void {
  if (value === undefined) return;
  const c = parseCidr(value);
  if (c && (c.prefix < 16 || c.prefix > 20)) {
    throw invalidField(field, FieldCode.cidrPrefix, `${field} must have a prefix length from /16 to /20, got /${c.prefix}`);
  }
}


export async function checkOrganization(db: Queryable, organizationId: string): Promise<void> {
  if (!(await organizationSummary(db, organizationId))) throw notFound('Organization');
}

/** Deduplicated workspace ids, each checked to be a workspace of the organization. */
export async function checkWorkspaces(db: Queryable, organizationId: string, ids: string[]): Promise<string[]> {
  const unique = [...new Set(ids)];
  const found = await existingIds(db, 'workspaces', organizationId, unique);
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw invalidField('workspaceIds', FieldCode.exists, `workspaceIds must name Workspaces of this Organization; unknown: ${missing.join(', ')}`);
  }
  return unique;
}

export function normalizeTags(tags: K8sTag[] | undefined): string {
  return JSON.stringify((tags ?? []).map((t) => ({
    ...(t.key !== undefined ? { key: t.key } : {}),
    ...(t.value !== undefined ? { value: t.value } : {}),
  })));
}

export interface PoolSpec {
  id?: string;
  name: string;
  nodeInstanceType: string;
  maxNodeCount: number;
  isDefault: boolean;
}

/** Checks requested node pools; with none, the cluster gets the provider's default pool. */
export function checkPools(provider: CloudProvider, pools: { id?: string; name: string; nodeInstanceType: string; maxNodeCount: number; isDefault?: boolean }[] | undefined): PoolSpec[] {
  if (!pools || pools.length === 0) {
    return [{ name: 'default', nodeInstanceType: DEFAULT_NODE_INSTANCE[provider], maxNodeCount: NODE_COUNT.default, isDefault: true }];
  }
  const names = new Set<string>();
  const valid = NODE_INSTANCES[provider].map((i) => i.name);
  pools.forEach((p, i) => {
    const at = `nodePools[${i}]`;
    requireText(`${at}.name`, p.name);
    if (names.has(p.name)) throw invalidField(`${at}.name`, FieldCode.unique, `${at}.name "${p.name}" is used by another node pool`);
    names.add(p.name);
    if (!valid.includes(p.nodeInstanceType)) {
      throw invalidField(`${at}.nodeInstanceType`, FieldCode.oneOf, `${at}.nodeInstanceType must be one of [${valid.join(' ')}] for ${provider}`);
    }
    if (p.maxNodeCount < NODE_COUNT.min) throw invalidField(`${at}.maxNodeCount`, FieldCode.min, `${at}.maxNodeCount must be greater than or equal to ${NODE_COUNT.min}`);
    if (p.maxNodeCount > NODE_COUNT.max) throw invalidField(`${at}.maxNodeCount`, FieldCode.max, `${at}.maxNodeCount must be less than or equal to ${NODE_COUNT.max}`);
  });
  const flagged = pools.filter((p) => p.isDefault === true).length;
  if (flagged > 1) throw invalidField('nodePools', FieldCode.default, 'only one node pool can be the default');
  return pools.map((p, i) => ({
    ...(p.id !== undefined ? { id: p.id } : {}),
    name: p.name,
    nodeInstanceType: p.nodeInstanceType,
    maxNodeCount: p.maxNodeCount,
    isDefault: flagged === 0 ? i === 0 : p.isDefault === true,
  }));
}

/** Astro worker types a dedicated node pool can run: those whose vCPUs fit the instance's. */
export function supportedMachines(type: ClusterType, provider: CloudProvider, instanceType: string): string | null {
  if (type !== 'DEDICATED') return null;
  // Called only with pools checkPools accepted, so the instance type is in the catalogue.
  const node = NODE_INSTANCES[provider].find((i) => i.name === instanceType);
  if (!node) throw new Error(`node instance type ${instanceType} is not in the platform catalogue's ${provider} NODE_INSTANCES: checkPools must run first`);
  return JSON.stringify(WORKER_MACHINES.filter((m) => Number(m.spec.cpu) <= node.cpu).map((m) => m.name));
}

export function checkUpdatedPools(provider: CloudProvider, pools: NonNullable<UpdateDedicatedBody['nodePools']>): PoolSpec[] {
  if (pools.length === 0) throw invalidField('nodePools', FieldCode.min, 'nodePools must contain at least 1 item: a cluster needs a default node pool');
  const ids = new Set<string>();
  pools.forEach((pool, i) => {
    if (pool.id === undefined) return;
    if (ids.has(pool.id)) throw invalidField(`nodePools[${i}].id`, FieldCode.unique, `nodePools[${i}].id appears more than once`);
    ids.add(pool.id);
  });
  return checkPools(provider, pools);
}

