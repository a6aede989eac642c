/**
 * The outbox dispatcher: delivers the notifications the services queued in the outbox, through a
 * ProactiveSender (Teams via botbuilder in production, anything in tests). Transport-neutral: no botbuilder.
 *
 * Each pass claims due rows for a short lease (each row goes to exactly one worker, across replicas), delivers
 * each according to its kind and payload (see outboxPayloads.ts), and records the result in the row. What
 * happens after a failure is the retry policy's (retryPolicy.ts):
 * - delivered → markSent (and, for a card with `attachAs`, the card is remembered on the approval request;
 *   `onDelivered` may queue follow-ups in the same transaction, e.g. the practitioner's card saying so). When
 *   the row was cancelled while Teams was accepting it, `afterDelivered` may queue follow-ups for what Teams now
 *   shows (an alert acknowledged meanwhile: that copy is updated to say so);
 * - a transient failure (429, 412, 5xx, timeouts, network) → markFailed with the next attempt after a capped,
 *   jittered backoff, never earlier than Retry-After. Urgent rows never run out of retries; routine rows are
 *   dead-lettered only once their time budget (24 hours by default) is spent;
 * - a conversation that must wait (Retry-After, the per-conversation rate) → deferOutbox: not an attempt;
 * - the recipient unreachable (403 app not installed, 404 conversation gone), the message rejected (400…) or a
 *   routine budget spent → markDead, which in the same transaction queues the follow-ups: the card (or its
 *   `channelCard`) to the escalation channel (when the payload asks for it and a channel is configured) and a
 *   message to the practitioner saying who was, or was not, reached, naming the case. Every dead letter is
 *   logged at error level with `alert: true`;
 * - the first success after transient failures means Teams is back: rows waiting out a backoff are due at once
 *   (releaseBackoff), so nothing waits minutes after an outage ends.
 * A row's lease is renewed before each send (the heartbeat), so a long pass never loses rows to another worker
 * and a crashed worker's rows come back within one short lease. All retry state is in the store: the loop's only
 * timer is the poll, and a restart loses nothing.
 *
 * Sends carry the row's idempotency key (the sender puts it in the activity's channelData); follow-ups get keys
 * derived from the parent's, so they are queued at most once. See docs/notifications.md.
 */
import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import type { ApprovalStore, NewOutboxMessage, OutboxMessage, OutboxStore, OutboxTarget } from '../domain/ports/store';
import type { Logger } from '../logging';
import { PollingLoop } from './pollingLoop';
import { ConversationRateLimiter, type ConversationRateLimitOptions } from './conversationRateLimit';
import { type CardPayload, type OutboxPayload, parseOutboxPayload, type TextPayload } from './outboxPayloads';
import { afterFailure, DEFAULT_RETRY_POLICY, deferral, exhaustedWords, type RetryPolicy } from './retryPolicy';
import { DeliveryError, type Outgoing, type ProactiveSender, type Sent } from './proactiveSender';

