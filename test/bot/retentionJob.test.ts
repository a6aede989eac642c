/** The daily retention purge runs inside the bot as a timer row: once a day, audited, never twice. */
import assert from 'node:assert/strict';
import { nextPurgeAt, purgeTimerId } from '../../src/services/retentionJob';
import { actionData, answersFor, cardText, type Harness, PEOPLE, queryRows, startHarness } from './botHarness';

const FACTS = { contactType: 'staff', purpose: 'colleague_chat', initiatedBy: 'practitioner', immediateRiskToLife: false, safeguardingConcern: false, caseRef: 'CR-70001', device: 'work_issued', account: 'work', teamsAvailable: true, withinWorkingHours: true, riskPhoneAccessByAbuser: false, sensitiveContent: false, inappropriateContentReceived: false, dataIncident: false, practitionerUncertain: false };

const query = queryRows;

describe('scheduled retention purge', function () {
  this.timeout(60_000);

  it('is due at the next 02:00 UTC, one timer id per day', () => {
    assert.equal(nextPurgeAt(new Date('2026-03-03T01:59:00Z')).toISOString(), '2026-03-03T02:00:00.000Z');
    assert.equal(nextPurgeAt(new Date('2026-03-03T02:00:00Z')).toISOString(), '2026-03-04T02:00:00.000Z');
    assert.equal(purgeTimerId(new Date('2026-03-04T02:00:00Z')), 'retention-purge-2026-03-04');
  });

  let h: Harness;
  let clock: number;
  beforeEach(async () => {
    clock = Date.parse('2020-01-06T10:00:00Z');
    h = await startHarness({ dispatch: false, now: () => new Date(clock) });
  });
  afterEach(async () => h.close());

  it('purges records past the pack\'s retention period, audits it, and schedules the next day once', async () => {
    await h.message(PEOPLE.pat, 'new check');
    let card = h.cardsTo(PEOPLE.pat).at(-1)!.card;
    for (let i = 0; i < 6 && cardText(card).includes('wizard.next'); i++) {
      card = (await h.invoke(PEOPLE.pat, 'wizard.next', { ...actionData(card, 'wizard.next'), ...answersFor(card, FACTS) })).body.value;
    }
    assert.equal(query(h.dbFile, 'select count(*) n from decisions')[0].n, 1);
    await h.app.retention.ensureScheduled();
    await h.app.retention.ensureScheduled(); // a second replica, or a restart: still one timer
    assert.equal(query(h.dbFile, "select count(*) n from timers where kind = 'retention_purge' and fired_at is null")[0].n, 1);

    clock = Date.parse('2021-01-07T03:00:00Z'); // a year on: within Hillingdon's six years
    await h.app.timers.runOnce();
    assert.equal(query(h.dbFile, 'select count(*) n from decisions')[0].n, 1, 'kept within the retention period');

    clock = Date.parse('2026-01-08T03:00:00Z'); // more than 2190 days after the decision
    await h.app.retention.ensureScheduled();
    await h.app.timers.runOnce();
    await h.app.timers.runOnce();
    assert.equal(query(h.dbFile, 'select count(*) n from decisions')[0].n, 0, 'purged');
    assert.ok(query(h.dbFile, "select count(*) n from audit_events where type = 'retention.purged' and actor = 'channelcheck:retention-job'")[0].n >= 1);
    assert.equal(query(h.dbFile, "select count(*) n from timers where kind = 'retention_purge' and fired_at is null and due_at > '2026-01-08'")[0].n, 1, 'the next day is scheduled');
    assert.equal((await h.app.store.verifyAuditChain()).ok, true);
  });

  it('deletes checks that were started but never finished once untouched for 30 days', async () => {
    await h.message(PEOPLE.pat, 'new check'); // left at step 1
    assert.equal(query(h.dbFile, 'select count(*) n from wizard_sessions')[0].n, 1);
    clock += 29 * 24 * 3600_000;
    assert.equal((await h.app.store.purgeExpired({ hillingdon: 2190 }, new Date(clock), 'test')).unfinishedWizardSessionsPurged, 0);
    clock += 2 * 24 * 3600_000;
    assert.equal((await h.app.store.purgeExpired({ hillingdon: 2190 }, new Date(clock), 'test')).unfinishedWizardSessionsPurged, 1);
    assert.equal(query(h.dbFile, 'select count(*) n from wizard_sessions')[0].n, 0);
    assert.equal((await h.app.store.verifyAuditChain()).ok, true);
  });
});
