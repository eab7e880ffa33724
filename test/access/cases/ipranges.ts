import assert from 'node:assert/strict';
import type { AccessCases, MatrixContext } from '../types.js';

const base = (orgId: string) => `/v1/organizations/${orgId}/allowed-ip-address-ranges`;
let n = 0;

/**
 * Once an organization has a range, requests from elsewhere are refused and the first range must
 * cover the caller: every case first makes sure loopback is allowed, then works on ranges of its own.
 */
export async function loopbackAllowed(ctx: MatrixContext): Promise<void> {
  const list = await ctx.s.api.get(base(ctx.orgId), { limit: 1000 });
  if (list.body.allowedIpAddressRanges.some((r: { ipAddressRange: string }) => r.ipAddressRange === '127.0.0.0/8')) return;
  assert.equal((await ctx.s.api.post(base(ctx.orgId), { ipAddressRange: '127.0.0.0/8' })).status, 200);
}

export const range = () => `10.${++n}.0.0/16`;

export async function rangeId(ctx: MatrixContext): Promise<string> {
  await loopbackAllowed(ctx);
  const res = await ctx.s.api.post(base(ctx.orgId), { ipAddressRange: range() });
  assert.equal(res.status, 200, res.text);
  return res.body.id;
}

export const cases: AccessCases = {
  ListAllowedIpAddressRanges: {
    prepare: async (ctx) => ({ path: base(ctx.orgId) }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
  CreateAllowedIpAddressRange: {
    prepare: async (ctx) => {
      await loopbackAllowed(ctx);
      return { path: base(ctx.orgId), body: { ipAddressRange: range() } };
    },
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
  DeleteAllowedIpAddressRange: {
    prepare: async (ctx) => ({ path: `${base(ctx.orgId)}/${await rangeId(ctx)}` }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
  BulkCreateAllowedIpAddressRanges: {
    prepare: async (ctx) => {
      await loopbackAllowed(ctx);
      return { path: `${base(ctx.orgId)}/bulk-create`, body: { allowedIpAddressRanges: [range(), range()] } };
    },
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
  BulkDeleteAllowedIpAddressRanges: {
    prepare: async (ctx) => ({ path: `${base(ctx.orgId)}/bulk-delete`, body: { allowedIpAddressRangeIds: [await rangeId(ctx)] } }),
    allowed: { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' },
  },
};
