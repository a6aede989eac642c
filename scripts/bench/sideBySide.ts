/**
 * The side-by-side run: a bare botbuilder echo bot (echoBot.ts) and ChannelCheck (channelCheckServer.ts),
 * each a child process of the benchmark, loaded by the same closed-loop keep-alive client on loopback.
 * ChannelCheck does complete checks: every virtual practitioner has their own conversation and sends
 * `new check`, then every wizard invoke to the outcome card. A fake Bot Connector (in this process) takes
 * the bot's replies. Server CPU per request comes from /proc/<pid>/stat, peak RSS from VmHWM, event-loop
 * delay from the server itself over IPC (loopDelay.ts). After the rounds, "where a check's CPU goes":
 * ChannelCheck alone with checks cut short after 0, 1, 2, 3 invokes and whole, each part's CPU the
 * difference (checkParts.ts).
 *
 * The servers run compiled (tsconfig.bench.json, into a temporary folder), as `npm start` runs ChannelCheck:
 * a TypeScript loader in the server would add its own memory and start-up work to both sides.
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { actionData, answersFor } from '../../test/bot/botHarness';
import { FakeBotConnector } from '../../test/support/fakeBotConnector';
import { type CheckParts, cpuByPart, type CutRun } from './checkParts';
import { closedLoop, LoopbackClient, percentile, Samples } from './loadClient';
import { formatLoopDelay, type LoopDelay, loopDelayReply, worstP99Ms } from './loopDelay';
import { cpuTimes, peakRssMb } from './processStats';

const TENANT = '11111111-1111-1111-1111-111111111111';
const FACTS = { contactType: 'young_person', purpose: 'keep_in_touch', initiatedBy: 'practitioner', immediateRiskToLife: false, safeguardingConcern: false, caseRef: 'CR-55501', age: 17, device: 'work_issued', account: 'work', teamsAvailable: true, consent: 'given', withinWorkingHours: true, riskPhoneAccessByAbuser: false, sensitiveContent: false, inappropriateContentReceived: false, dataIncident: false, practitionerUncertain: false };
const OUTCOME_TEXT = 'WhatsApp is allowed';
/**
 * A virtual practitioner here takes dozens of turns a second, which the per-user turn limit (30 a minute by
 * default) would refuse within a second. The limit stays on, so its cost is measured, set as high as it goes.
 */
export const BENCH_TURNS_PER_MINUTE = 10_000;

export interface RunRow {
  server: string;
  connections: number;
  round: number;
  seconds: number;
  requests: number;
  invokes: number;
  checks: number;
  errors: number;
  cpuMs: number;
  /** The kernel's share of cpuMs (system calls: sockets, file writes, fsync). */
  systemMs: number;
  rssPeakMb: number;
  /** The server's event-loop delay over the round (scripts/bench/loopDelay.ts). */
  loopDelay: LoopDelay;
  samples: Samples;
}

interface Server {
  name: string;
  child: ChildProcess;
  port: number;
  stop(): Promise<void>;
}

/** How long a server may take to answer the benchmark's own messages (profiling, loop delay). */
const ASK_TIMEOUT_MS = 30_000;

/**
 * Sends a server a message and waits for the first answer `pick` accepts (returns other than undefined).
 * Rejects if the server exits, the message cannot be sent, or no answer comes within ASK_TIMEOUT_MS, so a
 * server that died mid-run ends the benchmark (its servers stopped) instead of hanging it.
 */
function ask<T>(server: Server, message: string, pick: (m: unknown) => T | undefined): Promise<T> {
  return new Promise((resolve, reject) => {
    const done = () => {
      clearTimeout(timer);
      server.child.off('message', onMessage);
      server.child.off('exit', onExit);
    };
    const onMessage = (m: unknown) => {
      const answer = pick(m);
      if (answer === undefined) return;
      done();
      resolve(answer);
    };
    const onExit = (code: number | null) => {
      done();
      reject(new Error(`${server.name} exited (${code}) before answering ${message}`));
    };
    const timer = setTimeout(() => {
      done();
      reject(new Error(`${server.name} did not answer ${message} within ${ASK_TIMEOUT_MS / 1000} s`));
    }, ASK_TIMEOUT_MS);
    server.child.on('message', onMessage);
    server.child.once('exit', onExit);
    server.child.send(message, (error) => {
      if (error === null) return;
      done();
      reject(new Error(`could not send ${message} to ${server.name}: ${error.message}`));
    });
  });
}

