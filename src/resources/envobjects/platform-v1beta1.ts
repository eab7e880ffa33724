import Type, { type Static, type TObject, type TProperties, type TSchema } from 'typebox';
import { FieldCode, invalidField } from '../../core/errors.js';
import { byOperationId, presentAs, without } from '../../http/projection.js';
import { named, StringEnum } from '../../core/schemas.js';
import type { Data } from './fields.js';
import { operations } from './routes.js';
import {
  CreateEnvironmentObjectRequest, EnvironmentObject, EnvironmentObjectConnection, EnvironmentObjectConnectionOverrides,
  EnvironmentObjectLink, EnvironmentObjectMetricsExport, EnvironmentObjectMetricsExportOverrides,
  ListEnvironmentObjectsQuery, UpdateEnvironmentObjectRequest,
  type CreateBody, type EnvironmentObjectView, type LinkView, type ListQuery, type ObjectType, type UpdateBody,
} from './schema.js';
import type * as service from './service.js';

/**
 * Environment objects on /platform/v1beta1: the v1 operations with the older shapes.
 *
 * - The older API has no environment variables (objectType ENVIRONMENT_VARIABLE), no
 *   `description`, no `setFields` on objects and links, no SigV4 authentication of metrics
 *   exports (authType SIGV4, sigV4AssumeArn, sigV4StsRegion) and no `unsetFields` on link
 *   overrides. A connection's `extra` is a free map (additionalProperties: true).
 * - ENVIRONMENT_VARIABLE objects made on /v1 do not exist on this surface: lists leave them out
 *   (in SQL, so totalCount and pages stay right) and get, update, delete and exclude-linking by
 *   id answer 404, as for an unknown id. Asking for that type (query or create body) is a 400.
 * - Fields a body sends that the older shape does not declare are dropped before the v1 rules
 *   see them (presentAs; the older API ignores unknown fields), so an older client can neither
 *   set a description nor reach v1-only behaviour such as unsetFields.
 * - Updates follow the v1 rules for what the older client can send: the typed block replaces
 *   the stored one (fields left out are cleared, secrets sent empty or left out are kept), and a
 *   link's override fields replace theirs while override fields left out keep their values. With
 *   no unsetFields, an older client clears an override field only by dropping the link in one
 *   update and linking again in the next (or on /v1). What it can neither see nor send is kept:
 *   the description, and a SigV4 export's authType and SigV4 settings while the body sends no
 *   authType (such an export shows no authType here). Link overrides keep their SigV4 values
 *   (fields left out of an override are kept anyway) and show without them.
 */

const OLDER_TYPES = ['AIRFLOW_VARIABLE', 'CONNECTION', 'METRICS_EXPORT'] as const satisfies readonly ObjectType[];
const isOlderType = (t: ObjectType): t is (typeof OLDER_TYPES)[number] => (OLDER_TYPES as readonly ObjectType[]).includes(t);
const OLDER_AUTH_TYPES = ['AUTH_TOKEN', 'BASIC'] as const;
const SIGV4 = ['sigV4AssumeArn', 'sigV4StsRegion'] as const;
type Sigv4 = (typeof SIGV4)[number];
type OlderAuthType = (typeof OLDER_AUTH_TYPES)[number];
const isOlderAuthType = (t: string | undefined): t is OlderAuthType => (OLDER_AUTH_TYPES as readonly (string | undefined)[]).includes(t);

const rules: service.SurfaceRules = {
  types: OLDER_TYPES,
  // A SigV4 export shows no authType here; a body that sends none keeps SigV4 with its settings,
  // one that names another authType replaces it (and the SigV4 settings go, as fields left out do).
  carried: (type, stored: Data, sent) => {
    if (type !== 'METRICS_EXPORT' || stored.authType !== 'SIGV4' || sent.authType !== undefined) return {};
    const kept: Record<string, unknown> = { authType: 'SIGV4' };
    for (const f of SIGV4) if (stored[f] !== undefined) kept[f] = stored[f];
    return kept;
  },
};

// ---------------------------------------------------------------- schemas

/** A connection's `extra` as the older document writes it: an object of any members. */
const extraMap = (description: string) => Type.Unsafe<Record<string, unknown>>({ type: 'object', additionalProperties: true, description });

/** A connection block (object, override or request) with the older `extra`. */
function olderConnection<T extends TObject>(name: string, schema: T) {
  const description = (schema.properties.extra as { description?: string } | undefined)?.description ?? 'Extra settings of the connection, as a JSON object.';
  return named(name, Type.Object({ ...schema.properties, extra: Type.Optional(extraMap(description)) }));
}

