/** Structured JSON logs (pino). Secrets and message contents are never logged. */
import pino, { type Logger } from 'pino';

export function createLogger(level: string, name = 'channelcheck'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['*.password', '*.appPassword', '*.token', 'req.headers.authorization', '*.authorization'], censor: '[redacted]' },
  });
}

export type { Logger };
