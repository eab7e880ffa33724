import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { assertError, type ApiClient } from '../helpers/client.js';
import { repositoryName, startRegistry, type RegistryStandIn } from '../helpers/registry.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { putBlob, tarGz } from '../helpers/tarball.js';
import { MANIFEST_MEDIA_TYPES } from '../../src/resources/deploys/registry.js';

type Json = Record<string, any>;

/** A loopback port nothing listens on (bound, then closed). */
async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Image deploys checked against ASTROLABE_REGISTRY: finalizing asks the registry (a stand-in on a
 * loopback port, answering the Docker Registry HTTP API v2 manifest endpoint) whether the deploy's
 * image was pushed. A missing image makes the deploy FAILED and leaves the Deployment as it was; a
 * registry that cannot answer is a 503 and the deploy stays open.
 */
describe('deploys: image deploys against the registry', () => {
  let registry: RegistryStandIn;
  let s: TestServer;
  let dep: Json;
  let deploys: string;
  let admin: ApiClient;

  before(async () => {
    registry = await startRegistry();
    s = await startServer({ ASTROLABE_REGISTRY: registry.host });
    const ws = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'registry ws', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
    dep = (await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'registry dep', workspaceId: ws.id })).body;
    deploys = `/v1/organizations/${s.orgId}/deployments/${dep.id}/deploys`;
    // The one who deploys: a Deployment Admin of this Deployment.
    admin = await s.withRoles('DEPLOYMENT', dep.id, [{ entityType: 'DEPLOYMENT', entityId: dep.id, role: 'DEPLOYMENT_ADMIN' }]);
  });
  after(async () => {
    await s.close();
    await registry.close();
  });

  const open = async (body: Json): Promise<Json> => {
    const res = await admin.post(deploys, body);
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  const finalize = (d: Json, body: Json = {}) => admin.post(`${deploys}/${d.id}/finalize`, body);
  const deployment = async () => (await admin.get(`/v1/organizations/${s.orgId}/deployments/${dep.id}`)).body as Json;

  it('asks the registry for the manifest with HEAD and the manifest media types, and deploys an image that was pushed', async () => {
    const d = await open({ type: 'IMAGE_ONLY' });
    assert.equal(d.imageRepository, `${registry.host}/${dep.namespace}/airflow`);
    registry.push(repositoryName(d.imageRepository), d.imageTag);
    const before = registry.requests.length;
    const f = await finalize(d);
    assert.equal(f.status, 200, f.text);
    assert.equal(f.body.status, 'DEPLOYED');
    const asked = registry.requests.slice(before);
    assert.deepEqual(asked.map((r) => [r.method, r.path]), [['HEAD', `/v2/${dep.namespace}/airflow/manifests/${d.imageTag}`]]);
    assert.deepEqual(asked[0]!.accept.split(', ').sort(), [...MANIFEST_MEDIA_TYPES].sort());
    assert.equal((await deployment()).imageTag, d.imageTag);
  });

  it('ends an image deploy FAILED when the registry does not have the image: the Deployment keeps its image, the record and the logs say so', async () => {
    const running = await deployment();
    const d = await open({ type: 'IMAGE_ONLY', description: 'never pushed' });
    const f = await finalize(d);
    assert.equal(f.status, 200, f.text);
    assert.equal(f.body.status, 'FAILED');
    assert.equal(f.body.imageTag, d.imageTag);
    // The record shows it, read and listed.
    assert.equal((await admin.get(`${deploys}/${d.id}`)).body.status, 'FAILED');
    assert.equal((await admin.get(deploys)).body.deploys.find((x: Json) => x.id === d.id).status, 'FAILED');
    // The Deployment runs what it ran, and is not rolling anything out.
    const after = await deployment();
    assert.equal(after.imageTag, running.imageTag);
    assert.equal(after.status, 'HEALTHY');
    assert.equal(after.updatedAt, running.updatedAt);
    // Its scheduler says why.
    const logs = await s.api.get(`/v1/organizations/${s.orgId}/deployments/${dep.id}/logs`, { sources: ['scheduler'], searchText: 'FAILED' });
    assert.equal(logs.status, 200, logs.text);
    assert.ok(logs.body.results.some((r: Json) => r.raw.includes(`Deploy ${d.id} FAILED: image ${d.imageRepository}:${d.imageTag} is not in the registry`)), JSON.stringify(logs.body.results));
    // A failed deploy is done: it is not finalized again, and cannot be rolled back to.
    assertError(await finalize(d), 400);
    assertError(await admin.post(`${deploys}/${d.id}/rollback`, {}), 400);
    // Pushing later does not revive it: a new deploy does.
    registry.push(repositoryName(d.imageRepository), d.imageTag);
    assertError(await finalize(d), 400);
  });

  it('fails an image-and-DAG deploy as a whole: neither the image nor the DAGs roll out', async () => {
    const d = await open({ type: 'IMAGE_AND_DAG' });
    const put = await putBlob(d.dagsUploadUrl, tarGz([{ name: 'dags/x.py', content: 'x = 1\n' }]));
    assert.equal(put.status, 201, put.text);
    const version = put.headers.get('x-ms-version-id')!;
    const running = await deployment();
    const f = await finalize(d, { dagTarballVersion: version });
    assert.equal(f.status, 200, f.text);
    assert.equal(f.body.status, 'FAILED');
    assert.equal(f.body.dagTarballVersion, version, 'the record names what the deploy brought');
    const after = await deployment();
    assert.equal(after.imageTag, running.imageTag);
    assert.equal(after.desiredDagTarballVersion, running.desiredDagTarballVersion);
  });

  it('does not ask the registry about DAG-only deploys', async () => {
    const d = await open({ type: 'DAG_ONLY' });
    const put = await putBlob(d.dagsUploadUrl, tarGz([{ name: 'dags/y.py', content: 'y = 2\n' }]));
    const before = registry.requests.length;
    const f = await finalize(d, { dagTarballVersion: put.headers.get('x-ms-version-id') });
    assert.equal(f.status, 200, f.text);
    assert.equal(f.body.status, 'DEPLOYED');
    assert.equal(registry.requests.length, before);
  });

  it('answers 503 with Retry-After when the registry asks for credentials or fails, and the deploy stays INITIALIZED', async () => {
    const d = await open({ type: 'IMAGE_ONLY' });
    registry.push(repositoryName(d.imageRepository), d.imageTag);
    for (const status of [401, 500]) {
      registry.answerAll(status);
      const res = await finalize(d);
      assertError(res, 503);
      assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
      assert.match(res.body.message, status === 401 ? /asks for credentials \(401\)/ : /answered 500/);
    }
    registry.answerAll(undefined);
    assert.equal((await admin.get(`${deploys}/${d.id}`)).body.status, 'INITIALIZED');
    const f = await finalize(d);
    assert.equal(f.status, 200, f.text);
    assert.equal(f.body.status, 'DEPLOYED');
  });

  it('checks the request before asking the registry: a bad finalize is a 400, whatever the registry', async () => {
    const d = await open({ type: 'IMAGE_ONLY' });
    registry.answerAll(500);
    try {
      assertError(await finalize(d, { dagTarballVersion: 'not the Deployment\'s' }), 400, 'dagTarballVersion');
      assertError(await admin.post(`${deploys}/cnotadeploy00000000000000/finalize`, {}), 400, 'deployId');
    } finally {
      registry.answerAll(undefined);
    }
  });
});

