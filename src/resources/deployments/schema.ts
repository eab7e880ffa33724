import Type, { type Static, type TSchema } from 'typebox';
import { BasicSubjectProfile, CLOUD_PROVIDERS, DateTime, discriminatedUnion, named, Nullable, OrganizationIdParam, StringEnum } from '../../core/schemas.js';
import { ASTRO_MACHINES, EXECUTORS, HYBRID_EXECUTORS, SCHEDULER_SIZES } from '../../platform/catalog.js';
import { LOG_SOURCES } from '../logs/repo.js';

export const DEPLOYMENT_TYPES = ['DEDICATED', 'HYBRID', 'STANDARD'] as const;
export type DeploymentType = (typeof DEPLOYMENT_TYPES)[number];

export const DEPLOYMENT_STATUSES = ['CREATING', 'DEPLOYING', 'HEALTHY', 'UNHEALTHY', 'UNKNOWN', 'HIBERNATING'] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];

// ---------------------------------------------------------------- responses

export const DeploymentEnvironmentVariable = named('DeploymentEnvironmentVariable', Type.Object({
  isSecret: Type.Boolean({ description: 'Whether the variable is a secret; secret values are never returned.' }),
  key: Type.String({ description: 'Name of the variable.' }),
  updatedAt: DateTime('When the variable was last changed.'),
  value: Type.Optional(Type.String({ description: 'Value of the variable; left out for secrets.' })),
}));
export type EnvVarView = Static<typeof DeploymentEnvironmentVariable>;

export const DeploymentRemoteExecution = named('DeploymentRemoteExecution', Type.Object({
  allowedIpAddressRanges: Type.Array(Type.String(), { description: 'Address ranges remote agents may connect from; empty when unrestricted.' }),
  enabled: Type.Boolean({ description: 'Whether tasks run on remote agents.' }),
  remoteApiUrl: Type.String({ description: 'URL remote agents connect to.' }),
  taskLogBucket: Type.Optional(Type.String({ description: 'Bucket remote agents write task logs to.' })),
  taskLogUrlPattern: Type.Optional(Type.String({ description: 'Pattern of the URLs task logs are read from.' })),
}));

export const DeploymentHibernationOverride = named('DeploymentHibernationOverride', Type.Object({
  isActive: Type.Optional(Type.Boolean({ description: 'Whether the override is in effect right now.' })),
  isHibernating: Type.Optional(Type.Boolean({ description: 'true keeps the Deployment hibernating, false keeps it awake.' })),
  overrideUntil: Type.Optional(DateTime('When the override ends, as it was sent.')),
}));
export type HibernationOverrideView = Static<typeof DeploymentHibernationOverride>;

export const DeploymentHibernationSchedule = named('DeploymentHibernationSchedule', Type.Object({
  description: Type.Optional(Type.String({ maxLength: 200, description: 'What the schedule is for.' })),
  hibernateAtCron: Type.String({ description: 'Five-field cron expression (UTC) of the times the Deployment goes to sleep.' }),
  isEnabled: Type.Boolean({ description: 'Whether the schedule takes effect.' }),
  wakeAtCron: Type.String({ description: 'Five-field cron expression (UTC) of the times the Deployment wakes up.' }),
}));
export type HibernationSchedule = Static<typeof DeploymentHibernationSchedule>;

export const DeploymentHibernationSpec = named('DeploymentHibernationSpec', Type.Object({
  override: Type.Optional(DeploymentHibernationOverride),
  schedules: Type.Optional(Type.Array(DeploymentHibernationSchedule, { description: 'Recurring sleep and wake times.' })),
}));

export const DeploymentScalingSpec = named('DeploymentScalingSpec', Type.Object({
  hibernationSpec: Type.Optional(DeploymentHibernationSpec),
}));

export const DeploymentHibernationStatus = named('DeploymentHibernationStatus', Type.Object({
  isHibernating: Type.Boolean({ description: 'Whether the Deployment is asleep right now.' }),
  nextEventAt: Type.Optional(Type.String({ description: 'When the Deployment next goes to sleep or wakes up.' })),
  nextEventType: Type.Optional(StringEnum(['HIBERNATE', 'WAKE'], { description: 'What happens at nextEventAt.' })),
  reason: Type.Optional(Type.String({ description: 'Why the Deployment is in its current state.' })),
}));

