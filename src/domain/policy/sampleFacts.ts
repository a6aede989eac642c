/**
 * Deterministic pseudo-random valid facts, for checking that every condition of a pack evaluates
 * without error across the whole vocabulary (policy:check) and for benchmarks. Not for tests of
 * behaviour: those use fast-check.
 */
import { FACT_KINDS, type Facts, FACT_NAMES, parseFacts } from '../facts';

export { seededRandom } from '../seededRandom';

export function randomFacts(random: () => number): Facts {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)] as T;
  const raw: Record<string, unknown> = {};
  for (const name of FACT_NAMES) {
    const kind = FACT_KINDS[name];
    if (kind.kind === 'enum') raw[name] = pick(kind.values);
    else if (kind.kind === 'boolean') raw[name] = kind.nullable ? pick([true, false, null]) : random() < 0.5;
    else raw[name] = random() < 0.8 ? Math.floor(random() * 25) : Math.floor(random() * 121);
  }
  // An unknown age comes with no age.
  if (raw.ageUnknown === true) raw.age = null;
  return parseFacts(raw);
}
