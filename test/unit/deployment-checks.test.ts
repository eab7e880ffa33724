import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildSpec, checkForbidden, DEFAULT_QUEUE, podSize, validTime, type AnyBody, type Current, type Infra, type Spec, type SpecContext,
} from '../../src/resources/deployments/checks.js';
import type { ClusterRow, NodePoolRow } from '../../src/resources/clusters/repo.js';
import type { DeploymentRow, EnvVarRow, QueueRow } from '../../src/resources/deployments/repo.js';
import type { QueueRequest } from '../../src/resources/deployments/schema.js';
import { RESOURCE_QUOTAS, RUNTIME_RELEASES, WORKER_MACHINES } from '../../src/platform/catalog.js';

// ---------------------------------------------------------------- fixtures

const T = '2026-03-01T12:00:00.000Z';

function pool(id: string, instance: string, isDefault: boolean, machines?: string[]): NodePoolRow {
  return {
    id, cluster_id: 'cluster', name: id, is_default: isDefault ? 1 : 0, max_node_count: 20, node_instance_type: instance,
    supported_astro_machines: machines ? JSON.stringify(machines) : null, created_at: T, updated_at: T,
  };
}

/** The cluster fields the rules read; the rest does not matter to them. */
const cluster = (dr = false) => ({ id: 'cluster', is_dr_enabled: dr ? 1 : 0 }) as unknown as ClusterRow;

const STANDARD: Infra = { type: 'STANDARD', provider: 'AWS', region: 'us-east-1', nodePools: [] };
const DEDICATED: Infra = { type: 'DEDICATED', provider: 'AWS', region: 'us-east-1', cluster: cluster(), nodePools: [pool('small', 'm5.xlarge', true, ['A5', 'A10', 'A20'])] };
// The default pool is not the first one: the rules must look for the flag.
const HYBRID: Infra = { type: 'HYBRID', provider: 'AWS', region: 'us-west-2', cluster: cluster(), nodePools: [pool('extra', 'r5.xlarge', false), pool('main', 'm5.xlarge', true)] };

const CREATE: SpecContext = { cicdEnforcedDefault: false };

function deploymentRow(overrides: Partial<DeploymentRow> = {}): DeploymentRow {
  return {
    id: 'dep', organization_id: 'org', workspace_id: 'ws', cluster_id: null, name: 'stored', description: 'stored description',
    type: 'STANDARD', cloud_provider: 'AWS', region: 'us-east-1', runtime_version: '3.1-12', executor: 'CELERY', namespace: 'ns',
    scheduler_size: 'SMALL', scheduler_au: null, scheduler_replicas: null, is_high_availability: 0, is_development_mode: 0,
    is_cicd_enforced: 0, is_dag_deploy_enabled: 1, resource_quota_cpu: '10', resource_quota_memory: '20Gi',
    default_task_pod_cpu: '0.25', default_task_pod_memory: '0.5Gi', task_pod_node_pool_id: null, workload_identity: null,
    dr_workload_identity: null, contact_emails: null, remote_execution: null, hibernation_schedules: null, hibernation_override: null,
    pending_status: null, pending_until: null, image_tag: null, dag_tarball_version: null, desired_dag_tarball_version: null,
    created_at: T, created_by_id: 'u', created_by_type: 'USER', updated_at: T, updated_by_id: 'u', updated_by_type: 'USER',
    ...overrides,
  };
}

function queueRow(id: string, name: string, overrides: Partial<QueueRow> = {}): QueueRow {
  return {
    id, deployment_id: 'dep', position: 0, name, is_default: name === DEFAULT_QUEUE ? 1 : 0, astro_machine: 'A5', node_pool_id: null,
    min_worker_count: 1, max_worker_count: 5, worker_concurrency: 5, pod_ephemeral_storage: null, created_at: T, updated_at: T, ...overrides,
  };
}

function envRow(key: string, value: string | null, secret: string | null = null): EnvVarRow {
  return { deployment_id: 'dep', position: 0, key, is_secret: secret !== null ? 1 : 0, value, secret_value: secret, updated_at: T };
}

const current = (row: Partial<DeploymentRow> = {}, queues: QueueRow[] = [queueRow('q-default', DEFAULT_QUEUE)], envVars: EnvVarRow[] = []): Current => ({ row: deploymentRow(row), queues, envVars });
const UPDATE_QUOTAS = { resourceQuotaCpu: '10', resourceQuotaMemory: '20Gi', defaultTaskPodCpu: '0.25', defaultTaskPodMemory: '0.5Gi' };

const body = (extra: Partial<AnyBody> = {}): AnyBody => ({ name: 'd', workspaceId: 'ws', ...extra });
const queue = (name: string, extra: Partial<QueueRequest> = {}): QueueRequest => ({
  name, isDefault: name === DEFAULT_QUEUE, astroMachine: 'A5', minWorkerCount: 0, maxWorkerCount: 10, workerConcurrency: 5, ...extra,
});
const hybridQueue = (name: string, extra: Partial<QueueRequest> = {}): QueueRequest => ({
  name, isDefault: name === DEFAULT_QUEUE, nodePoolId: 'main', minWorkerCount: 0, maxWorkerCount: 10, workerConcurrency: 16, ...extra,
});

/**
 * The one field error `run` throws as a 400: [field, code, message]. The message is the field
 * error's (the response message adds "Invalid request: ").
 */
