/**
 * The one place an HTTP request becomes a bot turn. In order:
 *   1. a correlation id for everything the activity causes (logs, outbox rows);
 *   2. botbuilder's own authentication of the Bot Connector token (BotFrameworkAuthentication.authenticateRequest).
 *      A token that is missing or not accepted (bad signature, issuer, audience, expiry, algorithm) → 401; the
 *      Bot Framework's OpenID metadata or signing keys cannot be fetched → 503 with Retry-After, so Teams tries
 *      again; the body never carries the upstream error text;
 *   3. the tenant allow-list → 403 for any other tenant, before anything is stored;
 *   4. the turn itself (CloudAdapter.processActivity with the authentication result).
 */
import type { Activity, ActivityHandler, Request, Response } from 'botbuilder';
import type { AuthenticateRequestResult, BotFrameworkAuthentication } from 'botframework-connector';
import { validateAndFixActivity } from 'botbuilder/lib/activityValidator';
import type { Logger } from 'pino';
import { newCorrelationId, withCorrelationId } from '../correlation';
import type { ChannelCheckAdapter } from './adapter';
import { checkTenant } from './tenantGuard';

export interface MessageEndpointDeps {
  adapter: ChannelCheckAdapter;
  auth: BotFrameworkAuthentication;
  bot: ActivityHandler;
  /** From config.tenantAllowList: null serves every tenant. */
  allowedTenants: ReadonlySet<string> | null;
  log: Logger;
}

export type AuthFailure = 'unauthorized' | 'unavailable' | 'error';

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT']);
const JWT_ERRORS = new Set(['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError']);

/**
 * What an authentication failure means. botbuilder throws AuthenticationError (statusCode 401 for a token it
 * refused, 500 when the metadata or keys answered with an error status), jsonwebtoken's errors for a token it
 * could not verify, and node-fetch's FetchError when the metadata endpoint cannot be reached or sends no JSON.
 */
export function classifyAuthFailure(error: unknown): AuthFailure {
  const e = (error ?? {}) as { name?: unknown; statusCode?: unknown; code?: unknown; errno?: unknown; type?: unknown };
  if (e.name === 'FetchError' || (typeof e.code === 'string' && NETWORK_CODES.has(e.code))) return 'unavailable';
  if (typeof e.name === 'string' && JWT_ERRORS.has(e.name)) return 'unauthorized';
  if (e.name === 'AuthenticationError' || typeof e.statusCode === 'number') {
    return e.statusCode === 401 ? 'unauthorized' : 'unavailable';
  }
  return 'error';
}

function authorizationOf(req: Request): string {
  const value = req.headers.authorization ?? (req.headers as Record<string, unknown>).Authorization;
  return typeof value === 'string' ? value : Array.isArray(value) && typeof value[0] === 'string' ? value[0] : '';
}

function reply(res: Response, status: number, body?: unknown, headers: Record<string, string> = {}): void {
  for (const [name, value] of Object.entries(headers)) res.header(name, value);
  res.status(status);
  if (body !== undefined && body !== null) res.send(body);
  res.end();
}

export function messageEndpoint(deps: MessageEndpointDeps): (req: Request, res: Response) => Promise<void> {
  const { adapter, auth, bot, allowedTenants, log } = deps;
  return (req, res) =>
    withCorrelationId(newCorrelationId(), async () => {
      const activity = validateAndFixActivity(req.body as unknown as Activity);
      let authenticated: AuthenticateRequestResult;
      try {
        authenticated = await auth.authenticateRequest(activity, authorizationOf(req));
      } catch (error) {
        const failure = classifyAuthFailure(error);
        const err = error as { name?: unknown; message?: unknown; code?: unknown };
        const detail = { errorName: String(err.name ?? 'Error'), errorCode: typeof err.code === 'string' ? err.code : undefined, reason: String(err.message ?? '').slice(0, 200) };
        if (failure === 'unauthorized') {
          log.warn({ ...detail, activityType: activity.type }, 'activity refused: the Bot Connector token was missing or not accepted');
          reply(res, 401, { error: 'unauthorized' });
        } else if (failure === 'unavailable') {
          log.error(detail, 'activity not processed: the Bot Framework signing keys could not be fetched; Teams will retry');
          reply(res, 503, { error: 'temporarily unavailable; retry later' }, { 'Retry-After': '10' });
        } else {
          log.error({ ...detail, err: error }, 'activity not processed: authentication failed unexpectedly');
          reply(res, 500, { error: 'could not process the activity' });
        }
        return;
      }

      const tenant = checkTenant(activity, allowedTenants);
      if (!tenant.ok) {
        log.warn({ tenantId: tenant.tenantId, reason: tenant.reason, activityType: activity.type, userAadId: activity.from?.aadObjectId ?? null }, 'activity refused: tenant not served by this deployment');
        reply(res, 403, { error: 'this tenant is not served by this ChannelCheck deployment' });
        return;
      }

      log.debug({ activityType: activity.type, tenantId: tenant.tenantId, userAadId: activity.from?.aadObjectId ?? null }, 'activity accepted');
      const invokeResponse = await adapter.processAuthenticated(authenticated, activity, (context) => bot.run(context));
      reply(res, invokeResponse?.status ?? 200, invokeResponse?.body);
    });
}
