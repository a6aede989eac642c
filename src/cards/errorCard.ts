/** An error the user can act on: what happened, what to do, Try again (when it makes sense) and Start again. */
import { type CardJson, renderTemplate } from './renderTemplate';

export interface ErrorCardInput {
  title: string;
  message: string;
  errorId: string;
  /** The action data to send again on "Try again"; omitted when retrying cannot help. */
  retry?: { verb: string; data: Record<string, unknown> } | null;
  /** Shown when the check was about a safeguarding concern, so an error never hides what to do. */
  safetyNote?: string | null;
}

export const SAFETY_NOTE =
  'If a child or adult may be at risk, do not wait for ChannelCheck: tell your line manager now, follow your council\'s child protection procedures, and call 999 if there is immediate risk to life.';

export function errorCard({ title, message, errorId, retry = null, safetyNote = SAFETY_NOTE }: ErrorCardInput): CardJson {
  return renderTemplate('error', {
    title,
    message,
    errorId,
    retryVerb: retry?.verb ?? null,
    retryData: retry ? { ...retry.data, verb: retry.verb } : null,
    safetyNote,
  });
}
