import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import { after, before, describe, it } from 'node:test';

const ROOT = path.resolve(import.meta.dirname, '..');
const TOKEN = 'tls-test-owner-token-0123456789';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/** GET over HTTPS to 127.0.0.1 presenting `servername`, trusting only `ca` when given. */
function get(port: number, urlPath: string, opts: { ca?: Buffer; servername: string }): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port, path: urlPath, method: 'GET', servername: opts.servername, ca: opts.ca,
      headers: { authorization: `Bearer ${TOKEN}`, host: opts.servername },
    }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('HTTPS with `astrolabe tls init`', () => {
  let dir: string;
  let port: number;
  let child: ReturnType<typeof spawn> | undefined;
  let printed: string;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'astrolabe-tls-'));
    const init = spawnSync(process.execPath, ['bin/astrolabe.js', 'tls', 'init', '--out', path.join(dir, 'tls')], {
      cwd: ROOT, env: { ...process.env, ASTROLABE_DATA_DIR: dir }, encoding: 'utf8',
    });
    assert.equal(init.status, 0, init.stderr);
    printed = init.stdout;
    port = await freePort();
    child = spawn(process.execPath, ['bin/astrolabe.js', 'serve'], {
      cwd: ROOT,
      env: {
        ...process.env, LOG_LEVEL: 'info', ASTROLABE_DATA_DIR: dir, PORT: String(port), ASTROLABE_BOOTSTRAP_TOKEN: TOKEN,
        ASTROLABE_TLS_CERT: path.join(dir, 'tls', 'server.pem'), ASTROLABE_TLS_KEY: path.join(dir, 'tls', 'server-key.pem'),
      },
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('Server listening')) resolve();
      });
      child!.stderr!.on('data', (d: Buffer) => { out += d.toString(); });
      child!.on('exit', (code) => reject(new Error(`server exited with ${code}: ${out}`)));
    });
    assert.match(out, /https:\/\//);
  });

  after(async () => {
    if (child && child.exitCode === null) {
      child.removeAllListeners('exit');
      await new Promise<void>((resolve) => { child!.on('exit', () => resolve()); child!.kill('SIGTERM'); });
    }
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('writes a CA and a server certificate for the provider\'s host, keys private, and says what to trust and map', () => {
    const ca = new X509Certificate(fs.readFileSync(path.join(dir, 'tls', 'ca.pem')));
    const server = new X509Certificate(fs.readFileSync(path.join(dir, 'tls', 'server.pem')));
    assert.equal(ca.ca, true);
    assert.equal(server.ca, false);
    assert.ok(server.verify(ca.publicKey), 'the CA signed the server certificate');
    assert.equal(server.checkHost('api.astronomer.io'), 'api.astronomer.io');
    assert.equal(server.checkIP('127.0.0.1'), '127.0.0.1');
    for (const key of ['ca-key.pem', 'server-key.pem']) assert.equal(fs.statSync(path.join(dir, 'tls', key)).mode & 0o077, 0, `${key} is private`);
    assert.match(printed, /127\.0\.0\.1 api\.astronomer\.io/);
    assert.match(printed, /ASTROLABE_TLS_CERT=/);
    assert.match(printed, /undo/i);
  });

  it('serves the API over HTTPS to a client trusting the CA, under the provider\'s host name', async () => {
    const ca = fs.readFileSync(path.join(dir, 'tls', 'ca.pem'));
    const res = await get(port, '/platform/v1beta1/organizations', { ca, servername: 'api.astronomer.io' });
    assert.equal(res.status, 200, res.body);
    assert.equal(JSON.parse(res.body).organizations.length, 1);
  });

  it('is refused by a client that does not trust the CA', async () => {
    await assert.rejects(get(port, '/v1/organizations', { servername: 'api.astronomer.io' }), /self[- ]signed|unable to (get|verify)/i);
  });

  it('refuses to start with only one of the two TLS variables', () => {
    const res = spawnSync(process.execPath, ['bin/astrolabe.js', 'serve'], {
      cwd: ROOT, env: { ...process.env, ASTROLABE_DATA_DIR: dir, ASTROLABE_TLS_CERT: path.join(dir, 'tls', 'server.pem'), ASTROLABE_TLS_KEY: '' }, encoding: 'utf8',
    });
    assert.equal(res.status, 2);
    assert.match(res.stderr, /ASTROLABE_TLS_CERT and ASTROLABE_TLS_KEY/);
  });
});
