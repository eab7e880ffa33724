import { FieldCode, invalidField } from '../../core/errors.js';
import type { CloudProvider } from '../../core/schemas.js';
import { requireEmail, requireText } from '../../core/rules.js';
import { toBool } from '../../store/codecs.js';
import {
  isAirflow3, NODE_INSTANCES, RESOURCE_QUOTAS, RUNTIME_RELEASES, WORKER_MACHINES, workerQueueRanges, type Executor, type SchedulerSize,
} from '../../platform/catalog.js';
import type { ClusterRow, NodePoolRow } from '../clusters/repo.js';
import { scheduleProblem, type StoredOverride } from './hibernation.js';
import type { DeploymentRow, EnvVarRow, QueueRow } from './repo.js';
import type {
  DeploymentType, EnvVarRequest, HibernationSchedule, QueueRequest, RemoteExecutionRequest, ScalingSpecRequest,
} from './schema.js';
import { parseCidr } from '../../platform/cidr.js';

/*
 * The rules of Deployment requests, as pure functions: a validated create or update body, the
 * infrastructure it resolved to and (for updates) the stored Deployment go in; the complete,
 * normalized settings to store come out, or a 400 naming the first offending field.
 */

/** Every field of any create or update body, as the rules read them. */
export interface AnyBody {
  type?: DeploymentType;
  name: string;
  workspaceId: string;
  description?: string;
  astroRuntimeVersion?: string;
  clusterId?: string;
  cloudProvider?: CloudProvider;
  region?: string;
  contactEmails?: string[];
  defaultTaskPodCpu?: string;
  defaultTaskPodMemory?: string;
  drWorkloadIdentity?: string;
  environmentVariables?: EnvVarRequest[];
  executor?: Executor;
  isCicdEnforced?: boolean;
  isDagDeployEnabled?: boolean;
  isDevelopmentMode?: boolean;
  isHighAvailability?: boolean;
  remoteExecution?: RemoteExecutionRequest;
  resourceQuotaCpu?: string;
  resourceQuotaMemory?: string;
  scalingSpec?: ScalingSpecRequest;
  schedulerSize?: SchedulerSize;
  workerQueues?: QueueRequest[];
  workloadIdentity?: string;
  scheduler?: { au?: number; replicas?: number };
  taskPodNodePoolId?: string;
}

/** Where a Deployment runs. */
export interface Infra {
  type: DeploymentType;
  provider: CloudProvider;
  region: string;
  /** The cluster of a DEDICATED or HYBRID Deployment. */
  cluster?: ClusterRow;
  /** That cluster's node pools. */
  nodePools: NodePoolRow[];
}

export interface QueueSpec {
  /** The stored queue this one keeps (update), absent for a new queue. */
  id?: string;
  name: string;
  isDefault: boolean;
  astroMachine: string | null;
  nodePoolId: string | null;
  minWorkerCount: number;
  maxWorkerCount: number;
  workerConcurrency: number;
  podEphemeralStorage: string | null;
}

export interface EnvSpec {
  key: string;
  isSecret: boolean;
  value: string | null;
  secretValue: string | null;
  /** Whether key, secrecy or value differ from what was stored (its updatedAt moves). */
  changed: boolean;
  /** The stored variable's updatedAt when unchanged. */
  updatedAt?: string;
}

export interface RemoteExecutionSpec {
  allowedIpAddressRanges: string[];
  taskLogBucket?: string;
  taskLogUrlPattern?: string;
}

/** Everything stored about a Deployment's configuration. */
export interface Spec {
  name: string;
  description: string | null;
  runtimeVersion: string;
  executor: Executor;
  schedulerSize: SchedulerSize | null;
  schedulerAu: number | null;
  schedulerReplicas: number | null;
  isHighAvailability: boolean | null;
  isDevelopmentMode: boolean | null;
  isCicdEnforced: boolean;
  isDagDeployEnabled: boolean;
  resourceQuotaCpu: string | null;
  resourceQuotaMemory: string | null;
  defaultTaskPodCpu: string | null;
  defaultTaskPodMemory: string | null;
  taskPodNodePoolId: string | null;
  workloadIdentity: string | null;
  drWorkloadIdentity: string | null;
  contactEmails: string[] | null;
  remoteExecution: RemoteExecutionSpec | null;
  schedules: HibernationSchedule[] | null;
  override: StoredOverride | null;
  queues: QueueSpec[];
  envVars: EnvSpec[];
}

