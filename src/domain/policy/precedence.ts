/**
 * Precedence between rules: explicit, not file order.
 *
 * 1. ESCALATE_SAFEGUARDING decides the outcome whenever any such rule fires (immediate risk to life,
 *    a safeguarding concern, inappropriate content received).
 * 1a. Otherwise REPORT_INCIDENT (personal data has gone to the wrong person or channel) decides it:
 *    `information_incident` ranks below a safeguarding escalation and above every channel outcome.
 *    For both, the answer leads with what to do now; the channel rules' items are kept apart, for
 *    routine contact later (Decision.routineLater).
 * 2. Underneath, the channel for any further routine contact is still worked out, in this order:
 *    BLOCK, then NEEDS_MANAGER_APPROVAL, then PREFER_TEAMS, then ALLOW_WITH_CONDITIONS.
 *    A safeguarding escalation never makes an otherwise blocked channel acceptable.
 * 3. If no rule authorised WhatsApp (no ALLOW_WITH_CONDITIONS fired) and nothing above decided,
 *    the fallback rule fires: the document is silent, take the cautious reading.
 * 4. CONDITION rules (checklist items) and scripts apply only when WhatsApp may be used, now
 *    (allowed) or once a manager approves. RECORD and INFO rules apply to every outcome.
 * 5. A council rule that fires replaces the baseline rules it names (`replacesBaseline`): the council's
 *    clause is cited instead of the baseline. Baseline rules fire only where the council's document is
 *    silent on the facts in hand.
 */
import type { Effect } from './packSchema';

export const OUTCOMES = [
  'safeguarding_escalation',
  'information_incident',
  'whatsapp_not_permitted',
  'manager_approval_required',
  'use_teams',
  'whatsapp_allowed_with_conditions',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** Outcomes that lead with what to do now; the channel verdict still answers routine contact. */
export const CRISIS_OUTCOMES = ['safeguarding_escalation', 'information_incident'] as const;
export type CrisisOutcome = (typeof CRISIS_OUTCOMES)[number];

/** The effects whose rules say what to do now in a crisis, and the outcome each gives (strongest first). */
export const CRISIS_PRECEDENCE: ReadonlyArray<readonly [Effect, CrisisOutcome]> = [
  ['ESCALATE_SAFEGUARDING', 'safeguarding_escalation'],
  ['REPORT_INCIDENT', 'information_incident'],
];

/** The channel verdict for routine contact: every outcome but the crisis ones. */
export type ChannelVerdict = Exclude<Outcome, CrisisOutcome>;

export const CHANNEL_VERDICTS = OUTCOMES.filter((o): o is ChannelVerdict => !(CRISIS_OUTCOMES as readonly string[]).includes(o));

export function isCrisis(outcome: Outcome): outcome is CrisisOutcome {
  return (CRISIS_OUTCOMES as readonly string[]).includes(outcome);
}

/** Decisive effects, strongest first, and the outcome each gives. */
export const CHANNEL_PRECEDENCE: ReadonlyArray<readonly [Effect, ChannelVerdict]> = [
  ['BLOCK', 'whatsapp_not_permitted'],
  ['NEEDS_MANAGER_APPROVAL', 'manager_approval_required'],
  ['PREFER_TEAMS', 'use_teams'],
  ['ALLOW_WITH_CONDITIONS', 'whatsapp_allowed_with_conditions'],
];

/** Display order of reasons: decisive effects first, then the rest. */
export const EFFECT_ORDER: readonly Effect[] = [
  'ESCALATE_SAFEGUARDING',
  'REPORT_INCIDENT',
  'BLOCK',
  'NEEDS_MANAGER_APPROVAL',
  'PREFER_TEAMS',
  'ALLOW_WITH_CONDITIONS',
  'CONDITION',
  'RECORD',
  'INFO',
];

/** Whether a channel verdict lets the practitioner use WhatsApp now or once a manager agrees. */
export function whatsappMayBeUsed(channel: ChannelVerdict): boolean {
  return channel === 'whatsapp_allowed_with_conditions' || channel === 'manager_approval_required';
}

/** The safeguarding headline when someone may be at immediate risk of harm or risk to life. */
export const LIFE_AT_RISK_HEADLINE = 'Call 999 now';

export const HEADLINES: Record<Outcome, string> = {
  safeguarding_escalation: 'Safeguarding: act now and tell your line manager',
  information_incident: 'Report an information incident now',
  whatsapp_not_permitted: 'Do not use WhatsApp for this contact',
  manager_approval_required: 'Ask your line manager before using WhatsApp',
  use_teams: 'Use Microsoft Teams, not WhatsApp',
  whatsapp_allowed_with_conditions: 'WhatsApp is allowed, with conditions',
};

/** What the channel verdict means for routine contact later, under a crisis answer. */
export const ROUTINE_NOTES: Record<ChannelVerdict, string> = {
  whatsapp_not_permitted: 'WhatsApp is not permitted; use the alternatives below',
  manager_approval_required: 'ask your line manager before using WhatsApp',
  use_teams: 'use Microsoft Teams, not WhatsApp',
  whatsapp_allowed_with_conditions: 'WhatsApp is allowed, with the conditions below',
};
