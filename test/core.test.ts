import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import YAML from 'yaml';
import { Validator } from '@seriousme/openapi-schema-validator';
import { assertError } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';

describe('core: auth, errors, spec, health', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(async () => { await s.close(); });

  it('serves health endpoints', async () => {
    assert.equal((await fetch(`${s.url}/livez`)).status, 200);
    const ready = await fetch(`${s.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.deepEqual(await ready.json(), { status: 'ok' });
  });

  it('serves its OpenAPI document as JSON or YAML at /spec/v1 and /spec/v1.0', async () => {
    const json = await fetch(`${s.url}/spec/v1`, { headers: { accept: 'application/json' } });
    assert.equal(json.status, 200);
    assert.match(json.headers.get('content-type')!, /application\/json/);
    const doc = await json.json() as any;
    assert.equal(doc.openapi, '3.0.3');
    assert.ok(doc.paths['/organizations/{organizationId}/workspaces'].post);
    const yaml = await fetch(`${s.url}/spec/v1.0`);
    assert.equal(yaml.status, 200);
    assert.match(yaml.headers.get('content-type')!, /yaml/);
    assert.deepEqual(YAML.parse(await yaml.text()), doc);
  });

  it('serves a valid OpenAPI 3.0 document', async () => {
    const doc = await (await fetch(`${s.url}/spec/v1`, { headers: { accept: 'application/json' } })).json();
    const result = await new Validator().validate(doc as Parameters<Validator["validate"]>[0]);
    assert.equal(result.valid, true, JSON.stringify(result.errors)?.slice(0, 2000));
  });

  it('rejects a missing, malformed, unknown or expired token with 401', async () => {
    assertError(await s.as(undefined).get('/v1/organizations'), 401);
    assertError(await s.api.request('GET', '/v1/organizations', { headers: { authorization: 'Token abc' } }), 401);
    assertError(await s.api.request('GET', '/v1/organizations', { headers: { authorization: 'Bearer' } }), 401);
    assertError(await s.as('not-a-token').get('/v1/organizations'), 401);
    const expiredId = 'c' + 'x'.repeat(24);
    await s.app.db.insertInto('api_tokens').values({
      id: expiredId, organization_id: s.orgId, name: 'old', description: null, scope: 'ORGANIZATION', kind: 'STANDARD',
      entity_id: s.orgId, token_hash: (await import('../src/auth/tokens.js')).hashToken('expired-secret'), short_token: 'secret',
      expiry_period_days: 1, start_at: '2026-01-01T00:00:00.000Z', end_at: '2026-01-02T00:00:00.000Z', last_used_at: null, last_rotated_at: null,
      created_at: '2026-01-01T00:00:00.000Z', created_by_id: expiredId, created_by_type: 'SERVICEKEY',
      updated_at: '2026-01-01T00:00:00.000Z', updated_by_id: expiredId, updated_by_type: 'SERVICEKEY',
    }).execute();
    await s.app.db.insertInto('api_token_roles').values({ token_id: expiredId, position: 0, entity_type: 'ORGANIZATION', entity_id: s.orgId, role: 'ORGANIZATION_OWNER', deployment_id: null }).execute();
    const expired = await s.as('expired-secret').get('/v1/organizations');
    assertError(expired, 401);
    assert.match(expired.body.message, /expired/);
  });

  it('issues the bootstrap token as a JWT the astro CLI accepts', () => {
    const parts = s.token.split('.');
    assert.equal(parts.length, 3);
    const header = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString());
    const claims = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString());
    assert.equal(header.alg, 'HS256');
    assert.ok(Array.isArray(claims.permissions) && claims.permissions.length > 0);
    assert.ok(claims.permissions.every((p: string) => p.includes(':')));
    assert.ok(claims.permissions.includes(`organizationId:${s.orgId}`));
    assert.match(claims.apiTokenId, /^c[0-9a-z]{24}$/);
  });

  it('answers unknown routes with 404 in the error shape', async () => {
    const res = await s.api.get('/v1/nothing-here');
    assertError(res, 404);
  });

  it('accepts X-API-Version 1.0 and rejects other versions with 400', async () => {
    const ok = await s.api.request('GET', '/v1/organizations', { headers: { 'x-api-version': '1.0' } });
    assert.equal(ok.status, 200);
    assertError(await s.api.request('GET', '/v1/organizations', { headers: { 'x-api-version': '2.0' } }), 400);
  });

  it('rejects malformed JSON and a non-object body with 400', async () => {
    const bad = await s.api.request('POST', `/v1/organizations/${s.orgId}/workspaces`, { rawBody: '{"name": ' });
    assertError(bad, 400);
    const arr = await s.api.request('POST', `/v1/organizations/${s.orgId}/workspaces`, { body: ['x'] });
    assertError(arr, 400);
    const empty = await s.api.request('POST', `/v1/organizations/${s.orgId}/workspaces`, { rawBody: '', headers: { 'content-type': 'application/json' } });
    assertError(empty, 400);
    const text = await s.api.request('POST', `/v1/organizations/${s.orgId}/workspaces`, { rawBody: 'name=x', headers: { 'content-type': 'text/plain' } });
    assertError(text, 400);
    const none = await s.api.request('POST', `/v1/organizations/${s.orgId}/workspaces`);
    assertError(none, 400);
  });

  it('answers another organization the same way whether it exists or not', async () => {
    const other = (await import('../src/bootstrap.js'));
    const created = await other.createOrganizationWithOwner(s.app, { name: 'Other' });
    const foreign = await s.api.get(`/v1/organizations/${created.organizationId}/workspaces`);
    const missing = await s.api.get(`/v1/organizations/c${'0'.repeat(24)}/workspaces`);
    assertError(foreign, 403);
    assertError(missing, 403);
    assert.equal(foreign.body.message, missing.body.message);
  });
});
