/**
 * Scenario tests a council ships beside its pack (policies/<id>.tests.yaml): facts in, expected outcome
 * and phrases out. `policy:check` runs them and checks that together they fire every rule of the pack.
 */
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { checkFacts } from '../facts';
import type { Decision } from './decision';
import { type CouncilPolicy, evaluate } from './evaluate';
import { URGENCIES } from './packSchema';
import { CHANNEL_VERDICTS, OUTCOMES } from './precedence';

const verdicts = CHANNEL_VERDICTS as [string, ...string[]];

const scenarioSchema = z.strictObject({
  name: z.string().min(1),
  facts: z.record(z.string(), z.unknown()),
  expect: z.strictObject({
    outcome: z.enum(OUTCOMES),
    channel: z.enum(verdicts).optional(),
    notifyManager: z.boolean().optional(),
    urgency: z.enum(URGENCIES).nullable().optional(),
    /** Rule ids that must be among the reasons. */
    rules: z.array(z.string()).default([]),
    /** Rule ids that must not be among the reasons. */
    notRules: z.array(z.string()).default([]),
    /** Phrases that must appear (case-insensitive) somewhere in the decision's texts. */
    phrases: z.array(z.string()).default([]),
    /** Phrases that must not appear anywhere in the decision (e.g. an unsafe alternative). */
    notPhrases: z.array(z.string()).default([]),
    scripts: z.array(z.string()).default([]),
    contacts: z.array(z.string()).default([]),
    /** Rule ids that must be decisive reasons. */
    decisive: z.array(z.string()).default([]),
    /** Rule ids that may fire but must not be decisive (a baseline the council's clause outranks, a broader clause). */
    notDecisive: z.array(z.string()).default([]),
    /** What the card offers to record in the consent register (reply_yes, agreement), or null for nothing. */
    asksConsent: z.enum(['reply_yes', 'agreement']).nullable().optional(),
    /** The exact headline. */
    headline: z.string().min(1).optional(),
    /** The answer's first items, in order: phrase i is in item i of what to do now (a crisis answer). */
    first: z.array(z.string()).default([]),
    /** Phrases that must not be in the part of the answer read first (everything but "For routine contact later"). */
    notFirst: z.array(z.string()).default([]),
    /** Phrases that must be under "For routine contact later" (a crisis answer). */
    later: z.array(z.string()).default([]),
  }),
});

export const scenarioFileSchema = z.strictObject({
  pack: z.string().min(1),
  scenarios: z.array(scenarioSchema).min(1),
});

export type Scenario = z.output<typeof scenarioSchema>;

export interface ScenarioResult {
  name: string;
  passed: boolean;
  failures: string[];
  firedRules: string[];
}

export interface ScenarioReport {
  pack: string;
  results: ScenarioResult[];
  /** Council rules no scenario fired. */
  uncovered: string[];
  /** Baseline rules fired by at least one scenario. */
  baselineFired: Set<string>;
}

export function parseScenarioFile(text: string, file: string): z.output<typeof scenarioFileSchema> {
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors[0]?.message.split('\n')[0]}`);
  const parsed = scenarioFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${file}: ${i.path.join('.')}: ${i.message}`).join('\n'));
  }
  return parsed.data;
}

/** The part of a decision read first: everything but its "For routine contact later" section. */
export function firstPartText(d: Decision): string {
  return [
    d.headline,
    ...d.actNow.map((a) => a.text),
    ...d.reasons.filter((r) => !r.later).map((r) => `${r.text} ${r.citation}`),
    ...d.conditions.map((c) => c.text),
    ...d.scripts.map((s) => `${s.title} ${s.text}`),
    ...d.alternatives.map((a) => a.text),
    ...d.contacts.map((c) => `${c.label} ${c.phone ?? ''} ${c.email ?? ''} ${c.note ?? ''}`),
    ...d.record.instructions.map((r) => r.text),
    d.record.system ?? '',
    d.record.instruction ?? '',
    ...d.warnings,
  ].join('\n');
}

/** A crisis decision's "For routine contact later" section. */
export function laterPartText(d: Decision): string {
  const l = d.routineLater;
  if (!l) return '';
  return [
    l.title,
    ...d.reasons.filter((r) => r.later).map((r) => `${r.text} ${r.citation}`),
    ...l.conditions.map((c) => c.text),
    ...l.scripts.map((s) => `${s.title} ${s.text}`),
    ...l.alternatives.map((a) => a.text),
    ...l.contacts.map((c) => `${c.label} ${c.phone ?? ''} ${c.email ?? ''} ${c.note ?? ''}`),
  ].join('\n');
}

