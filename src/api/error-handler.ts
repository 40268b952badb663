import type { FastifyError, FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { Refusal, type RefusalKind } from '../domain/refusal.ts';
import { type StoreFault, storeFaultOf } from '../store/store-health.ts';

/** The one error body of the API: what is wrong, and for bad input, which field and why. */
export interface ApiError {
  statusCode: number;
  error: string;
  message: string;
  issues?: Array<{ field: string; message: string }>;
}

/** Thrown by routes (the edge) for a 4xx that explains itself; the core throws a Refusal (src/domain/refusal.ts). */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly issues?: ApiError['issues'],
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** The HTTP status of each kind of refusal from the core. */
export const STATUS_OF: Record<RefusalKind, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  preconditionRequired: 428,
  tooLarge: 413,
  unsupportedType: 415,
  unprocessable: 422,
  rateLimited: 429,
  unavailable: 503,
};

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  503: 'Service Unavailable',
};

/**
 * Schema errors -> 400 naming each field; HttpError as it says; a Refusal from the core by its kind (STATUS_OF); a store fault (disk full, read-only) -> 503 saying
 * so; anything else -> 500 without internals. `onStoreFault` hears of each store fault (for /api/health).
 */
export function installErrorHandler(
  app: FastifyInstance,
  onStoreFault: (error: unknown) => void = () => undefined,
): void {
  app.setErrorHandler((err: FastifyError | HttpError | Refusal, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(err)) {
      const issues = err.validation.map((v) => ({
        field: [v.instancePath.replace(/^\//, '').replaceAll('/', '.')].filter(Boolean).join('') || '(body)',
        message: v.message ?? 'invalid',
      }));
      return reply.code(400).send({
        statusCode: 400,
        error: 'Bad Request',
        message: `invalid ${err.validationContext ?? 'request'}: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`,
        issues,
      } satisfies ApiError);
    }
    if (err instanceof HttpError || err instanceof Refusal) {
      const statusCode = err instanceof Refusal ? STATUS_OF[err.kind] : err.statusCode;
      return reply.code(statusCode).send({
        statusCode,
        error: REASONS[statusCode] ?? 'Error',
        message: err.message,
        ...(err.issues ? { issues: [...err.issues] } : {}),
      } satisfies ApiError);
    }
    const fault: StoreFault | null = storeFaultOf(err);
    if (fault) {
      // Every write is one transaction: refused whole, nothing half-written.
      onStoreFault(err);
      request.log.error({ err, url: request.url, method: request.method }, 'the store refused a write');
      return reply.code(503).send({
        statusCode: 503,
        error: 'Service Unavailable',
        message: `Skylt cannot save changes now: ${fault.reason} (${fault.code}). Nothing was changed; the signs keep playing what they show. Try again once the fault is fixed (see /api/health).`,
      } satisfies ApiError);
    }
    const status =
      typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status < 500) {
      return reply
        .code(status)
        .send({ statusCode: status, error: REASONS[status] ?? 'Error', message: err.message } satisfies ApiError);
    }
    request.log.error({ err, url: request.url, method: request.method }, 'request failed');
    return reply.code(500).send({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Skylt could not complete the request; the error is in its log',
    } satisfies ApiError);
  });
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({
      statusCode: 404,
      error: 'Not Found',
      message: `no route ${request.method} ${request.url}; the API is described at /docs`,
    } satisfies ApiError);
  });
}
