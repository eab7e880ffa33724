import Type, { type Static } from 'typebox';
import { BasicSubjectProfile, DateTime, named, OrganizationIdParam, pageQuery, paginated, StringEnum } from '../../core/schemas.js';

export const TOKEN_SCOPES = ['DEPLOYMENT', 'WORKSPACE', 'ORGANIZATION'] as const;
export const TOKEN_KINDS = ['STANDARD', 'DIRECT_ACCESS'] as const;
export const ROLE_ENTITY_TYPES = ['DEPLOYMENT', 'WORKSPACE', 'ORGANIZATION', 'DAG', 'DAG_TAG'] as const;
export type RoleEntityType = (typeof ROLE_ENTITY_TYPES)[number];
export type TokenKind = (typeof TOKEN_KINDS)[number];

/** Longest expiry a token may have, in days. */
export const MAX_EXPIRY_DAYS = 3650;

// ---------------------------------------------------------------- responses

export const ApiTokenRole = named('ApiTokenRole', Type.Object({
  deploymentId: Type.Optional(Type.String({ description: 'For DAG and DAG_TAG roles: the Deployment the DAG runs in.' })),
  entityId: Type.String({ description: 'What the role applies to: an Organization, Workspace or Deployment id, a DAG id, or a DAG tag.' }),
  entityType: StringEnum(ROLE_ENTITY_TYPES, { description: 'The kind of thing the role applies to.' }),
  role: Type.String({ description: 'The role held there.' }),
}));
export type ApiTokenRoleView = Static<typeof ApiTokenRole>;

export const ApiToken = named('ApiToken', Type.Object({
  createdAt: DateTime('When the token was created.'),
  createdBy: Type.Optional(BasicSubjectProfile),
  description: Type.String({ description: 'What the token is for; empty when none was given.' }),
  endAt: Type.Optional(DateTime('When the token stops working; left out for a token that never expires.')),
  expiryPeriodInDays: Type.Optional(Type.Integer({ description: 'How many days the token lasts; left out for a token that never expires.' })),
  id: Type.String({ description: 'Identifier of the token.' }),
  kind: StringEnum(TOKEN_KINDS, { description: 'The kind of token.' }),
  lastRotatedAt: Type.Optional(DateTime('When the token last got a new secret.')),
  lastUsedAt: Type.Optional(DateTime('When a request last came with the token.')),
  name: Type.String({ description: 'Display name of the token.' }),
  roles: Type.Optional(Type.Array(ApiTokenRole, { description: 'Every role the token holds.' })),
  scope: StringEnum(TOKEN_SCOPES, { description: 'Whether the token belongs to the Organization, a Workspace or a Deployment.' }),
  shortToken: Type.String({ description: 'The last characters of the secret, for recognising it.' }),
  startAt: DateTime('When the current secret became valid.'),
  token: Type.Optional(Type.String({ description: 'The secret; only in the answers of create and rotate.' })),
  updatedAt: DateTime('When the token was last changed.'),
  updatedBy: Type.Optional(BasicSubjectProfile),
}));
export type ApiTokenView = Static<typeof ApiToken>;

export const ApiTokensPaginated = paginated('ApiTokensPaginated', 'tokens', ApiToken);

// The role shapes users and Teams share with tokens live in core/schemas.ts.
export { DagRole, DeploymentRole, SubjectRoles, WorkspaceRole, type SubjectRolesView } from '../../core/schemas.js';

// ---------------------------------------------------------------- requests

export const CreateApiTokenRequest = named('CreateApiTokenRequest', Type.Object({
  description: Type.Optional(Type.String({ description: 'What the token is for.' })),
  entityId: Type.Optional(Type.String({ description: 'The Workspace or Deployment the token belongs to; required for those scopes.' })),
  kind: Type.Optional(StringEnum(TOKEN_KINDS, { description: 'The kind of token; STANDARD when left out.' })),
  name: Type.String({ description: 'Display name of the token.' }),
  role: Type.String({ description: 'The token\'s role on the entity of its scope.' }),
  scope: StringEnum(TOKEN_SCOPES, { description: 'Whether the token belongs to the Organization, a Workspace or a Deployment.' }),
  tokenExpiryPeriodInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_EXPIRY_DAYS, description: 'How many days the token lasts; left out, it never expires.' })),
}));
export type CreateApiTokenBody = Static<typeof CreateApiTokenRequest>;

export const UpdateApiTokenRequest = named('UpdateApiTokenRequest', Type.Object({
  description: Type.Optional(Type.String({ maxLength: 500, description: 'What the token is for.' })),
  name: Type.String({ minLength: 1, maxLength: 256, description: 'Display name of the token.' }),
}));
export type UpdateApiTokenBody = Static<typeof UpdateApiTokenRequest>;

export const UpdateApiTokenRolesRequest = named('UpdateApiTokenRolesRequest', Type.Object({
  roles: Type.Array(ApiTokenRole, { minItems: 1, description: 'The complete new set of roles, DAG roles included.' }),
}));
export type UpdateApiTokenRolesBody = Static<typeof UpdateApiTokenRolesRequest>;

export const CreateAgentTokenRequest = named('CreateAgentTokenRequest', Type.Object({
  description: Type.Optional(Type.String({ description: 'What the agent token is for.' })),
  name: Type.String({ description: 'Display name of the agent token.' }),
  tokenExpiryPeriodInDays: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_EXPIRY_DAYS, description: 'How many days the token lasts; left out, it never expires.' })),
}));
export type CreateAgentTokenBody = Static<typeof CreateAgentTokenRequest>;

// ---------------------------------------------------------------- parameters

export const ListApiTokensQuery = Type.Object({
  workspaceId: Type.Optional(Type.String({ description: 'Only tokens holding a role in this Workspace (its own tokens and Organization tokens assigned to it).' })),
  deploymentId: Type.Optional(Type.String({ description: 'Only tokens holding a role on this Deployment or its DAGs.' })),
  dagId: Type.Optional(Type.String({ description: 'Only tokens holding a role on this DAG.' })),
  dagTags: Type.Optional(Type.Array(Type.String(), { description: 'Only tokens holding a role on one of these DAG tags.' })),
  includeOnlyOrganizationTokens: Type.Optional(Type.Boolean({ description: 'true: only Organization tokens.' })),
  kind: Type.Optional(StringEnum(TOKEN_KINDS, { description: 'Only tokens of this kind.' })),
  ...pageQuery(['name', 'description', 'createdAt', 'updatedAt', 'tokenStartAt']),
});
export type ListApiTokensFilter = Static<typeof ListApiTokensQuery>;

export const TokenParams = Type.Object({
  ...OrganizationIdParam.properties,
  tokenId: Type.String({ description: 'Identifier of the API token.' }),
});

export const AgentTokenDeploymentParams = Type.Object({
  ...OrganizationIdParam.properties,
  deploymentId: Type.String({ description: 'Identifier of the Deployment the agent tokens belong to.' }),
});

export const AgentTokenParams = Type.Object({
  ...AgentTokenDeploymentParams.properties,
  agentTokenId: Type.String({ description: 'Identifier of the agent token.' }),
});

export const ListAgentTokensQuery = Type.Object({
  ...pageQuery(['name', 'description', 'createdAt', 'updatedAt', 'createdById', 'updatedById', 'tokenStartAt']),
});
