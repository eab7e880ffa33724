import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fastJsonStringify from 'fast-json-stringify';
import { startStoreCache } from './store/cache.js';
import { ConfigError } from './config.js';
import type { AppContext } from './context.js';
import { ApiError, badRequest } from './core/errors.js';
import { LOG_REDACT_PATHS, REDACTED } from './http/redaction.js';
import { childLoggerFactory } from './http/request-logger.js';
import { errorOptions, installErrorHandling, logSerializers, sendError } from './http/error-handling.js';
import { registerOperation } from './http/operation.js';
import type { Surface } from './http/surface.js';
import { bodyAjv } from './core/validation.js';
import { inputAjv, requestValidator } from './http/validation.js';
import { buildSpec } from './openapi/build.js';
import { surfaces } from './resources/index.js';
import { startAuditRetention } from './resources/auditlogs/service.js';
import { registerUploadRoutes } from './resources/deploys/upload.js';
import { findDeployment, findDeploymentByNamespace } from './resources/deployments/repo.js';
import { registerOtlpLogs } from './resources/logs/otlp.js';
import { startLogRetention } from './resources/logs/service.js';

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
    logger: opts.logger ? { ...(opts.logger === true ? {} : opts.logger), redact: { paths: LOG_REDACT_PATHS, censor: REDACTED }, serializers: logSerializers } : false,
    ...(opts.logger ? { childLoggerFactory } : {}),
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // One trusted hop: req.ip is the X-Forwarded-For entry the proxy appended.
    trustProxy: app.config.trustProxy ? (_address: string, hop: number) => hop === 0 : false,
    ...errorOptions,
  });
  installErrorHandling(fastify);

  const storeCache = await startStoreCache(app.db, {
    databaseUrl: app.store.kind === 'postgres' ? app.config.databaseUrl : undefined,
    listen: opts.listenForChanges,
    onError: (err, what) => fastify.log.error({ err }, `${what} failed`),
  });
  fastify.addHook('onClose', () => storeCache.close());
  const retention = await startAuditRetention(app, (err) => fastify.log.error({ err }, 'audit retention sweep failed'));
  fastify.addHook('onClose', () => retention.close());

  fastify.setValidatorCompiler(({ schema, httpPart }) => requestValidator(httpPart === 'body' ? bodyAjv : inputAjv, schema));
  // Response serializers, like the validators, are compiled on first use: compiling all of them
  // was a tenth of a start.
  fastify.setSerializerCompiler(({ schema }) => {
    let serialize: ((data: unknown) => string) | undefined;
    return (data: unknown) => (serialize ??= fastJsonStringify(schema as object))(data);
  });

  // Hooks on every request take a callback rather than returning a promise: cheaper in Fastify.
  fastify.addHook('onRequest', (req, reply, done) => {
    reply.header('X-Request-Id', String(req.id));
    done();
  });

  for (const surface of opts.surfaces ?? surfaces) await registerSurface(fastify, app, surface);

  // The upload URLs of deploys (Azure Blob protocol), outside every API surface.
  await registerUploadRoutes(fastify, app);
  // OTLP/HTTP log ingestion at its standard path, beside (not inside) the v1 surface: its own
  // body handling and error shape.
  await registerOtlpLogs(fastify, app, { byId: findDeployment, byNamespace: findDeploymentByNamespace });
  const logRetention = startLogRetention(app, (err) => fastify.log.error({ err }, 'deleting expired log lines failed'));
  fastify.addHook('onClose', () => logRetention.close());

  fastify.get('/livez', async () => ({ status: 'ok' }));
  fastify.get('/readyz', async (req, reply) => {
    try {
      await app.db.selectFrom('organizations').select('id').limit(1).execute();
      return { status: 'ok' };
    } catch (err) {
      // Not ready, whatever the store says: a 503 in the error shape, the cause in the log.
      const answer = new ApiError(503, 'The store is unavailable', undefined, { cause: err });
      req.log.error({ err: answer }, 'readiness check failed');
      void reply.header('Retry-After', '5');
      sendError(req, reply, answer);
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
