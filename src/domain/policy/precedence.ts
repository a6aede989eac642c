/**
 * Precedence between rules: explicit, not file order.
 *
 * 1. ESCALATE_SAFEGUARDING decides the outcome whenever any such rule fires (immediate risk to life,
 *    a safeguarding concern, inappropriate content received).
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
  'whatsapp_not_permitted',
  'manager_approval_required',
  'use_teams',
  'whatsapp_allowed_with_conditions',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The channel verdict for routine contact: every outcome but the safeguarding one. */
export type ChannelVerdict = Exclude<Outcome, 'safeguarding_escalation'>;

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

export const HEADLINES: Record<Outcome, string> = {
  safeguarding_escalation: 'Safeguarding: act now and tell your line manager',
  whatsapp_not_permitted: 'Do not use WhatsApp for this contact',
  manager_approval_required: 'Ask your line manager before using WhatsApp',
  use_teams: 'Use Microsoft Teams, not WhatsApp',
  whatsapp_allowed_with_conditions: 'WhatsApp is allowed, with conditions',
};
