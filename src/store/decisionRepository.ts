/**
 * Decision records. recordDecision writes the record, its audit events, its approval request or
 * safeguarding escalation, its timers and its notifications in one transaction: all or nothing.
 */
import type { Transaction } from 'kysely';
import type { DecisionRecord, DecisionState, DecisionStore, RecordedDecision } from '../domain/ports/store';
import { approvalRow, toApproval } from './approvalRows';
import { appendAudit } from './auditLog';
import { decisionRow, toDecisionRecord } from './decisionRows';
import { escalationRow, toEscalation, toRouting } from './escalationRows';
import { checkId, checkLimit, checkVersion } from './fieldRules';
import { insertOutboxRows, outboxRows, toOutboxMessage } from './outboxRepository';
import { decisionSeal, routingSeal } from './recordSeals';
import { precompile } from './precompiledQuery';
import type { Database, DecisionsTable } from './schema';
import { StoreValidationError } from './storeErrors';
import { inTransaction, type StoreContext } from './storeContext';
import { insertTimerRows, timerRows, toTimer } from './timerRepository';
import { completeWizardSession } from './wizardSessionRepository';

export const decisionInsert = precompile('decisionInsert', (db, p: DecisionsTable) => db.insertInto('decisions').values(p));

/** A decision and what was written with it, read back (for a replayed final wizard step). */
async function loadRecordedDecision(trx: Transaction<Database>, decisionId: string): Promise<RecordedDecision> {
  const row = await trx.selectFrom('decisions').selectAll().where('id', '=', decisionId).executeTakeFirstOrThrow();
  const approval = await trx.selectFrom('approval_requests').selectAll().where('decision_id', '=', decisionId).executeTakeFirst();
  const escalation = await trx.selectFrom('escalations').selectAll().where('decision_id', '=', decisionId).executeTakeFirst();
  const outbox = await trx.selectFrom('outbox').selectAll().where('decision_id', '=', decisionId).orderBy('created_at').orderBy('id').execute();
  const refIds = [decisionId, approval?.id, escalation?.id].filter((x): x is string => x !== undefined);
  const timers = await trx.selectFrom('timers').selectAll().where('ref_id', 'in', refIds).orderBy('due_at').execute();
  return {
    replayed: true,
    record: toDecisionRecord(row),
    approval: approval === undefined ? null : toApproval(approval),
    escalation: escalation === undefined ? null : toEscalation(escalation),
    outbox: outbox.map(toOutboxMessage),
    timers: timers.map(toTimer),
  };
}

export function createDecisionRepository(ctx: StoreContext): DecisionStore {
  return {
    async recordDecision(command) {
      const now = ctx.now();
      const state: DecisionState = command.escalation ? 'escalation_open' : command.approval ? 'awaiting_approval' : 'recorded';
      const decision = decisionRow(command, ctx.caseRefPattern, state, now);
      const approval = command.approval ? approvalRow(command.approval, decision.id, decision.practitioner_aad_id, now) : null;
      const escalation = command.escalation ? escalationRow(command.escalation, decision.id, decision.tenant_id, now) : null;
      const timers = timerRows(command.timers ?? [], now);
      const outbox = outboxRows(command.notifications ?? [], now);
      const session = command.completesSession;
      if (session !== undefined) {
        checkId(session.sessionId, 'completesSession.sessionId');
        checkVersion(session.expectedVersion, 'completesSession.expectedVersion');
      }
      if (approval !== null && approval.manager_aad_id === decision.practitioner_aad_id) {
        throw new StoreValidationError('approval.managerAadId', 'a practitioner cannot be the approver of their own request');
      }

      return inTransaction(ctx, async (trx): Promise<RecordedDecision> => {
        if (session !== undefined) {
          const completion = await completeWizardSession(trx, ctx, session.sessionId, session.expectedVersion, decision.id, now);
          if (completion.kind === 'already_completed') return loadRecordedDecision(trx, completion.decisionId);
        }
        await decisionInsert.execute(ctx, trx, decision);
        if (approval !== null) await trx.insertInto('approval_requests').values(approval).execute();
        if (escalation !== null) await trx.insertInto('escalations').values(escalation).execute();
        const insertedTimers = await insertTimerRows(trx, timers);

        const about = { decisionId: decision.id, caseRef: decision.case_ref, actor: decision.practitioner_aad_id };
        const full = command.decision;
        await appendAudit(trx, ctx, {
          ...about,
          type: 'decision.recorded',
          payload: {
            practitionerDisplayName: decision.practitioner_name,
            tenantId: decision.tenant_id,
            councilId: decision.council_id,
            packVersion: decision.pack_version,
            packContentHash: decision.pack_content_hash,
            baselineHash: decision.baseline_hash,
            engineVersion: full.engineVersion,
            outcome: full.outcome,
            channel: full.channel,
            decisiveRules: full.reasons.filter((r) => r.decisive).map((r) => r.ruleId),
            facts: full.facts,
          },
        }, decisionSeal(decision));
        if (approval !== null) {
          await appendAudit(trx, ctx, {
            ...about,
            type: 'approval.requested',
            payload: { approvalId: approval.id, managerAadId: approval.manager_aad_id, delegateAadIds: JSON.parse(approval.delegate_aad_ids) as unknown },
          });
        }
        if (escalation !== null) {
          await appendAudit(trx, ctx, {
            ...about,
            type: 'escalation.raised',
            payload: { escalationId: escalation.id, level: escalation.level, dueAt: escalation.due_at, urgency: full.urgency, routing: toRouting(escalation) },
          }, routingSeal(escalation));
        }
        // Last, after the audit events: if queuing a notification fails, the record and its events go too.
        const queued = await insertOutboxRows(trx, ctx, outbox, decision.id);
        return {
          replayed: false,
          record: toDecisionRecord(decision),
          approval: approval === null ? null : toApproval(approval),
          escalation: escalation === null ? null : toEscalation(escalation),
          outbox: queued,
          timers: insertedTimers,
        };
      });
    },

    async getDecision(id) {
      const row = await ctx.db.selectFrom('decisions').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toDecisionRecord(row);
    },

    async listDecisionsForPractitioner(userAadId, limit) {
      const rows = await ctx.db
        .selectFrom('decisions')
        .selectAll()
        .where('practitioner_aad_id', '=', checkId(userAadId, 'userAadId'))
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(checkLimit(limit))
        .execute();
      return rows.map(toDecisionRecord);
    },

    async listDecisionsForTeam(scope, limit): Promise<DecisionRecord[]> {
      const members = (scope.memberAadIds ?? []).map((m, i) => checkId(m, `memberAadIds[${i}]`));
      const manager = scope.managerAadId === undefined ? undefined : checkId(scope.managerAadId, 'managerAadId');
      if (members.length === 0 && manager === undefined) return [];
      const rows = await ctx.db
        .selectFrom('decisions')
        .selectAll()
        .where((eb) =>
          eb.or([
            ...(members.length === 0 ? [] : [eb('practitioner_aad_id', 'in', members)]),
            ...(manager === undefined
              ? []
              : [eb('id', 'in', eb.selectFrom('approval_requests').select('decision_id').where('manager_aad_id', '=', manager))]),
          ]),
        )
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(checkLimit(limit))
        .execute();
      return rows.map(toDecisionRecord);
    },
  };
}
