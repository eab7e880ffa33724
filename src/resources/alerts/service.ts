import type { AppContext } from '../../context.js';
import { actor, type Target } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import { FieldCode, found, invalidField } from '../../core/errors.js';
import { createdColumns, updatedColumns } from '../../store/audit.js';
import { inTransaction } from '../../store/transactions.js';
import type { Queryable, Tx } from '../../store/types.js';
import { newId } from '../../store/ids.js';
import { envelope } from '../../store/pagination.js';
import { forgetDeployment, usableChannels } from './channels.js';
import * as repo from './repo.js';
import { TYPE_PROPERTIES, DAYS_OF_WEEK, type AlertFilter, type AlertType, type AlertView, type CreateAlertInput, type PatternMatchInput, type UpdateAlertInput } from './schema.js';
import { ACTIONS, checkName, checkPage, checkText, lockedDeployment, plain, visibility, type At } from './shared.js';
import { alertViews } from './view.js';

/**
 * Rules for alerts (the notification channels' are in channels.ts; permissions in shared.ts).
 * An alert covers one Deployment and notifies channels it may use (its own Deployment's, and
 * shared ones of its Workspace or Organization). The labs bulk calls create, change and delete
 * several at once, all or none.
 */

const SECONDS_MIN = 60;
const SECONDS_MAX = 604800;
/** Bulk limits of the labs calls (the provider chunks by them). */
export const BULK_CREATE_MAX = 30;
export const BULK_UPDATE_MAX = 30;
export const BULK_DELETE_MAX = 20;
export const LIST_IDS_MAX = 1000;

// ------------------------------------------------------------------ targets

export async function alertTarget(app: AppContext, organizationId: string, alertId: string): Promise<Target> {
  const a = await repo.findAlert(app.db, organizationId, alertId);
  return a ? { workspaceId: a.workspace_id, deploymentId: a.deployment_id } : {};
}

/** The Targets of the alerts among `ids` that exist, for per-alert permission checks. */
export async function alertTargets(app: AppContext, organizationId: string, ids: string[]): Promise<Target[]> {
  const rows = await repo.findAlerts(app.db, organizationId, [...new Set(ids)]);
  return rows.map((a) => ({ workspaceId: a.workspace_id, deploymentId: a.deployment_id }));
}

// ------------------------------------------------------------------ alerts

export async function listAlerts(app: AppContext, p: Principal, organizationId: string, f: AlertFilter, q: { offset?: number; limit?: number; sorts?: string[] }) {
  const pageReq = checkPage(q);
  const page = await repo.listAlerts(app.db, organizationId, f, visibility(p, ACTIONS.get), pageReq);
  return { ...envelope('alerts', page, await alertViews(app.db, page.items)), limit: pageReq.limit };
}

export async function getAlert(app: AppContext, organizationId: string, id: string): Promise<AlertView> {
  const row = found(await repo.findAlert(app.db, organizationId, id), 'Alert');
  return (await alertViews(app.db, [row]))[0]!;
}

function checkSeconds(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) throw invalidField(field, FieldCode.required, `${field} is required`);
  if (value < SECONDS_MIN || value > SECONDS_MAX) throw invalidField(field, value < SECONDS_MIN ? FieldCode.min : FieldCode.max, `${field} must be between ${SECONDS_MIN} and ${SECONDS_MAX} seconds`);
  return value;
}

const DEADLINE = /^([01]\d|2[0-3]):[0-5]\d$/;