/** A metrics-export block (object, override or request) without SigV4. */
function olderMetrics<P extends TProperties>(name: string, schema: TObject<P>) {
  const authType = schema.properties.authType as { description?: string };
  // authType stays where the v1 block has it (the document lists properties in this order).
  const rest = without(schema.properties, SIGV4 as readonly (keyof P)[]) as unknown as Omit<P, Sigv4 | 'authType'>;
  return named(name, Type.Object({
    ...rest,
    authType: Type.Optional(StringEnum(OLDER_AUTH_TYPES, { description: authType.description ?? 'How the exporter authenticates to the endpoint.' })),
  }));
}

const objectTypeEnum = (description: string) => StringEnum(OLDER_TYPES, { description });

const ConnectionV1beta1 = olderConnection('EnvironmentObjectConnection', EnvironmentObjectConnection);
const ConnectionOverridesV1beta1 = olderConnection('EnvironmentObjectConnectionOverrides', EnvironmentObjectConnectionOverrides);
const MetricsExportV1beta1 = olderMetrics('EnvironmentObjectMetricsExport', EnvironmentObjectMetricsExport);
const MetricsExportOverridesV1beta1 = olderMetrics('EnvironmentObjectMetricsExportOverrides', EnvironmentObjectMetricsExportOverrides);

const LinkV1beta1 = named('EnvironmentObjectLink', Type.Object({
  ...Type.Omit(EnvironmentObjectLink, ['environmentVariableOverrides', 'setFields']).properties,
  connectionOverrides: Type.Optional(ConnectionOverridesV1beta1),
  metricsExportOverrides: Type.Optional(MetricsExportOverridesV1beta1),
}));

const EnvironmentObjectV1beta1 = named('EnvironmentObject', Type.Object({
  ...Type.Omit(EnvironmentObject, ['description', 'environmentVariable', 'setFields']).properties,
  connection: Type.Optional(ConnectionV1beta1),
  links: Type.Optional(Type.Array(LinkV1beta1, { description: 'Deployments explicitly linked, with their overrides.' })),
  metricsExport: Type.Optional(MetricsExportV1beta1),
  objectType: objectTypeEnum('Kind of object.'),
}));

const EnvironmentObjectsPaginatedV1beta1 = named('EnvironmentObjectsPaginated', Type.Object({
  environmentObjects: Type.Array(EnvironmentObjectV1beta1, { description: 'The page of objects.' }),
  limit: Type.Integer({ description: 'The limit the page was cut with.' }),
  offset: Type.Integer({ description: 'How many objects were skipped.' }),
  totalCount: Type.Integer({ description: 'How many objects match, across all pages.' }),
}));

type Props = Record<string, TSchema>;
/** The named schema inside an optional (or array) property of a v1 request. */
const inner = (schema: TObject, key: string): TObject => {
  const p = (schema.properties as Props)[key] as unknown as { items?: TObject } & TObject;
  return p.items ?? p;
};

/** The overrides of a link request on this surface: no environment variable, no unsetFields. */
function overridesRequest(prefix: 'Create' | 'Update', v1Link: TObject) {
  const v1 = inner(v1Link, 'overrides');
  return named(`${prefix}EnvironmentObjectOverridesRequest`, Type.Object({
    airflowVariable: (v1.properties as Props).airflowVariable!,
    connection: Type.Optional(olderConnection(`${prefix}EnvironmentObjectConnectionOverridesRequest`, inner(v1, 'connection'))),
    metricsExport: Type.Optional(olderMetrics(`${prefix}EnvironmentObjectMetricsExportOverridesRequest`, inner(v1, 'metricsExport'))),
  }));
}

function linkRequest(prefix: 'Create' | 'Update', v1Body: TObject) {
  const v1 = inner(v1Body, 'links');
  return named(`${prefix}EnvironmentObjectLinkRequest`, Type.Object({
    ...v1.properties,
    overrides: Type.Optional(overridesRequest(prefix, v1)),
  }));
}

/** Request fields shared by create and update, in the older shapes. */
function requestBlocks(prefix: 'Create' | 'Update', v1Body: TObject) {
  const links = (v1Body.properties as Props).links as unknown as { description?: string };
  return {
    connection: Type.Optional(olderConnection(`${prefix}EnvironmentObjectConnectionRequest`, inner(v1Body, 'connection'))),
    links: Type.Optional(Type.Array(linkRequest(prefix, v1Body), { description: links.description })),
    metricsExport: Type.Optional(olderMetrics(`${prefix}EnvironmentObjectMetricsExportRequest`, inner(v1Body, 'metricsExport'))),
  };
}

// The request blocks are cut from the v1 ones by key (inner), which the types do not follow: the
// older bodies are the v1 ones less what is taken out above, and bodyIn below says so with a cast
// (the one place these projections are not checked by the build).
const CreateRequestV1beta1 = named('CreateEnvironmentObjectRequest', Type.Object({
  ...Type.Omit(CreateEnvironmentObjectRequest, ['description', 'environmentVariable']).properties,
  ...requestBlocks('Create', CreateEnvironmentObjectRequest),
  objectType: objectTypeEnum('Kind of object; the body carries the block of that kind.'),
}));

