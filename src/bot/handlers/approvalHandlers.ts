/** approval.approve / approval.decline / approval.refresh: the manager's approval card verbs. */
import type { ApprovalService } from '../../services/approvalService';
import { presentApproval } from '../presenters/approvalPresenter';
import type { VerbHandler } from '../verbs';

export function approvalDecideHandler(approvals: ApprovalService, action: 'approve' | 'decline'): VerbHandler {
  return async ({ actor, data }) => ({ kind: 'replaceCard', card: presentApproval(await approvals.decide(actor, data, action)) });
}

export function approvalRefreshHandler(approvals: ApprovalService): VerbHandler {
  return async ({ actor, data }) => ({ kind: 'replaceCard', card: presentApproval(await approvals.refresh(actor, data)) });
}
