import type { Static, TSchema } from 'typebox';
import type { AnyOperation, ErrorStatus, Operation, OpInput, Success } from './operation.js';
import { unionInfo } from '../core/schemas.js';

/*
 * How an operation of /v1 looks on an older surface: the surface's own schemas, the translations
 * between its shapes and the v1 ones, and the surface rules it hands the v1 service. Everything
 * left out is the v1 operation's.
 *
 * Both sides are typed. The v1 side comes from the operation as declared (its handler's input
 * and result); the older side from the schemas the presentation gives. A translation is required
 * exactly where the older shape does not fit the v1 one as it is: an older query or body that is
 * not a v1 one needs `queryIn` / `bodyIn`, and a v1 result that is not an older one needs `out`.
 * So a field one side renames or narrows fails the build here, not a client later.
 */

/** The validated input the v1 handler takes. */
type V1Input<Op extends AnyOperation> = Parameters<Op['handler']>[0];
/** What the v1 handler answers: the static type of its success schema (void without a body). */
type V1Result<Op extends AnyOperation> = Awaited<ReturnType<Op['handler']>>;
/** The surface rules the v1 operation takes (undefined: none). */
export type RulesOf<Op extends AnyOperation> = V1Input<Op>['rules'];

type SchemaOf<T> = [NonNullable<T>] extends [TSchema] ? NonNullable<T> : TSchema;
type ParamsSchema<Op extends AnyOperation> = SchemaOf<Op['params']>;
type QuerySchema<Op extends AnyOperation> = SchemaOf<Op['query']>;
type BodySchema<Op extends AnyOperation> = SchemaOf<Op['body']>;
/** The v1 success schema, for an operation answering 200 with a JSON body. */
type SuccessSchema<Op extends AnyOperation> = Op['success'] extends { mediaType: string } ? never
  : Op['success'] extends { status: 200; schema: infer T extends TSchema } ? T : never;

/** `K` may be left out when `Older` already is a `V1`; otherwise the translation is required. */
type Translation<K extends string, Older, V1> = [Older] extends [V1]
  ? { [k in K]?: (value: Older) => V1 }
  : { [k in K]: (value: Older) => V1 };

/** The older success schema and `out`, for an operation with a JSON body; neither otherwise. */
type Answer<Op extends AnyOperation, S extends TSchema> = [SuccessSchema<Op>] extends [never]
  ? { success?: never; out?: never }
  : { success?: S } & Translation<'out', V1Result<Op>, Static<S>>;

/** The surface rules handed to the v1 operation, worked out from the older request; only for an operation that takes rules. */
type Rules<Op extends AnyOperation, P extends TSchema, Q extends TSchema, B extends TSchema> = [RulesOf<Op>] extends [undefined]
  ? { rules?: never }
  : { rules?: (input: OpInput<Static<P>, Static<Q>, Static<B>>) => RulesOf<Op> };

interface Shapes<P extends TSchema, Q extends TSchema, B extends TSchema> {
  operationId?: string;
  method?: AnyOperation['method'];
  path?: string;
  summary?: string;
  description?: string;
  permission?: string | null;
  /** The surface's path parameters; they must be the v1 ones (there is no translation of them). */
  params?: P;
  /**
   * The surface's query. Parameters it does not declare are dropped before anything else sees
   * the query (the validator keeps them), so the v1 rules never read a filter this surface lacks.
   */
  query?: Q;
  body?: B;
  /**
   * The body's fields that `body` does not declare are dropped, all the way down, before bodyIn
   * and the v1 rules see them: for an older shape that leaves out v1 settings its clients must
   * not change (the validator keeps undeclared fields). Without it they reach the v1 rules,
   * which may refuse them, as the Deployment checks refuse a node pool on a hosted queue.
   */
  dropsUndeclared?: boolean;
  errors?: ErrorStatus[];
}

/**
 * A presentation of `Op`. `P`, `Q`, `B`, `S` are the older schemas (by default the v1 ones).
 * - `queryIn` / `bodyIn`: the older query / body, validated, as the v1 handler takes it;
 * - `out`: the v1 result as this surface shows it (`success` is its schema, for a 200);
 * - `rules`: the surface rules the v1 service applies (see Operation.rules), for operations that
 *   take them; without it, the operation's own.
 */
export type Presentation<Op extends AnyOperation, P extends TSchema, Q extends TSchema, B extends TSchema, S extends TSchema> =
  Shapes<P, Q, B>
  & Translation<'queryIn', Static<Q>, V1Input<Op>['query']>
  & Translation<'bodyIn', Static<B>, V1Input<Op>['body']>
  & Answer<Op, S>
  & Rules<Op, P, Q, B> & ([Static<P>] extends [V1Input<Op>['params']] ? unknown : { params: never });

/** The success of the presented operation: the older schema in place of the v1 one, for a 200 with a JSON body. */
type PresentedSuccess<Op extends AnyOperation, S extends TSchema> = [SuccessSchema<Op>] extends [never] ? Op['success'] : { status: 200; schema: S };

