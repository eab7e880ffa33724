import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { registerHybridCluster } from '../../src/resources/clusters/service.js';

type Json = Record<string, any>;

const MISSING = `c${'0'.repeat(24)}`;

/** The update body repeating a hosted Deployment's settings. */
function same(d: Json, extra: Json = {}): Json {
  return {
    type: d.type, name: d.name, workspaceId: d.workspaceId, executor: d.executor, isCicdEnforced: d.isCicdEnforced, isDagDeployEnabled: d.isDagDeployEnabled,
    environmentVariables: [], schedulerSize: d.schedulerSize, isHighAvailability: d.isHighAvailability, isDevelopmentMode: d.isDevelopmentMode,
    resourceQuotaCpu: d.resourceQuotaCpu, resourceQuotaMemory: d.resourceQuotaMemory, defaultTaskPodCpu: d.defaultTaskPodCpu, defaultTaskPodMemory: d.defaultTaskPodMemory,
    ...(d.scalingSpec ? { scalingSpec: d.scalingSpec } : {}),
    ...extra,
  };
}

describe('deployments: lifecycle with a provisioning delay', () => {
  let s: TestServer;
  let base: string;
  let workspaceId: string;
  before(async () => {
    s = await startServer({ ASTROLABE_PROVISION_SECONDS: '60' });
    base = `/v1/organizations/${s.orgId}/deployments`;
    workspaceId = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'w', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body.id;
  });
  after(async () => { await s.close(); });

  const status = async (id: string) => (await s.api.get(`${base}/${id}`)).body.status as string;

  it('is CREATING until its infrastructure is ready, then HEALTHY', async () => {
    const res = await s.api.post(base, { name: 'slow', workspaceId });
    assert.equal(res.status, 200);
    assert.equal(res.body.status, 'CREATING');
    assert.match(res.body.statusReason, /being created/);
    s.clock.advance(59);
    assert.equal(await status(res.body.id), 'CREATING');
    s.clock.advance(1);
    const ready = (await s.api.get(`${base}/${res.body.id}`)).body;
    assert.equal(ready.status, 'HEALTHY');
    assert.ok(!('statusReason' in ready));
  });

  it('is DEPLOYING after an update until the change is rolled out', async () => {
    const d = (await s.api.post(base, { name: 'rolling', workspaceId })).body;
    s.clock.advance(60);
    const upd = await s.api.post(`${base}/${d.id}`, same(d, { schedulerSize: 'LARGE' }));
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.body.status, 'DEPLOYING');
    s.clock.advance(30);
    assert.equal(await status(d.id), 'DEPLOYING');
    s.clock.advance(30);
    assert.equal(await status(d.id), 'HEALTHY');
  });

  it('refuses settings changes while it is CREATING (409), to a Workspace Operator too, on both surfaces, and takes them once it is ready', async () => {
    const d = (await s.api.post(base, { name: 'impatient', workspaceId, isDevelopmentMode: true })).body;
    assert.equal(d.status, 'CREATING');
    const operator = await s.withRoles('WORKSPACE', workspaceId, [{ entityType: 'WORKSPACE', entityId: workspaceId, role: 'WORKSPACE_OPERATOR' }]);
    s.clock.advance(30);
    const refused = await operator.post(`${base}/${d.id}`, same(d, { name: 'impatient 2' }));
    assertError(refused, 409);
    assert.match(refused.body.message, /CREATING: its settings cannot change until it is ready/);
    // The older surface (Terraform) reaches the same update.
    const beta = `/platform/v1beta1/organizations/${s.orgId}/deployments/${d.id}`;
    const betaBody = same(d, { name: 'impatient 3', astroRuntimeVersion: undefined, workerQueues: d.workerQueues.map((q: Json) => ({ name: q.name, isDefault: q.isDefault, astroMachine: q.astroMachine, minWorkerCount: q.minWorkerCount, maxWorkerCount: q.maxWorkerCount, workerConcurrency: q.workerConcurrency })) });
    assertError(await operator.post(beta, betaBody), 409);
    // Hibernation overrides are settings too, set and removed.
    assertError(await operator.post(`${base}/${d.id}/hibernation-override`, { isHibernating: true }), 409);
    assertError(await operator.delete(`${base}/${d.id}/hibernation-override`), 409);
    assertError(await operator.post(`/platform/v1beta1/organizations/${s.orgId}/deployments/${d.id}/hibernation-override`, { isHibernating: true }), 409);
    // A 404 stays a 404, and nothing changed.
    assertError(await s.api.post(`${base}/${MISSING}`, same(d)), 404);
    const still = (await s.api.get(`${base}/${d.id}`)).body;
    assert.equal(still.name, 'impatient');
    assert.equal(still.status, 'CREATING');
    assert.equal(still.updatedAt, d.updatedAt, 'refused changes write nothing');
    assert.ok(!('scalingSpec' in still), 'no override was stored');

    s.clock.advance(30);
    assert.equal(await status(d.id), 'HEALTHY');
    const upd = await operator.post(`${base}/${d.id}`, same(d, { name: 'impatient 2' }));
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.body.status, 'DEPLOYING');
    assert.equal((await operator.post(`${base}/${d.id}/hibernation-override`, { isHibernating: true })).status, 200);
    assert.equal((await operator.delete(`${base}/${d.id}/hibernation-override`)).status, 204);
    assert.equal((await operator.post(beta, { ...betaBody, name: 'impatient 3' })).status, 200);
    s.clock.advance(60);
  });

  it('takes no deploy while it is CREATING (409), from a Deployment Admin too, and takes one once it is ready', async () => {
    const d = (await s.api.post(base, { name: 'early deploys', workspaceId })).body;
    const admin = await s.withRoles('DEPLOYMENT', d.id, [{ entityType: 'DEPLOYMENT', entityId: d.id, role: 'DEPLOYMENT_ADMIN' }]);
    const deploys = `${base}/${d.id}/deploys`;
    for (const type of ['DAG_ONLY', 'IMAGE_ONLY', 'IMAGE_AND_DAG']) {
      const res = await admin.post(deploys, { type });
      assertError(res, 409);
      assert.match(res.body.message, /CREATING: nothing can be deployed/);
    }
    assertError(await s.api.post(deploys, { type: 'IMAGE_ONLY' }), 409);
    assert.equal((await s.api.get(deploys)).body.totalCount, 0, 'no deploy was opened');
    // A bad body is still a 400 first.
    assertError(await admin.post(deploys, { type: 'IMAGE_ONLY', bundleType: 'dbt' }), 400, 'bundleType');
    s.clock.advance(60);
    const opened = await admin.post(deploys, { type: 'IMAGE_ONLY' });
    assert.equal(opened.status, 200, opened.text);
    assert.equal((await admin.post(`${deploys}/${opened.body.id}/finalize`, {})).status, 200);
    s.clock.advance(60);
  });

  it('refuses a finalize on a server whose clock still reads the Deployment as CREATING', async () => {
    // Two servers on one store whose clocks disagree: the lagging one still reads CREATING. (A
    // rollback needs a finalized deploy, and finalizing ends CREATING, so only a finalize can meet it.)
    const d = (await s.api.post(base, { name: 'skewed', workspaceId })).body;
    const lagging = await startServer({}, { sameStoreAs: s });
    try {
      s.clock.advance(60);
      const deploys = `${base}/${d.id}/deploys`;
      const open = (await s.api.post(deploys, { type: 'IMAGE_ONLY' })).body;
      assert.equal((await lagging.api.get(`${base}/${d.id}`)).body.status, 'CREATING');
      const refused = await lagging.api.post(`${deploys}/${open.id}/finalize`, {});
      assertError(refused, 409);
      assert.match(refused.body.message, /CREATING: nothing can be deployed/);
      assert.equal((await s.api.get(`${deploys}/${open.id}`)).body.status, 'INITIALIZED');
      assert.equal((await s.api.post(`${deploys}/${open.id}/finalize`, {})).status, 200);
      s.clock.advance(60);
    } finally {
      await lagging.close();
    }
  });

  it('lists each Deployment with its own status at the time of the read', async () => {
    const o = (await s.api.get(base, { limit: 1000 })).body.deployments as Json[];
    const fresh = (await s.api.post(base, { name: 'fresh', workspaceId })).body;
    const listed = (await s.api.get(base, { limit: 1000 })).body.deployments as Json[];
    assert.equal(listed.find((d) => d.id === fresh.id)!.status, 'CREATING');
    for (const d of o) assert.equal(listed.find((x) => x.id === d.id)!.status, 'HEALTHY');
  });

  it('refuses a cluster that is still being created', async () => {
    const c = await s.api.post(`/v1/organizations/${s.orgId}/clusters`, { cloudProvider: 'AWS', type: 'DEDICATED', name: 'new', region: 'us-east-1', vpcSubnetRange: '172.20.0.0/20' });
    assert.equal(c.body.status, 'CREATING');
    assertError(await s.api.post(base, { name: 'too early', workspaceId, clusterId: c.body.id }), 400, 'clusterId', 'ready');
    s.clock.advance(60);
    assert.equal((await s.api.post(base, { name: 'in time', workspaceId, clusterId: c.body.id })).status, 200);
  });
});

