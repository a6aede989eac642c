import assert from 'node:assert/strict';
import { addressedToPractitionerAboutManager, factSentences, firstName } from '../../../src/bot/presenters/factSentences';
import { decidingFacts } from '../../../src/domain/decidingFacts';
import { parseFacts } from '../../../src/domain/facts';
import { evaluate } from '../../../src/domain/policy/evaluate';
import { council } from '../../support/policies';

describe("the manager's view of a check's facts", function () {
  it('speaks of the practitioner in the third person, never in their first person', function () {
    const facts = parseFacts({ contactType: 'young_person', age: 17, device: 'work_issued', account: 'work', purpose: 'keep_in_touch' });
    const rows = factSentences(facts, 'Pat Example');
    const text = rows.map((r) => `${r.title}: ${r.value}`).join('\n');
    assert.match(text, /^Started by: Pat is starting the contact$/m);
    assert.match(text, /^Device: Pat's council-issued work device$/m);
    assert.match(text, /^Account: Pat's work account$/m);
    assert.match(text, /^Contact: A young person, aged 17$/m);
    assert.doesNotMatch(text, /\b(I|my|me|My)\b/);
  });

  it('Hillingdon parent video, Teams unavailable: "cannot use Teams" is shown, and first', function () {
    const policy = council('hillingdon');
    const facts = parseFacts({ contactType: 'parent_carer', device: 'work_issued', account: 'work', purpose: 'video_visit', teamsAvailable: false });
    const rows = factSentences(facts, 'Pat Example', decidingFacts(policy, evaluate(policy, facts)));
    const teams = rows.find((r) => r.fact === 'teamsAvailable');
    assert.equal(teams?.value, 'They cannot realistically use Teams');
    assert.equal(teams?.deciding, true);
    const firstOther = rows.findIndex((r) => !r.deciding);
    assert.ok(rows.indexOf(teams!) < firstOther, 'deciding facts come before the others');
  });

  it("Leicester: the service answer is shown, even when it is 'not confirmed'", function () {
    const policy = council('leicester');
    const facts = parseFacts({ contactType: 'young_person', age: 17, device: 'work_issued', account: 'work', purpose: 'keep_in_touch' });
    const rows = factSentences(facts, 'Pat Example', decidingFacts(policy, evaluate(policy, facts)));
    const service = rows.find((r) => r.fact === 'serviceInScope');
    assert.equal(service?.value, 'Pat has not confirmed working in the service the document covers');
    assert.equal(service?.deciding, true);
    assert.equal(rows[0]?.deciding, true);
  });

  it('gathers true flags into one line, and a one-word name is used whole', function () {
    const facts = parseFacts({ contactType: 'young_person', age: 15, device: 'work_issued', account: 'work', purpose: 'keep_in_touch', safeguardingConcern: true, practitionerUncertain: true });
    const rows = factSentences(facts, 'Sam');
    assert.equal(rows.find((r) => r.fact === 'flags')?.value, 'New information suggests a risk of harm (safeguarding concern); Sam is unsure or has concerns about using WhatsApp here');
    assert.equal(firstName('  '), 'The practitioner');
  });

  it('knows an instruction to ask the line manager, which the manager\'s own card leaves off', function () {
    assert.equal(addressedToPractitionerAboutManager('Check with your line manager that it still applies; if it does not, use Teams.'), true);
    assert.equal(addressedToPractitionerAboutManager('Switch your location services off.'), false);
  });
});
