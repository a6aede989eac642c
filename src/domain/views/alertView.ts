/** An urgent safeguarding alert as a manager sees it: from whom, why, where it is routed, who acknowledged it. */
import { z } from 'zod';
import { ESCALATION_LEVELS, ESCALATION_STATUSES } from '../ports/store';
import { routedHoursSchema } from '../workingHours';
import { checkForManagerShape, contactSchema, isoTime, itemSchema, personSchema } from './viewParts';

const level = z.enum(ESCALATION_LEVELS);

export const alertViewSchema = z.object({
  escalationId: z.string(),
  decisionId: z.string(),
  status: z.enum(ESCALATION_STATUSES),
  /** The level it has reached, and every level sent a copy so far. */
  level,
  reachedLevels: z.array(level),
  /** When it was raised: how long it has waited. */
  raisedAt: isoTime,
  /** Which hours it was routed for and why (the clock can override the answer); null on alerts raised before this was kept. */
  routedHours: routedHoursSchema.nullable().default(null),
  /** Whose check, and the facts the safeguarding rules read first. */
  ...checkForManagerShape,
  /** The safeguarding rules that raised it. */
  reasons: z.array(itemSchema),
  /** Numbers to call (the practitioner's "tell your line manager" is left out: the reader is the manager). */
  contacts: z.array(contactSchema),
  acknowledgedAt: isoTime.nullable(),
  /** Who acknowledged it; `name` null when the viewer is not told (another manager). */
  acknowledgedBy: personSchema.nullable(),
  /** Whether the person this view is for may acknowledge it now (src/domain/authority.ts; a copy goes only to those who may). */
  viewerMayAcknowledge: z.boolean(),
  /** Why this copy came to its reader: moved on from `fromLevel` after `minutes`, or a reminder. */
  routingNote: z
    .object({ reason: z.enum(['undelivered', 'unacknowledged', 'reminder']), fromLevel: level, toLevel: level, minutes: z.number().int().positive() })
    .nullable(),
});

export type AlertView = z.infer<typeof alertViewSchema>;
