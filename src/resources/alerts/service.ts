import type { AppContext } from '../../context.js';
import { actor, visibleScope, type Target } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import { FieldCode, found, invalidField } from '../../core/errors.js';
import { requireEmail } from '../../core/rules.js';
import { createdColumns, updatedColumns } from '../../store/audit.js';
import { fromBool, toBool } from '../../store/codecs.js';
import { secretBox } from '../../store/crypto.js';
import { inTransaction } from '../../store/transactions.js';
import type { Queryable, Tx } from '../../store/types.js';
import { newId } from '../../store/ids.js';
import { envelope, type PageRequest } from '../../store/pagination.js';
import { findDeployment, lockDeployment, lockDeployments } from '../deployments/repo.js';
import { findWorkspace } from '../workspaces/repo.js';
import * as repo from './repo.js';
import {
  TYPE_PROPERTIES, DAYS_OF_WEEK,
  type AlertFilter, type AlertType, type AlertView, type ChannelFilter, type ChannelType, type CreateAlertInput,
  type CreateChannelInput, type NotificationChannelView, type PatternMatchInput, type UpdateAlertInput, type UpdateChannelInput,
} from './schema.js';
import { alertViews, channelViews } from './view.js';

/**
 * Rules for alerts and notification channels.
 *
 * Permissions. The reference records none for these operations. Alerts always cover one
 * Deployment, so they use the Deployment custom-role actions `deployment.alerts.{get,create,
 * update,delete}`, checked on the alert's Deployment (a Workspace role of its Workspace or a
 * Deployment role on it applies). Notification channels use the same four actions, checked on
 * what the channel belongs to: a Deployment's channel like an alert, a Workspace's channel on the
 * Workspace only (a Deployment role is not enough, as Deployment Admins cannot manage
 * Workspace-level alerting), an Organization's channel on the Organization only. Lists need only
 * membership of the Organization and show what the caller may read.
 *
 * Channels an alert may notify: its own Deployment's channels, and channels of its Workspace or
 * of the Organization that are shared (`isShared`). A channel that alerts of other entities use
 * cannot stop being shared. Deleting a channel detaches it from the alerts that used it (their
 * channel lists shrink; the reference declares no conflict answer); deleting a Deployment or a
 * Workspace deletes their alerts and channels (foreign-key cascades, migration 013).
 */

export const ACTIONS = {
  get: 'deployment.alerts.get',
  create: 'deployment.alerts.create',
  update: 'deployment.alerts.update',
  delete: 'deployment.alerts.delete',
} as const;

const NAME_MAX = 500;
const TEXT_MAX = 500;
const SECRET_MAX = 5000;
const SECONDS_MIN = 60;
const SECONDS_MAX = 604800;
const PAGE_MAX = 1000;
/** Bulk limits of the labs calls (the provider chunks by them). */
export const BULK_CREATE_MAX = 30;
export const BULK_UPDATE_MAX = 30;
export const BULK_DELETE_MAX = 20;
export const LIST_IDS_MAX = 1000;

type At = (field: string) => string;
const plain: At = (f) => f;

// ------------------------------------------------------------------ shared checks

function checkName(value: string, field: string): string {
  if (value.trim() === '') throw invalidField(field, FieldCode.required, `${field} is required`);
  if (value.length > NAME_MAX) throw invalidField(field, FieldCode.max, `${field} must be at most ${NAME_MAX} characters long`);
  return value;
}

function checkText(value: unknown, field: string, max = TEXT_MAX): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalidField(field, FieldCode.required, `${field} is required`);
  if (value.length > max) throw invalidField(field, FieldCode.max, `${field} must be at most ${max} characters long`);
  return value;
}

/** Offset and limit as the older documents leave them (plain integers): 400 outside 0.. and 0..1000. */
export function checkPage(q: { offset?: number; limit?: number; sorts?: string[] }): PageRequest & { limit: number } {
  const offset = q.offset ?? 0;
  const limit = q.limit ?? 20;
  if (offset < 0) throw invalidField('offset', FieldCode.min, 'offset must be greater than or equal to 0');
  if (limit < 0 || limit > PAGE_MAX) throw invalidField('limit', limit < 0 ? FieldCode.min : FieldCode.max, `limit must be between 0 and ${PAGE_MAX}`);
  return { offset, limit, sorts: q.sorts };
}

/** What a caller may read: everything (an Organization role granting `action`), or some Workspaces and Deployments. */
export function visibility(p: Principal, action: string): repo.Visibility {
  const v = visibleScope(p, action);
  return v.all ? 'all' : { workspaceIds: v.workspaceIds, deploymentIds: v.deploymentIds };
}

