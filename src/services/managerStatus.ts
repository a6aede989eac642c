/** One line for the practitioner's outcome card about the line manager's part, from the stored state. */
import type { ContactToCall, Decision } from '../domain/policy/decision';
import type { ApprovalRequest, DecisionRecord, Escalation, OutboxMessage } from '../domain/ports/store';
import { londonDateTime as when } from '../domain/londonTime';
import { parseOutboxPayload } from '../domain/ports/outboxMessages';

const LEVEL = { manager: 'your line manager', head_of_service: 'the Head of Service / on-call manager', escalation_channel: 'the escalation channel' } as const;

/** Who a copy of an alert is for, in words ("your line manager Lee Manager", "the escalation channel"). */
export function alertRecipient(copy: OutboxMessage): string {
  const parsed = parseOutboxPayload(copy.kind, copy.payload);
  if (parsed.ok && parsed.message.kind === 'card' && parsed.message.payload.fallback) return parsed.message.payload.fallback.recipientDescription;
  return copy.target.kind === 'user' ? 'a manager' : 'the escalation channel';
}

/** The copies of an alert (its cards, not updates or texts). */
export function alertCopies(rows: readonly OutboxMessage[]): OutboxMessage[] {
  return rows.filter((r) => r.kind === 'card' && r.status !== 'cancelled');
}

/** Where each copy of an alert stands, as true as the outbox knows it. */
export function alertDeliveryText(copies: readonly OutboxMessage[]): string {
  const lines = alertCopies(copies).map((c) => {
    const who = alertRecipient(c);
    if (c.status === 'sent') return `delivered to ${who} at ${when(c.sentAt)}`;
    if (c.status === 'dead') return `could not be delivered to ${who}`;
    return `not yet delivered to ${who} (Teams has not accepted it yet; ChannelCheck keeps trying)`;
  });
  if (lines.length === 0) return '';
  const text = lines.join('; ');
  return ` ${text[0]!.toUpperCase()}${text.slice(1)}.`;
}

/** A number to phone: from the decision, or any contact of the council's pack (the out-of-hours team too). */
export type PhoneContact = Pick<ContactToCall, 'id' | 'label' | 'phone'>;

/** The pack's numbers to phone now: "Emergency services 999; Emergency Duty Team 01895 250111". */
export function phoneNumbers(decision: Pick<Decision, 'contacts'> | null, pack: readonly PhoneContact[] = []): string {
  const seen = new Set<string>();
  const phones = [...(decision?.contacts ?? []), ...pack].filter((c) => c.phone && c.id !== 'line-manager' && !seen.has(c.id) && seen.add(c.id));
  return phones.length === 0 ? "the numbers in your council's safeguarding procedure" : phones.map((c) => `${c.label} ${c.phone}`).join('; ');
}

/** What the practitioner must do when the alert has not reached anyone in Teams. */
export function phoneNowText(decision: Pick<Decision, 'contacts'> | null, minutes: number, pack: readonly PhoneContact[] = []): string {
  return `Not delivered to anyone in Teams after ${minutes} minute${minutes === 1 ? '' : 's'}: phone your line manager or the out-of-hours contact now: ${phoneNumbers(decision, pack)}.`;
}

export function managerStatusText(
  record: DecisionRecord,
  approval: ApprovalRequest | null,
  escalation: Escalation | null,
  alertRows: readonly OutboxMessage[] = [],
  acknowledgedByName?: string,
): string | null {
  if (escalation) {
    if (escalation.status === 'acknowledged') return `Safeguarding alert acknowledged${acknowledgedByName ? ` by ${acknowledgedByName}` : ''} at ${when(escalation.acknowledgedAt)}.`;
    // "Is with": the level it has reached; whether each copy was delivered is said after, from the outbox.
    return `An urgent safeguarding alert is with ${LEVEL[escalation.level]}; not yet acknowledged.${alertDeliveryText(alertRows)}`;
  }
  if (approval) {
    switch (approval.status) {
      case 'open':
        return 'An approval request has gone to your line manager. Do not use WhatsApp until they agree.';
      case 'approved':
        return `Approved by your line manager at ${when(approval.settledAt)}${approval.comment ? `: "${approval.comment}"` : ''}. Follow the conditions below.`;
      case 'declined':
        return `Declined by your line manager at ${when(approval.settledAt)}${approval.comment ? `: "${approval.comment}"` : ''}. Do not use WhatsApp; use the alternatives.`;
      case 'cancelled':
        return 'You withdrew the approval request.';
    }
  }
  if (record.decision?.notifyManager) return 'Your line manager has been notified.';
  return null;
}
