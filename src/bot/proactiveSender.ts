/**
 * ProactiveSender over botbuilder's CloudAdapter: the only notification code that knows about botbuilder.
 *
 * - sendToUser: through the user's stored conversation reference (`continueConversationAsync`), or, when none
 *   is stored (or Teams says the stored conversation is gone, 404), by opening the 1:1 chat with
 *   `createConversationAsync` (tenant id + the user's Entra object id) and storing the new reference.
 * - sendToConversation: a reference built from the conversation id (the escalation channel) and `serviceUrl`.
 * - updateCard: `updateActivity` in that conversation (at its own service URL when the payload carries one).
 * Every activity carries the outbox row's idempotency key in `channelData.channelCheck.idempotencyKey`.
 * A card row carries a view; it is made into its card here, at send time, by the presenters (a row queued
 * before rows carried views carries its rendered card, sent as it is).
 *
 * Retries belong to the outbox dispatcher, whose state is in the store. botbuilder's connector client (an
 * @azure/core-client ServiceClient) has its own retry policy: up to 3 retries, honouring Retry-After on
 * 429/503 for however long it says, and exponential backoff (0.5–64 s) on 5xx, 408 and network errors, with no
 * request timeout. For every send and update this sender removes that policy from the connector client of its
 * turn and gives each HTTP request a timeout, so one dispatcher attempt is one HTTP request that ends within
 * `timeoutMs`. The one call it cannot reach is the `createConversation` inside createConversationAsync (made
 * before the turn starts): that call keeps the built-in retries. It is bounded by the overall deadline below;
 * repeating it is harmless (Teams answers with the same 1:1 conversation), and if it completes after the
 * deadline the message is NOT sent from that late turn (only the reference is stored).
 *
 * Errors are mapped to DeliveryError: 403/404/410 → unreachable; 408/412/429/5xx (not 501/505), 401, timeouts
 * and network errors → retryable (with Retry-After in ms when Teams sent one); other 4xx → rejected.
 */
import { type Activity, type CloudAdapter, type ConversationParameters, type ConversationReference, TurnContext } from 'botbuilder';
import type { ConversationReferenceStore } from '../domain/ports/store';
import type { Logger } from '../logging';
import type { CardContent } from '../notify/outboxPayloads';
import { presentCardContent } from './presenters/screenPresenter';
import { parseRetryAfterMs } from '../notify/backoff';
import { classifyHttpStatus } from '../notify/retryPolicy';

export { classifyHttpStatus };
import { DeliveryError, type Outgoing, type ProactiveSender, type Sent } from '../notify/proactiveSender';

export interface BotProactiveSenderOptions {
  adapter: CloudAdapter;
  /** The bot's Microsoft App Id (config `bot.appId`); null in anonymous local mode (no tokens). */
  appId: string | null;
  /** Bot Connector endpoint (config `serviceUrl`) for new 1:1 chats, the escalation channel and card updates. */
  serviceUrl: string;
  /** Where users' conversation references are read from and new ones stored. */
  references: ConversationReferenceStore;
  log?: Logger;
  /**
   * Deadline for one whole operation (reference lookup, create, send). Also each HTTP request's timeout.
   * Default 20 s. Keep it well under the dispatcher's lease.
   */
  timeoutMs?: number;
  /** Token audience for outbound calls; default: the adapter's (the public cloud's Bot Framework scope). */
  audience?: string;
  /** Default 'msteams'. */
  channelId?: string;
}

/** Minimal view of @azure/core-rest-pipeline's Pipeline (a transitive dependency of botbuilder). */
interface PipelineLike {
  removePolicy(options: { name?: string }): unknown[];
  addPolicy(policy: { name: string; sendRequest(request: { timeout: number }, next: (request: { timeout: number }) => Promise<unknown>): Promise<unknown> }): void;
}

