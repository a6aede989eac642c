/**
 * The HTTP server: POST /api/messages for Teams, GET /healthz (the process is up) and GET /readyz (the store
 * answers and the policy packs are loaded). Bodies over 256 KB or not JSON are refused with 4xx.
 */
import type { Logger } from 'pino';
import restify from 'restify';

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
  /** A failing advisory check is reported in /readyz but does not make the instance unready. */
  advisory?: boolean;
}

export interface HttpServerDeps {
  /** Hands one request to the bot (src/bot/messageEndpoint.ts): the server knows nothing of botbuilder. */
  processActivity: (req: restify.Request, res: restify.Response) => Promise<void>;
  readiness: ReadinessCheck[];
  log: Logger;
}

export const MAX_BODY_BYTES = 256 * 1024;

export function createHttpServer({ processActivity, readiness, log }: HttpServerDeps): restify.Server {
  const server = restify.createServer({ name: 'channelcheck', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_BODY_BYTES, mapParams: false, rejectUnknown: true }));

  server.post('/api/messages', async (req, res) => {
    const body = req.body as { type?: unknown } | undefined;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof body.type !== 'string') {
      res.send(400, { error: 'the body must be a Bot Framework activity (JSON object with a type)' });
      return;
    }
    try {
      await processActivity(req, res);
    } catch (e) {
      log.error({ err: e }, 'could not process an activity');
      if (!res.headersSent) res.send(500, { error: 'could not process the activity' });
    }
  });

  server.get('/healthz', async (_req, res) => {
    res.send(200, { status: 'ok' });
  });

  server.get('/readyz', async (_req, res) => {
    const results = await Promise.all(
      readiness.map(async (r) => {
        try {
          await r.check();
          return { name: r.name, ok: true };
        } catch (e) {
          return { name: r.name, ok: false, error: (e as Error).message, ...(r.advisory ? { advisory: true } : {}) };
        }
      }),
    );
    const ok = results.every((r, i) => r.ok || readiness[i]?.advisory === true);
    res.send(ok ? 200 : 503, { status: ok ? 'ready' : 'not ready', checks: results });
  });

  // One line per request: method, path without the query, status, time. Never bodies or headers.
  server.on('after', (req: restify.Request, res: restify.Response) => {
    log.info({ method: req.method, path: req.path(), status: res.statusCode, ms: Date.now() - req.time() }, 'request');
  });

  server.on('restifyError', (req, res, err, callback) => {
    log.warn({ status: (err as { statusCode?: number }).statusCode, path: req.path(), message: err.message }, 'request refused');
    callback();
  });
  return server;
}
