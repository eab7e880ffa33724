import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339, type ApiClient } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { createOrganizationWithOwner } from '../../src/bootstrap.js';
import { secretBox } from '../../src/store/crypto.js';

type Json = Record<string, any>;

const MISSING = `c${'0'.repeat(24)}`;
const SECRET = 'Pa55-w0rd-for-the-envobjects-test';

describe('environment objects', () => {
  let s: TestServer;
  let base: string;
  let ws: Json;
  let ws2: Json;
  let dep1: Json;
  let dep2: Json;
  let dep3: Json;
  let depOther: Json;

  const post = (path: string, body: unknown, api: ApiClient = s.api) => api.post(`/v1/organizations/${s.orgId}${path}`, body);
  const create = async (body: Json, api: ApiClient = s.api): Promise<string> => {
    const res = await api.post(base, body);
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(Object.keys(res.body), ['id'], 'create answers the id only');
    assert.match(res.body.id, CUID);
    return res.body.id;
  };
  const get = async (id: string, api: ApiClient = s.api): Promise<Json> => {
    const res = await api.get(`${base}/${id}`);
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  const update = (id: string, body: Json, api: ApiClient = s.api) => api.post(`${base}/${id}`, body);
  const list = async (query: Json, api: ApiClient = s.api): Promise<Json> => {
    const res = await api.get(base, query);
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  const raw = (id: string) => s.app.db.selectFrom('environment_objects').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const wsVar = (key: string, extra: Json = {}) => ({ objectKey: key, objectType: 'AIRFLOW_VARIABLE', scope: 'WORKSPACE', scopeEntityId: ws.id, airflowVariable: { value: `${key}-value` }, ...extra });

  before(async () => {
    s = await startServer();
    base = `/v1/organizations/${s.orgId}/environment-objects`;
    const mkWs = async (name: string) => {
      const r = await post('/workspaces', { name, defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' });
      assert.equal(r.status, 200, r.text);
      return r.body;
    };
    const mkDep = async (name: string, workspaceId: string) => {
      const r = await post('/deployments', { name, workspaceId });
      assert.equal(r.status, 200, r.text);
      return r.body;
    };
    ws = await mkWs('env ws');
    ws2 = await mkWs('env ws 2');
    dep1 = await mkDep('dep one', ws.id);
    dep2 = await mkDep('dep two', ws.id);
    dep3 = await mkDep('dep three', ws.id);
    depOther = await mkDep('dep other', ws2.id);
  });
  after(async () => { await s.close(); });

  it('creates and reads every object type; secrets are masked, named in setFields and sealed at rest', async () => {
    const plainVar = await create(wsVar('PLAIN_VAR', { description: 'a plain one' }));
    const v = await get(plainVar);
    assert.deepEqual(v.airflowVariable, { isSecret: false, value: 'PLAIN_VAR-value' });
    assert.equal(v.description, 'a plain one');
    assert.equal(v.objectType, 'AIRFLOW_VARIABLE');
    assert.equal(v.scope, 'WORKSPACE');
    assert.equal(v.scopeEntityId, ws.id);
    assert.deepEqual(v.setFields, ['value']);
    assert.equal(v.autoLinkDeployments, false);
    assert.deepEqual(v.links, []);
    assert.deepEqual(v.excludeLinks, []);
    assert.match(v.createdAt, RFC3339);
    assert.match(v.updatedAt, RFC3339);
    assert.equal(v.createdBy.id, v.updatedBy.id);
    assert.ok(!('sourceScope' in v) && !('connection' in v));

    const secretVar = await create({ objectKey: 'SECRET_ENV', objectType: 'ENVIRONMENT_VARIABLE', scope: 'DEPLOYMENT', scopeEntityId: dep1.id, environmentVariable: { value: SECRET, isSecret: true } });
    const sv = await get(secretVar);
    assert.deepEqual(sv.environmentVariable, { isSecret: true, value: '' });
    assert.deepEqual(sv.setFields, ['value']);
    assert.ok(!('links' in sv) && !('autoLinkDeployments' in sv) && !('excludeLinks' in sv), 'Deployment objects have no linking');

    const conn = await create({
      objectKey: 'my_postgres', objectType: 'CONNECTION', scope: 'WORKSPACE', scopeEntityId: ws.id,
      connection: { type: 'postgres', host: 'db.example.com', login: 'airflow', password: SECRET, port: 5432, schema: 'public', extra: { sslmode: 'require', nested: { a: [1, 2] } }, authTypeId: 'postgres-basic' },
    });
    const c = await get(conn);
    assert.deepEqual(c.connection, { type: 'postgres', host: 'db.example.com', login: 'airflow', port: 5432, schema: 'public', extra: { sslmode: 'require', nested: { a: [1, 2] } } });
    assert.deepEqual(c.setFields, ['extra.nested', 'extra.sslmode', 'host', 'login', 'password', 'port', 'schema', 'type']);

    const metrics = await create({
      objectKey: 'prom', objectType: 'METRICS_EXPORT', scope: 'WORKSPACE', scopeEntityId: ws.id,
      metricsExport: { endpoint: 'https://prom.example.com/api/v1/write', exporterType: 'PROMETHEUS', authType: 'AUTH_TOKEN', basicToken: SECRET, headers: { 'X-Scope': 'team-a' }, labels: { env: 'dev' } },
    });
    const m = await get(metrics);
    assert.deepEqual(m.metricsExport, { endpoint: 'https://prom.example.com/api/v1/write', exporterType: 'PROMETHEUS', authType: 'AUTH_TOKEN', headers: { 'X-Scope': 'team-a' }, labels: { env: 'dev' } });
    assert.deepEqual(m.setFields, ['authType', 'basicToken', 'endpoint', 'exporterType', 'headers.X-Scope', 'labels.env']);

    // At rest: the secret fields are sealed; nothing in the row reads as the secret.
    for (const id of [secretVar, conn, metrics]) {
      const row = await raw(id);
      assert.match(row.secret_data!, /^v1\.[0-9a-f]{8}\.[A-Za-z0-9_-]+$/);
      assert.ok(!JSON.stringify(row).includes(SECRET), 'no column holds the secret in the clear');
      assert.ok(secretBox(s.app.db).open(row.secret_data!).includes(SECRET));
    }
    assert.equal((await raw(plainVar)).secret_data, null);
    // The owner sees the secrets only when asking for them.
    const hidden = await list({ workspaceId: ws.id, objectType: 'CONNECTION' });
    assert.ok(!hidden.environmentObjects[0].connection.password);
    const shown = await list({ workspaceId: ws.id, objectType: 'CONNECTION', showSecrets: true });
    assert.equal(shown.environmentObjects[0].connection.password, SECRET);
    const shownVar = await list({ deploymentId: dep1.id, showSecrets: true });
    assert.equal(shownVar.environmentObjects[0].environmentVariable.value, SECRET);
    for (const id of [secretVar, conn, metrics]) await s.api.delete(`${base}/${id}`);
    await s.api.delete(`${base}/${plainVar}`);
  });

  it('refuses bad bodies: missing or foreign blocks, foreign scopes, linking on Deployment objects, bad keys', async () => {
    assertError(await s.api.post(base, { objectKey: 'K', objectType: 'AIRFLOW_VARIABLE', scope: 'WORKSPACE', scopeEntityId: ws.id }), 400, 'airflowVariable', 'required');
    assertError(await s.api.post(base, wsVar('K', { connection: { type: 'http' } })), 400, 'connection', 'excluded');
    assertError(await s.api.post(base, wsVar('K', { scopeEntityId: MISSING })), 400, 'scopeEntityId', 'exists');
    assertError(await s.api.post(base, wsVar('K', { scope: 'DEPLOYMENT', scopeEntityId: ws.id })), 400, 'scopeEntityId', 'exists');
    assertError(await s.api.post(base, wsVar('K', { scope: 'DEPLOYMENT', scopeEntityId: dep1.id, autoLinkDeployments: true })), 400, 'autoLinkDeployments', 'excluded');
    assertError(await s.api.post(base, wsVar('K', { scope: 'DEPLOYMENT', scopeEntityId: dep1.id, links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep1.id }] })), 400, 'links', 'excluded');
    assertError(await s.api.post(base, wsVar('K', { links: [{ scope: 'DEPLOYMENT', scopeEntityId: depOther.id }] })), 400, 'links[0].scopeEntityId', 'exists');
    assertError(await s.api.post(base, wsVar('K', { links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep1.id }], excludeLinks: [{ scope: 'DEPLOYMENT', scopeEntityId: dep1.id }] })), 400, 'excludeLinks[0].scopeEntityId', 'excluded');
    assertError(await s.api.post(base, wsVar('K', { links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep1.id, overrides: { connection: { host: 'x' } } }] })), 400, 'links[0].overrides.connection', 'excluded');
    assertError(await s.api.post(base, wsVar('   ')), 400, 'objectKey', 'required');
    assertError(await s.api.post(base, wsVar('k'.repeat(251))), 400, 'objectKey', 'max');
    assertError(await s.api.post(base, { objectKey: '1BAD', objectType: 'ENVIRONMENT_VARIABLE', scope: 'WORKSPACE', scopeEntityId: ws.id, environmentVariable: {} }), 400, 'objectKey', 'pattern');
    assertError(await s.api.post(base, { objectKey: 'c', objectType: 'CONNECTION', scope: 'WORKSPACE', scopeEntityId: ws.id, connection: { host: 'x' } }), 400, 'connection.type', 'required');
    assertError(await s.api.post(base, { objectKey: 'c', objectType: 'CONNECTION', scope: 'WORKSPACE', scopeEntityId: ws.id, connection: { type: 'x', port: 70000 } }), 400, 'connection.port', 'max');
    assertError(await s.api.post(base, { objectKey: 'm', objectType: 'METRICS_EXPORT', scope: 'WORKSPACE', scopeEntityId: ws.id, metricsExport: { endpoint: 'e' } }), 400, 'metricsExport.exporterType', 'required');
    assertError(await s.api.post(base, wsVar('K', { description: 'd'.repeat(501) })), 400, 'description', 'max');
    const other = await createOrganizationWithOwner(s.app, { name: 'env elsewhere' });
    const ow = (await s.as(other.token).post(`/v1/organizations/${other.organizationId}/workspaces`, { name: 'theirs' })).body;
    assertError(await s.api.post(base, wsVar('K', { scopeEntityId: ow.id })), 400, 'scopeEntityId', 'exists');
    assert.equal((await list({ workspaceId: ws.id })).totalCount, 0, 'nothing was created');
    assertError(await s.api.get(`${base}/${MISSING}`), 404);
    assertError(await update(MISSING, { airflowVariable: {} }), 404);
    assertError(await s.api.delete(`${base}/${MISSING}`), 404);
  });

  it('answers 409 for a second key of one type in one scope; other types and scopes may reuse it', async () => {
    const id = await create(wsVar('DUP'));
    assertError(await s.api.post(base, wsVar('DUP', { airflowVariable: { value: 'other' } })), 409);
    const conn = await create({ objectKey: 'DUP', objectType: 'CONNECTION', scope: 'WORKSPACE', scopeEntityId: ws.id, connection: { type: 'http' } });
    const inDep = await create(wsVar('DUP', { scope: 'DEPLOYMENT', scopeEntityId: dep1.id }));
    const inWs2 = await create(wsVar('DUP', { scopeEntityId: ws2.id }));
    for (const x of [id, conn, inDep, inWs2]) assert.equal((await s.api.delete(`${base}/${x}`)).status, 204);
    assertError(await s.api.get(`${base}/${id}`), 404);
    await create(wsVar('DUP'));
    const again = (await list({ workspaceId: ws.id, objectKey: 'DUP' })).environmentObjects;
    assert.equal(again.length, 1);
    await s.api.delete(`${base}/${again[0].id}`);
  });

  it('updates: typed block required, secrets kept when empty or left out, isSecret and connection type fixed', async () => {
    const id = await create(wsVar('UPD', { airflowVariable: { value: SECRET, isSecret: true }, description: 'first' }));
    assertError(await update(id, {}), 400, 'airflowVariable', 'required');
    assertError(await update(id, { environmentVariable: { value: 'x' } }), 400, 'environmentVariable', 'excluded');
    const secretOf = async () => JSON.parse(secretBox(s.app.db).open((await raw(id)).secret_data!)).value;
    s.clock.advance(5);
    let res = await update(id, { airflowVariable: { value: '' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.airflowVariable, { isSecret: true, value: '' });
    assert.equal(res.body.description, 'first', 'a description left out is kept');
    assert.notEqual(res.body.updatedAt, res.body.createdAt);
    assert.equal(await secretOf(), SECRET);
    res = await update(id, { airflowVariable: {}, description: 'second' });
    assert.equal(res.body.description, 'second');
    assert.equal(await secretOf(), SECRET);
    res = await update(id, { airflowVariable: { value: 'rotated', isSecret: false } });
    assert.equal(res.body.airflowVariable.isSecret, true, 'isSecret cannot change on update');
    assert.equal(await secretOf(), 'rotated');

    const conn = await create({ objectKey: 'upd_conn', objectType: 'CONNECTION', scope: 'WORKSPACE', scopeEntityId: ws.id, connection: { type: 'postgres', host: 'h1', password: SECRET, extra: { a: '1' } } });
    assertError(await update(conn, { connection: { type: 'mysql', host: 'h1' } }), 400, 'connection.type', 'immutable');
    res = await update(conn, { connection: { type: 'postgres', host: 'h2', password: '' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.connection, { type: 'postgres', host: 'h2' }, 'fields left out are cleared; the password is masked');
    assert.deepEqual(res.body.setFields, ['host', 'password', 'type']);
    const shown = (await list({ workspaceId: ws.id, objectKey: 'upd_conn', objectType: 'CONNECTION', showSecrets: true })).environmentObjects[0];
    assert.equal(shown.connection.password, SECRET);

    const prom = await create({ objectKey: 'upd_prom', objectType: 'METRICS_EXPORT', scope: 'WORKSPACE', scopeEntityId: ws.id, metricsExport: { endpoint: 'https://a', exporterType: 'PROMETHEUS', authType: 'BASIC', username: 'u', password: SECRET } });
    res = await update(prom, { metricsExport: { authType: 'BASIC', username: 'u2' } });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.metricsExport, { endpoint: 'https://a', exporterType: 'PROMETHEUS', authType: 'BASIC', username: 'u2' });
    assert.deepEqual(res.body.setFields, ['authType', 'endpoint', 'exporterType', 'password', 'username']);
    for (const x of [id, conn, prom]) await s.api.delete(`${base}/${x}`);
  });

  it('links, overrides, exclusions and auto-linking resolve into each Deployment\'s view', async () => {
    const id = await create({
      objectKey: 'shared_conn', objectType: 'CONNECTION', scope: 'WORKSPACE', scopeEntityId: ws.id, autoLinkDeployments: true,
      connection: { type: 'postgres', host: 'ws-host', login: 'ws-login', password: SECRET, extra: { a: '1', b: '2' } },
      links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep1.id, overrides: { connection: { host: 'dep1-host', password: 'dep1-secret', extra: { b: 'B' } } } }],
      excludeLinks: [{ scope: 'DEPLOYMENT', scopeEntityId: dep2.id }],
    });
    const o = await get(id);
    assert.equal(o.autoLinkDeployments, true);
    assert.deepEqual(o.links, [{ scope: 'DEPLOYMENT', scopeEntityId: dep1.id, connectionOverrides: { host: 'dep1-host', extra: { b: 'B' } }, setFields: ['extra.b', 'host', 'password'] }]);
    assert.deepEqual(o.excludeLinks, [{ scope: 'DEPLOYMENT', scopeEntityId: dep2.id }]);
    const link = await s.app.db.selectFrom('environment_object_links').selectAll().where('object_id', '=', id).executeTakeFirstOrThrow();
    assert.ok(link.secret_overrides && !link.secret_overrides.includes('dep1-secret'), 'override secrets are sealed too');

    const resolved = async (dep: Json, extra: Json = {}) => (await list({ deploymentId: dep.id, resolveLinked: true, ...extra })).environmentObjects as Json[];
    const [r1] = await resolved(dep1, { showSecrets: true });
    assert.equal(r1.id, id);
    assert.equal(r1.scope, 'DEPLOYMENT');
    assert.equal(r1.scopeEntityId, dep1.id);
    assert.equal(r1.sourceScope, 'WORKSPACE');
    assert.equal(r1.sourceScopeEntityId, ws.id);
    assert.deepEqual(r1.connection, { type: 'postgres', host: 'dep1-host', login: 'ws-login', password: 'dep1-secret', extra: { a: '1', b: 'B' } });
    assert.ok(!('links' in r1));
    assert.deepEqual(await resolved(dep2), [], 'an excluded Deployment does not see it');
    const [r3] = await resolved(dep3);
    assert.deepEqual(r3.connection, { type: 'postgres', host: 'ws-host', login: 'ws-login', extra: { a: '1', b: '2' } }, 'auto-linked, no overrides, secret masked');
    assert.deepEqual(await resolved(depOther), []);
    assert.deepEqual((await list({ deploymentId: dep3.id })).environmentObjects, [], 'without resolveLinked only the Deployment\'s own objects');

    // A Deployment's own object of the same type and key wins over the Workspace's.
    const own = await create({ objectKey: 'shared_conn', objectType: 'CONNECTION', scope: 'DEPLOYMENT', scopeEntityId: dep3.id, connection: { type: 'http', host: 'own' } });
    const mine = await resolved(dep3);
    assert.deepEqual(mine.map((x) => [x.id, x.scope, x.connection.host, 'sourceScope' in x]), [[own, 'DEPLOYMENT', 'own', false]]);
    await s.api.delete(`${base}/${own}`);

    // Exclude-linking: 200 without a body, idempotent; a linked Deployment is a conflict.
    const ex = await s.api.post(`${base}/${id}/exclude-linking`, { scope: 'DEPLOYMENT', scopeEntityId: dep3.id });
    assert.equal(ex.status, 200, ex.text);
    assert.equal(ex.text, '');
    assert.equal((await s.api.post(`${base}/${id}/exclude-linking`, { scope: 'DEPLOYMENT', scopeEntityId: dep3.id })).status, 200);
    assert.deepEqual((await get(id)).excludeLinks.map((x: Json) => x.scopeEntityId), [dep2.id, dep3.id]);
    assert.deepEqual(await resolved(dep3), []);
    assertError(await s.api.post(`${base}/${id}/exclude-linking`, { scope: 'DEPLOYMENT', scopeEntityId: dep1.id }), 409);
    assertError(await s.api.post(`${base}/${id}/exclude-linking`, { scope: 'DEPLOYMENT', scopeEntityId: depOther.id }), 400, 'scopeEntityId', 'exists');
    assertError(await s.api.post(`${base}/${MISSING}/exclude-linking`, { scope: 'DEPLOYMENT', scopeEntityId: dep1.id }), 404);

    // An update keeps override fields a link entry leaves out, removes unset ones, refuses both at once.
    const same = { connection: { type: 'postgres', host: 'ws-host', login: 'ws-login', extra: { a: '1', b: '2' } }, autoLinkDeployments: true, excludeLinks: [{ scope: 'DEPLOYMENT', scopeEntityId: dep2.id }] };
    let res = await update(id, { ...same, links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep1.id }] });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.links[0].setFields, ['extra.b', 'host', 'password']);
    assert.deepEqual(res.body.excludeLinks.map((x: Json) => x.scopeEntityId), [dep2.id], 'the exclusions are replaced');
    assertError(await update(id, { ...same, links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep1.id, overrides: { connection: { host: 'h' }, unsetFields: ['host'] } }] }), 400, 'links[0].overrides.unsetFields[0]', 'excluded');
    assertError(await update(id, { ...same, links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep1.id, overrides: { unsetFields: ['nope'] } }] }), 400, 'links[0].overrides.unsetFields[0]', 'oneof');
    res = await update(id, { ...same, links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep1.id, overrides: { connection: { login: 'dep1-login', password: '' }, unsetFields: ['host', 'extra.b'] } }] });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.body.links[0], { scope: 'DEPLOYMENT', scopeEntityId: dep1.id, connectionOverrides: { login: 'dep1-login' }, setFields: ['login', 'password'] });
    const [again] = await resolved(dep1, { showSecrets: true });
    assert.deepEqual(again.connection, { type: 'postgres', host: 'ws-host', login: 'dep1-login', password: 'dep1-secret', extra: { a: '1', b: '2' } });

    // Left out of an update, links, exclusions and automatic linking are dropped.
    res = await update(id, { connection: same.connection });
    assert.equal(res.status, 200, res.text);
    assert.deepEqual([res.body.links, res.body.excludeLinks, res.body.autoLinkDeployments], [[], [], false]);
    for (const d of [dep1, dep2, dep3]) assert.deepEqual(await resolved(d), []);
    await s.api.delete(`${base}/${id}`);
  });

  it('variables: secret overrides are masked on links, and resolve for the Deployment', async () => {
    const id = await create({
      objectKey: 'API_KEY', objectType: 'ENVIRONMENT_VARIABLE', scope: 'WORKSPACE', scopeEntityId: ws.id,
      environmentVariable: { value: 'ws-secret', isSecret: true },
      links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep2.id, overrides: { environmentVariable: { value: 'dep2-secret' } } }],
    });
    const o = await get(id);
    assert.deepEqual(o.links, [{ scope: 'DEPLOYMENT', scopeEntityId: dep2.id, setFields: ['value'] }], 'a secret override value is left out');
    const shown = (await list({ workspaceId: ws.id, showSecrets: true })).environmentObjects.find((x: Json) => x.id === id);
    assert.deepEqual(shown.links[0].environmentVariableOverrides, { value: 'dep2-secret' });
    const [r] = (await list({ deploymentId: dep2.id, resolveLinked: true, showSecrets: true })).environmentObjects;
    assert.deepEqual(r.environmentVariable, { isSecret: true, value: 'dep2-secret' });
    // A link entry without overrides keeps the stored secret override (the CLI echoes links so).
    const res = await update(id, { environmentVariable: { value: '' }, links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep2.id }] });
    assert.equal(res.status, 200, res.text);
    const [kept] = (await list({ deploymentId: dep2.id, resolveLinked: true, showSecrets: true })).environmentObjects;
    assert.equal(kept.environmentVariable.value, 'dep2-secret');
    await s.api.delete(`${base}/${id}`);
    // On a plain variable an empty override is an override, shown and counted.
    const plain = await create(wsVar('PLAIN_OVR', { links: [{ scope: 'DEPLOYMENT', scopeEntityId: dep2.id, overrides: { airflowVariable: { value: '' } } }] }));
    assert.deepEqual((await get(plain)).links, [{ scope: 'DEPLOYMENT', scopeEntityId: dep2.id, airflowVariableOverrides: { value: '' }, setFields: ['value'] }]);
    const [r2] = (await list({ deploymentId: dep2.id, resolveLinked: true })).environmentObjects;
    assert.deepEqual(r2.airflowVariable, { isSecret: false, value: '' });
    await s.api.delete(`${base}/${plain}`);
  });

  it('answers one of several simultaneous creates of a key, and 409 to the others', async () => {
    const answers = await Promise.all(Array.from({ length: 6 }, () => s.api.post(base, wsVar('RACE'))));
    assert.deepEqual(answers.map((a) => a.status).sort(), [200, 409, 409, 409, 409, 409]);
    for (const a of answers.filter((x) => x.status === 409)) assertError(a, 409);
    await s.api.delete(`${base}/${answers.find((a) => a.status === 200)!.body.id}`);
  });

  it('takes what Terraform sends for a Deployment object: empty link lists and autoLinkDeployments false', async () => {
    const id = await create(wsVar('TF_VAR', { scope: 'DEPLOYMENT', scopeEntityId: dep2.id, links: [], excludeLinks: [], autoLinkDeployments: false }));
    const res = await update(id, { airflowVariable: { value: 'next' }, links: [], excludeLinks: [], autoLinkDeployments: false });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.body.airflowVariable.value, 'next');
    assertError(await update(id, { airflowVariable: { value: 'next' }, autoLinkDeployments: true }), 400, 'autoLinkDeployments', 'excluded');
    assertError(await s.api.post(`${base}/${id}/exclude-linking`, { scope: 'DEPLOYMENT', scopeEntityId: dep2.id }), 400);
    await s.api.delete(`${base}/${id}`);
  });

  it('filters, sorts and pages', async () => {
    const ids: string[] = [];
    for (const [i, key] of ['B_KEY', 'A_KEY', 'C_KEY'].entries()) {
      s.clock.advance(1);
      ids.push(await create(wsVar(key, i === 2 ? { objectType: 'ENVIRONMENT_VARIABLE', airflowVariable: undefined, environmentVariable: { value: 'v' } } : {})));
    }
    const keys = (b: Json) => b.environmentObjects.map((x: Json) => x.objectKey);
    assert.deepEqual(keys(await list({ workspaceId: ws.id })), ['B_KEY', 'A_KEY', 'C_KEY'], 'default order: creation');
    assert.deepEqual(keys(await list({ workspaceId: ws.id, sorts: ['objectKey:desc'] })), ['C_KEY', 'B_KEY', 'A_KEY']);
    assert.deepEqual(keys(await list({ workspaceId: ws.id, sorts: ['objectType:asc', 'objectKey:asc'] })), ['A_KEY', 'B_KEY', 'C_KEY']);
    assert.deepEqual(keys(await list({ workspaceId: ws.id, sorts: ['createdAt:desc'] })), ['C_KEY', 'A_KEY', 'B_KEY']);
    assert.deepEqual(keys(await list({ workspaceId: ws.id, objectType: 'ENVIRONMENT_VARIABLE' })), ['C_KEY']);
    assert.deepEqual(keys(await list({ workspaceId: ws.id, objectKey: 'A_KEY', objectType: 'AIRFLOW_VARIABLE', resolveLinked: false, limit: 2 })), ['A_KEY']);
    assert.deepEqual(keys(await list({ workspaceId: ws.id, objectKey: 'A_KE' })), [], 'the key filter is exact');
    assert.deepEqual(keys(await list({ workspaceId: ws2.id })), []);
    assert.deepEqual(keys(await list({ workspaceId: MISSING })), [], 'an unknown Workspace lists nothing');
    const page = await list({ workspaceId: ws.id, limit: 2, offset: 1, sorts: ['objectKey:asc'] });
    assert.deepEqual([keys(page), page.limit, page.offset, page.totalCount], [['B_KEY', 'C_KEY'], 2, 1, 3]);
    const past = await list({ workspaceId: ws.id, offset: 1000, limit: 1000 });
    assert.deepEqual([past.environmentObjects, past.totalCount], [[], 3]);
    assert.equal((await list({ workspaceId: ws.id, limit: 5000 })).limit, 1000, 'the limit answered is the one applied');
    assert.equal((await list({})).totalCount, 3, 'without a scope: the whole Organization');
    assertError(await s.api.get(base, { workspaceId: ws.id, deploymentId: dep1.id }), 400, 'deploymentId');
    assertError(await s.api.get(base, { sorts: ['name:asc'] }), 400);
    for (const id of ids) await s.api.delete(`${base}/${id}`);
  });

  it('lets callers act only inside their scope; secrets only for Organization Owners', async () => {
    const operator = await s.withRoles('WORKSPACE', ws.id, [{ entityType: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_OPERATOR' }]);
    const member = await s.withRoles('WORKSPACE', ws.id, [{ entityType: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_MEMBER' }]);
    const depAdmin = await s.withRoles('DEPLOYMENT', dep1.id, [{ entityType: 'DEPLOYMENT', entityId: dep1.id, role: 'DEPLOYMENT_ADMIN' }]);
    const orgMember = await s.withRoles('ORGANIZATION', s.orgId, [{ entityType: 'ORGANIZATION', entityId: s.orgId, role: 'ORGANIZATION_MEMBER' }]);

    const mine = await create(wsVar('OP_VAR', { airflowVariable: { value: SECRET, isSecret: true } }), operator);
    const theirs = await create(wsVar('OTHER_VAR', { scopeEntityId: ws2.id }));
    assert.equal((await get(mine, operator)).objectKey, 'OP_VAR');
    assert.equal((await list({ workspaceId: ws.id }, operator)).totalCount, 1);
    assert.equal((await update(mine, { airflowVariable: {} }, operator)).status, 200);
    // Another Workspace's objects, the whole Organization, and secrets are out of reach.
    assertError(await operator.get(`${base}/${theirs}`), 403);
    assertError(await update(theirs, { airflowVariable: {} }, operator), 403);
    assertError(await operator.delete(`${base}/${theirs}`), 403);
    assertError(await operator.post(`${base}/${theirs}/exclude-linking`, { scope: 'DEPLOYMENT', scopeEntityId: depOther.id }), 403);
    assertError(await operator.post(base, wsVar('X', { scopeEntityId: ws2.id })), 403);
    assertError(await operator.get(base, { workspaceId: ws2.id }), 403);
    assertError(await operator.get(base), 403);
    const refused = await operator.get(base, { workspaceId: ws.id, showSecrets: true });
    assertError(refused, 403);
    assert.match(refused.body.message.toLowerCase(), /showsecrets.*organization.*not allowed/);
    // A Workspace member and an Organization member may not manage environment objects at all.
    assertError(await member.get(`${base}/${mine}`), 403);
    assertError(await member.get(base, { workspaceId: ws.id }), 403);
    assertError(await orgMember.get(base), 403);
    assertError(await orgMember.post(base, wsVar('X')), 403);
    // A Deployment admin manages its Deployment's objects, and sees what reaches it, but not the Workspace's objects.
    const depObj = await create(wsVar('DEP_VAR', { scope: 'DEPLOYMENT', scopeEntityId: dep1.id }), depAdmin);
    assert.equal((await list({ deploymentId: dep1.id, resolveLinked: true }, depAdmin)).totalCount, 1);
    assertError(await depAdmin.get(`${base}/${mine}`), 403);
    assertError(await depAdmin.post(base, wsVar('X', { scope: 'DEPLOYMENT', scopeEntityId: dep2.id })), 403);
    assertError(await depAdmin.get(base, { workspaceId: ws.id }), 403);
    // Another Organization's owner sees nothing of this one.
    const other = await createOrganizationWithOwner(s.app, { name: 'env stranger' });
    const stranger = s.as(other.token);
    assertError(await stranger.get(`${base}/${mine}`), 403);
    assertError(await stranger.get(`/v1/organizations/${other.organizationId}/environment-objects/${mine}`), 404);
    for (const x of [mine, theirs, depObj]) await s.api.delete(`${base}/${x}`);
  });

  it('deleting a Deployment or a Workspace leaves no objects, links or exclusions behind', async () => {
    const w = (await post('/workspaces', { name: 'doomed', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
    const d1 = (await post('/deployments', { name: 'doomed one', workspaceId: w.id })).body;
    const d2 = (await post('/deployments', { name: 'doomed two', workspaceId: w.id })).body;
    const wsObj = await create(wsVar('W', { scopeEntityId: w.id, links: [{ scope: 'DEPLOYMENT', scopeEntityId: d1.id }], excludeLinks: [{ scope: 'DEPLOYMENT', scopeEntityId: d2.id }] }));
    const depObj = await create(wsVar('D', { scope: 'DEPLOYMENT', scopeEntityId: d1.id }));
    assert.equal((await s.api.delete(`/v1/organizations/${s.orgId}/deployments/${d1.id}`)).status, 204);
    assertError(await s.api.get(`${base}/${depObj}`), 404);
    assert.deepEqual((await get(wsObj)).links, []);
    assert.equal((await s.api.delete(`/v1/organizations/${s.orgId}/deployments/${d2.id}`)).status, 204);
    assert.deepEqual((await get(wsObj)).excludeLinks, []);
    assert.equal((await s.api.delete(`/v1/organizations/${s.orgId}/workspaces/${w.id}`)).status, 204);
    assertError(await s.api.get(`${base}/${wsObj}`), 404);
    const left = await s.app.db.selectFrom('environment_objects').select('id').where('workspace_id', '=', w.id).execute();
    assert.deepEqual(left, []);
  });
});
