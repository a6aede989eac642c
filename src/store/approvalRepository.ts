/**
 * Approval requests. Settling is decided by the database, never by process memory: the row is locked
 * (PostgreSQL) and changed only `WHERE status = 'open' AND version = <read version>`, so when two managers or
 * two replicas click at once exactly one settles it and the other gets the settled state back. Who may
 * settle is `maySettleApproval`, asked on the locked row in the same transaction.
 */
import { sql } from 'kysely';
import { maySettleApproval } from '../domain/authority';
import type { ApprovalAction, ApprovalStatus, ApprovalStore, DecisionState, SettleApprovalResult } from '../domain/ports/store';
import { cardColumns, toApproval } from './approvalRows';
import { appendAudit } from './auditLog';
import { toIso } from './columnValues';
import { lockForUpdate } from './engineDifferences';
import { checkComment, checkId, checkLimit, checkVersion } from './fieldRules';
import { insertOutboxRows, outboxRows } from './outboxRepository';
import { precompile } from './precompiledQuery';
import { approvalSeal } from './recordSeals';
import { StoreValidationError } from './storeErrors';
import { inTransaction, type StoreContext } from './storeContext';
import { cancelPendingTimers } from './timerRepository';

const SETTLED: Record<ApprovalAction, { status: ApprovalStatus; decisionState: DecisionState; event: 'approval.approved' | 'approval.declined' | 'approval.cancelled' }> = {
  approve: { status: 'approved', decisionState: 'approved', event: 'approval.approved' },
  decline: { status: 'declined', decisionState: 'declined', event: 'approval.declined' },
  cancel: { status: 'cancelled', decisionState: 'approval_cancelled', event: 'approval.cancelled' },
};

/** Every decision's view (the final step of every check) asks for its approval request: this read runs precompiled. */
export const approvalForDecision = precompile('approvalForDecision', (db, p: { decisionId: string }) =>
  db.selectFrom('approval_requests').selectAll().where('decision_id', '=', p.decisionId).orderBy('created_at', 'desc'),
);