function refusal(run: () => unknown): [string, string, string] {
  let thrown: unknown;
  try {
    run();
  } catch (err) {
    thrown = err;
  }
  assert.ok(thrown !== undefined, 'the request was accepted');
  const e = thrown as { statusCode?: number; message?: string; fieldErrors?: { field: string; code: string; message: string }[] };
  assert.equal(e.statusCode, 400, `not a 400: ${String(thrown)}`);
  assert.equal(e.fieldErrors?.length, 1, `expected one field error: ${JSON.stringify(e.fieldErrors)}`);
  const [f] = e.fieldErrors!;
  assert.equal(e.message, `Invalid request: ${f!.message}`);
  return [f!.field, f!.code, f!.message];
}

const spec = (b: AnyBody, infra: Infra = STANDARD, ctx: SpecContext = CREATE): Spec => buildSpec(b, infra, ctx);

// ---------------------------------------------------------------- tests

describe('deployment checks: what a minimal create gets', () => {
  it('gives a hosted Deployment the newest runtime, the ASTRO executor, a SMALL scheduler, the option defaults and an A5 default queue', () => {
    const s = spec(body({ description: 'd1' }), STANDARD, { cicdEnforcedDefault: true });
    const a5 = WORKER_MACHINES.find((m) => m.name === 'A5')!;
    assert.deepEqual({ ...s, queues: undefined }, {
      name: 'd', description: 'd1', runtimeVersion: RUNTIME_RELEASES[0]!.version, executor: 'ASTRO', schedulerSize: 'SMALL', schedulerAu: null,
      schedulerReplicas: null, isHighAvailability: false, isDevelopmentMode: false, isCicdEnforced: true, isDagDeployEnabled: true,
      resourceQuotaCpu: RESOURCE_QUOTAS.resourceQuota.cpu.default, resourceQuotaMemory: RESOURCE_QUOTAS.resourceQuota.memory.default,
      defaultTaskPodCpu: RESOURCE_QUOTAS.defaultPodSize.cpu.default, defaultTaskPodMemory: RESOURCE_QUOTAS.defaultPodSize.memory.default,
      taskPodNodePoolId: null, workloadIdentity: null, drWorkloadIdentity: null, contactEmails: null, remoteExecution: null,
      schedules: null, override: null, queues: undefined, envVars: [],
    });
    assert.deepEqual(s.queues, [{ name: 'default', isDefault: true, astroMachine: 'A5', nodePoolId: null, minWorkerCount: 0, maxWorkerCount: 10, workerConcurrency: a5.concurrency.default, podEphemeralStorage: null }]);
  });

  it('gives an Airflow 2 runtime the CELERY executor', () => {
    assert.equal(spec(body({ astroRuntimeVersion: '13.7.0' })).executor, 'CELERY');
  });

  it('gives a HYBRID Deployment CELERY, 5 AU and one replica, no hosted sizes, and a queue on the pool flagged default', () => {
    const s = spec(body(), HYBRID);
    assert.equal(s.executor, 'CELERY');
    assert.deepEqual([s.schedulerAu, s.schedulerReplicas, s.schedulerSize, s.isHighAvailability, s.isDevelopmentMode], [5, 1, null, null, null]);
    assert.deepEqual([s.resourceQuotaCpu, s.resourceQuotaMemory, s.defaultTaskPodCpu, s.defaultTaskPodMemory], [null, null, null, null]);
    assert.deepEqual(s.queues, [{ name: 'default', isDefault: true, astroMachine: null, nodePoolId: 'main', minWorkerCount: 0, maxWorkerCount: 10, workerConcurrency: 16, podEphemeralStorage: null }]);
    const sized = spec(body({ scheduler: { au: 12, replicas: 3 } }), HYBRID);
    assert.deepEqual([sized.schedulerAu, sized.schedulerReplicas], [12, 3]);
  });

  it('runs HYBRID KUBERNETES tasks on the default pool unless a pool of the cluster is named', () => {
    assert.equal(spec(body({ executor: 'KUBERNETES' }), HYBRID).taskPodNodePoolId, 'main');
    assert.equal(spec(body({ executor: 'KUBERNETES', taskPodNodePoolId: 'extra' }), HYBRID).taskPodNodePoolId, 'extra');
    assert.deepEqual(spec(body({ executor: 'KUBERNETES' }), HYBRID).queues, []);
    assert.deepEqual(refusal(() => spec(body({ executor: 'KUBERNETES', taskPodNodePoolId: 'elsewhere' }), HYBRID)), ['taskPodNodePoolId', 'exists', 'taskPodNodePoolId must name a node pool of the Deployment\'s cluster']);
  });

  it('requires a name with more than blanks', () => {
    assert.deepEqual(refusal(() => spec(body({ name: '  ' }))), ['name', 'required', 'name is required']);
  });
});

