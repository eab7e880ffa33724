import Type from 'typebox';
import { authorize, type Target } from '../../auth/access.js';
import type { Principal } from '../../auth/principal.js';
import { defineOperation, type ErrorStatus } from '../../http/operation.js';
import { FieldCode, invalidField } from '../../core/errors.js';
import { byOperationId, presentAs } from '../../http/projection.js';
import { named, OrganizationIdParam } from '../../core/schemas.js';
import { assertValid } from '../../core/validation.js';
import { platformOperations } from './platform-v1beta1.js';
import { ALERT_TYPES, AlertLabs, CreateAlertRequest, olderPageQuery, updateAlertUnion, type AlertType } from './schema.js';
import * as service from './service.js';
import { ACTIONS, deploymentTarget } from './shared.js';

/**
 * The labs bulk alert calls the provider's `astro_alerts` makes: create and update up to 30
 * alerts and delete up to 20 at once, all or nothing, plus a list by ids. They present the same
 * alerts as /platform/v1beta1: the list is the platform ListAlerts presented in the labs shape;
 * the bulk calls are declared here over the platform operations (see inBulk). Each alert is
 * authorized on its own Deployment (see shared.ts), so a Workspace-scoped caller may change its
 * own Workspace's alerts in bulk and none other.
 */

const AlertsList = named('AlertsList', Type.Object({
  alerts: Type.Array(AlertLabs, { description: 'The alerts, in the order asked for (create, update) or created (list).' }),
}));

const CreateAlertsRequest = named('CreateAlertsRequest', Type.Object({
  alerts: Type.Array(CreateAlertRequest, { description: `The alerts to create, 1 to ${service.BULK_CREATE_MAX}.` }),
}));

const { members: UPDATE_MEMBERS, union: UpdateAlertRequest } = updateAlertUnion(true);
const UpdateAlertsRequest = named('UpdateAlertsRequest', Type.Object({
  alerts: Type.Array(UpdateAlertRequest, { description: `The changes, 1 to ${service.BULK_UPDATE_MAX}, each naming its alert by id.` }),
}));

const DeleteAlertsRequest = named('DeleteAlertsRequest', Type.Object({
  alertIds: Type.Array(Type.String(), { description: `Identifiers of the alerts to delete, 1 to ${service.BULK_DELETE_MAX}; ids of no alert are ignored.` }),
}));

const ListQuery = Type.Object({
  alertIds: Type.Optional(Type.Array(Type.String(), { description: `Only these alerts (at most ${service.LIST_IDS_MAX}).` })),
  deploymentIds: Type.Optional(Type.Array(Type.String(), { description: `Only alerts covering these Deployments (at most ${service.LIST_IDS_MAX}).` })),
  ...olderPageQuery,
});

function checkCount(field: string, list: unknown[], max: number): void {
  if (list.length < 1) throw invalidField(field, FieldCode.min, `${field} must hold at least one entry`);
  if (list.length > max) throw invalidField(field, FieldCode.max, `${field} may hold at most ${max} entries`);
}

/** Checks `action` on every target; what the operation then checks again is the first one. */
function authorizeEach(principal: Principal, organizationId: string, action: string, targets: Target[]): Target {
  for (const t of targets) authorize(principal, action, { organizationId, ...t });
  return targets[0] ?? {};
}

const at = (i: number) => (f: string) => `alerts[${i}].${f}`;

/** An alert of the platform answer as the labs one shows it: the labs Alert names only the six types that can be created. */
function labsAlert<A extends { id: string; type: string }>(a: A): A & { type: AlertType } {
  if (!isAlertType(a.type)) throw new Error(`alert ${a.id} of type ${a.type} cannot be shown on /labs/v1`);
  return a as A & { type: AlertType };
}
const isAlertType = (t: string): t is AlertType => (ALERT_TYPES as readonly string[]).includes(t);

const platform = byOperationId(platformOperations);

/**
 * What a bulk call takes over from the platform operation it does in bulk: its tag, permission
 * and errors. The bulk calls themselves have no counterpart to present: each does 1 to 30 (20)
 * alerts in one transaction, all or none, authorizing every alert on its own Deployment and
 * naming each one's fields by its index, where a presentation maps one request to one call of a
 * v1 handler (which opens a transaction of its own).
 */
const inBulk = (op: { tag: string; permission: string | null; errors: ErrorStatus[] }) => ({ tag: op.tag, permission: op.permission, errors: op.errors });

