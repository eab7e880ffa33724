import Type, { type Static, type TSchema } from 'typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { authenticate, authorize, type Principal } from '../auth/principal.js';
import { badRequest, invalidField } from './errors.js';
import { unionInfo } from './schemas.js';
import { assertValid } from './validation.js';

type HttpMethod = 'GET' | 'POST' | 'DELETE';

export interface OpInput<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  principal: Principal;
  app: AppContext;
  requestId: string;
}

/**
 * One operation of the API, declared once: the route, the OpenAPI entry and the checks all
 * come from this. `permission` is the reference's `x-permission` action.
 */
export interface Operation<P extends TSchema = TSchema, Q extends TSchema = TSchema, B extends TSchema = TSchema> {
  operationId: string;
  method: HttpMethod;
  path: string;
  summary: string;
  description: string;
  tag: string;
  permission?: string;
  params?: P;
  query?: Q;
  body?: B;
  bodyDescription?: string;
  /** Success status and, for 200, the response schema. */
  success: { status: 200; schema: TSchema } | { status: 204 };
  /** Error statuses the operation declares (each answered with the Error schema). */
  errors: number[];
  handler(input: OpInput<Static<P>, Static<Q>, Static<B>>): Promise<unknown>;
}

export function defineOperation<P extends TSchema = TSchema, Q extends TSchema = TSchema, B extends TSchema = TSchema>(op: Operation<P, Q, B>): Operation {
  return op as unknown as Operation;
}

export const STANDARD_ERRORS = [400, 401, 403, 500];
export const ITEM_ERRORS = [400, 401, 403, 404, 500];

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
  }
}

function checkUnionBody(schema: object, body: unknown): void {
  const info = unionInfo(schema);
  if (!info) return;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw badRequest('Invalid request: the body must be a JSON object');
  const value = (body as Record<string, unknown>)[info.property];
  if (value === undefined) throw invalidField(info.property, 'required', `${info.property} is required`);
  const member = typeof value === 'string' ? info.mapping[value] : undefined;
  if (!member) {
    throw invalidField(info.property, 'oneof', `${info.property} must be one of [${Object.keys(info.mapping).join(' ')}]`);
  }
  assertValid(member, body);
}

const fastifyPath = (p: string) => p.replace(/\{(\w+)\}/g, ':$1');

export function registerOperation(fastify: FastifyInstance, app: AppContext, op: Operation, prefix: string): void {
  const union = op.body ? unionInfo(op.body) : undefined;
  const schema: Record<string, unknown> = {};
  if (op.params) schema.params = op.params;
  if (op.query) schema.querystring = op.query;
  if (op.body) schema.body = union ? Type.Unknown() : op.body;
  if (op.success.status === 200) schema.response = { 200: op.success.schema };

  fastify.route({
    method: op.method,
    url: prefix + fastifyPath(op.path),
    schema,
    preValidation: async (req: FastifyRequest) => {
      const principal = await authenticate(app, req.headers.authorization);
      req.principal = principal;
      const params = (req.params ?? {}) as Record<string, string>;
      authorize(principal, op.permission, {
        organizationId: params.organizationId,
        workspaceId: params.workspaceId,
        deploymentId: params.deploymentId,
      });
    },
    preHandler: async (req: FastifyRequest) => {
      if (op.body) {
        if (req.body === undefined || req.body === null) throw badRequest('Invalid request: a JSON body is required');
        if (union) checkUnionBody(op.body, req.body);
      }
    },
    handler: async (req: FastifyRequest, reply: FastifyReply) => {
      const result = await op.handler({
        params: req.params as never,
        query: req.query as never,
        body: req.body as never,
        principal: req.principal!,
        app,
        requestId: String(req.id),
      });
      if (op.success.status === 204) return reply.code(204).send();
      return reply.code(200).send(result);
    },
  });
}
