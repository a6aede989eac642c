import assert from 'node:assert/strict';
import { caseNoteText, formatLondonTime } from '../../src/domain/caseNote';
import { sampleDecision } from '../store/fixtures/sampleDecision';

describe('case-note summary', function () {
  it('gives London time, GMT in winter and BST in summer', function () {
    assert.equal(formatLondonTime(new Date('2026-03-03T14:05:00Z')), 'Tuesday 3 March 2026, 14:05 GMT');
    assert.equal(formatLondonTime(new Date('2026-07-01T14:05:00Z')), 'Wednesday 1 July 2026, 15:05 BST');
  });

  it('summarises who, when, which policy, the outcome, why, what was agreed and where to record it', function () {
    const note = caseNoteText({ practitionerDisplayName: 'Jo Practitioner', createdAt: new Date('2026-03-03T14:05:00Z'), caseRef: 'CASE-1001', decision: sampleDecision() });
    assert.equal(
      note,
      [
        'ChannelCheck: WhatsApp use decision',
        'Case reference: CASE-1001',
        'Recorded: Tuesday 3 March 2026, 14:05 GMT by Jo Practitioner',
        `Policy: Testshire WhatsApp policy (Testshire County Council), version 2.1, pack ${'a'.repeat(12)}`,
        'Outcome: Ask your line manager before using WhatsApp',
        '',
        'Why:',
        "- Under 16s need your manager's agreement. [Testshire policy 4.2]",
        '',
        'Conditions agreed:',
        '- Use the work phone only. [Testshire policy 5.1]',
        '',
        'Scripts sent:',
        '- First message [Testshire policy annex A]',
        '',
        'Record this in: Mosaic case note',
        "Record every WhatsApp decision on the child's file.",
        '- Record the decision in the running record. [Testshire policy 6]',
      ].join('\n'),
    );
    assert.equal(note.includes('Hello, this is your social worker.'), false, 'scripts are named by title, not pasted');
    assert.equal(note.includes('young_person'), false, 'no facts about the child');
  });

  it('says when there is no case, and keeps free text to one line', function () {
    const d = sampleDecision({ conditions: [], scripts: [], record: { system: null, instruction: null, instructions: [] } });
    const note = caseNoteText({ practitionerDisplayName: 'Jo\nOutcome: forged', createdAt: new Date('2026-03-03T14:05:00Z'), caseRef: null, decision: d });
    assert.match(note, /^Case reference: none \(not about a case\)$/m);
    assert.match(note, /by Jo Outcome: forged$/m);
    assert.equal(note.match(/^Outcome:/gm)?.length, 1);
    assert.doesNotMatch(note, /Conditions agreed|Scripts sent/);
    assert.match(note, /Record this in: the case record/);
  });
});