export const DeploymentScalingStatus = named('DeploymentScalingStatus', Type.Object({
  hibernationStatus: Type.Optional(DeploymentHibernationStatus),
}));

export const WorkerQueue = named('WorkerQueue', Type.Object({
  astroMachine: Type.Optional(Type.String({ description: 'Worker type of the queue (hosted Deployments).' })),
  id: Type.String({ description: 'Identifier of the queue.' }),
  isDefault: Type.Boolean({ description: 'Whether this is the Deployment\'s default queue.' }),
  maxWorkerCount: Type.Integer({ description: 'Largest number of workers.' }),
  minWorkerCount: Type.Integer({ description: 'Smallest number of workers.' }),
  name: Type.String({ description: 'Name of the queue.' }),
  nodePoolId: Type.Optional(Type.String({ description: 'Cluster node pool the workers run on (hybrid Deployments).' })),
  podCpu: Type.String({ description: 'CPU of one worker, in cores.' }),
  podEphemeralStorage: Type.Optional(Type.String({ description: 'Local disk of one worker.' })),
  podMemory: Type.String({ description: 'Memory of one worker.' }),
  workerConcurrency: Type.Integer({ description: 'Tasks one worker runs at once.' }),
}));
export type WorkerQueueView = Static<typeof WorkerQueue>;

