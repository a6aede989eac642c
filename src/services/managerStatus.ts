/** The line manager's part of a decision as status facts, from the stored state (the outcome card says them in words). */
import type { ContactToCall, Decision } from '../domain/policy/decision';
import type { ApprovalRequest, DecisionRecord, Escalation, OutboxMessage } from '../domain/ports/store';
import { parseOutboxPayload } from '../domain/ports/outboxMessages';
import type { AlertCopyView, ManagerStatus } from '../domain/views';
import { iso } from '../domain/views';

/** Who a copy of an alert is for: its level and name as queued, or (older rows) the description it carries. */
export function alertRecipient(copy: OutboxMessage): AlertCopyView['recipient'] {
  const parsed = parseOutboxPayload(copy.kind, copy.payload);
  const payload = parsed.ok && parsed.message.kind === 'card' ? parsed.message.payload : null;
  if (payload?.recipient) return { level: payload.recipient.level, name: payload.recipient.name, description: payload.fallback?.recipientDescription ?? null };
  if (payload?.fallback) return { level: null, name: null, description: payload.fallback.recipientDescription };
  return copy.target.kind === 'user' ? { level: null, name: null, description: null } : { level: 'escalation_channel', name: null, description: null };
}

/** The rows about `refId` among `rows`, in the order listOutboxForRef gives them: by the time queued, then id. */
export function outboxForRef(rows: readonly OutboxMessage[], refId: string): OutboxMessage[] {
  return rows
    .filter((r) => r.refId === refId)
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The copies of an alert (its cards, not updates or texts). */
export function alertCopies(rows: readonly OutboxMessage[]): OutboxMessage[] {
  return rows.filter((r) => r.kind === 'card' && r.status !== 'cancelled');
}

/** Where each copy of an alert stands, as true as the outbox knows it. */
export function alertCopyViews(rows: readonly OutboxMessage[]): AlertCopyView[] {
  return alertCopies(rows).map((c) => ({
    recipient: alertRecipient(c),
    delivery: c.status === 'sent' ? 'delivered' : c.status === 'dead' ? 'failed' : 'pending',
    deliveredAt: c.status === 'sent' && c.sentAt ? iso(c.sentAt) : null,
  }));
}

/** A number to phone: from the decision, or any contact of the council's pack (the out-of-hours team too). */
export type PhoneContact = Pick<ContactToCall, 'id' | 'label' | 'phone'>;

/** The pack's numbers to phone now, once each, never the practitioner's own "tell your line manager". */
export function phoneContacts(decision: Pick<Decision, 'contacts'> | null, pack: readonly PhoneContact[] = []): Array<{ label: string; phone: string }> {
  const seen = new Set<string>();
  return [...(decision?.contacts ?? []), ...pack]
    .filter((c) => c.phone && c.id !== 'line-manager' && !seen.has(c.id) && seen.add(c.id))
    .map((c) => ({ label: c.label, phone: c.phone! }));
}

/** The pack's numbers to phone now, for a message: "Emergency services 999; Emergency Duty Team 01895 250111". */
export function phoneNumbers(decision: Pick<Decision, 'contacts'> | null, pack: readonly PhoneContact[] = []): string {
  const phones = phoneContacts(decision, pack);
  return phones.length === 0 ? "the numbers in your council's safeguarding procedure" : phones.map((c) => `${c.label} ${c.phone}`).join('; ');
}

/** The alert as it stands: acknowledged (by whom, as kept when they acknowledged it; when) or with a level, each copy delivered or not. */
export function alertStatus(escalation: Escalation, alertRows: readonly OutboxMessage[] = [], acknowledgedByName: string | null = null): ManagerStatus {
  if (escalation.status === 'acknowledged') return { kind: 'alert_acknowledged', byName: acknowledgedByName ?? escalation.acknowledgedByName, at: iso(escalation.acknowledgedAt) };
  return { kind: 'alert_open', level: escalation.level, copies: alertCopyViews(alertRows) };
}

export function managerStatusFacts(record: DecisionRecord, approval: ApprovalRequest | null, escalation: Escalation | null, alertRows: readonly OutboxMessage[] = []): ManagerStatus[] {
  if (escalation) return [alertStatus(escalation, alertRows)];
  if (approval) return [{ kind: 'approval', status: approval.status, byName: null, at: iso(approval.settledAt), comment: approval.comment }];
  if (record.decision?.notifyManager) return [{ kind: 'notice_sent', managerName: null }];
  return [];
}
