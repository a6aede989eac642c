import assert from 'node:assert/strict';
import { decidingFacts } from '../../src/domain/decidingFacts';
import { parseFacts } from '../../src/domain/facts';
import { evaluate } from '../../src/domain/policy/evaluate';
import { council } from '../support/policies';

describe('the facts that decided a check', function () {
  it('Hillingdon parent video with Teams unavailable: "Teams cannot be used" decided it', function () {
    const policy = council('hillingdon');
    const decision = evaluate(policy, parseFacts({ contactType: 'parent_carer', device: 'work_issued', account: 'work', purpose: 'video_visit', teamsAvailable: false }));
    assert.equal(decision.outcome, 'manager_approval_required');
    const facts = decidingFacts(policy, decision);
    assert.ok(facts.includes('teamsAvailable'), JSON.stringify(facts));
    assert.ok(facts.includes('contactType'));
    assert.ok(!facts.includes('withinWorkingHours'), 'a fact no decisive rule reads is not deciding');
  });

  it('Leicester with the service not confirmed: the service answer decided it', function () {
    const policy = council('leicester');
    const decision = evaluate(policy, parseFacts({ contactType: 'young_person', age: 17, device: 'work_issued', account: 'work', purpose: 'keep_in_touch' }));
    assert.equal(decision.outcome, 'manager_approval_required');
    assert.ok(decidingFacts(policy, decision).includes('serviceInScope'));
  });

  it('in the order of the facts vocabulary, each once', function () {
    const policy = council('hillingdon');
    const decision = evaluate(policy, parseFacts({ contactType: 'young_person', age: 15, device: 'work_issued', account: 'work', purpose: 'keep_in_touch', initiatedBy: 'young_person' }));
    const facts = decidingFacts(policy, decision);
    assert.deepEqual(facts, [...new Set(facts)]);
    assert.ok(facts.indexOf('contactType') < facts.indexOf('age'));
  });
});
