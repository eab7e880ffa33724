import Type, { type Static } from 'typebox';
import { defineOperation, ITEM_ERRORS, type OpInput } from '../../http/operation.js';
import { named, OrganizationIdParam } from '../../core/schemas.js';
import { assertValid } from '../../core/validation.js';
import {
  CreateNotificationChannelRequest, ListNotificationChannelsQuery, NotificationChannel, NotificationChannelsPaginated, UpdateNotificationChannelRequest,
} from './channel-schema.js';
import * as channels from './channels.js';
import { AlertPlatform, CreateAlertRequest, ListAlertsQuery, updateAlertUnion } from './schema.js';
import * as service from './service.js';
import { ACTIONS, deploymentTarget } from './shared.js';

/**
 * Alerts and notification channels on /platform/v1beta1, one at a time (the provider's
 * `astro_alert`, `astro_notification_channel` and their data sources). Permissions: see service.ts.
 */

const AlertsPaginated = named('AlertsPaginated', Type.Object({
  alerts: Type.Array(AlertPlatform, { description: 'The page of alerts.' }),
  limit: Type.Integer({ description: 'The limit the page was cut with.' }),
  offset: Type.Integer({ description: 'How many alerts were skipped.' }),
  totalCount: Type.Integer({ description: 'How many alerts match, across all pages.' }),
}));

const { members: UPDATE_MEMBERS, union: UpdateAlertRequest } = updateAlertUnion(false);

const AlertParams = Type.Object({
  organizationId: Type.String({ description: 'Identifier of the Organization.' }),
  alertId: Type.String({ description: 'Identifier of the alert.' }),
});
const ChannelParams = Type.Object({
  organizationId: Type.String({ description: 'Identifier of the Organization.' }),
  notificationChannelId: Type.String({ description: 'Identifier of the notification channel.' }),
});

const alertByPath = ({ app, params }: OpInput<Static<typeof AlertParams>, unknown, unknown>) => service.alertTarget(app, params.organizationId, params.alertId);
const channelByPath = ({ app, params }: OpInput<Static<typeof ChannelParams>, unknown, unknown>) => channels.channelTarget(app, params.organizationId, params.notificationChannelId);

const ALERTS = 'Alerts';
const CHANNELS = 'NotificationChannels';

