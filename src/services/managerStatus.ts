/** One line for the practitioner's outcome card about the line manager's part, from the stored state. */
import type { ApprovalRequest, DecisionRecord, Escalation } from '../domain/ports/store';

import { londonDateTime as when } from '../domain/londonTime';

export function managerStatusText(record: DecisionRecord, approval: ApprovalRequest | null, escalation: Escalation | null): string | null {
  if (escalation) {
    if (escalation.status === 'acknowledged') return `Safeguarding alert acknowledged at ${when(escalation.acknowledgedAt)}.`;
    const level = escalation.level === 'manager' ? 'your line manager' : escalation.level === 'head_of_service' ? 'the Head of Service / on-call manager' : 'the escalation channel';
    return `An urgent safeguarding alert has gone to ${level}; not yet acknowledged.`;
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
