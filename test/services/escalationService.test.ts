/** EscalationService with a fake store and directory: acknowledging an alert, and the timer that escalates it. */
import assert from 'node:assert/strict';
import { ALERT_DELIVERY_TIMER_KIND, ESCALATION_TIMER_KIND } from '../../src/domain/escalations';
import type { EscalateCommand, Escalation, NewOutboxMessage, OutboxMessage, Timer } from '../../src/domain/ports/store';
import type { DecisionView, ManagerStatus } from '../../src/domain/views';
import type { CardPayload, CardUpdatePayload } from '../../src/notify/outboxPayloads';
import { presentCardContent } from '../../src/bot/presenters/screenPresenter';
import { EscalationService } from '../../src/services/escalationService';
import { UserFacingError } from '../../src/services/userFacingError';
import { mayAcknowledgeAlert, type ActingUser } from '../../src/domain/authority';
import { catalogue } from '../support/policies';
import { acting, CHANNEL, decide, decisionRecord, FACTS, FakeDirectory, LEE, PAT, SAM } from './fakes';

const NOW = new Date('2026-03-03T10:20:00Z');

function escalation(overrides: Partial<Escalation> = {}): Escalation {
  return { id: 'esc-1', decisionId: 'dec-1', level: 'manager', status: 'open', acknowledgedBy: null, acknowledgedAt: null, dueAt: new Date('2026-03-03T10:15:00Z'), version: 1, createdAt: new Date('2026-03-03T10:00:00Z'), updatedAt: new Date('2026-03-03T10:00:00Z'), practitionerCard: { activityId: 'act-outcome', conversationId: 'a:pat' }, routing: { tenantId: PAT.tenantId, managerAadId: LEE.aadObjectId, delegateAadIds: [], headOfServiceAadId: SAM.aadObjectId, reachedLevels: ['manager'], channelConversationId: CHANNEL }, ...overrides } as Escalation;
}
const timer = (overrides: Partial<Timer> = {}): Timer => ({ id: 'tmr-1', kind: ESCALATION_TIMER_KIND, refId: 'esc-1', dueAt: new Date('2026-03-03T10:15:00Z'), firedAt: null, cancelledAt: null, claimedBy: 'replica-a', claimedUntil: null, createdAt: new Date('2026-03-03T10:00:00Z'), ...overrides });

class FakeStore {
  escalated: EscalateCommand[] = [];
  acknowledged: Array<{ id: string; by: string; notifications: NewOutboxMessage[] }> = [];
  sentRows: Array<Partial<OutboxMessage>> = [{ id: 'out-1', kind: 'card', status: 'sent', sentActivityId: 'act-alert-lee', target: { kind: 'user', aadObjectId: LEE.aadObjectId } }];
  constructor(public escalation: Escalation | null, public record = decisionRecord('dec-1', decide(FACTS.safeguarding))) {}
  async getEscalation(id: string) { return this.escalation?.id === id ? this.escalation : null; }
  async getDecision(id: string) { return this.record.id === id ? this.record : null; }
  async escalate(cmd: EscalateCommand) { this.escalated.push(cmd); return { kind: 'escalated' as const, escalation: { ...this.escalation!, level: cmd.toLevel } }; }
  /** As the real store: the domain rule decides, on the stored routing; a refusal records nothing. */
  async acknowledgeEscalation(id: string, who: ActingUser, notifications: NewOutboxMessage[]) {
    const authority = mayAcknowledgeAlert(who, { ...this.escalation!.routing, practitionerAadId: this.record.practitionerAadId });
    if (authority.kind === 'refused') return { kind: 'not_authorised' as const, escalation: this.escalation!, reason: authority.reason, detail: authority.detail };
    this.acknowledged.push({ id, by: who.aadObjectId, notifications });
    return { kind: 'acknowledged' as const, escalation: { ...this.escalation!, status: 'acknowledged' as const, acknowledgedBy: who.aadObjectId, acknowledgedAt: NOW } };
  }
  audited: Array<{ type: string; payload: unknown }> = [];
  async appendAuditEvent(event: { type: string; payload: unknown }) { this.audited.push(event); return event; }
  enqueued: NewOutboxMessage[] = [];
  async enqueue(messages: NewOutboxMessage[]) { this.enqueued.push(...messages); return { queued: [], duplicates: [] }; }
  /** Each call lists the copies as they then stand; the last answer repeats. */
  listings: Array<Array<Partial<OutboxMessage>>> = [];
  async listOutboxForRef() { return this.listings.length > 1 ? this.listings.shift()! : (this.listings[0] ?? this.sentRows); }
  async getConversationReference(id: string) { return { userAadId: id, reference: { conversation: { id: `a:${id}` }, serviceUrl: 'https://smba.example.invalid/' } }; }
}

