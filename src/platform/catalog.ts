/**
 * The platform catalog: regions, machine types, network defaults, runtime releases and
 * sizing ranges. GetClusterOptions and GetDeploymentOptions serve it, and every rule that
 * checks a region, an instance type or a size reads it from here.
 */
import type { CloudProvider } from '../core/schemas.js';

export interface Region {
  name: string;
  /** Multi-region code used to check disaster-recovery pairs (same provider, same location). */
  location: string;
}

export interface InstanceType {
  name: string;
  cpu: number;
  memory: string;
}

function locate(provider: CloudProvider, name: string): string {
  const n = name.toLowerCase();
  if (provider === 'AWS') {
    if (n.startsWith('us-')) return 'US';
    if (n.startsWith('eu-')) return 'EU';
    if (n.startsWith('ap-')) return 'APAC';
    if (n.startsWith('sa-')) return 'SA';
    if (n.startsWith('ca-')) return 'CA';
    if (n.startsWith('me-')) return 'ME';
    return 'AF';
  }
  if (provider === 'GCP') {
    if (n.startsWith('us-')) return 'US';
    if (n.startsWith('northamerica-')) return 'CA';
    if (n.startsWith('europe-')) return 'EU';
    if (n.startsWith('southamerica-')) return 'SA';
    return 'APAC';
  }
  if (/^(east|west|central|southcentral|northcentral)us\d?$/.test(n)) return 'US';
  if (n.startsWith('canada')) return 'CA';
  if (n.startsWith('brazil')) return 'SA';
  if (/europe|france|uk|germany|norway|sweden|switzerland|italy|poland/.test(n)) return 'EU';
  return 'APAC';
}

const regions = (provider: CloudProvider, names: string[]): Region[] =>
  names.map((name) => ({ name, location: locate(provider, name) }));

