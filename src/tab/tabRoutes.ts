/**
 * The tab on the bot's own server: the page under /tab/ and its JSON API under /api/tab/.
 *
 * Every API request is signed in before anything else happens: the Authorization header must carry a token
 * the verifier accepts (Teams SSO, or the development sign-in when it is on), or the answer is 401 and no
 * data is read. The person acting is the token's, and the data comes from the same services, rules and view
 * data the bot's cards are made from; the tab never reads the store itself.
 */
import type { IncomingMessage } from 'node:http';
import type { Logger } from 'pino';
import type restify from 'restify';
import { z } from 'zod';
import type { UserRateLimiter } from '../limits/userRateLimiter';
import { HttpRefusal } from '../server/httpRefusal';
import { sendJson } from '../server/httpServer';
import { readJsonBody } from '../server/jsonRequestBody';
import type { Actor } from '../services/actor';
import { UserFacingError } from '../services/userFacingError';
import type { DevSignIn } from './devSignIn';
import { serveTabAsset } from './tabAssets';
import type { TabTokenVerifier } from './tabTokenVerifier';

/** What the API's routes answer with, for the person signed in. */
export interface TabApi {
  /** GET routes: path under /api/tab/ → view data for the actor. */
  get: Record<string, (actor: Actor, params: Record<string, string>) => Promise<unknown>>;
  /** POST routes: path under /api/tab/ → the action's result for the actor, from the parsed JSON body. */
  post: Record<string, (actor: Actor, params: Record<string, string>, body: unknown) => Promise<unknown>>;
}

export interface TabRouteDeps {
  verify: TabTokenVerifier;
  devSignIn: DevSignIn | null;
  limiter: UserRateLimiter;
  api: TabApi;
  assetsDir: string;
  log: Logger;
}

const BODY_LIMITS = { maxBytes: 16 * 1024, maxDepth: 8 };
const devSignInBody = z.strictObject({ aadObjectId: z.string().trim().min(1).max(64) });

function refusalFor(error: unknown, log: Logger, path: string): HttpRefusal {
  if (error instanceof HttpRefusal) return error;
  if (error instanceof UserFacingError) {
    // The services' own words and status: a refusal to open a record reads the same as a missing record.
    const status = error.code.endsWith('_not_found') ? 404 : error.status >= 400 && error.status < 500 ? error.status : error.status >= 500 ? 503 : 400;
    return new HttpRefusal(status, `${error.title}. ${error.advice}`.replace(/\*\*/g, ''));
  }
  log.error({ err: error, path }, 'the tab API failed');
  return new HttpRefusal(500, 'ChannelCheck could not answer; try again');
}

export function registerTabRoutes(server: restify.Server, deps: TabRouteDeps): void {
  const { log } = deps;

  const answer = (res: restify.Response, error: unknown, path: string) => {
    const refusal = refusalFor(error, log, path);
    if (refusal.status !== 404) log.warn({ status: refusal.status, path, reason: refusal.publicMessage }, 'tab request refused');
    sendJson(res, refusal.status, { error: refusal.publicMessage }, refusal.headers);
  };

  /** Signs the request in, applies the per-user limit, and hands the actor to `handle`. */
  const signedIn =
    (handle: (actor: Actor, req: restify.Request) => Promise<unknown>) =>
    async (req: restify.Request, res: restify.Response) => {
      const raw = req as unknown as IncomingMessage;
      try {
        const user = await deps.verify(raw.headers.authorization);
        const rate = await deps.limiter.consume(`${user.tenantId}:${user.aadObjectId}`);
        if (!rate.allowed) throw new HttpRefusal(429, 'too many requests; wait a moment', { 'Retry-After': String(Math.max(1, Math.ceil(rate.retryAfterMs / 1000))) });
        const actor: Actor = { aadObjectId: user.aadObjectId, tenantId: user.tenantId, conversationId: null, displayName: user.name ?? 'You' };
        sendJson(res, 200, await handle(actor, req));
      } catch (error) {
        if (!raw.complete) raw.resume();
        answer(res, error, req.path());
      }
    };

  for (const [path, view] of Object.entries(deps.api.get)) {
    server.get(`/api/tab/${path}`, signedIn((actor, req) => view(actor, stringParams(req.params))));
  }
  for (const [path, action] of Object.entries(deps.api.post)) {
    server.post(
      `/api/tab/${path}`,
      signedIn(async (actor, req) => action(actor, stringParams(req.params), await readJsonBody(req as unknown as IncomingMessage, BODY_LIMITS))),
    );
  }

  if (deps.devSignIn) {
    const dev = deps.devSignIn;
    log.warn('the tab\'s local development sign-in is ON: anyone reaching this server can act as anyone in the directory file');
    server.get('/api/tab/dev/people', async (_req, res) => {
      sendJson(res, 200, { tenantId: dev.tenantId, people: dev.people });
    });
    server.post('/api/tab/dev/sign-in', async (req, res) => {
      try {
        const parsed = devSignInBody.safeParse(await readJsonBody(req as unknown as IncomingMessage, BODY_LIMITS));
        if (!parsed.success) throw new HttpRefusal(400, `aadObjectId: ${parsed.error.issues[0]?.message ?? 'required'}`);
        sendJson(res, 200, await dev.signIn(parsed.data.aadObjectId));
      } catch (error) {
        answer(res, error, req.path());
      }
    });
  }

  // Anything else under /api/tab/ is signed in first too: without a valid token it is a 401, not a 404.
  const notFound = signedIn(async () => {
    throw new HttpRefusal(404, 'no such tab API');
  });
  server.get('/api/tab/*', notFound);
  server.post('/api/tab/*', notFound);

  server.get('/tab', async (_req, res) => {
    res.writeHead(301, { Location: '/tab/' });
    res.end();
  });
  const page = (req: restify.Request, res: restify.Response, name: string) => {
    if (!serveTabAsset(deps.assetsDir, name || 'index.html', req as unknown as IncomingMessage, res)) {
      sendJson(res, name ? 404 : 503, { error: name ? 'no such file' : 'the tab has not been built (npm run build)' });
    }
  };
  server.get('/tab/', async (req, res) => page(req, res, ''));
  server.get('/tab/:file', async (req, res) => page(req, res, String(req.params.file ?? '')));
}

function stringParams(params: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries((params ?? {}) as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}
