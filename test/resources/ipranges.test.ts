import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339, type ApiClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { createOrganizationWithOwner } from '../../src/bootstrap.js';
import { invalidateAll } from '../../src/store/cache.js';
import { createdColumns } from '../../src/store/audit.js';
import { openStore } from '../../src/store/open.js';
import { inTransaction } from '../../src/store/transactions.js';
import { newId } from '../../src/store/ids.js';

type Json = Record<string, any>;

/** `c` sending `X-Forwarded-For: <xff>`, which only ASTROLABE_TRUST_PROXY makes the client address. */
function via(c: ApiClient, xff: string) {
  const headers = { 'x-forwarded-for': xff };
  return {
    get: (p: string) => c.request('GET', p, { headers }),
    post: (p: string, body: unknown) => c.request('POST', p, { body, headers }),
    delete: (p: string) => c.request('DELETE', p, { headers }),
  };
}

describe('allowed IP address ranges', () => {
  let s: TestServer;
  let base: string;
  before(async () => {
    s = await startServer();
    base = `/v1/organizations/${s.orgId}/allowed-ip-address-ranges`;
  });
  after(async () => { await s.close(); });

  const list = async (query: Json = {}) => {
    const res = await s.api.get(base, query);
    assert.equal(res.status, 200);
    return res.body;
  };
  const hasRanges = async () => (await s.api.get(`/v1/organizations/${s.orgId}`)).body.hasAllowedIpAddressRanges;

  it('starts empty, without restriction', async () => {
    const body = await list();
    assert.deepEqual(body, { allowedIpAddressRanges: [], limit: 20, offset: 0, totalCount: 0 });
    assert.equal(await hasRanges(), false);
  });

  it('refuses ranges that are not CIDR, naming the field', async () => {
    for (const bad of ['abc', '10.0.0.0/33', '10.0.0.1', '256.0.0.0/8', '10.0.0.0/08', '::1/129', '1::2::3/64', '', '10.0.0.0/-1', 'fe80::1%eth0/64']) {
      assertError(await s.api.post(base, { ipAddressRange: bad }), 400, 'ipAddressRange', 'cidr');
    }
    assertError(await s.api.post(base, {}), 400);
    assertError(await s.api.post(`${base}/bulk-create`, { allowedIpAddressRanges: ['127.0.0.1/32', 'nope'] }), 400, 'allowedIpAddressRanges[1]', 'cidr');
    assertError(await s.api.post(`${base}/bulk-create`, { allowedIpAddressRanges: [] }), 400);
    assertError(await s.api.post(`${base}/bulk-create`, { allowedIpAddressRanges: Array.from({ length: 1001 }, (_, i) => `10.${i >> 8}.${i & 255}.0/24`) }), 400);
    assertError(await s.api.post(`${base}/bulk-delete`, { allowedIpAddressRangeIds: [] }), 400);
    assert.equal((await list()).totalCount, 0);
  });

  it('refuses first ranges that leave out the caller\'s own address', async () => {
    const res = await s.api.post(base, { ipAddressRange: '10.0.0.0/8' });
    assertError(res, 400);
    assert.match(res.body.message, /127\.0\.0\.1/);
    assertError(await s.api.post(`${base}/bulk-create`, { allowedIpAddressRanges: ['10.0.0.0/8', '2001:db8::/32'] }), 400);
    assert.equal((await list()).totalCount, 0);
    assert.equal(await hasRanges(), false);
  });

  it('answers 409 for a range given twice in one bulk request (after canonicalising) and writes nothing', async () => {
    const res = await s.api.post(`${base}/bulk-create`, { allowedIpAddressRanges: ['127.0.0.0/8', '10.1.2.3/16', '10.1.0.0/16'] });
    assertError(res, 409);
    assert.equal((await list()).totalCount, 0);
  });

  let created: Json[] = [];
  it('bulk-creates IPv4 and IPv6 ranges in canonical form, in request order', async () => {
    const res = await s.api.post(`${base}/bulk-create`, { allowedIpAddressRanges: ['127.0.0.1/8', '10.1.2.3/16', '2001:DB8:0:0:0:0:0:1/32', '::ffff:0:0/96'] });
    assert.equal(res.status, 200);
    created = res.body.allowedIpAddressRanges;
    assert.deepEqual(created.map((r) => r.ipAddressRange), ['127.0.0.0/8', '10.1.0.0/16', '2001:db8::/32', '::ffff:0:0/96']);
    for (const r of created) {
      assert.match(r.id, CUID);
      assert.equal(r.organizationId, s.orgId);
      assert.match(r.createdAt, RFC3339);
      assert.equal(r.createdBy.subjectType, 'SERVICEKEY');
      assert.equal(r.updatedBy.id, r.createdBy.id);
    }
    assert.equal(await hasRanges(), true);
    const page = await list();
    assert.equal(page.totalCount, 4);
    assert.deepEqual(page.allowedIpAddressRanges.map((r: Json) => r.id), created.map((r) => r.id));
  });

  it('sorts and pages', async () => {
    const sorted = await list({ sorts: ['ipAddress:asc'] });
    const texts = sorted.allowedIpAddressRanges.map((r: Json) => r.ipAddressRange);
    assert.deepEqual(texts, [...texts].sort());
    const desc = await list({ sorts: ['ipAddress:desc'] });
    assert.deepEqual(desc.allowedIpAddressRanges.map((r: Json) => r.ipAddressRange), [...texts].reverse());
    const page = await list({ offset: 1, limit: 2 });
    assert.deepEqual(page.allowedIpAddressRanges.map((r: Json) => r.id), created.slice(1, 3).map((r) => r.id));
    assert.equal(page.totalCount, 4);
    assert.equal((await list({ limit: 100000 })).limit, 100000);
    assertError(await s.api.get(base, { sorts: ['name:asc'] }), 400);
  });

  it('refuses a range already allowed: 409 in bulk (nothing written), 400 on the single create', async () => {
    assertError(await s.api.post(`${base}/bulk-create`, { allowedIpAddressRanges: ['192.0.2.0/24', '10.1.9.9/16'] }), 409);
    assert.equal((await list()).totalCount, 4);
    assertError(await s.api.post(base, { ipAddressRange: '2001:db8:0::/32' }), 400, 'ipAddressRange', 'unique');
  });

  it('creates one more range; later ranges need not include the caller', async () => {
    const res = await s.api.post(base, { ipAddressRange: '192.0.2.77/24' });
    assert.equal(res.status, 200);
    assert.equal(res.body.ipAddressRange, '192.0.2.0/24');
    assert.equal((await list()).totalCount, 5);
  });

  it('deletes one range (404 when unknown or of another organization), bulk-deletes ignoring unknown and repeated ids', async () => {
    assertError(await s.api.delete(`${base}/clxxxxxxxxxxxxxxxxxxxxxxx`), 404);
    const other = await createOrganizationWithOwner(s.app, { name: 'other' });
    assertError(await s.as(other.token).delete(`${base}/${created[1]!.id}`), 403);
    assert.equal((await s.api.delete(`${base}/${created[1]!.id}`)).status, 204);
    assertError(await s.api.delete(`${base}/${created[1]!.id}`), 404);
    const res = await s.api.post(`${base}/bulk-delete`, { allowedIpAddressRangeIds: [created[2]!.id, created[2]!.id, 'unknown'] });
    assert.equal(res.status, 204);
    assert.equal(res.text, '');
    assert.equal((await list()).totalCount, 3);
  });

  it('belongs to organization owners: other roles and organizations are refused', async () => {
    const member = await s.withRoles('ORGANIZATION', s.orgId, [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' }]);
    assertError(await member.get(base), 403);
    assertError(await member.post(base, { ipAddressRange: '198.51.100.0/24' }), 403);
    assertError(await member.post(`${base}/bulk-delete`, { allowedIpAddressRangeIds: [created[0]!.id] }), 403);
    const other = await createOrganizationWithOwner(s.app, { name: 'other 2' });
    assertError(await s.as(other.token).get(base), 403);
  });

  it('ignores X-Forwarded-For without ASTROLABE_TRUST_PROXY', async () => {
    // Only 127.0.0.0/8 covers the test client; the header claims an address outside every range.
    const res = await via(s.api, '203.0.113.9').get(`/v1/organizations/${s.orgId}`);
    assert.equal(res.status, 200);
  });

  it('bulk-deleting every range lifts the restriction', async () => {
    const ids = (await list()).allowedIpAddressRanges.map((r: Json) => r.id);
    assert.equal((await s.api.post(`${base}/bulk-delete`, { allowedIpAddressRangeIds: ids })).status, 204);
    assert.equal(await hasRanges(), false);
  });
});

describe('allowed IP address ranges: enforcement', () => {
  let s: TestServer;
  let base: string;
  let orgPath: string;
  before(async () => {
    s = await startServer({ ASTROLABE_TRUST_PROXY: 'true' });
    base = `/v1/organizations/${s.orgId}/allowed-ip-address-ranges`;
    orgPath = `/v1/organizations/${s.orgId}`;
  });
  after(async () => { await s.close(); });

  it('takes the caller\'s address from the proxy\'s X-Forwarded-For entry for the lockout check', async () => {
    // The socket is 127.0.0.1, but the proxy says the client is 198.51.100.7.
    assertError(await via(s.api, '198.51.100.7').post(base, { ipAddressRange: '127.0.0.0/8' }), 400);
    const res = await via(s.api, '198.51.100.7').post(`${base}/bulk-create`, { allowedIpAddressRanges: ['198.51.100.0/24', '2001:db8::/48'] });
    assert.equal(res.status, 200);
  });

  it('refuses every request of the organization from outside its ranges, in the error shape', async () => {
    const res = await via(s.api, '203.0.113.9').get(orgPath);
    assertError(res, 403);
    assert.match(res.body.message, /203\.0\.113\.9/);
    assertError(await via(s.api, '203.0.113.9').get(`/v1/organizations/${s.orgId}/workspaces`), 403);
    assertError(await via(s.api, '203.0.113.9').get(base), 403);
    // Without the header the socket (127.0.0.1) is the client: outside too.
    assertError(await s.api.get(orgPath), 403);
  });

  it('lets requests from inside a range through, IPv4 and IPv6', async () => {
    assert.equal((await via(s.api, '198.51.100.200').get(orgPath)).status, 200);
    assert.equal((await via(s.api, '2001:db8:0:ffff::1').get(orgPath)).status, 200);
    assert.equal((await via(s.api, '::ffff:198.51.100.3').get(orgPath)).status, 200);
    assertError(await via(s.api, '2001:db8:1::1').get(orgPath), 403);
    assertError(await via(s.api, 'not an address').get(orgPath), 403);
  });

  it('uses the last X-Forwarded-For entry, the one the proxy added, not what the client claimed', async () => {
    assertError(await via(s.api, '198.51.100.5, 203.0.113.9').get(orgPath), 403);
    assert.equal((await via(s.api, '203.0.113.9, 198.51.100.5').get(orgPath)).status, 200);
  });

  it('does not restrict other organizations', async () => {
    const other = await createOrganizationWithOwner(s.app, { name: 'unrestricted' });
    assert.equal((await via(s.as(other.token), '203.0.113.9').get(`/v1/organizations/${other.organizationId}`)).status, 200);
  });

  it('applies a change at once: a new range opens, a deleted one closes', async () => {
    assertError(await via(s.api, '192.0.2.10').get(orgPath), 403);
    const res = await via(s.api, '198.51.100.7').post(base, { ipAddressRange: '192.0.2.0/24' });
    assert.equal(res.status, 200);
    assert.equal((await via(s.api, '192.0.2.10').get(orgPath)).status, 200);
    assert.equal((await via(s.api, '198.51.100.7').delete(`${base}/${res.body.id}`)).status, 204);
    assertError(await via(s.api, '192.0.2.10').get(orgPath), 403);
  });

  it('does not stop a caller from deleting the range that covers it (as the real API), which locks it out', async () => {
    const ranges = (await via(s.api, '198.51.100.7').get(base)).body.allowedIpAddressRanges as Json[];
    const mine = ranges.find((r) => r.ipAddressRange === '198.51.100.0/24')!;
    assert.equal((await via(s.api, '198.51.100.7').delete(`${base}/${mine.id}`)).status, 204);
    assertError(await via(s.api, '198.51.100.7').get(orgPath), 403);
    assert.equal((await via(s.api, '2001:db8::9').get(orgPath)).status, 200);
    // Removing the last range lifts the restriction.
    const rest = (await via(s.api, '2001:db8::9').get(base)).body.allowedIpAddressRanges as Json[];
    assert.equal((await via(s.api, '2001:db8::9').post(`${base}/bulk-delete`, { allowedIpAddressRangeIds: rest.map((r) => r.id) })).status, 204);
    assert.equal((await via(s.api, '203.0.113.9').get(orgPath)).status, 200);
  });

  it('reads the ranges from the auth cache, and a change made through another connection applies within one second', async () => {
    assert.equal((await via(s.api, '203.0.113.9').get(orgPath)).status, 200); // no ranges, now cached
    const other = await openStore({ dataDir: s.config.dataDir, databaseUrl: s.config.databaseUrl });
    try {
      const row = { id: newId(), organization_id: s.orgId, ip_address_range: '198.51.100.0/24', ...createdColumns({ id: 'astrolabe', type: 'SYSTEM' }, new Date()) };
      // Written behind the cache's back (no invalidation): the server keeps what it cached.
      await other.db.insertInto('allowed_ip_address_ranges').values(row).execute();
      assert.equal((await via(s.api, '203.0.113.9').get(orgPath)).status, 200);
      // The same change announced the way every range write announces it.
      await inTransaction(other.db, (tx) => invalidateAll(tx));
      const since = performance.now();
      for (;;) {
        if ((await via(s.api, '203.0.113.9').get(orgPath)).status === 403) break;
        assert.ok(performance.now() - since < 1000, 'the range is still not enforced after a second');
        await new Promise((r) => setTimeout(r, 10));
      }
      assert.equal((await via(s.api, '198.51.100.1').get(orgPath)).status, 200);
    } finally {
      await other.close();
    }
  });
});
