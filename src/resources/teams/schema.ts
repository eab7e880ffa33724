import Type, { type Static } from 'typebox';
import {
  BasicSubjectProfile, DagRole, DateTime, DeploymentRole, named, OrganizationIdParam, OrganizationRoleEnum, pageQuery, paginated, StringEnum,
  WorkspaceRole,
} from '../../core/schemas.js';

// ---------------------------------------------------------------- responses

export const Team = named('Team', Type.Object({
  createdAt: DateTime('When the Team was created.'),
  createdBy: Type.Optional(BasicSubjectProfile),
  dagRoles: Type.Optional(Type.Array(DagRole, { description: 'The Team\'s DAG roles; left out when there are none.' })),
  deploymentRoles: Type.Optional(Type.Array(DeploymentRole, { description: 'The Team\'s Deployment roles; left out when there are none.' })),
  description: Type.Optional(Type.String({ description: 'What the Team is for; left out when none was given.' })),
  id: Type.String({ description: 'Identifier of the Team.' }),
  isIdpManaged: Type.Boolean({ description: 'Whether an identity provider manages the Team (its name and members are then read-only here).' }),
  name: Type.String({ description: 'The Team\'s name.' }),
  organizationId: Type.String({ description: 'The Organization of the Team.' }),
  organizationRole: OrganizationRoleEnum('The Team\'s role in the Organization, which every member holds through it.'),
  rolesCount: Type.Optional(Type.Integer({ description: 'How many roles the Team holds, its Organization role included.' })),
  updatedAt: DateTime('When the Team was last changed.'),
  updatedBy: Type.Optional(BasicSubjectProfile),
  workspaceRoles: Type.Optional(Type.Array(WorkspaceRole, { description: 'The Team\'s Workspace roles; left out when there are none.' })),
}));
export type TeamView = Static<typeof Team>;

export const TeamsPaginated = paginated('TeamsPaginated', 'teams', Team);

export const TeamMember = named('TeamMember', Type.Object({
  avatarUrl: Type.Optional(Type.String({ description: 'Picture of the member; left out when there is none.' })),
  createdAt: Type.Optional(DateTime('When the user joined the Team.')),
  fullName: Type.Optional(Type.String({ description: 'The member\'s full name; left out when unknown.' })),
  userId: Type.String({ description: 'Identifier of the user.' }),
  username: Type.String({ description: 'The member\'s login name: their email address.' }),
}));
export type TeamMemberView = Static<typeof TeamMember>;

export const TeamMembersPaginated = paginated('TeamMembersPaginated', 'teamMembers', TeamMember);

// ---------------------------------------------------------------- requests

export const CreateTeamRequest = named('CreateTeamRequest', Type.Object({
  description: Type.Optional(Type.String({ description: 'What the Team is for.' })),
  memberIds: Type.Optional(Type.Array(Type.String(), { description: 'Users of the Organization to put in the Team.' })),
  name: Type.String({ description: 'The Team\'s name.' }),
  organizationRole: Type.Optional(OrganizationRoleEnum('The Team\'s Organization role; ORGANIZATION_MEMBER when left out.')),
}));
export type CreateTeamBody = Static<typeof CreateTeamRequest>;

export const UpdateTeamRequest = named('UpdateTeamRequest', Type.Object({
  description: Type.Optional(Type.String({ description: 'The new description; left out, it stays as it is.' })),
  name: Type.String({ description: 'The new name.' }),
}));
export type UpdateTeamBody = Static<typeof UpdateTeamRequest>;

export const UpdateTeamRolesRequest = named('UpdateTeamRolesRequest', Type.Object({
  dagRoles: Type.Optional(Type.Array(DagRole, { description: 'The complete new DAG roles; left out, they stay as they are.' })),
  deploymentRoles: Type.Optional(Type.Array(DeploymentRole, { description: 'The complete new Deployment roles (Deployments of the Team\'s Organization); left out, they stay as they are.' })),
  organizationRole: Type.String({ description: 'The Team\'s Organization role.' }),
  workspaceRoles: Type.Optional(Type.Array(WorkspaceRole, { description: 'The complete new Workspace roles (Workspaces of the Team\'s Organization); left out, they stay as they are.' })),
}));
export type UpdateTeamRolesBody = Static<typeof UpdateTeamRolesRequest>;

