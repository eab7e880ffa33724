import Type, { type Static, type TObject, type TProperties, type TUnsafe } from 'typebox';
import { BasicSubjectProfile, DateTime, discriminatedUnion, named, StringEnum } from '../../core/schemas.js';

/**
 * Alerts (the notification channels' own shapes are in channel-schema.ts). v1 has no such
 * endpoints: they are served on /platform/v1beta1 (one at a time) and /labs/v1 (alerts in bulk),
 * both over this one model. The request schemas below are the same on both surfaces; the
 * response schemas differ only in the alert types an Alert may declare, so they are built per
 * surface from one factory. The enums and list paging here are shared with the channels.
 */

export const ALERT_TYPES = ['DAG_DURATION', 'DAG_FAILURE', 'DAG_SUCCESS', 'DAG_TIMELINESS', 'TASK_DURATION', 'TASK_FAILURE'] as const;
export type AlertType = (typeof ALERT_TYPES)[number];
/** The alert types the platform Alert schema declares: the six that can be created and seven managed elsewhere. */
export const PLATFORM_ALERT_TYPES = [
  'AIRFLOW_DB_STORAGE_UNUSUALLY_HIGH', 'DAG_DURATION', 'DAG_FAILURE', 'DAG_SUCCESS', 'DAG_TIMELINESS',
  'DATA_PRODUCT_PROACTIVE_FAILURE', 'DATA_PRODUCT_PROACTIVE_SLA', 'DATA_PRODUCT_SLA', 'DEPRECATED_RUNTIME_VERSION',
  'JOB_SCHEDULING_DISABLED', 'TASK_DURATION', 'TASK_FAILURE', 'WORKER_QUEUE_AT_CAPACITY',
] as const;
export const SEVERITIES = ['CRITICAL', 'INFO', 'WARNING'] as const;
export const CHANNEL_TYPES = ['DAG_TRIGGER', 'EMAIL', 'OPSGENIE', 'PAGERDUTY', 'SLACK'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];
export const CHANNEL_ENTITY_TYPES = ['DEPLOYMENT', 'ORGANIZATION', 'WORKSPACE'] as const;
export type ChannelEntityType = (typeof CHANNEL_ENTITY_TYPES)[number];
export const PATTERN_ENTITY_TYPES = ['DAG_ID', 'TASK_ID'] as const;
export const PATTERN_OPERATORS = ['EXCLUDES', 'INCLUDES', 'IS', 'IS_NOT'] as const;
export const DAYS_OF_WEEK = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export const LIST_SORTS = ['createdAt:asc', 'createdAt:desc', 'name:asc', 'name:desc', 'updatedAt:asc', 'updatedAt:desc'] as const;

// ------------------------------------------------------------------ alert requests

export const PatternMatchRequest = named('PatternMatchRequest', Type.Object({
  entityType: StringEnum(PATTERN_ENTITY_TYPES, { description: 'What the values match: DAG ids, or task ids (task alerts only).' }),
  operatorType: StringEnum(PATTERN_OPERATORS, { description: 'How the values match: equal, not equal, contained, not contained.' }),
  values: Type.Array(Type.String(), { description: 'The values to match, at least one.' }),
}));

const alertName = (what: string) => Type.String({ description: `Name of the alert${what}.` });
const severity = StringEnum(SEVERITIES, { description: 'How urgent the alert is.' });
const alertType = StringEnum(ALERT_TYPES, { description: 'The kind of alert; chooses the shape of `rules.properties`.' });
const channelIds = Type.Array(Type.String(), { description: 'Notification channels to notify, in order; each must be usable by the alert\'s Deployment.' });
const patternMatches = Type.Array(PatternMatchRequest, { description: 'Which DAGs (and tasks) the alert watches.' });
const deploymentIdProp = Type.String({ description: 'The Deployment the rule watches; the alert\'s entityId.' });

/** The per-type rule properties: what a create requires; an update may send any of them. */
const PROPERTIES = {
  DagDuration: { dagDurationSeconds: Type.Integer({ description: 'Alert when a DAG run takes longer than this, 60 to 604800 seconds.' }) },
  DagFailure: {},
  DagSuccess: {},
  DagTimeliness: {
    dagDeadline: Type.String({ description: 'Time of day (HH:MM, 24-hour, UTC) by which the DAG must have succeeded.' }),
    daysOfWeek: Type.Array(Type.String(), { description: 'Days the deadline applies: MONDAY to SUNDAY.' }),
    lookBackPeriodSeconds: Type.Integer({ description: 'How far back before the deadline a successful run counts, 60 to 604800 seconds.' }),
  },
  TaskDuration: { taskDurationSeconds: Type.Integer({ description: 'Alert when a task runs longer than this, 60 to 604800 seconds.' }) },
  TaskFailure: {},
} satisfies Record<string, TProperties>;
type Kind = keyof typeof PROPERTIES;
const KIND_OF: Record<AlertType, Kind> = {
  DAG_DURATION: 'DagDuration', DAG_FAILURE: 'DagFailure', DAG_SUCCESS: 'DagSuccess',
  DAG_TIMELINESS: 'DagTimeliness', TASK_DURATION: 'TaskDuration', TASK_FAILURE: 'TaskFailure',
};
/** The properties each alert type has besides deploymentId. */
export const TYPE_PROPERTIES: Record<AlertType, string[]> = Object.fromEntries(
  ALERT_TYPES.map((t) => [t, Object.keys(PROPERTIES[KIND_OF[t]])]),
) as Record<AlertType, string[]>;

