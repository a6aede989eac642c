/**
 * The one place an HTTP request becomes a bot turn. In order:
 *   1. a correlation id for everything the activity causes, and a logger that puts it on every line: both
 *      travel with the turn (turnTrace.ts), and the actor the services get carries the id to their log lines
 *      and to the outbox rows they queue;
 *   2. the activity's shape, against the one activity schema: a malformed activity → 400 naming the field, and
 *      it never reaches botbuilder;
 *   3. botbuilder's own authentication of the Bot Connector token (BotFrameworkAuthentication.authenticateRequest).
 *      A token that is missing or not accepted (bad signature, issuer, audience, expiry, algorithm) → 401; the
 *      Bot Framework's OpenID metadata or signing keys cannot be fetched → 503 with Retry-After, so Teams tries
 *      again; the body never carries the upstream error text;
 *   4. the tenant allow-list → 403 for any other tenant, before anything is stored;
 *   5. the sender (src/bot/senderGuard.ts): a channel other than Teams → 403; a message, card action or
 *      installation without `from.aadObjectId` or `conversation.tenantId`, or whose two tenant fields
 *      disagree → 400 naming the field; nothing is stored;
 *   6. the turn itself (CloudAdapter.processActivity with the authentication result).
 * Refusals are thrown as HttpRefusal for the server to answer; any other failure is thrown for the server to
 * log and answer with a generic 500, so neither botbuilder's console output nor its error text reaches the caller.
 */
import type { Activity, ActivityHandler } from 'botbuilder';
import type { AuthenticateRequestResult, BotFrameworkAuthentication } from 'botframework-connector';
import { validateAndFixActivity } from 'botbuilder/lib/activityValidator';
import type { Logger } from 'pino';
import { newCorrelationId } from '../correlation';
import { HttpRefusal } from '../server/httpRefusal';
import type { ActivityRequest, ActivityResponse } from '../server/httpServer';
import { activitySchema, parseActivity } from './activitySchema';
import type { ChannelCheckAdapter } from './adapter';
import { checkSender } from './senderGuard';
import { checkTenant } from './tenantGuard';
import { setTurnTrace, turnTrace } from './turnTrace';

export interface MessageEndpointDeps {
  adapter: ChannelCheckAdapter;
  auth: BotFrameworkAuthentication;
  bot: ActivityHandler;
  /** From config.tenantAllowList: null serves every tenant. */
  allowedTenants: ReadonlySet<string> | null;
  log: Logger;
  /** Production: the activity's serviceUrl must be https. */
  httpsOnly: boolean;
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

export function messageEndpoint(deps: MessageEndpointDeps): (request: ActivityRequest) => Promise<ActivityResponse> {
  const { adapter, auth, bot, allowedTenants } = deps;
  const schema = activitySchema({ httpsOnly: deps.httpsOnly });
  return async (request) => {
    const trace = turnTrace(deps.log, newCorrelationId());
    const { correlationId } = trace;
    const parsed = parseActivity(schema, request.body);
    if (!parsed.ok) throw new HttpRefusal(400, parsed.problem);
    const activity = validateAndFixActivity({ ...parsed.activity } as unknown as Activity);
    let authenticated: AuthenticateRequestResult;
    try {
      authenticated = await auth.authenticateRequest(activity, request.authorization ?? '');
    } catch (error) {
      const failure = classifyAuthFailure(error);
      const err = error as { name?: unknown; message?: unknown; code?: unknown };
      const detail = { errorName: String(err.name ?? 'Error'), errorCode: typeof err.code === 'string' ? err.code : undefined, reason: String(err.message ?? '').slice(0, 200) };
      if (failure === 'unauthorized') {
        trace.log.warn({ ...detail, activityType: activity.type }, 'activity refused: the Bot Connector token was missing or not accepted');
        throw new HttpRefusal(401, 'unauthorized');
      }
      if (failure === 'unavailable') {
        trace.log.error(detail, 'activity not processed: the Bot Framework signing keys could not be fetched; Teams will retry');
        throw new HttpRefusal(503, 'temporarily unavailable; retry later', { 'Retry-After': '10' });
      }
      trace.log.error({ ...detail, err: error }, 'activity not processed: authentication failed unexpectedly');
      throw new Error('authentication failed unexpectedly', { cause: error });
    }

    const tenant = checkTenant(activity, allowedTenants);
    if (!tenant.ok) {
      trace.log.warn({ tenantId: tenant.tenantId, reason: tenant.reason, activityType: activity.type, userAadId: activity.from?.aadObjectId ?? null }, 'activity refused: tenant not served by this deployment');
      throw new HttpRefusal(403, 'this tenant is not served by this ChannelCheck deployment');
    }

    const sender = checkSender(activity);
    if (!sender.ok) {
      trace.log.warn({ reason: sender.problem, activityType: activity.type, channelId: activity.channelId ?? null, userAadId: activity.from?.aadObjectId ?? null }, 'activity refused: not a Teams activity from a known person');
      throw new HttpRefusal(sender.status, sender.problem);
    }

    // On the deployment's logger, the id as a field: a debug line must not make the turn's logger.
    deps.log.debug({ activityType: activity.type, tenantId: tenant.tenantId, userAadId: activity.from?.aadObjectId ?? null, correlationId }, 'activity accepted');
    const answer = await adapter.processAuthenticated(authenticated, activity, (context) => {
      setTurnTrace(context, trace);
      return bot.run(context);
    });
    return { status: answer?.status ?? 200, body: answer?.body };
  };
}