export interface Current {
  row: DeploymentRow;
  queues: QueueRow[];
  envVars: EnvVarRow[];
}

export interface SpecContext {
  /** The Workspace's cicdEnforcedDefault, for creates. */
  cicdEnforcedDefault: boolean;
  /** The stored Deployment, for updates. */
  current?: Current;
}

export const DEFAULT_QUEUE = 'default';
export const HYBRID_SCHEDULER = { au: 5, replicas: 1 };
const HOSTED_FIELDS = ['schedulerSize', 'isHighAvailability', 'isDevelopmentMode', 'resourceQuotaCpu', 'resourceQuotaMemory', 'defaultTaskPodCpu', 'defaultTaskPodMemory', 'remoteExecution'] as const;
const QUEUE_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const ENV_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:[Zz]|[+-](\d{2}):(\d{2}))$/;

const given = (body: object, key: string) => (body as Record<string, unknown>)[key] !== undefined && (body as Record<string, unknown>)[key] !== null;

/** Fields a type of Deployment cannot take (sent by mistake, they are refused rather than ignored). */
export function checkForbidden(body: AnyBody, type: DeploymentType, explicitType: boolean, update: boolean): void {
  const forbid = (field: string, why: string) => {
    if (given(body, field)) throw invalidField(field, FieldCode.excluded, `${field} ${why}`);
  };
  if (update) forbid('astroRuntimeVersion', 'cannot be changed by an update: upgrade the runtime by deploying a new image');
  if (type === 'HYBRID') {
    for (const f of HOSTED_FIELDS) forbid(f, 'cannot be set on HYBRID Deployments');
    const scaling = body.scalingSpec;
    if (scaling && scaling.hibernationSpec !== undefined) throw invalidField('scalingSpec', FieldCode.excluded, 'scalingSpec cannot be set on HYBRID Deployments: hibernation is for hosted development Deployments');
  } else {
    forbid('scheduler', `is for HYBRID Deployments; ${type} Deployments take schedulerSize`);
    forbid('taskPodNodePoolId', `is for HYBRID Deployments; ${type} Deployments take defaultTaskPodCpu and defaultTaskPodMemory`);
  }
  // On an update they may repeat the stored values (a change is refused as immutable elsewhere).
  if (type !== 'STANDARD' && explicitType && !update) {
    forbid('cloudProvider', `cannot be set on ${type} Deployments: they run where their cluster is`);
    forbid('region', `cannot be set on ${type} Deployments: they run where their cluster is`);
  }
}

// ---------------------------------------------------------------- quantities

function cpuValue(text: string): number | undefined {
  if (/^\d+(\.\d+)?$/.test(text)) return Number(text);
  if (/^\d+m$/.test(text)) return Number(text.slice(0, -1)) / 1000;
  return undefined;
}

function giValue(text: string): number | undefined {
  return /^\d+(\.\d+)?Gi$/.test(text) ? Number(text.slice(0, -2)) : undefined;
}

const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;
const fmt = (n: number) => String(Math.round(n * 1000) / 1000);

type Pair = { cpu: string; memory: string } | null;

/**
 * A CPU + memory pair (task pod defaults or quotas): memory in Gi, twice the CPU, within the
 * options' floor and ceiling. Left out, both take the options' defaults (when `fallback`); one
 * given alone brings the other (memory = 2 × CPU). Values are kept exactly as sent.
 */
