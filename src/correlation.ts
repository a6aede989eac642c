/**
 * A correlation id per incoming activity, carried through everything the turn does: every log line written
 * while the turn runs (logging.ts adds it) and every outbox row the turn queues (the outbox repository stores
 * it in `outbox.correlation_id`), so one id follows a click from the HTTP request to the Teams message it
 * caused. Held in AsyncLocalStorage, so nothing has to pass it along by hand.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

const storage = new AsyncLocalStorage<{ correlationId: string }>();

export function newCorrelationId(): string {
  return randomUUID();
}

/** Runs `work` with `correlationId` as the current correlation id. */
export function withCorrelationId<T>(correlationId: string, work: () => Promise<T>): Promise<T> {
  return storage.run({ correlationId }, work);
}

/** The correlation id of the activity being handled, or null outside a turn (timers, the dispatcher, CLIs). */
export function currentCorrelationId(): string | null {
  return storage.getStore()?.correlationId ?? null;
}
