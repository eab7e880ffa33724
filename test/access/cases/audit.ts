import type { AccessCases } from '../types.js';

export const cases: AccessCases = {
  GetOrganizationAuditLogs: {
    // The CLI sends only startDate.
    prepare: async (ctx) => ({
      path: `/v1/organizations/${ctx.orgId}/audit-logs`,
      query: { startDate: new Date(ctx.s.clock.now().getTime() - 86_400_000).toISOString() },
    }),
    // Organization Owners only (domain.md §8): the Billing Admin just below is refused.
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
};