export function createApprovalRepository(ctx: StoreContext): ApprovalStore {
  return {
    async getApproval(id) {
      const row = await ctx.db.selectFrom('approval_requests').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toApproval(row);
    },

    async getApprovalForDecision(decisionId) {
      const row = await approvalForDecision.takeFirst(ctx, ctx.db, { decisionId });
      return row === undefined ? null : toApproval(row);
    },

    async listOpenApprovalsForManager(managerAadId, limit) {
      const rows = await ctx.db
        .selectFrom('approval_requests')
        .selectAll()
        .where('manager_aad_id', '=', checkId(managerAadId, 'managerAadId'))
        .where('status', '=', 'open')
        .orderBy('created_at', 'desc')
        .limit(checkLimit(limit))
        .execute();
      return rows.map(toApproval);
    },

    async listOpenApprovalsFor(who, limit) {
      const person = checkId(who.aadObjectId, 'aadObjectId');
      const tenantId = checkId(who.tenantId, 'tenantId');
      const max = checkLimit(limit);
      // Narrowed in SQL (a delegate is matched inside the JSON list, so LIKE may over-match), decided by the rule.
      const pattern = `%${JSON.stringify(person).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      const rows = await ctx.db
        .selectFrom('approval_requests')
        .innerJoin('decisions', 'decisions.id', 'approval_requests.decision_id')
        .selectAll('approval_requests')
        .where('decisions.tenant_id', '=', tenantId)
        .where('approval_requests.status', '=', 'open')
        .where((eb) => eb.or([
          eb('approval_requests.manager_aad_id', '=', person),
          eb('approval_requests.delegate_aad_ids', 'like', sql<string>`${pattern} escape '\\'`),
        ]))
        .orderBy('approval_requests.created_at', 'desc')
        .orderBy('approval_requests.id', 'desc')
        .execute();
      return rows
        .map(toApproval)
        .filter((a) => maySettleApproval({ aadObjectId: person, tenantId }, { ...a, tenantId }, 'approve').kind === 'allowed')
        .slice(0, max);
    },

    async settleApproval(command): Promise<SettleApprovalResult> {
      if (typeof command.actor !== 'object' || command.actor === null) throw new StoreValidationError('actor', 'is required');
      const who = { aadObjectId: checkId(command.actor.aadObjectId, 'actor.aadObjectId'), tenantId: checkId(command.actor.tenantId, 'actor.tenantId') };
      const actor = who.aadObjectId;
      if (!(command.action in SETTLED)) throw new StoreValidationError('action', 'must be approve, decline or cancel');
      const comment = checkComment(command.comment);
      if (command.expectedVersion !== undefined) checkVersion(command.expectedVersion, 'expectedVersion');
      const now = ctx.now();
      const notifications = outboxRows(command.notifications ?? [], now);
      const settled = SETTLED[command.action];

      return inTransaction(ctx, async (trx): Promise<SettleApprovalResult> => {
        const selectRequest = () => trx.selectFrom('approval_requests').selectAll().where('id', '=', command.approvalId);
        const row = await lockForUpdate(selectRequest(), ctx.engine).executeTakeFirst();
        if (row === undefined) return { kind: 'not_found' };
        const approval = toApproval(row);
        const decisionRow = await trx.selectFrom('decisions').select(['tenant_id', 'case_ref']).where('id', '=', approval.decisionId).executeTakeFirstOrThrow();
        // Who may settle is decided here, on the locked row, so no click can slip past it in a race.
        const authority = maySettleApproval(who, { ...approval, tenantId: decisionRow.tenant_id }, command.action);
        if (authority.kind === 'refused') {
          await appendAudit(trx, ctx, {
            type: 'approval.settle_refused',
            actor,
            decisionId: approval.decisionId,
            caseRef: decisionRow.case_ref,
            payload: { approvalId: approval.id, action: command.action, reason: authority.reason, tenantId: who.tenantId },
          });
          return { kind: 'not_authorised', approval, reason: authority.reason, detail: authority.detail };
        }
        if (approval.status !== 'open') return { kind: 'already_settled', approval };
        if (command.expectedVersion !== undefined && command.expectedVersion !== approval.version) return { kind: 'stale_version', approval };

        const update = await trx
          .updateTable('approval_requests')
          .set({ status: settled.status, decided_by: actor, comment, version: approval.version + 1, settled_at: toIso(now) })
          .where('id', '=', approval.id)
          .where('status', '=', 'open')
          .where('version', '=', approval.version)
          .executeTakeFirst();
        if (Number(update.numUpdatedRows) !== 1) {
          // Lost a race the row lock did not cover: report what won.
          return { kind: 'already_settled', approval: toApproval(await selectRequest().executeTakeFirstOrThrow()) };
        }
        await trx.updateTable('decisions').set({ state: settled.decisionState, updated_at: toIso(now) }).where('id', '=', approval.decisionId).execute();
        await cancelPendingTimers(trx, approval.id, now);
        const settledRow = await selectRequest().executeTakeFirstOrThrow();
        await appendAudit(trx, ctx, {
          type: settled.event,
          actor,
          decisionId: approval.decisionId,
          caseRef: decisionRow.case_ref,
          payload: { approvalId: approval.id, comment, version: approval.version + 1 },
        }, approvalSeal(settledRow));
        await insertOutboxRows(trx, ctx, notifications, approval.decisionId);
        return { kind: 'settled', approval: toApproval(settledRow) };
      });
    },

    async attachApprovalCard(approvalId, whose, card) {
      const { activityId, conversationId } = cardColumns(card, 'card');
      const set =
        whose === 'manager'
          ? { manager_activity_id: activityId, manager_conversation_id: conversationId }
          : { practitioner_activity_id: activityId, practitioner_conversation_id: conversationId };
      await ctx.db.updateTable('approval_requests').set(set).where('id', '=', approvalId).execute();
    },
  };
}
