import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339 } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { ALERT_TYPES, emailChannel, fixture, type AlertsFixture, type Json } from './alerts-fixture.js';

/**
 * The Terraform provider's astro_alert on /platform/v1beta1 (CreateAlert, GetAlert, UpdateAlert,
 * DeleteAlert; ListAlerts for the astro_alerts data source), with the bodies its request builders
 * make: create sends the type's own rule properties beside deploymentId and patternMatches ([] when
 * none are configured); update sends name, severity, type, notificationChannelIds and rules with
 * patternMatches and only the type's changeable properties. The resource rebuilds its state from
 * the answer: rules.properties must hold exactly the type's properties, the channels the ids sent.
 * No /v1 counterpart exists; the cross-surface step goes through the labs bulk calls of astro_alerts.
 */

/** The provider's create body for `type` (alert_requests.go BuildCreateAlertRequest). */
function createBody(type: string, dep: string, channels: string[], patternMatches: Json[]): Json {
  const properties: Json = { deploymentId: dep };
  if (type === 'DAG_DURATION') properties.dagDurationSeconds = 3600;
  if (type === 'TASK_DURATION') properties.taskDurationSeconds = 900;
  if (type === 'DAG_TIMELINESS') Object.assign(properties, { dagDeadline: '06:30', daysOfWeek: ['TUESDAY', 'MONDAY'], lookBackPeriodSeconds: 7200 });
  return { entityId: dep, entityType: 'DEPLOYMENT', name: `tf ${type}`, notificationChannelIds: channels, severity: 'INFO', type, rules: { patternMatches, properties } };
}

/** The provider's update body for `type` (BuildUpdateAlertRequest): no deploymentId, no entity. */
function updateBody(type: string, channels: string[], patternMatches: Json[]): Json {
  const rules: Json = { patternMatches };
  if (type === 'DAG_DURATION') rules.properties = { dagDurationSeconds: 5400 };
  if (type === 'TASK_DURATION') rules.properties = { taskDurationSeconds: 1200 };
  if (type === 'DAG_TIMELINESS') rules.properties = { dagDeadline: '07:00', daysOfWeek: ['SUNDAY'], lookBackPeriodSeconds: 3600 };
  return { name: `tf ${type} 2`, severity: 'CRITICAL', type, notificationChannelIds: channels, rules };
}

