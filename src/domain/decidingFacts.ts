/**
 * The facts that decided a check: those the decisive rules' conditions read, in the vocabulary's order.
 * A manager asked to approve sees these first ("Teams cannot be used", "for Leicester's service: no"),
 * because they are why the check needs them.
 */
import { FACT_NAMES, type FactName } from './facts';
import type { Decision } from './policy/decision';
import type { CouncilPolicy } from './policy/evaluate';

export function decidingFacts(policy: CouncilPolicy, decision: Pick<Decision, 'reasons'>): FactName[] {
  const decisive = new Set(decision.reasons.filter((r) => r.decisive).map((r) => r.ruleId));
  const read = new Set<string>();
  for (const pack of [policy.council, policy.baseline]) {
    for (const rule of pack.rules) {
      if (decisive.has(rule.id)) for (const ref of rule.condition?.references ?? []) read.add(ref);
    }
  }
  return FACT_NAMES.filter((f) => read.has(f));
}