/** Every practitioner-facing text in a decision, for phrase checks. */
export function decisionText(d: Decision): string {
  return `${firstPartText(d)}\n${laterPartText(d)}`;
}

export function runScenario(policy: CouncilPolicy, s: Scenario): ScenarioResult {
  const failures: string[] = [];
  const checked = checkFacts(s.facts);
  if (!checked.ok) {
    return { name: s.name, passed: false, failures: checked.errors.map((e) => `facts: ${e.fact}: ${e.message}`), firedRules: [] };
  }
  const d = evaluate(policy, checked.facts);
  const fired = d.reasons.map((r) => r.ruleId);
  const e = s.expect;
  if (d.outcome !== e.outcome) failures.push(`outcome: expected ${e.outcome}, got ${d.outcome}`);
  if (e.channel !== undefined && d.channel !== e.channel) failures.push(`channel: expected ${e.channel}, got ${d.channel}`);
  if (e.notifyManager !== undefined && d.notifyManager !== e.notifyManager) {
    failures.push(`notifyManager: expected ${e.notifyManager}, got ${d.notifyManager}`);
  }
  if (e.urgency !== undefined && d.urgency !== e.urgency) failures.push(`urgency: expected ${e.urgency}, got ${d.urgency}`);
  for (const r of e.rules) if (!fired.includes(r)) failures.push(`rules: expected ${r} to fire; fired: ${fired.join(', ')}`);
  for (const r of e.notRules) if (fired.includes(r)) failures.push(`notRules: ${r} fired but should not`);
  const text = decisionText(d).toLowerCase();
  for (const p of e.phrases) if (!text.includes(p.toLowerCase())) failures.push(`phrases: "${p}" not found in the decision`);
  for (const p of e.notPhrases) if (text.includes(p.toLowerCase())) failures.push(`notPhrases: "${p}" is in the decision but must not be`);
  const decisiveIds = d.reasons.filter((r) => r.decisive).map((r) => r.ruleId);
  for (const r of e.decisive) if (!decisiveIds.includes(r)) failures.push(`decisive: expected ${r} to be decisive; decisive: ${decisiveIds.join(', ') || 'none'}`);
  for (const r of e.notDecisive) if (decisiveIds.includes(r)) failures.push(`notDecisive: ${r} is decisive but should not be`);
  if (e.asksConsent !== undefined && (d.consentRequest?.kind ?? null) !== e.asksConsent) {
    failures.push(`asksConsent: expected ${e.asksConsent}, got ${d.consentRequest?.kind ?? null}`);
  }
  if (e.headline !== undefined && d.headline !== e.headline) failures.push(`headline: expected "${e.headline}", got "${d.headline}"`);
  e.first.forEach((p, i) => {
    const item = d.actNow[i]?.text;
    if (item === undefined || !item.toLowerCase().includes(p.toLowerCase())) {
      failures.push(`first: item ${i + 1} should contain "${p}"; what to do now is: ${d.actNow.map((a) => a.text).join(' | ') || 'empty'}`);
    }
  });
  const firstPart = firstPartText(d).toLowerCase();
  for (const p of e.notFirst) if (firstPart.includes(p.toLowerCase())) failures.push(`notFirst: "${p}" is in the part of the answer read first`);
  const laterPart = laterPartText(d).toLowerCase();
  for (const p of e.later) if (!laterPart.includes(p.toLowerCase())) failures.push(`later: "${p}" is not under "For routine contact later"`);
  const scriptIds = [...d.scripts, ...(d.routineLater?.scripts ?? [])].map((x) => x.id);
  for (const id of e.scripts) if (!scriptIds.includes(id)) failures.push(`scripts: expected ${id}; got ${scriptIds.join(', ') || 'none'}`);
  const contactIds = [...d.contacts, ...(d.routineLater?.contacts ?? [])].map((x) => x.id);
  for (const id of e.contacts) if (!contactIds.includes(id)) failures.push(`contacts: expected ${id}; got ${contactIds.join(', ') || 'none'}`);
  return { name: s.name, passed: failures.length === 0, failures, firedRules: fired };
}

export function runScenarios(policy: CouncilPolicy, scenarios: Scenario[]): ScenarioReport {
  const results = scenarios.map((s) => runScenario(policy, s));
  const fired = new Set(results.flatMap((r) => r.firedRules));
  const uncovered = policy.council.rules.map((r) => r.id).filter((id) => !fired.has(id));
  const baselineIds = new Set(policy.baseline.rules.map((r) => r.id));
  return {
    pack: policy.council.data.id,
    results,
    uncovered,
    baselineFired: new Set([...fired].filter((id) => baselineIds.has(id))),
  };
}
