/**
 * A line manager approves or declines a request from the approval card. Who may settle it is
 * `maySettleApproval` (src/domain/authority.ts), asked by the store against the stored request inside the
 * settling transaction, never against what the card sent, and asked here too to decide who sees the buttons:
 * only the assigned manager or a configured delegate, never the practitioner; a request settles once, and
 * replays or concurrent clicks get the settled state back. Settling queues, in the same transaction, the
 * update of the practitioner's outcome card and a message telling them.
 */
import { z } from 'zod';
import { maySettleApproval, type RefusalReason } from '../domain/authority';
import type { CouncilPolicy } from '../domain/policy/evaluate';
import { endingWithQuote } from '../domain/sentenceWords';
import { approvalViewOf, type ApprovalView, type RecordSource } from '../domain/views';
import type { ApprovalRequest, ApprovalStore, ConversationReferenceStore, DecisionRecord, DecisionStore, NewOutboxMessage } from '../domain/ports/store';
import { serviceUrlOf } from './conversationLookup';
import type { TextPayload } from '../notify/outboxPayloads';
import { cardUpdateMessage } from './managerNotificationPlanner';
import { type Actor, queuedBy } from './actor';
import type { DecisionService } from './decisionService';
import { UserFacingError } from './userFacingError';

export const MAX_COMMENT_LENGTH = 1000;

const decidePayload = z.object({
  approvalId: z.string().min(1).max(64).regex(/^[A-Za-z0-9-]+$/),
  version: z.coerce.number().int().min(1).max(1_000_000).optional(),
  comment: z.string().max(MAX_COMMENT_LENGTH, `must be at most ${MAX_COMMENT_LENGTH} characters`).optional(),
});

export function parseApprovalPayload(data: Record<string, unknown>) {
  const r = decidePayload.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    const field = issue?.path.join('.') ?? 'payload';
    if (field === 'comment') throw new UserFacingError('bad_comment', 'Your comment is too long', `Keep it to ${MAX_COMMENT_LENGTH} characters, then try again.`, 400);
    throw new UserFacingError('bad_payload', 'That card action could not be read', `The card sent an invalid ${field}.`, 400);
  }
  return r.data;
}

/** What a refused approver is told: why not, and what to do instead. Their click decided nothing. */
function settleRefused(reason: RefusalReason): UserFacingError {
  const advice =
    reason === 'own_request'
      ? 'You asked for this approval, so you cannot approve or decline it yourself. Your line manager (or their delegate) decides; until they do, do not use WhatsApp for this contact.'
      : reason === 'other_tenant'
        ? 'This request belongs to another organisation, so your decision was not recorded. If you were sent it by mistake, tell your IT team.'
        : 'Only the practitioner\'s line manager or one of their delegates can approve or decline it, so your decision was not recorded. If you should be deciding it, ask the line manager to add you as a delegate in ChannelCheck\'s directory.';
  return new UserFacingError('not_authorised', 'You cannot decide this request', advice, 403);
}

export class ApprovalService {
  constructor(
    private readonly deps: {
      store: ApprovalStore & DecisionStore & ConversationReferenceStore;
      decisions: Pick<DecisionService, 'viewFor'>;
      /** The council's loaded pack, for the facts that decided a request. */
      policyFor: (councilId: string) => CouncilPolicy | undefined;
      now?: () => Date;
    },
  ) {}

  private sourceOf(record: DecisionRecord & { decision: NonNullable<DecisionRecord['decision']> }): RecordSource {
    return { decisionId: record.id, decision: record.decision, practitionerName: record.practitionerDisplayName, caseRef: record.caseRef, policy: this.deps.policyFor(record.councilId) ?? null };
  }

  private async viewOf(approval: ApprovalRequest, viewer: Actor | null, settledByName: string | null = null): Promise<ApprovalView> {
    const record = await this.deps.store.getDecision(approval.decisionId);
    if (!record?.decision) throw new UserFacingError('decision_not_found', 'This request is no longer held', 'It may have been erased or passed its retention period.');
    const viewerMayDecide = viewer !== null && maySettleApproval(viewer, { ...approval, tenantId: record.tenantId }, 'approve').kind === 'allowed';
    return approvalViewOf({ approval, record: this.sourceOf({ ...record, decision: record.decision }), settledByName, viewerMayDecide });
  }

