import Type, { type Static, type TSchema } from 'typebox';
import { BasicSubjectProfile, named, OrganizationIdParam, StringEnum } from '../../core/schemas.js';

export const OBJECT_TYPES = ['CONNECTION', 'ENVIRONMENT_VARIABLE', 'AIRFLOW_VARIABLE', 'METRICS_EXPORT'] as const;
export type ObjectType = (typeof OBJECT_TYPES)[number];
export const SCOPES = ['WORKSPACE', 'DEPLOYMENT'] as const;
export type Scope = (typeof SCOPES)[number];
export const AUTH_TYPES = ['BASIC', 'AUTH_TOKEN', 'SIGV4'] as const;
export const EXPORTER_TYPES = ['PROMETHEUS'] as const;

/**
 * A JSON object of any members (a connection's `extra`). Served as the reference writes it (no
 * additionalProperties), but the response serializer must keep every member, so the schema it
 * compiles also says additionalProperties: true, as a property the document builder does not see.
 */
function AnyObject(description: string) {
  const schema = Type.Unsafe<Record<string, unknown>>({ type: 'object', description });
  Object.defineProperty(schema, 'additionalProperties', { value: true, enumerable: false, configurable: true });
  return schema;
}
/** A JSON object of string members (metrics headers and labels). */
const StringMap = (description: string) => Type.Unsafe<Record<string, string>>({ type: 'object', additionalProperties: { type: 'string' }, description });
const Opt = <T extends TSchema>(t: T) => Type.Optional(t);

// ---------------------------------------------------------------- typed blocks, shared shapes

function connectionFields(what: string) {
  return {
    extra: Opt(AnyObject(`Extra settings of the connection${what}, as a JSON object.`)),
    host: Opt(Type.String({ description: `Host of the connection${what}.` })),
    login: Opt(Type.String({ description: `User name of the connection${what}.` })),
    password: Opt(Type.String({ description: `Password of the connection${what}; a secret, shown only with showSecrets.` })),
    port: Opt(Type.Integer({ description: `Port of the connection${what}.` })),
    schema: Opt(Type.String({ description: `Schema of the connection${what}.` })),
    type: Opt(Type.String({ description: `Airflow connection type${what}.` })),
  };
}

/** A connection block whose type is required (objects and their create and update requests). */
function connectionBlock() {
  return { ...connectionFields(''), type: Type.String({ description: 'Airflow connection type, such as postgres or aws; cannot change.' }) };
}

function metricsFields(what: string) {
  return {
    authType: Opt(StringEnum(AUTH_TYPES, { description: `How the exporter authenticates to the endpoint${what}.` })),
    basicToken: Opt(Type.String({ description: `Bearer token for AUTH_TOKEN authentication${what}; a secret.` })),
    endpoint: Opt(Type.String({ description: `Prometheus remote-write endpoint the metrics go to${what}.` })),
    exporterType: Opt(StringEnum(EXPORTER_TYPES, { description: `Kind of exporter${what}.` })),
    headers: Opt(StringMap(`HTTP headers sent to the endpoint${what}.`)),
    labels: Opt(StringMap(`Labels added to every exported metric${what}.`)),
    password: Opt(Type.String({ description: `Password for BASIC authentication${what}; a secret.` })),
    sigV4AssumeArn: Opt(Type.String({ description: `AWS IAM role assumed for SIGV4 authentication${what}.` })),
    sigV4StsRegion: Opt(Type.String({ description: `AWS STS region for SIGV4 authentication${what}.` })),
    username: Opt(Type.String({ description: `User name for BASIC authentication${what}.` })),
  };
}

/** A metrics-export block whose endpoint and exporter type are required. */
function metricsBlock() {
  return {
    ...metricsFields(''),
    endpoint: Type.String({ description: 'Prometheus remote-write endpoint the metrics go to.' }),
    exporterType: StringEnum(EXPORTER_TYPES, { description: 'Kind of exporter.' }),
  };
}

// ---------------------------------------------------------------- responses

export const ConnectionAuthTypeParameter = named('ConnectionAuthTypeParameter', Type.Object({
  airflowParamName: Type.String({ description: 'Name of the parameter in Airflow.' }),
  dataType: Type.String({ description: 'Data type of the parameter.' }),
  description: Type.String({ description: 'What the parameter is.' }),
  example: Opt(Type.String({ description: 'An example value.' })),
  friendlyName: Type.String({ description: 'Name shown to people.' }),
  isInExtra: Type.Boolean({ description: 'Whether the parameter is stored in the connection\'s extra.' }),
  isRequired: Type.Boolean({ description: 'Whether the parameter must be given.' }),
  isSecret: Type.Boolean({ description: 'Whether the parameter is a secret.' }),
  pattern: Opt(Type.String({ description: 'Regular expression values must match.' })),
}));

