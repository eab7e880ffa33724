import type { AppContext } from '../../context.js';
import { actor, type Target } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import { FieldCode, found, invalidField } from '../../core/errors.js';
import { requireEmail } from '../../core/rules.js';
import { createdColumns, updatedColumns } from '../../store/audit.js';
import { fromBool, toBool } from '../../store/codecs.js';
import { secretBox } from '../../store/crypto.js';
import { inTransaction } from '../../store/transactions.js';
import type { Queryable, Tx } from '../../store/types.js';
import { newId } from '../../store/ids.js';
import { envelope } from '../../store/pagination.js';
import { findDeployment, lockDeployment, lockDeployments } from '../deployments/repo.js';
import { findWorkspace } from '../workspaces/repo.js';
import * as repo from './repo.js';
import type { ChannelFilter, CreateChannelInput, NotificationChannelView, UpdateChannelInput } from './channel-schema.js';
import type { ChannelType } from './schema.js';
import { ACTIONS, checkName, checkPage, checkText, deploymentTarget, lockedDeployment, visibility, type AlertDeployment } from './shared.js';
import { channelViews } from './view.js';

/**
 * Rules for notification channels (permissions in shared.ts). A channel belongs to an
 * Organization, a Workspace or a Deployment; its secrets are sealed at rest and never shown.
 * Which channels an alert may notify is decided here (usableChannels). Deleting a channel
 * detaches it from the alerts that used it; deleting a Deployment takes the DAG_TRIGGER channels
 * that trigger its DAGs (forgetDeployment).
 */

const SECRET_MAX = 5000;

// ------------------------------------------------------------------ targets

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

// ------------------------------------------------------------------ the channels an alert may notify

function usableBy(c: repo.ChannelRow, d: AlertDeployment): boolean {
  if (c.entity_type === 'DEPLOYMENT') return c.deployment_id === d.id;
  if (c.entity_type === 'WORKSPACE') return c.workspace_id === d.workspace_id && toBool(c.is_shared);
  return toBool(c.is_shared);
}


/** `ids` (each once) if every one names a channel an alert of Deployment `d` may notify; `field` names the list. */
export async function usableChannels(tx: Queryable, organizationId: string, ids: string[], d: AlertDeployment, field: string): Promise<string[]> {
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
      // (forgetDeployment), comes wholly before or after this check and write.
      await lockDeployment(tx, organizationId, deploymentId);
      if (!(await findDeployment(tx, organizationId, deploymentId))) throw invalidField('definition.deploymentId', FieldCode.exists, 'definition.deploymentId names no Deployment of the Organization');
      return { shown: { dagId, deploymentId }, secret: { deploymentApiToken: token } };
    }
  }
}

interface ChannelEntity { workspace_id: string | null; deployment_id: string | null }

async function channelEntity(tx: Tx, organizationId: string, entityType: string, entityId: string): Promise<ChannelEntity> {
  if (entityType === 'DEPLOYMENT') {
    const d = await lockedDeployment(tx, organizationId, entityId, 'entityId');
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
 * In the transaction deleting a Deployment (which holds its lock): the DAG_TRIGGER channels
 * whose definition triggers a DAG of it go too, since there is nothing left for them to
 * trigger and the Deployment API token they carry is deleted with the Deployment. The alerts
 * that notified them stop doing so and show as changed by `by`, as when a channel is deleted.
 * (Channels that belong to the Deployment itself, and its alerts, go by ON DELETE CASCADE.)
 */
export async function forgetDeployment(tx: Tx, by: { id: string; type: string }, now: Date, organizationId: string, deploymentId: string): Promise<void> {
  const changed = updatedColumns(by, now);
  for (const c of await repo.dagTriggerChannelsOf(tx, organizationId, deploymentId)) {
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
