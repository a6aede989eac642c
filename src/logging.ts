/** Structured JSON logs (pino). Secrets and message contents are never logged. */
import { format } from 'node:util';
import pino, { type Logger } from 'pino';

export function createLogger(level: string, name = 'channelcheck'): Logger {
  return pino({
    name,
    level,
    redact: { paths: ['*.password', '*.appPassword', '*.token', 'req.headers.authorization', '*.authorization'], censor: '[redacted]' },
  });
}

/**
 * Sends what libraries print with console.* (botbuilder prints stack traces with console.error) through the
 * structured logger, so the process writes nothing but JSON lines. Called once by the composition root.
 */
export function routeConsoleTo(log: Logger): void {
  const to = (level: 'error' | 'warn' | 'info' | 'debug') => (...args: unknown[]) => {
    const err = args.find((a): a is Error => a instanceof Error);
    const rest = args.filter((a) => a !== err);
    log[level]({ source: 'console', ...(err ? { err } : {}) }, rest.length > 0 ? format(...rest) : (err?.message ?? ''));
  };
  console.error = to('error');
  console.warn = to('warn');
  console.info = to('info');
  console.log = to('info');
  console.debug = to('debug');
  console.trace = to('debug');
}

export type { Logger };
