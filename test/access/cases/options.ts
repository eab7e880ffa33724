import type { AccessCases } from '../types.js';

export const cases: AccessCases = {
  GetClusterOptions: {
    prepare: async (ctx) => ({ path: `/v1/organizations/${ctx.orgId}/cluster-options`, query: { type: 'DEDICATED' } }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' },
  },
  GetDeploymentOptions: {
    prepare: async (ctx) => ({ path: `/v1/organizations/${ctx.orgId}/deployment-options` }),
    // Workspace Operators create Deployments, and read the options to do so.
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OPERATOR' },
    narrowed: true,
  },
};
