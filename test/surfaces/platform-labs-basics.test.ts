import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';

describe('older surfaces over the same state: organizations (platform v1beta1) and IP ranges (labs v1)', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(async () => { await s.close(); });

  it('presents the organization in the v1beta1 shape: supportPlan, none of the newer flags', async () => {
    const v1 = (await s.api.get(`/v1/organizations/${s.orgId}`)).body;
    const res = await s.api.get(`/platform/v1beta1/organizations/${s.orgId}`);
    assert.equal(res.status, 200);
    assert.equal(res.body.supportPlan, v1.productPlans[0].productPlanName);
    assert.equal(res.body.name, v1.name);
    assert.equal(res.body.createdAt, v1.createdAt);
    for (const k of ['hasAllowedIpAddressRanges', 'isBlockedEnableAiFeatures', 'hasAiFeaturesDisabled']) assert.ok(!(k in res.body), k);
    const list = await s.api.get('/platform/v1beta1/organizations');
    assert.equal(list.status, 200);
    assert.deepEqual(list.body.organizations.map((o: { id: string }) => o.id), [s.orgId]);
    const none = await s.api.get('/platform/v1beta1/organizations', { astronomerProduct: 'OBSERVE' });
    assert.equal(none.body.totalCount, 0);
  });

  it('updates on v1beta1 and reads the change on v1; a v1-only flag set on v1 survives a v1beta1 update', async () => {
    const path = `/v1/organizations/${s.orgId}`;
    const v1 = (await s.api.post(path, { name: 'Org', billingEmail: 'b@example.com', isScimEnabled: false, hasAiFeaturesDisabled: true })).body;
    assert.equal(v1.hasAiFeaturesDisabled, true);
    const res = await s.api.post(`/platform/v1beta1/organizations/${s.orgId}`, { name: 'Renamed', billingEmail: 'c@example.com', isScimEnabled: false });
    assert.equal(res.status, 200);
    assert.equal(res.body.name, 'Renamed');
    const after = (await s.api.get(path)).body;
    assert.equal(after.name, 'Renamed');
    assert.equal(after.billingEmail, 'c@example.com');
    assert.equal(after.hasAiFeaturesDisabled, true);
    assertError(await s.api.post(`/platform/v1beta1/organizations/${s.orgId}`, { name: 'x'.repeat(51), billingEmail: 'c@example.com', isScimEnabled: false }), 400, 'name');
  });

  it('bulk-creates ranges through labs, lists them on v1, and deletes them with a JSON body on DELETE', async () => {
    const labs = `/labs/v1/organizations/${s.orgId}/allowed-ip-address-ranges`;
    const created = await s.api.post(labs, { allowedIpAddressRanges: ['127.0.0.0/8', '::1/128'] });
    assert.equal(created.status, 200);
    assert.deepEqual(created.body.allowedIpAddressRanges.map((r: { ipAddressRange: string }) => r.ipAddressRange), ['127.0.0.0/8', '::1/128']);
    // The same range again: 409, nothing written.
    assertError(await s.api.post(labs, { allowedIpAddressRanges: ['10.0.0.0/8', '127.0.0.0/8'] }), 409);
    assertError(await s.api.post(labs, { allowedIpAddressRanges: [] }), 400, 'allowedIpAddressRanges');
    const v1 = `/v1/organizations/${s.orgId}/allowed-ip-address-ranges`;
    const listed = (await s.api.get(v1)).body;
    assert.equal(listed.totalCount, 2);
    assert.equal((await s.api.get(`/v1/organizations/${s.orgId}`)).body.hasAllowedIpAddressRanges, true);
    assertError(await s.api.request('DELETE', labs, { body: { allowedIpAddressRangeIds: [] } }), 400, 'allowedIpAddressRangeIds');
    const del = await s.api.request('DELETE', labs, { body: { allowedIpAddressRangeIds: listed.allowedIpAddressRanges.map((r: { id: string }) => r.id) } });
    assert.equal(del.status, 204);
    assert.equal((await s.api.get(v1)).body.totalCount, 0);
  });

  it('checks the same permissions as v1 on the older surfaces', async () => {
    const member = await s.withRoles('ORGANIZATION', s.orgId, [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' }]);
    assert.equal((await member.get(`/platform/v1beta1/organizations/${s.orgId}`)).status, 200);
    assertError(await member.post(`/platform/v1beta1/organizations/${s.orgId}`, { name: 'n', billingEmail: 'c@example.com', isScimEnabled: false }), 403);
    assertError(await member.post(`/labs/v1/organizations/${s.orgId}/allowed-ip-address-ranges`, { allowedIpAddressRanges: ['10.0.0.0/8'] }), 403);
    assertError(await s.as(undefined).get(`/platform/v1beta1/organizations/${s.orgId}`), 401);
  });
});
