/**
 * Safeguarding escalations. Acknowledged once (locked row + conditional UPDATE, as for approvals), and only
 * by someone the alert was routed to, decided by `mayAcknowledgeAlert` on the locked row; an unacknowledged
 * alert moves up a level when its timer fires, unless someone acknowledged it meanwhile, and the level it
 * moves to is recorded as reached.
 */
import { sql } from 'kysely';
import { type ActingUser, isInChannel, mayAcknowledgeAlert } from '../domain/authority';
import type { AcknowledgeResult, EscalateResult, EscalationStore } from '../domain/ports/store';
import { appendAudit } from './auditLog';
import { toIso } from './columnValues';
import { lockForUpdate } from './engineDifferences';
import { checkDate, checkDisplayName, checkId, checkLimit } from './fieldRules';
import { checkLevel, toEscalation, toRouting, withReached } from './escalationRows';
import { cancelPendingOutbox, channelCopyOf, insertOutboxRows, outboxRows } from './outboxRepository';
import { precompile } from './precompiledQuery';
import { StoreValidationError } from './storeErrors';
import { acknowledgementSeal, routingSeal } from './recordSeals';
import { inTransaction, type StoreContext } from './storeContext';
import { cancelPendingTimers, insertTimerRows, markTimerFired, timerRows } from './timerRepository';

const UNACKNOWLEDGED = ['open', 'escalated'];

/** The acting person as the rule sees them; an id the store would refuse to keep is refused here first. */
export function checkActor(actor: ActingUser): ActingUser {
  if (typeof actor !== 'object' || actor === null) throw new StoreValidationError('actor', 'is required');
  return {
    aadObjectId: checkId(actor.aadObjectId, 'actor.aadObjectId'),
    tenantId: checkId(actor.tenantId, 'actor.tenantId'),
    conversationId: actor.conversationId === null || actor.conversationId === undefined ? null : checkId(actor.conversationId, 'actor.conversationId'),
  };
}

/** The name kept with an acknowledgement; one that is missing or not a plain name is not kept (the acknowledgement never fails over it). */
function acknowledgerName(displayName: unknown): string | null {
  if (displayName === undefined || displayName === null) return null;
  try {
    return checkDisplayName(displayName, 'actor.displayName');
  } catch {
    return null;
  }
}

/** Every decision's view (the final step of every check) asks for its escalation: this read runs precompiled. */
export const escalationForDecision = precompile('escalationForDecision', (db, p: { decisionId: string }) =>
  db.selectFrom('escalations').selectAll().where('decision_id', '=', p.decisionId).orderBy('created_at', 'desc'),
);

