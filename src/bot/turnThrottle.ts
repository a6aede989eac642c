/**
 * The per-user rate limit on bot turns, and what it never holds back. Safeguarding actions are never
 * throttled: any `escalation.*` verb (acknowledging an alert), any wizard turn whose answers say there is a
 * safeguarding concern or an immediate risk to life, and every later turn of a wizard whose stored answers
 * already say so. Everything else spends one point of the user's limit.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { errorCard } from './presenters/errorPresenter';
import type { CardJson } from './presenters/renderTemplate';
import type { UserRateLimiter } from '../limits/userRateLimiter';
import { correlationFields } from '../correlation';
import type { Actor } from '../services/actor';

const RISK_ANSWERS = ['immediateRiskToLife', 'safeguardingConcern'] as const;

function saysYes(value: unknown): boolean {
  return value === true || (typeof value === 'string' && ['true', 'yes'].includes(value.trim().toLowerCase()));
}

/** True for an action that must never wait: an alert acknowledgement, or answers that indicate risk. */
export function isSafeguardingAction(verb: string | null, data: Record<string, unknown> | null): boolean {
  if (verb !== null && verb.startsWith('escalation.')) return true;
  return data !== null && RISK_ANSWERS.some((field) => saysYes(data[field]));
}

export interface TurnThrottle {
  /** null: go ahead; otherwise the polite card to show instead of acting. */
  check(actor: Actor, action: { verb: string | null; data: Record<string, unknown> | null }): Promise<CardJson | null>;
}

export function throttledCard(retryAfterMs: number, retry: { verb: string; data: Record<string, unknown> } | null): CardJson {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return errorCard({
    title: 'Please wait a moment',
    message: `You have done a lot in ChannelCheck in a short time, so it is pausing for about ${seconds} second${seconds === 1 ? '' : 's'}. Nothing you entered was lost: try again then. Safeguarding alerts and acknowledgements are never held back.`,
    errorId: randomUUID().slice(0, 8),
    retry,
  });
}

export interface TurnThrottleOptions {
  /** The stored answers of the actor's own wizard session (the card data's `sessionId`); null for anyone else's. */
  sessionAnswers?: (sessionId: string, actor: Actor) => Promise<Record<string, unknown> | null>;
}

export function createTurnThrottle(limiter: UserRateLimiter, log: Logger, options: TurnThrottleOptions = {}): TurnThrottle {
  return {
    async check(actor, { verb, data }) {
      if (isSafeguardingAction(verb, data)) return null;
      try {
        const sessionId = data?.sessionId;
        if (verb?.startsWith('wizard.') && typeof sessionId === 'string' && options.sessionAnswers && isSafeguardingAction(null, await options.sessionAnswers(sessionId, actor))) return null;
        const decision = await limiter.consume(`${actor.tenantId}:${actor.aadObjectId}`);
        if (decision.allowed) return null;
        log.warn({ userAadId: actor.aadObjectId, tenantId: actor.tenantId, verb, retryAfterMs: decision.retryAfterMs, ...correlationFields(actor) }, 'turn throttled: per-user rate limit reached');
        return throttledCard(decision.retryAfterMs, verb !== null && data !== null ? { verb, data } : null);
      } catch (error) {
        log.error({ err: error, ...correlationFields(actor) }, 'rate limiter failed; the turn goes ahead');
        return null;
      }
    },
  };
}
