/**
 * Approval requests. Settling is decided by the database, never by process memory: the row is locked
 * (PostgreSQL) and changed only `WHERE status = 'open' AND version = <read version>`, so when two managers or
 * two replicas click at once exactly one settles it and the other gets the settled state back.
 */
import type { ApprovalAction, ApprovalRequest, ApprovalStatus, ApprovalStore, DecisionState, SettleApprovalResult } from '../domain/ports/store';
import { cardColumns, toApproval } from './approvalRows';
import { appendAudit } from './auditLog';
import { toIso } from './columnValues';
import { lockForUpdate } from './engineDifferences';
import { checkComment, checkId, checkLimit, checkVersion } from './fieldRules';
import { insertOutboxRows, outboxRows } from './outboxRepository';
import { approvalSeal } from './recordSeals';
import { StoreValidationError } from './storeErrors';
import { inTransaction, type StoreContext } from './storeContext';
import { cancelPendingTimers } from './timerRepository';

const SETTLED: Record<ApprovalAction, { status: ApprovalStatus; decisionState: DecisionState; event: 'approval.approved' | 'approval.declined' | 'approval.cancelled' }> = {
  approve: { status: 'approved', decisionState: 'approved', event: 'approval.approved' },
  decline: { status: 'declined', decisionState: 'declined', event: 'approval.declined' },
  cancel: { status: 'cancelled', decisionState: 'approval_cancelled', event: 'approval.cancelled' },
};

/** Who may settle: checked against the stored request, never against what a card sent back. */
function refusal(approval: ApprovalRequest, actor: string, action: ApprovalAction): string | null {
  if (action === 'cancel') return actor === approval.practitionerAadId ? null : 'only the practitioner who asked can cancel the request';
  if (actor === approval.practitionerAadId) return 'a practitioner cannot settle their own request';
  if (actor !== approval.managerAadId && !approval.delegateAadIds.includes(actor)) return 'only the assigned manager or a delegate can settle this request';
  return null;
}

export function createApprovalRepository(ctx: StoreContext): ApprovalStore {
  return {
    async getApproval(id) {
      const row = await ctx.db.selectFrom('approval_requests').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? null : toApproval(row);
    },

    async getApprovalForDecision(decisionId) {
      const row = await ctx.db.selectFrom('approval_requests').selectAll().where('decision_id', '=', decisionId).orderBy('created_at', 'desc').executeTakeFirst();
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

    async settleApproval(command): Promise<SettleApprovalResult> {
      const actor = checkId(command.actorAadId, 'actorAadId');
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
        const reason = refusal(approval, actor, command.action);
        if (reason !== null) return { kind: 'not_authorised', approval, reason };
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
        const decision = await trx
          .updateTable('decisions')
          .set({ state: settled.decisionState, updated_at: toIso(now) })
          .where('id', '=', approval.decisionId)
          .returning(['case_ref'])
          .executeTakeFirstOrThrow();
        await cancelPendingTimers(trx, approval.id, now);
        const settledRow = await selectRequest().executeTakeFirstOrThrow();
        await appendAudit(trx, ctx, {
          type: settled.event,
          actor,
          decisionId: approval.decisionId,
          caseRef: decision.case_ref,
          payload: { approvalId: approval.id, comment, version: approval.version + 1 },
        }, approvalSeal(settledRow));
        await insertOutboxRows(trx, notifications, approval.decisionId);
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
