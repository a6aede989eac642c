/**
 * The HTTP server: POST /api/messages for Teams, GET /healthz (the process is up) and GET /readyz (the store
 * answers and the policy packs are loaded; a failing check is named in fixed words, its error only logged). A
 * message is refused before anything reads it unless it is a small uncompressed JSON document (src/server/jsonRequestBody.ts) and, when bot credentials are configured,
 * carries an Authorization header. Every response carries the security headers and no `Server` banner;
 * a refusal says what was wrong with the request, and a failure inside says nothing but that it failed.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import restify from 'restify';
import { HttpRefusal } from './httpRefusal';
import { type BodyLimits, readJsonBody } from './jsonRequestBody';
import { securityHeaders, setSecurityHeaders } from './securityHeaders';
import { fixedFieldsLog } from '../logging';

export interface ReadinessCheck {
  name: string;
  /** Throws when not ready. */
  check: () => Promise<void>;
  /**
   * What /readyz says when the check fails: fixed words chosen by the application, never the error's own text
   * (a database driver's message can name hosts, users or files). The error itself goes to the log.
   * Without it: `<name>: not ready`.
   */
  explain?: (error: unknown) => string;
  /** A failing advisory check is reported in /readyz but does not make the instance unready. */
  advisory?: boolean;
}

/** One inbound activity as the bot needs it: the parsed JSON body and the Authorization header. */
export interface ActivityRequest {
  body: unknown;
  authorization: string | undefined;
}

export interface ActivityResponse {
  status: number;
  body?: unknown;
}

export interface HttpServerDeps {
  /**
   * Hands one activity to the bot (src/bot/messageEndpoint.ts): the server knows nothing of botbuilder. It may
   * throw an HttpRefusal (400, 401, 503 …) to answer with that status and its public message.
   */
  processActivity: (request: ActivityRequest) => Promise<ActivityResponse>;
  readiness: ReadinessCheck[];
  log: Logger;
  /** Adds HSTS. */
  production: boolean;
  /** Refuse a message without an Authorization header before reading its body (whenever credentials are set). */
  requireAuthorization: boolean;
}

export const MAX_BODY_BYTES = 256 * 1024;
export const MAX_BODY_DEPTH = 32;
const LIMITS: BodyLimits = { maxBytes: MAX_BODY_BYTES, maxDepth: MAX_BODY_DEPTH };

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    ...(text ? { 'Content-Type': 'application/json; charset=utf-8' } : {}),
    'Content-Length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

/**
 * After refusing a request whose body has not been read: throw away what is still coming, so that the client
 * (still sending) reads the answer rather than a reset, but never more than MAX_DISCARD_BYTES; then cut the
 * connection. Nothing is kept, so this costs no memory.
 */
export const MAX_DISCARD_BYTES = 8 * 1024 * 1024;
function discardRest(req: IncomingMessage): void {
  let discarded = 0;
  req.removeAllListeners('data');
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > MAX_DISCARD_BYTES) req.socket.destroy();
  });
  req.resume();
}

/** Answers a request the HTTP parser could not read (unknown method, oversized headers) with the same headers. */
function answerClientError(production: boolean) {
  return (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : 400;
    const headers = Object.entries(securityHeaders(production)).map(([k, v]) => `${k}: ${v}\r\n`).join('');
    socket.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n${headers}Connection: close\r\nContent-Length: 0\r\n\r\n`);
  };
}

export function createHttpServer({ processActivity, readiness, log, production, requireAuthorization }: HttpServerDeps): restify.Server {
  // name '' : restify sends no Server header.
  const server = restify.createServer({ name: '', handleUncaughtExceptions: false });
  server.server.on('clientError', answerClientError(production));
  // Bound the time a client may take to send its headers and its body.
  server.server.headersTimeout = 20_000;
  server.server.requestTimeout = 30_000;
  server.pre((req, res, next) => {
    setSecurityHeaders(res, production);
    next();
  });

  server.post('/api/messages', async (req, res) => {
    const raw = req as unknown as IncomingMessage;
    try {
      const authorization = raw.headers.authorization;
      if (requireAuthorization && !authorization) throw new HttpRefusal(401, 'an Authorization header is required');
      const body = await readJsonBody(raw, LIMITS);
      const answer = await processActivity({ body, authorization });
      sendJson(res, answer.status, answer.body);
    } catch (e) {
      if (!raw.complete) discardRest(raw);
      if (e instanceof HttpRefusal) {
        log.warn({ status: e.status, path: '/api/messages', reason: e.publicMessage }, 'request refused');
        sendJson(res, e.status, { error: e.publicMessage }, e.headers);
      } else {
        log.error({ err: e }, 'could not process an activity');
        sendJson(res, 500, { error: 'ChannelCheck could not process the activity' });
      }
    }
  });

  server.get('/healthz', async (_req, res) => {
    sendJson(res, 200, { status: 'ok' });
  });

  server.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      readiness.map(async (r) => {
        try {
          await r.check();
          return { name: r.name, ok: true };
        } catch (e) {
          log.warn({ check: r.name, err: e }, 'readiness check failed');
          return { name: r.name, ok: false, error: r.explain?.(e) ?? `${r.name}: not ready`, ...(r.advisory ? { advisory: true } : {}) };
        }
      }),
    );
    const ok = results.every((r, i) => r.ok || readiness[i]?.advisory === true);
    sendJson(res, ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', checks: results });
  });

  // One line per request: method, path without the query, status, time. Never bodies or headers.
  const perRequest = fixedFieldsLog(log);
  server.on('after', (req: restify.Request, res: restify.Response) => {
    perRequest.info({ method: req.method, path: req.path(), status: res.statusCode, ms: Date.now() - req.time() }, 'request');
  });

  server.on('restifyError', (req, _res, err, callback) => {
    log.warn({ status: (err as { statusCode?: number }).statusCode, path: req.path(), message: err.message }, 'request refused');
    callback();
  });
  return server;
}
