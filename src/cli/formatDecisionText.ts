/** A decision as plain text for a person at a terminal (`decide --format text`). */
import type { Decision } from '../domain/policy/decision';

function cite(x: { ruleId: string; citation: string; baseline: boolean }): string {
  return x.baseline ? `[${x.ruleId}, ChannelCheck baseline]` : `[${x.ruleId}, clause ${x.citation}]`;
}

export function formatDecisionText(d: Decision): string {
  const lines: string[] = [];
  const p = d.policy;
  lines.push(d.headline.toUpperCase(), `Outcome: ${d.outcome}` + (d.outcome === 'safeguarding_escalation' ? ` (further routine contact: ${d.channel})` : ''));
  lines.push(`Policy: ${p.council}, "${p.title}" (${p.version}), pack ${p.id} sha256:${p.contentHash.slice(0, 12)}`);
  for (const w of d.warnings) lines.push(`Warning: ${w}`);
  if (d.notifyManager) lines.push(`Line manager: notified (${d.urgency})`);
  const section = (title: string, items: string[]) => {
    if (items.length === 0) return;
    lines.push('', `${title}:`, ...items.map((i) => `  - ${i}`));
  };
  section('Contacts', d.contacts.map((c) => [c.label, c.phone, c.email, c.url].filter(Boolean).join(', ') + (c.when !== 'always' ? ` (${c.when.replace(/_/g, ' ')})` : '')));
  section('Why', d.reasons.filter((r) => r.decisive).map((r) => `${r.text} ${cite(r)}`));
  section('Conditions', d.conditions.map((c) => `[ ] ${c.text} ${cite(c)}`));
  section('Alternatives', d.alternatives.map((a) => `${a.text} ${cite(a)}`));
  for (const s of d.scripts) {
    lines.push('', `Script: ${s.title} ${cite(s)}${s.verbatim ? ' (send exactly as written)' : ''}`, '-----', s.text, '-----');
  }
  section(`Record${d.record.system ? ` (${d.record.system})` : ''}`, d.record.instructions.map((r) => `${r.text} ${cite(r)}`));
  section('Other rules that apply', d.reasons.filter((r) => !r.decisive && r.effect !== 'CONDITION' && r.effect !== 'RECORD').map((r) => `${r.text} ${cite(r)}`));
  return `${lines.join('\n')}\n`;
}