describe('provider replay: astro_alert', () => {
  let s: TestServer;
  let f: AlertsFixture;
  let alerts: string;
  let chA: Json;
  let chB: Json;
  before(async () => {
    s = await startServer();
    f = await fixture(s);
    alerts = `${f.platform}/alerts`;
    chA = await emailChannel(s.api, f, 'DEPLOYMENT', f.dep1a);
    chB = await emailChannel(s.api, f, 'WORKSPACE', f.ws1, { isShared: true });
  });
  after(async () => { await s.close(); });

  function assertAlert(a: Json, sent: Json, dep: string) {
    assert.match(a.id, CUID);
    assert.equal(a.organizationId, s.orgId);
    assert.equal(a.entityType, 'DEPLOYMENT');
    assert.equal(a.entityId, dep);
    assert.equal(a.deploymentId, dep);
    assert.equal(a.workspaceId, f.ws1);
    assert.equal(typeof a.entityName, 'string');
    assert.match(a.createdAt, RFC3339);
    assert.match(a.updatedAt, RFC3339);
    assert.ok(a.createdBy?.id && a.updatedBy?.id);
    assert.equal(a.name, sent.name);
    assert.equal(a.severity, sent.severity);
    assert.equal(a.type, sent.type);
    assert.deepEqual((a.notificationChannels ?? []).map((c: Json) => c.id), sent.notificationChannelIds);
  }

  it('every alert type: create, read, update, import, delete, read after delete', async () => {
    for (const type of ALERT_TYPES) {
      const pm = [{ entityType: 'DAG_ID', operatorType: 'INCLUDES', values: ['daily_', 'hourly_'] }];
      const sent = createBody(type, f.dep1a, [chA.id, chB.id], pm);
      const created = await s.api.post(alerts, sent);
      assert.equal(created.status, 200, `${type}: ${created.text}`);
      assertAlert(created.body, sent, f.dep1a);
      assert.deepEqual(created.body.rules, sent.rules, `${type}: rules exactly as sent, and no property of another type`);
      const id = created.body.id;

      const read = await s.api.get(`${alerts}/${id}`);
      assert.equal(read.status, 200, read.text);
      assert.deepEqual(read.body, created.body, `${type}: a read right after the create shows the same alert`);

      s.clock.advance(10);
      const change = updateBody(type, [chB.id], []);
      const updated = await s.api.post(`${alerts}/${id}`, change);
      assert.equal(updated.status, 200, `${type}: ${updated.text}`);
      assertAlert(updated.body, change, f.dep1a);
      const expectedProps = { deploymentId: f.dep1a, ...(change.rules.properties ?? {}) };
      assert.deepEqual(updated.body.rules.properties, expectedProps, `${type}: the changed properties, deploymentId kept`);
      assert.deepEqual(updated.body.rules.patternMatches ?? [], [], `${type}: pattern matches emptied`);
      assert.equal(updated.body.createdAt, created.body.createdAt);
      assert.notEqual(updated.body.updatedAt, created.body.updatedAt);

      // ---- Import by id: one GET.
      assert.deepEqual((await s.api.get(`${alerts}/${id}`)).body, updated.body);

      assert.equal((await s.api.delete(`${alerts}/${id}`)).status, 204);
      assertError(await s.api.get(`${alerts}/${id}`), 404);
      assertError(await s.api.delete(`${alerts}/${id}`), 404);
    }
  });

  it('no pattern matches and no channels configured: [] sent, nothing invented in the answer', async () => {
    const sent = createBody('DAG_FAILURE', f.dep1b, [], []);
    const created = await s.api.post(alerts, sent);
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(created.body.notificationChannels ?? [], []);
    assert.deepEqual(created.body.rules.patternMatches ?? [], []);
    assert.deepEqual(created.body.rules.properties, { deploymentId: f.dep1b });
    assert.deepEqual((await s.api.get(`${alerts}/${created.body.id}`)).body, created.body);
    assert.equal((await s.api.delete(`${alerts}/${created.body.id}`)).status, 204);
  });

  it('astro_alerts data source: alertIds, deploymentIds and alertTypes filters, limit 1000 and the page at offset 1000', async () => {
    const a = (await s.api.post(alerts, createBody('DAG_SUCCESS', f.dep1a, [chA.id], []))).body;
    const b = (await s.api.post(alerts, createBody('TASK_FAILURE', f.dep1b, [], []))).body;
    const all = await s.api.get(alerts, { limit: 1000, offset: 0 });
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.body.alerts.map((x: Json) => x.id).sort(), [a.id, b.id].sort());
    assert.equal(all.body.totalCount, 2);
    const beyond = await s.api.get(alerts, { limit: 1000, offset: 1000 });
    assert.equal(beyond.status, 200, beyond.text);
    assert.deepEqual(beyond.body.alerts, []);
    assert.equal(beyond.body.totalCount, 2);
    const byId = await s.api.get(alerts, { alertIds: [a.id, `c${'0'.repeat(24)}`], limit: 1000, offset: 0 });
    assert.deepEqual(byId.body.alerts.map((x: Json) => x.id), [a.id]);
    const byDep = await s.api.get(alerts, { deploymentIds: [f.dep1b], limit: 1000, offset: 0 });
    assert.deepEqual(byDep.body.alerts.map((x: Json) => x.id), [b.id]);
    const byType = await s.api.get(alerts, { alertTypes: ['DAG_SUCCESS'], entityType: 'DEPLOYMENT', limit: 1000, offset: 0 });
    assert.deepEqual(byType.body.alerts.map((x: Json) => x.id), [a.id]);
    for (const x of [a, b]) assert.equal((await s.api.delete(`${alerts}/${x.id}`)).status, 204);
  });

  it('cross-surface: created on platform v1beta1, read and changed through labs (astro_alerts), read back, deleted through labs', async () => {
    const sent = createBody('DAG_DURATION', f.dep1a, [chA.id], [{ entityType: 'DAG_ID', operatorType: 'IS', values: ['etl'] }]);
    const created = (await s.api.post(alerts, sent)).body;
    const id = created.id;
    const listed = await s.api.get(`${f.labs}/alerts`, { alertIds: [id], limit: 100, offset: 0 });
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.body.alerts, [created]);
    const change: Json = { ...updateBody('DAG_DURATION', [chA.id, chB.id], sent.rules.patternMatches), id };
    const up = await s.api.post(`${f.labs}/update-alerts`, { alerts: [change] });
    assert.equal(up.status, 200, up.text);
    assert.equal(up.body.alerts.length, 1);
    const back = (await s.api.get(`${alerts}/${id}`)).body;
    assert.deepEqual(back, up.body.alerts[0]);
    assert.equal(back.name, change.name);
    assert.deepEqual(back.rules, { patternMatches: sent.rules.patternMatches, properties: { deploymentId: f.dep1a, dagDurationSeconds: 5400 } });
    assert.deepEqual(back.notificationChannels.map((c: Json) => c.id), [chA.id, chB.id]);
    assert.equal((await s.api.post(`${f.labs}/delete-alerts`, { alertIds: [id] })).status, 204);
    assertError(await s.api.get(`${alerts}/${id}`), 404);
    const none = await s.api.get(`${f.labs}/alerts`, { alertIds: [id], limit: 100, offset: 0 });
    assert.equal(none.status, 200, none.text);
    assert.deepEqual(none.body.alerts, []);
  });
});
