import { auditRefs, resolveProfiles } from '../../auth/subjects.js';
import { found } from '../../core/errors.js';
import type { CloudProvider } from '../../core/schemas.js';
import { toBool } from '../../store/codecs.js';
import type { Queryable } from '../../store/types.js';
import { runtimeRelease, SCHEDULER_MACHINES, type Executor, type SchedulerSize } from '../../platform/catalog.js';
import { wireTime } from '../../time.js';
import { findCluster, nodePoolsOf, type ClusterRow, type NodePoolRow } from '../clusters/repo.js';
import { listWorkspaces } from '../workspaces/repo.js';
import { podSize, type RemoteExecutionSpec } from './checks.js';
import { overrideActive } from './hibernation.js';
import { dagVersions, lifecycle, storedOverride, storedSchedules } from './lifecycle.js';
import * as repo from './repo.js';
import type { DeploymentType, DeploymentView, EnvVarView, HibernationOverrideView, WorkerQueueView } from './schema.js';
import { defaultWorkloadIdentity, drMetadata, sharedClusterMetadata, urlsFor } from './simulated.js';

/** The canonical read model of Deployments, as /v1 shows them. */

/** Context shared by a page of Deployments: their clusters and those clusters' node pools. */
export interface Places {
  clusters: Map<string, ClusterRow>;
  pools: Map<string, NodePoolRow[]>;
}

export async function loadPlaces(db: Queryable, organizationId: string, clusterIds: string[]): Promise<Places> {
  const ids = [...new Set(clusterIds)];
  const clusters = new Map<string, ClusterRow>();
  // A page of Deployments names few distinct clusters (an Organization has few).
  for (const id of ids) {
    const c = await findCluster(db, organizationId, id);
    if (c) clusters.set(id, c);
  }
  return { clusters, pools: await nodePoolsOf(db, [...clusters.keys()]) };
}

function trim(n: number): string {
  return String(Math.round(n * 1000) / 1000);
}

/**
 * Scheduler resources: the size's machine (hosted) or the Astro units (hybrid: 1 AU = 0.1 CPU,
 * 0.375 GiB). buildSpec stores a size on every hosted Deployment and AUs and replicas on every
 * HYBRID one, so a missing or unknown value is a broken invariant, not a default to show.
 */
function schedulerResources(r: repo.DeploymentRow): { cpu: string; memory: string; replicas: number; au?: number } {
  if (r.type === 'HYBRID') {
    const au = r.scheduler_au;
    const replicas = r.scheduler_replicas;
    if (au === null || replicas === null) throw new Error(`HYBRID Deployment ${r.id} has no stored scheduler AUs or replicas`);
    return { cpu: trim(au * 0.1), memory: `${trim(au * 0.375)}Gi`, replicas, au };
  }
  const machine = SCHEDULER_MACHINES.find((m) => m.name === (r.scheduler_size as SchedulerSize));
  if (!machine) throw new Error(`${r.type} Deployment ${r.id} has scheduler size ${r.scheduler_size}, which the platform catalogue's SCHEDULER_MACHINES does not list`);
  return { cpu: machine.spec.cpu, memory: machine.spec.memory, replicas: toBool(r.is_high_availability) ? 2 : 1 };
}

export function overrideView(o: { isHibernating?: boolean; overrideUntil?: string }, now: Date): HibernationOverrideView {
  return {
    isActive: overrideActive(o, now),
    ...(o.isHibernating !== undefined ? { isHibernating: o.isHibernating } : {}),
    ...(o.overrideUntil !== undefined ? { overrideUntil: o.overrideUntil } : {}),
  };
}

/**
 * The instance type of a HYBRID queue's node pool. The pool is always there: a cluster that runs
 * Deployments cannot be deleted, and a HYBRID cluster's pools never change.
 */
function nodeOf(q: repo.QueueRow, pools: NodePoolRow[]): string | undefined {
  if (!q.node_pool_id) return undefined;
  const pool = pools.find((p) => p.id === q.node_pool_id);
  if (!pool) throw new Error(`worker queue ${q.id} names node pool ${q.node_pool_id}, which is not a node pool of its Deployment's cluster`);
  return pool.node_instance_type;
}