const CONNECTOR_RETRY_POLICY = 'defaultRetryPolicy';
/** Connector pipelines already hardened (each turn has its own connector client; harden may be called twice). */
const hardened = new WeakSet<object>();
const DEADLINE_POLICY = 'channelCheckDeadline';
const ADAPTIVE_CARD = 'application/vnd.microsoft.card.adaptive';
const NETWORK_ERROR_CODES = new Set([
  'REQUEST_SEND_ERROR',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'ESOCKETTIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
]);

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

function headerOf(headers: unknown, name: string): string | null {
  if (headers === null || typeof headers !== 'object') return null;
  const h = headers as { get?: (n: string) => unknown } & Record<string, unknown>;
  const value = typeof h.get === 'function' ? h.get(name) : (h[name] ?? h[name.toLowerCase()]);
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : null;
}

/**
 * Maps whatever botbuilder / the connector client threw to a DeliveryError. RestError carries `statusCode`,
 * `code` (Teams' error code, or a network error code) and `response` (status, headers with get()).
 */
export function toDeliveryError(error: unknown, nowMs: number = Date.now()): DeliveryError {
  if (error instanceof DeliveryError) return error;
  const e = (error ?? {}) as { statusCode?: unknown; status?: unknown; code?: unknown; name?: unknown; message?: unknown; response?: { status?: unknown; headers?: unknown } };
  const status = numberOrNull(e.statusCode) ?? numberOrNull(e.response?.status) ?? numberOrNull(e.status);
  const code = typeof e.code === 'string' ? e.code : null;
  const message = typeof e.message === 'string' ? e.message.slice(0, 300) : String(error);
  if (status !== null) {
    const headers = e.response?.headers;
    const ms = headerOf(headers, 'retry-after-ms') ?? headerOf(headers, 'x-ms-retry-after-ms');
    const retryAfterMs = ms !== null && /^\d+$/.test(ms.trim()) ? Number(ms.trim()) : parseRetryAfterMs(headerOf(headers, 'retry-after'), nowMs);
    return new DeliveryError(`Teams answered ${status}${code ? ` ${code}` : ''}: ${message}`, classifyHttpStatus(status), status, retryAfterMs);
  }
  if (e.name === 'AbortError') return new DeliveryError(`request timed out or was aborted: ${message}`, 'retryable', null);
  if (code !== null && NETWORK_ERROR_CODES.has(code)) return new DeliveryError(`network error ${code}: ${message}`, 'retryable', null);
  // Unknown failures are retried (within the attempt budget) rather than risk losing a message.
  return new DeliveryError(`send failed: ${e.name ? `${String(e.name)}: ` : ''}${message}`, 'retryable', null);
}

interface Attempt {
  deadline: number;
  /** Set when the deadline passed: a late turn must not send. */
  abandoned: boolean;
}

export class BotProactiveSender implements ProactiveSender {
  private readonly adapter: CloudAdapter;
  private readonly appId: string | null;
  private readonly serviceUrl: string;
  private readonly references: ConversationReferenceStore;
  private readonly log: Logger | undefined;
  private readonly timeoutMs: number;
  private readonly audience: string | undefined;
  private readonly channelId: string;

  constructor(options: BotProactiveSenderOptions) {
    this.adapter = options.adapter;
    this.appId = options.appId;
    this.serviceUrl = options.serviceUrl;
    this.references = options.references;
    this.log = options.log;
    this.timeoutMs = options.timeoutMs ?? 20_000;
    this.audience = options.audience;
    this.channelId = options.channelId ?? 'msteams';
  }

  sendToUser(user: { aadObjectId: string; tenantId: string }, outgoing: Outgoing, idempotencyKey: string): Promise<Sent> {
    return this.withDeadline(async (attempt) => {
      const stored = await this.references.getConversationReference(user.aadObjectId);
      const reference = stored === null ? null : usableReference(stored.reference);
      if (reference !== null) {
        try {
          return await this.continueAndSend(reference, outgoing, idempotencyKey, attempt);
        } catch (error) {
          const failure = toDeliveryError(error);
          // A stored 1:1 conversation that Teams no longer knows: open the chat afresh (a 403 would repeat; not retried here).
          if (failure.status !== 404 || attempt.abandoned) throw failure;
          this.log?.info({ userAadId: user.aadObjectId }, 'stored conversation not found by Teams; opening a new 1:1 conversation');
        }
      }
      return this.createAndSend(user, outgoing, idempotencyKey, attempt);
    });
  }

