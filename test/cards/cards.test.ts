/**
 * Every card the bot can send, rendered from its template with representative data and parsed by the
 * Adaptive Cards SDK: no parse warning, no validation error, no unresolved expression, under 80 KB.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { presentAlert } from '../../src/bot/presenters/alertPresenter';
import { presentApproval } from '../../src/bot/presenters/approvalPresenter';
import { errorCard } from '../../src/bot/presenters/errorPresenter';
import { messageCard } from '../../src/bot/presenters/messagePresenter';
import { presentOutcome } from '../../src/bot/presenters/outcomePresenter';
import { renderTemplate, TEMPLATE_NAMES } from '../../src/bot/presenters/renderTemplate';
import { cardProblems } from '../../src/bot/presenters/validateCard';
import { presentWizardStep } from '../../src/bot/presenters/wizardPresenter';
import { alertViewOf, approvalViewOf } from '../../src/domain/views';
import { wizardStepView } from '../../src/services/wizardService';
import { decisionViewOf, settledApproval } from '../support/views';
import { helpCard, notUnderstoodCard, welcomeCard } from '../../src/bot/handlers/commandHandlers';
import { REFUSAL_REASONS } from '../../src/domain/authority';
import { caseNoteText } from '../../src/domain/caseNote';
import { ackRefused } from '../../src/services/escalationService';
import { parseFacts } from '../../src/domain/facts';
import { evaluate } from '../../src/domain/policy/evaluate';
import { parseScenarioFile } from '../../src/domain/policy/scenarios';
import { questionsFor, startWizard, STEP_IDS, type WizardState } from '../../src/domain/wizard/wizard';
import { CARDS_DIR, POLICIES_DIR } from '../../src/paths';
import { catalogue } from '../support/policies';

function actionsOf(card: any): any[] {
  const found: any[] = [];
  const visit = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(visit);
    if (typeof x.type === 'string' && x.type.startsWith('Action.')) found.push(x);
    for (const v of Object.values(x)) visit(v);
  };
  visit(card);
  return found;
}

function expectValid(card: unknown, what: string) {
  assert.deepEqual(cardProblems(card), [], `${what}:\n${JSON.stringify(card, null, 1).slice(0, 3000)}`);
  for (const a of actionsOf(card)) {
    if (a.type === 'Action.Execute') {
      assert.match(String(a.verb), /^[a-z]+\.[a-z]+$/, `${what}: an Action.Execute without a verb`);
      assert.equal(a.data?.verb, a.verb, `${what}: the data carries the verb for the Action.Submit fallback`);
    }
    if (a.type === 'Action.Submit') assert.match(String(a.data?.verb), /^[a-z]+\.[a-z]+$/, `${what}: an Action.Submit without a verb`);
  }
}

const NOW = new Date('2026-03-03T10:00:00Z');

describe('cards', () => {
  it('every template in cards/ is one the code knows, and each is valid JSON for schema 1.5', () => {
    const files = fs.readdirSync(CARDS_DIR).filter((f) => f.endsWith('.json')).map((f) => f.replace(/\.json$/, '')).sort();
    assert.deepEqual(files, [...TEMPLATE_NAMES].sort());
    for (const f of files) assert.equal(JSON.parse(fs.readFileSync(path.join(CARDS_DIR, `${f}.json`), 'utf8')).version, '1.5');
  });

  it('the validator catches broken cards (it can fail)', () => {
    assert.ok(cardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlokk', text: 'x' }] }).some((p) => p.startsWith('parse:')));
    assert.ok(cardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'Input.Text' }] }).some((p) => p.startsWith('validate:')));
    assert.ok(cardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: '${missing}' }] }).some((p) => p.includes('unresolved')));
    assert.ok(cardProblems({ type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: 'x'.repeat(90 * 1024) }] }).some((p) => p.includes('byte')));
    assert.ok(cardProblems({ type: 'AdaptiveCard', version: '1.2', body: [] }).some((p) => p.includes('1.5')));
  });

  for (const [id, policy] of catalogue().councils) {
    it(`wizard steps for ${id}: every step, with and without errors, for each kind of contact`, () => {
      for (const contactType of ['young_person', 'parent_carer', 'staff', 'foster_carer_volunteer']) {
        for (const purpose of ['keep_in_touch', 'broadcast', 'video_visit']) {
          const start = startWizard(policy, NOW);
          for (const step of STEP_IDS) {
            const state: WizardState = { step, answers: { ...start.answers, contactType, purpose, age: 14, parentalConsent: null }, history: ['contact'] };
            const questions = questionsFor(policy, step, state.answers);
            if (questions.length === 0) continue;
            expectValid(presentWizardStep(wizardStepView({ policy, state, sessionId: 's-1', version: 3 })), `${id} ${step}`);
            const errors = Object.fromEntries(questions.map((q) => [q.id, `${q.label} is wrong`]));
            expectValid(presentWizardStep(wizardStepView({ policy, state: { ...state, answers: { ...state.answers, immediateRiskToLife: true } }, sessionId: 's-1', version: 3, errors })), `${id} ${step} with errors`);
          }
        }
      }
    });

    it(`outcome cards for every scenario of ${id}`, () => {
      const file = parseScenarioFile(fs.readFileSync(path.join(POLICIES_DIR, `${id}.tests.yaml`), 'utf8'), id);
      for (const s of file.scenarios) {
        const decision = evaluate(policy, parseFacts(s.facts));
        const caseNote = caseNoteText({ practitionerDisplayName: 'Pat Practitioner', createdAt: NOW, caseRef: 'CR-1001', decision });
        const card = presentOutcome(decisionViewOf(decision, { caseNote, managerStatus: decision.notifyManager ? [{ kind: 'notice_sent', managerName: null }] : [] }));
        expectValid(card, `${id}: ${s.name}`);
        const text = JSON.stringify(card);
        assert.ok(text.includes(JSON.stringify(decision.headline).slice(1, -1)), 'headline shown');
        for (const script of [...decision.scripts, ...(decision.routineLater?.scripts ?? [])]) assert.ok(text.includes(JSON.stringify(script.text).slice(1, -1)), `script ${script.id} shown exactly`);
        for (const r of decision.reasons.filter((x) => x.decisive)) assert.ok(text.includes(r.ruleId), `citation ${r.ruleId} shown`);
      }
    });
  }

  it('a crisis outcome card leads with what to do now; routine items only in its collapsed "For routine contact later" part', () => {
    const policy = catalogue().councils.get('warwickshire')!;
    const decision = evaluate(policy, parseFacts({ contactType: 'young_person', age: 17, device: 'work_issued', account: 'work', purpose: 'keep_in_touch', initiatedBy: 'young_person', immediateRiskToLife: true, withinWorkingHours: false }));
    const caseNote = caseNoteText({ practitionerDisplayName: 'Pat Practitioner', createdAt: NOW, caseRef: 'CR-1', decision });
    const card = presentOutcome(decisionViewOf(decision, { caseRef: 'CR-1', caseNote })) as any;
    expectValid(card, 'crisis outcome');
    assert.equal(card.body[0].items[0].text, 'Call 999 now');
    assert.equal(card.body[1].items[0].text, 'Do this now');
    assert.match(card.body[1].items[1].text, /^1\. \*\*Call 999/);
    const later = card.body.find((b: any) => b.id === 'routine-later');
    assert.ok(later, 'a routine part');
    assert.equal(later.isVisible, false, 'collapsed');
    const outside = JSON.stringify({ ...card, body: card.body.filter((b: any) => b !== later) });
    for (const routine of ['Two-step verification', 'The device requires a passcode', 'For any further routine contact']) assert.ok(!outside.includes(routine), `${routine} is not outside the routine part`);
    assert.match(JSON.stringify(later), /Two-step verification/);
    const toggle = card.body.find((b: any) => b.type === 'ActionSet');
    assert.match(toggle.actions[0].title, /^For routine contact later: WhatsApp is allowed/);
  });

  it('error, message, help and checks-list cards', () => {
    expectValid(errorCard({ title: 'Could not finish', message: 'Try again', errorId: 'abc123', retry: { verb: 'wizard.next', data: { sessionId: 's', version: 2, contactType: 'staff' } } }), 'error with retry');
    expectValid(errorCard({ title: 'Not found', message: 'Start again', errorId: 'abc123' }), 'error without retry');
    // The refusals someone who may not act sees: each says why and what to do instead, and never offers a retry.
    for (const reason of REFUSAL_REASONS) {
      const refusal = ackRefused(reason);
      assert.equal(refusal.status, 403);
      const card = errorCard({ title: refusal.title, message: refusal.advice, errorId: 'abc123' });
      expectValid(card, `alert refusal: ${reason}`);
      assert.match(refusal.advice, reason === 'own_request' ? /phone your line manager/ : /999/, reason);
    }
    assert.match(ackRefused('not_routed').advice, /You are not one of the people this alert was sent to/);
    expectValid(messageCard({ title: 'Hello', paragraphs: ['One', 'Two'], items: ['a', 'b'], showStart: true }), 'message');
    expectValid(messageCard({ title: 'Hello' }), 'bare message');
    expectValid(welcomeCard('London Borough of Hillingdon'), 'welcome');
    for (const [id, policy] of catalogue().councils) expectValid(helpCard(policy), `help: ${id}`);
    expectValid(helpCard(null), 'help, no council set up');
    expectValid(notUnderstoodCard(), 'not understood');
    expectValid(renderTemplate('checks-list', { title: 'Your checks', emptyText: 'None', checks: [] }), 'empty list');
    expectValid(renderTemplate('checks-list', { title: 'Your checks', emptyText: 'None', checks: [{ decisionId: 'd-1', headline: 'Use Teams', color: 'Accent', when: '3 Mar, 10:00', council: 'Hillingdon', caseRef: 'CR-1', who: ' · Pat', status: 'Recorded', consent: null, withdraw: null }] }), 'list');
    const withConsent = renderTemplate('checks-list', { title: 'Your checks', emptyText: 'None', checks: [{ decisionId: 'd-2', headline: 'Allowed', color: 'Good', when: '3 Mar, 10:00', council: 'WF', caseRef: 'CR-2', who: '', status: 'Recorded', consent: 'Consent given (consent register)', withdraw: { caseRef: 'CR-2' } }] });
    expectValid(withConsent, 'list with a consent withdrawal');
    assert.ok(actionsOf(withConsent).some((a) => a.verb === 'consent.withdraw' && a.data.caseRef === 'CR-2' && a.title === 'They withdrew consent'));
  });

  it('an outcome card offers to record consent where the pack asks for it, and shows where the register stands', () => {
    const policy = catalogue().councils.get('waltham-forest')!;
    const decision = evaluate(policy, parseFacts({ contactType: 'parent_carer', device: 'work_issued', account: 'work', purpose: 'appointment' }));
    assert.equal(decision.consentRequest?.label, 'They replied YES');
    assert.equal(decision.consentRequest?.scriptId, 'wf-consent-script');
    const offered = presentOutcome(decisionViewOf(decision, { decisionId: 'd-7', caseRef: 'CR-7', consent: { standing: null, registerLine: null, offer: { label: decision.consentRequest!.label } } }));
    expectValid(offered, 'outcome with a consent offer');
    assert.ok(actionsOf(offered).some((a) => a.verb === 'consent.given' && a.data.decisionId === 'd-7' && a.title === 'They replied YES'));
    const recorded = presentOutcome(decisionViewOf(decision, { decisionId: 'd-7', caseRef: 'CR-7', consent: { standing: 'given', registerLine: 'Consent register: Consent given.', offer: null } }));
    expectValid(recorded, 'outcome with the register');
    assert.ok(!actionsOf(recorded).some((a) => a.verb === 'consent.given'));
    assert.match(JSON.stringify(recorded), /Consent register: Consent given\./);
  });

  it('approval and safeguarding alert cards in every state', () => {
    const policy = catalogue().councils.get('hillingdon')!;
    const decision = evaluate(policy, parseFacts({ contactType: 'parent_carer', device: 'work_issued', account: 'work', purpose: 'video_visit', teamsAvailable: false }));
    const base = { id: 'a-1', status: 'open' as const, version: 1, managerAadId: 'm-1', delegateAadIds: ['d-1'], comment: null, settledAt: null, createdAt: NOW };
    const record = { decisionId: 'd-1', decision, practitionerName: 'Pat Practitioner', caseRef: 'CR-1001' };
    const open = presentApproval(approvalViewOf({ record, approval: base, settledByName: null, viewerMayDecide: true }));
    expectValid(open, 'approval open');
    assert.deepEqual((open as { refresh: { userIds: string[] } }).refresh.userIds, ['m-1', 'd-1']);
    assert.ok(JSON.stringify(open).includes('approval.approve'));
    const channelView = presentApproval(approvalViewOf({ record, approval: base, settledByName: null, viewerMayDecide: false }));
    expectValid(channelView, 'approval read-only');
    assert.ok(!JSON.stringify(channelView).includes('approval.approve'), 'no buttons for everyone in a channel');
    const approved = presentApproval(approvalViewOf({ record, approval: { ...base, status: 'approved', comment: 'Fine, review in a month', settledAt: NOW }, settledByName: null, viewerMayDecide: true }));
    expectValid(approved, 'approved');
    assert.match(JSON.stringify(approved), /Approved by the line manager at .*: \\"Fine, review in a month\\"/);
    assert.ok(!JSON.stringify(approved).includes('approval.approve'), 'no buttons once settled');
    const declined = presentApproval(approvalViewOf({ record, approval: { ...base, status: 'declined', comment: null, settledAt: NOW }, settledByName: 'Lee Manager', viewerMayDecide: true }));
    expectValid(declined, 'declined');
    assert.match(JSON.stringify(declined), /Declined by Lee Manager at /);
    for (const settled of ['approved', 'declined'] as const) {
      const card = presentOutcome(decisionViewOf(decision, { caseRef: 'CR-1', approval: settledApproval(settled, 'Lee Manager'), managerStatus: [{ kind: 'approval', status: settled, byName: 'Lee Manager', at: NOW.toISOString(), comment: null }] }));
      expectValid(card, `outcome ${settled}`);
      assert.match(JSON.stringify(card), settled === 'approved' ? /Approved by your line manager: WhatsApp allowed/ : /Declined by your line manager: do not use WhatsApp/);
      assert.match(JSON.stringify(card), settled === 'approved' ? /Approved by Lee Manager at .*Follow the conditions below/ : /Declined by Lee Manager at .*use the alternatives/);
    }
    const alarm = evaluate(policy, parseFacts({ contactType: 'young_person', age: 15, device: 'work_issued', account: 'work', purpose: 'keep_in_touch', immediateRiskToLife: true, withinWorkingHours: false }));
    const alarmRecord = { decisionId: 'd-2', decision: alarm, practitionerName: 'Pat', caseRef: null };
    const escalation = { id: 'e-1', status: 'open' as const, level: 'manager' as const, reachedLevels: ['manager' as const], createdAt: NOW, acknowledgedAt: null };
    expectValid(presentAlert(alertViewOf({ escalation, record: alarmRecord })), 'alert open');
    const escalated = presentAlert(alertViewOf({ escalation, record: { ...alarmRecord, caseRef: 'CR-1' }, routingNote: { reason: 'unacknowledged', fromLevel: 'manager', toLevel: 'head_of_service', minutes: 15 } }));
    expectValid(escalated, 'alert escalated');
    assert.match(JSON.stringify(escalated), /Not acknowledged within 15 minutes by the line manager: escalated to you\./);
    const acknowledged = presentAlert(alertViewOf({ escalation: { ...escalation, status: 'acknowledged', acknowledgedAt: NOW }, record: { ...alarmRecord, caseRef: 'CR-1' }, acknowledgedByName: 'Lee Manager' }));
    expectValid(acknowledged, 'alert acknowledged');
    assert.match(JSON.stringify(acknowledged), /Acknowledged by Lee Manager at /);
    assert.ok(!JSON.stringify(acknowledged).includes('escalation.acknowledge'), 'no Acknowledge button once acknowledged');
  });
});
