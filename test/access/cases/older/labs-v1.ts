import type { AccessCases, MatrixContext } from '../../types.js';
import { loopbackAllowed, range, rangeId } from '../ipranges.js';
import { alert, alertBody, ANY, AUTHOR, channel } from './platform-v1beta1.js';

/**
 * /labs/v1: nothing here is a /v1 operation under another prefix. The bulk allowed-range calls are
 * /v1's bulk create and delete as a POST and a DELETE with a JSON body on the list path (Organization
 * Owner only); the alert calls act on several alerts at once under the alert permissions (see
 * platform-v1beta1.ts).
 */

const labs = (ctx: MatrixContext) => `/labs/v1/organizations/${ctx.orgId}`;
const OWNER = { scope: 'ORGANIZATION', role: 'ORGANIZATION_OWNER' } as const;

export const cases: AccessCases = {
  LabsCreateAllowedIpAddressRanges: {
    prepare: async (ctx) => {
      await loopbackAllowed(ctx);
      return { path: `${labs(ctx)}/allowed-ip-address-ranges`, body: { allowedIpAddressRanges: [range(), range()] } };
    },
    allowed: OWNER,
  },
  LabsDeleteAllowedIpAddressRanges: {
    prepare: async (ctx) => ({ path: `${labs(ctx)}/allowed-ip-address-ranges`, body: { allowedIpAddressRangeIds: [await rangeId(ctx)] } }),
    allowed: OWNER,
  },
  LabsListAlerts: { prepare: async (ctx) => ({ path: `${labs(ctx)}/alerts`, query: { alertIds: [await alert(ctx)] } }), allowed: ANY, narrowed: true },
  LabsCreateAlerts: { prepare: async (ctx) => ({ path: `${labs(ctx)}/create-alerts`, body: { alerts: [alertBody(ctx, await channel(ctx))] } }), allowed: AUTHOR },
  LabsUpdateAlerts: { prepare: async (ctx) => ({ path: `${labs(ctx)}/update-alerts`, body: { alerts: [{ id: await alert(ctx), type: 'DAG_FAILURE', name: 'renamed' }] } }), allowed: AUTHOR },
  LabsDeleteAlerts: { prepare: async (ctx) => ({ path: `${labs(ctx)}/delete-alerts`, body: { alertIds: [await alert(ctx)] } }), allowed: AUTHOR },
};