/** Asks a server for a profiling step ('profile-start' / 'profile-stop') and waits until it is done. */
async function profileStep(server: Server, step: 'start' | 'stop'): Promise<void> {
  const done = `profile-${step === 'start' ? 'started' : 'stopped'}`;
  await ask(server, `profile-${step}`, (m) => (m === done ? true : undefined));
}

const ROOT = path.resolve(__dirname, '../..');

/** Compiles the two server fixtures and src/ into a temporary folder laid out like the project. */
function buildServers(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-bench-build-'));
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', path.join(ROOT, 'tsconfig.bench.json'), '--outDir', dir], { stdio: 'inherit' });
  // The compiled src/paths.js finds cards/ and policies/ next to src/, as in dist/.
  for (const d of ['cards', 'policies', 'env', 'node_modules']) fs.symlinkSync(path.join(ROOT, d), path.join(dir, d));
  return dir;
}

/**
 * The Node.js flags `npm start` runs ChannelCheck with (package.json's start script: `node <flags> dist/index.js`),
 * so both servers run as production does. BENCH_SERVER_NODE_FLAGS replaces them, to try others.
 */
export function serverNodeFlags(): string[] {
  const override = process.env.BENCH_SERVER_NODE_FLAGS;
  if (override !== undefined) return override.split(/\s+/).filter(Boolean);
  const start = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const command = start.split('&&').map((part) => part.trim()).find((part) => part.endsWith('dist/index.js'));
  if (command === undefined) throw new Error('package.json start script: no "node … dist/index.js" command');
  return command.split(/\s+/).slice(1, -1);
}

/** Where the servers write their profiles of the measured rounds (scripts/bench/profiling.ts). */
export interface ProfileDirs {
  cpu?: string;
  heap?: string;
}