  /** Universal Actions refresh: deciders may decide while the request is open; anyone else sees it read-only. */
  async refresh(actor: Actor, data: Record<string, unknown>): Promise<ApprovalView> {
    const { approvalId } = parseApprovalPayload(data);
    const approval = await this.deps.store.getApproval(approvalId);
    if (!approval) throw new UserFacingError('approval_not_found', 'This request could not be found', 'It may have been removed.');
    return this.viewOf(approval, actor);
  }

  /**
   * `from`: where the decision was made. From the card, the card's own answer updates the manager's copy; from
   * the tab, nothing answers the card, so its update is queued like the practitioner's.
   */
  async decide(actor: Actor, data: Record<string, unknown>, action: 'approve' | 'decline', from: 'card' | 'tab' = 'card'): Promise<ApprovalView> {
    const { approvalId, version, comment } = parseApprovalPayload(data);
    const before = await this.deps.store.getApproval(approvalId);
    if (!before) throw new UserFacingError('approval_not_found', 'This request could not be found', 'It may have been removed.');
    const trimmed = comment?.trim() ? comment.trim() : null;
    const notifications = await this.followUps(before, actor, action, trimmed, from);
    const result = await this.deps.store.settleApproval({
      approvalId,
      actor,
      action,
      comment: trimmed,
      ...(version !== undefined ? { expectedVersion: version } : {}),
      notifications: queuedBy(actor, notifications),
    });
    switch (result.kind) {
      case 'not_found':
        throw new UserFacingError('approval_not_found', 'This request could not be found', 'It may have been removed.');
      case 'not_authorised':
        throw settleRefused(result.reason);
      case 'settled':
        return this.viewOf(result.approval, actor, actor.displayName);
      case 'already_settled':
      case 'stale_version':
        return this.viewOf(result.approval, actor);
    }
  }

  /** What settling sets in motion; queued by the store only if this click is the one that settles. */
  private async followUps(approval: ApprovalRequest, actor: Actor, action: 'approve' | 'decline', comment: string | null, from: 'card' | 'tab'): Promise<NewOutboxMessage[]> {
    const settledAt = this.deps.now?.() ?? new Date();
    const verb = action === 'approve' ? ('approved' as const) : ('declined' as const);
    const out: NewOutboxMessage[] = [];
    const record = await this.deps.store.getDecision(approval.decisionId);
    const tenantId = record?.tenantId ?? 'local';
    const what = `${actor.displayName} ${verb} your request to use WhatsApp (case ${record?.caseRef ?? 'not given'})`;
    const text = `${endingWithQuote(what, comment)} ${action === 'approve' ? 'Follow the conditions on your outcome card.' : 'Do not use WhatsApp for this contact; use the alternatives on your outcome card.'}`;
    out.push({ idempotencyKey: `approval:${approval.id}:tell-practitioner`, kind: 'text', target: { kind: 'user', aadObjectId: approval.practitionerAadId }, payload: { tenantId, text } satisfies TextPayload, refId: approval.id });
    if (approval.practitionerCard) {
      const settling = { status: verb, byName: actor.displayName, at: settledAt, comment };
      const view = await this.deps.decisions.viewFor(approval.decisionId, { plannedStatus: [{ kind: 'approval', status: verb, byName: actor.displayName, at: settledAt.toISOString(), comment }], settling, asking: actor });
      const serviceUrl = await serviceUrlOf(this.deps.store, approval.practitionerAadId);
      out.push(cardUpdateMessage(`approval:${approval.id}:update-practitioner-card`, approval.practitionerCard, serviceUrl, { kind: 'outcome', view }, approval.id));
    }
    // A delegate decided, or the manager decided in the tab: the manager's own copy of the card shows the settled request too.
    if (approval.managerCard && (actor.aadObjectId !== approval.managerAadId || from === 'tab') && record?.decision) {
      const settled = { ...approval, status: action === 'approve' ? ('approved' as const) : ('declined' as const), comment, settledAt, version: approval.version + 1 };
      const view = approvalViewOf({ approval: settled, record: this.sourceOf({ ...record, decision: record.decision }), settledByName: actor.displayName, viewerMayDecide: true });
      const serviceUrl = await serviceUrlOf(this.deps.store, approval.managerAadId);
      out.push(cardUpdateMessage(`approval:${approval.id}:update-manager-card`, approval.managerCard, serviceUrl, { kind: 'approval', view }, approval.id));
    }
    return out;
  }
}
