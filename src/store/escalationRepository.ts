/**
 * Safeguarding escalations. Acknowledged once (locked row + conditional UPDATE, as for approvals); an
 * unacknowledged alert moves up a level when its timer fires, unless someone acknowledged it meanwhile.
 */
import type { AcknowledgeResult, EscalateResult, EscalationStore } from '../domain/ports/store';
import { appendAudit } from './auditLog';
import { toIso } from './columnValues';
import { lockForUpdate } from './engineDifferences';
import { checkDate, checkId } from './fieldRules';
import { checkLevel, toEscalation } from './escalationRows';
import { cancelPendingOutbox, insertOutboxRows, outboxRows } from './outboxRepository';
import { inTransaction, type StoreContext } from './storeContext';
import { cancelPendingTimers, insertTimerRows, markTimerFired, timerRows } from './timerRepository';

const UNACKNOWLEDGED = ['open', 'escalated'];

export function createEscalationRepository(ctx: StoreContext): EscalationStore {
  return {
    async getEscalation(id) {
      const row = await ctx.db.selectFrom('escalations').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toEscalation(row);
    },

    async getEscalationForDecision(decisionId) {
      const row = await ctx.db.selectFrom('escalations').selectAll().where('decision_id', '=', decisionId).orderBy('created_at', 'desc').executeTakeFirst();
      return row === undefined ? null : toEscalation(row);
    },

    async acknowledgeEscalation(escalationId, actorAadId, notifications = []): Promise<AcknowledgeResult> {
      const actor = checkId(actorAadId, 'actorAadId');
      const now = ctx.now();
      const queued = outboxRows(notifications, now);
      return inTransaction(ctx, async (trx): Promise<AcknowledgeResult> => {
        const selectAlert = () => trx.selectFrom('escalations').selectAll().where('id', '=', escalationId);
        const row = await lockForUpdate(selectAlert(), ctx.engine).executeTakeFirst();
        if (row === undefined) return { kind: 'not_found' };
        if (!UNACKNOWLEDGED.includes(row.status)) return { kind: 'already_acknowledged', escalation: toEscalation(row) };
        const update = await trx
          .updateTable('escalations')
          .set({ status: 'acknowledged', acknowledged_by: actor, acknowledged_at: toIso(now), version: row.version + 1, updated_at: toIso(now) })
          .where('id', '=', row.id)
          .where('version', '=', row.version)
          .where('status', 'in', UNACKNOWLEDGED)
          .executeTakeFirst();
        if (Number(update.numUpdatedRows) !== 1) return { kind: 'already_acknowledged', escalation: toEscalation(await selectAlert().executeTakeFirstOrThrow()) };
        const decision = await trx
          .updateTable('decisions')
          .set({ state: 'escalation_acknowledged', updated_at: toIso(now) })
          .where('id', '=', row.decision_id)
          .returning(['case_ref'])
          .executeTakeFirstOrThrow();
        await cancelPendingTimers(trx, row.id, now);
        // The other copies of the alert stop retrying: nobody is told later that "nobody could be reached".
        const copiesCancelled = await cancelPendingOutbox(trx, row.id, now);
        await appendAudit(trx, ctx, {
          type: 'escalation.acknowledged',
          actor,
          decisionId: row.decision_id,
          caseRef: decision.case_ref,
          payload: { escalationId: row.id, level: row.level, copiesCancelled },
        });
        await insertOutboxRows(trx, queued, row.decision_id);
        return { kind: 'acknowledged', escalation: toEscalation(await selectAlert().executeTakeFirstOrThrow()) };
      });
    },

    async escalate(command): Promise<EscalateResult> {
      const fromLevel = checkLevel(command.fromLevel, 'fromLevel');
      const toLevel = checkLevel(command.toLevel, 'toLevel');
      const actor = checkId(command.actor, 'actor');
      const dueAt = command.dueAt === null ? null : toIso(checkDate(command.dueAt, 'dueAt'));
      const now = ctx.now();
      const queued = outboxRows(command.notifications ?? [], now);
      const timers = timerRows(command.timers ?? [], now);
      return inTransaction(ctx, async (trx): Promise<EscalateResult> => {
        const selectAlert = () => trx.selectFrom('escalations').selectAll().where('id', '=', command.escalationId);
        const row = await lockForUpdate(selectAlert(), ctx.engine).executeTakeFirst();
        if (row === undefined) return { kind: 'not_found' };
        if (command.firedTimerId !== undefined) await markTimerFired(trx, command.firedTimerId, now);
        if (!UNACKNOWLEDGED.includes(row.status) || row.level !== fromLevel) return { kind: 'unchanged', escalation: toEscalation(row) };
        // The same level again is a reminder (there is no next level): the alert never stops silently.
        const reminder = toLevel === fromLevel;
        const update = await trx
          .updateTable('escalations')
          .set({ status: 'escalated', level: toLevel, due_at: dueAt, version: row.version + 1, updated_at: toIso(now) })
          .where('id', '=', row.id)
          .where('version', '=', row.version)
          .where('status', 'in', UNACKNOWLEDGED)
          .executeTakeFirst();
        if (Number(update.numUpdatedRows) !== 1) return { kind: 'unchanged', escalation: toEscalation(await selectAlert().executeTakeFirstOrThrow()) };
        const decision = await trx.selectFrom('decisions').select('case_ref').where('id', '=', row.decision_id).executeTakeFirstOrThrow();
        // The timers of the level it leaves no longer apply; the command brings the new level's.
        await cancelPendingTimers(trx, row.id, now);
        await insertTimerRows(trx, timers);
        await appendAudit(trx, ctx, {
          type: reminder ? 'escalation.reminded' : command.reason === 'undelivered' ? 'escalation.undelivered' : 'escalation.escalated',
          actor,
          decisionId: row.decision_id,
          caseRef: decision.case_ref,
          payload: { escalationId: row.id, fromLevel, toLevel, dueAt, reason: command.reason ?? 'not_acknowledged' },
        });
        await insertOutboxRows(trx, queued, row.decision_id);
        return { kind: 'escalated', escalation: toEscalation(await selectAlert().executeTakeFirstOrThrow()) };
      });
    },
  };
}