describe('deployment checks: runtime and executor', () => {
  it('takes only catalogue releases, listing them, and treats an empty one as none', () => {
    const [field, code, message] = refusal(() => spec(body({ astroRuntimeVersion: '3.9-1' })));
    assert.deepEqual([field, code], ['astroRuntimeVersion', 'oneof']);
    assert.equal(message, `astroRuntimeVersion must be a supported Astro Runtime release: one of [${RUNTIME_RELEASES.map((r) => r.version).join(' ')}]`);
    assert.equal(spec(body({ astroRuntimeVersion: '' })).runtimeVersion, RUNTIME_RELEASES[0]!.version);
    for (const r of RUNTIME_RELEASES) assert.equal(spec(body({ astroRuntimeVersion: r.version })).runtimeVersion, r.version);
  });

  it('keeps the stored runtime on an update, and refuses one sent', () => {
    assert.equal(spec(body(UPDATE_QUOTAS), STANDARD, { cicdEnforcedDefault: false, current: current({ runtime_version: '13.5.0' }) }).runtimeVersion, '13.5.0');
    assert.deepEqual(refusal(() => spec(body({ ...UPDATE_QUOTAS, astroRuntimeVersion: '13.5.0' }), STANDARD, { cicdEnforcedDefault: false, current: current() })),
      ['astroRuntimeVersion', 'excluded', 'astroRuntimeVersion cannot be changed by an update: upgrade the runtime by deploying a new image']);
  });

  it('keeps ASTRO off HYBRID and off Airflow 2', () => {
    assert.deepEqual(refusal(() => spec(body({ executor: 'ASTRO' }), HYBRID)), ['executor', 'oneof', 'the ASTRO executor cannot be used with HYBRID Deployments']);
    assert.deepEqual(refusal(() => spec(body({ executor: 'ASTRO', astroRuntimeVersion: '12.8.0' }))), ['executor', 'runtime', 'the ASTRO executor needs an Airflow 3 runtime (3.x-y); this Deployment runs 12.8.0']);
    assert.equal(spec(body({ executor: 'KUBERNETES', astroRuntimeVersion: '12.8.0' })).executor, 'KUBERNETES');
  });
});

describe('deployment checks: fields a type does not take', () => {
  it('refuses hosted fields on HYBRID, naming the field', () => {
    for (const [field, value] of [['schedulerSize', 'SMALL'], ['isHighAvailability', false], ['isDevelopmentMode', true], ['resourceQuotaCpu', '10'], ['defaultTaskPodMemory', '1Gi'], ['remoteExecution', { enabled: false }]] as const) {
      assert.deepEqual(refusal(() => spec(body({ [field]: value }), HYBRID)), [field, 'excluded', `${field} cannot be set on HYBRID Deployments`]);
    }
    assert.deepEqual(refusal(() => spec(body({ scalingSpec: { hibernationSpec: {} } }), HYBRID)), ['scalingSpec', 'excluded', 'scalingSpec cannot be set on HYBRID Deployments: hibernation is for hosted development Deployments']);
    assert.doesNotThrow(() => spec(body({ scalingSpec: {} }), HYBRID), 'an empty scalingSpec says nothing about hibernation');
  });

  it('refuses HYBRID fields on hosted Deployments, saying what they take instead', () => {
    assert.deepEqual(refusal(() => spec(body({ scheduler: { au: 5 } }))), ['scheduler', 'excluded', 'scheduler is for HYBRID Deployments; STANDARD Deployments take schedulerSize']);
    assert.deepEqual(refusal(() => spec(body({ taskPodNodePoolId: 'main' }), DEDICATED)), ['taskPodNodePoolId', 'excluded', 'taskPodNodePoolId is for HYBRID Deployments; DEDICATED Deployments take defaultTaskPodCpu and defaultTaskPodMemory']);
  });

  it('refuses a provider or region on a create that names a cluster type, but not when the type is implied or on an update', () => {
    assert.deepEqual(refusal(() => checkForbidden(body({ type: 'DEDICATED', region: 'us-east-1' }), 'DEDICATED', true, false)), ['region', 'excluded', 'region cannot be set on DEDICATED Deployments: they run where their cluster is']);
    assert.deepEqual(refusal(() => checkForbidden(body({ type: 'HYBRID', cloudProvider: 'AWS' }), 'HYBRID', true, false)), ['cloudProvider', 'excluded', 'cloudProvider cannot be set on HYBRID Deployments: they run where their cluster is']);
    assert.doesNotThrow(() => checkForbidden(body({ region: 'us-east-1' }), 'DEDICATED', false, false));
    assert.doesNotThrow(() => checkForbidden(body({ type: 'DEDICATED', region: 'us-east-1' }), 'DEDICATED', true, true));
    assert.doesNotThrow(() => checkForbidden(body({ type: 'STANDARD', region: 'us-east-1' }), 'STANDARD', true, false));
  });

  it('treats a null field as not sent', () => {
    assert.doesNotThrow(() => checkForbidden({ ...body(), schedulerSize: null } as unknown as AnyBody, 'HYBRID', false, false));
    assert.doesNotThrow(() => checkForbidden({ ...body(), astroRuntimeVersion: null } as unknown as AnyBody, 'STANDARD', false, true));
  });
});

