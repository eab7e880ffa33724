import type { TSchema } from 'typebox';
import type { AnyOperation, ErrorStatus, OpInput } from './operation.js';

/**
 * How an operation of /v1 looks on an older surface: the surface's own schemas, and the two
 * translations between its shapes and the v1 ones. Everything left out is the v1 operation's.
 */
export interface Presentation<Wire = unknown, V1 = unknown> {
  operationId?: string;
  method?: AnyOperation['method'];
  path?: string;
  summary?: string;
  description?: string;
  permission?: string | null;
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
  /** Response schema of a 200 on this surface. */
  success?: TSchema;
  errors?: ErrorStatus[];
  /** The surface's query, validated against `query`, as the v1 handler takes it. */
  queryIn?(query: never): unknown;
  /** The surface's body, validated against `body`, as the v1 handler takes it. */
  bodyIn?(body: never): unknown;
  /** The v1 result as this surface shows it. */
  out?(result: V1): Wire;
}

/**
 * The v1 operation `op` served on another surface: same route (unless changed), same permission,
 * target resolution and rules (the v1 handler does the work), presented through `p`. The older
 * surfaces are projections of the one state, never second implementations.
 */
export function presentAs<Wire, V1>(op: AnyOperation, p: Presentation<Wire, V1> = {}): AnyOperation {
  const translate = (input: OpInput<unknown, unknown, unknown>): OpInput<unknown, unknown, unknown> => ({
    ...input,
    query: p.queryIn ? p.queryIn(input.query as never) : input.query,
    body: p.bodyIn && input.body !== undefined ? p.bodyIn(input.body as never) : input.body,
  });
  const success = p.success && op.success.status === 200 ? { status: 200 as const, schema: p.success } : op.success;
  return {
    ...op,
    operationId: p.operationId ?? op.operationId,
    method: p.method ?? op.method,
    path: p.path ?? op.path,
    summary: p.summary ?? op.summary,
    description: p.description ?? op.description,
    permission: p.permission !== undefined ? p.permission : op.permission,
    params: p.params ?? op.params,
    query: p.query ?? op.query,
    body: p.body ?? op.body,
    success,
    errors: p.errors ?? op.errors,
    target: op.target ? (input) => op.target!(translate(input)) : undefined,
    handler: async (input) => {
      const result = await op.handler(translate(input));
      return (p.out && op.success.status === 200 ? p.out(result as V1) : result) as never;
    },
  };
}

/** A copy of `value` without `keys` (the fields an older shape does not have). */
export function without<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Omit<T, K> {
  const out = { ...value };
  for (const k of keys) delete out[k];
  return out;
}

/** A byId lookup of a surface's operations, for presenting them elsewhere. */
export function byOperationId(ops: AnyOperation[]): Record<string, AnyOperation> {
  return Object.fromEntries(ops.map((o) => [o.operationId, o]));
}
