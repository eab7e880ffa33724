import assert from 'node:assert/strict';
import type { AccessCases, MatrixContext } from '../access/types.js';

/**
 * Access cases of alerts and notification channels (platform v1beta1 and labs v1), in the access
 * matrix's form (the matrix itself covers /v1 only; alerts-access.test.ts runs these). Reads need
 * deployment.alerts.get (Workspace Member and up), changes deployment.alerts.{create,update,delete}
 * (Workspace Author and up, or Deployment Admin on the Deployment); lists admit every caller of the
 * organization and show what it may read.
 */

const platform = (ctx: MatrixContext) => `/platform/v1beta1/organizations/${ctx.orgId}`;
const labs = (ctx: MatrixContext) => `/labs/v1/organizations/${ctx.orgId}`;

function channelBody(ctx: MatrixContext) {
  return { name: 'matrix channel', type: 'EMAIL', entityType: 'DEPLOYMENT', entityId: ctx.deploymentId, definition: { recipients: ['ops@example.com'] } };
}

async function channel(ctx: MatrixContext): Promise<string> {
  const r = await ctx.s.api.post(`${platform(ctx)}/notification-channels`, channelBody(ctx));
  assert.equal(r.status, 200, r.text);
  return r.body.id;
}

function alertBody(ctx: MatrixContext, channelId: string) {
  return {
    name: 'matrix alert', type: 'DAG_FAILURE', severity: 'INFO', entityType: 'DEPLOYMENT', entityId: ctx.deploymentId,
    notificationChannelIds: [channelId],
    rules: { properties: { deploymentId: ctx.deploymentId }, patternMatches: [{ entityType: 'DAG_ID', operatorType: 'IS', values: ['etl'] }] },
  };
}

async function alert(ctx: MatrixContext): Promise<string> {
  const r = await ctx.s.api.post(`${platform(ctx)}/alerts`, alertBody(ctx, await channel(ctx)));
  assert.equal(r.status, 200, r.text);
  return r.body.id;
}

const MEMBER = { scope: 'WORKSPACE', role: 'WORKSPACE_MEMBER' } as const;
const AUTHOR = { scope: 'WORKSPACE', role: 'WORKSPACE_AUTHOR' } as const;
const ANY = { scope: 'WORKSPACE', role: 'WORKSPACE_ACCESSOR' } as const;

export const cases: AccessCases = {
  ListAlerts: { prepare: async (ctx) => { await alert(ctx); return { path: `${platform(ctx)}/alerts` }; }, allowed: ANY, narrowed: true },
  CreateAlert: { prepare: async (ctx) => ({ path: `${platform(ctx)}/alerts`, body: alertBody(ctx, await channel(ctx)) }), allowed: AUTHOR },
  GetAlert: { prepare: async (ctx) => ({ path: `${platform(ctx)}/alerts/${await alert(ctx)}` }), allowed: MEMBER },
  UpdateAlert: { prepare: async (ctx) => ({ path: `${platform(ctx)}/alerts/${await alert(ctx)}`, body: { type: 'DAG_FAILURE', name: 'renamed' } }), allowed: AUTHOR },
  DeleteAlert: { prepare: async (ctx) => ({ path: `${platform(ctx)}/alerts/${await alert(ctx)}` }), allowed: AUTHOR },
  ListNotificationChannels: { prepare: async (ctx) => { await channel(ctx); return { path: `${platform(ctx)}/notification-channels` }; }, allowed: ANY, narrowed: true },
  CreateNotificationChannel: { prepare: async (ctx) => ({ path: `${platform(ctx)}/notification-channels`, body: channelBody(ctx) }), allowed: AUTHOR },
  GetNotificationChannel: { prepare: async (ctx) => ({ path: `${platform(ctx)}/notification-channels/${await channel(ctx)}` }), allowed: MEMBER },
  UpdateNotificationChannel: { prepare: async (ctx) => ({ path: `${platform(ctx)}/notification-channels/${await channel(ctx)}`, body: { type: 'EMAIL', name: 'renamed' } }), allowed: AUTHOR },
  DeleteNotificationChannel: { prepare: async (ctx) => ({ path: `${platform(ctx)}/notification-channels/${await channel(ctx)}` }), allowed: AUTHOR },
  LabsListAlerts: { prepare: async (ctx) => ({ path: `${labs(ctx)}/alerts`, query: { alertIds: [await alert(ctx)] } }), allowed: ANY, narrowed: true },
  LabsCreateAlerts: { prepare: async (ctx) => ({ path: `${labs(ctx)}/create-alerts`, body: { alerts: [alertBody(ctx, await channel(ctx))] } }), allowed: AUTHOR },
  LabsUpdateAlerts: { prepare: async (ctx) => ({ path: `${labs(ctx)}/update-alerts`, body: { alerts: [{ id: await alert(ctx), type: 'DAG_FAILURE', name: 'renamed' }] } }), allowed: AUTHOR },
  LabsDeleteAlerts: { prepare: async (ctx) => ({ path: `${labs(ctx)}/delete-alerts`, body: { alertIds: [await alert(ctx)] } }), allowed: AUTHOR },
};
