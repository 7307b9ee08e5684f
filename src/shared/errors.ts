export type ErrorCode =
  | 'validation_failed'
  | 'unauthorized'
  | 'forbidden'
  | 'invalid_code'
  | 'not_found'
  | 'slug_taken'
  | 'insufficient_stock'
  | 'cart_has_errors'
  | 'cart_already_ordered'
  | 'store_closed'
  | 'invalid_transition'
  | 'idempotency_key_reused'
  | 'idempotency_key_in_use'
  | 'conflict'
  | 'invalid_coupon'
  | 'below_minimum_order'
  | 'total_changed'
  | 'outside_delivery_area'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'rate_limited'
  | 'unavailable'
  | 'uri_too_long'
  | 'request_too_large'
  | 'internal_error';

/** One field- or line-level problem inside a problem+json body. */
export interface ProblemItem {
  code: string;
  path?: string;
  variantId?: string;
  available?: number;
  message: string;
}

const TITLES: Record<ErrorCode, string> = {
  validation_failed: 'The request is not valid',
  unauthorized: 'Sign in required',
  invalid_code: 'The code is wrong or expired',
  not_found: 'Not found',
  slug_taken: 'That link is taken',
  insufficient_stock: 'Not enough stock',
  cart_has_errors: 'The cart has problems to fix',
  cart_already_ordered: 'This cart has already been ordered',
  store_closed: 'The store is closed',
  invalid_transition: 'That status change is not allowed',
  idempotency_key_reused: 'Idempotency-Key used for a different request',
  idempotency_key_in_use: 'A request with this Idempotency-Key is still running',
  conflict: 'Conflict',
  forbidden: 'Not allowed for your role',
  invalid_coupon: 'The coupon cannot be used',
  below_minimum_order: 'Below the minimum order',
  total_changed: 'The total changed since you saw it',
  outside_delivery_area: 'The store does not deliver there',
  payload_too_large: 'The request body is too large',
  unsupported_media_type: 'Unsupported content type',
  rate_limited: 'Too many requests',
  unavailable: 'Temporarily unavailable',
  uri_too_long: 'The address is too long',
  request_too_large: 'The request headers or query are too large',
  internal_error: 'Something went wrong',
};

/** The one HTTP status of each code (validation_failed is 422 where the contract says so: see validationFailed). */
const STATUS: Record<ErrorCode, number> = {
  validation_failed: 400,
  unauthorized: 401,
  invalid_code: 401,
  forbidden: 403,
  not_found: 404,
  slug_taken: 409,
  insufficient_stock: 409,
  cart_has_errors: 409,
  cart_already_ordered: 409,
  store_closed: 409,
  invalid_transition: 409,
  idempotency_key_reused: 409,
  idempotency_key_in_use: 409,
  conflict: 409,
  invalid_coupon: 422,
  below_minimum_order: 422,
  total_changed: 409,
  outside_delivery_area: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  uri_too_long: 414,
  request_too_large: 431,
  internal_error: 500,
};

export interface AppErrorOptions {
  /** Response headers, e.g. Retry-After. */
  headers?: Record<string, string>;
  /** More members of the problem body: `total_changed` carries the current `cart`. */
  extra?: Record<string, unknown>;
  /** Only for validation_failed, which is 422 for a well-formed request whose values the rules refuse. */
  status?: 400 | 422;
}

/**
 * An expected failure with its stable code (the HTTP status comes from STATUS), rendered as RFC 9457 problem
 * details.
 */
export class AppError extends Error {
  readonly status: number;
  readonly headers?: Record<string, string>;
  readonly extra?: Record<string, unknown>;
  constructor(
    readonly code: ErrorCode,
    detail?: string,
    readonly errors?: ProblemItem[],
    options: AppErrorOptions = {},
  ) {
    super(detail ?? TITLES[code]);
    this.name = 'AppError';
    this.status = options.status ?? STATUS[code];
    if (options.headers) this.headers = options.headers;
    if (options.extra) this.extra = options.extra;
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  errors?: ProblemItem[];
  [member: string]: unknown;
}

export function toProblem(
  status: number,
  code: ErrorCode,
  detail?: string,
  errors?: ProblemItem[],
  extra?: Record<string, unknown>,
): Problem {
  const problem: Problem = {
    ...extra,
    type: `https://dukaan.dev/problems/${code}`,
    title: TITLES[code],
    status,
    code,
    detail: detail ?? TITLES[code],
  };
  if (errors?.length) problem.errors = errors;
  return problem;
}

export const notFound = (what = 'Not found') => new AppError('not_found', what);
export const validationFailed = (detail: string, errors?: ProblemItem[], status: 400 | 422 = 400) =>
  new AppError('validation_failed', detail, errors, { status });
export const conflict = (detail: string) => new AppError('conflict', detail);
export const forbidden = (detail: string) => new AppError('forbidden', detail);

/** 409: the cart became an order; the customer starts a new one. The one wording of every layer. */
export function cartAlreadyOrdered(): AppError {
  return new AppError('cart_already_ordered', 'This cart has already been ordered; start a new cart');
}
