/**
 * The tab's API over HTTP with the real services, store and dispatcher against a fake Bot Connector: it
 * returns the same views the bot's cards are made from, acts through the same services and rules as a card
 * click, and never returns another person's data, whatever ids a request carries.
 */
import assert from 'node:assert/strict';
import { BASE_FACTS, cardText, completeCheck, type Harness, PEOPLE, type Person, queryRows, startHarness } from '../bot/botHarness';

const NEEDS_APPROVAL = { ...BASE_FACTS, contactType: 'parent_carer', purpose: 'video_visit', teamsAvailable: false, caseRef: 'CR-81001' };
const SAFEGUARDING = { ...BASE_FACTS, contactType: 'young_person', age: 16, purpose: 'keep_in_touch', safeguardingConcern: true, caseRef: 'CR-81002' };
const ALLOWED = { ...BASE_FACTS, contactType: 'young_person', age: 17, purpose: 'keep_in_touch', caseRef: 'CR-81003' };

describe('tab API: the same views and actions as the cards, for the signed-in person only', function () {
  this.timeout(60_000);
  let h: Harness;
  let clock: number;
  const tokens = new Map<string, string>();

  const token = async (who: Person) => {
    const known = tokens.get(who.aadObjectId);
    if (known) return known;
    const res = await fetch(`http://127.0.0.1:${h.port}/api/tab/dev/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ aadObjectId: who.aadObjectId }) });
    const t = ((await res.json()) as { token: string }).token;
    tokens.set(who.aadObjectId, t);
    return t;
  };
  const api = async (who: Person, method: 'GET' | 'POST', path: string, body?: unknown) => {
    const res = await fetch(`http://127.0.0.1:${h.port}/api/tab/${path}`, {
      method,
      headers: { authorization: `Bearer ${await token(who)}`, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
      ...(method === 'POST' ? { body: JSON.stringify(body ?? {}) } : {}),
    });
    const text = await res.text();
    return { status: res.status, text, body: text ? (JSON.parse(text) as any) : null };
  };

  beforeEach(async () => {
    clock = Date.parse('2026-03-03T10:00:00Z'); // a Tuesday morning, inside working hours
    tokens.clear();
    h = await startHarness({ dispatch: false, now: () => new Date(clock), env: { CHANNELCHECK_TAB_DEV_SIGNIN: 'true' } });
    for (const p of [PEOPLE.pat, PEOPLE.lee, PEOPLE.sam, PEOPLE.jo, PEOPLE.alex]) await h.install(p);
  });
  afterEach(async () => h.close());

  const decisions = () => queryRows(h.dbFile, 'select id, case_ref from decisions order by created_at');

  it('My checks: the practitioner\'s own decisions as the bot\'s decision views, with the case note', async () => {
    await completeCheck(h, PEOPLE.pat, ALLOWED);
    await completeCheck(h, PEOPLE.pat, NEEDS_APPROVAL);
    const mine = await api(PEOPLE.pat, 'GET', 'my-checks');
    assert.equal(mine.status, 200, mine.text);
    assert.deepEqual(mine.body.decisions.map((d: any) => d.caseRef).sort(), ['CR-81001', 'CR-81003']);
    const approval = mine.body.decisions.find((d: any) => d.caseRef === 'CR-81001');
    assert.equal(approval.outcome, 'manager_approval_required');
    assert.equal(approval.approval.status, 'open');
    assert.match(approval.caseNote, /CR-81001/);
    assert.deepEqual((await api(PEOPLE.lee, 'GET', 'my-checks')).body.decisions, [], 'the manager has no checks of their own');
  });

  it('Approvals: the manager approves in the tab; the record, the practitioner\'s card and message, and the manager\'s own card change', async () => {
    await completeCheck(h, PEOPLE.pat, NEEDS_APPROVAL);
    await h.drain();
    const waiting = await api(PEOPLE.lee, 'GET', 'approvals');
    assert.equal(waiting.status, 200, waiting.text);
    assert.equal(waiting.body.approvals.length, 1);
    const request = waiting.body.approvals[0];
    assert.equal(request.viewerMayDecide, true);
    assert.equal(request.caseRef, 'CR-81001');
    clock += 5 * 60_000;
    assert.equal((await api(PEOPLE.lee, 'GET', 'approvals')).body.now, new Date(clock).toISOString(), 'waiting times are counted on the server\'s clock');

    const settled = await api(PEOPLE.lee, 'POST', `approvals/${request.approvalId}/approve`, { comment: 'Just this once.', version: request.version });
    assert.equal(settled.status, 200, settled.text);
    assert.equal(settled.body.status, 'approved');
    assert.deepEqual(queryRows(h.dbFile, 'select status, decided_by from approval_requests'), [{ status: 'approved', decided_by: PEOPLE.lee.aadObjectId }]);
    await h.drain();
    const patCards = h.connector.calls.filter((c) => c.operation === 'updateActivity' && c.conversationId === `a:personal-${PEOPLE.pat.aadObjectId}`);
    assert.ok(patCards.some((c) => /Approved by your line manager/.test(cardText(c.body))), 'the practitioner\'s outcome card is updated');
    assert.ok(h.textsTo(PEOPLE.pat).some((t) => /Lee Manager approved your request.*Just this once/.test(t)));
    const leeCards = h.connector.calls.filter((c) => c.operation === 'updateActivity' && c.conversationId === `a:personal-${PEOPLE.lee.aadObjectId}`);
    assert.ok(leeCards.some((c) => !/approval\.approve/.test(cardText(c.body))), 'the manager\'s own approval card no longer offers the buttons');
    assert.equal((await api(PEOPLE.lee, 'GET', 'approvals')).body.approvals.length, 0, 'nothing waits any more');
    const seen = (await api(PEOPLE.pat, 'GET', 'my-checks')).body.decisions[0];
    assert.deepEqual([seen.approval.status, seen.approval.settledBy, seen.approval.comment], ['approved', { name: 'Lee Manager' }, 'Just this once.'], 'read later, the view says by whom');
    assert.match(seen.caseNote, /Lee Manager/, 'and so does the case note');
    const replay = await api(PEOPLE.lee, 'POST', `approvals/${request.approvalId}/decline`, { version: request.version });
    assert.equal(replay.body.status, 'approved', 'a replay gets the settled state; it settles once');
    assert.equal(queryRows(h.dbFile, "select count(*) as n from audit_events where type in ('approval.approved', 'approval.declined')")[0].n, 1);
  });

  it('Approvals: alerts with how long they have waited; acknowledging in the tab stops the escalation timer', async () => {
    await completeCheck(h, PEOPLE.pat, SAFEGUARDING);
    await h.drain();
    clock += 3 * 60_000;
    const waiting = await api(PEOPLE.lee, 'GET', 'approvals');
    assert.equal(waiting.body.alerts.length, 1);
    const alert = waiting.body.alerts[0];
    assert.equal(Date.parse(waiting.body.now) - Date.parse(alert.raisedAt), 3 * 60_000);
    const pending = () => queryRows(h.dbFile, `select count(*) as n from timers where ref_id = '${alert.escalationId}' and fired_at is null and cancelled_at is null`)[0].n;
    assert.ok(pending() > 0);
    const ack = await api(PEOPLE.lee, 'POST', `alerts/${alert.escalationId}/acknowledge`, {});
    assert.equal(ack.status, 200, ack.text);
    assert.equal(ack.body.status, 'acknowledged');
    assert.equal(pending(), 0, 'no escalation timer is left to fire');
    await h.drain();
    assert.ok(h.textsTo(PEOPLE.pat).some((t) => /Lee Manager acknowledged your safeguarding alert/.test(t)));
    const mine = await api(PEOPLE.pat, 'GET', 'my-checks');
    assert.equal(mine.body.decisions[0].alert.status, 'acknowledged');
    assert.deepEqual(mine.body.decisions[0].alert.acknowledgedBy, { name: 'Lee Manager' }, 'read later, the view says by whom');
  });

  it('lists alerts and approval requests oldest first', async () => {
    await completeCheck(h, PEOPLE.pat, NEEDS_APPROVAL);
    clock += 60_000;
    await completeCheck(h, PEOPLE.jo, { ...NEEDS_APPROVAL, caseRef: 'CR-81009' });
    const waiting = await api(PEOPLE.lee, 'GET', 'approvals');
    assert.deepEqual(waiting.body.approvals.map((a: any) => a.caseRef), ['CR-81001', 'CR-81009']);
  });

  it('never returns another person\'s record or lets them act on it, whatever ids the request carries', async () => {
    await completeCheck(h, PEOPLE.pat, NEEDS_APPROVAL);
    await completeCheck(h, PEOPLE.pat, SAFEGUARDING);
    await h.drain();
    const [approvalRow] = queryRows(h.dbFile, 'select id from approval_requests');
    const [alertRow] = queryRows(h.dbFile, 'select id from escalations');
    for (const d of decisions()) {
      for (const who of [PEOPLE.alex, PEOPLE.sam]) {
        const r = await api(who, 'GET', `records/${d.id}`);
        assert.ok([403, 404].includes(r.status), `${who.name} records/${d.id}: ${r.status}`);
        assert.doesNotMatch(r.text, /CR-8100|Pat Practitioner/);
      }
      const own = await api(PEOPLE.pat, 'GET', `records/${d.id}`);
      assert.equal(own.status, 200, 'the practitioner opens their own');
      assert.equal((await api(PEOPLE.lee, 'GET', `records/${d.id}`)).status, 200, 'their line manager opens their team\'s');
    }
    const missing = await api(PEOPLE.alex, 'GET', 'records/00000000-0000-0000-0000-000000000000');
    const refused = await api(PEOPLE.alex, 'GET', `records/${decisions()[0].id}`);
    assert.deepEqual([missing.status, missing.body], [refused.status, refused.body], 'a refusal reads the same as a missing record');
    for (const [who, path] of [
      [PEOPLE.alex, `approvals/${approvalRow.id}/approve`],
      [PEOPLE.sam, `approvals/${approvalRow.id}/approve`],
      [PEOPLE.pat, `approvals/${approvalRow.id}/approve`],
      [PEOPLE.alex, `alerts/${alertRow.id}/acknowledge`],
      [PEOPLE.pat, `alerts/${alertRow.id}/acknowledge`],
    ] as const) {
      const r = await api(who, 'POST', path, {});
      assert.equal(r.status, 403, `${who.name} ${path}: ${r.text}`);
      assert.doesNotMatch(r.text, /CR-8100/);
    }
    for (const who of [PEOPLE.alex, PEOPLE.sam]) {
      for (const path of ['my-checks', 'approvals']) assert.doesNotMatch((await api(who, 'GET', path)).text, /CR-8100|Pat Practitioner/, `${who.name} ${path}`);
    }
    assert.deepEqual(queryRows(h.dbFile, 'select status from approval_requests'), [{ status: 'open' }]);
    assert.equal(queryRows(h.dbFile, 'select status from escalations')[0].status !== 'acknowledged', true);
    assert.ok(queryRows(h.dbFile, "select count(*) as n from audit_events where type in ('approval.settle_refused', 'escalation.ack_refused')")[0].n >= 4, 'each refused attempt is on the audit trail');
  });

  it('refuses a body with unknown fields, wrong types or not JSON, naming the field, and changes nothing', async () => {
    await completeCheck(h, PEOPLE.pat, NEEDS_APPROVAL);
    const [approvalRow] = queryRows(h.dbFile, 'select id from approval_requests');
    const extra = await api(PEOPLE.lee, 'POST', `approvals/${approvalRow.id}/approve`, { comment: 'ok', managerAadId: PEOPLE.lee.aadObjectId });
    assert.equal(extra.status, 400);
    assert.match(extra.body.error, /managerAadId|Unrecognized|unrecognized/);
    const wrongType = await api(PEOPLE.lee, 'POST', `approvals/${approvalRow.id}/approve`, { version: 'one' });
    assert.equal(wrongType.status, 400);
    assert.match(wrongType.body.error, /^version: /);
    const tooLong = await api(PEOPLE.lee, 'POST', `approvals/${approvalRow.id}/approve`, { comment: 'x'.repeat(1001) });
    assert.equal(tooLong.status, 400);
    const notJson = await fetch(`http://127.0.0.1:${h.port}/api/tab/approvals/${approvalRow.id}/approve`, { method: 'POST', headers: { authorization: `Bearer ${await token(PEOPLE.lee)}`, 'content-type': 'text/plain' }, body: 'approve' });
    assert.equal(notJson.status, 415);
    assert.deepEqual(queryRows(h.dbFile, 'select status from approval_requests'), [{ status: 'open' }]);
  });
});

