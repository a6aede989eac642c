/** A decision view as the outcome card: headline, reasons with citations, checklist, scripts, contacts, case note, status. */
import type { Outcome } from '../../domain/policy/precedence';
import type { CitationView, ContactView, DecisionView, ItemView, ScriptView } from '../../domain/views';
import { managerStatusText } from './managerStatusWords';
import { type CardJson, renderTemplate } from './renderTemplate';

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

export function citeText(c: CitationView): string {
  return c.baseline ? `${c.ruleId}, ChannelCheck baseline: ${c.citation.replace(/^ChannelCheck baseline:?\s*/, '')}` : `${c.ruleId}, clause ${c.citation}`;
}

export function contactDetail(c: ContactView): string {
  const parts: string[] = [];
  if (c.phone) parts.push(`[${c.phone}](tel:${c.phone.replace(/\s+/g, '')})`);
  if (c.email) parts.push(`[${c.email}](mailto:${c.email})`);
  if (c.url) parts.push(`[website](${c.url})`);
  if (c.when === 'out_of_hours') parts.push('out of hours');
  if (c.when === 'in_hours') parts.push('in working hours');
  const detail = parts.length > 0 ? `: ${parts.join(', ')}` : '';
  return c.note ? `${detail}. ${c.note}` : detail;
}

export function outcomeCardData(d: DecisionView) {
  const approval = d.approval?.status === 'approved' || d.approval?.status === 'declined' ? d.approval.status : null;
  const settled = d.outcome === 'manager_approval_required' && approval ? SETTLED[approval] : null;
  const style = settled ?? STYLE[d.outcome];
  const item = (x: ItemView) => ({ text: x.text, cite: citeText(x) });
  const script = (s: ScriptView) => ({
    title: s.title,
    cite: citeText(s),
    text: s.text,
    note: s.verbatim ? 'The council\'s own words: send exactly as written.' : 'A ChannelCheck draft: the policy prescribes no wording, so adapt it.',
  });
  const contact = (c: ContactView) => ({ label: c.label, detail: contactDetail(c) });
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
    caseRef: d.caseRef,
    decisionId: d.decisionId,
    actNow: d.actNow.map((a, i) => ({ ...item(a), index: i + 1 })),
    managerStatus: managerStatusText(d.managerStatus),
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
    caseNote: d.caseNote,
    consentStatus: d.consent.registerLine,
    consentOffer: d.consent.offer ? { label: d.consent.offer.label, decisionId: d.decisionId } : null,
  };
}

export function presentOutcome(view: DecisionView): CardJson {
  return renderTemplate('outcome', outcomeCardData(view));
}
