/**
 * Who an activity says it is from, checked before a turn acts on it. Only Microsoft Teams is served: on other
 * channels (Web Chat, Direct Line) the client chooses `from.id` itself, so an activity from any channel but
 * `msteams` is refused. A turn that acts as a person (a message, a card action, an installation) must carry
 * the sender's Entra object id (`from.aadObjectId`, which Teams always sends) and the tenant in
 * `conversation.tenantId` (which Teams always sets); `channelData.tenant.id`, when present, must name the
 * same tenant. `from.id` is never taken for the person.
 */
import type { Activity } from 'botbuilder';

export const SERVED_CHANNEL = 'msteams';

/** The activity types whose turn acts as the person who sent them (src/bot/channelCheckBot.ts). */
const ACTING_TYPES = new Set(['message', 'invoke', 'installationUpdate']);

export type SenderVerdict = { ok: true } | { ok: false; status: 400 | 403; problem: string };

const text = (v: unknown) => (typeof v === 'string' ? v.trim() : '');

export function checkSender(activity: Partial<Activity>): SenderVerdict {
  if (activity.channelId !== SERVED_CHANNEL) return { ok: false, status: 403, problem: `channelId: only ${SERVED_CHANNEL} is served` };
  if (!ACTING_TYPES.has(activity.type ?? '')) return { ok: true };
  if (text(activity.from?.aadObjectId) === '') return { ok: false, status: 400, problem: 'from.aadObjectId: is required' };
  const tenant = text(activity.conversation?.tenantId);
  if (tenant === '') return { ok: false, status: 400, problem: 'conversation.tenantId: is required' };
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const other = text(channelData?.tenant?.id);
  if (other !== '' && other.toLowerCase() !== tenant.toLowerCase()) {
    return { ok: false, status: 400, problem: 'channelData.tenant.id: names another tenant than conversation.tenantId' };
  }
  return { ok: true };
}
