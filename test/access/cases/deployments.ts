import assert from 'node:assert/strict';
import type { AccessCases, MatrixContext } from '../types.js';

type Json = Record<string, any>;
const base = (orgId: string) => `/v1/organizations/${orgId}/deployments`;
const item = (ctx: MatrixContext) => `${base(ctx.orgId)}/${ctx.deploymentId}`;

/** An update request that leaves the Deployment as it is (a STANDARD one). */
async function sameDeployment(ctx: MatrixContext): Promise<Json> {
  const d = (await ctx.s.api.get(item(ctx))).body as Json;
  return {
    type: d.type, name: d.name, workspaceId: d.workspaceId, executor: d.executor, isCicdEnforced: d.isCicdEnforced,
    isDagDeployEnabled: d.isDagDeployEnabled, environmentVariables: [], schedulerSize: d.schedulerSize,
    isHighAvailability: d.isHighAvailability, isDevelopmentMode: d.isDevelopmentMode, resourceQuotaCpu: d.resourceQuotaCpu,
    resourceQuotaMemory: d.resourceQuotaMemory, defaultTaskPodCpu: d.defaultTaskPodCpu, defaultTaskPodMemory: d.defaultTaskPodMemory,
    ...(d.workerQueues ? {
      workerQueues: d.workerQueues.map((q: Json) => ({
        id: q.id, name: q.name, isDefault: q.isDefault, minWorkerCount: q.minWorkerCount, maxWorkerCount: q.maxWorkerCount,
        workerConcurrency: q.workerConcurrency, ...(q.astroMachine ? { astroMachine: q.astroMachine } : {}),
      })),
    } : {}),
  };
}

export const cases: AccessCases = {
  ListDeployments: {
    prepare: async (ctx) => ({ path: base(ctx.orgId) }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_MEMBER' },
    narrowed: true,
  },
  CreateDeployment: {
    prepare: async (ctx) => ({ path: base(ctx.orgId), body: { name: 'access', workspaceId: ctx.workspaceId } }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OPERATOR' },
  },
  GetDeployment: {
    prepare: async (ctx) => ({ path: item(ctx) }),
    allowed: { scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' },
  },
  UpdateDeployment: {
    prepare: async (ctx) => ({ path: item(ctx), body: await sameDeployment(ctx) }),
    allowed: { scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' },
  },
  DeleteDeployment: {
    prepare: async (ctx) => ({ path: item(ctx) }),
    allowed: { scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' },
  },
  UpdateDeploymentHibernationOverride: {
    prepare: async (ctx) => ({ path: `${item(ctx)}/hibernation-override`, body: { isHibernating: true } }),
    allowed: { scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' },
  },
  DeleteDeploymentHibernationOverride: {
    prepare: async (ctx) => {
      const set = await ctx.s.api.post(`${item(ctx)}/hibernation-override`, { isHibernating: true });
      assert.equal(set.status, 200, set.text);
      return { path: `${item(ctx)}/hibernation-override` };
    },
    allowed: { scope: 'DEPLOYMENT', role: 'DEPLOYMENT_ADMIN' },
  },
};