export const platformOperations = [
  defineOperation({
    operationId: 'ListAlerts',
    method: 'GET',
    path: '/organizations/{organizationId}/alerts',
    summary: 'List alerts',
    description: 'Lists the alerts of the Organization the caller may read (deployment.alerts.get on their Deployment), filtered and sorted; 20 a page by default, 1000 at most.',
    tag: ALERTS,
    permission: null,
    params: OrganizationIdParam,
    query: ListAlertsQuery,
    success: { status: 200, schema: AlertsPaginated },
    errors: ITEM_ERRORS,
    handler: ({ app, principal, params, query }) => {
      const { offset, limit, sorts, ...filter } = query;
      return service.listAlerts(app, principal, params.organizationId, filter, { offset, limit, sorts });
    },
  }),
  defineOperation({
    operationId: 'CreateAlert',
    method: 'POST',
    path: '/organizations/{organizationId}/alerts',
    summary: 'Create an alert',
    description: 'Creates an alert on a Deployment. rules.properties.deploymentId must be the entityId; every notification channel must be the Deployment\'s own or a shared one of its Workspace or Organization.',
    tag: ALERTS,
    permission: ACTIONS.create,
    params: OrganizationIdParam,
    body: CreateAlertRequest,
    bodyDescription: 'The alert to create.',
    success: { status: 200, schema: AlertPlatform },
    errors: ITEM_ERRORS,
    target: ({ app, params, body }) => deploymentTarget(app, params.organizationId, body.entityId),
    handler: ({ app, principal, params, body }) => service.createAlert(app, principal, params.organizationId, body),
  }),
  defineOperation({
    operationId: 'GetAlert',
    method: 'GET',
    path: '/organizations/{organizationId}/alerts/{alertId}',
    summary: 'Get an alert',
    description: 'Reads one alert.',
    tag: ALERTS,
    permission: ACTIONS.get,
    params: AlertParams,
    success: { status: 200, schema: AlertPlatform },
    errors: ITEM_ERRORS,
    target: alertByPath,
    handler: ({ app, params }) => service.getAlert(app, params.organizationId, params.alertId),
  }),
  defineOperation({
    operationId: 'UpdateAlert',
    method: 'POST',
    path: '/organizations/{organizationId}/alerts/{alertId}',
    summary: 'Update an alert',
    description: 'Changes an alert. Fields left out keep their values; a channel list or pattern-match list sent replaces the old one. A new type needs all of its rule properties.',
    tag: ALERTS,
    permission: ACTIONS.update,
    params: AlertParams,
    body: UpdateAlertRequest,
    bodyDescription: 'The changes.',
    success: { status: 200, schema: AlertPlatform },
    errors: ITEM_ERRORS,
    target: alertByPath,
    handler: async ({ app, principal, params, body }) => (await service.updateAlerts(app, principal, params.organizationId, [{
      id: params.alertId,
      body: body,
      checkShape: (t) => assertValid(UPDATE_MEMBERS[t], body),
      at: (f) => f,
    }]))[0]!,
  }),
  defineOperation({
    operationId: 'DeleteAlert',
    method: 'DELETE',
    path: '/organizations/{organizationId}/alerts/{alertId}',
    summary: 'Delete an alert',
    description: 'Deletes an alert.',
    tag: ALERTS,
    permission: ACTIONS.delete,
    params: AlertParams,
    success: { status: 204 },
    errors: ITEM_ERRORS,
    target: alertByPath,
    handler: ({ app, params }) => service.deleteAlert(app, params.organizationId, params.alertId),
  }),
  defineOperation({
    operationId: 'ListNotificationChannels',
    method: 'GET',
    path: '/organizations/{organizationId}/notification-channels',
    summary: 'List notification channels',
    description: 'Lists the notification channels of the Organization the caller may read, filtered and sorted; 20 a page by default, 1000 at most. Secrets are never shown.',
    tag: CHANNELS,
    permission: null,
    params: OrganizationIdParam,
    query: ListNotificationChannelsQuery,
    success: { status: 200, schema: NotificationChannelsPaginated },
    errors: ITEM_ERRORS,
    handler: ({ app, principal, params, query }) => {
      const { offset, limit, sorts, ...filter } = query;
      return channels.listChannels(app, principal, params.organizationId, filter, { offset, limit, sorts });
    },
  }),
  defineOperation({
    operationId: 'CreateNotificationChannel',
    method: 'POST',
    path: '/organizations/{organizationId}/notification-channels',
    summary: 'Create a notification channel',
    description: 'Creates a notification channel of an Organization, Workspace or Deployment. Its secrets (webhook URL, integration key, API key, Deployment API token) are stored encrypted and never shown again.',
    tag: CHANNELS,
    permission: ACTIONS.create,
    params: OrganizationIdParam,
    body: CreateNotificationChannelRequest,
    bodyDescription: 'The channel to create.',
    success: { status: 200, schema: NotificationChannel },
    errors: ITEM_ERRORS,
    target: ({ app, params, body }) => {
      return channels.channelEntityTarget(app, params.organizationId, body.entityType, body.entityId);
    },
    handler: ({ app, principal, params, body }) => channels.createChannel(app, principal, params.organizationId, body),
  }),
  defineOperation({
    operationId: 'GetNotificationChannel',
    method: 'GET',
    path: '/organizations/{organizationId}/notification-channels/{notificationChannelId}',
    summary: 'Get a notification channel',
    description: 'Reads one notification channel; secrets are never shown.',
    tag: CHANNELS,
    permission: ACTIONS.get,
    params: ChannelParams,
    success: { status: 200, schema: NotificationChannel },
    errors: ITEM_ERRORS,
    target: channelByPath,
    handler: ({ app, params }) => channels.getChannel(app, params.organizationId, params.notificationChannelId),
  }),
  defineOperation({
    operationId: 'UpdateNotificationChannel',
    method: 'POST',
    path: '/organizations/{organizationId}/notification-channels/{notificationChannelId}',
    summary: 'Update a notification channel',
    description: 'Changes a notification channel. A definition sent replaces the old one whole; a new type needs one. A channel that alerts of other entities use cannot stop being shared.',
    tag: CHANNELS,
    permission: ACTIONS.update,
    params: ChannelParams,
    body: UpdateNotificationChannelRequest,
    bodyDescription: 'The changes.',
    success: { status: 200, schema: NotificationChannel },
    errors: ITEM_ERRORS,
    target: channelByPath,
    handler: ({ app, principal, params, body }) => channels.updateChannel(app, principal, params.organizationId, params.notificationChannelId, body),
  }),
  defineOperation({
    operationId: 'DeleteNotificationChannel',
    method: 'DELETE',
    path: '/organizations/{organizationId}/notification-channels/{notificationChannelId}',
    summary: 'Delete a notification channel',
    description: 'Deletes a notification channel; alerts that notified it stop doing so.',
    tag: CHANNELS,
    permission: ACTIONS.delete,
    params: ChannelParams,
    success: { status: 204 },
    errors: ITEM_ERRORS,
    target: channelByPath,
    handler: ({ app, principal, params }) => channels.deleteChannel(app, principal, params.organizationId, params.notificationChannelId),
  }),
];
