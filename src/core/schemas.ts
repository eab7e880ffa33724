import Type, { type Static, type TArray, type TInteger, type TProperties, type TSchema, type TUnsafe, type TObject } from 'typebox';
import { WORKSPACE_ROLES } from './roles.js';

/**
 * Shared schema building blocks. A schema passed through `named()` becomes a component of the
 * OpenAPI document of every surface that uses it (`#/components/schemas/<name>`); everywhere else
 * it is used inline, so request validation and response serialization need no reference
 * resolution. Names are checked per surface when its document is built: two different schemas
 * under one name in one surface stop the server at start-up.
 */
/** Hidden marker: TypeBox modifiers such as `Type.Optional(X)` copy it onto the copy they make. */
const NAME_MARK = '~astrolabeName';

export function named<T extends TSchema>(name: string, schema: T): T {
  Object.defineProperty(schema, NAME_MARK, { value: name, enumerable: false, configurable: true });
  return schema;
}

/** The component name a schema (or a modifier's copy of it) was given, if any. */
export function schemaName(schema: object): string | undefined {
  const mark = (schema as Record<string, unknown>)[NAME_MARK];
  return typeof mark === 'string' ? mark : undefined;
}

const nullTolerant = new WeakSet<object>();

/**
 * A request body (an object, or a discriminatedUnion made with `nullAsAbsent`) in which JSON null
 * anywhere means "not sent": Go clients send nil slices and pointers as null (the Terraform
 * provider's custom-role restrictedWorkspaceIds, its Deployment and alert bodies). The nulls are
 * removed before the body is validated; the schema served stays the reference's.
 */
export function nullAsAbsent<T extends TObject>(schema: T): T {
  nullTolerant.add(schema);
  return schema;
}

export function isNullAsAbsent(schema: object): boolean {
  return nullTolerant.has(schema);
}

export interface UnionInfo {
  property: string;
  mapping: Record<string, TObject>;
  /** Checks a body that leaves the property out (the handler then picks the member); absent: the property is required. */
  whenAbsent?: TObject;
}
const unions = new WeakMap<object, UnionInfo>();

/**
 * A request body chosen by one property (`cloudProvider`, `clusterType`, `type`). It is served
 * as `oneOf` + `discriminator` and validated by picking the member named by the property.
 */
export function discriminatedUnion<M extends Record<string, TObject>>(
  name: string,
  property: string,
  mapping: M,
  description: string,
  options: { whenAbsent?: TObject; nullAsAbsent?: boolean; untyped?: boolean } = {},
): TUnsafe<Static<M[keyof M]>> {
  const { untyped, nullAsAbsent: nulls, ...info } = options;
  const schema = Type.Unsafe<Static<M[keyof M]>>({
    // The older documents give a union no type of its own (`untyped`).
    ...(untyped ? {} : { type: 'object' }),
    description,
    oneOf: Object.values(mapping),
    discriminator: { propertyName: property },
  });
  unions.set(schema, { property, mapping, ...info });
  if (nulls) nullTolerant.add(schema);
  return named(name, schema);
}

export function unionInfo(schema: object): UnionInfo | undefined {
  return unions.get(schema);
}

/** A string limited to fixed values, served as `{type: string, enum: [...]}`. */
export function StringEnum<const V extends readonly string[]>(values: V, options: { description?: string } = {}): TUnsafe<V[number]> {
  return Type.Unsafe<V[number]>({ type: 'string', enum: [...values], ...options });
}

/** An OpenAPI 3.0 `nullable` scalar: the validator accepts null as well as the type. */
export function Nullable<T extends TSchema>(schema: T) {
  return Type.Unsafe<Static<T> | null>({ ...schema, nullable: true });
}

/** A property schema without TypeBox's optional mark (what Type.Required does to it). */
type Unoptional<S> = S extends { '~optional': true } ? Omit<S, '~optional'> : S;
/** The static side of `requiring`. */
type Requiring<P extends TProperties, K extends keyof P> = TObject<Omit<P, K> & { [k in K]: Unoptional<P[k]> }>;

/** `schema` with `keys` required (the older surfaces require fields /v1 makes optional). */
export function requiring<P extends TProperties, K extends keyof P & string>(schema: TObject<P>, keys: readonly K[]): Requiring<P, K> {
  return Type.Object({
    ...(Type.Omit(schema, keys) as TObject).properties,
    ...(Type.Required(Type.Pick(schema, keys)) as TObject).properties,
  }) as unknown as Requiring<P, K>;
}

export const DateTime = (description: string) => Type.String({ format: 'date-time', description });

export const CLOUD_PROVIDERS = ['AWS', 'AZURE', 'GCP'] as const;
export type CloudProvider = (typeof CLOUD_PROVIDERS)[number];

export const FieldValidationError = named('FieldValidationError', Type.Object({
  code: Type.String({ description: 'Name of the rule the value broke, such as required, max or oneof.' }),
  field: Type.String({ description: 'Path of the offending field in the request.' }),
  message: Type.String({ description: 'What is wrong with the field, for people.' }),
}));

