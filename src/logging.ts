/**
 * Logs (pino). Production: one JSON object per line, for Application Insights or any log store. Elsewhere:
 * one readable line per event (pino-pretty), the same fields. Secrets and message contents are never logged.
 */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export function createLogger(level: string, options: { name?: string; readable?: boolean } = {}): Logger {
  const settings = {
    name: options.name ?? 'channelcheck',
    level,
    redact: { paths: ['*.password', '*.appPassword', '*.token', 'req.headers.authorization', '*.authorization'], censor: '[redacted]' },
  };
  if (!options.readable) return pino(settings);
  // Synchronous, so a line is never lost on exit; ids stay on the line, in key=value form.
  return pino(settings, pretty({ sync: true, singleLine: true, colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' }));
}

export type { Logger };