export const Deployment = named('Deployment', Type.Object({
  airflowVersion: Type.String({ description: 'Airflow version of the Deployment\'s runtime.' }),
  apiUrl: Type.String({ description: 'Base URL of the Airflow API.' }),
  astroRuntimeVersion: Type.String({ description: 'Astro Runtime version.' }),
  cloudProvider: Type.Optional(StringEnum(CLOUD_PROVIDERS, { description: 'Cloud provider the Deployment runs on.' })),
  clusterId: Type.Optional(Type.String({ description: 'Cluster of a dedicated or hybrid Deployment.' })),
  clusterName: Type.Optional(Type.String({ description: 'Name of that cluster.' })),
  contactEmails: Type.Optional(Type.Array(Type.String(), { description: 'Who to contact about the Deployment.' })),
  createdAt: DateTime('When the Deployment was created.'),
  createdBy: BasicSubjectProfile,
  dagTarballVersion: Type.Optional(Type.String({ description: 'DAG bundle version running now.' })),
  defaultTaskPodCpu: Type.Optional(Type.String({ description: 'Default CPU of a task pod, as sent.' })),
  defaultTaskPodMemory: Type.Optional(Type.String({ description: 'Default memory of a task pod, as sent.' })),
  description: Type.Optional(Type.String({ description: 'What the Deployment is for.' })),
  desiredDagTarballVersion: Type.Optional(Type.String({ description: 'DAG bundle version a running deploy is bringing.' })),
  drExternalIPs: Type.Optional(Type.Array(Type.String(), { description: 'Outbound addresses in the disaster-recovery region.' })),
  drOidcIssuerUrl: Type.Optional(Type.String({ description: 'OIDC issuer of the disaster-recovery cluster.' })),
  effectiveDRWorkloadIdentity: Type.Optional(Type.String({ description: 'Workload identity used in the disaster-recovery region.' })),
  effectiveWorkloadIdentity: Type.Optional(Type.String({ description: 'Workload identity the Deployment runs as: the configured one or the default.' })),
  environmentVariables: Type.Optional(Type.Array(DeploymentEnvironmentVariable, { description: 'Environment variables; secret values are left out.' })),
  executor: Type.Optional(StringEnum(EXECUTORS, { description: 'Airflow executor.' })),
  externalIPs: Type.Optional(Type.Array(Type.String(), { description: 'Outbound addresses of the Deployment.' })),
  id: Type.String({ description: 'Identifier of the Deployment.' }),
  imageRepository: Type.String({ description: 'Repository of the Deployment\'s image.' }),
  imageTag: Type.String({ description: 'Tag of the Deployment\'s image.' }),
  imageVersion: Type.Optional(Type.String({ description: 'Version stamp of the last image deploy.' })),
  isCicdEnforced: Type.Boolean({ description: 'Whether deploys must come from CI/CD.' }),
  isDagDeployEnabled: Type.Boolean({ description: 'Whether DAG-only deploys are on.' }),
  isDevelopmentMode: Type.Optional(Type.Boolean({ description: 'Whether the Deployment is for development (hibernation allowed, no uptime SLA).' })),
  isHighAvailability: Type.Optional(Type.Boolean({ description: 'Whether two schedulers run.' })),
  name: Type.String({ description: 'Name of the Deployment.' }),
  namespace: Type.String({ description: 'Kubernetes namespace of the Deployment.' }),
  oidcIssuerUrl: Type.Optional(Type.String({ description: 'OIDC issuer of the Deployment\'s cluster.' })),
  organizationId: Type.String({ description: 'The Organization the Deployment belongs to.' }),
  region: Type.Optional(Type.String({ description: 'Region the Deployment runs in.' })),
  remoteExecution: Type.Optional(DeploymentRemoteExecution),
  resourceQuotaCpu: Type.Optional(Type.String({ description: 'CPU quota of all worker pods, as sent.' })),
  resourceQuotaMemory: Type.Optional(Type.String({ description: 'Memory quota of all worker pods, as sent.' })),
  runtimeVersion: Type.String({ description: 'Deprecated copy of astroRuntimeVersion.' }),
  scalingSpec: Type.Optional(DeploymentScalingSpec),
  scalingStatus: Type.Optional(DeploymentScalingStatus),
  schedulerAu: Type.Optional(Type.Integer({ description: 'Scheduler size in Astro units (hybrid Deployments).' })),
  schedulerCpu: Type.String({ description: 'CPU of the scheduler, in cores.' }),
  schedulerMemory: Type.String({ description: 'Memory of the scheduler.' }),
  schedulerReplicas: Type.Integer({ description: 'Number of schedulers.' }),
  schedulerSize: Type.Optional(StringEnum(SCHEDULER_SIZES, { description: 'Scheduler size (hosted Deployments).' })),
  status: StringEnum(DEPLOYMENT_STATUSES, { description: 'Where the Deployment is in its lifecycle.' }),
  statusReason: Type.Optional(Type.String({ description: 'Why the Deployment has its status.' })),
  taskPodNodePoolId: Type.Optional(Type.String({ description: 'Node pool of task pods (hybrid Deployments on the Kubernetes executor).' })),
  type: Type.Optional(StringEnum(DEPLOYMENT_TYPES, { description: 'Kind of infrastructure the Deployment runs on.' })),
  uiUrl: Type.String({ description: 'URL of the Airflow UI.' }),
  updatedAt: DateTime('When the Deployment was last changed.'),
  updatedBy: BasicSubjectProfile,
  webServerAirflowApiUrl: Type.String({ description: 'Airflow API URL behind the web server.' }),
  webServerCpu: Type.String({ description: 'CPU of the web server, in cores.' }),
  webServerIngressHostname: Type.String({ description: 'Host name of the web server.' }),
  webServerMemory: Type.String({ description: 'Memory of the web server.' }),
  webServerReplicas: Type.Optional(Type.Integer({ description: 'Number of web servers.' })),
  webServerUrl: Type.String({ description: 'URL of the web server.' }),
  workerQueues: Type.Optional(Type.Array(WorkerQueue, { description: 'Worker queues; left out for the Kubernetes executor.' })),
  workspaceId: Type.String({ description: 'The Workspace the Deployment belongs to.' }),
  workspaceName: Type.Optional(Type.String({ description: 'Name of that Workspace.' })),
}));
export type DeploymentView = Static<typeof Deployment>;

