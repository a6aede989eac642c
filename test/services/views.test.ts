/**
 * What the services return is plain data that its one schema accepts and that survives JSON unchanged, so the
 * tab can return it as it is; and the bot's presenters turn the same data into the cards.
 */
import assert from 'node:assert/strict';
import { presentOutcome } from '../../src/bot/presenters/outcomePresenter';
import { presentWizardStep } from '../../src/bot/presenters/wizardPresenter';
import type { Directory, DirectoryAsker } from '../../src/domain/ports/directory';
import type { ApprovalRequest, ConsentEntry, Escalation, OutboxMessage } from '../../src/domain/ports/store';
import { decisionViewSchema, wizardStepViewSchema } from '../../src/domain/views';
import { questionsFor, startWizard, STEP_IDS } from '../../src/domain/wizard/wizard';
import { DecisionService } from '../../src/services/decisionService';
import { noNotifications } from '../../src/services/notificationPlanner';
import { wizardStepView } from '../../src/services/wizardService';
import { catalogue } from '../support/policies';
import { decide, decisionRecord, FACTS, LEE, PAT } from './fakes';

const NOW = new Date('2026-03-03T10:00:00Z');

function roundTrips(view: unknown): void {
  assert.deepEqual(JSON.parse(JSON.stringify(view)), view, 'nothing is lost through JSON');
}

function serviceWith(state: { approval?: ApprovalRequest | null; escalation?: Escalation | null; consent?: ConsentEntry[]; outbox?: OutboxMessage[] }, decision = decide(FACTS.needsApproval), directory?: Directory) {
  const record = decisionRecord('dec-1', decision, { caseRef: 'CR-90001', createdAt: NOW });
  const store = {
    getDecision: async (id: string) => (id === record.id ? record : null),
    getApprovalForDecision: async () => state.approval ?? null,
    getEscalationForDecision: async () => state.escalation ?? null,
    listConsent: async () => state.consent ?? [],
    listOutboxForRef: async () => state.outbox ?? [],
  };
  return new DecisionService({ store: store as never, planner: noNotifications, now: () => NOW, ...(directory ? { directory } : {}) });
}

