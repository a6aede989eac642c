/** Where a user's 1:1 conversation with the bot lives, from their stored conversation reference. */
import type { ConversationReferenceStore } from '../domain/ports/store';

export interface ConversationAddress {
  conversationId: string;
  serviceUrl: string | null;
}

export async function conversationOf(store: ConversationReferenceStore, userAadId: string): Promise<ConversationAddress | null> {
  const stored = await store.getConversationReference(userAadId);
  const ref = stored?.reference as { conversation?: { id?: unknown }; serviceUrl?: unknown } | undefined;
  if (!ref || typeof ref.conversation?.id !== 'string') return null;
  return { conversationId: ref.conversation.id, serviceUrl: typeof ref.serviceUrl === 'string' ? ref.serviceUrl : null };
}

export async function serviceUrlOf(store: ConversationReferenceStore, userAadId: string): Promise<string | null> {
  return (await conversationOf(store, userAadId))?.serviceUrl ?? null;
}