export const DeploymentsPaginated = named('DeploymentsPaginated', Type.Object({
  deployments: Type.Array(Deployment, { description: 'The page of Deployments.' }),
  limit: Type.Integer({ description: 'The limit the page was cut with.' }),
  offset: Type.Integer({ description: 'How many Deployments were skipped.' }),
  totalCount: Type.Integer({ description: 'How many Deployments match, across all pages.' }),
}));

// ---------------------------------------------------------------- request parts

export const DeploymentEnvironmentVariableRequest = named('DeploymentEnvironmentVariableRequest', Type.Object({
  isSecret: Type.Boolean({ description: 'Whether the value is secret (never returned once set).' }),
  key: Type.String({ description: 'Name of the variable.' }),
  value: Type.Optional(Type.String({ description: 'Value; for a secret already set, leave out to keep the stored value.' })),
}));
export type EnvVarRequest = Static<typeof DeploymentEnvironmentVariableRequest>;

export const DeploymentRemoteExecutionRequest = named('DeploymentRemoteExecutionRequest', Type.Object({
  allowedIpAddressRanges: Type.Optional(Type.Array(Type.String(), { description: 'Address ranges remote agents may connect from.' })),
  enabled: Type.Boolean({ description: 'Run tasks on remote agents (dedicated Deployments on the ASTRO executor).' }),
  taskLogBucket: Type.Optional(Type.String({ description: 'Bucket remote agents write task logs to.' })),
  taskLogUrlPattern: Type.Optional(Type.String({ description: 'Pattern of the URLs task logs are read from.' })),
}));
export type RemoteExecutionRequest = Static<typeof DeploymentRemoteExecutionRequest>;

export const DeploymentHibernationOverrideRequest = named('DeploymentHibernationOverrideRequest', Type.Object({
  isHibernating: Type.Optional(Type.Boolean({ description: 'true keeps the Deployment hibernating, false keeps it awake.' })),
  overrideUntil: Type.Optional(Type.String({ description: 'When the override ends (RFC 3339); without it the override lasts until removed.' })),
}));
export type HibernationOverrideRequest = Static<typeof DeploymentHibernationOverrideRequest>;

export const DeploymentHibernationSpecRequest = named('DeploymentHibernationSpecRequest', Type.Object({
  override: Type.Optional(DeploymentHibernationOverrideRequest),
  schedules: Type.Optional(Type.Array(DeploymentHibernationSchedule, { maxItems: 10, description: 'Recurring sleep and wake times.' })),
}));

export const DeploymentScalingSpecRequest = named('DeploymentScalingSpecRequest', Type.Object({
  hibernationSpec: Type.Optional(DeploymentHibernationSpecRequest),
}));
export type ScalingSpecRequest = Static<typeof DeploymentScalingSpecRequest>;

const queueCommon = {
  id: Type.Optional(Type.String({ description: 'Identifier of an existing queue; leave out to add a queue.' })),
  isDefault: Type.Boolean({ description: 'Whether this is the default queue (the one named default).' }),
  maxWorkerCount: Type.Integer({ minimum: 1, description: 'Largest number of workers.' }),
  minWorkerCount: Type.Integer({ minimum: 0, description: 'Smallest number of workers.' }),
  name: Type.String({ maxLength: 63, description: 'Name of the queue: lower-case letters, digits and hyphens.' }),
  workerConcurrency: Type.Integer({ minimum: 1, description: 'Tasks one worker runs at once.' }),
};
const astroMachine = (description: string) => StringEnum(ASTRO_MACHINES, { description });
const podEphemeralStorage = Type.Optional(Type.String({ description: 'Local disk of one worker, a Kubernetes quantity such as 10Gi.' }));

export const WorkerQueueRequest = named('WorkerQueueRequest', Type.Object({
  astroMachine: astroMachine('Worker type of the queue.'),
  ...queueCommon,
  podEphemeralStorage,
}));

export const HybridWorkerQueueRequest = named('HybridWorkerQueueRequest', Type.Object({
  ...queueCommon,
  nodePoolId: Type.String({ description: 'Cluster node pool the workers run on.' }),
}));

