import assert from 'node:assert/strict';
import type { AccessCases, MatrixContext } from '../types.js';

/*
 * GetSelfUser has no case: it describes a user and answers every API token 400, so no token role
 * makes it succeed (its callers are covered in test/resources/users.test.ts).
 */

let n = 0;

/** A PENDING user of the Organization (invited by the owner). */
async function invited(ctx: MatrixContext): Promise<{ userId: string; inviteId: string }> {
  const res = await ctx.s.api.post(`/v1/organizations/${ctx.orgId}/invites`, { inviteeEmail: `matrix${++n}.${Date.now().toString(36)}@example.com`, role: 'ORGANIZATION_MEMBER' });
  assert.equal(res.status, 200, res.text);
  return { userId: res.body.userId, inviteId: res.body.inviteId };
}

export const cases: AccessCases = {
  ListUsers: {
    prepare: async (ctx) => ({ path: `/v1/organizations/${ctx.orgId}/users`, body: undefined, query: undefined }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' },
  },
  GetUser: {
    prepare: async (ctx) => ({ path: `/v1/organizations/${ctx.orgId}/users/${(await invited(ctx)).userId}`, body: undefined, query: undefined }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' },
  },
  UpdateUserRoles: {
    prepare: async (ctx) => ({
      path: `/v1/organizations/${ctx.orgId}/users/${(await invited(ctx)).userId}/roles`,
      // The user's Organization role sent back as it is (no change there), a role in W granted.
      body: { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ctx.workspaceId, role: 'WORKSPACE_MEMBER' }] },
      query: undefined,
    }),
    // Each change is checked on its own entity (domain.md §4.2, 2026-07-01): a Workspace Owner
    // sets roles inside its Workspace.
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OWNER' },
  },
  ListUserTeams: {
    prepare: async (ctx) => ({ path: `/v1/organizations/${ctx.orgId}/users/${(await invited(ctx)).userId}/teams`, body: undefined, query: undefined }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' },
  },
  CreateUserInvite: {
    prepare: async (ctx) => ({
      path: `/v1/organizations/${ctx.orgId}/invites`,
      body: { inviteeEmail: `matrix-new${++n}.${Date.now().toString(36)}@example.com`, role: 'ORGANIZATION_MEMBER' },
      query: undefined,
    }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
  DeleteUserInvite: {
    prepare: async (ctx) => ({ path: `/v1/organizations/${ctx.orgId}/invites/${(await invited(ctx)).inviteId}`, body: undefined, query: undefined }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
};