describe('deployment checks: CPU and memory pairs', () => {
  const pod = (cpu?: string, memory?: string) => {
    const s = spec(body({ defaultTaskPodCpu: cpu, defaultTaskPodMemory: memory }));
    return [s.defaultTaskPodCpu, s.defaultTaskPodMemory];
  };
  const quota = (cpu?: string, memory?: string) => {
    const s = spec(body({ resourceQuotaCpu: cpu, resourceQuotaMemory: memory }));
    return [s.resourceQuotaCpu, s.resourceQuotaMemory];
  };

  it('derives the missing half at twice the CPU, and keeps what was sent as sent', () => {
    assert.deepEqual(pod('2'), ['2', '4Gi']);
    assert.deepEqual(pod(undefined, '3Gi'), ['1.5', '3Gi']);
    assert.deepEqual(pod('500m'), ['500m', '1Gi']);
    assert.deepEqual(pod('1.50', '3Gi'), ['1.50', '3Gi']);
    assert.deepEqual(pod('', ''), [RESOURCE_QUOTAS.defaultPodSize.cpu.default, RESOURCE_QUOTAS.defaultPodSize.memory.default], 'empty means not sent');
    assert.deepEqual(quota('3'), ['3', '6Gi']);
  });

  it('takes the floor and the ceiling, and refuses past them with the limit in the message', () => {
    assert.deepEqual(pod('0.25', '0.5Gi'), ['0.25', '0.5Gi']);
    assert.deepEqual(pod('250m'), ['250m', '0.5Gi']);
    assert.deepEqual(pod('28', '56Gi'), ['28', '56Gi']);
    assert.deepEqual(refusal(() => pod('0.2')), ['defaultTaskPodCpu', 'min', 'defaultTaskPodCpu must be at least 0.25']);
    assert.deepEqual(refusal(() => pod('249m')), ['defaultTaskPodCpu', 'min', 'defaultTaskPodCpu must be at least 0.25']);
    assert.deepEqual(refusal(() => pod('28.001')), ['defaultTaskPodCpu', 'max', 'defaultTaskPodCpu must be at most 28']);
    assert.deepEqual(quota('1', '2Gi'), ['1', '2Gi']);
    assert.deepEqual(quota('6400'), ['6400', '12800Gi']);
    assert.deepEqual(refusal(() => quota('0.5')), ['resourceQuotaCpu', 'min', 'resourceQuotaCpu must be at least 1']);
    assert.deepEqual(refusal(() => quota('6401')), ['resourceQuotaCpu', 'max', 'resourceQuotaCpu must be at most 6400']);
  });

  it('requires memory at exactly twice the CPU', () => {
    assert.deepEqual(refusal(() => pod('1', '3Gi')), ['defaultTaskPodMemory', 'ratio', 'defaultTaskPodMemory must be twice defaultTaskPodCpu: 2Gi for 1 CPU']);
    assert.deepEqual(refusal(() => quota('10', '10Gi')), ['resourceQuotaMemory', 'ratio', 'resourceQuotaMemory must be twice resourceQuotaCpu: 20Gi for 10 CPU']);
    assert.deepEqual(refusal(() => pod('500m', '2Gi')), ['defaultTaskPodMemory', 'ratio', 'defaultTaskPodMemory must be twice defaultTaskPodCpu: 1Gi for 500m CPU']);
  });

  it('refuses quantities in other forms', () => {
    for (const cpu of ['1 core', '-1', '1e2', '.5', '0.5m', 'one']) {
      assert.deepEqual(refusal(() => pod(cpu)), ['defaultTaskPodCpu', 'quantity', 'defaultTaskPodCpu must be a number of CPU cores such as 0.25 or 2'], cpu);
    }
    for (const memory of ['2G', '2048Mi', '2gi', 'Gi', '2 Gi']) {
      assert.deepEqual(refusal(() => pod(undefined, memory)), ['defaultTaskPodMemory', 'quantity', 'defaultTaskPodMemory must be a quantity in Gi such as 0.5Gi'], memory);
    }
  });

  it('requires both pairs on an update, and none with remote execution', () => {
    const update = { cicdEnforcedDefault: false, current: current() };
    assert.deepEqual(refusal(() => spec(body(), STANDARD, update)), ['resourceQuotaCpu', 'required', 'resourceQuotaCpu is required unless remote execution is enabled']);
    assert.deepEqual(refusal(() => spec(body({ resourceQuotaCpu: '10' }), STANDARD, update)), ['defaultTaskPodCpu', 'required', 'defaultTaskPodCpu is required unless remote execution is enabled']);
    const remote = spec(body({ executor: 'ASTRO', remoteExecution: { enabled: true } }), DEDICATED);
    assert.deepEqual([remote.resourceQuotaCpu, remote.resourceQuotaMemory, remote.defaultTaskPodCpu, remote.defaultTaskPodMemory], [null, null, null, null]);
  });
});

describe('deployment checks: remote execution', () => {
  it('is for DEDICATED Deployments on the ASTRO executor only', () => {
    assert.deepEqual(refusal(() => spec(body({ remoteExecution: { enabled: true } }))), ['remoteExecution', 'excluded', 'remote execution is for DEDICATED Deployments, not STANDARD']);
    assert.deepEqual(refusal(() => spec(body({ executor: 'CELERY', remoteExecution: { enabled: true } }), DEDICATED)), ['executor', 'oneof', 'remote execution needs the ASTRO executor']);
    assert.equal(spec(body({ remoteExecution: { enabled: false, allowedIpAddressRanges: ['nonsense'] } })).remoteExecution, null, 'disabled, it is not checked or kept');
  });

  it('keeps its ranges and log settings, and names a range that is not an IPv4 CIDR by its index', () => {
    const s = spec(body({ remoteExecution: { enabled: true, allowedIpAddressRanges: ['203.0.113.0/24'], taskLogBucket: 'b' } }), DEDICATED);
    assert.deepEqual(s.remoteExecution, { allowedIpAddressRanges: ['203.0.113.0/24'], taskLogBucket: 'b' });
    assert.deepEqual(s.queues, [], 'queues are optional with remote execution');
    assert.deepEqual(refusal(() => spec(body({ remoteExecution: { enabled: true, allowedIpAddressRanges: ['10.0.0.0/8', 'not-a-cidr'] } }), DEDICATED)),
      ['remoteExecution.allowedIpAddressRanges[1]', 'cidrv4', 'remoteExecution.allowedIpAddressRanges[1] must be an IPv4 CIDR such as 203.0.113.0/24']);
  });
});

