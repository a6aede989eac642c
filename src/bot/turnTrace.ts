/**
 * What follows one activity through its turn: its correlation id and the logger whose every line carries it
 * (src/bot/messageEndpoint.ts makes both). Kept in the turn's state, so the bot, the adapter's error handler
 * and the actor handed to the services (turnActor.ts) all find the same pair; passed by hand, never held in
 * async context.
 */
import type { TurnContext } from 'botbuilder';
import type { Logger } from 'pino';

export interface TurnTrace {
  readonly correlationId: string;
  /** The deployment's logger with `correlationId` bound. */
  readonly log: Logger;
}

const TRACE = Symbol('channelcheck.turnTrace');

/**
 * The trace of the activity `correlationId`. Its logger (`base.child({ correlationId })`) is made the first
 * time a line needs it: with secret fields redacted a child costs a few microseconds, and most turns write no
 * line at the production level.
 */
export function turnTrace(base: Logger, correlationId: string): TurnTrace {
  let log: Logger | undefined;
  return {
    correlationId,
    get log() {
      return (log ??= base.child({ correlationId }));
    },
  };
}

export function setTurnTrace(context: TurnContext, trace: TurnTrace): void {
  context.turnState.set(TRACE, trace);
}

/** The turn's trace; none for a turn not started by the message endpoint (a proactive send, a test adapter). */
export function turnTraceOf(context: TurnContext): TurnTrace | undefined {
  return context.turnState.get(TRACE) as TurnTrace | undefined;
}
