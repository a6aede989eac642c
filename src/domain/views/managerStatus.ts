/**
 * Where the line manager's part of a decision stands, as facts (who was told, delivered, acknowledged,
 * approved, by whom and when). The practitioner's outcome card says it in words (src/bot/presenters).
 */
import { z } from 'zod';
import { APPROVAL_STATUSES, ESCALATION_LEVELS } from '../ports/store';
import { isoTime } from './viewParts';

const level = z.enum(ESCALATION_LEVELS);
/** Why the practitioner has no manager on the alert: none on record, or the lookup failed. */
const noManager = z.enum(['not_on_record', 'lookup_failed']).nullable();

export const alertCopySchema = z.object({
  /** Who the copy is for: the level and the person's name when known (legacy rows carry only a description). */
  recipient: z.object({ level: level.nullable(), name: z.string().nullable(), description: z.string().nullable() }),
  delivery: z.enum(['delivered', 'failed', 'pending']),
  deliveredAt: isoTime.nullable(),
});

export const managerStatusSchema = z.discriminatedUnion('kind', [
  /** Just queued: the alert is being sent to these levels; it goes further after `goesFurtherAfterMinutes` unacknowledged. */
  z.object({ kind: z.literal('alert_sending'), noManager, reached: z.array(z.object({ level, name: z.string().nullable() })).min(1), goesFurtherAfterMinutes: z.number().int().positive().nullable() }),
  /** Nobody could be alerted through Teams. */
  z.object({ kind: z.literal('alert_unreachable'), noManager }),
  /** The alert is with `level`, not acknowledged; where each copy stands. */
  z.object({ kind: z.literal('alert_open'), level, copies: z.array(alertCopySchema) }),
  z.object({ kind: z.literal('alert_acknowledged'), byName: z.string().nullable(), at: isoTime.nullable() }),
  /** Not delivered / not acknowledged in time: phone now, these numbers. */
  z.object({ kind: z.literal('phone_now'), reason: z.enum(['undelivered', 'unacknowledged']), minutes: z.number().int().positive(), numbers: z.array(z.object({ label: z.string(), phone: z.string() })) }),
  z.object({ kind: z.literal('approval_sending'), managerName: z.string() }),
  z.object({ kind: z.literal('approval_no_manager'), channelTold: z.boolean() }),
  /** The approval request as stored; `byName` null when the viewer is not told who settled it. */
  z.object({ kind: z.literal('approval'), status: z.enum(APPROVAL_STATUSES), byName: z.string().nullable(), at: isoTime.nullable(), comment: z.string().nullable() }),
  /** The manager was sent a notice; `managerName` null when not known. */
  z.object({ kind: z.literal('notice_sent'), managerName: z.string().nullable() }),
  z.object({ kind: z.literal('notice_no_manager'), channelTold: z.boolean() }),
]);

export type AlertCopyView = z.infer<typeof alertCopySchema>;
export type ManagerStatus = z.infer<typeof managerStatusSchema>;
