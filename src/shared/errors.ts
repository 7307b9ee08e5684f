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
  | 'forbidden'
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

/** An expected failure with its HTTP status and stable code; rendered as RFC 9457 problem details. */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode,
    detail?: string,
    readonly errors?: ProblemItem[],
    readonly headers?: Record<string, string>,
    /** More members of the problem body: `total_changed` carries the current `cart`. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(detail ?? TITLES[code]);
    this.name = 'AppError';
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

export const notFound = (what = 'Not found') => new AppError(404, 'not_found', what);
export const validationFailed = (detail: string, errors?: ProblemItem[], status = 400) =>
  new AppError(status, 'validation_failed', detail, errors);
export const conflict = (detail: string) => new AppError(409, 'conflict', detail);
export const forbidden = (detail: string) => new AppError(403, 'forbidden', detail);

/** 409: the cart became an order; the customer starts a new one. The one wording of every layer. */
export function cartAlreadyOrdered(): AppError {
  return new AppError(409, 'cart_already_ordered', 'This cart has already been ordered; start a new cart');
}
