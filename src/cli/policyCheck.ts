/**
 * policy:check: validates every pack against the schema, checks that verbatim scripts match the source
 * documents character for character, evaluates every pack over sampled facts, runs each council's scenario
 * tests and checks that they fire every rule. Exit 0 when all is well, 1 listing every problem.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { evaluate } from '../domain/policy/evaluate';
import { PackError } from '../domain/policy/parsePack';
import { randomFacts, seededRandom } from '../domain/policy/sampleFacts';
import { parseScenarioFile, runScenarios } from '../domain/policy/scenarios';
import { loadPolicies, SCENARIO_SUFFIX } from '../policyFiles/loadPolicies';
import { POLICIES_DIR } from '../paths';
import { EXIT_FAILED, EXIT_OK, runCommand, UsageError } from './exitCodes';

const USAGE = 'usage: npm run policy:check [-- --dir <policies folder>] [--samples <n>]';
export const SOURCES_DIR = 'sources';

function main(): number {
  let values: { dir?: string; samples?: string };
  try {
    ({ values } = parseArgs({ options: { dir: { type: 'string' }, samples: { type: 'string', default: '3000' } }, strict: true }));
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const dir = path.resolve(values.dir ?? POLICIES_DIR);
  const samples = Number(values.samples);
  if (!Number.isInteger(samples) || samples < 0) throw new UsageError('--samples must be a whole number');
  if (!fs.existsSync(dir)) throw new UsageError(`--dir: no folder ${dir}`);

  let catalogue;
  try {
    catalogue = loadPolicies(dir);
  } catch (e) {
    if (e instanceof PackError) {
      process.stdout.write(`${e.message}\npolicy:check: ${e.problems.length} problem(s) in the packs\n`);
      return EXIT_FAILED;
    }
    throw e;
  }

  const problems: string[] = [];
  const baselineFired = new Set<string>();
  let scenarioCount = 0;
  for (const [id, policy] of catalogue.councils) {
    const pack = policy.council;
    // Verbatim scripts must be the source document's words exactly.
    const sourcePath = path.join(dir, SOURCES_DIR, pack.data.metadata.sourceFile);
    const source = fs.existsSync(sourcePath) ? fs.readFileSync(sourcePath, 'utf8') : undefined;
    if (source === undefined) problems.push(`${pack.file}: metadata.sourceFile: no file ${path.relative(process.cwd(), sourcePath)}`);
    for (const s of pack.data.scripts.filter((x) => x.verbatim)) {
      if (source !== undefined && !source.includes(s.text)) {
        problems.push(`${pack.file}: scripts.${s.id}: verbatim text is not found character for character in ${pack.data.metadata.sourceFile}`);
      }
    }
    // Every condition must evaluate on any valid facts.
    const random = seededRandom(0xc0ffee);
    for (let i = 0; i < samples; i++) {
      const facts = randomFacts(random);
      try {
        evaluate(policy, facts);
      } catch (e) {
        problems.push(`${pack.file}: evaluation failed on sampled facts ${JSON.stringify(facts)}: ${(e as Error).message}`);
        break;
      }
    }
    // Scenario tests, and coverage of every rule.
    const testsFile = path.join(dir, `${id}${SCENARIO_SUFFIX}`);
    const rel = path.relative(process.cwd(), testsFile);
    if (!fs.existsSync(testsFile)) {
      problems.push(`${rel}: missing: every pack ships scenario tests covering its rules`);
      continue;
    }
    let file;
    try {
      file = parseScenarioFile(fs.readFileSync(testsFile, 'utf8'), rel);
    } catch (e) {
      problems.push((e as Error).message);
      continue;
    }
    if (file.pack !== id) problems.push(`${rel}: pack: says ${file.pack}, expected ${id}`);
    const report = runScenarios(policy, file.scenarios);
    scenarioCount += report.results.length;
    for (const r of report.results) for (const f of r.failures) problems.push(`${rel}: scenario "${r.name}": ${f}`);
    for (const ruleId of report.uncovered) problems.push(`${rel}: rule ${ruleId}: no scenario fires it`);
    for (const b of report.baselineFired) baselineFired.add(b);
    const failed = report.results.filter((r) => !r.passed).length;
    process.stdout.write(`${id}: ${pack.rules.length} rules, ${report.results.length} scenarios, ${failed} failed, ${report.uncovered.length} rules uncovered\n`);
  }
  for (const r of catalogue.baseline.rules) {
    if (!baselineFired.has(r.id)) problems.push(`${catalogue.baseline.file}: rule ${r.id}: no council's scenarios fire it`);
  }
  if (problems.length > 0) {
    process.stdout.write(`${problems.join('\n')}\npolicy:check: ${problems.length} problem(s)\n`);
    return EXIT_FAILED;
  }
  process.stdout.write(`policy:check: ${catalogue.councils.size} packs, ${scenarioCount} scenarios, all rules covered, all verbatim scripts match their sources\n`);
  return EXIT_OK;
}

void runCommand(USAGE, main);
