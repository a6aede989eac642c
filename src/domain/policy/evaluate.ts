/**
 * evaluate(policy, facts): the pure decision function. No I/O, no clock, no randomness: the same pack and
 * facts always give the same decision. Precedence is documented in precedence.ts.
 */
import { type Facts, parseFacts } from '../facts';
import type {
  ChecklistItem,
  Citation,
  ContactToCall,
  Decision,
  Reason,
  ScriptToSend,
} from './decision';
import type { CompiledRule, PolicyPack } from './parsePack';
import type { ContactData, Urgency } from './packSchema';
import {
  CHANNEL_PRECEDENCE,
  type ChannelVerdict,
  CRISIS_PRECEDENCE,
  EFFECT_ORDER,
  HEADLINES,
  LIFE_AT_RISK_HEADLINE,
  type Outcome,
  ROUTINE_NOTES,
  whatsappMayBeUsed,
} from './precedence';

const CRISIS_EFFECTS: ReadonlySet<string> = new Set(CRISIS_PRECEDENCE.map(([e]) => e));

export const ENGINE_VERSION = '2';

/** A council's pack together with the baseline safeguards it is evaluated with. */
export interface CouncilPolicy {
  council: PolicyPack;
  baseline: PolicyPack;
}

interface Fired {
  rule: CompiledRule;
  baseline: boolean;
}

const STATUS_WARNINGS = {
  policy: null,
  guidance: 'This document is guidance, not a formal council policy: ChannelCheck applies it as the council\'s expectation. Ask your line manager if it does not fit your situation.',
  guidance_not_enforceable: 'This document is guidance only and not enforceable; ChannelCheck still applies it as the council\'s expectation.',
  temporary_guidance: 'This is temporary guidance and may have been withdrawn: check with your line manager that it is still in force.',
} as const;

function cite(f: Fired): Citation {
  return { ruleId: f.rule.id, citation: f.rule.citation, baseline: f.baseline };
}

function holds(rule: CompiledRule, facts: Facts): boolean {
  return rule.condition !== null && rule.condition.test(facts);
}

