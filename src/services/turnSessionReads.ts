/**
 * One read of a wizard session per turn. On a wizard turn the turn throttle first looks at the session's
 * stored answers (a check whose answers indicate risk is never held back), and then the step's handler
 * loads the same session: two queries and two JSON parses of the same row. The throttle's read is kept
 * against the turn's actor, a new object on every turn (so a kept read cannot outlive its turn and is
 * never seen by another one), and handed once to that turn's load of the same session; any later load
 * reads again, and a read that failed is not reused. The read only moves earlier within the turn: a step
 * is still applied at the version it was read at, so a concurrent change is caught exactly as before.
 */
import type { WizardSession } from '../domain/ports/store';

type Read = (sessionId: string) => Promise<WizardSession | null>;

export class TurnSessionReads {
  private readonly kept = new WeakMap<object, { sessionId: string; read: Promise<WizardSession | null> }>();

  constructor(private readonly read: Read) {}

  /** Reads the session and keeps the read for the same turn's load. */
  readAndKeep(turn: object, sessionId: string): Promise<WizardSession | null> {
    const read = this.read(sessionId);
    this.kept.set(turn, { sessionId, read });
    return read;
  }

  /** The read kept by this turn for this session, once; otherwise (or if it failed) a new read. */
  take(turn: object, sessionId: string): Promise<WizardSession | null> {
    const kept = this.kept.get(turn);
    this.kept.delete(turn);
    if (kept === undefined || kept.sessionId !== sessionId) return this.read(sessionId);
    return kept.read.catch(() => this.read(sessionId));
  }
}