async function startServer(name: string, script: string, env: Record<string, string>, profiles: ProfileDirs): Promise<Server> {
  const profileEnv = { BENCH_CPU_PROF: profiles.cpu ?? '', BENCH_HEAP_PROF: profiles.heap ?? '' };
  const child = fork(script, [], { execArgv: serverNodeFlags(), env: { ...process.env, ...env, ...profileEnv }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start in 60 s`)), 60_000);
    child.once('message', (m) => {
      clearTimeout(timer);
      resolve((m as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`${name} exited with ${code} before listening`)));
  });
  return {
    name,
    child,
    port,
    stop: () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.send('stop');
      }),
  };
}

function activityBase(serviceUrl: string, i: number) {
  const n = String(i + 1).padStart(4, '0');
  return {
    channelId: 'msteams',
    serviceUrl,
    from: { id: `29:bench-${n}`, name: `Bench Practitioner ${n}`, aadObjectId: `bbbbbbbb-0000-0000-0000-00000000${n}` },
    recipient: { id: '28:channelcheck', name: 'ChannelCheck' },
    conversation: { id: `a:bench-personal-${n}`, conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    locale: 'en-GB',
  };
}

/** The last card the bot posted to a conversation (the fake connector keeps calls in arrival order). */
function lastCardTo(connector: FakeBotConnector, conversationId: string): Record<string, unknown> | null {
  for (let i = connector.calls.length - 1; i >= 0; i--) {
    const call = connector.calls[i]!;
    if (call.conversationId === conversationId && call.effective && call.method === 'POST') {
      const att = (call.body as { attachments?: Array<{ contentType?: string; content?: Record<string, unknown> }> } | undefined)?.attachments?.[0];
      if (att?.contentType === 'application/vnd.microsoft.card.adaptive') return att.content ?? null;
    }
  }
  return null;
}

type Load = (client: LoopbackClient, samples: Samples, i: number, deadline: number) => Promise<void>;

function echoLoad(serviceUrl: string): Load {
  return async (client, samples, i, deadline) => {
    let seq = 0;
    const base = activityBase(serviceUrl, i);
    while (performance.now() < deadline) {
      const body = { ...base, type: 'invoke', name: 'adaptiveCard/action', id: `e-${i}-${++seq}`, timestamp: new Date().toISOString(), value: { action: { type: 'Action.Execute', verb: 'wizard.next', data: { verb: 'wizard.next', sessionId: 'x', version: seq } } } };
      const t = performance.now();
      try {
        const r = await client.post(body);
        samples.add('echo', performance.now() - t);
        if (r.status !== 200 || !r.text.includes('You pressed')) samples.error(`echo ${r.status} ${r.text}`);
      } catch (e) {
        samples.error(`echo: ${(e as Error).message}`);
      }
    }
  };
}

/** Every wizard invoke a check takes at most (a safety bound: a check here takes 4). */
const MAX_INVOKES_PER_CHECK = 8;

/**
 * Complete checks, or with `invokeLimit` checks cut short after that many invokes: the practitioner then
 * starts the next `new check`, leaving the last open (the bot lets a practitioner have several).
 */
function checkLoad(connector: FakeBotConnector, invokeLimit = Infinity): Load {
  const invokesPerCheck = Math.min(MAX_INVOKES_PER_CHECK, invokeLimit);
  return async (client, samples, i, deadline) => {
    let seq = 0;
    const base = activityBase(connector.serviceUrl, i);
    while (performance.now() < deadline) {
      try {
        let t = performance.now();
        const m = await client.post({ ...base, type: 'message', id: `m-${i}-${++seq}`, timestamp: new Date().toISOString(), text: 'new check' });
        samples.add('message', performance.now() - t);
        let card = lastCardTo(connector, base.conversation.id);
        if (m.status !== 200 || !card || !JSON.stringify(card).includes('wizard.next')) {
          samples.error(`message ${m.status} ${m.text} ${JSON.stringify(card)}`);
          continue;
        }
        for (let step = 0; step < invokesPerCheck && performance.now() < deadline; step++) {
          const data = { ...actionData(card, 'wizard.next'), ...answersFor(card, FACTS) };
          t = performance.now();
          const r = await client.post({ ...base, type: 'invoke', name: 'adaptiveCard/action', id: `i-${i}-${++seq}`, timestamp: new Date().toISOString(), value: { action: { type: 'Action.Execute', verb: 'wizard.next', data: { verb: 'wizard.next', ...data } } } });
          const ms = performance.now() - t;
          card = r.status === 200 ? JSON.parse(r.text)?.value : null;
          const text = JSON.stringify(card ?? null);
          if (text.includes('wizard.next')) {
            samples.add('step', ms);
            continue;
          }
          samples.add('submit', ms);
          if (text.includes(OUTCOME_TEXT)) {
            samples.checks += 1;
            samples.checkRequests += step + 2; // the message and step + 1 invokes
          } else samples.error(`invoke ${r.status} ${r.text}`);
          break;
        }
      } catch (e) {
        samples.error(`check: ${(e as Error).message}`);
      }
    }
  };
}

async function measure(server: Server, load: Load, connections: number, seconds: number, round: number, connector: FakeBotConnector): Promise<RunRow> {
  connector.calls.length = 0;
  const client = new LoopbackClient(server.port, connections);
  const samples = new Samples();
  await ask(server, 'loop-delay-start', (m) => (m === 'loop-delay-started' ? true : undefined));
  const before = cpuTimes(server.child.pid!);
  const elapsed = await closedLoop(connections, seconds, (i, deadline) => load(client, samples, i, deadline));
  const after = cpuTimes(server.child.pid!);
  const loopDelay = await ask(server, 'loop-delay-stop', loopDelayReply);
  const systemMs = after.systemMs - before.systemMs;
  const cpu = after.userMs - before.userMs + systemMs;
  client.close();
  return {
    server: server.name,
    connections,
    round,
    seconds: elapsed,
    requests: samples.requests,
    invokes: samples.times.echo.length + samples.times.step.length + samples.times.submit.length,
    checks: samples.checks,
    errors: samples.errors,
    cpuMs: cpu,
    systemMs,
    rssPeakMb: peakRssMb(server.child.pid!),
    loopDelay,
    samples,
  };
}

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '-');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '-');

export function printRow(r: RunRow, out: (s: string) => void): void {
  const s = r.samples.times;
  const p99 = (k: keyof typeof s) => f1(percentile(s[k], 99));
  const lat = r.server.startsWith('echo') ? `echo p50 ${f1(percentile(s.echo, 50))} p99 ${p99('echo')}` : `step p99 ${p99('step')}  submit p99 ${p99('submit')}  message p99 ${p99('message')}`;
  out(`  ${r.server.padEnd(16)} c=${String(r.connections).padStart(2)} round ${r.round}  ${f0(r.invokes / r.seconds).padStart(5)} invokes/s  ${r.checks ? `${f1(r.checks / r.seconds).padStart(5)} checks/s  ` : ''}cpu ${f2(r.cpuMs / Math.max(1, r.requests))} ms/req (sys ${f2(r.systemMs / Math.max(1, r.requests))})  ${lat} ms  ${formatLoopDelay(r.loopDelay)}  rss peak ${f0(r.rssPeakMb)} MB  errors ${r.errors}\n`);
  for (const e of r.samples.errorExamples) out(`      error: ${e}\n`);
}

export interface SideBySideOptions {
  seconds: number;
  warmupSeconds: number;
  rounds: number;
  connections: number[];
  postgresUrl: string | null;
  /** Seconds per run of "where a check's CPU goes" (0: skip it). */
  phaseSeconds: number;
  profiles?: ProfileDirs;
  out: (s: string) => void;
}

export interface SideBySideResult {
  rows: RunRow[];
  summary: Record<string, number>;
  /** Median ms of ChannelCheck CPU per part of a check (`message`, `step1`, …, `finalStep`); null if skipped. */
  ccCpuMsByPart: Record<string, number> | null;
}

/** Where a check's runs are cut: after 0 (the message alone), 1, 2 and 3 invokes, and whole checks (null). */
const PHASE_CUTS: Array<number | null> = [0, 1, 2, 3, null];
const PHASE_REPETITIONS = 2;
const PHASE_CONNECTIONS = 10;

/**
 * ChannelCheck alone, warm from the rounds, at 10 connections: checks cut after each of PHASE_CUTS, then
 * again in reverse order (so a drift of the machine over the section falls on both ends alike). Its runs
 * stay out of the rows the summary pools.
 */
async function checkPhases(cc: Server, connector: FakeBotConnector, seconds: number, out: (s: string) => void): Promise<{ parts: CheckParts | null; errors: number }> {
  const repetitions: CutRun[][] = [];
  let phaseErrors = 0;
  for (let rep = 1; rep <= PHASE_REPETITIONS; rep++) {
    const runs: CutRun[] = [];
    for (const cut of rep % 2 === 1 ? PHASE_CUTS : [...PHASE_CUTS].reverse()) {
      const row = await measure(cc, checkLoad(connector, cut ?? Infinity), PHASE_CONNECTIONS, seconds, rep, connector);
      printRow({ ...row, server: cut === null ? 'cc whole checks' : `cc cut after ${cut}` }, out);
      runs.push({ cut, cpuMs: row.cpuMs, requests: row.requests, checks: row.checks, checkRequests: row.samples.checkRequests, errors: row.errors });
      phaseErrors += row.errors;
    }
    repetitions.push(runs);
  }
  if (phaseErrors > 0) {
    out(`  ChannelCheck CPU per part of a check: not worked out, ${phaseErrors} request(s) failed in these runs (see the round lines)\n`);
    return { parts: null, errors: phaseErrors };
  }
  return { parts: cpuByPart(repetitions), errors: 0 };
}

function printCheckParts(parts: CheckParts, echoCpuMsPerRequest: number, out: (s: string) => void): void {
  const line = (label: string, p: CheckParts['total']) => `  ${label.padEnd(12)} ${f2(p.medianMs).padStart(6)} ms  (${f2(p.minMs)}–${f2(p.maxMs)})\n`;
  out(`  ChannelCheck CPU per part of a check, median of ${PHASE_REPETITIONS} (range):\n`);
  for (const p of parts.parts) out(line(p.label, p));
  out(line('whole check', parts.total));
  out(`  for reference, the echo bot at ${PHASE_CONNECTIONS} connections (the rounds above): ${f2(echoCpuMsPerRequest)} ms CPU per request\n`);
}

function pool(rows: RunRow[]): { seconds: number; requests: number; invokes: number; checks: number; cpuMs: number; samples: Samples } {
  const samples = new Samples();
  for (const r of rows) samples.merge(r.samples);
  return {
    seconds: rows.reduce((n, r) => n + r.seconds, 0),
    requests: rows.reduce((n, r) => n + r.requests, 0),
    invokes: rows.reduce((n, r) => n + r.invokes, 0),
    checks: rows.reduce((n, r) => n + r.checks, 0),
    cpuMs: rows.reduce((n, r) => n + r.cpuMs, 0),
    samples,
  };
}

export async function runSideBySide(o: SideBySideOptions): Promise<SideBySideResult> {
  const buildStarted = performance.now();
  const build = buildServers();
  o.out(`side by side: servers run with node ${serverNodeFlags().join(' ') || '(no flags)'}\n`);
  o.out(`side by side: servers compiled in ${((performance.now() - buildStarted) / 1000).toFixed(0)} s\n`);
  const fixture = (name: string) => path.join(build, 'scripts/bench', name);
  const profiles = o.profiles ?? {};
  const profiling = Boolean(profiles.cpu || profiles.heap);
  const connector = await FakeBotConnector.start();
  const sqliteEnv = { NODE_ENV: 'development', LOG_LEVEL: 'info', PORT: '0', HOST: '127.0.0.1', CHANNELCHECK_COUNCIL: 'hillingdon', CHANNELCHECK_SERVICE_URL: connector.serviceUrl, CHANNELCHECK_DIRECTORY_FILE: path.join(ROOT, 'env/directory.example.yaml'), CHANNELCHECK_ENV_FILE: '', DATABASE_URL: '', CHANNELCHECK_RATE_LIMIT_POINTS: String(BENCH_TURNS_PER_MINUTE) };
  const rows: RunRow[] = [];
  const servers: Server[] = [];
  let ccCpuMsByPart: Record<string, number> | null = null;
  let phaseErrors = 0;
  try {
    const echo = await startServer('echo', fixture('echoBot.js'), {}, profiles);
    servers.push(echo);
    const cc = await startServer('channelcheck', fixture('channelCheckServer.js'), sqliteEnv, profiles);
    servers.push(cc);
    const echoL = echoLoad(connector.serviceUrl);
    const ccL = checkLoad(connector);
    o.out(`side by side: warm-up ${o.warmupSeconds} s each, then ${o.rounds} rounds of ${o.seconds} s at ${o.connections.join(', then at ')} connections (echo and ChannelCheck taking turns)\n`);
    await measure(echo, echoL, 10, o.warmupSeconds, 0, connector);
    await measure(cc, ccL, 10, o.warmupSeconds, 0, connector);
    if (profiling) await Promise.all([profileStep(echo, 'start'), profileStep(cc, 'start')]);
    // All rounds at one load before the next, so a peak RSS read after the 10-connection rounds is theirs.
    for (const c of o.connections) {
      for (let round = 1; round <= o.rounds; round++) {
        for (const [server, load] of [[echo, echoL], [cc, ccL]] as const) {
          const row = await measure(server, load, c, o.seconds, round, connector);
          rows.push(row);
          printRow(row, o.out);
        }
      }
    }
    if (profiling) await Promise.all([profileStep(echo, 'stop'), profileStep(cc, 'stop')]);
    if (o.phaseSeconds > 0) {
      o.out(`where a check's CPU goes: ChannelCheck alone at ${PHASE_CONNECTIONS} connections, checks cut after 0, 1, 2, 3 invokes and whole, ${o.phaseSeconds} s each, ${PHASE_REPETITIONS} times (the second in reverse order)\n`);
      const { parts, errors } = await checkPhases(cc, connector, o.phaseSeconds, o.out);
      phaseErrors = errors;
      if (parts !== null) {
        const echoAt10 = pool(rows.filter((r) => r.server === 'echo' && r.connections === PHASE_CONNECTIONS));
        printCheckParts(parts, echoAt10.cpuMs / echoAt10.requests, o.out);
        ccCpuMsByPart = Object.fromEntries(parts.parts.map((p) => [p.key, Number(p.medianMs.toFixed(2))]));
      }
    }
    if (o.postgresUrl) {
      o.out('ChannelCheck alone on PostgreSQL (fresh schema):\n');
      const pg = await startServer('channelcheck-pg', fixture('channelCheckServer.js'), { ...sqliteEnv, DATABASE_URL: o.postgresUrl }, profiles);
      servers.push(pg);
      await measure(pg, ccL, 10, o.warmupSeconds, 0, connector);
      if (profiling) await profileStep(pg, 'start');
      for (const c of o.connections) {
        for (let round = 1; round <= o.rounds; round++) {
          const row = await measure(pg, ccL, c, o.seconds, round, connector);
          rows.push(row);
          printRow(row, o.out);
        }
      }
      if (profiling) await profileStep(pg, 'stop');
    }
  } finally {
    for (const s of servers.reverse()) await s.stop();
    await connector.close();
    fs.rmSync(build, { recursive: true, force: true });
  }
  const at10Rows = (name: string) => rows.filter((r) => r.server === name && r.connections === 10);
  const at10 = (name: string) => pool(at10Rows(name));
  const e = at10('echo');
  const c = at10('channelcheck');
  const echoRps = e.invokes / e.seconds;
  const ccInvokeRps = c.invokes / c.seconds;
  const summary = {
    echoRps: Math.round(echoRps),
    ccInvokeRps: Math.round(ccInvokeRps),
    invokeRatio: Number((ccInvokeRps / echoRps).toFixed(3)),
    cpuRatioPerRequest: Number((c.cpuMs / c.requests / (e.cpuMs / e.requests)).toFixed(3)),
    checksPerSec: Number((c.checks / c.seconds).toFixed(1)),
    stepP99Ms: Number(percentile(c.samples.times.step, 99).toFixed(1)),
    submitP99Ms: Number(percentile(c.samples.times.submit, 99).toFixed(1)),
    messageP99Ms: Number(percentile(c.samples.times.message, 99).toFixed(1)),
    echoP99Ms: Number(percentile(e.samples.times.echo, 99).toFixed(1)),
    // Peak RSS (VmHWM) up to the end of the 10-connection rounds (warm-up included); the rows show the rest.
    rssPeakMb: Math.round(Math.max(...rows.filter((r) => r.server === 'channelcheck' && r.connections === 10).map((r) => r.rssPeakMb))),
    // Every failed answer, the where-a-check's-CPU-goes runs included: zero errors is a target at every load.
    errors: rows.reduce((n, r) => n + r.errors, 0) + phaseErrors,
    // Event-loop delay: the worst 10-connection round's p99 (not a p99 over the rounds' samples pooled).
    ccLoopDelayP99Ms: Number(worstP99Ms(at10Rows('channelcheck').map((r) => r.loopDelay)).toFixed(1)),
    echoLoopDelayP99Ms: Number(worstP99Ms(at10Rows('echo').map((r) => r.loopDelay)).toFixed(1)),
  };
  return { rows, summary, ccCpuMsByPart };
}
