import type { FastifyInstance } from 'fastify';
import type { Workflow } from '../workflow/workflow.ts';
import { authRoutes } from './auth-routes.ts';
import { imageRoutes } from './image-routes.ts';
import { itemRoutes } from './item-routes.ts';
import { playlistRoutes } from './playlist-routes.ts';
import { userRoutes } from './user-routes.ts';

/** The content workflow's API: sign-in, users and tokens, items and images, the shared playlist, the audit log. */
export async function registerWorkflowRoutes(app: FastifyInstance, workflow: Workflow): Promise<void> {
  await app.register(authRoutes(workflow));
  await app.register(userRoutes(workflow));
  await app.register(itemRoutes(workflow));
  await app.register(imageRoutes(workflow));
  await app.register(playlistRoutes(workflow));
}
