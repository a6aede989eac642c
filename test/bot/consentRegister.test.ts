/**
 * The consent register over HTTP: "They replied YES" on the outcome card, "They withdrew consent" from
 * `my checks`, and the next check for the case showing it, pre-filled, and answering no WhatsApp.
 */
import assert from 'node:assert/strict';
import { actionData, answersFor, cardText, type Harness, PEOPLE, queryRows, startHarness } from './botHarness';

const PARENT = { contactType: 'parent_carer', purpose: 'appointment', initiatedBy: 'practitioner', immediateRiskToLife: false, safeguardingConcern: false, caseRef: 'CR-71001', device: 'work_issued', account: 'work', teamsAvailable: true, consent: 'not_asked', withinWorkingHours: true, riskPhoneAccessByAbuser: false, sensitiveContent: false, inappropriateContentReceived: false, dataIncident: false, practitionerUncertain: false };

/** Action.Execute actions anywhere in a card (card actions and ActionSets in the body). */
function executeActions(card: unknown): any[] {
  const found: any[] = [];
  const visit = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(visit);
    if (x.type === 'Action.Execute') found.push(x);
    for (const v of Object.values(x)) visit(v);
  };
  visit(card);
  return found;
}

async function check(h: Harness, facts: Record<string, unknown>, who = PEOPLE.pat, skip: string[] = []): Promise<{ outcome: any; cards: any[] }> {
  await h.message(who, 'new check');
  let card = h.cardsTo(who).at(-1)!.card;
  const cards = [card];
  for (let i = 0; i < 8 && cardText(card).includes('wizard.next'); i++) {
    const answers = answersFor(card, facts);
    for (const k of skip) delete answers[k];
    card = (await h.invoke(who, 'wizard.next', { ...actionData(card, 'wizard.next'), ...answers })).body.value;
    cards.push(card);
  }
  return { outcome: card, cards };
}

describe('bot: the consent register', function () {
  this.timeout(60_000);
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness({ council: 'waltham-forest', dispatch: false, now: () => new Date('2026-03-03T10:00:00Z') });
    for (const p of [PEOPLE.pat, PEOPLE.alex]) await h.install(p);
  });
  afterEach(async () => h.close());

  it('records a YES against the case, and a later withdrawal makes the next check for the case no WhatsApp', async () => {
    const { outcome } = await check(h, PARENT);
    const yes = executeActions(outcome).find((a) => a.verb === 'consent.given');
    assert.ok(yes, 'the outcome card offers to record the YES');
    assert.equal(yes.title, 'They replied YES');

    // Someone else cannot record it, and learns nothing.
    const forged = await h.invoke(PEOPLE.alex, 'consent.given', { ...yes.data });
    assert.match(cardText(forged.body.value), /could not be found/);
    assert.deepEqual(queryRows(h.dbFile, 'select count(*) as n from consent_register'), [{ n: 0 }]);

    const recorded = (await h.invoke(PEOPLE.pat, 'consent.given', { ...yes.data })).body.value;
    assert.match(cardText(recorded), /Consent register: Consent given Tuesday 3 March 2026, 10:00 GMT, recorded by Pat/);
    assert.ok(!executeActions(recorded).some((a) => a.verb === 'consent.given'), 'recorded once; no button any more');
    await h.invoke(PEOPLE.pat, 'consent.given', { ...yes.data });
    const rows = queryRows(h.dbFile, "select status, script_id, recorded_by_aad_id from consent_register where case_ref = 'CR-71001'");
    assert.deepEqual(rows, [{ status: 'given', script_id: 'wf-consent-script', recorded_by_aad_id: PEOPLE.pat.aadObjectId }], 'a replayed click records nothing new');
    assert.equal(queryRows(h.dbFile, "select count(*) as n from audit_events where type = 'consent.given' and case_ref = 'CR-71001'")[0].n, 1);

    // The next check for the case shows the consent and pre-fills it.
    const again = await check(h, { ...PARENT }, PEOPLE.pat, ['consent']);
    const channelStep = again.cards.find((c) => cardText(c).includes('"id":"consent"'));
    assert.match(cardText(channelStep), /Consent register: Consent given/);
    assert.match(cardText(channelStep), /"id":"consent"[^}]*"value":"given"/);

    // Later, from my checks: they withdrew consent.
    await h.message(PEOPLE.pat, 'my checks');
    const list = h.cardsTo(PEOPLE.pat).at(-1)!.card;
    const withdraw = executeActions(list).find((a) => a.verb === 'consent.withdraw');
    assert.ok(withdraw, 'my checks offers the withdrawal');
    assert.equal(withdraw.title, 'They withdrew consent');
    assert.match(cardText((await h.invoke(PEOPLE.alex, 'consent.withdraw', { ...withdraw.data })).body.value), /could not be found/);
    assert.match(cardText((await h.invoke(PEOPLE.pat, 'consent.withdraw', { ...withdraw.data })).body.value), /Consent withdrawal recorded for case CR-71001/);
    assert.equal(queryRows(h.dbFile, "select count(*) as n from audit_events where type = 'consent.withdrawn' and actor = '" + PEOPLE.pat.aadObjectId + "'")[0].n, 1);

    const after = await check(h, { ...PARENT }, PEOPLE.pat, ['consent']);
    const step = after.cards.find((c) => cardText(c).includes('"id":"consent"'));
    assert.match(cardText(step), /Consent withdrawn/);
    assert.match(cardText(after.outcome), /Do not use WhatsApp for this contact/);
    assert.match(cardText(after.outcome), /Consent register:/, 'the case note and the card show the register');
  });
});
