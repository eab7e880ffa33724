import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339 } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { fixture, type AlertsFixture, type Json } from './alerts-fixture.js';

/**
 * The Terraform provider's astro_notification_channel on /platform/v1beta1: create sends name,
 * definition, type, entityId, entityType and isShared (its default false, so always sent); update
 * sends name, definition, type and isShared; read is GET by id (404 drops it from state), delete
 * 204 (404 ignored). Terraform keeps secret definition fields (webhookUrl, integrationKey, apiKey,
 * deploymentApiToken) from its own state, so the answer may leave them out, but every
 * non-secret field comes back as sent. The astro_notification_channels data source lists 1000 at a
 * time and asks once more at offset 1000. No /v1 counterpart exists.
 */
describe('provider replay: astro_notification_channel', () => {
  let s: TestServer;
  let f: AlertsFixture;
  let base: string;
  before(async () => {
    s = await startServer();
    f = await fixture(s);
    base = `${f.platform}/notification-channels`;
  });
  after(async () => { await s.close(); });

  function assertChannel(c: Json, sent: Json) {
    assert.match(c.id, CUID);
    assert.equal(c.name, sent.name);
    assert.equal(c.type, sent.type);
    assert.equal(c.isShared, sent.isShared);
    assert.equal(c.organizationId, s.orgId);
    assert.match(c.createdAt, RFC3339);
    assert.match(c.updatedAt, RFC3339);
    assert.ok(c.createdBy?.id && c.updatedBy?.id);
  }

  it('EMAIL on a Deployment: create, read, update, import, delete, read after delete', async () => {
    const sent = { name: 'tf-email', definition: { recipients: ['oncall@example.com', 'team@example.com'] }, type: 'EMAIL', entityId: f.dep1a, entityType: 'DEPLOYMENT', isShared: false };
    const created = await s.api.post(base, sent);
    assert.equal(created.status, 200, created.text);
    assertChannel(created.body, sent);
    assert.equal(created.body.entityType, 'DEPLOYMENT');
    assert.equal(created.body.entityId, f.dep1a);
    assert.equal(created.body.deploymentId, f.dep1a);
    assert.equal(created.body.workspaceId, f.ws1);
    assert.deepEqual(created.body.definition, sent.definition, 'recipients in the order sent');
    const id = created.body.id;
    assert.deepEqual((await s.api.get(`${base}/${id}`)).body, created.body);

    s.clock.advance(30);
    const change = { name: 'tf-email-2', definition: { recipients: ['team@example.com'] }, type: 'EMAIL', isShared: false };
    const updated = await s.api.post(`${base}/${id}`, change);
    assert.equal(updated.status, 200, updated.text);
    assertChannel(updated.body, change);
    assert.deepEqual(updated.body.definition, change.definition);
    assert.equal(updated.body.entityId, f.dep1a, 'the entity stays');
    assert.equal(updated.body.createdAt, created.body.createdAt);
    assert.notEqual(updated.body.updatedAt, created.body.updatedAt);
    assert.deepEqual((await s.api.get(`${base}/${id}`)).body, updated.body, 'import: one GET by id');

    assert.equal((await s.api.delete(`${base}/${id}`)).status, 204);
    assertError(await s.api.get(`${base}/${id}`), 404);
    assertError(await s.api.delete(`${base}/${id}`), 404);
  });

  it('secret-bearing types on a Workspace and the Organization, shared: non-secret fields echoed, secrets not shown', async () => {
    const cases: Json[] = [
      { name: 'tf-slack', type: 'SLACK', entityType: 'WORKSPACE', entityId: f.ws1, isShared: true, definition: { webhookUrl: 'https://hooks.slack.com/services/T1/B1/abc' } },
      { name: 'tf-pd', type: 'PAGERDUTY', entityType: 'ORGANIZATION', entityId: s.orgId, isShared: true, definition: { integrationKey: 'pd-123' } },
      { name: 'tf-og', type: 'OPSGENIE', entityType: 'WORKSPACE', entityId: f.ws2, isShared: false, definition: { apiKey: 'og-456' } },
      { name: 'tf-dag', type: 'DAG_TRIGGER', entityType: 'DEPLOYMENT', entityId: f.dep2, isShared: false, definition: { dagId: 'on_alert', deploymentId: f.dep2, deploymentApiToken: 'secret-token' } },
    ];
    for (const sent of cases) {
      const created = await s.api.post(base, sent);
      assert.equal(created.status, 200, `${sent.type}: ${created.text}`);
      assertChannel(created.body, sent);
      assert.equal(created.body.entityType, sent.entityType);
      assert.equal(created.body.entityId, sent.entityId);
      if (sent.entityType === 'ORGANIZATION') assert.ok(!('workspaceId' in created.body) && !('deploymentId' in created.body));
      if (sent.entityType === 'WORKSPACE') {
        assert.equal(created.body.workspaceId, sent.entityId);
        assert.ok(!('deploymentId' in created.body));
      }
      if (sent.type === 'DAG_TRIGGER') assert.deepEqual(created.body.definition, { dagId: 'on_alert', deploymentId: f.dep2 });
      for (const secret of ['hooks.slack.com', 'pd-123', 'og-456', 'secret-token']) assert.ok(!created.text.includes(secret), `${sent.type}: no secret in the answer`);
      const id = created.body.id;
      assert.deepEqual((await s.api.get(`${base}/${id}`)).body, created.body);
      // Update as Terraform sends it: the definition from its state (secret included), no entity.
      const { entityId: _e, entityType: _t, ...rest } = sent;
      const updated = await s.api.post(`${base}/${id}`, { ...rest, name: `${sent.name}-2`, isShared: !sent.isShared });
      assert.equal(updated.status, 200, `${sent.type}: ${updated.text}`);
      assert.equal(updated.body.name, `${sent.name}-2`);
      assert.equal(updated.body.isShared, !sent.isShared);
      assert.deepEqual(updated.body.definition, created.body.definition);
      assert.equal((await s.api.delete(`${base}/${id}`)).status, 204);
      assertError(await s.api.get(`${base}/${id}`), 404);
    }
  });

  it('astro_notification_channels data source: filters, limit 1000 and the page at offset 1000', async () => {
    const mk = async (body: Json) => {
      const r = await s.api.post(base, body);
      assert.equal(r.status, 200, r.text);
      return r.body.id as string;
    };
    const email = await mk({ name: 'list-email', type: 'EMAIL', entityType: 'DEPLOYMENT', entityId: f.dep1b, isShared: false, definition: { recipients: ['x@example.com'] } });
    const slack = await mk({ name: 'list-slack', type: 'SLACK', entityType: 'WORKSPACE', entityId: f.ws2, isShared: false, definition: { webhookUrl: 'https://hooks.slack.com/services/T/B/c' } });
    const all = await s.api.get(base, { limit: 1000, offset: 0 });
    assert.equal(all.status, 200, all.text);
    assert.deepEqual(all.body.notificationChannels.map((c: Json) => c.id).sort(), [email, slack].sort());
    const beyond = await s.api.get(base, { limit: 1000, offset: 1000 });
    assert.equal(beyond.status, 200, beyond.text);
    assert.deepEqual(beyond.body.notificationChannels, []);
    assert.equal(beyond.body.totalCount, all.body.totalCount);
    const byId = await s.api.get(base, { notificationChannelIds: [slack, `c${'0'.repeat(24)}`], limit: 1000, offset: 0 });
    assert.deepEqual(byId.body.notificationChannels.map((c: Json) => c.id), [slack]);
    const byType = await s.api.get(base, { channelTypes: ['EMAIL'], limit: 1000, offset: 0 });
    assert.deepEqual(byType.body.notificationChannels.map((c: Json) => c.id), [email]);
    const byEntity = await s.api.get(base, { entityType: 'WORKSPACE', limit: 1000, offset: 0 });
    assert.deepEqual(byEntity.body.notificationChannels.map((c: Json) => c.id), [slack]);
  });
});
