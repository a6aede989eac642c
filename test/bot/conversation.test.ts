/**
 * The conversation over HTTP, as Teams drives it: a refused step corrected with the answers still there,
 * "cancel" during a check, `approvals` for a manager, list entries that open their record, and refusals
 * for anyone who may not open one.
 */
import assert from 'node:assert/strict';
import { actionData, answersFor, cardText, conversationOf, type Harness, PEOPLE, type Person, queryRows, startHarness, BASE_FACTS, completeCheck } from './botHarness';

const BASE = BASE_FACTS;
const NEEDS_APPROVAL = { ...BASE, contactType: 'parent_carer', purpose: 'video_visit', teamsAvailable: false, caseRef: 'CR-63001' };
const SAFEGUARDING = { ...BASE, contactType: 'young_person', age: 16, purpose: 'keep_in_touch', safeguardingConcern: true, caseRef: 'CR-63002' };

function inputsOf(card: any): Map<string, any> {
  const found = new Map<string, any>();
  const visit = (x: any) => {
    if (!x || typeof x !== 'object') return;
    if (Array.isArray(x)) return x.forEach(visit);
    if (typeof x.type === 'string' && x.type.startsWith('Input.')) found.set(x.id, x);
    for (const v of Object.values(x)) visit(v);
  };
  visit(card);
  return found;
}

function openButtons(card: any): string[] {
  return [...cardText(card).matchAll(/"verb":"record\.open","decisionId":"([^"]+)"/g)].map((m) => m[1]!).filter((id, i, all) => all.indexOf(id) === i);
}

const check = completeCheck;

