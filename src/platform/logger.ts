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
type Level = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';

/**
 * Fastify's per-request logger, bound to the request id only when something is written: a pino child costs a few
 * microseconds on every request, and at the usual levels most requests write nothing. Levels that are off write
 * nothing; the others, and child(), make the bound child on first use and go through it. The methods live on the
 * class, so a request's logger is one small object. (One made with Object.create(parent) on every request kept
 * the heap growing.)
 */
class LazyRequestLogger {
  private bound: Logger | undefined;

  constructor(
    private readonly parent: Logger,
    private readonly bindings: pino.Bindings,
    private readonly options: pino.ChildLoggerOptions,
  ) {}

  get level(): string {
    return this.parent.level;
  }

  private write(level: Level, args: Parameters<LogMethod>): void {
    if (this.parent.isLevelEnabled(level)) (this.bound ??= this.parent.child(this.bindings, this.options))[level](...args);
  }

  fatal(...args: Parameters<LogMethod>): void {
    this.write('fatal', args);
  }
  error(...args: Parameters<LogMethod>): void {
    this.write('error', args);
  }
  warn(...args: Parameters<LogMethod>): void {
    this.write('warn', args);
  }
  info(...args: Parameters<LogMethod>): void {
    this.write('info', args);
  }
  debug(...args: Parameters<LogMethod>): void {
    this.write('debug', args);
  }
  trace(...args: Parameters<LogMethod>): void {
    this.write('trace', args);
  }
  silent(): void {}

  child(bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger {
    return (this.bound ??= this.parent.child(this.bindings, this.options)).child(bindings, options);
  }
}

export function lazyRequestLogger(parent: Logger, bindings: pino.Bindings, options: pino.ChildLoggerOptions): FastifyBaseLogger {
  return new LazyRequestLogger(parent, bindings, options) as unknown as FastifyBaseLogger;
}