function checkPair(cpuField: string, memField: string, cpuIn: string | undefined, memIn: string | undefined, range: typeof RESOURCE_QUOTAS.resourceQuota, fallback: 'default' | 'required' | 'none'): Pair {
  let cpu = cpuIn === '' ? undefined : cpuIn;
  let memory = memIn === '' ? undefined : memIn;
  if (cpu === undefined && memory === undefined) {
    if (fallback === 'default') return { cpu: range.cpu.default, memory: range.memory.default };
    if (fallback === 'required') throw invalidField(cpuField, FieldCode.required, `${cpuField} is required unless remote execution is enabled`);
    return null;
  }
  const cpuN = cpu === undefined ? undefined : cpuValue(cpu);
  if (cpu !== undefined && cpuN === undefined) throw invalidField(cpuField, FieldCode.quantity, `${cpuField} must be a number of CPU cores such as 0.25 or 2`);
  const memN = memory === undefined ? undefined : giValue(memory);
  if (memory !== undefined && memN === undefined) throw invalidField(memField, FieldCode.quantity, `${memField} must be a quantity in Gi such as 0.5Gi`);
  if (cpu === undefined) cpu = fmt(memN! / 2);
  if (memory === undefined) memory = `${fmt(cpuN! * 2)}Gi`;
  const c = cpuValue(cpu)!;
  const m = giValue(memory)!;
  const floor = cpuValue(range.cpu.floor)!;
  const ceiling = cpuValue(range.cpu.ceiling)!;
  if (c < floor - 1e-9) throw invalidField(cpuField, FieldCode.min, `${cpuField} must be at least ${range.cpu.floor}`);
  if (c > ceiling + 1e-9) throw invalidField(cpuField, FieldCode.max, `${cpuField} must be at most ${range.cpu.ceiling}`);
  if (!close(m, c * 2)) throw invalidField(memField, FieldCode.ratio, `${memField} must be twice ${cpuField}: ${fmt(c * 2)}Gi for ${cpu} CPU`);
  return { cpu, memory };
}

// ---------------------------------------------------------------- parts

function checkRuntime(body: AnyBody, current: Current | undefined): string {
  if (current) return current.row.runtime_version;
  const v = body.astroRuntimeVersion || undefined;
  if (v === undefined) return RUNTIME_RELEASES[0]!.version;
  if (!RUNTIME_RELEASES.some((r) => r.version === v)) {
    throw invalidField('astroRuntimeVersion', FieldCode.oneOf, `astroRuntimeVersion must be a supported Astro Runtime release: one of [${RUNTIME_RELEASES.map((r) => r.version).join(' ')}]`);
  }
  return v;
}

function checkExecutor(body: AnyBody, type: DeploymentType, runtime: string): Executor {
  const executor = body.executor ?? (type !== 'HYBRID' && isAirflow3(runtime) ? 'ASTRO' : 'CELERY');
  if (executor === 'ASTRO' && type === 'HYBRID') throw invalidField('executor', FieldCode.oneOf, 'the ASTRO executor cannot be used with HYBRID Deployments');
  if (executor === 'ASTRO' && !isAirflow3(runtime)) {
    throw invalidField('executor', FieldCode.runtime, `the ASTRO executor needs an Airflow 3 runtime (3.x-y); this Deployment runs ${runtime}`);
  }
  return executor;
}

function checkRemoteExecution(body: AnyBody, type: DeploymentType, executor: Executor): RemoteExecutionSpec | null {
  const re = body.remoteExecution;
  if (!re || !re.enabled) return null;
  if (type !== 'DEDICATED') throw invalidField('remoteExecution', FieldCode.excluded, `remote execution is for DEDICATED Deployments, not ${type}`);
  if (executor !== 'ASTRO') throw invalidField('executor', FieldCode.oneOf, 'remote execution needs the ASTRO executor');
  const ranges = re.allowedIpAddressRanges ?? [];
  ranges.forEach((r, i) => {
    if (!parseCidr(r)) throw invalidField(`remoteExecution.allowedIpAddressRanges[${i}]`, FieldCode.cidrV4, `remoteExecution.allowedIpAddressRanges[${i}] must be an IPv4 CIDR such as 203.0.113.0/24`);
  });
  return {
    allowedIpAddressRanges: ranges,
    ...(re.taskLogBucket !== undefined ? { taskLogBucket: re.taskLogBucket } : {}),
    ...(re.taskLogUrlPattern !== undefined ? { taskLogUrlPattern: re.taskLogUrlPattern } : {}),
  };
}

