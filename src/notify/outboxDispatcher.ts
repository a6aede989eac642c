/**
 * The outbox dispatcher: delivers the notifications the services queued in the outbox, through a
 * ProactiveSender (Teams via botbuilder in production, anything in tests). Transport-neutral: no botbuilder.
 *
 * Each pass claims due rows for a lease (each row goes to exactly one worker, across replicas), delivers each
 * according to its kind and payload (see outboxPayloads.ts), and records the result in the row:
 * - delivered → markSent (and, for a card with `attachAs`, the card is remembered on the approval request);
 * - a retryable failure (429, 412, 5xx, timeouts, network) → markFailed with the next attempt at
 *   now + exponential backoff with full jitter, never earlier than Retry-After;
 * - retries exhausted, the recipient unreachable (403 app not installed, 404 conversation gone) or the message
 *   rejected (400…) → markDead, which in the same transaction queues the follow-ups: the card (or its
 *   `channelCard`) to the escalation channel (when the payload asks for it and a channel is configured) and a message to the practitioner saying
 *   who was, or was not, reached. Every dead letter is logged at error level with `alert: true`.
 * All retry state is in the store: the loop's only timer is the poll, and a restart loses nothing.
 *
 * Sends carry the row's idempotency key (the sender puts it in the activity's channelData); follow-ups get keys
 * derived from the parent's, so they are queued at most once. See docs/notifications.md.
 */
import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import { z } from 'zod';
import type { ApprovalStore, NewOutboxMessage, OutboxMessage, OutboxStore, OutboxTarget } from '../domain/ports/store';
import type { Logger } from '../logging';
import { PollingLoop } from './pollingLoop';
import { type BackoffOptions, DEFAULT_BACKOFF, retryDelayMs } from './backoff';
import { ConversationRateLimiter, type ConversationRateLimitOptions } from './conversationRateLimit';
import { OUTBOX_KINDS, type CardPayload, type OutboxKind, type OutboxPayload, type TextPayload } from './outboxPayloads';
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
  /** Attempts (claims) before a retryable failure is dead-lettered (config `dispatcher.maxAttempts`). Default 8. */
  maxAttempts?: number;
  /** Rows claimed per pass. Default 20. */
  batchSize?: number;
  /**
   * How long a claim lasts. Must exceed a pass's worst case (the sender's timeout × rows per conversation + rate
   * waits): a row still in flight when its lease runs out may be claimed and sent again by another worker.
   * Default 5 minutes.
   */
  leaseMs?: number;
  /** Exponential backoff with full jitter. Default base 1 s, cap 5 min. */
  backoff?: BackoffOptions;
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
   * A row is only sent while at least this much of its lease is left (otherwise it is put back, due now), so a
   * slow pass never sends a row another worker may already have claimed. Keep it above the sender's timeout.
   * Default min(60 s, leaseMs / 2).
   */
  minLeaseLeftMs?: number;
  now?: () => Date;
  /** How rate waits are slept. Default setTimeout. */
  sleep?: (ms: number) => Promise<void>;
}

export type RowOutcome = 'sent' | 'retry' | 'dead' | 'deferred' | 'lease_lost' | 'error';

export interface DispatchPassResult {
  claimed: number;
  sent: number;
  retried: number;
  dead: number;
  /** Put back unsent: their conversation is paused (429) for longer than maxRateWaitMs, or too little lease was left. */
  deferred: number;
  /** Rows whose lease was lost or whose store update failed: they come back when the lease runs out. */
  unsettled: number;
}

type ParsedRow = { ok: true; message: OutboxPayload; inferredKind: boolean } | { ok: false; reason: string };