describe('services: views', () => {
  it('a decision waiting for approval: the approval, its status and the case note, as JSON', async () => {
    const approval: ApprovalRequest = { id: 'appr-1', decisionId: 'dec-1', practitionerAadId: PAT.aadObjectId, managerAadId: LEE.aadObjectId, delegateAadIds: [], status: 'open', decidedBy: null, comment: null, version: 1, createdAt: NOW, settledAt: null, managerCard: null, practitionerCard: null };
    const view = await serviceWith({ approval }).viewFor('dec-1');
    assert.deepEqual(decisionViewSchema.parse(view), view, 'the schema accepts it as it is');
    roundTrips(view);
    assert.equal(view.outcome, 'manager_approval_required');
    assert.deepEqual(view.approval, { approvalId: 'appr-1', status: 'open', settledAt: null, settledBy: null, comment: null });
    assert.deepEqual(view.managerStatus, [{ kind: 'approval', status: 'open', byName: null, at: null, comment: null }]);
    assert.match(view.caseNote, /CR-90001/);
    assert.match(JSON.stringify(presentOutcome(view)), /An approval request has gone to your line manager/);
  });

  it('being settled by the same action: the view is settled, with who and when, before the store says so', async () => {
    const approval: ApprovalRequest = { id: 'appr-1', decisionId: 'dec-1', practitionerAadId: PAT.aadObjectId, managerAadId: LEE.aadObjectId, delegateAadIds: [], status: 'open', decidedBy: null, comment: null, version: 1, createdAt: NOW, settledAt: null, managerCard: null, practitionerCard: null };
    const at = new Date('2026-03-03T10:04:00Z');
    const view = await serviceWith({ approval }).viewFor('dec-1', { plannedStatus: [{ kind: 'approval', status: 'approved', byName: LEE.displayName, at: at.toISOString(), comment: 'Fine' }], settling: { status: 'approved', byName: LEE.displayName, at, comment: 'Fine' } });
    assert.deepEqual(view.approval, { approvalId: 'appr-1', status: 'approved', settledAt: at.toISOString(), settledBy: { name: LEE.displayName }, comment: 'Fine' });
    const card = JSON.stringify(presentOutcome(view));
    assert.match(card, /Approved by your line manager: WhatsApp allowed, with conditions/);
    assert.match(card, /Approved by Morgan Teamlead at 3 Mar, 10:04 GMT: \\"Fine\\"\. Follow the conditions below\./);
    // The case note is brought up to date: who decided, when, and what they said.
    assert.match(view.caseNote, /^Outcome: WhatsApp approved by the line manager, Morgan Teamlead, Tuesday 3 March 2026, 10:04 GMT$/m);
    assert.match(view.caseNote, /^Line manager's comment: "Fine"$/m);
  });

  it('settled earlier: the settler\'s name is looked up on behalf of the turn that asks for the view', async () => {
    const asked: Array<DirectoryAsker | undefined> = [];
    const directory: Directory = {
      managerOf: async (_id, asking) => (asked.push(asking), LEE),
      reportsOf: async () => [],
      delegatesOf: async () => [],
      escalationContactsFor: async () => ({ headOfService: null }),
    };
    const approval: ApprovalRequest = { id: 'appr-1', decisionId: 'dec-1', practitionerAadId: PAT.aadObjectId, managerAadId: LEE.aadObjectId, delegateAadIds: [], status: 'approved', decidedBy: LEE.aadObjectId, comment: null, version: 2, createdAt: NOW, settledAt: NOW, managerCard: null, practitionerCard: null };
    const view = await serviceWith({ approval }, undefined, directory).viewFor('dec-1', { asking: { correlationId: 'turn-of-lee' } });
    assert.deepEqual(view.approval?.settledBy, { name: LEE.displayName });
    assert.deepEqual(asked, [{ correlationId: 'turn-of-lee' }]);
  });

  it('settled earlier: the case note keeps the decision, when and the comment (the name is known only to the settling action)', async () => {
    const at = new Date('2026-03-03T10:04:00Z');
    const approval: ApprovalRequest = { id: 'appr-1', decisionId: 'dec-1', practitionerAadId: PAT.aadObjectId, managerAadId: LEE.aadObjectId, delegateAadIds: [], status: 'declined', decidedBy: LEE.aadObjectId, comment: 'Use Teams', version: 2, createdAt: NOW, settledAt: at, managerCard: null, practitionerCard: null };
    const view = await serviceWith({ approval }).viewFor('dec-1');
    assert.match(view.caseNote, /^Outcome: WhatsApp declined by the line manager, Tuesday 3 March 2026, 10:04 GMT$/m);
    assert.match(view.caseNote, /^Line manager's comment: "Use Teams"$/m);
  });

  it('a safeguarding alert: where each copy is and who acknowledged it, with ISO times', async () => {
    const escalation = { id: 'esc-1', decisionId: 'dec-1', level: 'manager', status: 'open', acknowledgedBy: null, acknowledgedAt: null, dueAt: null, version: 1, createdAt: NOW, updatedAt: NOW, practitionerCard: null, routing: { tenantId: PAT.tenantId, managerAadId: LEE.aadObjectId, delegateAadIds: [], headOfServiceAadId: null, reachedLevels: ['manager'], channelConversationId: null }, routedHours: null, acknowledgedByName: null } as Escalation;
    const copy = { id: 'out-1', kind: 'card', status: 'sent', sentAt: new Date('2026-03-03T10:01:00Z'), target: { kind: 'user', aadObjectId: LEE.aadObjectId }, payload: { tenantId: 't', card: { kind: 'rendered', card: { type: 'AdaptiveCard' } }, summary: 's', recipient: { level: 'manager', name: LEE.displayName } } } as unknown as OutboxMessage;
    const view = await serviceWith({ escalation, outbox: [copy] }, decide(FACTS.safeguarding)).viewFor('dec-1');
    assert.deepEqual(decisionViewSchema.parse(view), view);
    roundTrips(view);
    assert.deepEqual(view.alert?.copies, [{ recipient: { level: 'manager', name: LEE.displayName, description: null }, delivery: 'delivered', deliveredAt: '2026-03-03T10:01:00.000Z' }]);
    assert.match(JSON.stringify(presentOutcome(view)), /An urgent safeguarding alert is with your line manager; not yet acknowledged\. Delivered to your line manager Morgan Teamlead at 3 Mar, 10:01 GMT\./);
  });

  it('every wizard step of every council is a view its schema accepts, and the card is made from it', () => {
    for (const [id, policy] of catalogue().councils) {
      const start = startWizard(policy, NOW);
      for (const step of STEP_IDS) {
        const state = { step, answers: { ...start.answers, contactType: 'young_person', purpose: 'keep_in_touch', age: 14 }, history: ['contact' as const] };
        if (questionsFor(policy, step, state.answers).length === 0) continue;
        const view = wizardStepView({ policy, state, sessionId: 's-1', version: 2, errors: { age: 'Give an age' }, typed: { age: '200' }, consentNote: 'Consent register: given.' });
        assert.deepEqual(wizardStepViewSchema.parse(view), view, `${id} ${step}`);
        roundTrips(view);
        assert.equal(presentWizardStep(view).type, 'AdaptiveCard');
      }
    }
  });
});