function queueViews(rows: repo.QueueRow[], provider: CloudProvider, pools: NodePoolRow[]): WorkerQueueView[] {
  return rows.map((q) => {
    const node = nodeOf(q, pools);
    return {
      ...(q.astro_machine ? { astroMachine: q.astro_machine } : {}),
      id: q.id,
      isDefault: toBool(q.is_default),
      maxWorkerCount: q.max_worker_count,
      minWorkerCount: q.min_worker_count,
      name: q.name,
      ...(q.node_pool_id ? { nodePoolId: q.node_pool_id } : {}),
      ...podSize(q.astro_machine, node, provider),
      ...(q.pod_ephemeral_storage ? { podEphemeralStorage: q.pod_ephemeral_storage } : {}),
      workerConcurrency: q.worker_concurrency,
    };
  });
}

function envViews(rows: repo.EnvVarRow[]): EnvVarView[] {
  return rows.map((v) => ({
    isSecret: toBool(v.is_secret),
    key: v.key,
    updatedAt: wireTime(v.updated_at),
    // A secret's value lives in secret_value, which is never read here.
    ...(!toBool(v.is_secret) && v.value !== null ? { value: v.value } : {}),
  }));
}

export async function deploymentViews(db: Queryable, rows: repo.DeploymentRow[], now: Date, registry?: string): Promise<DeploymentView[]> {
  if (rows.length === 0) return [];
  const organizationId = rows[0]!.organization_id;
  const ids = rows.map((r) => r.id);
  const queues = await repo.queuesOf(db, ids);
  const envVars = await repo.envVarsOf(db, ids);
  const places = await loadPlaces(db, organizationId, rows.flatMap((r) => (r.cluster_id ? [r.cluster_id] : [])));
  const workspaceIds = [...new Set(rows.map((r) => r.workspace_id))];
  const workspaces = await listWorkspaces(db, organizationId, { ids: workspaceIds }, { limit: workspaceIds.length });
  const workspaceNames = new Map(workspaces.items.map((w) => [w.id, w.name]));
  const profiles = await resolveProfiles(db, auditRefs(rows));

  return rows.map((r) => {
    const type = r.type as DeploymentType;
    const provider = r.cloud_provider as CloudProvider;
    const hybrid = type === 'HYBRID';
    const cluster = r.cluster_id ? places.clusters.get(r.cluster_id) : undefined;
    const pools = cluster ? places.pools.get(cluster.id) ?? [] : [];
    const life = lifecycle(r, now);
    const urls = urlsFor(r.organization_id, r.id, r.namespace, r.runtime_version, registry);
    const dags = dagVersions(r, now);
    const scheduler = schedulerResources(r);
    const meta = cluster ? (JSON.parse(cluster.metadata) as { externalIPs?: string[]; oidcIssuerUrl?: string }) : sharedClusterMetadata(provider, r.region);
    const place = cluster?.id ?? `${provider.toLowerCase()}-${r.region}`;
    const dr = cluster && toBool(cluster.is_dr_enabled) ? drMetadata(provider, cluster.id, cluster.dr_region) : undefined;
    const remote = r.remote_execution ? (JSON.parse(r.remote_execution) as RemoteExecutionSpec) : undefined;
    const schedules = storedSchedules(r);
    const override = storedOverride(r);
    const queueRows = queues.get(r.id) ?? [];
    const development = r.is_development_mode !== null && toBool(r.is_development_mode);
    const h = life.hibernation;
    return {
      airflowVersion: runtimeRelease(r.runtime_version).airflowVersion,
      apiUrl: urls.apiUrl,
      astroRuntimeVersion: r.runtime_version,
      cloudProvider: provider,
      ...(cluster ? { clusterId: cluster.id, clusterName: cluster.name } : {}),
      ...(r.contact_emails !== null ? { contactEmails: JSON.parse(r.contact_emails) as string[] } : {}),
      createdAt: wireTime(r.created_at),
      createdBy: profiles.get(r.created_by_id)!,
      ...(dags.current !== undefined ? { dagTarballVersion: dags.current } : {}),
      ...(r.default_task_pod_cpu !== null ? { defaultTaskPodCpu: r.default_task_pod_cpu } : {}),
      ...(r.default_task_pod_memory !== null ? { defaultTaskPodMemory: r.default_task_pod_memory } : {}),
      ...(r.description !== null ? { description: r.description } : {}),
      ...(dags.desired !== undefined ? { desiredDagTarballVersion: dags.desired } : {}),
      ...(dr ? {
        drExternalIPs: dr.externalIPs,
        drOidcIssuerUrl: dr.oidcIssuerUrl,
        effectiveDRWorkloadIdentity: r.dr_workload_identity ?? defaultWorkloadIdentity(provider, place, r.namespace, cluster!.provider_account, true),
      } : {}),
      effectiveWorkloadIdentity: r.workload_identity ?? defaultWorkloadIdentity(provider, place, r.namespace, cluster?.provider_account ?? null),
      environmentVariables: envViews(envVars.get(r.id) ?? []),
      executor: r.executor as Executor,
      externalIPs: meta.externalIPs ?? [],
      id: r.id,
      imageRepository: urls.imageRepository,
      imageTag: r.image_tag ?? r.runtime_version,
      isCicdEnforced: toBool(r.is_cicd_enforced),
      isDagDeployEnabled: toBool(r.is_dag_deploy_enabled),
      ...(hybrid ? {} : { isDevelopmentMode: development, isHighAvailability: toBool(r.is_high_availability) }),
      name: r.name,
      namespace: r.namespace,
      ...(meta.oidcIssuerUrl ? { oidcIssuerUrl: meta.oidcIssuerUrl } : {}),
      organizationId: r.organization_id,
      region: r.region,
      ...(remote ? {
        remoteExecution: {
          allowedIpAddressRanges: remote.allowedIpAddressRanges,
          enabled: true,
          remoteApiUrl: urls.remoteApiUrl,
          ...(remote.taskLogBucket !== undefined ? { taskLogBucket: remote.taskLogBucket } : {}),
          ...(remote.taskLogUrlPattern !== undefined ? { taskLogUrlPattern: remote.taskLogUrlPattern } : {}),
        },
      } : {}),
      ...(r.resource_quota_cpu !== null ? { resourceQuotaCpu: r.resource_quota_cpu } : {}),
      ...(r.resource_quota_memory !== null ? { resourceQuotaMemory: r.resource_quota_memory } : {}),
      runtimeVersion: r.runtime_version,
      ...(schedules !== null || override !== null ? {
        scalingSpec: {
          hibernationSpec: {
            ...(override !== null ? { override: overrideView(override, now) } : {}),
            ...(schedules !== null ? { schedules } : {}),
          },
        },
      } : {}),
      ...(h ? {
        scalingStatus: {
          hibernationStatus: {
            isHibernating: h.isHibernating,
            ...(h.nextEventAt ? { nextEventAt: wireTime(h.nextEventAt.toISOString()), nextEventType: h.nextEventType } : {}),
            ...(h.reason ? { reason: h.reason } : {}),
          },
        },
      } : {}),
      ...(scheduler.au !== undefined ? { schedulerAu: scheduler.au } : {}),
      schedulerCpu: scheduler.cpu,
      schedulerMemory: scheduler.memory,
      schedulerReplicas: scheduler.replicas,
      ...(r.scheduler_size !== null ? { schedulerSize: r.scheduler_size as SchedulerSize } : {}),
      status: life.status,
      ...(life.statusReason ? { statusReason: life.statusReason } : {}),
      ...(r.task_pod_node_pool_id !== null ? { taskPodNodePoolId: r.task_pod_node_pool_id } : {}),
      type,
      uiUrl: urls.uiUrl,
      updatedAt: wireTime(r.updated_at),
      updatedBy: profiles.get(r.updated_by_id)!,
      webServerAirflowApiUrl: urls.webServerAirflowApiUrl,
      webServerCpu: '0.5',
      webServerIngressHostname: urls.webServerIngressHostname,
      webServerMemory: hybrid ? '1.875Gi' : '1Gi',
      webServerReplicas: !hybrid && toBool(r.is_high_availability) ? 2 : 1,
      webServerUrl: urls.webServerUrl,
      ...(r.executor !== 'KUBERNETES' && queueRows.length > 0 ? { workerQueues: queueViews(queueRows, provider, pools) } : {}),
      workspaceId: r.workspace_id,
      ...(workspaceNames.has(r.workspace_id) ? { workspaceName: workspaceNames.get(r.workspace_id)! } : {}),
    };
  });
}

/** One Deployment read from the store (also the read-back after a write): a 404 when it is gone. */
export async function deploymentView(db: Queryable, organizationId: string, id: string, now: Date, registry?: string): Promise<DeploymentView> {
  return (await deploymentViews(db, [found(await repo.findDeployment(db, organizationId, id), 'Deployment')], now, registry))[0]!;
}
