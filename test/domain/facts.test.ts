import assert from 'node:assert/strict';
import { FACT_DEFAULTS, FACT_FLAGS, FACT_KINDS, FACT_NAMES, InvalidFactsError, parseFacts } from '../../src/domain/facts';

const base = { contactType: 'parent_carer', device: 'work_issued', account: 'work', purpose: 'appointment' };

function errorsOf(input: unknown): string[] {
  try {
    parseFacts(input);
  } catch (e) {
    assert.ok(e instanceof InvalidFactsError);
    return e.errors.map((x) => `${x.fact}: ${x.message}`);
  }
  throw new Error('expected the facts to be rejected');
}

describe('facts vocabulary', () => {
  it('applies the documented defaults', () => {
    const f = parseFacts(base);
    assert.deepEqual(
      {
        age: f.age, initiatedBy: f.initiatedBy, teamsAvailable: f.teamsAvailable, consent: f.consent,
        withinWorkingHours: f.withinWorkingHours, practitionerUncertain: f.practitionerUncertain,
        safeguardingConcern: f.safeguardingConcern, immediateRiskToLife: f.immediateRiskToLife,
        managerAgreement: f.managerAgreement, parentalConsent: f.parentalConsent,
        dedicatedBroadcastDevice: f.dedicatedBroadcastDevice, serviceInScope: f.serviceInScope,
      },
      {
        age: null, initiatedBy: 'practitioner', teamsAvailable: true, consent: 'not_asked',
        withinWorkingHours: true, practitionerUncertain: false, safeguardingConcern: false,
        immediateRiskToLife: false, managerAgreement: null, parentalConsent: null,
        dedicatedBroadcastDevice: null, serviceInScope: null,
      },
    );
  });

  it('derives the defaults, the kinds and the summary flags from the one schema', () => {
    const f = parseFacts(base);
    for (const [name, value] of Object.entries(FACT_DEFAULTS)) assert.deepEqual(f[name as keyof typeof f], value, name);
    assert.deepEqual(Object.keys(FACT_DEFAULTS).sort(), FACT_NAMES.filter((n) => !['contactType', 'age', 'device', 'account', 'purpose'].includes(n)).sort());
    assert.deepEqual(FACT_KINDS.consent, { kind: 'enum', values: ['given', 'not_asked', 'declined'] });
    assert.deepEqual(FACT_KINDS.serviceInScope, { kind: 'boolean', nullable: true });
    assert.deepEqual(FACT_KINDS.age, { kind: 'age' });
    assert.ok(FACT_FLAGS.some((x) => x.fact === 'immediateRiskToLife' && x.title === 'immediate risk to life'));
    assert.ok(FACT_FLAGS.every((x) => FACT_KINDS[x.fact].kind === 'boolean' && FACT_DEFAULTS[x.fact] === false));
  });

  it('requires age for a young person, naming the fact', () => {
    assert.deepEqual(errorsOf({ ...base, contactType: 'young_person' }), [
      'age: age is required when contactType is young_person (for a group, the youngest member); if it is not known, give "age": null with "ageUnknown": true',
    ]);
    assert.match(errorsOf({ ...base, contactType: 'young_person', age: null })[0] ?? '', /^age: age is required/);
    assert.equal(parseFacts({ ...base, contactType: 'young_person', age: 16 }).age, 16);
  });

  it('accepts an unknown age only as "age": null with "ageUnknown": true', () => {
    const f = parseFacts({ ...base, contactType: 'young_person', age: null, ageUnknown: true });
    assert.equal(f.age, null);
    assert.equal(f.ageUnknown, true);
    assert.deepEqual(errorsOf({ ...base, contactType: 'young_person', age: 15, ageUnknown: true }), ['ageUnknown: must be false (or left out) when age is given']);
  });

  it('rejects unknown facts by name', () => {
    const errs = errorsOf({ ...base, childName: 'x' });
    assert.equal(errs.length, 1);
    assert.match(errs[0] ?? '', /^childName: unknown fact/);
  });

  it('rejects values outside the allowed set, naming the fact and the allowed values', () => {
    assert.match(errorsOf({ ...base, purpose: 'gossip' })[0] ?? '', /^purpose: must be one of .*"keep_in_touch"/);
    assert.equal(errorsOf({ ...base, teamsAvailable: 'yes' })[0], 'teamsAvailable: must be true or false');
    assert.equal(errorsOf({ ...base, managerAgreement: 'no' })[0], 'managerAgreement: must be true or false or null');
  });

  it('rejects ages that are not whole numbers from 0 to 120', () => {
    for (const age of [-1, 121, 15.5, '15']) {
      assert.match(errorsOf({ ...base, contactType: 'young_person', age })[0] ?? '', /^age: /);
    }
  });

  it('reports every missing required fact', () => {
    const errs = errorsOf({});
    for (const f of ['contactType', 'device', 'account', 'purpose']) assert.ok(errs.includes(`${f}: is required`), errs.join('\n'));
  });

  it('rejects non-objects', () => {
    for (const bad of [null, [], 'x', 3]) assert.deepEqual(errorsOf(bad), ['(facts): must be a JSON object of facts']);
  });
});
