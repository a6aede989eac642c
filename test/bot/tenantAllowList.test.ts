/**
 * The tenant allow-list: with CHANNELCHECK_TENANT_COUNCILS (or CHANNELCHECK_COUNCIL plus MicrosoftAppTenantId),
 * an activity from any other tenant is refused with 403 and a log line, before anything is stored.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { type Harness, PEOPLE, rowCounts, startHarness, TENANT } from './botHarness';

const OTHER_TENANT = '99999999-9999-9999-9999-999999999999';

let serviceUrl = 'http://127.0.0.1:9/';

function from(tenant: { conversation?: string | null; channelData?: string | null }, extra: Record<string, unknown> = {}) {
  const person = PEOPLE.mallory;
  return {
    type: 'message',
    id: `m-${randomUUID()}`,
    text: 'new check',
    channelId: 'msteams',
    serviceUrl,
    from: person,
    recipient: { id: '28:channelcheck', name: 'ChannelCheck' },
    conversation: { id: `a:personal-${person.aadObjectId}`, conversationType: 'personal', ...(tenant.conversation ? { tenantId: tenant.conversation } : {}) },
    ...(tenant.channelData ? { channelData: { tenant: { id: tenant.channelData } } } : {}),
    ...extra,
  };
}

function refusals(h: Harness): any[] {
  return h.logs.map((l) => JSON.parse(l)).filter((l) => l.msg === 'activity refused: tenant not served by this deployment');
}

for (const [mode, env] of [
  ['CHANNELCHECK_TENANT_COUNCILS', { CHANNELCHECK_TENANT_COUNCILS: `${TENANT}=hillingdon` }],
  ['CHANNELCHECK_COUNCIL with MicrosoftAppTenantId', { MicrosoftAppTenantId: TENANT }],
] as const) {
  describe(`bot: tenant allow-list (${mode})`, function () {
    this.timeout(60_000);
    let h: Harness;
    beforeEach(async () => {
      h = await startHarness({ dispatch: false, env });
      serviceUrl = h.connector.serviceUrl;
    });
    afterEach(async () => h.close());

    it('serves the configured tenant', async () => {
      assert.equal((await h.install(PEOPLE.pat)).status, 200);
      assert.equal((await h.message(PEOPLE.pat, 'new check')).status, 200);
      assert.ok(rowCounts(h.dbFile).wizard_sessions! >= 1);
      assert.equal(refusals(h).length, 0);
    });

    const hostile: Array<[string, Record<string, unknown>]> = [
      ['another tenant', from({ conversation: OTHER_TENANT, channelData: OTHER_TENANT })],
      ['another tenant installing the app', from({ conversation: OTHER_TENANT, channelData: OTHER_TENANT }, { type: 'installationUpdate', action: 'add' })],
      ['another tenant clicking a card', from({ conversation: OTHER_TENANT, channelData: OTHER_TENANT }, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'escalation.acknowledge', data: { verb: 'escalation.acknowledge', escalationId: 'x' } } } })],
      ['no tenant at all', from({})],
      ['the allowed tenant in channelData but another in the conversation', from({ conversation: OTHER_TENANT, channelData: TENANT })],
      ['the allowed tenant in the conversation but another in channelData', from({ conversation: TENANT, channelData: OTHER_TENANT })],
    ];
    for (const [name, activity] of hostile) {
      it(`refuses ${name} with 403, a log line, and no data written`, async () => {
        const before = rowCounts(h.dbFile);
        const res = await h.post(activity);
        assert.equal(res.status, 403, JSON.stringify(res.body));
        assert.deepEqual(res.body, { error: 'this tenant is not served by this ChannelCheck deployment' });
        assert.deepEqual(rowCounts(h.dbFile), before, 'no row written');
        assert.equal(h.connector.calls.length, 0, 'nothing sent');
        const [line, ...more] = refusals(h);
        assert.ok(line, 'a log line says why');
        assert.equal(more.length, 0);
        assert.equal(line.level, 40);
        assert.equal(line.userAadId, PEOPLE.mallory.aadObjectId);
        assert.doesNotMatch(JSON.stringify(line), /Mallory/, 'ids only, no names');
      });
    }

    it('matches tenant ids without regard to case', async () => {
      const res = await h.post(from({ conversation: TENANT.toUpperCase(), channelData: TENANT }));
      assert.equal(res.status, 200);
    });
  });
}

describe('bot: no tenant allow-list configured (local use)', function () {
  this.timeout(60_000);
  it('serves any tenant', async () => {
    const h = await startHarness({ dispatch: false });
    serviceUrl = h.connector.serviceUrl;
    try {
      assert.equal((await h.post(from({ conversation: OTHER_TENANT, channelData: OTHER_TENANT }))).status, 200);
    } finally {
      await h.close();
    }
  });
});