describe('deploys: a registry out of reach', () => {
  let s: TestServer;
  let registryHost: string;
  before(async () => {
    registryHost = `127.0.0.1:${await closedPort()}`;
    s = await startServer({ ASTROLABE_REGISTRY: registryHost });
  });
  after(async () => { await s.close(); });

  it('answers 503 naming the registry, and keeps the deploy open', async () => {
    const ws = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'w', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
    const dep = (await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'd', workspaceId: ws.id })).body;
    const deploys = `/v1/organizations/${s.orgId}/deployments/${dep.id}/deploys`;
    const d = (await s.api.post(deploys, { type: 'IMAGE_ONLY' })).body;
    const res = await s.api.post(`${deploys}/${d.id}/finalize`, {});
    assertError(res, 503);
    assert.ok(res.body.message.includes(`the container registry ${registryHost} (ASTROLABE_REGISTRY) could not be reached`), res.body.message);
    assert.match(res.headers.get('retry-after') ?? '', /^\d+$/);
    assert.equal((await s.api.get(`${deploys}/${d.id}`)).body.status, 'INITIALIZED');
    assert.equal((await s.api.get(`/v1/organizations/${s.orgId}/deployments/${dep.id}`)).body.imageTag, dep.imageTag);
  });
});

describe('deploys: no registry configured', () => {
  let s: TestServer;
  before(async () => { s = await startServer(); });
  after(async () => { await s.close(); });

  it('cannot check images: an image deploy is DEPLOYED on finalize', async () => {
    const ws = (await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'w', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
    const dep = (await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'd', workspaceId: ws.id })).body;
    const deploys = `/v1/organizations/${s.orgId}/deployments/${dep.id}/deploys`;
    const d = (await s.api.post(deploys, { type: 'IMAGE_ONLY' })).body;
    assert.ok(d.imageRepository.startsWith('images.astrolabe.localhost/'));
    const f = await s.api.post(`${deploys}/${d.id}/finalize`, {});
    assert.equal(f.status, 200, f.text);
    assert.equal(f.body.status, 'DEPLOYED');
  });
});