export interface OutboxDispatcherOptions {
  store: OutboxStore & Pick<ApprovalStore, 'attachApprovalCard'>;
  sender: ProactiveSender;
  log: Logger;
  /** The Teams conversation id of the escalation channel (config `escalation.channelConversationId`), or null. */
  escalationChannelId: string | null;
  /** Unique per replica; default `<hostname>:<pid>:<random>`. */
  workerId?: string;
  /** Poll interval when the outbox had nothing more to do (config `dispatcher.pollMs`). Default 1000. */
  pollMs?: number;
  /** Rows claimed per pass. Default 20. */
  batchSize?: number;
  /**
   * How long a claim lasts before another worker (or this one after a crash) may take the row. Renewed before
   * each send, so it only needs to exceed one send (the sender's timeout) plus its rate wait. Default 30 s.
   */
  leaseMs?: number;
  /** Backoff and budgets (config `dispatcher.*`). Default DEFAULT_RETRY_POLICY. */
  retryPolicy?: RetryPolicy;
  /** Queued with markSent, in its transaction: e.g. the practitioner's card saying the alert was delivered. */
  onDelivered?: (row: OutboxMessage, message: OutboxPayload, sent: Sent) => Promise<NewOutboxMessage[]>;
  /**
   * After a row was cancelled while Teams was accepting it (a copy of an alert acknowledged meanwhile):
   * follow-ups for what Teams now shows, e.g. updating that copy to the acknowledged state. Queued with
   * `enqueue`; a key already queued is skipped.
   */
  afterDelivered?: (row: OutboxMessage, message: OutboxPayload, sent: Sent) => Promise<NewOutboxMessage[]>;
  /** [0, 1) random source for the jitter; pass seededRandom(n) for deterministic tests. Default Math.random. */
  random?: () => number;
  /** Per-conversation rate: an options object, or a limiter (to share one). Default 7 per second, burst 1. */
  rateLimit?: ConversationRateLimitOptions | ConversationRateLimiter;
  /**
   * A row whose conversation would make it wait longer than this (after a 429 paused the conversation) is put
   * back with its next attempt at that time, instead of holding its lease. Default 5000.
   */
  maxRateWaitMs?: number;
  /** Conversations served at once within a pass (rows to one conversation always go one by one). Default 4. */
  concurrency?: number;
  /**
   * Before a send, a lease with less than this left is renewed (the heartbeat). Keep it above the sender's
   * timeout (20 s by default). Default max(leaseMs / 2, leaseMs - 5 s): 25 s of the default 30 s lease.
   */
  minLeaseLeftMs?: number;
  now?: () => Date;
  /** How rate waits are slept. Default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

export type RowOutcome = 'sent' | 'retry' | 'dead' | 'deferred' | 'cancelled' | 'lease_lost' | 'error';

export interface DispatchPassResult {
  claimed: number;
  sent: number;
  retried: number;
  dead: number;
  /** Put back unsent (not an attempt): their conversation is paused (429) for longer than maxRateWaitMs. */
  deferred: number;
  /** Copies of an alert acknowledged meanwhile through another route: cancelled, not sent or dead-lettered. */
  cancelled: number;
  /** Rows whose lease was lost or whose store update failed: they come back when the lease runs out. */
  unsettled: number;
}

type ParsedRow = { ok: true; message: OutboxPayload } | { ok: false; reason: string };

/** Ids in the outbox are at most 256 characters; a derived key that would be longer is built from a hash. */
const MAX_KEY_LENGTH = 256;

/** The idempotency key of a follow-up: `<parent key>:<suffix>`, so a restart can never queue it twice. */
export function deriveIdempotencyKey(parentKey: string, suffix: 'fallback-channel' | 'tell-practitioner'): string {
  const plain = `${parentKey}:${suffix}`;
  if (plain.length <= MAX_KEY_LENGTH) return plain;
  return `sha256:${createHash('sha256').update(parentKey).digest('hex')}:${suffix}`;
}

/** Reads a row's payload by its kind (the one contract in outboxPayloads.ts). */
export function parseOutboxRow(row: Pick<OutboxMessage, 'kind' | 'payload'>): ParsedRow {
  if (row.payload === null || row.payload === undefined) return { ok: false, reason: 'payload missing (erased or purged)' };
  return parseOutboxPayload(row.kind, row.payload);
}

type DeadReason = 'exhausted' | 'unreachable' | 'rejected' | 'malformed';

function whyNotReached(reason: DeadReason, status: number | null, exhausted: string, toChannel: boolean): string {
  switch (reason) {
    case 'unreachable':
      if (status === 404) return toChannel ? 'that conversation no longer exists' : 'their chat with ChannelCheck no longer exists';
      return toChannel ? 'ChannelCheck is not in that conversation' : 'ChannelCheck is not installed for them';
    case 'rejected':
      return `Teams refused the message${status === null ? '' : `, status ${status}`}`;
    case 'malformed':
      return 'the message could not be built';
    case 'exhausted':
      return exhausted;
  }
}

