import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { assertError, type ApiClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { createOrganizationWithOwner } from '../../src/bootstrap.js';
import { pruneLogs } from '../../src/resources/logs/service.js';
import { issueToken, type TokenRoleGrant, type TokenScope } from '../../src/resources/tokens/service.js';

type Json = Record<string, any>;

const ALL = ['scheduler', 'triggerer', 'worker', 'webserver', 'dag-processor', 'apiserver'];

/** Nanoseconds since the epoch, as OTLP JSON sends them (a decimal string). */
const nanos = (d: Date, extraMs = 0) => `${BigInt(d.getTime() + extraMs) * 1_000_000n}`;

interface Rec { body: string; component?: string; atMs?: number; severityText?: string; attrs?: Json }

/** An OTLP ExportLogsServiceRequest: one resource per record, naming the Deployment by id. */
function otlp(deploymentId: string, now: Date, recs: Rec[], resourceKey = 'astronomer.deployment.id'): Json {
  return {
    resourceLogs: recs.map((r) => ({
      resource: { attributes: [{ key: resourceKey, value: { stringValue: deploymentId } }, { key: 'component', value: { stringValue: r.component ?? 'scheduler' } }] },
      scopeLogs: [{
        scope: { name: 'airflow' },
        logRecords: [{
          timeUnixNano: nanos(now, r.atMs ?? 0),
          ...(r.severityText ? { severityText: r.severityText } : {}),
          body: { stringValue: r.body },
          attributes: Object.entries(r.attrs ?? {}).map(([key, v]) => ({ key, value: { stringValue: v } })),
        }],
      }],
    })),
  };
}

async function ship(s: TestServer, payload: unknown, opts: { token?: string | null; headers?: Record<string, string>; raw?: Buffer | string } = {}): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(opts.headers ?? {}) };
  const token = opts.token === undefined ? s.token : opts.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const body = opts.raw === undefined ? JSON.stringify(payload) : typeof opts.raw === 'string' ? opts.raw : new Uint8Array(opts.raw);
  const res = await fetch(`${s.url}/v1/logs`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function shipOk(s: TestServer, payload: unknown): Promise<void> {
  const res = await ship(s, payload);
  assert.equal(res.status, 200, JSON.stringify(res.body));
  assert.deepEqual(res.body, {});
}

describe('deployment logs', () => {
  let s: TestServer;
  let base: string;
  let workspaceId: string;
  let otherWorkspaceId: string;
  let d: Json;
  let logsOf: (id: string) => string;

  const createDeployment = async (name: string, extra: Json = {}, ws = workspaceId): Promise<Json> => {
    const res = await s.api.post(base, { name, workspaceId: ws, ...extra });
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  const search = async (id: string, query: Json, api: ApiClient = s.api) => {
    const res = await api.get(logsOf(id), { sources: ALL, ...query });
    assert.equal(res.status, 200, res.text);
    return res.body as Json;
  };
  const raws = (page: Json) => page.results.map((r: Json) => r.raw as string);

  before(async () => {
    s = await startServer();
    base = `/v1/organizations/${s.orgId}/deployments`;
    logsOf = (id) => `${base}/${id}/logs`;
    const ws = await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'logs', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' });
    workspaceId = ws.body.id;
    otherWorkspaceId = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'other', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body.id;
    d = await createDeployment('shipping');
  });
  after(async () => { await s.close(); });

  describe('lines of the simulated components', () => {
    it('writes the start-up of every component when a Deployment is created', async () => {
      const page = await search(d.id, {});
      const sources = new Set(page.results.map((r: Json) => r.source));
      // Airflow 3 (the default runtime) with the ASTRO executor: an API server, no webserver, a worker per queue.
      for (const src of ['scheduler', 'triggerer', 'dag-processor', 'apiserver', 'worker']) assert.ok(sources.has(src), `no ${src} line in ${JSON.stringify(page.results)}`);
      assert.ok(!sources.has('webserver'));
      assert.ok(raws(page).some((r: string) => /Starting the scheduler/.test(r)));
      assert.ok(raws(page).some((r: string) => /Worker for queue default ready/.test(r)));
      const nowS = s.clock.now().getTime() / 1000;
      for (const r of page.results) assert.equal(r.timestamp, nowS, 'with no provisioning delay every step happens at the time of the create');
      // Only what was asked for.
      const workers = await search(d.id, { sources: ['worker'] });
      assert.ok(workers.resultCount > 0);
      assert.ok(workers.results.every((r: Json) => r.source === 'worker'));
    });

    it('writes a rolling restart naming what an update changed', async () => {
      const dep = await createDeployment('scaled');
      const queues = dep.workerQueues.map((q: Json) => ({
        id: q.id, name: q.name, isDefault: q.isDefault, astroMachine: q.astroMachine, minWorkerCount: q.minWorkerCount, maxWorkerCount: q.maxWorkerCount + 2, workerConcurrency: q.workerConcurrency,
      }));
      s.clock.advance(30);
      const body = {
        type: dep.type, name: dep.name, workspaceId: dep.workspaceId, executor: dep.executor, isCicdEnforced: dep.isCicdEnforced, isDagDeployEnabled: dep.isDagDeployEnabled,
        environmentVariables: [], schedulerSize: dep.schedulerSize, isHighAvailability: dep.isHighAvailability, isDevelopmentMode: dep.isDevelopmentMode,
        resourceQuotaCpu: dep.resourceQuotaCpu, resourceQuotaMemory: dep.resourceQuotaMemory, defaultTaskPodCpu: dep.defaultTaskPodCpu, defaultTaskPodMemory: dep.defaultTaskPodMemory,
        workerQueues: queues,
      };
      const res = await s.api.post(`${base}/${dep.id}`, body);
      assert.equal(res.status, 200, res.text);
      const page = await search(dep.id, { searchText: 'rolling' });
      assert.equal(page.resultCount, 1, JSON.stringify(page));
      assert.match(page.results[0].raw, /queue default scaled/);
      assert.equal(page.results[0].timestamp, s.clock.now().getTime() / 1000);
    });

    it('stamps start-up along the provisioning delay and shows each line only once its time has come', async () => {
      const slow = await startServer({ ASTROLABE_PROVISION_SECONDS: '120' });
      try {
        const ws = (await slow.api.post(`/v1/organizations/${slow.orgId}/workspaces`, { name: 'w', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
        const dep = (await slow.api.post(`/v1/organizations/${slow.orgId}/deployments`, { name: 'slow', workspaceId: ws.id })).body;
        const path = `/v1/organizations/${slow.orgId}/deployments/${dep.id}/logs`;
        const first = (await slow.api.get(path, { sources: ALL })).body;
        assert.ok(first.results.some((r: Json) => /Creating namespace/.test(r.raw)));
        assert.ok(!first.results.some((r: Json) => /All components .* are running/.test(r.raw)), 'the Deployment is not ready yet');
        slow.clock.advance(120);
        const later = (await slow.api.get(path, { sources: ALL })).body;
        const ready = later.results.find((r: Json) => /All components .* are running/.test(r.raw));
        assert.ok(ready, JSON.stringify(later.results));
        assert.equal(ready.timestamp, slow.clock.now().getTime() / 1000);
        assert.ok(later.resultCount > first.resultCount);
      } finally {
        await slow.close();
      }
    });

    it('writes hibernation and wake-up of a development Deployment', async () => {
      const dev = await createDeployment('dev', { isDevelopmentMode: true });
      s.clock.advance(60);
      let res = await s.api.post(`${base}/${dev.id}/hibernation-override`, { isHibernating: true });
      assert.equal(res.status, 200, res.text);
      const asleep = await search(dev.id, { searchText: 'hibernates' });
      assert.ok(asleep.resultCount >= 4, JSON.stringify(asleep));
      assert.ok(asleep.results.every((r: Json) => /Scaling to zero/.test(r.raw)));
      // Overriding again the same way changes nothing, and writes nothing.
      res = await s.api.post(`${base}/${dev.id}/hibernation-override`, { isHibernating: true });
      assert.equal(res.status, 200, res.text);
      assert.equal((await search(dev.id, { searchText: 'hibernates' })).resultCount, asleep.resultCount);
      s.clock.advance(60);
      res = await s.api.delete(`${base}/${dev.id}/hibernation-override`);
      assert.equal(res.status, 204, res.text);
      const awake = await search(dev.id, { searchText: 'waking' });
      assert.equal(awake.resultCount, 1);
      assert.equal(awake.results[0].timestamp, s.clock.now().getTime() / 1000);
    });

    it('logs hibernation on a schedule at the moments it happened, once', async () => {
      // The test clock starts at 12:00 UTC: asleep at 18:00, awake at 08:00.
      const schedules = [{ hibernateAtCron: '0 18 * * *', wakeAtCron: '0 8 * * *', isEnabled: true }];
      const dev = await createDeployment('nightly', { isDevelopmentMode: true, scalingSpec: { hibernationSpec: { schedules } } });
      const day = new Date(s.clock.now());
      day.setUTCHours(0, 0, 0, 0);
      const at = (h: number) => (day.getTime() + h * 3_600_000) / 1000;
      const toNext18 = (at(18) * 1000 - s.clock.now().getTime()) / 1000;
      s.clock.advance(toNext18 + 3600 * 15); // 09:00 the next day: asleep at 18:00, awake at 08:00
      const page = await search(dev.id, { range: 86400, searchText: 'hibernates OR waking' });
      assert.equal(page.resultCount, 0, 'all words must match');
      const asleep = await search(dev.id, { range: 86400, searchText: 'hibernates', sources: ['scheduler'] });
      assert.deepEqual(asleep.results.map((r: Json) => r.timestamp), [at(18)]);
      const awake = await search(dev.id, { range: 86400, searchText: 'waking' });
      assert.deepEqual(awake.results.map((r: Json) => r.timestamp), [at(32)]);
      // Reading again logs nothing twice.
      assert.equal((await search(dev.id, { range: 86400, searchText: 'waking' })).resultCount, 1);
      assert.equal((await search(dev.id, { range: 86400, searchText: 'hibernates', sources: ['scheduler'] })).resultCount, 1);
    });

    it('removes a Deployment\'s lines with it', async () => {
      const gone = await createDeployment('short-lived');
      await shipOk(s, otlp(gone.id, s.clock.now(), [{ body: 'about to go' }]));
      assert.ok((await search(gone.id, {})).resultCount > 0);
      const res = await s.api.delete(`${base}/${gone.id}`);
      assert.equal(res.status, 204);
      const left = await s.app.db.selectFrom('deployment_log_lines').select('seq').where('deployment_id', '=', gone.id).execute();
      assert.equal(left.length, 0);
      assertError(await s.api.get(logsOf(gone.id), { sources: ALL }), 400, 'deploymentId');
    });
  });

  describe('search', () => {
    let dep: Json;
    let t0: Date;
    before(async () => {
      dep = await createDeployment('searched');
      s.clock.advance(3600);
      t0 = s.clock.now();
      await shipOk(s, otlp(dep.id, t0, [
        { body: '[x] {taskinstance.py:1} ERROR - Connection refused: host=db-1 port 5432', component: 'worker', atMs: -10_000 },
        { body: 'Connecting to the metadata database', component: 'scheduler', atMs: -20_000 },
        { body: 'Heartbeat OK', component: 'triggerer', atMs: -120_000, severityText: 'WARN' },
        { body: 'Über-Prüfung abgeschlossen 完了', component: 'dag-processor', atMs: -30_000 },
        { body: 'old news', component: 'scheduler', atMs: -7200_000 },
      ]));
    });

    it('finds whole words, case-insensitively, every word of the search', async () => {
      assert.deepEqual(raws(await search(dep.id, { searchText: 'error' })), ['[x] {taskinstance.py:1} ERROR - Connection refused: host=db-1 port 5432']);
      assert.equal((await search(dep.id, { searchText: 'refused DB' })).resultCount, 1);
      assert.equal((await search(dep.id, { searchText: 'refused scheduler' })).resultCount, 0, 'every word must be in the line');
      assert.equal((await search(dep.id, { searchText: 'refus' })).resultCount, 0, 'no substring matches');
      assert.equal((await search(dep.id, { searchText: '5432' })).resultCount, 1);
      assert.equal((await search(dep.id, { searchText: 'über' })).resultCount, 1);
      assert.equal((await search(dep.id, { searchText: '完了' })).resultCount, 1);
    });

    it('matches the beginning of a word with a trailing *', async () => {
      const page = await search(dep.id, { searchText: 'conn*' });
      assert.deepEqual(raws(page).sort(), ['Connecting to the metadata database', '[x] {taskinstance.py:1} ERROR - Connection refused: host=db-1 port 5432']);
      assert.equal((await search(dep.id, { searchText: 'prüf*' })).resultCount, 1);
    });

    it('finds an OTLP record by its severity even when the line does not say it', async () => {
      const page = await search(dep.id, { searchText: 'WARN' });
      assert.deepEqual(raws(page), ['Heartbeat OK']);
    });

    it('returns the newest lines first, with their time in seconds', async () => {
      const page = await search(dep.id, {});
      assert.deepEqual(page.results.slice(0, 4).map((r: Json) => r.timestamp), [-10, -20, -30, -120].map((x) => t0.getTime() / 1000 + x));
      assert.equal(page.results[0].source, 'worker');
      assert.ok(!raws(page).includes('old news'), 'the default range is one hour');
    });

    it('filters by range and by startDate/endDate', async () => {
      assert.deepEqual(raws(await search(dep.id, { range: 60 })).length, 3);
      assert.ok(raws(await search(dep.id, { range: 7200 })).includes('old news'));
      const window = await search(dep.id, {
        startDate: new Date(t0.getTime() - 60_000).toISOString(), endDate: new Date(t0.getTime() - 15_000).toISOString(), range: 60,
      });
      assert.deepEqual(raws(window).sort(), ['Connecting to the metadata database', 'Über-Prüfung abgeschlossen 完了']);
      const onlyOld = await search(dep.id, { startDate: '2026-01-01T00:00:00Z', endDate: new Date(t0.getTime() - 3600_000).toISOString() });
      assert.deepEqual(raws(onlyOld).filter((r: string) => r === 'old news'), ['old news']);
    });

    it('filters by source', async () => {
      const page = await search(dep.id, { sources: ['triggerer', 'dag-processor'], range: 600 });
      assert.deepEqual(page.results.map((r: Json) => r.source).sort(), ['dag-processor', 'triggerer']);
    });

    it('refuses bad queries with a 400 naming the field', async () => {
      const path = logsOf(dep.id);
      assertError(await s.api.get(path, {}), 400, 'sources');
      assertError(await s.api.get(path, { sources: ['kubelet'] }), 400);
      assertError(await s.api.get(path, { sources: ALL, limit: 0 }), 400, 'limit');
      assertError(await s.api.get(path, { sources: ALL, range: 59 }), 400, 'range');
      assertError(await s.api.get(path, { sources: ALL, maxNumResults: 0 }), 400, 'maxNumResults');
      assertError(await s.api.get(path, { sources: ALL, offset: -1 }), 400, 'offset');
      assertError(await s.api.get(path, { sources: ALL, startDate: '2026-03-01T00:00:00Z' }), 400, 'endDate', 'required_with');
      assertError(await s.api.get(path, { sources: ALL, endDate: '2026-03-01T00:00:00Z' }), 400, 'startDate', 'required_with');
      assertError(await s.api.get(path, { sources: ALL, startDate: '2026-03-02T00:00:00Z', endDate: '2026-03-01T00:00:00Z' }), 400, 'endDate');
      assertError(await s.api.get(path, { sources: ALL, startDate: 'yesterday', endDate: '2026-03-01T00:00:00Z' }), 400, 'startDate');
      assertError(await s.api.get(path, { sources: ALL, startDate: '2026-06-30T23:59:60Z', endDate: '2026-07-01T00:00:00Z' }), 400, 'startDate');
      assertError(await s.api.get(path, { sources: ALL, searchText: '!!!' }), 400, 'searchText');
      assertError(await s.api.get(path, { sources: ALL, searchId: 'nonsense' }), 400, 'searchId');
      assertError(await s.api.get(`${base}/c${'0'.repeat(24)}/logs`, { sources: ALL }), 400, 'deploymentId');
    });

    it('answers huge numbers without failing', async () => {
      const page = await search(dep.id, { offset: 1e15, limit: 1e15, maxNumResults: 1e18, range: 1e15 });
      assert.equal(page.resultCount, 0);
      const all = await search(dep.id, { limit: 1e15, range: 1e15 });
      assert.ok(all.resultCount >= 5);
      assert.equal(all.limit, 10000, 'a page holds at most 10000 lines, and says so');
    });
  });

  describe('paging with searchId', () => {
    let dep: Json;
    before(async () => {
      dep = await createDeployment('paged');
      s.clock.advance(60);
      const now = s.clock.now();
      await shipOk(s, otlp(dep.id, now, Array.from({ length: 30 }, (_, i) => ({ body: `line ${String(i).padStart(2, '0')} of the first batch`, atMs: -1000 * (30 - i) }))));
    });

    it('reads one snapshot across pages while lines are written, older and newer, at the same time', async () => {
      const query = { searchText: 'batch', limit: 7 };
      const whole = await search(dep.id, { ...query, limit: 1000 });
      assert.equal(whole.resultCount, 30);
      const first = await search(dep.id, query);
      assert.equal(first.resultCount, 7);
      assert.deepEqual(first.results, whole.results.slice(0, 7));
      const now = s.clock.now();
      // Writers keep adding lines of this search (some stamped between existing ones) while the
      // reader walks the later pages the way the CLI does.
      const writers = Array.from({ length: 8 }, (_, i) => shipOk(s, otlp(dep.id, now, [
        { body: `late ${i} of the second batch`, atMs: -1500 * (i + 1) },
        { body: `newest ${i} of the second batch`, atMs: -100 * i },
      ])));
      const pages: Json[] = [first];
      const reader = (async () => {
        let page = first;
        while (page.resultCount === page.limit) {
          page = await search(dep.id, { ...query, searchId: first.searchId, offset: page.offset + page.resultCount });
          assert.equal(page.searchId, first.searchId);
          pages.push(page);
        }
      })();
      await Promise.all([...writers, reader]);
      assert.deepEqual(pages.flatMap((p) => p.results), whole.results);
      // A new search sees the new lines.
      assert.equal((await search(dep.id, { ...query, limit: 1000 })).resultCount, 46);
    });

    it('stops at maxNumResults', async () => {
      const first = await search(dep.id, { searchText: 'first', limit: 10, maxNumResults: 15 });
      assert.equal(first.resultCount, 10);
      assert.equal(first.maxNumResults, 15);
      const second = await search(dep.id, { searchText: 'first', limit: 10, offset: 10, searchId: first.searchId });
      assert.equal(second.resultCount, 5);
      assert.equal(second.limit, 10);
      const third = await search(dep.id, { searchText: 'first', limit: 10, offset: 20, searchId: first.searchId });
      assert.equal(third.resultCount, 0);
      assert.equal(third.limit, 10, 'limit is echoed even on an empty page');
    });

    it('refuses a searchId that was tampered with or belongs to another Deployment', async () => {
      const first = await search(dep.id, { limit: 5 });
      const [payload, sig] = first.searchId.split('.');
      const forged = Buffer.from(JSON.stringify([1, dep.id, ALL, '', 0, 9e15, 1e12, 10000])).toString('base64url');
      assertError(await s.api.get(logsOf(dep.id), { sources: ALL, searchId: `${forged}.${sig}` }), 400, 'searchId');
      assertError(await s.api.get(logsOf(dep.id), { sources: ALL, searchId: `${payload}.${sig}x` }), 400, 'searchId');
      assertError(await s.api.get(logsOf(d.id), { sources: ALL, searchId: first.searchId }), 400, 'searchId');
    });
  });

  describe('OTLP ingestion', () => {
    it('maps the namespace and a component name to the Deployment and source, and keeps odd text storable', async () => {
      const now = s.clock.now();
      const res = await ship(s, {
        resourceLogs: [{
          resource: { attributes: [{ key: 'k8s.namespace.name', value: { stringValue: d.namespace } }, { key: 'service.name', value: { stringValue: 'airflow-dag_processor' } }] },
          scopeLogs: [{ logRecords: [
            { timeUnixNano: Number(nanos(now)), body: { stringValue: 'nul\u0000char' } },
            { observedTimeUnixNano: nanos(now), body: { kvlistValue: { values: [{ key: 'event', value: { stringValue: 'structured' } }, { key: 'n', value: { intValue: '3' } }] } } },
            { timeUnixNano: nanos(now), body: { stringValue: 'y'.repeat(40_000) } },
          ] }],
        }],
      });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.deepEqual(res.body, {});
      const page = await search(d.id, { sources: ['dag-processor'], range: 60 });
      const texts = raws(page);
      assert.ok(texts.includes('nul\uFFFDchar'), JSON.stringify(texts));
      assert.ok(texts.includes('{"event":"structured","n":"3"}'));
      const long = texts.find((t: string) => t.startsWith('yyy'))!;
      assert.ok(long.length <= 32 * 1024 && long.endsWith('[cut]'));
      assert.equal((await search(d.id, { sources: ['dag-processor'], range: 60, searchText: 'structured' })).resultCount, 1);
    });

    it('takes gzip, and counts records it cannot place as a partial success', async () => {
      const now = s.clock.now();
      const payload = otlp(d.id, now, [
        { body: 'zipped line' },
        { body: 'unknown component', component: 'kubelet' },
        { body: 'far too old', atMs: -31 * 86_400_000 },
      ]);
      payload.resourceLogs.push(otlp(`c${'9'.repeat(24)}`, now, [{ body: 'nobody' }]).resourceLogs[0]);
      const res = await ship(s, undefined, { raw: gzipSync(JSON.stringify(payload)), headers: { 'content-encoding': 'gzip' } });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.partialSuccess.rejectedLogRecords, '3');
      assert.match(res.body.partialSuccess.errorMessage, /retention/);
      assert.equal((await search(d.id, { searchText: 'zipped' })).resultCount, 1);
      assert.equal((await search(d.id, { searchText: 'nobody' })).resultCount, 0);
    });

    it('answers bad requests the OTLP way', async () => {
      let res = await ship(s, undefined, { raw: '{not json' });
      assert.equal(res.status, 400);
      assert.equal(res.body.code, 3);
      assert.equal(typeof res.body.message, 'string');
      res = await ship(s, { resourceLogs: 'many' });
      assert.equal(res.status, 400);
      res = await ship(s, undefined, { raw: Buffer.from([0x0a, 0x00]), headers: { 'content-type': 'application/x-protobuf' } });
      assert.equal(res.status, 415);
      res = await ship(s, undefined, { raw: 'not gzip', headers: { 'content-encoding': 'gzip' } });
      assert.equal(res.status, 400);
      res = await ship(s, otlp(d.id, s.clock.now(), [{ body: 'x' }]), { token: null });
      assert.equal(res.status, 401);
      assert.equal(res.body.code, 16);
      const empty = await ship(s, {});
      assert.equal(empty.status, 200);
      assert.deepEqual(empty.body, {});
    });

    it('needs deployment.update on the Deployment', async () => {
      const payload = otlp(d.id, s.clock.now(), [{ body: 'from a token' }]);
      const tokenWith = async (scope: TokenScope, entityId: string, role: string) => {
        const roles: TokenRoleGrant[] = [{ entityType: scope, entityId, role }];
        return (await issueToken(s.app.db, s.clock, { organizationId: s.orgId, name: `${role} shipper`, scope, entityId, roles })).token;
      };
      let res = await ship(s, payload, { token: await tokenWith('WORKSPACE', workspaceId, 'WORKSPACE_MEMBER') });
      assert.equal(res.status, 403);
      assert.equal(res.body.code, 7);
      res = await ship(s, payload, { token: await tokenWith('DEPLOYMENT', d.id, 'DEPLOYMENT_ADMIN') });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      // Another Organization's token finds no such Deployment: every record is rejected.
      const other = await createOrganizationWithOwner(s.app, { name: 'elsewhere' });
      res = await ship(s, payload, { token: other.token });
      assert.equal(res.status, 200);
      assert.equal(res.body.partialSuccess.rejectedLogRecords, '1');
    });

    it('lives beside the v1 surface: other methods and v1 routes answer as before', async () => {
      const res = await fetch(`${s.url}/v1/logs`, { headers: { authorization: `Bearer ${s.token}` } });
      assert.equal(res.status, 405);
      assert.equal(res.headers.get('allow'), 'POST');
      assert.equal((await s.api.get(`/v1/organizations/${s.orgId}`)).status, 200);
    });
  });

  describe('who may read', () => {
    it('lets a Workspace member of the Deployment\'s Workspace read, and refuses everyone else', async () => {
      const member = await s.withRoles('WORKSPACE', workspaceId, [{ entityType: 'WORKSPACE', entityId: workspaceId, role: 'WORKSPACE_MEMBER' }]);
      assert.ok((await search(d.id, {}, member)).resultCount > 0);
      const deploymentAdmin = await s.withRoles('DEPLOYMENT', d.id, [{ entityType: 'DEPLOYMENT', entityId: d.id, role: 'DEPLOYMENT_ADMIN' }]);
      assert.ok((await search(d.id, {}, deploymentAdmin)).resultCount > 0);
      const otherWorkspace = await s.withRoles('WORKSPACE', otherWorkspaceId, [{ entityType: 'WORKSPACE', entityId: otherWorkspaceId, role: 'WORKSPACE_OWNER' }]);
      assertError(await otherWorkspace.get(logsOf(d.id), { sources: ALL }), 403);
      const accessor = await s.withRoles('WORKSPACE', workspaceId, [{ entityType: 'WORKSPACE', entityId: workspaceId, role: 'WORKSPACE_ACCESSOR' }]);
      assertError(await accessor.get(logsOf(d.id), { sources: ALL }), 403);
      const orgMember = await s.withRoles('ORGANIZATION', s.orgId, [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' }]);
      assertError(await orgMember.get(logsOf(d.id), { sources: ALL }), 403);
      const other = await createOrganizationWithOwner(s.app, { name: 'outsiders' });
      assertError(await s.as(other.token).get(logsOf(d.id), { sources: ALL }), 403);
      assertError(await s.as(undefined).get(logsOf(d.id), { sources: ALL }), 401);
    });
  });

  describe('retention', () => {
    it('hides lines older than the retention period and deletes them in batches', async () => {
      const dep = await createDeployment('retained');
      const now = s.clock.now();
      await shipOk(s, otlp(dep.id, now, [{ body: 'kept a while' }, { body: 'also kept' }, { body: 'and this' }]));
      assert.equal((await search(dep.id, { searchText: 'kept' })).resultCount, 2);
      s.clock.advance(30 * 86_400 - 10);
      assert.equal((await search(dep.id, { searchText: 'kept', startDate: now.toISOString(), endDate: s.clock.now().toISOString() })).resultCount, 2, 'still within 30 days');
      s.clock.advance(20);
      assert.equal((await search(dep.id, { searchText: 'kept', startDate: now.toISOString(), endDate: s.clock.now().toISOString() })).resultCount, 0, 'past 30 days the lines are gone from searches at once');
      const before = await s.app.db.selectFrom('deployment_log_lines').select('seq').where('deployment_id', '=', dep.id).execute();
      assert.ok(before.length >= 3);
      const deleted = await pruneLogs(s.app, 2);
      assert.ok(deleted >= before.length, `deleted ${deleted}`);
      const left = await s.app.db.selectFrom('deployment_log_lines').select('seq').where('deployment_id', '=', dep.id).execute();
      assert.equal(left.length, 0);
    });
  });
});