const cardJson = z.record(z.string(), z.unknown());
const fallbackSchema = z.object({
  toEscalationChannel: z.boolean(),
  tellPractitionerAadId: z.string().min(1).optional(),
  recipientDescription: z.string().min(1),
});
const cardPayloadSchema = z.object({
  tenantId: z.string().min(1),
  card: cardJson,
  summary: z.string(),
  attachAs: z.object({ approvalId: z.string().min(1), whose: z.enum(['manager', 'practitioner']) }).optional(),
  fallback: fallbackSchema.optional(),
  channelCard: cardJson.optional(),
  urgent: z.boolean().optional(),
});
const textPayloadSchema = z.object({ tenantId: z.string().min(1), text: z.string().min(1) });
const cardUpdatePayloadSchema = z.object({ activityId: z.string().min(1), conversationId: z.string().min(1), serviceUrl: z.string().min(1).optional(), card: cardJson });
const schemas = { card: cardPayloadSchema, text: textPayloadSchema, card_update: cardUpdatePayloadSchema } as const;

/** Ids in the outbox are at most 256 characters; a derived key that would be longer is built from a hash. */
const MAX_KEY_LENGTH = 256;

/** The idempotency key of a follow-up: `<parent key>:<suffix>`, so a restart can never queue it twice. */
export function deriveIdempotencyKey(parentKey: string, suffix: 'fallback-channel' | 'tell-practitioner'): string {
  const plain = `${parentKey}:${suffix}`;
  if (plain.length <= MAX_KEY_LENGTH) return plain;
  return `sha256:${createHash('sha256').update(parentKey).digest('hex')}:${suffix}`;
}

/** Reads a row's payload according to its kind; a row whose kind is not card/text/card_update is recognised by its payload's shape. */
export function parseOutboxRow(row: Pick<OutboxMessage, 'kind' | 'payload'>): ParsedRow {
  if (row.payload === null || row.payload === undefined) return { ok: false, reason: 'payload missing (erased or purged)' };
  if ((OUTBOX_KINDS as readonly string[]).includes(row.kind)) {
    const kind = row.kind as OutboxKind;
    const parsed = schemas[kind].safeParse(row.payload);
    if (!parsed.success) return { ok: false, reason: `malformed ${kind} payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}` };
    return { ok: true, message: { kind, payload: parsed.data } as OutboxPayload, inferredKind: false };
  }
  for (const kind of ['card_update', 'card', 'text'] as const) {
    const parsed = schemas[kind].safeParse(row.payload);
    if (parsed.success) return { ok: true, message: { kind, payload: parsed.data } as OutboxPayload, inferredKind: true };
  }
  return { ok: false, reason: `unknown kind "${row.kind}" and the payload is not a card, text or card_update payload` };
}

type DeadReason = 'exhausted' | 'unreachable' | 'rejected' | 'malformed';

function capitalise(text: string): string {
  return text.length === 0 ? text : text[0]!.toUpperCase() + text.slice(1);
}

function whyNotReached(reason: DeadReason, status: number | null, attempts: number, toChannel: boolean): string {
  switch (reason) {
    case 'unreachable':
      if (status === 404) return toChannel ? 'that conversation no longer exists' : 'their chat with ChannelCheck no longer exists';
      return toChannel ? 'ChannelCheck is not in that conversation' : 'ChannelCheck is not installed for them';
    case 'rejected':
      return `Teams refused the message${status === null ? '' : `, status ${status}`}`;
    case 'malformed':
      return 'the message could not be built';
    case 'exhausted':
      return `Teams did not accept it after ${attempts} attempt${attempts === 1 ? '' : 's'}`;
  }
}