export const ConnectionAuthType = named('ConnectionAuthType', Type.Object({
  airflowType: Type.String({ description: 'Airflow connection type.' }),
  authMethodName: Type.String({ description: 'Name of the authentication method.' }),
  description: Type.String({ description: 'What the auth type is.' }),
  guidePath: Opt(Type.String({ description: 'Where a guide to it is.' })),
  id: Type.String({ description: 'Identifier of the auth type.' }),
  name: Type.String({ description: 'Name of the auth type.' }),
  parameters: Type.Array(ConnectionAuthTypeParameter, { description: 'Parameters the auth type takes.' }),
  providerLogo: Opt(Type.String({ description: 'URL of the provider\'s logo.' })),
  providerPackageName: Type.String({ description: 'Airflow provider package of the connection type.' }),
}));

export const EnvironmentObjectAirflowVariable = named('EnvironmentObjectAirflowVariable', Type.Object({
  isSecret: Type.Boolean({ description: 'Whether the value is a secret.' }),
  value: Type.String({ description: 'Value of the variable; empty for a secret unless showSecrets is asked for and allowed.' }),
}));

export const EnvironmentObjectEnvironmentVariable = named('EnvironmentObjectEnvironmentVariable', Type.Object({
  isSecret: Type.Boolean({ description: 'Whether the value is a secret.' }),
  value: Type.String({ description: 'Value of the variable; empty for a secret unless showSecrets is asked for and allowed.' }),
}));

export const EnvironmentObjectConnection = named('EnvironmentObjectConnection', Type.Object({
  connectionAuthType: Opt(ConnectionAuthType),
  ...connectionBlock(),
}));

export const EnvironmentObjectMetricsExport = named('EnvironmentObjectMetricsExport', Type.Object(metricsBlock()));

export const EnvironmentObjectAirflowVariableOverrides = named('EnvironmentObjectAirflowVariableOverrides', Type.Object({
  value: Type.String({ description: 'Value the linked Deployment sees instead of the object\'s.' }),
}));
export const EnvironmentObjectEnvironmentVariableOverrides = named('EnvironmentObjectEnvironmentVariableOverrides', Type.Object({
  value: Type.String({ description: 'Value the linked Deployment sees instead of the object\'s.' }),
}));
export const EnvironmentObjectConnectionOverrides = named('EnvironmentObjectConnectionOverrides', Type.Object(connectionFields(' for the linked Deployment')));
export const EnvironmentObjectMetricsExportOverrides = named('EnvironmentObjectMetricsExportOverrides', Type.Object(metricsFields(' for the linked Deployment')));

export const EnvironmentObjectLink = named('EnvironmentObjectLink', Type.Object({
  airflowVariableOverrides: Opt(EnvironmentObjectAirflowVariableOverrides),
  connectionOverrides: Opt(EnvironmentObjectConnectionOverrides),
  environmentVariableOverrides: Opt(EnvironmentObjectEnvironmentVariableOverrides),
  metricsExportOverrides: Opt(EnvironmentObjectMetricsExportOverrides),
  scope: StringEnum(['DEPLOYMENT'] as const, { description: 'Kind of entity linked: always DEPLOYMENT.' }),
  scopeEntityId: Type.String({ description: 'The linked Deployment.' }),
  setFields: Type.Array(Type.String(), { description: 'Override fields this link sets, secrets included although masked; map members as dotted paths (`headers.X-Key`).' }),
}));
export type LinkView = Static<typeof EnvironmentObjectLink>;

export const EnvironmentObjectExcludeLink = named('EnvironmentObjectExcludeLink', Type.Object({
  scope: StringEnum(['DEPLOYMENT'] as const, { description: 'Kind of entity excluded: always DEPLOYMENT.' }),
  scopeEntityId: Type.String({ description: 'The excluded Deployment.' }),
}));

