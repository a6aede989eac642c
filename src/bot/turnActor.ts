/** Who is acting, from the activity Teams sent (never from card data). */
import type { Activity } from 'botbuilder';
import type { Actor } from '../services/actor';

/**
 * The activity was checked at the door (src/bot/senderGuard.ts): Teams, with the sender's Entra object id and
 * the tenant in `conversation.tenantId`. An activity without them is refused here too rather than acted on as
 * someone its client named (`from.id`) or in a made-up tenant. `correlationId`: the activity's, from its turn
 * (turnTrace.ts), for the services to put on their log lines and outbox rows.
 */
export function actorFrom(activity: Partial<Activity>, correlationId?: string): Actor {
  const from = activity.from;
  const aadObjectId = typeof from?.aadObjectId === 'string' ? from.aadObjectId.trim() : '';
  if (aadObjectId === '') throw new Error('the activity has no from.aadObjectId');
  const tenantId = typeof activity.conversation?.tenantId === 'string' ? activity.conversation.tenantId.trim() : '';
  if (tenantId === '') throw new Error('the activity has no conversation.tenantId');
  return {
    aadObjectId,
    displayName: (from?.name || 'Unknown user').slice(0, 200),
    tenantId,
    // Where the click came from: a card in the escalation channel is clicked in that channel's thread.
    conversationId: activity.conversation?.id || null,
    ...(correlationId === undefined ? {} : { correlationId }),
  };
}
