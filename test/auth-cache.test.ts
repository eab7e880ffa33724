import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as pause } from 'node:timers/promises';
import type { ApiClient } from './helpers/client.js';
import { assertError } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';
import { issueToken, setTokenSecret } from '../src/resources/tokens/service.js';
import { openStore } from '../src/store/open.js';

/** The id of the token record a JWT names (the `apiTokenId` claim). */
function tokenIdOf(jwt: string): string {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString()).apiTokenId;
}

/**
 * Repeats `attempt` until it returns true, failing if that takes longer than `deadlineMs` from
 * `since`; returns how long it took. The pause between attempts only paces the polling.
 */
async function within(deadlineMs: number, since: number, what: string, attempt: () => Promise<boolean>): Promise<number> {
  for (;;) {
    if (await attempt()) return performance.now() - since;
    const elapsed = performance.now() - since;
    assert.ok(elapsed < deadlineMs, `${what}: still not so after ${elapsed.toFixed(0)} ms`);
    await pause(10);
  }
}

const refused = (api: ApiClient) => async () => (await api.get('/v1/organizations')).status === 401;

async function createWorkspace(s: TestServer, name: string): Promise<string> {
  const res = await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name });
  assert.equal(res.status, 200, res.text);
  return res.body.id;
}

async function renameOrganization(s: TestServer, name: string): Promise<void> {
  const res = await s.api.post(`/v1/organizations/${s.orgId}`, { name, billingEmail: 'billing@example.com', isScimEnabled: false });
  assert.equal(res.status, 200, res.text);
}

describe('auth cache: the same server', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(async () => { await s.close(); });

  it('refuses a token at once after its secret changes, and accepts the new secret', async () => {
    assert.equal((await s.api.get('/v1/organizations')).status, 200);
    assert.equal((await s.api.get('/v1/organizations')).status, 200); // now answered from the cache
    assert.equal(await setTokenSecret(s.app.db, tokenIdOf(s.token), 'rotated-secret-1'), true);
    assertError(await s.api.get('/v1/organizations'), 401);
    assert.equal((await s.as('rotated-secret-1').get('/v1/organizations')).status, 200);
    s.token = 'rotated-secret-1';
    s.api = s.as('rotated-secret-1');
  });

  it('shows a new organization name in workspaces at once', async () => {
    const id = await createWorkspace(s, 'named');
    assert.equal((await s.api.get(`/v1/organizations/${s.orgId}/workspaces/${id}`)).body.organizationName, 'My Organization');
    await renameOrganization(s, 'Renamed Org');
    assert.equal((await s.api.get(`/v1/organizations/${s.orgId}/workspaces/${id}`)).body.organizationName, 'Renamed Org');
    const page = await s.api.get(`/v1/organizations/${s.orgId}/workspaces`);
    assert.ok(page.body.workspaces.every((w: { organizationName: string }) => w.organizationName === 'Renamed Org'));
  });

  it('refreshes lastUsedAt after the response, at most once a minute', async () => {
    const { tokenId } = await issueToken(s.app.db, s.clock, {
      organizationId: s.orgId, name: 'watched', scope: 'ORGANIZATION', entityId: s.orgId, value: 'watched-secret',
      roles: [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_OWNER' }],
    });
    const lastUsed = async () => (await s.app.db.selectFrom('api_tokens').select('last_used_at').where('id', '=', tokenId).executeTakeFirstOrThrow()).last_used_at;
    const watched = s.as('watched-secret');
    assert.equal((await watched.get('/v1/organizations')).status, 200);
    const first = s.clock.now().toISOString();
    await within(1000, performance.now(), 'lastUsedAt is written', async () => (await lastUsed()) === first);
    s.clock.advance(30);
    assert.equal((await watched.get('/v1/organizations')).status, 200);
    s.clock.advance(31);
    assert.equal((await watched.get('/v1/organizations')).status, 200);
    const later = s.clock.now().toISOString();
    await within(1000, performance.now(), 'lastUsedAt moves after a minute', async () => (await lastUsed()) === later);
  });

  it('checks expiry against the clock on every request, cached or not', async () => {
    const { tokenId } = await issueToken(s.app.db, s.clock, {
      organizationId: s.orgId, name: 'short-lived', scope: 'ORGANIZATION', entityId: s.orgId, value: 'short-lived-secret',
      roles: [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_OWNER' }],
    });
    // Set before the token is first used, so nothing about it is cached yet.
    await s.app.db.updateTable('api_tokens').set({ end_at: '2026-03-02T12:00:00.000Z' }).where('id', '=', tokenId).execute();
    const shortLived = s.as('short-lived-secret');
    assert.equal((await shortLived.get('/v1/organizations')).status, 200);
    assert.equal((await shortLived.get('/v1/organizations')).status, 200); // cached
    s.clock.advance(2 * 24 * 3600);
    const expired = await shortLived.get('/v1/organizations');
    assertError(expired, 401);
    assert.match(expired.body.message, /expired/);
    assert.equal((await s.api.get('/v1/organizations')).status, 200); // the owner token has no end
  });
});

describe('auth cache: a change made through another connection (as the astrolabe command makes it)', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(async () => { await s.close(); });

  it('is honoured by the server within one second', async () => {
    assert.equal((await s.api.get('/v1/organizations')).status, 200);
    const other = await openStore({ dataDir: s.config.dataDir, databaseUrl: s.config.databaseUrl });
    try {
      assert.equal(await setTokenSecret(other.db, tokenIdOf(s.token), 'changed-elsewhere'), true);
      const since = performance.now();
      await within(1000, since, 'the old secret is refused', refused(s.api));
      assert.equal((await s.as('changed-elsewhere').get('/v1/organizations')).status, 200);
    } finally {
      await other.close();
    }
  });
});

