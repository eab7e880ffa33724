import assert from 'node:assert/strict';
import type { AccessCases, MatrixContext } from '../types.js';

const base = (orgId: string) => `/v1/organizations/${orgId}/clusters`;
let n = 0;
const body = () => ({ cloudProvider: 'AWS', type: 'DEDICATED', name: `access-${++n}`, region: 'us-east-1', vpcSubnetRange: '172.20.0.0/20' });

async function cluster(ctx: MatrixContext): Promise<string> {
  const res = await ctx.s.api.post(base(ctx.orgId), body());
  assert.equal(res.status, 200, res.text);
  return res.body.id;
}

export const cases: AccessCases = {
  ListClusters: {
    prepare: async (ctx) => ({ path: base(ctx.orgId) }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' },
  },
  CreateCluster: {
    prepare: async (ctx) => ({ path: base(ctx.orgId), body: body() }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
  GetCluster: {
    prepare: async (ctx) => ({ path: `${base(ctx.orgId)}/${await cluster(ctx)}` }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_MEMBER' },
  },
  UpdateCluster: {
    prepare: async (ctx) => ({ path: `${base(ctx.orgId)}/${await cluster(ctx)}`, body: { clusterType: 'DEDICATED', name: 'renamed', k8sTags: [] } }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
  DeleteCluster: {
    prepare: async (ctx) => ({ path: `${base(ctx.orgId)}/${await cluster(ctx)}` }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
};