describe('tab API: the consent register from My checks', function () {
  this.timeout(60_000);
  let h: Harness;
  const PARENT = { ...BASE_FACTS, contactType: 'parent_carer', purpose: 'appointment', consent: 'not_asked', caseRef: 'CR-81101' };

  beforeEach(async () => {
    h = await startHarness({ council: 'waltham-forest', dispatch: false, now: () => new Date('2026-03-03T10:00:00Z'), env: { CHANNELCHECK_TAB_DEV_SIGNIN: 'true' } });
    for (const p of [PEOPLE.pat, PEOPLE.alex]) await h.install(p);
  });
  afterEach(async () => h.close());

  const call = async (who: Person, method: 'GET' | 'POST', path: string, body?: unknown) => {
    const { token } = (await (await fetch(`http://127.0.0.1:${h.port}/api/tab/dev/sign-in`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ aadObjectId: who.aadObjectId }) })).json()) as { token: string };
    const res = await fetch(`http://127.0.0.1:${h.port}/api/tab/${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('shows where the case\'s consent stands, and records a withdrawal through the consent service', async () => {
    const outcome = await completeCheck(h, PEOPLE.pat, PARENT);
    const actions: any[] = [];
    const visit = (x: any): void => {
      if (!x || typeof x !== 'object') return;
      if (Array.isArray(x)) return x.forEach(visit);
      if (x.type === 'Action.Execute') actions.push(x);
      Object.values(x).forEach(visit);
    };
    visit(outcome);
    const yes = actions.find((a) => a.verb === 'consent.given');
    assert.ok(yes, 'the outcome card offers to record the YES');
    await h.invoke(PEOPLE.pat, 'consent.given', { ...yes.data });
    const before = await call(PEOPLE.pat, 'GET', 'my-checks');
    assert.match(before.body.decisions[0].consent.registerLine, /Consent given/);
    assert.equal(before.body.list.entries[0].mayWithdrawConsent, true);

    assert.equal((await call(PEOPLE.alex, 'POST', 'consent/withdraw', { caseRef: 'CR-81101' })).status, 404, 'someone without a check for the case learns nothing');
    assert.equal((await call(PEOPLE.pat, 'POST', 'consent/withdraw', { caseRef: 'CR-81101', status: 'given' })).status, 400);
    const done = await call(PEOPLE.pat, 'POST', 'consent/withdraw', { caseRef: 'CR-81101' });
    assert.equal(done.status, 200);
    assert.equal(done.body.notice, 'consent_withdrawn');
    assert.deepEqual(queryRows(h.dbFile, 'select status from consent_register order by id'), [{ status: 'given' }, { status: 'withdrawn' }]);
    const after = await call(PEOPLE.pat, 'GET', 'my-checks');
    assert.match(after.body.decisions[0].consent.registerLine, /withdrawn/i);
    assert.equal(after.body.list.entries[0].mayWithdrawConsent, false);
  });
});
