// Structured JSON logs; credentials and personal secrets are redacted before anything is written.
import pino from 'pino';

export function createLogger(level: string) {
  return pino({
    level,
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', '*.SecretAccessKey', '*.secretAccessKey', '*.PersonalPIN', '*.password'],
      censor: '[redacted]',
    },
  });
}