/** The properties of `type` (all required), in the order sent, deploymentId first. */
function checkProperties(type: AlertType, props: Record<string, unknown>, at: At): Record<string, unknown> {
  const out: Record<string, unknown> = { deploymentId: props.deploymentId };
  const base = 'rules.properties';
  for (const k of TYPE_PROPERTIES[type]) {
    const field = at(`${base}.${k}`);
    const v = props[k];
    switch (k) {
      case 'dagDurationSeconds':
      case 'taskDurationSeconds':
      case 'lookBackPeriodSeconds':
        out[k] = checkSeconds(v, field);
        break;
      case 'dagDeadline':
        if (typeof v !== 'string') throw invalidField(field, FieldCode.required, `${field} is required`);
        if (!DEADLINE.test(v)) throw invalidField(field, FieldCode.format, `${field} must be a time of day as HH:MM (24-hour, UTC)`);
        out[k] = v;
        break;
      case 'daysOfWeek': {
        if (!Array.isArray(v) || v.length === 0) throw invalidField(field, FieldCode.required, `${field} must name at least one day`);
        const seen = new Set<string>();
        v.forEach((d: unknown, i) => {
          if (typeof d !== 'string' || !(DAYS_OF_WEEK as readonly string[]).includes(d)) throw invalidField(`${field}[${i}]`, FieldCode.oneOf, `${field}[${i}] must be one of [${DAYS_OF_WEEK.join(' ')}]`);
          if (seen.has(d)) throw invalidField(`${field}[${i}]`, FieldCode.unique, `${field}[${i}] repeats ${d}`);
          seen.add(d);
        });
        out[k] = v;
        break;
      }
    }
  }
  return out;
}

function checkPatternMatches(type: AlertType, matches: PatternMatchInput[], at: At): PatternMatchInput[] {
  const taskAlert = type === 'TASK_DURATION' || type === 'TASK_FAILURE';
  matches.forEach((m, i) => {
    const field = at(`rules.patternMatches[${i}]`);
    if (m.entityType === 'TASK_ID' && !taskAlert) throw invalidField(`${field}.entityType`, FieldCode.oneOf, `${field}.entityType may be TASK_ID only on TASK_DURATION and TASK_FAILURE alerts`);
    if (m.values.length === 0) throw invalidField(`${field}.values`, FieldCode.min, `${field}.values must hold at least one value`);
    m.values.forEach((v, j) => checkText(v, `${field}.values[${j}]`));
  });
  return matches.map((m) => ({ entityType: m.entityType, operatorType: m.operatorType, values: m.values }));
}

async function insertAlert(tx: Tx, p: Principal, now: Date, organizationId: string, input: CreateAlertInput, at: At): Promise<string> {
  const name = checkName(input.name, at('name'));
  const d = await lockedDeployment(tx, organizationId, input.entityId, at('entityId'));
  if (input.rules.properties.deploymentId !== input.entityId) {
    throw invalidField(at('rules.properties.deploymentId'), FieldCode.eqField, `${at('rules.properties.deploymentId')} must be the alert's entityId`);
  }
  const properties = checkProperties(input.type, input.rules.properties, at);
  const patternMatches = checkPatternMatches(input.type, input.rules.patternMatches, at);
  const channels = await usableChannels(tx, organizationId, input.notificationChannelIds, d, at('notificationChannelIds'));
  const id = newId();
  await repo.insertAlert(tx, {
    id,
    organization_id: organizationId,
    entity_type: 'DEPLOYMENT',
    workspace_id: d.workspace_id,
    deployment_id: d.id,
    type: input.type,
    name,
    severity: input.severity,
    rules: JSON.stringify({ patternMatches, properties }),
    ...createdColumns(actor(p), now),
  }, channels);
  return id;
}

/** Creates alerts, all or none, and returns them in the order given. `at(i)` names item i's fields. */
export async function createAlerts(app: AppContext, p: Principal, organizationId: string, inputs: CreateAlertInput[], at: (i: number) => At): Promise<AlertView[]> {
  return inTransaction(app.db, async (tx) => {
    const now = app.clock.now();
    const ids: string[] = [];
    for (const [i, input] of inputs.entries()) ids.push(await insertAlert(tx, p, now, organizationId, input, at(i)));
    return ordered(tx, organizationId, ids);
  });
}

export async function createAlert(app: AppContext, p: Principal, organizationId: string, input: CreateAlertInput): Promise<AlertView> {
  return (await createAlerts(app, p, organizationId, [input], () => plain))[0]!;
}

