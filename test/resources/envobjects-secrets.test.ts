import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { startServer } from '../helpers/server.js';
import { ConfigError, loadConfig } from '../../src/config.js';
import { makeSecretBox, parseSecretKey } from '../../src/store/crypto.js';
import { secretBox } from '../../src/store/crypto.js';
import { openStore } from '../../src/store/open.js';

/**
 * Secrets at rest (src/store/crypto.ts): where the key comes from, what a wrong key does, the
 * sealed format, and the migration that sealed the Deployment secrets stored before it.
 */
describe('secrets at rest', () => {
  const postgres = process.env.ASTROLABE_TEST_DATABASE_URL !== undefined;

  it('reads ASTROLABE_SECRET_KEY as base64 or hex, and refuses anything else', () => {
    const key = randomBytes(32);
    assert.deepEqual(loadConfig({ ASTROLABE_SECRET_KEY: key.toString('base64') }).secretKey, key);
    assert.deepEqual(loadConfig({ ASTROLABE_SECRET_KEY: key.toString('hex') }).secretKey, key);
    assert.deepEqual(loadConfig({ ASTROLABE_SECRET_KEY: key.toString('base64url') }).secretKey, key);
    assert.equal(loadConfig({}).secretKey, undefined);
    for (const bad of ['short', randomBytes(16).toString('base64'), randomBytes(33).toString('hex'), 'x'.repeat(44)]) {
      assert.throws(() => loadConfig({ ASTROLABE_SECRET_KEY: bad }), (e: Error) => e instanceof ConfigError && /ASTROLABE_SECRET_KEY must be 32 bytes/.test(e.message));
    }
  });

  it('seals with AES-256-GCM: fresh nonce each time, header authenticated, another key refused as such', () => {
    const key = randomBytes(32);
    const box = makeSecretBox(key);
    const a = box.seal('hunter2');
    const b = box.seal('hunter2');
    assert.notEqual(a, b);
    assert.match(a, new RegExp(`^v1\\.${box.keyId}\\.[A-Za-z0-9_-]+$`));
    assert.equal(box.open(a), 'hunter2');
    assert.equal(box.open(box.seal('')), '');
    const [v, id, body] = a.split('.');
    const flipped = Buffer.from(body!, 'base64url');
    flipped[20] = flipped[20]! ^ 1;
    assert.throws(() => box.open(`${v}.${id}.${flipped.toString('base64url')}`));
    assert.throws(() => box.open(`v2.${id}.${body}`), /known format/);
    const other = makeSecretBox(randomBytes(32));
    assert.throws(() => other.open(a), /sealed with key/);
    // A box that holds the old key as well opens old values and seals new ones with the new key.
    const rotated = makeSecretBox(randomBytes(32), [key]);
    assert.equal(rotated.open(a), 'hunter2');
    assert.notEqual(rotated.keyId, box.keyId);
    assert.throws(() => parseSecretKey('nope'));
  });

  it('generates a key once when none is configured, and refuses to start with another one', async () => {
    const s = await startServer();
    try {
      if (postgres) {
        const stored = await s.app.db.selectFrom('server_secrets').select('value').where('name', '=', 'secret_encryption_key').executeTakeFirst();
        assert.ok(stored, 'on PostgreSQL the generated key is shared through the store');
        assert.ok(!fs.existsSync(path.join(s.config.dataDir, 'secret-key')));
      } else {
        const file = path.join(s.config.dataDir, 'secret-key');
        assert.equal(fs.statSync(file).mode & 0o777, 0o600);
        assert.equal(makeSecretBox(parseSecretKey(fs.readFileSync(file, 'utf8'))).keyId, secretBox(s.app.db).keyId);
      }
      // The same store with the same (generated) key opens; with another key it refuses to.
      const again = await openStore({ dataDir: s.config.dataDir, databaseUrl: s.config.databaseUrl });
      assert.equal(secretBox(again.db).keyId, secretBox(s.app.db).keyId);
      await again.close();
      await assert.rejects(openStore({ dataDir: s.config.dataDir, databaseUrl: s.config.databaseUrl, secretKey: randomBytes(32) }), /not the one this store's secrets were encrypted with/);
    } finally {
      await s.close();
    }
  });

  it('uses ASTROLABE_SECRET_KEY when set, and stores no key', async () => {
    const key = randomBytes(32);
    const s = await startServer({ ASTROLABE_SECRET_KEY: key.toString('base64') });
    try {
      assert.equal(secretBox(s.app.db).keyId, makeSecretBox(key).keyId);
      assert.ok(!fs.existsSync(path.join(s.config.dataDir, 'secret-key')));
      const stored = await s.app.db.selectFrom('server_secrets').select('name').where('name', '=', 'secret_encryption_key').executeTakeFirst();
      assert.equal(stored, undefined);
      // Without the variable the server would generate a key of its own: it refuses to start instead.
      await assert.rejects(openStore({ dataDir: s.config.dataDir, databaseUrl: s.config.databaseUrl }), /ASTROLABE_SECRET_KEY/);
    } finally {
      await s.close();
    }
  });

  it('migration 010 seals the Deployment secrets stored in the clear before it; the API is unchanged', async () => {
    const s = await startServer();
    try {
      const org = `/v1/organizations/${s.orgId}`;
      const w = (await s.api.post(`${org}/workspaces`, { name: 'm', defaultCloudProvider: 'AWS', defaultRegion: 'us-east-1' })).body;
      const created = await s.api.post(`${org}/deployments`, { name: 'm', workspaceId: w.id, environmentVariables: [{ key: 'OLD', value: 'old-plain-secret', isSecret: true }] });
      assert.equal(created.status, 200, created.text);
      const d = created.body;
      // Put the store back as it was before migration 010: the secret in the clear, 010 not run.
      const db = s.app.db;
      await db.updateTable('deployment_env_vars').set({ secret_value: 'old-plain-secret' }).where('deployment_id', '=', d.id).execute();
      for (const t of ['environment_object_links', 'environment_object_exclusions', 'environment_objects']) await sql`drop table ${sql.table(t)}`.execute(db);
      await sql`delete from kysely_migration where name = '010_environment_objects'`.execute(db);

      const reopened = await openStore({ dataDir: s.config.dataDir, databaseUrl: s.config.databaseUrl });
      await reopened.close();
      const row = await db.selectFrom('deployment_env_vars').selectAll().where('deployment_id', '=', d.id).executeTakeFirstOrThrow();
      assert.notEqual(row.secret_value, 'old-plain-secret');
      assert.equal(secretBox(db).open(row.secret_value!), 'old-plain-secret');
      const got = await s.api.get(`${org}/deployments/${d.id}`);
      assert.deepEqual(got.body.environmentVariables.map((v: Record<string, unknown>) => [v.key, v.isSecret, 'value' in v]), [['OLD', true, false]]);
    } finally {
      await s.close();
    }
  });
});
