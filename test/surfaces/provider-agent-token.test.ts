import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339 } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

/**
 * The Terraform provider's astro_agent_token on /iam/v1beta1 (CreateAgentToken, GetAgentToken,
 * DeleteAgentToken; ListAgentTokens only in its acceptance tests). Create sends name, description
 * ("" when none is configured) and tokenExpiryPeriodInDays only when configured, and needs the
 * token value in the answer; reads must not carry the value; expiryPeriodInDays is absent when no
 * expiry was set. Every attribute forces replacement, so there is no update. Import id is
 * <deploymentId>/<tokenId>, read with one GET. On this surface a token's scope is called `type`.
 */
describe('provider replay: astro_agent_token', () => {
  let s: TestServer;
  let v1: string;
  let dep: string;
  let tokens: string;
  before(async () => {
    s = await startServer();
    v1 = `/v1/organizations/${s.orgId}`;
    const ws = (await s.api.post(`${v1}/workspaces`, { name: 'agents', defaultCloudProvider: 'AWS', defaultRegion: 'us-west-2' })).body.id;
    const d = await s.api.post(`${v1}/deployments`, { name: 'agent-dep', workspaceId: ws });
    assert.equal(d.status, 200, d.text);
    dep = d.body.id;
    tokens = `/iam/v1beta1/organizations/${s.orgId}/deployments/${dep}/agent-tokens`;
  });
  after(async () => { await s.close(); });

  function assertTokenShape(t: Json) {
    assert.match(t.id, CUID);
    assert.equal(t.type, 'DEPLOYMENT');
    assert.ok(!('scope' in t), 'the older shape has type, not scope');
    assert.ok(t.shortToken);
    assert.match(t.startAt, RFC3339);
    assert.match(t.createdAt, RFC3339);
    assert.match(t.updatedAt, RFC3339);
    assert.equal(typeof t.description, 'string');
  }

  it('create without description or expiry, read, import, delete, read after delete', async () => {
    const created = await s.api.post(tokens, { name: 'tf-agent', description: '' });
    assert.equal(created.status, 200, created.text);
    assertTokenShape(created.body);
    assert.equal(created.body.name, 'tf-agent');
    assert.equal(created.body.description, '', 'an empty description, which Terraform reads as none');
    assert.ok(!('expiryPeriodInDays' in created.body) && !('endAt' in created.body), 'no expiry: absent');
    assert.equal(typeof created.body.token, 'string');
    assert.ok(created.body.token.length > 0);
    const id = created.body.id;

    const read = await s.api.get(`${tokens}/${id}`);
    assert.equal(read.status, 200, read.text);
    assert.ok(!('token' in read.body), 'the value is only in the create answer');
    const { token: _value, ...withoutValue } = created.body;
    assert.deepEqual(read.body, withoutValue, 'a read right after the create shows the same token');

    // ---- Import: "<deploymentId>/<tokenId>", one GET.
    const [depId, tokenId] = `${dep}/${id}`.split('/');
    assert.deepEqual((await s.api.get(`/iam/v1beta1/organizations/${s.orgId}/deployments/${depId}/agent-tokens/${tokenId}`)).body, read.body);

    // The value authenticates until the token is deleted.
    const agent = s.as(created.body.token);
    assert.notEqual((await agent.get(`${v1}/deployments/${dep}`)).status, 401);

    // ---- The acceptance tests' list.
    const listed = await s.api.get(tokens, { limit: 1000, offset: 0 });
    assert.equal(listed.status, 200, listed.text);
    assert.deepEqual(listed.body.tokens.map((t: Json) => [t.id, t.type]), [[id, 'DEPLOYMENT']]);
    assert.ok(!('token' in listed.body.tokens[0]));

    assert.equal((await s.api.delete(`${tokens}/${id}`)).status, 204);
    assertError(await s.api.get(`${tokens}/${id}`), 404);
    assertError(await s.api.delete(`${tokens}/${id}`), 404);
    assertError(await agent.get(`${v1}/deployments/${dep}`), 401);
  });

  it('create with description and expiry: both echoed, endAt is start plus the expiry', async () => {
    const created = await s.api.post(tokens, { name: 'tf-agent-exp', description: 'ships logs', tokenExpiryPeriodInDays: 30 });
    assert.equal(created.status, 200, created.text);
    assertTokenShape(created.body);
    assert.equal(created.body.description, 'ships logs');
    assert.equal(created.body.expiryPeriodInDays, 30);
    assert.equal(Date.parse(created.body.endAt) - Date.parse(created.body.startAt), 30 * 86_400_000);
    const read = (await s.api.get(`${tokens}/${created.body.id}`)).body;
    assert.equal(read.expiryPeriodInDays, 30);
    assert.equal(read.description, 'ships logs');
    assertError(await s.api.post(tokens, { name: 'x', description: '', tokenExpiryPeriodInDays: 0 }), 400, 'tokenExpiryPeriodInDays');
    assertError(await s.api.post(`/iam/v1beta1/organizations/${s.orgId}/deployments/c${'0'.repeat(24)}/agent-tokens`, { name: 'x', description: '' }), 404);
  });

  it('cross-surface: created on iam v1beta1, read on /v1 (scope, not type), deleted on /v1, 404 on both', async () => {
    const created = (await s.api.post(tokens, { name: 'xs', description: '' })).body;
    const v1Tokens = `${v1}/deployments/${dep}/agent-tokens`;
    const onV1 = await s.api.get(`${v1Tokens}/${created.id}`);
    assert.equal(onV1.status, 200, onV1.text);
    assert.equal(onV1.body.scope, 'DEPLOYMENT');
    assert.ok(!('type' in onV1.body));
    const { scope: _scope, ...rest } = onV1.body;
    assert.deepEqual({ ...rest, type: 'DEPLOYMENT' }, (await s.api.get(`${tokens}/${created.id}`)).body);
    assert.equal((await s.api.delete(`${v1Tokens}/${created.id}`)).status, 204);
    assertError(await s.api.get(`${v1Tokens}/${created.id}`), 404);
    assertError(await s.api.get(`${tokens}/${created.id}`), 404);
  });
});
