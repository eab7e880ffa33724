import Type, { type Static } from 'typebox';
import { CLOUD_PROVIDERS, DateTime, named, StringEnum } from '../../core/schemas.js';
import { ASTRO_MACHINES, EXECUTORS, SCHEDULER_SIZES } from '../../platform/catalog.js';

export const ProviderInstanceType = named('ProviderInstanceType', Type.Object({
  cpu: Type.Integer({ description: 'Virtual CPUs of the instance type.' }),
  memory: Type.String({ description: 'Memory of the instance type, as a Kubernetes quantity.' }),
  name: Type.String({ description: 'The provider\'s name for the instance type.' }),
}));

export const ProviderRegion = named('ProviderRegion', Type.Object({
  bannedInstances: Type.Optional(Type.Array(Type.String(), { description: 'Instance types that cannot be used in the region.' })),
  limited: Type.Optional(Type.Boolean({ description: 'Whether the region has limited capacity.' })),
  location: Type.Optional(Type.String({ description: 'Multi-region area of the region, used to pair disaster-recovery regions.' })),
  name: Type.String({ description: 'The provider\'s region code.' }),
}));

export const ClusterOptions = named('ClusterOptions', Type.Object({
  databaseInstances: Type.Array(ProviderInstanceType, { description: 'Database instance types the metadata database can use.' }),
  defaultDatabaseInstance: ProviderInstanceType,
  defaultNodeInstance: ProviderInstanceType,
  defaultPodSubnetRange: Type.Optional(Type.String({ description: 'Default pod range (GCP).' })),
  defaultRegion: ProviderRegion,
  defaultServicePeeringRange: Type.Optional(Type.String({ description: 'Default service peering range (GCP).' })),
  defaultServiceSubnetRange: Type.Optional(Type.String({ description: 'Default service range (GCP).' })),
  defaultVpcSubnetRange: Type.String({ description: 'Default VPC range.' }),
  nodeCountDefault: Type.Integer({ description: 'Default largest node count of a node pool.' }),
  nodeCountMax: Type.Integer({ description: 'Highest allowed node count of a node pool.' }),
  nodeCountMin: Type.Integer({ description: 'Lowest allowed node count of a node pool.' }),
  nodeInstances: Type.Array(ProviderInstanceType, { description: 'Instance types node pools can use.' }),
  provider: StringEnum(CLOUD_PROVIDERS, { description: 'The cloud provider these options are for.' }),
  regions: Type.Array(ProviderRegion, { description: 'Regions clusters of this type can be created in.' }),
}));

export const GetClusterOptionsQuery = Type.Object({
  provider: Type.Optional(StringEnum(CLOUD_PROVIDERS, { description: 'Only this cloud provider.' })),
  type: StringEnum(['DEDICATED', 'HYBRID'], { description: 'The kind of cluster.' }),
});

export const ClusterOptionsList = Type.Array(ClusterOptions);

const Range = named('Range', Type.Object({
  ceiling: Type.Number({ description: 'Highest allowed value.' }),
  default: Type.Number({ description: 'Value used when none is given.' }),
  floor: Type.Number({ description: 'Lowest allowed value.' }),
}));

const ResourceRange = named('ResourceRange', Type.Object({
  ceiling: Type.String({ description: 'Highest allowed quantity.' }),
  default: Type.String({ description: 'Quantity used when none is given.' }),
  floor: Type.String({ description: 'Lowest allowed quantity.' }),
}));

const ResourceOption = named('ResourceOption', Type.Object({
  cpu: ResourceRange,
  memory: ResourceRange,
}));

const MachineSpec = named('MachineSpec', Type.Object({
  concurrency: Type.Optional(Type.Number({ description: 'Default number of tasks a worker of this type runs at once.' })),
  cpu: Type.String({ description: 'CPU of the machine.' }),
  ephemeralStorage: Type.Optional(Type.String({ description: 'Local disk of the machine.' })),
  memory: Type.String({ description: 'Memory of the machine.' }),
}));

export const DeploymentOptions = named('DeploymentOptions', Type.Object({
  executors: Type.Array(Type.String(), { description: 'Executors a Deployment can use.' }),
  resourceQuotas: named('ResourceQuotaOptions', Type.Object({
    defaultPodSize: ResourceOption,
    resourceQuota: ResourceOption,
  })),
  runtimeReleases: Type.Array(named('RuntimeRelease', Type.Object({
    airflowDatabaseMigration: Type.Boolean({ description: 'Whether upgrading to the release migrates the Airflow database.' }),
    airflowVersion: Type.String({ description: 'The Airflow version the release is built on.' }),
    channel: Type.String({ description: 'Release channel.' }),
    releaseDate: DateTime('When the release came out.'),
    stellarDatabaseMigration: Type.Boolean({ description: 'Whether upgrading to the release migrates the Astro database.' }),
    version: Type.String({ description: 'Astro Runtime version string, such as 3.1-12 or 13.5.0.' }),
  })), { description: 'Astro Runtime releases new Deployments can use, newest first.' }),
  schedulerMachines: Type.Array(named('SchedulerMachine', Type.Object({
    name: StringEnum(SCHEDULER_SIZES, { description: 'The scheduler size.' }),
    spec: MachineSpec,
  })), { description: 'Scheduler sizes of hosted Deployments.' }),
  workerMachines: Type.Array(named('WorkerMachine', Type.Object({
    concurrency: Range,
    name: StringEnum(ASTRO_MACHINES, { description: 'The worker type.' }),
    spec: MachineSpec,
  })), { description: 'Worker types of hosted Deployments.' }),
  workerQueues: named('WorkerQueueOptions', Type.Object({
    maxWorkers: Range,
    minWorkers: Range,
    workerConcurrency: Range,
  })),
  workloadIdentityOptions: Type.Optional(Type.Array(named('WorkloadIdentityOption', Type.Object({
    label: Type.String({ description: 'Name of the identity, for people.' }),
    role: Type.String({ description: 'The identity to assume.' }),
  })), { description: 'Workload identities the Deployment can run as.' })),
}));
export type DeploymentOptionsView = Static<typeof DeploymentOptions>;

export const GetDeploymentOptionsQuery = Type.Object({
  deploymentId: Type.Optional(Type.String({ description: 'Options for this existing Deployment.' })),
  deploymentType: Type.Optional(StringEnum(['HYBRID', 'DEDICATED', 'STANDARD'], { description: 'Options for this kind of Deployment.' })),
  executor: Type.Optional(StringEnum(EXECUTORS, { description: 'Options for this executor.' })),
  cloudProvider: Type.Optional(StringEnum(CLOUD_PROVIDERS, { description: 'Options for this cloud provider.' })),
});
