/** The Policy view's data: each council's pack in plain language, its status, and the baselines that fill its silences. */
import assert from 'node:assert/strict';
import { packView, reviewOverdue } from '../../src/domain/policy/packView';
import { catalogue } from '../support/policies';

const TODAY = new Date('2026-12-02T09:00:00Z');
const view = (id: string) => packView(catalogue().councils.get(id)!, TODAY);

describe('packView: a council pack in plain language', () => {
  it('lists every clause of the pack in the document\'s order, with what it does in words', () => {
    const v = view('hillingdon');
    const pack = catalogue().councils.get('hillingdon')!.council.data;
    assert.deepEqual(v.clauses.map((c) => c.ruleId), pack.rules.map((r) => r.id));
    const c22 = v.clauses.find((c) => c.ruleId === 'HIL-2.2')!;
    assert.equal(c22.citation, pack.rules.find((r) => r.id === 'HIL-2.2')!.citation);
    assert.equal(c22.effect, 'WhatsApp is not permitted');
    assert.ok(!JSON.stringify(v).includes('contactType =='), 'no condition expression is shown to people');
  });

  it('fills silences with exactly the baselines no clause speaks for', () => {
    const policy = catalogue().councils.get('hillingdon')!;
    const replaced = new Set(policy.council.data.rules.flatMap((r) => r.replacesBaseline));
    const v = packView(policy, TODAY);
    assert.ok(replaced.has('BASE-SAFEGUARDING'));
    assert.ok(!v.baselinesFillingSilences.some((b) => b.ruleId === 'BASE-SAFEGUARDING'), 'Hillingdon speaks for safeguarding itself');
    assert.deepEqual(v.baselinesFillingSilences.map((b) => b.ruleId), policy.baseline.data.rules.map((r) => r.id).filter((id) => !replaced.has(id)));
    assert.ok(v.baselinesFillingSilences.length > 0);
  });

  it('says when a document is temporary, guidance only, or overdue for review', () => {
    assert.equal(view('covid-2020').status.temporary, true);
    assert.equal(view('waltham-forest').status.guidanceOnly, true);
    assert.equal(view('waltham-forest').status.reviewOverdue, true, 'review due 2023-01');
    assert.equal(view('warwickshire').status.reviewOverdue, true, 'review due 2022-05');
    assert.deepEqual([view('hillingdon').status.temporary, view('hillingdon').status.guidanceOnly, view('hillingdon').status.reviewOverdue], [false, false, false]);
    assert.equal(view('hillingdon').status.label, 'Council policy');
  });

  it('counts a review as overdue only once the whole period it names has passed', () => {
    assert.equal(reviewOverdue('2022-05', new Date('2022-05-31T23:59:59Z')), false);
    assert.equal(reviewOverdue('2022-05', new Date('2022-06-01T00:00:00Z')), true);
    assert.equal(reviewOverdue('2022', new Date('2022-12-31T12:00:00Z')), false);
    assert.equal(reviewOverdue('2022', new Date('2023-01-01T00:00:00Z')), true);
    assert.equal(reviewOverdue('2022-05-15', new Date('2022-05-15T20:00:00Z')), false);
    assert.equal(reviewOverdue('2022-05-15', new Date('2022-05-16T00:00:00Z')), true);
    assert.equal(reviewOverdue(null, TODAY), false);
  });

  it('gives the council\'s scripts with their exact text', () => {
    const v = view('waltham-forest');
    const pack = catalogue().councils.get('waltham-forest')!.council.data;
    const shown = v.clauses.flatMap((c) => c.scripts);
    for (const s of pack.scripts.filter((x) => x.verbatim)) assert.ok(shown.some((x) => x.text === s.text && x.verbatim), s.id);
  });
});