/** What the practitioner is told when a message about their decision could not be delivered. Names the case. */
export function practitionerNotice(input: {
  recipientDescription: string;
  reason: DeadReason;
  status: number | null;
  /** For `exhausted`: "Teams did not accept it after 9 attempts over 24 hours". */
  exhausted?: string;
  urgent: boolean;
  /** The case the message was about (null: no case reference given). */
  caseRef: string | null | undefined;
  /** The target was a conversation or channel, not a person. */
  targetIsConversation: boolean;
  /** The same card was queued for the escalation channel. */
  sentToEscalationChannel: boolean;
  /** Who other copies of the same alert were already delivered to ("your line manager Lee Manager"). */
  deliveredElsewhere?: readonly string[];
}): string {
  const why = whyNotReached(input.reason, input.status, input.exhausted ?? 'Teams did not accept it', input.targetIsConversation);
  const about = input.caseRef === undefined ? '' : input.caseRef === null ? ' (no case reference given)' : ` (case ${input.caseRef})`;
  const what = input.urgent ? `Your safeguarding alert${about}` : `A message about your check${about}`;
  const first = `${what} could not reach ${input.recipientDescription} in Teams (${why}).`;
  const elsewhere = input.deliveredElsewhere ?? [];
  const second = input.sentToEscalationChannel
    ? `It went to the escalation channel.`
    : elsewhere.length > 0
      ? `It was delivered to ${elsewhere.join(' and ')}.`
      : "Nobody could be reached by Teams: phone your line manager or the council's escalation contacts now.";
  return `${first} ${second}`;
}

function targetConversationId(target: OutboxTarget): string | null {
  if (target.kind === 'conversation') return target.conversationId;
  if (target.kind === 'channel') return target.channelId;
  return null;
}

function describeTarget(target: OutboxTarget): string {
  return target.kind === 'user' ? 'user' : target.kind;
}

function defaultWorkerId(): string {
  return `${os.hostname().slice(0, 64)}:${process.pid}:${randomUUID().slice(0, 8)}`;
}