export const AddTeamMembersRequest = named('AddTeamMembersRequest', Type.Object({
  memberIds: Type.Array(Type.String(), { minItems: 1, description: 'Users of the Organization to add; those already in the Team stay.' }),
}));
export type AddTeamMembersBody = Static<typeof AddTeamMembersRequest>;

// ---------------------------------------------------------------- parameters

export const ListTeamsQuery = Type.Object({
  names: Type.Optional(Type.Array(Type.String(), { description: 'Only Teams with one of these names (exact match).' })),
  workspaceId: Type.Optional(Type.String({ description: 'Only Teams holding a role in this Workspace.' })),
  deploymentId: Type.Optional(Type.String({ description: 'Only Teams holding a role on this Deployment or on DAGs in it.' })),
  ...pageQuery(['name', 'description', 'createdAt', 'updatedAt']),
});
export type ListTeamsFilter = Static<typeof ListTeamsQuery>;

const MEMBER_SORTS = ['userId', 'fullName', 'username', 'createdAt'].flatMap((f) => [`${f}:asc`, `${f}:desc`]);

/** The reference sets no maximum limit on this list; pages hold at most MEMBERS_PAGE_MAX members. */
export const ListTeamMembersQuery = Type.Object({
  offset: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'How many members to skip.' })),
  limit: Type.Optional(Type.Integer({ minimum: 0, default: 20, description: 'Largest number of members to return (at most 1000 are).' })),
  sorts: Type.Optional(Type.Array(StringEnum(MEMBER_SORTS), { description: 'Sort keys, each `<field>:asc` or `<field>:desc`, applied in order.' })),
});
export const MEMBERS_PAGE_MAX = 1000;

// ---------------------------------------------------------------- the Teams of a user

export const UserTeamMembership = named('UserTeamMembership', Type.Object({
  dagRoles: Type.Optional(Type.Array(DagRole, { description: 'The Team\'s DAG roles; left out when there are none.' })),
  deploymentRoles: Type.Optional(Type.Array(DeploymentRole, { description: 'The Team\'s Deployment roles; left out when there are none.' })),
  description: Type.Optional(Type.String({ description: 'What the Team is for.' })),
  id: Type.String({ description: 'Identifier of the Team.' }),
  isIdpManaged: Type.Boolean({ description: 'Whether an identity provider manages the Team (its name and members are then read-only here).' }),
  name: Type.String({ description: 'The Team\'s name.' }),
  organizationRole: OrganizationRoleEnum('The Team\'s role in the Organization.'),
  rolesCount: Type.Optional(Type.Integer({ description: 'How many roles the Team holds, its Organization role included.' })),
  workspaceRoles: Type.Optional(Type.Array(WorkspaceRole, { description: 'The Team\'s Workspace roles; left out when there are none.' })),
}));
export type UserTeamMembershipView = Static<typeof UserTeamMembership>;

export const UserTeamsPaginated = paginated('UserTeamsPaginated', 'teams', UserTeamMembership);

export const ListUserTeamsQuery = Type.Object({
  ...pageQuery(['name', 'description', 'createdAt', 'updatedAt']),
});

export const UserTeamsParams = Type.Object({
  ...OrganizationIdParam.properties,
  userId: Type.String({ description: 'Identifier of the user.' }),
});

export const TeamParams = Type.Object({
  ...OrganizationIdParam.properties,
  teamId: Type.String({ description: 'Identifier of the Team.' }),
});

export const TeamMemberParams = Type.Object({
  ...TeamParams.properties,
  memberId: Type.String({ description: 'Identifier of the user.' }),
});