export const labsOperations = [
  presentAs(platform.ListAlerts, {
    operationId: 'LabsListAlerts',
    description: 'Lists the alerts the caller may read, oldest first, optionally only some ids or Deployments; 20 by default, 1000 at most.',
    query: ListQuery,
    queryIn: (q) => {
      for (const k of ['alertIds', 'deploymentIds'] as const) {
        if ((q[k]?.length ?? 0) > service.LIST_IDS_MAX) throw invalidField(k, FieldCode.max, `${k} may hold at most ${service.LIST_IDS_MAX} entries`);
      }
      return q;
    },
    success: AlertsList,
    out: (page) => ({ alerts: page.alerts.map(labsAlert) }),
  }),
  defineOperation({
    operationId: 'LabsCreateAlerts',
    method: 'POST',
    path: '/organizations/{organizationId}/create-alerts',
    summary: 'Create alerts in bulk',
    description: `Creates 1 to ${service.BULK_CREATE_MAX} alerts at once, all or none (one invalid alert creates nothing), and returns them in the order given.`,
    ...inBulk(platform.CreateAlert),
    params: OrganizationIdParam,
    body: CreateAlertsRequest,
    bodyDescription: 'The alerts to create.',
    success: { status: 200, schema: AlertsList },
    target: async ({ app, principal, params, body }) => {
      checkCount('alerts', body.alerts, service.BULK_CREATE_MAX);
      const targets = await Promise.all(body.alerts.map((a) => deploymentTarget(app, params.organizationId, a.entityId)));
      return authorizeEach(principal, params.organizationId, ACTIONS.create, targets);
    },
    handler: async ({ app, principal, params, body }) => ({
      alerts: await service.createAlerts(app, principal, params.organizationId, body.alerts, at),
    }),
  }),
  defineOperation({
    operationId: 'LabsUpdateAlerts',
    method: 'POST',
    path: '/organizations/{organizationId}/update-alerts',
    summary: 'Update alerts in bulk',
    description: `Changes 1 to ${service.BULK_UPDATE_MAX} alerts at once, all or none (an unknown id is a 404 and nothing changes), and returns them in the order given.`,
    ...inBulk(platform.UpdateAlert),
    params: OrganizationIdParam,
    body: UpdateAlertsRequest,
    bodyDescription: 'The changes, each with the id of its alert.',
    success: { status: 200, schema: AlertsList },
    target: async ({ app, principal, params, body }) => {
      checkCount('alerts', body.alerts, service.BULK_UPDATE_MAX);
      const seen = new Set<string>();
      body.alerts.forEach((a, i) => {
        if (a.id === undefined || a.id === '') throw invalidField(`alerts[${i}].id`, FieldCode.required, `alerts[${i}].id is required`);
        if (seen.has(a.id)) throw invalidField(`alerts[${i}].id`, FieldCode.unique, `alerts[${i}].id repeats an alert of this request`);
        seen.add(a.id);
      });
      const targets = await Promise.all(body.alerts.map((a) => service.alertTarget(app, params.organizationId, a.id!)));
      return authorizeEach(principal, params.organizationId, ACTIONS.update, targets);
    },
    handler: async ({ app, principal, params, body }) => ({
      alerts: await service.updateAlerts(app, principal, params.organizationId, body.alerts.map((a, i) => ({
        id: a.id!,
        body: a,
        checkShape: (t) => assertValid(UPDATE_MEMBERS[t], a, `alerts[${i}]`),
        at: at(i),
      }))),
    }),
  }),
  defineOperation({
    operationId: 'LabsDeleteAlerts',
    method: 'POST',
    path: '/organizations/{organizationId}/delete-alerts',
    summary: 'Delete alerts in bulk',
    description: `Deletes 1 to ${service.BULK_DELETE_MAX} alerts by id at once, all or none; ids of no alert (already deleted, say) are ignored.`,
    ...inBulk(platform.DeleteAlert),
    params: OrganizationIdParam,
    body: DeleteAlertsRequest,
    bodyDescription: 'The alerts to delete.',
    success: { status: 204 },
    target: async ({ app, principal, params, body }) => {
      checkCount('alertIds', body.alertIds, service.BULK_DELETE_MAX);
      const targets = await service.alertTargets(app, params.organizationId, body.alertIds);
      return authorizeEach(principal, params.organizationId, ACTIONS.delete, targets);
    },
    handler: ({ app, params, body }) => service.deleteAlerts(app, params.organizationId, body.alertIds),
  }),
];
