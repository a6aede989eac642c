/** What an operator sees: /readyz names a missing escalation channel; one log line per request and per decision, ids only. */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { StoreUnavailableError } from '../../src/domain/ports/storeUnavailable';
import { actionData, answersFor, cardText, type Harness, PEOPLE, startHarness } from './botHarness';

const FACTS = { contactType: 'young_person', purpose: 'keep_in_touch', initiatedBy: 'practitioner', immediateRiskToLife: false, safeguardingConcern: false, caseRef: 'CR-77120', age: 17, device: 'work_issued', account: 'work', teamsAvailable: true, consent: 'given', withinWorkingHours: true, riskPhoneAccessByAbuser: false, sensitiveContent: false, inappropriateContentReceived: false, dataIncident: false, practitionerUncertain: false };

const lines = (h: Harness) => h.logs.flatMap((l) => l.split('\n')).filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);

describe('bot: what an operator sees', function () {
  this.timeout(60_000);
  let h: Harness;
  afterEach(async () => h?.close());

  it('reports a missing escalation channel in /readyz without making the instance unready', async () => {
    h = await startHarness({ dispatch: false, env: { CHANNELCHECK_ESCALATION_CHANNEL: '' } });
    const r = await fetch(`http://127.0.0.1:${h.port}/readyz`);
    assert.equal(r.status, 200);
    const body = (await r.json()) as { status: string; checks: Array<{ name: string; ok: boolean; advisory?: boolean; error?: string }> };
    assert.equal(body.status, 'ready');
    const channel = body.checks.find((c) => c.name === 'escalationChannel');
    assert.equal(channel?.ok, false);
    assert.equal(channel?.advisory, true);
    assert.match(channel?.error ?? '', /CHANNELCHECK_ESCALATION_CHANNEL/);
  });

  it("/readyz names a failing store in fixed words and logs the store's own error text, never shows it", async () => {
    h = await startHarness({ dispatch: false });
    const raw = 'connect ECONNREFUSED 10.20.30.40:5432 (password authentication failed for user "cc_app" on db-prod-1.council.internal)';
    const stubs = [
      sinon.stub(h.app.store, 'checkWritable').rejects(new StoreUnavailableError('unreachable', raw)),
      sinon.stub(h.app.store, 'getDecision').rejects(new Error(raw)),
    ];
    try {
      const r = await fetch(`http://127.0.0.1:${h.port}/readyz`);
      assert.equal(r.status, 503);
      const text = await r.text();
      for (const secret of ['10.20.30.40', 'cc_app', 'db-prod-1', 'ECONNREFUSED', 'password']) assert.ok(!text.includes(secret), `"${secret}" is not shown: ${text}`);
      const body = JSON.parse(text) as { checks: Array<{ name: string; ok: boolean; error?: string }> };
      assert.deepEqual(body.checks.find((c) => c.name === 'store'), { name: 'store', ok: false, error: 'store: not readable' });
      assert.deepEqual(body.checks.find((c) => c.name === 'store-writable'), { name: 'store-writable', ok: false, error: 'store: not writable (the database cannot be reached)' });
      const logged = lines(h).filter((l) => l.msg === 'readiness check failed');
      assert.deepEqual(logged.map((l) => l.check).sort(), ['store', 'store-writable']);
      assert.ok(logged.every((l) => JSON.stringify(l.err).includes('10.20.30.40')), 'the detail is in the log');
    } finally {
      for (const s of stubs) s.restore();
    }
    assert.equal((await fetch(`http://127.0.0.1:${h.port}/readyz`)).status, 200);
  });

  it('reports the escalation channel as fine when it is configured', async () => {
    h = await startHarness({ dispatch: false });
    const body = (await (await fetch(`http://127.0.0.1:${h.port}/readyz`)).json()) as { checks: Array<{ name: string; ok: boolean }> };
    assert.equal(body.checks.find((c) => c.name === 'escalationChannel')?.ok, true);
  });

  it('logs one line per request and one per decision, with ids and no names, facts or case references', async () => {
    h = await startHarness({ dispatch: false });
    await h.message(PEOPLE.pat, 'new check');
    let card = h.cardsTo(PEOPLE.pat).at(-1)!.card;
    let invokes = 0;
    for (let i = 0; i < 8 && cardText(card).includes('wizard.next'); i++) {
      const r = await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(card, 'wizard.next'), ...answersFor(card, FACTS) });
      invokes++;
      card = r.body.value;
    }
    const all = lines(h);
    const requests = all.filter((l) => l.msg === 'request' && l.path === '/api/messages');
    assert.equal(requests.length, 1 + invokes, 'one line per POST /api/messages');
    assert.ok(requests.every((l) => l.method === 'POST' && l.status === 200 && typeof l.ms === 'number'));
    const decisions = all.filter((l) => l.msg === 'decision');
    assert.equal(decisions.length, 1);
    assert.equal(decisions[0]!.council, 'hillingdon');
    assert.equal(decisions[0]!.practitionerAadId, PEOPLE.pat.aadObjectId);
    assert.match(String(decisions[0]!.decisionId), /^[0-9a-f-]{36}$/);
    const text = h.logs.join('');
    for (const personal of [PEOPLE.pat.name, 'CR-77120', 'keep_in_touch']) assert.ok(!text.includes(personal), `"${personal}" is not logged`);
  });
});