export const UpdateWorkerQueueRequest = named('UpdateWorkerQueueRequest', Type.Object({
  astroMachine: Type.Optional(astroMachine('Worker type of the queue; required for hosted Deployments.')),
  ...queueCommon,
  nodePoolId: Type.Optional(Type.String({ description: 'Cluster node pool the workers run on; required for hybrid Deployments.' })),
  podEphemeralStorage,
}));

/** Any worker queue request, as the rules see it. */
export interface QueueRequest {
  id?: string;
  name: string;
  isDefault: boolean;
  astroMachine?: string;
  nodePoolId?: string;
  minWorkerCount: number;
  maxWorkerCount: number;
  workerConcurrency: number;
  podEphemeralStorage?: string;
}

export const CreateDeploymentInstanceSpecRequest = named('CreateDeploymentInstanceSpecRequest', Type.Object({
  au: Type.Optional(Type.Integer({ minimum: 5, maximum: 24, description: 'Scheduler size in Astro units, 5 to 24. Defaults to 5.' })),
  replicas: Type.Optional(Type.Integer({ minimum: 1, maximum: 4, description: 'Number of schedulers, 1 to 4. Defaults to 1.' })),
}));

export const UpdateDeploymentInstanceSpecRequest = named('UpdateDeploymentInstanceSpecRequest', Type.Object({
  au: Type.Integer({ minimum: 5, maximum: 24, description: 'Scheduler size in Astro units, 5 to 24.' }),
  replicas: Type.Integer({ minimum: 1, maximum: 4, description: 'Number of schedulers, 1 to 4.' }),
}));

// ---------------------------------------------------------------- create

const typeField = Type.Optional(StringEnum(DEPLOYMENT_TYPES, { description: 'Kind of infrastructure; worked out from the cluster or Workspace defaults when left out.' }));

const common = {
  contactEmails: Type.Optional(Type.Array(Type.String(), { description: 'Who to contact about the Deployment.' })),
  description: Type.Optional(Type.String({ maxLength: 1000, description: 'What the Deployment is for.' })),
  drWorkloadIdentity: Type.Optional(Type.String({ description: 'Workload identity in the disaster-recovery region.' })),
  environmentVariables: Type.Optional(Type.Array(DeploymentEnvironmentVariableRequest, { description: 'Environment variables.' })),
  isCicdEnforced: Type.Optional(Type.Boolean({ description: 'Accept deploys from CI/CD only. Defaults to the Workspace\'s cicdEnforcedDefault.' })),
  isDagDeployEnabled: Type.Optional(Type.Boolean({ description: 'Allow DAG-only deploys. Defaults to true.' })),
  name: Type.String({ maxLength: 500, description: 'Name of the Deployment.' }),
  type: typeField,
  workloadIdentity: Type.Optional(Type.String({ description: 'Workload identity to run as; the default one when left out or empty.' })),
  workspaceId: Type.String({ description: 'The Workspace to create the Deployment in.' }),
};

const hostedCreate = {
  defaultTaskPodCpu: Type.Optional(Type.String({ description: 'Default CPU of a task pod, in cores. Defaults to the options\' default.' })),
  defaultTaskPodMemory: Type.Optional(Type.String({ description: 'Default memory of a task pod, in Gi; twice the CPU.' })),
  executor: Type.Optional(StringEnum(EXECUTORS, { description: 'Airflow executor. Defaults to ASTRO on Airflow 3 runtimes, CELERY otherwise.' })),
  isDevelopmentMode: Type.Optional(Type.Boolean({ description: 'Development Deployment: hibernation allowed, no uptime SLA. Defaults to false.' })),
  isHighAvailability: Type.Optional(Type.Boolean({ description: 'Run two schedulers. Defaults to false.' })),
  remoteExecution: Type.Optional(DeploymentRemoteExecutionRequest),
  resourceQuotaCpu: Type.Optional(Type.String({ description: 'CPU quota of all worker pods, in cores. Defaults to the options\' default.' })),
  resourceQuotaMemory: Type.Optional(Type.String({ description: 'Memory quota of all worker pods, in Gi; twice the CPU.' })),
  scalingSpec: Type.Optional(DeploymentScalingSpecRequest),
  schedulerSize: Type.Optional(StringEnum(SCHEDULER_SIZES, { description: 'Scheduler size. Defaults to SMALL.' })),
  workerQueues: Type.Optional(Type.Array(WorkerQueueRequest, { minItems: 1, description: 'Worker queues (CELERY, or ASTRO without remote execution); one must be named default. A default queue is made when left out.' })),
};

