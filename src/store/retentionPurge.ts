/**
 * Retention: decision records older than their council's retention period are deleted with everything hung
 * on them (approval requests, escalations, timers, notifications, wizard sessions). Their audit events keep
 * their place in the chain with the payload blanked, and a `retention.purged` tombstone lists the purged
 * decision ids, so the purge is itself on the record and the chain still verifies.
 * One short transaction per batch of at most PURGE_BATCH_SIZE decisions, with a pause between batches so a bot
 * on the same SQLite file gets the write lock in between.
 * Checks that were started but never finished (abandoned, or left mid-way) hold answers and perhaps a case
 * reference but no decision: they are deleted once untouched for UNFINISHED_WIZARD_DAYS, also audited.
 */
import type { CouncilPurge, PurgeReport } from '../domain/ports/store';
import { appendAudit, redactAuditPayloads } from './auditLog';
import { toIso } from './columnValues';
import { checkDate, checkId } from './fieldRules';
import { StoreValidationError } from './storeErrors';
import { BATCH_PAUSE_MS } from './caseErasure';
import { inTransaction, type StoreContext } from './storeContext';

export const PURGE_BATCH_SIZE = 200;
export const UNFINISHED_WIZARD_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;

function checkRetention(map: Readonly<Record<string, number>>): [string, number][] {
  if (typeof map !== 'object' || map === null) throw new StoreValidationError('retentionDaysByCouncil', 'must map council ids to days');
  return Object.entries(map)
    .map(([council, days]): [string, number] => {
      checkId(council, 'retentionDaysByCouncil');
      if (!Number.isInteger(days) || days < 1) throw new StoreValidationError(`retentionDaysByCouncil.${council}`, 'must be a whole number of days from 1');
      return [council, days];
    })
    .sort(([a], [b]) => a.localeCompare(b));
}

async function purgeBatch(ctx: StoreContext, councilId: string, cutoff: string, payload: Record<string, unknown>, actor: string) {
  return inTransaction(ctx, async (trx) => {
    const ids = (
      await trx.selectFrom('decisions').select('id').where('council_id', '=', councilId).where('created_at', '<', cutoff).orderBy('created_at').orderBy('id').limit(PURGE_BATCH_SIZE).execute()
    ).map((r) => r.id);
    if (ids.length === 0) return null;
    const approvalIds = (await trx.selectFrom('approval_requests').select('id').where('decision_id', 'in', ids).execute()).map((r) => r.id);
    const escalationIds = (await trx.selectFrom('escalations').select('id').where('decision_id', 'in', ids).execute()).map((r) => r.id);
    await trx.deleteFrom('timers').where('ref_id', 'in', [...ids, ...approvalIds, ...escalationIds]).execute();
    await trx.deleteFrom('outbox').where('decision_id', 'in', ids).execute();
    await trx.deleteFrom('wizard_sessions').where('decision_id', 'in', ids).execute();
    await trx.deleteFrom('approval_requests').where('decision_id', 'in', ids).execute();
    await trx.deleteFrom('escalations').where('decision_id', 'in', ids).execute();
    await trx.deleteFrom('consent_register').where('decision_id', 'in', ids).execute();
    await trx.deleteFrom('decisions').where('id', 'in', ids).execute();
    const tombstone = await appendAudit(trx, ctx, { type: 'retention.purged', actor, payload: { ...payload, decisionIds: ids } });
    const redacted = await redactAuditPayloads(trx, { decisionIds: ids }, tombstone.seq);
    return { ids, redacted, tombstoneSeq: tombstone.seq };
  });
}

export async function purgeExpired(ctx: StoreContext, retentionDaysByCouncil: Readonly<Record<string, number>>, now: Date, actor: string): Promise<PurgeReport> {
  const councils = checkRetention(retentionDaysByCouncil);
  checkDate(now, 'now');
  checkId(actor, 'actor');
  const purged: CouncilPurge[] = [];
  for (const [councilId, retentionDays] of councils) {
    const cutoff = new Date(now.getTime() - retentionDays * DAY_MS);
    const result: CouncilPurge = { councilId, retentionDays, cutoff, decisionIds: [], auditEventsRedacted: 0, tombstoneSeq: null };
    for (;;) {
      const batch = await purgeBatch(ctx, councilId, toIso(cutoff), { councilId, retentionDays, cutoff: toIso(cutoff) }, actor);
      if (batch === null) break;
      await new Promise((resolve) => setTimeout(resolve, BATCH_PAUSE_MS));
      result.decisionIds.push(...batch.ids);
      result.auditEventsRedacted += batch.redacted;
      result.tombstoneSeq = batch.tombstoneSeq;
    }
    purged.push(result);
  }
  const withRecords = (await ctx.db.selectFrom('decisions').select('council_id').distinct().execute()).map((r) => r.council_id);
  const councilsWithoutRetention = withRecords.filter((c) => !Object.hasOwn(retentionDaysByCouncil, c)).sort();
  const staleBefore = toIso(new Date(now.getTime() - UNFINISHED_WIZARD_DAYS * DAY_MS));
  const unfinishedWizardSessionsPurged = await inTransaction(ctx, async (trx) => {
    const stale = await trx.selectFrom('wizard_sessions').select('id').where('status', '!=', 'completed').where('updated_at', '<', staleBefore).execute();
    if (stale.length === 0) return 0;
    await trx.deleteFrom('wizard_sessions').where('id', 'in', stale.map((r) => r.id)).execute();
    await appendAudit(trx, ctx, { type: 'retention.purged', actor, payload: { unfinishedWizardSessions: stale.length, untouchedForDays: UNFINISHED_WIZARD_DAYS } });
    return stale.length;
  });
  return { purged, councilsWithoutRetention, unfinishedWizardSessionsPurged };
}
