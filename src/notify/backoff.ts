/**
 * When to try a failed notification again: exponential backoff with "full jitter" (a random delay between 0
 * and min(cap, base·2^(attempt-1))), never earlier than the service's Retry-After. Pure functions; the
 * dispatcher stores the resulting time in the outbox row, so nothing here survives in memory.
 */

export interface BackoffOptions {
  /** The ceiling of the first retry's delay. */
  baseMs: number;
  /** No delay is ever drawn above this (Retry-After may still ask for longer). */
  capMs: number;
}

export const DEFAULT_BACKOFF: Readonly<BackoffOptions> = { baseMs: 1000, capMs: 5 * 60_000 };

/** The upper bound of the delay after the `attempt`-th failed attempt (1-based): min(cap, base·2^(attempt-1)). */
export function backoffCeilingMs(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const n = Math.max(1, Math.floor(attempt));
  // 2^(n-1) overflows to Infinity for large n; Math.min keeps it at the cap.
  return Math.max(0, Math.min(options.capMs, options.baseMs * 2 ** (n - 1)));
}

/** Full jitter: uniformly random in [0, ceiling). `random` returns [0, 1), like Math.random. */
export function fullJitterDelayMs(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.floor(r * backoffCeilingMs(attempt, options));
}

/** The delay before the next attempt: the jittered backoff, but never less than Retry-After when given. */
export function retryDelayMs(
  attempt: number,
  retryAfterMs: number | null | undefined,
  options: BackoffOptions = DEFAULT_BACKOFF,
  random: () => number = Math.random,
): number {
  const jittered = fullJitterDelayMs(attempt, options, random);
  return retryAfterMs !== null && retryAfterMs !== undefined && Number.isFinite(retryAfterMs) ? Math.max(jittered, Math.ceil(retryAfterMs)) : jittered;
}

/**
 * Parses an HTTP Retry-After value: delay-seconds ("120", decimals tolerated) or an HTTP date
 * ("Wed, 21 Oct 2015 07:28:00 GMT"). Returns milliseconds from `nowMs` (0 for a date in the past), or null
 * when absent or unreadable.
 */
export function parseRetryAfterMs(value: string | number | null | undefined, nowMs: number = Date.now()): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.ceil(value * 1000) : null;
  const text = value.trim();
  if (text === '') return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  if (!/[a-z]/i.test(text)) return null; // e.g. "-5": not seconds, not a date
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

export { seededRandom } from '../domain/seededRandom';
