// `npm start`: runs the server until SIGINT or SIGTERM.
import { ConfigError, loadConfig } from './config.js';
import { startServer } from './server.js';

try {
  const config = loadConfig();
  const server = await startServer(config);
  const mail = config.smtpUrl ? 'mail goes out through SMTP_URL' : 'no SMTP_URL: mail waits in the outbox (npx carillon mail list)';
  server.app.log.info(`Carillon listening on ${server.url} (${server.services.engine}; ${mail})`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      server.app.log.info(`${signal}: stopping`);
      server.stop().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    });
  }
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(2);
  }
  throw e;
}