describe('deployment checks: worker queues', () => {
  const queues = (list: QueueRequest[], infra: Infra = STANDARD, extra: Partial<AnyBody> = {}, ctx: SpecContext = CREATE) => spec(body({ workerQueues: list, ...extra }), infra, ctx).queues;

  it('takes queue names of lower-case letters, digits and inner hyphens', () => {
    assert.equal(queues([queue('default'), queue('a'), queue('a-1'), queue('9')]).length, 4);
    for (const name of ['Default', 'a-', '-a', 'a_b', 'a.b', 'a b', '']) {
      assert.deepEqual(refusal(() => queues([queue('default'), queue(name)])), ['workerQueues[1].name', 'pattern', 'workerQueues[1].name must be lower-case letters, digits and hyphens, starting and ending with a letter or digit'], name);
    }
  });

  it('limits worker counts to the options\' ceilings and the minimum to the maximum', () => {
    assert.deepEqual(queues([queue('default', { minWorkerCount: 30, maxWorkerCount: 30 })])[0]!.minWorkerCount, 30);
    assert.deepEqual(refusal(() => queues([queue('default', { minWorkerCount: 31, maxWorkerCount: 30 })])), ['workerQueues[0].minWorkerCount', 'max', 'workerQueues[0].minWorkerCount must be less than or equal to 30']);
    assert.deepEqual(refusal(() => queues([queue('default', { maxWorkerCount: 31 })])), ['workerQueues[0].maxWorkerCount', 'max', 'workerQueues[0].maxWorkerCount must be less than or equal to 30']);
    assert.deepEqual(refusal(() => queues([queue('default', { minWorkerCount: 6, maxWorkerCount: 5 })])), ['workerQueues[0].minWorkerCount', 'ltefield', 'workerQueues[0].minWorkerCount must not exceed maxWorkerCount']);
  });

  it('limits concurrency to the worker type\'s ceiling on hosted queues and to 64 on HYBRID ones', () => {
    for (const m of WORKER_MACHINES) {
      assert.equal(queues([queue('default', { astroMachine: m.name, workerConcurrency: m.concurrency.ceiling })])[0]!.workerConcurrency, m.concurrency.ceiling);
      assert.deepEqual(refusal(() => queues([queue('default', { astroMachine: m.name, workerConcurrency: m.concurrency.ceiling + 1 })])),
        ['workerQueues[0].workerConcurrency', 'max', `workerQueues[0].workerConcurrency must be less than or equal to ${m.concurrency.ceiling}`], m.name);
    }
    assert.equal(queues([hybridQueue('default', { workerConcurrency: 64 })], HYBRID)[0]!.workerConcurrency, 64);
    assert.deepEqual(refusal(() => queues([hybridQueue('default', { workerConcurrency: 65 })], HYBRID)), ['workerQueues[0].workerConcurrency', 'max', 'workerQueues[0].workerConcurrency must be less than or equal to 64']);
  });

  it('takes a worker\'s local disk above 0 and up to 100Gi', () => {
    assert.equal(queues([queue('default', { podEphemeralStorage: '100Gi' })])[0]!.podEphemeralStorage, '100Gi');
    assert.equal(queues([queue('default', { podEphemeralStorage: '0.5Gi' })])[0]!.podEphemeralStorage, '0.5Gi');
    assert.equal(queues([queue('default', { podEphemeralStorage: '' })])[0]!.podEphemeralStorage, null);
    for (const storage of ['0Gi', '100.5Gi', '10G', '10']) {
      assert.deepEqual(refusal(() => queues([queue('default', { podEphemeralStorage: storage })])), ['workerQueues[0].podEphemeralStorage', 'quantity', 'workerQueues[0].podEphemeralStorage must be a quantity in Gi above 0 and at most 100Gi, such as 10Gi'], storage);
    }
  });

  it('makes the queue named default, and only it, the default queue', () => {
    assert.deepEqual(refusal(() => queues([queue('default', { isDefault: false })])), ['workerQueues[0].isDefault', 'default', 'workerQueues[0].isDefault must be true: the queue named default is the default queue']);
    assert.deepEqual(refusal(() => queues([queue('default'), queue('other', { isDefault: true })])), ['workerQueues[1].isDefault', 'default', 'workerQueues[1].isDefault must be false: only the queue named default is the default queue']);
    assert.deepEqual(refusal(() => queues([queue('other')])), ['workerQueues', 'default', 'workerQueues must include a queue named default for the ASTRO executor']);
    assert.deepEqual(refusal(() => queues([queue('other')], STANDARD, { executor: 'CELERY' })), ['workerQueues', 'default', 'workerQueues must include a queue named default for the CELERY executor']);
  });

  it('refuses a queue name or id used twice', () => {
    assert.deepEqual(refusal(() => queues([queue('default'), queue('a'), queue('a')])), ['workerQueues[2].name', 'unique', 'workerQueues[2].name "a" is used by another queue']);
    const ctx = { cicdEnforcedDefault: false, current: current() };
    assert.deepEqual(refusal(() => queues([queue('default', { id: 'q-default' }), queue('a', { id: 'q-default' })], STANDARD, UPDATE_QUOTAS, ctx)), ['workerQueues[1].id', 'unique', 'workerQueues[1].id appears more than once']);
  });

  it('takes astroMachine on hosted queues and nodePoolId on HYBRID ones, never the other', () => {
    assert.deepEqual(refusal(() => queues([queue('default', { nodePoolId: 'main' })])), ['workerQueues[0].nodePoolId', 'excluded', 'workerQueues[0].nodePoolId is for HYBRID Deployments; hosted queues take astroMachine']);
    assert.deepEqual(refusal(() => queues([queue('default', { astroMachine: undefined })], DEDICATED)), ['workerQueues[0].astroMachine', 'required', 'workerQueues[0].astroMachine is required for DEDICATED Deployments']);
    assert.deepEqual(refusal(() => queues([hybridQueue('default', { astroMachine: 'A5' })], HYBRID)), ['workerQueues[0].astroMachine', 'excluded', 'workerQueues[0].astroMachine is for hosted Deployments; HYBRID queues take nodePoolId']);
    assert.deepEqual(refusal(() => queues([hybridQueue('default', { podEphemeralStorage: '10Gi' })], HYBRID)), ['workerQueues[0].podEphemeralStorage', 'excluded', 'workerQueues[0].podEphemeralStorage is for hosted Deployments']);
    assert.deepEqual(refusal(() => queues([hybridQueue('default', { nodePoolId: undefined })], HYBRID)), ['workerQueues[0].nodePoolId', 'required', 'workerQueues[0].nodePoolId is required for HYBRID Deployments']);
    assert.deepEqual(refusal(() => queues([hybridQueue('default', { nodePoolId: 'elsewhere' })], HYBRID)), ['workerQueues[0].nodePoolId', 'exists', 'workerQueues[0].nodePoolId must name a node pool of the Deployment\'s cluster']);
    assert.equal(queues([hybridQueue('default', { nodePoolId: 'extra' })], HYBRID)[0]!.nodePoolId, 'extra');
  });

  it('takes on a DEDICATED cluster only worker types one of its pools supports', () => {
    assert.equal(queues([queue('default', { astroMachine: 'A20', workerConcurrency: 20 })], DEDICATED)[0]!.astroMachine, 'A20');
    assert.deepEqual(refusal(() => queues([queue('default', { astroMachine: 'A40' })], DEDICATED)), ['workerQueues[0].astroMachine', 'nodepool', 'workerQueues[0].astroMachine A40 is not supported by any node pool of the cluster; supported: [A5 A10 A20]']);
    assert.equal(queues([queue('default', { astroMachine: 'A160' })])[0]!.astroMachine, 'A160', 'STANDARD clusters run every worker type');
  });

  it('has no queues with the KUBERNETES executor', () => {
    assert.deepEqual(queues([], STANDARD, { executor: 'KUBERNETES' }), []);
    assert.deepEqual(refusal(() => queues([queue('default')], STANDARD, { executor: 'KUBERNETES' })), ['workerQueues', 'excluded', 'workerQueues cannot be set with the KUBERNETES executor']);
  });

  describe('on an update', () => {
    const stored = [queueRow('q-default', 'default'), queueRow('q-a', 'a'), queueRow('q-b', 'b')];
    const update = (list: QueueRequest[] | undefined, rows = stored, executor = 'CELERY') =>
      spec(body({ ...UPDATE_QUOTAS, executor: 'CELERY', workerQueues: list }), STANDARD, { cicdEnforcedDefault: false, current: current({ executor }, rows) }).queues;

    it('keeps the stored queues when none are sent, or gives the default queue when there were none', () => {
      assert.deepEqual(update(undefined).map((q) => [q.id, q.name, q.minWorkerCount]), [['q-default', 'default', 1], ['q-a', 'a', 1], ['q-b', 'b', 1]]);
      assert.deepEqual(update(undefined, [], 'KUBERNETES').map((q) => [q.id, q.name]), [[undefined, 'default']], 'coming from KUBERNETES');
    });

    it('matches stored queues by id first, then by name; the rest are new', () => {
      const out = update([queue('default'), queue('a', { id: 'q-a' }), queue('b'), queue('c')]);
      assert.deepEqual(out.map((q) => [q.id, q.name]), [['q-default', 'default'], ['q-a', 'a'], ['q-b', 'b'], [undefined, 'c']]);
      // Without ids (the older surface), a new name is a new queue and the old one goes.
      const replaced = update([queue('default'), queue('a-2'), queue('b')]);
      assert.deepEqual(replaced.map((q) => [q.id, q.name]), [['q-default', 'default'], [undefined, 'a-2'], ['q-b', 'b']]);
    });

    it('refuses an id of no stored queue, renaming any queue, and dropping the default queue', () => {
      assert.deepEqual(refusal(() => update([queue('default', { id: 'q-elsewhere' })])), ['workerQueues[0].id', 'exists', 'workerQueues[0].id does not name a worker queue of this Deployment']);
      assert.deepEqual(refusal(() => update([queue('default'), queue('renamed', { id: 'q-a' })])),
        ['workerQueues[1].name', 'immutable', 'workerQueues[1].name cannot change: the queue q-a is named "a"; a queue with another name is a new queue (send it without an id)']);
      // Taking another queue's name by id is a rename too.
      assert.deepEqual(refusal(() => update([queue('default'), queue('b', { id: 'q-a' }), queue('a')]))[0], 'workerQueues[1].name');
      assert.deepEqual(refusal(() => update([queue('default'), queue('main', { id: 'q-default' })])),
        ['workerQueues[1].name', 'immutable', 'workerQueues[1].name cannot change: the queue q-default is named "default"; a queue with another name is a new queue (send it without an id)']);
      assert.deepEqual(refusal(() => update([queue('a')])), ['workerQueues', 'default', 'workerQueues must include a queue named default for the CELERY executor']);
    });
  });
});

