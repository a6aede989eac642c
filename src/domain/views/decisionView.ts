/**
 * A recorded decision as the practitioner sees it: the outcome and channel, the reasons with their
 * citations, what to do now, the conditions, scripts, alternatives and contacts, what to record and the
 * case note, where the case's consent register stands, and where the line manager's part stands (the
 * approval request or safeguarding alert, and the status facts the card says in words).
 */
import { z } from 'zod';
import { URGENCIES } from '../policy/packSchema';
import { CHANNEL_VERDICTS, OUTCOMES } from '../policy/precedence';
import { APPROVAL_STATUSES, ESCALATION_LEVELS, ESCALATION_STATUSES } from '../ports/store';
import { alertCopySchema, managerStatusSchema } from './managerStatus';
import { contactSchema, isoTime, itemSchema, personSchema, reasonSchema, scriptSchema } from './viewParts';

export const policyRefSchema = z.object({ id: z.string(), title: z.string(), council: z.string(), version: z.string(), contentHash: z.string() });

export const decisionViewSchema = z.object({
  decisionId: z.string(),
  createdAt: isoTime,
  practitioner: personSchema,
  caseRef: z.string().nullable(),
  policy: policyRefSchema,
  outcome: z.enum(OUTCOMES),
  channel: z.enum(CHANNEL_VERDICTS),
  headline: z.string(),
  urgency: z.enum(URGENCIES).nullable(),
  actNow: z.array(itemSchema),
  /** Every rule that fired, decisive first. */
  reasons: z.array(reasonSchema),
  conditions: z.array(itemSchema),
  scripts: z.array(scriptSchema),
  alternatives: z.array(itemSchema),
  contacts: z.array(contactSchema),
  record: z.object({ system: z.string().nullable(), instruction: z.string().nullable(), instructions: z.array(itemSchema) }),
  warnings: z.array(z.string()),
  routineLater: z
    .object({ title: z.string(), conditions: z.array(itemSchema), scripts: z.array(scriptSchema), alternatives: z.array(itemSchema), contacts: z.array(contactSchema) })
    .nullable(),
  /** The case-note text to copy into the case record. */
  caseNote: z.string(),
  consent: z.object({
    /** What the case's consent register says now, if anything. */
    standing: z.enum(['given', 'withdrawn']).nullable(),
    /** The register's own line (the same words as the case note). */
    registerLine: z.string().nullable(),
    /** The pack asks for consent and this check's is not recorded yet: what the button says. */
    offer: z.object({ label: z.string() }).nullable(),
  }),
  approval: z
    .object({ approvalId: z.string(), status: z.enum(APPROVAL_STATUSES), settledAt: isoTime.nullable(), settledBy: personSchema.nullable(), comment: z.string().nullable() })
    .nullable(),
  alert: z
    .object({
      escalationId: z.string(),
      level: z.enum(ESCALATION_LEVELS),
      status: z.enum(ESCALATION_STATUSES),
      raisedAt: isoTime,
      acknowledgedAt: isoTime.nullable(),
      acknowledgedBy: personSchema.nullable(),
      copies: z.array(alertCopySchema),
    })
    .nullable(),
  /** The line manager's part, as the outcome card says it (empty: nothing to say). */
  managerStatus: z.array(managerStatusSchema),
});

export type DecisionView = z.infer<typeof decisionViewSchema>;
