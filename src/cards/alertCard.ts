/** The urgent safeguarding alert to a line manager, Head of Service or the escalation channel. */
import { londonDateTime } from '../domain/londonTime';
import type { Decision } from '../domain/policy/decision';
import type { Escalation } from '../domain/ports/store';
import { factSummary } from './factSummary';
import { citeText, contactDetail } from './outcomeCard';
import { type CardJson, renderTemplate } from './renderTemplate';

export interface AlertCardInput {
  escalation: Pick<Escalation, 'id' | 'status' | 'acknowledgedAt'>;
  decision: Decision;
  practitionerName: string;
  caseRef: string | null;
  acknowledgedByName?: string | null;
  /** Why this person is seeing it: "Not acknowledged within 15 minutes: escalated to you." */
  escalationNote?: string | null;
}

export function alertCard(input: AlertCardInput): CardJson {
  const { escalation: e, decision } = input;
  const open = e.status !== 'acknowledged';
  const at = londonDateTime(e.acknowledgedAt);
  return renderTemplate('safeguarding-alert', {
    escalationId: e.id,
    title: decision.facts.immediateRiskToLife ? 'URGENT: immediate risk reported' : 'URGENT: safeguarding alert',
    subtitle: `From ${input.practitionerName} · ${decision.policy.council} · case ${input.caseRef ?? 'not given'}`,
    escalationNote: input.escalationNote ?? null,
    facts: factSummary(decision.facts),
    reasons: decision.reasons.filter((r) => r.effect === 'ESCALATE_SAFEGUARDING').map((r) => ({ text: r.text, cite: citeText(r) })),
    // The reader is the manager: the "tell your line manager" contact meant for the practitioner is left out.
    contacts: decision.contacts.filter((c) => c.id !== 'line-manager').map((c) => ({ label: c.label, detail: contactDetail(c) })),
    status: open ? 'Not yet acknowledged. Acknowledge when you are dealing with it: the practitioner sees who did.' : `Acknowledged by ${input.acknowledgedByName ?? 'a manager'} at ${at}.`,
    statusColor: open ? 'Attention' : 'Good',
    canAcknowledge: open,
  });
}