describe('deployment checks: hibernation settings', () => {
  const schedules = [{ hibernateAtCron: '0 18 * * *', wakeAtCron: '0 8 * * *', isEnabled: true }];
  const base = 'scalingSpec.hibernationSpec';

  it('are for development Deployments without high availability', () => {
    assert.deepEqual(refusal(() => spec(body({ scalingSpec: { hibernationSpec: { schedules } } }))), ['scalingSpec', 'development', 'scalingSpec needs isDevelopmentMode true: only development Deployments hibernate']);
    assert.deepEqual(refusal(() => spec(body({ isDevelopmentMode: true, isHighAvailability: true, scalingSpec: { hibernationSpec: { schedules } } }))), ['isHighAvailability', 'excluded_with', 'isHighAvailability must be false on a Deployment with hibernation settings']);
    const s = spec(body({ isDevelopmentMode: true, scalingSpec: { hibernationSpec: { schedules } } }));
    assert.deepEqual([s.schedules, s.override], [schedules, null]);
  });

  it('stores nothing for a hibernation spec without schedules or override, even on a production Deployment', () => {
    const s = spec(body({ scalingSpec: { hibernationSpec: {} } }));
    assert.deepEqual([s.schedules, s.override], [null, null]);
  });

  it('names the schedule and the expression that does not parse, with the parser\'s reason', () => {
    const bad = [...schedules, { hibernateAtCron: '0 18 * * *', wakeAtCron: '0 8 31 2 *', isEnabled: true }];
    assert.deepEqual(refusal(() => spec(body({ isDevelopmentMode: true, scalingSpec: { hibernationSpec: { schedules: bad } } }))),
      [`${base}.schedules[1].wakeAtCron`, 'cron', `${base}.schedules[1].wakeAtCron the expression names no day that exists in its months, so it never fires`]);
  });

  it('keeps an override as sent, and refuses an end that is not an RFC 3339 time', () => {
    const s = spec(body({ isDevelopmentMode: true, scalingSpec: { hibernationSpec: { override: { isHibernating: true, overrideUntil: '2026-05-01T11:00:00+02:00' } } } }));
    assert.deepEqual(s.override, { isHibernating: true, overrideUntil: '2026-05-01T11:00:00+02:00' });
    assert.deepEqual(spec(body({ isDevelopmentMode: true, scalingSpec: { hibernationSpec: { override: {} } } })).override, {});
    assert.deepEqual(refusal(() => spec(body({ isDevelopmentMode: true, scalingSpec: { hibernationSpec: { override: { overrideUntil: 'tomorrow' } } } }))),
      [`${base}.override.overrideUntil`, 'datetime', `${base}.override.overrideUntil must be an RFC 3339 time such as 2026-05-01T09:00:00Z`]);
  });

  it('lets an update turn development mode off but not on, and keeps it when not sent', () => {
    const update = (stored: number, sent?: boolean) => spec(body({ ...UPDATE_QUOTAS, isDevelopmentMode: sent }), STANDARD, { cicdEnforcedDefault: false, current: current({ is_development_mode: stored }) }).isDevelopmentMode;
    assert.equal(update(1, false), false);
    assert.equal(update(1), true);
    assert.equal(update(0), false);
    assert.deepEqual(refusal(() => update(0, true)), ['isDevelopmentMode', 'immutable', 'isDevelopmentMode cannot be turned on for an existing Deployment: it can only go from true to false']);
  });
});

