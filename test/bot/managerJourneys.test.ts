/**
 * The line manager's journeys over HTTP with the real services, store, dispatcher and botbuilder connector
 * code against a fake Bot Connector: approval requests (who may settle them, replays, simultaneous clicks,
 * the practitioner's card updated), and urgent safeguarding alerts (acknowledgement, escalation by timer,
 * no manager on record, a manager without the app).
 */
import assert from 'node:assert/strict';
import { connectorPaths } from '../support/fakeBotConnector';
import { actionData, cardText, conversationOf, ESCALATION_CHANNEL, type Harness, PEOPLE, queryRows, startHarness, BASE_FACTS, completeCheck } from './botHarness';

const BASE = BASE_FACTS;
const NEEDS_APPROVAL = { ...BASE, contactType: 'parent_carer', purpose: 'video_visit', teamsAvailable: false, caseRef: 'CR-61001' };
const SAFEGUARDING = { ...BASE, contactType: 'young_person', age: 16, purpose: 'keep_in_touch', safeguardingConcern: true, caseRef: 'CR-61002' };

const check = completeCheck;

const rows = queryRows;

describe('bot: line manager journeys against a fake Bot Connector', function () {
  this.timeout(60_000);
  let h: Harness;
  let clock: number;

  beforeEach(async () => {
    clock = Date.parse('2026-03-03T10:00:00Z'); // a Tuesday morning, inside working hours
    h = await startHarness({ dispatch: false, now: () => new Date(clock) });
    for (const p of [PEOPLE.pat, PEOPLE.lee, PEOPLE.sam, PEOPLE.jo, PEOPLE.alex, PEOPLE.mallory]) await h.install(p);
  });
  afterEach(async () => h.close());

  async function approvalRequest() {
    const outcome = await check(h, PEOPLE.pat, NEEDS_APPROVAL);
    assert.match(cardText(outcome), /Ask your line manager before using WhatsApp/);
    assert.match(cardText(outcome), /approval request is being sent to your line manager Lee Manager/);
    await h.drain();
    const sent = h.cardsTo(PEOPLE.lee).filter((c) => cardText(c.card).includes('Approval needed'));
    assert.equal(sent.length, 1, 'one approval card to the manager');
    assertDecidingFactsFirst(sent[0]!.card);
    return sent[0]!.card;
  }

  /** The manager reads why it needs them first (Teams cannot be used), about Pat in the third person. */
  function assertDecidingFactsFirst(card: unknown) {
    const text = cardText(card);
    const why = text.indexOf('Why it needs you');
    const teams = text.indexOf('They cannot realistically use Teams');
    assert.ok(why >= 0 && teams > why && teams < text.indexOf('The rest of the check'), text);
    assert.match(text, /Pat is starting the contact/);
    assert.match(text, /If you agree, Pat must follow/);
    assert.doesNotMatch(text, /Check with your line manager/);
  }

  it('the manager approves: the practitioner\'s card is updated in place and they are told', async () => {
    const card = await approvalRequest();
    // The refreshed card (built by the approval service, from the stored request) reads the same.
    assertDecidingFactsFirst((await h.invoke(PEOPLE.lee, 'approval.refresh', { approvalId: actionData(card, 'approval.approve').approvalId })).body.value);
    assert.deepEqual(card.refresh.userIds, [PEOPLE.lee.aadObjectId, PEOPLE.jo.aadObjectId], 'refresh only for the manager and delegate');
    const r = await h.invoke(PEOPLE.lee, 'approval.approve', { ...actionData(card, 'approval.approve'), comment: 'Fine for this week.' });
    assert.match(cardText(r.body.value), /Approved by Lee Manager/);
    assert.doesNotMatch(cardText(r.body.value), /approval\.approve/, 'no buttons once settled');
    await h.drain();
    const wizardCardId = h.cardsTo(PEOPLE.pat).find((c) => cardText(c.card).includes('About the contact'))!.call.resultId;
    const update = h.connector.updates().find((u) => u.conversationId === conversationOf(PEOPLE.pat) && u.activityId === wizardCardId);
    assert.ok(update, 'the practitioner\'s outcome card was updated in place');
    assert.match(JSON.stringify(update.body), /Approved by Lee Manager/);
    assert.match(JSON.stringify(update.body), /Approved by your line manager: WhatsApp allowed, with conditions/);
    assert.ok(h.textsTo(PEOPLE.pat).some((t) => /Lee Manager approved your request to use WhatsApp \(case CR-61001\): "Fine for this week\."/.test(t)));
    assert.deepEqual(rows(h.dbFile, "select status, decided_by from approval_requests"), [{ status: 'approved', decided_by: PEOPLE.lee.aadObjectId }]);
    // The manager can list the team's checks; someone outside the team sees none of them.
    await h.message(PEOPLE.lee, 'team checks');
    const list = cardText(h.cardsTo(PEOPLE.lee).at(-1)!.card);
    assert.match(list, /Your team's recent checks/);
    assert.match(list, /CR-61001/);
    assert.match(list, /Pat Practitioner/);
    assert.match(list, /Approved by the line manager/);
    await h.message(PEOPLE.mallory, 'team checks');
    assert.doesNotMatch(cardText(h.cardsTo(PEOPLE.mallory).at(-1)!.card), /CR-61001/);
  });

  it('a non-manager, the practitioner and a forged payload cannot settle it; a delegate can; a replay gets the settled state', async () => {
    const card = await approvalRequest();
    const data = actionData(card, 'approval.approve');
    assert.match(cardText((await h.invoke(PEOPLE.mallory, 'approval.approve', data)).body.value), /You cannot decide this request/);
    assert.match(cardText((await h.invoke(PEOPLE.pat, 'approval.approve', data)).body.value), /You cannot decide this request/);
    // Forged: the card data claims another actor and status; the server reads only the stored request.
    assert.match(cardText((await h.invoke(PEOPLE.mallory, 'approval.approve', { ...data, managerAadId: PEOPLE.mallory.aadObjectId, status: 'open', actor: PEOPLE.lee.aadObjectId })).body.value), /You cannot decide this request/);
    assert.match(cardText((await h.invoke(PEOPLE.lee, 'approval.approve', { approvalId: 'not-a-real-id' })).body.value), /could not be found/);
    assert.match(cardText((await h.invoke(PEOPLE.lee, 'approval.approve', { ...data, version: 'abc' })).body.value), /could not be read/);
    assert.match(cardText((await h.invoke(PEOPLE.lee, 'approval.approve', { ...data, comment: 'x'.repeat(1001) })).body.value), /comment is too long/);
    assert.deepEqual(rows(h.dbFile, 'select status from approval_requests'), [{ status: 'open' }]);

    const delegate = await h.invoke(PEOPLE.jo, 'approval.decline', { ...actionData(card, 'approval.decline'), comment: 'Use the phone instead.' });
    assert.match(cardText(delegate.body.value), /Declined by Jo Deputy/);
    const replay = await h.invoke(PEOPLE.lee, 'approval.approve', data);
    assert.match(cardText(replay.body.value), /Declined by/);
    await h.drain();
    const managerCard = h.cardsTo(PEOPLE.lee).find((c) => cardText(c.card).includes('Approval needed'))!;
    const managerUpdate = h.connector.updates().find((u) => u.activityId === managerCard.call.resultId);
    assert.ok(managerUpdate, 'the manager\'s own copy was updated when the delegate decided');
    assert.match(JSON.stringify(managerUpdate.body), /Declined by Jo Deputy/);
    assert.deepEqual(rows(h.dbFile, 'select status, decided_by from approval_requests'), [{ status: 'declined', decided_by: PEOPLE.jo.aadObjectId }]);
  });

  it('two simultaneous clicks settle it once', async () => {
    const card = await approvalRequest();
    const [a, b] = await Promise.all([
      h.invoke(PEOPLE.lee, 'approval.approve', actionData(card, 'approval.approve')),
      h.invoke(PEOPLE.jo, 'approval.decline', actionData(card, 'approval.decline')),
    ]);
    const status = rows(h.dbFile, 'select status from approval_requests')[0].status;
    const word = status === 'approved' ? 'Approved' : 'Declined';
    assert.match(cardText(a.body.value), new RegExp(word));
    assert.match(cardText(b.body.value), new RegExp(word));
    assert.equal(rows(h.dbFile, "select count(*) n from audit_events where type in ('approval.approved', 'approval.declined')")[0].n, 1);
    await h.drain();
    assert.equal(h.textsTo(PEOPLE.pat).filter((t) => /your request to use WhatsApp/.test(t)).length, 1, 'the practitioner is told once');
  });

  it('an information incident: the card leads with the report, and the manager gets a same-day notice ahead of routine ones', async () => {
    const outcome = await check(h, PEOPLE.pat, { ...BASE, contactType: 'parent_carer', purpose: 'appointment', dataIncident: true, caseRef: 'CR-61003' });
    const text = cardText(outcome);
    assert.match(text, /Report an information incident now/);
    assert.ok(text.indexOf('Do this now') < text.indexOf('For routine contact later'), 'what to do now comes first');
    assert.match(text, /Do not delete the conversation until your manager advises/);
    const queued = rows(h.dbFile, "select priority, payload from outbox where idempotency_key like 'notice:%'");
    assert.equal(queued.length, 1);
    assert.equal(queued[0]!.priority, 1, 'same day: between routine (0) and urgent (2)');
    await h.drain();
    assert.ok(h.textsTo(PEOPLE.lee).some((t) => /^Information incident, for action today: /.test(t)), h.textsTo(PEOPLE.lee).join('\n'));
  });

  it('a safeguarding alert: urgent card to the manager, acknowledged, and the practitioner sees who acknowledged', async () => {
    const outcome = await check(h, PEOPLE.pat, SAFEGUARDING);
    assert.match(cardText(outcome), /Safeguarding: act now/);
    assert.match(cardText(outcome), /urgent safeguarding alert is being sent to your line manager Lee Manager/);
    await h.drain();
    const alert = h.cardsTo(PEOPLE.lee).find((c) => cardText(c.card).includes('URGENT: safeguarding alert'));
    assert.ok(alert, 'the alert reached the manager');
    assert.match(cardText((await h.invoke(PEOPLE.pat, 'escalation.acknowledge', actionData(alert.card, 'escalation.acknowledge'))).body.value), /You raised this alert/);
    const ack = await h.invoke(PEOPLE.lee, 'escalation.acknowledge', actionData(alert.card, 'escalation.acknowledge'));
    assert.match(cardText(ack.body.value), /Acknowledged by Lee Manager/);
    await h.drain();
    assert.ok(h.textsTo(PEOPLE.pat).some((t) => /Lee Manager acknowledged your safeguarding alert at 3 Mar, 10:00 GMT/.test(t)), h.textsTo(PEOPLE.pat).join('\n'));
    // Opened again later, the practitioner's card still names who acknowledged it (kept with the acknowledgement).
    const decisionId = rows(h.dbFile, 'select decision_id from escalations')[0].decision_id;
    await h.invoke(PEOPLE.pat, 'record.open', { decisionId });
    assert.match(cardText(h.cardsTo(PEOPLE.pat).at(-1)!.card), /Acknowledged by Lee Manager at 3 Mar, 10:00 GMT/);
    assert.deepEqual(rows(h.dbFile, 'select acknowledged_by_name from escalations'), [{ acknowledged_by_name: 'Lee Manager' }]);
    // Acknowledged: the timer never fires.
    clock += 60 * 60_000;
    await h.app.timers.runOnce();
    await h.drain();
    assert.equal(h.cardsTo(PEOPLE.sam).filter((c) => cardText(c.card).includes('URGENT')).length, 0);
  });

  it('an unacknowledged alert escalates to the Head of Service after 15 minutes, then to the escalation channel', async () => {
    await check(h, PEOPLE.pat, SAFEGUARDING);
    await h.drain();
    clock += 14 * 60_000;
    await h.app.timers.runOnce();
    await h.drain();
    assert.equal(h.cardsTo(PEOPLE.sam).filter((c) => cardText(c.card).includes('URGENT')).length, 0, 'not before the timeout');
    clock += 2 * 60_000;
    await h.app.timers.runOnce();
    await h.drain();
    const toSam = h.cardsTo(PEOPLE.sam).filter((c) => cardText(c.card).includes('URGENT'));
    assert.equal(toSam.length, 1);
    assert.match(cardText(toSam[0]!.card), /Not acknowledged within 15 minutes by the line manager: escalated to you/);
    assert.ok(h.textsTo(PEOPLE.pat).some((t) => /has gone to the Head of Service/.test(t)));
    clock += 16 * 60_000;
    await h.app.timers.runOnce();
    await h.drain();
    const toChannel = h.connector.deliveredTo(ESCALATION_CHANNEL).filter((c) => JSON.stringify(c.body).includes('URGENT'));
    assert.equal(toChannel.length, 1, 'the escalation channel got it last');
    assert.deepEqual(rows(h.dbFile, 'select level, status from escalations'), [{ level: 'escalation_channel', status: 'escalated' }]);
  });

  it('answered "within my hours" at 18:20: routed out of hours, and the manager\'s card and the practitioner\'s say why', async () => {
    clock = Date.parse('2026-03-03T18:20:00Z'); // a Tuesday evening
    const outcome = await check(h, PEOPLE.pat, { ...SAFEGUARDING, withinWorkingHours: true });
    assert.match(cardText(outcome), /Routed out of hours: it was Tue 3 Mar, 18:20 GMT, outside the council's hours \(Mon–Fri 09:00–17:00 \(UK time\)\), although you said the contact was within your working hours/);
    await h.drain();
    const alert = h.cardsTo(PEOPLE.sam).find((c) => cardText(c.card).includes('URGENT'));
    assert.ok(alert, 'the Head of Service has it at once');
    assert.match(cardText(alert.card), /Routed out of hours: it was Tue 3 Mar, 18:20 GMT, outside the council's hours \(Mon–Fri 09:00–17:00 \(UK time\)\), although Pat said the contact was within their working hours/);
    assert.match(cardText(alert.card), /raised 3 Mar, 18:20 GMT/);
    // A copy sent later (escalated by the timer) says the same: the basis is kept with the alert.
    clock += 16 * 60_000;
    await h.app.timers.runOnce();
    await h.drain();
    const toChannel = h.connector.deliveredTo(ESCALATION_CHANNEL).filter((c) => JSON.stringify(c.body).includes('URGENT'));
    assert.equal(toChannel.length, 1);
    assert.match(JSON.stringify(toChannel[0]!.body), /Routed out of hours: it was Tue 3 Mar, 18:20 GMT/);
  });

  it('no line manager on record: the practitioner is told at once and the alert goes to the on-call contact and the channel', async () => {
    const outcome = await check(h, PEOPLE.alex, SAFEGUARDING);
    const text = cardText(outcome);
    assert.match(text, /no line manager on record for you/);
    assert.match(text, /Who to contact/);
    assert.match(text, /escalation channel/);
    await h.drain();
    const onCall = h.connector.calls.filter((c) => c.operation === 'createConversation' && JSON.stringify(c.body).includes('aaaaaaaa-0000-0000-0000-000000000006'));
    assert.equal(onCall.length, 1, 'the on-call Head of Service (never installed) was reached through a new conversation');
    assert.equal(h.connector.deliveredTo(ESCALATION_CHANNEL).filter((c) => JSON.stringify(c.body).includes('URGENT')).length, 1, 'and the escalation channel, at once');
  });

  it('out of hours the Head of Service / on-call contact is alerted at once, with the line manager', async () => {
    clock = Date.parse('2026-03-03T22:30:00Z'); // a Tuesday night
    await check(h, PEOPLE.pat, { ...SAFEGUARDING, withinWorkingHours: false });
    await h.drain();
    assert.equal(h.cardsTo(PEOPLE.lee).filter((c) => cardText(c.card).includes('URGENT')).length, 1);
    assert.equal(h.cardsTo(PEOPLE.sam).filter((c) => cardText(c.card).includes('URGENT')).length, 1);
    assert.deepEqual(rows(h.dbFile, 'select level from escalations'), [{ level: 'head_of_service' }]);
    const alert = h.cardsTo(PEOPLE.lee).find((c) => cardText(c.card).includes('URGENT'))!;
    assert.match(cardText(alert.card), /01895 250111/, 'the out-of-hours EDT number is on the alert');
  });

  it('the manager does not have the app (403): the alert goes to the escalation channel and the practitioner is told who was reached', async () => {
    h.connector.fail({ method: 'POST', path: connectorPaths.sendsTo(conversationOf(PEOPLE.lee)), times: Infinity, fault: { status: 403, code: 'BotNotInConversationRoster' } });
    h.connector.fail({ method: 'POST', path: connectorPaths.createConversation, when: (c) => JSON.stringify(c.body).includes(PEOPLE.lee.aadObjectId), times: Infinity, fault: { status: 403 } });
    await check(h, PEOPLE.pat, SAFEGUARDING);
    await h.drain();
    assert.equal(h.connector.deliveredTo(ESCALATION_CHANNEL).filter((c) => JSON.stringify(c.body).includes('URGENT')).length, 1);
    assert.ok(h.textsTo(PEOPLE.pat).some((t) => /Lee Manager/.test(t) && /escalation channel/.test(t)), h.textsTo(PEOPLE.pat).join('\n'));
  });
});