function errorText(error: unknown): string {
  if (error instanceof DeliveryError) return `${error.kind}${error.status === null ? '' : ` ${error.status}`}: ${error.message}`;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

export class OutboxDispatcher {
  readonly workerId: string;
  private readonly store: OutboxDispatcherOptions['store'];
  private readonly sender: ProactiveSender;
  private readonly log: Logger;
  private readonly escalationChannel: string | null;
  private readonly pollMs: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly policy: RetryPolicy;
  private readonly random: () => number;
  private readonly limiter: ConversationRateLimiter;
  private readonly maxRateWaitMs: number;
  private readonly concurrency: number;
  private readonly minLeaseLeftMs: number;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly onDelivered: OutboxDispatcherOptions['onDelivered'];
  private readonly afterDelivered: OutboxDispatcherOptions['afterDelivered'];
  /** A transient failure since the last success: the next success releases the rows waiting out a backoff. */
  private outageSeen = false;
  /** Rows were released (Teams is back) during the pass in progress. */
  private releasedThisPass = false;

  /** The pass in progress (passes never overlap). */
  private readonly loop: PollingLoop<DispatchPassResult>;

  constructor(options: OutboxDispatcherOptions) {
    this.store = options.store;
    this.sender = options.sender;
    this.log = options.log;
    this.escalationChannel = options.escalationChannelId;
    this.workerId = options.workerId ?? defaultWorkerId();
    this.pollMs = options.pollMs ?? 1000;
    this.batchSize = options.batchSize ?? 20;
    this.leaseMs = options.leaseMs ?? 30_000;
    this.policy = options.retryPolicy ?? DEFAULT_RETRY_POLICY;
    this.random = options.random ?? Math.random;
    this.now = options.now ?? (() => new Date());
    this.limiter =
      options.rateLimit instanceof ConversationRateLimiter ? options.rateLimit : new ConversationRateLimiter({ now: () => this.now().getTime(), ...options.rateLimit });
    this.maxRateWaitMs = options.maxRateWaitMs ?? 5000;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.minLeaseLeftMs = options.minLeaseLeftMs ?? Math.max(Math.floor(this.leaseMs / 2), this.leaseMs - 5000);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.onDelivered = options.onDelivered;
    this.afterDelivered = options.afterDelivered;
    if (!Number.isInteger(this.leaseMs) || this.leaseMs < 1) throw new RangeError('leaseMs must be a positive whole number');
    if (!(this.policy.routineBudgetMs > 0)) throw new RangeError('retryPolicy.routineBudgetMs must be positive');
    this.loop = new PollingLoop({ pollMs: this.pollMs, batchSize: this.batchSize, pass: () => this.dispatchBatch(), log: this.log, name: 'outbox dispatcher', workerId: this.workerId });
  }

  /** Starts polling. Idempotent. */
  start(): void {
    this.loop.start();
  }

  /** Stops polling and waits for the pass in progress to finish. */
  async stop(): Promise<void> {
    await this.loop.stop();
  }

  /** Runs a pass now rather than at the next poll (e.g. right after something was queued). */
  wake(): void {
    this.loop.wake();
  }

  /** One pass: claim due rows and deliver them. Waits for a pass already in progress first. */
  async runOnce(): Promise<DispatchPassResult> {
    return this.loop.runOnce();
  }

  private async dispatchBatch(): Promise<DispatchPassResult> {
    const rows = await this.store.claimDueOutbox(this.workerId, this.batchSize, this.now(), this.leaseMs);
    const result: DispatchPassResult = { claimed: rows.length, sent: 0, retried: 0, dead: 0, deferred: 0, cancelled: 0, unsettled: 0 };
    if (rows.length === 0) return result;

    const parsed = new Map(rows.map((row) => [row.id, parseOutboxRow(row)] as const));
    const isUrgent = (row: OutboxMessage): boolean => {
      const p = parsed.get(row.id);
      return p?.ok === true && p.message.kind === 'card' && p.message.payload.urgent === true;
    };
    const tally = (outcome: RowOutcome): void => {
      if (outcome === 'sent') result.sent += 1;
      else if (outcome === 'retry') result.retried += 1;
      else if (outcome === 'dead') result.dead += 1;
      else if (outcome === 'deferred') result.deferred += 1;
      else if (outcome === 'cancelled') result.cancelled += 1;
      else result.unsettled += 1;
    };
    // Urgent safeguarding alerts first, all of them before any routine row; otherwise the store's order.
    this.releasedThisPass = false;
    await this.serve(rows.filter(isUrgent), parsed, true, tally);
    const routine = rows.filter((row) => !isUrgent(row));
    if (this.releasedThisPass && routine.length > 0) {
      // Teams just came back and rows waiting to retry are due: claim again, so urgent ones go first.
      for (const row of routine) tally((await this.store.deferOutbox(row.id, this.workerId, 'Teams is back: claimed again in priority order', this.now())) ? 'deferred' : 'lease_lost');
    } else {
      await this.serve(routine, parsed, false, tally);
    }
    return result;
  }

  /** One queue per conversation, served one row at a time (so the rate limit and Retry-After apply in order). */
  private async serve(rows: OutboxMessage[], parsed: Map<string, ParsedRow>, urgent: boolean, tally: (outcome: RowOutcome) => void): Promise<void> {
    const groups = new Map<string, OutboxMessage[]>();
    for (const row of rows) {
      const key = this.rateKey(row, parsed.get(row.id)!);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [row]);
      else group.push(row);
    }
    const queue = [...groups.entries()];
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const [key, group] = next;
        for (const row of group) tally(await this.processRow(row, parsed.get(row.id)!, key, urgent));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
  }

  /** The conversation a row is sent to, as far as the dispatcher can tell (a user's 1:1 chat is keyed by the user). */
  private rateKey(row: OutboxMessage, parsed: ParsedRow): string {
    if (parsed.ok && parsed.message.kind === 'card_update') return `conversation:${parsed.message.payload.conversationId}`;
    if (row.target.kind === 'user') return `user:${row.target.aadObjectId}`;
    return `conversation:${targetConversationId(row.target)}`;
  }

  /** A settle that did not apply: the row was cancelled meanwhile (an acknowledged alert), or the lease was lost. */
  private async notSettled(row: OutboxMessage): Promise<RowOutcome> {
    const now = await this.store.getOutboxMessage(row.id);
    if (now?.status === 'cancelled') {
      this.log.info({ outboxId: row.id, idempotencyKey: row.idempotencyKey, refId: row.refId }, 'alert copy cancelled: acknowledged through another route');
      return 'cancelled';
    }
    return 'lease_lost';
  }

  private async processRow(row: OutboxMessage, parsed: ParsedRow, rateKey: string, urgent: boolean): Promise<RowOutcome> {
    try {
      if (!parsed.ok) return await this.deadLetter(row, null, 'malformed', null, parsed.reason, false);
      const wait = this.limiter.delayFor(rateKey);
      if (wait > this.maxRateWaitMs) {
        // Waiting for Retry-After or the rate limit is not an attempt.
        const ok = await this.store.deferOutbox(row.id, this.workerId, `conversation paused by Teams for ${wait} ms`, deferral(wait, this.now()).nextAttemptAt);
        return ok ? 'deferred' : this.notSettled(row);
      }
      // The heartbeat: renew the lease before a send that could outlast what is left of it.
      const leaseLeft = (row.claimedUntil?.getTime() ?? Number.POSITIVE_INFINITY) - this.now().getTime() - wait;
      if (leaseLeft < this.minLeaseLeftMs) {
        const held = await this.store.extendOutboxLease([row.id], this.workerId, new Date(this.now().getTime() + wait + this.leaseMs));
        if (held.length === 0) return this.notSettled(row);
      }
      const reserved = this.limiter.reserve(rateKey);
      if (reserved > 0) await this.sleep(reserved);

      let sent: Sent;
      try {
        sent = await this.deliver(row, parsed.message);
      } catch (error) {
        return await this.handleFailure(row, parsed.message, rateKey, error, urgent);
      }
      return await this.recordSent(row, parsed.message, sent);
    } catch (error) {
      // The store failed (or something unexpected): leave the row in flight; it comes back when its lease runs out.
      this.log.error({ err: error, outboxId: row.id, idempotencyKey: row.idempotencyKey, workerId: this.workerId }, 'could not settle an outbox row; it will be retried when its lease expires');
      return 'error';
    }
  }

  private async deliver(row: OutboxMessage, message: OutboxPayload): Promise<Sent> {
    const key = row.idempotencyKey;
    if (message.kind === 'card_update') {
      const { conversationId, activityId, card, serviceUrl } = message.payload;
      await this.sender.updateCard(conversationId, activityId, card, serviceUrl);
      return { activityId, conversationId };
    }
    const outgoing: Outgoing = message.kind === 'card' ? { card: message.payload.card, summary: message.payload.summary } : { text: message.payload.text };
    const target = row.target;
    if (target.kind === 'user') return this.sender.sendToUser({ aadObjectId: target.aadObjectId, tenantId: message.payload.tenantId }, outgoing, key);
    return this.sender.sendToConversation(targetConversationId(target)!, outgoing, key);
  }

  private async recordSent(row: OutboxMessage, message: OutboxPayload, sent: Sent): Promise<RowOutcome> {
    if (message.kind === 'card' && message.payload.attachAs !== undefined && sent.activityId !== null) {
      const { approvalId, whose } = message.payload.attachAs;
      try {
        await this.store.attachApprovalCard(approvalId, whose, { activityId: sent.activityId, conversationId: sent.conversationId });
      } catch (error) {
        this.log.error({ err: error, outboxId: row.id, approvalId, whose }, 'card delivered but not remembered on the approval request: it cannot be updated in place');
      }
    }
    let followUps: NewOutboxMessage[] = [];
    if (this.onDelivered) {
      try {
        followUps = await this.onDelivered(row, message, sent);
      } catch (error) {
        this.log.error({ err: error, outboxId: row.id }, 'delivered, but the follow-ups of the delivery could not be built');
      }
    }
    const ok = await this.store.markSent(row.id, this.workerId, sent.activityId, this.now(), followUps);
    if (!ok) {
      const outcome = await this.notSettled(row);
      if (outcome === 'lease_lost') this.log.warn({ outboxId: row.id, idempotencyKey: row.idempotencyKey, workerId: this.workerId }, 'delivered, but the lease had passed to another worker: it may be delivered twice');
      // Cancelled while in flight, yet Teams has the copy: it must not keep saying what is no longer true.
      if (outcome === 'cancelled') await this.queueAfterDelivered(row, message, sent);
      return outcome;
    }
    this.log.debug({ outboxId: row.id, kind: message.kind, target: describeTarget(row.target), attempts: row.attempts + 1 }, 'notification delivered');
    if (this.outageSeen) {
      // Teams answers again: whatever is waiting out a backoff is due now, not minutes from now.
      this.outageSeen = false;
      const released = await this.store.releaseBackoff(this.now());
      if (released > 0) {
        this.releasedThisPass = true;
        this.log.info({ released }, 'Teams is accepting messages again: rows waiting to retry are due now');
      }
    }
    return 'sent';
  }

  private async queueAfterDelivered(row: OutboxMessage, message: OutboxPayload, sent: Sent): Promise<void> {
    if (!this.afterDelivered) return;
    try {
      const followUps = await this.afterDelivered(row, message, sent);
      if (followUps.length === 0) return;
      const { queued } = await this.store.enqueue(followUps);
      if (queued.length > 0) this.log.info({ outboxId: row.id, idempotencyKey: row.idempotencyKey, followUps: queued.map((q) => q.idempotencyKey) }, 'delivered while its state changed: queued the follow-ups');
    } catch (error) {
      this.log.error({ alert: true, err: error, outboxId: row.id, refId: row.refId }, 'delivered, but the follow-ups after the delivery could not be queued');
    }
  }

  private async handleFailure(row: OutboxMessage, message: OutboxPayload, rateKey: string, error: unknown, urgent: boolean): Promise<RowOutcome> {
    const failure =
      error instanceof DeliveryError ? error : new DeliveryError(`unexpected error from the sender: ${errorText(error)}`, 'retryable', null);
    const now = this.now();
    if (failure.retryAfterMs !== null) this.limiter.pauseUntil(rateKey, now.getTime() + failure.retryAfterMs);
    const attempts = row.attempts + 1;
    const next = afterFailure(
      { urgency: urgent ? 'urgent' : 'routine', kind: failure.kind, attempts, queuedAt: row.createdAt, now, retryAfterMs: failure.retryAfterMs },
      this.policy,
      this.random,
    );
    if (next.action === 'retry') {
      this.outageSeen = true;
      const ok = await this.store.markFailed(row.id, this.workerId, errorText(failure), new Date(now.getTime() + next.delayMs));
      this.log.warn(
        { outboxId: row.id, kind: message.kind, target: describeTarget(row.target), urgent, attempts, status: failure.status, retryInMs: next.delayMs, error: failure.message },
        'notification not delivered; will retry',
      );
      return ok ? 'retry' : this.notSettled(row);
    }
    return this.deadLetter({ ...row, attempts }, message, next.reason, failure, errorText(failure), true);
  }

  /** markDead with the follow-ups (one transaction), then the alert log line. */
  private async deadLetter(row: OutboxMessage, message: OutboxPayload | null, reason: DeadReason, failure: DeliveryError | null, error: string, attempted: boolean): Promise<RowOutcome> {
    const followUps = message === null ? [] : this.followUpsFor(row, message, reason, failure, await this.deliveredSiblings(row, message));
    let ok: boolean;
    try {
      ok = await this.store.markDead(row.id, this.workerId, `${reason}: ${error}`, followUps, attempted);
    } catch (markError) {
      if ((markError as Error | null)?.name !== 'DuplicateIdempotencyKeyError') throw markError;
      // A follow-up key is already in the outbox (queued by someone else): queue the others (duplicates are
      // skipped), then dead-letter the row on its own. Otherwise the row would come back after every lease.
      await this.store.enqueue(followUps);
      ok = await this.store.markDead(row.id, this.workerId, `${reason}: ${error}`, [], attempted);
    }
    if (!ok) return this.notSettled(row);
    this.log.error(
      {
        alert: true,
        outboxId: row.id,
        idempotencyKey: row.idempotencyKey,
        decisionId: row.decisionId,
        refId: row.refId,
        kind: row.kind,
        target: describeTarget(row.target),
        attempts: row.attempts,
        reason,
        status: failure?.status ?? null,
        error,
        followUps: followUps.map((f) => f.idempotencyKey),
      },
      `notification dead-lettered (${reason})${followUps.length > 0 ? `; queued ${followUps.length} follow-up(s)` : '; nobody else was told'}`,
    );
    return 'dead';
  }

  /**
   * Who the other copies of the same urgent alert were already delivered to: the practitioner is never told that
   * nobody could be reached when someone was.
   */
  private async deliveredSiblings(row: OutboxMessage, message: OutboxPayload): Promise<string[]> {
    if (message.kind !== 'card' || message.payload.urgent !== true || row.refId === null) return [];
    const siblings = await this.store.listOutboxForRef(row.refId);
    return siblings
      .filter((r) => r.id !== row.id && r.kind === 'card' && r.status === 'sent')
      .map((r) => {
        const parsed = parseOutboxPayload(r.kind, r.payload);
        return parsed.ok && parsed.message.kind === 'card' ? (parsed.message.payload.fallback?.recipientDescription ?? (r.target.kind === 'user' ? 'a manager' : 'the escalation channel')) : null;
      })
      .filter((who): who is string => who !== null);
  }

  private followUpsFor(row: OutboxMessage, message: OutboxPayload, reason: DeadReason, failure: DeliveryError | null, deliveredElsewhere: readonly string[] = []): NewOutboxMessage[] {
    if (message.kind !== 'card' || message.payload.fallback === undefined) return [];
    const payload: CardPayload = message.payload;
    const fallback = payload.fallback!;
    const followUps: NewOutboxMessage[] = [];
    const targetConversation = targetConversationId(row.target);
    const alreadyTheChannel = targetConversation !== null && targetConversation === this.escalationChannel;
    const toChannel = fallback.toEscalationChannel && this.escalationChannel !== null && !alreadyTheChannel;
    if (toChannel) {
      const channelPayload: CardPayload = {
        tenantId: payload.tenantId,
        card: payload.channelCard ?? payload.card,
        summary: payload.summary,
        ...(payload.urgent === undefined ? {} : { urgent: payload.urgent }),
        fallback: {
          toEscalationChannel: false,
          ...(fallback.tellPractitionerAadId === undefined ? {} : { tellPractitionerAadId: fallback.tellPractitionerAadId }),
          ...(fallback.caseRef === undefined ? {} : { caseRef: fallback.caseRef }),
          recipientDescription: 'the escalation channel',
        },
      };
      followUps.push({
        idempotencyKey: deriveIdempotencyKey(row.idempotencyKey, 'fallback-channel'),
        kind: 'card',
        target: { kind: 'channel', channelId: this.escalationChannel! },
        payload: channelPayload,
        refId: row.refId,
        decisionId: row.decisionId,
        ...(payload.urgent ? { urgent: true } : {}),
      });
    }
    const practitioner = fallback.tellPractitionerAadId;
    const practitionerWasTheTarget = row.target.kind === 'user' && row.target.aadObjectId === practitioner;
    if (practitioner !== undefined && !practitionerWasTheTarget) {
      const text: TextPayload = {
        tenantId: payload.tenantId,
        text: practitionerNotice({
          recipientDescription: fallback.recipientDescription,
          reason,
          status: failure?.status ?? null,
          exhausted: exhaustedWords(row.attempts, row.createdAt, this.now()),
          urgent: payload.urgent === true,
          caseRef: fallback.caseRef,
          targetIsConversation: row.target.kind !== 'user',
          sentToEscalationChannel: toChannel,
          deliveredElsewhere,
        }),
      };
      followUps.push({
        idempotencyKey: deriveIdempotencyKey(row.idempotencyKey, 'tell-practitioner'),
        kind: 'text',
        target: { kind: 'user', aadObjectId: practitioner },
        payload: text,
        refId: row.refId,
        decisionId: row.decisionId,
      });
    }
    return followUps;
  }
}
