import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import { assertError, CUID, RFC3339 } from '../helpers/client.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { repositoryName, startRegistry, type RegistryStandIn } from '../helpers/registry.js';
import { dagsTarball, newBlockId, putBlob, putBlock, putBlockList, tarGz, uploadInBlocks, withQuery, type BlobAnswer } from '../helpers/tarball.js';
import { createOrganizationWithOwner } from '../../src/bootstrap.js';

type Json = Record<string, any>;

const PROVISION_SECONDS = 60;
const MAX_UPLOAD = 3 * 1024 * 1024;

function assertAzureError(res: BlobAnswer, status: number, code: string): void {
  assert.equal(res.status, status, `expected ${status} ${code}, got ${res.status}: ${res.text}`);
  assert.equal(res.headers.get('x-ms-error-code'), code);
  assert.match(res.headers.get('content-type') ?? '', /application\/xml/);
  assert.match(res.text, new RegExp(`<Error><Code>${code}</Code><Message>`));
}

function assertVersion(res: BlobAnswer): string {
  assert.equal(res.status, 201, res.text);
  const version = res.headers.get('x-ms-version-id');
  assert.ok(version, 'a 201 without x-ms-version-id panics the CLI');
  assert.match(version, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
  // Optional headers the SDK parses when present must be well formed.
  assert.ok(!Number.isNaN(Date.parse(res.headers.get('last-modified')!)));
  assert.ok(!Number.isNaN(Date.parse(res.headers.get('date')!)));
  return version;
}

describe('deploys', () => {
  let s: TestServer;
  let registry: RegistryStandIn;
  let ws: Json;
  let dep: Json;
  let deploys: string;

  const newDeployment = async (body: Json = {}) => {
    const d = await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: `dep ${Math.random()}`, workspaceId: ws.id, ...body });
    assert.equal(d.status, 200, d.text);
    return d.body;
  };
  const createDeploy = async (body: Json, deploymentId = dep.id) => {
    const res = await s.api.post(`/v1/organizations/${s.orgId}/deployments/${deploymentId}/deploys`, body);
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  /** What `docker push` of an image deploy's image does: the registry then has it. */
  const push = (deploy: Json) => registry.push(repositoryName(deploy.imageRepository), deploy.imageTag);
  const finalize = (deploy: Json, body: Json) =>
    s.api.post(`/v1/organizations/${s.orgId}/deployments/${deploy.deploymentId}/deploys/${deploy.id}/finalize`, body);
  const getDeployment = async (id = dep.id) => {
    const res = await s.api.get(`/v1/organizations/${s.orgId}/deployments/${id}`);
    assert.equal(res.status, 200, res.text);
    return res.body;
  };
  /** A finalized DAG deploy of `files`, through the single Put Blob path. */
  const dagDeploy = async (content = 'x = 1\n', deploymentId = dep.id) => {
    const d = await createDeploy({ type: 'DAG_ONLY' }, deploymentId);
    const version = assertVersion(await putBlob(d.dagsUploadUrl, tarGz([{ name: 'dags/' }, { name: 'dags/a.py', content }])));
    const f = await finalize(d, { dagTarballVersion: version });
    assert.equal(f.status, 200, f.text);
    return { deploy: f.body, version };
  };

  before(async () => {
    registry = await startRegistry();
    s = await startServer({
      ASTROLABE_PROVISION_SECONDS: String(PROVISION_SECONDS),
      ASTROLABE_REGISTRY: registry.host,
      ASTROLABE_UPLOAD_MAX_BYTES: String(MAX_UPLOAD),
    });
    const w = await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'deploys ws', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' });
    assert.equal(w.status, 200, w.text);
    ws = w.body;
    dep = await newDeployment({ name: 'deploys dep' });
    deploys = `/v1/organizations/${s.orgId}/deployments/${dep.id}/deploys`;
    // Past CREATING.
    s.clock.advance(PROVISION_SECONDS);
  });
  after(async () => {
    await s.close();
    await registry.close();
  });

  it('runs the `astro deploy --dags` sequence: block upload of a real tarball over 1 MiB, finalize, DEPLOYING then HEALTHY', async () => {
    // 1. The CLI reads the Deployment.
    const before = await getDeployment();
    assert.equal(before.status, 'HEALTHY');
    assert.equal(before.isDagDeployEnabled, true);
    assert.equal(before.workspaceId, ws.id);
    assert.ok(!('desiredDagTarballVersion' in before) && !('dagTarballVersion' in before), 'no DAGs deployed yet');

    // 2. It creates a DAG-only deploy.
    const created = await s.api.post(deploys, { type: 'DAG_ONLY', description: 'first DAGs', git: { provider: 'GITHUB', account: 'astronomer', repo: 'dags', commitSha: 'abc123', branch: 'main' } });
    assert.equal(created.status, 200, created.text);
    const d = created.body;
    assert.match(d.id, CUID);
    assert.equal(d.deploymentId, dep.id);
    assert.equal(d.type, 'DAG_ONLY');
    assert.equal(d.status, 'INITIALIZED');
    assert.equal(d.isDagDeployEnabled, true);
    assert.equal(d.description, 'first DAGs');
    assert.deepEqual(d.git, { provider: 'GITHUB', account: 'astronomer', repo: 'dags', commitSha: 'abc123', branch: 'main' });
    assert.equal(d.imageRepository, `${registry.host}/${dep.namespace}/airflow`);
    assert.equal(d.imageTag, before.imageTag, 'a DAG-only deploy keeps the image the Deployment runs');
    assert.equal(d.astroRuntimeVersion, before.runtimeVersion);
    assert.match(d.createdAt, RFC3339);
    assert.equal(d.createdBySubject.id.length > 0, true);
    assert.ok(!('dagTarballVersion' in d) && !('bundleUploadUrl' in d) && !('rollbackFromId' in d));
    const url = new URL(d.dagsUploadUrl);
    assert.equal(url.origin, s.url, 'the upload URL is on this server (derived from the request host)');
    assert.equal(url.pathname, `/blob/${d.id}/dags.tar.gz`);
    assert.ok(url.searchParams.get('sig') && url.searchParams.get('se'));

    // 3. It tars and gzips the dags folder (over 1 MiB) and uploads it in 1 MiB blocks, then commits the list.
    const { gz, files } = dagsTarball(1536 * 1024);
    assert.ok(gz.length > 1024 * 1024, 'the tarball is larger than one block');
    const { blocks, commit } = await uploadInBlocks(d.dagsUploadUrl, gz);
    assert.equal(blocks.length, 2);
    for (const b of blocks) {
      assert.equal(b.status, 201, b.text);
      assert.match(b.headers.get('content-md5') ?? '', /^[A-Za-z0-9+/]+=*$/);
    }
    const version = assertVersion(commit);
    assert.deepEqual(files.length, 3);

    // 4. It finalizes the deploy with the version the commit answered.
    const f = await finalize(d, { dagTarballVersion: version });
    assert.equal(f.status, 200, f.text);
    assert.equal(f.body.status, 'DEPLOYED');
    assert.equal(f.body.dagTarballVersion, version);
    assert.equal(f.body.imageTag, d.imageTag);

    // 5. The Deployment rolls the DAGs out, then is HEALTHY with them.
    const rolling = await getDeployment();
    assert.equal(rolling.status, 'DEPLOYING');
    assert.equal(rolling.desiredDagTarballVersion, version);
    assert.ok(!('dagTarballVersion' in rolling), 'the new DAGs are not running yet');
    s.clock.advance(PROVISION_SECONDS);
    const done = await getDeployment();
    assert.equal(done.status, 'HEALTHY');
    assert.equal(done.dagTarballVersion, version);
    assert.equal(done.desiredDagTarballVersion, version);

    // The DAG processor logged the deploy and every file it brought; a search finds them.
    const logs = await s.api.get(`/v1/organizations/${s.orgId}/deployments/${dep.id}/logs`, { sources: ['dag-processor'], searchText: 'file' });
    assert.equal(logs.status, 200, logs.text);
    const logged = logs.body.results.map((r: Json) => r.raw as string);
    for (const file of files) assert.ok(logged.some((l: string) => l.includes(d.id) && l.endsWith(`file ${file}`)), `${file} is in the logs: ${logged.join(' | ')}`);
    const received = await s.api.get(`/v1/organizations/${s.orgId}/deployments/${dep.id}/logs`, { sources: ['dag-processor'], searchText: version });
    assert.equal(received.body.results.length, 1, received.text);

    // The deploy keeps its record; a second finalize is refused.
    const got = await s.api.get(`${deploys}/${d.id}`);
    assert.equal(got.status, 200);
    assert.deepEqual(got.body, f.body);
    assertError(await finalize(d, { dagTarballVersion: version }), 400);
    // Uploads to a finalized deploy are refused.
    assertAzureError(await putBlob(d.dagsUploadUrl, gz.subarray(0, 10)), 409, 'BlobImmutable');
  });

  it('takes a whole tarball in one Put Blob and keeps each upload as its own version', async () => {
    const d = await createDeploy({ type: 'DAG_ONLY' });
    const tgz = tarGz([{ name: 'dags/' }, { name: 'dags/one.py', content: 'print(1)\n' }]);
    const r1 = await putBlob(d.dagsUploadUrl, tgz);
    const v1 = assertVersion(r1);
    assert.equal(r1.headers.get('content-md5'), (await import('node:crypto')).createHash('md5').update(tgz).digest('base64'));
    const v2 = assertVersion(await putBlob(d.dagsUploadUrl, tarGz([{ name: 'dags/two.py', content: 'print(2)\n' }])));
    assert.notEqual(v1, v2);
    // The earlier version may still be finalized.
    const f = await finalize(d, { dagTarballVersion: v1 });
    assert.equal(f.status, 200, f.text);
    assert.equal(f.body.dagTarballVersion, v1);
    s.clock.advance(PROVISION_SECONDS);
  });

  it('refuses uploads with a bad signature, an expired URL, a wrong blob type, or a body that is not a gzip tar archive', async () => {
    const d = await createDeploy({ type: 'DAG_ONLY' });
    const tgz = tarGz([{ name: 'dags/a.py', content: 'a\n' }]);
    const url = new URL(d.dagsUploadUrl);
    const forged = withQuery(d.dagsUploadUrl, { sig: url.searchParams.get('sig')!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) });
    assertAzureError(await putBlob(forged, tgz), 403, 'AuthenticationFailed');
    // A later expiry under the same signature is a forgery too.
    assertAzureError(await putBlob(withQuery(d.dagsUploadUrl, { se: '2099-01-01T00:00:00.000Z' }), tgz), 403, 'AuthenticationFailed');
    const noSig = new URL(d.dagsUploadUrl);
    noSig.search = '';
    assertAzureError(await putBlob(noSig.toString(), tgz), 403, 'AuthenticationFailed');
    // The signature is bound to the deploy and the kind of upload.
    const other = await createDeploy({ type: 'DAG_ONLY' });
    assertAzureError(await putBlob(d.dagsUploadUrl.replace(d.id, other.id), tgz), 403, 'AuthenticationFailed');
    assertAzureError(await putBlob(d.dagsUploadUrl.replace('dags.tar.gz', 'bundle.tar.gz'), tgz), 403, 'AuthenticationFailed');
    assertAzureError(await putBlob(d.dagsUploadUrl.replace('dags.tar.gz', 'other.zip'), tgz), 404, 'ResourceNotFound');

    assertAzureError(await putBlob(d.dagsUploadUrl, tgz, { 'x-ms-blob-type': 'AppendBlob' }), 400, 'InvalidHeaderValue');
    assertAzureError(await putBlob(d.dagsUploadUrl, Buffer.from('print("not an archive")\n')), 400, 'InvalidBlobContent');
    assertAzureError(await putBlob(d.dagsUploadUrl, gzipSync(Buffer.from('gzip, but no tar inside '.repeat(100)))), 400, 'InvalidBlobContent');
    assertAzureError(await putBlob(d.dagsUploadUrl, tgz.subarray(0, tgz.length - 8)), 400, 'InvalidBlobContent');
    // A block list that names nothing is an empty blob, not an archive.
    assertAzureError(await putBlockList(d.dagsUploadUrl, []), 400, 'InvalidBlobContent');
    assertAzureError(await putBlock(d.dagsUploadUrl, 'not base64!', tgz), 400, 'InvalidQueryParameterValue');
    assertAzureError(await putBlob(withQuery(d.dagsUploadUrl, { comp: 'appendblock' }), tgz), 400, 'InvalidQueryParameterValue');

    // The URL works for two hours; then it is refused.
    s.clock.advance(2 * 3600);
    assertAzureError(await putBlob(d.dagsUploadUrl, tgz), 403, 'AuthenticationFailed');
    s.clock.advance(PROVISION_SECONDS);
  });

  it('commits only staged blocks that have not expired, and caps the size of an upload (413)', async () => {
    const d = await createDeploy({ type: 'DAG_ONLY' });
    const { gz } = dagsTarball(64 * 1024);
    const half = Math.floor(gz.length / 2);
    const a = newBlockId();
    const b = newBlockId();
    assert.equal((await putBlock(d.dagsUploadUrl, a, gz.subarray(0, half))).status, 201);
    // A block never staged cannot be committed.
    assertAzureError(await putBlockList(d.dagsUploadUrl, [a, b]), 400, 'InvalidBlockList');
    // Blocks in the wrong order make no archive.
    assert.equal((await putBlock(d.dagsUploadUrl, b, gz.subarray(half))).status, 201);
    assertAzureError(await putBlockList(d.dagsUploadUrl, [b, a]), 400, 'InvalidBlobContent');
    // An hour later the uncommitted blocks are gone.
    s.clock.advance(3601);
    assertAzureError(await putBlockList(d.dagsUploadUrl, [a, b]), 400, 'InvalidBlockList');
    // Staged again, they commit (a block id staged twice keeps its last content).
    assert.equal((await putBlock(d.dagsUploadUrl, a, Buffer.from('junk'))).status, 201);
    assert.equal((await putBlock(d.dagsUploadUrl, a, gz.subarray(0, half))).status, 201);
    assert.equal((await putBlock(d.dagsUploadUrl, b, gz.subarray(half))).status, 201);
    assertVersion(await putBlockList(d.dagsUploadUrl, [a, b]));

    // Too large: one body over the limit, or staged blocks adding up to more.
    const big = Buffer.alloc(MAX_UPLOAD + 1);
    assertAzureError(await putBlob(d.dagsUploadUrl, big), 413, 'RequestBodyTooLarge');
    const c = newBlockId();
    assert.equal((await putBlock(d.dagsUploadUrl, c, Buffer.alloc(MAX_UPLOAD - 10))).status, 201);
    assertAzureError(await putBlock(d.dagsUploadUrl, newBlockId(), Buffer.alloc(11)), 413, 'RequestBodyTooLarge');
  });

  it('finalize checks the version against this deploy\'s uploads and the deploy type', async () => {
    const d = await createDeploy({ type: 'DAG_ONLY' });
    const v = assertVersion(await putBlob(d.dagsUploadUrl, tarGz([{ name: 'dags/a.py', content: 'a\n' }])));
    assertError(await finalize(d, {}), 400, 'dagTarballVersion', 'required');
    assertError(await finalize(d, { dagTarballVersion: '2026-01-01T00:00:00.0000000Z' }), 400, 'dagTarballVersion');
    // A version of another deploy is not this deploy's.
    const other = await createDeploy({ type: 'DAG_ONLY' });
    const otherVersion = assertVersion(await putBlob(other.dagsUploadUrl, tarGz([{ name: 'dags/b.py', content: 'b\n' }])));
    if (otherVersion !== v) assertError(await finalize(d, { dagTarballVersion: otherVersion }), 400, 'dagTarballVersion');
    assertError(await finalize(d, { dagTarballVersion: v, bundleTarballVersion: v }), 400, 'bundleTarballVersion');
    // FinalizeDeploy declares no 404: an unknown deploy is a 400 naming deployId.
    assertError(await s.api.post(`${deploys}/cnotadeploy00000000000000/finalize`, { dagTarballVersion: v }), 400, 'deployId');
    const ok = await finalize(d, { dagTarballVersion: v });
    assert.equal(ok.status, 200, ok.text);
    s.clock.advance(PROVISION_SECONDS);
  });

  it('image deploys get the next image tag under ASTROLABE_REGISTRY and set the Deployment\'s imageTag on finalize', async () => {
    const current = await getDeployment();
    const d = await createDeploy({ type: 'IMAGE_ONLY' });
    assert.match(d.imageTag, /^deploy-\d+$/);
    assert.equal(d.imageRepository, `${registry.host}/${dep.namespace}/airflow`);
    assert.ok(!('dagsUploadUrl' in d), 'an image-only deploy uploads no DAGs');
    // The CLI sends the Deployment's current DAG version with an image deploy; another one is refused.
    assertError(await finalize(d, { dagTarballVersion: 'something else' }), 400, 'dagTarballVersion');
    push(d);
    const f = await finalize(d, { dagTarballVersion: current.desiredDagTarballVersion });
    assert.equal(f.status, 200, f.text);
    assert.equal(f.body.imageTag, d.imageTag);
    const after = await getDeployment();
    assert.equal(after.imageTag, d.imageTag);
    assert.equal(after.imageRepository, d.imageRepository);
    assert.equal(after.status, 'DEPLOYING');
    assert.equal(after.desiredDagTarballVersion, current.desiredDagTarballVersion, 'an image deploy leaves the DAGs alone');
    s.clock.advance(PROVISION_SECONDS);
    assert.equal((await getDeployment()).status, 'HEALTHY');

    // IMAGE_AND_DAG on a DAG-deploy Deployment brings both.
    const both = await createDeploy({ type: 'IMAGE_AND_DAG' });
    assert.notEqual(both.imageTag, d.imageTag);
    const v = assertVersion(await putBlob(both.dagsUploadUrl, tarGz([{ name: 'dags/both.py', content: 'b\n' }])));
    push(both);
    const fb = await finalize(both, { dagTarballVersion: v });
    assert.equal(fb.status, 200, fb.text);
    s.clock.advance(PROVISION_SECONDS);
    const now = await getDeployment();
    assert.equal(now.imageTag, both.imageTag);
    assert.equal(now.dagTarballVersion, v);
  });

  it('DAG and bundle deploys need DAG deploys enabled; image deploys then carry the DAGs', async () => {
    const plain = await newDeployment({ isDagDeployEnabled: false });
    s.clock.advance(PROVISION_SECONDS);
    const path = `/v1/organizations/${s.orgId}/deployments/${plain.id}/deploys`;
    assertError(await s.api.post(path, { type: 'DAG_ONLY' }), 400, 'type');
    assertError(await s.api.post(path, { type: 'BUNDLE', bundleType: 'dbt', bundleMountPath: '/usr/local/airflow/dbt' }), 400, 'type');
    const d = await createDeploy({ type: 'IMAGE_AND_DAG' }, plain.id);
    assert.equal(d.isDagDeployEnabled, false);
    assert.ok(!('dagsUploadUrl' in d));
    assertError(await finalize(d, { dagTarballVersion: 'x' }), 400, 'dagTarballVersion');
    push(d);
    const f = await finalize(d, {});
    assert.equal(f.status, 200, f.text);
    assert.ok(!('dagTarballVersion' in f.body));
  });

  it('validates create bodies: type, description length, git rules, bundle fields', async () => {
    assertError(await s.api.post(deploys, {}), 400, 'type');
    assertError(await s.api.post(deploys, { type: 'IMAGE' }), 400, 'type');
    assertError(await s.api.post(deploys, { type: 'DAG_ONLY', description: 'x'.repeat(501) }), 400, 'description');
    assertError(await s.api.post(deploys, { type: 'DAG_ONLY', description: 'nul \u0000' }), 400, 'description');
    assertError(await s.api.post(deploys, { type: 'DAG_ONLY', git: { provider: 'GITHUB', commitSha: 'a', repo: 'r' } }), 400, 'git.account');
    assertError(await s.api.post(deploys, { type: 'DAG_ONLY', git: { provider: 'GITHUB', commitSha: 'a', account: 'a', repo: 'r', remoteUrl: 'x' } }), 400, 'git.remoteUrl');
    assertError(await s.api.post(deploys, { type: 'DAG_ONLY', git: { provider: 'GENERIC', commitSha: 'a' } }), 400, 'git.remoteUrl');
    assertError(await s.api.post(deploys, { type: 'DAG_ONLY', git: { provider: 'GENERIC', commitSha: 'a', remoteUrl: 'git@x:y.git', repo: 'r' } }), 400, 'git.repo');
    assertError(await s.api.post(deploys, { type: 'DAG_ONLY', git: { provider: 'GENERIC', commitSha: ' ', remoteUrl: 'git@x:y.git' } }), 400, 'git.commitSha');
    assertError(await s.api.post(deploys, { type: 'BUNDLE', bundleType: 'dbt' }), 400, 'bundleMountPath');
    assertError(await s.api.post(deploys, { type: 'BUNDLE', bundleMountPath: '/x' }), 400, 'bundleType');
    assertError(await s.api.post(deploys, { type: 'DAG_ONLY', bundleType: 'dbt' }), 400, 'bundleType');
    assertError(await s.api.post(deploys, { type: 'BUNDLE', bundleType: 'dbt', bundleMountPath: `/${'p'.repeat(5000)}` }), 400, 'bundleMountPath', 'max');
    const generic = await createDeploy({ type: 'DAG_ONLY', git: { provider: 'GENERIC', commitSha: 'abc', remoteUrl: 'git@gitlab.com:team/project.git' } });
    assert.deepEqual(generic.git, { provider: 'GENERIC', commitSha: 'abc', remoteUrl: 'git@gitlab.com:team/project.git' });
    assertError(await s.api.post(`/v1/organizations/${s.orgId}/deployments/cnotadeployment0000000000/deploys`, { type: 'DAG_ONLY' }), 404);
  });

  it('bundle deploys upload a bundle, mount it on finalize, and "" removes it', async () => {
    const b = await createDeploy({ type: 'BUNDLE', bundleType: 'dbt', bundleMountPath: '/usr/local/airflow/dbt/project' });
    assert.equal(b.type, 'DAG_ONLY', 'the Deploy enum has no BUNDLE');
    assert.equal(b.bundleMountPath, '/usr/local/airflow/dbt/project');
    assert.ok(!('dagsUploadUrl' in b));
    assert.equal(new URL(b.bundleUploadUrl).pathname, `/blob/${b.id}/bundle.tar.gz`);
    // The DAG URL of a bundle deploy does not exist.
    assertAzureError(await putBlob(b.bundleUploadUrl.replace('bundle.tar.gz', 'dags.tar.gz'), tarGz([])), 403, 'AuthenticationFailed');
    const v = assertVersion(await putBlob(b.bundleUploadUrl, tarGz([{ name: 'dbt_project.yml', content: 'name: p\n' }])));
    assertError(await finalize(b, {}), 400, 'bundleTarballVersion', 'required');
    assertError(await finalize(b, { bundleTarballVersion: 'nope' }), 400, 'bundleTarballVersion');
    const f = await finalize(b, { bundleTarballVersion: v });
    assert.equal(f.status, 200, f.text);
    assert.deepEqual(f.body.bundles, [{ bundleType: 'dbt', currentVersion: v, deployId: b.id, desiredVersion: v, mountPath: '/usr/local/airflow/dbt/project' }]);
    s.clock.advance(PROVISION_SECONDS);

    const remove = await createDeploy({ type: 'BUNDLE', bundleType: 'dbt', bundleMountPath: '/usr/local/airflow/dbt/project' });
    const r = await finalize(remove, { bundleTarballVersion: '' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body.bundles, []);
    s.clock.advance(PROVISION_SECONDS);
  });

  it('rolls back to an earlier deploy: its DAGs and image come back, recorded with rollbackFromId', async () => {
    const first = await dagDeploy('first = 1\n');
    s.clock.advance(PROVISION_SECONDS);
    const second = await dagDeploy('second = 2\n');
    s.clock.advance(PROVISION_SECONDS);
    assert.equal((await getDeployment()).dagTarballVersion, second.version);

    const rb = await s.api.post(`${deploys}/${first.deploy.id}/rollback`, { description: 'back to first' });
    assert.equal(rb.status, 200, rb.text);
    assert.match(rb.body.id, CUID);
    assert.notEqual(rb.body.id, first.deploy.id);
    assert.equal(rb.body.status, 'DEPLOYED');
    assert.equal(rb.body.rollbackFromId, second.deploy.id);
    assert.equal(rb.body.dagTarballVersion, first.version);
    assert.equal(rb.body.description, 'back to first');
    const rolling = await getDeployment();
    assert.equal(rolling.status, 'DEPLOYING');
    assert.equal(rolling.desiredDagTarballVersion, first.version);
    assert.equal(rolling.dagTarballVersion, second.version);
    s.clock.advance(PROVISION_SECONDS);
    assert.equal((await getDeployment()).dagTarballVersion, first.version);

    // The rollback is now the current deploy; rolling back to it is refused, to the second is allowed.
    assertError(await s.api.post(`${deploys}/${rb.body.id}/rollback`, {}), 400);
    const again = await s.api.post(`${deploys}/${second.deploy.id}/rollback`, {});
    assert.equal(again.status, 200, again.text);
    assert.equal(again.body.rollbackFromId, rb.body.id);
    s.clock.advance(PROVISION_SECONDS);
    // Only finalized deploys can be rolled back to.
    const open = await createDeploy({ type: 'DAG_ONLY' });
    assertError(await s.api.post(`${deploys}/${open.id}/rollback`, {}), 400);
    assertError(await s.api.post(`${deploys}/cnotadeploy00000000000000/rollback`, {}), 404);
    assertError(await s.api.post(`${deploys}/${first.deploy.id}/rollback`, { description: 'x'.repeat(501) }), 400, 'description');
  });

  it('lists deploys newest first with paging, reads and updates one', async () => {
    const fresh = await newDeployment();
    s.clock.advance(PROVISION_SECONDS);
    const path = `/v1/organizations/${s.orgId}/deployments/${fresh.id}/deploys`;
    const empty = await s.api.get(path);
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, { deploys: [], limit: 20, offset: 0, totalCount: 0 });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createDeploy({ type: 'IMAGE_ONLY', description: `d${i}` }, fresh.id)).id);
    const all = await s.api.get(path);
    assert.equal(all.body.totalCount, 3);
    assert.deepEqual(all.body.deploys.map((d: Json) => d.id), [...ids].reverse());
    assert.deepEqual(all.body.deploys.map((d: Json) => d.imageTag), ['deploy-3', 'deploy-2', 'deploy-1']);
    const page = await s.api.get(path, { limit: 1, offset: 1 });
    assert.deepEqual(page.body.deploys.map((d: Json) => d.id), [ids[1]]);
    assert.equal(page.body.totalCount, 3);
    const past = await s.api.get(path, { limit: 1000, offset: 1000 });
    assert.equal(past.status, 200);
    assert.deepEqual(past.body.deploys, []);
    assertError(await s.api.get(path, { limit: 1001 }), 400, 'limit');

    const up = await s.api.post(`${path}/${ids[0]}`, { description: 'renamed' });
    assert.equal(up.status, 200, up.text);
    assert.equal(up.body.description, 'renamed');
    assert.equal((await s.api.get(`${path}/${ids[0]}`)).body.description, 'renamed');
    assertError(await s.api.post(`${path}/${ids[0]}`, { description: 'x'.repeat(501) }), 400, 'description');
    assertError(await s.api.get(`${path}/cnotadeploy00000000000000`), 404);
    assertError(await s.api.post(`${path}/cnotadeploy00000000000000`, {}), 404);
    // A deploy is found only under its own Deployment.
    assertError(await s.api.get(`${deploys}/${ids[0]}`), 404);
    assertError(await s.api.get(`/v1/organizations/${s.orgId}/deployments/cnotadeployment0000000000/deploys`), 404);
  });

  it('takes concurrent creates, finalizes and uploads without a 500: each deploy its own tag, each finalize once', async () => {
    const made = await Promise.all(Array.from({ length: 8 }, () => s.api.post(deploys, { type: 'IMAGE_ONLY' })));
    for (const r of made) assert.equal(r.status, 200, r.text);
    const tags = made.map((r) => r.body.imageTag);
    assert.equal(new Set(tags).size, tags.length, `image tags repeat: ${tags.join(', ')}`);

    const d = made[0]!.body;
    push(d);
    const finals = await Promise.all(Array.from({ length: 6 }, () => finalize(d, {})));
    assert.deepEqual(finals.map((r) => r.status).sort(), [200, 400, 400, 400, 400, 400]);

    const dag = await createDeploy({ type: 'DAG_ONLY' });
    const tgz = tarGz([{ name: 'dags/c.py', content: 'c\n' }]);
    const puts = await Promise.all(Array.from({ length: 6 }, () => putBlob(dag.dagsUploadUrl, tgz)));
    const versions = puts.map(assertVersion);
    assert.equal(new Set(versions).size, versions.length, 'every upload gets its own version id');
    s.clock.advance(PROVISION_SECONDS);
  });

  it('deleting a Deployment removes its deploys and closes their uploads', async () => {
    const doomed = await newDeployment();
    s.clock.advance(PROVISION_SECONDS);
    const d = await createDeploy({ type: 'DAG_ONLY' }, doomed.id);
    assert.equal((await putBlock(d.dagsUploadUrl, newBlockId(), Buffer.from('part'))).status, 201);
    assert.equal((await s.api.delete(`/v1/organizations/${s.orgId}/deployments/${doomed.id}`)).status, 204);
    assertError(await s.api.get(`/v1/organizations/${s.orgId}/deployments/${doomed.id}/deploys/${d.id}`), 404);
    assertAzureError(await putBlob(d.dagsUploadUrl, tarGz([])), 404, 'BlobNotFound');
    const left = await s.app.db.selectFrom('upload_blocks').select('block_id').where('deploy_id', '=', d.id).execute();
    assert.deepEqual(left, []);
  });

  it('blocks deploys while a development Deployment hibernates', async () => {
    const devDep = await newDeployment({ isDevelopmentMode: true });
    s.clock.advance(PROVISION_SECONDS);
    const o = await s.api.post(`/v1/organizations/${s.orgId}/deployments/${devDep.id}/hibernation-override`, { isHibernating: true });
    assert.equal(o.status, 200, o.text);
    assertError(await s.api.post(`/v1/organizations/${s.orgId}/deployments/${devDep.id}/deploys`, { type: 'IMAGE_ONLY' }), 400);
  });

  it('answers callers by role: readers list, authors deploy, other Deployments and Organizations are refused', async () => {
    const d = await createDeploy({ type: 'DAG_ONLY' });
    const member = await s.withRoles('WORKSPACE', ws.id, [{ entityType: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_MEMBER' }]);
    assert.equal((await member.get(deploys)).status, 200);
    assert.equal((await member.get(`${deploys}/${d.id}`)).status, 200);
    assertError(await member.post(deploys, { type: 'DAG_ONLY' }), 403);
    assertError(await member.post(`${deploys}/${d.id}/finalize`, {}), 403);
    assertError(await member.post(`${deploys}/${d.id}/rollback`, {}), 403);
    assertError(await member.post(`${deploys}/${d.id}`, { description: 'x' }), 403);

    const author = await s.withRoles('WORKSPACE', ws.id, [{ entityType: 'WORKSPACE', entityId: ws.id, role: 'WORKSPACE_AUTHOR' }]);
    const made = await author.post(deploys, { type: 'IMAGE_ONLY' });
    assert.equal(made.status, 200, made.text);
    assert.equal(made.body.createdBySubject.subjectType, 'SERVICEKEY');
    push(made.body);
    assert.equal((await author.post(`${deploys}/${made.body.id}/finalize`, {})).status, 200);
    s.clock.advance(PROVISION_SECONDS);

    const elsewhere = await newDeployment();
    s.clock.advance(PROVISION_SECONDS);
    const admin = await s.withRoles('DEPLOYMENT', elsewhere.id, [{ entityType: 'DEPLOYMENT', entityId: elsewhere.id, role: 'DEPLOYMENT_ADMIN' }]);
    assertError(await admin.get(deploys), 403);
    assertError(await admin.post(deploys, { type: 'IMAGE_ONLY' }), 403);
    assert.equal((await admin.post(`/v1/organizations/${s.orgId}/deployments/${elsewhere.id}/deploys`, { type: 'IMAGE_ONLY' })).status, 200);

    const other = await createOrganizationWithOwner(s.app, { name: 'Other org' });
    const stranger = s.as(other.token);
    assertError(await stranger.get(deploys), 403);
    assertError(await stranger.post(deploys, { type: 'IMAGE_ONLY' }), 403);
    assertError(await s.as(undefined).get(deploys), 401);
  });
});

describe('deploy upload URLs with ASTROLABE_PUBLIC_URL, and the settings deploys read', () => {
  let s: TestServer;
  before(async () => { s = await startServer({ ASTROLABE_PUBLIC_URL: 'https://astro.example.com/' }); });
  after(async () => { await s.close(); });

  it('builds upload URLs on the public URL, and image repositories without a registry under astrolabe.localhost', async () => {
    const w = await s.api.post(`/v1/organizations/${s.orgId}/workspaces`, { name: 'public ws', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' });
    const d = await s.api.post(`/v1/organizations/${s.orgId}/deployments`, { name: 'public dep', workspaceId: w.body.id });
    const deploy = await s.api.post(`/v1/organizations/${s.orgId}/deployments/${d.body.id}/deploys`, { type: 'DAG_ONLY' });
    assert.equal(deploy.status, 200, deploy.text);
    assert.ok(deploy.body.dagsUploadUrl.startsWith(`https://astro.example.com/blob/${deploy.body.id}/dags.tar.gz?`), deploy.body.dagsUploadUrl);
    assert.equal(deploy.body.imageRepository, `images.astrolabe.localhost/${s.orgId}/${d.body.namespace}`);
    assert.equal(deploy.body.imageRepository, d.body.imageRepository);
  });

  it('refuses malformed settings at start-up', async () => {
    const { loadConfig, ConfigError } = await import('../../src/config.js');
    assert.throws(() => loadConfig({ ASTROLABE_REGISTRY: 'https://registry.example.com' }), ConfigError);
    assert.throws(() => loadConfig({ ASTROLABE_PUBLIC_URL: 'ftp://x' }), ConfigError);
    assert.throws(() => loadConfig({ ASTROLABE_PUBLIC_URL: 'not a url' }), ConfigError);
    assert.throws(() => loadConfig({ ASTROLABE_UPLOAD_MAX_BYTES: '12' }), ConfigError);
    const c = loadConfig({ ASTROLABE_REGISTRY: '127.0.0.1:5000/', ASTROLABE_PUBLIC_URL: 'http://h:1/' });
    assert.equal(c.registry, '127.0.0.1:5000');
    assert.equal(c.publicUrl, 'http://h:1');
    assert.equal(c.uploadMaxBytes, 100 * 1024 * 1024);
  });
});
