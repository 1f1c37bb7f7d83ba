/**
 * The error shape of the contract. Kept apart from the zod schemas so that the renderer's client can throw and
 * recognise API errors without bundling every schema.
 */

export const API_ERROR_CODES = [
  'bad_request',
  'not_found',
  'forbidden',
  'conflict',
  'internal',
  'unavailable',
  'cancelled',
] as const;

export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

/** Errors cross transports as this shape, so the renderer can show `message` and branch on `code`. */
export interface ApiErrorShape {
  code: ApiErrorCode;
  message: string;
}

export class ApiError extends Error implements ApiErrorShape {
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function isApiErrorCode(value: unknown): value is ApiErrorCode {
  return typeof value === 'string' && (API_ERROR_CODES as readonly string[]).includes(value);
}

/** Reads an error shape from untrusted wire data, or undefined when it is not one. */
export function parseWireError(value: unknown): ApiError | undefined {
  if (typeof value === 'object' && value !== null) {
    const { code, message } = value as { code?: unknown; message?: unknown };
    if (isApiErrorCode(code) && typeof message === 'string') return new ApiError(code, message);
  }
  return undefined;
}

/** Like parseWireError, but anything malformed becomes an `internal` error. */
export function apiErrorFromWire(value: unknown): ApiError {
  return parseWireError(value) ?? new ApiError('internal', 'malformed error from the server');
}
