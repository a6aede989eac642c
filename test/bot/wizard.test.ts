/** The decision wizard over HTTP, as Teams drives it: invokes, replays, a restart, and bad payloads. */
import assert from 'node:assert/strict';
import sinon from 'sinon';
import { cardProblems } from '../../src/bot/presenters/validateCard';
import { actionData, answersFor, cardText, type Harness, PEOPLE, queryRows, startHarness } from './botHarness';

const YOUNG_17 = { contactType: 'young_person', purpose: 'keep_in_touch', initiatedBy: 'practitioner', immediateRiskToLife: false, safeguardingConcern: false, caseRef: 'CR-20931', age: 17, device: 'work_issued', account: 'work', teamsAvailable: true, consent: 'given', withinWorkingHours: true, riskPhoneAccessByAbuser: false, sensitiveContent: false, inappropriateContentReceived: false, dataIncident: false, practitionerUncertain: false };

async function startCheck(h: Harness, who = PEOPLE.pat) {
  const r = await h.message(who, 'new check');
  assert.equal(r.status, 200);
  const sent = h.cardsTo(who).at(-1);
  assert.ok(sent, 'a wizard card was posted');
  assert.match(cardText(sent.card), /About the contact/);
  return { card: sent.card, activityId: sent.call.resultId! };
}

