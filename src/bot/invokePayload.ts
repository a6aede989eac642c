/**
 * Shape checks for what a card sends back: the `adaptiveCard/action` invoke value and the Action.Submit
 * message value. Only the envelope is checked here; each verb's handler checks its own fields.
 */
import { z } from 'zod';

/** Largest card payload accepted, in bytes of JSON: a wizard step carries a handful of short answers. */
export const MAX_PAYLOAD_BYTES = 16 * 1024;

const verb = z.string().min(1).max(64).regex(/^[a-z][a-z.]*$/, 'must be a known verb');
const data = z.record(z.string().max(64), z.unknown());

const invokeValue = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb,
    data: data.optional(),
  }),
});

const submitValue = z.looseObject({ verb });

export type ParsedAction = { ok: true; verb: string; data: Record<string, unknown> } | { ok: false; message: string };

function tooBig(value: unknown): boolean {
  try {
    return Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8') > MAX_PAYLOAD_BYTES;
  } catch {
    return true;
  }
}

function describe(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'value'}: ${i.message}`).join('; ');
}

export function parseInvokeValue(value: unknown): ParsedAction {
  if (tooBig(value)) return { ok: false, message: `card payload over ${MAX_PAYLOAD_BYTES} bytes` };
  const r = invokeValue.safeParse(value);
  if (!r.success) return { ok: false, message: describe(r.error) };
  const d = { ...(r.data.action.data ?? {}) };
  return { ok: true, verb: r.data.action.verb, data: d };
}

export function parseSubmitValue(value: unknown): ParsedAction {
  if (tooBig(value)) return { ok: false, message: `card payload over ${MAX_PAYLOAD_BYTES} bytes` };
  const r = submitValue.safeParse(value);
  if (!r.success) return { ok: false, message: describe(r.error) };
  const d = data.safeParse(r.data);
  if (!d.success) return { ok: false, message: describe(d.error) };
  return { ok: true, verb: r.data.verb, data: d.data };
}
