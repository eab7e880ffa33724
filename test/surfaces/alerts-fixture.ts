import assert from 'node:assert/strict';
import type { ApiClient } from '../helpers/client.js';
import type { TestServer } from '../helpers/server.js';

export type Json = Record<string, any>;

/** Two Workspaces, the first with two Deployments, the second with one. */
export interface AlertsFixture {
  ws1: string;
  ws2: string;
  dep1a: string;
  dep1b: string;
  dep2: string;
  platform: string;
  labs: string;
}

export async function fixture(s: TestServer): Promise<AlertsFixture> {
  const ws = async (name: string) => {
    const r = await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name, defaultCloudProvider: 'AWS', defaultRegion: 'us-west-2' });
    assert.equal(r.status, 200, r.text);
    return r.body.id as string;
  };
  const dep = async (name: string, workspaceId: string) => {
    const r = await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name, workspaceId });
    assert.equal(r.status, 200, r.text);
    return r.body.id as string;
  };
  const ws1 = await ws('alerts one');
  const ws2 = await ws('alerts two');
  return {
    ws1,
    ws2,
    dep1a: await dep('dep-1a', ws1),
    dep1b: await dep('dep-1b', ws1),
    dep2: await dep('dep-2', ws2),
    platform: `/platform/v1beta1/organizations/${s.orgId}`,
    labs: `/labs/v1/organizations/${s.orgId}`,
  };
}

/** An EMAIL channel of a Deployment (not shared) made by the owner. */
export async function emailChannel(api: ApiClient, f: AlertsFixture, entityType: string, entityId: string, extra: Json = {}): Promise<Json> {
  const r = await api.post(`${f.platform}/notification-channels`, {
    name: `mail ${entityType}`, type: 'EMAIL', entityType, entityId, definition: { recipients: ['ops@example.com'] }, ...extra,
  });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

/** A create body for `type` on Deployment `dep`, as Terraform sends it. */
export function alertBody(type: string, dep: string, channelIds: string[], extra: Json = {}): Json {
  const properties: Json = { deploymentId: dep };
  if (type === 'DAG_DURATION') properties.dagDurationSeconds = 3600;
  if (type === 'TASK_DURATION') properties.taskDurationSeconds = 600;
  if (type === 'DAG_TIMELINESS') Object.assign(properties, { dagDeadline: '08:00', daysOfWeek: ['MONDAY', 'FRIDAY'], lookBackPeriodSeconds: 3600 });
  const task = type.startsWith('TASK_');
  return {
    name: `${type} alert`,
    type,
    severity: 'CRITICAL',
    entityType: 'DEPLOYMENT',
    entityId: dep,
    notificationChannelIds: channelIds,
    rules: {
      properties,
      patternMatches: [
        { entityType: 'DAG_ID', operatorType: 'IS', values: ['etl', '*'] },
        ...(task ? [{ entityType: 'TASK_ID', operatorType: 'INCLUDES', values: ['load'] }] : []),
      ],
    },
    ...extra,
  };
}

export const ALERT_TYPES = ['DAG_DURATION', 'DAG_FAILURE', 'DAG_SUCCESS', 'DAG_TIMELINESS', 'TASK_DURATION', 'TASK_FAILURE'];
