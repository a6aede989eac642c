import type { ActingUser } from '../domain/authority';
import type { NewOutboxMessage } from '../domain/ports/store';

/**
 * The Teams user behind an action, as the server established it from the activity (never from card data):
 * their Entra object id, tenant and the conversation the activity came from, and their name for display.
 */
export interface Actor extends ActingUser {
  displayName: string;
  /**
   * The correlation id of the activity the action came in (src/bot/messageEndpoint.ts makes one per
   * activity): the services put it on the log lines they write and the outbox messages they queue for the
   * action. Absent outside a bot turn (the tab, CLIs).
   */
  correlationId?: string;
}

/** The messages, each marked with the activity whose turn queues them (`outbox.correlation_id`); as they are outside a turn. */
export function queuedBy<M extends NewOutboxMessage>(actor: Pick<Actor, 'correlationId'>, messages: readonly M[]): M[] {
  const correlationId = actor.correlationId;
  return correlationId === undefined ? [...messages] : messages.map((m) => ({ ...m, correlationId }));
}
