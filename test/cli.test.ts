import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiClient, assertError } from './helpers/client.js';
import { freshPostgres, startServer, type TestServer } from './helpers/server.js';

const ROOT = path.resolve(import.meta.dirname, '..');

function runCli(args: string[], env: Record<string, string | undefined>) {
  return spawnSync(process.execPath, ['bin/astrolabe.js', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** Starts `astrolabe serve` and resolves once it logs that it listens (no polling, no sleeps). */
function serve(env: Record<string, string | undefined>) {
  const child = spawn(process.execPath, ['bin/astrolabe.js', 'serve'], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'info', ...env } });
  let out = '';
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('Server listening')) resolve(out);
    });
    child.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
  const stop = () => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
  return { ready, stop };
}

describe('astrolabe command', () => {
  let s: TestServer;
  let storeEnv: Record<string, string | undefined>;
  before(async () => {
    s = await startServer();
    storeEnv = { ASTROLABE_DATA_DIR: s.config.dataDir, ASTROLABE_DATABASE_URL: s.config.databaseUrl };
  });
  after(async () => { await s.close(); });

  it('org create makes an organization with an owner token while the server runs', async () => {
    const r = runCli(['org', 'create', '--name', 'Second Org'], storeEnv);
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.match(out.organizationId, /^c[0-9a-z]{24}$/);
    assert.equal(typeof out.token, 'string');
    const api = await ApiClient.create(s.url, out.token);
    const orgs = await api.get('/v1/organizations');
    assert.equal(orgs.status, 200);
    assert.equal(orgs.body.totalCount, 1);
    assert.equal(orgs.body.organizations[0].id, out.organizationId);
    assert.equal(orgs.body.organizations[0].name, 'Second Org');
    // The bootstrap token still sees only its own organization.
    assertError(await s.api.get(`/v1/organizations/${out.organizationId}`), 403);
  });

  it('rejects bad usage with a non-zero exit and a message', () => {
    const noName = runCli(['org', 'create'], storeEnv);
    assert.equal(noName.status, 2);
    assert.match(noName.stderr, /--name/);
    const unknown = runCli(['frobnicate'], storeEnv);
    assert.equal(unknown.status, 2);
    assert.match(unknown.stderr, /Unknown command/);
    const badPort = runCli(['org', 'create', '--name', 'x'], { ...storeEnv, PORT: 'eighty' });
    assert.equal(badPort.status, 2);
    assert.match(badPort.stderr, /PORT/);
  });

  it('serve bootstraps an empty store once, writes the token file 0600, and honours ASTROLABE_BOOTSTRAP_TOKEN', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'astrolabe-serve-'));
    const adminUrl = process.env.ASTROLABE_TEST_DATABASE_URL;
    const pgdb = adminUrl ? await freshPostgres(adminUrl) : undefined;
    try {
      const port = await freePort();
      const env = { ASTROLABE_DATA_DIR: dir, PORT: String(port), ASTROLABE_DATABASE_URL: pgdb?.url, ASTROLABE_ORG_NAME: 'Booted' };
      const first = serve(env);
      const out = await first.ready;
      const file = path.join(dir, 'bootstrap-token');
      const token = fs.readFileSync(file, 'utf8').trim();
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
      assert.ok(out.includes(token), 'the token is printed once on the first start');
      const api = await ApiClient.create(`http://127.0.0.1:${port}`, token);
      const orgs = await api.get('/v1/organizations');
      assert.equal(orgs.body.organizations[0].name, 'Booted');
      await first.stop();

      // A second start with a fixed secret: that exact string becomes the owner token.
      const second = serve({ ...env, ASTROLABE_BOOTSTRAP_TOKEN: 'ci-secret-token' });
      const out2 = await second.ready;
      assert.ok(!out2.includes('Owner API token'), 'no second organization is created');
      const fixed = await ApiClient.create(`http://127.0.0.1:${port}`, 'ci-secret-token');
      const again = await fixed.get('/v1/organizations');
      assert.equal(again.status, 200);
      assert.equal(again.body.totalCount, 1);
      assert.equal(again.body.organizations[0].id, orgs.body.organizations[0].id);
      assertError(await fixed.withToken(token).get('/v1/organizations'), 401);
      await second.stop();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      await pgdb?.drop();
    }
  });
});
