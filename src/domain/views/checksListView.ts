/** "my checks", "team checks" and "approvals": a list of recorded decisions, each with its id and state. */
import { z } from 'zod';
import { OUTCOMES } from '../policy/precedence';
import { DECISION_STATES } from '../ports/store';
import { isoTime } from './viewParts';

export const CHECKS_LISTS = ['mine', 'team', 'waiting'] as const;

export const checksEntrySchema = z.object({
  decisionId: z.string(),
  createdAt: isoTime,
  outcome: z.enum(OUTCOMES),
  headline: z.string(),
  council: z.string(),
  caseRef: z.string().nullable(),
  /** Null once erased. */
  practitionerName: z.string().nullable(),
  state: z.enum(DECISION_STATES),
  /** On the "waiting for you" list: what waits for the viewer. */
  waitingFor: z.enum(['approval', 'alert']).nullable(),
  /** The case's consent register, on the latest check of each case in the practitioner's own list. */
  consent: z.enum(['given', 'withdrawn']).nullable(),
  /** The practitioner may record a withdrawal of consent for this entry's case. */
  mayWithdrawConsent: z.boolean(),
});

export const checksListViewSchema = z.object({
  list: z.enum(CHECKS_LISTS),
  /** team: whether anyone is known to report to the viewer. */
  hasTeam: z.boolean(),
  entries: z.array(checksEntrySchema),
});

export type ChecksEntryView = z.infer<typeof checksEntrySchema>;
export type ChecksListView = z.infer<typeof checksListViewSchema>;
