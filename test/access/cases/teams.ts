import assert from 'node:assert/strict';
import type { AccessCases, MatrixContext } from '../types.js';

let n = 0;

/** A new Team of the Organization, with one (invited) member when asked. */
async function team(ctx: MatrixContext, withMember = false): Promise<{ teamId: string; userId?: string }> {
  let userId: string | undefined;
  if (withMember) {
    const inv = await ctx.s.api.post(`/v1/organizations/${ctx.orgId}/invites`, { inviteeEmail: `team-matrix${++n}.${Date.now().toString(36)}@example.com`, role: 'ORGANIZATION_MEMBER' });
    assert.equal(inv.status, 200, inv.text);
    userId = inv.body.userId;
  }
  const res = await ctx.s.api.post(`/v1/organizations/${ctx.orgId}/teams`, { name: `matrix team ${++n}`, ...(userId ? { memberIds: [userId] } : {}) });
  assert.equal(res.status, 200, res.text);
  return { teamId: res.body.id, userId };
}

/** A user of the Organization who is in no Team. */
async function user(ctx: MatrixContext): Promise<string> {
  const inv = await ctx.s.api.post(`/v1/organizations/${ctx.orgId}/invites`, { inviteeEmail: `team-user${++n}.${Date.now().toString(36)}@example.com`, role: 'ORGANIZATION_MEMBER' });
  assert.equal(inv.status, 200, inv.text);
  return inv.body.userId;
}

const teams = (ctx: MatrixContext) => `/v1/organizations/${ctx.orgId}/teams`;

export const cases: AccessCases = {
  ListTeams: {
    prepare: async (ctx) => ({ path: teams(ctx), body: undefined, query: undefined }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' },
  },
  CreateTeam: {
    prepare: async (ctx) => ({ path: teams(ctx), body: { name: `matrix created ${++n}` }, query: undefined }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
  GetTeam: {
    prepare: async (ctx) => ({ path: `${teams(ctx)}/${(await team(ctx)).teamId}`, body: undefined, query: undefined }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' },
  },
  UpdateTeam: {
    prepare: async (ctx) => ({ path: `${teams(ctx)}/${(await team(ctx)).teamId}`, body: { name: 'renamed', description: '' }, query: undefined }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
  DeleteTeam: {
    prepare: async (ctx) => ({ path: `${teams(ctx)}/${(await team(ctx)).teamId}`, body: undefined, query: undefined }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
  ListTeamMembers: {
    prepare: async (ctx) => ({ path: `${teams(ctx)}/${(await team(ctx, true)).teamId}/members`, body: undefined, query: undefined }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' },
  },
  AddTeamMembers: {
    prepare: async (ctx) => ({ path: `${teams(ctx)}/${(await team(ctx)).teamId}/members`, body: { memberIds: [await user(ctx)] }, query: undefined }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
  RemoveTeamMember: {
    prepare: async (ctx) => {
      const t = await team(ctx, true);
      return { path: `${teams(ctx)}/${t.teamId}/members/${t.userId}`, body: undefined, query: undefined };
    },
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
  UpdateTeamRoles: {
    prepare: async (ctx) => ({
      path: `${teams(ctx)}/${(await team(ctx)).teamId}/roles`,
      // The Team's Organization role sent back as it is (no change there), a role in W granted.
      body: { organizationRole: 'ORGANIZATION_MEMBER', workspaceRoles: [{ workspaceId: ctx.workspaceId, role: 'WORKSPACE_MEMBER' }] },
      query: undefined,
    }),
    // Each change is checked on its own entity (domain.md §4.2, 2026-07-01): a Workspace Owner
    // sets a Team's roles inside its Workspace.
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OWNER' },
  },
};
