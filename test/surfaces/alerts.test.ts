import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339 } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { ALERT_TYPES, alertBody, emailChannel, fixture, type AlertsFixture, type Json } from './alerts-fixture.js';

/** What Terraform's astro_alert sends on update: every field, type always included. */
function updateBody(created: Json, extra: Json = {}): Json {
  const { deploymentId: _dep, ...props } = created.rules.properties;
  const rules: Json = { patternMatches: created.rules.patternMatches };
  if (Object.keys(props).length > 0) rules.properties = props;
  return { name: created.name, type: created.type, severity: created.severity, notificationChannelIds: (created.notificationChannels ?? []).map((c: Json) => c.id), rules, ...extra };
}

describe('alerts (platform v1beta1 and labs v1)', () => {
  let s: TestServer;
  let f: AlertsFixture;
  let alerts: string;
  let own: Json;
  let shared: Json;
  before(async () => {
    s = await startServer();
    f = await fixture(s);
    alerts = `${f.platform}/alerts`;
    own = await emailChannel(s.api, f, 'DEPLOYMENT', f.dep1a);
    shared = await emailChannel(s.api, f, 'ORGANIZATION', s.orgId, { isShared: true });
  });
  after(async () => { await s.close(); });

  it('creates, reads, updates and deletes every alert type, echoing what was sent', async () => {
    for (const type of ALERT_TYPES) {
      const sent = alertBody(type, f.dep1a, [shared.id, own.id]);
      const res = await s.api.post(alerts, sent);
      assert.equal(res.status, 200, res.text);
      const a = res.body;
      assert.match(a.id, CUID);
      assert.equal(a.type, type);
      assert.equal(a.name, sent.name);
      assert.equal(a.severity, 'CRITICAL');
      assert.equal(a.entityType, 'DEPLOYMENT');
      assert.equal(a.entityId, f.dep1a);
      assert.equal(a.entityName, 'dep-1a');
      assert.equal(a.deploymentId, f.dep1a);
      assert.equal(a.workspaceId, f.ws1);
      assert.equal(a.organizationId, s.orgId);
      assert.deepEqual(a.rules, sent.rules, 'rules come back exactly as sent');
      assert.deepEqual(a.notificationChannels.map((c: Json) => c.id), [shared.id, own.id], 'channels in the order sent');
      assert.equal(a.notificationChannels[1].entityType, 'DEPLOYMENT');
      assert.deepEqual(a.notificationChannels[1].definition, { recipients: ['ops@example.com'] });
      assert.match(a.createdAt, RFC3339);
      assert.equal(a.createdBy.subjectType, 'SERVICEKEY');

      assert.deepEqual((await s.api.get(`${alerts}/${a.id}`)).body, a, 'a read right after the create shows the same alert');

      s.clock.advance(30);
      const change = updateBody(a, { name: `${type} renamed`, severity: 'WARNING', notificationChannelIds: [own.id] });
      if (type === 'DAG_DURATION') change.rules.properties = { dagDurationSeconds: 7200 };
      if (type === 'DAG_TIMELINESS') change.rules.properties = { dagDeadline: '23:59', daysOfWeek: ['SUNDAY'], lookBackPeriodSeconds: 60 };
      const up = await s.api.post(`${alerts}/${a.id}`, change);
      assert.equal(up.status, 200, up.text);
      assert.equal(up.body.name, `${type} renamed`);
      assert.equal(up.body.severity, 'WARNING');
      assert.deepEqual(up.body.notificationChannels.map((c: Json) => c.id), [own.id]);
      assert.equal(up.body.rules.properties.deploymentId, f.dep1a);
      if (type === 'DAG_DURATION') assert.equal(up.body.rules.properties.dagDurationSeconds, 7200);
      if (type === 'DAG_TIMELINESS') assert.deepEqual(up.body.rules.properties, { deploymentId: f.dep1a, dagDeadline: '23:59', daysOfWeek: ['SUNDAY'], lookBackPeriodSeconds: 60 });
      assert.notEqual(up.body.updatedAt, a.updatedAt);
      assert.equal(up.body.createdAt, a.createdAt);

      assert.equal((await s.api.request('DELETE', `${alerts}/${a.id}`)).status, 204);
      assertError(await s.api.get(`${alerts}/${a.id}`), 404);
      assertError(await s.api.post(`${alerts}/${a.id}`, change), 404);
      assertError(await s.api.request('DELETE', `${alerts}/${a.id}`), 404);
    }
  });

  it('validates rules, entity and channels, naming the field', async () => {
    const bad = (type: string, tweak: (b: Json) => void) => {
      const b = alertBody(type, f.dep1a, [own.id]);
      tweak(b);
      return s.api.post(alerts, b);
    };
    assertError(await bad('DAG_DURATION', (b) => { b.rules.properties.dagDurationSeconds = 59; }), 400, 'rules.properties.dagDurationSeconds');
    assertError(await bad('DAG_DURATION', (b) => { b.rules.properties.dagDurationSeconds = 604801; }), 400, 'rules.properties.dagDurationSeconds');
    assert.equal((await bad('DAG_DURATION', (b) => { b.rules.properties.dagDurationSeconds = 604800; })).status, 200);
    assertError(await bad('DAG_DURATION', (b) => { delete b.rules.properties.dagDurationSeconds; }), 400, 'rules.properties.dagDurationSeconds');
    assertError(await bad('DAG_DURATION', (b) => { b.rules.properties.dagDurationSeconds = '3600'; }), 400, 'rules.properties.dagDurationSeconds');
    assertError(await bad('TASK_DURATION', (b) => { b.rules.properties.taskDurationSeconds = 10; }), 400, 'rules.properties.taskDurationSeconds');
    assertError(await bad('DAG_TIMELINESS', (b) => { b.rules.properties.dagDeadline = '24:00'; }), 400, 'rules.properties.dagDeadline');
    assertError(await bad('DAG_TIMELINESS', (b) => { b.rules.properties.daysOfWeek = ['FUNDAY']; }), 400, 'rules.properties.daysOfWeek[0]');
    assertError(await bad('DAG_TIMELINESS', (b) => { b.rules.properties.daysOfWeek = []; }), 400, 'rules.properties.daysOfWeek');
    assertError(await bad('DAG_TIMELINESS', (b) => { b.rules.properties.lookBackPeriodSeconds = 0; }), 400, 'rules.properties.lookBackPeriodSeconds');
    assertError(await bad('DAG_FAILURE', (b) => { b.rules.patternMatches = [{ entityType: 'TASK_ID', operatorType: 'IS', values: ['t'] }]; }), 400, 'rules.patternMatches[0].entityType');
    assertError(await bad('DAG_FAILURE', (b) => { b.rules.patternMatches[0].operatorType = 'LIKE'; }), 400, 'rules.patternMatches[0].operatorType');
    assertError(await bad('DAG_FAILURE', (b) => { b.rules.patternMatches[0].values = []; }), 400, 'rules.patternMatches[0].values');
    assertError(await bad('DAG_FAILURE', (b) => { b.severity = 'LOW'; }), 400, 'severity');
    assertError(await bad('DAG_FAILURE', (b) => { b.type = 'WORKER_QUEUE_AT_CAPACITY'; }), 400, 'type');
    assertError(await bad('DAG_FAILURE', (b) => { b.entityType = 'WORKSPACE'; }), 400, 'entityType');
    assertError(await bad('DAG_FAILURE', (b) => { b.name = ''; }), 400, 'name');
    assertError(await bad('DAG_FAILURE', (b) => { delete b.notificationChannelIds; }), 400, 'notificationChannelIds');
    assertError(await bad('DAG_FAILURE', (b) => { b.entityId = 'cnosuchdeployment000000000'; b.rules.properties.deploymentId = b.entityId; }), 400, 'entityId');
    assertError(await bad('DAG_FAILURE', (b) => { b.rules.properties.deploymentId = f.dep1b; }), 400, 'rules.properties.deploymentId');
    assertError(await bad('DAG_FAILURE', (b) => { b.notificationChannelIds = ['cnosuchchannel000000000000']; }), 400, 'notificationChannelIds[0]');
    assertError(await bad('DAG_FAILURE', (b) => { b.notificationChannelIds = [own.id, own.id]; }), 400, 'notificationChannelIds[1]');
    // Channels of another Deployment, or unshared channels of the Workspace, are not usable.
    const otherDep = await emailChannel(s.api, f, 'DEPLOYMENT', f.dep1b);
    const unshared = await emailChannel(s.api, f, 'WORKSPACE', f.ws1, { isShared: false });
    const sharedWs2 = await emailChannel(s.api, f, 'WORKSPACE', f.ws2, { isShared: true });
    const sharedWs1 = await emailChannel(s.api, f, 'WORKSPACE', f.ws1, { isShared: true });
    assertError(await bad('DAG_FAILURE', (b) => { b.notificationChannelIds = [own.id, otherDep.id]; }), 400, 'notificationChannelIds[1]');
    assertError(await bad('DAG_FAILURE', (b) => { b.notificationChannelIds = [unshared.id]; }), 400, 'notificationChannelIds[0]');
    assertError(await bad('DAG_FAILURE', (b) => { b.notificationChannelIds = [sharedWs2.id]; }), 400, 'notificationChannelIds[0]');
    assert.equal((await bad('DAG_FAILURE', (b) => { b.notificationChannelIds = [sharedWs1.id]; })).status, 200);
    assertError(await bad('DAG_FAILURE', (b) => { b.name = 'nul\u0000'; }), 400);
  });

  it('updates: fields left out are kept, a new type needs its properties, type may be left out', async () => {
    const a = (await s.api.post(alerts, alertBody('DAG_FAILURE', f.dep1a, [own.id]))).body;
    const renamed = await s.api.post(`${alerts}/${a.id}`, { type: 'DAG_FAILURE', name: 'only the name' });
    assert.equal(renamed.status, 200, renamed.text);
    assert.deepEqual(renamed.body.rules, a.rules);
    assert.deepEqual(renamed.body.notificationChannels, a.notificationChannels);
    assertError(await s.api.post(`${alerts}/${a.id}`, { type: 'DAG_DURATION' }), 400, 'rules.properties.dagDurationSeconds');
    const retyped = await s.api.post(`${alerts}/${a.id}`, { type: 'DAG_DURATION', rules: { properties: { dagDurationSeconds: 900 } } });
    assert.equal(retyped.status, 200, retyped.text);
    assert.equal(retyped.body.type, 'DAG_DURATION');
    assert.deepEqual(retyped.body.rules.properties, { deploymentId: f.dep1a, dagDurationSeconds: 900 });
    // Without type, the stored type's shape applies.
    const typeless = await s.api.post(`${alerts}/${a.id}`, { severity: 'INFO', rules: { properties: { dagDurationSeconds: 1000 } } });
    assert.equal(typeless.status, 200, typeless.text);
    assert.equal(typeless.body.rules.properties.dagDurationSeconds, 1000);
    assertError(await s.api.post(`${alerts}/${a.id}`, { rules: { properties: { dagDurationSeconds: 10 } } }), 400, 'rules.properties.dagDurationSeconds');
    assertError(await s.api.post(`${alerts}/${a.id}`, { type: 'DAG_DURATION', notificationChannelIds: ['cnosuchchannel000000000000'] }), 400, 'notificationChannelIds[0]');
    assertError(await s.api.post(`${alerts}/${a.id}`, { type: 'DAG_DURATION', rules: { patternMatches: [{ entityType: 'TASK_ID', operatorType: 'IS', values: ['x'] }] } }), 400, 'rules.patternMatches[0].entityType');
  });

  it('lists with filters, sorts and paging', async () => {
    const made: Json[] = [];
    for (const [type, dep, name] of [['DAG_SUCCESS', f.dep1a, 'c-one'], ['TASK_FAILURE', f.dep1b, 'a-two'], ['DAG_FAILURE', f.dep2, 'b-three']] as const) {
      s.clock.advance(1);
      const ch = dep === f.dep1a ? own : await emailChannel(s.api, f, 'DEPLOYMENT', dep);
      made.push((await s.api.post(alerts, alertBody(type, dep, [ch.id], { name }))).body);
    }
    const ids = made.map((a) => a.id);
    const byName = await s.api.get(alerts, { alertIds: ids, sorts: ['name:asc'] });
    assert.equal(byName.status, 200);
    assert.deepEqual(byName.body.alerts.map((a: Json) => a.name), ['a-two', 'b-three', 'c-one']);
    assert.equal(byName.body.totalCount, 3);
    const paged = await s.api.get(alerts, { alertIds: ids, sorts: ['createdAt:desc'], limit: 2, offset: 1 });
    assert.deepEqual(paged.body.alerts.map((a: Json) => a.name), ['a-two', 'c-one']);
    assert.equal(paged.body.limit, 2);
    assert.equal(paged.body.offset, 1);
    assert.deepEqual((await s.api.get(alerts, { alertIds: ids, deploymentIds: [f.dep2] })).body.alerts.map((a: Json) => a.name), ['b-three']);
    assert.deepEqual((await s.api.get(alerts, { alertIds: ids, workspaceIds: [f.ws1], sorts: ['name:asc'] })).body.alerts.map((a: Json) => a.name), ['a-two', 'c-one']);
    assert.deepEqual((await s.api.get(alerts, { alertIds: ids, alertTypes: ['TASK_FAILURE', 'DAG_FAILURE'], sorts: ['name:desc'] })).body.alerts.map((a: Json) => a.name), ['b-three', 'a-two']);
    assert.equal((await s.api.get(alerts, { alertIds: ids, entityType: 'DEPLOYMENT' })).body.totalCount, 3);
    assertError(await s.api.get(alerts, { limit: -1 }), 400, 'limit');
    assertError(await s.api.get(alerts, { alertTypes: ['NOPE'] }), 400);
    assertError(await s.api.get(alerts, { entityType: 'WORKSPACE' }), 400);
    // Labs lists the same alerts, oldest first.
    const labs = await s.api.get(`${f.labs}/alerts`, { alertIds: ids, limit: ids.length });
    assert.equal(labs.status, 200);
    assert.deepEqual(labs.body.alerts.map((a: Json) => a.id), ids);
    assert.deepEqual((await s.api.get(`${f.labs}/alerts`, { alertIds: ids, deploymentIds: [f.dep1b] })).body.alerts.map((a: Json) => a.name), ['a-two']);
    assertError(await s.api.get(`${f.labs}/alerts`, { limit: 5000 }), 400, 'limit');
  });

  it('labs bulk create, update and delete are atomic and present the same alerts as platform', async () => {
    const labs = f.labs;
    const body = [alertBody('DAG_FAILURE', f.dep1a, [own.id], { name: 'bulk 1' }), alertBody('TASK_DURATION', f.dep1a, [], { name: 'bulk 2' })];
    // One bad item: nothing is written.
    const countBefore = (await s.api.get(alerts, { limit: 1000 })).body.totalCount;
    const badOne = alertBody('DAG_DURATION', f.dep1a, [own.id], { name: 'bulk bad' });
    badOne.rules.properties.dagDurationSeconds = 5;
    assertError(await s.api.post(`${labs}/create-alerts`, { alerts: [...body, badOne] }), 400, 'alerts[2].rules.properties.dagDurationSeconds');
    assertError(await s.api.post(`${labs}/create-alerts`, { alerts: [body[0], { ...body[1], type: 'NOPE' }] }), 400, 'alerts[1].type');
    assertError(await s.api.post(`${labs}/create-alerts`, { alerts: [body[0], { ...body[1], severity: undefined }] }), 400, 'alerts[1].severity');
    assertError(await s.api.post(`${labs}/create-alerts`, { alerts: [] }), 400, 'alerts');
    assertError(await s.api.post(`${labs}/create-alerts`, { alerts: Array.from({ length: 31 }, () => body[0]) }), 400, 'alerts');
    assert.equal((await s.api.get(alerts, { limit: 1000 })).body.totalCount, countBefore);

    const created = await s.api.post(`${labs}/create-alerts`, { alerts: body });
    assert.equal(created.status, 200, created.text);
    assert.deepEqual(created.body.alerts.map((a: Json) => a.name), ['bulk 1', 'bulk 2'], 'in request order');
    const [one, two] = created.body.alerts as Json[];
    assert.ok(!('notificationChannels' in two!));
    const viaPlatform = (await s.api.get(`${alerts}/${one!.id}`)).body;
    assert.deepEqual(viaPlatform, one);

    // Update: one unknown id is a 404 and nothing changes.
    const up = (a: Json, extra: Json) => ({ id: a.id, ...updateBody(a), ...extra });
    assertError(await s.api.post(`${labs}/update-alerts`, { alerts: [up(one!, { name: 'changed' }), { ...up(two!, {}), id: 'cnosuchalert00000000000000' }] }), 404);
    assertError(await s.api.post(`${labs}/update-alerts`, { alerts: [up(one!, { name: 'changed' }), up(two!, { rules: { properties: { taskDurationSeconds: 1 } } })] }), 400, 'alerts[1].rules.properties.taskDurationSeconds');
    assertError(await s.api.post(`${labs}/update-alerts`, { alerts: [{ ...up(one!, {}), id: undefined }] }), 400, 'alerts[0].id');
    assertError(await s.api.post(`${labs}/update-alerts`, { alerts: [up(one!, {}), up(one!, {})] }), 400, 'alerts[1].id');
    assert.equal((await s.api.get(`${alerts}/${one!.id}`)).body.name, 'bulk 1');
    const updated = await s.api.post(`${labs}/update-alerts`, { alerts: [up(two!, { name: 'second' }), up(one!, { name: 'first' })] });
    assert.equal(updated.status, 200, updated.text);
    assert.deepEqual(updated.body.alerts.map((a: Json) => a.name), ['second', 'first']);
    assert.equal((await s.api.get(`${alerts}/${one!.id}`)).body.name, 'first');
    // A platform change shows on labs.
    await s.api.post(`${alerts}/${two!.id}`, { type: 'TASK_DURATION', severity: 'INFO' });
    assert.equal((await s.api.get(`${labs}/alerts`, { alertIds: [two!.id] })).body.alerts[0].severity, 'INFO');

    // Delete: unknown ids are ignored; limits hold.
    assertError(await s.api.post(`${labs}/delete-alerts`, { alertIds: [] }), 400, 'alertIds');
    assertError(await s.api.post(`${labs}/delete-alerts`, { alertIds: Array.from({ length: 21 }, (_, i) => `c${String(i).padStart(24, '0')}`) }), 400, 'alertIds');
    const del = await s.api.post(`${labs}/delete-alerts`, { alertIds: [one!.id, two!.id, 'cnosuchalert00000000000000'] });
    assert.equal(del.status, 204);
    assertError(await s.api.get(`${alerts}/${one!.id}`), 404);
    assert.equal((await s.api.get(`${labs}/alerts`, { alertIds: [one!.id, two!.id] })).body.alerts.length, 0);
  });

  it('authorizes by the alert\'s Deployment: a caller of another Workspace is refused, lists show only what it may read', async () => {
    const author = await s.withRoles('WORKSPACE', f.ws1, [{ entityType: 'WORKSPACE', entityId: f.ws1, role: 'WORKSPACE_AUTHOR' }]);
    const member = await s.withRoles('WORKSPACE', f.ws1, [{ entityType: 'WORKSPACE', entityId: f.ws1, role: 'WORKSPACE_MEMBER' }]);
    const other = await s.withRoles('WORKSPACE', f.ws2, [{ entityType: 'WORKSPACE', entityId: f.ws2, role: 'WORKSPACE_OWNER' }]);
    const depAdmin = await s.withRoles('DEPLOYMENT', f.dep1b, [{ entityType: 'DEPLOYMENT', entityId: f.dep1b, role: 'DEPLOYMENT_ADMIN' }]);

    const created = await author.post(alerts, alertBody('DAG_FAILURE', f.dep1a, [own.id]));
    assert.equal(created.status, 200, created.text);
    const a = created.body;
    assertError(await member.post(alerts, alertBody('DAG_FAILURE', f.dep1a, [own.id])), 403);
    assert.equal((await member.get(`${alerts}/${a.id}`)).status, 200);
    assertError(await member.post(`${alerts}/${a.id}`, updateBody(a)), 403);
    assertError(await other.get(`${alerts}/${a.id}`), 403);
    assertError(await other.post(`${alerts}/${a.id}`, updateBody(a)), 403);
    assertError(await other.request('DELETE', `${alerts}/${a.id}`), 403);
    assertError(await other.post(alerts, alertBody('DAG_FAILURE', f.dep1a, [own.id])), 403);
    assertError(await depAdmin.get(`${alerts}/${a.id}`), 403);
    const ch = await emailChannel(s.api, f, 'DEPLOYMENT', f.dep1b);
    assert.equal((await depAdmin.post(alerts, alertBody('DAG_SUCCESS', f.dep1b, [ch.id]))).status, 200);
    const seenByOther = (await other.get(alerts, { limit: 1000 })).body;
    assert.ok(!seenByOther.alerts.some((x: Json) => x.id === a.id));
    assert.ok(seenByOther.alerts.every((x: Json) => x.workspaceId === f.ws2));
    assert.ok((await member.get(alerts, { alertIds: [a.id] })).body.alerts.length === 1);
    assert.equal((await other.get(`${f.labs}/alerts`, { alertIds: [a.id] })).body.alerts.length, 0);

    // Labs: every alert of a bulk call is checked; one out of reach refuses the whole call.
    const mixed = [alertBody('DAG_FAILURE', f.dep1a, [own.id], { name: 'in reach' }), alertBody('DAG_FAILURE', f.dep2, [], { name: 'out of reach' })];
    assertError(await author.post(`${f.labs}/create-alerts`, { alerts: mixed }), 403);
    assertError(await other.post(`${f.labs}/update-alerts`, { alerts: [{ id: a.id, ...updateBody(a) }] }), 403);
    assertError(await other.post(`${f.labs}/delete-alerts`, { alertIds: [a.id] }), 403);
    assert.equal((await s.api.get(`${alerts}/${a.id}`)).status, 200);
    assert.equal((await author.post(`${f.labs}/delete-alerts`, { alertIds: [a.id] })).status, 204);

    assertError(await s.api.get(`/platform/v1beta1/organizations/cnosuchorganization0000000/alerts`), 403);
    assertError(await s.as(undefined).get(`${f.labs}/alerts`), 401);
  });
});
