import assert from 'node:assert/strict';
import { assertError } from '../helpers/client.js';
import type { TestServer } from '../helpers/server.js';

/**
 * Bodies the Terraform provider sends on /platform/v1beta1 and /iam/v1beta1, and the echo rules
 * it applies to what comes back (client-behaviors.md §3.3, §5.1; NOTES.md).
 */
export type Json = Record<string, any>;

export const paths = (s: TestServer) => ({
  beta: `/platform/v1beta1/organizations/${s.orgId}`,
  iam: `/iam/v1beta1/organizations/${s.orgId}`,
  v1: `/v1/organizations/${s.orgId}`,
});

/** The provider's astro_workspace create and update body. */
export const workspaceBody = (name: string, extra: Json = {}): Json => ({ name, description: '', cicdEnforcedDefault: false, ...extra });

/** A hosted worker queue as the provider's RequestHostedWorkerQueues builds it (no id). */
export const hostedQueue = (name: string, extra: Json = {}): Json => ({
  astroMachine: 'A5', isDefault: name === 'default', maxWorkerCount: 10, minWorkerCount: 0, name, workerConcurrency: 5, ...extra,
});

/** A hybrid worker queue as RequestHybridWorkerQueues builds it: a node pool, no machine, no id. */
export const hybridQueue = (name: string, nodePoolId: string, extra: Json = {}): Json => ({
  isDefault: name === 'default', maxWorkerCount: 10, minWorkerCount: 0, name, nodePoolId, workerConcurrency: 5, ...extra,
});

/** The create body of a STANDARD Deployment, field for field as the provider sends it. */
export const standardCreate = (workspaceId: string, extra: Json = {}): Json => ({
  astroRuntimeVersion: '3.1-12', cloudProvider: 'AWS', contactEmails: [], defaultTaskPodCpu: '0.25', defaultTaskPodMemory: '0.5Gi',
  description: '', environmentVariables: [], executor: 'CELERY', isCicdEnforced: false, isDagDeployEnabled: true,
  isDevelopmentMode: false, isHighAvailability: false, name: 'tf-standard', region: 'us-east-1', resourceQuotaCpu: '10',
  resourceQuotaMemory: '20Gi', scalingSpec: {}, schedulerSize: 'SMALL', type: 'STANDARD',
  workerQueues: [hostedQueue('default')], workspaceId, ...extra,
});

/** The create body of a DEDICATED Deployment: a cluster instead of provider and region. */
export const dedicatedCreate = (workspaceId: string, clusterId: string, extra: Json = {}): Json => {
  const { cloudProvider: _c, region: _r, ...rest } = standardCreate(workspaceId, { name: 'tf-dedicated', type: 'DEDICATED', ...extra });
  return { ...rest, clusterId };
};

/** The create body of a HYBRID Deployment: scheduler spec and node-pool queues, no hosted fields. */
export const hybridCreate = (workspaceId: string, clusterId: string, nodePoolId: string, extra: Json = {}): Json => ({
  astroRuntimeVersion: '3.1-12', clusterId, contactEmails: [], description: '', environmentVariables: [], executor: 'CELERY',
  isCicdEnforced: false, isDagDeployEnabled: true, name: 'tf-hybrid', scheduler: { au: 5, replicas: 1 }, type: 'HYBRID',
  workerQueues: [hybridQueue('default', nodePoolId)], workspaceId, ...extra,
});

/** The update body the provider sends: the create body less what only a replacement changes. */
export function updateFrom(create: Json, extra: Json = {}): Json {
  const { astroRuntimeVersion: _a, cloudProvider: _c, region: _r, clusterId: _k, ...rest } = create;
  return { ...rest, ...extra };
}

const HOSTED_ONLY = ['schedulerSize', 'isHighAvailability', 'isDevelopmentMode', 'resourceQuotaCpu', 'resourceQuotaMemory', 'defaultTaskPodCpu', 'defaultTaskPodMemory'];

/**
 * What the provider's ReadFromResponse demands of a Deployment answer to `sent` (a create or update
 * body): every Optional-only field back exactly as sent, and null/absent where it sent nothing.
 */
