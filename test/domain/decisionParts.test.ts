/** Where a pack's instruction lands in the decision: as a condition before contact, on the record, on the consent button. */
import assert from 'node:assert/strict';
import { parseFacts } from '../../src/domain/facts';
import { evaluate } from '../../src/domain/policy/evaluate';
import { council } from '../support/policies';

describe('decision parts', function () {
  it('Warwickshire 5.1 bullet 4: the Mosaic sign-off is a condition before contact, not a recording instruction', function () {
    const facts = parseFacts({
      contactType: 'young_person', age: 17, device: 'personal', account: 'personal', purpose: 'keep_in_touch', managerAgreement: true, consent: 'given',
    });
    const d = evaluate(council('warwickshire'), facts);
    const mosaic = /recorded in Mosaic and signed off by a manager/i;
    assert.ok(d.conditions.some((c) => mosaic.test(c.text)), `no Mosaic sign-off condition in ${JSON.stringify(d.conditions.map((c) => c.text))}`);
    assert.ok(!d.record.instructions.some((c) => mosaic.test(c.text)), 'the Mosaic sign-off is under Record');
    assert.ok(!mosaic.test(d.record.instruction ?? ''), 'the Mosaic sign-off is the general recording instruction');
  });

  it('Hillingdon 3.7: a group chat once every member consented offers "They agreed", not "They replied YES"', function () {
    const facts = parseFacts({ contactType: 'parent_carer', device: 'work_issued', account: 'work', purpose: 'group_chat', consent: 'given' });
    const d = evaluate(council('hillingdon'), facts);
    assert.equal(d.consentRequest?.kind, 'agreement');
    assert.equal(d.consentRequest?.label, 'They agreed');
  });
});
