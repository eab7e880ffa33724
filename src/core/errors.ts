/**
 * The error catalogue and its one renderer. Every failure the API reports is an ApiError and
 * leaves the server as `{message, requestId, statusCode, fieldErrors?}`.
 */
export interface FieldError {
  code: string;
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly fieldErrors?: FieldError[],
  ) {
    super(message);
  }
}

export const badRequest = (message: string, fieldErrors?: FieldError[]) => new ApiError(400, message, fieldErrors);
export const unauthorized = (message = 'Unauthorized: a valid API token is required') => new ApiError(401, message);
export const forbidden = (message = 'You do not have permission to perform this action') => new ApiError(403, message);
export const notFound = (what: string) => new ApiError(404, `${what} not found`);
export const conflict = (message: string) => new ApiError(409, message);
export const preconditionFailed = (message: string) => new ApiError(412, message);

/** One invalid field, as a 400 with a matching fieldErrors entry. */
export function invalidField(field: string, code: string, message: string): ApiError {
  return badRequest(`Invalid request: ${message}`, [{ field, code, message }]);
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
