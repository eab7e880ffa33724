import type { AccessCases } from '../types.js';

export const cases: AccessCases = {
  GetDeploymentLogs: {
    prepare: async (ctx) => ({
      path: `/v1/organizations/${ctx.orgId}/deployments/${ctx.deploymentId}/logs`,
      body: undefined,
      query: { sources: ['scheduler', 'worker'], range: 86400 },
    }),
    // deployment.logs.get: Workspace Member and above, Deployment Admin (no Organization role below the owner).
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_MEMBER' },
  },
};
