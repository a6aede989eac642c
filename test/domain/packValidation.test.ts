/** Bad packs are refused at load time with errors naming the file, the rule id and the field. */
import assert from 'node:assert/strict';
import { compileCondition, ConditionError } from '../../src/domain/policy/conditions';
import { PackError, parsePack } from '../../src/domain/policy/parsePack';

const GOOD = `
schemaVersion: 1
id: testshire
metadata:
  title: Test policy
  council: Testshire County Council
  shortName: Testshire
  version: "1"
  date: "2024-01-01"
  status: policy
  sourceFile: testshire.txt
  scope: Everyone
rules:
  - id: TST-1
    citation: "1.1"
    effect: ALLOW_WITH_CONDITIONS
    when: "contactType == 'parent_carer'"
    text: Allowed.
`;

function problems(yamlText: string, known = {}): string[] {
  try {
    parsePack(yamlText, 'policies/testshire.yaml', known);
  } catch (e) {
    assert.ok(e instanceof PackError, String(e));
    return e.message.split('\n');
  }
  throw new Error('expected the pack to be refused');
}

describe('policy pack validation', () => {
  it('accepts a minimal valid pack and hashes its exact bytes', () => {
    const a = parsePack(GOOD, 'policies/testshire.yaml');
    const b = parsePack(`${GOOD}\n`, 'policies/testshire.yaml');
    assert.equal(a.rules.length, 1);
    assert.match(a.contentHash, /^[0-9a-f]{64}$/);
    assert.notEqual(a.contentHash, b.contentHash);
  });

  it('refuses an unknown fact name in a condition, naming file, rule and field', () => {
    const p = problems(GOOD.replace("contactType == 'parent_carer'", "contactTyp == 'parent_carer'"));
    assert.deepEqual(p, ['policies/testshire.yaml: rule TST-1: when: unknown fact "contactTyp"']);
  });

  it('refuses a value outside a fact\'s set, including inside an array literal', () => {
    assert.match(problems(GOOD.replace("'parent_carer'", "'parent'"))[0] ?? '', /rule TST-1: when: fact contactType has no value "parent"/);
    assert.match(
      problems(GOOD.replace("contactType == 'parent_carer'", "contains(createArray('keep_in_touch', 'chat'), purpose)"))[0] ?? '',
      /fact purpose has no value "chat"/,
    );
    assert.match(problems(GOOD.replace("contactType == 'parent_carer'", 'safeguardingConcern == 1'))[0] ?? '', /safeguardingConcern is true or false/);
    assert.match(problems(GOOD.replace("contactType == 'parent_carer'", 'age < 200'))[0] ?? '', /age is a whole number/);
  });

  it('refuses a rule without a citation or with an unknown effect, naming the field', () => {
    assert.ok(problems(GOOD.replace('    citation: "1.1"\n', '')).some((l) => l === 'policies/testshire.yaml: rule TST-1: citation: Invalid input: expected string, received undefined'));
    assert.ok(problems(GOOD.replace('ALLOW_WITH_CONDITIONS', 'MAYBE')).some((l) => l.startsWith('policies/testshire.yaml: rule TST-1: effect:')));
  });

  it('refuses unknown fields, duplicate rule ids and dangling references', () => {
    assert.ok(problems(GOOD.replace('    text: Allowed.', '    text: Allowed.\n    colour: red')).some((l) => /rule TST-1: \(pack\): unknown field colour|rule TST-1: .*colour/.test(l)));
    const dup = `${GOOD}  - id: TST-1\n    citation: "1.2"\n    effect: INFO\n    when: "true"\n    text: Again.\n`;
    assert.ok(problems(dup).includes('policies/testshire.yaml: rule TST-1: id: duplicate rule id'));
    const dangling = GOOD.replace('    text: Allowed.', '    text: Allowed.\n    scripts: [nope]\n    contacts: [nobody]');
    const p = problems(dangling);
    assert.ok(p.includes('policies/testshire.yaml: rule TST-1: scripts: no script with id nope in this pack'));
    assert.ok(p.includes('policies/testshire.yaml: rule TST-1: contacts: no contact with id nobody in this pack or the baseline'));
    assert.ok(problems(GOOD.replace('    text: Allowed.', '    text: Allowed.\n    replacesBaseline: [BASE-NOPE]'), { baselineRules: new Set(['BASE-999']) })
      .includes('policies/testshire.yaml: rule TST-1: replacesBaseline: no baseline rule BASE-NOPE'));
  });

  it('requires an urgent notification on safeguarding rules and manager agreement on an under-16 exception', () => {
    assert.ok(problems(GOOD.replace('ALLOW_WITH_CONDITIONS', 'ESCALATE_SAFEGUARDING')).some((l) => l.includes('rule TST-1: notify:')));
    assert.ok(problems(GOOD.replace('    text: Allowed.', '    text: Allowed.\n    under16Exception: true')).some((l) => l.includes('rule TST-1: when: the under-16 exception must require managerAgreement')));
  });

  it('reports YAML syntax errors and a missing metadata field', () => {
    assert.match(problems('rules: [\n')[0] ?? '', /^policies\/testshire.yaml: \(yaml\): /);
    assert.ok(problems(GOOD.replace('  council: Testshire County Council\n', '')).includes('policies/testshire.yaml: metadata.council: Invalid input: expected string, received undefined'));
  });

  it('conditions cannot call unknown functions', () => {
    assert.throws(() => compileCondition("launchMissiles(purpose)"), ConditionError);
  });
});
