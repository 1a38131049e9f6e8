// Starts Carillon: configuration, services (and the job runner), the HTTP server, and a clean stop.
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { createServices, type ComposeOptions, type ComposedServices } from './app-services.js';
import type { Config } from './config.js';
import { createLogger } from './platform/logger.js';

export type RunningServer = { app: FastifyInstance; services: ComposedServices; url: string; stop: () => Promise<void> };

export async function startServer(config: Config, options: ComposeOptions = {}): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const services = await createServices(config, logger, options);
  const app = await buildApp(services, logger);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;
  return {
    app,
    services,
    url,
    stop: async () => {
      await app.close();
      await services.close();
    },
  };
}
