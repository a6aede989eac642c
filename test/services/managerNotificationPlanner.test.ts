/** ManagerNotificationPlanner with a fake directory: who is told what, and what the practitioner reads. */
import { managerStatusText } from '../../src/bot/presenters/managerStatusWords';
import assert from 'node:assert/strict';
import { ALERT_DELIVERY_TIMER_KIND, ESCALATION_TIMER_KIND } from '../../src/domain/escalations';
import { presentCardContent } from '../../src/bot/presenters/screenPresenter';
import type { CardPayload } from '../../src/notify/outboxPayloads';
import { ManagerNotificationPlanner } from '../../src/services/managerNotificationPlanner';
import { capturingLog, CHANNEL, decide, FACTS, FakeDirectory, hillingdon, JO, LEE, PAT, SAM } from './fakes';

const TUESDAY_10AM = new Date('2026-03-03T10:00:00Z'); // inside Hillingdon's working hours

function planner(directory = new FakeDirectory(), channel: string | null = CHANNEL) {
  const { log, lines } = capturingLog();
  let n = 0;
  const p = new ManagerNotificationPlanner({ directory, config: { escalation: { channelConversationId: channel, ackTimeoutMinutes: 15, deliveryTimeoutMinutes: 2 } }, log, newId: () => `id-${++n}` });
  return { p, lines };
}
const plan = (p: ManagerNotificationPlanner, facts: Record<string, unknown>, now = TUESDAY_10AM) =>
  p.plan({ decisionId: 'dec-1', decision: decide(facts), actor: PAT, policy: hillingdon(), caseRef: 'CR-90001', now });

