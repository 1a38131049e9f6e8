// Structured JSON logs; credentials and personal secrets are redacted before anything is written.
import type { FastifyBaseLogger } from 'fastify';
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
type LogMethod = Logger['info'];
const LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
const silent: LogMethod = () => {};

/**
 * Fastify's per-request logger, bound to the request id only when something is written: a pino child costs a few
 * microseconds on every request, and at the usual levels most requests write nothing. Levels that are off are
 * no-ops; the others, and child(), make the bound child on first use and go through it. (A plain object: one made
 * with Object.create(parent) on every request kept the heap growing.)
 */
export function lazyRequestLogger(parent: Logger, bindings: pino.Bindings, options: pino.ChildLoggerOptions): FastifyBaseLogger {
  let bound: Logger | undefined;
  const child = () => (bound ??= parent.child(bindings, options));
  const method = (level: (typeof LEVELS)[number]): LogMethod =>
    parent.isLevelEnabled(level) ? (((...args: Parameters<LogMethod>) => child()[level](...args)) as LogMethod) : silent;
  return {
    level: parent.level,
    fatal: method('fatal'),
    error: method('error'),
    warn: method('warn'),
    info: method('info'),
    debug: method('debug'),
    trace: method('trace'),
    silent,
    child: (b, o) => child().child(b, o),
  };
}
