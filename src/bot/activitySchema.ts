/**
 * The one shape check for an inbound Bot Framework activity, applied before botbuilder or any handler sees it.
 * It holds what the bot relies on: who sent it (`from.id`, `from.aadObjectId`), where to answer
 * (`conversation.id`, `serviceUrl`, https in production) and the fields the handlers read. Anything else the
 * channel sends is kept as it is: the schema checks the fields it names, and a valid activity is passed on as
 * the object that arrived (not zod's copy, which would hold only those fields), less any `__proto__` key of
 * the objects it checks. A malformed activity is refused with 400 naming the field; nothing is stored.
 */
import { z } from 'zod';

const id = z.string().max(512, 'is too long').refine((s) => s.trim() !== '', 'must not be empty');
const optionalText = (max: number) => z.string().max(max, 'is too long').nullish();

function serviceUrl(httpsOnly: boolean) {
  return z
    .string()
    .max(2048, 'is too long')
    .refine((s) => {
      try {
        const u = new URL(s);
        return httpsOnly ? u.protocol === 'https:' : u.protocol === 'https:' || u.protocol === 'http:';
      } catch {
        return false;
      }
    }, httpsOnly ? 'must be an https URL' : 'must be an http(s) URL');
}

export function activitySchema({ httpsOnly }: { httpsOnly: boolean }) {
  return z.object({
    type: z.string().min(1, 'must not be empty').max(64, 'is too long'),
    id: optionalText(512),
    channelId: optionalText(64),
    serviceUrl: serviceUrl(httpsOnly),
    from: z.object({ id, aadObjectId: optionalText(128), name: optionalText(1000) }),
    recipient: z.object({ id, name: optionalText(1000) }),
    conversation: z.object({ id, tenantId: optionalText(128), conversationType: optionalText(64) }),
    channelData: z.object({ tenant: z.object({ id: optionalText(128) }).nullish() }).nullish(),
    name: optionalText(256),
    action: optionalText(64),
    // Bounded by the 256 KB body limit; Teams itself caps a message at about 28 KB.
    text: z.string().nullish(),
    replyToId: optionalText(512),
    timestamp: optionalText(64),
    localTimestamp: optionalText(64),
  });
}

/** The checked fields, and whatever else the channel sent. */
export type InboundActivity = z.infer<ReturnType<typeof activitySchema>> & Record<string, unknown>;

export type ParsedActivity = { ok: true; activity: InboundActivity } | { ok: false; problem: string };

/**
 * JSON.parse makes a `"__proto__"` key an ordinary own field. Left in `from`, `recipient` or `conversation`,
 * botbuilder's Object.assign copies of them (the conversation reference every reply is addressed from) would
 * take it as their prototype, and so fields the schema never checked. The objects the schema checks lose
 * such a key, as zod's own copy of them did.
 */
function dropProtoKeys(activity: Record<string, unknown>): void {
  const checked = [activity, activity.from, activity.recipient, activity.conversation, activity.channelData, (activity.channelData as { tenant?: unknown } | null | undefined)?.tenant];
  for (const o of checked) {
    if (typeof o === 'object' && o !== null && Object.hasOwn(o, '__proto__')) delete (o as Record<string, unknown>)['__proto__'];
  }
}

export function parseActivity(schema: ReturnType<typeof activitySchema>, body: unknown): ParsedActivity {
  const r = schema.safeParse(body);
  if (r.success) {
    dropProtoKeys(body as Record<string, unknown>);
    return { ok: true, activity: body as InboundActivity };
  }
  const problem = r.error.issues
    .slice(0, 5)
    .map((i) => `${i.path.join('.') || 'activity'}: ${i.message}`)
    .join('; ');
  return { ok: false, problem: `the activity is not valid: ${problem}` };
}