  sendToConversation(conversationId: string, outgoing: Outgoing, idempotencyKey: string): Promise<Sent> {
    return this.withDeadline((attempt) => this.continueAndSend(this.referenceFor(conversationId), outgoing, idempotencyKey, attempt));
  }

  /**
   * Replaces a card already sent. `serviceUrl` is the conversation's own Bot Connector endpoint (from its stored
   * reference, carried in the card_update payload); the configured one when absent. (Not in the port's
   * signature yet: the dispatcher passes it as an extra argument.)
   */
  updateCard(conversationId: string, activityId: string, card: CardContent, serviceUrl?: string): Promise<void> {
    const content = presentCardContent(card);
    return this.withDeadline(async (attempt) => {
      await this.inTurn(this.referenceFor(conversationId, serviceUrl), attempt, async (context) => {
        await context.updateActivity({
          type: 'message',
          id: activityId,
          conversation: { ...context.activity.conversation, id: conversationId },
          attachments: [{ contentType: ADAPTIVE_CARD, content }],
        });
      });
    });
  }

  private get botAppId(): string {
    return this.appId ?? '';
  }

  private referenceFor(conversationId: string, serviceUrl?: string): Partial<ConversationReference> {
    return {
      channelId: this.channelId,
      serviceUrl: serviceUrl || this.serviceUrl,
      conversation: { id: conversationId, isGroup: true, conversationType: '', name: '' },
      bot: { id: this.appId ?? 'channelcheck', name: 'ChannelCheck' },
    };
  }

  private activityFor(outgoing: Outgoing, idempotencyKey: string): Partial<Activity> {
    const channelData = { channelCheck: { idempotencyKey } };
    if ('card' in outgoing) {
      return { type: 'message', summary: outgoing.summary, attachments: [{ contentType: ADAPTIVE_CARD, content: presentCardContent(outgoing.card) }], channelData };
    }
    return { type: 'message', text: outgoing.text, textFormat: 'plain', channelData };
  }

  private async continueAndSend(reference: Partial<ConversationReference>, outgoing: Outgoing, idempotencyKey: string, attempt: Attempt): Promise<Sent> {
    let sent: Sent | null = null;
    await this.inTurn(reference, attempt, async (context) => {
      sent = await this.send(context, outgoing, idempotencyKey, attempt);
    });
    if (sent === null) throw new DeliveryError('the proactive turn ended without sending', 'retryable', null);
    return sent;
  }

  private async createAndSend(user: { aadObjectId: string; tenantId: string }, outgoing: Outgoing, idempotencyKey: string, attempt: Attempt): Promise<Sent> {
    const parameters = {
      isGroup: false,
      bot: { id: this.appId ?? 'channelcheck', name: 'ChannelCheck' },
      members: [{ id: user.aadObjectId, name: '' }],
      tenantId: user.tenantId,
      channelData: { tenant: { id: user.tenantId } },
    } as ConversationParameters;
    let sent: Sent | null = null;
    let failure: unknown = null;
    await this.adapter.createConversationAsync(
      this.botAppId,
      this.channelId,
      this.serviceUrl,
      this.audience as string, // undefined → the adapter's default audience
      parameters,
      async (context) => {
        try {
          const reference = TurnContext.getConversationReference(context.activity);
          try {
            await this.references.saveConversationReference(user.aadObjectId, user.tenantId, reference);
          } catch (error) {
            this.log?.warn({ err: error, userAadId: user.aadObjectId }, 'opened a 1:1 conversation but could not store its reference');
          }
          sent = await this.send(context, outgoing, idempotencyKey, attempt);
        } catch (error) {
          // Caught here: an adapter with onTurnError would otherwise swallow it.
          failure = error;
        }
      },
    );
    if (failure !== null) throw toDeliveryError(failure);
    if (sent === null) throw new DeliveryError('the new conversation turn ended without sending', 'retryable', null);
    return sent;
  }

