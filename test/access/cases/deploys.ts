import assert from 'node:assert/strict';
import type { AccessCases, MatrixContext } from '../types.js';

type Json = Record<string, any>;
const deploys = (ctx: MatrixContext) => `/v1/organizations/${ctx.orgId}/deployments/${ctx.deploymentId}/deploys`;
const agentTokens = (ctx: MatrixContext) => `/v1/organizations/${ctx.orgId}/deployments/${ctx.deploymentId}/agent-tokens`;

/** An image-only deploy of ctx's Deployment, made by the owner (finalized when asked). */
async function imageDeploy(ctx: MatrixContext, finalized: boolean): Promise<Json> {
  const d = await ctx.s.api.post(deploys(ctx), { type: 'IMAGE_ONLY' });
  assert.equal(d.status, 200, d.text);
  if (finalized) {
    const f = await ctx.s.api.post(`${deploys(ctx)}/${d.body.id}/finalize`, {});
    assert.equal(f.status, 200, f.text);
  }
  return d.body;
}

async function agentToken(ctx: MatrixContext): Promise<string> {
  const t = await ctx.s.api.post(agentTokens(ctx), { name: 'access agent' });
  assert.equal(t.status, 200, t.text);
  return t.body.id;
}

const DEPLOYMENT_ADMIN = { scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' } as const;

export const cases: AccessCases = {
  ListDeploys: {
    prepare: async (ctx) => ({ path: deploys(ctx) }),
    allowed: DEPLOYMENT_ADMIN,
  },
  CreateDeploy: {
    prepare: async (ctx) => ({ path: deploys(ctx), body: { type: 'IMAGE_ONLY' } }),
    allowed: DEPLOYMENT_ADMIN,
  },
  GetDeploy: {
    prepare: async (ctx) => ({ path: `${deploys(ctx)}/${(await imageDeploy(ctx, false)).id}` }),
    allowed: DEPLOYMENT_ADMIN,
  },
  UpdateDeploy: {
    prepare: async (ctx) => ({ path: `${deploys(ctx)}/${(await imageDeploy(ctx, false)).id}`, body: { description: 'access' } }),
    allowed: DEPLOYMENT_ADMIN,
  },
  FinalizeDeploy: {
    prepare: async (ctx) => ({ path: `${deploys(ctx)}/${(await imageDeploy(ctx, false)).id}/finalize`, body: {} }),
    allowed: DEPLOYMENT_ADMIN,
  },
  DeployRollback: {
    prepare: async (ctx) => {
      const first = await imageDeploy(ctx, true);
      await imageDeploy(ctx, true);
      return { path: `${deploys(ctx)}/${first.id}/rollback`, body: {} };
    },
    allowed: DEPLOYMENT_ADMIN,
  },
  ListAgentTokens: {
    prepare: async (ctx) => ({ path: agentTokens(ctx) }),
    allowed: DEPLOYMENT_ADMIN,
  },
  CreateAgentToken: {
    prepare: async (ctx) => ({ path: agentTokens(ctx), body: { name: 'access agent' } }),
    allowed: DEPLOYMENT_ADMIN,
  },
  GetAgentToken: {
    prepare: async (ctx) => ({ path: `${agentTokens(ctx)}/${await agentToken(ctx)}` }),
    allowed: DEPLOYMENT_ADMIN,
  },
  DeleteAgentToken: {
    prepare: async (ctx) => ({ path: `${agentTokens(ctx)}/${await agentToken(ctx)}` }),
    allowed: DEPLOYMENT_ADMIN,
  },
};
