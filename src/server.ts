// Starts Carillon: configuration, services, HTTP server, background jobs, and a clean stop on SIGINT/SIGTERM.
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { createServices, type Services } from './app-services.js';
import type { Config } from './config.js';
import type { Clock } from './platform/clock.js';
import { createLogger } from './platform/logger.js';

export type RunningServer = { app: FastifyInstance; services: Services; url: string; stop: () => Promise<void> };

const HOUR_MS = 60 * 60 * 1000;

export async function startServer(config: Config, options: { clock?: Clock } = {}): Promise<RunningServer> {
  const logger = createLogger(config.logLevel);
  const services = await createServices(config, logger, options);
  const app = buildApp(services, logger);
  await app.listen({ port: config.port, host: config.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${port}`;

  // Accounts past their 90-day restore window are purged once an hour (and once at start).
  const purge = () =>
    services.accounts
      .purgeExpiredAccounts({ type: 'system', id: 'purge' })
      .then((ids) => ids.length > 0 && logger.info({ accounts: ids }, 'purged deleted accounts'))
      .catch((err: unknown) => logger.error({ err }, 'purging deleted accounts failed'));
  void purge();
  const purgeTimer = setInterval(purge, HOUR_MS);
  purgeTimer.unref();

  return {
    app,
    services,
    url,
    stop: async () => {
      clearInterval(purgeTimer);
      await app.close();
      await services.close();
    },
  };
}
