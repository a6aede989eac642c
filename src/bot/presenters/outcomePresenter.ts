/**
 * A decision view as the outcome card, laid out for a phone: the first screen holds the headline, what to do
 * now (at most five items), the message to send and who was told; the reasons with their full citations, the
 * full checklist, the other ways to contact them, the contacts and the case note are one tap away, in
 * collapsed sections. Items carry short citations ("Hillingdon 2.2"); the full ones are under "Why".
 */
import type { PackStatus } from '../../domain/policy/packSchema';
import { type ChannelVerdict, type Outcome, ROUTINE_NOTES } from '../../domain/policy/precedence';
import type { CitationView, ContactView, DecisionView, ItemView, ReasonView, ScriptView } from '../../domain/views';
import { managerStatusText } from './managerStatusWords';
import { type CardJson, renderTemplate } from './renderTemplate';

/** What to do now shows at most this many items; the rest are in the full checklist. */
export const DO_NOW_MAX = 5;
/**
 * The characters of checklist and script text the first screen (about 800 px at 446 px wide) has room for:
 * conditions beyond it (never the first, never an urgent step) wait in the full checklist, so the message to
 * send stays on the first screen.
 */
export const FIRST_SCREEN_CHARS = 900;

/** The first items, at most DO_NOW_MAX, that fit in `budget` characters (the first always). */
function fitting<T extends { text: string }>(items: readonly T[], budget: number): T[] {
  const kept: T[] = [];
  let used = 0;
  for (const item of items.slice(0, DO_NOW_MAX)) {
    used += item.text.length;
    if (kept.length > 0 && used > budget) break;
    kept.push(item);
  }
  return kept;
}

/**
 * The headline's container style. The text on it keeps the container's default colour: Teams gives every
 * styled container a light background with dark default text, in light and dark themes alike, whereas a
 * coloured text on the same-coloured background (green on green, amber on amber) fails contrast.
 */
const STYLE: Record<Outcome, 'attention' | 'warning' | 'accent' | 'good'> = {
  safeguarding_escalation: 'attention',
  information_incident: 'attention',
  whatsapp_not_permitted: 'attention',
  manager_approval_required: 'warning',
  use_teams: 'accent',
  whatsapp_allowed_with_conditions: 'good',
};

const SETTLED = {
  approved: { headline: 'Approved by your line manager: WhatsApp allowed, with conditions', style: 'good' },
  declined: { headline: 'Declined by your line manager: do not use WhatsApp', style: 'attention' },
} as const;

/** The routine part's button, short enough not to be cut off on a phone (its heading inside says it in full). */
const ROUTINE_BUTTON: Record<ChannelVerdict, string> = {
  whatsapp_allowed_with_conditions: 'For routine contact later: WhatsApp is allowed',
  whatsapp_not_permitted: 'For routine contact later: no WhatsApp',
  manager_approval_required: 'For routine contact later: ask your manager',
  use_teams: 'For routine contact later: use Teams',
};

function routineButton(title: string): string {
  const channel = (Object.keys(ROUTINE_NOTES) as ChannelVerdict[]).find((c) => title === `For routine contact later: ${ROUTINE_NOTES[c]}`);
  return channel ? ROUTINE_BUTTON[channel] : title;
}

/** What kind of document it is, in the headline's second line; a policy needs no comment. */
const STATUS_WORDS: Record<PackStatus, string | null> = {
  policy: null,
  guidance: 'Guidance, not a formal policy',
  guidance_not_enforceable: 'Guidance only, not enforceable',
  temporary_guidance: 'Temporary guidance: check it is still in force',
};

/** The document's kind in one word, for the footer and the help: "policy", "guidance". */
export function documentWord(status: PackStatus): string {
  return status === 'policy' ? 'policy' : status === 'temporary_guidance' ? 'temporary guidance' : 'guidance';
}

