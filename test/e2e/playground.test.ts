/**
 * End to end in the real client: the Microsoft 365 Agents Playground's web UI in Chromium, driving the bot
 * built and started as `npm start` does (once per council: CHANNELCHECK_COUNCIL). A practitioner completes a check for each of the five councils (an
 * under-16 case and a safeguarding case among them); a line manager, in a second Playground, receives and
 * approves an approval request and receives the urgent safeguarding alert and a same-day incident notice; a
 * crisis answer leads with "Call 999 now"; a consent YES goes into the consent register and a later
 * withdrawal from `my checks` turns the next check for the case into no WhatsApp. Screenshots of each step
 * go to docs/screenshots/.
 */
import assert from 'node:assert/strict';
import type { Locator, Page } from 'playwright-core';
import { QUESTIONS, type QuestionId } from '../../src/domain/wizard/questions';
import { assertOffline, cards, cardShot, MANAGER_PORT, PlaygroundRig, PRACTITIONER_PORT, say, shot } from './playgroundHarness';

type Answers = Partial<Record<QuestionId, string | number | boolean | null>>;

/** Sets every question the card shows that `answers` has an answer for, the way a person would. */
async function fillStep(page: Page, card: Locator, answers: Answers): Promise<void> {
  for (const [id, value] of Object.entries(answers) as Array<[QuestionId, Answers[QuestionId]]>) {
    const q = QUESTIONS[id];
    const t = q.type;
    if (t.kind === 'toggle') {
      // The accessible name joins the input's label and its title ("Safeguarding New information ...").
      const box = card.getByRole('checkbox', { name: new RegExp(escape(t.title)) });
      if ((await box.count()) > 0) {
        await box.setChecked(value === true);
        assert.equal(await box.isChecked(), value === true, `${id} did not take ${String(value)}`);
      }
    } else if (t.kind === 'choice' || t.kind === 'yesNoUnknown') {
      const v = t.kind === 'choice' ? String(value) : value === true ? 'yes' : value === false ? 'no' : 'unknown';
      const group = card.getByRole('radiogroup', { name: new RegExp(`^${escape(q.label)}`) });
      if ((await group.count()) > 0) {
        await group.locator(`input[type=radio][value="${v}"]`).check();
        continue;
      }
      const combo = card.getByRole('combobox', { name: new RegExp(`^${escape(q.label)}`) });
      if ((await combo.count()) > 0 && t.kind === 'choice') {
        await combo.click();
        await page.getByRole('option', { name: t.choices.find((c) => c.value === v)!.title, exact: true }).click();
      }
    } else if (t.kind === 'age') {
      const input = card.getByLabel(q.label);
      if ((await input.count()) > 0) await input.fill(String(value));
    } else if (t.kind === 'caseRef') {
      const input = card.getByPlaceholder('e.g. CR-102938');
      if ((await input.count()) > 0 && typeof value === 'string') await input.fill(value);
    }
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Types "new check", answers every step, returns the outcome card's text. Screenshots each step. */
async function runCheck(page: Page, council: string, answers: Answers): Promise<{ text: string; card: Locator }> {
  await say(page, 'new check');
  let card = cards(page).filter({ hasText: 'About the contact' }).last();
  await card.waitFor({ timeout: 20_000 });
  for (let step = 1; step <= 8; step++) {
    const before = await card.innerText();
    await fillStep(page, card, answers);
    await shot(page, `${council}-${String(step).padStart(2, '0')}-${(before.split('\n')[0] ?? 'step').toLowerCase().replace(/[^a-z]+/g, '-').replace(/-$/, '')}`);
    const next = card.getByRole('button', { name: /^(Next|Get the answer)$/ });
    await next.click();
    // The card is replaced in place by the invoke response: wait for its text to change.
    await page.waitForFunction(
      ([prev]) => {
        // Runs in the page.
        const all = (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ innerText: string }> } }).document.querySelectorAll('.ac-adaptiveCard');
        const last = all[all.length - 1];
        return !!last && last.innerText !== prev;
      },
      [before],
      { timeout: 20_000 },
    );
    card = cards(page).last();
    const text = await card.innerText();
    assert.doesNotMatch(text, /Please check (the answer|\d+ answers)/, `step ${step} was refused:\n${text}`);
    if (!/Get the answer|Next/.test(await card.getByRole('button').allInnerTexts().then((b) => b.join(' ')))) {
      await cardShot(card, `${council}-outcome`);
      // fillStep skips a question whose input it cannot find: the case reference on the outcome shows it was typed.
      if (typeof answers.caseRef === 'string') assert.ok(text.includes(answers.caseRef), `${council}: the outcome does not name case ${answers.caseRef}:\n${text}`);
      return { text, card };
    }
  }
  throw new Error(`${council}: the wizard did not finish in 8 steps`);
}

