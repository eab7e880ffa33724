import Type, { type Static } from 'typebox';
import {
  BasicSubjectProfile, DagRole, DateTime, DeploymentRole, named, OrganizationIdParam, OrganizationRoleEnum, pageQuery, paginated, StringEnum, WorkspaceRole,
} from '../../core/schemas.js';

export const USER_STATUSES = ['ACTIVE', 'INACTIVE', 'PENDING', 'BANNED'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];


// ---------------------------------------------------------------- responses

export const User = named('User', Type.Object({
  avatarUrl: Type.String({ description: 'Picture of the user; empty when there is none.' }),
  createdAt: DateTime('When the user was created.'),
  dagRoles: Type.Optional(Type.Array(DagRole, { description: 'The user\'s own DAG roles; left out when there are none.' })),
  deploymentRoles: Type.Optional(Type.Array(DeploymentRole, { description: 'The user\'s own Deployment roles; left out when there are none.' })),
  fullName: Type.String({ description: 'The user\'s full name; empty for an invited user who has not signed in yet.' }),
  id: Type.String({ description: 'Identifier of the user.' }),
  organizationRole: Type.Optional(OrganizationRoleEnum('The user\'s role in the Organization.')),
  status: StringEnum(USER_STATUSES, { description: 'ACTIVE once the user has signed in; PENDING while only invited.' }),
  updatedAt: DateTime('When the user was last changed.'),
  username: Type.String({ description: 'The user\'s login name: their email address.' }),
  workspaceRoles: Type.Optional(Type.Array(WorkspaceRole, { description: 'The user\'s own Workspace roles; left out when there are none.' })),
}));
export type UserView = Static<typeof User>;

export const UsersPaginated = paginated('UsersPaginated', 'users', User);


export const SelfUserFeatureFlag = named('SelfUserFeatureFlag', Type.Object({
  key: Type.String({ description: 'Name of the feature.' }),
  value: Type.Boolean({ description: 'Whether it is on for the user.' }),
}));

export const SelfUserInvite = named('SelfUserInvite', Type.Object({
  expiresAt: DateTime('When the invite runs out.'),
  inviteId: Type.String({ description: 'Identifier of the invite.' }),
  organizationId: Type.String({ description: 'The Organization the invite is to.' }),
}));

export const SelfUserRoleScope = named('SelfUserRoleScope', Type.Object({
  dagTag: Type.Optional(Type.String({ description: 'For a role on a DAG tag: the tag.' })),
  deploymentId: Type.Optional(Type.String({ description: 'For a DAG or DAG tag role: the Deployment of the DAGs.' })),
  entityId: Type.String({ description: 'What the role is on: an Organization, Workspace or Deployment id, a DAG id or a DAG tag.' }),
  type: Type.String({ description: 'ORGANIZATION, WORKSPACE, DEPLOYMENT, DAG or DAG_TAG.' }),
}));

export const SelfUserRole = named('SelfUserRole', Type.Object({
  role: Type.String({ description: 'The role.' }),
  scope: SelfUserRoleScope,
}));

export const SelfUser = named('SelfUser', Type.Object({
  avatarUrl: Type.String({ description: 'Picture of the user; empty when there is none.' }),
  createdAt: DateTime('When the user was created.'),
  featureFlags: Type.Optional(Type.Array(SelfUserFeatureFlag, { description: 'Features switched on or off for the user.' })),
  fullName: Type.String({ description: 'The user\'s full name.' }),
  id: Type.String({ description: 'Identifier of the user.' }),
  invites: Type.Optional(Type.Array(SelfUserInvite, { description: 'Open invites to the user\'s email address.' })),
  isIdpManaged: Type.Optional(Type.Boolean({ description: 'Whether an identity provider provisions the user (SCIM); never, here.' })),
  organizationId: Type.Optional(Type.String({ description: 'The user\'s Organization; left out for a user who belongs to none yet.' })),
  roles: Type.Optional(Type.Array(SelfUserRole, { description: 'Every role the user holds, directly or through a Team.' })),
  status: StringEnum(USER_STATUSES, { description: 'The user\'s status.' }),
  updatedAt: DateTime('When the user was last changed.'),
  username: Type.String({ description: 'The user\'s login name: their email address.' }),
}));
export type SelfUserView = Static<typeof SelfUser>;

export const Invite = named('Invite', Type.Object({
  expiresAt: DateTime('When the invite runs out.'),
  inviteId: Type.String({ description: 'Identifier of the invite.' }),
  invitee: BasicSubjectProfile,
  inviter: BasicSubjectProfile,
  organizationId: Type.String({ description: 'The Organization the invite is to.' }),
  organizationName: Type.Optional(Type.String({ description: 'The name of that Organization.' })),
  userId: Type.Optional(Type.String({ description: 'The invited (PENDING) user.' })),
}));
export type InviteView = Static<typeof Invite>;

// ---------------------------------------------------------------- requests

export const UpdateUserRolesRequest = named('UpdateUserRolesRequest', Type.Object({
  dagRoles: Type.Optional(Type.Array(DagRole, { description: 'The complete new DAG roles; left out, they stay as they are.' })),
  deploymentRoles: Type.Optional(Type.Array(DeploymentRole, { description: 'The complete new Deployment roles (needs organizationRole too); left out, they stay as they are.' })),
  organizationRole: Type.Optional(Type.String({ description: 'The new Organization role; left out, it stays as it is.' })),
  workspaceRoles: Type.Optional(Type.Array(WorkspaceRole, { description: 'The complete new Workspace roles (needs organizationRole too); left out, they stay as they are.' })),
}));
export type UpdateUserRolesBody = Static<typeof UpdateUserRolesRequest>;

export const CreateUserInviteRequest = named('CreateUserInviteRequest', Type.Object({
  inviteeEmail: Type.String({ description: 'Email address of the person to invite.' }),
  role: OrganizationRoleEnum('The Organization role the person gets on accepting.'),
}));
export type CreateUserInviteBody = Static<typeof CreateUserInviteRequest>;

// ---------------------------------------------------------------- parameters

export const ListUsersQuery = Type.Object({
  workspaceId: Type.Optional(Type.String({ description: 'Only users holding a role in this Workspace.' })),
  deploymentId: Type.Optional(Type.String({ description: 'Only users holding a role on this Deployment or on DAGs in it.' })),
  dagId: Type.Optional(Type.String({ description: 'Only users holding a role on this DAG.' })),
  dagTags: Type.Optional(Type.Array(Type.String(), { description: 'Only users holding a role on one of these DAG tags.' })),
  ...pageQuery(['id', 'username', 'fullName', 'createdAt', 'updatedAt']),
});
export type ListUsersFilter = Static<typeof ListUsersQuery>;

export const UserParams = Type.Object({
  ...OrganizationIdParam.properties,
  userId: Type.String({ description: 'Identifier of the user.' }),
});

export const InviteParams = Type.Object({
  ...OrganizationIdParam.properties,
  inviteId: Type.String({ description: 'Identifier of the invite.' }),
});

export const SelfUserQuery = Type.Object({
  createIfNotExist: Type.Optional(Type.Boolean({ description: 'true: a person signing in for the first time becomes a user (of no Organization until invited).' })),
});
