/**
 * Keeps this replica within Teams' per-conversation rate (about 7 messages a second per bot per conversation):
 * a token bucket per conversation, implemented as GCRA ("virtual scheduling"), that DELAYS sends, never drops
 * them. Each reservation returns how long to wait; the caller waits, then sends.
 *
 * With `perSecond` r and `burst` b, sends to one conversation are spaced at least ceil(1000/r) ms apart once
 * the burst of b is used up, so any one-second window holds at most about r sends. The default burst is 1:
 * a strict spacing of 143 ms (20 messages take about 2.7 s).
 *
 * In memory and per replica: several replicas each keep their own budget, and Teams' longer windows (for
 * example 60 per 30 s) are left to its 429 + Retry-After, which `pauseUntil` honours for the conversation.
 * A caller may honour a pause only so far (`PauseLimit`): urgent rows wait at most the urgent cap after the
 * pause began, routine rows no later than the end of their retry budget, whatever Retry-After said.
 */

/** How much of a conversation's pause one send honours. */
export interface PauseLimit {
  /** At most this long after the pause began. */
  maxPauseMs?: number;
  /** And never past this instant. */
  notAfterMs?: number;
}

export interface ConversationRateLimitOptions {
  /** Default 7. */
  perSecond?: number;
  /** Sends allowed back to back before spacing applies. Default 1. */
  burst?: number;
  /** Milliseconds clock. Default Date.now. */
  now?: () => number;
}

export class ConversationRateLimiter {
  /** Minimum spacing between sends to one conversation, once the burst is spent. */
  readonly intervalMs: number;
  private readonly toleranceMs: number;
  private readonly now: () => number;
  /** Per conversation: the theoretical arrival time of the next send (GCRA's TAT). */
  private readonly tat = new Map<string, number>();
  /** Per conversation paused by Teams: when the pause began and until when it asked. */
  private readonly pauses = new Map<string, { fromMs: number; untilMs: number }>();

  constructor(options: ConversationRateLimitOptions = {}) {
    const perSecond = options.perSecond ?? 7;
    const burst = options.burst ?? 1;
    if (!(perSecond > 0) || !Number.isFinite(perSecond)) throw new RangeError('perSecond must be a positive number');
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError('burst must be a whole number from 1');
    this.intervalMs = Math.ceil(1000 / perSecond);
    this.toleranceMs = (burst - 1) * this.intervalMs;
    this.now = options.now ?? Date.now;
  }

  /**
   * How long a send to `key` would have to wait now, without reserving a slot. A pause is honoured as far
   * as `limit` allows.
   */
  delayFor(key: string, limit: PauseLimit = {}): number {
    const t = this.now();
    const tat = Math.max(this.tat.get(key) ?? t, t);
    return Math.max(0, tat - this.toleranceMs - t, this.pausedUntil(key, limit) - t);
  }

  /** Reserves the next slot for `key` and returns how many milliseconds to wait before sending. */
  reserve(key: string, limit: PauseLimit = {}): number {
    const t = this.now();
    const paused = this.pausedUntil(key, limit);
    // Paused: the bucket is treated as spent until the pause ends.
    const tat = Math.max(this.tat.get(key) ?? t, t, paused > t ? paused + this.toleranceMs : 0);
    const sendAt = Math.max(t, tat - this.toleranceMs);
    this.tat.set(key, tat + this.intervalMs);
    if (this.tat.size > 1000 || this.pauses.size > 1000) this.sweep(t);
    return sendAt - t;
  }

  /** After a 429 with Retry-After: nothing more is sent to `key` from this replica before `untilMs` (see PauseLimit). */
  pauseUntil(key: string, untilMs: number): void {
    const t = this.now();
    if (untilMs <= t) return;
    const pause = this.pauses.get(key);
    // A later pause replaces one that has ended; one still running is lengthened, from when it began.
    if (pause && pause.untilMs > t) pause.untilMs = Math.max(pause.untilMs, untilMs);
    else this.pauses.set(key, { fromMs: t, untilMs });
  }

  private pausedUntil(key: string, limit: PauseLimit): number {
    const pause = this.pauses.get(key);
    if (pause === undefined) return 0;
    return Math.min(pause.untilMs, pause.fromMs + (limit.maxPauseMs ?? Number.POSITIVE_INFINITY), limit.notAfterMs ?? Number.POSITIVE_INFINITY);
  }

  /** Conversations currently tracked (a conversation whose bucket is full again is forgotten). */
  get size(): number {
    return new Set([...this.tat.keys(), ...this.pauses.keys()]).size;
  }

  /** A key whose TAT has passed is indistinguishable from a new one: forget it. */
  private sweep(t: number): void {
    for (const [key, tat] of this.tat) if (tat <= t) this.tat.delete(key);
    for (const [key, pause] of this.pauses) if (pause.untilMs <= t) this.pauses.delete(key);
  }
}
