// Structured JSON logs; credentials and personal secrets are redacted before anything is written.
import pino from 'pino';

/** `destination` defaults to standard output. */
export function createLogger(level: string, destination?: pino.DestinationStream) {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'SecretAccessKey', 'secretAccessKey', 'PersonalPIN', 'password', '*.SecretAccessKey', '*.secretAccessKey', '*.PersonalPIN', '*.password'],
      censor: '[redacted]',
    },
  }, destination);
}

type Logger = ReturnType<typeof createLogger>;
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;

/**
 * Fastify's per-request child logger, bound to the request id only when something is written: a pino child costs
 * a few microseconds on every request, and at the usual levels most requests write nothing. Levels that are off
 * stay the parent's no-ops; the others, and child(), make the bound child on first use and go through it.
 */
export function lazyRequestLogger(parent: Logger, bindings: pino.Bindings, options: pino.ChildLoggerOptions): Logger {
  let bound: Logger | undefined;
  const child = () => (bound ??= parent.child(bindings, options));
  const lazy = Object.create(parent) as Logger;
  for (const level of LEVELS) {
    if (parent.isLevelEnabled(level)) lazy[level] = ((...args: Parameters<Logger['info']>) => child()[level](...args)) as Logger['info'];
  }
  lazy.child = (b, o) => child().child(b, o);
  return lazy;
}
