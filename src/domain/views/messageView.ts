/** A short notice a service answers with (a check cancelled, consent withdrawal recorded, ...). */
import { z } from 'zod';

export const NOTICES = ['check_cancelled', 'check_was_cancelled', 'checks_cancelled', 'nothing_to_cancel', 'no_consent_to_withdraw', 'consent_withdrawn'] as const;

export const messageViewSchema = z.object({
  notice: z.enum(NOTICES),
  /** The case the notice is about. */
  caseRef: z.string().nullable(),
  /** How many (checks cancelled). */
  count: z.number().int().nonnegative().nullable(),
});

export type Notice = (typeof NOTICES)[number];
export type MessageView = z.infer<typeof messageViewSchema>;

export function notice(n: Notice, extra: { caseRef?: string; count?: number } = {}): MessageView {
  return { notice: n, caseRef: extra.caseRef ?? null, count: extra.count ?? null };
}