const AWS_DEDICATED = ['ap-northeast-1', 'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'eu-central-1', 'eu-west-1', 'eu-west-2', 'sa-east-1', 'us-east-1', 'us-east-2', 'us-west-1', 'us-west-2'];
const AWS_HYBRID_EXTRA = ['af-south-1', 'ap-east-1', 'ap-northeast-2', 'ap-northeast-3', 'ca-central-1', 'eu-south-1', 'eu-west-3', 'me-south-1'];
const AZURE_DEDICATED = ['australiaeast', 'brazilsouth', 'canadacentral', 'centralindia', 'centralus', 'eastus2', 'francecentral', 'japaneast', 'northeurope', 'southcentralus', 'uksouth', 'westeurope', 'westus2', 'westus3'];
const GCP_DEDICATED = [
  'asia-east1', 'asia-northeast1', 'asia-northeast2', 'asia-northeast3', 'asia-south1', 'asia-south2', 'asia-southeast1', 'asia-southeast2',
  'australia-southeast1', 'australia-southeast2', 'europe-central2', 'europe-north1', 'europe-southwest1', 'europe-west1', 'europe-west2',
  'europe-west3', 'europe-west4', 'europe-west8', 'europe-west9', 'northamerica-northeast1', 'northamerica-northeast2', 'southamerica-east1',
  'southamerica-west1', 'us-central1', 'us-east1', 'us-east4', 'us-east5', 'us-south1', 'us-west1', 'us-west2', 'us-west3', 'us-west4',
];

/** Regions of the shared clusters that STANDARD deployments (and workspace defaults) use. */
export const STANDARD_REGIONS: Record<CloudProvider, Region[]> = {
  AWS: regions('AWS', ['ap-southeast-1', 'eu-central-1', 'us-east-1', 'us-west-2']),
  AZURE: regions('AZURE', ['eastus2', 'westeurope', 'westus2']),
  GCP: regions('GCP', ['europe-west4', 'us-central1', 'us-east4']),
};

export const CLUSTER_REGIONS: Record<'DEDICATED' | 'HYBRID', Record<CloudProvider, Region[]>> = {
  DEDICATED: {
    AWS: regions('AWS', AWS_DEDICATED),
    AZURE: regions('AZURE', AZURE_DEDICATED),
    GCP: regions('GCP', GCP_DEDICATED),
  },
  HYBRID: {
    AWS: regions('AWS', [...AWS_DEDICATED, ...AWS_HYBRID_EXTRA].sort()),
    AZURE: regions('AZURE', AZURE_DEDICATED),
    GCP: regions('GCP', GCP_DEDICATED),
  },
};

export const DEFAULT_CLUSTER_REGION: Record<CloudProvider, string> = { AWS: 'us-east-1', AZURE: 'centralus', GCP: 'us-central1' };

export const NODE_INSTANCES: Record<CloudProvider, InstanceType[]> = {
  AWS: [
    { name: 'm5.xlarge', cpu: 4, memory: '16Gi' },
    { name: 'm5.2xlarge', cpu: 8, memory: '32Gi' },
    { name: 'm5.4xlarge', cpu: 16, memory: '64Gi' },
    { name: 'm5.8xlarge', cpu: 32, memory: '128Gi' },
    { name: 'm6i.xlarge', cpu: 4, memory: '16Gi' },
    { name: 'm6i.2xlarge', cpu: 8, memory: '32Gi' },
    { name: 'r5.xlarge', cpu: 4, memory: '32Gi' },
    { name: 'r5.2xlarge', cpu: 8, memory: '64Gi' },
    { name: 'c5.2xlarge', cpu: 8, memory: '16Gi' },
    { name: 't3.medium', cpu: 2, memory: '4Gi' },
    { name: 't3.large', cpu: 2, memory: '8Gi' },
    { name: 't3.xlarge', cpu: 4, memory: '16Gi' },
  ],
  AZURE: [
    { name: 'Standard_D4d_v5', cpu: 4, memory: '16Gi' },
    { name: 'Standard_D8d_v5', cpu: 8, memory: '32Gi' },
    { name: 'Standard_D16d_v5', cpu: 16, memory: '64Gi' },
    { name: 'Standard_D32d_v5', cpu: 32, memory: '128Gi' },
    { name: 'Standard_E4d_v5', cpu: 4, memory: '32Gi' },
    { name: 'Standard_E8d_v5', cpu: 8, memory: '64Gi' },
  ],
  GCP: [
    { name: 'e2-standard-4', cpu: 4, memory: '16Gi' },
    { name: 'e2-standard-8', cpu: 8, memory: '32Gi' },
    { name: 'e2-standard-16', cpu: 16, memory: '64Gi' },
    { name: 'n2-standard-4', cpu: 4, memory: '16Gi' },
    { name: 'n2-standard-8', cpu: 8, memory: '32Gi' },
    { name: 'e2-highmem-4', cpu: 4, memory: '32Gi' },
  ],
};
export const DEFAULT_NODE_INSTANCE: Record<CloudProvider, string> = { AWS: 'm5.xlarge', AZURE: 'Standard_D4d_v5', GCP: 'e2-standard-4' };

export const DATABASE_INSTANCES: Record<CloudProvider, InstanceType[]> = {
  AWS: [
    { name: 'db.m6g.large', cpu: 2, memory: '8Gi' },
    { name: 'db.m6g.xlarge', cpu: 4, memory: '16Gi' },
    { name: 'db.m6g.2xlarge', cpu: 8, memory: '32Gi' },
    { name: 'db.r5.large', cpu: 2, memory: '16Gi' },
    { name: 'db.t3.medium', cpu: 2, memory: '4Gi' },
  ],
  AZURE: [
    { name: 'Standard_D2ds_v4', cpu: 2, memory: '8Gi' },
    { name: 'Standard_D4ds_v4', cpu: 4, memory: '16Gi' },
    { name: 'Standard_D8ds_v4', cpu: 8, memory: '32Gi' },
  ],
  GCP: [
    { name: 'Small General Purpose', cpu: 2, memory: '8Gi' },
    { name: 'Medium General Purpose', cpu: 4, memory: '16Gi' },
    { name: 'Large General Purpose', cpu: 8, memory: '32Gi' },
  ],
};
export const DEFAULT_DATABASE_INSTANCE: Record<CloudProvider, string> = { AWS: 'db.m6g.large', AZURE: 'Standard_D4ds_v4', GCP: 'Small General Purpose' };

export interface NetworkDefaults {
  vpcSubnetRange: string;
  podSubnetRange?: string;
  serviceSubnetRange?: string;
  servicePeeringRange?: string;
}

export const NETWORK_DEFAULTS: Record<CloudProvider, NetworkDefaults> = {
  AWS: { vpcSubnetRange: '172.20.0.0/20' },
  AZURE: { vpcSubnetRange: '172.20.0.0/19' },
  GCP: { vpcSubnetRange: '172.20.0.0/22', podSubnetRange: '100.64.0.0/16', serviceSubnetRange: '100.65.0.0/22', servicePeeringRange: '100.66.0.0/21' },
};

export const NODE_COUNT = { min: 2, max: 100, default: 20 };

export function findRegion(list: Region[], name: string): Region | undefined {
  return list.find((r) => r.name === name);
}

// ---------------------------------------------------------------- deployments

export const EXECUTORS = ['CELERY', 'KUBERNETES', 'ASTRO'] as const;
export type Executor = (typeof EXECUTORS)[number];
export const HYBRID_EXECUTORS: Executor[] = ['CELERY', 'KUBERNETES'];

export interface RuntimeRelease {
  version: string;
  airflowVersion: string;
  channel: string;
  releaseDate: string;
  airflowDatabaseMigration: boolean;
  stellarDatabaseMigration: boolean;
}

/**
 * Astro Runtime releases offered to new deployments, newest first (clients read [0] as latest).
 * Stored Deployments and deploys name their runtime by version and read its Airflow version
 * here (runtimeRelease), so a release stays listed while any store may hold one created with it.
 */
export const RUNTIME_RELEASES: RuntimeRelease[] = [
  { version: '3.3-9', airflowVersion: '3.3.0', channel: 'stable', releaseDate: '2026-10-20T00:00:00Z', airflowDatabaseMigration: false, stellarDatabaseMigration: false },
  { version: '3.3-2', airflowVersion: '3.3.0', channel: 'stable', releaseDate: '2026-07-14T00:00:00Z', airflowDatabaseMigration: true, stellarDatabaseMigration: false },
  { version: '3.2-5', airflowVersion: '3.2.0', channel: 'stable', releaseDate: '2026-06-16T00:00:00Z', airflowDatabaseMigration: false, stellarDatabaseMigration: false },
  { version: '3.2-2', airflowVersion: '3.2.0', channel: 'stable', releaseDate: '2026-04-14T00:00:00Z', airflowDatabaseMigration: true, stellarDatabaseMigration: false },
  { version: '3.1-13', airflowVersion: '3.1.0', channel: 'stable', releaseDate: '2026-03-10T00:00:00Z', airflowDatabaseMigration: false, stellarDatabaseMigration: false },
  { version: '3.1-12', airflowVersion: '3.1.0', channel: 'stable', releaseDate: '2026-02-10T00:00:00Z', airflowDatabaseMigration: false, stellarDatabaseMigration: false },
  { version: '3.0-7', airflowVersion: '3.0.0', channel: 'stable', releaseDate: '2025-08-12T00:00:00Z', airflowDatabaseMigration: false, stellarDatabaseMigration: false },
  { version: '13.7.0', airflowVersion: '2.11.0', channel: 'stable', releaseDate: '2026-05-05T00:00:00Z', airflowDatabaseMigration: false, stellarDatabaseMigration: false },
  { version: '13.5.0', airflowVersion: '2.11.0', channel: 'stable', releaseDate: '2026-02-03T00:00:00Z', airflowDatabaseMigration: false, stellarDatabaseMigration: false },
  { version: '12.8.0', airflowVersion: '2.10.5', channel: 'stable', releaseDate: '2025-06-10T00:00:00Z', airflowDatabaseMigration: false, stellarDatabaseMigration: false },
];

/**
 * The catalogue entry of a runtime version read from the store. Creates accept only listed
 * versions and deploys and rollbacks copy the Deployment's, so a miss is not a value to guess:
 * it means a release was dropped from RUNTIME_RELEASES while Deployments still run it.
 */
export function runtimeRelease(version: string): RuntimeRelease {
  const release = RUNTIME_RELEASES.find((r) => r.version === version);
  if (!release) {
    throw new Error(`Astro Runtime ${version} is stored but not in the platform catalogue: RUNTIME_RELEASES must keep every release a Deployment was created with`);
  }
  return release;
}

/** Airflow 3 runtimes use the `X.Y-Z` form; Airflow 2 runtimes are plain semver. */
export function isAirflow3(runtimeVersion: string): boolean {
  return /^\d+\.\d+-\d+$/.test(runtimeVersion);
}

/**
 * Orders two Astro Runtime versions: negative when `a` is older than `b`, 0 when they are the
 * same, positive when newer (domain.md §1.2: `X.Y-Z` versions, for Airflow 3, sort above every
 * plain semver one; within a format the numbers compare one by one).
 */
export function compareRuntimeVersions(a: string, b: string): number {
  const format = (v: string) => (isAirflow3(v) ? 1 : 0);
  if (format(a) !== format(b)) return format(a) - format(b);
  const parts = (v: string) => v.split(/[.-]/).map((n) => Number.parseInt(n, 10) || 0);
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** The oldest Astro Runtime whose Deployments take DAG and DAG_TAG roles (domain.md §4.1). */
export const DAG_ROLES_MIN_RUNTIME = '3.1-12';

export interface MachineSpec {
  cpu: string;
  memory: string;
  ephemeralStorage?: string;
  concurrency?: number;
}

export const SCHEDULER_SIZES = ['SMALL', 'MEDIUM', 'LARGE', 'EXTRA_LARGE'] as const;
export type SchedulerSize = (typeof SCHEDULER_SIZES)[number];

/** EXTRA_LARGE is not published; this server doubles LARGE. */
export const SCHEDULER_MACHINES: { name: SchedulerSize; spec: MachineSpec }[] = [
  { name: 'SMALL', spec: { cpu: '1', memory: '2Gi', ephemeralStorage: '5Gi' } },
  { name: 'MEDIUM', spec: { cpu: '2', memory: '4Gi', ephemeralStorage: '5Gi' } },
  { name: 'LARGE', spec: { cpu: '4', memory: '8Gi', ephemeralStorage: '5Gi' } },
  { name: 'EXTRA_LARGE', spec: { cpu: '8', memory: '16Gi', ephemeralStorage: '5Gi' } },
];

export const ASTRO_MACHINES = ['A5', 'A10', 'A20', 'A40', 'A60', 'A120', 'A160'] as const;
export type AstroMachine = (typeof ASTRO_MACHINES)[number];

const machine = (name: AstroMachine, cpu: number) => ({
  name,
  spec: { cpu: String(cpu), memory: `${cpu * 2}Gi`, ephemeralStorage: '10Gi', concurrency: cpu * 5 },
  concurrency: { floor: 1, default: cpu * 5, ceiling: cpu * 15 },
});

/** Hosted worker types: memory is twice the vCPUs, default concurrency 5 × vCPU, ceiling 3 × default. */
export const WORKER_MACHINES = [
  machine('A5', 1), machine('A10', 2), machine('A20', 4), machine('A40', 8),
  machine('A60', 12), machine('A120', 24), machine('A160', 32),
];

export interface Range { floor: number; default: number; ceiling: number }
export interface ResourceRange { floor: string; default: string; ceiling: string }

export function workerQueueRanges(hybrid: boolean): { minWorkers: Range; maxWorkers: Range; workerConcurrency: Range } {
  return {
    minWorkers: { floor: 0, default: 0, ceiling: 30 },
    maxWorkers: { floor: 1, default: 10, ceiling: 30 },
    workerConcurrency: hybrid ? { floor: 1, default: 16, ceiling: 64 } : { floor: 1, default: 5, ceiling: 480 },
  };
}

export const RESOURCE_QUOTAS: { defaultPodSize: { cpu: ResourceRange; memory: ResourceRange }; resourceQuota: { cpu: ResourceRange; memory: ResourceRange } } = {
  defaultPodSize: {
    cpu: { floor: '0.25', default: '0.25', ceiling: '28' },
    memory: { floor: '0.5Gi', default: '0.5Gi', ceiling: '56Gi' },
  },
  resourceQuota: {
    cpu: { floor: '1', default: '10', ceiling: '6400' },
    memory: { floor: '2Gi', default: '20Gi', ceiling: '12800Gi' },
  },
};
