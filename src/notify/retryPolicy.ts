/**
 * The retry policy for outbox rows. Pure: the dispatcher asks it what to do after a failed send and stores the
 * answer (the next attempt time, or a dead letter) in the row.
 *
 * - Urgent rows (safeguarding alerts) never run out of retries on a transient failure: they are tried again
 *   with backoff capped at `urgentBackoff.capMs` (30 s by default) until they are delivered, or until a person
 *   acknowledges the alert through another route (the store then cancels the row).
 * - Routine rows have a budget measured in time from when they were queued (`routineBudgetMs`, 24 hours by
 *   default), not in attempts: a long outage does not lose them.
 * - Transient failures: 429, 412, 408, 401, 5xx (except 501/505), timeouts and network errors. Permanent:
 *   403 (not installed), 404/410 (conversation gone) → `unreachable`, and 400 and other 4xx → `rejected`; both
 *   fall back at once (the escalation channel, the practitioner told).
 * - Waiting for Retry-After or for the per-conversation rate limit is a deferral, not an attempt: it never
 *   counts against anything.
 * - Retry-After is honoured in full by routine rows (within their budget) but by urgent rows only up to
 *   `urgentBackoff.capMs`: a safeguarding alert is never held longer than 30 s between attempts, whatever
 *   Teams (or anything between) says, be it `Retry-After: 86400` or a date next year.
 */
import { type BackoffOptions, fullJitterDelayMs } from './backoff';
import type { FailureKind } from './proactiveSender';

export type Urgency = 'urgent' | 'routine';

export interface RetryPolicy {
  routineBackoff: BackoffOptions;
  urgentBackoff: BackoffOptions;
  /** How long after being queued a routine row may still be retried after a transient failure. */
  routineBudgetMs: number;
}

export const DEFAULT_RETRY_POLICY: Readonly<RetryPolicy> = {
  routineBackoff: { baseMs: 1000, capMs: 5 * 60_000 },
  urgentBackoff: { baseMs: 1000, capMs: 30_000 },
  routineBudgetMs: 24 * 60 * 60_000,
};

/** How an HTTP status from the Bot Connector is treated. */
export function classifyHttpStatus(status: number): FailureKind {
  if (status === 403 || status === 404 || status === 410) return 'unreachable';
  if (status === 408 || status === 412 || status === 429 || status === 401) return 'retryable';
  if (status >= 500) return status === 501 || status === 505 ? 'rejected' : 'retryable';
  return 'rejected';
}

export type GiveUpReason = 'exhausted' | 'unreachable' | 'rejected';

export type NextStep = { action: 'retry'; delayMs: number } | { action: 'give_up'; reason: GiveUpReason };

export interface FailedSend {
  urgency: Urgency;
  kind: FailureKind;
  /** Real send attempts so far, this one included (deferrals are not attempts). */
  attempts: number;
  queuedAt: Date;
  now: Date;
  /** From Retry-After, when the service sent one. */
  retryAfterMs: number | null;
}

/** The longest a Retry-After (or the conversation pause it causes) may hold a row of this urgency. */
export function retryAfterLimitMs(urgency: Urgency, policy: RetryPolicy = DEFAULT_RETRY_POLICY): number {
  return urgency === 'urgent' ? policy.urgentBackoff.capMs : Number.POSITIVE_INFINITY;
}

/** What to do after a send failed. `random` returns [0, 1), like Math.random. */
export function afterFailure(failed: FailedSend, policy: RetryPolicy = DEFAULT_RETRY_POLICY, random: () => number = Math.random): NextStep {
  if (failed.kind !== 'retryable') return { action: 'give_up', reason: failed.kind };
  const backoff = failed.urgency === 'urgent' ? policy.urgentBackoff : policy.routineBackoff;
  const jittered = fullJitterDelayMs(failed.attempts, backoff, random);
  const asked = failed.retryAfterMs !== null && Number.isFinite(failed.retryAfterMs) ? Math.ceil(failed.retryAfterMs) : 0;
  const retryAfter = Math.min(asked, retryAfterLimitMs(failed.urgency, policy));
  const delayMs = Math.max(jittered, retryAfter);
  if (failed.urgency === 'urgent') return { action: 'retry', delayMs };
  const age = failed.now.getTime() - failed.queuedAt.getTime();
  if (age >= policy.routineBudgetMs) return { action: 'give_up', reason: 'exhausted' };
  return { action: 'retry', delayMs: Math.min(delayMs, Math.max(0, policy.routineBudgetMs - age)) };
}

/**
 * A row is not sent now because its conversation must wait (Retry-After, the per-conversation rate) longer
 * than the dispatcher will hold it: it is put back for then. A deferral, never an attempt.
 */
export function deferral(waitMs: number, now: Date): { nextAttemptAt: Date; countsAsAttempt: false } {
  return { nextAttemptAt: new Date(now.getTime() + Math.max(0, Math.ceil(waitMs))), countsAsAttempt: false };
}

/** How the retry budget is described to a person ("after 9 attempts over 24 hours"). */
export function exhaustedWords(attempts: number, queuedAt: Date, now: Date): string {
  const hours = (now.getTime() - queuedAt.getTime()) / 3_600_000;
  const span = hours >= 1 ? `${Math.round(hours)} hour${Math.round(hours) === 1 ? '' : 's'}` : `${Math.max(1, Math.round(hours * 60))} minute${Math.round(hours * 60) === 1 ? '' : 's'}`;
  return `Teams did not accept it after ${attempts} attempt${attempts === 1 ? '' : 's'} over ${span}`;
}

/** The policy from the settings (config `dispatcher.routineRetryHours`, `dispatcher.urgentRetryCapSeconds`). */
export function retryPolicyFor(config: { dispatcher: { routineRetryHours: number; urgentRetryCapSeconds: number } }): RetryPolicy {
  return {
    routineBackoff: DEFAULT_RETRY_POLICY.routineBackoff,
    urgentBackoff: { baseMs: DEFAULT_RETRY_POLICY.urgentBackoff.baseMs, capMs: config.dispatcher.urgentRetryCapSeconds * 1000 },
    routineBudgetMs: config.dispatcher.routineRetryHours * 3_600_000,
  };
}