async function ordered(tx: Queryable, organizationId: string, ids: string[]): Promise<AlertView[]> {
  const views = new Map((await alertViews(tx, await repo.findAlerts(tx, organizationId, ids))).map((v) => [v.id, v]));
  return ids.map((id) => found(views.get(id), 'Alert'));
}

export interface AlertChange {
  id: string;
  body: UpdateAlertInput;
  /** Checks a body that left `type` out against the stored type's update shape. */
  checkShape?: (storedType: AlertType) => void;
  at: At;
}

async function applyUpdate(tx: Tx, p: Principal, now: Date, organizationId: string, change: AlertChange): Promise<void> {
  const { body, at } = change;
  const row = found(await repo.findAlert(tx, organizationId, change.id), `Alert ${change.id.slice(0, 64)}`);
  if (body.type === undefined) change.checkShape?.(row.type as AlertType);
  const type = body.type ?? (row.type as AlertType);
  const stored = JSON.parse(row.rules) as { patternMatches?: PatternMatchInput[]; properties: Record<string, unknown> };
  const sent = body.rules?.properties ?? {};
  const keep = type === row.type ? stored.properties : Object.fromEntries(Object.entries(stored.properties).filter(([k]) => TYPE_PROPERTIES[type].includes(k)));
  const merged: Record<string, unknown> = { ...keep };
  for (const k of TYPE_PROPERTIES[type]) if (sent[k] !== undefined) merged[k] = sent[k];
  merged.deploymentId = row.deployment_id;
  const properties = checkProperties(type, merged, at);
  const patternMatches = checkPatternMatches(type, body.rules?.patternMatches ?? stored.patternMatches ?? [], at);
  const name = body.name !== undefined ? checkName(body.name, at('name')) : row.name;
  if (body.notificationChannelIds !== undefined) {
    const d = { id: row.deployment_id, workspace_id: row.workspace_id };
    await repo.setAlertChannels(tx, row.id, await usableChannels(tx, organizationId, body.notificationChannelIds, d, at('notificationChannelIds')));
  }
  const rules = { ...(body.rules?.patternMatches !== undefined || stored.patternMatches !== undefined ? { patternMatches } : {}), properties };
  await repo.updateAlert(tx, row.id, {
    type,
    name,
    severity: body.severity ?? row.severity,
    rules: JSON.stringify(rules),
    ...updatedColumns(actor(p), now),
  });
}

/** Changes alerts, all or none (an unknown id is a 404 and nothing changes); returns them in the order given. */
export async function updateAlerts(app: AppContext, p: Principal, organizationId: string, changes: AlertChange[]): Promise<AlertView[]> {
  return inTransaction(app.db, async (tx) => {
    const now = app.clock.now();
    for (const c of changes) await applyUpdate(tx, p, now, organizationId, c);
    return ordered(tx, organizationId, changes.map((c) => c.id));
  });
}

export async function deleteAlert(app: AppContext, organizationId: string, id: string): Promise<void> {
  await inTransaction(app.db, async (tx) => {
    found(await repo.findAlert(tx, organizationId, id), 'Alert');
    await repo.deleteAlerts(tx, organizationId, [id]);
  });
}

/** Deletes alerts by id at once; ids of no alert (already deleted, say) are ignored. */
export async function deleteAlerts(app: AppContext, organizationId: string, ids: string[]): Promise<void> {
  await inTransaction(app.db, async (tx) => {
    await repo.deleteAlerts(tx, organizationId, [...new Set(ids)]);
  });
}

// ------------------------------------------------------------------ what goes with a Deployment

/**
 * In the transaction deleting a Deployment (src/resources/cascades.ts, which holds its lock): what
 * of this family goes with it. Its alerts and its own notification channels go by ON DELETE CASCADE; the DAG_TRIGGER
 * channels elsewhere that trigger one of its DAGs are deleted here (channels.ts).
 */
export async function deleteOn(tx: Tx, deployment: { organizationId: string; deploymentId: string }, by: { id: string; type: string }, now: Date): Promise<void> {
  await forgetDeployment(tx, by, now, deployment.organizationId, deployment.deploymentId);
}

