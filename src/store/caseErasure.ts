/**
 * Erasure of one case reference: the personal content goes (facts, decision text, practitioner display
 * name, comments, notification payloads, wizard answers, audit payloads, the consent register's entries); ids, outcomes, states and times
 * stay, and a `case.erased` tombstone is appended so the audit chain still verifies. One transaction.
 */
import type { ErasureReport } from '../domain/ports/store';
import { appendAudit, redactAuditPayloads } from './auditLog';
import { toIso } from './columnValues';
import { checkCaseRef, checkId } from './fieldRules';
import { inTransaction, type StoreContext } from './storeContext';

const UNDELIVERED = ['pending', 'in_flight'];

export async function eraseCase(ctx: StoreContext, caseRef: string, actor: string): Promise<ErasureReport> {
  checkCaseRef(caseRef, ctx.caseRefPattern);
  checkId(actor, 'actor');
  const now = toIso(ctx.now());
  return inTransaction(ctx, async (trx): Promise<ErasureReport> => {
    const decisionIds = (await trx.selectFrom('decisions').select('id').where('case_ref', '=', caseRef).orderBy('id').execute()).map((r) => r.id);
    const mentioned = await trx.selectFrom('audit_events').select('seq').where('case_ref', '=', caseRef).limit(1).executeTakeFirst();
    const sessionMatch = trx
      .updateTable('wizard_sessions')
      .where((eb) => eb.or([eb('case_ref', '=', caseRef), ...(decisionIds.length === 0 ? [] : [eb('decision_id', 'in', decisionIds)])]));
    const sessions = await sessionMatch.set({ answers: null, updated_at: now }).executeTakeFirst();
    const wizardSessionsCleared = Number(sessions.numUpdatedRows);
    // The consent register goes with the case: who consented, when and to which script.
    const consent = await trx.deleteFrom('consent_register').where('case_ref', '=', caseRef).executeTakeFirst();
    const consentEntriesErased = Number(consent.numDeletedRows);
    if (decisionIds.length === 0 && mentioned === undefined && wizardSessionsCleared === 0 && consentEntriesErased === 0) {
      return { caseRef, found: false, decisionIds: [], approvalsCleared: 0, outboxCleared: 0, wizardSessionsCleared: 0, consentEntriesErased: 0, auditEventsRedacted: 0, tombstoneSeq: null };
    }

    let approvalsCleared = 0;
    let outboxCleared = 0;
    if (decisionIds.length > 0) {
      await trx
        .updateTable('decisions')
        .set({ practitioner_name: null, facts: null, decision: null, erased_at: now, updated_at: now })
        .where('id', 'in', decisionIds)
        .execute();
      const approvals = await trx.updateTable('approval_requests').set({ comment: null }).where('decision_id', 'in', decisionIds).executeTakeFirst();
      approvalsCleared = Number(approvals.numUpdatedRows);
      // A notification not yet delivered cannot be sent without its content: it is dead-lettered.
      await trx
        .updateTable('outbox')
        .set({ status: 'dead', last_error: 'erased before delivery', claimed_until: null })
        .where('decision_id', 'in', decisionIds)
        .where('status', 'in', UNDELIVERED)
        .execute();
      const outbox = await trx.updateTable('outbox').set({ payload: null }).where('decision_id', 'in', decisionIds).executeTakeFirst();
      outboxCleared = Number(outbox.numUpdatedRows);
    }

    const tombstone = await appendAudit(trx, ctx, {
      type: 'case.erased',
      actor,
      caseRef,
      payload: { caseRef, decisionIds, approvalsCleared, outboxCleared, wizardSessionsCleared, consentEntriesErased },
    });
    const auditEventsRedacted = await redactAuditPayloads(trx, { caseRef }, tombstone.seq);
    return { caseRef, found: true, decisionIds, approvalsCleared, outboxCleared, wizardSessionsCleared, consentEntriesErased, auditEventsRedacted, tombstoneSeq: tombstone.seq };
  });
}
