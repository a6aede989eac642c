/**
 * The per-user rate limit on the bot, over HTTP: a user past the limit gets a polite card and nothing is done
 * for that turn; other users are unaffected; safeguarding actions (alert acknowledgements, answers that show
 * risk, and the rest of a check whose answers show risk) are never throttled.
 */
import assert from 'node:assert/strict';
import { actionData, answersFor, cardText, type Harness, PEOPLE, rowCounts, startHarness, BASE_FACTS } from './botHarness';

const BASE = BASE_FACTS;
const SAFEGUARDING = { ...BASE, contactType: 'young_person', age: 16, purpose: 'keep_in_touch', safeguardingConcern: true, caseRef: 'CR-71002' };
const THROTTLED = /Please wait a moment/;

describe('bot: per-user rate limit', function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(async () => {
    // A long window, so the test never crosses it whatever the machine's speed.
    h = await startHarness({ dispatch: false, env: { CHANNELCHECK_RATE_LIMIT_POINTS: '3', CHANNELCHECK_RATE_LIMIT_WINDOW_SECONDS: '3600' } });
  });
  afterEach(async () => h.close());

  it('answers the turn past the limit with a polite card and does nothing for it; other users are unaffected', async () => {
    for (let i = 0; i < 3; i++) await h.message(PEOPLE.pat, 'help');
    assert.equal(h.cardsTo(PEOPLE.pat).filter((c) => THROTTLED.test(cardText(c.card))).length, 0);
    const before = rowCounts(h.dbFile);
    assert.equal((await h.message(PEOPLE.pat, 'new check')).status, 200);
    const last = h.cardsTo(PEOPLE.pat).at(-1)!.card;
    assert.match(cardText(last), THROTTLED);
    assert.match(cardText(last), /Nothing you entered was lost/);
    assert.equal(rowCounts(h.dbFile).wizard_sessions, before.wizard_sessions, 'no check was started');
    const invoke = await h.invoke(PEOPLE.pat, 'wizard.start', {});
    assert.match(cardText(invoke.body.value), THROTTLED, 'card actions too');
    await h.message(PEOPLE.alex, 'new check');
    assert.doesNotMatch(cardText(h.cardsTo(PEOPLE.alex).at(-1)!.card), THROTTLED, 'another user has their own limit');
    assert.ok(h.logs.some((l) => /turn throttled/.test(l) && l.includes(PEOPLE.pat.aadObjectId)));
  });

  it('never throttles an alert acknowledgement, nor a check whose answers show a safeguarding concern', async () => {
    await h.close();
    h = await startHarness({ dispatch: false, env: { CHANNELCHECK_RATE_LIMIT_POINTS: '12', CHANNELCHECK_RATE_LIMIT_WINDOW_SECONDS: '3600' } });
    // The practitioner starts a check and answers until the safeguarding question; then uses up the limit.
    await h.message(PEOPLE.pat, 'new check');
    let card = h.cardsTo(PEOPLE.pat).at(-1)!.card;
    for (let i = 0; i < 8 && !cardText(card).includes('"safeguardingConcern"'); i++) {
      card = (await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(card, 'wizard.next'), ...answersFor(card, SAFEGUARDING) })).body.value;
    }
    assert.ok(cardText(card).includes('"safeguardingConcern"'), 'reached the safeguarding question');
    for (let i = 0; i < 12; i++) await h.message(PEOPLE.pat, 'help');
    assert.match(cardText(h.cardsTo(PEOPLE.pat).at(-1)!.card), THROTTLED, 'the limit is used up');
    // The answer that shows risk goes through, and so does every later step of that check, to the alert.
    for (let i = 0; i < 8 && cardText(card).includes('wizard.next'); i++) {
      card = (await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(card, 'wizard.next'), ...answersFor(card, SAFEGUARDING) })).body.value;
      assert.doesNotMatch(cardText(card), THROTTLED);
    }
    assert.equal(rowCounts(h.dbFile).escalations, 1, `the safeguarding alert was raised: ${JSON.stringify(rowCounts(h.dbFile))}`);
    // The line manager, over their own limit, still acknowledges.
    for (let i = 0; i < 13; i++) await h.message(PEOPLE.lee, 'help');
    assert.match(cardText(h.cardsTo(PEOPLE.lee).at(-1)!.card), THROTTLED);
    await h.app.dispatcher.runOnce();
    const alert = h.cardsTo(PEOPLE.lee).map((c) => c.card).find((c) => cardText(c).includes('escalation.acknowledge'));
    assert.ok(alert, 'the alert reached the manager');
    const ack = await h.invoke(PEOPLE.lee, 'escalation.acknowledge', actionData(alert, 'escalation.acknowledge'));
    assert.doesNotMatch(cardText(ack.body.value), THROTTLED);
    assert.match(cardText(ack.body.value), /[Aa]cknowledged/);
  });

  it('reads a wizard session once per step: the throttle\'s read serves the step, and risk is still never held back', async () => {
    await h.close();
    h = await startHarness({ dispatch: false, env: { CHANNELCHECK_RATE_LIMIT_POINTS: '12', CHANNELCHECK_RATE_LIMIT_WINDOW_SECONDS: '3600' } });
    const store = h.app.store;
    const read = store.getWizardSession.bind(store);
    let reads = 0;
    store.getWizardSession = async (id) => {
      reads++;
      return read(id);
    };
    await h.message(PEOPLE.alex, 'new check');
    let card = h.cardsTo(PEOPLE.alex).at(-1)!.card;
    let steps = 0;
    for (let i = 0; i < 8 && cardText(card).includes('wizard.next'); i++) {
      card = (await h.invoke(PEOPLE.alex, 'wizard.next', { ...actionData(card, 'wizard.next'), ...answersFor(card, BASE) })).body.value;
      steps++;
    }
    assert.equal(reads, steps, 'an ordinary check: one read of the session per step');
    await h.message(PEOPLE.pat, 'new check');
    card = h.cardsTo(PEOPLE.pat).at(-1)!.card;
    for (let i = 0; i < 8 && !cardText(card).includes('"safeguardingConcern"'); i++) {
      card = (await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(card, 'wizard.next'), ...answersFor(card, SAFEGUARDING) })).body.value;
    }
    for (let i = 0; i < 12; i++) await h.message(PEOPLE.pat, 'help');
    reads = 0;
    steps = 0;
    for (let i = 0; i < 8 && cardText(card).includes('wizard.next'); i++) {
      card = (await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(card, 'wizard.next'), ...answersFor(card, SAFEGUARDING) })).body.value;
      assert.doesNotMatch(cardText(card), THROTTLED);
      steps++;
    }
    assert.equal(reads, steps, 'a check whose answers show risk, over the limit: one read per step');
    assert.equal(rowCounts(h.dbFile).escalations, 1);
  });
});
