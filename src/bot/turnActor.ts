/** Who is acting, from the activity Teams sent (never from card data). */
import type { Activity } from 'botbuilder';
import type { Actor } from '../services/actor';

export const LOCAL_TENANT = 'local';

/**
 * The activity's shape was checked at the door (src/bot/activitySchema.ts); an activity without a sender is
 * refused here too rather than acted on as a made-up shared user.
 */
export function actorFrom(activity: Partial<Activity>): Actor {
  const from = activity.from;
  if (typeof from?.id !== 'string' || from.id.trim() === '') throw new Error('the activity has no from.id');
  const channelData = activity.channelData as { tenant?: { id?: string } } | undefined;
  return {
    // Teams always sends the Entra object id; the local Playground sends the configured one.
    aadObjectId: from.aadObjectId || from.id,
    displayName: (from.name || 'Unknown user').slice(0, 200),
    tenantId: activity.conversation?.tenantId || channelData?.tenant?.id || LOCAL_TENANT,
    // Where the click came from: a card in the escalation channel is clicked in that channel's thread.
    conversationId: activity.conversation?.id || null,
  };
}