/** An operation presented on an older surface: typed with the older schemas; it takes no surface rules of its own. */
export type Presented<Op extends AnyOperation, P extends TSchema, Q extends TSchema, B extends TSchema, S extends TSchema> =
  Operation<P, Q, B, Extract<PresentedSuccess<Op, S>, Success>, undefined, string>;

/** Type-erased view of a presentation, for the implementation. */
interface Erased {
  operationId?: string;
  method?: AnyOperation['method'];
  path?: string;
  summary?: string;
  description?: string;
  permission?: string | null;
  params?: TSchema;
  query?: TSchema;
  body?: TSchema;
  success?: TSchema;
  errors?: ErrorStatus[];
  dropsUndeclared?: boolean;
  queryIn?(query: unknown): unknown;
  bodyIn?(body: unknown): unknown;
  out?(result: unknown): unknown;
  rules?(input: OpInput<unknown, unknown, unknown, unknown>): unknown;
}

/**
 * `value` with only what `schema` declares, all the way down: the properties of an object, the
 * items of an array, the member a union's discriminator picks. An object that declares no
 * properties (a free map) stays whole, and so does anything the schema does not describe.
 */
export function declaredOnly(schema: unknown, value: unknown): unknown {
  if (typeof schema !== 'object' || schema === null || typeof value !== 'object' || value === null) return value;
  const union = unionInfo(schema);
  if (union) {
    if (Array.isArray(value)) return value;
    const tag = (value as Record<string, unknown>)[union.property];
    const member = tag === undefined ? union.whenAbsent : typeof tag === 'string' ? union.mapping[tag] : undefined;
    return member ? declaredOnly(member, value) : value;
  }
  const s = schema as { properties?: Record<string, unknown>; items?: unknown };
  if (Array.isArray(value)) return s.items === undefined ? value : value.map((v) => declaredOnly(s.items, v));
  const props = s.properties;
  if (!props) return value;
  return Object.fromEntries(Object.entries(value).filter(([k]) => Object.hasOwn(props, k)).map(([k, v]) => [k, declaredOnly(props[k], v)]));
}

/**
 * The v1 operation `op` served on another surface: same route (unless changed), same permission,
 * target resolution and rules (the v1 handler does the work), presented through `p`. The older
 * surfaces are projections of the one state, never second implementations.
 */
export function presentAs<
  Op extends AnyOperation,
  P extends TSchema = ParamsSchema<Op>,
  Q extends TSchema = QuerySchema<Op>,
  B extends TSchema = BodySchema<Op>,
  S extends TSchema = SuccessSchema<Op>,
>(op: Op, presentation?: Presentation<Op, P, Q, B, S>): Presented<Op, NoInfer<P>, NoInfer<Q>, NoInfer<B>, NoInfer<S>> {
  const p = (presentation ?? {}) as Erased;
  const v1 = op as AnyOperation;
  const answersJson = v1.success.status === 200 && 'schema' in v1.success && v1.success.schema !== undefined && !('mediaType' in v1.success);
  const translate = (input: OpInput<unknown, unknown, unknown, unknown>): OpInput<unknown, unknown, unknown, unknown> => {
    const query = p.query ? declaredOnly(p.query, input.query) : input.query;
    const body = p.body && p.dropsUndeclared && input.body !== undefined ? declaredOnly(p.body, input.body) : input.body;
    return {
      ...input,
      query: p.queryIn ? p.queryIn(query) : query,
      body: p.bodyIn && body !== undefined ? p.bodyIn(body) : body,
      rules: p.rules ? p.rules({ ...input, query, body }) : v1.rules,
    };
  };
  const presented: AnyOperation = {
    ...v1,
    operationId: p.operationId ?? v1.operationId,
    method: p.method ?? v1.method,
    path: p.path ?? v1.path,
    summary: p.summary ?? v1.summary,
    description: p.description ?? v1.description,
    permission: p.permission !== undefined ? p.permission : v1.permission,
    params: p.params ?? v1.params,
    query: p.query ?? v1.query,
    body: p.body ?? v1.body,
    success: p.success && answersJson ? { status: 200, schema: p.success } : v1.success,
    errors: p.errors ?? v1.errors,
    target: v1.target ? (input) => v1.target!(translate(input)) : undefined,
    handler: async (input) => {
      const result = await v1.handler(translate(input));
      return p.out && answersJson ? p.out(result) : result;
    },
  };
  // The presented operation takes no rules of its own: translate hands the v1 one its rules.
  delete presented.rules;
  return presented as unknown as Presented<Op, P, Q, B, S>;
}

/** A copy of `value` without `keys` (the fields an older shape does not have). */
export function without<T extends object, K extends keyof T>(value: T, keys: readonly K[]): Omit<T, K> {
  const out = { ...value };
  for (const k of keys) delete out[k];
  return out;
}

/** The operations of a surface by operationId, each with its own types, for presenting them elsewhere. */
export function byOperationId<Op extends AnyOperation>(ops: readonly Op[]): { [Id in Op['operationId']]: Extract<Op, { operationId: Id }> } {
  return Object.fromEntries(ops.map((o) => [o.operationId, o])) as { [Id in Op['operationId']]: Extract<Op, { operationId: Id }> };
}
