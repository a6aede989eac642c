/**
 * The pieces every view is built from: policy citations, checklist items, scripts, contacts, people and
 * times. Plain, serialisable data (ISO timestamps, ids, names, enums): the bot's presenters turn it into
 * cards and the tab returns it as JSON.
 */
import { z } from 'zod';
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

/** Someone named on a view; `name` is null once erased. */
export const personSchema = z.object({ name: z.string().nullable() });

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
