import Type, { type Static } from 'typebox';
import { BasicSubjectProfile, DateTime, named, OrganizationIdParam, pageQuery, StringEnum } from '../../core/schemas.js';

/** Scopes a role can have, as the reference names them in each place. */
export const ROLE_SCOPES = ['DEPLOYMENT', 'WORKSPACE', 'ORGANIZATION'] as const;
export const FILTER_SCOPES = ['DEPLOYMENT', 'WORKSPACE', 'ORGANIZATION', 'DAG'] as const;
export const DEFAULT_ROLE_SCOPES = ['DEPLOYMENT', 'WORKSPACE', 'ORGANIZATION', 'SYSTEM', 'DAG'] as const;
export const CUSTOM_ROLE_SCOPES = ['DEPLOYMENT', 'DAG'] as const;
export type CustomRoleScope = (typeof CUSTOM_ROLE_SCOPES)[number];

const name = (what: string) => Type.String({ description: `The ${what}'s name.` });
const description = (what: string) => Type.String({ description: `What the ${what} is for.` });
const permissions = Type.Array(Type.String(), { description: 'The permissions the role grants.' });
const restrictedWorkspaceIds = Type.Array(Type.String(), { description: 'The Workspaces whose Deployments the role may be used in; empty: all of them.' });

// ---------------------------------------------------------------- responses

/**
 * The reference's answer enum lists DEPLOYMENT, WORKSPACE and ORGANIZATION, yet its create
 * request takes DAG: a DAG role answers with scopeType DAG (Terraform compares the scope it sent
 * with the one read back), so the served enum has DAG too.
 */
const scopeType = StringEnum([...ROLE_SCOPES, 'DAG'], { description: 'The scope the role is held on.' });
const audit = {
  createdAt: DateTime('When the role was created.'),
  createdBy: BasicSubjectProfile,
  updatedAt: DateTime('When the role was last changed.'),
  updatedBy: BasicSubjectProfile,
};

export const Role = named('Role', Type.Object({
  ...audit,
  description: Type.Optional(description('role')),
  id: Type.String({ description: 'Identifier of the role.' }),
  name: name('role'),
  restrictedWorkspaceIds,
  scopeType,
}));
export type RoleView = Static<typeof Role>;

export const RoleWithPermission = named('RoleWithPermission', Type.Object({
  ...audit,
  description: Type.Optional(description('role')),
  id: Type.String({ description: 'Identifier of the role.' }),
  name: name('role'),
  permissions,
  restrictedWorkspaceIds,
  scopeType,
}));
export type RoleWithPermissionView = Static<typeof RoleWithPermission>;

export const DefaultRole = named('DefaultRole', Type.Object({
  description: Type.Optional(description('role')),
  name: name('role'),
  permissions,
  scopeType: StringEnum(DEFAULT_ROLE_SCOPES, { description: 'The scope the role is held on.' }),
}));
export type DefaultRoleView = Static<typeof DefaultRole>;

export const RolesPaginated = named('RolesPaginated', Type.Object({
  defaultRoles: Type.Optional(Type.Array(DefaultRole, { description: 'The built-in roles, when asked for.' })),
  limit: Type.Integer({ description: 'The limit the page of custom roles was cut with.' }),
  offset: Type.Integer({ description: 'How many custom roles were skipped.' }),
  roles: Type.Array(Role, { description: 'The page of custom roles.' }),
  totalCount: Type.Integer({ description: 'How many custom roles match, across all pages.' }),
}));

export const RoleTemplate = named('RoleTemplate', Type.Object({
  description: Type.Optional(description('template')),
  name: name('template'),
  permissions,
  scopeType: StringEnum(DEFAULT_ROLE_SCOPES, { description: 'The scope of the roles made from the template.' }),
}));

export const PermissionEntry = named('PermissionEntry', Type.Object({
  action: Type.String({ description: 'The last part of the permission, such as get or update.' }),
  description: Type.String({ description: 'What the permission allows.' }),
}));

export const PermissionGroup = named('PermissionGroup', Type.Object({
  description: Type.String({ description: 'What the group\'s permissions cover.' }),
  name: Type.String({ description: 'The permissions\' common prefix; a permission is `<name>.<action>`.' }),
  permissions: Type.Array(PermissionEntry, { description: 'The permissions of the group.' }),
  scope: Type.String({ description: 'Readable name of what the group covers.' }),
}));

// ---------------------------------------------------------------- requests

export const CreateCustomRoleRequest = named('CreateCustomRoleRequest', Type.Object({
  description: Type.Optional(description('role')),
  name: name('role'),
  permissions: Type.Array(Type.String(), { minItems: 1, description: 'The permissions the role grants; each one a custom role of its scope may hold (see ListPermissionGroups).' }),
  restrictedWorkspaceIds: Type.Optional(Type.Array(Type.String(), { description: 'Limit the role to Deployments of these Workspaces of the Organization.' })),
  scopeType: StringEnum(CUSTOM_ROLE_SCOPES, { description: 'Whether the role is held on Deployments or on DAGs.' }),
}));
export type CreateCustomRoleBody = Static<typeof CreateCustomRoleRequest>;

export const UpdateCustomRoleRequest = named('UpdateCustomRoleRequest', Type.Object({
  description: Type.Optional(description('role')),
  name: name('role'),
  permissions: Type.Array(Type.String(), { minItems: 1, description: 'The complete new set of permissions.' }),
  restrictedWorkspaceIds: Type.Optional(Type.Array(Type.String(), { description: 'The complete new set of Workspaces the role is limited to; left out: unchanged.' })),
}));
export type UpdateCustomRoleBody = Static<typeof UpdateCustomRoleRequest>;

const { offset, sorts } = pageQuery(['name', 'scopeType', 'description', 'createdAt', 'updatedAt']);
const scopeTypes = Type.Optional(Type.Array(StringEnum(FILTER_SCOPES), { description: 'Only roles of these scopes.' }));

export const ListRolesQuery = Type.Object({
  includeDefaultRoles: Type.Optional(Type.Boolean({ description: 'Also return the built-in roles (not paginated).' })),
  scopeTypes,
  offset,
  // The reference puts no maximum on this list's limit.
  limit: Type.Optional(Type.Integer({ minimum: 0, default: 20, description: 'Largest number of custom roles to return.' })),
  sorts,
});
export type ListRolesFilter = Static<typeof ListRolesQuery>;

export const ListRoleTemplatesQuery = Type.Object({ scopeTypes });

export const ListPermissionGroupsQuery = Type.Object({
  scopeType: Type.Optional(StringEnum(FILTER_SCOPES, { description: 'Only groups of this scope; only DEPLOYMENT and DAG have any.' })),
});

export const CustomRoleParams = Type.Object({
  ...OrganizationIdParam.properties,
  customRoleId: Type.String({ description: 'Identifier of the custom role.' }),
});

export const RoleParams = Type.Object({
  ...OrganizationIdParam.properties,
  roleId: Type.String({ description: 'Identifier of the role.' }),
});