describe('deployment checks: RFC 3339 times', () => {
  it('takes a date and time with Z or an offset, fractions and either case of T and Z', () => {
    for (const t of ['2026-05-01T09:00:00Z', '2026-05-01t09:00:00z', '2026-05-01T09:00:00.123456Z', '2026-05-01T09:00:00+02:00', '2026-05-01T09:00:00-11:30', '2028-02-29T00:00:00Z', '2026-12-31T23:59:59Z']) {
      assert.equal(validTime(t), true, t);
    }
  });

  it('refuses other forms, and dates and times that do not exist', () => {
    for (const t of ['2026-05-01', '2026-05-01 09:00:00Z', '2026-05-01T09:00Z', '2026-05-01T09:00:00', '2026-05-01T09:00:00+0200', '2026-5-1T09:00:00Z', 'tomorrow', '']) {
      assert.equal(validTime(t), false, t);
    }
    for (const t of ['2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z', '2026-02-29T00:00:00Z', '2026-02-30T09:00:00Z', '2026-04-31T09:00:00Z', '2026-01-00T00:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T23:60:00Z', '2026-01-01T23:59:61Z', '2026-01-01T09:00:00+24:00']) {
      assert.equal(validTime(t), false, t);
    }
  });
});

describe('deployment checks: environment variables, e-mails and identities', () => {
  const env = (list: AnyBody['environmentVariables'], stored: EnvVarRow[] = []) =>
    spec(body({ ...UPDATE_QUOTAS, environmentVariables: list }), STANDARD, { cicdEnforcedDefault: false, current: current({}, undefined, stored) }).envVars;

  it('takes keys shaped like shell names, each once', () => {
    assert.equal(env([{ key: '_A1', isSecret: false }, { key: 'b', isSecret: false }]).length, 2);
    for (const key of ['1A', 'A-B', 'A B', '', 'É']) {
      assert.deepEqual(refusal(() => env([{ key, isSecret: false, value: 'v' }])), ['environmentVariables[0].key', 'pattern', 'environmentVariables[0].key must be letters, digits and underscores, not starting with a digit'], key);
    }
    assert.deepEqual(refusal(() => env([{ key: 'A', isSecret: false }, { key: 'A', isSecret: true, value: 'x' }])), ['environmentVariables[1].key', 'unique', 'environmentVariables[1].key "A" appears more than once']);
  });

  it('keeps a secret\'s stored value when none is sent, needs one for a new secret, and keeps values apart', () => {
    assert.deepEqual(env([{ key: 'S', isSecret: true }], [envRow('S', null, 'old secret')]), [{ key: 'S', isSecret: true, value: null, secretValue: 'old secret', changed: false, updatedAt: T }]);
    assert.deepEqual(env([{ key: 'S', isSecret: true, value: '' }], [envRow('S', null, 'old secret')])[0]!.secretValue, 'old secret');
    assert.deepEqual(env([{ key: 'P', isSecret: true }], [envRow('P', 'was plain')]), [{ key: 'P', isSecret: true, value: null, secretValue: 'was plain', changed: true }]);
    assert.deepEqual(refusal(() => env([{ key: 'NEW', isSecret: true }])), ['environmentVariables[0].value', 'required', 'environmentVariables[0].value is required: the secret NEW has no stored value to keep']);
    assert.deepEqual(env([{ key: 'S', isSecret: false, value: 'shown' }], [envRow('S', null, 'old secret')]), [{ key: 'S', isSecret: false, value: 'shown', secretValue: null, changed: true }]);
  });

  it('marks a variable changed only when its key, secrecy or value differ from what was stored', () => {
    const stored = [envRow('A', 'same'), envRow('B', 'before'), envRow('S', null, 'secret')];
    const out = env([{ key: 'A', isSecret: false, value: 'same' }, { key: 'B', isSecret: false, value: 'after' }, { key: 'S', isSecret: true, value: 'secret' }, { key: 'C', isSecret: false }], stored);
    assert.deepEqual(out.map((v) => [v.key, v.changed, v.updatedAt]), [['A', false, T], ['B', true, undefined], ['S', false, T], ['C', true, undefined]]);
  });

  it('names a contact e-mail that is not an address, and keeps the stored ones when none are sent', () => {
    // The wording is the one e-mail rule's (core/rules.ts), not this module's.
    assert.deepEqual(refusal(() => spec(body({ contactEmails: ['a@example.com', 'not-an-address'] }))).slice(0, 2), ['contactEmails[1]', 'email']);
    assert.deepEqual(spec(body(UPDATE_QUOTAS), STANDARD, { cicdEnforcedDefault: false, current: current({ contact_emails: '["x@example.com"]' }) }).contactEmails, ['x@example.com']);
    assert.deepEqual(spec(body({ ...UPDATE_QUOTAS, contactEmails: [] }), STANDARD, { cicdEnforcedDefault: false, current: current({ contact_emails: '["x@example.com"]' }) }).contactEmails, []);
  });

  it('takes a DR workload identity only on a cluster with disaster recovery, an empty one meaning none', () => {
    assert.deepEqual(refusal(() => spec(body({ drWorkloadIdentity: 'arn:aws:iam::1:role/dr' }), DEDICATED)), ['drWorkloadIdentity', 'excluded', 'drWorkloadIdentity needs a cluster with disaster recovery enabled']);
    assert.equal(spec(body({ drWorkloadIdentity: 'arn:aws:iam::1:role/dr' }), { ...DEDICATED, cluster: cluster(true) }).drWorkloadIdentity, 'arn:aws:iam::1:role/dr');
    assert.equal(spec(body({ drWorkloadIdentity: '' }), DEDICATED).drWorkloadIdentity, null);
    assert.equal(spec(body({ workloadIdentity: '' }), DEDICATED).workloadIdentity, null);
  });
});

