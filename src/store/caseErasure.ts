/**
 * Erasure of one case reference: the personal content goes (facts, decision text, practitioner display
 * name, comments, notification payloads, wizard answers, audit payloads, the consent
 * register's entries); ids, outcomes, states and times
 * stay, and a `case.erased` tombstone is appended so the audit chain still verifies.
 *
 * The work is done in short transactions, so a bot on the same SQLite file is never held up for long: one per
 * batch of at most ERASE_BATCH_SIZE decisions (each with its own tombstone listing them), then one for what
 * is left (wizard sessions and audit events about the case without a decision). A second run finds nothing
 * left to remove, says so (`tombstoneSeqs` empty) and appends nothing.
 */
import type { ErasureReport } from '../domain/ports/store';
import { appendAudit, redactAuditPayloads, sameCaseRef } from './auditLog';
import { toIso } from './columnValues';
import { checkCaseRef, checkId } from './fieldRules';
import { inTransaction, type StoreContext } from './storeContext';

export const ERASE_BATCH_SIZE = 200;
/** A pause between batches, so another process waiting for the write lock gets it. */
export const BATCH_PAUSE_MS = 20;
const UNDELIVERED = ['pending', 'in_flight'];

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function eraseCase(ctx: StoreContext, input: string, actor: string): Promise<ErasureReport> {
  const caseRef = checkCaseRef(input, ctx.caseRefPattern);
  checkId(actor, 'actor');
  const report: ErasureReport = {
    caseRef,
    found: false,
    decisionIds: [],
    approvalsCleared: 0,
    outboxCleared: 0,
    wizardSessionsCleared: 0,
    consentEntriesErased: 0,
    auditEventsRedacted: 0,
    tombstoneSeq: null,
    tombstoneSeqs: [],
  };

  for (;;) {
    const batch = await inTransaction(ctx, async (trx) => {
      const ids = (
        await trx.selectFrom('decisions').select('id').where('case_ref', '=', caseRef).where('erased_at', 'is', null).orderBy('id').limit(ERASE_BATCH_SIZE).execute()
      ).map((r) => r.id);
      if (ids.length === 0) return null;
      const now = toIso(ctx.now());
      await trx.updateTable('decisions').set({ practitioner_name: null, facts: null, decision: null, erased_at: now, updated_at: now }).where('id', 'in', ids).execute();
      const approvals = await trx.updateTable('approval_requests').set({ comment: null }).where('decision_id', 'in', ids).executeTakeFirst();
      await trx.updateTable('escalations').set({ acknowledged_by_name: null }).where('decision_id', 'in', ids).where('acknowledged_by_name', 'is not', null).execute();
      // A notification not yet delivered cannot be sent without its content: it is dead-lettered.
      await trx
        .updateTable('outbox')
        .set({ status: 'dead', last_error: 'erased before delivery', claimed_until: null })
        .where('decision_id', 'in', ids)
        .where('status', 'in', UNDELIVERED)
        .execute();
      const outbox = await trx.updateTable('outbox').set({ payload: null }).where('decision_id', 'in', ids).where('payload', 'is not', null).executeTakeFirst();
      const sessions = await trx.updateTable('wizard_sessions').set({ answers: null, updated_at: now }).where('decision_id', 'in', ids).where('answers', 'is not', null).executeTakeFirst();
      const counts = { approvalsCleared: Number(approvals.numUpdatedRows), outboxCleared: Number(outbox.numUpdatedRows), wizardSessionsCleared: Number(sessions.numUpdatedRows) };
      const tombstone = await appendAudit(trx, ctx, { type: 'case.erased', actor, caseRef, payload: { caseRef, decisionIds: ids, ...counts } });
      const redacted = await redactAuditPayloads(trx, { caseRef }, tombstone.seq);
      return { ids, ...counts, redacted, tombstoneSeq: tombstone.seq };
    });
    if (batch === null) break;
    report.decisionIds.push(...batch.ids);
    report.approvalsCleared += batch.approvalsCleared;
    report.outboxCleared += batch.outboxCleared;
    report.wizardSessionsCleared += batch.wizardSessionsCleared;
    report.auditEventsRedacted += batch.redacted;
    report.tombstoneSeqs.push(batch.tombstoneSeq);
    await pause(BATCH_PAUSE_MS);
  }

  // What is left: checks about the case that never became a decision, and events that name the case only.
  await inTransaction(ctx, async (trx) => {
    const now = toIso(ctx.now());
    const sessions = await trx.updateTable('wizard_sessions').set({ answers: null, updated_at: now }).where('case_ref', '=', caseRef).where('answers', 'is not', null).executeTakeFirst();
    const wizardSessionsCleared = Number(sessions.numUpdatedRows);
    // The consent register goes with the case: who consented, when and to which script.
    const consent = await trx.deleteFrom('consent_register').where('case_ref', '=', caseRef).executeTakeFirst();
    const consentEntriesErased = Number(consent.numDeletedRows);
    const unredacted = await trx
      .selectFrom('audit_events')
      .select('seq')
      .where((eb) => sameCaseRef(eb, caseRef))
      .where('payload', 'is not', null)
      // A subject access request or export after the erasure names the case but holds nothing personal.
      .where('type', 'not in', ['case.erased', 'retention.purged', 'sar.generated', 'export.generated'])
      .limit(1)
      .executeTakeFirst();
    if (wizardSessionsCleared === 0 && consentEntriesErased === 0 && unredacted === undefined) return;
    const tombstone = await appendAudit(trx, ctx, { type: 'case.erased', actor, caseRef, payload: { caseRef, decisionIds: [], approvalsCleared: 0, outboxCleared: 0, wizardSessionsCleared, consentEntriesErased } });
    report.auditEventsRedacted += await redactAuditPayloads(trx, { caseRef }, tombstone.seq);
    report.wizardSessionsCleared += wizardSessionsCleared;
    report.consentEntriesErased += consentEntriesErased;
    report.tombstoneSeqs.push(tombstone.seq);
  });

  report.tombstoneSeq = report.tombstoneSeqs[report.tombstoneSeqs.length - 1] ?? null;
  if (report.tombstoneSeq !== null) {
    report.found = true;
    return report;
  }
  // Nothing was removed: is anything held at all (already erased), or nothing ever?
  const held = await ctx.db.selectFrom('decisions').select('id').where('case_ref', '=', caseRef).limit(1).executeTakeFirst();
  const sessions = await ctx.db.selectFrom('wizard_sessions').select('id').where('case_ref', '=', caseRef).limit(1).executeTakeFirst();
  const events = await ctx.db.selectFrom('audit_events').select('seq').where((eb) => sameCaseRef(eb, caseRef)).limit(1).executeTakeFirst();
  report.found = held !== undefined || sessions !== undefined || events !== undefined;
  return report;
}
