import Type, { type TObject } from 'typebox';
import { byOperationId, presentAs, without } from '../../http/projection.js';
import { discriminatedUnion, named, Nullable, requiring } from '../../core/schemas.js';
import { operations } from './routes.js';
import {
  CreateDedicatedDeploymentRequest, CreateHybridDeploymentRequest, CreateStandardDeploymentRequest, Deployment,
  DeploymentHibernationOverride, DeploymentHibernationSpec, HybridWorkerQueueRequest,
  OverrideDeploymentHibernationBody, UpdateDedicatedDeploymentRequest, UpdateDeploymentInstanceSpecRequest,
  UpdateHybridDeploymentRequest, UpdateStandardDeploymentRequest, WorkerQueue, WorkerQueueRequest,
  type DeploymentView,
} from './schema.js';

/**
 * Deployments on /platform/v1beta1, as the Terraform provider sees them:
 * - the Deployment shows `workloadIdentity` / `drWorkloadIdentity` (the identities in effect,
 *   v1's `effective…` fields), worker queues without ephemeral storage, and an override whose
 *   fields may be null;
 * - create bodies require what the provider always sends (runtime, executor, CI/CD and DAG-deploy
 *   switches, type, and for hosted ones high availability and scheduler size; a cluster for
 *   dedicated and hybrid), and name their parts with the older schemas;
 * - update bodies take the hosted queue shape (machine required) or the hybrid one (node pool
 *   required) instead of v1's one queue shape.
 * The rules are v1's: the bodies reach the v1 handlers unchanged, but for one thing the older
 * shape cannot say: an update there keeps the ephemeral storage v1 gave a worker queue (matched by
 * id, then by name, as v1 matches queues), where v1 would read its absence as "none" (the
 * service's keptQueueSettings rule, applied under the Deployment's lock).
 */

const noStorage = <T extends TObject>(name: string, schema: T) => named(name, Type.Omit(schema, ['podEphemeralStorage']));

const WorkerQueueV1beta1 = noStorage('WorkerQueue', WorkerQueue);
const WorkerQueueRequestV1beta1 = noStorage('WorkerQueueRequest', WorkerQueueRequest);
const InstanceSpecRequest = named('DeploymentInstanceSpecRequest', Type.Object(UpdateDeploymentInstanceSpecRequest.properties));

const OverrideV1beta1 = named('DeploymentHibernationOverride', Type.Object({
  isActive: Type.Optional(Nullable(DeploymentHibernationOverride.properties.isActive)),
  isHibernating: Type.Optional(Nullable(DeploymentHibernationOverride.properties.isHibernating)),
  overrideUntil: Type.Optional(Nullable(DeploymentHibernationOverride.properties.overrideUntil)),
}));
const HibernationSpecV1beta1 = named('DeploymentHibernationSpec', Type.Object({
  ...DeploymentHibernationSpec.properties,
  override: Type.Optional(OverrideV1beta1),
}));
const ScalingSpecV1beta1 = named('DeploymentScalingSpec', Type.Object({ hibernationSpec: Type.Optional(HibernationSpecV1beta1) }));

const IDENTITIES = ['effectiveWorkloadIdentity', 'effectiveDRWorkloadIdentity'] as const;
const DeploymentV1beta1 = named('Deployment', Type.Object({
  ...Type.Omit(Deployment, [...IDENTITIES, 'workerQueues', 'scalingSpec']).properties,
  drWorkloadIdentity: Type.Optional(Type.String({ description: 'Workload identity used in the disaster-recovery region.' })),
  scalingSpec: Type.Optional(ScalingSpecV1beta1),
  workerQueues: Type.Optional(Type.Array(WorkerQueueV1beta1, { description: 'Worker queues; left out for the Kubernetes executor.' })),
  workloadIdentity: Type.Optional(Type.String({ description: 'Workload identity the Deployment runs as.' })),
}));
const DeploymentsPaginatedV1beta1 = named('DeploymentsPaginated', Type.Object({
  deployments: Type.Array(DeploymentV1beta1, { description: 'The page of Deployments.' }),
  limit: Type.Integer({ description: 'The limit the page was cut with.' }),
  offset: Type.Integer({ description: 'How many Deployments were skipped.' }),
  totalCount: Type.Integer({ description: 'How many Deployments match, across all pages.' }),
}));

