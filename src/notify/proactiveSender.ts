/**
 * The port the dispatcher sends through. src/bot/proactiveSender.ts implements it with botbuilder
 * (continueConversationAsync / createConversationAsync / updateActivity) and renders a card's view with the
 * bot's presenters at send time; tests may use a fake.
 */
import type { CardContent } from './outboxPayloads';

/** A card (its view, or a card rendered when an older row was queued) or a plain text. */
export type Outgoing = { card: CardContent; summary: string } | { text: string };

export interface Sent {
  activityId: string | null;
  conversationId: string;
}

/** How a send failed, classified for the retry policy. */
export type FailureKind =
  /** 429, 412, 502, 504, 500/503, timeouts and network errors: try again later. */
  | 'retryable'
  /** 403 (the app is not installed for the user), 404 (conversation gone): this route will never work. */
  | 'unreachable'
  /** 400 and the like: the message itself is wrong; retrying cannot help. */
  | 'rejected';

export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly kind: FailureKind,
    readonly status: number | null,
    /** From a Retry-After header, when the service sent one. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

export interface ProactiveSender {
  /** A 1:1 message to a user: through their stored conversation reference, or a new conversation with them. */
  sendToUser(user: { aadObjectId: string; tenantId: string }, outgoing: Outgoing, idempotencyKey: string): Promise<Sent>;
  /** A message to a known conversation (the escalation channel). */
  sendToConversation(conversationId: string, outgoing: Outgoing, idempotencyKey: string): Promise<Sent>;
  /** Replaces a card already sent; `serviceUrl` is that conversation's endpoint (the configured one when absent). */
  updateCard(conversationId: string, activityId: string, card: CardContent, serviceUrl?: string): Promise<void>;
}