// ------------------------------------------------------------------ targets

/** The Deployment an alert would cover; nothing when it is not a Deployment of the Organization. */
export async function deploymentTarget(app: AppContext, organizationId: string, deploymentId: string): Promise<Target> {
  const d = await findDeployment(app.db, organizationId, deploymentId);
  return d ? { workspaceId: d.workspace_id, deploymentId: d.id } : {};
}

export async function alertTarget(app: AppContext, organizationId: string, alertId: string): Promise<Target> {
  const a = await repo.findAlert(app.db, organizationId, alertId);
  return a ? { workspaceId: a.workspace_id, deploymentId: a.deployment_id } : {};
}

/** What a new channel would belong to. An Organization's channel (or an unknown entity) is checked on the Organization. */
export async function channelEntityTarget(app: AppContext, organizationId: string, entityType: string, entityId: string): Promise<Target> {
  if (entityType === 'DEPLOYMENT') return deploymentTarget(app, organizationId, entityId);
  if (entityType === 'WORKSPACE') {
    const w = await findWorkspace(app.db, organizationId, entityId);
    return w ? { workspaceId: w.id } : {};
  }
  return {};
}

export async function channelTarget(app: AppContext, organizationId: string, channelId: string): Promise<Target> {
  const c = await repo.findChannel(app.db, organizationId, channelId);
  if (!c) return {};
  return { workspaceId: c.workspace_id ?? undefined, deploymentId: c.deployment_id ?? undefined };
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

interface AlertDeployment { id: string; workspace_id: string }

function usableBy(c: repo.ChannelRow, d: AlertDeployment): boolean {
  if (c.entity_type === 'DEPLOYMENT') return c.deployment_id === d.id;
  if (c.entity_type === 'WORKSPACE') return c.workspace_id === d.workspace_id && toBool(c.is_shared);
  return toBool(c.is_shared);
}

async function checkChannels(tx: Queryable, organizationId: string, ids: string[], d: AlertDeployment, field: string): Promise<string[]> {
  const seen = new Set<string>();
  ids.forEach((id, i) => {
    if (seen.has(id)) throw invalidField(`${field}[${i}]`, FieldCode.unique, `${field}[${i}] repeats ${id.slice(0, 64)}`);
    seen.add(id);
  });
  const rows = new Map((await repo.findChannels(tx, organizationId, ids)).map((c) => [c.id, c]));
  ids.forEach((id, i) => {
    const c = rows.get(id);
    if (!c) throw invalidField(`${field}[${i}]`, FieldCode.exists, `${field}[${i}] names no notification channel of the Organization`);
    if (!usableBy(c, d)) {
      throw invalidField(`${field}[${i}]`, FieldCode.scope, `${field}[${i}] is not usable by alerts of Deployment ${d.id}: only its own channels and shared channels of its Workspace or Organization are`);
    }
  });
  return ids;
}

async function alertDeployment(tx: Tx, organizationId: string, deploymentId: string, field: string): Promise<AlertDeployment> {
  await lockDeployment(tx, organizationId, deploymentId);
  const d = await findDeployment(tx, organizationId, deploymentId);
  if (!d) throw invalidField(field, FieldCode.exists, `${field} names no Deployment of the Organization`);
  return d;
}

async function insertAlert(tx: Tx, p: Principal, now: Date, organizationId: string, input: CreateAlertInput, at: At): Promise<string> {
  const name = checkName(input.name, at('name'));
  const d = await alertDeployment(tx, organizationId, input.entityId, at('entityId'));
  if (input.rules.properties.deploymentId !== input.entityId) {
    throw invalidField(at('rules.properties.deploymentId'), FieldCode.eqField, `${at('rules.properties.deploymentId')} must be the alert's entityId`);
  }
  const properties = checkProperties(input.type, input.rules.properties, at);
  const patternMatches = checkPatternMatches(input.type, input.rules.patternMatches, at);
  const channels = await checkChannels(tx, organizationId, input.notificationChannelIds, d, at('notificationChannelIds'));
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
    await repo.setAlertChannels(tx, row.id, await checkChannels(tx, organizationId, body.notificationChannelIds, d, at('notificationChannelIds')));
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

/** The Targets of the alerts among `ids` that exist, for per-alert permission checks. */
export async function alertTargets(app: AppContext, organizationId: string, ids: string[]): Promise<Target[]> {
  const rows = await repo.findAlerts(app.db, organizationId, [...new Set(ids)]);
  return rows.map((a) => ({ workspaceId: a.workspace_id, deploymentId: a.deployment_id }));
}

// ------------------------------------------------------------------ notification channels

export async function listChannels(app: AppContext, p: Principal, organizationId: string, f: ChannelFilter, q: { offset?: number; limit?: number; sorts?: string[] }) {
  const pageReq = checkPage(q);
  const page = await repo.listChannels(app.db, organizationId, f, visibility(p, ACTIONS.get), pageReq);
  return { ...envelope('notificationChannels', page, await channelViews(app.db, page.items)), limit: pageReq.limit };
}

export async function getChannel(app: AppContext, organizationId: string, id: string): Promise<NotificationChannelView> {
  const row = found(await repo.findChannel(app.db, organizationId, id), 'Notification channel');
  return (await channelViews(app.db, [row]))[0]!;
}

interface CheckedDefinition { shown: Record<string, unknown>; secret?: Record<string, string> }

/** A definition of `type`, split into what the API shows and the secret it never shows. */
async function checkDefinition(tx: Queryable, organizationId: string, type: ChannelType, def: Record<string, unknown>): Promise<CheckedDefinition> {
  switch (type) {
    case 'EMAIL': {
      const recipients = def.recipients as string[];
      if (recipients.length === 0) throw invalidField('definition.recipients', FieldCode.min, 'definition.recipients must hold at least one address');
      const seen = new Set<string>();
      recipients.forEach((r, i) => {
        const field = `definition.recipients[${i}]`;
        requireEmail(field, r);
        if (seen.has(r.toLowerCase())) throw invalidField(field, FieldCode.unique, `${field} repeats ${r}`);
        seen.add(r.toLowerCase());
      });
      return { shown: { recipients } };
    }
    case 'SLACK': {
      const url = checkText(def.webhookUrl, 'definition.webhookUrl', 2000);
      let parsed: URL | undefined;
      try { parsed = new URL(url); } catch { parsed = undefined; }
      if (!parsed || parsed.protocol !== 'https:') throw invalidField('definition.webhookUrl', FieldCode.url, 'definition.webhookUrl must be an https URL');
      return { shown: {}, secret: { webhookUrl: url } };
    }
    case 'PAGERDUTY':
      return { shown: {}, secret: { integrationKey: checkText(def.integrationKey, 'definition.integrationKey') } };
    case 'OPSGENIE':
      return { shown: {}, secret: { apiKey: checkText(def.apiKey, 'definition.apiKey') } };
    case 'DAG_TRIGGER': {
      const dagId = checkText(def.dagId, 'definition.dagId', 250);
      const deploymentId = checkText(def.deploymentId, 'definition.deploymentId');
      const token = checkText(def.deploymentApiToken, 'definition.deploymentApiToken', SECRET_MAX);
      // Under the Deployment's lock: its deletion, which takes the channel with it
      // (deleteOn), comes wholly before or after this check and write.
      await lockDeployment(tx, organizationId, deploymentId);
      if (!(await findDeployment(tx, organizationId, deploymentId))) throw invalidField('definition.deploymentId', FieldCode.exists, 'definition.deploymentId names no Deployment of the Organization');
      return { shown: { dagId, deploymentId }, secret: { deploymentApiToken: token } };
    }
  }
}

interface ChannelEntity { workspace_id: string | null; deployment_id: string | null }

async function channelEntity(tx: Tx, organizationId: string, entityType: string, entityId: string): Promise<ChannelEntity> {
  if (entityType === 'DEPLOYMENT') {
    const d = await alertDeployment(tx, organizationId, entityId, 'entityId');
    return { workspace_id: d.workspace_id, deployment_id: d.id };
  }
  if (entityType === 'WORKSPACE') {
    const w = await findWorkspace(tx, organizationId, entityId);
    if (!w) throw invalidField('entityId', FieldCode.exists, 'entityId names no Workspace of the Organization');
    return { workspace_id: w.id, deployment_id: null };
  }
  if (entityId !== organizationId) throw invalidField('entityId', FieldCode.exists, 'entityId must be the Organization\'s id for an ORGANIZATION channel');
  return { workspace_id: null, deployment_id: null };
}

export async function createChannel(app: AppContext, p: Principal, organizationId: string, input: CreateChannelInput): Promise<NotificationChannelView> {
  const name = checkName(input.name, 'name');
  return inTransaction(app.db, async (tx) => {
    // The channel's Deployment and the one a DAG_TRIGGER definition names, locked in id order
    // first (each check below locks its own again, which changes nothing).
    await lockDeployments(tx, organizationId, [
      input.entityType === 'DEPLOYMENT' ? input.entityId : undefined,
      input.type === 'DAG_TRIGGER' ? input.definition.deploymentId : undefined,
    ]);
    const entity = await channelEntity(tx, organizationId, input.entityType, input.entityId);
    const def = await checkDefinition(tx, organizationId, input.type, input.definition);
    const id = newId();
    await repo.insertChannel(tx, {
      id,
      organization_id: organizationId,
      entity_type: input.entityType,
      entity_id: input.entityId,
      ...entity,
      type: input.type,
      name,
      is_shared: fromBool(input.isShared ?? false),
      definition: JSON.stringify(def.shown),
      secret: def.secret ? secretBox(tx).seal(JSON.stringify(def.secret)) : null,
      ...createdColumns(actor(p), app.clock.now()),
    });
    return (await channelViews(tx, [found(await repo.findChannel(tx, organizationId, id), 'Notification channel')]))[0]!;
  });
}

export async function updateChannel(app: AppContext, p: Principal, organizationId: string, id: string, input: UpdateChannelInput): Promise<NotificationChannelView> {
  return inTransaction(app.db, async (tx) => {
    const row = found(await repo.findChannel(tx, organizationId, id), 'Notification channel');
    const type = input.type ?? (row.type as ChannelType);
    if (type !== row.type && input.definition === undefined) throw invalidField('definition', FieldCode.required, 'definition is required to change a channel\'s type');
    const def = input.definition !== undefined ? await checkDefinition(tx, organizationId, type, input.definition) : undefined;
    const name = input.name !== undefined ? checkName(input.name, 'name') : row.name;
    if (input.isShared === false && toBool(row.is_shared) && row.entity_type !== 'DEPLOYMENT') {
      const users = (await repo.alertsUsingChannel(tx, id)).length;
      if (users > 0) throw invalidField('isShared', FieldCode.inUse, `isShared cannot turn false while ${users} alert(s) below the channel's ${row.entity_type.toLowerCase()} use it`);
    }
    await repo.updateChannel(tx, id, {
      type,
      name,
      ...(input.isShared !== undefined ? { is_shared: fromBool(input.isShared) } : {}),
      ...(def ? { definition: JSON.stringify(def.shown), secret: def.secret ? secretBox(tx).seal(JSON.stringify(def.secret)) : null } : {}),
      ...updatedColumns(actor(p), app.clock.now()),
    });
    return (await channelViews(tx, [found(await repo.findChannel(tx, organizationId, id), 'Notification channel')]))[0]!;
  });
}

/** Deletes a channel; the alerts that notified it stop doing so (and show as changed by the caller). */
export async function deleteChannel(app: AppContext, p: Principal, organizationId: string, id: string): Promise<void> {
  await inTransaction(app.db, async (tx) => {
    found(await repo.findChannel(tx, organizationId, id), 'Notification channel');
    const changed = updatedColumns(actor(p), app.clock.now());
    for (const a of await repo.alertsUsingChannel(tx, id)) await repo.updateAlert(tx, a.alert_id, changed);
    await repo.deleteChannel(tx, organizationId, id);
  });
}

/**
 * What the alerts family removes with a Deployment that is being deleted, in the delete's
 * transaction (src/resources/cascades.ts, which holds its lock): the DAG_TRIGGER channels
 * whose definition triggers a DAG of it go too, since there is nothing left for them to
 * trigger and the Deployment API token they carry is deleted with the Deployment. The alerts
 * that notified them stop doing so and show as changed by `by`, as when a channel is deleted.
 * (Channels that belong to the Deployment itself, and its alerts, go by ON DELETE CASCADE.)
 */
export async function deleteOn(tx: Tx, by: { id: string; type: string }, now: Date, organizationId: string, on: { deploymentId: string }): Promise<void> {
  const changed = updatedColumns(by, now);
  for (const c of await repo.dagTriggerChannelsOf(tx, organizationId, on.deploymentId)) {
    const users = await repo.alertsUsingChannel(tx, c.id);
    // Only if its definition is still the one read: a concurrent update may have pointed it elsewhere.
    if (!(await repo.deleteChannelIfUnchanged(tx, organizationId, c.id, c.definition))) continue;
    for (const a of users) await repo.updateAlert(tx, a.alert_id, changed);
  }
}

/** A channel's secret fields, for delivery. Not reachable through the API. */
export async function channelSecret(app: AppContext, organizationId: string, id: string): Promise<Record<string, string> | undefined> {
  const row = found(await repo.findChannel(app.db, organizationId, id), 'Notification channel');
  // The secret parts of a definition are sealed with the store's secret box (store/crypto.ts).
  return row.secret ? (JSON.parse(secretBox(app.db).open(row.secret)) as Record<string, string>) : undefined;
}
