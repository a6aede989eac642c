import assert from 'node:assert/strict';
import { runCli } from '../support/runCli';

const FACTS = { contactType: 'young_person', age: 17, device: 'work_issued', account: 'work', purpose: 'keep_in_touch', consent: 'given' };
const decide = (args: string[], input?: string) => runCli('src/cli/decide.ts', args, input === undefined ? {} : { input });

function expectBadInput(args: string[], message: RegExp, input?: string) {
  const r = decide(args, input);
  assert.equal(r.status, 2, r.stderr);
  assert.equal(r.stdout, '', 'nothing on standard output on bad input');
  assert.match(r.stderr, message);
}

describe('decide command', () => {
  it('prints the decision as one JSON object and exits 0', () => {
    const r = decide(['--council', 'hillingdon', '--facts', JSON.stringify(FACTS)]);
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.equal(d.outcome, 'whatsapp_allowed_with_conditions');
    assert.equal(d.notifyManager, false);
    assert.ok(d.reasons.every((x: { citation: string }) => x.citation.length > 0));
    assert.equal(d.policy.id, 'hillingdon');
    assert.deepEqual(d.facts, { ...d.facts, ...FACTS });
  });

  it('reads the facts from standard input with --facts -', () => {
    const r = decide(['--council', 'hillingdon', '--facts', '-'], JSON.stringify({ ...FACTS, safeguardingConcern: true, withinWorkingHours: false }));
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.equal(d.outcome, 'safeguarding_escalation');
    assert.equal(d.urgency, 'urgent');
    assert.ok(d.contacts.some((c: { phone?: string }) => c.phone === '01895 250111'));
  });

  it('prints a readable decision with --format text', () => {
    const r = decide(['--council', 'hillingdon', '--format', 'text', '--facts', JSON.stringify({ ...FACTS, age: 15 })]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^DO NOT USE WHATSAPP FOR THIS CONTACT\n/);
    assert.match(r.stdout, /\[HIL-2\.2, clause 2\.2/);
  });

  it('--format text leads a crisis with what to do now, and puts the routine items after a "routine" heading', () => {
    const r = decide(['--council', 'hillingdon', '--format', 'text', '--facts', JSON.stringify({ ...FACTS, initiatedBy: 'young_person', immediateRiskToLife: true, withinWorkingHours: false })]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^CALL 999 NOW\n/);
    const now = r.stdout.indexOf('Do this now:');
    const routine = r.stdout.search(/^.*ROUTINE.*$/m);
    assert.ok(now > 0 && routine > now, 'what to do now, then the routine heading');
    assert.match(r.stdout.slice(now, routine), /call 999 first/);
    for (const item of ['Switch your location services off', 'I need to make you aware']) {
      assert.ok(r.stdout.indexOf(item) > routine, `${item} only after the routine heading`);
    }
  });

  it('accepts an unknown age only as "age": null with "ageUnknown": true, and answers as for an under-16', () => {
    const r = decide(['--council', 'hillingdon', '--facts', JSON.stringify({ ...FACTS, age: null, ageUnknown: true })]);
    assert.equal(r.status, 0, r.stderr);
    const d = JSON.parse(r.stdout);
    assert.equal(d.outcome, 'whatsapp_not_permitted');
    assert.equal(d.facts.age, null);
    assert.ok(d.warnings.some((w: string) => /Age not known/.test(w)));
    expectBadInput(['--council', 'hillingdon', '--facts', JSON.stringify({ ...FACTS, age: null })], /age: age is required/);
  });

  it('exits 2 naming the problem for every kind of bad input, printing nothing on stdout', () => {
    expectBadInput(['--council', 'atlantis', '--facts', JSON.stringify(FACTS)], /--council: unknown council pack "atlantis"; known: .*hillingdon/);
    expectBadInput(['--council', 'hillingdon', '--facts', '{"contactType":'], /--facts: malformed JSON/);
    expectBadInput(['--council', 'hillingdon', '--facts', JSON.stringify({ ...FACTS, colour: 'blue' })], /colour: unknown fact/);
    expectBadInput(['--council', 'hillingdon', '--facts', JSON.stringify({ ...FACTS, purpose: 'chat' })], /purpose: must be one of/);
    expectBadInput(['--council', 'hillingdon', '--facts', JSON.stringify({ ...FACTS, age: undefined })], /age: age is required/);
    expectBadInput(['--council', 'hillingdon', '--facts', JSON.stringify({ contactType: 'staff' })], /device: is required/);
    expectBadInput(['--council', 'hillingdon'], /--facts is required/);
    expectBadInput(['--facts', '{}'], /--council is required/);
    expectBadInput(['--council', 'hillingdon', '--facts', '{}', '--format', 'xml'], /--format must be json or text/);
    expectBadInput(['--council', 'hillingdon', '--facts', '{}', '--verbose'], /Unknown option '--verbose'/);
    expectBadInput(['--council', 'hillingdon', '--facts', '-'], /--facts: malformed JSON/, '');
  });
});
