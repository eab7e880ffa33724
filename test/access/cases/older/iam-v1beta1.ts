import type { AccessCases, OlderSurfaceCases } from '../../types.js';

/**
 * /iam/v1beta1. Users, invites, Teams, custom roles, agent tokens and the allowed-range list take
 * their /v1 cases. Here: CreateApiToken, whose body names the token's scope `type`, and the roles
 * of UpdateTeamRoles, which needs organization.teams.update here (only the Organization Owner
 * holds it; a Workspace Owner, who may change Team roles on /v1, may not here).
 */

const tokens = (orgId: string) => `/iam/v1beta1/organizations/${orgId}/tokens`;

export const cases: AccessCases = {
  CreateApiToken: {
    prepare: async (ctx) => ({ path: tokens(ctx.orgId), body: { name: 'access', type: 'WORKSPACE', entityId: ctx.workspaceId, role: 'WORKSPACE_MEMBER' } }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OPERATOR' },
  },
};

export const derivedRoles: OlderSurfaceCases['derivedRoles'] = {
  UpdateTeamRoles: {
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
    refused: [{ scope: 'WORKSPACE', role: 'WORKSPACE_OWNER' }],
  },
};
