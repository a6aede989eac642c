/**
 * The shape of a policy pack (policies/<id>.yaml) and of the baseline safeguards (policies/baseline.yaml).
 * Validated at load time and by `npm run policy:check`.
 */
import { z } from 'zod';

/** What a rule does when its condition holds. The order of decisive effects is in precedence.ts. */
export const EFFECTS = [
  'ESCALATE_SAFEGUARDING',
  'REPORT_INCIDENT',
  'BLOCK',
  'NEEDS_MANAGER_APPROVAL',
  'PREFER_TEAMS',
  'ALLOW_WITH_CONDITIONS',
  'CONDITION',
  'RECORD',
  'INFO',
] as const;
export type Effect = (typeof EFFECTS)[number];

export const PACK_STATUSES = ['policy', 'guidance', 'guidance_not_enforceable', 'temporary_guidance'] as const;
export type PackStatus = (typeof PACK_STATUSES)[number];

export const CONTACT_WHEN = ['always', 'in_hours', 'out_of_hours'] as const;
/** How soon the line manager must hear: urgent (an alert now), same_day (an information incident), routine. */
export const URGENCIES = ['urgent', 'same_day', 'routine'] as const;
export type Urgency = (typeof URGENCIES)[number];
export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const text = z.string().trim().min(1, 'must not be empty');
const idPattern = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM (24-hour)');

export const contactSchema = z.strictObject({
  id: z.string().regex(idPattern, 'must be letters, digits, dot, dash or underscore'),
  label: text,
  phone: text.optional(),
  email: z.email().optional(),
  url: text.optional(),
  when: z.enum(CONTACT_WHEN).default('always'),
  note: text.optional(),
  citation: text,
});

export const scriptSchema = z.strictObject({
  id: z.string().regex(idPattern, 'must be letters, digits, dot, dash or underscore'),
  title: text,
  citation: text,
  /** true: the text is the council's own wording and must be sent exactly as written. */
  verbatim: z.boolean(),
  /** Not trimmed: verbatim scripts keep every space the source has. */
  text: z.string().min(1, 'must not be empty'),
});

export const ruleSchema = z
  .strictObject({
    id: z.string().regex(idPattern, 'must be letters, digits, dot, dash or underscore'),
    citation: text,
    effect: z.enum(EFFECTS),
    /** Condition over the facts, an adaptive-expressions expression. Omitted only on a fallback rule. */
    when: text.optional(),
    /** A fallback rule fires when no rule authorised WhatsApp (ALLOW_WITH_CONDITIONS) and nothing else decided. */
    fallback: z.boolean().default(false),
    /** Practitioner-facing text: the reason, the checklist item, the record instruction or the note. */
    text: text,
    alternatives: z.array(text).default([]),
    conditions: z.array(text).default([]),
    scripts: z.array(z.string()).default([]),
    contacts: z.array(z.string()).default([]),
    /** Ping the line manager when this rule fires. */
    notify: z.enum(URGENCIES).optional(),
    /**
     * Rules of this pack that this clause is a narrower case of: when both fire with the deciding effect,
     * this one is the decisive reason and they are supporting ones.
     */
    narrows: z.array(z.string()).default([]),
    /** Baseline rules this council rule speaks for when it fires (the council's clause is cited instead). */
    replacesBaseline: z.array(z.string()).default([]),
    /**
     * When this rule fires, only the alternatives of rules so marked are offered: for a risk that makes other
     * routes unsafe too (someone with access to the phone: a text, an email or the family may reach them).
     */
    exclusiveAlternatives: z.boolean().default(false),
    /**
     * The pack asks for the contact's consent here: the outcome card offers "They replied YES" (reply_yes, a
     * consent script answered YES) or "They agreed" (agreement), recorded in the consent register.
     */
    asksConsent: z.enum(['reply_yes', 'agreement']).optional(),
    /** Marks the council's explicit exception that may allow WhatsApp with an under-16 (consent and approval). */
    under16Exception: z.boolean().default(false),
  })
  .superRefine((r, ctx) => {
    if (r.fallback && r.when !== undefined) ctx.addIssue({ code: 'custom', path: ['when'], message: 'a fallback rule has no condition' });
    if (!r.fallback && r.when === undefined) ctx.addIssue({ code: 'custom', path: ['when'], message: 'is required (a condition over the facts)' });
  });

export const packSchema = z.strictObject({
  schemaVersion: z.literal(1),
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'must be lower-case letters, digits and dashes'),
  kind: z.enum(['council', 'baseline']).default('council'),
  metadata: z.strictObject({
    title: text,
    council: text,
    /** How people name the council in a short citation: "Hillingdon 2.2". */
    shortName: text,
    service: text.optional(),
    version: text,
    date: z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'must be YYYY, YYYY-MM or YYYY-MM-DD').nullable(),
    reviewDue: z.string().regex(/^\d{4}(-\d{2}(-\d{2})?)?$/, 'must be YYYY, YYYY-MM or YYYY-MM-DD').nullable().default(null),
    status: z.enum(PACK_STATUSES),
    /** Shown on every outcome card when the document is temporary or not enforceable. */
    statusNote: text.optional(),
    sourceFile: text,
    scope: text,
    owner: text.optional(),
  }),
  recording: z
    .strictObject({
      /** Where the case note goes, in the council's words ("case file running record", "Mosaic"). */
      system: text,
      instruction: text,
    })
    .optional(),
  workingHours: z
    .strictObject({
      timezone: text.default('Europe/London'),
      days: z.array(z.enum(WEEKDAYS)).min(1),
      start: hhmm,
      end: hhmm,
      basis: text,
    })
    .optional(),
  retention: z
    .strictObject({
      /** How long ChannelCheck keeps its own decision records for this council before the purge job removes them. */
      decisionRecordDays: z.number().int().min(1).max(36500),
      /** What the council says about keeping the WhatsApp messages themselves. */
      messages: text,
      citation: text,
    })
    .optional(),
  contacts: z.array(contactSchema).default([]),
  scripts: z.array(scriptSchema).default([]),
  rules: z.array(ruleSchema).min(1),
});

export type PackInput = z.input<typeof packSchema>;
export type PackData = z.output<typeof packSchema>;
export type RuleData = z.output<typeof ruleSchema>;
export type ContactData = z.output<typeof contactSchema>;
export type ScriptData = z.output<typeof scriptSchema>;
