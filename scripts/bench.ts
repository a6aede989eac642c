/**
 * npm run bench: the speed and memory targets, measured (never in timed unit tests).
 *
 *   1. evaluate(): every council pack over sampled facts. Target: p99 under 2 ms per decision.
 *   2. A whole check over HTTP, as Teams sends it (invokes to /api/messages, SQLite store, real services).
 *      Target: every invoke answered with p99 under 500 ms, far inside Teams' 5-second invoke limit.
 *   3. Memory: heap growth across the 150 checks after a forced GC (a leak shows here): under 25 MB; and
 *      the process's RSS (bot, store, packs, the benchmark itself): under 400 MB.
 *
 * Prints a table and exits 1 if a target is missed.
 */
import { performance } from 'node:perf_hooks';
import { evaluate } from '../src/domain/policy/evaluate';
import { randomFacts, seededRandom } from '../src/domain/policy/sampleFacts';
import { loadPolicies } from '../src/policyFiles/loadPolicies';
import { actionData, answersFor, PEOPLE, startHarness } from '../test/bot/botHarness';

const TARGETS = { evaluateP99Ms: 2, invokeP99Ms: 500, heapGrowthMb: 25, rssMb: 400 };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s.at(-1) ?? NaN };
}

const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

async function main(): Promise<number> {
  const failures: string[] = [];
  const catalogue = loadPolicies();

  process.stdout.write('evaluate(): 20,000 sampled facts per council\n');
  for (const [id, policy] of catalogue.councils) {
    const random = seededRandom(42);
    const facts = Array.from({ length: 20_000 }, () => randomFacts(random));
    for (let i = 0; i < 500; i++) evaluate(policy, facts[i]!); // warm up
    const times: number[] = [];
    const started = performance.now();
    for (const f of facts) {
      const t = performance.now();
      evaluate(policy, f);
      times.push(performance.now() - t);
    }
    const total = performance.now() - started;
    const s = summary(times);
    process.stdout.write(`  ${id.padEnd(16)} ${(facts.length / (total / 1000)).toFixed(0).padStart(7)} decisions/s  p50 ${fmt(s.p50)}  p99 ${fmt(s.p99)}  max ${fmt(s.max)}\n`);
    if (s.p99 > TARGETS.evaluateP99Ms) failures.push(`${id}: evaluate p99 ${fmt(s.p99)} > ${TARGETS.evaluateP99Ms} ms`);
  }

  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  process.stdout.write('\nA whole check over HTTP (SQLite store): 150 checks, every invoke timed\n');
  const h = await startHarness({ dispatch: false });
  const facts = { contactType: 'young_person', purpose: 'keep_in_touch', initiatedBy: 'practitioner', immediateRiskToLife: false, safeguardingConcern: false, caseRef: 'CR-55501', age: 17, device: 'work_issued', account: 'work', teamsAvailable: true, consent: 'given', withinWorkingHours: true, riskPhoneAccessByAbuser: false, sensitiveContent: false, inappropriateContentReceived: false, dataIncident: false, practitionerUncertain: false };
  const invokeTimes: number[] = [];
  const checkTimes: number[] = [];
  try {
    for (let i = 0; i < 150; i++) {
      const checkStart = performance.now();
      await h.message(PEOPLE.pat, 'new check');
      let card = h.cardsTo(PEOPLE.pat).at(-1)!.card;
      for (let step = 0; step < 8 && JSON.stringify(card).includes('wizard.next'); step++) {
        const t = performance.now();
        const r = await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(card, 'wizard.next'), ...answersFor(card, facts) });
        invokeTimes.push(performance.now() - t);
        card = r.body.value;
      }
      checkTimes.push(performance.now() - checkStart);
      if (!JSON.stringify(card).includes('WhatsApp is allowed')) throw new Error('a benchmark check did not finish');
    }
  } finally {
    await h.close();
  }
  const inv = summary(invokeTimes);
  const chk = summary(checkTimes);
  process.stdout.write(`  invoke   n=${inv.n}  p50 ${fmt(inv.p50)}  p95 ${fmt(inv.p95)}  p99 ${fmt(inv.p99)}  max ${fmt(inv.max)}\n`);
  process.stdout.write(`  check    n=${chk.n}  p50 ${fmt(chk.p50)}  p95 ${fmt(chk.p95)}  p99 ${fmt(chk.p99)}\n`);
  if (inv.p99 > TARGETS.invokeP99Ms) failures.push(`invoke p99 ${fmt(inv.p99)} > ${TARGETS.invokeP99Ms} ms`);

  gc();
  const mem = process.memoryUsage();
  const rssMb = mem.rss / 1024 / 1024;
  const growthMb = (mem.heapUsed - heapBefore) / 1024 / 1024;
  process.stdout.write(`\nmemory: heap growth over 150 checks ${growthMb.toFixed(1)} MB, rss ${rssMb.toFixed(0)} MB, heap used ${(mem.heapUsed / 1024 / 1024).toFixed(0)} MB\n`);
  if (growthMb > TARGETS.heapGrowthMb) failures.push(`heap growth ${growthMb.toFixed(1)} MB > ${TARGETS.heapGrowthMb} MB`);
  if (rssMb > TARGETS.rssMb) failures.push(`rss ${rssMb.toFixed(0)} MB > ${TARGETS.rssMb} MB`);

  if (failures.length > 0) {
    process.stdout.write(`\nbench: ${failures.length} target(s) missed:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
    return 1;
  }
  process.stdout.write(`\nbench: all targets met (evaluate p99 < ${TARGETS.evaluateP99Ms} ms, invoke p99 < ${TARGETS.invokeP99Ms} ms, heap growth < ${TARGETS.heapGrowthMb} MB, rss < ${TARGETS.rssMb} MB)\n`);
  return 0;
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