function defaultPool(pools: NodePoolRow[]): NodePoolRow | undefined {
  return pools.find((p) => toBool(p.is_default)) ?? pools[0];
}

/**
 * Memory and CPU a worker gets: the Astro machine's (hosted), or the node's less system overhead
 * (hybrid). Both come from the catalogue: hosted queues store a worker type the request schema
 * offered, and HYBRID queues a node pool whose instance type checkPools accepted for the
 * cluster's provider (HYBRID pools never change). Anything else is a broken invariant.
 */
export function podSize(astroMachine: string | null, nodeInstanceType: string | undefined, provider: CloudProvider): { podCpu: string; podMemory: string } {
  if (astroMachine) {
    const m = WORKER_MACHINES.find((x) => x.name === astroMachine);
    if (!m) throw new Error(`worker type ${astroMachine} is stored on a worker queue but not in the platform catalogue's WORKER_MACHINES`);
    return { podCpu: m.spec.cpu, podMemory: m.spec.memory };
  }
  if (nodeInstanceType === undefined) throw new Error('a worker queue has neither a worker type nor a node pool: hosted queues store astroMachine, HYBRID queues nodePoolId');
  const node = NODE_INSTANCES[provider].find((i) => i.name === nodeInstanceType);
  if (!node) throw new Error(`node instance type ${nodeInstanceType} is stored on a node pool but not in the platform catalogue's ${provider} NODE_INSTANCES`);
  const memory = Number(node.memory.replace(/Gi$/, ''));
  return { podCpu: fmt(node.cpu > 2 ? node.cpu - 2 : node.cpu / 2), podMemory: `${fmt(memory > 4 ? memory - 1.5 : memory / 2)}Gi` };
}

function defaultQueue(infra: Infra, keep?: QueueRow): QueueSpec {
  const hybrid = infra.type === 'HYBRID';
  const ranges = workerQueueRanges(hybrid);
  const a5 = WORKER_MACHINES.find((m) => m.name === 'A5')!;
  return {
    ...(keep ? { id: keep.id } : {}),
    name: DEFAULT_QUEUE,
    isDefault: true,
    astroMachine: hybrid ? null : a5.name,
    nodePoolId: hybrid ? defaultPool(infra.nodePools)?.id ?? null : null,
    minWorkerCount: ranges.minWorkers.default,
    maxWorkerCount: ranges.maxWorkers.default,
    workerConcurrency: hybrid ? ranges.workerConcurrency.default : a5.concurrency.default,
    podEphemeralStorage: null,
  };
}

function supportedMachines(infra: Infra): Set<string> | undefined {
  if (infra.type !== 'DEDICATED') return undefined;
  const out = new Set<string>();
  for (const p of infra.nodePools) for (const m of p.supported_astro_machines ? (JSON.parse(p.supported_astro_machines) as string[]) : []) out.add(m);
  return out;
}

