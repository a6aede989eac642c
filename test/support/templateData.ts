/**
 * Realistic data for every card template, made the way the bot makes it: views built from the packs'
 * scenarios and from sampled facts, turned into template data by the presenters. For the test that binds
 * each template with adaptivecards-templating and with the compiled binding, and for the binding benchmark.
 */
import fs from 'node:fs';
import path from 'node:path';
import { alertCardData } from '../../src/bot/presenters/alertPresenter';
import { approvalCardData } from '../../src/bot/presenters/approvalPresenter';
import { checksListData } from '../../src/bot/presenters/checksListPresenter';
import { errorCardData, SAFETY_NOTE } from '../../src/bot/presenters/errorPresenter';
import { messageCardData, messageOf } from '../../src/bot/presenters/messagePresenter';
import { outcomeCardData } from '../../src/bot/presenters/outcomePresenter';
import type { TemplateName } from '../../src/bot/presenters/renderTemplate';
import { wizardStepData } from '../../src/bot/presenters/wizardPresenter';
import { REFUSAL_REASONS } from '../../src/domain/authority';
import { caseNoteText } from '../../src/domain/caseNote';
import { parseFacts } from '../../src/domain/facts';
import type { Decision } from '../../src/domain/policy/decision';
import { evaluate } from '../../src/domain/policy/evaluate';
import { OUTCOMES } from '../../src/domain/policy/precedence';
import { randomFacts, seededRandom } from '../../src/domain/policy/sampleFacts';
import { parseScenarioFile } from '../../src/domain/policy/scenarios';
import { DECISION_STATES, ESCALATION_LEVELS } from '../../src/domain/ports/store';
import { alertViewOf, approvalViewOf, type ChecksEntryView, type DecisionView, type ManagerStatus, NOTICES, notice } from '../../src/domain/views';
import { questionsFor, startWizard, STEP_IDS, type WizardState } from '../../src/domain/wizard/wizard';
import { POLICIES_DIR } from '../../src/paths';
import { ackRefused } from '../../src/services/escalationService';
import { wizardStepView } from '../../src/services/wizardService';
import { catalogue } from './policies';
import { decisionViewOf, settledApproval } from './views';

export interface TemplateDataSet {
  name: TemplateName;
  label: string;
  data: object;
}

const NOW = new Date('2026-03-03T10:00:00Z');

/** Every scenario of every pack, then `sampled` decisions per pack on sampled facts. */
function decisions(sampled: number): Array<{ label: string; decision: Decision }> {
  const all: Array<{ label: string; decision: Decision }> = [];
  for (const [id, policy] of catalogue().councils) {
    const file = parseScenarioFile(fs.readFileSync(path.join(POLICIES_DIR, `${id}.tests.yaml`), 'utf8'), id);
    for (const s of file.scenarios) all.push({ label: `${id}: ${s.name}`, decision: evaluate(policy, parseFacts(s.facts)) });
    const random = seededRandom(7);
    for (let i = 0; i < sampled; i++) all.push({ label: `${id}: sampled ${i}`, decision: evaluate(policy, randomFacts(random)) });
  }
  return all;
}

const MANAGER_STATUSES: ManagerStatus[][] = [
  [],
  [{ kind: 'notice_sent', managerName: 'Lee Manager' }],
  [{ kind: 'notice_sent', managerName: null }],
  [{ kind: 'approval_sending', managerName: 'Lee Manager' }],
  [{ kind: 'approval', status: 'approved', byName: 'Lee Manager', at: '2026-03-03T10:05:00.000Z', comment: 'Fine, review in a month' }],
  [{ kind: 'approval', status: 'declined', byName: null, at: null, comment: null }],
  [{ kind: 'alert_sending', noManager: null, reached: [{ level: 'manager', name: 'Lee Manager' }], goesFurtherAfterMinutes: 15 }],
  [{ kind: 'alert_open', level: 'manager', copies: [{ recipient: { level: 'manager', name: 'Lee', description: null }, delivery: 'delivered', deliveredAt: '2026-03-03T10:01:00.000Z' }] }],
  [{ kind: 'phone_now', reason: 'unacknowledged', minutes: 15, numbers: [{ label: 'Duty desk', phone: '020 7946 0000' }] }],
  [{ kind: 'alert_unreachable', noManager: 'lookup_failed' }],
];

