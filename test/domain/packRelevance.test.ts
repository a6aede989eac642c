/**
 * The wizard's pack-relevance cache: keyed so that a reloaded pack (a new object), a pack swapped in place
 * or a new pack version (a new content hash) never gets an answer worked out for another pack, and so that
 * the wizard asks exactly what it asked without the cache.
 */
import assert from 'node:assert/strict';
import type { CouncilPolicy } from '../../src/domain/policy/evaluate';
import { answersKey, packKey, probeOnce, relevanceOf } from '../../src/domain/wizard/packRelevance';
import { type Answers, questionsFor, STEP_IDS, stepNumber } from '../../src/domain/wizard/wizard';
import { seededRandom } from '../../src/domain/seededRandom';
import { catalogue, council } from '../support/policies';

function clone(policy: CouncilPolicy): CouncilPolicy {
  return { council: { ...policy.council }, baseline: { ...policy.baseline } };
}

describe('pack relevance cache', function () {
  it('works a pack out once, and again for a reloaded pack object', function () {
    const policy = council('hillingdon');
    const first = relevanceOf(policy);
    assert.equal(relevanceOf(policy), first);
    const reloaded = clone(policy);
    assert.notEqual(relevanceOf(reloaded), first);
    assert.deepEqual([...relevanceOf(reloaded).referenced].sort(), [...first.referenced].sort());
  });

  it('starts afresh when a pack in the policy is swapped in place or gets a new content hash', function () {
    const policy = clone(council('hillingdon'));
    const before = relevanceOf(policy);
    let calls = 0;
    const compute = () => ((calls += 1), true);
    probeOnce(policy, 'managerAgreement', { contactType: 'staff' }, compute);
    probeOnce(policy, 'managerAgreement', { contactType: 'staff' }, compute);
    assert.equal(calls, 1, 'remembered for the same pack and answers');

    policy.council = { ...policy.council, contentHash: 'f'.repeat(64) };
    assert.notEqual(relevanceOf(policy), before);
    assert.equal(relevanceOf(policy).key, packKey(policy));
    assert.equal(probeOnce(policy, 'managerAgreement', { contactType: 'staff' }, () => ((calls += 1), false)), false, 'a new version never sees the old answer');
    assert.equal(calls, 2);

    const other = council('leicester');
    policy.council = other.council;
    assert.deepEqual([...relevanceOf(policy).referenced].sort(), [...relevanceOf(other).referenced].sort());
  });

  it('keys answers by content, not by order; an undefined answer is no answer, null is an answer', function () {
    assert.equal(answersKey({ a: 1, b: 'x' }), answersKey({ b: 'x', a: 1 }));
    assert.equal(answersKey({ a: 1, b: undefined }), answersKey({ a: 1 }));
    assert.notEqual(answersKey({ a: 1, b: null }), answersKey({ a: 1 }));
    assert.notEqual(answersKey({ a: 1 }), answersKey({ a: '1' }));
    let calls = 0;
    const policy = council('hillingdon');
    probeOnce(policy, 'parentalConsent', { age: 12 }, () => ((calls += 1), true));
    probeOnce(policy, 'parentalConsent', { age: 13 }, () => ((calls += 1), true));
    probeOnce(policy, 'managerAgreement', { age: 12 }, () => ((calls += 1), true));
    assert.equal(calls, 3, 'another answer or another fact is worked out on its own');
  });

  it('the wizard asks exactly what it asks with a cold cache, for every pack and many answer sets', function () {
    const random = seededRandom(7);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
    for (const [id, policy] of catalogue().councils) {
      for (let i = 0; i < 60; i++) {
        const answers: Answers = {
          contactType: pick(['young_person', 'parent_carer', 'staff', 'foster_carer_volunteer']),
          purpose: pick(['keep_in_touch', 'appointment', 'broadcast', 'share_documents']),
          age: pick([undefined, 9, 14, 17]),
          device: pick(['work_issued', 'personal']),
          account: pick(['work', 'personal']),
          consent: pick(['given', 'not_asked', 'declined']),
          withinWorkingHours: pick([true, false]),
          parentalConsent: pick([undefined, null, true, false]),
          managerAgreement: pick([undefined, null, true, false]),
        };
        for (const step of STEP_IDS) {
          const warm = questionsFor(policy, step, answers).map((q) => q.id);
          const cold = questionsFor(clone(policy), step, answers).map((q) => q.id);
          assert.deepEqual(warm, cold, `${id} ${step} ${JSON.stringify(answers)}`);
        }
        const state = { step: 'channel' as const, answers, history: ['contact' as const] };
        assert.deepEqual(stepNumber(policy, state), stepNumber(clone(policy), state));
      }
    }
  });
});
