import type { Readable } from 'node:stream';
import Type, { type Static, type TSchema } from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { authenticate } from '../auth/authenticate.js';
import type { Principal } from '../auth/principal.js';
import { authorize, checkOrganization, type Target } from '../auth/access.js';
import { badRequest, FieldCode, invalidField } from '../core/errors.js';
import { isNullAsAbsent, unionInfo } from '../core/schemas.js';
import { assertValid } from '../core/validation.js';
import { withCommitRider } from '../store/transactions.js';
import { finishAudit, startAudit, type AuditFacts } from './audit.js';

type HttpMethod = 'GET' | 'POST' | 'DELETE';

/**
 * What a handler and a target resolver receive: the validated request, who sent it, and the
 * surface rules the operation runs under (`R`; see Operation.rules).
 */
export interface OpInput<P, Q, B, R = unknown> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  app: AppContext;
  requestId: string;
  /** The client's address: the socket's, or with ASTROLABE_TRUST_PROXY the proxy's X-Forwarded-For entry. */
  clientAddress: string;
  /**
   * Where clients reach this server, without a trailing slash: ASTROLABE_PUBLIC_URL, or the
   * request's scheme and Host header (for URLs the answer hands out, such as upload URLs).
   */
  baseUrl: string;
  /** The operation's own rules (Operation.rules), or those a presentation on an older surface hands it. */
  rules: R;
}

export type ErrorStatus = number | '4XX' | '5XX';

/** A 200 body the handler streams itself (a media type other than JSON). */
export interface StreamedBody {
  stream: Readable;
  /** The Content-Encoding the stream is already in, such as gzip. */
  contentEncoding?: string;
}

/**
 * Success status and, for 200, the response schema. `mediaType` declares a body that is not
 * JSON: the handler streams it, and the document lists every response of the operation, errors
 * included, under that media type as the reference does (errors are still sent as JSON). A 200
 * without a schema has no body (as the reference has for a few operations).
 */
export type Success = { status: 200; schema: TSchema } | { status: 200; schema: TSchema; mediaType: string } | { status: 204 } | { status: 200; schema?: undefined };
/** What the handler must return: the response schema's static type, a stream, or nothing when there is no body. */
export type SuccessResult<S extends Success> = S extends { mediaType: string } ? StreamedBody
  : S extends { status: 200; schema: infer T extends TSchema } ? Static<T> : void;

/** The response schema of a success with a body. */
export function successSchema(s: Success): TSchema | undefined {
  return 'schema' in s ? s.schema : undefined;
}

/**
 * One operation of an API surface, declared once: the route, the OpenAPI entry and the checks all
 * come from this.
 */
export interface Operation<P extends TSchema = TSchema, Q extends TSchema = TSchema, B extends TSchema = TSchema, S extends Success = Success, R = undefined, Id extends string = string> {
  operationId: Id;
  method: HttpMethod;
  path: string;
  summary: string;
  description: string;
  tag: string;
  /**
   * The action (the reference's `x-permission`) the caller needs on the target; `null` for the
   * few operations that only need a caller of the organization.
   */
  permission: string | null;
  /**
   * The operation acts on the organization as a whole, yet a caller holding `permission` on any
   * Workspace or Deployment may call it (Target.anyScope); its handler must then show such a
   * caller only what lies in its scope (visibleScope in auth/access.ts). For lists of Workspaces
   * and Deployments, which Workspace and Deployment tokens call.
   */
  anyScope?: boolean;
  /**
   * The operation also serves a verified user who belongs to no organization yet (GetSelfUser);
   * its principal then has organizationId ''. Every other operation answers such a caller 403.
   */
  acceptsNonMembers?: boolean;
  params?: P;
  query?: Q;
  body?: B;
  bodyDescription?: string;
  /** Success status and, for 200, the response schema (and its media type when not JSON). */
  success: S;
  /** Error statuses the operation declares (each answered with the Error schema); `4XX`/`5XX` declare a whole class. */
  errors: ErrorStatus[];
  /**
   * The surface rules the handler (and target) receive as `input.rules`, for an operation whose
   * rules an older surface bends where its shapes alone cannot say the difference (the object
   * types it has, a filter it names, settings it can neither show nor send). This is the value
   * for the operation's own surface; a presentation hands its own (projection.ts). The service
   * applies them inside its own transaction. Left out: the operation has none. (R is what this
   * says; target and handler only receive it.)
   */
  rules?: R;
  /**
   * What the operation acts on, worked out from the validated input and the store; by default
   * the path's organizationId/workspaceId/deploymentId. A target that does not exist or belongs
   * elsewhere must come back the same way (no workspace/deployment), so ids reveal nothing.
   */
  target?(input: OpInput<Static<P>, Static<Q>, Static<B>, NoInfer<R>>): Promise<Target>;
  handler(input: OpInput<Static<P>, Static<Q>, Static<B>, NoInfer<R>>): Promise<SuccessResult<S>>;
}

