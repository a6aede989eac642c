/** Invariants across random facts, for every council pack (fast-check). */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ACCOUNTS, CONSENTS, CONTACT_TYPES, DEVICES, FACT_KINDS, FACT_NAMES, type FactName, type Facts, INITIATORS, InvalidFactsError, parseFacts, PURPOSES,
} from '../../src/domain/facts';
import { evaluate } from '../../src/domain/policy/evaluate';
import type { ChannelVerdict } from '../../src/domain/policy/precedence';
import { catalogue } from '../support/policies';

const optBool = fc.option(fc.boolean(), { nil: null });
export const factsArb: fc.Arbitrary<Facts> = fc
  .record({
    contactType: fc.constantFrom(...CONTACT_TYPES),
    age: fc.oneof(fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 120 })),
    device: fc.constantFrom(...DEVICES),
    account: fc.constantFrom(...ACCOUNTS),
    purpose: fc.constantFrom(...PURPOSES),
    initiatedBy: fc.constantFrom(...INITIATORS),
    teamsAvailable: fc.boolean(),
    consent: fc.constantFrom(...CONSENTS),
    withinWorkingHours: fc.boolean(),
    practitionerUncertain: fc.boolean(),
    riskPhoneAccessByAbuser: fc.boolean(),
    safeguardingConcern: fc.boolean(),
    immediateRiskToLife: fc.boolean(),
    inappropriateContentReceived: fc.boolean(),
    sensitiveContent: fc.boolean(),
    dataIncident: fc.boolean(),
    managerAgreement: optBool,
    parentalConsent: optBool,
    dedicatedBroadcastDevice: optBool,
    serviceInScope: optBool,
  })
  .map((r) => parseFacts(r));

const STRICTNESS: Record<ChannelVerdict, number> = {
  whatsapp_not_permitted: 4,
  manager_approval_required: 3,
  use_teams: 2,
  whatsapp_allowed_with_conditions: 1,
};
const RUNS = { numRuns: 400 };

