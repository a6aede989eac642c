/** A decision as the outcome card: headline, reasons with citations, checklist, scripts, contacts, case note. */
import type { Citation, ContactToCall, Decision, ScriptToSend } from '../domain/policy/decision';
import type { Outcome } from '../domain/policy/precedence';
import { type CardJson, renderTemplate } from './renderTemplate';

export interface OutcomeCardInput {
  decision: Decision;
  decisionId: string;
  caseRef: string | null;
  caseNote: string;
  /** What happened about the line manager: "An urgent alert was sent to …", "Approved by … at …". */
  managerStatus?: string | null;
  /** Once the line manager has settled an approval request, the card's headline says so. */
  approval?: 'approved' | 'declined' | null;
  /** Where the case's consent register stands, in words. */
  consentStatus?: string | null;
  /** "They replied YES" / "They agreed": record consent in the register for this decision's case. */
  consentOffer?: { label: string; decisionId: string } | null;
}

const SETTLED = {
  approved: { headline: 'Approved by your line manager: WhatsApp allowed, with conditions', container: 'good', color: 'Good' },
  declined: { headline: 'Declined by your line manager: do not use WhatsApp', container: 'attention', color: 'Attention' },
} as const;

const STYLE: Record<Outcome, { container: string; color: string }> = {
  safeguarding_escalation: { container: 'attention', color: 'Attention' },
  information_incident: { container: 'attention', color: 'Attention' },
  whatsapp_not_permitted: { container: 'attention', color: 'Attention' },
  manager_approval_required: { container: 'warning', color: 'Warning' },
  use_teams: { container: 'accent', color: 'Accent' },
  whatsapp_allowed_with_conditions: { container: 'good', color: 'Good' },
};

export function citeText(c: Citation): string {
  return c.baseline ? `${c.ruleId}, ChannelCheck baseline: ${c.citation.replace(/^ChannelCheck baseline:?\s*/, '')}` : `${c.ruleId}, clause ${c.citation}`;
}

export function contactDetail(c: ContactToCall): string {
  const parts: string[] = [];
  if (c.phone) parts.push(`[${c.phone}](tel:${c.phone.replace(/\s+/g, '')})`);
  if (c.email) parts.push(`[${c.email}](mailto:${c.email})`);
  if (c.url) parts.push(`[website](${c.url})`);
  if (c.when === 'out_of_hours') parts.push('out of hours');
  if (c.when === 'in_hours') parts.push('in working hours');
  const detail = parts.length > 0 ? `: ${parts.join(', ')}` : '';
  return c.note ? `${detail}. ${c.note}` : detail;
}

export function outcomeCardData({ decision: d, decisionId, caseRef, caseNote, managerStatus = null, approval = null, consentStatus = null, consentOffer = null }: OutcomeCardInput) {
  const settled = d.outcome === 'manager_approval_required' && approval ? SETTLED[approval] : null;
  const style = settled ?? STYLE[d.outcome];
  const item = (x: Citation & { text: string }) => ({ text: x.text, cite: citeText(x) });
  const script = (s: ScriptToSend) => ({
    title: s.title,
    cite: citeText(s),
    text: s.text,
    note: s.verbatim ? 'The council\'s own words: send exactly as written.' : 'A ChannelCheck draft: the policy prescribes no wording, so adapt it.',
  });
  const contact = (c: ContactToCall) => ({ label: c.label, detail: contactDetail(c) });
  const conditionsTitle = d.channel === 'manager_approval_required' && approval !== 'approved' ? 'If your manager agrees, follow these conditions' : 'Conditions to follow';
  const now = d.reasons.filter((r) => !r.later);
  const later = d.reasons.filter((r) => r.later);
  const routine = d.routineLater
    ? {
        title: d.routineLater.title,
        reasons: later.filter((r) => r.decisive).map(item),
        conditionsTitle,
        conditions: d.routineLater.conditions.map(item),
        scripts: d.routineLater.scripts.map(script),
        alternatives: d.routineLater.alternatives.map(item),
        contacts: d.routineLater.contacts.map(contact),
        notes: later.filter((r) => !r.decisive && r.effect !== 'CONDITION' && r.effect !== 'RECORD').map(item),
      }
    : null;
  return {
    headline: settled?.headline ?? d.headline,
    headlineStyle: style.container,
    headlineColor: style.color,
    council: d.policy.council,
    policyTitle: d.policy.title,
    policyVersion: d.policy.version,
    policyId: d.policy.id,
    policyHash: d.policy.contentHash.slice(0, 12),
    caseRef,
    decisionId,
    actNow: d.actNow.map((a, i) => ({ ...item(a), index: i + 1 })),
    managerStatus,
    warnings: d.warnings,
    contacts: d.contacts.map(contact),
    reasons: now.filter((r) => r.decisive).map(item),
    notes: now.filter((r) => !r.decisive && r.effect === 'INFO').map(item),
    conditionsTitle,
    conditions: d.conditions.map(item),
    scripts: d.scripts.map(script),
    alternatives: d.alternatives.map(item),
    routine,
    recordTitle: d.record.system ? `Record it: ${d.record.system}` : 'Record it',
    recordInstructions: d.record.instructions.map(item),
    caseNote,
    consentStatus,
    consentOffer,
  };
}

export function outcomeCard(input: OutcomeCardInput): CardJson {
  return renderTemplate('outcome', outcomeCardData(input));
}
