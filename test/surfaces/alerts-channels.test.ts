import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339 } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { channelSecret } from '../../src/resources/alerts/channels.js';
import { alertBody, emailChannel, fixture, type AlertsFixture, type Json } from './alerts-fixture.js';

describe('notification channels (platform v1beta1)', () => {
  let s: TestServer;
  let f: AlertsFixture;
  let base: string;
  before(async () => {
    s = await startServer();
    f = await fixture(s);
    base = `${f.platform}/notification-channels`;
  });
  after(async () => { await s.close(); });

  const DEFINITIONS: Record<string, { sent: () => Json; shown: () => Json; secret?: Json }> = {
    EMAIL: { sent: () => ({ recipients: ['b@example.com', 'a@example.com'] }), shown: () => ({ recipients: ['b@example.com', 'a@example.com'] }) },
    SLACK: { sent: () => ({ webhookUrl: 'https://hooks.slack.com/services/T0/B0/xyz' }), shown: () => ({}), secret: { webhookUrl: 'https://hooks.slack.com/services/T0/B0/xyz' } },
    PAGERDUTY: { sent: () => ({ integrationKey: 'pd-key-1' }), shown: () => ({}), secret: { integrationKey: 'pd-key-1' } },
    OPSGENIE: { sent: () => ({ apiKey: 'og-key-1' }), shown: () => ({}), secret: { apiKey: 'og-key-1' } },
    DAG_TRIGGER: {
      sent: () => ({ dagId: 'recover', deploymentId: f.dep1a, deploymentApiToken: 'tok-secret' }),
      shown: () => ({ dagId: 'recover', deploymentId: f.dep1a }),
      secret: { deploymentApiToken: 'tok-secret' },
    },
  };

  it('creates, reads, updates and deletes every channel type; secrets are kept encrypted and never shown', async () => {
    for (const [type, d] of Object.entries(DEFINITIONS)) {
      const created = await s.api.post(base, { name: `${type} channel`, type, entityType: 'DEPLOYMENT', entityId: f.dep1a, definition: d.sent(), isShared: false });
      assert.equal(created.status, 200, created.text);
      const c = created.body;
      assert.match(c.id, CUID);
      assert.equal(c.type, type);
      assert.equal(c.name, `${type} channel`);
      assert.equal(c.entityType, 'DEPLOYMENT');
      assert.equal(c.entityId, f.dep1a);
      assert.equal(c.entityName, 'dep-1a');
      assert.equal(c.deploymentId, f.dep1a);
      assert.equal(c.workspaceId, f.ws1);
      assert.equal(c.organizationId, s.orgId);
      assert.equal(c.isShared, false);
      assert.match(c.createdAt, RFC3339);
      assert.equal(c.createdBy.subjectType, 'SERVICEKEY');
      assert.deepEqual(c.definition, d.shown());
      for (const v of Object.values(d.secret ?? {})) assert.ok(!created.text.includes(v), `${type}: the secret must not be returned`);
      assert.deepEqual(await channelSecret(s.app, s.orgId, c.id), d.secret);

      const got = await s.api.get(`${base}/${c.id}`);
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, c);

      s.clock.advance(60);
      const updated = await s.api.post(`${base}/${c.id}`, { type, name: `${type} renamed`, isShared: true, definition: d.sent() });
      assert.equal(updated.status, 200, updated.text);
      assert.equal(updated.body.name, `${type} renamed`);
      assert.equal(updated.body.isShared, true);
      assert.equal(updated.body.createdAt, c.createdAt);
      assert.notEqual(updated.body.updatedAt, c.updatedAt);
      assert.deepEqual(updated.body.definition, d.shown());

      assert.equal((await s.api.request('DELETE', `${base}/${c.id}`)).status, 204);
      assertError(await s.api.get(`${base}/${c.id}`), 404);
      assertError(await s.api.request('DELETE', `${base}/${c.id}`), 404);
    }
  });

  it('belongs to a Deployment, a Workspace or the Organization, with the derived ids and names', async () => {
    const ws = await emailChannel(s.api, f, 'WORKSPACE', f.ws1, { isShared: true });
    assert.equal(ws.workspaceId, f.ws1);
    assert.ok(!('deploymentId' in ws));
    assert.equal(ws.entityName, 'alerts one');
    assert.equal(ws.isShared, true);
    const org = await emailChannel(s.api, f, 'ORGANIZATION', s.orgId);
    assert.ok(!('workspaceId' in org) && !('deploymentId' in org));
    assert.equal(org.isShared, false, 'isShared defaults to false');
    assert.equal(typeof org.entityName, 'string');
    assertError(await s.api.post(base, { name: 'x', type: 'EMAIL', entityType: 'WORKSPACE', entityId: f.dep1a, definition: { recipients: ['a@example.com'] } }), 400, 'entityId');
    assertError(await s.api.post(base, { name: 'x', type: 'EMAIL', entityType: 'DEPLOYMENT', entityId: 'cnosuchdeployment000000000', definition: { recipients: ['a@example.com'] } }), 400, 'entityId');
    assertError(await s.api.post(base, { name: 'x', type: 'EMAIL', entityType: 'ORGANIZATION', entityId: f.ws1, definition: { recipients: ['a@example.com'] } }), 400, 'entityId');
  });

  it('validates each definition by type and names the field', async () => {
    const post = (type: string, definition: unknown, extra: Json = {}) => s.api.post(base, { name: 'bad', type, entityType: 'DEPLOYMENT', entityId: f.dep1a, definition, ...extra });
    assertError(await post('EMAIL', { recipients: [] }), 400, 'definition.recipients');
    assertError(await post('EMAIL', { recipients: ['not-an-address'] }), 400, 'definition.recipients[0]');
    assertError(await post('EMAIL', { recipients: ['a@example.com', 'A@example.com'] }), 400, 'definition.recipients[1]');
    assertError(await post('EMAIL', {}), 400, 'definition.recipients');
    assertError(await post('SLACK', { webhookUrl: 'http://hooks.slack.com/x' }), 400, 'definition.webhookUrl');
    assertError(await post('SLACK', { webhookUrl: 'SLACK_WEBHOOK_URL' }), 400, 'definition.webhookUrl');
    assertError(await post('PAGERDUTY', { integrationKey: '  ' }), 400, 'definition.integrationKey');
    assertError(await post('OPSGENIE', {}), 400, 'definition.apiKey');
    assertError(await post('DAG_TRIGGER', { dagId: 'd', deploymentApiToken: 't', deploymentId: 'cnosuchdeployment000000000' }), 400, 'definition.deploymentId');
    assertError(await post('DAG_TRIGGER', { dagId: '', deploymentApiToken: 't', deploymentId: f.dep1a }), 400, 'definition.dagId');
    assertError(await post('TEAMS', { recipients: ['a@example.com'] }), 400, 'type');
    assertError(await post('EMAIL', { recipients: ['a@example.com'] }, { name: ' ' }), 400, 'name');
    assertError(await post('EMAIL', { recipients: ['a@example.com'] }, { name: 'x'.repeat(501) }), 400, 'name');
    assertError(await post('EMAIL', { recipients: ['a\u0000@example.com'] }), 400);
    assertError(await post('EMAIL', { recipients: ['a@example.com'] }, { entityType: 'CLUSTER' }), 400, 'entityType');
    // An update that changes the type needs the new definition.
    const c = await emailChannel(s.api, f, 'DEPLOYMENT', f.dep1a);
    assertError(await s.api.post(`${base}/${c.id}`, { type: 'SLACK', name: 'n' }), 400, 'definition');
    const slack = await s.api.post(`${base}/${c.id}`, { type: 'SLACK', definition: { webhookUrl: 'https://hooks.example.com/a' } });
    assert.equal(slack.status, 200, slack.text);
    assert.equal(slack.body.type, 'SLACK');
    assert.deepEqual(slack.body.definition, {});
    // Without type the stored one applies; only name and isShared may change then.
    const renamed = await s.api.post(`${base}/${c.id}`, { name: 'typeless' });
    assert.equal(renamed.body.name, 'typeless');
    assert.equal(renamed.body.type, 'SLACK');
  });

  it('lists with filters, sorts and paging as the reference declares them', async () => {
    const before = (await s.api.get(base, { limit: 1000 })).body.notificationChannels.map((c: Json) => c.id);
    const made: Json[] = [];
    for (const [i, name] of ['zeta', 'alpha', 'mid'].entries()) {
      s.clock.advance(1);
      made.push((await s.api.post(base, { name, type: i === 0 ? 'SLACK' : 'EMAIL', entityType: 'DEPLOYMENT', entityId: i === 2 ? f.dep2 : f.dep1b, definition: i === 0 ? { webhookUrl: 'https://h.example.com/x' } : { recipients: ['x@example.com'] } })).body);
    }
    const ids = made.map((c) => c.id);
    const page = await s.api.get(base, { notificationChannelIds: ids, sorts: ['name:asc'] });
    assert.equal(page.status, 200);
    assert.deepEqual(page.body.notificationChannels.map((c: Json) => c.name), ['alpha', 'mid', 'zeta']);
    assert.equal(page.body.totalCount, 3);
    assert.equal(page.body.limit, 20);
    assert.equal(page.body.offset, 0);
    const second = await s.api.get(base, { notificationChannelIds: ids, sorts: ['createdAt:desc'], limit: 1, offset: 1 });
    assert.deepEqual(second.body.notificationChannels.map((c: Json) => c.name), ['alpha']);
    assert.equal(second.body.totalCount, 3);
    assert.deepEqual((await s.api.get(base, { notificationChannelIds: ids, channelTypes: ['SLACK'] })).body.notificationChannels.map((c: Json) => c.name), ['zeta']);
    assert.deepEqual((await s.api.get(base, { notificationChannelIds: ids, deploymentIds: [f.dep2] })).body.notificationChannels.map((c: Json) => c.name), ['mid']);
    assert.deepEqual((await s.api.get(base, { notificationChannelIds: ids, workspaceIds: [f.ws2] })).body.notificationChannels.map((c: Json) => c.name), ['mid']);
    assert.equal((await s.api.get(base, { notificationChannelIds: ids, entityType: 'WORKSPACE' })).body.totalCount, 0);
    const all = (await s.api.get(base, { limit: 1000 })).body;
    assert.equal(all.totalCount, before.length + 3);
    assertError(await s.api.get(base, { limit: 1001 }), 400, 'limit');
    assertError(await s.api.get(base, { offset: -1 }), 400, 'offset');
    assertError(await s.api.get(base, { sorts: ['type:asc'] }), 400);
    assertError(await s.api.get(base, { channelTypes: ['FAX'] }), 400);
  });

  it('deleting a channel detaches it from its alerts; a used shared channel cannot be unshared', async () => {
    const own = await emailChannel(s.api, f, 'DEPLOYMENT', f.dep1a);
    const shared = await emailChannel(s.api, f, 'WORKSPACE', f.ws1, { isShared: true });
    const alert = await s.api.post(`${f.platform}/alerts`, alertBody('DAG_FAILURE', f.dep1a, [shared.id, own.id]));
    assert.equal(alert.status, 200, alert.text);
    assertError(await s.api.post(`${base}/${shared.id}`, { type: 'EMAIL', isShared: false }), 400, 'isShared');
    assert.equal((await s.api.request('DELETE', `${base}/${shared.id}`)).status, 204);
    const after = (await s.api.get(`${f.platform}/alerts/${alert.body.id}`)).body;
    assert.deepEqual(after.notificationChannels.map((c: Json) => c.id), [own.id]);
    assert.equal((await s.api.request('DELETE', `${base}/${own.id}`)).status, 204);
    const none = (await s.api.get(`${f.platform}/alerts/${alert.body.id}`)).body;
    assert.ok(!('notificationChannels' in none));
  });

  it('deleting a Deployment or a Workspace deletes their channels and alerts', async () => {
    const ws = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'doomed', defaultCloudProvider: 'AWS', defaultRegion: 'us-west-2' })).body;
    const dep = (await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'doomed-dep', workspaceId: ws.id })).body;
    const depChannel = await emailChannel(s.api, f, 'DEPLOYMENT', dep.id);
    const wsChannel = await emailChannel(s.api, f, 'WORKSPACE', ws.id, { isShared: true });
    const alert = (await s.api.post(`${f.platform}/alerts`, alertBody('DAG_SUCCESS', dep.id, [depChannel.id, wsChannel.id]))).body;
    assert.equal((await s.api.request('DELETE', `/v1/organizations/${s.orgId}/deployments/${dep.id}`)).status, 204);
    assertError(await s.api.get(`${f.platform}/alerts/${alert.id}`), 404);
    assertError(await s.api.get(`${base}/${depChannel.id}`), 404);
    assert.equal((await s.api.get(`${base}/${wsChannel.id}`)).status, 200);
    assert.equal((await s.api.request('DELETE', `/v1/organizations/${s.orgId}/workspaces/${ws.id}`)).status, 204);
    assertError(await s.api.get(`${base}/${wsChannel.id}`), 404);
  });

  it('authorizes by the channel\'s entity: Workspace roles on their Workspace, Deployment roles on their Deployment only', async () => {
    const author = await s.withRoles('WORKSPACE', f.ws1, [{ entityType: 'WORKSPACE', entityId: f.ws1, role: 'WORKSPACE_AUTHOR' }]);
    const member = await s.withRoles('WORKSPACE', f.ws1, [{ entityType: 'WORKSPACE', entityId: f.ws1, role: 'WORKSPACE_MEMBER' }]);
    const other = await s.withRoles('WORKSPACE', f.ws2, [{ entityType: 'WORKSPACE', entityId: f.ws2, role: 'WORKSPACE_OWNER' }]);
    const depAdmin = await s.withRoles('DEPLOYMENT', f.dep1a, [{ entityType: 'DEPLOYMENT', entityId: f.dep1a, role: 'DEPLOYMENT_ADMIN' }]);
    const orgMember = await s.withRoles('ORGANIZATION', s.orgId, [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' }]);

    const mine = await emailChannel(author, f, 'DEPLOYMENT', f.dep1b);
    const wsChannel = await emailChannel(author, f, 'WORKSPACE', f.ws1);
    const body = { name: 'x', type: 'EMAIL', definition: { recipients: ['a@example.com'] } };
    assertError(await author.post(base, { ...body, entityType: 'WORKSPACE', entityId: f.ws2 }), 403);
    assertError(await author.post(base, { ...body, entityType: 'ORGANIZATION', entityId: s.orgId }), 403);
    // An unknown entity looks the same as another Workspace's to a scoped caller.
    assertError(await author.post(base, { ...body, entityType: 'DEPLOYMENT', entityId: 'cnosuchdeployment000000000' }), 403);
    assertError(await member.post(base, { ...body, entityType: 'DEPLOYMENT', entityId: f.dep1a }), 403);
    assert.equal((await member.get(`${base}/${mine.id}`)).status, 200);
    assertError(await other.get(`${base}/${mine.id}`), 403);
    assertError(await other.post(`${base}/${mine.id}`, { type: 'EMAIL', name: 'stolen' }), 403);
    assertError(await other.request('DELETE', `${base}/${mine.id}`), 403);
    // A Deployment Admin manages its Deployment's channels, not its Workspace's.
    assert.equal((await depAdmin.post(base, { ...body, entityType: 'DEPLOYMENT', entityId: f.dep1a })).status, 200);
    assertError(await depAdmin.post(`${base}/${wsChannel.id}`, { type: 'EMAIL', name: 'n' }), 403);
    assertError(await depAdmin.get(`${base}/${mine.id}`), 403);
    // Lists show what the caller may read.
    const seen = (await other.get(base, { limit: 1000 })).body.notificationChannels.map((c: Json) => c.id);
    assert.ok(!seen.includes(mine.id) && !seen.includes(wsChannel.id));
    const seenByMember = (await member.get(base, { limit: 1000 })).body.notificationChannels.map((c: Json) => c.id);
    assert.ok(seenByMember.includes(mine.id) && seenByMember.includes(wsChannel.id));
    assert.equal((await orgMember.get(base)).body.totalCount, 0);
    // Another organization's caller.
    assertError(await s.api.get(`/platform/v1beta1/organizations/cnosuchorganization0000000/notification-channels`), 403);
    assertError(await s.as(undefined).get(base), 401);
  });
});
