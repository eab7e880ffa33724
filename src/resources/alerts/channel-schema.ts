import Type, { type Static, type TObject, type TUnsafe } from 'typebox';
import { BasicSubjectProfile, discriminatedUnion, named, StringEnum } from '../../core/schemas.js';
import { CHANNEL_ENTITY_TYPES, CHANNEL_TYPES, channelCommon, idsQuery, olderPageQuery, sortsQuery, type ChannelEntityType, type ChannelType } from './schema.js';

/**
 * Notification channels on /platform/v1beta1: what a channel may be defined as (by type), its
 * create and update bodies, and how it reads. Secrets a definition carries are write-only.
 */

export const DEFINITIONS = {
  DAG_TRIGGER: named('DagTriggerNotificationChannelDefinition', Type.Object({
    dagId: Type.String({ description: 'The DAG to trigger.' }),
    deploymentApiToken: Type.String({ description: 'A Deployment API token to trigger it with (secret: never shown).' }),
    deploymentId: Type.String({ description: 'The Deployment running the DAG.' }),
  })),
  EMAIL: named('EmailNotificationChannelDefinition', Type.Object({
    recipients: Type.Array(Type.String(), { description: 'Email addresses to notify.' }),
  })),
  OPSGENIE: named('OpsgenieNotificationChannelDefinition', Type.Object({
    apiKey: Type.String({ description: 'The Opsgenie API key (secret: never shown).' }),
  })),
  PAGERDUTY: named('PagerDutyNotificationChannelDefinition', Type.Object({
    integrationKey: Type.String({ description: 'The PagerDuty integration key (secret: never shown).' }),
  })),
  SLACK: named('SlackNotificationChannelDefinition', Type.Object({
    webhookUrl: Type.String({ description: 'The Slack incoming-webhook URL (secret: never shown).' }),
  })),
} satisfies Record<ChannelType, TObject>;

const CHANNEL_KIND: Record<ChannelType, string> = { DAG_TRIGGER: 'DagTrigger', EMAIL: 'Email', OPSGENIE: 'Opsgenie', PAGERDUTY: 'PagerDuty', SLACK: 'Slack' };
const channelType = StringEnum(CHANNEL_TYPES, { description: 'Where notifications go; chooses the shape of `definition`.' });
const isShared = Type.Boolean({ description: 'For an Organization\'s or Workspace\'s channel: whether alerts of the Deployments below it may use it.' });

function channelMembers(make: (t: ChannelType) => TObject): Record<ChannelType, TObject> {
  return Object.fromEntries(CHANNEL_TYPES.map((t) => [t, make(t)])) as Record<ChannelType, TObject>;
}

export const CreateNotificationChannelRequest = discriminatedUnion('CreateNotificationChannelRequest', 'type', channelMembers((t) =>
  named(`Create${CHANNEL_KIND[t]}NotificationChannelRequest`, Type.Object({
    definition: DEFINITIONS[t],
    entityId: Type.String({ description: 'Identifier of the Organization, Workspace or Deployment the channel belongs to.' }),
    entityType: StringEnum(CHANNEL_ENTITY_TYPES, { description: 'What the channel belongs to.' }),
    isShared: Type.Optional(isShared),
    name: Type.String({ description: 'Name of the channel.' }),
    type: channelType,
  }))), 'The channel to create; `type` chooses the shape of `definition`.', { nullAsAbsent: true, untyped: true }) as unknown as TUnsafe<CreateChannelInput>;

export const UpdateNotificationChannelRequest = discriminatedUnion('UpdateNotificationChannelRequest', 'type', channelMembers((t) =>
  named(`Update${CHANNEL_KIND[t]}NotificationChannelRequest`, Type.Object({
    definition: Type.Optional(DEFINITIONS[t]),
    isShared: Type.Optional(isShared),
    name: Type.Optional(Type.String({ description: 'The new name; left out, kept.' })),
    type: Type.Optional(channelType),
  }))), 'Changes to a channel; a definition sent replaces the old one whole (secrets included).', {
  nullAsAbsent: true,
  untyped: true,
  whenAbsent: Type.Object({ isShared: Type.Optional(Type.Boolean()), name: Type.Optional(Type.String()) }),
}) as unknown as TUnsafe<UpdateChannelInput>;

export interface CreateChannelInput {
  definition: Record<string, unknown>;
  entityId: string;
  entityType: ChannelEntityType;
  isShared?: boolean;
  name: string;
  type: ChannelType;
}

export interface UpdateChannelInput {
  definition?: Record<string, unknown>;
  isShared?: boolean;
  name?: string;
  type?: ChannelType;
}

export const NotificationChannel = named('NotificationChannel', Type.Object({
  ...channelCommon,
  createdBy: BasicSubjectProfile,
  entityName: Type.Optional(Type.String({ description: 'Name of the Organization, Workspace or Deployment the channel belongs to.' })),
  entityType: Type.String({ description: 'What the channel belongs to: DEPLOYMENT, WORKSPACE or ORGANIZATION.' }),
  isShared: isShared,
  type: Type.String({ description: 'Where notifications go: DAG_TRIGGER, EMAIL, OPSGENIE, PAGERDUTY or SLACK.' }),
  updatedBy: BasicSubjectProfile,
}));
export type NotificationChannelView = Static<typeof NotificationChannel>;

export const NotificationChannelsPaginated = named('NotificationChannelsPaginated', Type.Object({
  limit: Type.Integer({ description: 'The limit the page was cut with.' }),
  notificationChannels: Type.Array(NotificationChannel, { description: 'The page of channels.' }),
  offset: Type.Integer({ description: 'How many channels were skipped.' }),
  totalCount: Type.Integer({ description: 'How many channels match, across all pages.' }),
}));

export const ListNotificationChannelsQuery = Type.Object({
  notificationChannelIds: idsQuery('Only these channels.'),
  deploymentIds: idsQuery('Only channels of these Deployments.'),
  workspaceIds: idsQuery('Only channels of these Workspaces (their Deployments\' included).'),
  channelTypes: Type.Optional(Type.Array(StringEnum(CHANNEL_TYPES), { description: 'Only channels of these types.' })),
  entityType: Type.Optional(StringEnum(CHANNEL_ENTITY_TYPES, { description: 'Only channels belonging to this kind of entity.' })),
  ...olderPageQuery,
  sorts: sortsQuery,
});

export interface ChannelFilter {
  notificationChannelIds?: string[];
  deploymentIds?: string[];
  workspaceIds?: string[];
  channelTypes?: string[];
  entityType?: string;
}
