import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339 } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';

describe('organizations', () => {
  let s: TestServer;
  before(async () => { s = await startServer({ ASTROLABE_ORG_NAME: 'Acme Data' }); });
  after(async () => { await s.close(); });

  it('lists exactly the caller\'s organization with every required field', async () => {
    const res = await s.api.get('/v1/organizations');
    assert.equal(res.status, 200);
    assert.equal(res.body.totalCount, 1);
    assert.equal(res.body.limit, 20);
    assert.equal(res.body.offset, 0);
    const org = res.body.organizations[0];
    assert.equal(org.id, s.orgId);
    assert.match(org.id, CUID);
    assert.equal(org.name, 'Acme Data');
    assert.equal(org.product, 'HOSTED');
    assert.equal(org.status, 'ACTIVE');
    assert.equal(org.hasAllowedIpAddressRanges, false);
    assert.equal(org.shouldEnforceDedicatedClusters, false);
    assert.equal(org.isScimEnabled, false);
    assert.match(org.createdAt, RFC3339);
    assert.equal(org.createdBy.subjectType, 'SERVICEKEY');
    assert.equal(org.productPlans.length, 1);
    assert.equal(org.productPlans[0].organizationId, s.orgId);
  });

  it('filters the list by product and pages past the end', async () => {
    assert.equal((await s.api.get('/v1/organizations', { product: 'HYBRID' })).body.totalCount, 0);
    assert.equal((await s.api.get('/v1/organizations', { product: 'HOSTED' })).body.totalCount, 1);
    const past = await s.api.get('/v1/organizations', { offset: 5, limit: 1000 });
    assert.equal(past.status, 200);
    assert.deepEqual(past.body.organizations, []);
    assert.equal(past.body.totalCount, 1);
    assertError(await s.api.get('/v1/organizations', { product: 'CLOUD' }), 400, 'product', 'oneof');
    assertError(await s.api.get('/v1/organizations', { sorts: 'name:up' }), 400);
    // An empty enum value counts as absent.
    assert.equal((await s.api.get('/v1/organizations', { product: '' })).status, 200);
  });

  it('gets the organization, with or without isLookUpOnly', async () => {
    const res = await s.api.get(`/v1/organizations/${s.orgId}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.id, s.orgId);
    const lookup = await s.api.get(`/v1/organizations/${s.orgId}`, { isLookUpOnly: true });
    assert.equal(lookup.status, 200);
    assertError(await s.api.get(`/v1/organizations/${s.orgId}`, { isLookUpOnly: 'maybe' }), 400);
  });

  it('updates settings, keeps flags that are left out, and reads back the change', async () => {
    s.clock.advance(60);
    const res = await s.api.post(`/v1/organizations/${s.orgId}`, {
      name: 'Acme Analytics', billingEmail: 'billing@acme.test', isScimEnabled: true, shouldEnforceDedicatedClusters: true,
    });
    assert.equal(res.status, 200);
    assert.equal(res.body.name, 'Acme Analytics');
    assert.equal(res.body.billingEmail, 'billing@acme.test');
    assert.equal(res.body.isScimEnabled, true);
    assert.equal(res.body.shouldEnforceDedicatedClusters, true);
    assert.equal(res.body.updatedAt, '2026-03-01T12:01:00Z');
    const again = await s.api.post(`/v1/organizations/${s.orgId}`, { name: 'Acme Analytics', billingEmail: 'billing@acme.test', isScimEnabled: false });
    assert.equal(again.body.shouldEnforceDedicatedClusters, true, 'absent flag keeps its value');
    assert.equal(again.body.isScimEnabled, false);
    const read = await s.api.get(`/v1/organizations/${s.orgId}`);
    assert.equal(read.body.name, 'Acme Analytics');
    assert.equal(read.body.shouldEnforceDedicatedClusters, true);
  });

  it('validates the update body', async () => {
    const path = `/v1/organizations/${s.orgId}`;
    assertError(await s.api.post(path, { billingEmail: 'a@b.c', isScimEnabled: false }), 400, 'name', 'required');
    assertError(await s.api.post(path, { name: 'x'.repeat(51), billingEmail: 'a@b.c', isScimEnabled: false }), 400, 'name', 'max');
    assertError(await s.api.post(path, { name: 'ok', billingEmail: 'a@b.c', isScimEnabled: 'yes' }), 400, 'isScimEnabled', 'type');
    assertError(await s.api.post(path, { name: '  ', billingEmail: 'a@b.c', isScimEnabled: false }), 400, 'name', 'required');
    const unchanged = await s.api.get(path);
    assert.equal(unchanged.body.name, 'Acme Analytics');
  });

  it('reports hasAllowedIpAddressRanges from the stored ranges', async () => {
    const ranges = `/v1/organizations/${s.orgId}/allowed-ip-address-ranges`;
    const created = await s.api.post(ranges, { ipAddressRange: '127.0.0.1/32' });
    assert.equal(created.status, 200, created.text);
    assert.equal((await s.api.get(`/v1/organizations/${s.orgId}`)).body.hasAllowedIpAddressRanges, true);
    assert.equal((await s.api.get('/v1/organizations')).body.organizations[0].hasAllowedIpAddressRanges, true);
    assert.equal((await s.api.delete(`${ranges}/${created.body.id}`)).status, 204);
    assert.equal((await s.api.get(`/v1/organizations/${s.orgId}`)).body.hasAllowedIpAddressRanges, false);
  });
});