describe('deployment checks: worker pod sizes', () => {
  it('gives a hosted worker its worker type\'s CPU and memory', () => {
    for (const m of WORKER_MACHINES) assert.deepEqual(podSize(m.name, undefined, 'AWS'), { podCpu: m.spec.cpu, podMemory: m.spec.memory });
    assert.deepEqual(podSize('A20', 'm5.xlarge', 'AWS'), { podCpu: '4', podMemory: '8Gi' }, 'the worker type wins over a node');
  });

  it('gives a HYBRID worker its node less the system\'s share: 2 CPU and 1.5Gi on big nodes, half on small ones', () => {
    assert.deepEqual(podSize(null, 'm5.xlarge', 'AWS'), { podCpu: '2', podMemory: '14.5Gi' });
    assert.deepEqual(podSize(null, 'r5.2xlarge', 'AWS'), { podCpu: '6', podMemory: '62.5Gi' });
    assert.deepEqual(podSize(null, 't3.medium', 'AWS'), { podCpu: '1', podMemory: '2Gi' }, '2 CPU and 4Gi are halved');
    assert.deepEqual(podSize(null, 't3.large', 'AWS'), { podCpu: '1', podMemory: '6.5Gi' });
    assert.deepEqual(podSize(null, 'Standard_E8d_v5', 'AZURE'), { podCpu: '6', podMemory: '62.5Gi' });
    assert.deepEqual(podSize(null, 'e2-standard-4', 'GCP'), { podCpu: '2', podMemory: '14.5Gi' });
  });

  it('makes up no size for what the catalogue does not list: that is a broken invariant', () => {
    assert.throws(() => podSize('A7', undefined, 'AWS'), { message: 'worker type A7 is stored on a worker queue but not in the platform catalogue\'s WORKER_MACHINES' });
    assert.throws(() => podSize(null, 'm9.huge', 'AWS'), { message: 'node instance type m9.huge is stored on a node pool but not in the platform catalogue\'s AWS NODE_INSTANCES' });
    assert.throws(() => podSize(null, 'm5.xlarge', 'GCP'), { message: 'node instance type m5.xlarge is stored on a node pool but not in the platform catalogue\'s GCP NODE_INSTANCES' });
    assert.throws(() => podSize(null, undefined, 'AWS'), /neither a worker type nor a node pool/);
    assert.throws(() => podSize(null, undefined, 'AWS'), (err: unknown) => !('statusCode' in (err as object)), 'not an API error: a 500');
  });
});