const runtimeField = Type.Optional(Type.String({ description: 'Astro Runtime version. Defaults to the newest release.' }));
const clusterIdField = Type.Optional(Type.String({ description: 'Cluster to run on; wins over cloudProvider and region. Left out, the Workspace defaults or the Organization\'s only cluster apply.' }));

export const CreateDedicatedDeploymentRequest = named('CreateDedicatedDeploymentRequest', Type.Object({
  astroRuntimeVersion: runtimeField,
  clusterId: clusterIdField,
  ...common,
  ...hostedCreate,
}));

export const CreateHybridDeploymentRequest = named('CreateHybridDeploymentRequest', Type.Object({
  astroRuntimeVersion: runtimeField,
  clusterId: clusterIdField,
  ...common,
  executor: Type.Optional(StringEnum(HYBRID_EXECUTORS, { description: 'Airflow executor. Defaults to CELERY.' })),
  scheduler: Type.Optional(CreateDeploymentInstanceSpecRequest),
  taskPodNodePoolId: Type.Optional(Type.String({ description: 'Node pool of task pods (KUBERNETES executor). Defaults to the cluster\'s default pool.' })),
  workerQueues: Type.Optional(Type.Array(HybridWorkerQueueRequest, { minItems: 1, description: 'Worker queues (CELERY); one must be named default. A default queue is made when left out.' })),
}));

export const CreateStandardDeploymentRequest = named('CreateStandardDeploymentRequest', Type.Object({
  astroRuntimeVersion: runtimeField,
  cloudProvider: Type.Optional(StringEnum(CLOUD_PROVIDERS, { description: 'Cloud provider of the shared cluster; goes with region.' })),
  clusterId: clusterIdField,
  ...common,
  ...hostedCreate,
  region: Type.Optional(Type.String({ description: 'Region of the shared cluster; goes with cloudProvider.' })),
}));

/** What a create body must hold before its type is known: the union member is checked once it is. */
export const CreateDeploymentMinimal = Type.Object({
  clusterId: Type.Optional(Type.String()),
  cloudProvider: Type.Optional(StringEnum(CLOUD_PROVIDERS)),
  name: Type.String({ maxLength: 500 }),
  region: Type.Optional(Type.String()),
  workspaceId: Type.String(),
});

export const CreateDeploymentRequest = discriminatedUnion(
  'CreateDeploymentRequest',
  'type',
  { DEDICATED: CreateDedicatedDeploymentRequest, HYBRID: CreateHybridDeploymentRequest, STANDARD: CreateStandardDeploymentRequest },
  'The Deployment to create. Only name and workspaceId are required; type, when sent, chooses the shape.',
  { whenAbsent: CreateDeploymentMinimal, nullAsAbsent: true },
);
export type CreateDedicatedBody = Static<typeof CreateDedicatedDeploymentRequest>;
export type CreateHybridBody = Static<typeof CreateHybridDeploymentRequest>;
export type CreateStandardBody = Static<typeof CreateStandardDeploymentRequest>;
export type CreateDeploymentBody = CreateDedicatedBody | CreateHybridBody | CreateStandardBody;

export const CREATE_MEMBERS: Record<DeploymentType, TSchema> = {
  DEDICATED: CreateDedicatedDeploymentRequest,
  HYBRID: CreateHybridDeploymentRequest,
  STANDARD: CreateStandardDeploymentRequest,
};

// ---------------------------------------------------------------- update

