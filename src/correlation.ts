/**
 * A correlation id per incoming activity, carried through everything the turn does: every log line the turn's
 * code writes and every outbox row the turn queues (`outbox.correlation_id`), so one id follows a
 * click from the HTTP request to the Teams message it caused. Passed by hand, never held in async context
 * (AsyncLocalStorage would run promise hooks on every promise of the process): src/bot/messageEndpoint.ts
 * makes the id and a logger bound to it, the turn carries both (src/bot/turnTrace.ts), the actor handed to the
 * services carries the id (src/services/actor.ts), and the services put it on the messages they queue. What a
 * library prints with console.* during a turn (routeConsoleTo in logging.ts) has no id: only async context
 * could tell which turn it came from.
 */
import { randomUUID } from 'node:crypto';

export function newCorrelationId(): string {
  return randomUUID();
}

/**
 * The log fields naming the activity something was done for: `{ correlationId }`, or none outside a turn.
 * Takes anything that may carry the id: an actor, a directory asker.
 */
export function correlationFields(traced: { readonly correlationId?: string } | undefined): { correlationId?: string } {
  return traced?.correlationId === undefined ? {} : { correlationId: traced.correlationId };
}