function uniqueBy<T>(items: T[], key: (t: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((t) => {
    const k = key(t);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** An unknown age is treated as under 16, and under any younger age line a pack draws: the cautious reading. */
export const UNKNOWN_AGE_AS = 0;
export const UNKNOWN_AGE_WARNING =
  'Age not known: ChannelCheck has treated them as under 16 (for a group, the youngest member). Confirm the age, then run a new check.';

export function evaluate(policy: CouncilPolicy, givenFacts: Facts): Decision {
  const { council, baseline } = policy;
  const ageUnknown = givenFacts.contactType === 'young_person' && givenFacts.ageUnknown && givenFacts.age === null;
  const facts = ageUnknown ? { ...givenFacts, age: UNKNOWN_AGE_AS } : givenFacts;

  // 1. Which rules hold on these facts. CONDITION rules wait until the channel is known.
  const councilFired: Fired[] = council.rules
    .filter((r) => r.effect !== 'CONDITION' && holds(r, facts))
    .map((rule) => ({ rule, baseline: false }));
  const replaced = new Set(councilFired.flatMap((f) => f.rule.replacesBaseline));
  const baselineFired: Fired[] = baseline.rules
    .filter((r) => r.effect !== 'CONDITION' && !replaced.has(r.id) && holds(r, facts))
    .map((rule) => ({ rule, baseline: true }));
  let fired = [...councilFired, ...baselineFired];

  // 2. The channel verdict for routine contact, strongest effect first.
  let channel: ChannelVerdict | undefined;
  for (const [effect, verdict] of CHANNEL_PRECEDENCE) {
    if (fired.some((f) => f.rule.effect === effect)) {
      channel = verdict;
      break;
    }
  }
  if (channel === undefined) {
    // 3. Nothing authorised WhatsApp: the document is silent, so the fallback (cautious) rule fires.
    const fallback =
      council.rules.find((r) => r.fallback) ?? baseline.rules.find((r) => r.fallback && !replaced.has(r.id));
    if (!fallback) throw new Error(`${council.file}: no rule decided and no fallback rule exists`);
    fired.push({ rule: fallback, baseline: baseline.rules.includes(fallback) });
    channel = CHANNEL_PRECEDENCE.find(([e]) => e === fallback.effect)?.[1] ?? 'whatsapp_not_permitted';
  }

  // 1a. A crisis rule (safeguarding, then an information incident) decides the outcome over the channel.
  const crisisEffect = CRISIS_PRECEDENCE.find(([e]) => fired.some((f) => f.rule.effect === e));
  const outcome: Outcome = crisisEffect ? crisisEffect[1] : channel;
  const crisis = crisisEffect !== undefined;
  const decisiveEffect = CHANNEL_PRECEDENCE.find(([, v]) => v === channel)?.[0];

  // 4. Checklist rules, only when WhatsApp may be used now or once approved.
  if (whatsappMayBeUsed(channel)) {
    const conditionRules: Fired[] = [
      ...council.rules.filter((r) => r.effect === 'CONDITION' && holds(r, facts)).map((rule) => ({ rule, baseline: false })),
      ...baseline.rules
        .filter((r) => r.effect === 'CONDITION' && !replaced.has(r.id) && holds(r, facts))
        .map((rule) => ({ rule, baseline: true })),
    ];
    fired = [...fired, ...conditionRules];
  }
  fired.sort((a, b) => EFFECT_ORDER.indexOf(a.rule.effect) - EFFECT_ORDER.indexOf(b.rule.effect));

  // 5. On a crisis answer, what to do now comes from the crisis rules (999 first) and the recording rules;
  // everything else is for routine contact later, kept apart so that it is never read first.
  const isNow = (f: Fired) => CRISIS_EFFECTS.has(f.rule.effect);
  const later = (f: Fired) => crisis && !isNow(f) && f.rule.effect !== 'RECORD';
  const calls999 = (f: Fired) => f.rule.contacts.some((id) => findContact(policy, id)?.c.phone === '999');
  const nowRules = fired.filter(isNow).sort((a, b) => Number(calls999(b)) - Number(calls999(a)));

  // 6. The decisive reason for the channel is the most specific clause that decides it: a council's own clause
  // outranks a baseline with the same effect, and a clause that narrows another is decisive over it.
  const deciding = fired.filter((f) => f.rule.effect === decisiveEffect);
  const councilDecides = deciding.some((f) => !f.baseline);
  const narrowed = new Set(deciding.flatMap((f) => f.rule.narrows));
  const decides = (f: Fired) => f.rule.effect === decisiveEffect && !(f.baseline && councilDecides) && !narrowed.has(f.rule.id);
  const reasons: Reason[] = fired
    .map((f) => ({
      ...cite(f),
      effect: f.rule.effect,
      text: f.rule.text,
      decisive: isNow(f) || decides(f),
      later: later(f),
    }))
    // Within an effect, the decisive reasons come first.
    .sort((a, b) => EFFECT_ORDER.indexOf(a.effect) - EFFECT_ORDER.indexOf(b.effect) || Number(b.decisive) - Number(a.decisive));

  const mayUse = whatsappMayBeUsed(channel);
  const main = emptyPart();
  const routine = emptyPart();
  const recordInstructions: ChecklistItem[] = [];
  // Checklist items and scripts of the rules that let WhatsApp be used count only when it may be used;
  // those of blocking, safeguarding, incident, recording and information rules always count.
  const permissive = new Set(['ALLOW_WITH_CONDITIONS', 'NEEDS_MANAGER_APPROVAL', 'CONDITION']);
  const exclusive = fired.some((f) => f.rule.exclusiveAlternatives);
  for (const f of fired) {
    const c = cite(f);
    const { effect } = f.rule;
    const part = later(f) ? routine : main;
    const applies = mayUse || !permissive.has(effect);
    if (applies && !isNow(f)) {
      if (effect === 'CONDITION') part.conditions.push({ ...c, text: f.rule.text });
      for (const t of f.rule.conditions) part.conditions.push({ ...c, text: t });
    }
    if (applies) {
      for (const id of f.rule.scripts) {
        const owner = f.baseline ? baseline : council;
        const s = owner.data.scripts.find((x) => x.id === id);
        if (s) part.scripts.push({ ...c, id: s.id, title: s.title, verbatim: s.verbatim, text: s.text, citation: s.citation });
      }
    }
    // Alternatives come from the rules that said no, or "not WhatsApp", or "act now"; a rule whose risk makes
    // the other routes unsafe too offers the only alternatives that stand.
    if (effect !== 'ALLOW_WITH_CONDITIONS' && effect !== 'CONDITION' && (!exclusive || f.rule.exclusiveAlternatives)) {
      for (const t of f.rule.alternatives) part.alternatives.push({ ...c, text: t });
    }
    if (effect === 'RECORD') recordInstructions.push({ ...c, text: f.rule.text });
    for (const id of f.rule.contacts) part.contactRefs.push({ id, from: f });
  }
  const actNow: ChecklistItem[] = nowRules.flatMap((f) => f.rule.conditions.map((t) => ({ ...cite(f), text: t })));

  const contacts = resolveContacts(policy, [...nowRules.flatMap((f) => f.rule.contacts.map((id) => ({ id, from: f }))), ...main.contactRefs], facts);
  const routineContacts = resolveContacts(policy, routine.contactRefs, facts).filter((c) => !contacts.some((m) => m.id === c.id));

  const urgencies = fired.map((f) => f.rule.notify).filter((u): u is Urgency => u !== undefined);
  const notifyManager = crisis || channel === 'manager_approval_required' || urgencies.length > 0;
  const urgency: Urgency | null =
    outcome === 'safeguarding_escalation' || urgencies.includes('urgent') ? 'urgent'
      : outcome === 'information_incident' || urgencies.includes('same_day') ? 'same_day'
        : notifyManager ? 'routine' : null;
  const headline = outcome === 'safeguarding_escalation' && facts.immediateRiskToLife ? LIFE_AT_RISK_HEADLINE : HEADLINES[outcome];

  const meta = council.data.metadata;
  const asking = mayUse ? fired.find((f) => f.rule.asksConsent !== undefined) : undefined;
  const consentRequest = asking?.rule.asksConsent
    ? {
        ...cite(asking),
        kind: asking.rule.asksConsent,
        label: asking.rule.asksConsent === 'reply_yes' ? 'They replied YES' : 'They agreed',
        scriptId: asking.rule.scripts[0] ?? null,
        scriptVersion: `${(asking.baseline ? baseline : council).data.metadata.version.slice(0, 80)} (sha256:${(asking.baseline ? baseline : council).contentHash.slice(0, 12)})`,
      }
    : null;
  const warnings: string[] = ageUnknown ? [UNKNOWN_AGE_WARNING] : [];
  const statusWarning = STATUS_WARNINGS[meta.status];
  if (meta.statusNote) warnings.push(meta.statusNote);
  else if (statusWarning) warnings.push(statusWarning);

  return {
    outcome,
    headline,
    channel,
    notifyManager,
    urgency,
    actNow: uniqueBy(actNow, (a) => a.text),
    reasons,
    conditions: uniqueBy(main.conditions, (c) => c.text),
    scripts: uniqueBy(main.scripts, (s) => s.id),
    alternatives: uniqueBy(main.alternatives, (a) => a.text),
    contacts,
    record: { system: council.data.recording?.system ?? null, instruction: council.data.recording?.instruction ?? null, instructions: uniqueBy(recordInstructions, (r) => r.text) },
    warnings,
    consentRequest,
    routineLater: crisis
      ? {
          title: `For routine contact later: ${ROUTINE_NOTES[channel]}`,
          conditions: uniqueBy(routine.conditions, (c) => c.text),
          scripts: uniqueBy(routine.scripts, (s) => s.id),
          alternatives: uniqueBy(routine.alternatives, (a) => a.text),
          contacts: routineContacts,
        }
      : null,
    policy: {
      id: council.data.id,
      title: meta.title,
      council: meta.council,
      shortName: meta.shortName,
      version: meta.version,
      date: meta.date,
      reviewDue: meta.reviewDue,
      status: meta.status,
      statusNote: meta.statusNote ?? statusWarning,
      sourceFile: meta.sourceFile,
      contentHash: council.contentHash,
      baselineHash: baseline.contentHash,
    },
    facts: givenFacts,
    engineVersion: ENGINE_VERSION,
  };
}

interface Part {
  conditions: ChecklistItem[];
  scripts: ScriptToSend[];
  alternatives: ChecklistItem[];
  contactRefs: Array<{ id: string; from: Fired }>;
}

function emptyPart(): Part {
  return { conditions: [], scripts: [], alternatives: [], contactRefs: [] };
}

function findContact(policy: CouncilPolicy, id: string): { c: ContactData; baseline: boolean } | undefined {
  const own = policy.council.data.contacts.find((c) => c.id === id);
  if (own) return { c: own, baseline: false };
  const base = policy.baseline.data.contacts.find((c) => c.id === id);
  return base ? { c: base, baseline: true } : undefined;
}

function resolveContacts(
  policy: CouncilPolicy,
  refs: Array<{ id: string; from: Fired }>,
  facts: Facts,
): ContactToCall[] {
  const out: ContactToCall[] = [];
  for (const { id, from } of refs) {
    const found = findContact(policy, id);
    if (!found) continue;
    const { c } = found;
    if (c.when === 'out_of_hours' && facts.withinWorkingHours) continue;
    if (c.when === 'in_hours' && !facts.withinWorkingHours) continue;
    out.push({
      id: c.id,
      label: c.label,
      ...(c.phone !== undefined ? { phone: c.phone } : {}),
      ...(c.email !== undefined ? { email: c.email } : {}),
      ...(c.url !== undefined ? { url: c.url } : {}),
      ...(c.note !== undefined ? { note: c.note } : {}),
      when: c.when,
      ruleId: from.rule.id,
      citation: c.citation,
      baseline: found.baseline,
    });
  }
  // An emergency number always comes first.
  const unique = uniqueBy(out, (c) => c.id);
  return [...unique.filter((c) => c.phone === '999'), ...unique.filter((c) => c.phone !== '999')];
}

/** Validates raw facts (throws InvalidFactsError naming the fact) and evaluates them. */
export function decide(policy: CouncilPolicy, rawFacts: unknown): Decision {
  return evaluate(policy, parseFacts(rawFacts));
}
