/** The latest Teams conversation reference of each user who installed or messaged the bot, for proactive messages. */
import type { ConversationReferenceStore } from '../domain/ports/store';
import { fromIso, fromJsonText, toIso, toJsonText } from './columnValues';
import { ConversationReferenceMemo } from './conversationReferenceMemo';
import { checkId } from './fieldRules';
import { precompile } from './precompiledQuery';
import type { ConversationReferencesTable } from './schema';
import { StoreValidationError } from './storeErrors';
import type { StoreContext } from './storeContext';

/** Every turn stores its conversation reference (written only when it changed): this upsert runs precompiled. */
export const conversationReferenceUpsert = precompile('conversationReferenceUpsert', (db, row: ConversationReferencesTable) =>
  db
    .insertInto('conversation_references')
    .values(row)
    // Written only when it changed: an unchanged reference (every turn of a conversation) costs a read,
    // not a commit. updated_at is when the reference last changed.
    .onConflict((oc) =>
      oc
        .column('user_aad_id')
        .doUpdateSet({ tenant_id: row.tenant_id, reference: row.reference, updated_at: row.updated_at })
        .where((eb) => eb.or([eb('conversation_references.reference', '<>', eb.ref('excluded.reference')), eb('conversation_references.tenant_id', '<>', eb.ref('excluded.tenant_id'))])),
    ),
);

/** Every proactive message reads its recipient's reference: this read runs precompiled. */
export const conversationReferenceByUser = precompile('conversationReferenceByUser', (db, p: { userAadId: string }) =>
  db.selectFrom('conversation_references').selectAll().where('user_aad_id', '=', p.userAadId),
);

export function createConversationReferenceRepository(ctx: StoreContext): ConversationReferenceStore {
  // SQLite only: there one bot process writes the file (the one-bot lock), so what it last stored is what is
  // there. PostgreSQL replicas each take turns of the same user: one replica's memo can be out of date (a turn
  // on another replica stored a different reference), and the latest turn must win.
  const memo = ctx.engine === 'sqlite' ? new ConversationReferenceMemo() : null;
  return {
    async saveConversationReference(userAadId, tenantId, reference) {
      if (typeof reference !== 'object' || reference === null) throw new StoreValidationError('reference', 'must be a conversation reference object');
      const now = ctx.now();
      const row = {
        user_aad_id: checkId(userAadId, 'userAadId'),
        tenant_id: checkId(tenantId, 'tenantId'),
        reference: toJsonText(reference),
        updated_at: toIso(now),
      };
      // The same row this process stored a moment ago: the upsert below would change nothing.
      if (memo?.isStored(row.user_aad_id, row.tenant_id, row.reference, now)) return;
      memo?.beginWrite(row.user_aad_id);
      let stored = false;
      try {
        await conversationReferenceUpsert.execute(ctx, ctx.db, row);
        stored = true;
      } finally {
        memo?.endWrite(row.user_aad_id, stored ? { tenantId: row.tenant_id, text: row.reference, now } : null);
      }
    },

    async getConversationReference(userAadId) {
      const row = await conversationReferenceByUser.takeFirst(ctx, ctx.db, { userAadId });
      if (row === undefined) return null;
      return { userAadId: row.user_aad_id, tenantId: row.tenant_id, reference: fromJsonText<unknown>(row.reference), updatedAt: fromIso(row.updated_at) };
    },
  };
}