export function assertDeploymentEchoes(d: Json, sent: Json, label = 'deployment'): void {
  for (const k of ['name', 'workspaceId', 'type', 'executor', 'isCicdEnforced', 'isDagDeployEnabled', 'clusterId', 'taskPodNodePoolId', ...HOSTED_ONLY]) {
    if (k in sent) assert.deepEqual(d[k], sent[k], `${label}: ${k} echoed as sent`);
  }
  if ('astroRuntimeVersion' in sent) assert.equal(d.astroRuntimeVersion, sent.astroRuntimeVersion, `${label}: astroRuntimeVersion`);
  if ('cloudProvider' in sent) assert.equal(d.cloudProvider, sent.cloudProvider, `${label}: cloudProvider`);
  if ('region' in sent) assert.equal(d.region, sent.region, `${label}: region`);
  // A null description is read as "", so either is fine for an empty one; any other is echoed.
  assert.equal(d.description ?? '', sent.description ?? '', `${label}: description`);
  // contactEmails is a set.
  assert.deepEqual([...(d.contactEmails ?? [])].sort(), [...(sent.contactEmails ?? [])].sort(), `${label}: contactEmails`);
  // Env vars: key and isSecret as sent; non-secret values as sent; secret values never returned.
  // environment_variables is Required in the provider's schema: an empty set must come back as [],
  // never absent (absent reads as a null set, inconsistent with the planned empty one).
  assert.ok(Array.isArray(d.environmentVariables), `${label}: environmentVariables must be an array, got ${JSON.stringify(d.environmentVariables)}`);
  const vars = d.environmentVariables as Json[];
  assert.deepEqual(vars.map((v) => v.key).sort(), (sent.environmentVariables ?? []).map((v: Json) => v.key).sort(), `${label}: env var keys`);
  for (const s of sent.environmentVariables ?? []) {
    const got = vars.find((v) => v.key === s.key)!;
    assert.equal(got.isSecret, s.isSecret, `${label}: ${s.key}.isSecret`);
    if (s.isSecret) assert.ok(got.value === undefined || got.value === null, `${label}: secret ${s.key} must come back without its value`);
    else assert.equal(got.value, s.value, `${label}: ${s.key}.value`);
    assert.match(got.updatedAt, /^\d{4}-\d{2}-\d{2}T/, `${label}: ${s.key}.updatedAt`);
  }
  // Worker queues: a set keyed by name, each Optional-only field as sent; absent for KUBERNETES.
  if (d.executor === 'KUBERNETES') assert.ok(!('workerQueues' in d) || d.workerQueues === null, `${label}: no workerQueues for KUBERNETES`);
  // worker_queues is Optional-only: where the provider sent none (KUBERNETES, or ASTRO with remote
  // execution) the answer has none — not even [] or a default queue.
  if (sent.type && !('workerQueues' in sent)) assert.ok(!('workerQueues' in d) || d.workerQueues === null, `${label}: workerQueues must be absent, got ${JSON.stringify(d.workerQueues)}`);
  // So are the quotas and default pod size, which a remote-execution Deployment leaves out.
  if (sent.type && sent.type !== 'HYBRID') {
    for (const k of ['resourceQuotaCpu', 'resourceQuotaMemory', 'defaultTaskPodCpu', 'defaultTaskPodMemory']) {
      if (!(k in sent)) assert.ok(d[k] === undefined || d[k] === null, `${label}: ${k} must be absent when not sent, got ${d[k]}`);
    }
  }
  if (Array.isArray(sent.workerQueues)) {
    const queues = d.workerQueues as Json[];
    assert.deepEqual(queues.map((q) => q.name).sort(), sent.workerQueues.map((q: Json) => q.name).sort(), `${label}: queue names`);
    for (const s of sent.workerQueues as Json[]) {
      const q = queues.find((x) => x.name === s.name)!;
      for (const k of ['isDefault', 'maxWorkerCount', 'minWorkerCount', 'workerConcurrency', 'astroMachine', 'nodePoolId']) {
        if (k in s) assert.deepEqual(q[k], s[k], `${label}: queue ${s.name}.${k}`);
        else assert.ok(q[k] === undefined || q[k] === null, `${label}: queue ${s.name}.${k} must be absent`);
      }
      assert.ok(q.id, `${label}: queue ${s.name} has an id`);
    }
  }
  if (sent.type === 'HYBRID') {
    for (const k of [...HOSTED_ONLY, 'scalingSpec', 'remoteExecution']) assert.ok(d[k] === undefined || d[k] === null, `${label}: ${k} must be absent on HYBRID`);
    if (sent.scheduler) {
      assert.equal(d.schedulerAu, sent.scheduler.au, `${label}: schedulerAu`);
      assert.equal(d.schedulerReplicas, sent.scheduler.replicas, `${label}: schedulerReplicas`);
    }
  } else if (sent.type) {
    assert.ok(d.schedulerAu === undefined || d.schedulerAu === null, `${label}: schedulerAu absent on hosted`);
    if (!('taskPodNodePoolId' in sent)) assert.ok(d.taskPodNodePoolId === undefined || d.taskPodNodePoolId === null, `${label}: taskPodNodePoolId absent on hosted`);
  }
  // scalingSpec `{}` (or none) means no hibernation config: the answer has none either.
  if (!sent.scalingSpec?.hibernationSpec) assert.ok(d.scalingSpec === undefined || d.scalingSpec === null, `${label}: scalingSpec must be absent, got ${JSON.stringify(d.scalingSpec)}`);
  else assert.deepEqual(d.scalingSpec.hibernationSpec.schedules, sent.scalingSpec.hibernationSpec.schedules, `${label}: schedules`);
  if (!sent.remoteExecution) assert.ok(d.remoteExecution === undefined || d.remoteExecution === null, `${label}: remoteExecution absent`);
  if (!('workloadIdentity' in sent)) assert.ok(typeof d.workloadIdentity === 'string' && d.workloadIdentity.length > 0, `${label}: workloadIdentity computed`);
  else assert.equal(d.workloadIdentity, sent.workloadIdentity, `${label}: workloadIdentity`);
  // Computed fields the provider's tests require to be set.
  for (const k of ['id', 'createdAt', 'updatedAt', 'region', 'cloudProvider', 'astroRuntimeVersion', 'airflowVersion', 'namespace', 'imageTag', 'imageRepository', 'webServerIngressHostname', 'webServerUrl', 'webServerAirflowApiUrl', 'status']) {
    assert.ok(d[k] !== undefined && d[k] !== null && d[k] !== '', `${label}: ${k} must be set`);
  }
  assert.equal(typeof d.schedulerReplicas, 'number', `${label}: schedulerReplicas`);
  assert.ok(d.createdBy?.id && d.updatedBy?.id, `${label}: createdBy/updatedBy`);
}

/** 404 on both surfaces for a deleted thing. */
export async function assertGoneEverywhere(s: TestServer, betaPath: string, v1Path: string): Promise<void> {
  assertError(await s.api.get(betaPath), 404);
  assertError(await s.api.get(v1Path), 404);
}