export function createEscalationRepository(ctx: StoreContext): EscalationStore {
  return {
    async getEscalation(id) {
      const row = await ctx.db.selectFrom('escalations').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toEscalation(row);
    },

    async getEscalationForDecision(decisionId) {
      const row = await escalationForDecision.takeFirst(ctx, ctx.db, { decisionId });
      return row === undefined ? null : toEscalation(row);
    },

    async listOpenEscalationsFor(who, limit) {
      const person = checkId(who.aadObjectId, 'aadObjectId');
      const tenantId = checkId(who.tenantId, 'tenantId');
      const max = checkLimit(limit);
      // Narrowed in SQL (a delegate is matched inside the JSON list, so LIKE may over-match), decided by the rule.
      const pattern = `%${JSON.stringify(person).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const rows = await ctx.db
        .selectFrom('escalations')
        .innerJoin('decisions', 'decisions.id', 'escalations.decision_id')
        .selectAll('escalations')
        .select('decisions.practitioner_aad_id')
        .where('escalations.tenant_id', '=', tenantId)
        .where('escalations.status', 'in', UNACKNOWLEDGED)
        .where((eb) => eb.or([
          eb('escalations.manager_aad_id', '=', person),
          eb('escalations.head_of_service_aad_id', '=', person),
          eb('escalations.delegate_aad_ids', 'like', sql<string>`${pattern} escape '\\'`),
        ]))
        .orderBy('escalations.created_at', 'desc')
        .orderBy('escalations.id', 'desc')
        .execute();
      return rows
        .filter((row) => mayAcknowledgeAlert({ aadObjectId: person, tenantId, conversationId: null }, { ...toRouting(row), practitionerAadId: row.practitioner_aad_id }).kind === 'allowed')
        .slice(0, max)
        .map((row) => toEscalation(row));
    },

    async acknowledgeEscalation(escalationId, actor, notifications = []): Promise<AcknowledgeResult> {
      const who = checkActor(actor);
      const name = acknowledgerName(actor.displayName);
      const now = ctx.now();
      const queued = outboxRows(notifications, now);
      return inTransaction(ctx, async (trx): Promise<AcknowledgeResult> => {
        const selectAlert = () => trx.selectFrom('escalations').selectAll().where('id', '=', escalationId);
        const row = await lockForUpdate(selectAlert(), ctx.engine).executeTakeFirst();
        if (row === undefined) return { kind: 'not_found' };
        const decision = await trx.selectFrom('decisions').select(['practitioner_aad_id', 'case_ref']).where('id', '=', row.decision_id).executeTakeFirstOrThrow();
        // Who may acknowledge is decided here, on the locked row, so no click can slip past it in a race.
        // From the channel, only once a copy was queued there (read in this transaction too).
        const channelCopyQueued = isInChannel(who.conversationId, row.channel_conversation_id) && (await channelCopyOf(trx, row.id, row.channel_conversation_id));
        const authority = mayAcknowledgeAlert(who, { ...toRouting(row), practitionerAadId: decision.practitioner_aad_id, channelCopyQueued });
        if (authority.kind === 'refused') {
          await appendAudit(trx, ctx, {
            type: 'escalation.ack_refused',
            actor: who.aadObjectId,
            decisionId: row.decision_id,
            caseRef: decision.case_ref,
            payload: { escalationId: row.id, reason: authority.reason, tenantId: who.tenantId, conversationId: who.conversationId },
          });
          return { kind: 'not_authorised', escalation: toEscalation(row), reason: authority.reason, detail: authority.detail };
        }
        if (!UNACKNOWLEDGED.includes(row.status)) return { kind: 'already_acknowledged', escalation: toEscalation(row) };
        const update = await trx
          .updateTable('escalations')
          .set({ status: 'acknowledged', acknowledged_by: who.aadObjectId, acknowledged_by_name: name, acknowledged_at: toIso(now), version: row.version + 1, updated_at: toIso(now) })
          .where('id', '=', row.id)
          .where('version', '=', row.version)
          .where('status', 'in', UNACKNOWLEDGED)
          .executeTakeFirst();
        if (Number(update.numUpdatedRows) !== 1) return { kind: 'already_acknowledged', escalation: toEscalation(await selectAlert().executeTakeFirstOrThrow()) };
        await trx.updateTable('decisions').set({ state: 'escalation_acknowledged', updated_at: toIso(now) }).where('id', '=', row.decision_id).execute();
        await cancelPendingTimers(trx, row.id, now);
        // The other copies of the alert stop retrying: nobody is told later that "nobody could be reached".
        const copiesCancelled = await cancelPendingOutbox(trx, row.id, now);
        const acknowledged = await selectAlert().executeTakeFirstOrThrow();
        await appendAudit(trx, ctx, {
          type: 'escalation.acknowledged',
          actor: who.aadObjectId,
          decisionId: row.decision_id,
          caseRef: decision.case_ref,
          payload: { escalationId: row.id, level: row.level, as: authority.as, copiesCancelled },
        }, acknowledgementSeal(acknowledged));
        await insertOutboxRows(trx, ctx, queued, row.decision_id);
        return { kind: 'acknowledged', escalation: toEscalation(acknowledged) };
      });
    },

    async escalate(command): Promise<EscalateResult> {
      const fromLevel = checkLevel(command.fromLevel, 'fromLevel');
      const toLevel = checkLevel(command.toLevel, 'toLevel');
      const actor = checkId(command.actor, 'actor');
      const recipient = {
        ...(command.recipient?.headOfServiceAadId === undefined ? {} : { headOfServiceAadId: checkId(command.recipient.headOfServiceAadId, 'recipient.headOfServiceAadId') }),
        ...(command.recipient?.channelConversationId === undefined ? {} : { channelConversationId: checkId(command.recipient.channelConversationId, 'recipient.channelConversationId') }),
      };
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
          .set({
            status: 'escalated',
            level: toLevel,
            due_at: dueAt,
            version: row.version + 1,
            updated_at: toIso(now),
            // The level is reached now: its people may acknowledge from here on.
            reached_levels: withReached(row.reached_levels, toLevel),
            ...(recipient.headOfServiceAadId === undefined ? {} : { head_of_service_aad_id: recipient.headOfServiceAadId }),
            ...(recipient.channelConversationId === undefined ? {} : { channel_conversation_id: recipient.channelConversationId }),
          })
          .where('id', '=', row.id)
          .where('version', '=', row.version)
          .where('status', 'in', UNACKNOWLEDGED)
          .executeTakeFirst();
        if (Number(update.numUpdatedRows) !== 1) return { kind: 'unchanged', escalation: toEscalation(await selectAlert().executeTakeFirstOrThrow()) };
        const decision = await trx.selectFrom('decisions').select('case_ref').where('id', '=', row.decision_id).executeTakeFirstOrThrow();
        // The timers of the level it leaves no longer apply; the command brings the new level's.
        await cancelPendingTimers(trx, row.id, now);
        await insertTimerRows(trx, timers);
        const escalated = await selectAlert().executeTakeFirstOrThrow();
        await appendAudit(trx, ctx, {
          type: command.reason === 'undelivered' ? 'escalation.undelivered' : reminder ? 'escalation.reminded' : 'escalation.escalated',
          actor,
          decisionId: row.decision_id,
          caseRef: decision.case_ref,
          payload: { escalationId: row.id, fromLevel, toLevel, dueAt, reason: command.reason ?? 'not_acknowledged', ...recipient },
        }, routingSeal(escalated));
        await insertOutboxRows(trx, ctx, queued, row.decision_id);
        return { kind: 'escalated', escalation: toEscalation(escalated) };
      });
    },
  };
}
