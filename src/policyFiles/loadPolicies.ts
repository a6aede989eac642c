/**
 * Reads the policy folder: policies/baseline.yaml and one policies/<id>.yaml per council.
 * All problems across all files are collected before failing, so one run of `policy:check` lists them all.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CouncilPolicy } from '../domain/policy/evaluate';
import { PackError, type PackProblem, parsePack, type PolicyPack } from '../domain/policy/parsePack';
import { POLICIES_DIR } from '../paths';

export const BASELINE_FILE = 'baseline.yaml';
export const SCENARIO_SUFFIX = '.tests.yaml';

export interface PolicyCatalogue {
  dir: string;
  baseline: PolicyPack;
  councils: Map<string, CouncilPolicy>;
}

export function councilPackFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.yaml') && !f.endsWith(SCENARIO_SUFFIX) && f !== BASELINE_FILE)
    .sort();
}

export function loadBaseline(dir: string = POLICIES_DIR): PolicyPack {
  const file = path.join(dir, BASELINE_FILE);
  const rel = path.relative(process.cwd(), file) || file;
  if (!fs.existsSync(file)) throw new PackError([{ file: rel, field: '(file)', message: 'baseline safeguards file is missing' }]);
  const pack = parsePack(fs.readFileSync(file, 'utf8'), rel);
  if (pack.data.kind !== 'baseline') throw new PackError([{ file: rel, field: 'kind', message: 'must be baseline' }]);
  return pack;
}

/** Loads and validates every pack; throws one PackError listing every problem in every file. */
export function loadPolicies(dir: string = POLICIES_DIR): PolicyCatalogue {
  const baseline = loadBaseline(dir);
  const known = {
    contacts: new Set(baseline.data.contacts.map((c) => c.id)),
    baselineRules: new Set(baseline.rules.map((r) => r.id)),
  };
  const problems: PackProblem[] = [];
  const councils = new Map<string, CouncilPolicy>();
  for (const name of councilPackFiles(dir)) {
    const file = path.join(dir, name);
    const rel = path.relative(process.cwd(), file) || file;
    try {
      const council = parsePack(fs.readFileSync(file, 'utf8'), rel, known);
      if (council.data.kind !== 'council') {
        problems.push({ file: rel, field: 'kind', message: 'only baseline.yaml may be a baseline pack' });
      } else if (`${council.data.id}.yaml` !== name) {
        problems.push({ file: rel, field: 'id', message: `must match the file name (${name.replace(/\.yaml$/, '')})` });
      } else {
        councils.set(council.data.id, { council, baseline });
      }
    } catch (e) {
      if (e instanceof PackError) problems.push(...e.problems);
      else throw e;
    }
  }
  if (problems.length > 0) throw new PackError(problems);
  if (councils.size === 0) throw new PackError([{ file: dir, field: '(folder)', message: 'no council packs found' }]);
  return { dir, baseline, councils };
}
