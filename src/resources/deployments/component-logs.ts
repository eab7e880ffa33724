import type { AppContext } from '../../context.js';
import { toBool } from '../../store/codecs.js';
import { inTransaction } from '../../store/transactions.js';
import type { Queryable } from '../../store/types.js';
import type { DeploymentsTable } from '../../store/schema.js';
import { storedTime } from '../../time.js';
import { componentEvents, hibernationLoggedUntil, setHibernationLoggedUntil } from '../logs/service.js';
import type { Current, Spec } from './checks.js';
import { hibernationState } from './hibernation.js';
import { lifecycle, storedOverride, storedSchedules } from './lifecycle.js';
import * as repo from './repo.js';

/*
 * Where the Deployments service tells the simulated components' log lines
 * (src/resources/logs/component-events.ts) what happened: a create, an update, a hibernation
 * override flipping the state, and what the hibernation schedules did between requests. Status
 * is derived at read time, so a schedule putting a Deployment to sleep writes nothing when it
 * fires; catchUpHibernation logs those moments afterwards (before the Deployment's logs are read,
 * and before any change to what decides its hibernation), stamped at the time they happened, and
 * records up to when it has done so.
 */

type Simulated = componentEvents.SimulatedDeployment;

function fromSpec(organizationId: string, id: string, namespace: string, spec: Spec): Simulated {
  return { organizationId, id, namespace, runtimeVersion: spec.runtimeVersion, executor: spec.executor, schedulerReplicas: spec.schedulerReplicas, queues: spec.queues };
}

function fromRow(row: repo.DeploymentRow, queues: repo.QueueRow[]): Simulated {
  return {
    organizationId: row.organization_id,
    id: row.id,
    namespace: row.namespace,
    runtimeVersion: row.runtime_version,
    executor: row.executor,
    schedulerReplicas: row.scheduler_replicas,
    queues: queues.map((q) => ({ name: q.name, minWorkerCount: q.min_worker_count, maxWorkerCount: q.max_worker_count, workerConcurrency: q.worker_concurrency, astroMachine: q.astro_machine })),
  };
}

type Pending = Pick<DeploymentsTable, 'pending_until'>;

/** When a change written at `now` is rolled out: the end of its pending status, or at once. */
const readyAt = (pending: Pending, now: Date) => (pending.pending_until ? new Date(pending.pending_until) : now);

export async function created(tx: Queryable, organizationId: string, id: string, namespace: string, spec: Spec, now: Date, pending: Pending): Promise<void> {
  await componentEvents.deploymentCreated(tx, fromSpec(organizationId, id, namespace, spec), now, readyAt(pending, now));
}

export async function updated(tx: Queryable, current: Current, spec: Spec, now: Date, pending: Pending): Promise<void> {
  const row = current.row;
  await componentEvents.deploymentUpdated(tx, fromRow(row, current.queues), fromSpec(row.organization_id, row.id, row.namespace, spec), now, readyAt(pending, now));
}

/** Logs a development Deployment falling asleep or waking when a change made at `now` flips its state. */
export async function hibernationFlip(tx: Queryable, before: repo.DeploymentRow, after: repo.DeploymentRow, now: Date, why: string): Promise<void> {
  const was = lifecycle(before, now).hibernation?.isHibernating ?? false;
  const is = lifecycle(after, now).hibernation?.isHibernating ?? false;
  if (was === is) return;
  const queues = (await repo.queuesOf(tx, [after.id])).get(after.id) ?? [];
  await componentEvents.hibernationChanged(tx, fromRow(after, queues), now, is, why);
}

/** Most changes one catch-up logs: a month of a schedule firing twice a day fits. */
const MAX_FLIPS = 200;

interface Flip { at: Date; hibernating: boolean; why: string }

const development = (row: repo.DeploymentRow) => row.is_development_mode !== null && toBool(row.is_development_mode);

/** The times between the last logged moment (at most the retention period ago) and `now` that the Deployment fell asleep or woke with no request. */
async function flipsSince(q: Queryable, app: AppContext, row: repo.DeploymentRow, now: Date): Promise<Flip[]> {
  if (!development(row)) return [];
  const schedules = storedSchedules(row);
  const override = storedOverride(row);
  const logged = (await hibernationLoggedUntil(q, row.id)) ?? row.created_at;
  let t = new Date(Math.max(Date.parse(logged), now.getTime() - app.config.logRetentionDays * 86_400_000));
  let state = hibernationState(schedules, override, t);
  const flips: Flip[] = [];
  while (flips.length < MAX_FLIPS && state.nextEventAt && state.nextEventAt.getTime() <= now.getTime() && state.nextEventAt.getTime() > t.getTime()) {
    t = state.nextEventAt;
    const next = hibernationState(schedules, override, t);
    if (next.isHibernating !== state.isHibernating) {
      flips.push({ at: t, hibernating: next.isHibernating, why: next.reason ?? (override ? 'its hibernation override ended' : 'its hibernation schedule') });
    }
    state = next;
  }
  return flips;
}

async function writeFlips(tx: Queryable, row: repo.DeploymentRow, flips: Flip[], now: Date): Promise<void> {
  if (flips.length > 0) {
    const simulated = fromRow(row, (await repo.queuesOf(tx, [row.id])).get(row.id) ?? []);
    for (const f of flips) await componentEvents.hibernationChanged(tx, simulated, f.at, f.hibernating, f.why);
  }
  await setHibernationLoggedUntil(tx, row.id, storedTime(now));
}

/** In a change's transaction, before the change: logs what hibernation did up to `now` and marks it done. */
export async function catchUpHibernation(tx: Queryable, app: AppContext, row: repo.DeploymentRow, now: Date): Promise<void> {
  await writeFlips(tx, row, await flipsSince(tx, app, row, now), now);
}

/**
 * Before a Deployment's logs are read: logs what hibernation did up to now. Only reads unless
 * there is something to write; then writes it in one transaction under the Deployment's row lock
 * (two readers at once log it once).
 */
export async function catchUpBeforeRead(app: AppContext, organizationId: string, id: string): Promise<void> {
  const row = await repo.findDeployment(app.db, organizationId, id);
  const now = app.clock.now();
  if (!row || (await flipsSince(app.db, app, row, now)).length === 0) return;
  await inTransaction(app.db, async (tx) => {
    await repo.lockDeployment(tx, organizationId, id);
    const locked = await repo.findDeployment(tx, organizationId, id);
    if (locked) await catchUpHibernation(tx, app, locked, now);
  });
}
