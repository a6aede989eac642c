/**
 * The structured JSON logs: one correlation id per activity, carried into the outbox rows the activity queues;
 * ids only (no names, no case references); and no configured secret anywhere in the output, while the bot
 * starts, refuses forged tokens (one of them signed with the app password) and cannot fetch its keys.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logging';
import { catalogue } from '../support/policies';
import { FakeBotFrameworkIdentity, LOOPBACK_CA } from '../support/fakeBotFrameworkIdentity';
import { actionData, answersFor, cardText, type Harness, PEOPLE, queryRows, startHarness, TENANT, BASE_FACTS } from './botHarness';

const APP_PASSWORD = 'log-test-secret-Vb7$Qm2^xN';
const DB_PASSWORD = 'db-pass-H4r#d9!zT';
const DATABASE_URL = `postgres://channelcheck:${encodeURIComponent(DB_PASSWORD)}@127.0.0.1:1/channelcheck`;
const BASE = BASE_FACTS;
const SAFEGUARDING = { ...BASE, contactType: 'young_person', age: 16, purpose: 'keep_in_touch', safeguardingConcern: true, caseRef: 'CR-81002' };

function capture(): { stream: Writable; text: () => string; lines: () => any[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _e, cb) {
      chunks.push(String(chunk));
      cb();
    },
  });
  return { stream, text: () => chunks.join(''), lines: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

describe('bot: structured logs', function () {
  this.timeout(60_000);
  let identity: FakeBotFrameworkIdentity;
  let h: Harness;
  let out: ReturnType<typeof capture>;
  /** The Authorization header of the next request; null: a good token for the activity. */
  let pending: string | null = null;
  const appId = randomUUID();
  const env = { MicrosoftAppId: appId, MicrosoftAppPassword: APP_PASSWORD, MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: TENANT, DATABASE_URL };

  beforeEach(async () => {
    identity = await FakeBotFrameworkIdentity.start(appId, TENANT);
    out = capture();
    const log = createLogger('debug', { destination: out.stream, env });
    h = await startHarness({
      dispatch: false,
      log,
      botAuthorityCa: LOOPBACK_CA,
      headers: async (activity): Promise<Record<string, string>> => ({ authorization: pending ?? `Bearer ${await identity.channelToken(activity.serviceUrl)}` }),
      env: { MicrosoftAppId: appId, MicrosoftAppPassword: APP_PASSWORD, MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: TENANT, ...identity.env() },
    });
    pending = null;
  });
  afterEach(async () => {
    await h.close();
    await identity.stop();
  });

  it('gives each activity a correlation id, carried into the outbox rows it queues', async () => {
    await h.install(PEOPLE.pat);
    await h.install(PEOPLE.lee);
    await h.message(PEOPLE.pat, 'new check');
    let card = h.cardsTo(PEOPLE.pat).at(-1)!.card;
    for (let i = 0; i < 8 && cardText(card).includes('wizard.next'); i++) {
      card = (await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(card, 'wizard.next'), ...answersFor(card, SAFEGUARDING) })).body.value;
    }
    const accepted = out.lines().filter((l) => l.msg === 'activity accepted');
    assert.ok(accepted.length >= 5);
    const ids = accepted.map((l) => l.correlationId);
    assert.equal(new Set(ids).size, ids.length, 'one id per activity');
    const rows = queryRows(h.dbFile, 'select kind, correlation_id from outbox');
    assert.ok(rows.length >= 1, 'the decision queued notifications');
    const decisionTurn = ids.at(-1);
    for (const row of rows) assert.equal(row.correlation_id, decisionTurn, `${row.kind} carries the id of the turn that queued it`);
    // Lines written while that turn ran carry it too.
    assert.ok(out.lines().filter((l) => l.correlationId === decisionTurn).length >= 1);
    const text = out.text();
    for (const personal of [PEOPLE.pat.name, PEOPLE.lee.name, SAFEGUARDING.caseRef]) assert.ok(!text.includes(personal), `no "${personal}" in the logs`);
  });

  it('never writes a configured secret, while starting and refusing forged tokens and failing to fetch keys', async () => {
    // Start-up: the settings themselves go through the logger (as a careless debug line would).
    const config = loadConfig({ ...env, CHANNELCHECK_COUNCIL: 'hillingdon' }, [...catalogue().councils.keys()]);
    h.app.server.emit('restifyError', { path: () => '/api/messages' }, {}, new Error(`could not open ${DATABASE_URL}`), () => undefined);
    const log = createLogger('debug', { destination: out.stream, env });
    log.info({ config, env }, 'settings');
    log.error({ err: new Error(`connect ECONNREFUSED for ${DATABASE_URL} (password ${DB_PASSWORD})`) }, 'store failed');
    // The keys cannot be fetched: 503.
    identity.metadataStatus = 500;
    assert.equal((await h.message(PEOPLE.pat, 'new check')).status, 503);
    identity.metadataStatus = null;
    // Forged tokens, one an HS256 token keyed with the app password.
    for (const forged of [await identity.hmacToken(h.connector.serviceUrl, APP_PASSWORD), identity.unsignedToken(h.connector.serviceUrl), APP_PASSWORD]) {
      pending = `Bearer ${forged}`;
      assert.equal((await h.message(PEOPLE.pat, 'new check')).status, 401);
    }
    pending = `Basic ${Buffer.from(`${appId}:${APP_PASSWORD}`).toString('base64')}`;
    assert.equal((await h.message(PEOPLE.pat, 'new check')).status, 401);
    const text = out.text();
    assert.ok(text.includes('activity refused') && text.includes('settings'), 'the capture saw the lines');
    for (const secret of [APP_PASSWORD, DB_PASSWORD, encodeURIComponent(DB_PASSWORD), DATABASE_URL]) assert.ok(!text.includes(secret), `the secret ${secret.slice(0, 4)}… is not in the logs`);
    assert.ok(text.includes('[redacted]'));
  });
});
