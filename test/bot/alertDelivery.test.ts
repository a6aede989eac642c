/**
 * Urgent alerts through an outage, over HTTP with the real services, store, dispatcher, timers and botbuilder
 * connector code against the fake Bot Connector, on a fake clock: an alert the manager's Teams does not accept
 * for minutes also goes to the Head of Service, the practitioner is told at once (card and message, with the
 * pack's numbers) to phone; once someone acknowledges, the other copies stop and nobody is told "nobody could be
 * reached"; with no next level the alert never stops silently.
 */
import assert from 'node:assert/strict';
import { connectorPaths } from '../support/fakeBotConnector';
import { actionData, cardText, conversationOf, type Harness, PEOPLE, queryRows, startHarness, BASE_FACTS, completeCheck } from './botHarness';

const BASE = BASE_FACTS;
const SAFEGUARDING = { ...BASE, contactType: 'young_person', age: 16, purpose: 'keep_in_touch', safeguardingConcern: true, caseRef: 'CR-61007' };

const check = completeCheck;

describe('bot: urgent alerts through an outage (fake clock)', function () {
  this.timeout(60_000);
  let h: Harness;
  let clock: number;

  async function run(seconds: number, stepMs = 1000): Promise<void> {
    for (let t = 0; t < seconds * 1000; t += stepMs) {
      await h.app.timers.runOnce();
      await h.app.dispatcher.runOnce();
      clock += stepMs;
    }
  }

  const updatesOfPractitionerCard = () => h.connector.updates().filter((c) => c.conversationId === conversationOf(PEOPLE.pat)).map((c) => cardText((c.body as any).attachments[0].content));

  afterEach(async () => {
    await h?.close();
  });

  it("the manager's Teams fails for minutes: Head of Service alerted too, practitioner told to phone, and after the acknowledgement nothing more", async () => {
    clock = Date.parse('2026-03-03T10:00:00Z');
    h = await startHarness({ dispatch: false, now: () => new Date(clock) });
    for (const p of [PEOPLE.pat, PEOPLE.lee, PEOPLE.sam]) await h.install(p);
    const outageEnds = clock + 10 * 60_000;
    h.connector.fail({ method: 'POST', path: connectorPaths.sendsTo(conversationOf(PEOPLE.lee)), when: () => clock < outageEnds, times: Infinity, fault: { status: 500 } });

    const outcome = await check(h, PEOPLE.pat, SAFEGUARDING);
    assert.match(cardText(outcome), /is being sent to your line manager Lee Manager: queued, not yet delivered/, 'the card says queued, not sent');
    assert.doesNotMatch(cardText(outcome), /has been sent/);

    await run(90);
    assert.equal(h.cardsTo(PEOPLE.sam).filter((c) => cardText(c.card).includes('URGENT')).length, 0, 'not before the delivery timeout');
    await run(45);
    const toSam = h.cardsTo(PEOPLE.sam).filter((c) => cardText(c.card).includes('URGENT'));
    assert.equal(toSam.length, 1, 'the Head of Service has it while the first route keeps trying');
    assert.match(cardText(toSam[0]!.card), /Not delivered to the line manager within 2 minutes/);
    const told = h.textsTo(PEOPLE.pat).find((t) => /has not reached the line manager in Teams after 2 minutes/.test(t));
    assert.ok(told, `the practitioner is told: ${h.textsTo(PEOPLE.pat).join(' | ')}`);
    assert.match(told, /case CR-61007/);
    assert.match(told, /Phone your line manager or the out-of-hours contact now: .*01895 250111/, `with the numbers from the pack: ${told}`);
    assert.ok(updatesOfPractitionerCard().some((t) => /Not delivered to anyone in Teams after 2 minutes: phone/.test(t)), 'and on their card, in place');
    assert.equal(queryRows(h.dbFile, "select status from outbox where idempotency_key like 'alert:%:manager'")[0].status, 'pending', 'the manager copy is still being tried');

    const ack = await h.invoke(PEOPLE.sam, 'escalation.acknowledge', actionData(toSam[0]!.card, 'escalation.acknowledge'));
    assert.match(cardText(ack.body.value), /Acknowledged by Sam Head/);
    assert.equal(queryRows(h.dbFile, "select status from outbox where idempotency_key like 'alert:%:manager'")[0].status, 'cancelled', 'the other copy stopped retrying');
    await run(15 * 60, 5000); // the outage ends; the ack timer's time passes
    assert.equal(h.cardsTo(PEOPLE.lee).filter((c) => cardText(c.card).includes('URGENT')).length, 0, 'the cancelled copy was never sent');
    const texts = h.textsTo(PEOPLE.pat);
    assert.ok(texts.some((t) => /Sam Head acknowledged your safeguarding alert/.test(t)));
    assert.deepEqual(texts.filter((t) => /Nobody could be reached/.test(t)), [], 'nobody is told nobody could be reached');
    for (const t of texts.filter((x) => /alert/i.test(x))) assert.match(t, /CR-61007/, `every message about the alert names its case: ${t}`);
    assert.equal(queryRows(h.dbFile, "select count(*) n from outbox where status = 'dead'")[0].n, 0);
    assert.ok(h.logs.some((l) => /"alert":true/.test(l) && /not delivered within 2 minutes/.test(l)), 'operators are alerted');
  });

  it('delivered: the card says to whom and when; with no next level the alert is re-sent, the practitioner told to phone, audited and logged', async () => {
    clock = Date.parse('2026-03-03T10:00:00Z');
    h = await startHarness({ dispatch: false, now: () => new Date(clock), env: { CHANNELCHECK_ESCALATION_CHANNEL: '' } });
    for (const p of [PEOPLE.pat, PEOPLE.lee, PEOPLE.sam]) await h.install(p);
    await check(h, PEOPLE.pat, SAFEGUARDING);
    await run(5);
    assert.ok(updatesOfPractitionerCard().some((t) => /Delivered to your line manager Lee Manager at /.test(t)), `delivered, to whom and when: ${updatesOfPractitionerCard().join(' | ')}`);
    await run(16 * 60, 5000); // to the Head of Service
    assert.equal(h.cardsTo(PEOPLE.sam).filter((c) => cardText(c.card).includes('URGENT')).length, 1);
    await run(16 * 60, 5000); // nobody further: a reminder, not silence
    const reminders = h.cardsTo(PEOPLE.sam).filter((c) => cardText(c.card).includes('REMINDER'));
    assert.equal(reminders.length, 1, 'the current level is reminded');
    assert.ok(h.textsTo(PEOPLE.pat).some((t) => /has not been acknowledged after 15 minutes, and ChannelCheck has nobody further.*Phone/.test(t) && /CR-61007/.test(t)));
    assert.equal(queryRows(h.dbFile, "select count(*) n from audit_events where type = 'escalation.reminded'")[0].n, 1);
    assert.ok(h.logs.some((l) => /"alert":true/.test(l) && /no next level/.test(l)));
    assert.ok(h.logs.some((l) => /no escalation channel is configured/.test(l)), 'said loudly at start');
    const ready = await fetch(`http://127.0.0.1:${h.port}/readyz`).then((r) => r.json() as Promise<{ status: string; checks: Array<{ name: string; advisory?: boolean; error?: string }> }>);
    assert.equal(ready.status, 'ready', 'advisory: managers and the Head of Service can still be alerted');
    assert.match(ready.checks.find((c) => c.name === 'escalationChannel' && c.advisory === true)?.error ?? '', /no escalation channel is configured/);
    await run(16 * 60, 5000);
    assert.equal(h.cardsTo(PEOPLE.sam).filter((c) => cardText(c.card).includes('REMINDER')).length, 2, 'and again, until someone acknowledges');
  });

  it("a copy that Teams accepted while someone acknowledged (cancelled in flight) is updated to the acknowledged state, not left 'Not yet acknowledged'", async () => {
    clock = Date.parse('2026-03-03T10:00:00Z');
    h = await startHarness({ dispatch: false, now: () => new Date(clock) });
    for (const p of [PEOPLE.pat, PEOPLE.lee, PEOPLE.jo]) await h.install(p);
    let accept!: () => void;
    const gate = new Promise<void>((resolve) => (accept = resolve));
    h.connector.fail({ method: 'POST', path: connectorPaths.sendsTo(conversationOf(PEOPLE.lee)), when: (c) => /:manager$/.test(c.idempotencyKey ?? ''), fault: { acceptWhen: gate } });
    await check(h, PEOPLE.pat, SAFEGUARDING);
    const escalationId = queryRows(h.dbFile, 'select id from escalations')[0].id as string;

    // The pass sends the manager's copy; Teams is slow to answer.
    const pass = h.app.dispatcher.runOnce();
    for (let i = 0; i < 200 && !h.connector.calls.some((c) => c.outcome === 0 && /:manager$/.test(c.idempotencyKey ?? '')); i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(queryRows(h.dbFile, "select status from outbox where idempotency_key like 'alert:%:manager'")[0].status, 'in_flight');

    // Meanwhile the manager's delegate acknowledges: the copy in flight is cancelled in the outbox.
    clock += 5000;
    const ack = await h.invoke(PEOPLE.jo, 'escalation.acknowledge', { escalationId });
    assert.match(cardText(ack.body.value), /Acknowledged by Jo Deputy/);
    assert.equal(queryRows(h.dbFile, "select status from outbox where idempotency_key like 'alert:%:manager'")[0].status, 'cancelled');

    // Then Teams accepts it anyway: the manager has a card that must not keep saying "Not yet acknowledged".
    accept();
    await pass;
    const toLee = h.cardsTo(PEOPLE.lee).filter((c) => cardText(c.card).includes('URGENT'));
    assert.equal(toLee.length, 1, 'Teams has the copy');
    assert.match(cardText(toLee[0]!.card), /Not yet acknowledged/);
    clock += 1000;
    await h.app.dispatcher.runOnce();
    const updated = h.connector.updates().filter((c) => c.conversationId === conversationOf(PEOPLE.lee) && c.activityId === toLee[0]!.call.resultId);
    assert.equal(updated.length, 1, 'that copy is updated in place, once');
    const text = cardText((updated[0]!.body as any).attachments[0].content);
    assert.match(text, /Acknowledged by Jo Deputy/);
    assert.doesNotMatch(text, /Not yet acknowledged/);
    assert.equal(queryRows(h.dbFile, "select count(*) n from outbox where idempotency_key like 'alert:%:ack:update:%' and status = 'sent'")[0].n, 1);
    await h.app.dispatcher.runOnce();
    assert.equal(h.connector.updates().filter((c) => c.conversationId === conversationOf(PEOPLE.lee)).length, 1, 'and never again');
  });

  it('after a crash, the alert and timers that were in flight are claimable again at once, not after their lease', async () => {
    clock = Date.parse('2026-03-03T10:00:00Z');
    h = await startHarness({ dispatch: false, now: () => new Date(clock) });
    for (const p of [PEOPLE.pat, PEOPLE.lee, PEOPLE.sam]) await h.install(p);
    await check(h, PEOPLE.pat, SAFEGUARDING);
    // The process claimed the alert and crashed mid-send (its lease would hold it for 30 s more).
    const claimed = await h.app.store.claimDueOutbox('crashed-process', 20, new Date(clock), 30_000);
    assert.ok(claimed.some((m) => m.idempotencyKey.endsWith(':manager')));
    await h.restart();
    clock += 1000;
    await h.app.dispatcher.runOnce();
    assert.equal(h.cardsTo(PEOPLE.lee).filter((c) => cardText(c.card).includes('URGENT')).length, 1, 'delivered a second after the restart');
    assert.ok(h.logs.some((l) => /released notifications and timers left in flight/.test(l)));
  });
});
