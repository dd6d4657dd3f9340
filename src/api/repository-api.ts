/**
 * The token-protected half of `farm api`: the upload route (twine and remote
 * workers) and the worker API (hello, published wheels, build logs). Tokens
 * come from the server's private token file (`farm tokens`).
 */
import type { FastifyInstance } from 'fastify';
import type { FarmConfig } from '../config/schema.js';
import { scopeCatalog } from '../tokens/token-scope.js';
import { TokenStore } from '../tokens/token-store.js';
import { TokenGuard } from './auth/token-guard.js';
import { registerUploadRoute } from './upload/upload-route.js';
import { registerWorkerRoutes } from './worker-api/worker-routes.js';

/** Registers the upload and worker routes on `app`. */
export async function registerRepositoryApi(app: FastifyInstance, config: FarmConfig, tokens: TokenStore = TokenStore.of(config)): Promise<void> {
  const catalog = scopeCatalog(config);
  const guard = new TokenGuard(tokens, catalog);
  await registerUploadRoute(app, { config, guard, catalog });
  await registerWorkerRoutes(app, { config, guard, catalog });
}
