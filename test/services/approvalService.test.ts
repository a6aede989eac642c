/** ApprovalService with a fake store: what a click settles, what it queues, and what it refuses. */
import { managerStatusText } from '../../src/bot/presenters/managerStatusWords';
import { presentApproval } from '../../src/bot/presenters/approvalPresenter';
import type { DecisionView, ManagerStatus } from '../../src/domain/views';
import type { Settling } from '../../src/services/decisionService';
import assert from 'node:assert/strict';
import type { ApprovalRequest, DecisionRecord, NewOutboxMessage, SettleApprovalCommand, SettleApprovalResult } from '../../src/domain/ports/store';
import { ApprovalService } from '../../src/services/approvalService';
import { UserFacingError } from '../../src/services/userFacingError';
import { catalogue } from '../support/policies';
import { acting, decide, decisionRecord, FACTS, JO, LEE, PAT } from './fakes';

const PRACTITIONER_CARD = { activityId: 'act-outcome', conversationId: 'a:pat-1to1' };
const MANAGER_CARD = { activityId: 'act-approval', conversationId: 'a:lee-1to1' };

function approval(overrides: Partial<ApprovalRequest> = {}): ApprovalRequest {
  return {
    id: 'appr-1', decisionId: 'dec-1', practitionerAadId: PAT.aadObjectId, managerAadId: LEE.aadObjectId, delegateAadIds: [JO.aadObjectId],
    status: 'open', decidedBy: null, comment: null, version: 1, createdAt: new Date('2026-03-03T10:00:00Z'), settledAt: null,
    managerCard: MANAGER_CARD, practitionerCard: PRACTITIONER_CARD, ...overrides,
  };
}

/** Holds one approval and one decision; settleApproval answers with `result` and records the command. */
class FakeStore {
  settled: SettleApprovalCommand[] = [];
  result: (cmd: SettleApprovalCommand) => SettleApprovalResult = (cmd) => ({ kind: 'settled', approval: { ...this.approval!, status: cmd.action === 'approve' ? 'approved' : 'declined', decidedBy: cmd.actor.aadObjectId, comment: cmd.comment ?? null, version: 2 } });
  constructor(public approval: ApprovalRequest | null, public record: DecisionRecord) {}
  async getApproval(id: string) { return this.approval?.id === id ? this.approval : null; }
  async getDecision(id: string) { return this.record.id === id ? this.record : null; }
  async settleApproval(cmd: SettleApprovalCommand) { this.settled.push(cmd); return this.result(cmd); }
  async getConversationReference(id: string) { return { userAadId: id, reference: { conversation: { id: `a:${id}` }, serviceUrl: 'https://smba.example.invalid/' } }; }
}

function service(store: FakeStore) {
  const outcomeCards: Array<{ decisionId: string; status: string | null | undefined; settling: string | undefined }> = [];
  const decisions = {
    viewFor: async (decisionId: string, { plannedStatus: status, settling }: { plannedStatus?: ManagerStatus[]; settling?: Settling } = {}) => {
      outcomeCards.push({ decisionId, status: status ? managerStatusText(status) : undefined, settling: settling?.status });
      return { decisionId, managerStatus: status ?? [] } as unknown as DecisionView;
    },
  };
  return { s: new ApprovalService({ store: store as never, decisions, policyFor: (id) => catalogue().councils.get(id), now: () => new Date('2026-03-03T11:30:00Z') }), outcomeCards };
}
const keys = (ms: NewOutboxMessage[] | undefined) => (ms ?? []).map((m) => m.idempotencyKey).sort();

