/** The approval request a line manager decides: who asks, the deciding facts, the conditions, where it stands. */
import { z } from 'zod';
import { APPROVAL_STATUSES } from '../ports/store';
import { checkForManagerShape, isoTime, itemSchema, personSchema } from './viewParts';

export const approvalViewSchema = z.object({
  approvalId: z.string(),
  decisionId: z.string(),
  /** Sent back with Approve / Decline, so a stale card settles nothing. */
  version: z.number().int().positive(),
  status: z.enum(APPROVAL_STATUSES),
  requestedAt: isoTime,
  /** Whose check, and the facts that made it need the manager first. */
  ...checkForManagerShape,
  /** The rules that decided it. */
  reasons: z.array(itemSchema),
  /** What the practitioner must follow if it is approved: the decision's conditions (the manager's card leaves off those telling the practitioner to ask their line manager). */
  conditions: z.array(itemSchema),
  /** The manager and their delegates: who may decide it. */
  deciderAadIds: z.array(z.string()),
  settledAt: isoTime.nullable(),
  settledBy: personSchema.nullable(),
  comment: z.string().nullable(),
  /** Whether the person this view is for may approve or decline it (src/domain/authority.ts). */
  viewerMayDecide: z.boolean(),
});

export type ApprovalView = z.infer<typeof approvalViewSchema>;
