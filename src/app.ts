import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { crisisRoutes } from './api/crisis-routes.ts';
import { installErrorHandler } from './api/error-handler.ts';
import { healthRoutes } from './api/health-routes.ts';
import { metricsRoutes } from './api/metrics-routes.ts';
import { signRoutes } from './api/sign-routes.ts';
import type { Runtime } from './runtime.ts';

export interface AppOptions {
  runtime: Runtime;
  version: string;
  logger: Logger | false;
}

/** The HTTP app: plugins, then routes, then one error handler. No I/O at import time. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app: FastifyInstance = Fastify(
    options.logger ? { loggerInstance: options.logger as FastifyBaseLogger } : { logger: false },
  ) as unknown as FastifyInstance;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app);

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'Skylt',
        description: 'Controller for the E20 LED signs at Vara: shared playlist, road-safe rendering, crisis takeover.',
        version: options.version,
      },
    },
    transform: jsonSchemaTransform,
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  await app.register(healthRoutes(options.runtime, options.version));
  await app.register(signRoutes(options.runtime));
  await app.register(metricsRoutes(options.runtime));
  await app.register(crisisRoutes(options.runtime.crisis, () => options.runtime.clock.now()));
  return app;
}
