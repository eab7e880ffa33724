import assert from 'node:assert/strict';
import type { AccessCases, MatrixContext } from '../types.js';

const base = (orgId: string) => `/v1/organizations/${orgId}/environment-objects`;

/** A Workspace object of ctx's Workspace, made by the owner: what Workspace Operators manage. */
async function workspaceObject(ctx: MatrixContext): Promise<string> {
  const res = await ctx.s.api.post(base(ctx.orgId), {
    objectKey: 'ACCESS_VAR', objectType: 'AIRFLOW_VARIABLE', scope: 'WORKSPACE', scopeEntityId: ctx.workspaceId,
    airflowVariable: { value: 'v' }, autoLinkDeployments: true,
  });
  assert.equal(res.status, 200, res.text);
  return `${base(ctx.orgId)}/${res.body.id}`;
}

/** A Deployment object of ctx's Deployment: what its Deployment Admin manages. */
async function deploymentObject(ctx: MatrixContext): Promise<string> {
  const res = await ctx.s.api.post(base(ctx.orgId), {
    objectKey: 'access_conn', objectType: 'CONNECTION', scope: 'DEPLOYMENT', scopeEntityId: ctx.deploymentId,
    connection: { type: 'http', host: 'example.com', password: 'p' },
  });
  assert.equal(res.status, 200, res.text);
  return `${base(ctx.orgId)}/${res.body.id}`;
}

export const cases: AccessCases = {
  ListEnvironmentObjects: {
    // Deployment callers list their Deployment's objects, with what the Workspace links to it.
    prepare: async (ctx) => {
      await workspaceObject(ctx);
      return { path: base(ctx.orgId), query: { deploymentId: ctx.deploymentId, resolveLinked: true } };
    },
    allowed: { scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' },
  },
  CreateEnvironmentObject: {
    prepare: async (ctx) => ({
      path: base(ctx.orgId),
      body: { objectKey: 'NEW_VAR', objectType: 'ENVIRONMENT_VARIABLE', scope: 'WORKSPACE', scopeEntityId: ctx.workspaceId, environmentVariable: { value: 's', isSecret: true } },
    }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OPERATOR' },
  },
  GetEnvironmentObject: {
    prepare: async (ctx) => ({ path: await deploymentObject(ctx) }),
    allowed: { scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' },
  },
  UpdateEnvironmentObject: {
    prepare: async (ctx) => ({ path: await deploymentObject(ctx), body: { connection: { type: 'http', host: 'changed.example.com' } } }),
    allowed: { scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' },
  },
  DeleteEnvironmentObject: {
    prepare: async (ctx) => ({ path: await workspaceObject(ctx) }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OPERATOR' },
  },
  ExcludeLinkingEnvironmentObject: {
    prepare: async (ctx) => ({ path: `${await workspaceObject(ctx)}/exclude-linking`, body: { scope: 'DEPLOYMENT', scopeEntityId: ctx.deploymentId } }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OPERATOR' },
  },
};