describe('bot: the conversation over HTTP', function () {
  this.timeout(60_000);
  let h: Harness;
  let clock: number;

  beforeEach(async () => {
    clock = Date.parse('2026-03-03T10:00:00Z'); // a Tuesday morning, inside working hours
    h = await startHarness({ dispatch: false, now: () => new Date(clock) });
    for (const p of [PEOPLE.pat, PEOPLE.lee, PEOPLE.sam, PEOPLE.jo, PEOPLE.alex, PEOPLE.mallory]) await h.install(p);
  });
  afterEach(async () => h.close());

  it('a refused step comes back with every answer given on it, and the corrected step goes on', async () => {
    await h.message(PEOPLE.pat, 'New Check please');
    const first = h.cardsTo(PEOPLE.pat).at(-1)!.card;
    const second = (await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(first, 'wizard.next'), contactType: 'young_person', purpose: 'video_visit', initiatedBy: 'young_person', immediateRiskToLife: 'false', safeguardingConcern: 'true' })).body.value;
    assert.match(cardText(second), /About the young person/);
    const refused = (await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(second, 'wizard.next'), age: '200', caseRef: 'John Smith' })).body.value;
    const inputs = inputsOf(refused);
    assert.equal(inputs.get('age').value, 200, 'the age as typed, not clamped to 120');
    assert.match(inputs.get('age').errorMessage, /200 is not a possible age/);
    assert.equal(inputs.get('caseRef').value, 'John Smith');
    assert.match(inputs.get('caseRef').errorMessage, /Case reference/);
    assert.match(cardText(refused), /Please check 2 answers marked below/);
    assert.match(cardText(refused), /Safeguarding concern: tell your line manager now/, 'the earlier answers still count');
    assert.equal(queryRows(h.dbFile, 'select version from wizard_sessions')[0].version, 2, 'nothing of the refused step stored');

    // One answer corrected, the other kept from the refused card as the client sends it back.
    const kept = (await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(refused, 'wizard.next'), age: String(inputs.get('age').value), caseRef: 'CR-63009' })).body.value;
    assert.match(inputsOf(kept).get('age').errorMessage, /200 is not a possible age/);
    assert.equal(inputsOf(kept).get('caseRef').value, 'CR-63009', 'the corrected case reference stays while the age is still wrong');
    const third = (await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(kept, 'wizard.next'), age: '15', caseRef: inputsOf(kept).get('caseRef').value })).body.value;
    assert.match(cardText(third), /How you would contact them/);
    const stored = JSON.parse(queryRows(h.dbFile, 'select answers from wizard_sessions')[0].answers);
    assert.equal(stored.answers.age, 15);
    assert.equal(stored.answers.caseRef, 'CR-63009');
    assert.equal(stored.answers.purpose, 'video_visit');
  });

  it('"cancel" during a check abandons it, replaces its card and says so; "stop" with nothing in progress says that', async () => {
    await h.message(PEOPLE.pat, 'new check');
    const sent = h.cardsTo(PEOPLE.pat).at(-1)!;
    const step2 = (await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(sent.card, 'wizard.next'), ...answersFor(sent.card, NEEDS_APPROVAL) })).body.value;
    await h.message(PEOPLE.pat, 'Cancel check');
    assert.match(cardText(h.cardsTo(PEOPLE.pat).at(-1)!.card), /Check cancelled/);
    assert.match(cardText(h.cardsTo(PEOPLE.pat).at(-1)!.card), /Nothing was recorded/);
    assert.deepEqual(queryRows(h.dbFile, 'select status from wizard_sessions').map((r) => r.status), ['abandoned']);
    const update = h.connector.updates().find((u) => u.conversationId === conversationOf(PEOPLE.pat) && u.activityId === sent.call.resultId);
    assert.ok(update, 'the check\'s own card was updated in place');
    assert.match(JSON.stringify(update.body), /This check was cancelled/);
    const late = await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(step2, 'wizard.next'), ...answersFor(step2, NEEDS_APPROVAL) });
    assert.match(cardText(late.body.value), /This check was cancelled/, 'the old card cannot finish it');
    assert.equal(queryRows(h.dbFile, 'select count(*) n from decisions')[0].n, 0);

    await h.message(PEOPLE.pat, 'stop');
    assert.match(cardText(h.cardsTo(PEOPLE.pat).at(-1)!.card), /There is no check in progress to cancel/);
    // Someone else's "cancel" touches nobody else's check.
    await h.message(PEOPLE.pat, 'new check');
    await h.message(PEOPLE.mallory, 'CANCEL');
    assert.deepEqual(queryRows(h.dbFile, "select count(*) n from wizard_sessions where status = 'active'")[0].n, 1);
  });

  it('approvals: a manager sees the requests waiting for them and the open alerts, each opening its card with the buttons', async () => {
    await check(h, PEOPLE.pat, NEEDS_APPROVAL);
    clock += 60_000;
    await check(h, PEOPLE.pat, SAFEGUARDING);
    await check(h, PEOPLE.alex, NEEDS_APPROVAL);
    const [approvalDecision, alertDecision] = queryRows(h.dbFile, `select id from decisions where practitioner_aad_id = '${PEOPLE.pat.aadObjectId}' order by created_at`).map((r) => r.id as string);

    await h.message(PEOPLE.lee, 'Approvals please');
    const list = h.cardsTo(PEOPLE.lee).at(-1)!.card;
    assert.match(cardText(list), /Waiting for you/);
    assert.match(cardText(list), /Urgent safeguarding alert: not yet acknowledged/);
    assert.match(cardText(list), /Waiting for your approval/);
    assert.deepEqual(openButtons(list), [alertDecision, approvalDecision], 'the alert first, and nothing of Alex, who has no manager');

    const approval = await h.invoke(PEOPLE.lee, 'record.open', { decisionId: approvalDecision });
    assert.equal(approval.body.statusCode, 200);
    const opened = h.cardsTo(PEOPLE.lee).at(-1)!.card;
    assert.match(cardText(opened), /Approval needed/);
    assert.match(cardText(opened), /approval\.approve/, 'the manager may decide from it');
    await h.invoke(PEOPLE.lee, 'record.open', { decisionId: alertDecision });
    assert.match(cardText(h.cardsTo(PEOPLE.lee).at(-1)!.card), /escalation\.acknowledge/);

    await h.message(PEOPLE.jo, 'my approvals');
    assert.deepEqual(openButtons(h.cardsTo(PEOPLE.jo).at(-1)!.card), [alertDecision, approvalDecision], 'Lee\'s delegate sees the same');
    await h.message(PEOPLE.sam, 'alerts');
    assert.deepEqual(openButtons(h.cardsTo(PEOPLE.sam).at(-1)!.card), [], 'the Head of Service, before the alert reaches them');

    await h.message(PEOPLE.pat, 'approve');
    assert.match(cardText(h.cardsTo(PEOPLE.pat).at(-1)!.card), /Nothing is waiting for you/, 'a practitioner has nothing to approve');
  });

  it('my checks and team checks open their records; anyone else, another team or a forged id is refused and told nothing', async () => {
    await check(h, PEOPLE.pat, NEEDS_APPROVAL);
    await check(h, PEOPLE.alex, NEEDS_APPROVAL);
    const pats = queryRows(h.dbFile, `select id from decisions where practitioner_aad_id = '${PEOPLE.pat.aadObjectId}'`)[0].id as string;
    const alexs = queryRows(h.dbFile, `select id from decisions where practitioner_aad_id = '${PEOPLE.alex.aadObjectId}'`)[0].id as string;

    await h.message(PEOPLE.pat, 'show me my checks');
    assert.deepEqual(openButtons(h.cardsTo(PEOPLE.pat).at(-1)!.card), [pats]);
    await h.invoke(PEOPLE.pat, 'record.open', { decisionId: pats });
    assert.match(cardText(h.cardsTo(PEOPLE.pat).at(-1)!.card), /Ask your line manager/);

    await h.message(PEOPLE.lee, 'team checks');
    assert.deepEqual(openButtons(h.cardsTo(PEOPLE.lee).at(-1)!.card), [pats]);

    const refusals: Array<[Person, string]> = [[PEOPLE.lee, alexs], [PEOPLE.mallory, pats], [PEOPLE.alex, pats], [PEOPLE.sam, pats], [PEOPLE.pat, alexs], [PEOPLE.pat, '00000000-0000-0000-0000-000000000000']];
    for (const [who, decisionId] of refusals) {
      const before = h.cardsTo(who).length;
      const r = await h.invoke(who, 'record.open', { decisionId });
      assert.equal(r.status, 200);
      const text = cardText(r.body.value);
      assert.match(text, /You cannot open this check/, `${who.name} opening ${decisionId}`);
      assert.doesNotMatch(text, /CR-63001|Pat Practitioner|Alex Newstarter/, 'nothing about the record');
      assert.equal(h.cardsTo(who).length, before, 'no record card sent');
    }
    for (const bad of [{}, { decisionId: "'; drop table decisions; --" }, { decisionId: 'x'.repeat(500) }]) {
      assert.match(cardText((await h.invoke(PEOPLE.lee, 'record.open', bad)).body.value), /could not be read/);
    }
  });

  it('anything else gets the short list of what can be said and a New check button', async () => {
    await h.message(PEOPLE.pat, 'can I use my personal phone to text a parent');
    const card = h.cardsTo(PEOPLE.pat).at(-1)!.card;
    assert.match(cardText(card), /\*\*approvals\*\*/);
    assert.match(cardText(card), /"verb":"wizard.start"/);
    await h.message(PEOPLE.pat, 'HELP');
    const help = cardText(h.cardsTo(PEOPLE.pat).at(-1)!.card);
    assert.match(help, /What it records/);
    assert.match(help, /Safe and appropriate use of WhatsApp Policy/);
  });
});
