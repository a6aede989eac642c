/**
 * Who may act on an approval request or a safeguarding alert. Pure: one function per decision, asked by the
 * store inside the transaction that settles the record (so a race cannot slip past it) and by the services
 * that show or hide buttons, so the rule lives here and nowhere else.
 *
 * The person is who Teams says sent the activity (its Entra object id, its tenant and the conversation it
 * came from), never anything a card sent back. The record is what the store holds.
 */
import type { ApprovalAction, EscalationLevel } from './ports/store';

/** The person acting, as the activity identifies them. */
export interface ActingUser {
  aadObjectId: string;
  tenantId: string;
  /**
   * The conversation the activity came from. A click on a card posted in a Teams channel comes from that
   * post's thread, `<channel conversation id>;messageid=<post id>`. Null when not known (a command line).
   */
  conversationId: string | null;
}

/** Who an alert was routed to, as recorded when it was raised and as it escalated. */
export interface AlertRouting {
  /** The practitioner's tenant: nobody from another tenant may act on it. */
  tenantId: string;
  managerAadId: string | null;
  /** The line manager's delegates when the alert was raised. */
  delegateAadIds: string[];
  /** The team's Head of Service / on-call contact the alert goes (or went) to. */
  headOfServiceAadId: string | null;
  /** The levels the alert has been sent to: at once when raised, or later by escalation. */
  reachedLevels: EscalationLevel[];
  /** The escalation channel's conversation id, when one was configured. */
  channelConversationId: string | null;
}

/** An alert as the rule needs it: its routing and who raised it. */
export interface AlertParties extends AlertRouting {
  practitionerAadId: string;
  /**
   * A copy of the alert was queued to the escalation channel (its outbox row exists): the manager could not
   * be reached and the channel was sent it instead, although the level is not the channel's. Asked by the
   * store inside the transaction; absent means none.
   */
  channelCopyQueued?: boolean;
}

/** An approval request as the rule needs it. */
export interface ApprovalParties {
  /** The practitioner's tenant. */
  tenantId: string;
  practitionerAadId: string;
  managerAadId: string;
  delegateAadIds: readonly string[];
}

export const REFUSAL_REASONS = [
  /** The person signed in to another organisation's tenant. */
  'other_tenant',
  /** The practitioner acting on their own request or alert. */
  'own_request',
  /** Cancelling is for the practitioner who asked. */
  'not_the_requester',
  /** Not the assigned manager or one of their delegates. */
  'not_assigned',
  /** The Head of Service / on-call contact, or the escalation channel, before the alert has been sent there. */
  'not_yet_reached',
  /** Not one of the people the alert was sent to, and not acting from the escalation channel. */
  'not_routed',
] as const;
export type RefusalReason = (typeof REFUSAL_REASONS)[number];

export type ApprovalRole = 'manager' | 'delegate' | 'practitioner';
export type AlertRole = 'line_manager' | 'delegate' | 'head_of_service' | 'escalation_channel';

export type Authority<Role> =
  | { kind: 'allowed'; as: Role }
  /** `detail` says why in words, for the audit trail and the logs. */
  | { kind: 'refused'; reason: RefusalReason; detail: string };

function refused(reason: RefusalReason, detail: string): { kind: 'refused'; reason: RefusalReason; detail: string } {
  return { kind: 'refused', reason, detail };
}

/**
 * Approve or decline: the assigned manager or one of their delegates, never the practitioner. Cancel: the
 * practitioner only. Always someone in the practitioner's tenant.
 */
export function maySettleApproval(who: Pick<ActingUser, 'aadObjectId' | 'tenantId'>, request: ApprovalParties, action: ApprovalAction): Authority<ApprovalRole> {
  if (who.tenantId !== request.tenantId) return refused('other_tenant', 'the request belongs to another organisation');
  if (action === 'cancel') {
    return who.aadObjectId === request.practitionerAadId ? { kind: 'allowed', as: 'practitioner' } : refused('not_the_requester', 'only the practitioner who asked can cancel the request');
  }
  if (who.aadObjectId === request.practitionerAadId) return refused('own_request', 'a practitioner cannot settle their own request');
  if (who.aadObjectId === request.managerAadId) return { kind: 'allowed', as: 'manager' };
  if (request.delegateAadIds.includes(who.aadObjectId)) return { kind: 'allowed', as: 'delegate' };
  return refused('not_assigned', 'only the assigned manager or a delegate can settle this request');
}

/** True when `conversationId` is the channel itself or a thread (a post and its replies) in it. */
export function isInChannel(conversationId: string | null, channelConversationId: string | null): boolean {
  if (conversationId === null || channelConversationId === null) return false;
  const channelOf = (id: string) => id.split(';messageid=')[0] ?? '';
  const channel = channelOf(channelConversationId);
  return channel !== '' && channelOf(conversationId) === channel;
}

/**
 * Acknowledge an alert: the people it was routed to. The practitioner's line manager and that manager's
 * delegates; the Head of Service / on-call contact once the alert has been sent to them (at once out of hours
 * or with no manager on record, otherwise after escalation); and anyone acting from the escalation channel's
 * own conversation, where Teams shows the card only to the channel's members, once the alert has been sent
 * there (the channel level reached, or a copy queued to it when the manager could not be reached). Always
 * someone in the alert's tenant, and never the practitioner who raised it.
 */
export function mayAcknowledgeAlert(who: ActingUser, alert: AlertParties): Authority<AlertRole> {
  if (who.tenantId !== alert.tenantId) return refused('other_tenant', 'the alert belongs to another organisation');
  if (who.aadObjectId === alert.practitionerAadId) return refused('own_request', 'the practitioner who raised the alert cannot acknowledge it');
  if (alert.managerAadId !== null && who.aadObjectId === alert.managerAadId) return { kind: 'allowed', as: 'line_manager' };
  if (alert.delegateAadIds.includes(who.aadObjectId)) return { kind: 'allowed', as: 'delegate' };
  const fromChannel = isInChannel(who.conversationId, alert.channelConversationId);
  const sentToChannel = alert.reachedLevels.includes('escalation_channel') || alert.channelCopyQueued === true;
  if (fromChannel && sentToChannel) return { kind: 'allowed', as: 'escalation_channel' };
  if (alert.headOfServiceAadId !== null && who.aadObjectId === alert.headOfServiceAadId) {
    return alert.reachedLevels.includes('head_of_service')
      ? { kind: 'allowed', as: 'head_of_service' }
      : refused('not_yet_reached', 'the alert has not been sent to the Head of Service / on-call contact yet');
  }
  if (fromChannel) return refused('not_yet_reached', 'the alert has not been sent to the escalation channel yet');
  return refused('not_routed', 'not one of the people the alert was sent to, and not acting from the escalation channel');
}
