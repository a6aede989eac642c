/**
 * npm run bench: the speed and memory targets, measured (never in timed unit tests).
 *
 *   1. evaluate(): every council pack over sampled facts. Target: p99 under 2 ms per decision.
 *   2. A whole check over HTTP, as Teams sends it (invokes to /api/messages, SQLite store, real services).
 *      Target: every invoke answered with p99 under 500 ms, far inside Teams' 5-second invoke limit.
 *   3. Memory: heap growth across the 150 checks after a forced GC (a leak shows here): under 25 MB; and
 *      the process's RSS (bot, store, packs, the benchmark itself): under 400 MB.
 *   Card binding: µs per outcome and wizard-step card, adaptivecards-templating against the compiled
 *      binding the presenters use (scripts/bench/templateBinding.ts). No target: printed to follow.
 *   4. Side by side with a bare botbuilder bot (scripts/bench/sideBySide.ts): both as child processes, the
 *      same closed-loop keep-alive client, warm-up, then rounds at 10 and 50 connections; ChannelCheck does
 *      complete checks on SQLite (and, with DATABASE_URL, alone on PostgreSQL). Targets at 10 connections:
 *      invokeRatio >= 0.7, cpuRatioPerRequest <= 1.5, step and final-step p99 <= 2x echo p99 and < 100 ms,
 *      `new check` message p99 < 150 ms, ChannelCheck peak RSS < 200 MB, no errors at any load. Then where a
 *      check's CPU goes: ChannelCheck alone with checks cut short, each part's CPU (no target).
 *
 * Settings: BENCH_SECONDS (per round, default 8), BENCH_ROUNDS (default 2), BENCH_CPU_PROF=<dir> (write a CPU
 * profile of each server over its measured rounds: read it with scripts/bench/profileTop.ts), BENCH_HEAP_PROF=<dir> (an
 * allocation profile of the same rounds, read the same way), BENCH_SIDE_BY_SIDE_ONLY=1 (skip parts 1-3 and the card binding),
 * BENCH_PHASE_SECONDS (per run of where a check's CPU goes, default 4; 0 skips it).
 * Prints a table, then as its last line one JSON object of the side-by-side figures; exits 1 if a target is missed.
 */
import { performance } from 'node:perf_hooks';
import { evaluate } from '../src/domain/policy/evaluate';
import { randomFacts, seededRandom } from '../src/domain/policy/sampleFacts';
import { loadPolicies } from '../src/policyFiles/loadPolicies';
import { actionData, answersFor, PEOPLE, startHarness } from '../test/bot/botHarness';
import { BENCH_TURNS_PER_MINUTE, runSideBySide } from './bench/sideBySide';
import { bindingLine, timeTemplateBinding } from './bench/templateBinding';

const TARGETS = { evaluateP99Ms: 2, invokeP99Ms: 500, heapGrowthMb: 25, rssMb: 400 };
const SIDE_BY_SIDE = { invokeRatio: 0.7, cpuRatioPerRequest: 1.5, stepP99Ms: 100, messageP99Ms: 150, rssPeakMb: 200 };
const out = (s: string) => void process.stdout.write(s);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

function summary(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  return { n: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99), max: s.at(-1) ?? NaN };
}

const fmt = (ms: number) => `${ms.toFixed(3)} ms`;

async function inProcess(failures: string[]): Promise<void> {
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

  process.stdout.write('\nCard binding: the outcome and wizard-step templates, adaptivecards-templating vs compiled (best of 5 passes)\n');
  for (const t of timeTemplateBinding(5)) process.stdout.write(`  ${bindingLine(t)}\n`);

  const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  process.stdout.write('\nA whole check over HTTP (SQLite store): 150 checks, every invoke timed\n');
  const h = await startHarness({ dispatch: false, env: { CHANNELCHECK_RATE_LIMIT_POINTS: String(BENCH_TURNS_PER_MINUTE) } });
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
}

async function main(): Promise<number> {
  const failures: string[] = [];
  const started = performance.now();
  if (process.env.BENCH_SIDE_BY_SIDE_ONLY !== '1') await inProcess(failures);

  const postgresUrl = process.env.DATABASE_URL?.trim() || null;
  out('\n');
  const { summary: s, ccCpuMsByPart } = await runSideBySide({
    seconds: Number(process.env.BENCH_SECONDS ?? 8),
    warmupSeconds: Number(process.env.BENCH_WARMUP_SECONDS ?? 20),
    rounds: Number(process.env.BENCH_ROUNDS ?? 2),
    connections: [10, 50],
    postgresUrl,
    phaseSeconds: Number(process.env.BENCH_PHASE_SECONDS ?? 4),
    profiles: { ...(process.env.BENCH_CPU_PROF ? { cpu: process.env.BENCH_CPU_PROF } : {}), ...(process.env.BENCH_HEAP_PROF ? { heap: process.env.BENCH_HEAP_PROF } : {}) },
    out,
  });
  if (!postgresUrl) out('ChannelCheck on PostgreSQL: skipped (set DATABASE_URL to run it)\n');
  const t = SIDE_BY_SIDE;
  if (!(s.invokeRatio! >= t.invokeRatio)) failures.push(`invokeRatio ${s.invokeRatio} < ${t.invokeRatio}`);
  if (!(s.cpuRatioPerRequest! <= t.cpuRatioPerRequest)) failures.push(`cpuRatioPerRequest ${s.cpuRatioPerRequest} > ${t.cpuRatioPerRequest}`);
  for (const k of ['stepP99Ms', 'submitP99Ms'] as const) {
    if (!(s[k]! <= 2 * s.echoP99Ms! && s[k]! < t.stepP99Ms)) failures.push(`${k} ${s[k]} ms: not within 2x echo p99 (${s.echoP99Ms} ms) and under ${t.stepP99Ms} ms`);
  }
  if (!(s.messageP99Ms! < t.messageP99Ms)) failures.push(`messageP99Ms ${s.messageP99Ms} >= ${t.messageP99Ms}`);
  if (!(s.rssPeakMb! < t.rssPeakMb)) failures.push(`rssPeakMb ${s.rssPeakMb} >= ${t.rssPeakMb}`);
  if (s.errors !== 0) failures.push(`${s.errors} errors`);

  out(`\nbench took ${((performance.now() - started) / 1000).toFixed(0)} s; load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}\n`);
  if (failures.length > 0) out(`bench: ${failures.length} target(s) missed:\n${failures.map((f) => `  - ${f}`).join('\n')}\n`);
  else out('bench: all targets met\n');
  out(`${JSON.stringify(ccCpuMsByPart ? { ...s, ccCpuMsByPart } : s)}\n`);
  return failures.length > 0 ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
