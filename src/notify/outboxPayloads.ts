/**
 * What an outbox row asks the dispatcher to do. The services queue these (in the same transaction as the
 * state change); the dispatcher delivers them. Transport-neutral: a card is Adaptive Card JSON.
 */
import type { CardJson } from '../cards/renderTemplate';

export const OUTBOX_KINDS = ['card', 'text', 'card_update'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/** Where a delivered card must be remembered, so it can be updated in place later. */
export type AttachAs = { approvalId: string; whose: 'manager' | 'practitioner' };

/** What to do when the target cannot be reached at all (403 app not installed, 404 conversation gone, or retries exhausted). */
export interface Fallback {
  /** Send the same card to the configured escalation channel. */
  toEscalationChannel: boolean;
  /** Tell this practitioner (AAD object id) who was, or was not, reached. */
  tellPractitionerAadId?: string;
  /** Who the message was for, in words: "your line manager Lee Manager". */
  recipientDescription: string;
}

export interface CardPayload {
  /** The tenant of the user target, to open a new 1:1 conversation when no reference is stored. */
  tenantId: string;
  card: CardJson;
  /** Notification preview text (Teams shows it in the activity feed and on phones). */
  summary: string;
  attachAs?: AttachAs;
  fallback?: Fallback;
  /** The card to post in the escalation channel on fallback, when it must differ (no buttons for everyone). */
  channelCard?: CardJson;
  /** Urgent safeguarding alerts are delivered before anything else. */
  urgent?: boolean;
}

export interface TextPayload {
  tenantId: string;
  text: string;
}

export interface CardUpdatePayload {
  activityId: string;
  conversationId: string;
  /** The Bot Connector endpoint of that conversation (from its stored reference); the configured one when absent. */
  serviceUrl?: string;
  card: CardJson;
}

export type OutboxPayload =
  | { kind: 'card'; payload: CardPayload }
  | { kind: 'text'; payload: TextPayload }
  | { kind: 'card_update'; payload: CardUpdatePayload };