const BASE: Answers = {
  initiatedBy: 'practitioner',
  immediateRiskToLife: false,
  safeguardingConcern: false,
  device: 'work_issued',
  account: 'work',
  teamsAvailable: true,
  consent: 'given',
  withinWorkingHours: true,
  riskPhoneAccessByAbuser: false,
  sensitiveContent: false,
  inappropriateContentReceived: false,
  dataIncident: false,
  practitionerUncertain: false,
};

describe('end to end in the Microsoft 365 Agents Playground (Chromium)', function () {
  this.timeout(180_000);
  const rig = new PlaygroundRig();

  before(async function () {
    this.timeout(240_000);
    assertOffline();
    rig.build();
    await rig.startBot('hillingdon');
    await rig.startPlaygrounds();
    await rig.startBrowser();
    await rig.open(rig.manager, MANAGER_PORT);
    await rig.open(rig.practitioner, PRACTITIONER_PORT);
  });

  after(async function () {
    if (this.currentTest?.state === 'failed') process.stdout.write(rig.logs());
    await rig.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed') {
      await shot(rig.practitioner, `failed-practitioner`).catch(() => undefined);
      await shot(rig.manager, `failed-manager`).catch(() => undefined);
      process.stdout.write(rig.logs());
    }
  });

  it('Hillingdon: a 17-year-old, keeping in touch: allowed with conditions, the 7.4 opening message', async () => {
    const { text } = await runCheck(rig.practitioner, 'hillingdon', { ...BASE, contactType: 'young_person', purpose: 'keep_in_touch', caseRef: 'CR-40117', age: 17 });
    assert.match(text, /WhatsApp is allowed, with conditions/);
    assert.match(text, /HIL-PS-2, clause Policy Statement, paragraph 2/);
    assert.match(text, /I need to make you aware that there may be a need to share information to ensure you or others are safe\./);
    assert.match(text, /case file running record/);
  });

  it('Hillingdon: video with a parent who cannot use Teams needs approval; the line manager approves and the practitioner\'s card changes', async () => {
    const { text } = await runCheck(rig.practitioner, 'hillingdon-approval', { ...BASE, contactType: 'parent_carer', purpose: 'video_visit', caseRef: 'CR-40118', teamsAvailable: false });
    assert.match(text, /Ask your line manager before using WhatsApp/);
    assert.match(text, /HIL-3\.3, clause 3\.3/);
    assert.match(text, /approval request is being sent to your line manager Lee Manager/);

    const approval = cards(rig.manager).filter({ hasText: 'Approval needed: Pat Practitioner' }).last();
    await approval.waitFor({ timeout: 30_000 });
    await cardShot(approval, 'manager-01-approval-request');
    await approval.getByLabel('Comment for the practitioner (optional)').fill('Agreed for video this week; review next supervision.');
    await approval.getByRole('button', { name: 'Approve' }).click();
    await cards(rig.manager).filter({ hasText: 'Approved by Lee Manager' }).last().waitFor({ timeout: 20_000 });
    await shot(rig.manager, 'manager-02-approved');

    const updated = cards(rig.practitioner).filter({ hasText: 'Approved by Lee Manager' }).last();
    await updated.waitFor({ timeout: 30_000 });
    await cardShot(updated, 'hillingdon-approval-outcome-updated');
    await rig.practitioner.getByText(/Lee Manager approved your request to use WhatsApp/).first().waitFor({ timeout: 30_000 });
    await shot(rig.practitioner, 'hillingdon-approval-updated');
  });

  it('Hillingdon crisis: at 11pm a 17-year-old says she has taken tablets: "Call 999 now" first, routine items folded away', async () => {
    const { text, card } = await runCheck(rig.practitioner, 'hillingdon-crisis', { ...BASE, contactType: 'young_person', purpose: 'keep_in_touch', initiatedBy: 'young_person', caseRef: 'CR-40119', age: 17, immediateRiskToLife: true, withinWorkingHours: false });
    assert.match(text, /^Call 999 now/);
    assert.ok(text.indexOf('Do this now') < text.indexOf('Who to contact'), 'what to do now comes first');
    assert.match(text, /If anyone is at immediate risk or there is a risk to life, call 999 first\./);
    assert.match(text, /EDT on 01895 250111/);
    assert.doesNotMatch(text, /Switch your location services off|Set your WhatsApp status|I need to make you aware/, 'routine items are not shown in a crisis');
    await card.getByRole('button', { name: /^For routine contact later/ }).click();
    await card.getByText('Switch your location services off.').first().waitFor({ timeout: 10_000 });
    await cardShot(card, 'hillingdon-crisis-routine-later');
  });

  it('Waltham Forest: a 14-year-old: no direct WhatsApp, contact through the parent (WF-G5)', async () => {
    await rig.startBot('waltham-forest');
    const { text } = await runCheck(rig.practitioner, 'waltham-forest', { ...BASE, contactType: 'young_person', purpose: 'keep_in_touch', caseRef: 'WF-2291', age: 14, parentalConsent: null, managerAgreement: null });
    assert.match(text, /Do not use WhatsApp for this contact/);
    assert.match(text, /WF-G5/);
    assert.match(text, /parent or legal guardian/);
  });

  it('Waltham Forest: a parent, appointment, consent not yet asked: the consent script exactly as the guidance writes it', async () => {
    const { text, card } = await runCheck(rig.practitioner, 'waltham-forest-consent', { ...BASE, contactType: 'parent_carer', purpose: 'appointment', caseRef: 'WF-2292', consent: 'not_asked' });
    assert.match(text, /WhatsApp is allowed, with conditions/);
    assert.match(text, /WF-G11/);
    assert.ok(text.includes('Please note that we will be communicating with you using WhatsApp.'), 'the consent script');
    assert.ok(text.includes('If you agree to use using WhatsApp please respond to this chat with "YES".'), 'its last sentence, typo and "YES" included');
    assert.match(text, /not enforceable/i);

    // They replied YES: recorded in the consent register against the case.
    await card.getByRole('button', { name: 'They replied YES' }).click();
    const recorded = cards(rig.practitioner).filter({ hasText: 'Consent register: Consent given' }).last();
    await recorded.waitFor({ timeout: 20_000 });
    await cardShot(recorded, 'waltham-forest-consent-recorded');
  });

  it('Waltham Forest: later they withdraw consent from my checks, and the next check for the case says no WhatsApp', async () => {
    await say(rig.practitioner, 'my checks');
    const list = cards(rig.practitioner).filter({ hasText: 'Your recent checks' }).last();
    await list.waitFor({ timeout: 20_000 });
    await list.getByRole('button', { name: 'They withdrew consent' }).first().click();
    await cards(rig.practitioner).filter({ hasText: 'Consent withdrawal recorded for case WF-2292' }).last().waitFor({ timeout: 20_000 });
    await shot(rig.practitioner, 'waltham-forest-consent-withdrawn');
    const { consent: _asked, ...withoutConsent } = BASE;
    const { text } = await runCheck(rig.practitioner, 'waltham-forest-after-withdrawal', { ...withoutConsent, contactType: 'parent_carer', purpose: 'appointment', caseRef: 'WF-2292' });
    assert.match(text, /Do not use WhatsApp for this contact/);
    assert.match(text, /Consent register: Consent withdrawn/);
  });

  it('Leicester: a safeguarding concern: escalation, and the line manager gets the urgent alert and acknowledges it', async () => {
    await rig.startBot('leicester');
    const { text } = await runCheck(rig.practitioner, 'leicester', { ...BASE, contactType: 'young_person', purpose: 'keep_in_touch', caseRef: 'LCC-7781', age: 17, safeguardingConcern: true, serviceInScope: true });
    assert.match(text, /Safeguarding: act now and tell your line manager/);
    assert.match(text, /BASE-SAFEGUARDING, ChannelCheck baseline/, 'Leicester\'s paper gives no safeguarding route: the baseline speaks, marked as such');
    assert.match(text, /urgent safeguarding alert is being sent to your line manager Lee Manager.*: queued, not yet delivered/);

    const alert = cards(rig.manager).filter({ hasText: 'URGENT: safeguarding alert' }).last();
    await alert.waitFor({ timeout: 30_000 });
    await cardShot(alert, 'manager-03-safeguarding-alert');
    await alert.getByRole('button', { name: /Acknowledge/ }).click();
    await cards(rig.manager).filter({ hasText: 'Acknowledged by Lee Manager' }).last().waitFor({ timeout: 20_000 });
    await rig.practitioner.getByText(/Lee Manager acknowledged your safeguarding alert/).first().waitFor({ timeout: 30_000 });
    await shot(rig.practitioner, 'leicester-acknowledged');
  });

  it('Leicester incident: a parent\'s details went to the wrong contact: report it first, the manager is told the same day', async () => {
    const { text } = await runCheck(rig.practitioner, 'leicester-incident', { ...BASE, contactType: 'parent_carer', purpose: 'keep_in_touch', caseRef: 'LCC-7782', dataIncident: true, serviceInScope: true });
    assert.match(text, /^Report an information incident now/);
    assert.match(text, /Report the incident now to Information-Security-Incidents@leicester\.gov\.uk/);
    assert.ok(text.indexOf('Information-Security-Incidents') < text.indexOf('Do not delete the conversation until your manager advises'), 'the route first');
    assert.match(text, /ICO within 72 hours/);
    assert.doesNotMatch(text, /Make the phone available for a manager's spot check/, 'routine checklist folded away');
    await rig.manager.getByText(/Information incident, for action today: Pat Practitioner/).first().waitFor({ timeout: 30_000 });
    await shot(rig.manager, 'manager-04-incident-notice');
  });

  it('Warwickshire: a parent video visit before the manager has agreed virtual visits (4.1)', async () => {
    await rig.startBot('warwickshire');
    const { text } = await runCheck(rig.practitioner, 'warwickshire', { ...BASE, contactType: 'parent_carer', purpose: 'video_visit', caseRef: 'WCC-5120', managerAgreement: null });
    assert.match(text, /Ask your line manager before using WhatsApp/);
    assert.match(text, /WAR-4\.1/);
  });

  it('Covid-19 guidance: a court report to a parent is never sent by WhatsApp, and the guidance is flagged as temporary', async () => {
    await rig.startBot('covid-2020');
    const { text } = await runCheck(rig.practitioner, 'covid-2020', { ...BASE, contactType: 'parent_carer', purpose: 'share_documents', caseRef: 'MOS-33012' });
    assert.match(text, /Do not use WhatsApp for this contact/);
    assert.match(text, /COV-9/);
    assert.match(text, /temporary guidance/i);
  });
});