const UpdateRequestV1beta1 = named('UpdateEnvironmentObjectRequest', Type.Object({
  ...Type.Omit(UpdateEnvironmentObjectRequest, ['description', 'environmentVariable']).properties,
  ...requestBlocks('Update', UpdateEnvironmentObjectRequest),
}));

/** The v1 query with the older objectType, and offset and limit as the older document states them (no keywords). */
const ListQueryV1beta1 = Type.Object({
  ...ListEnvironmentObjectsQuery.properties,
  offset: Type.Optional(Type.Integer({ description: 'How many results to skip (0 when left out).' })),
  limit: Type.Optional(Type.Integer({ description: 'Largest number of results to return (20 when left out; at most 1000 are returned).' })),
  objectType: Type.Optional(objectTypeEnum('Only objects of this kind.')),
});

// ---------------------------------------------------------------- translations

/** A metrics export (or its overrides) without what the older shape cannot hold: SigV4 (shown with no authType). */
function metricsOut<T extends { authType?: string }>(m: T): Omit<T, Sigv4 | 'authType'> & { authType?: OlderAuthType } {
  const rest = without(m, [...SIGV4, 'authType'] as (keyof T)[]) as Omit<T, Sigv4 | 'authType'>;
  return isOlderAuthType(m.authType) ? { ...rest, authType: m.authType } : rest;
}

function linkOut(l: LinkView) {
  const { metricsExportOverrides, ...out } = without(l, ['environmentVariableOverrides', 'setFields']);
  return { ...out, ...(metricsExportOverrides ? { metricsExportOverrides: metricsOut(metricsExportOverrides) } : {}) };
}

function objectOut(o: EnvironmentObjectView) {
  const { metricsExport, links, objectType, ...out } = without(o, ['description', 'environmentVariable', 'setFields']);
  // The surface rules keep other types out of every answer (in the service, see `rules`).
  if (!isOlderType(objectType)) throw new Error(`environment object ${o.id} of type ${objectType} reached the v1beta1 surface`);
  return {
    ...out,
    objectType,
    ...(metricsExport ? { metricsExport: metricsOut(metricsExport) } : {}),
    ...(links ? { links: links.map(linkOut) } : {}),
  };
}

function listQueryIn(q: Static<typeof ListQueryV1beta1>): ListQuery {
  for (const k of ['offset', 'limit'] as const) {
    const v = q[k];
    if (v !== undefined && v < 0) throw invalidField(k, FieldCode.min, `${k} must be greater than or equal to 0`);
  }
  return q;
}

// ---------------------------------------------------------------- operations

const v1 = byOperationId(operations);
/** This surface's rules, handed to the v1 service (which applies them in its transaction). */
const underRules = () => rules;

export const platformOperations = [
  presentAs(v1.ListEnvironmentObjects, {
    description: 'Lists the environment objects of a Workspace or a Deployment (or of the whole Organization); environment variables are not part of this API and are left out. With deploymentId and resolveLinked, the Workspace objects linked to the Deployment are listed too, as it sees them. Secret values show only with showSecrets, for Organization Owners.',
    query: ListQueryV1beta1,
    queryIn: listQueryIn,
    success: EnvironmentObjectsPaginatedV1beta1,
    out: (page) => ({ ...page, environmentObjects: page.environmentObjects.map(objectOut) }),
    rules: underRules,
  }),
  presentAs(v1.CreateEnvironmentObject, {
    description: 'Creates an Airflow variable, connection or metrics export in a Workspace or a Deployment; Workspace objects can be linked to its Deployments. The answer is the new id only.',
    body: CreateRequestV1beta1,
    dropsUndeclared: true,
    bodyIn: (b) => b as CreateBody,
  }),
  presentAs(v1.GetEnvironmentObject, { success: EnvironmentObjectV1beta1, out: objectOut, rules: underRules }),
  presentAs(v1.UpdateEnvironmentObject, {
    description: 'Changes an environment object. The block of its type is required and replaces the stored one (a secret sent empty or left out keeps its value); links, excludeLinks and autoLinkDeployments are replaced (left out: none), and override fields a link entry leaves out keep their values.',
    body: UpdateRequestV1beta1,
    dropsUndeclared: true,
    bodyIn: (b) => b as UpdateBody,
    success: EnvironmentObjectV1beta1,
    out: objectOut,
    rules: underRules,
  }),
  presentAs(v1.DeleteEnvironmentObject, { rules: underRules }),
  presentAs(v1.ExcludeLinkingEnvironmentObject, { rules: underRules }),
];