function optionalAll(props: TProperties): TProperties {
  return Object.fromEntries(Object.entries(props).map(([k, v]) => [k, Type.Optional(v)]));
}

function createMember(kind: Kind): TObject {
  const properties = named(`Create${kind}AlertProperties`, Type.Object({ ...PROPERTIES[kind], deploymentId: deploymentIdProp }));
  return named(`Create${kind}AlertRequest`, Type.Object({
    entityId: Type.String({ description: 'Identifier of the Deployment the alert covers.' }),
    entityType: StringEnum(['DEPLOYMENT'], { description: 'What the alert covers: a Deployment.' }),
    name: alertName(''),
    notificationChannelIds: channelIds,
    rules: named(`Create${kind}AlertRules`, Type.Object({ patternMatches, properties }, { description: 'When the alert fires.' })),
    severity,
    type: alertType,
  }));
}

/** Update members; labs' carry the alert's id in the body as well. */
function updateMember(kind: Kind, withId: boolean): TObject {
  const props = PROPERTIES[kind];
  const rules: TProperties = Object.keys(props).length > 0
    ? { patternMatches: Type.Optional(patternMatches), properties: Type.Optional(named(`Update${kind}AlertProperties`, Type.Object(optionalAll(props)))) }
    : { patternMatches: Type.Optional(patternMatches) };
  return named(`Update${kind}AlertRequest`, Type.Object({
    ...(withId ? { id: Type.Optional(Type.String({ description: 'Identifier of the alert to change (required here).' })) } : {}),
    name: Type.Optional(alertName('; left out, kept')),
    notificationChannelIds: Type.Optional(Type.Array(Type.String(), { description: 'The new channel list, replacing the old one; left out, kept.' })),
    rules: Type.Optional(named(`Update${kind}AlertRules`, Type.Object(rules, { description: 'Rule changes; properties left out are kept.' }))),
    severity: Type.Optional(severity),
    type: Type.Optional(alertType),
  }));
}

function byType(make: (kind: Kind) => TObject): Record<AlertType, TObject> {
  return Object.fromEntries(ALERT_TYPES.map((t) => [t, make(KIND_OF[t])])) as Record<AlertType, TObject>;
}

export const CREATE_ALERT_MEMBERS = byType(createMember);
export const CreateAlertRequest = discriminatedUnion('CreateAlertRequest', 'type', CREATE_ALERT_MEMBERS, 'The alert to create; `type` chooses the shape.', { nullAsAbsent: true, untyped: true }) as unknown as TUnsafe<CreateAlertInput>;

/** What an update body without `type` must look like; it is checked against the stored type's member afterwards. */
function looseUpdate(withId: boolean): TObject {
  return Type.Object({
    ...(withId ? { id: Type.Optional(Type.String()) } : {}),
    name: Type.Optional(Type.String()),
    notificationChannelIds: Type.Optional(Type.Array(Type.String())),
    rules: Type.Optional(Type.Object({ patternMatches: Type.Optional(patternMatches), properties: Type.Optional(Type.Object({})) })),
    severity: Type.Optional(severity),
  });
}

export function updateAlertUnion(withId: boolean) {
  const members = byType((kind) => updateMember(kind, withId));
  return {
    members,
    union: discriminatedUnion('UpdateAlertRequest', 'type', members, 'Changes to an alert; `type` (always sent by Terraform) chooses the shape; a new type needs all of its rule properties.', { nullAsAbsent: true, untyped: true, whenAbsent: looseUpdate(withId) }) as unknown as TUnsafe<UpdateAlertInput>,
  };
}

/** One alert create body, as the service takes it (any member). */
export interface CreateAlertInput {
  entityId: string;
  entityType: 'DEPLOYMENT';
  name: string;
  notificationChannelIds: string[];
  rules: { patternMatches: PatternMatchInput[]; properties: Record<string, unknown> & { deploymentId: string } };
  severity: (typeof SEVERITIES)[number];
  type: AlertType;
}

export interface PatternMatchInput {
  entityType: (typeof PATTERN_ENTITY_TYPES)[number];
  operatorType: (typeof PATTERN_OPERATORS)[number];
  values: string[];
}

/** One alert update body, as the service takes it. */
export interface UpdateAlertInput {
  id?: string;
  name?: string;
  notificationChannelIds?: string[];
  rules?: { patternMatches?: PatternMatchInput[]; properties?: Record<string, unknown> };
  severity?: (typeof SEVERITIES)[number];
  type?: AlertType;
}

// ------------------------------------------------------------------ alert responses

