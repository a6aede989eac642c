/** Server-side branching: the wizard asks only what the council's pack needs for the answers so far. */
import assert from 'node:assert/strict';
import { questionsFor, startWizard, submitStep, type Answers } from '../../src/domain/wizard/wizard';
import { council } from '../support/policies';

const ids = (councilId: string, step: Parameters<typeof questionsFor>[1], answers: Answers) =>
  questionsFor(council(councilId), step, answers).map((q) => q.id);

const CHANNEL: Answers = { device: 'work_issued', account: 'work', consent: 'given', withinWorkingHours: true, teamsAvailable: true };

describe('wizard branching', () => {
  it('asks the age only for a young person, and the case reference for anyone but a colleague', () => {
    assert.deepEqual(ids('hillingdon', 'age', { contactType: 'young_person', purpose: 'keep_in_touch' }), ['age', 'ageUnknown', 'caseRef']);
    assert.deepEqual(ids('hillingdon', 'age', { contactType: 'parent_carer', purpose: 'keep_in_touch' }), ['caseRef']);
    assert.deepEqual(ids('hillingdon', 'age', { contactType: 'staff', purpose: 'colleague_chat' }), []);
    assert.ok(!ids('hillingdon', 'contact', {}).includes('caseRef'), 'not before the contact type is known');
  });

  it('asks about the dedicated broadcast phone only for a broadcast, and only where the pack reads it', () => {
    assert.ok(ids('leicester', 'channel', { contactType: 'young_person', age: 17, purpose: 'broadcast' }).includes('dedicatedBroadcastDevice'));
    assert.ok(!ids('leicester', 'channel', { contactType: 'young_person', age: 17, purpose: 'keep_in_touch' }).includes('dedicatedBroadcastDevice'));
    assert.ok(!ids('hillingdon', 'channel', { contactType: 'young_person', age: 17, purpose: 'broadcast' }).includes('dedicatedBroadcastDevice'));
    assert.ok(ids('leicester', 'channel', { contactType: 'parent_carer', purpose: 'keep_in_touch' }).includes('serviceInScope'));
    assert.ok(!ids('hillingdon', 'channel', { contactType: 'parent_carer', purpose: 'keep_in_touch' }).includes('serviceInScope'));
  });

  it('asks about parental consent only for an under-16, and only where it can change the answer', () => {
    const young = { contactType: 'young_person', purpose: 'keep_in_touch', ...CHANNEL } as Answers;
    assert.ok(ids('waltham-forest', 'agreements', { ...young, age: 14 }).includes('parentalConsent'));
    assert.ok(!ids('waltham-forest', 'agreements', { ...young, age: 17 }).includes('parentalConsent'));
    assert.deepEqual(ids('hillingdon', 'agreements', { ...young, age: 14 }), [], 'Hillingdon has no under-16 route: nothing to ask');
  });

  it('asks for manager agreement only where it can change the answer', () => {
    const video = { contactType: 'parent_carer', purpose: 'video_visit', ...CHANNEL } as Answers;
    assert.ok(ids('warwickshire', 'agreements', video).includes('managerAgreement'));
    assert.deepEqual(ids('covid-2020', 'agreements', { contactType: 'parent_carer', purpose: 'appointment', ...CHANNEL }), []);
  });

  it('drops answers that no longer apply and refuses an answer outside the allowed set', () => {
    const policy = council('hillingdon');
    const start = startWizard(policy, new Date('2026-03-03T10:00:00Z'));
    assert.equal(start.answers.withinWorkingHours, true, 'working hours pre-filled from the clock and the pack');
    assert.equal(startWizard(policy, new Date('2026-03-07T10:00:00Z')).answers.withinWorkingHours, false, 'a Saturday');
    const bad = submitStep(policy, start, { contactType: 'martian', purpose: 'keep_in_touch' }, /\d/);
    assert.equal(bad.ok, false);
    const r = submitStep(policy, { ...start, answers: { ...start.answers, age: 15 } }, { contactType: 'parent_carer', purpose: 'keep_in_touch' }, /\d/);
    assert.ok(r.ok && !r.done);
    assert.equal(r.ok && r.state.answers.age, undefined, 'the age of a young person is dropped for a parent');
  });

  it('offers "not sure" for a young person\'s age and bands for a group; not sure is treated as under 16', () => {
    const policy = council('waltham-forest');
    const group = questionsFor(policy, 'age', { contactType: 'young_person', purpose: 'group_chat' });
    assert.deepEqual(group.map((q) => q.id), ['age', 'caseRef'], 'no separate "not sure" tick for a group');
    assert.deepEqual(group[0]!.type.kind === 'choice' ? group[0]!.type.choices.map((c) => c.value) : [], ['under_16', '16_plus', 'not_sure']);
    const state = { step: 'age' as const, answers: { contactType: 'young_person', purpose: 'keep_in_touch', withinWorkingHours: true } as Answers, history: ['contact' as const] };
    const neither = submitStep(policy, state, { ageUnknown: 'false' }, /\d/);
    assert.ok(!neither.ok && /or tick "Not sure of their age"/.test(neither.errors.age ?? ''), 'an age or "not sure" is needed');
    const notSure = submitStep(policy, state, { ageUnknown: 'true' }, /\d/);
    assert.ok(notSure.ok);
    assert.equal(notSure.state.answers.age, null);
    assert.ok(ids('waltham-forest', 'agreements', { ...notSure.state.answers, ...CHANNEL }).includes('parentalConsent'), 'asked as for an under-16');
    const youngest = submitStep(policy, { ...state, answers: { ...state.answers, purpose: 'group_chat' } }, { age: 'under_16' }, /\d/);
    assert.ok(youngest.ok && youngest.state.answers.age === 'under_16');
  });
});
