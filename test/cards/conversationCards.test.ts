/**
 * The cards of the conversation: a refused wizard step shown again with everything given on it, help that
 * explains, the short answer to anything else, and list entries that open their record. Each card is parsed
 * by the Adaptive Cards SDK.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { helpCard, notUnderstoodCard, welcomeCard } from '../../src/bot/handlers/commandHandlers';
import { buildVerbRoutes, VERBS } from '../../src/bot/verbRoutes';
import { renderTemplate } from '../../src/bot/presenters/renderTemplate';
import { cardProblems } from '../../src/bot/presenters/validateCard';
import { presentWizardStep } from '../../src/bot/presenters/wizardPresenter';
import { wizardStepView } from '../../src/services/wizardService';
import { questionsFor, startWizard, submitStep } from '../../src/domain/wizard/wizard';
import { CARDS_DIR } from '../../src/paths';
import { catalogue } from '../support/policies';

const CASE_REF = /^[A-Z]{2,5}-\d{3,8}$/;

function inputs(card: any): Map<string, any> {
  const found = new Map<string, any>();
  const visit = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(visit);
    if (typeof x.type === 'string' && x.type.startsWith('Input.')) found.set(x.id, x);
    for (const v of Object.values(x)) visit(v);
  };
  visit(card);
  return found;
}

function texts(card: any): string {
  return JSON.stringify(card);
}

describe('cards: the conversation', () => {
  const hillingdon = catalogue().councils.get('hillingdon')!;
  const leicester = catalogue().councils.get('leicester')!;
  const now = new Date('2026-03-03T10:00:00Z');

  it('a refused step comes back with every answer given on it, the refused one as typed and marked with its reason', () => {
    const first = startWizard(hillingdon, now);
    const ok = submitStep(hillingdon, first, { contactType: 'parent_carer', purpose: 'appointment', initiatedBy: 'parent_carer', immediateRiskToLife: 'false', safeguardingConcern: 'true' }, CASE_REF);
    assert.ok(ok.ok && !ok.done);
    assert.equal(ok.state.step, 'age');
    const refused = submitStep(hillingdon, ok.state, { caseRef: 'John Smith' }, CASE_REF);
    assert.ok(!refused.ok);
    assert.deepEqual(Object.keys(refused.errors), ['caseRef']);
    const card = presentWizardStep(wizardStepView({ policy: hillingdon, state: { ...ok.state, answers: refused.answers }, sessionId: 's-1', version: 2, errors: refused.errors, typed: refused.typed }));
    assert.deepEqual(cardProblems(card), []);
    const caseRef = inputs(card).get('caseRef');
    assert.equal(caseRef.value, 'John Smith', 'what was typed is there to correct');
    assert.match(caseRef.errorMessage, /Case reference/);
    assert.match(texts(card), /Please check the answer marked below/);

    // On the first step: one bad answer keeps the others.
    const bad = submitStep(hillingdon, first, { contactType: 'young_person', purpose: 'no_such_purpose', initiatedBy: 'young_person', safeguardingConcern: 'true' }, CASE_REF);
    assert.ok(!bad.ok);
    const again = inputs(presentWizardStep(wizardStepView({ policy: hillingdon, state: { ...first, answers: bad.answers }, sessionId: 's-1', version: 1, errors: bad.errors, typed: bad.typed })));
    assert.equal(again.get('contactType').value, 'young_person');
    assert.equal(again.get('initiatedBy').value, 'young_person');
    assert.equal(again.get('safeguardingConcern').value, 'true');
    assert.equal(again.get('purpose').errorMessage, 'Choose what the contact is for.');
  });

  it('what was typed is shown back as text: template expressions and JSON in it stay literal', () => {
    const first = startWizard(hillingdon, now);
    const ok = submitStep(hillingdon, first, { contactType: 'parent_carer', purpose: 'appointment' }, CASE_REF);
    assert.ok(ok.ok && !ok.done);
    for (const hostile of ['${sessionId}', '${json(questions)}', '"}]},{"type":"Action.OpenUrl","url":"https://x"', '\u0000\u202e']) {
      const r = submitStep(hillingdon, ok.state, { caseRef: hostile }, CASE_REF);
      assert.ok(!r.ok);
      const card = presentWizardStep(wizardStepView({ policy: hillingdon, state: { ...ok.state, answers: r.answers }, sessionId: 's-1', version: 2, errors: r.errors, typed: r.typed }));
      assert.equal(inputs(card).get('caseRef').value, hostile);
      const types: string[] = [];
      JSON.stringify(card, (k, v) => (k === 'type' && typeof v === 'string' && types.push(v), v));
      assert.ok(!types.includes('Action.OpenUrl'), 'no element injected');
      // The checker flags any "${" left in a card; here it is the practitioner's own text, shown literally.
      assert.deepEqual(cardProblems(card).filter((p) => !p.startsWith('unresolved template expressions')), []);
    }
  });

  it('an age out of range is refused with the number given, never clamped, and the card does not clamp it either', () => {
    const first = startWizard(hillingdon, now);
    const ok = submitStep(hillingdon, first, { contactType: 'young_person', purpose: 'keep_in_touch' }, CASE_REF);
    assert.ok(ok.ok && !ok.done);
    for (const age of ['200', '121', '-1', 200]) {
      const r = submitStep(hillingdon, ok.state, { age, caseRef: 'CR-1001' }, CASE_REF);
      assert.ok(!r.ok, `age ${age}`);
      assert.match(r.errors.age!, new RegExp(`${age} is not a possible age\\. Enter a whole number from 0 to 120`));
      assert.equal(r.answers.caseRef, 'CR-1001', 'the good answer on the step is kept');
      const card = presentWizardStep(wizardStepView({ policy: hillingdon, state: { ...ok.state, answers: r.answers }, sessionId: 's', version: 2, errors: r.errors, typed: r.typed }));
      const input = inputs(card).get('age');
      assert.equal(input.value, Number(age));
      assert.equal(input.max, undefined, 'no client-side max that a renderer could clamp to');
      assert.deepEqual(cardProblems(card), []);
    }
    const r = submitStep(hillingdon, ok.state, { age: '120' }, CASE_REF);
    assert.ok(r.ok && r.state.answers.age === 120);
  });

  it('a colleague check never asks for a case reference; every other contact is asked, after the contact type', () => {
    for (const policy of catalogue().councils.values()) {
      const first = startWizard(policy, now);
      assert.ok(!questionsFor(policy, 'contact', first.answers).some((q) => q.id === 'caseRef'), 'not before the contact type is known');
      const staff = submitStep(policy, first, { contactType: 'staff', purpose: 'colleague_chat' }, CASE_REF);
      assert.ok(staff.ok);
      let state = staff.state;
      for (let i = 0; i < 6 && !staff.done; i++) {
        assert.ok(!questionsFor(policy, state.step, state.answers).some((q) => q.id === 'caseRef'), `${policy.council.data.id}: step ${state.step}`);
        const r = submitStep(policy, state, { device: 'work_issued', account: 'work', teamsAvailable: 'true', riskPhoneAccessByAbuser: 'false', sensitiveContent: 'false', inappropriateContentReceived: 'false', dataIncident: 'false', practitionerUncertain: 'false', withinWorkingHours: 'true', serviceInScope: 'yes', managerAgreement: 'unknown' }, CASE_REF);
        assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
        if (r.done) {
          assert.equal(r.caseRef, null);
          break;
        }
        state = r.state;
      }
      const parent = submitStep(policy, first, { contactType: 'parent_carer', purpose: 'appointment' }, CASE_REF);
      assert.ok(parent.ok && !parent.done);
      assert.equal(parent.state.step, 'age');
      assert.deepEqual(questionsFor(policy, 'age', parent.state.answers).map((q) => q.id), ['caseRef']);
      assert.match(texts(presentWizardStep(wizardStepView({ policy, state: parent.state, sessionId: 's', version: 2 }))), /About the case/);
    }
  });

  it('help explains what ChannelCheck does, records, who is told and where the document is; it is not the welcome card', () => {
    const help = helpCard(leicester);
    assert.deepEqual(cardProblems(help), []);
    const text = texts(help);
    for (const part of [/What it does/, /What it records/, /Who is told/, /The council's document/, /guidance/, /approvals/, /cancel/]) assert.match(text, part);
    assert.ok(text.includes(leicester.council.data.metadata.title));
    assert.notDeepEqual(help, welcomeCard(leicester.council.data.metadata.council));
    const other = texts(notUnderstoodCard());
    assert.deepEqual(cardProblems(notUnderstoodCard()), []);
    for (const name of ['new check', 'cancel', 'my checks', 'team checks', 'approvals', 'help']) assert.ok(other.includes(`**${name}**`), name);
    assert.match(other, /"verb":"wizard.start"/, 'a New check button');
    assert.ok(other.length < texts(help).length / 2, 'the short answer is short');
  });

  it('each list entry has a button that opens that record', () => {
    const card = renderTemplate('checks-list', {
      title: 'Waiting for you',
      emptyText: 'Nothing',
      checks: ['d-1', 'd-2'].map((decisionId) => ({ decisionId, headline: 'Ask your line manager', color: 'Warning', when: '3 Mar, 10:00', council: 'Hillingdon', caseRef: 'CR-1', who: ' · Pat', status: 'Waiting for your approval' })),
    });
    assert.deepEqual(cardProblems(card), []);
    const opens = JSON.stringify(card).match(/"verb":"record\.open","decisionId":"d-\d"/g) ?? [];
    assert.deepEqual([...new Set(opens)], ['"verb":"record.open","decisionId":"d-1"', '"verb":"record.open","decisionId":"d-2"']);
  });

  it('every verb a card template uses is routed, and every routed verb is used by a card', () => {
    const used = new Set<string>();
    for (const file of fs.readdirSync(CARDS_DIR).filter((f) => f.endsWith('.json'))) {
      const template = fs.readFileSync(path.join(CARDS_DIR, file), 'utf8');
      for (const m of template.matchAll(/"verb"\s*:\s*"([^"$]+)"/g)) used.add(m[1]!);
    }
    // The routing table itself, as the bot builds it (handlers are only built here, never called).
    const table = buildVerbRoutes({ wizard: {} as never, approvals: {} as never, escalations: {} as never, consent: {} as never, checks: {} as never });
    const routed = new Set<string>(Object.keys(table));
    assert.deepEqual([...routed].sort(), Object.values(VERBS).sort(), 'the table routes exactly the named verbs');
    assert.ok(used.size >= 10, `the templates' verbs were found (${[...used].join(', ')})`);
    assert.deepEqual([...used].filter((v) => !routed.has(v)), [], 'used in a card but not routed');
    assert.deepEqual([...routed].filter((v) => !used.has(v)), [], 'routed but no card uses it');
  });
});