describe('services: ManagerNotificationPlanner', () => {
  it('sends nothing when the decision does not concern the manager', async () => {
    const { p } = planner();
    const result = await plan(p, FACTS.allowed);
    assert.deepEqual(result, { notifications: [], managerStatus: [] });
  });

  it('asks the line manager for approval, with delegates allowed to decide', async () => {
    const { p } = planner();
    const result = await plan(p, FACTS.needsApproval);
    assert.deepEqual(result.approval, { id: 'id-1', managerAadId: LEE.aadObjectId, delegateAadIds: [JO.aadObjectId] });
    assert.equal(result.notifications.length, 1);
    const [n] = result.notifications;
    assert.equal(n!.idempotencyKey, 'approval:id-1:manager');
    assert.deepEqual(n!.target, { kind: 'user', aadObjectId: LEE.aadObjectId });
    assert.match(managerStatusText(result.managerStatus) ?? '', /sent to your line manager Morgan Teamlead/);
  });

  it('with no manager on record, tells the escalation channel and the practitioner, and creates no request', async () => {
    const directory = new FakeDirectory();
    directory.managers.clear();
    const { p } = planner(directory);
    const result = await plan(p, FACTS.needsApproval);
    assert.equal(result.approval, undefined);
    assert.deepEqual(result.notifications.map((x) => x.target), [{ kind: 'channel', channelId: CHANNEL }]);
    assert.match(managerStatusText(result.managerStatus) ?? '', /no line manager on record for you.*escalation channel has been told/);
  });

  it('a safeguarding alert in working hours goes to the manager, with a timer for the acknowledgement', async () => {
    const { p } = planner();
    const result = await plan(p, FACTS.safeguarding);
    assert.deepEqual(result.notifications.map((x) => [x.idempotencyKey, (x as { urgent?: boolean }).urgent]), [['alert:id-1:manager', true]]);
    assert.equal(result.escalation?.level, 'manager');
    assert.deepEqual(result.timers, [
      { kind: ESCALATION_TIMER_KIND, refId: 'id-1', dueAt: new Date(TUESDAY_10AM.getTime() + 15 * 60_000) },
      { kind: ALERT_DELIVERY_TIMER_KIND, refId: 'id-1', dueAt: new Date(TUESDAY_10AM.getTime() + 2 * 60_000) },
    ]);
    assert.match(managerStatusText(result.managerStatus) ?? '', /If nobody acknowledges it within 15 minutes it goes further/);
  });

  it('out of hours it also goes straight to the Head of Service', async () => {
    const { p } = planner();
    const result = await plan(p, { ...FACTS.safeguarding, withinWorkingHours: false });
    const targets = result.notifications.map((x) => x.target);
    assert.deepEqual(targets, [{ kind: 'user', aadObjectId: LEE.aadObjectId }, { kind: 'user', aadObjectId: SAM.aadObjectId }]);
    assert.match(managerStatusText(result.managerStatus) ?? '', /Morgan Teamlead and the Head of Service \/ on-call manager Harper Servicehead/);
  });

  it('the clock overrides an answer of "within my hours": routed out of hours, and every card says which hours were used and why', async () => {
    const { p } = planner();
    const evening = new Date('2026-03-03T18:20:00Z');
    const result = await plan(p, { ...FACTS.safeguarding, withinWorkingHours: true }, evening);
    assert.deepEqual(result.notifications.map((x) => x.target), [{ kind: 'user', aadObjectId: LEE.aadObjectId }, { kind: 'user', aadObjectId: SAM.aadObjectId }], 'the Head of Service at once');
    const routed = { basis: 'clock_out_of_hours', at: evening.toISOString(), hours: { timezone: 'Europe/London', days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '09:00', end: '17:00' } };
    assert.deepEqual(result.escalation?.routedHours, routed, 'kept with the alert');
    const card = JSON.stringify(presentCardContent((result.notifications[0]!.payload as CardPayload).card));
    assert.ok(card.includes("Routed out of hours: it was Tue 3 Mar, 18:20 GMT, outside the council's hours (Mon–Fri 09:00–17:00 (UK time)), although Robin said the contact was within their working hours."), card);
    assert.match(managerStatusText(result.managerStatus) ?? '', /queued, not yet delivered\. Routed out of hours: it was Tue 3 Mar, 18:20 GMT, outside the council's hours \(Mon–Fri 09:00–17:00 \(UK time\)\), although you said the contact was within your working hours\./);
    // In hours, with an answer of "within", the manager's card says so and the practitioner's says nothing of it.
    const inHours = await plan(planner().p, FACTS.safeguarding);
    assert.equal(inHours.escalation?.routedHours?.basis, 'answer_and_clock_within');
    assert.match(JSON.stringify(presentCardContent((inHours.notifications[0]!.payload as CardPayload).card)), /Routed in working hours: it was Tue 3 Mar, 10:00 GMT, within the council's hours/);
    assert.doesNotMatch(managerStatusText(inHours.managerStatus) ?? '', /Routed/);
    // Answered "outside" in the day: out of hours because of the answer.
    const answered = await plan(planner().p, { ...FACTS.safeguarding, withinWorkingHours: false });
    assert.match(managerStatusText(answered.managerStatus) ?? '', /Routed out of hours because you said the contact was outside your working hours \(it was Tue 3 Mar, 10:00 GMT, within the council's hours/);
  });

  it('when Graph fails, routes the alert to the channel, logs an alert and tells the practitioner to act', async () => {
    const directory = new FakeDirectory();
    directory.fail.add('managerOf');
    directory.headOfService = null;
    const { p, lines } = planner(directory);
    const result = await plan(p, FACTS.safeguarding);
    assert.deepEqual(result.notifications.map((x) => x.target), [{ kind: 'channel', channelId: CHANNEL }]);
    assert.match(managerStatusText(result.managerStatus) ?? '', /^Your line manager could not be looked up/);
    assert.ok(lines().some((l) => l.alert === true && l.level === 50));
  });

  it('with nobody reachable, records no escalation, logs an alert and tells the practitioner to phone', async () => {
    const directory = new FakeDirectory();
    directory.managers.clear();
    directory.headOfService = null;
    const { p, lines } = planner(directory, null);
    const result = await plan(p, FACTS.safeguarding);
    assert.deepEqual(result.notifications, []);
    assert.equal(result.escalation, undefined);
    assert.match(managerStatusText(result.managerStatus) ?? '', /Nobody could be alerted through Teams: phone/);
    assert.ok(lines().some((l) => l.alert === true && String(l.msg).includes('no recipient')));
  });

  it('puts the correlation id of the actor\'s turn on the lines it logs, and none outside a turn', async () => {
    const directory = new FakeDirectory();
    directory.fail.add('managerOf');
    directory.fail.add('escalationContactsFor');
    const { p, lines } = planner(directory, null);
    await p.plan({ decisionId: 'dec-1', decision: decide(FACTS.safeguarding), actor: { ...PAT, correlationId: 'turn-of-pat' }, policy: hillingdon(), caseRef: 'CR-90001', now: TUESDAY_10AM });
    const inTurn = lines();
    assert.deepEqual(inTurn.map((l) => l.msg), ['line manager lookup failed; routing to the escalation channel', 'Head of Service lookup failed', 'safeguarding alert has no recipient: no manager, Head of Service or escalation channel configured']);
    assert.ok(inTurn.every((l) => l.correlationId === 'turn-of-pat'));
    await plan(p, FACTS.safeguarding);
    const outside = lines().slice(inTurn.length);
    assert.equal(outside.length, 3);
    assert.ok(outside.every((l) => !('correlationId' in l)));
  });

  it('a failed delegate lookup still asks the manager, who alone may decide', async () => {
    const directory = new FakeDirectory();
    directory.fail.add('delegatesOf');
    const { p } = planner(directory);
    const result = await plan(p, FACTS.needsApproval);
    assert.deepEqual(result.approval?.delegateAadIds, []);
    assert.equal(result.notifications.length, 1);
  });
});
