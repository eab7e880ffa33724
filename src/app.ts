import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import YAML from 'yaml';
import type { AppContext } from './context.js';
import { ApiError, badRequest, renderError } from './http/errors.js';
import { registerOperation } from './http/operation.js';
import type { Surface } from './http/surface.js';
import { bodyAjv, inputAjv, validationError, withStorageChecks } from './http/validation.js';
import { buildSpec } from './openapi/build.js';
import { answerStoreError } from './http/store-errors.js';
import { classifyStoreError } from './store/errors.js';
import { surfaces } from './resources/index.js';

export interface BuildOptions {
  logger?: FastifyServerOptions['logger'];
  /** The surfaces to serve; every surface of the API unless given. */
  surfaces?: Surface[];
}

const BODY_LIMIT = 10 * 1024 * 1024;
/**
 * Ids are short, but a longer path segment is no reason for a different kind of answer: it goes
 * through the route like any unknown id (401, 403 or 404). Node already bounds the request line
 * (16 KiB of headers by default), so this only lifts Fastify's own 100-character cut-off.
 */
const MAX_PARAM_LENGTH = 16 * 1024;

/** Sends `err` in the API's error shape. Also used where Fastify's onRequest hooks never ran. */
function sendError(req: FastifyRequest, reply: FastifyReply, err: ApiError): void {
  void reply.code(err.statusCode).header('X-Request-Id', String(req.id)).type('application/json').send(renderError(err, String(req.id)));
}

/** Errors Fastify raises while routing, before any hook: a path it cannot decode or a segment it will not match. */
function frameworkError(err: FastifyError, req: FastifyRequest): ApiError {
  if (err.code === 'FST_ERR_BAD_URL') return badRequest('Invalid request: the path is not valid percent-encoded UTF-8');
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return new ApiError(404, `No route for ${req.method} ${req.url.split('?')[0]}: a path segment is too long to name anything`);
  req.log.error({ err }, 'routing failed');
  return new ApiError(500, 'Internal server error');
}

/** Fastify's own messages for body trouble, said the API's way; every one is the client's to fix. */
const BODY_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Invalid request: the body must be sent as application/json',
  FST_ERR_CTP_BODY_TOO_LARGE: `Invalid request: the body is larger than ${BODY_LIMIT / 1024 / 1024} MiB`,
  FST_ERR_CTP_INVALID_JSON_BODY: 'Invalid request: the body is not valid JSON (keys named __proto__ or constructor.prototype are refused too)',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Invalid request: the body is empty but its Content-Type says JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Invalid request: the body is not as long as its Content-Length says',
};

/**
 * A request Node's HTTP parser rejects never reaches Fastify (no route, no hooks, no request
 * object), so the answer is written to the socket here, still in the error shape with its own id.
 */
