/**
 * The error catalogue and its one renderer. Every failure the API reports is an ApiError and
 * leaves the server as `{message, requestId, statusCode, fieldErrors?}`.
 */

/**
 * Every `code` a fieldErrors entry can carry: the name the code goes by here (left) and the wire
 * string clients see (right). The reference's codes are validator rule names such as `required`,
 * `max` and `oneof` (domain.md, the Error schema); a check with a matching validator rule uses its
 * name (required_with, excluded_if, gtefield, ... read like go-playground/validator tags), and the
 * server's own rules keep to the same lower-case style. Tests and clients match on the values:
 * rename a key freely, never a value.
 */
export const FieldCode = {
  // ---- presence
  /** A required value is missing, or blank where text must hold something. */
  required: 'required',
  /** Missing while another field that needs it is sent. */
  requiredWith: 'required_with',
  /** Missing because the field that could stand in for it is missing too (or both are sent). */
  requiredWithout: 'required_without',
  /** Sent where it does not belong: another field or the kind of object rules it out. */
  excluded: 'excluded',
  /** Sent together with a field it cannot be combined with. */
  excludedWith: 'excluded_with',
  /** Sent although another field's value says it must be empty. */
  excludedIf: 'excluded_if',
  /** Sent although another field's value is not the one it is for. */
  excludedUnless: 'excluded_unless',

  // ---- size and order
  /** Too long, too large, or too many items. */
  max: 'max',
  /** Too short, too small, or too few items. */
  min: 'min',
  /** Not below an exclusive maximum (schema exclusiveMaximum). */
  lt: 'lt',
  /** Not above an exclusive minimum (schema exclusiveMinimum). */
  gt: 'gt',
  /** Must not come before another field (an end before its start). */
  gteField: 'gtefield',
  /** Must not exceed another field (a minimum above its maximum). */
  lteField: 'ltefield',
  /** Must differ from another field. */
  neField: 'nefield',
  /** Must equal another field. */
  eqField: 'eqfield',

  // ---- form
  /** Not one of the allowed values (an enum, a const, a union's discriminator, a catalogue entry). */
  oneOf: 'oneof',
  /** Of the wrong JSON type, or a number that is not finite. */
  type: 'type',
  /** Not in the declared string format (schema format), or not a time of day where one is expected. */
  format: 'format',
  /** Does not match the pattern of its kind of name or key. */
  pattern: 'pattern',
  /** Repeats an item of its list. */
  unique: 'unique',
  /** Not an e-mail address (core/rules.ts normalEmail). */
  email: 'email',
  /** Not an https URL. */
  url: 'url',
  /** Not an RFC 3339 date and time. */
  datetime: 'datetime',
  /** Not an IPv4 or IPv6 range in CIDR notation. */
  cidr: 'cidr',
  /** Not an IPv4 CIDR. */
  cidrV4: 'cidrv4',
  /** A CIDR with a prefix length outside the range allowed there. */
  cidrPrefix: 'cidr_prefix',
  /** A string or key that holds U+0000, which PostgreSQL text cannot store. */
  nul: 'nul',
  /** Not a cron expression, or a schedule the hibernation rules refuse. */
  cron: 'cron',
  /** Not a CPU or memory quantity (or one out of range). */
  quantity: 'quantity',
  /** Memory that is not twice the CPU. */
  ratio: 'ratio',
  /** Search text with no letter or digit in it (the log search matches whole words). */
  words: 'words',

  // ---- what the value names
  /** Names something that does not exist (or not where the request can see it). */
  exists: 'exists',
  /** Cannot be deleted or changed while something else still uses it. */
  inUse: 'in_use',
  /** Cannot change once set. */
  immutable: 'immutable',
  /** Disagrees with what another field names (a type or a provider other than its Deployment's). */
  mismatch: 'mismatch',
  /** Not acceptable for a reason its message gives (a search id, a role restricted elsewhere). */
  invalid: 'invalid',
  /** Breaks the rule of the default: one default node pool, the queue named default. */
  default: 'default',
  /** A network range that overlaps another range of the same request. */
  overlap: 'overlap',
  /** A version that was never uploaded for this deploy. */
  uploaded: 'uploaded',
  /** A notification channel outside what an alert of this Deployment may use. */
  scope: 'scope',
  /** Needs another Airflow runtime than the Deployment runs. */
  runtime: 'runtime',
  /** Names a cluster that is still being created. */
  ready: 'ready',
  /** A machine no node pool of the cluster supports. */
  nodepool: 'nodepool',
  /** A disaster-recovery region in another location than the cluster's region. */
  location: 'location',
  /** A time that must lie in the future and does not. */
  future: 'future',
  /** Disaster recovery cannot be turned off while the cluster is failed over. */
  failedOver: 'failed_over',
  /** Only development Deployments may have this (hibernation). */
  development: 'development',
  /** The Organization only allows dedicated clusters. */
  dedicated: 'dedicated',
  /** A deploy type that needs DAG deploys enabled on the Deployment. */
  dagDeploy: 'dag_deploy',
  /** A cluster that is not available to the Workspace. */
  workspace: 'workspace',
} as const;
export type FieldCode = (typeof FieldCode)[keyof typeof FieldCode];

export interface FieldError {
  code: FieldCode;
  field: string;
  message: string;
}

/**
 * `options.cause` is the error this one answers for (a driver error, a parse error): never sent,
 * it reaches the log through the error handler (http/error-handling.ts).
 */
export class ApiError extends Error {
  /** For a 503: how long the client should wait before trying again (the Retry-After header). */
  retryAfterSeconds?: number;

  constructor(
    readonly statusCode: number,
    message: string,
    readonly fieldErrors?: FieldError[],
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

export const badRequest = (message: string, fieldErrors?: FieldError[], options?: ErrorOptions) => new ApiError(400, message, fieldErrors, options);
export const unauthorized = (message = 'Unauthorized: a valid API token is required', options?: ErrorOptions) => new ApiError(401, message, undefined, options);
export const forbidden = (message = 'You do not have permission to perform this action', options?: ErrorOptions) => new ApiError(403, message, undefined, options);
export const notFound = (what: string, options?: ErrorOptions) => new ApiError(404, `${what} not found`, undefined, options);
export const conflict = (message: string, options?: ErrorOptions) => new ApiError(409, message, undefined, options);
export const preconditionFailed = (message: string, options?: ErrorOptions) => new ApiError(412, message, undefined, options);
/** A service the answer depends on (the container registry) is out of reach: 503, with Retry-After. */
export function unavailable(message: string, retryAfterSeconds: number, options?: ErrorOptions): ApiError {
  const err = new ApiError(503, message, undefined, options);
  err.retryAfterSeconds = retryAfterSeconds;
  return err;
}

/** One invalid field, as a 400 with a matching fieldErrors entry. */
export function invalidField(field: string, code: FieldCode, message: string, options?: ErrorOptions): ApiError {
  return badRequest(`Invalid request: ${message}`, [{ field, code, message }], options);
}

export interface ErrorBody {
  message: string;
  requestId: string;
  statusCode: number;
  fieldErrors?: FieldError[];
}

export function renderError(err: ApiError, requestId: string): ErrorBody {
  const body: ErrorBody = { message: err.message, requestId, statusCode: err.statusCode };
  if (err.fieldErrors && err.fieldErrors.length > 0) body.fieldErrors = err.fieldErrors;
  return body;
}

/**
 * A row that must exist, or the 404 for `what`. Also the read-back after a write: a concurrent
 * delete that committed first leaves nothing to read, and the answer is then a 404, not a crash.
 */
export function found<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw notFound(what);
  return value;
}