async function next(h: Harness, card: any, facts: Record<string, unknown>, who = PEOPLE.pat) {
  const r = await h.invoke(who, 'wizard.next', { ...actionData(card, 'wizard.next'), ...answersFor(card, facts) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.statusCode, 200, JSON.stringify(r.body));
  assert.equal(r.body.type, 'application/vnd.microsoft.card.adaptive');
  assert.deepEqual(cardProblems(r.body.value), []);
  return r.body.value;
}

async function completeWizard(h: Harness, facts: Record<string, unknown>, who = PEOPLE.pat) {
  let { card } = await startCheck(h, who);
  for (let i = 0; i < 8 && cardText(card).includes('wizard.next'); i++) card = await next(h, card, facts, who);
  return card;
}

function countRows(file: string, sql: string): number {
  return queryRows(file, sql)[0].n;
}

describe('bot: decision wizard over HTTP', function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ dispatch: false });
  });
  afterEach(async () => h.close());

  it('greets on install, answers help and unknown text, and serves health and readiness', async () => {
    assert.equal((await h.install(PEOPLE.pat)).status, 200);
    assert.match(cardText(h.cardsTo(PEOPLE.pat).at(-1)!.card), /London Borough of Hillingdon/);
    await h.message(PEOPLE.pat, 'help');
    assert.match(cardText(h.cardsTo(PEOPLE.pat).at(-1)!.card), /new check/);
    await h.message(PEOPLE.pat, 'what is the weather');
    assert.match(cardText(h.cardsTo(PEOPLE.pat).at(-1)!.card), /I did not catch that/);
    assert.equal((await fetch(`http://127.0.0.1:${h.port}/healthz`)).status, 200);
    const ready = await fetch(`http://127.0.0.1:${h.port}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(((await ready.json()) as { status: string }).status, 'ready');
  });

  it('walks a 17-year-old check to an outcome card with headline, citation, script and case note, and records it once', async () => {
    const outcome = await completeWizard(h, YOUNG_17);
    const text = cardText(outcome);
    assert.match(text, /WhatsApp is allowed, with conditions/);
    assert.match(text, /HIL-PS-2, clause Policy Statement/);
    assert.ok(text.includes('I need to make you aware that there may be a need to share information'));
    assert.match(text, /Case reference: CR-20931/);
    assert.equal(countRows(h.dbFile, 'select count(*) n from decisions'), 1);
    assert.equal(countRows(h.dbFile, "select count(*) n from wizard_sessions where status = 'completed'"), 1);
  });

  it('asks age only for a young person, and re-renders a step with the error on bad data', async () => {
    const { card } = await startCheck(h);
    const parent = await next(h, card, { ...YOUNG_17, contactType: 'parent_carer' });
    assert.doesNotMatch(cardText(parent), /"id":"age"/);
    assert.match(cardText(parent), /About the case/);
    assert.match(cardText(await next(h, parent, YOUNG_17)), /How you would contact them/);

    const { card: card2 } = await startCheck(h);
    const ageStep = await next(h, card2, YOUNG_17);
    assert.match(cardText(ageStep), /"id":"age"/);
    const bad = await next(h, ageStep, { age: 'seventeen' });
    assert.match(cardText(bad), /Enter a whole number from 0 to 120/);
    assert.match(cardText(bad), /"id":"age"/, 'the same step again');
    const missing = await h.invoke(PEOPLE.pat, 'wizard.next', actionData(ageStep, 'wizard.next'));
    assert.match(cardText(missing.body.value), /Please check the answer/);
    const badRef = await next(h, ageStep, { ...YOUNG_17, caseRef: 'Jane Smith' });
    assert.match(cardText(badRef), /never enter a name/);
  });

  it('a double click on a step applies it once and returns the same next step', async () => {
    const { card } = await startCheck(h);
    const data = { ...actionData(card, 'wizard.next'), ...answersFor(card, YOUNG_17) };
    const [a, b] = await Promise.all([h.invoke(PEOPLE.pat, 'wizard.next', data), h.invoke(PEOPLE.pat, 'wizard.next', data)]);
    assert.match(cardText(a.body.value), /About the young person/);
    assert.deepEqual(a.body.value, b.body.value);
    assert.equal(countRows(h.dbFile, 'select version as n from wizard_sessions'), 2, 'one step applied');
  });

  it('a double click on the last step records one decision', async () => {
    let { card } = await startCheck(h);
    while (true) {
      const answers = { ...actionData(card, 'wizard.next'), ...answersFor(card, YOUNG_17) };
      const probe = await h.invoke(PEOPLE.pat, 'wizard.next', answers);
      const nextCard = probe.body.value;
      if (!cardText(nextCard).includes('wizard.next')) {
        // `card` was the last step and has just been submitted once: submit it twice more, concurrently.
        const [x, y] = await Promise.all([h.invoke(PEOPLE.pat, 'wizard.next', answers), h.invoke(PEOPLE.pat, 'wizard.next', answers)]);
        assert.match(cardText(x.body.value), /WhatsApp is allowed/);
        assert.deepEqual(x.body.value, y.body.value);
        assert.deepEqual(x.body.value, nextCard);
        break;
      }
      card = nextCard;
    }
    assert.equal(countRows(h.dbFile, 'select count(*) n from decisions'), 1);
    assert.equal(countRows(h.dbFile, "select count(*) n from audit_events where type = 'decision.recorded'"), 1);
  });

  it('a restart between two steps loses nothing', async () => {
    const { card } = await startCheck(h);
    const ageStep = await next(h, card, YOUNG_17);
    await h.restart();
    const channelStep = await next(h, ageStep, YOUNG_17);
    assert.match(cardText(channelStep), /How you would contact them/);
    let c = channelStep;
    for (let i = 0; i < 5 && cardText(c).includes('wizard.next'); i++) c = await next(h, c, YOUNG_17);
    assert.match(cardText(c), /WhatsApp is allowed, with conditions/);
    assert.match(cardText(c), /CR-20931/, 'the case reference from before the restart is kept');
  });

  it('Back returns to the previous step with the answers kept; Cancel records nothing', async () => {
    const { card } = await startCheck(h);
    const ageStep = await next(h, card, YOUNG_17);
    const back = await h.invoke(PEOPLE.pat, 'wizard.back', actionData(ageStep, 'wizard.back'));
    assert.match(cardText(back.body.value), /About the contact/);
    assert.match(cardText(back.body.value), /"value":"young_person"/);
    const cancel = await h.invoke(PEOPLE.pat, 'wizard.cancel', actionData(back.body.value, 'wizard.cancel'));
    assert.match(cardText(cancel.body.value), /Check cancelled/);
    assert.equal(countRows(h.dbFile, 'select count(*) n from decisions'), 0);
  });

  it('the Action.Submit fallback updates the card in place', async () => {
    const { card, activityId } = await startCheck(h);
    const r = await h.submit(PEOPLE.pat, { ...actionData(card, 'wizard.next'), ...answersFor(card, YOUNG_17) }, activityId);
    assert.equal(r.status, 200);
    const update = h.connector.updates().at(-1);
    assert.ok(update, 'updateActivity was called');
    assert.equal(update.activityId, activityId);
    assert.match(JSON.stringify(update.body), /About the young person/);
  });

  it('forged and malformed payloads get a 4xx or an error card, and the process stays up', async () => {
    const { card } = await startCheck(h);
    const good = actionData(card, 'wizard.next');
    // Someone else's session: reported as not found.
    const other = await h.invoke(PEOPLE.mallory, 'wizard.next', { ...good, ...answersFor(card, YOUNG_17) });
    assert.match(cardText(other.body.value), /could not be found/);
    // Wrong types, unknown verbs, values outside the sets, oversized text.
    assert.match(cardText((await h.invoke(PEOPLE.pat, 'wizard.next', { ...good, version: 'abc' })).body.value), /could not be read/);
    assert.match(cardText((await h.invoke(PEOPLE.pat, 'wizard.next', { sessionId: "'; drop table x; --", version: 1 })).body.value), /could not be read/);
    assert.match(cardText((await h.invoke(PEOPLE.pat, 'admin.delete', {})).body.value), /not known/);
    const badVerb = await h.invoke(PEOPLE.pat, 'Admin/Delete', {});
    assert.equal(badVerb.body.statusCode, 400);
    assert.equal(badVerb.body.type, 'application/vnd.microsoft.error');
    assert.match(cardText((await h.invoke(PEOPLE.pat, 'wizard.next', { ...good, contactType: 'alien', purpose: 'keep_in_touch' })).body.value), /Choose who the contact is/);
    assert.match(cardText((await h.invoke(PEOPLE.pat, 'wizard.next', { ...good, ...answersFor(card, YOUNG_17), purpose: 'x'.repeat(5000) })).body.value), /too long/);
    const huge = await h.invoke(PEOPLE.pat, 'wizard.next', { ...good, junk: 'x'.repeat(40_000) });
    assert.equal(huge.body.statusCode, 400);
    // Envelope problems.
    const noAction = await h.post({ type: 'invoke', name: 'adaptiveCard/action', channelId: 'msteams', serviceUrl: h.connector.serviceUrl, from: PEOPLE.pat, recipient: { id: 'b' }, conversation: { id: 'c' }, value: {} });
    assert.equal(noAction.body?.statusCode ?? noAction.status, 400);
    assert.equal((await h.post(null, '{not json')).status, 400);
    assert.equal((await h.post({ hello: 'world' })).status, 400);
    assert.equal((await h.post([1, 2, 3])).status, 400);
    assert.equal((await h.post(null, JSON.stringify({ type: 'message', text: 'x'.repeat(300 * 1024) }))).status, 413);
    const submitJunk = await h.submit(PEOPLE.pat, { verb: 42 } as never, 'nope');
    assert.equal(submitJunk.status, 200);
    assert.match(cardText(h.cardsTo(PEOPLE.pat).at(-1)!.card), /could not be read/);
    // Still alive, nothing recorded by any of it.
    assert.equal((await fetch(`http://127.0.0.1:${h.port}/healthz`)).status, 200);
    assert.equal(countRows(h.dbFile, 'select count(*) n from decisions'), 0);
  });

  it('a failure in the store becomes an error card whose Try again completes the step, never a bare "something went wrong"', async () => {
    const { card } = await startCheck(h);
    const stub = sinon.stub(h.app.store, 'applyWizardStep').rejects(new Error('database is locked'));
    try {
      const r = await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(card, 'wizard.next'), ...answersFor(card, YOUNG_17) });
      assert.equal(r.body.statusCode, 200);
      const error = r.body.value;
      assert.deepEqual(cardProblems(error), []);
      assert.match(cardText(error), /could not finish that step/);
      assert.match(cardText(error), /call 999/, 'an error never hides what to do if a child may be at risk');
      stub.restore();
      const retry = await h.invoke(PEOPLE.pat, 'wizard.next', actionData(error, 'wizard.next'));
      assert.match(cardText(retry.body.value), /About the young person/, 'Try again carried the answers and completed the step');
      assert.ok(h.logs.some((l) => l.includes('database is locked')), 'the failure was logged with its reference');
    } finally {
      stub.restore();
    }
  });

  it('my checks lists the practitioner\'s decisions', async () => {
    await completeWizard(h, YOUNG_17);
    await h.message(PEOPLE.pat, 'my checks');
    const list = cardText(h.cardsTo(PEOPLE.pat).at(-1)!.card);
    assert.match(list, /Your recent checks/);
    assert.match(list, /CR-20931/);
    await h.message(PEOPLE.alex, 'my checks');
    assert.match(cardText(h.cardsTo(PEOPLE.alex).at(-1)!.card), /no checks yet/);
  });
});
