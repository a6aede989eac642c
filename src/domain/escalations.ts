/**
 * Who a safeguarding alert goes to, and where it goes next if nobody acknowledges it. Pure.
 *
 * In working hours the line manager is alerted first; if nobody acknowledges within the timeout the alert
 * goes to the Head of Service / on-call contact, and then to the escalation channel. Outside working hours
 * the Head of Service / on-call contact is alerted at once, with the line manager. With no line manager,
 * every level that exists is alerted at once. The escalation channel is the last level and has no timer.
 */
import type { EscalationLevel } from './ports/store';

export interface RouteContext {
  managerFound: boolean;
  headOfServiceFound: boolean;
  channelConfigured: boolean;
  outOfHours: boolean;
}

/** The levels that can be reached, in order. */
export function reachableLevels(ctx: RouteContext): EscalationLevel[] {
  const levels: EscalationLevel[] = [];
  if (ctx.managerFound) levels.push('manager');
  if (ctx.headOfServiceFound) levels.push('head_of_service');
  if (ctx.channelConfigured) levels.push('escalation_channel');
  return levels;
}

/**
 * Where an alert starts, and who is alerted straight away. With no line manager on record the alert goes at
 * once to every level there is (the Head of Service / on-call contact and the escalation channel): nobody
 * should wait 15 minutes because a directory entry is missing.
 */
export function initialRoute(ctx: RouteContext): { level: EscalationLevel | null; alertNow: EscalationLevel[] } {
  const levels = reachableLevels(ctx);
  if (levels.length === 0) return { level: null, alertNow: [] };
  if (!ctx.managerFound) return { level: levels[levels.length - 1] as EscalationLevel, alertNow: levels };
  if (ctx.outOfHours && ctx.headOfServiceFound) {
    return { level: 'head_of_service', alertNow: levels.filter((l) => l === 'manager' || l === 'head_of_service') };
  }
  const first = levels[0] as EscalationLevel;
  return { level: first, alertNow: [first] };
}

/** The next level after `current`, or null when the alert is at its last level. */
export function nextLevel(current: EscalationLevel, ctx: RouteContext): EscalationLevel | null {
  const levels = reachableLevels(ctx);
  const i = levels.indexOf(current);
  return levels[i + 1] ?? (i === -1 ? (levels[0] ?? null) : null);
}

export const LEVEL_WORDS: Record<EscalationLevel, string> = {
  manager: 'the line manager',
  head_of_service: 'the Head of Service / on-call manager',
  escalation_channel: 'the escalation channel',
};

export const ESCALATION_TIMER_KIND = 'escalation_ack_due';

/** An urgent alert not delivered by then also goes to the next level, and the practitioner is told to phone. */
export const ALERT_DELIVERY_TIMER_KIND = 'alert_delivery_due';
