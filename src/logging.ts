/**
 * Logs (pino). Production: one JSON object per line, for Application Insights or any log store. Elsewhere, by
 * default: one readable line per event (pino-pretty), the same fields (LOG_FORMAT chooses). What a line may hold: ids (Entra object ids, tenant ids, decision, approval,
 * escalation and outbox ids, the correlation id of the activity), kinds, counts, statuses and error codes.
 * Never names, case references, free text a user typed, card contents, tokens or secrets.
 *
 * Secrets are kept out twice over: pino's `redact` censors the fields that hold them (the app password, client
 * secrets, connection strings, Authorization headers), and every line is scrubbed, as it is written, of the
 * configured secret values themselves (MicrosoftAppPassword, the DATABASE_URL password and whole URL), wherever
 * they appear: an error message from a driver, a URL, a stack.
 */
import { format } from 'node:util';
import pino, { type DestinationStream, type Logger } from 'pino';
import pretty from 'pino-pretty';

export const REDACT_PATHS = [
  'password',
  '*.password',
  'appPassword',
  '*.appPassword',
  '*.*.appPassword',
  'MicrosoftAppPassword',
  '*.MicrosoftAppPassword',
  'clientSecret',
  '*.clientSecret',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'connectionString',
  '*.connectionString',
  'DATABASE_URL',
  '*.DATABASE_URL',
  'authorization',
  '*.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
];

/** The secret values found in the environment: what must never appear in a log line. */
export function secretValues(env: NodeJS.ProcessEnv): string[] {
  const values = new Set<string>();
  const add = (v: string | undefined | null) => {
    const t = v?.trim();
    if (t && t.length >= 6) values.add(t);
  };
  add(env.MicrosoftAppPassword);
  const url = env.DATABASE_URL?.trim();
  if (url) {
    add(url);
    try {
      const parsed = new URL(url);
      add(decodeURIComponent(parsed.password));
      add(parsed.password);
    } catch {
      /* not a URL: the whole value is scrubbed */
    }
  }
  return [...values].sort((a, b) => b.length - a.length);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export interface LoggerOptions {
  name?: string;
  /** Where the JSON lines go (default stdout). */
  destination?: DestinationStream;
  /** Whose secret values are scrubbed from every line (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** One readable line per event (pino-pretty) instead of JSON; ignored when `destination` is given. */
  readable?: boolean;
}

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const secrets = secretValues(options.env ?? process.env);
  // A secret may appear JSON-escaped in a line (quotes, backslashes): scrub both spellings.
  const spellings = [...new Set(secrets.flatMap((s) => [s, JSON.stringify(s).slice(1, -1)]))];
  const pattern = spellings.length > 0 ? new RegExp(spellings.map(escapeRegExp).join('|'), 'g') : null;
  const settings: pino.LoggerOptions = {
    name: options.name ?? 'channelcheck',
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    hooks: pattern === null ? {} : { streamWrite: (line: string) => line.replace(pattern, '[redacted]') },
  };
  if (options.destination) return pino(settings, options.destination);
  if (!options.readable) return pino(settings);
  // Synchronous, so a line is never lost on exit; ids stay on the line, in key=value form.
  return pino(settings, pretty({ sync: true, singleLine: true, colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,name' }));
}

/**
 * A logger for lines whose fields are fixed and hold no secret: the one line per HTTP request (method, path,
 * status, milliseconds: never a body or a header) and the one line per decision (ids, outcome, counts). It
 * skips pino's per-field redaction walk (about 17 µs and tens of kilobytes of garbage a line); the scrubbing
 * of configured secret values from the written line still applies. Never for a line that may carry an error,
 * a request or configuration.
 */
export function fixedFieldsLog(log: Logger): Logger {
  return log.child({}, { redact: [] });
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
