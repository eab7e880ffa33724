import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp, type BuildOptions } from '../../src/app.js';
import { createContext } from '../../src/app-context.js';
import type { Surface } from '../../src/http/surface.js';
import { surfaces } from '../../src/resources/index.js';
import { ensureBootstrap } from '../../src/bootstrap.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { AppContext } from '../../src/context.js';
import { openStore } from '../../src/store/open.js';
import { ManualClock } from '../../src/time.js';
import { issueToken, type TokenRoleGrant, type TokenScope } from '../../src/resources/tokens/service.js';
import { ApiClient } from './client.js';

/**
 * Starts a real server on a loopback port with a fresh store: SQLite in a temporary folder, or,
 * when ASTROLABE_TEST_DATABASE_URL names a PostgreSQL server, a new database created on it.
 */
export interface TestServer {
  url: string;
  token: string;
  orgId: string;
  clock: ManualClock;
  app: AppContext;
  config: Config;
  api: ApiClient;
  /** A client sending another token (or none). */
  as(token: string | undefined): ApiClient;
  /** A client with a new API token of this organization holding exactly `roles`. */
  withRoles(scope: TokenScope, entityId: string, roles: TokenRoleGrant[]): Promise<ApiClient>;
  close(): Promise<void>;
}

/** A new, empty database on the PostgreSQL server at `adminUrl`, dropped by `drop()`. */
export async function freshPostgres(adminUrl: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `astrolabe_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface StartOptions {
  /** Serve these surfaces instead of the API's own (tests of the operation pipeline). */
  surfaces?: Surface[];
  /** Another server instance on the store of this one (its own connections, caches and clock). */
  sameStoreAs?: TestServer;
  /** false: the server does not LISTEN for cache changes (PostgreSQL), it only polls. */
  listenForChanges?: boolean;
  /** Logger options as the server takes them (none: no log); tests that read the log pass a stream. */
  logger?: BuildOptions['logger'];
}

export async function startServer(env: Record<string, string> = {}, opts: StartOptions = {}): Promise<TestServer> {
  const peer = opts.sameStoreAs;
  // Undone in reverse order by close(), or at once when start-up fails half-way. The first
  // instance owns the store: a peer only closes its own server and connections.
  const undo: (() => unknown)[] = [];
  const closeAll = async () => {
    while (undo.length > 0) await undo.pop()!();
  };
  try {
    const dataDir = peer ? peer.config.dataDir : fs.mkdtempSync(path.join(os.tmpdir(), 'astrolabe-test-'));
    if (!peer) undo.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const adminUrl = process.env.ASTROLABE_TEST_DATABASE_URL;
    const pgdb = adminUrl && !peer ? await freshPostgres(adminUrl) : undefined;
    if (pgdb) undo.push(() => pgdb.drop());
    const config = peer ? peer.config : loadConfig({
      ASTROLABE_DATA_DIR: dataDir,
      ...(pgdb ? { ASTROLABE_DATABASE_URL: pgdb.url } : {}),
      ...env,
    });
    const clock = new ManualClock(peer ? peer.clock.now() : new Date('2026-03-01T12:00:00.000Z'));
    const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl, secretKey: config.secretKey });
    undo.push(() => store.close());
    const app: AppContext = createContext({ store, clock, config });
    const boot = await ensureBootstrap(app);
    const served = opts.surfaces ?? surfaces;
    const fastify: FastifyInstance = await buildApp(app, { surfaces: served, listenForChanges: opts.listenForChanges, logger: opts.logger });
    undo.push(() => fastify.close());
    await fastify.listen({ host: '127.0.0.1', port: 0 });
    const addr = fastify.server.address();
    const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
    const token = peer ? peer.token : boot.token!;
    const orgId = peer ? peer.orgId : boot.organizationId!;
    const api = await ApiClient.create(url, token, served.map((x) => x.specPaths[0]!));
    return {
      url,
      token,
      orgId,
      clock,
      app,
      config,
      api,
      as: (t) => api.withToken(t),
      withRoles: async (scope, entityId, roles) => {
        const issued = await issueToken(app.db, clock, { organizationId: orgId, name: `test ${scope} token`, scope, entityId, roles });
        return api.withToken(issued.token);
      },
      close: closeAll,
    };
  } catch (err) {
    await closeAll();
    throw err;
  }
}