const updateCommon = {
  contactEmails: common.contactEmails,
  description: common.description,
  drWorkloadIdentity: common.drWorkloadIdentity,
  environmentVariables: Type.Array(DeploymentEnvironmentVariableRequest, { description: 'The full list of environment variables; variables left out are removed. A secret sent without a value keeps its stored value.' }),
  isCicdEnforced: Type.Boolean({ description: 'Accept deploys from CI/CD only.' }),
  isDagDeployEnabled: Type.Boolean({ description: 'Allow DAG-only deploys.' }),
  name: common.name,
  type: StringEnum(DEPLOYMENT_TYPES, { description: 'Kind of the Deployment; must be its current type.' }),
  workloadIdentity: common.workloadIdentity,
  workspaceId: Type.String({ description: 'The Deployment\'s Workspace.' }),
};

const hostedUpdate = {
  defaultTaskPodCpu: Type.Optional(Type.String({ description: 'Default CPU of a task pod, in cores; required unless remote execution is on.' })),
  defaultTaskPodMemory: Type.Optional(Type.String({ description: 'Default memory of a task pod, in Gi; twice the CPU.' })),
  executor: StringEnum(EXECUTORS, { description: 'Airflow executor.' }),
  isDevelopmentMode: Type.Optional(Type.Boolean({ description: 'Can go from true to false only. Left out, it stays as it is.' })),
  isHighAvailability: Type.Boolean({ description: 'Run two schedulers.' }),
  remoteExecution: Type.Optional(DeploymentRemoteExecutionRequest),
  resourceQuotaCpu: Type.Optional(Type.String({ description: 'CPU quota of all worker pods, in cores; required unless remote execution is on.' })),
  resourceQuotaMemory: Type.Optional(Type.String({ description: 'Memory quota of all worker pods, in Gi; twice the CPU.' })),
  scalingSpec: Type.Optional(DeploymentScalingSpecRequest),
  schedulerSize: StringEnum(SCHEDULER_SIZES, { description: 'Scheduler size.' }),
  workerQueues: Type.Optional(Type.Array(UpdateWorkerQueueRequest, { minItems: 1, description: 'The full list of worker queues, matched by id, then by name; queues left out are removed (not the default one).' })),
};

export const UpdateDedicatedDeploymentRequest = named('UpdateDedicatedDeploymentRequest', Type.Object({ ...updateCommon, ...hostedUpdate }));
export const UpdateStandardDeploymentRequest = named('UpdateStandardDeploymentRequest', Type.Object({ ...updateCommon, ...hostedUpdate }));
export const UpdateHybridDeploymentRequest = named('UpdateHybridDeploymentRequest', Type.Object({
  ...updateCommon,
  executor: StringEnum(HYBRID_EXECUTORS, { description: 'Airflow executor.' }),
  scheduler: UpdateDeploymentInstanceSpecRequest,
  taskPodNodePoolId: Type.Optional(Type.String({ description: 'Node pool of task pods (KUBERNETES executor). Defaults to the cluster\'s default pool.' })),
  workerQueues: Type.Optional(Type.Array(UpdateWorkerQueueRequest, { minItems: 1, description: 'The full list of worker queues (CELERY), matched by id, then by name.' })),
}));

export const UpdateDeploymentRequest = discriminatedUnion(
  'UpdateDeploymentRequest',
  'type',
  { DEDICATED: UpdateDedicatedDeploymentRequest, HYBRID: UpdateHybridDeploymentRequest, STANDARD: UpdateStandardDeploymentRequest },
  'The new settings of the Deployment, replacing the current ones; type must be its current type.',
  { nullAsAbsent: true },
);
export type UpdateHostedBody = Static<typeof UpdateStandardDeploymentRequest>;
export type UpdateHybridBody = Static<typeof UpdateHybridDeploymentRequest>;
export type UpdateDeploymentBody = UpdateHostedBody | UpdateHybridBody;

// ---------------------------------------------------------------- hibernation override

export const OverrideDeploymentHibernationBody = named('OverrideDeploymentHibernationBody', Type.Object({
  isHibernating: Nullable(Type.Boolean({ description: 'true hibernates the Deployment whatever its schedules say, false keeps it awake.' })),
  overrideUntil: Type.Optional(Nullable(Type.String({ format: 'date-time', description: 'When the override ends; without it the override lasts until removed.' }))),
}));
export type OverrideBody = Static<typeof OverrideDeploymentHibernationBody>;

