import type { AccessCases } from '../types.js';

export const cases: AccessCases = {
  ListOrganizations: {
    prepare: async () => ({ path: '/v1/organizations' }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' },
  },
  GetOrganization: {
    prepare: async (ctx) => ({ path: `/v1/organizations/${ctx.orgId}` }),
    // Workspace and Deployment roles read their Organization too.
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_ACCESSOR' },
    narrowed: true,
  },
  UpdateOrganization: {
    prepare: async (ctx) => ({ path: `/v1/organizations/${ctx.orgId}`, body: { name: 'My Organization', isScimEnabled: false, billingEmail: 'billing@example.com' } }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
};
