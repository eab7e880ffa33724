import { CLOUD_PROVIDERS, type CloudProvider } from '../../core/schemas.js';
import { FieldCode, invalidField } from '../../core/errors.js';
import {
  CLUSTER_REGIONS, DATABASE_INSTANCES, DEFAULT_CLUSTER_REGION, DEFAULT_DATABASE_INSTANCE, DEFAULT_NODE_INSTANCE,
  EXECUTORS, HYBRID_EXECUTORS, isAirflow3, NETWORK_DEFAULTS, NODE_COUNT, NODE_INSTANCES, RESOURCE_QUOTAS, RUNTIME_RELEASES, runtimeRelease,
  SCHEDULER_MACHINES, WORKER_MACHINES, workerQueueRanges, type Executor,
} from '../../platform/catalog.js';
import type { AppContext } from '../../context.js';
import { deploymentOptionsContext } from '../deployments/service.js';
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
 * executor needs an Airflow 3 runtime. With a deploymentId, the options are that Deployment's:
 * its type and provider, the runtime releases of its Airflow line it can move to (no downgrade),
 * and the workload identities it can run as. An id naming no Deployment of the Organization,
 * another Organization's included, is a 400 (the reference declares no 404 here).
 */
export async function deploymentOptions(app: AppContext, organizationId: string, q: DeploymentOptionsQuery): Promise<DeploymentOptionsView> {
  let type = q.deploymentType;
  let runtimeFloor: string | undefined;
  let workloadIdentityOptions: { role: string; label: string }[] | undefined;
  if (q.deploymentId !== undefined) {
    const d = await deploymentOptionsContext(app, organizationId, q.deploymentId);
    if (!d) throw invalidField('deploymentId', FieldCode.exists, 'deploymentId does not name a Deployment in this Organization');
    if (type !== undefined && type !== d.type) throw invalidField('deploymentType', FieldCode.mismatch, `deploymentType must be ${d.type}, the type of the Deployment deploymentId names`);
    if (q.cloudProvider !== undefined && q.cloudProvider !== d.cloudProvider) {
      throw invalidField('cloudProvider', FieldCode.mismatch, `cloudProvider must be ${d.cloudProvider}, the cloud provider of the Deployment deploymentId names`);
    }
    type = d.type;
    runtimeFloor = d.runtimeVersion;
    workloadIdentityOptions = d.workloadIdentities;
  }
  const hybrid = type === 'HYBRID';
  if (hybrid && q.executor === 'ASTRO') throw invalidField('executor', FieldCode.oneOf, 'the ASTRO executor cannot be used with HYBRID Deployments');
  let runtimeReleases = q.executor === 'ASTRO' ? RUNTIME_RELEASES.filter((r) => isAirflow3(r.version)) : RUNTIME_RELEASES;
  if (runtimeFloor !== undefined) {
    const floor = runtimeFloor;
    const line = isAirflow3(floor);
    const floorDate = runtimeRelease(floor).releaseDate;
    runtimeReleases = runtimeReleases.filter((r) => isAirflow3(r.version) === line && r.releaseDate >= floorDate);
  }
  return {
    executors: hybrid ? [...HYBRID_EXECUTORS] : [...EXECUTORS],
    resourceQuotas: RESOURCE_QUOTAS,
    runtimeReleases,
    schedulerMachines: hybrid ? [] : SCHEDULER_MACHINES,
    workerMachines: hybrid ? [] : WORKER_MACHINES,
    workerQueues: workerQueueRanges(hybrid),
    ...(workloadIdentityOptions ? { workloadIdentityOptions } : {}),
  };
}