const errorProperties = {
  fieldErrors: Type.Optional(Type.Array(FieldValidationError, { description: 'One entry per invalid field, on validation failures only.' })),
  message: Type.String({ description: 'What went wrong.' }),
  requestId: Type.String({ description: 'Identifier of the request, for support and logs.' }),
};

export const ErrorSchema = named('Error', Type.Object({
  ...errorProperties,
  statusCode: Type.Integer({ minimum: 400, maximum: 600, description: 'The HTTP status code, repeated in the body.' }),
}));

/** The same error body as documented by a surface that states no range for `statusCode` (labs). */
export const ErrorSchemaWithoutLimits = named('Error', Type.Object({
  ...errorProperties,
  statusCode: Type.Integer({ description: 'The HTTP status code, repeated in the body.' }),
}));

export const BasicSubjectProfile = named('BasicSubjectProfile', Type.Object({
  apiTokenName: Type.Optional(Type.String({ description: 'Name of the API token, when the subject is a token.' })),
  avatarUrl: Type.Optional(Type.String({ description: 'Picture of the user.' })),
  fullName: Type.Optional(Type.String({ description: 'Full name of the user.' })),
  id: Type.String({ description: 'Identifier of the user or API token.' }),
  subjectType: Type.Optional(StringEnum(['USER', 'SERVICEKEY'], { description: 'Whether the subject is a user or an API token.' })),
  username: Type.Optional(Type.String({ description: 'Login name of the user.' })),
}));

// ---------------------------------------------------------------- roles held by tokens, users and Teams

// The reference lists the Organization roles in this order wherever it declares them as an enum.
const ORGANIZATION_ROLE_ENUM = ['ORGANIZATION_OWNER', 'ORGANIZATION_OBSERVE_ADMIN', 'ORGANIZATION_OBSERVE_MEMBER', 'ORGANIZATION_BILLING_ADMIN', 'ORGANIZATION_MEMBER'] as const;
/** An Organization role as users, invites and Teams declare it: a string limited to the built-in roles. */
export const OrganizationRoleEnum = (description: string) => StringEnum(ORGANIZATION_ROLE_ENUM, { description });

export const DagRole = named('DagRole', Type.Object({
  dagId: Type.Optional(Type.String({ description: 'The DAG, when the role is on one DAG.' })),
  dagTag: Type.Optional(Type.String({ description: 'The DAG tag, when the role is on every DAG with it.' })),
  deploymentId: Type.String({ description: 'The Deployment the DAGs run in.' }),
  role: Type.String({ description: 'The DAG role.' }),
}));

export const DeploymentRole = named('DeploymentRole', Type.Object({
  deploymentId: Type.String({ description: 'The Deployment.' }),
  role: Type.String({ description: 'The role held in it.' }),
}));

export const WorkspaceRole = named('WorkspaceRole', Type.Object({
  role: StringEnum(WORKSPACE_ROLES, { description: 'The role held in it.' }),
  workspaceId: Type.String({ description: 'The Workspace.' }),
}));

export const SubjectRoles = named('SubjectRoles', Type.Object({
  dagRoles: Type.Optional(Type.Array(DagRole, { description: 'Roles on DAGs; left out when there are none.' })),
  deploymentRoles: Type.Optional(Type.Array(DeploymentRole, { description: 'Roles on Deployments; left out when there are none.' })),
  organizationRole: Type.Optional(Type.String({ description: 'The role in the Organization, if any.' })),
  workspaceRoles: Type.Optional(Type.Array(WorkspaceRole, { description: 'Roles in Workspaces; left out when there are none.' })),
}));
export type SubjectRolesView = Static<typeof SubjectRoles>;

/** Query parameters every paginated list takes. */
export function pageQuery<const F extends readonly string[]>(sortFields: F) {
  const sortValues = sortFields.flatMap((f) => [`${f}:asc`, `${f}:desc`]);
  return {
    offset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'How many results to skip.' })),
    limit: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, default: 20, description: 'Largest number of results to return.' })),
    sorts: Type.Optional(Type.Array(StringEnum(sortValues), { description: 'Sort keys, each `<field>:asc` or `<field>:desc`, applied in order.' })),
  };
}

/** The envelope of a paginated list: `{<key>: [...], limit, offset, totalCount}`. */
export function paginated<K extends string, T extends TSchema>(name: string, key: K, item: T) {
  return named(name, Type.Object({
    [key]: Type.Array(item, { description: 'The page of results.' }),
    limit: Type.Integer({ description: 'The limit the page was cut with.' }),
    offset: Type.Integer({ description: 'How many results were skipped.' }),
    totalCount: Type.Integer({ description: 'How many results match, across all pages.' }),
  } as { [P in K]: TArray<T> } & { limit: TInteger; offset: TInteger; totalCount: TInteger }));
}

export const OrganizationIdParam = Type.Object({
  organizationId: Type.String({ description: 'Identifier of the Organization.' }),
});