function service(store: FakeStore, directory = new FakeDirectory(), channel: string | null = CHANNEL, minutes = { ackTimeoutMinutes: 15, deliveryTimeoutMinutes: 2 }) {
  const decisions = { viewFor: async (decisionId: string, { plannedStatus: status }: { plannedStatus?: ManagerStatus[] } = {}) => ({ decisionId, managerStatus: status ?? [] }) as unknown as DecisionView };
  return new EscalationService({ store: store as never, directory, decisions, policyFor: (id) => catalogue().councils.get(id), config: { escalation: { channelConversationId: channel, ...minutes } }, now: () => NOW });
}

describe('services: EscalationService', () => {
  it('the timer escalates an unacknowledged alert from the manager to the Head of Service, with the next timer', async () => {
    const store = new FakeStore(escalation());
    await service(store).onTimer(timer());
    assert.equal(store.escalated.length, 1);
    const cmd = store.escalated[0]!;
    assert.deepEqual([cmd.fromLevel, cmd.toLevel, cmd.firedTimerId], ['manager', 'head_of_service', 'tmr-1']);
    assert.deepEqual(cmd.dueAt, new Date(NOW.getTime() + 15 * 60_000));
    // The next acknowledgement deadline, and delivery watched again now it goes somewhere new.
    assert.deepEqual(cmd.timers, [{ kind: ESCALATION_TIMER_KIND, refId: 'esc-1', dueAt: cmd.dueAt }, { kind: ALERT_DELIVERY_TIMER_KIND, refId: 'esc-1', dueAt: new Date(NOW.getTime() + 2 * 60_000) }]);
    assert.deepEqual(cmd.notifications!.map((n) => [n.idempotencyKey, n.target]), [
      ['alert:esc-1:escalate:head_of_service', { kind: 'user', aadObjectId: SAM.aadObjectId }],
      ['alert:esc-1:escalate:head_of_service:tell-practitioner', { kind: 'user', aadObjectId: PAT.aadObjectId }],
      // The practitioner's card says where the alert stands now.
      ['alert:esc-1:escalate:head_of_service:practitioner-card', { kind: 'conversation', conversationId: 'a:pat' }],
    ]);
    assert.equal((cmd.notifications![0] as { urgent?: boolean }).urgent, true);
  });

  it('a one-minute timeout reads "1 minute", on the next level\'s card, in the practitioner\'s message and on their card', async () => {
    const texts = (cmd: EscalateCommand) => cmd.notifications!.map((n) => (n.kind === 'text' ? (n.payload as { text: string }).text : n.kind === 'card' ? JSON.stringify(presentCardContent((n.payload as CardPayload).card)) : '')).join('\n');
    const escalated = new FakeStore(escalation());
    await service(escalated, new FakeDirectory(), CHANNEL, { ackTimeoutMinutes: 1, deliveryTimeoutMinutes: 1 }).onTimer(timer());
    assert.match(texts(escalated.escalated[0]!), /Not acknowledged within 1 minute by the line manager/);
    assert.match(texts(escalated.escalated[0]!), /was not acknowledged within 1 minute, so it has gone to the Head of Service/);
    const reminded = new FakeStore(escalation({ level: 'escalation_channel' }));
    await service(reminded, new FakeDirectory(), CHANNEL, { ackTimeoutMinutes: 1, deliveryTimeoutMinutes: 1 }).onTimer(timer());
    assert.match(texts(reminded.escalated[0]!), /REMINDER: not acknowledged after 1 minute, and/);
    assert.match(texts(reminded.escalated[0]!), /has not been acknowledged after 1 minute, and ChannelCheck/);
    const undelivered = new FakeStore(escalation());
    undelivered.sentRows = [];
    await service(undelivered, new FakeDirectory(), CHANNEL, { ackTimeoutMinutes: 1, deliveryTimeoutMinutes: 1 }).onDeliveryTimer(timer({ kind: ALERT_DELIVERY_TIMER_KIND }));
    assert.match(texts(undelivered.escalated[0]!), /has not reached the line manager in Teams after 1 minute\. Phone/);
    assert.doesNotMatch([escalated, reminded, undelivered].map((st) => texts(st.escalated[0]!)).join('\n'), /\b1 minutes\b/);
  });

  it('from the Head of Service it goes to the escalation channel, which is reminded in turn if nobody acknowledges', async () => {
    const store = new FakeStore(escalation({ level: 'head_of_service' }));
    await service(store).onTimer(timer());
    const cmd = store.escalated[0]!;
    assert.equal(cmd.toLevel, 'escalation_channel');
    assert.deepEqual(cmd.dueAt, new Date(NOW.getTime() + 15 * 60_000), 'an alert never stops silently: the last level has a deadline too');
    assert.deepEqual(cmd.timers?.map((t) => t.kind), [ESCALATION_TIMER_KIND, ALERT_DELIVERY_TIMER_KIND]);
    assert.deepEqual(cmd.notifications![0]!.target, { kind: 'channel', channelId: CHANNEL });
  });

  it("a level whose copy cannot be queued is not reached: the alert stays, the failure is audited, and the next attempt sends it", async () => {
    // The directory names the Head of Service when the route is worked out, then no longer (or fails) when the
    // card is built.
    const directory = new FakeDirectory();
    // Each lookup's answer in turn: route, card; route, card; then the directory is well again.
    const answers: Array<typeof SAM | null | Error> = [SAM, null, SAM, new Error('Graph is unavailable')];
    directory.escalationContactsFor = async () => {
      const answer = answers.length > 0 ? answers.shift()! : SAM;
      if (answer instanceof Error) throw answer;
      return { headOfService: answer };
    };
    const store = new FakeStore(escalation());
    const svc = service(store, directory);
    await assert.rejects(svc.onTimer(timer()), /could not be sent to the Head of Service.*stays with the line manager/);
    assert.deepEqual(store.escalated, [], 'the level is not marked reached without its copy');
    assert.deepEqual(store.audited.map((a) => [a.type, (a.payload as { toLevel: string }).toLevel, (a.payload as { level: string }).level]), [['escalation.level_not_reached', 'head_of_service', 'manager']]);
    assert.match((store.audited[0]!.payload as { reason: string }).reason, /nobody to send it to at the Head of Service/);

    await assert.rejects(svc.onTimer(timer()), /stays with/);
    assert.match((store.audited[1]!.payload as { reason: string }).reason, /card could not be built: Graph is unavailable/);

    // The timer comes back after its lease; the directory answers again: the Head of Service gets the alert.
    await svc.onTimer(timer());
    const moved = store.escalated as EscalateCommand[];
    assert.equal(moved.length, 1);
    assert.equal(moved[0]!.toLevel, 'head_of_service');
    assert.deepEqual(moved[0]!.notifications![0]!.target, { kind: 'user', aadObjectId: SAM.aadObjectId });
    assert.deepEqual(moved[0]!.recipient, { headOfServiceAadId: SAM.aadObjectId });
  });

  it('not delivered in time and the next level cannot be sent to: the practitioner is still told to phone, the alert stays at its level', async () => {
    const directory = new FakeDirectory();
    let lookups = 0;
    directory.escalationContactsFor = async () => ({ headOfService: ++lookups === 1 ? SAM : null });
    const store = new FakeStore(escalation());
    store.sentRows = [{ id: 'out-1', kind: 'card', status: 'pending', target: { kind: 'user', aadObjectId: LEE.aadObjectId } }];
    await service(store, directory).onDeliveryTimer(timer({ id: 'tmr-d', kind: ALERT_DELIVERY_TIMER_KIND }));
    const cmd = store.escalated[0]!;
    assert.deepEqual([cmd.fromLevel, cmd.toLevel, cmd.reason, cmd.recipient], ['manager', 'manager', 'undelivered', undefined]);
    assert.ok(!cmd.notifications!.some((n) => n.kind === 'card'), 'no copy was queued, so no level was reached');
    const told = cmd.notifications!.find((n) => n.idempotencyKey.endsWith(':tell-practitioner'))!;
    assert.match((told.payload as { text: string }).text, /Phone your line manager.*ChannelCheck keeps trying\./);
    // Its acknowledgement timer stays, and moves it on (and retries the next level) when it fires.
    assert.deepEqual(cmd.timers, [{ kind: ESCALATION_TIMER_KIND, refId: 'esc-1', dueAt: new Date('2026-03-03T10:15:00Z') }]);
    assert.deepEqual(store.audited.map((a) => a.type), ['escalation.level_not_reached']);
  });

  it('a copy sent while the acknowledgement was being written (in flight when listed, sent before it committed) is updated too', async () => {
    const store = new FakeStore(escalation());
    // The channel's copy was being sent when the manager acknowledged from their own.
    const channel = { id: 'out-1', kind: 'card' as const, target: { kind: 'channel' as const, channelId: CHANNEL } };
    store.listings = [[{ ...channel, status: 'in_flight' }], [{ ...channel, status: 'sent', sentActivityId: 'act-alert-channel' }]];
    await service(store).acknowledge(acting(LEE), { escalationId: 'esc-1' });
    assert.ok(!store.acknowledged[0]!.notifications.some((n) => n.kind === 'card_update' && n.idempotencyKey.includes(':ack:update:out-1')), 'the copy was in flight when the acknowledgement listed them');
    assert.deepEqual(store.enqueued.map((n) => [n.idempotencyKey, (n.payload as { activityId: string }).activityId, n.target]), [['alert:esc-1:ack:update:out-1', 'act-alert-channel', { kind: 'conversation', conversationId: CHANNEL }]]);
    const update = store.enqueued[0]!.payload as CardUpdatePayload;
    assert.ok(update.card.kind === 'alert' && update.card.view.status === 'acknowledged' && update.card.view.acknowledgedBy?.name === LEE.displayName);
    assert.match(JSON.stringify(presentCardContent(update.card)), new RegExp(`Acknowledged by ${LEE.displayName}`));
  });

  it('does nothing for an acknowledged alert, an unknown one, or another kind of timer', async () => {
    const acknowledged = new FakeStore(escalation({ status: 'acknowledged' }));
    await service(acknowledged).onTimer(timer());
    const missing = new FakeStore(null);
    await service(missing).onTimer(timer());
    const other = new FakeStore(escalation());
    await service(other).onTimer(timer({ kind: 'retention_purge' }));
    assert.deepEqual([acknowledged.escalated.length, missing.escalated.length, other.escalated.length], [0, 0, 0]);
  });

  it('a manager acknowledges: the practitioner is told, every copy of the alert and the outcome card are updated', async () => {
    const store = new FakeStore(escalation());
    const card = await service(store).acknowledge(acting(LEE), { escalationId: 'esc-1' });
    assert.equal(store.acknowledged.length, 1);
    const keys = store.acknowledged[0]!.notifications.map((n) => n.idempotencyKey);
    assert.deepEqual(keys, ['alert:esc-1:ack:tell-practitioner', 'alert:esc-1:ack:update:out-1', 'alert:esc-1:ack:update-practitioner-card']);
    assert.match(JSON.stringify(store.acknowledged[0]!.notifications[0]!.payload), /Morgan Teamlead acknowledged your safeguarding alert/);
    assert.match(JSON.stringify(card), /Morgan Teamlead/);
  });

  it('the practitioner cannot acknowledge their own alert; a bad id is refused before the store is touched', async () => {
    const store = new FakeStore(escalation());
    await assert.rejects(service(store).acknowledge(PAT, { escalationId: 'esc-1' }), (e: unknown) => e instanceof UserFacingError && e.status === 403);
    await assert.rejects(service(store).acknowledge(acting(LEE), { escalationId: { $ne: null } }), (e: unknown) => e instanceof UserFacingError && e.code === 'bad_payload');
    assert.equal(store.acknowledged.length, 0);
  });
});
