import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { stdSerializers } from 'pino';
import { classifyStoreError } from '../store/errors.js';
import { ApiError, badRequest, renderError } from '../core/errors.js';
import { answerStoreError } from './store-errors.js';
import { validationError } from '../core/validation.js';

/*
 * Every answer the server gives in the API's error shape, whichever layer produced it: the HTTP
 * parser, Fastify's router and body parsers, validation, the store, or the operation itself.
 */

const BODY_LIMIT = 10 * 1024 * 1024;
/**
 * Ids are short, but a longer path segment is no reason for a different kind of answer: it goes
 * through the route like any unknown id (401, 403 or 404). Node already bounds the request line
 * (16 KiB of headers by default), so this only lifts Fastify's own 100-character cut-off.
 */
const MAX_PARAM_LENGTH = 16 * 1024;

/** Sends `err` in the API's error shape. Also used where Fastify's onRequest hooks never ran. */
export function sendError(req: FastifyRequest, reply: FastifyReply, err: ApiError): void {
  void reply.code(err.statusCode).header('X-Request-Id', String(req.id)).type('application/json').send(renderError(err, String(req.id)));
}

/** Errors Fastify raises while routing, before any hook: a path it cannot decode or a segment it will not match. */
function frameworkError(err: FastifyError, req: FastifyRequest): ApiError {
  if (err.code === 'FST_ERR_BAD_URL') return badRequest('Invalid request: the path is not valid percent-encoded UTF-8');
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') return new ApiError(404, `No route for ${req.method} ${req.url.split('?')[0]}: a path segment is too long to name anything`);
  const answer = new ApiError(500, 'Internal server error', undefined, { cause: err });
  req.log.error({ err: answer }, 'routing failed');
  return answer;
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

/**
 * Installs the error handlers on a new Fastify instance (created with `frameworkErrors` and
 * `clientErrorHandler` from `errorOptions`).
 */
export function installErrorHandling(fastify: FastifyInstance): void {
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

  fastify.setSchemaErrorFormatter((errors) => validationError(errors as Parameters<typeof validationError>[0]));

  fastify.setErrorHandler((err, req, reply) => {
    let apiErr: ApiError;
    const e = err as { validation?: Parameters<typeof validationError>[0]; code?: string; statusCode?: number; message: string };
    const stored = classifyStoreError(err);
    if (err instanceof ApiError) {
      apiErr = err;
      if (err.retryAfterSeconds) void reply.header('Retry-After', String(err.retryAfterSeconds));
    } else if (e.validation) apiErr = validationError(e.validation);
    else if (e.code && BODY_ERRORS[e.code]) apiErr = badRequest(BODY_ERRORS[e.code]!, undefined, { cause: err });
    else if (stored) {
      const answer = answerStoreError(stored, req.body, err);
      apiErr = answer.error;
      if (answer.retryAfterSeconds) void reply.header('Retry-After', String(answer.retryAfterSeconds));
    } else if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) apiErr = badRequest(`Invalid request: ${e.message}`, undefined, { cause: err });
    else apiErr = new ApiError(500, 'Internal server error', undefined, { cause: err });

    // What the answer does not say goes to the log: the answer, with the error it was made from
    // as its cause (a driver's error names tables, constraints and values). A 5xx is the server's
    // trouble; a store error is worth a warning even when the client is told a 4xx; any other
    // cause of a 4xx is the client's doing.
    const status = apiErr.statusCode;
    const what = stored ? `store ${stored.kind}` : err instanceof ApiError ? 'request failed' : 'unhandled error';
    if (status >= 500) req.log.error({ err: apiErr }, `${what}, answered ${status}`);
    else if (stored) req.log.warn({ err: apiErr }, `${what}, answered ${status}`);
    else if (apiErr.cause !== undefined) req.log.debug({ err: apiErr }, `answered ${status}`);
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
}

/** The options of a new Fastify instance that route framework errors here. */
export const errorOptions = {
  bodyLimit: BODY_LIMIT,
  routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  frameworkErrors: (err: FastifyError, req: FastifyRequest, reply: FastifyReply) => sendError(req, reply, frameworkError(err, req)),
  clientErrorHandler: answerClientError,
};

/**
 * The log's serializers: an error is written with its cause as a nested error (`err.cause`, with
 * the cause's own fields such as a driver's code), where pino's default folds the cause into the
 * message and the stack and drops its fields.
 */
export const logSerializers = { err: stdSerializers.errWithCause };
