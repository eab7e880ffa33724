import type { AppContext } from '../../context.js';
import { conflict } from '../../core/errors.js';
import { toBool } from '../../store/codecs.js';
import type { DeploymentsTable } from '../../store/schema.js';
import { storedTime, wireTime } from '../../time.js';
import { hibernationState, type HibernationState, type StoredOverride } from './hibernation.js';
import type { DeploymentRow } from './repo.js';
import type { DeploymentStatus, HibernationSchedule } from './schema.js';

/*
 * The one engine behind a Deployment's status, derived at read time from stored times and the
 * injectable clock (no timers, so several server instances on one database agree):
 *   - after a create the Deployment is CREATING, after an update or a deploy DEPLOYING, until its
 *     simulated infrastructure is ready (ASTROLABE_PROVISION_SECONDS after the write; 0 = ready
 *     at once); while it is CREATING it takes no settings change and no deploy (assertCreated);
 *   - then a development Deployment whose schedules or override say so is HIBERNATING;
 *   - otherwise it is HEALTHY.
 */

type Pending = Pick<DeploymentsTable, 'pending_status' | 'pending_until'>;

function pendingFor(app: AppContext, status: 'CREATING' | 'DEPLOYING', now: Date): Pending {
  const seconds = app.config.provisionSeconds;
  if (seconds <= 0) return { pending_status: null, pending_until: null };
  return { pending_status: status, pending_until: storedTime(new Date(now.getTime() + seconds * 1000)) };
}

export function pendingAfterCreate(app: AppContext, now: Date): Pending {
  return pendingFor(app, 'CREATING', now);
}

/** An update or a deploy rolls out: DEPLOYING until the simulated roll-out ends. */
export function pendingAfterUpdate(app: AppContext, now: Date): Pending {
  return pendingFor(app, 'DEPLOYING', now);
}

function pendingStatus(row: DeploymentRow, now: Date): 'CREATING' | 'DEPLOYING' | undefined {
  if (!row.pending_status || !row.pending_until) return undefined;
  return row.pending_until > storedTime(now) ? (row.pending_status as 'CREATING' | 'DEPLOYING') : undefined;
}

/**
 * While a Deployment is being created its settings cannot change and nothing can be deployed to
 * it (domain.md §1.1): the 409 of a Deployment that is not ready yet, as a busy cluster answers.
 * `what` names the refused change ("its settings cannot change", "nothing can be deployed").
 */
export function assertCreated(row: DeploymentRow, now: Date, what: string): void {
  if (pendingStatus(row, now) !== 'CREATING') return;
  throw conflict(`The Deployment is CREATING: ${what} until it is ready (status HEALTHY, at ${wireTime(row.pending_until!)}); try again then`);
}

export function storedSchedules(row: DeploymentRow): HibernationSchedule[] | null {
  return row.hibernation_schedules === null ? null : (JSON.parse(row.hibernation_schedules) as HibernationSchedule[]);
}

export function storedOverride(row: DeploymentRow): StoredOverride | null {
  return row.hibernation_override === null ? null : (JSON.parse(row.hibernation_override) as StoredOverride);
}

export interface Lifecycle {
  status: DeploymentStatus;
  statusReason?: string;
  /** For development Deployments only. */
  hibernation?: HibernationState;
}

export function lifecycle(row: DeploymentRow, now: Date): Lifecycle {
  const development = row.is_development_mode !== null && toBool(row.is_development_mode);
  const hibernation = development ? hibernationState(storedSchedules(row), storedOverride(row), now) : undefined;
  const pending = pendingStatus(row, now);
  if (pending === 'CREATING') return { status: 'CREATING', statusReason: 'The Deployment\'s infrastructure is being created', hibernation };
  if (pending === 'DEPLOYING') return { status: 'DEPLOYING', statusReason: 'The Deployment\'s latest change is being rolled out', hibernation };
  if (hibernation?.isHibernating) return { status: 'HIBERNATING', statusReason: hibernation.reason, hibernation };
  return { status: 'HEALTHY', hibernation };
}

/**
 * The DAG tarball a Deployment runs and the one it is moving to: while a DAG deploy rolls out
 * (DEPLOYING) they differ, afterwards both are the deploy's.
 */
export function dagVersions(row: DeploymentRow, now: Date): { current?: string; desired?: string } {
  const desired = row.desired_dag_tarball_version ?? undefined;
  const current = pendingStatus(row, now) === 'DEPLOYING' ? row.dag_tarball_version ?? undefined : desired;
  return { current, desired };
}
