/**
 * Who may acknowledge a safeguarding alert and settle an approval, tried over HTTP as an attacker and as a
 * crowd of colleagues would: the real app (services, store, botbuilder) against the fake Bot Connector, the
 * people Teams would send on the activity (Entra id, tenant, conversation), and the stored rows checked
 * straight from the SQLite file.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectorPaths } from '../support/fakeBotConnector';
import { ROOT } from '../support/runCli';
import { actionData, cardText, conversationOf, ESCALATION_CHANNEL, type Harness, PEOPLE, type Person, queryRows, rowCounts, startHarness, TENANT, BASE_FACTS, completeCheck } from './botHarness';

const BASE = BASE_FACTS;
const NEEDS_APPROVAL = { ...BASE, contactType: 'parent_carer', purpose: 'video_visit', teamsAvailable: false, caseRef: 'CR-62001' };
const SAFEGUARDING = { ...BASE, contactType: 'young_person', age: 16, purpose: 'keep_in_touch', safeguardingConcern: true, caseRef: 'CR-62002' };
const OTHER_TENANT = '22222222-2222-2222-2222-222222222222';

/** Invented people beyond the example directory: another team's manager, and a member of the escalation channel. */
const KIM = { id: '29:kim', name: 'Kim Othermanager', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000000a' } as const;
const ASH = { id: '29:ash', name: 'Ash Channelmember', aadObjectId: 'aaaaaaaa-0000-0000-0000-00000000000c' } as const;
type Clicker = Person | typeof KIM | typeof ASH;

/** The example directory plus a second team with its own manager (Kim) and practitioner. */
function directoryWithAnotherTeam(): string {
  const example = fs.readFileSync(path.join(ROOT, 'env/directory.example.yaml'), 'utf8');
  const more = [
    `  - id: ${KIM.aadObjectId}`,
    `    name: ${KIM.name}`,
    '    team: south-cin',
    '  - id: aaaaaaaa-0000-0000-0000-00000000000b',
    '    name: Ali Southpractitioner',
    `    manager: ${KIM.aadObjectId}`,
    '    team: south-cin',
    '',
    'teams:',
    '  - id: south-cin',
    '    name: South Children in Need (example)',
    `    headOfService: ${KIM.aadObjectId}`,
  ].join('\n');
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cc-dir-')), 'directory.yaml');
  fs.writeFileSync(file, example.replace(/^teams:$/m, more));
  return file;
}

interface Where {
  tenantId?: string;
  /** The conversation the click comes from: the person's 1:1 chat unless given. */
  conversationId?: string;
}

let seq = 0;
/** A card click as Teams would send it: the identity, tenant and conversation are on the activity. */
function click(h: Harness, from: Clicker, verb: string, data: Record<string, unknown>, where: Where = {}) {
  const tenantId = where.tenantId ?? TENANT;
  const inChannel = where.conversationId?.startsWith('19:') ?? false;
  return h.post({
    channelId: 'msteams',
    serviceUrl: h.connector.serviceUrl,
    from,
    recipient: { id: '28:channelcheck', name: 'ChannelCheck' },
    conversation: { id: where.conversationId ?? conversationOf(from as Person), conversationType: inChannel ? 'channel' : 'personal', tenantId, ...(inChannel ? { isGroup: true } : {}) },
    channelData: { tenant: { id: tenantId }, ...(inChannel ? { channel: { id: ESCALATION_CHANNEL } } : {}) },
    type: 'invoke',
    name: 'adaptiveCard/action',
    id: `who-${++seq}`,
    value: { action: { type: 'Action.Execute', verb, data: { verb, ...data } } },
  });
}

const check = completeCheck;

function count(h: Harness, sql: string): number {
  return queryRows(h.dbFile, sql)[0].n;
}

/** What may change only through a real settlement. */
function settledState(h: Harness) {
  return {
    escalations: queryRows(h.dbFile, 'select status, level, acknowledged_by, version from escalations'),
    approvals: queryRows(h.dbFile, 'select status, decided_by, comment, version from approval_requests'),
    decisions: queryRows(h.dbFile, 'select state from decisions'),
    outbox: count(h, 'select count(*) n from outbox'),
    pendingTimers: count(h, 'select count(*) n from timers where fired_at is null and cancelled_at is null'),
    events: queryRows(h.dbFile, "select type from audit_events where type not like '%refused' order by seq"),
  };
}

const REFUSED_ALERT = /You cannot acknowledge this alert/;
const NOT_ONE_OF = /You are not one of the people this alert was sent to/;
const ACKNOWLEDGED = /Acknowledged by/;

describe('bot: who may act on an alert or an approval, over HTTP', function () {
  this.timeout(90_000);
  let h: Harness;
  let clock: number;

  beforeEach(async () => {
    clock = Date.parse('2026-03-03T10:00:00Z'); // a Tuesday morning, inside working hours
    h = await startHarness({ dispatch: false, now: () => new Date(clock), env: { CHANNELCHECK_DIRECTORY_FILE: directoryWithAnotherTeam() } });
    for (const p of [PEOPLE.pat, PEOPLE.lee, PEOPLE.sam, PEOPLE.jo, PEOPLE.mallory]) await h.install(p);
  });
  afterEach(async () => h.close());

  async function raiseAlert(): Promise<Record<string, unknown>> {
    await check(h, PEOPLE.pat, SAFEGUARDING);
    await h.drain();
    const alert = h.cardsTo(PEOPLE.lee).find((c) => cardText(c.card).includes('URGENT: safeguarding alert'));
    assert.ok(alert, 'the alert reached the manager');
    return actionData(alert.card, 'escalation.acknowledge');
  }

  it('refuses everyone the alert was not sent to with a clear card, audits it, and changes nothing; the Head of Service may act once it reaches them', async () => {
    const data = await raiseAlert();
    const before = settledState(h);
    const attempts: Array<[string, Clicker, Where, RegExp[]]> = [
      ['an outsider with no directory entry', PEOPLE.mallory, {}, [REFUSED_ALERT, NOT_ONE_OF, /duty manager/]],
      ["another team's manager", KIM, {}, [REFUSED_ALERT, NOT_ONE_OF]],
      ['the line manager id, from another tenant', PEOPLE.lee, { tenantId: OTHER_TENANT }, [REFUSED_ALERT, NOT_ONE_OF]],
      ['the practitioner', PEOPLE.pat, {}, [/You raised this alert/, /A manager must acknowledge it/]],
      ['the Head of Service before it reached them', PEOPLE.sam, {}, [/This alert has not been sent to you yet/]],
      ['a channel member, from their own chat', ASH, {}, [REFUSED_ALERT, NOT_ONE_OF]],
      ['a forged payload naming the manager', PEOPLE.mallory, {}, [REFUSED_ALERT]],
    ];
    for (const [who, person, where, expected] of attempts) {
      const payload = who.startsWith('a forged') ? { ...data, actor: PEOPLE.lee.aadObjectId, aadObjectId: PEOPLE.lee.aadObjectId, tenantId: TENANT } : data;
      const r = await click(h, person, 'escalation.acknowledge', payload, where);
      assert.equal(r.status, 200, who);
      for (const re of expected) assert.match(cardText(r.body.value), re, who);
      assert.doesNotMatch(cardText(r.body.value), ACKNOWLEDGED, who);
    }
    assert.deepEqual(settledState(h), before, 'nothing changed but the audit trail');
    const refused = queryRows(h.dbFile, "select actor, payload from audit_events where type = 'escalation.ack_refused' order by seq");
    assert.deepEqual(
      refused.map((e) => [e.actor, JSON.parse(e.payload).reason]),
      [
        [PEOPLE.mallory.aadObjectId, 'not_routed'],
        [KIM.aadObjectId, 'not_routed'],
        [PEOPLE.lee.aadObjectId, 'other_tenant'],
        [PEOPLE.pat.aadObjectId, 'own_request'],
        [PEOPLE.sam.aadObjectId, 'not_yet_reached'],
        [ASH.aadObjectId, 'not_routed'],
        [PEOPLE.mallory.aadObjectId, 'not_routed'],
      ],
    );
    await h.drain();
    assert.equal(h.textsTo(PEOPLE.pat).filter((t) => /acknowledged your safeguarding alert/.test(t)).length, 0, 'the practitioner was told nothing untrue');

    // Not acknowledged in 15 minutes: it goes to the Head of Service, who may now acknowledge it.
    clock += 16 * 60_000;
    await h.app.timers.runOnce();
    await h.drain();
    const toSam = h.cardsTo(PEOPLE.sam).find((c) => cardText(c.card).includes('URGENT'));
    assert.ok(toSam, 'escalated to the Head of Service');
    const ack = await click(h, PEOPLE.sam, 'escalation.acknowledge', actionData(toSam.card, 'escalation.acknowledge'));
    assert.match(cardText(ack.body.value), /Acknowledged by Sam Head/);
    const replay = await click(h, PEOPLE.sam, 'escalation.acknowledge', actionData(toSam.card, 'escalation.acknowledge'));
    assert.match(cardText(replay.body.value), /Acknowledged by Sam Head/, 'a replay gets the settled state');
    assert.deepEqual(queryRows(h.dbFile, 'select status, acknowledged_by from escalations'), [{ status: 'acknowledged', acknowledged_by: PEOPLE.sam.aadObjectId }]);
    assert.equal(count(h, "select count(*) n from audit_events where type = 'escalation.acknowledged'"), 1);
    await h.drain();
    assert.deepEqual(h.textsTo(PEOPLE.pat).filter((t) => /acknowledged your safeguarding alert/.test(t)).length, 1);
  });

  it('impersonation: another channel, no Entra object id, or two tenants that disagree are refused at the door, naming the field, and nothing is stored; the Teams-shaped click works', async () => {
    const data = await raiseAlert();
    const before = { state: settledState(h), rows: rowCounts(h.dbFile), sent: h.connector.calls.length };
    const lee = PEOPLE.lee;
    const ack = { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'escalation.acknowledge', data: { verb: 'escalation.acknowledge', ...data } } } };
    const say = { type: 'message', text: 'new check' };
    const base = { channelId: 'msteams', serviceUrl: h.connector.serviceUrl, recipient: { id: '28:channelcheck', name: 'ChannelCheck' } };
    // On Web Chat / Direct Line the client picks from.id: here the manager's Entra id, with the council's tenant.
    const webchat = { ...base, channelId: 'webchat', from: { id: lee.aadObjectId, name: lee.name }, conversation: { id: 'dl-conversation-1' }, channelData: { tenant: { id: TENANT } } };
    const noEntraId = { ...base, from: { id: lee.aadObjectId, name: lee.name }, conversation: { id: conversationOf(lee), conversationType: 'personal', tenantId: TENANT }, channelData: { tenant: { id: TENANT } } };
    const teams = (conversationTenant: string | undefined, channelDataTenant: string | undefined) => ({
      ...base,
      from: lee,
      conversation: { id: conversationOf(lee), conversationType: 'personal', ...(conversationTenant ? { tenantId: conversationTenant } : {}) },
      ...(channelDataTenant ? { channelData: { tenant: { id: channelDataTenant } } } : {}),
    });
    const attacks: Array<[string, Record<string, unknown>, number, string]> = [
      ['a Web Chat click naming the manager in from.id', { ...webchat, ...ack, id: 'wc-1' }, 403, 'channelId: only msteams is served'],
      ['a Web Chat message', { ...webchat, ...say, id: 'wc-2' }, 403, 'channelId: only msteams is served'],
      ['a Direct Line click', { ...webchat, channelId: 'directline', ...ack, id: 'dl-1' }, 403, 'channelId: only msteams is served'],
      ['a click with no channelId', { ...webchat, channelId: undefined, ...ack, id: 'nc-1' }, 403, 'channelId: only msteams is served'],
      ['a Teams click without from.aadObjectId', { ...noEntraId, ...ack, id: 'na-1' }, 400, 'from.aadObjectId: is required'],
      ['a Teams message without from.aadObjectId', { ...noEntraId, ...say, id: 'na-2' }, 400, 'from.aadObjectId: is required'],
      ['a Teams installation without from.aadObjectId', { ...noEntraId, type: 'installationUpdate', action: 'add', id: 'na-3' }, 400, 'from.aadObjectId: is required'],
      ['a click with the tenant only in channelData', { ...teams(undefined, TENANT), ...ack, id: 't-1' }, 400, 'conversation.tenantId: is required'],
      ['a click with the council in the conversation and another tenant in channelData', { ...teams(TENANT, OTHER_TENANT), ...ack, id: 't-2' }, 400, 'channelData.tenant.id: names another tenant than conversation.tenantId'],
      ['a click with another tenant in the conversation and the council in channelData', { ...teams(OTHER_TENANT, TENANT), ...ack, id: 't-3' }, 400, 'channelData.tenant.id: names another tenant than conversation.tenantId'],
    ];
    for (const [name, activity, status, error] of attacks) {
      const r = await h.post(activity);
      assert.equal(r.status, status, `${name}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(r.body, { error }, name);
    }
    assert.deepEqual(settledState(h), before.state, 'the alert is still open, nothing audited as settled');
    assert.deepEqual(rowCounts(h.dbFile), before.rows, 'not a row written, not even a refusal or a conversation reference');
    assert.equal(h.connector.calls.length, before.sent, 'nothing sent');
    assert.equal(h.logs.filter((l) => l.includes('activity refused: not a Teams activity from a known person')).length, attacks.length, 'each refusal logged');

    const legit = await h.post({ ...teams(TENANT, TENANT), ...ack, id: 'ok-1' });
    assert.equal(legit.status, 200);
    assert.match(cardText(legit.body.value), /Acknowledged by Lee Manager/);
    assert.deepEqual(queryRows(h.dbFile, 'select status, acknowledged_by from escalations'), [{ status: 'acknowledged', acknowledged_by: lee.aadObjectId }]);
  });

  it("the manager's delegate may acknowledge, and the practitioner is told who did", async () => {
    const data = await raiseAlert();
    const r = await click(h, PEOPLE.jo, 'escalation.acknowledge', data);
    assert.match(cardText(r.body.value), /Acknowledged by Jo Deputy/);
    await h.drain();
    assert.ok(h.textsTo(PEOPLE.pat).some((t) => /Jo Deputy acknowledged your safeguarding alert/.test(t)));
  });

  it('a member of the escalation channel may acknowledge from the channel, but the same person from another conversation may not', async () => {
    // The manager does not have the app: the alert goes to the escalation channel instead.
    h.connector.fail({ method: 'POST', path: connectorPaths.sendsTo(conversationOf(PEOPLE.lee)), times: Infinity, fault: { status: 403, code: 'BotNotInConversationRoster' } });
    h.connector.fail({ method: 'POST', path: connectorPaths.createConversation, when: (c) => JSON.stringify(c.body).includes(PEOPLE.lee.aadObjectId), times: Infinity, fault: { status: 403 } });
    await check(h, PEOPLE.pat, SAFEGUARDING);
    await h.drain();
    const post = h.connector.deliveredTo(ESCALATION_CHANNEL).find((c) => JSON.stringify(c.body).includes('URGENT'));
    assert.ok(post?.resultId, 'the alert was posted in the escalation channel');
    const data = actionData((post.body as any).attachments[0].content, 'escalation.acknowledge');
    const thread = `${ESCALATION_CHANNEL};messageid=${post.resultId}`;

    assert.match(cardText((await click(h, ASH, 'escalation.acknowledge', data)).body.value), NOT_ONE_OF, 'from their 1:1 chat');
    assert.match(cardText((await click(h, ASH, 'escalation.acknowledge', data, { conversationId: '19:general@thread.tacv2;messageid=1' })).body.value), NOT_ONE_OF, 'from another channel');
    assert.match(cardText((await click(h, ASH, 'escalation.acknowledge', data, { conversationId: thread, tenantId: OTHER_TENANT })).body.value), NOT_ONE_OF, 'from another tenant');
    assert.deepEqual(queryRows(h.dbFile, 'select status from escalations'), [{ status: 'open' }]);
    const ack = await click(h, ASH, 'escalation.acknowledge', data, { conversationId: thread });
    assert.match(cardText(ack.body.value), /Acknowledged by Ash Channelmember/);
    assert.deepEqual(queryRows(h.dbFile, 'select status, acknowledged_by from escalations'), [{ status: 'acknowledged', acknowledged_by: ASH.aadObjectId }]);
  });

  it('out of hours the Head of Service is alerted at once and may acknowledge at once', async () => {
    clock = Date.parse('2026-03-03T22:30:00Z'); // a Tuesday night
    await check(h, PEOPLE.pat, { ...SAFEGUARDING, withinWorkingHours: false });
    await h.drain();
    const toSam = h.cardsTo(PEOPLE.sam).find((c) => cardText(c.card).includes('URGENT'));
    assert.ok(toSam);
    assert.match(cardText((await click(h, KIM, 'escalation.acknowledge', actionData(toSam.card, 'escalation.acknowledge'))).body.value), NOT_ONE_OF, "another team's Head of Service");
    assert.match(cardText((await click(h, PEOPLE.sam, 'escalation.acknowledge', actionData(toSam.card, 'escalation.acknowledge'))).body.value), /Acknowledged by Sam Head/);
  });

  it('20 simultaneous clicks from mixed people: one acknowledgement, every outsider refused, one audit event for the settlement', async () => {
    const data = await raiseAlert();
    const thread = `${ESCALATION_CHANNEL};messageid=1`;
    const allowed: Array<[Clicker, Where]> = [[PEOPLE.lee, {}], [PEOPLE.jo, {}]];
    // The alert went to the manager only: a channel member, even clicking from the channel, may not act yet.
    const refused: Array<[Clicker, Where]> = [[PEOPLE.mallory, {}], [KIM, {}], [PEOPLE.pat, {}], [PEOPLE.sam, {}], [PEOPLE.lee, { tenantId: OTHER_TENANT }], [ASH, {}], [ASH, { conversationId: thread }]];
    const clicks = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? { who: allowed[(i / 2) % 2]!, ok: true } : { who: refused[((i - 1) / 2) % 7]!, ok: false }));
    const replies = await Promise.all(clicks.map((c) => click(h, c.who[0], 'escalation.acknowledge', data, c.who[1])));
    for (const [i, r] of replies.entries()) {
      assert.equal(r.status, 200);
      if (clicks[i]!.ok) assert.match(cardText(r.body.value), ACKNOWLEDGED, `click ${i}`);
      else assert.doesNotMatch(cardText(r.body.value), ACKNOWLEDGED, `click ${i}`);
    }
    assert.equal(count(h, "select count(*) n from escalations where status = 'acknowledged'"), 1);
    assert.equal(count(h, "select count(*) n from audit_events where type = 'escalation.acknowledged'"), 1);
    assert.equal(count(h, "select count(*) n from audit_events where type = 'escalation.ack_refused'"), 10);
    const by = queryRows(h.dbFile, 'select acknowledged_by from escalations')[0].acknowledged_by;
    assert.ok([PEOPLE.lee.aadObjectId, PEOPLE.jo.aadObjectId].includes(by));
    await h.drain();
    assert.equal(h.textsTo(PEOPLE.pat).filter((t) => /acknowledged your safeguarding alert/.test(t)).length, 1, 'the practitioner is told once');
  });

  it('an approval: another team\'s manager, the Head of Service and another tenant cannot decide it or see its buttons; refusals are audited; 20 mixed clicks settle it once', async () => {
    await check(h, PEOPLE.pat, NEEDS_APPROVAL);
    await h.drain();
    const card = h.cardsTo(PEOPLE.lee).find((c) => cardText(c.card).includes('Approval needed'))!.card;
    const approve = actionData(card, 'approval.approve');
    const before = settledState(h);
    for (const [person, where] of [[KIM, {}], [PEOPLE.sam, {}], [PEOPLE.lee, { tenantId: OTHER_TENANT }], [PEOPLE.pat, {}]] as Array<[Clicker, Where]>) {
      const r = await click(h, person, 'approval.approve', { ...approve, comment: 'sneaky' }, where);
      assert.match(cardText(r.body.value), /You cannot decide this request/, person.name);
      const refresh = await click(h, person, 'approval.refresh', approve, where);
      assert.doesNotMatch(cardText(refresh.body.value), /approval\.approve/, `${person.name} sees no buttons`);
    }
    assert.match(cardText((await click(h, PEOPLE.lee, 'approval.refresh', approve)).body.value), /approval\.approve/, 'the manager sees the buttons');
    assert.deepEqual(settledState(h), before, 'nothing changed but the audit trail');
    assert.deepEqual(
      queryRows(h.dbFile, "select payload from audit_events where type = 'approval.settle_refused' order by seq").map((e) => JSON.parse(e.payload).reason),
      ['not_assigned', 'not_assigned', 'other_tenant', 'own_request'],
    );

    const deciders: Array<[Clicker, Where]> = [[PEOPLE.lee, {}], [PEOPLE.jo, {}]];
    const outsiders: Array<[Clicker, Where]> = [[PEOPLE.mallory, {}], [KIM, {}], [PEOPLE.pat, {}], [PEOPLE.lee, { tenantId: OTHER_TENANT }]];
    const clicks = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? { who: deciders[(i / 2) % 2]!, ok: true } : { who: outsiders[((i - 1) / 2) % 4]!, ok: false }));
    const replies = await Promise.all(clicks.map((c, i) => click(h, c.who[0], i % 4 === 0 ? 'approval.approve' : 'approval.decline', approve, c.who[1])));
    const status = queryRows(h.dbFile, 'select status from approval_requests')[0].status;
    const word = status === 'approved' ? 'Approved' : 'Declined';
    for (const [i, r] of replies.entries()) {
      if (clicks[i]!.ok) assert.match(cardText(r.body.value), new RegExp(word), `click ${i}`);
      else assert.match(cardText(r.body.value), /You cannot decide this request/, `click ${i}`);
    }
    assert.equal(count(h, "select count(*) n from audit_events where type in ('approval.approved', 'approval.declined')"), 1);
    assert.equal(count(h, "select count(*) n from audit_events where type = 'approval.settle_refused'"), 4 + 10);
    await h.drain();
    assert.equal(h.textsTo(PEOPLE.pat).filter((t) => /your request to use WhatsApp/.test(t)).length, 1, 'the practitioner is told once');
  });
});
