import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { OpenAPIV3 } from 'openapi-types';
import type { Logger } from 'pino';
import { installAuth } from './api/auth-hooks.ts';
import { crisisRoutes } from './api/crisis-routes.ts';
import { installErrorHandler } from './api/error-handler.ts';
import { healthRoutes } from './api/health-routes.ts';
import { metricsRoutes } from './api/metrics-routes.ts';
import { completeOpenApi } from './api/openapi.ts';
import { reportRoutes } from './api/report-routes.ts';
import { scheduleRoutes } from './api/schedule-routes.ts';
import { signRoutes } from './api/sign-routes.ts';
import { webRoutes } from './api/web-routes.ts';
import { registerWorkflowRoutes } from './api/workflow-routes.ts';
import type { Runtime } from './runtime.ts';

export interface AppOptions {
  runtime: Runtime;
  version: string;
  logger: Logger | false;
}

/** The HTTP app: plugins, then routes, then one error handler. No I/O at import time. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify(
    // One line per request (below), not fastify's two ("incoming request" and "request completed").
    options.logger
      ? {
          loggerInstance: options.logger as FastifyBaseLogger,
          logController: new LogController({ disableRequestLogging: true }),
        }
      : { logger: false },
  ) as unknown as FastifyInstance;
  if (options.logger) logEachRequestOnce(app);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app, (error) => options.runtime.storeHealth.failed(error));
  // Before any route, so every route is seen by the access policy.
  await installAuth(app, options.runtime.workflow);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Skylt',
        description: 'Controller for the E20 LED signs at Vara: shared playlist, road-safe rendering, crisis takeover.',
        version: options.version,
      },
      components: {
        securitySchemes: {
          session: {
            type: 'apiKey',
            in: 'cookie',
            name: 'skylt_session',
            description: 'POST /api/auth/login; changes also need the X-CSRF-Token header',
          },
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'an API token from POST /api/tokens or `skylt token create`',
          },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    transform: jsonSchemaTransform,
    // Who may call what, the shared refusals, operationIds and CSV, from the access policy (src/api/openapi.ts).
    transformObject: (documents) =>
      'openapiObject' in documents
        ? completeOpenApi(documents.openapiObject as OpenAPIV3.Document)
        : documents.swaggerObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes(options.runtime, options.version));
  await app.register(signRoutes(options.runtime));
  await registerWorkflowRoutes(app, options.runtime.workflow);
  await app.register(metricsRoutes(options.runtime));
  await app.register(crisisRoutes(options.runtime.crisis, () => options.runtime.clock.now()));
  await app.register(scheduleRoutes(options.runtime));
  await app.register(reportRoutes(options.runtime));
  await app.register(webRoutes());
  // The running parts close with the app, after the last request has been answered (fastify's onClose order).
  app.addHook('onClose', () => options.runtime.stop());
  // No sign-in before the first admin exists (its hash was made while the routes were set up).
  await options.runtime.ready;
  return app;
}

/**
 * Each request is logged once, when its answer has gone out: method, path, status, time taken and who asked. The
 * UI's own files and the sign mirror's polling (a frame a second per sign) go at debug, so they do not bury the rest.
 */
function logEachRequestOnce(app: FastifyInstance): void {
  app.addHook('onResponse', async (request, reply) => {
    const url = request.url;
    const quiet =
      reply.statusCode < 400 &&
      request.method === 'GET' &&
      (url.startsWith('/assets/') || /^\/api\/signs\/[^/]+\/frame\.png/.test(url) || url === '/api/health');
    const entry = {
      method: request.method,
      url,
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 10) / 10,
      ...(request.user ? { user: request.user.username } : {}),
    };
    if (reply.statusCode >= 500) request.log.error(entry, 'request');
    else if (quiet) request.log.debug(entry, 'request');
    else request.log.info(entry, 'request');
  });
}