/** The full citation: "HIL-2.2.allowed, clause 2.2", or "BASE-HOURS, ChannelCheck baseline: ...". */
export function citeText(c: CitationView): string {
  return c.baseline ? `${c.ruleId}, ChannelCheck baseline: ${c.citation.replace(/^ChannelCheck baseline:?\s*/, '')}` : `${c.ruleId}, clause ${c.citation}`;
}

const NUMBERED = /^(\d+(?:\.\d+)*)/;
const PART = /^(bullets?|paragraphs?|sentence|use)\s+\d+[a-z]?$/i;

/** A clause in a few words: "2.2", "bullet 9", "Scope 2a", "Responsibilities, bullet 4" (the first place cited). */
export function shortClause(citation: string): string {
  const first = (citation.split(';')[0] ?? '').replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  const numbered = NUMBERED.exec(first);
  if (numbered) return numbered[1]!;
  if (/^no clause/i.test(first)) return 'no clause';
  const parts = first.split(/,\s*/).filter(Boolean);
  const head = parts[0] ?? first;
  if (PART.test(head)) return head.charAt(0).toLowerCase() + head.slice(1);
  const words = head.split(' ');
  const section = words.length > 3 ? `${words.slice(0, 2).join(' ')}…` : head;
  const tail = parts.length > 1 ? parts[parts.length - 1]! : null;
  return tail && PART.test(tail) ? `${section}, ${tail}` : section;
}