function checkQueue(q: QueueRequest, i: number, infra: Infra): QueueSpec {
  const at = `workerQueues[${i}]`;
  const hybrid = infra.type === 'HYBRID';
  const ranges = workerQueueRanges(hybrid);
  if (!QUEUE_NAME.test(q.name)) throw invalidField(`${at}.name`, FieldCode.pattern, `${at}.name must be lower-case letters, digits and hyphens, starting and ending with a letter or digit`);
  let concurrencyCeiling = ranges.workerConcurrency.ceiling;
  let astroMachine: string | null = null;
  let nodePoolId: string | null = null;
  if (hybrid) {
    if (given(q, 'astroMachine')) throw invalidField(`${at}.astroMachine`, FieldCode.excluded, `${at}.astroMachine is for hosted Deployments; HYBRID queues take nodePoolId`);
    if (given(q, 'podEphemeralStorage')) throw invalidField(`${at}.podEphemeralStorage`, FieldCode.excluded, `${at}.podEphemeralStorage is for hosted Deployments`);
    if (!q.nodePoolId) throw invalidField(`${at}.nodePoolId`, FieldCode.required, `${at}.nodePoolId is required for HYBRID Deployments`);
    if (!infra.nodePools.some((p) => p.id === q.nodePoolId)) throw invalidField(`${at}.nodePoolId`, FieldCode.exists, `${at}.nodePoolId must name a node pool of the Deployment's cluster`);
    nodePoolId = q.nodePoolId;
  } else {
    if (given(q, 'nodePoolId')) throw invalidField(`${at}.nodePoolId`, FieldCode.excluded, `${at}.nodePoolId is for HYBRID Deployments; hosted queues take astroMachine`);
    if (!q.astroMachine) throw invalidField(`${at}.astroMachine`, FieldCode.required, `${at}.astroMachine is required for ${infra.type} Deployments`);
    const machine = WORKER_MACHINES.find((m) => m.name === q.astroMachine)!;
    const supported = supportedMachines(infra);
    if (supported && !supported.has(machine.name)) {
      throw invalidField(`${at}.astroMachine`, FieldCode.nodepool, `${at}.astroMachine ${machine.name} is not supported by any node pool of the cluster; supported: [${[...supported].join(' ')}]`);
    }
    concurrencyCeiling = machine.concurrency.ceiling;
    astroMachine = machine.name;
  }
  if (q.minWorkerCount > ranges.minWorkers.ceiling) throw invalidField(`${at}.minWorkerCount`, FieldCode.max, `${at}.minWorkerCount must be less than or equal to ${ranges.minWorkers.ceiling}`);
  if (q.maxWorkerCount > ranges.maxWorkers.ceiling) throw invalidField(`${at}.maxWorkerCount`, FieldCode.max, `${at}.maxWorkerCount must be less than or equal to ${ranges.maxWorkers.ceiling}`);
  if (q.minWorkerCount > q.maxWorkerCount) throw invalidField(`${at}.minWorkerCount`, FieldCode.lteField, `${at}.minWorkerCount must not exceed maxWorkerCount`);
  if (q.workerConcurrency > concurrencyCeiling) throw invalidField(`${at}.workerConcurrency`, FieldCode.max, `${at}.workerConcurrency must be less than or equal to ${concurrencyCeiling}`);
  let podEphemeralStorage: string | null = null;
  if (q.podEphemeralStorage !== undefined && q.podEphemeralStorage !== '') {
    const gi = giValue(q.podEphemeralStorage);
    if (gi === undefined || gi <= 0 || gi > 100) throw invalidField(`${at}.podEphemeralStorage`, FieldCode.quantity, `${at}.podEphemeralStorage must be a quantity in Gi above 0 and at most 100Gi, such as 10Gi`);
    podEphemeralStorage = q.podEphemeralStorage;
  }
  const isDefault = q.name === DEFAULT_QUEUE;
  if (q.isDefault !== isDefault) {
    throw invalidField(`${at}.isDefault`, FieldCode.default, isDefault ? `${at}.isDefault must be true: the queue named default is the default queue` : `${at}.isDefault must be false: only the queue named default is the default queue`);
  }
  return { name: q.name, isDefault, astroMachine, nodePoolId, minWorkerCount: q.minWorkerCount, maxWorkerCount: q.maxWorkerCount, workerConcurrency: q.workerConcurrency, podEphemeralStorage };
}

/**
 * Worker queues: required (with one named default) for CELERY and for ASTRO without remote
 * execution, none for KUBERNETES. Left out (or null), a create gets the default queue and an
 * update keeps the stored queues (or gets the default queue when it had none). On update a queue
 * keeps its stored identity when it names its id (and then its name must be the stored one: names
 * never change), else when its name matches (the older surface sends no ids); stored queues not in
 * the list are removed, except that the default queue cannot go.
 */