/** An operation with its types erased, as surfaces hold them. */
export type AnyOperation = Operation<TSchema, TSchema, TSchema, Success, unknown>;

/**
 * Declares an operation, keeping its types (schemas, surface rules, operationId) so that
 * presentations of it on other surfaces are checked against them (projection.ts). Every typed
 * operation is also an AnyOperation, as surfaces hold them.
 */
export function defineOperation<P extends TSchema, Q extends TSchema, B extends TSchema, S extends Success, R = undefined, const Id extends string = string>(
  op: Operation<P, Q, B, S, R, Id>,
): Operation<P, Q, B, S, R, Id> {
  return op;
}

export const STANDARD_ERRORS: ErrorStatus[] = [400, 401, 403, 500];
export const ITEM_ERRORS: ErrorStatus[] = [400, 401, 403, 404, 500];
/** Operations the reference documents with error classes rather than single statuses. */
export const CLASS_ERRORS: ErrorStatus[] = ['4XX', '5XX'];

function pathTarget(op: AnyOperation, params: Record<string, string>): Target {
  const t: Target = { organizationId: params.organizationId, workspaceId: params.workspaceId, deploymentId: params.deploymentId };
  if (op.anyScope) t.anyScope = true;
  return t;
}

/** Removes null-valued properties, in nested objects and objects inside arrays too. */
function dropNulls(value: unknown): void {
  if (Array.isArray(value)) {
    for (const v of value) dropNulls(v);
  } else if (typeof value === 'object' && value !== null) {
    const obj = value as Record<string, unknown>;
    for (const [k, v] of Object.entries(obj)) {
      if (v === null) delete obj[k];
      else dropNulls(v);
    }
  }
}

/** Checks `body` (found at `base`, '' for the whole request body) against the union member its property names. */
function checkUnionBody(schema: object, body: unknown, base = ''): void {
  const info = unionInfo(schema);
  if (!info) return;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    if (base) throw invalidField(base, FieldCode.type, `${base} must be of type object`);
    throw badRequest('Invalid request: the body must be a JSON object');
  }
  if (isNullAsAbsent(schema)) dropNulls(body);
  const value = (body as Record<string, unknown>)[info.property];
  const field = base ? `${base}.${info.property}` : info.property;
  if (value === undefined && info.whenAbsent) {
    assertValid(info.whenAbsent, body, base);
    return;
  }
  if (value === undefined) throw invalidField(field, FieldCode.required, `${field} is required`);
  const member = typeof value === 'string' ? info.mapping[value] : undefined;
  if (!member) {
    throw invalidField(field, FieldCode.oneOf, `${field} must be one of [${Object.keys(info.mapping).join(' ')}]`);
  }
  assertValid(member, body, base);
}

/**
 * Properties of an object body that are lists of union members (the labs bulk alert calls). JSON
 * Schema's oneOf cannot pick a member by a discriminator whose members share its values, so such
 * a body is validated with those lists' items left open, and each item then as a union.
 */
function unionLists(schema: object): string[] {
  const props = (schema as { properties?: Record<string, { type?: string; items?: object }> }).properties ?? {};
  return Object.entries(props).filter(([, p]) => p.type === 'array' && p.items !== undefined && unionInfo(p.items)).map(([k]) => k);
}

/** The body schema with the union lists' items opened, for the first pass of validation. */
function withOpenUnionLists(schema: TSchema, lists: string[]): TSchema {
  const props = { ...(schema as unknown as { properties: Record<string, object> }).properties };
  for (const k of lists) props[k] = { ...props[k], items: {} };
  return { ...schema, properties: props } as TSchema;
}

function checkUnionLists(schema: object, lists: string[], body: unknown): void {
  const props = (schema as { properties: Record<string, { items: object }> }).properties;
  for (const k of lists) {
    const items = (body as Record<string, unknown>)[k];
    if (Array.isArray(items)) items.forEach((item, i) => checkUnionBody(props[k]!.items, item, `${k}[${i}]`));
  }
}

