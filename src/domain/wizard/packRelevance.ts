/**
 * What the wizard works out about a pack, kept so it is not worked out again on every step: the facts the
 * pack's rules read (fixed when the pack loads), and whether a probed answer could change the decision for
 * the answers so far (remembered for the most recent answer sets).
 *
 * Kept per CouncilPolicy object and checked against the content hashes of both packs in it, so a reloaded
 * pack (a new object) or a new pack version (a new hash) always starts afresh and never sees an old answer.
 */
import type { CouncilPolicy } from '../policy/evaluate';
import type { PolicyPack } from '../policy/parsePack';
import { LruMap } from '../lruMap';

/** Answer sets remembered per pack: enough for every step of the checks in flight at once. */
export const PROBE_CACHE_SIZE = 2000;

export interface PackRelevance {
  /** The pack contents this was worked out for. */
  readonly key: string;
  readonly council: PolicyPack;
  readonly baseline: PolicyPack;
  /** Facts any rule of the council pack or the baseline reads. */
  readonly referenced: ReadonlySet<string>;
  /** `fact + answers` → could that fact's answer change the decision. */
  readonly probes: LruMap<string, boolean>;
}

const byPolicy = new WeakMap<CouncilPolicy, PackRelevance>();

export function packKey(policy: CouncilPolicy): string {
  return `${policy.council.contentHash}+${policy.baseline.contentHash}`;
}

function readFacts(policy: CouncilPolicy): Set<string> {
  const refs = new Set<string>();
  for (const pack of [policy.council, policy.baseline]) {
    for (const rule of pack.rules) for (const r of rule.condition?.references ?? []) refs.add(r);
  }
  return refs;
}

/** The relevance worked out for this pack, worked out now if this pack (object and contents) is new. */
export function relevanceOf(policy: CouncilPolicy): PackRelevance {
  const key = packKey(policy);
  const known = byPolicy.get(policy);
  if (known !== undefined && known.key === key && known.council === policy.council && known.baseline === policy.baseline) return known;
  const fresh: PackRelevance = { key, council: policy.council, baseline: policy.baseline, referenced: readFacts(policy), probes: new LruMap(PROBE_CACHE_SIZE) };
  byPolicy.set(policy, fresh);
  return fresh;
}

/** A stable text for a set of answers (keys sorted; an undefined answer is no answer), for cache keys. */
export function answersKey(answers: Readonly<Record<string, unknown>>): string {
  return JSON.stringify(
    Object.keys(answers)
      .filter((k) => answers[k] !== undefined)
      .sort()
      .map((k) => [k, answers[k]]),
  );
}

/** `compute()` once per (pack, fact, answers); later calls for the same get the remembered result. */
export function probeOnce(policy: CouncilPolicy, fact: string, answers: Readonly<Record<string, unknown>>, compute: () => boolean): boolean {
  const { probes } = relevanceOf(policy);
  const key = `${fact}|${answersKey(answers)}`;
  const known = probes.get(key);
  if (known !== undefined) return known;
  const result = compute();
  probes.set(key, result);
  return result;
}