/** The citation in the line: "Hillingdon 2.2", "Waltham Forest, bullet 9", "ChannelCheck baseline". */
export function shortCite(c: CitationView, shortName: string): string {
  if (c.baseline) return 'ChannelCheck baseline';
  const clause = shortClause(c.citation);
  return /^\d/.test(clause) ? `${shortName} ${clause}` : `${shortName}, ${clause}`;
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

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function outcomeCardData(d: DecisionView) {
  const approval = d.approval?.status === 'approved' || d.approval?.status === 'declined' ? d.approval.status : null;
  const settled = d.outcome === 'manager_approval_required' && approval ? SETTLED[approval] : null;
  const shortName = d.policy.shortName ?? d.policy.council;
  const cite = (c: CitationView) => shortCite(c, shortName);
  const item = (x: ItemView) => ({ text: x.text, cite: cite(x) });
  const reason = (r: ReasonView) => ({ text: r.text, cite: citeText(r) });
  const script = (s: ScriptView) => ({
    title: s.title,
    cite: cite(s),
    text: s.text,
    note: s.verbatim ? 'The council\'s own words: send exactly as written.' : 'A ChannelCheck draft: the document prescribes no wording, so adapt it.',
  });
  const contact = (c: ContactView) => ({ label: c.label, detail: contactDetail(c) });
  const whatsappAllowed = d.outcome === 'whatsapp_allowed_with_conditions' || (d.channel === 'manager_approval_required' && approval === 'approved');
  const conditionsTitle = d.channel === 'manager_approval_required' && approval !== 'approved' ? 'If your manager agrees, follow these conditions' : 'Conditions to follow';

  // What to do now: the urgent steps; else, where WhatsApp may be used, the conditions; else the other ways.
  const source = d.actNow.length > 0 ? 'actNow' : whatsappAllowed && d.conditions.length > 0 ? 'conditions' : d.alternatives.length > 0 ? 'alternatives' : null;
  const first = d.scripts[0];
  const scriptChars = first ? first.title.length + first.text.length : 0;
  const doNowItems = source === null ? [] : source === 'actNow' ? d.actNow.slice(0, DO_NOW_MAX) : fitting(d[source], FIRST_SCREEN_CHARS - scriptChars);
  const doNow = doNowItems.map((a, i) => ({ line: `${i + 1}. ${source === 'actNow' ? `**${a.text}**` : a.text}`, cite: cite(a) }));
  const checklistCount = d.actNow.length + d.conditions.length;
  const checklistShownInFull = (source === 'actNow' && d.conditions.length === 0 && d.actNow.length <= DO_NOW_MAX) || (source === 'conditions' && d.conditions.length === doNowItems.length);
  const checklist =
    checklistCount > 0 && !checklistShownInFull
      ? {
          toggle: `Full checklist (${checklistCount})`,
          actNow: d.actNow.map((a, i) => ({ line: `${i + 1}. **${a.text}**`, cite: cite(a) })),
          conditionsTitle,
          conditions: d.conditions.map((c) => ({ line: `☐ ${c.text}`, cite: cite(c) })),
        }
      : null;
  const alternativesShownInFull = source === 'alternatives' && d.alternatives.length === doNowItems.length;
  const alternatives = d.alternatives.length > 0 && !alternativesShownInFull ? { toggle: `Other ways to contact them (${d.alternatives.length})`, items: d.alternatives.map(item) } : null;

  const now = d.reasons.filter((r) => !r.later);
  const later = d.reasons.filter((r) => r.later);
  const decisive = now.filter((r) => r.decisive);
  const notes = now.filter((r) => !r.decisive && r.effect === 'INFO');
  // Every other rule that fired, with its full citation: where each checklist item's short citation leads.
  const sources = d.reasons.filter((r) => !r.decisive && r.effect !== 'INFO').map((r) => ({ short: cite(r), full: citeText(r) }));
  const routine = d.routineLater
    ? {
        title: d.routineLater.title,
        toggle: routineButton(d.routineLater.title),
        reasons: later.filter((r) => r.decisive).map(reason),
        conditionsTitle,
        conditions: d.routineLater.conditions.map(item),
        scripts: d.routineLater.scripts.map(script),
        alternatives: d.routineLater.alternatives.map(item),
        contacts: d.routineLater.contacts.map(contact),
        notes: later.filter((r) => !r.decisive && r.effect !== 'CONDITION' && r.effect !== 'RECORD').map(reason),
      }
    : null;
  const [firstScript, ...moreScripts] = d.scripts.map(script);
  const statusWords = STATUS_WORDS[d.policy.status];
  return {
    headline: settled?.headline ?? d.headline,
    headlineStyle: settled?.style ?? STYLE[d.outcome],
    source: statusWords ? `${d.policy.council} · ${statusWords}` : d.policy.council,
    policyTitle: d.policy.title,
    policyVersion: d.policy.version,
    policyId: d.policy.id,
    policyHash: d.policy.contentHash.slice(0, 12),
    /** " (guidance)" after the title in the footer; nothing for a policy, whose title says so. */
    documentKind: d.policy.status === 'policy' ? '' : ` (${documentWord(d.policy.status)})`,
    caseRef: d.caseRef,
    decisionId: d.decisionId,
    doNowTitle: source === 'conditions' ? conditionsTitle : source === 'alternatives' ? 'Instead' : 'Do this now',
    doNow,
    script: firstScript ?? null,
    moreScripts: moreScripts.length > 0 ? { toggle: `More messages to send (${moreScripts.length})`, items: moreScripts } : null,
    managerStatus: managerStatusText(d.managerStatus),
    consentStatus: d.consent.registerLine,
    warnings: d.warnings,
    why: { toggle: `Why (${plural(decisive.length + notes.length, 'reason')})`, reasons: decisive.map(reason), notes: notes.map(reason), sources },
    checklist,
    alternatives,
    contacts: d.contacts.length > 0 ? { toggle: `Who to contact (${d.contacts.length})`, items: d.contacts.map(contact) } : null,
    routine,
    recordTitle: d.record.system ? `Record it: ${d.record.system}` : 'Record it',
    recordInstructions: d.record.instructions.map(item),
    caseNote: d.caseNote,
    consentOffer: d.consent.offer ? { label: d.consent.offer.label, decisionId: d.decisionId } : null,
  };
}

export function presentOutcome(view: DecisionView): CardJson {
  return renderTemplate('outcome', outcomeCardData(view));
}