function checkQueues(body: AnyBody, infra: Infra, executor: Executor, remote: boolean, current: Current | undefined): QueueSpec[] {
  const list = body.workerQueues;
  if (executor === 'KUBERNETES') {
    if (list && list.length > 0) throw invalidField('workerQueues', FieldCode.excluded, 'workerQueues cannot be set with the KUBERNETES executor');
    return [];
  }
  const required = !remote;
  const stored = current && current.row.executor !== 'KUBERNETES' ? current.queues : [];
  if (list === undefined || list === null) {
    if (stored.length > 0) return stored.map(queueFromRow);
    return required ? [defaultQueue(infra)] : [];
  }
  const names = new Set<string>();
  const ids = new Set<string>();
  const specs = list.map((q, i) => {
    const spec = checkQueue(q, i, infra);
    if (names.has(spec.name)) throw invalidField(`workerQueues[${i}].name`, FieldCode.unique, `workerQueues[${i}].name "${spec.name}" is used by another queue`);
    names.add(spec.name);
    if (q.id !== undefined) {
      if (ids.has(q.id)) throw invalidField(`workerQueues[${i}].id`, FieldCode.unique, `workerQueues[${i}].id appears more than once`);
      ids.add(q.id);
    }
    return spec;
  });
  // Match stored queues: by id first, then by name.
  const unmatched = new Map(stored.map((r) => [r.id, r]));
  list.forEach((q, i) => {
    if (q.id === undefined) return;
    const row = unmatched.get(q.id);
    if (!row) throw invalidField(`workerQueues[${i}].id`, FieldCode.exists, `workerQueues[${i}].id does not name a worker queue of this Deployment`);
    // A queue's name is fixed at creation (domain.md §1.6); the default queue's too.
    if (specs[i]!.name !== row.name) {
      throw invalidField(`workerQueues[${i}].name`, FieldCode.immutable, `workerQueues[${i}].name cannot change: the queue ${q.id} is named "${row.name}"; a queue with another name is a new queue (send it without an id)`);
    }
    specs[i]!.id = row.id;
    unmatched.delete(row.id);
  });
  if (required && !names.has(DEFAULT_QUEUE)) {
    throw invalidField('workerQueues', FieldCode.default, `workerQueues must include a queue named default for the ${executor} executor`);
  }
  list.forEach((q, i) => {
    if (q.id !== undefined) return;
    const row = [...unmatched.values()].find((r) => r.name === specs[i]!.name);
    if (!row) return;
    specs[i]!.id = row.id;
    unmatched.delete(row.id);
  });
  const droppedDefault = [...unmatched.values()].find((r) => r.name === DEFAULT_QUEUE);
  if (droppedDefault) throw invalidField('workerQueues', FieldCode.default, 'the default queue cannot be removed');
  return specs;
}

function queueFromRow(r: QueueRow): QueueSpec {
  return {
    id: r.id,
    name: r.name,
    isDefault: toBool(r.is_default),
    astroMachine: r.astro_machine,
    nodePoolId: r.node_pool_id,
    minWorkerCount: r.min_worker_count,
    maxWorkerCount: r.max_worker_count,
    workerConcurrency: r.worker_concurrency,
    podEphemeralStorage: r.pod_ephemeral_storage,
  };
}

function checkHibernation(scaling: ScalingSpecRequest | undefined, development: boolean, highAvailability: boolean): { schedules: HibernationSchedule[] | null; override: StoredOverride | null } {
  const spec = scaling?.hibernationSpec;
  if (!spec || (spec.schedules === undefined && spec.override === undefined)) return { schedules: null, override: null };
  if (!development) throw invalidField('scalingSpec', FieldCode.development, 'scalingSpec needs isDevelopmentMode true: only development Deployments hibernate');
  if (highAvailability) throw invalidField('isHighAvailability', FieldCode.excludedWith, 'isHighAvailability must be false on a Deployment with hibernation settings');
  const base = 'scalingSpec.hibernationSpec';
  const schedules = spec.schedules === undefined ? null : spec.schedules.map((s, i) => {
    const problem = scheduleProblem(s);
    if (problem) throw invalidField(`${base}.schedules[${i}].${problem.field}`, FieldCode.cron, `${base}.schedules[${i}].${problem.field} ${problem.message}`);
    return {
      hibernateAtCron: s.hibernateAtCron,
      wakeAtCron: s.wakeAtCron,
      isEnabled: s.isEnabled,
      ...(s.description !== undefined ? { description: s.description } : {}),
    };
  });
  let override: StoredOverride | null = null;
  if (spec.override !== undefined) {
    const o = spec.override;
    if (o.overrideUntil !== undefined && !validTime(o.overrideUntil)) {
      throw invalidField(`${base}.override.overrideUntil`, FieldCode.datetime, `${base}.override.overrideUntil must be an RFC 3339 time such as 2026-05-01T09:00:00Z`);
    }
    override = {
      ...(o.isHibernating !== undefined ? { isHibernating: o.isHibernating } : {}),
      ...(o.overrideUntil !== undefined ? { overrideUntil: o.overrideUntil } : {}),
    };
  }
  return { schedules, override };
}

