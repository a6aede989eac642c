/**
 * A decision as plain text for a person at a terminal (`decide --format text`), in the card's order: for a
 * safeguarding escalation or an information incident, what to do now first, and the routine part after,
 * under its "For routine contact later" heading.
 */
import type { ChecklistItem, ContactToCall, Decision, Reason, ScriptToSend } from '../domain/policy/decision';

function cite(x: { ruleId: string; citation: string; baseline: boolean }): string {
  return x.baseline ? `[${x.ruleId}, ChannelCheck baseline]` : `[${x.ruleId}, clause ${x.citation}]`;
}

function contactLine(c: ContactToCall): string {
  return [c.label, c.phone, c.email, c.url].filter(Boolean).join(', ') + (c.when !== 'always' ? ` (${c.when.replace(/_/g, ' ')})` : '');
}

const isOtherRule = (r: Reason) => !r.decisive && r.effect !== 'CONDITION' && r.effect !== 'RECORD';

export function formatDecisionText(d: Decision): string {
  const lines: string[] = [];
  const p = d.policy;
  lines.push(d.headline.toUpperCase(), `Outcome: ${d.outcome}` + (d.routineLater ? ` (further routine contact: ${d.channel})` : ''));
  lines.push(`Policy: ${p.council}, "${p.title}" (${p.version}), pack ${p.id} sha256:${p.contentHash.slice(0, 12)}`);
  for (const w of d.warnings) lines.push(`Warning: ${w}`);
  if (d.notifyManager) lines.push(`Line manager: notified (${d.urgency?.replace(/_/g, ' ')})`);
  const section = (title: string, items: string[], indent = '') => {
    if (items.length === 0) return;
    lines.push('', `${indent}${title}:`, ...items.map((i) => `${indent}  - ${i}`));
  };
  const scripts = (list: ScriptToSend[]) => {
    for (const s of list) lines.push('', `Script: ${s.title} ${cite(s)}${s.verbatim ? ' (send exactly as written)' : ''}`, '-----', s.text, '-----');
  };
  const items = (list: ChecklistItem[], box = '') => list.map((c) => `${box}${c.text} ${cite(c)}`);
  const now = d.reasons.filter((r) => !r.later);
  const later = d.reasons.filter((r) => r.later);

  if (d.actNow.length > 0) {
    lines.push('', 'Do this now:', ...d.actNow.map((a, i) => `  ${i + 1}. ${a.text} ${cite(a)}`));
  }
  section('Contacts', d.contacts.map(contactLine));
  section('Why', now.filter((r) => r.decisive).map((r) => `${r.text} ${cite(r)}`));
  section('Conditions', items(d.conditions, '[ ] '));
  section('Alternatives', items(d.alternatives));
  scripts(d.scripts);
  section(`Record${d.record.system ? ` (${d.record.system})` : ''}`, items(d.record.instructions));
  section('Other rules that apply', now.filter(isOtherRule).map((r) => `${r.text} ${cite(r)}`));

  const r = d.routineLater;
  if (r) {
    lines.push('', r.title.toUpperCase(), '='.repeat(r.title.length));
    section('Why', later.filter((x) => x.decisive).map((x) => `${x.text} ${cite(x)}`));
    section('Conditions', items(r.conditions, '[ ] '));
    section('Alternatives', items(r.alternatives));
    section('Contacts', r.contacts.map(contactLine));
    scripts(r.scripts);
    section('Other rules that apply', later.filter(isOtherRule).map((x) => `${x.text} ${cite(x)}`));
  }
  return `${lines.join('\n')}\n`;
}