export const PatternMatch = named('PatternMatch', Type.Object({
  entityType: StringEnum(PATTERN_ENTITY_TYPES, { description: 'What the values match.' }),
  operatorType: StringEnum(PATTERN_OPERATORS, { description: 'How the values match.' }),
  values: Type.Array(Type.String(), { description: 'The values, as sent.' }),
}));

export const AlertRules = named('AlertRules', Type.Object({
  patternMatches: Type.Optional(Type.Array(PatternMatch, { description: 'Which DAGs (and tasks) the alert watches, as sent.' })),
  properties: Type.Unknown({ description: 'The rule\'s properties: deploymentId and those of the alert\'s type, as sent.' }),
}));

/** What a channel shows, in an alert's list of channels and on its own. */
export const channelCommon = {
  createdAt: DateTime('When the channel was created.'),
  definition: Type.Unknown({ description: 'Where notifications go, by type; secrets (webhook URL, integration key, API key, Deployment API token) are never shown.' }),
  deploymentId: Type.Optional(Type.String({ description: 'The Deployment the channel belongs to, for a Deployment\'s channel.' })),
  entityId: Type.String({ description: 'Identifier of the Organization, Workspace or Deployment the channel belongs to.' }),
  id: Type.String({ description: 'Identifier of the channel.' }),
  name: Type.String({ description: 'Name of the channel.' }),
  organizationId: Type.String({ description: 'The Organization the channel is in.' }),
  updatedAt: DateTime('When the channel was last changed.'),
  workspaceId: Type.Optional(Type.String({ description: 'The channel\'s Workspace (a Deployment\'s channel shows its Deployment\'s).' })),
};

export const AlertNotificationChannel = named('AlertNotificationChannel', Type.Object({
  ...channelCommon,
  entityType: StringEnum(CHANNEL_ENTITY_TYPES, { description: 'What the channel belongs to.' }),
  type: StringEnum(CHANNEL_TYPES, { description: 'Where notifications go.' }),
}));
export type AlertNotificationChannelView = Static<typeof AlertNotificationChannel>;

function alertSchema<V extends readonly string[]>(types: V) {
  return named('Alert', Type.Object({
    createdAt: DateTime('When the alert was created.'),
    createdBy: BasicSubjectProfile,
    deploymentId: Type.Optional(Type.String({ description: 'The Deployment the alert covers.' })),
    entityId: Type.String({ description: 'Identifier of the Deployment the alert covers.' }),
    entityName: Type.Optional(Type.String({ description: 'Name of the Deployment the alert covers.' })),
    entityType: StringEnum(['DEPLOYMENT'], { description: 'What the alert covers.' }),
    id: Type.String({ description: 'Identifier of the alert.' }),
    name: Type.String({ description: 'Name of the alert.' }),
    notificationChannels: Type.Optional(Type.Array(AlertNotificationChannel, { description: 'The channels notified, in the order their ids were sent.' })),
    organizationId: Type.String({ description: 'The Organization the alert is in.' }),
    rules: AlertRules,
    severity: StringEnum(SEVERITIES, { description: 'How urgent the alert is.' }),
    type: StringEnum(types, { description: 'The kind of alert.' }),
    updatedAt: DateTime('When the alert was last changed.'),
    updatedBy: BasicSubjectProfile,
    workspaceId: Type.Optional(Type.String({ description: 'The Workspace of the alert\'s Deployment.' })),
  }));
}

export const AlertPlatform = alertSchema(PLATFORM_ALERT_TYPES);
export const AlertLabs = alertSchema(ALERT_TYPES);
/** The canonical read model of an alert (its type is always one of the six that can be created). */
export type AlertView = Static<typeof AlertLabs>;

// ------------------------------------------------------------------ list queries

/** Paging as the older documents declare it: plain integers, checked by the service (offset ≥ 0, limit 0 to 1000). */
export const olderPageQuery = {
  offset: Type.Optional(Type.Integer({ description: 'How many results to skip (default 0).' })),
  limit: Type.Optional(Type.Integer({ description: 'Largest number of results to return, 0 to 1000 (default 20).' })),
};
export const idsQuery = (what: string) => Type.Optional(Type.Array(Type.String(), { description: what }));
/** The sort keys both lists take. */
export const sortsQuery = Type.Optional(Type.Array(StringEnum(LIST_SORTS), { description: 'Sort keys, each `<field>:asc` or `<field>:desc`, applied in order.' }));

export const ListAlertsQuery = Type.Object({
  alertIds: idsQuery('Only these alerts.'),
  deploymentIds: idsQuery('Only alerts covering these Deployments.'),
  workspaceIds: idsQuery('Only alerts of Deployments in these Workspaces.'),
  alertTypes: Type.Optional(Type.Array(StringEnum(ALERT_TYPES), { description: 'Only alerts of these types.' })),
  entityType: Type.Optional(StringEnum(['DEPLOYMENT'], { description: 'Only alerts covering this kind of entity.' })),
  ...olderPageQuery,
  sorts: sortsQuery,
});

export interface AlertFilter {
  alertIds?: string[];
  deploymentIds?: string[];
  workspaceIds?: string[];
  alertTypes?: string[];
  entityType?: string;
}