// ---------------------------------------------------------------- parameters

export const ListDeploymentsQuery = Type.Object({
  deploymentIds: Type.Optional(Type.Array(Type.String(), { description: 'Only these Deployments.' })),
  names: Type.Optional(Type.Array(Type.String(), { description: 'Only Deployments with one of these exact names.' })),
  workspaceIds: Type.Optional(Type.Array(Type.String(), { description: 'Only Deployments of these Workspaces.' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'How many results to skip.' })),
  limit: Type.Optional(Type.Integer({ minimum: 0, default: 20, description: 'Largest number of results to return (at most 1000 are returned).' })),
  sorts: Type.Optional(Type.Array(StringEnum(['name:asc', 'name:desc', 'createdAt:asc', 'createdAt:desc', 'updatedAt:asc', 'updatedAt:desc']), {
    description: 'Sort keys, each `<field>:asc` or `<field>:desc`, applied in order.',
  })),
});

export const DeploymentParams = Type.Object({
  ...OrganizationIdParam.properties,
  deploymentId: Type.String({ description: 'Identifier of the Deployment.' }),
});

// ---------------------------------------------------------------- logs (GetDeploymentLogs; the lines are the logs family's)

/** Order of the reference's response enum (the query parameter lists the same values in another order). */
const ENTRY_SOURCES = ['scheduler', 'webserver', 'triggerer', 'worker', 'dag-processor', 'apiserver'] as const;

export const DeploymentLogEntry = named('DeploymentLogEntry', Type.Object({
  raw: Type.String({ description: 'The line as the component wrote it.' }),
  source: StringEnum(ENTRY_SOURCES, { description: 'The component that wrote the line.' }),
  timestamp: Type.Number({ description: 'When the line was written, in seconds since the Unix epoch (with a fraction).' }),
}));

export const DeploymentLog = named('DeploymentLog', Type.Object({
  limit: Type.Integer({ minimum: 1, description: 'The page size used: the limit asked for, at most 10000.' }),
  maxNumResults: Type.Integer({ minimum: 0, description: 'The most lines the search returns over all its pages.' }),
  offset: Type.Integer({ minimum: 0, description: 'How many lines of the search come before this page.' }),
  resultCount: Type.Integer({ minimum: 0, description: 'How many lines this page holds.' }),
  results: Type.Array(DeploymentLogEntry, { description: 'The page of lines, newest first.' }),
  searchId: Type.String({ description: 'Send it with later pages of this search: they then read the same lines, whatever is written since.' }),
}));
export type DeploymentLogView = Static<typeof DeploymentLog>;

export const GetDeploymentLogsQuery = Type.Object({
  sources: Type.Array(StringEnum(LOG_SOURCES), { description: 'The components whose lines to return; at least one.' }),
  limit: Type.Optional(Type.Integer({ minimum: 1, default: 500, description: 'Most lines in this page.' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'How many lines of the search to skip.' })),
  range: Type.Optional(Type.Integer({ minimum: 60, default: 3600, description: 'How far back to look, in seconds, when startDate and endDate are not sent.' })),
  maxNumResults: Type.Optional(Type.Integer({ minimum: 1, default: 10000, description: 'Most lines over all pages of the search.' })),
  searchId: Type.Optional(Type.String({ description: 'The searchId of the search\'s first page, for its later pages.' })),
  searchText: Type.Optional(Type.String({ description: 'Words every line must hold (case-insensitive, whole words; a trailing `*` matches a word\'s beginning).' })),
  startDate: Type.Optional(Type.String({ format: 'date-time', description: 'Start of the time window (RFC 3339); send with endDate.' })),
  endDate: Type.Optional(Type.String({ format: 'date-time', description: 'End of the time window (RFC 3339); send with startDate.' })),
});
export type GetDeploymentLogsQueryValue = Static<typeof GetDeploymentLogsQuery>;
