/**
 * Two real bot processes (src/index.ts, as `npm start` runs it) on one fresh PostgreSQL schema, in front of
 * one loopback fake Bot Connector, as two App Service instances behind a load balancer would be. Requests
 * alternate between them. It shows: a wizard started on one continues on the other; a decision is notified
 * exactly once; an approval settled on one updates the practitioner's card whichever process sent it; the
 * escalation timer fires once; killing one process (SIGKILL) while notifications are being retried loses
 * none of them. Assertions wait on events (rows, deliveries), never on wall-clock bounds; the only timing
 * settings are the short ack timeout (1 minute) and claim lease (10 s) the test configures.
 * No server: with CI=true the run fails; otherwise a loud warning and the tests are pending, never passed.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client } from 'pg';
import { ESCALATION_TIMER_KIND } from '../../src/domain/escalations';
import { actionData, answersFor, cardText, conversationOf, ESCALATION_CHANNEL, PEOPLE, type Person, TENANT } from '../bot/botHarness';
import { requirePostgres, TEST_DATABASE_URL } from '../store/postgresHarness';
import { connectorPaths, FakeBotConnector } from '../support/fakeBotConnector';
import { waitFor } from './notifyHarness';

const ROOT = path.resolve(__dirname, '../..');
const BASE = { initiatedBy: 'practitioner', immediateRiskToLife: false, safeguardingConcern: false, device: 'work_issued', account: 'work', teamsAvailable: true, consent: 'given', withinWorkingHours: true, riskPhoneAccessByAbuser: false, sensitiveContent: false, inappropriateContentReceived: false, dataIncident: false, practitionerUncertain: false };
const NEEDS_APPROVAL = { ...BASE, contactType: 'parent_carer', purpose: 'video_visit', teamsAvailable: false, caseRef: 'CR-62001' };
// Out of hours: the manager and the Head of Service at once; the timer then escalates to the channel.
const SAFEGUARDING = { ...BASE, contactType: 'young_person', age: 16, purpose: 'keep_in_touch', safeguardingConcern: true, withinWorkingHours: false, caseRef: 'CR-62002' };

interface Replica {
  name: string;
  child: ChildProcess;
  port: number;
  output: string[];
}

function databaseUrl(schema: string): string {
  const url = new URL(TEST_DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

async function startReplica(name: string, env: Record<string, string>): Promise<Replica> {
  const child = spawn(process.execPath, ['--disable-warning=DEP0111', '-r', 'tsx/cjs', 'src/index.ts'], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const output: string[] = [];
  child.stderr!.on('data', (d) => output.push(String(d)));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      output.push(String(d));
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)\//.exec(output.join(''));
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${name} exited (${code}) before listening:\n${output.join('')}`)));
  });
  return { name, child, port, output };
}

async function stop(r: Replica, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (r.child.exitCode !== null || r.child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => r.child.once('exit', () => resolve()));
  r.child.kill(signal);
  await exited;
}

let seq = 0;
async function post(r: Replica, fake: FakeBotConnector, from: Person, activity: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const res = await fetch(`http://127.0.0.1:${r.port}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      channelId: 'msteams',
      serviceUrl: fake.serviceUrl,
      from,
      recipient: { id: '28:channelcheck', name: 'ChannelCheck' },
      conversation: { id: conversationOf(from), conversationType: 'personal', tenantId: TENANT },
      channelData: { tenant: { id: TENANT } },
      locale: 'en-GB',
      timestamp: new Date().toISOString(),
      id: `act-${++seq}`,
      ...activity,
    }),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
const message = (r: Replica, fake: FakeBotConnector, from: Person, text: string) => post(r, fake, from, { type: 'message', text });
const invoke = (r: Replica, fake: FakeBotConnector, from: Person, verb: string, data: Record<string, unknown>) =>
  post(r, fake, from, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data: { verb, ...data } } } });

function cardsTo(fake: FakeBotConnector, who: Person): Array<{ resultId: string | null; card: any; key: string | null }> {
  return fake.deliveredTo(conversationOf(who)).flatMap((c) => {
    const att = (c.body as any)?.attachments?.[0];
    return att?.contentType === 'application/vnd.microsoft.card.adaptive' ? [{ resultId: c.resultId, card: att.content, key: c.idempotencyKey }] : [];
  });
}

describe('two bot processes on PostgreSQL', function () {
  this.timeout(300_000);
  let fake: FakeBotConnector;
  let schema: string;
  let db: Client;
  let a: Replica;
  let b: Replica;

  before(async function () {
    await requirePostgres(this, 'the two-process test');
    fake = await FakeBotConnector.start();
    schema = `cc_test_${randomBytes(6).toString('hex')}`;
    db = new Client({ connectionString: TEST_DATABASE_URL });
    await db.connect();
    await db.query(`create schema ${schema}`);
    await db.query(`set search_path = ${schema}`);
    const env = {
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      CHANNELCHECK_ENV_FILE: '',
      CHANNELCHECK_COUNCIL: 'hillingdon',
      DATABASE_URL: databaseUrl(schema),
      CHANNELCHECK_DIRECTORY_FILE: path.join(ROOT, 'env/directory.example.yaml'),
      CHANNELCHECK_SERVICE_URL: fake.serviceUrl,
      CHANNELCHECK_ESCALATION_CHANNEL: ESCALATION_CHANNEL,
      CHANNELCHECK_DISPATCH_POLL_MS: '100',
      CHANNELCHECK_DISPATCH_LEASE_SECONDS: '10',
      CHANNELCHECK_ACK_TIMEOUT_MINUTES: '1',
    };
    a = await startReplica('A', env); // A runs the migrations on the fresh schema; B finds them done
    b = await startReplica('B', env);
    for (const [i, p] of [PEOPLE.pat, PEOPLE.lee, PEOPLE.sam, PEOPLE.jo].entries()) {
      assert.equal((await post(i % 2 ? b : a, fake, p, { type: 'installationUpdate', action: 'add' })).status, 200);
    }
  });

  after(async () => {
    if (a) await stop(a, 'SIGKILL');
    if (b) await stop(b);
    await fake?.close();
    if (db) {
      await db.query(`drop schema if exists ${schema} cascade`);
      await db.end();
    }
  });

  const rows = async (query: string, params: unknown[] = []) => (await db.query(query, params)).rows;

  /** Runs a whole check, each request to the other process than the one before. Returns the outcome card. */
  async function check(who: Person, facts: Record<string, unknown>, first: Replica): Promise<{ card: any; wizardCardId: string | null }> {
    const before = cardsTo(fake, who).length;
    assert.equal((await message(first, fake, who, 'new check')).status, 200);
    const started = cardsTo(fake, who).slice(before).find((c) => cardText(c.card).includes('About the contact'));
    assert.ok(started, 'the wizard card was posted');
    let card = started.card;
    let on = first === a ? b : a;
    for (let i = 0; i < 8 && cardText(card).includes('wizard.next'); i++) {
      const r = await invoke(on, fake, who, 'wizard.next', { ...actionData(card, 'wizard.next'), ...answersFor(card, facts) });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.statusCode, 200, JSON.stringify(r.body));
      card = r.body.value;
      on = on === a ? b : a;
    }
    return { card, wizardCardId: started.resultId };
  }

  it('a wizard started on one process continues on the other; the decision is notified exactly once; an approval settled on the other updates the card', async () => {
    const { card, wizardCardId } = await check(PEOPLE.pat, NEEDS_APPROVAL, a);
    assert.match(cardText(card), /approval request is being sent to your line manager Lee Manager/);
    const [decision] = await rows('select id from decisions');
    assert.ok(decision, 'one decision recorded');
    assert.equal((await rows('select count(*)::int n from decisions'))[0].n, 1, 'recorded once, though its steps went to both processes');

    await waitFor('the approval card reaches the manager', () => cardsTo(fake, PEOPLE.lee).some((c) => cardText(c.card).includes('Approval needed')), 60_000, 100);
    await waitFor('the outbox is drained', async () => (await rows("select count(*)::int n from outbox where status <> 'sent'"))[0].n === 0, 60_000, 100);
    const approvalCards = cardsTo(fake, PEOPLE.lee).filter((c) => cardText(c.card).includes('Approval needed'));
    assert.equal(approvalCards.length, 1, 'notified exactly once, with two dispatchers polling');

    // The manager decides on whichever process the balancer picks: here B.
    const r = await invoke(b, fake, PEOPLE.lee, 'approval.approve', { ...actionData(approvalCards[0]!.card, 'approval.approve'), comment: 'Fine this week.' });
    assert.match(cardText(r.body.value), /Approved by Lee Manager/);
    await waitFor('the practitioner\'s card is updated in place', () => fake.updates().some((u) => u.conversationId === conversationOf(PEOPLE.pat) && u.activityId === wizardCardId), 60_000, 100);
    await waitFor('the outbox is drained', async () => (await rows("select count(*)::int n from outbox where status <> 'sent'"))[0].n === 0, 60_000, 100);
    const updates = fake.updates().filter((u) => u.conversationId === conversationOf(PEOPLE.pat) && u.activityId === wizardCardId);
    assert.equal(updates.length, 1, 'updated once');
    assert.match(JSON.stringify(updates[0]!.body), /Approved by Lee Manager/);
    assert.deepEqual([...fake.deliveredKeyCounts()].filter(([key, n]) => key !== '(no key)' && n > 1), [], 'no notification was sent twice');
  });

  it('the escalation timer of an unacknowledged safeguarding alert fires once, on one process', async () => {
    await check(PEOPLE.pat, SAFEGUARDING, b);
    const [escalation] = await rows("select id from escalations order by created_at desc limit 1");
    assert.ok(escalation);
    await waitFor('the unacknowledged alert escalates to the channel', () => fake.deliveredTo(ESCALATION_CHANNEL).length > 0, 180_000, 200);
    await waitFor('the outbox is drained', async () => (await rows("select count(*)::int n from outbox where status <> 'sent'"))[0].n === 0, 60_000, 100);
    const timers = await rows('select fired_at, claimed_by from timers where kind = $1 and ref_id = $2', [ESCALATION_TIMER_KIND, escalation.id]);
    assert.ok(timers.length >= 1);
    assert.equal(timers.filter((t) => t.fired_at !== null).length, 1, 'one timer fired');
    const escalated = await rows("select count(*)::int n from audit_events where type = 'escalation.escalated' and decision_id = (select decision_id from escalations where id = $1)", [escalation.id]);
    assert.equal(escalated[0].n, 1, 'escalated once, in the audit trail');
    const toChannel = fake.deliveredTo(ESCALATION_CHANNEL);
    assert.equal(toChannel.length, 1, 'the channel is told once');
    assert.deepEqual([...fake.deliveredKeyCounts()].filter(([key, n]) => key !== '(no key)' && n > 1), [], 'no notification was sent twice');
  });

  it('killing one process (SIGKILL) while notifications are being retried loses none of them', async () => {
    const deliveredBefore = cardsTo(fake, PEOPLE.lee).length;
    // Teams is failing for a while: every notification is being retried when A dies.
    // (Replies within a turn carry no idempotency key and are not failed: the wizard goes on.)
    fake.fail({ method: 'POST', path: connectorPaths.anySend, when: (call) => call.idempotencyKey !== null, times: 30, fault: { status: 503 } });
    const decided: string[] = [];
    for (let i = 0; i < 6; i++) {
      await check(PEOPLE.pat, { ...NEEDS_APPROVAL, caseRef: `CR-6300${i}` }, i % 2 ? a : b);
    }
    for (const d of await rows("select id from decisions where case_ref like 'CR-6300%'")) decided.push(d.id);
    assert.equal(decided.length, 6);
    const approvals = await rows("select id from approval_requests where decision_id = any($1)", [decided]);
    assert.equal(approvals.length, 6);
    await waitFor('the dispatchers are retrying them', async () => (await rows("select count(*)::int n from outbox where ref_id = any($1) and attempts > 0 and status <> 'sent'", [approvals.map((ap) => ap.id)]))[0].n > 0, 60_000, 50);
    await stop(a, 'SIGKILL');

    await waitFor('every approval request reaches the manager', () => approvals.every((ap) => cardsTo(fake, PEOPLE.lee).some((c) => c.key === `approval:${ap.id}:manager`)), 180_000, 200);
    await waitFor('the outbox is drained by B alone', async () => (await rows("select count(*)::int n from outbox where status <> 'sent'"))[0].n === 0, 120_000, 200);
    assert.equal((await rows("select count(*)::int n from outbox where status = 'dead'"))[0].n, 0, 'nothing dead-lettered');
    assert.ok(cardsTo(fake, PEOPLE.lee).length >= deliveredBefore + 6);
  });
});