/** What the practitioner is told when a message about their decision could not be delivered. */
export function practitionerNotice(input: {
  recipientDescription: string;
  reason: DeadReason;
  status: number | null;
  attempts: number;
  urgent: boolean;
  /** The target was a conversation or channel, not a person. */
  targetIsConversation: boolean;
  /** The same card was queued for the escalation channel. */
  sentToEscalationChannel: boolean;
}): string {
  const why = whyNotReached(input.reason, input.status, input.attempts, input.targetIsConversation);
  const first = `${capitalise(input.recipientDescription)} could not be reached in Teams (${why}).`;
  const second = input.sentToEscalationChannel
    ? `The ${input.urgent ? 'alert' : 'message'} went to the escalation channel.`
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
  private readonly maxAttempts: number;
  private readonly batchSize: number;
  private readonly leaseMs: number;
  private readonly backoff: BackoffOptions;
  private readonly random: () => number;
  private readonly limiter: ConversationRateLimiter;
  private readonly maxRateWaitMs: number;
  private readonly concurrency: number;
  private readonly minLeaseLeftMs: number;
  private readonly now: () => Date;
  private readonly sleep: (ms: number) => Promise<void>;

  /** The pass in progress (passes never overlap). */
  private readonly loop: PollingLoop<DispatchPassResult>;

  constructor(options: OutboxDispatcherOptions) {
    this.store = options.store;
    this.sender = options.sender;
    this.log = options.log;
    this.escalationChannel = options.escalationChannelId;
    this.workerId = options.workerId ?? defaultWorkerId();
    this.pollMs = options.pollMs ?? 1000;
    this.maxAttempts = options.maxAttempts ?? 8;
    this.batchSize = options.batchSize ?? 20;
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    this.backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.random = options.random ?? Math.random;
    this.limiter = options.rateLimit instanceof ConversationRateLimiter ? options.rateLimit : new ConversationRateLimiter(options.rateLimit);
    this.maxRateWaitMs = options.maxRateWaitMs ?? 5000;
    this.concurrency = Math.max(1, options.concurrency ?? 4);
    this.minLeaseLeftMs = options.minLeaseLeftMs ?? Math.min(60_000, Math.floor(this.leaseMs / 2));
    this.now = options.now ?? (() => new Date());
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) throw new RangeError('maxAttempts must be a whole number from 1');
    if (!Number.isInteger(this.leaseMs) || this.leaseMs < 1) throw new RangeError('leaseMs must be a positive whole number');
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
    const result: DispatchPassResult = { claimed: rows.length, sent: 0, retried: 0, dead: 0, deferred: 0, unsettled: 0 };
    if (rows.length === 0) return result;

    const parsed = new Map(rows.map((row) => [row.id, parseOutboxRow(row)] as const));
    const isUrgent = (row: OutboxMessage): boolean => {
      const p = parsed.get(row.id);
      return p?.ok === true && p.message.kind === 'card' && p.message.payload.urgent === true;
    };
    // Urgent safeguarding alerts first; otherwise the store's order (oldest due first).
    const ordered = rows.map((row, index) => ({ row, index })).sort((a, b) => Number(isUrgent(b.row)) - Number(isUrgent(a.row)) || a.index - b.index);

    // One queue per conversation, served one row at a time (so the rate limit and Retry-After apply in order).
    const groups = new Map<string, OutboxMessage[]>();
    for (const { row } of ordered) {
      const key = this.rateKey(row, parsed.get(row.id)!);
      const group = groups.get(key);
      if (group === undefined) groups.set(key, [row]);
      else group.push(row);
    }
    const queue = [...groups.entries()];
    const tally = (outcome: RowOutcome): void => {
      if (outcome === 'sent') result.sent += 1;
      else if (outcome === 'retry') result.retried += 1;
      else if (outcome === 'dead') result.dead += 1;
      else if (outcome === 'deferred') result.deferred += 1;
      else result.unsettled += 1;
    };
    const worker = async (): Promise<void> => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const [key, group] = next;
        for (const row of group) tally(await this.processRow(row, parsed.get(row.id)!, key));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, queue.length) }, worker));
    return result;
  }

  /** The conversation a row is sent to, as far as the dispatcher can tell (a user's 1:1 chat is keyed by the user). */
  private rateKey(row: OutboxMessage, parsed: ParsedRow): string {
    if (parsed.ok && parsed.message.kind === 'card_update') return `conversation:${parsed.message.payload.conversationId}`;
    if (row.target.kind === 'user') return `user:${row.target.aadObjectId}`;
    return `conversation:${targetConversationId(row.target)}`;
  }

  private async processRow(row: OutboxMessage, parsed: ParsedRow, rateKey: string): Promise<RowOutcome> {
    try {
      if (!parsed.ok) return await this.deadLetter(row, null, 'malformed', null, parsed.reason);
      if (parsed.inferredKind) {
        this.log.warn({ outboxId: row.id, kind: row.kind, deliveredAs: parsed.message.kind }, 'outbox row kind is not card/text/card_update; delivering it by its payload');
      }
      const wait = this.limiter.delayFor(rateKey);
      if (wait > this.maxRateWaitMs) {
        const ok = await this.store.markFailed(row.id, this.workerId, `deferred: conversation paused by Teams for ${wait} ms`, new Date(this.now().getTime() + wait));
        return ok ? 'deferred' : 'lease_lost';
      }
      const leaseLeft = (row.claimedUntil?.getTime() ?? Number.POSITIVE_INFINITY) - this.now().getTime() - wait;
      if (leaseLeft < this.minLeaseLeftMs) {
        const ok = await this.store.markFailed(row.id, this.workerId, 'deferred: too little of the lease left to send safely', this.now());
        return ok ? 'deferred' : 'lease_lost';
      }
      const reserved = this.limiter.reserve(rateKey);
      if (reserved > 0) await this.sleep(reserved);

      let sent: Sent;
      try {
        sent = await this.deliver(row, parsed.message);
      } catch (error) {
        return await this.handleFailure(row, parsed.message, rateKey, error);
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
    const ok = await this.store.markSent(row.id, this.workerId, sent.activityId, this.now());
    if (!ok) {
      this.log.warn({ outboxId: row.id, idempotencyKey: row.idempotencyKey, workerId: this.workerId }, 'delivered, but the lease had passed to another worker: it may be delivered twice');
      return 'lease_lost';
    }
    this.log.debug({ outboxId: row.id, kind: message.kind, target: describeTarget(row.target), attempts: row.attempts }, 'notification delivered');
    return 'sent';
  }

  private async handleFailure(row: OutboxMessage, message: OutboxPayload, rateKey: string, error: unknown): Promise<RowOutcome> {
    const failure =
      error instanceof DeliveryError ? error : new DeliveryError(`unexpected error from the sender: ${errorText(error)}`, 'retryable', null);
    const nowMs = this.now().getTime();
    if (failure.retryAfterMs !== null) this.limiter.pauseUntil(rateKey, nowMs + failure.retryAfterMs);

    if (failure.kind === 'retryable') {
      if (row.attempts < this.maxAttempts) {
        const delay = retryDelayMs(row.attempts, failure.retryAfterMs, this.backoff, this.random);
        const ok = await this.store.markFailed(row.id, this.workerId, errorText(failure), new Date(nowMs + delay));
        this.log.warn(
          { outboxId: row.id, kind: message.kind, target: describeTarget(row.target), attempts: row.attempts, status: failure.status, retryInMs: delay, error: failure.message },
          'notification not delivered; will retry',
        );
        return ok ? 'retry' : 'lease_lost';
      }
      return this.deadLetter(row, message, 'exhausted', failure, errorText(failure));
    }
    return this.deadLetter(row, message, failure.kind, failure, errorText(failure));
  }

  /** markDead with the follow-ups (one transaction), then the alert log line. */
  private async deadLetter(row: OutboxMessage, message: OutboxPayload | null, reason: DeadReason, failure: DeliveryError | null, error: string): Promise<RowOutcome> {
    const followUps = message === null ? [] : this.followUpsFor(row, message, reason, failure);
    let ok: boolean;
    try {
      ok = await this.store.markDead(row.id, this.workerId, `${reason}: ${error}`, followUps);
    } catch (markError) {
      if ((markError as Error | null)?.name !== 'DuplicateIdempotencyKeyError') throw markError;
      // A follow-up key is already in the outbox (queued by someone else): queue the others (duplicates are
      // skipped), then dead-letter the row on its own. Otherwise the row would come back after every lease.
      await this.store.enqueue(followUps);
      ok = await this.store.markDead(row.id, this.workerId, `${reason}: ${error}`, []);
    }
    if (!ok) return 'lease_lost';
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

  private followUpsFor(row: OutboxMessage, message: OutboxPayload, reason: DeadReason, failure: DeliveryError | null): NewOutboxMessage[] {
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
          attempts: row.attempts,
          urgent: payload.urgent === true,
          targetIsConversation: row.target.kind !== 'user',
          sentToEscalationChannel: toChannel,
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
