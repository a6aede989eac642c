/** Loads the real policy packs once for the tests. */
import type { CouncilPolicy } from '../../src/domain/policy/evaluate';
import { loadPolicies, type PolicyCatalogue } from '../../src/policyFiles/loadPolicies';

let cached: PolicyCatalogue | undefined;

export function catalogue(): PolicyCatalogue {
  cached ??= loadPolicies();
  return cached;
}

export function council(id: string): CouncilPolicy {
  const p = catalogue().councils.get(id);
  if (!p) throw new Error(`no pack ${id}`);
  return p;
}

export const REQUIRED_COUNCILS = ['hillingdon', 'leicester', 'covid-2020', 'warwickshire', 'waltham-forest'];