function answerClientError(this: FastifyInstance, err: Error & { code?: string }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  let status = 400;
  let message = 'Invalid request: the HTTP request is malformed';
  if (err.code === 'HPE_HEADER_OVERFLOW') {
    status = 431;
    message = 'The request line and headers are too large';
  } else if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    status = 408;
    message = 'The request did not arrive in time';
  }
  const id = randomUUID();
  this.log.debug({ err, reqId: id }, 'malformed HTTP request');
  const body = JSON.stringify(renderError(new ApiError(status, message), id));
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.end([
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `X-Request-Id: ${id}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n'));
}

/** A route's path as a pattern over request paths (each `:param` one segment). */
function pathPattern(url: string): RegExp {
  const parts = url.split(/(:\w+)/).map((part) => (part.startsWith(':') ? '[^/]*' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  return new RegExp(`^${parts.join('')}$`);
}

export async function buildApp(app: AppContext, opts: BuildOptions = {}): Promise<FastifyInstance> {
  const fastify = Fastify({
    logger: opts.logger ?? false,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: (err, req, reply) => sendError(req, reply, frameworkError(err, req)),
    clientErrorHandler: answerClientError,
  });

  // The API takes JSON only: without this, text/plain bodies reach validation as strings.
  fastify.removeContentTypeParser('text/plain');

  // Which methods each path answers, so that another method on a known path gets a 405 with an
  // Allow header instead of the 404 of a path that does not exist.
  const routes: { pattern: RegExp; methods: string[] }[] = [];
  fastify.addHook('onRoute', (route) => {
    const methods = ([] as string[]).concat(route.method);
    routes.push({ pattern: pathPattern(route.url ?? route.path), methods });
  });
  const allowedMethods = (path: string): string[] => {
    const allowed = new Set<string>();
    for (const r of routes) if (r.pattern.test(path)) for (const m of r.methods) allowed.add(m);
    if (allowed.has('GET')) allowed.add('HEAD');
    return [...allowed].sort();
  };

  fastify.setValidatorCompiler(({ schema, httpPart }) => withStorageChecks((httpPart === 'body' ? bodyAjv : inputAjv).compile(schema)));
  fastify.setSchemaErrorFormatter((errors) => validationError(errors as never));

  fastify.addHook('onRequest', async (req, reply) => {
    reply.header('X-Request-Id', String(req.id));
  });

  // Clients sometimes send an enum query parameter with an empty value; treat it as absent.
  fastify.addHook('preValidation', async (req) => {
    const q = req.query as Record<string, unknown> | undefined;
    if (!q) return;
    for (const [k, v] of Object.entries(q)) {
      if (v === '') delete q[k];
      else if (Array.isArray(v)) {
        const kept = v.filter((x) => x !== '');
        if (kept.length === 0) delete q[k];
        else q[k] = kept;
      }
    }
  });

  fastify.setErrorHandler((err, req, reply) => {
    let apiErr: ApiError;
    const e = err as { validation?: unknown; code?: string; statusCode?: number; message: string };
    const stored = classifyStoreError(err);
    if (err instanceof ApiError) apiErr = err;
    else if (e.validation) apiErr = validationError(e.validation as never);
    else if (e.code && BODY_ERRORS[e.code]) apiErr = badRequest(BODY_ERRORS[e.code]!);
    else if (stored) {
      // The driver's error goes to the log only: it names tables, constraints and values.
      const answer = answerStoreError(stored, req.body);
      apiErr = answer.error;
      if (apiErr.statusCode >= 500) req.log.error({ err }, `store ${stored.kind}, answered ${apiErr.statusCode}`);
      else req.log.warn({ err }, `store ${stored.kind}, answered ${apiErr.statusCode}`);
      if (answer.retryAfterSeconds) void reply.header('Retry-After', String(answer.retryAfterSeconds));
    } else if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) apiErr = badRequest(`Invalid request: ${e.message}`);
    else {
      req.log.error({ err }, 'unhandled error');
      apiErr = new ApiError(500, 'Internal server error');
    }
    sendError(req, reply, apiErr);
  });

  fastify.setNotFoundHandler((req, reply) => {
    const path = req.url.split('?')[0]!;
    const allowed = allowedMethods(path);
    if (allowed.length > 0) {
      void reply.header('Allow', allowed.join(', '));
      sendError(req, reply, new ApiError(405, `${req.method} is not allowed on ${path}; it answers ${allowed.join(', ')}`));
      return;
    }
    sendError(req, reply, new ApiError(404, `No route for ${req.method} ${path}`));
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
      const answer = answerStoreError(classifyStoreError(err) ?? { kind: 'unavailable' });
      void reply.header('Retry-After', String(answer.retryAfterSeconds ?? 5));
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
  const specYaml = YAML.stringify(spec, { aliasDuplicateObjects: false });
  for (const url of surface.specPaths) {
    fastify.get(url, async (req, reply) => {
      const wantsJson = /json/i.test(String(req.headers.accept ?? ''));
      return wantsJson
        ? reply.type('application/json').send(specJson)
        : reply.type('application/yaml').send(specYaml);
    });
  }
  const versions = new Set(surface.apiVersions);
  await fastify.register(async (scope) => {
    scope.addHook('onRequest', async (req) => {
      const version = req.headers['x-api-version'];
      if (version !== undefined && !versions.has(String(version))) {
        throw badRequest(`Unsupported X-API-Version "${String(version)}": this surface speaks ${surface.apiVersions.at(-1)}`);
      }
    });
    for (const op of surface.operations) registerOperation(scope, app, op, surface.prefix);
  });
}
