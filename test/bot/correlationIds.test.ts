/**
 * Correlation ids when turns overlap: two practitioners finish a check at the same time. Pat's last step (an
 * Action.Submit, so the bot updates the card through the Bot Connector) is held at that update, after the
 * decision and its outbox rows are written; Jo's whole last step runs meanwhile; then Pat's update fails and
 * the turn's error handler logs. Every line and every outbox row carries its own turn's id, never the other's,
 * including Pat's line written after Jo's turn had finished.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../src/logging';
import { actionData, answersFor, cardText, conversationOf, type Harness, PEOPLE, type Person, queryRows, startHarness, BASE_FACTS } from './botHarness';

const SAFEGUARDING = { ...BASE_FACTS, contactType: 'young_person', age: 16, purpose: 'keep_in_touch', safeguardingConcern: true };

function capture(): { stream: Writable; lines: () => any[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _e, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('bot: correlation ids of overlapping turns', function () {
  this.timeout(60_000);
  let h: Harness;
  let out: ReturnType<typeof capture>;

  beforeEach(async () => {
    out = capture();
    h = await startHarness({ dispatch: false, log: createLogger('debug', { destination: out.stream, env: {} }) });
  });
  afterEach(() => h.close());

  it('gives each of two interleaved turns its own id, on its log lines and its outbox rows', async () => {
    const pat = PEOPLE.pat;
    const jo = PEOPLE.jo;
    for (const who of [pat, jo, PEOPLE.lee]) await h.install(who);

    // Pat's outcome card (an update with no further step) is held at the Bot Connector until `release`, then refused.
    const held = deferred();
    const release = deferred();
    h.connector.fail({
      method: 'PUT',
      when: (call) => {
        const outcome = call.conversationId === conversationOf(pat) && !JSON.stringify(call.body).includes('wizard.next');
        if (outcome) held.resolve();
        return outcome;
      },
      fault: { answerWhen: release.promise, status: 404, code: 'ActivityNotFound' },
    });

    await h.message(pat, 'new check');
    const wizardCard = h.cardsTo(pat).at(-1)!;
    const activityId = wizardCard.call.resultId!;
    let card = wizardCard.card;
    let patLastStep: Promise<unknown> | null = null;
    for (let i = 0; i < 8 && patLastStep === null; i++) {
      const step = h.submit(pat, { ...actionData(card, 'wizard.next'), ...answersFor(card, SAFEGUARDING) }, activityId);
      if ((await Promise.race([step.then(() => 'answered'), held.promise.then(() => 'held')])) === 'held') patLastStep = step;
      else card = (h.connector.updates().at(-1)!.body as any).attachments[0].content;
    }
    assert.ok(patLastStep, 'Pat reached the last step, held at the card update');

    // Jo's check, start to finish, while Pat's turn waits.
    await h.message(jo, 'new check');
    let joCard = h.cardsTo(jo).at(-1)!.card;
    for (let i = 0; i < 8 && cardText(joCard).includes('wizard.next'); i++) {
      joCard = (await h.invoke(jo, 'wizard.next', { ...actionData(joCard, 'wizard.next'), ...answersFor(joCard, SAFEGUARDING) })).body.value;
    }
    assert.match(cardText(joCard), /safeguarding/i, 'Jo\'s check ended in an outcome');
    const linesBeforeRelease = out.lines().length;

    release.resolve();
    await patLastStep;

    const lines = out.lines();
    const decisionLine = (who: Person) => {
      const found = lines.filter((l) => l.msg === 'decision' && l.practitionerAadId === who.aadObjectId);
      assert.equal(found.length, 1, `one decision line for ${who.aadObjectId}`);
      return found[0];
    };
    const patTurn: string = decisionLine(pat).correlationId;
    const joTurn: string = decisionLine(jo).correlationId;
    assert.equal(typeof patTurn, 'string');
    assert.equal(typeof joTurn, 'string');
    assert.notEqual(patTurn, joTurn, 'two turns, two ids');

    // Each id belongs to one activity, and that activity is its own person's.
    const accepted = lines.filter((l) => l.msg === 'activity accepted');
    assert.equal(new Set(accepted.map((l) => l.correlationId)).size, accepted.length, 'one id per activity');
    assert.deepEqual(accepted.filter((l) => l.correlationId === patTurn).map((l) => l.userAadId), [pat.aadObjectId]);
    assert.deepEqual(accepted.filter((l) => l.correlationId === joTurn).map((l) => l.userAadId), [jo.aadObjectId]);

    // Pat's turn went on logging after Jo's turn had finished: still Pat's id.
    const afterRelease = lines.slice(linesBeforeRelease).filter((l) => l.msg === 'unhandled error in a turn');
    assert.equal(afterRelease.length, 1, 'the refused card update reached the turn\'s error handler');
    assert.equal(afterRelease[0].correlationId, patTurn);
    assert.ok(lines.indexOf(decisionLine(jo)) < linesBeforeRelease, 'Jo\'s decision was logged while Pat\'s turn was held');

    // Every line of either turn carries that turn's id and names nobody from the other check.
    for (const line of lines.filter((l) => l.correlationId === patTurn)) assert.notEqual(line.userAadId ?? line.practitionerAadId ?? pat.aadObjectId, jo.aadObjectId, line.msg);
    for (const line of lines.filter((l) => l.correlationId === joTurn)) assert.notEqual(line.userAadId ?? line.practitionerAadId ?? jo.aadObjectId, pat.aadObjectId, line.msg);

    // The outbox rows: each decision's rows carry the id of the turn that made it.
    const rows = queryRows(h.dbFile, 'select o.kind, o.correlation_id, d.practitioner_aad_id from outbox o join decisions d on d.id = o.decision_id');
    const rowsOf = (who: Person) => rows.filter((r) => r.practitioner_aad_id === who.aadObjectId);
    assert.ok(rowsOf(pat).length >= 1 && rowsOf(jo).length >= 1, 'both decisions queued notifications');
    assert.equal(rows.length, queryRows(h.dbFile, 'select count(*) n from outbox')[0].n, 'every row belongs to one of the two decisions');
    for (const row of rowsOf(pat)) assert.equal(row.correlation_id, patTurn, `Pat's ${row.kind}`);
    for (const row of rowsOf(jo)) assert.equal(row.correlation_id, joTurn, `Jo's ${row.kind}`);
  });
});