function outcomeViews(label: string, decision: Decision, i: number): Array<{ label: string; view: DecisionView }> {
  const caseRef = i % 4 === 3 ? null : `CR-${1000 + i}`;
  const caseNote = caseNoteText({ practitionerDisplayName: i % 5 === 0 ? 'Zoë O’Brien-Łukasz' : 'Pat Practitioner', createdAt: NOW, caseRef, decision });
  const managerStatus = MANAGER_STATUSES[i % MANAGER_STATUSES.length]!;
  const views = [{ label, view: decisionViewOf(decision, { decisionId: `d-${i}`, caseRef, caseNote, managerStatus }) }];
  if (i % 3 === 0) {
    views.push({ label: `${label}, consent offered`, view: decisionViewOf(decision, { caseRef, caseNote, consent: { standing: null, registerLine: null, offer: { label: 'They replied YES' } } }) });
    views.push({ label: `${label}, consent on the register`, view: decisionViewOf(decision, { caseRef, caseNote, consent: { standing: 'given', registerLine: 'Consent register: Consent given.', offer: null } }) });
  }
  if (decision.outcome === 'manager_approval_required') {
    for (const s of ['approved', 'declined'] as const) views.push({ label: `${label}, ${s}`, view: decisionViewOf(decision, { caseRef, caseNote, approval: settledApproval(s, i % 2 ? 'Lee Manager' : null) }) });
  }
  return views;
}

function outcomeData(sampled: number): TemplateDataSet[] {
  return decisions(sampled).flatMap(({ label, decision }, i) => outcomeViews(label, decision, i).map((v) => ({ name: 'outcome' as const, label: v.label, data: outcomeCardData(v.view) })));
}

function wizardData(): TemplateDataSet[] {
  const all: TemplateDataSet[] = [];
  for (const [id, policy] of catalogue().councils) {
    for (const contactType of ['young_person', 'parent_carer', 'staff', 'foster_carer_volunteer']) {
      for (const purpose of ['keep_in_touch', 'broadcast', 'video_visit']) {
        const start = startWizard(policy, NOW);
        for (const step of STEP_IDS) {
          const state: WizardState = { step, answers: { ...start.answers, contactType, purpose, age: 14, parentalConsent: null }, history: step === 'contact' ? [] : ['contact'] };
          const questions = questionsFor(policy, step, state.answers);
          if (questions.length === 0) continue;
          const label = `${id} ${contactType} ${purpose} ${step}`;
          all.push({ name: 'wizard-step', label, data: wizardStepData(wizardStepView({ policy, state, sessionId: 's-1', version: 3 })) });
          const errors = Object.fromEntries(questions.map((q) => [q.id, `${q.label} is wrong`]));
          const typed = Object.fromEntries(questions.map((q) => [q.id, q.id === 'age' ? '200' : 'typed ${x} “quoted”']));
          all.push({
            name: 'wizard-step',
            label: `${label} with errors`,
            data: wizardStepData(wizardStepView({ policy, state: { ...state, answers: { ...state.answers, immediateRiskToLife: true } }, sessionId: 's-2', version: 4, errors, typed, consentNote: 'Consent register: given.' })),
          });
          if (questions.length > 1) {
            const [first] = questions;
            all.push({ name: 'wizard-step', label: `${label} with one error`, data: wizardStepData(wizardStepView({ policy, state, sessionId: 's-3', version: 1, errors: { [first!.id]: 'Give an answer' } })) });
          }
        }
      }
    }
  }
  return all;
}

function managerData(sampled: number): TemplateDataSet[] {
  const all: TemplateDataSet[] = [];
  decisions(sampled).forEach(({ label, decision }, i) => {
    const policy = catalogue().councils.get(decision.policy.id) ?? null;
    const record = { decisionId: `d-${i}`, decision, practitionerName: i % 4 === 0 ? null : 'Pat Practitioner', caseRef: i % 3 === 0 ? null : `CR-${i}`, policy: i % 7 === 6 ? null : policy };
    const base = { id: `a-${i}`, status: 'open' as const, version: 1 + (i % 3), managerAadId: 'm-1', delegateAadIds: i % 2 ? ['d-1', 'd-2'] : [], comment: null, settledAt: null, createdAt: NOW };
    all.push({ name: 'approval-request', label: `${label}: open`, data: approvalCardData(approvalViewOf({ record, approval: base, settledByName: null, viewerMayDecide: i % 5 !== 0 })) });
    if (i % 2 === 0) {
      all.push({ name: 'approval-request', label: `${label}: approved`, data: approvalCardData(approvalViewOf({ record, approval: { ...base, status: 'approved', comment: 'Fine ${ok}', settledAt: NOW }, settledByName: 'Lee Manager', viewerMayDecide: true })) });
      all.push({ name: 'approval-request', label: `${label}: declined`, data: approvalCardData(approvalViewOf({ record, approval: { ...base, status: 'declined', settledAt: NOW }, settledByName: null, viewerMayDecide: true })) });
      all.push({ name: 'approval-request', label: `${label}: cancelled`, data: approvalCardData(approvalViewOf({ record, approval: { ...base, status: 'cancelled' }, settledByName: null, viewerMayDecide: false })) });
    }
    const level = ESCALATION_LEVELS[i % ESCALATION_LEVELS.length]!;
    const escalation = { id: `e-${i}`, status: 'open' as const, level, reachedLevels: ESCALATION_LEVELS.slice(0, 1 + (i % 3)), createdAt: NOW, acknowledgedAt: null };
    const routingNotes = [null, { reason: 'undelivered' as const, fromLevel: 'manager' as const, toLevel: 'head_of_service' as const, minutes: 15 }, { reason: 'reminder' as const, fromLevel: 'manager' as const, toLevel: 'escalation_channel' as const, minutes: 60 }];
    all.push({ name: 'safeguarding-alert', label: `${label}: alert open`, data: alertCardData(alertViewOf({ escalation, record, routingNote: routingNotes[i % 3]! })) });
    all.push({
      name: 'safeguarding-alert',
      label: `${label}: alert acknowledged`,
      data: alertCardData(alertViewOf({ escalation: { ...escalation, status: 'acknowledged', acknowledgedAt: NOW, routedHours: { basis: 'answered_out_of_hours', at: NOW.toISOString(), hours: { timezone: 'Europe/London', days: ['mon', 'tue'], start: '09:00', end: '17:00' } } }, record, acknowledgedByName: i % 2 ? 'Lee' : null })),
    });
  });
  return all;
}

