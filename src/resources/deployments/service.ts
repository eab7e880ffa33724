import type { AppContext } from '../../context.js';
import { actor, lacking, type Visible } from '../../auth/access.js';
import { builtInPermissions } from '../../auth/permissions.js';
import type { Principal } from '../../auth/principal.js';
import type { Target } from '../../auth/access.js';
import { badRequest, FieldCode, forbidden, found, invalidField } from '../../core/errors.js';
import type { CloudProvider } from '../../core/schemas.js';
import { assertValid } from '../../core/validation.js';
import { createdColumns, updatedColumns } from '../../store/audit.js';
import { fromBool, toBool } from '../../store/codecs.js';
import { secretBox } from '../../store/crypto.js';
import { inTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import { newId } from '../../store/ids.js';
import { envelope, type PageRequest } from '../../store/pagination.js';
import type { AuditColumns, DeploymentsTable } from '../../store/schema.js';
import { storedTime } from '../../time.js';
import { findRegion, STANDARD_REGIONS, type Executor } from '../../platform/catalog.js';
import { findCluster, listClusters, lockCluster, nodePoolsOf, workspaceIdsOf, type ClusterRow } from '../clusters/repo.js';
import { findOrganization } from '../organizations/repo.js';
import { searchLogs } from '../logs/service.js';
import { findWorkspace, lockWorkspace, type WorkspaceRow } from '../workspaces/repo.js';
import { buildSpec, validTime, type AnyBody, type Current, type Infra, type Spec } from './checks.js';
import { assertCreated, dagVersions, lifecycle, pendingAfterCreate, pendingAfterUpdate, storedOverride } from './lifecycle.js';
import * as componentLogs from './component-logs.js';
import * as repo from './repo.js';
import {
  CREATE_MEMBERS, type CreateDeploymentBody, type DeploymentLogView, type DeploymentType, type DeploymentView, type GetDeploymentLogsQueryValue,
  type HibernationOverrideView, type OverrideBody, type UpdateDeploymentBody,
} from './schema.js';
import { defaultWorkloadIdentity, imageRepositoryFor, namespaceFor } from './simulated.js';
import { deploymentView, deploymentViews, overrideView } from './view.js';

// ---------------------------------------------------------------- authorization targets

/**
 * What a Deployment route acts on: the Deployment and its Workspace, or nothing when the id names
 * no Deployment of the Organization (a missing and a foreign id are refused alike).
 */
export async function deploymentTarget(app: AppContext, organizationId: string, id: string): Promise<Target> {
  const row = await repo.findDeployment(app.db, organizationId, id);
  return row ? { workspaceId: row.workspace_id, deploymentId: row.id } : {};
}

/** The Workspace a create names, when it is one of the Organization's. */
export async function createTarget(app: AppContext, organizationId: string, workspaceId: string): Promise<Target> {
  const w = await findWorkspace(app.db, organizationId, workspaceId);
  return w ? { workspaceId: w.id } : {};
}

// ---------------------------------------------------------------- infrastructure

const clusterCreating = (c: ClusterRow, now: Date) => c.pending_status === 'CREATING' && c.pending_until !== null && c.pending_until > storedTime(now);

/**
 * Where a new Deployment runs. In order: an explicit clusterId (it wins over cloudProvider and
 * region); an explicit cloudProvider + region (STANDARD); the Workspace's defaultClusterId; its
 * defaultCloudProvider + defaultRegion (STANDARD); the Organization's only cluster when it has
 * exactly one. A `type` sent with the body must agree with what is resolved; Workspace defaults
 * and the only cluster are skipped when they are of another type.
 */
async function resolveInfra(tx: Queryable, organizationId: string, workspace: WorkspaceRow, body: AnyBody, now: Date): Promise<Infra> {
  const wanted = body.type;

  const onCluster = async (id: string, field: string, what: string): Promise<Infra> => {
    await lockCluster(tx, organizationId, id);
    const cluster = await findCluster(tx, organizationId, id);
    if (!cluster) throw invalidField(field, FieldCode.exists, `${field} does not name a cluster of this Organization`);
    const type = cluster.type as DeploymentType;
    if (wanted !== undefined && wanted !== type) {
      throw invalidField('type', FieldCode.mismatch, `type ${wanted} does not match ${what}, a ${type} cluster; leave type out or send ${type}`);
    }
    if (clusterCreating(cluster, now)) throw invalidField(field, FieldCode.ready, `${what} is still being created; try again when its status is CREATED`);
    const allowed = (await workspaceIdsOf(tx, [cluster.id])).get(cluster.id) ?? [];
    if (allowed.length > 0 && !allowed.includes(workspace.id)) {
      throw invalidField(field, FieldCode.workspace, `${what} is not available to Workspace ${workspace.id}: the cluster's workspaceIds do not include it`);
    }
    const nodePools = (await nodePoolsOf(tx, [cluster.id])).get(cluster.id) ?? [];
    return { type, provider: cluster.cloud_provider as CloudProvider, region: cluster.region, cluster, nodePools };
  };

  const standard = (provider: CloudProvider, region: string, field: string, what: string): Infra => {
    if (wanted !== undefined && wanted !== 'STANDARD') {
      throw invalidField('type', FieldCode.mismatch, `type ${wanted} needs a cluster, but ${what} names a STANDARD (shared) region; send clusterId`);
    }
    if (!findRegion(STANDARD_REGIONS[provider], region)) {
      throw invalidField(field, FieldCode.oneOf, `${field} must be one of [${STANDARD_REGIONS[provider].map((r) => r.name).join(' ')}] for STANDARD Deployments on ${provider}`);
    }
    return { type: 'STANDARD', provider, region, nodePools: [] };
  };

  const clusterId = body.clusterId || undefined;
  if (clusterId !== undefined) return onCluster(clusterId, 'clusterId', 'the cluster clusterId names');
  // cloudProvider and region belong to STANDARD requests; on a typed DEDICATED or HYBRID one they are refused later.
  const provider = wanted === undefined || wanted === 'STANDARD' ? body.cloudProvider : undefined;
  const region = wanted === undefined || wanted === 'STANDARD' ? body.region || undefined : undefined;
  if (provider !== undefined || region !== undefined) {
    if (provider === undefined) throw invalidField('cloudProvider', FieldCode.requiredWith, 'cloudProvider is required when region is set');
    if (region === undefined) throw invalidField('region', FieldCode.requiredWith, 'region is required when cloudProvider is set');
    return standard(provider, region, 'region', 'the request');
  }
  if (workspace.default_cluster_id && wanted !== 'STANDARD') {
    const c = await findCluster(tx, organizationId, workspace.default_cluster_id);
    if (c && (wanted === undefined || c.type === wanted)) return onCluster(c.id, 'workspaceId', 'the Workspace\'s default cluster');
  }
  if (workspace.default_cloud_provider && workspace.default_region && (wanted === undefined || wanted === 'STANDARD')) {
    return standard(workspace.default_cloud_provider as CloudProvider, workspace.default_region, 'workspaceId', 'the Workspace\'s default region');
  }
  if (wanted !== 'STANDARD') {
    const page = await listClusters(tx, organizationId, {}, { limit: 2 });
    const only = page.totalCount === 1 ? page.items[0] : undefined;
    if (only && (wanted === undefined || only.type === wanted)) return onCluster(only.id, 'clusterId', 'the Organization\'s only cluster');
    const clusters = page.totalCount === 1 ? `one ${only!.type} cluster` : `${page.totalCount} clusters`;
    const why = `Workspace ${workspace.id} has no default infrastructure${wanted ? ` for a ${wanted} Deployment` : ''} and the Organization has ${clusters}`;
    const what = wanted ? `clusterId (a ${wanted} cluster)` : 'clusterId (a DEDICATED or HYBRID cluster), or cloudProvider and region (a STANDARD Deployment)';
    throw badRequest(`Invalid request: send ${what}: ${why}`, [{ field: 'clusterId', code: FieldCode.required, message: `clusterId is required: ${why}` }]);
  }
  throw invalidField('cloudProvider', FieldCode.required, `cloudProvider and region are required for a STANDARD Deployment: Workspace ${workspace.id} has no default cloud provider and region`);
}

async function checkDedicatedEnforced(tx: Queryable, organizationId: string, infra: Infra, body: AnyBody): Promise<void> {
  if (infra.type !== 'STANDARD') return;
  const org = await findOrganization(tx, organizationId);
  if (!org || !toBool(org.should_enforce_dedicated_clusters)) return;
  const field = body.type === 'STANDARD' ? 'type' : body.cloudProvider !== undefined ? 'cloudProvider' : 'clusterId';
  throw invalidField(field, FieldCode.dedicated, 'this Organization enforces dedicated clusters: STANDARD Deployments cannot be created; send the clusterId of a DEDICATED or HYBRID cluster');
}

// ---------------------------------------------------------------- writing

function specColumns(spec: Spec): Omit<DeploymentsTable, 'id' | 'organization_id' | 'workspace_id' | 'cluster_id' | 'type' | 'cloud_provider' | 'region' | 'namespace' | 'pending_status' | 'pending_until' | keyof AuditColumns> {
  return {
    name: spec.name,
    description: spec.description,
    runtime_version: spec.runtimeVersion,
    executor: spec.executor,
    scheduler_size: spec.schedulerSize,
    scheduler_au: spec.schedulerAu,
    scheduler_replicas: spec.schedulerReplicas,
    is_high_availability: spec.isHighAvailability === null ? null : fromBool(spec.isHighAvailability),
    is_development_mode: spec.isDevelopmentMode === null ? null : fromBool(spec.isDevelopmentMode),
    is_cicd_enforced: fromBool(spec.isCicdEnforced),
    is_dag_deploy_enabled: fromBool(spec.isDagDeployEnabled),
    resource_quota_cpu: spec.resourceQuotaCpu,
    resource_quota_memory: spec.resourceQuotaMemory,
    default_task_pod_cpu: spec.defaultTaskPodCpu,
    default_task_pod_memory: spec.defaultTaskPodMemory,
    task_pod_node_pool_id: spec.taskPodNodePoolId,
    workload_identity: spec.workloadIdentity,
    dr_workload_identity: spec.drWorkloadIdentity,
    contact_emails: spec.contactEmails === null ? null : JSON.stringify(spec.contactEmails),
    remote_execution: spec.remoteExecution === null ? null : JSON.stringify(spec.remoteExecution),
    hibernation_schedules: spec.schedules === null ? null : JSON.stringify(spec.schedules),
    hibernation_override: spec.override === null ? null : JSON.stringify(spec.override),
  };
}

/** Writes the queues and variables of a spec: kept queues are updated, others added or removed. */
async function writeChildren(tx: Queryable, deploymentId: string, spec: Spec, stored: repo.QueueRow[], now: Date): Promise<void> {
  const at = storedTime(now);
  const kept = new Set(spec.queues.flatMap((q) => (q.id ? [q.id] : [])));
  await repo.deleteQueues(tx, stored.filter((q) => !kept.has(q.id)).map((q) => q.id));
  for (const [position, q] of spec.queues.entries()) {
    const cols = {
      position,
      name: q.name,
      is_default: fromBool(q.isDefault),
      astro_machine: q.astroMachine,
      node_pool_id: q.nodePoolId,
      min_worker_count: q.minWorkerCount,
      max_worker_count: q.maxWorkerCount,
      worker_concurrency: q.workerConcurrency,
      pod_ephemeral_storage: q.podEphemeralStorage,
    };
    const old = q.id ? stored.find((s) => s.id === q.id) : undefined;
    if (old) {
      const same = (Object.keys(cols) as (keyof typeof cols)[]).every((k) => old[k] === cols[k]);
      if (!same) await repo.updateQueue(tx, old.id, { ...cols, updated_at: at });
    } else {
      await repo.insertQueue(tx, { id: newId(), deployment_id: deploymentId, ...cols, created_at: at, updated_at: at });
    }
  }
  const box = secretBox(tx);
  await repo.replaceEnvVars(tx, deploymentId, spec.envVars.map((v, position) => ({
    deployment_id: deploymentId,
    position,
    key: v.key,
    is_secret: fromBool(v.isSecret),
    value: v.value,
    // Secret values are stored sealed (store/crypto.ts); the spec holds them in the clear.
    secret_value: v.secretValue === null ? null : box.seal(v.secretValue),
    updated_at: v.changed ? at : v.updatedAt!,
  })));
}

// ---------------------------------------------------------------- create

export async function createDeployment(app: AppContext, p: Principal, organizationId: string, body: CreateDeploymentBody): Promise<DeploymentView> {
  const b = body as AnyBody;
  return inTransaction(app.db, async (tx) => {
    const now = app.clock.now();
    await lockWorkspace(tx, organizationId, b.workspaceId);
    const workspace = await findWorkspace(tx, organizationId, b.workspaceId);
    if (!workspace) throw invalidField('workspaceId', FieldCode.exists, 'workspaceId does not name a Workspace of this Organization');
    const infra = await resolveInfra(tx, organizationId, workspace, b, now);
    // A body without a type was checked only for name and workspaceId: check it as its type's shape now.
    if (b.type === undefined) assertValid(CREATE_MEMBERS[infra.type], body);
    await checkDedicatedEnforced(tx, organizationId, infra, b);
    const spec = buildSpec(b, infra, { cicdEnforcedDefault: toBool(workspace.cicd_enforced_default) });
    const id = newId();
    const pending = pendingAfterCreate(app, now);
    await repo.insertDeployment(tx, {
      id,
      organization_id: organizationId,
      workspace_id: workspace.id,
      cluster_id: infra.cluster?.id ?? null,
      type: infra.type,
      cloud_provider: infra.provider,
      region: infra.region,
      namespace: namespaceFor(id),
      ...specColumns(spec),
      ...pending,
      ...createdColumns(actor(p), now),
    });
    await writeChildren(tx, id, spec, [], now);
    await componentLogs.created(tx, organizationId, id, namespaceFor(id), spec, now, pending);
    return deploymentView(tx, organizationId, id, now, app.config.registry);
  });
}

// ---------------------------------------------------------------- read

/** A page of Deployments; `visible` narrows it to what a Workspace- or Deployment-scoped caller may see. */
export async function listDeployments(app: AppContext, organizationId: string, q: { deploymentIds?: string[]; names?: string[]; workspaceIds?: string[] } & PageRequest, visible: Visible = { all: true }) {
  const within = visible.all ? undefined : { workspaceIds: visible.workspaceIds, ids: visible.deploymentIds };
  const page = await repo.listDeployments(app.db, organizationId, { ids: q.deploymentIds, names: q.names, workspaceIds: q.workspaceIds, within }, { ...q, limit: Math.min(q.limit ?? 20, 1000) });
  return envelope('deployments', page, await deploymentViews(app.db, page.items, app.clock.now(), app.config.registry));
}

export async function getDeployment(app: AppContext, organizationId: string, id: string): Promise<DeploymentView> {
  return deploymentView(app.db, organizationId, id, app.clock.now(), app.config.registry);
}

// ---------------------------------------------------------------- update

async function loadCurrent(tx: Queryable, organizationId: string, id: string): Promise<Current> {
  await repo.lockDeployment(tx, organizationId, id);
  const row = found(await repo.findDeployment(tx, organizationId, id), 'Deployment');
  // The checks compare and keep secret values in the clear: open the stored ones.
  const box = secretBox(tx);
  const envVars = ((await repo.envVarsOf(tx, [id])).get(id) ?? []).map((v) => (v.secret_value === null ? v : { ...v, secret_value: box.open(v.secret_value) }));
  return { row, queues: (await repo.queuesOf(tx, [id])).get(id) ?? [], envVars };
}

async function infraOf(tx: Queryable, row: repo.DeploymentRow): Promise<Infra> {
  const cluster = row.cluster_id ? await findCluster(tx, row.organization_id, row.cluster_id) : undefined;
  const nodePools = cluster ? (await nodePoolsOf(tx, [cluster.id])).get(cluster.id) ?? [] : [];
  return { type: row.type as DeploymentType, provider: row.cloud_provider as CloudProvider, region: row.region, cluster, nodePools };
}

/** Where a Deployment runs and which Workspace holds it cannot change; a body naming other values is refused. */
function checkImmutable(b: AnyBody, row: repo.DeploymentRow): void {
  if (b.type !== row.type) throw invalidField('type', FieldCode.immutable, `type must be ${row.type}, the Deployment's type; it cannot change`);
  if (b.workspaceId !== row.workspace_id) throw invalidField('workspaceId', FieldCode.immutable, 'workspaceId must be the Deployment\'s Workspace; a Deployment cannot move to another Workspace');
  const same: [string, unknown, unknown][] = [['clusterId', b.clusterId, row.cluster_id], ['cloudProvider', b.cloudProvider, row.cloud_provider], ['region', b.region, row.region]];
  for (const [field, sent, stored] of same) {
    if (sent !== undefined && sent !== null && sent !== '' && sent !== stored) throw invalidField(field, FieldCode.immutable, `${field} cannot change: create a new Deployment to run elsewhere`);
  }
}

/** How an older surface bends the update rules (Operation.rules); /v1 hands none. */
export interface UpdateRules {
  /**
   * Worker-queue settings the surface can neither show nor send (platform v1beta1 has no
   * ephemeral storage): a sent queue that matches a stored one (by id, else by name) keeps the
   * stored value, where v1 reads the setting's absence as "none".
   */
  keptQueueSettings?: readonly (keyof typeof QUEUE_SETTING_COLUMNS)[];
}
/** /v1 sends every queue setting it means to keep. */
export const V1_UPDATE_RULES: UpdateRules = {};

const QUEUE_SETTING_COLUMNS = { podEphemeralStorage: 'pod_ephemeral_storage' } as const satisfies Record<string, keyof repo.QueueRow>;

/** The body with the queue settings `rules` keeps carried over from the stored queues (read under the Deployment's lock). */
function withKeptQueueSettings(b: AnyBody, stored: repo.QueueRow[], rules: UpdateRules): AnyBody {
  const kept = rules.keptQueueSettings ?? [];
  if (kept.length === 0 || !b.workerQueues?.length) return b;
  const workerQueues = b.workerQueues.map((q) => {
    const was = stored.find((s) => q.id !== undefined && s.id === q.id) ?? stored.find((s) => s.name === q.name);
    if (!was) return q;
    const carried = Object.fromEntries(kept.flatMap((k) => (was[QUEUE_SETTING_COLUMNS[k]] ? [[k, was[QUEUE_SETTING_COLUMNS[k]]]] : [])));
    return { ...q, ...carried };
  });
  return { ...b, workerQueues };
}

/**
 * Turning DAG-only deploys on or off needs Workspace Owner (domain.md §1.10: it can disrupt the
 * Deployment): a caller who does not hold everything a Workspace Owner holds in the Deployment's
 * Workspace (an Organization Owner does) is refused (403) an update that changes
 * isDagDeployEnabled. An update that keeps the value it has changes nothing there: every update
 * sends it, and Operators and Deployment Admins update their Deployments.
 */
function checkDagDeployToggle(p: Principal, row: repo.DeploymentRow, spec: Spec): void {
  if (spec.isDagDeployEnabled === toBool(row.is_dag_deploy_enabled)) return;
  const missing = lacking(p, builtInPermissions('WORKSPACE_OWNER')!, { workspaceId: row.workspace_id, deploymentId: row.id });
  if (missing !== undefined) {
    throw forbidden(`Turning isDagDeployEnabled ${spec.isDagDeployEnabled ? 'on' : 'off'} needs Workspace Owner of the Deployment's Workspace (you do not hold ${missing} there)`);
  }
}

export async function updateDeployment(app: AppContext, p: Principal, organizationId: string, id: string, body: UpdateDeploymentBody, rules: UpdateRules = V1_UPDATE_RULES): Promise<DeploymentView> {
  return inTransaction(app.db, async (tx) => {
    const now = app.clock.now();
    const current = await loadCurrent(tx, organizationId, id);
    assertCreated(current.row, now, 'its settings cannot change');
    const b = withKeptQueueSettings(body as AnyBody, current.queues, rules);
    checkImmutable(b, current.row);
    const infra = await infraOf(tx, current.row);
    const spec = buildSpec(b, infra, { cicdEnforcedDefault: false, current });
    checkDagDeployToggle(p, current.row, spec);
    // What the old schedules did until now is logged before they change.
    await componentLogs.catchUpHibernation(tx, app, current.row, now);
    const pending = pendingAfterUpdate(app, now);
    await repo.updateDeployment(tx, id, {
      ...specColumns(spec),
      // A DAG deploy still rolling out counts as done once another change starts rolling out.
      dag_tarball_version: dagVersions(current.row, now).current ?? null,
      ...pending,
      ...updatedColumns(actor(p), now),
    });
    await writeChildren(tx, id, spec, current.queues, now);
    await componentLogs.updated(tx, current, spec, now, pending);
    return deploymentView(tx, organizationId, id, now, app.config.registry);
  });
}

// ---------------------------------------------------------------- hibernation override

/**
 * Hibernates a development Deployment, or keeps it awake, whatever its schedules say, until
 * overrideUntil (for good without one). The override shows in scalingSpec.hibernationSpec and
 * drives status and scalingStatus at once.
 */
export async function overrideHibernation(app: AppContext, p: Principal, organizationId: string, id: string, body: OverrideBody): Promise<HibernationOverrideView> {
  return inTransaction(app.db, async (tx) => {
    const now = app.clock.now();
    await repo.lockDeployment(tx, organizationId, id);
    const row = found(await repo.findDeployment(tx, organizationId, id), 'Deployment');
    assertCreated(row, now, 'its hibernation cannot be overridden');
    if (body.isHibernating === null || body.isHibernating === undefined) throw invalidField('isHibernating', FieldCode.required, 'isHibernating is required');
    if (row.type === 'HYBRID' || !toBool(row.is_development_mode)) {
      throw badRequest('Invalid request: only development Deployments (isDevelopmentMode true) can hibernate');
    }
    if (toBool(row.is_high_availability)) throw badRequest('Invalid request: a Deployment with high availability cannot hibernate');
    const until = body.overrideUntil ?? undefined;
    if (until !== undefined && (!validTime(until) || Date.parse(until) <= now.getTime())) {
      throw invalidField('overrideUntil', FieldCode.future, 'overrideUntil must be a time in the future');
    }
    const override = { isHibernating: body.isHibernating, ...(until !== undefined ? { overrideUntil: until } : {}) };
    const stored = JSON.stringify(override);
    await componentLogs.catchUpHibernation(tx, app, row, now);
    await repo.updateDeployment(tx, id, { hibernation_override: stored, ...updatedColumns(actor(p), now) });
    await componentLogs.hibernationFlip(tx, row, { ...row, hibernation_override: stored }, now, 'hibernation override');
    return overrideView(override, now);
  });
}

/** Removes a Deployment's hibernation override; its schedules apply again. Without one, nothing changes. */
export async function removeHibernationOverride(app: AppContext, p: Principal, organizationId: string, id: string): Promise<void> {
  await inTransaction(app.db, async (tx) => {
    const now = app.clock.now();
    await repo.lockDeployment(tx, organizationId, id);
    const row = found(await repo.findDeployment(tx, organizationId, id), 'Deployment');
    assertCreated(row, now, 'its hibernation override cannot be removed');
    if (storedOverride(row) === null) return;
    await componentLogs.catchUpHibernation(tx, app, row, now);
    await repo.updateDeployment(tx, id, { hibernation_override: null, ...updatedColumns(actor(p), now) });
    await componentLogs.hibernationFlip(tx, row, { ...row, hibernation_override: null }, now, 'hibernation override removed');
  });
}

// ---------------------------------------------------------------- for other families

/** What GetDeploymentOptions needs to know about an existing Deployment; undefined when the id names none of the Organization's. */
export interface DeploymentOptionsContext {
  type: DeploymentType;
  cloudProvider: CloudProvider;
  runtimeVersion: string;
  executor: Executor;
  workloadIdentities: { role: string; label: string }[];
}

export async function deploymentOptionsContext(app: AppContext, organizationId: string, id: string): Promise<DeploymentOptionsContext | undefined> {
  const row = await repo.findDeployment(app.db, organizationId, id);
  if (!row) return undefined;
  const provider = row.cloud_provider as CloudProvider;
  const cluster = row.cluster_id ? await findCluster(app.db, organizationId, row.cluster_id) : undefined;
  const place = cluster?.id ?? `${provider.toLowerCase()}-${row.region}`;
  const fallback = defaultWorkloadIdentity(provider, place, row.namespace, cluster?.provider_account ?? null);
  const identities = [{ role: fallback, label: 'Default' }];
  if (row.workload_identity && row.workload_identity !== fallback) identities.push({ role: row.workload_identity, label: 'Configured' });
  return { type: row.type as DeploymentType, cloudProvider: provider, runtimeVersion: row.runtime_version, executor: row.executor as Executor, workloadIdentities: identities };
}

/**
 * A page of a Deployment's log search (the logs family searches its lines). What hibernation
 * schedules did since the last look happened with no request: a first page logs it first.
 */
export async function getDeploymentLogs(app: AppContext, organizationId: string, id: string, q: GetDeploymentLogsQueryValue): Promise<DeploymentLogView> {
  if (q.searchId === undefined) await componentLogs.catchUpBeforeRead(app, organizationId, id);
  if (!(await repo.findDeployment(app.db, organizationId, id))) {
    throw invalidField('deploymentId', FieldCode.exists, 'deploymentId does not name a Deployment of this Organization');
  }
  return searchLogs(app, id, q);
}

/** How many Deployments a Workspace holds; Workspaces with any cannot be deleted. */
export const deploymentsInWorkspace = repo.countInWorkspace;
/** How many Deployments a cluster hosts; clusters with any cannot be deleted. */
export const deploymentsOnCluster = repo.countOnCluster;

/** What a deploy needs to know about its Deployment, read in the deploy's transaction. */
export interface DeployTarget {
  id: string;
  workspaceId: string;
  runtimeVersion: string;
  status: DeploymentView['status'];
  isDagDeployEnabled: boolean;
  isCicdEnforced: boolean;
  /** Where its images are pushed (see imageRepositoryFor). */
  imageRepository: string;
  /** The image it runs now. */
  imageTag: string;
  /** The DAG tarball it runs, or is moving to. */
  desiredDagTarballVersion?: string;
}

/**
 * The Deployment a deploy acts on, under its row lock so deploys of one Deployment take turns;
 * undefined when the id names none of the Organization's.
 */
export async function lockForDeploy(app: AppContext, tx: Queryable, organizationId: string, id: string): Promise<DeployTarget | undefined> {
  await repo.lockDeployment(tx, organizationId, id);
  const row = await repo.findDeployment(tx, organizationId, id);
  if (!row) return undefined;
  const now = app.clock.now();
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    runtimeVersion: row.runtime_version,
    status: lifecycle(row, now).status,
    isDagDeployEnabled: toBool(row.is_dag_deploy_enabled),
    isCicdEnforced: toBool(row.is_cicd_enforced),
    imageRepository: imageRepositoryFor(app.config.registry, row.organization_id, row.namespace),
    imageTag: row.image_tag ?? row.runtime_version,
    desiredDagTarballVersion: dagVersions(row, now).desired,
  };
}

/**
 * Rolls a finished deploy out: the Deployment takes the deploy's image tag and/or DAG tarball
 * and is DEPLOYING until the simulated roll-out ends (see lifecycle.ts). Call in the deploy's
 * transaction, after lockForDeploy.
 */
export async function applyDeploy(app: AppContext, tx: Queryable, p: Principal, organizationId: string, id: string, change: { imageTag?: string; dagTarballVersion?: string }): Promise<void> {
  const row = found(await repo.findDeployment(tx, organizationId, id), 'Deployment');
  const now = app.clock.now();
  await repo.updateDeployment(tx, id, {
    ...(change.imageTag !== undefined ? { image_tag: change.imageTag } : {}),
    ...(change.dagTarballVersion !== undefined ? {
      dag_tarball_version: dagVersions(row, now).current ?? null,
      desired_dag_tarball_version: change.dagTarballVersion,
    } : {}),
    ...pendingAfterUpdate(app, now),
    ...updatedColumns(actor(p), now),
  });
}