const fastifyPath = (p: string) => p.replace(/\{(\w+)\}/g, ':$1');

/** Clients sometimes send a query parameter with an empty value (Terraform's `cloudProvider=`): absent. */
function dropEmptyQueryValues(q: Record<string, unknown> | undefined): void {
  if (!q) return;
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

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

/**
 * Registers one operation. Order of checks: the caller (401), and its address against its
 * organization's allowed IP ranges (403), both in authenticate(); the permission on the path's
 * target (403), so nothing about the request is judged for a caller who may not make it; the
 * input (400); the handler. An operation whose target must be resolved from its input checks the
 * path's organization first and the permission once the input is valid and the target known.
 */
export function registerOperation(fastify: FastifyInstance, app: AppContext, op: AnyOperation, prefix: string): void {
  const union = op.body ? unionInfo(op.body) : undefined;
  const lists = op.body && !union ? unionLists(op.body) : [];
  const dropsNulls = op.body !== undefined && !union && isNullAsAbsent(op.body);
  const schema: Record<string, unknown> = {};
  if (op.params) schema.params = op.params;
  if (op.query) schema.querystring = op.query;
  if (op.body) schema.body = union ? Type.Unknown() : lists.length > 0 ? withOpenUnionLists(op.body, lists) : op.body;
  const streamed = 'mediaType' in op.success ? op.success.mediaType : undefined;
  const body = successSchema(op.success);
  if (body && !streamed) schema.response = { 200: body };
  // Every request that may change something is recorded (./audit.ts).
  const audited: AuditFacts | undefined = op.method === 'GET'
    ? undefined
    : { operationId: op.operationId, pathTemplate: op.path, successStatus: op.success.status };

  const input = (req: FastifyRequest): OpInput<unknown, unknown, unknown, unknown> => ({
    params: req.params,
    query: req.query,
    body: req.body,
    principal: req.principal!,
    app,
    requestId: String(req.id),
    clientAddress: req.ip,
    baseUrl: app.config.publicUrl ?? `${req.protocol}://${req.host}`,
    rules: op.rules,
  });

  fastify.route({
    method: op.method,
    url: prefix + fastifyPath(op.path),
    schema,
    preValidation: async (req: FastifyRequest) => {
      if (op.query) dropEmptyQueryValues(req.query as Record<string, unknown> | undefined);
      const principal = await authenticate(app, req.headers.authorization, req.ip, { allowNonMember: op.acceptsNonMembers });
      req.principal = principal;
      const params = (req.params ?? {}) as Record<string, string>;
      if (op.target) checkOrganization(principal, params.organizationId);
      else authorize(principal, op.permission, pathTarget(op, params));
      // Before the body is validated (the next step), so a null reads as a field not sent.
      if (dropsNulls) dropNulls(req.body);
    },
    // Only where there is something to do: every hook costs each request of the route.
    ...((op.body || op.target) && { preHandler: async (req: FastifyRequest) => {
      if (op.body) {
        if (req.body === undefined || req.body === null) throw badRequest('Invalid request: a JSON body is required');
        if (union) checkUnionBody(op.body, req.body);
        if (lists.length > 0) checkUnionLists(op.body, lists, req.body);
      }
      if (op.target) {
        const target = await op.target(input(req));
        req.resolvedTarget = target;
        authorize(req.principal!, op.permission, { organizationId: (req.params as Record<string, string>).organizationId, ...target });
      }
    } }),
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      let result: unknown;
      if (audited) {
        // The handler's first committed transaction carries the record (store/transactions.ts).
        const audit = req.audit = await startAudit(app, req, req.principal!, audited);
        result = await withCommitRider(audit, () => op.handler(input(req)));
        audit.created(result);
      } else {
        result = await op.handler(input(req));
      }
      if (!body) return reply.code(op.success.status).send();
      if (streamed) {
        const streamedBody = result as StreamedBody;
        if (streamedBody.contentEncoding) void reply.header('Content-Encoding', streamedBody.contentEncoding);
        return reply.code(200).type(streamed).send(streamedBody.stream);
      }
      return reply.code(200).send(result);
    },
    // Once the answer is decided, and before it leaves: the record of a mutating request.
    ...(audited && {
      onSend: async (req: FastifyRequest, reply: FastifyReply, payload: unknown) => {
        await finishAudit(app, req, reply.statusCode, audited);
        return payload;
      },
    }),
  });
}
