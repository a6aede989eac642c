/** Approval request rows <-> ApprovalRequest. */
import { randomUUID } from 'node:crypto';
import type { ApprovalRequest, ApprovalStatus, CardRef, NewApprovalRequest } from '../domain/ports/store';
import { fromIso, fromIsoOrNull, fromJsonText, toIso, toJsonText } from './columnValues';
import { checkId } from './fieldRules';
import type { ApprovalRequestsTable } from './schema';

export function cardRef(activityId: string | null, conversationId: string | null): CardRef | null {
  return activityId !== null && conversationId !== null ? { activityId, conversationId } : null;
}

export function cardColumns(card: CardRef | null | undefined, field: string): { activityId: string | null; conversationId: string | null } {
  if (card === null || card === undefined) return { activityId: null, conversationId: null };
  return { activityId: checkId(card.activityId, `${field}.activityId`), conversationId: checkId(card.conversationId, `${field}.conversationId`) };
}

export function toApproval(row: ApprovalRequestsTable): ApprovalRequest {
  return {
    id: row.id,
    decisionId: row.decision_id,
    practitionerAadId: row.practitioner_aad_id,
    managerAadId: row.manager_aad_id,
    delegateAadIds: fromJsonText<string[]>(row.delegate_aad_ids),
    status: row.status as ApprovalStatus,
    decidedBy: row.decided_by,
    comment: row.comment,
    version: row.version,
    createdAt: fromIso(row.created_at),
    settledAt: fromIsoOrNull(row.settled_at),
    managerCard: cardRef(row.manager_activity_id, row.manager_conversation_id),
    practitionerCard: cardRef(row.practitioner_activity_id, row.practitioner_conversation_id),
  };
}

export function approvalRow(input: NewApprovalRequest, decisionId: string, practitionerAadId: string, now: Date): ApprovalRequestsTable {
  const practitionerCard = cardColumns(input.practitionerCard, 'approval.practitionerCard');
  return {
    id: input.id ?? randomUUID(),
    decision_id: decisionId,
    practitioner_aad_id: practitionerAadId,
    manager_aad_id: checkId(input.managerAadId, 'approval.managerAadId'),
    delegate_aad_ids: toJsonText((input.delegateAadIds ?? []).map((d, i) => checkId(d, `approval.delegateAadIds[${i}]`))),
    status: 'open',
    decided_by: null,
    comment: null,
    version: 1,
    created_at: toIso(now),
    settled_at: null,
    manager_activity_id: null,
    manager_conversation_id: null,
    practitioner_activity_id: practitionerCard.activityId,
    practitioner_conversation_id: practitionerCard.conversationId,
  };
}
