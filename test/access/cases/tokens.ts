import assert from 'node:assert/strict';
import type { AccessCases, MatrixContext } from '../types.js';

const base = (orgId: string) => `/v1/organizations/${orgId}/tokens`;

/**
 * A Deployment token of ctx's Deployment, made by the owner. Deployment API tokens are the
 * Workspace Owner's (domain.md §4.1): an Operator (the role just below) and a Deployment Admin
 * (an Operator limited to the Deployment) are refused.
 */
async function deploymentToken(ctx: MatrixContext): Promise<string> {
  const res = await ctx.s.api.post(base(ctx.orgId), { name: 'access', scope: 'DEPLOYMENT', entityId: ctx.deploymentId, role: 'DEPLOYMENT_ADMIN' });
  assert.equal(res.status, 200, res.text);
  return `${base(ctx.orgId)}/${res.body.id}`;
}

export const cases: AccessCases = {
  ListApiTokens: {
    // Workspace callers list with their Workspace as filter, as the CLI does.
    prepare: async (ctx) => ({ path: base(ctx.orgId), query: { workspaceId: ctx.workspaceId } }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OPERATOR' },
  },
  CreateApiToken: {
    prepare: async (ctx) => ({ path: base(ctx.orgId), body: { name: 'access', scope: 'WORKSPACE', entityId: ctx.workspaceId, role: 'WORKSPACE_MEMBER' } }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OPERATOR' },
  },
  GetApiToken: {
    prepare: async (ctx) => ({ path: await deploymentToken(ctx) }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OWNER' },
    refused: [{ scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' }],
  },
  UpdateApiToken: {
    prepare: async (ctx) => ({ path: await deploymentToken(ctx), body: { name: 'renamed', description: 'changed' } }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OWNER' },
    refused: [{ scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' }],
  },
  DeleteApiToken: {
    prepare: async (ctx) => ({ path: await deploymentToken(ctx) }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OWNER' },
    refused: [{ scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' }],
  },
  UpdateApiTokenRoles: {
    prepare: async (ctx) => ({
      path: `${await deploymentToken(ctx)}/roles`,
      body: { roles: [{ entityType: 'DEPLOYMENT', entityId: ctx.deploymentId, role: 'DEPLOYMENT_ADMIN' }] },
    }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OWNER' },
    refused: [{ scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' }],
  },
  RotateApiToken: {
    prepare: async (ctx) => ({ path: `${await deploymentToken(ctx)}/rotate` }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OWNER' },
    refused: [{ scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' }],
  },
};