export const EnvironmentObject = named('EnvironmentObject', Type.Object({
  airflowVariable: Opt(EnvironmentObjectAirflowVariable),
  autoLinkDeployments: Opt(Type.Boolean({ description: 'Whether every Deployment of the Workspace, present and future, is linked (Workspace objects only).' })),
  connection: Opt(EnvironmentObjectConnection),
  createdAt: Opt(Type.String({ description: 'When the object was created, in UTC (`YYYY-MM-DDTHH:MM:SSZ`).' })),
  createdBy: Opt(BasicSubjectProfile),
  description: Opt(Type.String({ description: 'What the object is for.' })),
  environmentVariable: Opt(EnvironmentObjectEnvironmentVariable),
  excludeLinks: Opt(Type.Array(EnvironmentObjectExcludeLink, { description: 'Deployments left out of automatic linking.' })),
  id: Opt(Type.String({ description: 'Identifier of the object.' })),
  links: Opt(Type.Array(EnvironmentObjectLink, { description: 'Deployments explicitly linked, with their overrides.' })),
  metricsExport: Opt(EnvironmentObjectMetricsExport),
  objectKey: Type.String({ description: 'Key of the object: the connection id, variable name or export name.' }),
  objectType: StringEnum(OBJECT_TYPES, { description: 'Kind of object.' }),
  scope: StringEnum(SCOPES, { description: 'Whether the object belongs to a Workspace or a Deployment.' }),
  scopeEntityId: Type.String({ description: 'The Workspace or Deployment the object belongs to (for a resolved object, the Deployment it is resolved for).' }),
  setFields: Type.Array(Type.String(), { description: 'Fields of the typed block that hold a value, secrets included although masked; map members as dotted paths (`extra.key`).' }),
  sourceScope: Opt(StringEnum(SCOPES, { description: 'Where a resolved object comes from.' })),
  sourceScopeEntityId: Opt(Type.String({ description: 'The Workspace a resolved object comes from.' })),
  updatedAt: Opt(Type.String({ description: 'When the object was last changed, in UTC (`YYYY-MM-DDTHH:MM:SSZ`).' })),
  updatedBy: Opt(BasicSubjectProfile),
}));
export type EnvironmentObjectView = Static<typeof EnvironmentObject>;

export const EnvironmentObjectsPaginated = named('EnvironmentObjectsPaginated', Type.Object({
  environmentObjects: Type.Array(EnvironmentObject, { description: 'The page of objects.' }),
  limit: Type.Integer({ description: 'The limit the page was cut with.' }),
  offset: Type.Integer({ description: 'How many objects were skipped.' }),
  totalCount: Type.Integer({ description: 'How many objects match, across all pages.' }),
}));

export const CreateEnvironmentObject = named('CreateEnvironmentObject', Type.Object({
  id: Type.String({ description: 'Identifier of the new object.' }),
}));

// ---------------------------------------------------------------- requests

export const ExcludeLinkEnvironmentObjectRequest = named('ExcludeLinkEnvironmentObjectRequest', Type.Object({
  scope: StringEnum(['DEPLOYMENT'] as const, { description: 'Kind of entity to exclude: DEPLOYMENT.' }),
  scopeEntityId: Type.String({ description: 'The Deployment to exclude.' }),
}));
export type ExcludeBody = Static<typeof ExcludeLinkEnvironmentObjectRequest>;

function overridesFor(prefix: 'Create' | 'Update') {
  const value = (what: string) => Type.Object({ value: Opt(Type.String({ description: `Value of the ${what} for the linked Deployment.` })) });
  return {
    airflowVariable: Opt(named(`${prefix}EnvironmentObjectAirflowVariableOverridesRequest`, value('Airflow variable'))),
    connection: Opt(named(`${prefix}EnvironmentObjectConnectionOverridesRequest`, Type.Object(connectionFields(' for the linked Deployment')))),
    environmentVariable: Opt(named(`${prefix}EnvironmentObjectEnvironmentVariableOverridesRequest`, value('environment variable'))),
    metricsExport: Opt(named(`${prefix}EnvironmentObjectMetricsExportOverridesRequest`, Type.Object(metricsFields(' for the linked Deployment')))),
  };
}

const CreateEnvironmentObjectOverridesRequest = named('CreateEnvironmentObjectOverridesRequest', Type.Object(overridesFor('Create')));
const UpdateEnvironmentObjectOverridesRequest = named('UpdateEnvironmentObjectOverridesRequest', Type.Object({
  ...overridesFor('Update'),
  unsetFields: Opt(Type.Array(Type.String(), {
    maxItems: 100,
    description: 'Override fields to remove so the link inherits the object\'s value again; a map member as a dotted path (`extra.key`). A field cannot be both set and unset.',
  })),
}));

const linkRequest = (prefix: 'Create' | 'Update', overrides: TSchema) => named(`${prefix}EnvironmentObjectLinkRequest`, Type.Object({
  overrides: Opt(overrides),
  scope: StringEnum(['DEPLOYMENT'] as const, { description: 'Kind of entity to link: DEPLOYMENT.' }),
  scopeEntityId: Type.String({ description: 'The Deployment to link, one of the object\'s Workspace.' }),
}));

const variableRequest = (name: string, what: string, withSecret: boolean) => named(name, Type.Object({
  ...(withSecret ? { isSecret: Opt(Type.Boolean({ description: `Whether the ${what}'s value is a secret; cannot change later.` })) } : {}),
  value: Opt(Type.String({ description: withSecret ? `Value of the ${what}.` : `New value of the ${what}; for a secret, empty or left out keeps the stored value.` })),
}));