describe('policy invariants across random facts', () => {
  for (const [id, policy] of catalogue().councils) {
    describe(id, () => {
      it('random valid facts never throw, and the same facts give the same decision', () => {
        fc.assert(fc.property(factsArb, (f) => {
          assert.deepEqual(evaluate(policy, f), evaluate(policy, f));
        }), RUNS);
      });

      it('immediate risk to life always yields safeguarding_escalation, urgent, with 999 first', () => {
        fc.assert(fc.property(factsArb, (f) => {
          const d = evaluate(policy, { ...f, immediateRiskToLife: true });
          assert.equal(d.outcome, 'safeguarding_escalation');
          assert.equal(d.notifyManager, true);
          assert.equal(d.urgency, 'urgent');
          assert.equal(d.contacts[0]?.phone, '999');
        }), RUNS);
      });

      it('an under-16 young person is allowed WhatsApp only through an explicit exception with recorded consent and approval', () => {
        const young = factsArb.map((f) => ({ ...f, contactType: 'young_person' as const, age: (f.age ?? 0) % 16 }));
        fc.assert(fc.property(young, (f) => {
          const d = evaluate(policy, f);
          if (d.channel !== 'whatsapp_allowed_with_conditions') return;
          const exception = d.reasons.find((r) => policy.council.rules.find((x) => x.id === r.ruleId)?.under16Exception);
          assert.ok(exception, `allowed for a ${f.age}-year-old without an under-16 exception rule`);
          assert.equal(f.managerAgreement, true);
          assert.ok(f.consent === 'given' || f.parentalConsent === true, 'no recorded consent');
        }), { numRuns: 1500 });
      });

      it('a safeguarding trigger never makes the channel less strict than without it', () => {
        fc.assert(fc.property(factsArb, (f) => {
          const calm = { ...f, safeguardingConcern: false, immediateRiskToLife: false, inappropriateContentReceived: false };
          const without = evaluate(policy, calm).channel;
          for (const trigger of ['safeguardingConcern', 'immediateRiskToLife', 'inappropriateContentReceived'] as const) {
            const d = evaluate(policy, { ...calm, [trigger]: true });
            assert.equal(d.outcome, 'safeguarding_escalation');
            assert.ok(STRICTNESS[d.channel] >= STRICTNESS[without], `${trigger} loosened ${without} to ${d.channel}`);
          }
        }), RUNS);
      });

      it('an information incident never makes the channel less strict than without it, and is the outcome unless safeguarding is', () => {
        fc.assert(fc.property(factsArb, (f) => {
          const without = evaluate(policy, { ...f, dataIncident: false }).channel;
          const d = evaluate(policy, { ...f, dataIncident: true });
          const safeguarding = f.safeguardingConcern || f.immediateRiskToLife || f.inappropriateContentReceived;
          assert.equal(d.outcome, safeguarding ? 'safeguarding_escalation' : 'information_incident');
          assert.ok(STRICTNESS[d.channel] >= STRICTNESS[without], `dataIncident loosened ${without} to ${d.channel}`);
        }), RUNS);
      });

      it('every reason carries a rule id and citation, baselines marked as such; managers are told when needed', () => {
        fc.assert(fc.property(factsArb, (f) => {
          const d = evaluate(policy, f);
          assert.ok(d.reasons.length > 0);
          assert.ok(d.reasons.some((r) => r.decisive));
          for (const r of d.reasons) {
            assert.ok(r.ruleId && r.citation.trim().length > 0);
            assert.equal(r.baseline, r.ruleId.startsWith('BASE-'), r.ruleId);
          }
          if (d.outcome === 'safeguarding_escalation') assert.equal(d.urgency, 'urgent');
          if (d.outcome === 'manager_approval_required' || d.outcome === 'safeguarding_escalation') assert.equal(d.notifyManager, true);
          if (!d.notifyManager) assert.equal(d.urgency, null);
          assert.equal(d.policy.id, id);
          assert.match(d.policy.contentHash, /^[0-9a-f]{64}$/);
        }), RUNS);
      });
    });
  }

  describe('invalid facts', () => {
    const valid = { contactType: 'parent_carer', device: 'work_issued', account: 'work', purpose: 'appointment' };
    const invalid = fc.oneof(
      fc.record({ key: fc.string({ minLength: 1 }).filter((k) => !(FACT_NAMES as string[]).includes(k) && k !== '__proto__'), value: fc.jsonValue() })
        .map(({ key, value }) => ({ raw: { ...valid, [key]: value }, fact: key })),
      fc.record({ key: fc.constantFrom('contactType', 'device', 'account', 'purpose', 'initiatedBy', 'consent') as fc.Arbitrary<FactName>, value: fc.string() })
        .filter(({ key, value }) => { const k = FACT_KINDS[key]; return k.kind === 'enum' && !k.values.includes(value); })
        .map(({ key, value }) => ({ raw: { ...valid, [key]: value }, fact: key as string })),
      fc.record({ key: fc.constantFrom('teamsAvailable', 'safeguardingConcern', 'immediateRiskToLife', 'sensitiveContent'), value: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) })
        .map(({ key, value }) => ({ raw: { ...valid, [key]: value }, fact: key })),
      fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 121 }), fc.double({ min: 0.1, max: 119.9, noInteger: true }))
        .map((age) => ({ raw: { ...valid, contactType: 'young_person', age }, fact: 'age' })),
      fc.constantFrom('contactType', 'device', 'account', 'purpose').map((k) => {
        const raw: Record<string, unknown> = { ...valid };
        delete raw[k];
        return { raw, fact: k };
      }),
    );
    it('are always rejected, naming the fact', () => {
      fc.assert(fc.property(invalid, ({ raw, fact }) => {
        assert.throws(() => parseFacts(raw), (e: unknown) => e instanceof InvalidFactsError && e.errors.some((x) => x.fact === fact));
      }), { numRuns: 1000 });
    });
  });
});
