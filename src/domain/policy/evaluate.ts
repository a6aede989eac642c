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
  EFFECT_ORDER,
  HEADLINES,
  type Outcome,
  whatsappMayBeUsed,
} from './precedence';

export const ENGINE_VERSION = '1';

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
  guidance: null,
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

export function evaluate(policy: CouncilPolicy, facts: Facts): Decision {
  const { council, baseline } = policy;

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

  const safeguarding = fired.some((f) => f.rule.effect === 'ESCALATE_SAFEGUARDING');
  const outcome: Outcome = safeguarding ? 'safeguarding_escalation' : channel;
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

  const reasons: Reason[] = fired.map((f) => ({
    ...cite(f),
    effect: f.rule.effect,
    text: f.rule.text,
    decisive: f.rule.effect === 'ESCALATE_SAFEGUARDING' || f.rule.effect === decisiveEffect,
  }));

  const mayUse = whatsappMayBeUsed(channel);
  const conditions: ChecklistItem[] = [];
  const alternatives: ChecklistItem[] = [];
  const recordInstructions: ChecklistItem[] = [];
  const scripts: ScriptToSend[] = [];
  const contactRefs: Array<{ id: string; from: Fired }> = [];
  // Checklist items and scripts of the rules that let WhatsApp be used count only when it may be used;
  // those of blocking, safeguarding, recording and information rules always count.
  const permissive = new Set(['ALLOW_WITH_CONDITIONS', 'NEEDS_MANAGER_APPROVAL', 'CONDITION']);
  const exclusive = fired.some((f) => f.rule.exclusiveAlternatives);
  for (const f of fired) {
    const c = cite(f);
    const { effect } = f.rule;
    const applies = mayUse || !permissive.has(effect);
    if (applies) {
      if (effect === 'CONDITION') conditions.push({ ...c, text: f.rule.text });
      for (const t of f.rule.conditions) conditions.push({ ...c, text: t });
      for (const id of f.rule.scripts) {
        const owner = f.baseline ? baseline : council;
        const s = owner.data.scripts.find((x) => x.id === id);
        if (s) scripts.push({ ...c, id: s.id, title: s.title, verbatim: s.verbatim, text: s.text, citation: s.citation });
      }
    }
    // Alternatives come from the rules that said no, or "not WhatsApp", or "act now"; a rule whose risk makes
    // the other routes unsafe too offers the only alternatives that stand.
    if (effect !== 'ALLOW_WITH_CONDITIONS' && effect !== 'CONDITION' && (!exclusive || f.rule.exclusiveAlternatives)) {
      for (const t of f.rule.alternatives) alternatives.push({ ...c, text: t });
    }
    if (effect === 'RECORD') recordInstructions.push({ ...c, text: f.rule.text });
    for (const id of f.rule.contacts) contactRefs.push({ id, from: f });
  }

  const contacts = resolveContacts(policy, contactRefs, facts);

  const urgencies = fired.map((f) => f.rule.notify).filter((u): u is Urgency => u !== undefined);
  const notifyManager = safeguarding || channel === 'manager_approval_required' || urgencies.length > 0;
  const urgency: Urgency | null = safeguarding || urgencies.includes('urgent') ? 'urgent' : notifyManager ? 'routine' : null;

  const meta = council.data.metadata;
  const warnings: string[] = [];
  const statusWarning = STATUS_WARNINGS[meta.status];
  if (meta.statusNote) warnings.push(meta.statusNote);
  else if (statusWarning) warnings.push(statusWarning);

  return {
    outcome,
    headline: HEADLINES[outcome],
    channel,
    notifyManager,
    urgency,
    reasons,
    conditions: uniqueBy(conditions, (c) => c.text),
    scripts: uniqueBy(scripts, (s) => s.id),
    alternatives: uniqueBy(alternatives, (a) => a.text),
    contacts,
    record: { system: council.data.recording?.system ?? null, instruction: council.data.recording?.instruction ?? null, instructions: uniqueBy(recordInstructions, (r) => r.text) },
    warnings,
    policy: {
      id: council.data.id,
      title: meta.title,
      council: meta.council,
      version: meta.version,
      date: meta.date,
      reviewDue: meta.reviewDue,
      status: meta.status,
      statusNote: meta.statusNote ?? statusWarning,
      sourceFile: meta.sourceFile,
      contentHash: council.contentHash,
      baselineHash: baseline.contentHash,
    },
    facts,
    engineVersion: ENGINE_VERSION,
  };
}

function resolveContacts(
  policy: CouncilPolicy,
  refs: Array<{ id: string; from: Fired }>,
  facts: Facts,
): ContactToCall[] {
  const find = (id: string): { c: ContactData; baseline: boolean } | undefined => {
    const own = policy.council.data.contacts.find((c) => c.id === id);
    if (own) return { c: own, baseline: false };
    const base = policy.baseline.data.contacts.find((c) => c.id === id);
    return base ? { c: base, baseline: true } : undefined;
  };
  const out: ContactToCall[] = [];
  for (const { id, from } of refs) {
    const found = find(id);
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