/**
 * An RFC 3339 date-time naming a real instant: Date.parse alone would read 30 February as
 * 2 March and 24:00 as the next day, so each part is checked against its range.
 */
export function validTime(text: string): boolean {
  const m = RFC3339.exec(text);
  if (!m) return false;
  // A Z zone leaves the offset groups out: read as 00:00.
  const [year, month, day, hour, minute, second, offsetHour, offsetMinute] = m.slice(1).map((x) => Number(x ?? 0)) as [number, number, number, number, number, number, number, number];
  const daysInMonth = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59 && offsetHour <= 23 && offsetMinute <= 59;
}

/**
 * Environment variables: keys unique and shaped like shell names. A secret sent without a value
 * (or with an empty one) keeps the value stored under its key; a new secret needs one. Secret
 * values are kept apart from plain ones and are never returned.
 */
function checkEnvVars(list: EnvVarRequest[] | undefined, current: Current | undefined): EnvSpec[] {
  const stored = new Map((current?.envVars ?? []).map((v) => [v.key, v]));
  const keys = new Set<string>();
  return (list ?? []).map((v, i) => {
    const at = `environmentVariables[${i}]`;
    if (!ENV_KEY.test(v.key)) throw invalidField(`${at}.key`, FieldCode.pattern, `${at}.key must be letters, digits and underscores, not starting with a digit`);
    if (keys.has(v.key)) throw invalidField(`${at}.key`, FieldCode.unique, `${at}.key "${v.key}" appears more than once`);
    keys.add(v.key);
    const old = stored.get(v.key);
    let value: string | null = null;
    let secretValue: string | null = null;
    if (v.isSecret) {
      if (v.value !== undefined && v.value !== '') secretValue = v.value;
      else if (old) secretValue = old.is_secret ? old.secret_value : old.value;
      if (secretValue === null) throw invalidField(`${at}.value`, FieldCode.required, `${at}.value is required: the secret ${v.key} has no stored value to keep`);
    } else {
      value = v.value ?? null;
    }
    const changed = !old || toBool(old.is_secret) !== v.isSecret || old.value !== value || old.secret_value !== secretValue;
    return { key: v.key, isSecret: v.isSecret, value, secretValue, changed, ...(changed ? {} : { updatedAt: old!.updated_at }) };
  });
}

function checkEmails(list: string[] | undefined): string[] | undefined {
  list?.forEach((e, i) => requireEmail(`contactEmails[${i}]`, e));
  return list;
}

// ---------------------------------------------------------------- the whole request