describe('deployments: hibernation', () => {
  let s: TestServer;
  let base: string;
  let workspaceId: string;
  // The test clock starts at 2026-03-01T12:00:00Z, a Sunday.
  const NIGHTS = [{ hibernateAtCron: '0 18 * * *', wakeAtCron: '0 8 * * *', isEnabled: true }];
  before(async () => {
    s = await startServer();
    base = `/v1/organizations/${s.orgId}/deployments`;
    workspaceId = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'w', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body.id;
  });
  after(async () => { await s.close(); });

  const read = async (id: string) => (await s.api.get(`${base}/${id}`)).body as Json;
  const at = () => s.clock.now().toISOString();
  /** Moves the test clock to the next `hh:mm` UTC. */
  const advanceTo = (hhmm: string) => {
    const [h, m] = hhmm.split(':').map(Number);
    const now = s.clock.now();
    const target = new Date(now);
    target.setUTCHours(h!, m!, 0, 0);
    if (target <= now) target.setUTCDate(target.getUTCDate() + 1);
    s.clock.advance((target.getTime() - now.getTime()) / 1000);
  };

  it('sleeps and wakes on its schedule, saying why and until when', async () => {
    advanceTo('12:00');
    const day = at().slice(0, 10);
    const d = (await s.api.post(base, { name: 'nightly', workspaceId, isDevelopmentMode: true, scalingSpec: { hibernationSpec: { schedules: NIGHTS } } })).body;
    assert.equal(d.status, 'HEALTHY');
    assert.deepEqual(d.scalingStatus, { hibernationStatus: { isHibernating: false, nextEventAt: `${day}T18:00:00Z`, nextEventType: 'HIBERNATE' } });
    assert.deepEqual(d.scalingSpec, { hibernationSpec: { schedules: NIGHTS } });

    advanceTo('17:59');
    assert.equal((await read(d.id)).status, 'HEALTHY');
    advanceTo('18:00');
    const asleep = await read(d.id);
    assert.equal(asleep.status, 'HIBERNATING');
    assert.match(asleep.statusReason, /schedule/);
    const next = new Date(Date.parse(`${day}T08:00:00Z`) + 86_400_000).toISOString().replace('.000', '');
    assert.equal(asleep.scalingStatus.hibernationStatus.isHibernating, true);
    assert.equal(asleep.scalingStatus.hibernationStatus.nextEventAt, next);
    assert.equal(asleep.scalingStatus.hibernationStatus.nextEventType, 'WAKE');
    assert.match(asleep.scalingStatus.hibernationStatus.reason, /0 18 \* \* \*/);

    advanceTo('08:00');
    const awake = await read(d.id);
    assert.equal(awake.status, 'HEALTHY');
    assert.equal(awake.scalingStatus.hibernationStatus.nextEventType, 'HIBERNATE');
    assert.ok(awake.scalingStatus.hibernationStatus.nextEventAt.endsWith('T18:00:00Z'));
  });

  it('ignores a disabled schedule, and a Deployment that is not for development has no hibernation status', async () => {
    advanceTo('12:00');
    const off = (await s.api.post(base, { name: 'disabled', workspaceId, isDevelopmentMode: true, scalingSpec: { hibernationSpec: { schedules: [{ ...NIGHTS[0], isEnabled: false, description: 'off for now' }] } } })).body;
    assert.equal(off.scalingSpec.hibernationSpec.schedules[0].description, 'off for now');
    advanceTo('20:00');
    const later = await read(off.id);
    assert.equal(later.status, 'HEALTHY');
    assert.deepEqual(later.scalingStatus, { hibernationStatus: { isHibernating: false } });
    const prod = (await s.api.post(base, { name: 'production', workspaceId })).body;
    assert.ok(!('scalingStatus' in prod) && !('scalingSpec' in prod));
  });

  it('hibernates by override until overrideUntil, echoing its UTC offset, then follows the schedule again', async () => {
    advanceTo('12:00');
    const day = at().slice(0, 10);
    const d = (await s.api.post(base, { name: 'override', workspaceId, isDevelopmentMode: true, scalingSpec: { hibernationSpec: { schedules: NIGHTS } } })).body;
    const until = `${day}T19:30:00+05:30`; // 14:00 UTC
    const res = await s.api.post(`${base}/${d.id}/hibernation-override`, { isHibernating: true, overrideUntil: until });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body, { isActive: true, isHibernating: true, overrideUntil: until });
    const asleep = await read(d.id);
    assert.equal(asleep.status, 'HIBERNATING');
    assert.deepEqual(asleep.scalingSpec.hibernationSpec, { override: { isActive: true, isHibernating: true, overrideUntil: until }, schedules: NIGHTS });
    assert.deepEqual(asleep.scalingStatus.hibernationStatus, {
      isHibernating: true, nextEventAt: `${day}T14:00:00Z`, nextEventType: 'WAKE', reason: `Hibernating by a hibernation override until ${until}`,
    });

    advanceTo('14:00');
    const awake = await read(d.id);
    assert.equal(awake.status, 'HEALTHY');
    assert.equal(awake.scalingSpec.hibernationSpec.override.isActive, false);
    assert.equal(awake.scalingSpec.hibernationSpec.override.overrideUntil, until);
    assert.equal(awake.scalingStatus.hibernationStatus.nextEventAt, `${day}T18:00:00Z`);
  });

  it('keeps a Deployment awake during its scheduled sleep until the override is removed', async () => {
    advanceTo('12:00');
    const d = (await s.api.post(base, { name: 'awake', workspaceId, isDevelopmentMode: true, scalingSpec: { hibernationSpec: { schedules: NIGHTS } } })).body;
    advanceTo('19:00');
    assert.equal((await read(d.id)).status, 'HIBERNATING');
    const res = await s.api.post(`${base}/${d.id}/hibernation-override`, { isHibernating: false, overrideUntil: null });
    assert.deepEqual(res.body, { isActive: true, isHibernating: false });
    const up = await read(d.id);
    assert.equal(up.status, 'HEALTHY');
    assert.deepEqual(up.scalingStatus.hibernationStatus, { isHibernating: false, reason: 'Awake by a hibernation override with no end' });
    s.clock.advance(86_400 * 3);
    assert.equal((await read(d.id)).status, 'HEALTHY', 'an override without an end lasts');
    assert.equal((await s.api.delete(`${base}/${d.id}/hibernation-override`)).status, 204);
    const back = await read(d.id);
    assert.equal(back.status, 'HIBERNATING');
    assert.deepEqual(back.scalingSpec, { hibernationSpec: { schedules: NIGHTS } });
    assert.equal((await s.api.delete(`${base}/${d.id}/hibernation-override`)).status, 204, 'removing no override changes nothing');
  });

  it('takes an override without schedules, and removing it leaves no scaling spec', async () => {
    const d = (await s.api.post(base, { name: 'override only', workspaceId, isDevelopmentMode: true })).body;
    assert.deepEqual(d.scalingStatus, { hibernationStatus: { isHibernating: false } });
    assert.ok(!('scalingSpec' in d));
    await s.api.post(`${base}/${d.id}/hibernation-override`, { isHibernating: true });
    const asleep = await read(d.id);
    assert.equal(asleep.status, 'HIBERNATING');
    assert.deepEqual(asleep.scalingSpec, { hibernationSpec: { override: { isActive: true, isHibernating: true } } });
    await s.api.delete(`${base}/${d.id}/hibernation-override`);
    const after = await read(d.id);
    assert.equal(after.status, 'HEALTHY');
    assert.ok(!('scalingSpec' in after));
  });

  it('takes an override in the scaling spec of a create or update, echoed as sent', async () => {
    const until = '2075-04-25T12:58:00+05:30';
    const spec = { hibernationSpec: { override: { isHibernating: true, overrideUntil: until } } };
    const d = (await s.api.post(base, { name: 'spec override', workspaceId, isDevelopmentMode: true, scalingSpec: spec })).body;
    assert.deepEqual(d.scalingSpec, { hibernationSpec: { override: { isActive: true, isHibernating: true, overrideUntil: until } } });
    assert.equal(d.status, 'HIBERNATING');
    const upd = await s.api.post(`${base}/${d.id}`, same(d, { scalingSpec: { hibernationSpec: { override: { isHibernating: false, overrideUntil: until } } } }));
    assert.equal(upd.status, 200, upd.text);
    assert.equal(upd.body.status, 'HEALTHY');
    // An override that has run out may be sent again (Terraform re-sends its whole configuration).
    const past = await s.api.post(`${base}/${d.id}`, same(d, { scalingSpec: { hibernationSpec: { override: { isHibernating: true, overrideUntil: '2020-01-01T00:00:00Z' } } } }));
    assert.equal(past.status, 200, past.text);
    assert.equal(past.body.scalingSpec.hibernationSpec.override.isActive, false);
    assert.equal(past.body.status, 'HEALTHY');
  });

  it('refuses overrides the Deployment or the body cannot take', async () => {
    const dev = (await s.api.post(base, { name: 'dev', workspaceId, isDevelopmentMode: true })).body;
    const prod = (await s.api.post(base, { name: 'prod', workspaceId })).body;
    const url = (id: string) => `${base}/${id}/hibernation-override`;
    assertError(await s.api.post(url(prod.id), { isHibernating: true }), 400);
    assertError(await s.api.post(url(dev.id), {}), 400, 'isHibernating', 'required');
    assertError(await s.api.post(url(dev.id), { isHibernating: null }), 400, 'isHibernating', 'required');
    assertError(await s.api.post(url(dev.id), { isHibernating: 'yes' }), 400, 'isHibernating', 'type');
    assertError(await s.api.post(url(dev.id), { isHibernating: true, overrideUntil: 'soon' }), 400, 'overrideUntil', 'format');
    assertError(await s.api.post(url(dev.id), { isHibernating: true, overrideUntil: '2020-01-01T00:00:00Z' }), 400, 'overrideUntil', 'future');
    assertError(await s.api.post(url(MISSING), { isHibernating: true }), 404);
    assertError(await s.api.delete(url(MISSING)), 404);
    const hyb = await registerHybridCluster(s.app, { organizationId: s.orgId, name: 'h', cloudProvider: 'AWS', region: 'us-east-1' });
    const h = (await s.api.post(base, { name: 'hybrid', workspaceId, clusterId: hyb.id })).body;
    assertError(await s.api.post(url(h.id), { isHibernating: true }), 400);
    assert.equal((await read(dev.id)).status, 'HEALTHY', 'refused overrides change nothing');
  });
});
