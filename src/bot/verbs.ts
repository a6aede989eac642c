/**
 * Card verbs: routing as data. Each verb maps to one handler that parses its payload, calls one service and
 * returns what to show. Handlers never import botbuilder; channelCheckBot.ts turns the reply into Teams calls.
 */
import type { CardJson } from './presenters/renderTemplate';
import type { Actor } from '../services/actor';

export interface VerbRequest {
  actor: Actor;
  /** The action's data merged with the card's inputs, as the client sent them. Untrusted. */
  data: Record<string, unknown>;
  /** botbuilder ConversationReference of the turn, stored for proactive messages and card updates. */
  conversationRef: unknown;
}

export type VerbReply =
  /** Replace the card the user acted on. */
  | { kind: 'replaceCard'; card: CardJson }
  /** Keep the card, post a new message card below it, and tell the transport to remember where it went. */
  | { kind: 'newCard'; card: CardJson; toast: string; onSent?: (activityId: string) => Promise<void> };

export type VerbHandler = (request: VerbRequest) => Promise<VerbReply>;

export type VerbRoutes = Readonly<Record<string, VerbHandler>>;
