/**
 * The pieces every view is built from: policy citations, checklist items, scripts, contacts, people and
 * times. Plain, serialisable data (ISO timestamps, ids, names, enums): the bot's presenters turn it into
 * cards and the tab returns it as JSON.
 */
import { z } from 'zod';
import { FACT_NAMES, factsSchema, type FactName } from '../facts';
import { CONTACT_WHEN, EFFECTS } from '../policy/packSchema';

export const isoTime = z.iso.datetime({ offset: true });

export const citationSchema = z.object({ ruleId: z.string(), citation: z.string(), baseline: z.boolean() });
export const itemSchema = citationSchema.extend({ text: z.string() });
export const reasonSchema = itemSchema.extend({ effect: z.enum(EFFECTS), decisive: z.boolean(), later: z.boolean() });
export const scriptSchema = itemSchema.extend({ id: z.string(), title: z.string(), verbatim: z.boolean() });
export const contactSchema = citationSchema.extend({
  id: z.string(),
  label: z.string(),
  phone: z.string().optional(),
  email: z.string().optional(),
  url: z.string().optional(),
  when: z.enum(CONTACT_WHEN),
  note: z.string().optional(),
});

/**
 * The facts the decisive rules read (src/domain/decidingFacts.ts): why a check needs its manager, shown
 * first. Empty on a view queued before views carried them, or when the council's pack is no longer loaded.
 */
export const decidingFactsSchema = z.array(z.enum(FACT_NAMES as [FactName, ...FactName[]])).default([]);

/** Someone named on a view; `name` is null once erased. */
export const personSchema = z.object({ name: z.string().nullable() });

/**
 * The check a line manager reads about, on both the approval request and the safeguarding alert: whose it is,
 * the council, the case, the facts and the deciding facts among them (the presenter and the tab word them
 * with factSentences).
 */
export const checkForManagerShape = {
  practitioner: personSchema,
  council: z.string(),
  caseRef: z.string().nullable(),
  facts: factsSchema,
  decidingFacts: decidingFactsSchema,
};

export type CitationView = z.infer<typeof citationSchema>;
export type ItemView = z.infer<typeof itemSchema>;
export type ReasonView = z.infer<typeof reasonSchema>;
export type ScriptView = z.infer<typeof scriptSchema>;
export type ContactView = z.infer<typeof contactSchema>;
export type PersonView = z.infer<typeof personSchema>;

/** A Date as the views carry it; null stays null. */
export function iso(d: Date): string;
export function iso(d: Date | null): string | null;
export function iso(d: Date | null): string | null {
  return d === null ? null : d.toISOString();
}
