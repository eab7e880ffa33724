import assert from 'node:assert/strict';
import type { AccessCases, MatrixContext } from '../../types.js';

/**
 * /platform/v1beta1. Organizations, Workspaces, options, clusters, the audit log and the rest of
 * the Deployment operations take their /v1 cases (test/access-matrix.test.ts says how). Here:
 * - CreateDeployment, whose body must hold what the Terraform provider always sends;
 * - alerts and notification channels, which /v1 does not serve: reads need deployment.alerts.get
 *   (Workspace Member and up), changes deployment.alerts.{create,update,delete} (Workspace Author
 *   and up, or Deployment Admin of the Deployment); lists admit every caller of the organization
 *   and show what it may read.
 */

const platform = (ctx: MatrixContext) => `/platform/v1beta1/organizations/${ctx.orgId}`;

export function channelBody(ctx: MatrixContext) {
  return { name: 'matrix channel', type: 'EMAIL', entityType: 'DEPLOYMENT', entityId: ctx.deploymentId, definition: { recipients: ['ops@example.com'] } };
}

/** A notification channel of ctx's Deployment, made by the owner. */
export async function channel(ctx: MatrixContext): Promise<string> {
  const r = await ctx.s.api.post(`${platform(ctx)}/notification-channels`, channelBody(ctx));
  assert.equal(r.status, 200, r.text);
  return r.body.id;
}

export function alertBody(ctx: MatrixContext, channelId: string) {
  return {
    name: 'matrix alert', type: 'DAG_FAILURE', severity: 'INFO', entityType: 'DEPLOYMENT', entityId: ctx.deploymentId,
    notificationChannelIds: [channelId],
    rules: { properties: { deploymentId: ctx.deploymentId }, patternMatches: [{ entityType: 'DAG_ID', operatorType: 'IS', values: ['etl'] }] },
  };
}

/** An alert on ctx's Deployment, made by the owner. */
export async function alert(ctx: MatrixContext): Promise<string> {
  const r = await ctx.s.api.post(`${platform(ctx)}/alerts`, alertBody(ctx, await channel(ctx)));
  assert.equal(r.status, 200, r.text);
  return r.body.id;
}

export const MEMBER = { scope: 'WORKSPACE', role: 'WORKSPACE_MEMBER' } as const;
export const AUTHOR = { scope: 'WORKSPACE', role: 'WORKSPACE_AUTHOR' } as const;
export const ANY = { scope: 'WORKSPACE', role: 'WORKSPACE_ACCESSOR' } as const;

export const cases: AccessCases = {
  CreateDeployment: {
    prepare: async (ctx) => ({
      path: `${platform(ctx)}/deployments`,
      body: {
        type: 'STANDARD', name: 'matrix standard', workspaceId: ctx.workspaceId, cloudProvider: 'AWS', region: 'us-east-1',
        astroRuntimeVersion: '3.1-12', executor: 'CELERY', schedulerSize: 'SMALL', isHighAvailability: false, isDevelopmentMode: false,
        isCicdEnforced: false, isDagDeployEnabled: true,
        workerQueues: [{ name: 'default', isDefault: true, astroMachine: 'A5', minWorkerCount: 0, maxWorkerCount: 10, workerConcurrency: 5 }],
      },
    }),
    allowed: { scope: 'WORKSPACE', role: 'WORKSPACE_OPERATOR' },
  },
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
};
