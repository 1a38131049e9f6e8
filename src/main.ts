// `npm start`: runs the server until SIGINT or SIGTERM.
//
// npm start runs it with UV_THREADPOOL_SIZE=2 unless that is set. Each libuv thread that has checked a password keeps
// argon2's 19 MiB block in its own glibc arena for good (libuv's default 4 threads: 76 MiB more after a few sign-ins,
// under any later load); two threads keep 38 MiB and hash at most two passwords at once. glibc's knobs that return
// the block instead (MALLOC_MMAP_THRESHOLD_, MALLOC_TRIM_THRESHOLD_, MALLOC_ARENA_MAX) cost 5 to 60% more CPU per
// sign-in in page faults. It cannot be set from here: Node's ES module loader starts the pool, with 4 threads, to
// read this very file. Started another way (`node dist/server.js`, a service unit), set it there.
import { ConfigError, loadConfig } from './config.js';
import { startServer } from './server.js';

try {
  const config = loadConfig();
  const server = await startServer(config);
  const mail = config.smtpUrl ? 'mail goes out through SMTP_URL' : 'no SMTP_URL: mail waits in the outbox (npx carillon mail list)';
  server.app.log.info(`Carillon listening on ${server.url} (${server.services.engine}; ${mail})`);
  // A fresh installation has no administrator: print a one-time link that creates the first one. It is printed,
  // not logged, so the token stays out of log collectors.
  const setupLink = await server.services.admins.firstRunLink();
  if (setupLink) {
    process.stdout.write(`\nNo administrator yet. Open this one-time link within 24 hours to create the first one:\n\n    ${setupLink}\n\n(Lost it? Restart Carillon for a new one, or run: npx carillon admins create --email YOU --role full)\n\n`);
  } else {
    server.app.log.info(`Console: ${server.services.config.publicUrl}/console/`);
  }
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
