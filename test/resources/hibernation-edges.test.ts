import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';

type Json = Record<string, any>;

/**
 * Hibernation edges the unit tests of cron, hibernation and the Deployment checks found, as the
 * API shows them. The test server's clock starts on Sunday 1 March 2026, 12:00 UTC.
 */
describe('hibernation through the API: edges', () => {
  let s: TestServer;
  let base: string;
  let workspaceId: string;
  before(async () => {
    s = await startServer({ ASTROLABE_PROVISION_SECONDS: '0' });
    base = `/v1/organizations/${s.orgId}/deployments`;
    workspaceId = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'hibernation', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body.id;
  });
  after(async () => { await s.close(); });

  const create = (hibernationSpec: Json) => s.api.post(base, { name: `h ${Math.random()}`, workspaceId, isDevelopmentMode: true, scalingSpec: { hibernationSpec } });

  it('refuses an override end on a day the month does not have, or at hour 24', async () => {
    for (const overrideUntil of ['2026-02-30T09:00:00Z', '2026-04-31T09:00:00Z', '2026-03-02T24:00:00Z']) {
      assertError(await create({ override: { isHibernating: true, overrideUntil } }), 400, 'scalingSpec.hibernationSpec.override.overrideUntil', 'datetime');
    }
    const d = await create({});
    assert.equal(d.status, 200, d.text);
    assertError(await s.api.post(`${base}/${d.body.id}/hibernation-override`, { isHibernating: true, overrideUntil: '2027-02-29T09:00:00Z' }), 400, 'overrideUntil');
  });

  it('sleeps on odd days only with a stepped day of month', async () => {
    // Noon on Sunday 1 March: asleep at 00:00 (an odd day), awake since 08:00; next asleep on the 3rd.
    const res = await create({ schedules: [{ hibernateAtCron: '0 0 */2 * *', wakeAtCron: '0 8 * * *', isEnabled: true }] });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.scalingStatus.hibernationStatus, { isHibernating: false, nextEventAt: '2026-03-03T00:00:00Z', nextEventType: 'HIBERNATE' }, 'not 2 March, an even day');
  });

  it('announces the next wake however many hibernates come before it', async () => {
    const res = await create({ schedules: [{ hibernateAtCron: '0 * * * *', wakeAtCron: '0 8 * * MON', isEnabled: true, description: 'hourly' }] });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.scalingStatus.hibernationStatus, { isHibernating: true, nextEventAt: '2026-03-02T08:00:00Z', nextEventType: 'WAKE', reason: 'Hibernating on the schedule hourly' });
    s.clock.advance(21 * 3600); // Monday 09:00
    const later = await s.api.get(`${base}/${res.body.id}`);
    assert.deepEqual(later.body.scalingStatus.hibernationStatus, { isHibernating: true, nextEventAt: '2026-03-09T08:00:00Z', nextEventType: 'WAKE', reason: 'Hibernating on the schedule hourly' });
  });
});
