import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { startAuthCache } from './auth/cache.js';
import { ConfigError } from './config.js';
import type { AppContext } from './context.js';
import { ApiError, badRequest } from './http/errors.js';
import { errorOptions, installErrorHandling, sendError } from './http/error-handling.js';
import { registerOperation } from './http/operation.js';
import type { Surface } from './http/surface.js';
import { bodyAjv, inputAjv, requestValidator } from './http/validation.js';
import { buildSpec } from './openapi/build.js';
import { surfaces } from './resources/index.js';

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  /** The surfaces to serve; every surface of the API unless given. */
  surfaces?: Surface[];
  /** false: no LISTEN for cache changes on PostgreSQL, only the epoch poll (for tests). */
  listenForChanges?: boolean;
}

/** HTTPS when the configuration names a certificate and key; unreadable files stop the start. */
function httpsOptions(app: AppContext): FastifyServerOptions {
  const tls = app.config.tls;
  if (!tls) return {};
  const read = (file: string, what: string) => {
    try {
      return fs.readFileSync(file);
    } catch (err) {
      throw new ConfigError(`cannot read the TLS ${what} ${file}: ${(err as Error).message}`);
    }
  };
  // Fastify types an HTTPS server differently; the instance is used the same way.
  return { https: { cert: read(tls.certFile, 'certificate'), key: read(tls.keyFile, 'key') } } as FastifyServerOptions;
}

export async function buildApp(app: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const fastify = Fastify({
    ...httpsOptions(app),
    logger: opts.logger ?? false,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // One trusted hop: req.ip is the X-Forwarded-For entry the proxy appended.
    trustProxy: app.config.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    ...errorOptions,
  });
  installErrorHandling(fastify);

  const authCache = await startAuthCache(app.db, {
    databaseUrl: app.store.kind === 'postgres' ? app.config.databaseUrl : undefined,
    listen: opts.listenForChanges,
    onError: (err, what) => fastify.log.error({ err }, `${what} failed`),
  });
  fastify.addHook('onClose', () => authCache.close());

  fastify.setValidatorCompiler(({ schema, httpPart }) => requestValidator(httpPart === 'body' ? bodyAjv : inputAjv, schema));

  // Hooks on every request take a callback rather than returning a promise: cheaper in Fastify.
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.header('X-Request-Id', String(req.id));
    done();
  });

  // Clients sometimes send an enum query parameter with an empty value; treat it as absent.
  fastify.addHook('preValidation', (req, _reply, done) => {
    const q = req.query as Record<string, unknown> | undefined;
    if (q) {
      for (const k in q) {
        const v = q[k];
        if (v === '') delete q[k];
        else if (Array.isArray(v)) {
          const kept = v.filter((x) => x !== '');
          if (kept.length === 0) delete q[k];
          else q[k] = kept;
        }
      }
    }
    done();
  });

  for (const surface of opts.surfaces ?? surfaces) await registerSurface(fastify, app, surface);

  fastify.get('/livez', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (req, reply) => {
    try {
      await app.db.selectFrom('organizations').select('id').limit(1).execute();
      return { status: 'ok' };
    } catch (err) {
      // Not ready, whatever the store says: a 503 in the error shape, the cause in the log.
      req.log.error({ err }, 'readiness check failed');
      void reply.header('Retry-After', '5');
      sendError(req, reply, new ApiError(503, 'The store is unavailable'));
      return reply;
    }
  });

  return fastify;
}

/**
 * Serves one surface: its OpenAPI document (YAML, or JSON when asked for) at each of its spec
 * paths, and its operations under its prefix with its own X-API-Version check.
 */
async function registerSurface(fastify: FastifyInstance, app: AppContext, surface: Surface): Promise<void> {
  const spec = buildSpec(surface);
  const specJson = JSON.stringify(spec);
  // The YAML form (and the yaml package) only when first asked for: it takes a good share of a start.
  let specYaml: Promise<string> | undefined;
  const yaml = () => (specYaml ??= import('yaml').then(({ default: YAML }) => YAML.stringify(spec, { aliasDuplicateObjects: false })));
  for (const url of surface.specPaths) {
    fastify.get(url, async (req, reply) => {
      const wantsJson = /json/i.test(String(req.headers.accept ?? ''));
      return wantsJson
        ? reply.type('application/json').send(specJson)
        : reply.type('application/yaml').send(await yaml());
    });
  }
  const versions = surface.apiVersions;
  await fastify.register(async (scope) => {
    if (versions) {
      const known = new Set(versions);
      scope.addHook('onRequest', (req, _reply, done) => {
        const version = req.headers['x-api-version'];
        if (version !== undefined && !known.has(String(version))) {
          done(badRequest(`Unsupported X-API-Version "${String(version)}": this surface speaks ${versions.at(-1)}`));
        } else {
          done();
        }
      });
    }
    for (const op of surface.operations) registerOperation(scope, app, op, surface.prefix);
  });
}
