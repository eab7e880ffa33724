import assert from 'node:assert/strict';
import type { AccessCases, MatrixContext } from '../types.js';

const base = (orgId: string) => `/v1/organizations/${orgId}/roles`;
let n = 0;
const role = () => ({ name: `ACCESS_ROLE_${++n}`, scopeType: 'DEPLOYMENT', permissions: ['deployment.get'], restrictedWorkspaceIds: [] });

async function customRole(ctx: MatrixContext): Promise<string> {
  const res = await ctx.s.api.post(base(ctx.orgId), role());
  assert.equal(res.status, 200, res.text);
  return `${base(ctx.orgId)}/${res.body.id}`;
}

export const cases: AccessCases = {
  ListRoles: {
    prepare: async (ctx) => ({ path: base(ctx.orgId), query: { includeDefaultRoles: true } }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' },
  },
  CreateCustomRole: {
    prepare: async (ctx) => ({ path: base(ctx.orgId), body: role() }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
  GetCustomRole: {
    prepare: async (ctx) => ({ path: await customRole(ctx) }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' },
  },
  UpdateCustomRole: {
    prepare: async (ctx) => ({ path: await customRole(ctx), body: { name: `ACCESS_RENAMED_${++n}`, permissions: ['deployment.get', 'deployment.update'] } }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
  DeleteCustomRole: {
    prepare: async (ctx) => ({ path: await customRole(ctx) }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
  ListRoleTemplates: {
    prepare: async (ctx) => ({ path: `/v1/organizations/${ctx.orgId}/role-templates` }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' },
  },
  ListPermissionGroups: {
    prepare: async () => ({ path: '/v1/authorization/permission-groups' }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' },
  },
};
