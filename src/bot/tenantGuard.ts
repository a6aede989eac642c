/**
 * Which tenant an activity comes from, and whether this deployment serves it. Teams puts the tenant in
 * `conversation.tenantId` and `channelData.tenant.id`; an activity whose two disagree is refused, as is one
 * with no tenant at all while an allow-list is configured. Ids are compared case-insensitively (GUIDs).
 */
import type { Activity } from 'botbuilder';

export type TenantVerdict = { ok: true; tenantId: string | null } | { ok: false; tenantId: string | null; reason: 'not_allowed' | 'missing' | 'conflicting' };

export function tenantOf(activity: Partial<Activity>): { tenantId: string | null; conflicting: boolean } {
  const fromConversation = typeof activity.conversation?.tenantId === 'string' ? activity.conversation.tenantId.trim() : '';
  const channelData = activity.channelData as { tenant?: { id?: unknown } } | undefined;
  const fromChannelData = typeof channelData?.tenant?.id === 'string' ? channelData.tenant.id.trim() : '';
  const conflicting = fromConversation !== '' && fromChannelData !== '' && fromConversation.toLowerCase() !== fromChannelData.toLowerCase();
  return { tenantId: fromConversation || fromChannelData || null, conflicting };
}

/** `allowed` null: no allow-list configured, every tenant is served (local use). */
export function checkTenant(activity: Partial<Activity>, allowed: ReadonlySet<string> | null): TenantVerdict {
  const { tenantId, conflicting } = tenantOf(activity);
  if (allowed === null) return { ok: true, tenantId };
  if (conflicting) return { ok: false, tenantId, reason: 'conflicting' };
  if (tenantId === null) return { ok: false, tenantId, reason: 'missing' };
  const lower = tenantId.toLowerCase();
  for (const t of allowed) if (t.toLowerCase() === lower) return { ok: true, tenantId };
  return { ok: false, tenantId, reason: 'not_allowed' };
}