export const CreateEnvironmentObjectRequest = named('CreateEnvironmentObjectRequest', Type.Object({
  airflowVariable: Opt(variableRequest('CreateEnvironmentObjectAirflowVariableRequest', 'Airflow variable', true)),
  autoLinkDeployments: Opt(Type.Boolean({ description: 'Link every Deployment of the Workspace, present and future (Workspace objects only).' })),
  connection: Opt(named('CreateEnvironmentObjectConnectionRequest', Type.Object({
    authTypeId: Opt(Type.String({ description: 'Identifier of the connection auth type; accepted, not shown.' })),
    ...connectionBlock(),
  }))),
  description: Opt(Type.String({ maxLength: 500, description: 'What the object is for.' })),
  environmentVariable: Opt(variableRequest('CreateEnvironmentObjectEnvironmentVariableRequest', 'environment variable', true)),
  excludeLinks: Opt(Type.Array(ExcludeLinkEnvironmentObjectRequest, { description: 'Deployments to leave out of automatic linking (Workspace objects only).' })),
  links: Opt(Type.Array(linkRequest('Create', CreateEnvironmentObjectOverridesRequest), { description: 'Deployments to link, with overrides (Workspace objects only).' })),
  metricsExport: Opt(named('CreateEnvironmentObjectMetricsExportRequest', Type.Object(metricsBlock()))),
  objectKey: Type.String({ description: 'Key of the object: the connection id, variable name or export name; unique per scope and type.' }),
  objectType: StringEnum(OBJECT_TYPES, { description: 'Kind of object; the body carries the block of that kind.' }),
  scope: StringEnum(SCOPES, { description: 'Whether the object belongs to a Workspace or a Deployment.' }),
  scopeEntityId: Type.String({ description: 'The Workspace or Deployment the object belongs to.' }),
}));
export type CreateBody = Static<typeof CreateEnvironmentObjectRequest>;

export const UpdateEnvironmentObjectRequest = named('UpdateEnvironmentObjectRequest', Type.Object({
  airflowVariable: Opt(variableRequest('UpdateEnvironmentObjectAirflowVariableRequest', 'Airflow variable', false)),
  autoLinkDeployments: Opt(Type.Boolean({ description: 'Link every Deployment of the Workspace; left out means false.' })),
  connection: Opt(named('UpdateEnvironmentObjectConnectionRequest', Type.Object({
    authTypeId: Opt(Type.String({ description: 'Identifier of the connection auth type; accepted, not shown.' })),
    ...connectionBlock(),
  }))),
  description: Opt(Type.String({ maxLength: 500, description: 'What the object is for.' })),
  environmentVariable: Opt(variableRequest('UpdateEnvironmentObjectEnvironmentVariableRequest', 'environment variable', false)),
  excludeLinks: Opt(Type.Array(ExcludeLinkEnvironmentObjectRequest, { description: 'The complete list of excluded Deployments; left out means none.' })),
  links: Opt(Type.Array(linkRequest('Update', UpdateEnvironmentObjectOverridesRequest), { description: 'The complete list of links; left out means none. Override fields left out of a link entry keep their values.' })),
  metricsExport: Opt(named('UpdateEnvironmentObjectMetricsExportRequest', Type.Object(metricsFields('')))),
}));
export type UpdateBody = Static<typeof UpdateEnvironmentObjectRequest>;

// ---------------------------------------------------------------- parameters

export const ListEnvironmentObjectsQuery = Type.Object({
  offset: Opt(Type.Integer({ minimum: 0, default: 0, description: 'How many results to skip.' })),
  limit: Opt(Type.Integer({ minimum: 0, default: 20, description: 'Largest number of results to return (at most 1000 are returned).' })),
  sorts: Opt(Type.Array(StringEnum(['objectType', 'objectKey', 'createdAt', 'updatedAt'].flatMap((f) => [`${f}:asc`, `${f}:desc`])), {
    description: 'Sort keys, each `<field>:asc` or `<field>:desc`, applied in order.',
  })),
  workspaceId: Opt(Type.String({ description: 'Only the objects of this Workspace.' })),
  deploymentId: Opt(Type.String({ description: 'Only the objects of this Deployment (with resolveLinked, also the Workspace objects linked to it).' })),
  objectType: Opt(StringEnum(OBJECT_TYPES, { description: 'Only objects of this kind.' })),
  objectKey: Opt(Type.String({ description: 'Only objects with exactly this key.' })),
  showSecrets: Opt(Type.Boolean({ description: 'true: show secret values (Organization Owners only).' })),
  resolveLinked: Opt(Type.Boolean({ description: 'With deploymentId: also the Workspace objects linked to the Deployment, as the Deployment sees them (overrides applied).' })),
});
export type ListQuery = Static<typeof ListEnvironmentObjectsQuery>;

export const EnvironmentObjectParams = Type.Object({
  ...OrganizationIdParam.properties,
  environmentObjectId: Type.String({ description: 'Identifier of the environment object.' }),
});
