import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { sql } from 'kysely';
import { assertError } from './helpers/client.js';
import { startServer, type TestServer } from './helpers/server.js';
import { answerStoreError } from '../src/http/store-errors.js';
import { classifyStoreError, type StoreErrorKind } from '../src/store/errors.js';

const onPostgres = Boolean(process.env.ASTROLABE_TEST_DATABASE_URL);

/** The API's answer to a driver error, checking first that it is classified as `kind`. */
function answerTo(err: unknown, kind: StoreErrorKind, body?: unknown) {
  const found = classifyStoreError(err);
  assert.equal(found?.kind, kind, `${String(err)} is not classified as ${kind}`);
  return answerStoreError(found!, body);
}

/** The error `run` throws; fails when it does not throw. */
async function thrown(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (err) {
    return err;
  }
  assert.fail('expected an error');
}

/**
 * Driver errors become API errors. The classifier is fed errors the real drivers raise against
 * the store under test (not hand-made lookalikes, whose shape could drift from the drivers'),
 * and the 503 path is exercised end to end through HTTP.
 */
describe('store errors are API errors', () => {
  let s: TestServer;
  let org: string;
  let clusterId: string;
  before(async () => {
    s = await startServer();
    org = `/v1/organizations/${s.orgId}`;
    const c = await s.api.post(`${org}/clusters`, { cloudProvider: 'AWS', type: 'DEDICATED', name: 'c', region: 'us-east-1', vpcSubnetRange: '172.20.0.0/20' });
    assert.equal(c.status, 200);
    clusterId = c.body.id;
  });
  after(async () => { await s.close(); });

  it('maps a unique violation to 409', async () => {
    await s.app.db.insertInto('server_secrets').values({ name: 'dup', value: 'a' }).execute();
    const err = await thrown(() => s.app.db.insertInto('server_secrets').values({ name: 'dup', value: 'b' }).execute());
    assert.equal(answerTo(err, 'duplicate').error.statusCode, 409);
  });

  it('maps a reference to a vanished row to 400 on the field naming it, or 404', async () => {
    const missing = `c${'9'.repeat(24)}`;
    const err = await thrown(() => s.app.db.insertInto('cluster_workspaces').values({ cluster_id: clusterId, workspace_id: missing }).execute());
    const named = answerTo(err, 'missing-reference', { name: 'x', workspaceIds: [`c${'8'.repeat(24)}`, missing] });
    const unnamed = answerTo(err, 'missing-reference', { name: 'x' });
    assert.equal(unnamed.error.statusCode, 404);
    if (onPostgres) {
      // PostgreSQL says which key is missing, so the answer names the field, as the checks do.
      assert.equal(classifyStoreError(err)?.missingKey, missing);
      assert.equal(named.error.statusCode, 400);
      assert.deepEqual(named.error.fieldErrors?.map((f) => [f.field, f.code]), [['workspaceIds', 'exists']]);
    } else {
      assert.equal(named.error.statusCode, 404);
    }
  });

  it('maps contention to 503 with a short Retry-After', async () => {
    if (onPostgres) {
      // Two transactions locking two rows in opposite orders: PostgreSQL aborts one of them.
      const url = s.config.databaseUrl!;
      const [a, b] = [new pg.Client({ connectionString: url }), new pg.Client({ connectionString: url })];
      await a.connect();
      await b.connect();
      try {
        await a.query("insert into server_secrets (name, value) values ('l1', ''), ('l2', '')");
        await a.query('begin');
        await b.query('begin');
        await a.query("update server_secrets set value = 'a' where name = 'l1'");
        await b.query("update server_secrets set value = 'b' where name = 'l2'");
        const results = await Promise.allSettled([
          a.query("update server_secrets set value = 'a' where name = 'l2'"),
          b.query("update server_secrets set value = 'b' where name = 'l1'"),
        ]);
        const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        assert.equal(failed.length, 1);
        assert.equal((failed[0]!.reason as pg.DatabaseError).code, '40P01');
        const answer = answerTo(failed[0]!.reason, 'busy');
        assert.equal(answer.error.statusCode, 503);
        assert.equal(answer.retryAfterSeconds, 1);
      } finally {
        await a.query('rollback').catch(() => {});
        await b.query('rollback').catch(() => {});
        await a.end();
        await b.end();
      }
    } else {
      const file = path.join(s.config.dataDir, 'astrolabe.db');
      const [holder, waiter] = [new SQLite(file), new SQLite(file, { timeout: 0 })];
      try {
        holder.exec('begin immediate');
        const err = await thrown(async () => waiter.exec("insert into server_secrets (name, value) values ('l', '')"));
        assert.match(String((err as { code?: string }).code), /^SQLITE_BUSY/);
        const answer = answerTo(err, 'busy');
        assert.equal(answer.error.statusCode, 503);
        assert.equal(answer.retryAfterSeconds, 1);
      } finally {
        holder.exec('rollback');
        holder.close();
        waiter.close();
      }
    }
  });

  it('maps an unreachable store to 503 with a longer Retry-After', async () => {
    // Port 1 on loopback: nothing listens there.
    const client = new pg.Client({ connectionString: 'postgres://nobody@127.0.0.1:1/none' });
    const refused = await thrown(() => client.connect());
    const answer = answerTo(refused, 'unavailable');
    assert.equal(answer.error.statusCode, 503);
    assert.equal(answer.retryAfterSeconds, 5);
  });

  it('leaves other errors to the 500 path', async () => {
    assert.equal(classifyStoreError(new TypeError('x is undefined')), undefined);
    assert.equal(classifyStoreError(undefined), undefined);
    const syntax = await thrown(() => sql`select from from`.execute(s.app.db));
    assert.equal(classifyStoreError(syntax), undefined);
    const missingTable = await thrown(() => sql`select * from no_such_table`.execute(s.app.db));
    assert.equal(classifyStoreError(missingTable), undefined);
    if (!onPostgres) {
      // Writing through a read-only handle would be a bug of ours, not the store's condition.
      const readOnly = new SQLite(path.join(s.config.dataDir, 'astrolabe.db'), { readonly: true });
      try {
        const err = await thrown(async () => readOnly.exec("insert into server_secrets (name, value) values ('ro', '')"));
        assert.match(String((err as { code?: string }).code), /^SQLITE_READONLY/);
        assert.equal(classifyStoreError(err), undefined);
      } finally {
        readOnly.close();
      }
    }
  });

  it('answers 503 with Retry-After, in the error shape, when the store cannot serve a request', async () => {
    const create = () => s.api.post(`${org}/workspaces`, { name: 'while-blocked' });
    if (onPostgres) {
      // Hold a lock the request needs, wait until its query is queued behind it, then end that
      // query's connection as an operator (or a failover) would.
      const admin = new pg.Client({ connectionString: s.config.databaseUrl });
      await admin.connect();
      try {
        await admin.query('begin');
        await admin.query('lock table workspaces in access exclusive mode');
        const pending = create();
        // Wait, with a deadline (the machine may be busy), for the request's query to queue behind the lock.
        let pid: number | undefined;
        for (const deadline = Date.now() + 20_000; pid === undefined && Date.now() < deadline;) {
          // pg_stat_activity is read once per transaction and this one stays open: drop that copy.
          await admin.query('select pg_stat_clear_snapshot()');
          const r = await admin.query("select pid from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock' and query like '%\"workspaces\"%' and pid <> pg_backend_pid()");
          pid = r.rows[0]?.pid;
        }
        assert.ok(pid, 'the request never waited for the lock');
        await admin.query('select pg_terminate_backend($1)', [pid]);
        const res = await pending;
        assertError(res, 503);
        assert.equal(res.headers.get('retry-after'), '5');
      } finally {
        await admin.query('rollback');
        await admin.end();
      }
    } else {
      // Another process holds the write lock longer than the server waits for it.
      await sql`pragma busy_timeout = 20`.execute(s.app.db);
      const holder = new SQLite(path.join(s.config.dataDir, 'astrolabe.db'));
      try {
        holder.exec('begin immediate');
        const res = await create();
        assertError(res, 503);
        assert.equal(res.headers.get('retry-after'), '1');
        assert.ok(!res.text.includes('SQLITE'), 'the driver error stays in the log');
      } finally {
        holder.exec('rollback');
        holder.close();
        await sql`pragma busy_timeout = 5000`.execute(s.app.db);
      }
    }
    // Once the store serves again, so does the server.
    assert.equal((await create()).status, 200);
  });

  it('answers /readyz with 503 in the error shape when the store does not answer', { skip: !onPostgres && 'needs PostgreSQL: an embedded SQLite store cannot go away' }, async () => {
    // The database stops taking connections and every open one is ended, as in a failover: the
    // server's next query has nowhere to run.
    const admin = new pg.Client({ connectionString: process.env.ASTROLABE_TEST_DATABASE_URL });
    await admin.connect();
    const database = new URL(s.config.databaseUrl!).pathname.slice(1);
    const readyz = () => fetch(`${s.url}/readyz`);
    try {
      await admin.query(`alter database "${database}" allow_connections false`);
      await admin.query('select pg_terminate_backend(pid) from pg_stat_activity where datname = $1', [database]);
      const res = await readyz();
      assert.equal(res.status, 503);
      assert.equal(res.headers.get('retry-after'), '5');
      const body = await res.json() as Record<string, unknown>;
      assert.equal(body.statusCode, 503);
      assert.equal(body.requestId, res.headers.get('x-request-id'));
      assert.equal(typeof body.message, 'string');
    } finally {
      await admin.query(`alter database "${database}" allow_connections true`);
      await admin.end();
    }
    // Ready again once the database takes connections (the pool may first drop a dead one).
    let status = 0;
    for (const deadline = Date.now() + 10_000; status !== 200 && Date.now() < deadline;) status = (await readyz()).status;
    assert.equal(status, 200);
  });
});
