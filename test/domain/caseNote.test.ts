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
        'Conditions to follow:',
        '- Use the work phone only. [Testshire policy 5.1]',
        '',
        'Script to send (not yet sent):',
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
    assert.doesNotMatch(note, /Conditions|Script/);
    assert.match(note, /Record this in: the case record/);
  });

  it('carries the manager\'s sign-off and the consent register, and leads a crisis with what to do now', function () {
    const at = new Date('2026-03-03T14:05:00Z');
    const entry = { id: 'c1', caseRef: 'CASE-1002', councilId: 'testshire', status: 'given' as const, scriptId: 'tst-consent', scriptVersion: '2.1 (sha256:aaaaaaaaaaaa)', ruleId: 'TST-C2', decisionId: 'd1', recordedByAadId: 'aad-1', recordedByName: 'Jo Practitioner', recordedAt: at };
    const note = caseNoteText({
      practitionerDisplayName: 'Jo Practitioner', createdAt: at, caseRef: 'CASE-1002', decision: sampleDecision(),
      consentRegister: [entry, { ...entry, id: 'c2', status: 'withdrawn', recordedAt: new Date('2026-03-04T09:00:00Z') }],
      approval: { status: 'approved', byName: null, at },
    });
    assert.match(note, /\nOutcome: WhatsApp approved by the line manager, Tuesday 3 March 2026, 14:05 GMT\nThe check asked for: Ask your line manager before using WhatsApp \(the manager's decision is in ChannelCheck's audit trail\)\n/);
    assert.equal(note.match(/^Outcome:/gm)?.length, 1);
    assert.match(note, /\nConsent register:\n- Consent given Tuesday 3 March 2026, 14:05 GMT, recorded by Jo Practitioner, script tst-consent, policy version 2\.1 \(sha256:aaaaaaaaaaaa\)\n- Consent withdrawn Wednesday 4 March 2026, 09:00 GMT/);
    const crisis = caseNoteText({
      practitionerDisplayName: 'Jo', createdAt: at, caseRef: 'CASE-1003',
      decision: sampleDecision({ outcome: 'information_incident', headline: 'Report an information incident now', actNow: [{ ruleId: 'TST-I1', citation: 'Testshire 9', baseline: false, text: 'Report it to the incident desk now.' }], routineLater: { title: 'For routine contact later: ask your line manager before using WhatsApp', conditions: [], scripts: [], alternatives: [], contacts: [] } }),
    });
    assert.ok(crisis.indexOf('What to do now:\n- Report it to the incident desk now. [Testshire 9]') < crisis.indexOf('For routine contact later'));
  });

  it('is brought up to date when the manager decides: who, when and their comment', function () {
    const at = new Date('2026-07-01T09:30:00Z');
    const base = { practitionerDisplayName: 'Jo Practitioner', createdAt: at, caseRef: 'CASE-1004', decision: sampleDecision() };
    const before = caseNoteText(base);
    assert.match(before, /^Outcome: Ask your line manager before using WhatsApp$/m);
    const approved = caseNoteText({ ...base, approval: { status: 'approved', byName: 'Sam Manager', at, comment: 'Fine for\nthis week' } });
    assert.match(approved, /^Outcome: WhatsApp approved by the line manager, Sam Manager, Wednesday 1 July 2026, 10:30 BST$/m);
    assert.match(approved, /^Line manager's comment: "Fine for this week"$/m);
    assert.doesNotMatch(approved, /^Outcome: Ask your line manager/m);
    const declined = caseNoteText({ ...base, approval: { status: 'declined', byName: 'Sam Manager', at, comment: null } });
    assert.match(declined, /^Outcome: WhatsApp declined by the line manager, Sam Manager, /m);
    assert.doesNotMatch(declined, /comment/);
  });

  it('never writes the same line twice, and keeps the rest of the council\'s instruction', function () {
    const d = sampleDecision({
      conditions: [
        { ruleId: 'TST-1', citation: '5.1', baseline: false, text: 'Use the work phone only.' },
        { ruleId: 'TST-2', citation: '5.1', baseline: false, text: 'Use the work phone only (5.1).' },
      ],
      record: {
        system: 'Mosaic',
        instruction: 'Summarise every WhatsApp conversation on the running record (6.1). Record consent at the outset (6.2).',
        instructions: [{ ruleId: 'TST-R1', citation: '6.1', baseline: false, text: 'Summarise all WhatsApp conversations on the running record, as any other conversation.' }],
      },
    });
    const note = caseNoteText({ practitionerDisplayName: 'Jo', createdAt: new Date('2026-03-03T14:05:00Z'), caseRef: 'CASE-1005', decision: d });
    assert.equal(note.match(/Use the work phone only/g)?.length, 1);
    assert.equal(note.match(/Summarise/g)?.length, 1);
    assert.match(note, /^Record consent at the outset \(6\.2\)\.$/m);
  });
});
