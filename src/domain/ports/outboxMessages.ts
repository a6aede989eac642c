/**
 * The outbox's one typed contract: what each kind of row asks the dispatcher to do. zod schemas, with the
 * types derived from them; the store's `NewOutboxMessage` is a union keyed on `kind`, and the dispatcher parses
 * every row it claims with the schema of its kind. Pure (zod only), so the store's port can use it;
 * src/notify/outboxPayloads.ts re-exports it for the notification code. Transport-neutral: a card row carries
 * the view it shows (kind + view, src/domain/views), rendered into a card only when it is sent
 * (src/bot/proactiveSender.ts).
 */
import { z } from 'zod';
import { cardViewSchema } from '../views/screen';
import { ESCALATION_LEVELS } from './store';

export const OUTBOX_KINDS = ['card', 'text', 'card_update'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

const cardJson = z.record(z.string(), z.unknown());

/** A card already rendered, explicitly marked (what a legacy row becomes once read). */
const renderedCardSchema = z.object({ kind: z.literal('rendered'), card: cardJson });

/**
 * A row queued before rows carried views: its `card` is the Adaptive Card JSON itself. Still delivered as
 * it is; read as a `rendered` card.
 */
export const legacyRenderedCardSchema = z
  .looseObject({ type: z.literal('AdaptiveCard') })
  .transform((card): z.infer<typeof renderedCardSchema> => ({ kind: 'rendered', card }));

/** What a card row shows: a view to render at send time, or (legacy rows) a card rendered when it was queued. */
export const cardContentSchema = z.union([z.discriminatedUnion('kind', [...cardViewSchema.options, renderedCardSchema]), legacyRenderedCardSchema]);

/** Where a delivered card must be remembered, so it can be updated in place later. */
export const attachAsSchema = z.object({ approvalId: z.string().min(1), whose: z.enum(['manager', 'practitioner']) });

/** What to do when the target cannot be reached at all (403 app not installed, 404 conversation gone, or a routine row's time budget spent). */
export const fallbackSchema = z.object({
  /** Send the same card to the configured escalation channel. */
  toEscalationChannel: z.boolean(),
  /** Tell this practitioner (AAD object id) who was, or was not, reached. */
  tellPractitionerAadId: z.string().min(1).optional(),
  /** Who the message was for, in words: "your line manager Lee Manager". */
  recipientDescription: z.string().min(1),
  /** The case the message is about, named in every follow-up ("case CR-40118", or "no case reference"). */
  caseRef: z.string().min(1).nullable().optional(),
});

export const cardPayloadSchema = z.object({
  /** The tenant of the user target, to open a new 1:1 conversation when no reference is stored. */
  tenantId: z.string().min(1),
  card: cardContentSchema,
  /** Notification preview text (Teams shows it in the activity feed and on phones). */
  summary: z.string(),
  attachAs: attachAsSchema.optional(),
  fallback: fallbackSchema.optional(),
  /** The card to post in the escalation channel on fallback, when it must differ (no buttons for everyone). */
  channelCard: cardContentSchema.optional(),
  /** Who an alert copy is for (level and name), for the practitioner's card to say where each copy stands. */
  recipient: z.object({ level: z.enum(ESCALATION_LEVELS), name: z.string().nullable() }).optional(),
  /** Urgent safeguarding alerts are delivered before anything else and never run out of retries. */
  urgent: z.boolean().optional(),
});

export const textPayloadSchema = z.object({ tenantId: z.string().min(1), text: z.string().min(1) });

export const cardUpdatePayloadSchema = z.object({
  activityId: z.string().min(1),
  conversationId: z.string().min(1),
  /** The Bot Connector endpoint of that conversation (from its stored reference); the configured one when absent. */
  serviceUrl: z.string().min(1).optional(),
  card: cardContentSchema,
});

export const OUTBOX_PAYLOAD_SCHEMAS = { card: cardPayloadSchema, text: textPayloadSchema, card_update: cardUpdatePayloadSchema } as const;

export type CardContent = z.infer<typeof cardContentSchema>;
export type AttachAs = z.infer<typeof attachAsSchema>;
export type Fallback = z.infer<typeof fallbackSchema>;
export type CardPayload = z.infer<typeof cardPayloadSchema>;
export type TextPayload = z.infer<typeof textPayloadSchema>;
export type CardUpdatePayload = z.infer<typeof cardUpdatePayloadSchema>;

export type OutboxPayload =
  | { kind: 'card'; payload: CardPayload }
  | { kind: 'text'; payload: TextPayload }
  | { kind: 'card_update'; payload: CardUpdatePayload };

/** Reads a payload by its kind: the payload, or the problems naming each field. */
export function parseOutboxPayload(kind: string, payload: unknown): { ok: true; message: OutboxPayload } | { ok: false; reason: string } {
  if (!(OUTBOX_KINDS as readonly string[]).includes(kind)) return { ok: false, reason: `unknown kind "${kind}" (must be ${OUTBOX_KINDS.join(', ')})` };
  const k = kind as OutboxKind;
  const parsed = OUTBOX_PAYLOAD_SCHEMAS[k].safeParse(payload);
  if (!parsed.success) return { ok: false, reason: `malformed ${k} payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'} ${i.message}`).join('; ')}` };
  return { ok: true, message: { kind: k, payload: parsed.data } as OutboxPayload };
}