  /** Runs `work` in a proactive turn on `reference`; errors inside the turn are rethrown here, never left to onTurnError. */
  private async inTurn(reference: Partial<ConversationReference>, attempt: Attempt, work: (context: TurnContext) => Promise<void>): Promise<void> {
    let failure: unknown = null;
    const logic = async (context: TurnContext): Promise<void> => {
      try {
        this.harden(context, attempt);
        await work(context);
      } catch (error) {
        failure = error;
      }
    };
    if (this.audience !== undefined) await this.adapter.continueConversationAsync(this.botAppId, reference, this.audience, logic);
    else await this.adapter.continueConversationAsync(this.botAppId, reference, logic);
    if (failure !== null) throw toDeliveryError(failure);
  }

  private async send(context: TurnContext, outgoing: Outgoing, idempotencyKey: string, attempt: Attempt): Promise<Sent> {
    this.harden(context, attempt);
    if (attempt.abandoned) throw new DeliveryError('deadline passed before sending', 'retryable', null);
    const response = await context.sendActivity(this.activityFor(outgoing, idempotencyKey));
    return { activityId: response?.id || null, conversationId: context.activity.conversation.id };
  }

  /**
   * Makes this turn's connector client do exactly one HTTP request per call, ending by the deadline: removes
   * the connector's own retry policy and sets each request's timeout to the time left.
   */
  private harden(context: TurnContext, attempt: Attempt): void {
    const connector = context.turnState.get(context.adapter.ConnectorClientKey) as { client?: { pipeline?: PipelineLike } } | undefined;
    const pipeline = connector?.client?.pipeline;
    if (pipeline === undefined || typeof pipeline.removePolicy !== 'function') {
      this.log?.warn('botbuilder connector client has no reachable pipeline: its built-in retries and lack of timeout apply');
      return;
    }
    if (hardened.has(pipeline)) return;
    hardened.add(pipeline);
    pipeline.removePolicy({ name: CONNECTOR_RETRY_POLICY });
    pipeline.addPolicy({
      name: DEADLINE_POLICY,
      sendRequest: (request, next) => {
        const remaining = attempt.deadline - Date.now();
        if (remaining <= 0) return Promise.reject(new DeliveryError('deadline passed before the request', 'retryable', null));
        request.timeout = request.timeout > 0 ? Math.min(request.timeout, remaining) : remaining;
        return next(request);
      },
    });
  }

  private async withDeadline<T>(operation: (attempt: Attempt) => Promise<T>): Promise<T> {
    const attempt: Attempt = { deadline: Date.now() + this.timeoutMs, abandoned: false };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        attempt.abandoned = true;
        reject(new DeliveryError(`no answer from Teams within ${this.timeoutMs} ms`, 'retryable', null));
      }, this.timeoutMs);
    });
    const work = operation(attempt);
    work.catch(() => undefined); // after a timeout, the late result is ignored
    try {
      return await Promise.race([work, timeout]);
    } catch (error) {
      throw toDeliveryError(error);
    } finally {
      clearTimeout(timer);
    }
  }
}

/** A stored reference is used only if it names a conversation and a service URL. */
function usableReference(value: unknown): Partial<ConversationReference> | null {
  const ref = value as Partial<ConversationReference> | null;
  if (ref === null || typeof ref !== 'object') return null;
  if (typeof ref.serviceUrl !== 'string' || ref.serviceUrl === '' || typeof ref.conversation?.id !== 'string' || ref.conversation.id === '') return null;
  return ref;
}