/** Checks a create or update body against its resolved infrastructure; returns what to store. */
export function buildSpec(body: AnyBody, infra: Infra, ctx: SpecContext): Spec {
  const cur = ctx.current;
  const row = cur?.row;
  requireText('name', body.name);
  checkForbidden(body, infra.type, body.type !== undefined, cur !== undefined);
  const runtimeVersion = checkRuntime(body, cur);
  const executor = checkExecutor(body, infra.type, runtimeVersion);
  const remote = checkRemoteExecution(body, infra.type, executor);
  const hybrid = infra.type === 'HYBRID';

  const drCluster = infra.cluster !== undefined && toBool(infra.cluster.is_dr_enabled);
  const keep = <T>(sent: T | undefined, stored: T): T => (sent !== undefined ? sent : stored);
  const workloadIdentity = keep(body.workloadIdentity, row?.workload_identity ?? null) || null;
  const drWorkloadIdentity = keep(body.drWorkloadIdentity, row?.dr_workload_identity ?? null) || null;
  if (drWorkloadIdentity !== null && !drCluster) {
    throw invalidField('drWorkloadIdentity', FieldCode.excluded, 'drWorkloadIdentity needs a cluster with disaster recovery enabled');
  }
  const emails = checkEmails(body.contactEmails);
  const contactEmails = emails !== undefined ? emails : row?.contact_emails ? (JSON.parse(row.contact_emails) as string[]) : null;

  let schedulerSize: SchedulerSize | null = null;
  let schedulerAu: number | null = null;
  let schedulerReplicas: number | null = null;
  let isHighAvailability: boolean | null = null;
  let isDevelopmentMode: boolean | null = null;
  let quota: Pair = null;
  let podDefaults: Pair = null;
  let taskPodNodePoolId: string | null = null;
  let hibernation: ReturnType<typeof checkHibernation> = { schedules: null, override: null };
  if (hybrid) {
    schedulerAu = body.scheduler?.au ?? HYBRID_SCHEDULER.au;
    schedulerReplicas = body.scheduler?.replicas ?? HYBRID_SCHEDULER.replicas;
    if (executor === 'KUBERNETES') {
      const pool = body.taskPodNodePoolId || undefined;
      if (pool !== undefined && !infra.nodePools.some((p) => p.id === pool)) {
        throw invalidField('taskPodNodePoolId', FieldCode.exists, 'taskPodNodePoolId must name a node pool of the Deployment\'s cluster');
      }
      taskPodNodePoolId = pool ?? defaultPool(infra.nodePools)?.id ?? null;
    }
  } else {
    schedulerSize = body.schedulerSize ?? 'SMALL';
    isHighAvailability = body.isHighAvailability ?? false;
    const wasDevelopment = row?.is_development_mode !== null && row?.is_development_mode !== undefined ? toBool(row.is_development_mode) : undefined;
    if (wasDevelopment === false && body.isDevelopmentMode === true) {
      throw invalidField('isDevelopmentMode', FieldCode.immutable, 'isDevelopmentMode cannot be turned on for an existing Deployment: it can only go from true to false');
    }
    isDevelopmentMode = body.isDevelopmentMode ?? wasDevelopment ?? false;
    const fallback = remote ? 'none' : cur ? 'required' : 'default';
    quota = checkPair('resourceQuotaCpu', 'resourceQuotaMemory', body.resourceQuotaCpu, body.resourceQuotaMemory, RESOURCE_QUOTAS.resourceQuota, fallback);
    podDefaults = checkPair('defaultTaskPodCpu', 'defaultTaskPodMemory', body.defaultTaskPodCpu, body.defaultTaskPodMemory, RESOURCE_QUOTAS.defaultPodSize, fallback);
    hibernation = checkHibernation(body.scalingSpec, isDevelopmentMode, isHighAvailability);
  }

  return {
    name: body.name,
    description: keep(body.description, row?.description ?? null),
    runtimeVersion,
    executor,
    schedulerSize,
    schedulerAu,
    schedulerReplicas,
    isHighAvailability,
    isDevelopmentMode,
    isCicdEnforced: body.isCicdEnforced ?? ctx.cicdEnforcedDefault,
    isDagDeployEnabled: body.isDagDeployEnabled ?? true,
    resourceQuotaCpu: quota?.cpu ?? null,
    resourceQuotaMemory: quota?.memory ?? null,
    defaultTaskPodCpu: podDefaults?.cpu ?? null,
    defaultTaskPodMemory: podDefaults?.memory ?? null,
    taskPodNodePoolId,
    workloadIdentity,
    drWorkloadIdentity,
    contactEmails,
    remoteExecution: remote,
    schedules: hibernation.schedules,
    override: hibernation.override,
    queues: checkQueues(body, infra, executor, remote !== null, cur),
    envVars: checkEnvVars(body.environmentVariables, cur),
  };
}
