import assert from 'node:assert/strict';
import type { AccessCases, MatrixContext } from '../../types.js';

/**
 * Access cases of the environment-object operations on platform v1beta1, in the access matrix's
 * form, keyed by operationId. They are the v1 operations presented in the older shapes, so the
 * least roles are v1's (test/access/cases/envobjects.ts): Workspace objects are managed by
 * Workspace Operators, a Deployment's own objects by its Deployment Admin, who also lists what
 * the Workspace links to the Deployment.
 */

const base = (ctx: MatrixContext) => `/platform/v1beta1/organizations/${ctx.orgId}/environment-objects`;

/** Keys are unique per call: a runner may prepare a case once per caller it tries. */
let n = 0;
const key = (prefix: string) => `${prefix}_${++n}`;

/** A Workspace object of ctx's Workspace, linked to every Deployment, made by the owner. */
async function workspaceObject(ctx: MatrixContext): Promise<string> {
  const res = await ctx.s.api.post(base(ctx), {
    objectKey: key('access_var'), objectType: 'AIRFLOW_VARIABLE', scope: 'WORKSPACE', scopeEntityId: ctx.workspaceId,
    airflowVariable: { value: 'v' }, autoLinkDeployments: true,
  });
  assert.equal(res.status, 200, res.text);
  return `${base(ctx)}/${res.body.id}`;
}

/** A connection of ctx's Deployment, made by the owner. */
async function deploymentObject(ctx: MatrixContext): Promise<string> {
  const res = await ctx.s.api.post(base(ctx), {
    objectKey: key('access_conn'), objectType: 'CONNECTION', scope: 'DEPLOYMENT', scopeEntityId: ctx.deploymentId,
    connection: { type: 'http', host: 'example.com', password: 'p' },
  });
  assert.equal(res.status, 200, res.text);
  return `${base(ctx)}/${res.body.id}`;
}

const OPERATOR = { scope: 'WORKSPACE', role: 'WORKSPACE_OPERATOR' } as const;
const DEPLOYMENT_ADMIN = { scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' } as const;

export const cases: AccessCases = {
  ListEnvironmentObjects: {
    prepare: async (ctx) => {
      await workspaceObject(ctx);
      return { path: base(ctx), query: { deploymentId: ctx.deploymentId, resolveLinked: true } };
    },
    allowed: DEPLOYMENT_ADMIN,
  },
  CreateEnvironmentObject: {
    prepare: async (ctx) => ({
      path: base(ctx),
      body: { objectKey: key('new_var'), objectType: 'AIRFLOW_VARIABLE', scope: 'WORKSPACE', scopeEntityId: ctx.workspaceId, airflowVariable: { value: 's', isSecret: true } },
    }),
    allowed: OPERATOR,
  },
  GetEnvironmentObject: { prepare: async (ctx) => ({ path: await deploymentObject(ctx) }), allowed: DEPLOYMENT_ADMIN },
  UpdateEnvironmentObject: {
    prepare: async (ctx) => ({ path: await deploymentObject(ctx), body: { connection: { type: 'http', host: 'changed.example.com' } } }),
    allowed: DEPLOYMENT_ADMIN,
  },
  DeleteEnvironmentObject: { prepare: async (ctx) => ({ path: await workspaceObject(ctx) }), allowed: OPERATOR },
  ExcludeLinkingEnvironmentObject: {
    prepare: async (ctx) => ({ path: `${await workspaceObject(ctx)}/exclude-linking`, body: { scope: 'DEPLOYMENT', scopeEntityId: ctx.deploymentId } }),
    allowed: OPERATOR,
  },
};