describe('services: ApprovalService', () => {
  const record = decisionRecord('dec-1', decide(FACTS.needsApproval));

  it('the manager approves: settles with the trimmed comment, queues the practitioner\'s message and card update', async () => {
    const store = new FakeStore(approval(), record);
    const { s, outcomeCards } = service(store);
    const card = presentApproval(await s.decide(acting(LEE), { approvalId: 'appr-1', version: 1, comment: '  Fine this week.  ' }, 'approve'));
    assert.equal(store.settled.length, 1);
    const cmd = store.settled[0]!;
    assert.deepEqual({ ...cmd, notifications: undefined }, { approvalId: 'appr-1', actor: acting(LEE), action: 'approve', comment: 'Fine this week.', expectedVersion: 1, notifications: undefined });
    assert.deepEqual(keys(cmd.notifications), ['approval:appr-1:tell-practitioner', 'approval:appr-1:update-practitioner-card']);
    const text = cmd.notifications!.find((n) => n.kind === 'text')!;
    assert.match(JSON.stringify(text.payload), /Morgan Teamlead approved your request to use WhatsApp \(case CR-90001\): \\"Fine this week.\\"/);
    const update = cmd.notifications!.find((n) => n.kind === 'card_update')!;
    assert.deepEqual(update.target, { kind: 'conversation', conversationId: PRACTITIONER_CARD.conversationId });
    assert.equal((update.payload as { activityId: string }).activityId, PRACTITIONER_CARD.activityId);
    assert.match(outcomeCards[0]!.status ?? '', /^Approved by Morgan Teamlead at .*: "Fine this week."/);
    assert.equal(outcomeCards[0]!.settling, 'approved');
    assert.match(JSON.stringify(card), /Approved by Morgan Teamlead/);
  });

  it('marks what it queues with the correlation id of the actor\'s turn, and leaves it unmarked outside a turn', async () => {
    const inTurn = new FakeStore(approval(), record);
    await service(inTurn).s.decide({ ...acting(JO), correlationId: 'turn-of-jo' }, { approvalId: 'appr-1' }, 'decline');
    assert.equal(inTurn.settled[0]!.notifications!.length, 3);
    assert.deepEqual(inTurn.settled[0]!.notifications!.map((n) => n.correlationId), ['turn-of-jo', 'turn-of-jo', 'turn-of-jo']);
    const outside = new FakeStore(approval(), record);
    await service(outside).s.decide(acting(JO), { approvalId: 'appr-1' }, 'decline');
    assert.ok(outside.settled[0]!.notifications!.every((n) => !('correlationId' in n)));
  });

  it('a delegate declines: the manager\'s own copy of the card is updated too', async () => {
    const store = new FakeStore(approval(), record);
    const { s } = service(store);
    await s.decide(acting(JO), { approvalId: 'appr-1' }, 'decline');
    assert.deepEqual(keys(store.settled[0]!.notifications), ['approval:appr-1:tell-practitioner', 'approval:appr-1:update-manager-card', 'approval:appr-1:update-practitioner-card']);
    const managerUpdate = store.settled[0]!.notifications!.find((n) => n.idempotencyKey.endsWith('update-manager-card'))!;
    assert.deepEqual(managerUpdate.target, { kind: 'conversation', conversationId: MANAGER_CARD.conversationId });
    assert.match(JSON.stringify(store.settled[0]!.notifications), /Quinn Deputy declined your request/);
  });

  it('a decline with a comment ends cleanly: the practitioner reads their manager\'s words, then what to do, never `instead.". Do`', async () => {
    for (const [comment, quoted] of [['Use Teams instead.', '"Use Teams instead." Do not use'], ['Phone them', '"Phone them". Do not use'], ['Really?\n\n  Call me', '"Really? Call me". Do not use']] as const) {
      const store = new FakeStore(approval(), record);
      const { s, outcomeCards } = service(store);
      await s.decide(acting(LEE), { approvalId: 'appr-1', comment }, 'decline');
      const text = (store.settled[0]!.notifications!.find((n) => n.kind === 'text')!.payload as { text: string }).text;
      assert.equal(text, `Morgan Teamlead declined your request to use WhatsApp (case CR-90001): ${quoted} WhatsApp for this contact; use the alternatives on your outcome card.`);
      assert.match(outcomeCards[0]!.status ?? '', new RegExp(`^Declined by Morgan Teamlead at 3 Mar, 11:30 GMT: ${quoted.replace(/[?.]/g, '\\$&')} WhatsApp; use the alternatives\\.$`));
    }
    const store = new FakeStore(approval(), record);
    const { s } = service(store);
    await s.decide(acting(LEE), { approvalId: 'appr-1' }, 'decline');
    assert.match(JSON.stringify(store.settled[0]!.notifications), /declined your request to use WhatsApp \(case CR-90001\)\. Do not use WhatsApp for this contact/);
  });

  it('refuses someone the store says may not decide, with 403 and the reason', async () => {
    const store = new FakeStore(approval(), record);
    store.result = () => ({ kind: 'not_authorised', approval: approval(), reason: 'not_assigned', detail: 'only the assigned manager or a delegate can settle this request' });
    const { s } = service(store);
    await assert.rejects(s.decide(PAT, { approvalId: 'appr-1' }, 'approve'), (e: unknown) => e instanceof UserFacingError && e.status === 403 && /line manager or one of their delegates/.test(e.message + JSON.stringify(e)));
  });

  it('a replay or a second click gets the settled card back', async () => {
    const settled = approval({ status: 'approved', decidedBy: LEE.aadObjectId, version: 2, settledAt: new Date('2026-03-03T11:00:00Z') });
    const store = new FakeStore(approval(), record);
    store.result = () => ({ kind: 'already_settled', approval: settled });
    const { s } = service(store);
    const view = await s.decide(acting(LEE), { approvalId: 'appr-1', version: 1 }, 'approve');
    assert.equal(view.status, 'approved');
    const card = presentApproval(view);
    assert.doesNotMatch(JSON.stringify(card), /approval\.approve/, 'no buttons on a settled request');
  });

  it('bad input is refused before the store is asked to settle anything', async () => {
    const store = new FakeStore(approval(), record);
    const { s } = service(store);
    await assert.rejects(s.decide(acting(LEE), { approvalId: 'appr-1', comment: 'x'.repeat(1001) }, 'approve'), (e: unknown) => e instanceof UserFacingError && e.code === 'bad_comment');
    await assert.rejects(s.decide(acting(LEE), { approvalId: "1' or '1'='1" }, 'approve'), (e: unknown) => e instanceof UserFacingError && e.code === 'bad_payload');
    await assert.rejects(s.decide(acting(LEE), { approvalId: 'no-such' }, 'approve'), (e: unknown) => e instanceof UserFacingError && e.code === 'approval_not_found');
    assert.equal(store.settled.length, 0);
  });
});
