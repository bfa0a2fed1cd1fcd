/**
 * Every API error has a code from this one registry; the HTTP status is derived
 * from the code in one place (`httpStatus`), never chosen at the throw site.
 */

export const ERROR_CODES = {
  invalid_request: 400,
  // A path parameter longer than the router takes (server/index.ts routerOptions).
  uri_too_long: 414,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  // A browser page of an origin the server does not allow (server/origin.ts).
  forbidden_origin: 403,
  not_found: 404,
  unknown_app: 400,
  wrong_state: 409,
  retry_in_flight: 409,
  retry_limit: 409,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  backend_unavailable: 503,
  /** The data dir has no space for the write (docs/SEMANTICS.md "A full disk"). */
  storage_full: 507,
  internal: 500,
} as const;

export type ApiErrorCode = keyof typeof ERROR_CODES;

export interface ApiErrorBody {
  error: { code: ApiErrorCode; message: string; details?: unknown };
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: unknown
  ) {
    super(message);
    this.name = 'ApiError';
  }

  get status(): number {
    return httpStatus(this.code);
  }

  toJSON(): ApiErrorBody {
    const error: ApiErrorBody['error'] = { code: this.code, message: this.message };
    if (this.details !== undefined) error.details = this.details;
    return { error };
  }
}

export function httpStatus(code: ApiErrorCode): number {
  return ERROR_CODES[code] ?? 500;
}