function checksData(): TemplateDataSet[] {
  const entry = (i: number): ChecksEntryView => ({
    decisionId: `d-${i}`,
    createdAt: new Date(NOW.getTime() - i * 3_600_000).toISOString(),
    outcome: OUTCOMES[i % OUTCOMES.length]!,
    headline: i % 4 === 0 ? 'Use Teams ${not a binding}' : `Headline ${i} — “quoted” ✓`,
    council: i % 2 ? 'Hillingdon' : 'Waltham Forest',
    caseRef: i % 3 === 0 ? null : `CR-${i}`,
    practitionerName: i % 5 === 0 ? null : 'Pat',
    state: DECISION_STATES[i % DECISION_STATES.length]!,
    waitingFor: i % 6 === 0 ? 'alert' : i % 6 === 1 ? 'approval' : null,
    consent: i % 3 === 0 ? 'given' : i % 3 === 1 ? 'withdrawn' : null,
    mayWithdrawConsent: i % 2 === 0,
  });
  const all: TemplateDataSet[] = [];
  for (const list of ['mine', 'team', 'waiting'] as const) {
    for (const n of [0, 1, 2, 7, 25]) {
      for (const hasTeam of [true, false]) all.push({ name: 'checks-list', label: `${list} ${n} ${hasTeam}`, data: checksListData({ list, hasTeam, entries: Array.from({ length: n }, (_, i) => entry(i + n)) }) });
    }
  }
  return all;
}

function otherData(): TemplateDataSet[] {
  const all: TemplateDataSet[] = [];
  const retry = { verb: 'wizard.next', data: { sessionId: 's', version: 2, contactType: 'staff' } };
  for (const safetyNote of [undefined, null, SAFETY_NOTE]) {
    all.push({ name: 'error', label: 'error with retry', data: errorCardData({ title: 'Could not finish', message: 'Try again', errorId: 'abc123', retry, safetyNote }) });
    all.push({ name: 'error', label: 'error without retry', data: errorCardData({ title: 'Not found', message: 'Start ${again}', errorId: 'abc123', safetyNote }) });
  }
  for (const reason of REFUSAL_REASONS) {
    const refusal = ackRefused(reason);
    all.push({ name: 'error', label: `refusal ${reason}`, data: errorCardData({ title: refusal.title, message: refusal.advice, errorId: 'e-1' }) });
  }
  for (const n of NOTICES) {
    for (const extra of [{}, { caseRef: 'CR-9', count: 3 }, { count: 1 }]) all.push({ name: 'message', label: `notice ${n}`, data: messageCardData(messageOf(notice(n, extra))) });
  }
  all.push({ name: 'message', label: 'message', data: messageCardData({ title: 'Hello', paragraphs: ['One', 'Two ${x}'], items: ['a', 'b', ''], showStart: true }) });
  all.push({ name: 'message', label: 'bare message', data: messageCardData({ title: 'Hello' }) });
  return all;
}

/** Data for every template: with `sampled` extra decisions per pack on sampled facts besides the scenarios. */
export function templateDataSets(sampled = 20): TemplateDataSet[] {
  return [...outcomeData(sampled), ...wizardData(), ...managerData(Math.ceil(sampled / 4)), ...checksData(), ...otherData()];
}

/** Only the outcome and wizard-step data (the large cards), for the benchmark. */
export function largeCardDataSets(sampled = 20): TemplateDataSet[] {
  return [...outcomeData(sampled), ...wizardData()];
}
