import { CLOUD_PROVIDERS, type CloudProvider } from '../../http/schemas.js';
import { invalidField } from '../../http/errors.js';
import {
  CLUSTER_REGIONS, DATABASE_INSTANCES, DEFAULT_CLUSTER_REGION, DEFAULT_DATABASE_INSTANCE, DEFAULT_NODE_INSTANCE,
  EXECUTORS, HYBRID_EXECUTORS, isAirflow3, NETWORK_DEFAULTS, NODE_COUNT, NODE_INSTANCES, RESOURCE_QUOTAS, RUNTIME_RELEASES,
  SCHEDULER_MACHINES, WORKER_MACHINES, workerQueueRanges, type Executor,
} from '../../platform/catalog.js';
import type { DeploymentOptionsView } from './schema.js';

const byName = <T extends { name: string }>(list: T[], name: string): T => list.find((x) => x.name === name)!;

export function clusterOptions(type: 'DEDICATED' | 'HYBRID', provider?: CloudProvider) {
  const providers: CloudProvider[] = provider ? [provider] : [...CLOUD_PROVIDERS];
  return providers.map((p) => {
    const regions = CLUSTER_REGIONS[type][p];
    const net = NETWORK_DEFAULTS[p];
    return {
      databaseInstances: DATABASE_INSTANCES[p],
      defaultDatabaseInstance: byName(DATABASE_INSTANCES[p], DEFAULT_DATABASE_INSTANCE[p]),
      defaultNodeInstance: byName(NODE_INSTANCES[p], DEFAULT_NODE_INSTANCE[p]),
      defaultPodSubnetRange: net.podSubnetRange,
      defaultRegion: byName(regions, DEFAULT_CLUSTER_REGION[p]),
      defaultServicePeeringRange: net.servicePeeringRange,
      defaultServiceSubnetRange: net.serviceSubnetRange,
      defaultVpcSubnetRange: net.vpcSubnetRange,
      nodeCountDefault: NODE_COUNT.default,
      nodeCountMax: NODE_COUNT.max,
      nodeCountMin: NODE_COUNT.min,
      nodeInstances: NODE_INSTANCES[p],
      provider: p,
      regions,
    };
  });
}

export interface DeploymentOptionsQuery {
  deploymentId?: string;
  deploymentType?: 'HYBRID' | 'DEDICATED' | 'STANDARD';
  executor?: Executor;
  cloudProvider?: CloudProvider;
}

/**
 * What a Deployment can be configured with. Hybrid Deployments size schedulers in AU and run
 * workers on cluster node pools, so they get no scheduler or worker machine list; the ASTRO
 * executor needs an Airflow 3 runtime.
 */
export function deploymentOptions(q: DeploymentOptionsQuery): DeploymentOptionsView {
  if (q.deploymentId !== undefined) {
    // No deployment exists in this server yet, so no id can name one.
    throw invalidField('deploymentId', 'exists', 'deploymentId does not name a Deployment in this Organization');
  }
  const hybrid = q.deploymentType === 'HYBRID';
  if (hybrid && q.executor === 'ASTRO') throw invalidField('executor', 'oneof', 'the ASTRO executor cannot be used with HYBRID Deployments');
  return {
    executors: hybrid ? [...HYBRID_EXECUTORS] : [...EXECUTORS],
    resourceQuotas: RESOURCE_QUOTAS,
    runtimeReleases: q.executor === 'ASTRO' ? RUNTIME_RELEASES.filter((r) => isAirflow3(r.version)) : RUNTIME_RELEASES,
    schedulerMachines: hybrid ? [] : SCHEDULER_MACHINES,
    workerMachines: hybrid ? [] : WORKER_MACHINES,
    workerQueues: workerQueueRanges(hybrid),
  };
}