const ALWAYS_SENT = ['astroRuntimeVersion', 'executor', 'isCicdEnforced', 'isDagDeployEnabled', 'type'] as const;
const HOSTED_SENT = [...ALWAYS_SENT, 'isHighAvailability', 'schedulerSize'] as const;
const hostedQueues = { workerQueues: Type.Optional(Type.Array(WorkerQueueRequestV1beta1, { minItems: 1, description: 'Worker queues; one must be named default.' })) };

const CreateDeploymentRequestV1beta1 = discriminatedUnion(
  'CreateDeploymentRequest',
  'type',
  {
    DEDICATED: named('CreateDedicatedDeploymentRequest', Type.Object({
      ...requiring(CreateDedicatedDeploymentRequest, [...HOSTED_SENT, 'clusterId']).properties, ...hostedQueues,
    })),
    HYBRID: named('CreateHybridDeploymentRequest', Type.Object({
      ...requiring(CreateHybridDeploymentRequest, [...ALWAYS_SENT, 'clusterId']).properties,
      scheduler: InstanceSpecRequest,
    })),
    STANDARD: named('CreateStandardDeploymentRequest', Type.Object({
      ...requiring(CreateStandardDeploymentRequest, HOSTED_SENT).properties, ...hostedQueues,
    })),
  },
  'The Deployment to create; type chooses the shape.',
  { untyped: true, nullAsAbsent: true },
);

const UpdateDeploymentRequestV1beta1 = discriminatedUnion(
  'UpdateDeploymentRequest',
  'type',
  {
    DEDICATED: named('UpdateDedicatedDeploymentRequest', Type.Object({ ...UpdateDedicatedDeploymentRequest.properties, ...hostedQueues })),
    HYBRID: named('UpdateHybridDeploymentRequest', Type.Object({
      ...UpdateHybridDeploymentRequest.properties,
      scheduler: InstanceSpecRequest,
      workerQueues: Type.Optional(Type.Array(HybridWorkerQueueRequest, { minItems: 1, description: 'Worker queues; one must be named default.' })),
    })),
    STANDARD: named('UpdateStandardDeploymentRequest', Type.Object({ ...UpdateStandardDeploymentRequest.properties, ...hostedQueues })),
  },
  'The new settings of the Deployment, replacing the current ones; type must be its current type.',
  { untyped: true, nullAsAbsent: true },
);

const OverrideBodyV1beta1 = named('OverrideDeploymentHibernationBody', Type.Object({
  isHibernating: Type.Optional(OverrideDeploymentHibernationBody.properties.isHibernating),
  overrideUntil: OverrideDeploymentHibernationBody.properties.overrideUntil,
}));

function toV1beta1(d: DeploymentView) {
  return {
    ...without(d, IDENTITIES),
    drWorkloadIdentity: d.effectiveDRWorkloadIdentity,
    workloadIdentity: d.effectiveWorkloadIdentity,
    workerQueues: d.workerQueues?.map((q) => without(q, ['podEphemeralStorage'])),
  };
}

const v1 = byOperationId(operations);

export const platformOperations = [
  presentAs(v1.ListDeployments, {
    success: DeploymentsPaginatedV1beta1,
    out: (page) => ({ ...page, deployments: page.deployments.map(toV1beta1) }),
  }),
  presentAs(v1.CreateDeployment, { body: CreateDeploymentRequestV1beta1, success: DeploymentV1beta1, out: toV1beta1 }),
  presentAs(v1.GetDeployment, { success: DeploymentV1beta1, out: toV1beta1 }),
  presentAs(v1.UpdateDeployment, {
    body: UpdateDeploymentRequestV1beta1,
    success: DeploymentV1beta1,
    out: toV1beta1,
    // This shape has no ephemeral storage: a queue kept keeps what v1 gave it.
    rules: () => ({ keptQueueSettings: ['podEphemeralStorage'] }),
  }),
  presentAs(v1.DeleteDeployment),
  presentAs(v1.UpdateDeploymentHibernationOverride, {
    body: OverrideBodyV1beta1,
    success: OverrideV1beta1,
    // Without isHibernating the override keeps the Deployment asleep, as the schedules' opposite of awake.
    bodyIn: (b) => ({ ...b, isHibernating: b.isHibernating ?? true }),
  }),
  presentAs(v1.DeleteDeploymentHibernationOverride),
];
