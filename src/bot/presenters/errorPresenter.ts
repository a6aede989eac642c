/** An error the user can act on: what happened, what to do, Try again (when it makes sense) and Start again. */
import { isStoreUnavailable } from '../../domain/ports/storeUnavailable';
import { UserFacingError } from '../../services/userFacingError';
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

/** The data the error template is bound to. */
export function errorCardData({ title, message, errorId, retry = null, safetyNote = SAFETY_NOTE }: ErrorCardInput) {
  return {
    title,
    message,
    errorId,
    retryVerb: retry?.verb ?? null,
    retryData: retry ? { ...retry.data, verb: retry.verb } : null,
    safetyNote,
  };
}

export function errorCard(input: ErrorCardInput): CardJson {
  return renderTemplate('error', errorCardData(input));
}

/** What the bot shows for a failed action: the user's own error, "nothing was recorded" for a busy store, or a generic one. */
export function presentError(e: unknown, errorId: string, retry: { verb: string; data: Record<string, unknown> } | null): CardJson {
  if (e instanceof UserFacingError) return errorCard({ title: e.title, message: e.advice, errorId, retry: e.status >= 500 ? retry : null });
  if (isStoreUnavailable(e)) {
    return errorCard({
      title: 'ChannelCheck could not save that just now',
      message: 'Nothing was recorded; try again in a minute. If it keeps failing, tell your IT team the reference below.',
      errorId,
      retry,
    });
  }
  return errorCard({
    title: 'ChannelCheck could not finish that step',
    message: 'Nothing you entered was lost. Try again; if it keeps failing, start a new check or tell your IT team the reference below.',
    errorId,
    retry,
  });
}
