import Type from 'typebox';
import { byOperationId, presentAs } from '../../http/projection.js';
import { operations } from './routes.js';
import { ListTeamsQuery } from './schema.js';

/**
 * Teams on /iam/v1beta1: the list has no Workspace or Deployment filter there, and changing a
 * Team's roles needs `organization.teams.update`, the permission that generation checked (v1 has
 * `organization.teamRoles.access` since 2026-07-01).
 */
const v1 = byOperationId(operations);

export const iamOperations = [
  // This surface has no Workspace or Deployment filter: it lists every Team whatever such a
  // parameter says (presentAs drops the parameters its query does not declare).
  presentAs(v1.ListTeams, { query: Type.Omit(ListTeamsQuery, ['workspaceId', 'deploymentId']) }),
  ...(['CreateTeam', 'GetTeam', 'UpdateTeam', 'DeleteTeam', 'ListTeamMembers', 'AddTeamMembers', 'RemoveTeamMember'] as const).map((id) => presentAs(v1[id])),
  presentAs(v1.UpdateTeamRoles, { permission: 'organization.teams.update' }),
];
