import type { AccessCases } from '../types.js';

const base = (orgId: string) => `/v1/organizations/${orgId}/workspaces`;
let n = 0;

export const cases: AccessCases = {
  ListWorkspaces: {
    prepare: async (ctx) => ({ path: base(ctx.orgId) }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_ACCESSOR' },
    narrowed: true,
  },
  CreateWorkspace: {
    prepare: async (ctx) => ({ path: base(ctx.orgId), body: { name: `access ${++n}` } }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
  GetWorkspace: {
    prepare: async (ctx) => ({ path: `${base(ctx.orgId)}/${ctx.workspaceId}` }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_ACCESSOR' },
  },
  UpdateWorkspace: {
    prepare: async (ctx) => ({ path: `${base(ctx.orgId)}/${ctx.workspaceId}`, body: { name: 'renamed', description: '', cicdEnforcedDefault: false } }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OWNER' },
  },
  DeleteWorkspace: {
    prepare: async (ctx) => {
      // A Workspace holding Deployments cannot be deleted.
      await ctx.s.api.delete(`/v1/organizations/${ctx.orgId}/deployments/${ctx.deploymentId}`);
      return { path: `${base(ctx.orgId)}/${ctx.workspaceId}` };
    },
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OWNER' },
  },
};