describe('auth cache: two server instances on one PostgreSQL database', { skip: process.env.ASTROLABE_TEST_DATABASE_URL ? false : 'ASTROLABE_TEST_DATABASE_URL is not set: two instances need a shared PostgreSQL store' }, () => {
  let a: TestServer;
  let b: TestServer;
  let pollOnly: TestServer;
  before(async () => {
    a = await startServer();
    b = await startServer({}, { sameStoreAs: a });
    pollOnly = await startServer({}, { sameStoreAs: a, listenForChanges: false });
  });
  after(async () => {
    await pollOnly?.close();
    await b?.close();
    await a?.close();
  });

  it('a secret changed through one instance is refused by the others within one second', async () => {
    for (const s of [a, b, pollOnly]) assert.equal((await s.api.get('/v1/organizations')).status, 200);
    assert.equal(await setTokenSecret(a.app.db, tokenIdOf(a.token), 'rotated-on-a'), true);
    const since = performance.now();
    assertError(await a.api.get('/v1/organizations'), 401); // the instance that changed it: at once
    const viaNotify = await within(1000, since, 'instance b (LISTEN) refuses the old secret', refused(b.api));
    const viaPoll = await within(1000, since, 'the polling instance refuses the old secret', refused(pollOnly.api));
    assert.ok(viaNotify >= 0 && viaPoll >= 0);
    for (const s of [a, b, pollOnly]) assert.equal((await s.as('rotated-on-a').get('/v1/organizations')).status, 200);
    for (const s of [a, b, pollOnly]) s.api = s.as('rotated-on-a');
  });

  it('an organization renamed through one instance shows on the others within one second', async () => {
    const id = await createWorkspace(a, 'shared');
    const path = `/v1/organizations/${a.orgId}/workspaces/${id}`;
    for (const s of [b, pollOnly]) assert.equal((await s.api.get(path)).body.organizationName, 'My Organization');
    await renameOrganization(a, 'Renamed Elsewhere');
    const since = performance.now();
    for (const s of [b, pollOnly]) {
      await within(1000, since, 'the new name shows', async () => (await s.api.get(path)).body.organizationName === 'Renamed Elsewhere');
    }
  });
});
